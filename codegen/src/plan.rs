//! Stage 2: plan Rust types for normalized schemas: names, fields, enums, secrets, checks.
//!
//! The plan is plain data; [`crate::emit`] turns it into tokens. Planning never fails: what
//! cannot be typed becomes `serde_json::Value` with a diagnostic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use heck::ToSnakeCase;
use serde_json::Value;

pub(crate) mod docs;
use docs::{field_doc, type_doc, variant_doc, FieldFacts};

use crate::names::{self, camel, field_names};
use crate::schema::{
    recursive_ref_message, Additional, Constraints, Document, Kind, Object, Property, Ref, Schema,
    MAX_DEPTH,
};
use tray_schema::diagnostic::{Diagnostics, Effect};
use tray_schema::pointer::join;

pub mod connector;
pub mod schema;

pub use connector::{ConnectorPlan, EnvironmentPlan, EnvironmentTypes, ScopeDef, TypeSet};
pub use schema::{Alias, SchemaPlan};

/// A Rust type, as used in a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `()`: the JSON value `null` and nothing else (`"type": "null"`).
    Null,
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
    /// `Box<T>`: a value of a type larger than [`MAX_INLINE_BYTES`], held on the heap.
    Box(Box<Ty>),
}

/// The type as Rust code names it, shortly (`Option<Vec<String>>`, `Secret`), for messages;
/// [`crate::emit::ty`] writes it for code.
impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Integer => f.write_str("i64"),
            Ty::Number => f.write_str("f64"),
            Ty::Null => f.write_str("()"),
            Ty::String => f.write_str("String"),
            Ty::Secret => f.write_str("Secret"),
            Ty::Value => f.write_str("serde_json::Value"),
            Ty::Named(name) => f.write_str(name),
            Ty::Vec(item) => write!(f, "Vec<{item}>"),
            Ty::Map(value) => write!(f, "BTreeMap<String, {value}>"),
            Ty::Option(inner) => write!(f, "Option<{inner}>"),
            Ty::Box(inner) => write!(f, "Box<{inner}>"),
        }
    }
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
    /// The values an `enum` or `const` allows, when the type cannot hold them one by one
    /// (`false`, `-2.0`, an object, values of several kinds): the value must equal one.
    pub allowed: Option<Vec<Value>>,
}

impl Checks {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty()
            && self.items.is_none()
            && self.values.is_none()
            && self.allowed.is_none()
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
    /// The schema as written (JSON text), when Rust types cannot hold all it says: its
    /// `validate()` checks values against it too, with `tray_schema`'s checker.
    pub schema: Option<String>,
}

/// What a planned type is.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A struct with named fields (boxed: it is much larger than the other bodies).
    Struct(Box<StructDef>),
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
        /// Whether each variant holds its struct in a `Box`: one much larger than the others
        /// would make every value of the enum as large (`clippy::large_enum_variant`).
        boxed: Vec<bool>,
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
    /// What `validate()` checks on each value of [`StructDef::extra`] (its schema's rules).
    pub extra_checks: Checks,
    /// The title and description of the other keys' schema, rendered as text.
    pub extra_doc: Vec<String>,
    /// Whether the values of other keys are secret.
    pub extra_secret: bool,
    /// The tag key a tagged enum writes beside these fields, when this is a variant's payload:
    /// not a field, and no key of [`StructDef::extra`] either.
    pub tag: Option<String>,
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
    /// Whether its value is secret (whatever its type): `Debug` must not show it.
    pub secret: bool,
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
    /// Whether the payload of an untagged variant is secret: `Debug` must not show it.
    pub secret: bool,
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

/// How many types and fields one module may plan before further nested types are planned as
/// `serde_json::Value`, with a warning: the last guard on the size of generated code, which
/// otherwise grows as the schema does (the largest corpus schema plans 46).
pub const MAX_PLANNED: usize = 10_000;

/// How large (in bytes, as estimated) a generated type may be before fields and variants hold
/// it in a `Box`. Held by value, a struct whose fields hold two of the struct below, and so on
/// down (definitions can be nested that way), doubles in size at each level, and a large value
/// overflows the stack when it is read; real schemas' types stay far below this.
pub const MAX_INLINE_BYTES: usize = 1024;

/// The longest nested type name made by prefixing a parent's name; longer ones are numbered.
pub const MAX_PREFIXED_NAME: usize = 48;

/// Plans the types of one module.
pub struct Planner<'d> {
    scope: names::Scope,
    types: Vec<TypeDef>,
    samples: Vec<Samples>,
    diagnostics: &'d mut Diagnostics,
    /// The document whose root is being planned: what its `$ref`s point at.
    document: Rc<Document>,
    /// Which document that is (each root is one), to keep their definitions apart.
    document_number: usize,
    /// The type planned for each definition that names one, by document and definition: one
    /// Rust type however many `$ref`s use it.
    shared: HashMap<(usize, usize), Ty>,
    /// Definitions being planned, innermost last, to stop on recursive ones.
    planning: Vec<usize>,
    /// The file of the definition being planned when it is not the schema's own.
    file: Option<PathBuf>,
    /// How deep the type being planned nests, definitions included.
    depth: usize,
    /// Types and fields planned, against [`MAX_PLANNED`].
    planned: usize,
    /// Whether [`MAX_PLANNED`] was reached (and said).
    over_budget: bool,
    /// Whether the root being planned has a warning that its types are looser than its schema.
    types_looser: bool,
    /// The estimated size of each planned type, by name, once asked for.
    sizes: HashMap<String, usize>,
    /// The root being planned by [`Planner::plan_root`], whose `validate()` checks the schema
    /// as written when its types are looser.
    root: Option<String>,
    /// Why the type being planned for a field or variant is (or holds) `serde_json::Value`:
    /// the first reason met, for its doc.
    any_value: Option<String>,
}

/// Where a type is planned: what it is named after, the type it is planned in, and what its
/// doc says it is when the schema says nothing.
#[derive(Debug, Clone)]
struct Site {
    /// The name it starts from (a property's, a definition's).
    hint: String,
    /// The type it is planned in, whose name prefixes its own when `hint` is taken.
    parent: String,
    /// Where it comes from, as a phrase: "the `header` property of [`Credentials`]".
    origin: String,
}

impl Site {
    fn new(hint: impl Into<String>, parent: &str, origin: String) -> Self {
        Site {
            hint: hint.into(),
            parent: parent.to_owned(),
            origin,
        }
    }

    /// The site of what this one holds (an array's items, a map's values).
    fn inner(&self, what: &str) -> Self {
        Site::new(
            singular(&self.hint),
            &self.parent,
            format!("{what} of {}", self.origin),
        )
    }
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
            document: Rc::new(Document {
                root: Schema::any(""),
                definitions: Vec::new(),
                types_looser: false,
            }),
            document_number: 0,
            shared: HashMap::new(),
            planning: Vec::new(),
            file: None,
            depth: 0,
            planned: 0,
            over_budget: false,
            types_looser: false,
            sizes: HashMap::new(),
            root: None,
            any_value: None,
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
    ///
    /// `source` is the schema as written. When the types cannot hold all it says (the reader or
    /// the planner warned so: [`Effect::Types`]), the root keeps it, and its `validate()` checks
    /// values against it with the schema checker: nothing the schema rejects passes unsaid.
    pub fn plan_root(
        &mut self,
        name: &str,
        document: &Document,
        fallback_doc: String,
        source: &Value,
    ) {
        self.enter(document);
        self.types_looser = document.types_looser;
        let schema = document.target(&document.root);
        let object = match &schema.kind {
            Kind::Object(object) => object.clone(),
            _ => {
                let pointer = schema.pointer.clone();
                self.warn(&pointer, "the root of a credentials or user data schema must be an object; no fields are generated");
                Object::default()
            }
        };
        let mut doc = docs::schema_text(schema);
        if doc.is_empty() {
            doc = vec![fallback_doc];
        }
        let index = self.types.len();
        self.root = Some(name.to_owned());
        self.define_struct(name, doc, &object, None);
        self.root = None;
        if self.types_looser {
            self.types[index].schema = Some(source.to_string());
        }
    }

    /// Takes the next place in the module's list of types for `name`, so that a type comes
    /// before the types it uses; its body is filled in once those are planned.
    fn reserve(&mut self, name: &str, doc: Vec<String>) -> usize {
        self.planned += 1;
        self.types.push(TypeDef {
            name: name.to_owned(),
            doc,
            body: Body::Untagged(Vec::new()),
            schema: None,
        });
        self.types.len() - 1
    }

    /// Plans the type `name` as a struct of the object's properties, leaving out `skip`.
    fn define_struct(&mut self, name: &str, doc: Vec<String>, object: &Object, skip: Option<&str>) {
        let index = self.reserve(name, doc);
        let body = self.struct_def(object, name, skip);
        self.types[index].body = Body::Struct(Box::new(body));
    }

    /// Plans a bare schema as the type `name`; returns the type a field of it would have.
    pub fn plan_named(&mut self, name: &str, document: &Document) -> Ty {
        self.enter(document);
        let site = Site::new(name, "", "the schema's root".to_owned());
        self.ty(&document.root, &site, false)
    }

    /// Starts on the root of `document`, whose `$ref`s point into its own definitions.
    fn enter(&mut self, document: &Document) {
        self.document = Rc::new(document.clone());
        self.document_number += 1;
        self.file = document
            .definition_of(&document.root)
            .and_then(|index| document.definitions[index].file.clone());
    }

    /// Warns about the file being planned (the schema's own, or a definition's).
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        let file = self.file.clone();
        self.warn_in(file.as_deref(), pointer, message);
    }

    fn warn_in(&mut self, file: Option<&Path>, pointer: &str, message: impl Into<String>) {
        self.types_looser = true;
        self.diagnostics.warn_in(file, pointer, message);
    }

    /// Whether another type may be planned under [`MAX_PLANNED`]; a warning the first time
    /// not.
    fn within_budget(&mut self, pointer: &str) -> bool {
        if self.planned < MAX_PLANNED {
            return true;
        }
        if !self.over_budget {
            self.over_budget = true;
            self.warn(
                pointer,
                format!("the generated code would hold more than {MAX_PLANNED} types and fields; this and every later nested type is `serde_json::Value`"),
            );
        }
        false
    }

    /// A name for a nested type: its hint in camel case, else prefixed by its parent's name
    /// (`ConfigHeader`, `CredentialsCredentials`), else numbered (`Next2`). A parent that
    /// already repeats the name (`next.next.next` nested: `Next`, `NextNext`, then `Next2`,
    /// `Next3`) or a prefixed name longer than [`MAX_PREFIXED_NAME`] is numbered instead, so
    /// that names (and the output) grow linearly with depth, not as its square
    /// (`NextNextNext…`).
    fn new_type_name(&mut self, site: &Site) -> String {
        let base = camel(&site.hint);
        if !self.scope.is_taken(&base) {
            return self.scope.take(&base);
        }
        let prefixed = format!("{}{base}", site.parent);
        // `Next2` is a numbered `Next`: its stem is what it repeats.
        let stem = site.parent.trim_end_matches(|c: char| c.is_ascii_digit());
        if (stem.ends_with(&base) && site.parent != base) || prefixed.len() > MAX_PREFIXED_NAME {
            return self.scope.take(&base);
        }
        self.scope.take(&prefixed)
    }

    /// Notes why the type being planned is `serde_json::Value` (the first reason is kept).
    fn any_value(&mut self, why: impl Into<String>) -> Ty {
        self.any_value.get_or_insert_with(|| why.into());
        Ty::Value
    }

    /// Plans `schema` with `plan`, and returns its type with why it is (or holds) any JSON
    /// value, when it does: a field's or a variant's own reason, not one of a type inside.
    fn with_any_value_reason(
        &mut self,
        plan: impl FnOnce(&mut Self) -> Ty,
    ) -> (Ty, Option<String>) {
        let outer = self.any_value.take();
        let ty = plan(self);
        let why = std::mem::replace(&mut self.any_value, outer);
        (ty, why)
    }

    fn ty(&mut self, schema: &Schema, site: &Site, secret_name: bool) -> Ty {
        let ty = if let Kind::Ref(reference) = &schema.kind {
            self.ty_of_ref(schema, reference, site, secret_name || schema.secret)
        } else if self.depth >= MAX_DEPTH {
            self.warn(
                &schema.pointer,
                format!("nested more than {MAX_DEPTH} levels deep, counting the definitions `$ref`s lead through; any value is accepted here"),
            );
            self.any_value(format!(
                "the schema nests more than {MAX_DEPTH} levels deep here"
            ))
        } else if names_a_type(&schema.kind) && !self.within_budget(&schema.pointer) {
            self.any_value(format!(
                "the module reached its limit of {MAX_PLANNED} types and fields"
            ))
        } else {
            self.depth += 1;
            let ty = self.ty_inner(schema, site, secret_name);
            self.depth -= 1;
            ty
        };
        if schema.nullable && !matches!(ty, Ty::Value | Ty::Option(_)) {
            Ty::Option(Box::new(ty))
        } else {
            ty
        }
    }

    /// The type of a `$ref`: its definition's, planned once. A definition that names a type
    /// (a struct, an enum) is one type, named after the definition and used by every `$ref` to
    /// it; any other (a string, a list) is planned where it is used, where the field's name
    /// may make it secret.
    fn ty_of_ref(&mut self, schema: &Schema, reference: &Ref, site: &Site, secret: bool) -> Ty {
        let document = Rc::clone(&self.document);
        let index = document.definition_of(schema);
        let key = index.map(|index| (self.document_number, index));
        if let Some(ty) = key.and_then(|key| self.shared.get(&key)) {
            return ty.clone();
        }
        let Some(index) = index.filter(|index| !self.planning.contains(index)) else {
            let message = recursive_ref_message(&reference.reference);
            self.warn(&join(&schema.pointer, "$ref"), message);
            let why = format!(
                "its `$ref` {} leads back to a definition it is in",
                crate::doc::literal(&reference.reference)
            );
            return self.any_value(why);
        };
        let definition = &document.definitions[index];
        let shared = names_a_type(&definition.schema.kind);
        self.planning.push(index);
        let file = std::mem::replace(&mut self.file, definition.file.clone());
        let ty = if shared {
            let origin = format!(
                "the definition {} of the schema",
                crate::doc::literal(&reference.reference)
            );
            self.ty(
                &definition.schema,
                &Site::new(&definition.name, "", origin),
                false,
            )
        } else {
            self.ty(&definition.schema, site, secret)
        };
        self.file = file;
        self.planning.pop();
        if shared {
            self.shared
                .insert((self.document_number, index), ty.clone());
        }
        ty
    }

    fn ty_inner(&mut self, schema: &Schema, site: &Site, secret_name: bool) -> Ty {
        match &schema.kind {
            Kind::Any => self.any_value(any_kind_reason(schema)),
            Kind::Null => Ty::Null,
            Kind::Boolean => Ty::Bool,
            Kind::Integer => Ty::Integer,
            Kind::Number => Ty::Number,
            Kind::String if schema.secret || secret_name => Ty::Secret,
            Kind::String => Ty::String,
            Kind::Array(items) => {
                let item = match items {
                    Some(items) => self.ty(items, &site.inner("an item"), false),
                    None => self.any_value("the array's `items` gives no schema for them"),
                };
                Ty::Vec(Box::new(item))
            }
            Kind::Object(object) => {
                if is_map(object) {
                    let value = match &object.additional {
                        Additional::Schema(values) => {
                            self.ty(values, &site.inner("a value"), false)
                        }
                        _ => self.any_value("the object's keys are not given a schema"),
                    };
                    return Ty::Map(Box::new(value));
                }
                let name = self.new_type_name(site);
                self.define_struct(&name, type_doc(schema, &site.origin), object, None);
                Ty::Named(name)
            }
            Kind::Enum(values) if enumerable_all(values) => self.enumeration(schema, values, site),
            // Checked by `validate()` against the values (`Checks::allowed`).
            Kind::Enum(_) => self.any_value(
                "its `enum` lists values no Rust enum holds (`false`, fractions, objects, or several kinds)",
            ),
            Kind::Const(value) => match value {
                // A `const` string or integer is a one-value enum; other constants (a
                // fraction, an object) are kept as JSON values.
                _ if enumerable(value) => {
                    self.enumeration(schema, std::slice::from_ref(value), site)
                }
                _ => self.any_value("its `const` is a value no Rust enum holds"),
            },
            // The types take the first variant that fits, for `anyOf` as for `oneOf`.
            Kind::OneOf(variants) => self.one_of(schema, variants, site, true),
            Kind::AnyOf(variants) => self.one_of(schema, variants, site, false),
            // `ty` plans `$ref`s.
            Kind::Ref(_) => Ty::Value,
            Kind::Union(members) => self.union(schema, members, site),
        }
    }

    /// An untagged enum of a value of several types (`"type": ["string", "integer"]`).
    fn union(&mut self, schema: &Schema, members: &[Schema], site: &Site) -> Ty {
        let name = self.new_type_name(site);
        let index = self.reserve(&name, type_doc(schema, &site.origin));
        // Try integers before numbers, so `3` stays an integer.
        let mut members: Vec<&Schema> = members.iter().collect();
        members.sort_by_key(|m| union_rank(&m.kind));
        let mut scope = names::Scope::default();
        let mut variants: Vec<Variant<Ty>> = members
            .into_iter()
            .map(|member| {
                let word = kind_word(&member.kind);
                let ident = scope.take(&camel(word));
                let member_site = Site::new(
                    format!("{}_{word}", site.hint),
                    &name,
                    format!("the value of [`{name}::{ident}`]"),
                );
                let (ty, why) = self.with_any_value_reason(|p| p.ty(member, &member_site, false));
                let mut doc = vec![format!("The value when it is a JSON `{word}`.")];
                doc.extend(docs::any_value_line(&ty, why.as_deref()));
                Variant {
                    ident,
                    value: ty,
                    doc,
                    checks: checks_of(&self.document, &member.kind, &schema.constraints, 0),
                    secret: false,
                }
            })
            .collect();
        self.box_large_variants(&mut variants);
        self.types[index].body = Body::Untagged(variants);
        Ty::Named(name)
    }

    fn enumeration(&mut self, schema: &Schema, values: &[Value], site: &Site) -> Ty {
        let name = self.new_type_name(site);
        let labels = schema.enum_labels.clone();
        let mut scope = names::Scope::default();
        let body = if values.iter().all(Value::is_string) {
            Body::StringEnum(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let value = v.as_str().unwrap_or_default().to_owned();
                        Variant {
                            ident: scope.take(&camel(&value)),
                            value,
                            doc: variant_doc(labels.get(i), v),
                            checks: Checks::default(),
                            secret: false,
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
                        Variant {
                            ident: scope.take(&camel(&word)),
                            value: n,
                            doc: variant_doc(labels.get(i), &Value::from(n)),
                            checks: Checks::default(),
                            secret: false,
                        }
                    })
                    .collect(),
            )
        };
        self.planned += 1;
        self.types.push(TypeDef {
            name: name.clone(),
            doc: type_doc(schema, &site.origin),
            body,
            schema: None,
        });
        Ty::Named(name)
    }

    /// An enum of the variants; `exactly_one` for `oneOf`, whose value must fit no other variant.
    fn one_of(
        &mut self,
        schema: &Schema,
        variants: &[Schema],
        site: &Site,
        exactly_one: bool,
    ) -> Ty {
        let name = self.new_type_name(site);
        let index = self.reserve(&name, type_doc(schema, &site.origin));
        let document = Rc::clone(&self.document);
        let targets: Vec<&Schema> = variants.iter().map(|v| document.target(v)).collect();
        let body = match discriminator(&document, &targets) {
            Some((tag, values)) => self.tagged(&name, variants, tag, values),
            None => {
                let keyword = if exactly_one { "oneOf" } else { "anyOf" };
                let list = self.untagged(&name, variants, site, keyword);
                if exactly_one && variants.len() > 1 && !exclusive_by_type(&targets) {
                    self.warn(
                        &join(&schema.pointer, "oneOf"),
                        "the generated types read a `oneOf` value as the first variant it fits; that it fits no other (\"exactly one\") is checked by validate() against the schema as written",
                    );
                }
                Body::Untagged(list)
            }
        };
        self.types[index].body = body;
        Ty::Named(name)
    }

    /// The body of the enum `name` of object variants told apart by `tag`, whose values are
    /// `values`: a struct of the other properties per variant.
    fn tagged(
        &mut self,
        name: &str,
        variants: &[Schema],
        tag: String,
        values: Vec<String>,
    ) -> Body {
        let document = Rc::clone(&self.document);
        let mut scope = names::Scope::default();
        let mut tagged = Vec::new();
        let mut payloads = Vec::new();
        for (variant, value) in variants.iter().zip(values) {
            // A variant that is a `$ref` is seen as its definition, with what is beside it.
            let shown = document.view(variant);
            let Kind::Object(object) = &document.target(variant).kind else {
                unreachable_object()
            };
            let ident = scope.take(&variant_ident(&value, shown.title.as_deref()));
            let payload = self.scope.take(&format!("{name}{ident}"));
            let tag_is = format!(
                "{} is `{}`",
                crate::doc::literal(&tag),
                docs::compact(&Value::String(value.clone()))
            );
            let origin = format!("the fields of [`{name}::{ident}`] beside its tag ({tag_is})");
            self.define_struct(&payload, type_doc(&shown, &origin), object, Some(&tag));
            let mut doc = Vec::new();
            docs::push_text(&mut doc, shown.title.as_deref());
            if doc.is_empty() {
                doc.push(format!("The variant whose {tag_is}."));
            }
            tagged.push(Variant {
                ident,
                value,
                doc,
                checks: Checks::default(),
                secret: false,
            });
            payloads.push(payload);
        }
        let sizes: Vec<usize> = payloads
            .iter()
            .map(|p| size_of(p, &self.types, &mut self.sizes))
            .collect();
        Body::Tagged {
            tag,
            variants: tagged,
            payloads,
            boxed: boxed_variants(sizes),
        }
    }

    /// The variants of the untagged enum `name` of `keyword` (`oneOf`, `anyOf`), tried in turn.
    fn untagged(
        &mut self,
        name: &str,
        variants: &[Schema],
        site: &Site,
        keyword: &str,
    ) -> Vec<Variant<Ty>> {
        let document = Rc::clone(&self.document);
        let mut scope = names::Scope::default();
        let mut list: Vec<Variant<Ty>> = variants
            .iter()
            .enumerate()
            .map(|(i, variant)| {
                let shown = document.view(variant);
                let word = shown
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("variant {i}"));
                let ident = scope.take(&camel(&word));
                let variant_site = Site::new(
                    format!("{} {word}", site.hint),
                    name,
                    format!("the value of [`{name}::{ident}`]"),
                );
                let (ty, why) = self.with_any_value_reason(|p| p.ty(variant, &variant_site, false));
                let mut doc = Vec::new();
                docs::push_text(&mut doc, shown.description.as_deref());
                if doc.is_empty() {
                    docs::push_text(&mut doc, shown.title.as_deref());
                }
                if doc.is_empty() {
                    doc.push(format!("Branch {i} of the schema's `{keyword}`."));
                }
                doc.extend(docs::any_value_line(&ty, why.as_deref()));
                Variant {
                    ident,
                    value: self.boxed_if_large(ty),
                    doc,
                    checks: checks(&document, variant),
                    secret: holds_secret(&document, variant, 0),
                }
            })
            .collect();
        self.box_large_variants(&mut list);
        list
    }

    /// Boxes the variants of an untagged enum that are much larger than the others
    /// ([`boxed_variants`]).
    fn box_large_variants(&mut self, variants: &mut [Variant<Ty>]) {
        let sizes: Vec<usize> = variants
            .iter()
            .map(|v| size_of_ty(&v.value, &self.types, &mut self.sizes))
            .collect();
        for (variant, boxed) in variants.iter_mut().zip(boxed_variants(sizes)) {
            if boxed {
                let ty = std::mem::replace(&mut variant.value, Ty::Null);
                variant.value = Ty::Box(Box::new(ty));
            }
        }
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
        let extra_checks = match &object.additional {
            Additional::Schema(values) if object.pattern_properties.is_empty() => {
                checks(&self.document, values)
            }
            _ => Checks::default(),
        };
        let extra_doc = match &object.additional {
            Additional::Schema(values) => docs::schema_text(&self.document.view(values)),
            _ => Vec::new(),
        };
        let extra = match &object.additional {
            // Keys that `patternProperties` holds to rules are kept as JSON values (the reader
            // warned), for validate() to check against the schema as written: a key may match
            // a pattern and not `additionalProperties`.
            _ if !object.pattern_properties.is_empty() => Some(Ty::Value),
            Additional::Schema(values) => {
                let origin = format!("a value of a key of [`{name}`] beside its named properties");
                Some(self.ty(
                    values,
                    &Site::new(format!("{name} value"), name, origin),
                    false,
                ))
            }
            _ => None,
        };
        // Keys kept for `patternProperties` are any keys, secret-looking ones too: never shown.
        let extra_secret = !object.pattern_properties.is_empty()
            || matches!(&object.additional, Additional::Schema(values) if holds_secret(&self.document, values, 0));
        StructDef {
            fields,
            // `additionalProperties: false` beside `patternProperties` leaves some other keys
            // allowed: the kept keys are checked against the schema as written instead.
            deny_unknown: object.additional == Additional::Denied
                && object.pattern_properties.is_empty(),
            extra,
            extra_checks,
            extra_doc,
            extra_secret,
            tag: skip.map(str::to_owned),
        }
    }

    fn field(&mut self, property: &Property, ident: String, parent: &str) -> Field {
        self.planned += 1;
        let schema = &property.schema;
        let document = Rc::clone(&self.document);
        let shown = document.view(schema);
        let secret_name = tray_schema::secret::is_secret_name(&property.name);
        let site = Site::new(
            docs::type_hint(&property.name, shown.title.as_deref()),
            parent,
            format!(
                "the {} property of [`{parent}`]",
                crate::doc::literal(&property.name)
            ),
        );
        let (ty, any_value) = self.with_any_value_reason(|p| p.ty(schema, &site, secret_name));
        let mut ty = self.boxed_if_large(ty);
        let field_checks = checks(&document, schema);
        let (default, examples, samples) = self.samples(schema, &shown, &ty, &field_checks);
        // An optional property with a default is a plain field that takes the default when absent.
        let serde_default = default
            .clone()
            .filter(|_| !property.required && default_expressible(&ty, &self.types));
        if !property.required && serde_default.is_none() && !matches!(ty, Ty::Option(_)) {
            ty = Ty::Option(Box::new(ty));
        }
        let whole_schema = self.root.clone().filter(|_| self.types_looser);
        let doc = field_doc(
            &shown,
            &FieldFacts {
                origin: &site.origin,
                ty: &ty,
                required: property.required,
                default: default.as_ref(),
                examples: &examples,
                checks: &field_checks,
                any_value: any_value.as_deref(),
                whole_schema: whole_schema.as_deref(),
            },
        );
        let field = Field {
            ident,
            json_name: property.name.clone(),
            doc,
            ty,
            required: property.required,
            default: serde_default,
            checks: field_checks,
            secret: secret_name || holds_secret(&document, schema, 0),
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

    /// The `default` and `examples` of a property (`shown` is how its schema reads) that are
    /// values of its type `ty`, and each with its pointer, for tests.
    ///
    /// Values the schema gives as samples must be values of the type; those that are not
    /// contradict their own schema and are dropped, with a warning. A default must keep the
    /// rules `validate()` checks too: filled in, it would make a value invalid that leaves the
    /// property out.
    fn samples(
        &mut self,
        schema: &Schema,
        shown: &Schema,
        ty: &Ty,
        field_checks: &Checks,
    ) -> (Option<Value>, Vec<Value>, Vec<(String, Value)>) {
        let document = Rc::clone(&self.document);
        // Where the keywords are: a `$ref`'s in its definition's file, but for those beside it.
        let file = document.definition_of(schema).map_or_else(
            || self.file.clone(),
            |i| document.definitions[i].file.clone(),
        );
        let (default_file, default_pointer) = match schema.default {
            Some(_) => (self.file.clone(), join(&schema.pointer, "default")),
            None => (file.clone(), join(&shown.pointer, "default")),
        };
        let default = shown.default.clone().filter(|d| {
            let fits =
                self.value_fits_or_warn(d, ty, default_file.as_deref(), &default_pointer, "`default`");
            if fits && !keeps_checks(d, field_checks) {
                self.warn_in(
                    default_file.as_deref(),
                    &default_pointer,
                    "`default` is not a value of the property's own schema; it is dropped (it breaks a rule `validate()` checks: a bound, a length, a pattern, an item count)",
                );
                return false;
            }
            fits
        });
        let mut kept_examples = Vec::new();
        let mut samples: Vec<(String, Value)> = default
            .iter()
            .map(|d| (default_pointer.clone(), d.clone()))
            .collect();
        for (i, example) in shown.examples.iter().enumerate() {
            let pointer = example_pointer(shown, i);
            if self.value_fits_or_warn(example, ty, file.as_deref(), &pointer, "this example") {
                kept_examples.push(example.clone());
                samples.push((pointer, example.clone()));
            }
        }
        (default, kept_examples, samples)
    }

    /// `ty`, or a `Box` of it when it is a type larger than [`MAX_INLINE_BYTES`].
    fn boxed_if_large(&mut self, ty: Ty) -> Ty {
        match ty {
            Ty::Option(inner) => Ty::Option(Box::new(self.boxed_if_large(*inner))),
            Ty::Named(name) if size_of(&name, &self.types, &mut self.sizes) > MAX_INLINE_BYTES => {
                Ty::Box(Box::new(Ty::Named(name)))
            }
            other => other,
        }
    }

    /// Whether `value` is a value of the planned type; a warning when not.
    fn value_fits_or_warn(
        &mut self,
        value: &Value,
        ty: &Ty,
        file: Option<&Path>,
        pointer: &str,
        what: &str,
    ) -> bool {
        let fits = value_fits(value, ty, &self.types);
        if !fits {
            // A sample left out loosens nothing: a note, not a warning about the types.
            self.diagnostics.record(
                Effect::Note,
                file,
                pointer,
                format!("{what} is not a value of the property's own schema; it is dropped"),
            );
        }
        fits
    }
}

/// Whether `value` keeps the rules `validate()` checks (`checks`), as far as they can be
/// told here: a pattern too costly to search is given the benefit of the doubt.
fn keeps_checks(value: &Value, checks: &Checks) -> bool {
    use tray_auth::validate::{Bounds, CompiledPattern, Search, Validator};
    let c = &checks.constraints;
    let mut v = Validator::new();
    if let Some(allowed) = &checks.allowed {
        v.allowed(value, allowed);
    }
    let nested_keep = |nested: &Option<Box<Checks>>,
                       mut values: Box<dyn Iterator<Item = &Value> + '_>| {
        nested
            .as_deref()
            .is_none_or(|nested| values.all(|value| keeps_checks(value, nested)))
    };
    let nested = match value {
        Value::Number(n) => {
            let bounds = Bounds {
                minimum: c.minimum,
                exclusive_minimum: c.exclusive_minimum,
                maximum: c.maximum,
                exclusive_maximum: c.exclusive_maximum,
            };
            v.range(n.as_f64().unwrap_or_default(), bounds);
            true
        }
        Value::String(text) => {
            v.length(text, c.min_length, c.max_length);
            let pattern = c.pattern.as_deref().map(CompiledPattern::new);
            !pattern.is_some_and(|p| p.search(text) == Search::NotFound)
        }
        Value::Array(items) => {
            v.items(items.len(), c.min_items, c.max_items);
            if c.unique_items {
                v.unique(items);
            }
            nested_keep(&checks.items, Box::new(items.iter()))
        }
        Value::Object(map) => nested_keep(&checks.values, Box::new(map.values())),
        Value::Null | Value::Bool(_) => true,
    };
    nested && v.finish().is_ok()
}

/// Whether no value can fit two of the variants because each takes another JSON type (`null`
/// aside, which at most one may take): `oneOf`'s "exactly one" then holds by the types.
fn exclusive_by_type(variants: &[&Schema]) -> bool {
    let mut seen = Vec::new();
    let mut nullable = 0;
    for variant in variants {
        // An integer is a number too.
        let Some(json_type) = variant
            .kind
            .json_type()
            .map(|t| t.replace("integer", "number"))
        else {
            return false;
        };
        if seen.contains(&json_type) {
            return false;
        }
        seen.push(json_type);
        nullable += usize::from(variant.nullable);
    }
    nullable <= 1
}

/// How much larger (in bytes, as estimated) than every other variant of an enum a variant may
/// be before it is held in a `Box`: `clippy::large_enum_variant` warns from 200 bytes, and the
/// estimate may fall short of the real size by the padding rustc adds.
pub const MAX_VARIANT_EXCESS: usize = 128;

/// Which variants of an enum to box, given their estimated sizes: the largest, as long as it
/// is more than [`MAX_VARIANT_EXCESS`] larger than the next (a boxed variant takes 8 bytes).
fn boxed_variants(mut sizes: Vec<usize>) -> Vec<bool> {
    let mut boxed = vec![false; sizes.len()];
    loop {
        let mut order: Vec<usize> = (0..sizes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
        let [largest, next, ..] = order[..] else {
            return boxed;
        };
        if sizes[largest] <= sizes[next] + MAX_VARIANT_EXCESS {
            return boxed;
        }
        boxed[largest] = true;
        sizes[largest] = 8;
    }
}

/// Why a schema of no kind the types can hold (`Kind::Any`) is any JSON value, for its doc.
fn any_kind_reason(schema: &Schema) -> &'static str {
    let rules = &schema.rules;
    if !rules.all_of.is_empty() {
        "its `allOf` parts give no type the generator can merge"
    } else if rules.one_of.is_some() || rules.any_of.is_some() {
        "its variants give no type"
    } else if rules.types.is_empty() {
        "the schema gives no `type`"
    } else {
        "the generator cannot make one Rust type of what the schema says here"
    }
}

/// Whether a schema of this kind is planned as a type of its own (a struct, an enum).
fn names_a_type(kind: &Kind) -> bool {
    match kind {
        Kind::Object(object) => !is_map(object),
        Kind::Const(value) => enumerable(value),
        Kind::Enum(values) => enumerable_all(values),
        Kind::OneOf(_) | Kind::AnyOf(_) | Kind::Union(_) => true,
        _ => false,
    }
}

/// Whether an object is planned as a map: no named properties, and other keys allowed.
fn is_map(object: &Object) -> bool {
    object.properties.is_empty() && object.additional != Additional::Denied
}

/// Whether a `const` becomes a one-value enum (a string or an integer).
fn enumerable(value: &Value) -> bool {
    value.is_string() || value.is_i64()
}

/// Whether an `enum` becomes a Rust enum: all strings, or all integers.
fn enumerable_all(values: &[Value]) -> bool {
    values.iter().all(Value::is_string) || values.iter().all(Value::is_i64)
}

/// Whether a value of `schema` is secret: marked so, or a list or map of values marked so
/// (a `$ref` or its definition marked alike).
fn holds_secret(document: &Document, schema: &Schema, depth: usize) -> bool {
    let target = document.target(schema);
    if schema.secret || target.secret {
        return true;
    }
    // A list of itself through `$ref`s holds nothing new past here.
    if depth >= MAX_DEPTH {
        return false;
    }
    match &target.kind {
        Kind::Array(Some(items)) => holds_secret(document, items, depth + 1),
        Kind::Object(object) if is_map(object) => matches!(
            &object.additional,
            Additional::Schema(values) if holds_secret(document, values, depth + 1)
        ),
        _ => false,
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
        Ty::Null => value.is_null(),
        Ty::String | Ty::Secret => value.is_string(),
        Ty::Value => true,
        Ty::Option(inner) => value.is_null() || value_fits(value, inner, types),
        Ty::Box(inner) => value_fits(value, inner, types),
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
                ..
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

/// The estimated size of the planned type `name` (remembered in `sizes`): what matters is
/// that it grows as the real size does, not that it is exact.
fn size_of(name: &str, types: &[TypeDef], sizes: &mut HashMap<String, usize>) -> usize {
    if let Some(&size) = sizes.get(name) {
        return size;
    }
    let Some(def) = types.iter().find(|t| t.name == name) else {
        return 0;
    };
    let mut of = |ty: &Ty| size_of_ty(ty, types, sizes);
    let size = match &def.body {
        Body::Struct(s) => {
            s.fields.iter().map(|f| of(&f.ty)).sum::<usize>() + s.extra.as_ref().map_or(0, of)
        }
        Body::StringEnum(_) | Body::IntegerEnum(_) => 1,
        Body::Tagged {
            payloads, boxed, ..
        } => {
            8 + payloads
                .iter()
                .zip(boxed)
                .map(|(p, boxed)| if *boxed { 8 } else { size_of(p, types, sizes) })
                .max()
                .unwrap_or(0)
        }
        Body::Untagged(variants) => 8 + variants.iter().map(|v| of(&v.value)).max().unwrap_or(0),
    };
    sizes.insert(name.to_owned(), size);
    size
}

fn size_of_ty(ty: &Ty, types: &[TypeDef], sizes: &mut HashMap<String, usize>) -> usize {
    match ty {
        Ty::Null => 0,
        Ty::Bool => 1,
        Ty::Integer | Ty::Number | Ty::Box(_) => 8,
        Ty::String | Ty::Secret | Ty::Vec(_) | Ty::Map(_) => 24,
        // With serde_json's `preserve_order`, an object is an `IndexMap`.
        Ty::Value => 80,
        Ty::Option(inner) => 8 + size_of_ty(inner, types, sizes),
        Ty::Named(name) => size_of(name, types, sizes),
    }
}

/// Whether a default of this type can be written as a Rust expression.
fn default_expressible(ty: &Ty, types: &[TypeDef]) -> bool {
    match ty {
        Ty::Bool | Ty::Integer | Ty::Number | Ty::String | Ty::Secret | Ty::Value => true,
        Ty::Vec(item) => default_expressible(item, types),
        Ty::Named(name) => types.iter().any(|t| {
            &t.name == name && matches!(t.body, Body::StringEnum(_) | Body::IntegerEnum(_))
        }),
        Ty::Null | Ty::Map(_) | Ty::Option(_) | Ty::Box(_) => false,
    }
}

/// The checks of a value of `schema` (of a `$ref`: of its definition).
fn checks(document: &Document, schema: &Schema) -> Checks {
    checks_at(document, schema, 0)
}

fn checks_at(document: &Document, schema: &Schema, depth: usize) -> Checks {
    let target = document.target(schema);
    let mut checks = checks_of(document, &target.kind, &target.constraints, depth);
    // `null` in an `enum` (or `"type": [.., "null"]`) is read as `nullable`.
    if let Some(allowed) = &mut checks.allowed {
        if target.nullable && !allowed.contains(&Value::Null) {
            allowed.push(Value::Null);
        }
    }
    checks
}

/// The checks of a value of `kind` under `constraints`, `depth` lists or maps down.
fn checks_of(document: &Document, kind: &Kind, constraints: &Constraints, depth: usize) -> Checks {
    // A list of itself through `$ref`s is planned as a list of any values past here.
    if depth >= MAX_DEPTH {
        return Checks::default();
    }
    let nested = |schema: &Schema| {
        Some(Box::new(checks_at(document, schema, depth + 1))).filter(|c| !c.is_empty())
    };
    let items = match kind {
        Kind::Array(Some(items)) => nested(items),
        _ => None,
    };
    let values = match kind {
        Kind::Object(Object {
            properties,
            additional: Additional::Schema(values),
            ..
        }) if properties.is_empty() => nested(values),
        _ => None,
    };
    let allowed = match kind {
        Kind::Const(value) if !enumerable(value) => Some(vec![value.clone()]),
        Kind::Enum(values) if !enumerable_all(values) => Some(values.clone()),
        _ => None,
    };
    let mut constraints = constraints.clone();
    // Bounds only mean something for the kinds they apply to; without a type, each applies
    // to the values of its kind (`validate()` sorts them out).
    match kind {
        Kind::Any => {}
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
        allowed,
    }
}

/// The property that tells `oneOf` variants apart, and each variant's value of it: every
/// variant an object, each giving the property one string (`const` or a one-value `enum`),
/// all different.
fn discriminator(document: &Document, variants: &[&Schema]) -> Option<(String, Vec<String>)> {
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
        // Seen values, so that a `oneOf` of thousands of variants is read in linear time.
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for object in &objects {
            let Some(property) = object.properties.iter().find(|p| p.name == candidate.name) else {
                continue 'candidates;
            };
            let value = match &document.target(&property.schema).kind {
                Kind::Const(Value::String(s)) => s.clone(),
                Kind::Enum(values) if values.len() == 1 && values[0].is_string() => {
                    values[0].as_str().unwrap_or_default().to_owned()
                }
                _ => continue 'candidates,
            };
            if !seen.insert(value.clone()) {
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
