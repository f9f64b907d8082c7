//! The normalized model of a schema: what the reader makes of Tray's loose JSON Schemas, and
//! what the generator plans types from and the checker checks values against.

use std::borrow::Cow;
use std::path::PathBuf;

use serde_json::Value;

/// One schema, normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Where it stands in its file.
    pub pointer: String,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `default`.
    pub default: Option<Value>,
    /// `examples` (and, first, a single `example`).
    pub examples: Vec<Value>,
    /// Whether `examples` starts with a single `example`.
    pub has_example: bool,
    /// `format`.
    pub format: Option<String>,
    /// Tray's `enumLabels`: a label per `enum` value, for people.
    pub enum_labels: Vec<String>,
    /// Marked secret by the schema: `format: "password"`, `airbyte_secret`, `writeOnly`.
    pub secret: bool,
    /// `null` is allowed besides the kind (`"type": ["string", "null"]`).
    pub nullable: bool,
    /// What kind of value it is.
    pub kind: Kind,
    /// Rules that types cannot express.
    pub constraints: Constraints,
    /// What JSON Schema (draft 7) says about the value that `kind`, shaped for Rust types, does
    /// not keep: the [checker](crate::check) reads it; the generator does not.
    pub rules: Rules,
    /// The reader could not read all of it (an [`Effect::Unchecked`](crate::Effect::Unchecked)
    /// warning inside it, `$ref`s aside): it accepts more than the schema says. The checker
    /// then does not let a match of it refuse a value (`oneOf`'s "exactly one", `not`, `if`).
    pub lax: bool,
}

/// The kind of value a schema describes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Anything: no `type`, or one the generator does not understand.
    Any,
    /// `"type": "null"` alone.
    Null,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `array`, with the schema of its items when it gives one.
    Array(Option<Box<Schema>>),
    /// `object`.
    Object(Object),
    /// `enum`: its values, `null` taken out (it sets `nullable`). Strings or integers become
    /// Rust enums; other values (`false`, fractions, objects, mixed kinds) are checked one by one.
    Enum(Vec<Value>),
    /// `const`.
    Const(Value),
    /// `oneOf`: exactly one of several schemas.
    OneOf(Vec<Schema>),
    /// `anyOf`: at least one of several schemas.
    AnyOf(Vec<Schema>),
    /// Several types at once (`"type": ["string", "integer"]`).
    Union(Vec<Schema>),
    /// A `$ref`: whatever its definition is. The definition is read once, and every `$ref` to
    /// it shares it, so a schema that uses a definition many times stays as small as it is.
    Ref(Ref),
}

/// A `$ref` to a definition in [`Document::definitions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The reference as written (`#/definitions/port`, `common.json#/definitions/region`).
    pub reference: String,
    /// Its definition's place in [`Document::definitions`].
    pub index: usize,
}

/// A definition some `$ref` names, read once however many `$ref`s name it.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// A name for its Rust type: the last token of its pointer (`port`), or its file's stem.
    pub name: String,
    /// The file it is in when that is not the schema's own; its pointers are into this file.
    pub file: Option<PathBuf>,
    /// Its schema.
    pub schema: Schema,
}

/// A schema as read: its root, and the definitions its `$ref`s name.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root schema.
    pub root: Schema,
    /// What [`Kind::Ref`]s point at.
    pub definitions: Vec<Definition>,
    /// Whether reading it warned that Rust types cannot hold all it says
    /// ([`Effect::Types`](crate::Effect::Types)): the generated `validate()` then checks values
    /// against the schema as written, with the [checker](crate::check).
    pub types_looser: bool,
}

impl Document {
    /// The index of the definition a `$ref` stands for, following `$ref`s to `$ref`s; `None`
    /// when `schema` is not a `$ref`, or when its `$ref`s go round in a circle.
    pub fn definition_of(&self, schema: &Schema) -> Option<usize> {
        let Kind::Ref(reference) = &schema.kind else {
            return None;
        };
        let mut index = reference.index;
        for _ in 0..=self.definitions.len() {
            match &self.definitions.get(index)?.schema.kind {
                Kind::Ref(next) => index = next.index,
                _ => return Some(index),
            }
        }
        None
    }

    /// What `schema` stands for: its definition's schema for a `$ref`, itself otherwise.
    pub fn target<'s>(&'s self, schema: &'s Schema) -> &'s Schema {
        self.definition_of(schema)
            .map_or(schema, |index| &self.definitions[index].schema)
    }

    /// What a use of a schema says: for a `$ref`, its definition's keywords, with the title,
    /// description and default beside the `$ref` in front, and the `$ref` as its kind (its
    /// definition's kind is [`Document::target`]'s); any other schema, itself.
    pub fn view<'s>(&self, schema: &'s Schema) -> Cow<'s, Schema> {
        let Some(index) = self.definition_of(schema) else {
            return Cow::Borrowed(schema);
        };
        let target = &self.definitions[index].schema;
        Cow::Owned(Schema {
            pointer: target.pointer.clone(),
            title: schema.title.clone().or_else(|| target.title.clone()),
            description: schema
                .description
                .clone()
                .or_else(|| target.description.clone()),
            default: schema.default.clone().or_else(|| target.default.clone()),
            examples: target.examples.clone(),
            has_example: target.has_example,
            format: target.format.clone(),
            enum_labels: target.enum_labels.clone(),
            secret: schema.secret || target.secret,
            nullable: schema.nullable || target.nullable,
            kind: schema.kind.clone(),
            constraints: target.constraints.clone(),
            rules: target.rules.clone(),
            lax: schema.lax || target.lax,
        })
    }
}

/// An object schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    /// `properties`, in schema order.
    pub properties: Vec<Property>,
    /// What other keys may hold.
    pub additional: Additional,
    /// When `additional` is the schema of the only `patternProperties` entry (the generated
    /// types make a map of it) and `additionalProperties` is not given: that entry's pattern.
    /// Only keys that match it must hold values of the schema; others may hold anything.
    pub additional_pattern: Option<String>,
    /// `patternProperties` entries that are not in `additional` (beside other rules for extra
    /// keys): `(pattern, schema)`, in schema order. The generated types do not check them.
    pub pattern_properties: Vec<(String, Schema)>,
    /// Names `required` lists that are not among `properties`: the generated types have no
    /// field for them; the checker requires them.
    pub other_required: Vec<String>,
}

/// `additionalProperties` (and `patternProperties`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Additional {
    /// Not said: other keys are allowed and ignored.
    #[default]
    Allowed,
    /// `false`: other keys are an error.
    Denied,
    /// A schema: other keys hold values of it (a map).
    Schema(Box<Schema>),
}

/// A property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Its key in JSON.
    pub name: String,
    /// Listed in `required` (or draft-03 `"required": true`).
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
}

/// Rules a value must keep beyond its type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// `pattern` (ECMAScript regular expression, not anchored).
    pub pattern: Option<String>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum` as a number.
    pub exclusive_minimum: Option<f64>,
    /// `exclusiveMaximum` as a number.
    pub exclusive_maximum: Option<f64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
}

/// A JSON type, as `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `integer`: a number with no fraction (`1.0` is one).
    Integer,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `array`.
    Array,
    /// `object`.
    Object,
}

impl JsonType {
    /// The type `name` names (`"integer"`), if any.
    pub fn from_name(name: &str) -> Option<JsonType> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// Its name in `type`.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// The draft 7 keywords of a schema that its [`Kind`] does not hold as JSON Schema means them.
///
/// The kind is shaped for Rust types: `null` is folded into `nullable`, `oneOf` variants get
/// the properties beside them copied in, `allOf` parts are merged, a schema with no `type` but
/// `properties` is an object. Rules keep what was written, so that the checker is exact:
/// each field holds a keyword's schemas only where the kind does not (no schema is read
/// twice). Empty rules say nothing beyond the kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    /// `type` as written, `null` included; empty: any type (no `type`, or draft-03 `"any"`).
    pub types: Vec<JsonType>,
    /// `enum` as written (`null` and mixed kinds included).
    pub enumeration: Option<Vec<Value>>,
    /// `const`.
    pub constant: Option<Value>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
    /// The kind was built from `oneOf`, `anyOf` or `allOf` parts for the types (copied,
    /// merged, or one part standing for all): the checker checks the parts here instead.
    pub kind_from_parts: bool,
    /// The object keywords (`properties`, `required`, `additionalProperties`,
    /// `patternProperties`) when the kind does not hold them (an `enum`, a `oneOf`, ...).
    pub object: Option<Box<Object>>,
    /// `items` (one schema for every item) when the kind does not hold it.
    pub items: Option<Box<Schema>>,
    /// Tuple `items`: a schema for each position.
    pub tuple_items: Option<Vec<Schema>>,
    /// `additionalItems`: items past the tuple.
    pub additional_items: Option<Box<Schema>>,
    /// `contains`.
    pub contains: Option<Box<Schema>>,
    /// `propertyNames`: a schema every key (a string) must keep.
    pub property_names: Option<Box<Schema>>,
    /// `dependencies`, in schema order.
    pub dependencies: Vec<(String, Dependency)>,
    /// `allOf` parts, as written.
    pub all_of: Vec<Schema>,
    /// `anyOf` variants, as written.
    pub any_of: Option<Vec<Schema>>,
    /// `oneOf` variants, as written.
    pub one_of: Option<Vec<Schema>>,
    /// `not` (a `false` schema is `not: {}`).
    pub not: Option<Box<Schema>>,
    /// `if` with its `then` and `else`.
    pub condition: Option<Box<Condition>>,
}

/// One entry of `dependencies`: what a key's presence asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Dependency {
    /// Other keys that must be present too.
    Keys(Vec<String>),
    /// A schema the whole object must keep.
    Schema(Box<Schema>),
}

/// `if`, `then` and `else`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// `if`.
    pub test: Schema,
    /// `then`: kept when `if` holds.
    pub then: Option<Schema>,
    /// `else`: kept when it does not.
    pub otherwise: Option<Schema>,
}

impl Rules {
    /// The schemas inside the rules.
    pub fn children(&self) -> impl Iterator<Item = &Schema> {
        let object = self.object.iter().flat_map(|o| o.children());
        let boxed = [
            &self.items,
            &self.additional_items,
            &self.contains,
            &self.property_names,
            &self.not,
        ]
        .into_iter()
        .filter_map(|b| b.as_deref());
        let lists = [&self.tuple_items, &self.any_of, &self.one_of]
            .into_iter()
            .flatten()
            .flatten()
            .chain(&self.all_of);
        let dependencies = self.dependencies.iter().filter_map(|(_, d)| match d {
            Dependency::Schema(schema) => Some(&**schema),
            Dependency::Keys(_) => None,
        });
        let condition = self.condition.iter().flat_map(|c| {
            std::iter::once(&c.test)
                .chain(c.then.as_ref())
                .chain(c.otherwise.as_ref())
        });
        object
            .chain(boxed)
            .chain(lists)
            .chain(dependencies)
            .chain(condition)
    }
}

impl Object {
    /// The schemas of its properties, of its extra keys and of its patterns.
    pub fn children(&self) -> impl Iterator<Item = &Schema> {
        let extra = match &self.additional {
            Additional::Schema(values) => Some(&**values),
            Additional::Allowed | Additional::Denied => None,
        };
        self.properties
            .iter()
            .map(|p| &p.schema)
            .chain(extra)
            .chain(self.pattern_properties.iter().map(|(_, s)| s))
    }
}

impl Constraints {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

impl Kind {
    /// The JSON Schema `type` of this kind, where it is one type.
    pub fn json_type(&self) -> Option<&'static str> {
        match self {
            Kind::Boolean => Some("boolean"),
            Kind::Integer => Some("integer"),
            Kind::Number => Some("number"),
            Kind::String => Some("string"),
            Kind::Array(_) => Some("array"),
            Kind::Object(_) => Some("object"),
            Kind::Null => Some("null"),
            Kind::Any
            | Kind::Enum(_)
            | Kind::Const(_)
            | Kind::OneOf(_)
            | Kind::AnyOf(_)
            | Kind::Union(_)
            | Kind::Ref(_) => None,
        }
    }
}

impl Schema {
    pub fn any(pointer: &str) -> Schema {
        Schema {
            pointer: pointer.to_owned(),
            title: None,
            description: None,
            default: None,
            examples: Vec::new(),
            has_example: false,
            format: None,
            enum_labels: Vec::new(),
            secret: false,
            nullable: false,
            kind: Kind::Any,
            constraints: Constraints::default(),
            rules: Rules::default(),
            lax: false,
        }
    }
}
