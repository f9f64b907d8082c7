//! Stage 2: plan Rust types for normalized schemas: names, fields, enums, secrets, checks.
//!
//! The plan is plain data; [`crate::emit`] turns it into tokens. Planning never fails: what
//! cannot be typed becomes `serde_json::Value` with a diagnostic.

use heck::ToSnakeCase;
use serde_json::Value;

use crate::diagnostic::{join, Diagnostics};
use crate::names::{self, camel, field_names};
use crate::schema::{Additional, Constraints, Kind, Object, Property, Schema};

/// A Rust type, as used in a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `String`.
    String,
    /// `tray_auth::Secret`.
    Secret,
    /// `serde_json::Value`.
    Value,
    /// A type defined in the module.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// `Option<T>`.
    Option(Box<Ty>),
}

/// The checks `validate()` makes on a value of a field, beside those its own type makes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checks {
    /// Rules on the value itself.
    pub constraints: Constraints,
    /// Checks on each item of an array.
    pub items: Option<Box<Checks>>,
    /// Checks on each value of a map.
    pub values: Option<Box<Checks>>,
}

impl Checks {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty() && self.items.is_none() && self.values.is_none()
    }
}

/// A planned type definition.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Its Rust name.
    pub name: String,
    /// Its doc comment, line by line.
    pub doc: Vec<String>,
    /// What it is.
    pub body: Body,
}

/// What a planned type is.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A struct with named fields.
    Struct(StructDef),
    /// An enum of strings.
    StringEnum(Vec<Variant<String>>),
    /// An enum of integers.
    IntegerEnum(Vec<Variant<i64>>),
    /// One of several objects told apart by a property (`#[serde(tag = ..)]`).
    Tagged {
        /// The discriminating property.
        tag: String,
        /// The variants; each payload is a struct of the other properties.
        variants: Vec<Variant<String>>,
        /// The struct of each variant, in variant order.
        payloads: Vec<String>,
    },
    /// One of several types, told apart by trying each in turn (`#[serde(untagged)]`).
    Untagged(Vec<Variant<Ty>>),
}

/// A struct's fields and rules.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Fields, in schema order.
    pub fields: Vec<Field>,
    /// `additionalProperties: false`.
    pub deny_unknown: bool,
    /// Other keys kept in a map (`additionalProperties` with a schema).
    pub extra: Option<Ty>,
}

/// A field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The Rust name.
    pub ident: String,
    /// The JSON key.
    pub json_name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The field's type, `Option` included.
    pub ty: Ty,
    /// Whether the property must be present.
    pub required: bool,
    /// The schema's default, used when the property is absent (a plain field, not an `Option`).
    pub default: Option<Value>,
    /// What `validate()` checks.
    pub checks: Checks,
}

/// A variant of a planned enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant<T> {
    /// The Rust name.
    pub ident: String,
    /// The JSON value (or the payload type).
    pub value: T,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// What `validate()` checks on a payload of an untagged variant.
    pub checks: Checks,
}

impl TypeDef {
    /// Whether every field can be left out, so the type can implement `Default`.
    pub fn defaultable(&self) -> bool {
        match &self.body {
            Body::Struct(s) => s.fields.iter().all(|f| !f.required),
            _ => false,
        }
    }
}

/// Plans the types of one module.
pub struct Planner<'d> {
    scope: names::Scope,
    types: Vec<TypeDef>,
    samples: Vec<Samples>,
    diagnostics: &'d mut Diagnostics,
}

/// The `default` and `examples` a schema gives for one property, kept because they are values
/// of the field's type: what tests feed to the generated types.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    /// The property's schema pointer.
    pub pointer: String,
    /// The field planned for it.
    pub field: Field,
    /// Each value with its own pointer (`…/default`, `…/examples/0`).
    pub values: Vec<(String, Value)>,
}

impl<'d> Planner<'d> {
    /// A planner for a module in which `reserved` names are taken.
    pub fn new(reserved: &[&str], diagnostics: &'d mut Diagnostics) -> Self {
        Planner {
            scope: names::Scope::with_reserved(reserved),
            types: Vec::new(),
            samples: Vec::new(),
            diagnostics,
        }
    }

    /// The planned types, in the order they were planned (roots first, then what they use).
    pub fn finish(self) -> Vec<TypeDef> {
        self.types
    }

    /// The planned types and the sample values met while planning them.
    pub fn finish_with_samples(self) -> (Vec<TypeDef>, Vec<Samples>) {
        (self.types, self.samples)
    }

    /// Plans the root struct `name` (already reserved by the caller) for an object schema.
    /// Any other root becomes a struct holding no fields, with a warning.
    pub fn plan_root(&mut self, name: &str, schema: &Schema, fallback_doc: String) {
        let object = match &schema.kind {
            Kind::Object(object) => object.clone(),
            _ => {
                self.diagnostics.warn(&schema.pointer, "the root of a credentials or user data schema must be an object; no fields are generated");
                Object::default()
            }
        };
        let mut doc = schema_doc(schema, name);
        if schema.title.is_none() && schema.description.is_none() {
            doc = vec![fallback_doc];
        }
        self.define_struct(name, doc, &object, None);
    }

    /// Takes the next place in the module's list of types for `name`, so that a type comes
    /// before the types it uses; its body is filled in once those are planned.
    fn reserve(&mut self, name: &str, doc: Vec<String>) -> usize {
        self.types.push(TypeDef {
            name: name.to_owned(),
            doc,
            body: Body::Untagged(Vec::new()),
        });
        self.types.len() - 1
    }

    /// Plans the type `name` as a struct of the object's properties, leaving out `skip`.
    fn define_struct(&mut self, name: &str, doc: Vec<String>, object: &Object, skip: Option<&str>) {
        let index = self.reserve(name, doc);
        let body = self.struct_def(object, name, skip);
        self.types[index].body = Body::Struct(body);
    }

    /// Plans a bare schema as the type `name`; returns the type a field of it would have.
    pub fn plan_named(&mut self, name: &str, schema: &Schema) -> Ty {
        self.ty(schema, name, "", false)
    }

    fn new_type_name(&mut self, hint: &str, parent: &str) -> String {
        let base = camel(hint);
        if !self.scope.is_taken(&base) {
            return self.scope.take(&base);
        }
        let prefixed = format!("{parent}{base}");
        self.scope.take(&prefixed)
    }

    fn ty(&mut self, schema: &Schema, hint: &str, parent: &str, secret_name: bool) -> Ty {
        let ty = self.ty_inner(schema, hint, parent, secret_name);
        if schema.nullable && !matches!(ty, Ty::Value | Ty::Option(_)) {
            Ty::Option(Box::new(ty))
        } else {
            ty
        }
    }

    fn ty_inner(&mut self, schema: &Schema, hint: &str, parent: &str, secret_name: bool) -> Ty {
        match &schema.kind {
            Kind::Any | Kind::Null => Ty::Value,
            Kind::Boolean => Ty::Bool,
            Kind::Integer => Ty::Integer,
            Kind::Number => Ty::Number,
            Kind::String if schema.secret || secret_name => Ty::Secret,
            Kind::String => Ty::String,
            Kind::Array(items) => {
                let item = match items {
                    Some(items) => self.ty(items, &singular(hint), parent, false),
                    None => Ty::Value,
                };
                Ty::Vec(Box::new(item))
            }
            Kind::Object(object) => {
                if object.properties.is_empty() && object.additional != Additional::Denied {
                    let value = match &object.additional {
                        Additional::Schema(values) => {
                            self.ty(values, &singular(hint), parent, false)
                        }
                        _ => Ty::Value,
                    };
                    return Ty::Map(Box::new(value));
                }
                let name = self.new_type_name(hint, parent);
                self.define_struct(&name, schema_doc(schema, &name), object, None);
                Ty::Named(name)
            }
            Kind::Enum(values) => self.enumeration(schema, values, hint, parent),
            Kind::Const(value) => match value {
                // A `const` string or integer is a one-value enum; other constants (a
                // fraction, an object) are kept as JSON values.
                _ if value.is_string() || value.is_i64() => {
                    self.enumeration(schema, std::slice::from_ref(value), hint, parent)
                }
                _ => Ty::Value,
            },
            Kind::OneOf(variants) => self.one_of(schema, variants, hint, parent),
            Kind::Union(members) => {
                let name = self.new_type_name(hint, parent);
                let index = self.reserve(&name, schema_doc(schema, &name));
                // Try integers before numbers, so `3` stays an integer.
                let mut members: Vec<&Schema> = members.iter().collect();
                members.sort_by_key(|m| union_rank(&m.kind));
                let mut scope = names::Scope::default();
                let variants = members
                    .into_iter()
                    .map(|member| {
                        let ty = self.ty(
                            member,
                            &format!("{hint}_{}", kind_word(&member.kind)),
                            &name,
                            false,
                        );
                        Variant {
                            ident: scope.take(&camel(kind_word(&member.kind))),
                            value: ty,
                            doc: Vec::new(),
                            checks: checks_of(&member.kind, &schema.constraints),
                        }
                    })
                    .collect();
                self.types[index].body = Body::Untagged(variants);
                Ty::Named(name)
            }
        }
    }

    fn enumeration(&mut self, schema: &Schema, values: &[Value], hint: &str, parent: &str) -> Ty {
        let name = self.new_type_name(hint, parent);
        let labels = schema.enum_labels.clone();
        let mut scope = names::Scope::default();
        let body = if values.iter().all(Value::is_string) {
            Body::StringEnum(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let value = v.as_str().unwrap_or_default().to_owned();
                        let doc = variant_doc(labels.get(i), &value);
                        Variant {
                            ident: scope.take(&camel(&value)),
                            value,
                            doc,
                            checks: Checks::default(),
                        }
                    })
                    .collect(),
            )
        } else {
            Body::IntegerEnum(
                values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_i64().map(|n| (i, n)))
                    .map(|(i, n)| {
                        let word = if n < 0 {
                            format!("minus_{}", n.unsigned_abs())
                        } else {
                            n.to_string()
                        };
                        let doc = variant_doc(labels.get(i), &n.to_string());
                        Variant {
                            ident: scope.take(&camel(&word)),
                            value: n,
                            doc,
                            checks: Checks::default(),
                        }
                    })
                    .collect(),
            )
        };
        self.types.push(TypeDef {
            name: name.clone(),
            doc: schema_doc(schema, &name),
            body,
        });
        Ty::Named(name)
    }

    fn one_of(&mut self, schema: &Schema, variants: &[Schema], hint: &str, parent: &str) -> Ty {
        let name = self.new_type_name(hint, parent);
        let index = self.reserve(&name, schema_doc(schema, &name));
        let body = match discriminator(variants) {
            Some((tag, values)) => {
                let mut scope = names::Scope::default();
                let mut tagged = Vec::new();
                let mut payloads = Vec::new();
                for (variant, value) in variants.iter().zip(values) {
                    let Kind::Object(object) = &variant.kind else {
                        unreachable_object()
                    };
                    let ident = scope.take(&variant_ident(&value, variant.title.as_deref()));
                    let payload = self.scope.take(&format!("{name}{ident}"));
                    self.define_struct(&payload, schema_doc(variant, &payload), object, Some(&tag));
                    let doc = variant.title.iter().cloned().collect();
                    tagged.push(Variant {
                        ident,
                        value,
                        doc,
                        checks: Checks::default(),
                    });
                    payloads.push(payload);
                }
                Body::Tagged {
                    tag,
                    variants: tagged,
                    payloads,
                }
            }
            None => {
                let mut scope = names::Scope::default();
                let list = variants
                    .iter()
                    .enumerate()
                    .map(|(i, variant)| {
                        let word = variant
                            .title
                            .clone()
                            .unwrap_or_else(|| format!("variant {i}"));
                        let ident = scope.take(&camel(&word));
                        let ty = self.ty(variant, &format!("{hint} {word}"), &name, false);
                        Variant {
                            ident,
                            value: ty,
                            doc: variant.description.iter().cloned().collect(),
                            checks: checks(variant),
                        }
                    })
                    .collect();
                Body::Untagged(list)
            }
        };
        self.types[index].body = body;
        Ty::Named(name)
    }

    /// A struct of the object's properties, leaving out `skip` (a tagged enum's tag).
    fn struct_def(&mut self, object: &Object, name: &str, skip: Option<&str>) -> StructDef {
        let properties: Vec<&Property> = object
            .properties
            .iter()
            .filter(|p| Some(p.name.as_str()) != skip)
            .collect();
        let json: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
        let idents = field_names(&json);
        let fields = properties
            .into_iter()
            .zip(idents)
            .map(|(property, ident)| self.field(property, ident, name))
            .collect();
        let extra = match &object.additional {
            Additional::Schema(values) => {
                Some(self.ty(values, &format!("{name} value"), name, false))
            }
            _ => None,
        };
        StructDef {
            fields,
            deny_unknown: object.additional == Additional::Denied,
            extra,
        }
    }

    fn field(&mut self, property: &Property, ident: String, parent: &str) -> Field {
        let schema = &property.schema;
        let mut ty = self.ty(
            schema,
            &property.name,
            parent,
            is_secret_name(&property.name),
        );
        // Values the schema gives as samples must be values of the type; those that are not
        // contradict their own schema and are dropped, with a warning.
        let default = schema.default.clone().filter(|d| {
            self.value_fits_or_warn(d, &ty, &join(&schema.pointer, "default"), "`default`")
        });
        let mut kept_examples = Vec::new();
        let mut samples: Vec<(String, Value)> = default
            .iter()
            .map(|d| (join(&schema.pointer, "default"), d.clone()))
            .collect();
        for (i, example) in schema.examples.iter().enumerate() {
            let pointer = example_pointer(schema, i);
            if self.value_fits_or_warn(example, &ty, &pointer, "this example") {
                kept_examples.push(example.clone());
                samples.push((pointer, example.clone()));
            }
        }
        // An optional property with a default is a plain field that takes the default when absent.
        let serde_default = default
            .clone()
            .filter(|_| !property.required && default_expressible(&ty, &self.types));
        if !property.required && serde_default.is_none() && !matches!(ty, Ty::Option(_)) {
            ty = Ty::Option(Box::new(ty));
        }
        let field = Field {
            ident,
            json_name: property.name.clone(),
            doc: field_doc(schema, default.as_ref(), &kept_examples),
            ty,
            required: property.required,
            default: serde_default,
            checks: checks(schema),
        };
        if !samples.is_empty() {
            self.samples.push(Samples {
                pointer: schema.pointer.clone(),
                field: field.clone(),
                values: samples,
            });
        }
        field
    }

    /// Whether `value` is a value of the planned type; a warning when not.
    fn value_fits_or_warn(&mut self, value: &Value, ty: &Ty, pointer: &str, what: &str) -> bool {
        let fits = value_fits(value, ty, &self.types);
        if !fits {
            self.diagnostics.warn(
                pointer,
                format!("{what} is not a value of the property's own schema; it is dropped"),
            );
        }
        fits
    }
}

fn example_pointer(schema: &Schema, i: usize) -> String {
    // Draft-03's single `example` comes first in `examples`.
    if schema.has_example {
        if i == 0 {
            return join(&schema.pointer, "example");
        }
        return join(&join(&schema.pointer, "examples"), &(i - 1).to_string());
    }
    join(&join(&schema.pointer, "examples"), &i.to_string())
}

#[track_caller]
fn unreachable_object() -> ! {
    unreachable!("discriminator() only accepts object variants")
}

/// Whether a JSON value can be read as the planned type (constraints aside: those are for
/// `validate()`).
pub fn value_fits(value: &Value, ty: &Ty, types: &[TypeDef]) -> bool {
    match ty {
        Ty::Bool => value.is_boolean(),
        Ty::Integer => {
            value.is_i64()
                || value.is_u64() && value.as_u64().is_some_and(|n| i64::try_from(n).is_ok())
        }
        Ty::Number => value.is_number(),
        Ty::String | Ty::Secret => value.is_string(),
        Ty::Value => true,
        Ty::Option(inner) => value.is_null() || value_fits(value, inner, types),
        Ty::Vec(item) => value
            .as_array()
            .is_some_and(|a| a.iter().all(|v| value_fits(v, item, types))),
        Ty::Map(item) => value
            .as_object()
            .is_some_and(|o| o.values().all(|v| value_fits(v, item, types))),
        Ty::Named(name) => match types.iter().find(|t| &t.name == name).map(|t| &t.body) {
            Some(Body::StringEnum(variants)) => variants
                .iter()
                .any(|v| value.as_str() == Some(v.value.as_str())),
            Some(Body::IntegerEnum(variants)) => {
                variants.iter().any(|v| value.as_i64() == Some(v.value))
            }
            Some(Body::Struct(s)) => object_fits(value, s, None, types),
            Some(Body::Tagged {
                tag,
                variants,
                payloads,
            }) => {
                let tag_value = value.get(tag).and_then(Value::as_str);
                variants.iter().zip(payloads).any(|(variant, payload)| {
                    tag_value == Some(variant.value.as_str())
                        && match types.iter().find(|t| &t.name == payload).map(|t| &t.body) {
                            Some(Body::Struct(s)) => object_fits(value, s, Some(tag), types),
                            _ => false,
                        }
                })
            }
            Some(Body::Untagged(variants)) => {
                variants.iter().any(|v| value_fits(value, &v.value, types))
            }
            None => false,
        },
    }
}

/// Whether a JSON object can be read as the struct (`tag` being the key an enclosing tagged
/// enum takes out first).
fn object_fits(value: &Value, s: &StructDef, tag: Option<&str>, types: &[TypeDef]) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    let fields_fit = s
        .fields
        .iter()
        .all(|field| match object.get(&field.json_name) {
            Some(v) => value_fits(v, &field.ty, types),
            None => !field.required || matches!(field.ty, Ty::Option(_)),
        });
    let extra_fit = object.iter().all(|(key, v)| {
        if Some(key.as_str()) == tag || s.fields.iter().any(|f| &f.json_name == key) {
            return true;
        }
        match &s.extra {
            Some(extra) => value_fits(v, extra, types),
            None => !s.deny_unknown,
        }
    });
    fields_fit && extra_fit
}

/// Whether a default of this type can be written as a Rust expression.
fn default_expressible(ty: &Ty, types: &[TypeDef]) -> bool {
    match ty {
        Ty::Bool | Ty::Integer | Ty::Number | Ty::String | Ty::Secret | Ty::Value => true,
        Ty::Vec(item) => default_expressible(item, types),
        Ty::Named(name) => types.iter().any(|t| {
            &t.name == name && matches!(t.body, Body::StringEnum(_) | Body::IntegerEnum(_))
        }),
        Ty::Map(_) | Ty::Option(_) => false,
    }
}

/// The checks of a field whose schema is `schema`.
fn checks(schema: &Schema) -> Checks {
    checks_of(&schema.kind, &schema.constraints)
}

/// The checks of a value of `kind` under `constraints`.
fn checks_of(kind: &Kind, constraints: &Constraints) -> Checks {
    let items = match kind {
        Kind::Array(Some(items)) => Some(Box::new(checks(items))).filter(|c| !c.is_empty()),
        _ => None,
    };
    let values = match kind {
        Kind::Object(Object {
            properties,
            additional: Additional::Schema(values),
        }) if properties.is_empty() => Some(Box::new(checks(values))).filter(|c| !c.is_empty()),
        _ => None,
    };
    let mut constraints = constraints.clone();
    // Bounds only mean something for the kinds they apply to.
    match kind {
        Kind::String => {
            constraints.minimum = None;
            constraints.maximum = None;
            constraints.exclusive_minimum = None;
            constraints.exclusive_maximum = None;
            constraints.min_items = None;
            constraints.max_items = None;
            constraints.unique_items = false;
        }
        Kind::Integer | Kind::Number => {
            constraints = Constraints {
                minimum: constraints.minimum,
                maximum: constraints.maximum,
                exclusive_minimum: constraints.exclusive_minimum,
                exclusive_maximum: constraints.exclusive_maximum,
                ..Constraints::default()
            };
        }
        Kind::Array(_) => {
            constraints = Constraints {
                min_items: constraints.min_items,
                max_items: constraints.max_items,
                unique_items: constraints.unique_items,
                ..Constraints::default()
            };
        }
        _ => constraints = Constraints::default(),
    }
    Checks {
        constraints,
        items,
        values,
    }
}

/// The property that tells `oneOf` variants apart, and each variant's value of it: every
/// variant an object, each giving the property one string (`const` or a one-value `enum`),
/// all different.
fn discriminator(variants: &[Schema]) -> Option<(String, Vec<String>)> {
    let objects: Vec<&Object> = variants
        .iter()
        .map(|v| match &v.kind {
            Kind::Object(object) => Some(object),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = objects.first()?;
    'candidates: for candidate in &first.properties {
        let mut values: Vec<String> = Vec::new();
        for object in &objects {
            let Some(property) = object.properties.iter().find(|p| p.name == candidate.name) else {
                continue 'candidates;
            };
            let value = match &property.schema.kind {
                Kind::Const(Value::String(s)) => s.clone(),
                Kind::Enum(values) if values.len() == 1 && values[0].is_string() => {
                    values[0].as_str().unwrap_or_default().to_owned()
                }
                _ => continue 'candidates,
            };
            if values.contains(&value) {
                continue 'candidates;
            }
            values.push(value);
        }
        return Some((candidate.name.clone(), values));
    }
    None
}

fn variant_ident(value: &str, title: Option<&str>) -> String {
    let from_value = camel(value);
    if from_value == "Value" || from_value == "Empty" {
        title.map(camel).unwrap_or(from_value)
    } else {
        from_value
    }
}

fn union_rank(kind: &Kind) -> u8 {
    match kind {
        Kind::Boolean => 0,
        Kind::Integer => 1,
        Kind::Number => 2,
        Kind::String => 3,
        Kind::Array(_) => 4,
        Kind::Object(_) => 5,
        _ => 6,
    }
}

fn kind_word(kind: &Kind) -> &'static str {
    kind.json_type().unwrap_or("value")
}

/// `labels` → `label`, for the type of an array's items.
fn singular(word: &str) -> String {
    let snake = word.to_snake_case();
    if let Some(stem) = snake.strip_suffix("ies") {
        format!("{stem}y")
    } else if snake.ends_with("ss") || snake.ends_with("us") {
        format!("{snake} item")
    } else if let Some(stem) = snake.strip_suffix('s') {
        stem.to_owned()
    } else {
        format!("{snake} item")
    }
}

/// Whether a property's name says it holds a secret: the last word is `token`, `password`,
/// `secret` or the like, or a compound ending in `key` (`api_key`, `private_key`, but not a
/// bare `key`, which is as often a project key as an API key).
pub fn is_secret_name(name: &str) -> bool {
    let snake = names::snake(name);
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    let Some(last) = words.last() else {
        return false;
    };
    if words.first() == Some(&"public") {
        return false;
    }
    let secret_word = |w: &&str| matches!(*w, "secret" | "password" | "passwd" | "passphrase");
    matches!(*last, "token" | "apikey" | "pat")
        || words.iter().any(secret_word)
        || (*last == "key" && words.len() > 1)
}

fn schema_doc(schema: &Schema, fallback: &str) -> Vec<String> {
    let mut doc = Vec::new();
    push_text(&mut doc, schema.title.as_deref());
    if schema.description.as_deref().map(str::trim) != schema.title.as_deref().map(str::trim) {
        push_text(&mut doc, schema.description.as_deref());
    }
    if doc.is_empty() {
        doc.push(format!("`{fallback}`."));
    }
    doc
}

/// A field's doc: the schema's title and description, format, and the `default` and
/// `examples` that were kept.
fn field_doc(schema: &Schema, default: Option<&Value>, examples: &[Value]) -> Vec<String> {
    let mut doc = Vec::new();
    push_text(&mut doc, schema.title.as_deref());
    if schema.description.as_deref().map(str::trim) != schema.title.as_deref().map(str::trim) {
        push_text(&mut doc, schema.description.as_deref());
    }
    let mut facts = Vec::new();
    if let Some(format) = &schema.format {
        if format != "password" {
            facts.push(format!("Format: `{format}`."));
        }
    }
    if let Some(default) = default {
        facts.push(format!("Default: `{}`.", compact(default)));
    }
    match examples {
        [] => {}
        [one] => facts.push(format!("Example: `{}`.", compact(one))),
        many => facts.push(format!(
            "Examples: {}.",
            many.iter()
                .map(|e| format!("`{}`", compact(e)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if !facts.is_empty() {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(facts.join(" "));
    }
    doc
}

fn variant_doc(label: Option<&String>, value: &str) -> Vec<String> {
    match label {
        Some(label) if label != value => vec![format!("{label} (`{value}`)")],
        _ => vec![format!("`{value}`")],
    }
}

/// A value for a doc comment: short, on one line, backticks replaced.
fn compact(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let text = text.replace('`', "'");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Adds doc text, one line per paragraph and per list item ([`crate::doc::paragraphs`]).
fn push_text(doc: &mut Vec<String>, text: Option<&str>) {
    let lines = crate::doc::paragraphs(text.unwrap_or_default());
    if lines.is_empty() {
        return;
    }
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.extend(lines);
}
