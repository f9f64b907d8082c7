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
    /// `oneOf` (or `anyOf`): one of several schemas.
    OneOf(Vec<Schema>),
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
        }
    }
}
