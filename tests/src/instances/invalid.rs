//! Invalid instances of a schema, one of each kind the schema allows, each made from a valid
//! instance by breaking one top-level property, with the pointer a report must name.

use serde_json::Value;
use tray_schema::model::{Document, Kind, Object, Property, Schema};
use tray_schema::secret::is_secret_name;
use tray_schema::{pointer, Checker};

use super::Markers;

/// How an invalid instance breaks its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidKind {
    /// A required key is missing (the pointer is the object's).
    MissingRequired,
    /// A value of the wrong JSON type.
    WrongType,
    /// A value that is not one of the `enum` values.
    NotInEnum,
    /// A string shorter than `minLength`.
    TooShort,
    /// A string that breaks the `pattern`.
    BreaksPattern,
}

impl InvalidKind {
    /// Every kind, in the order they are made.
    pub const ALL: [InvalidKind; 5] = [
        InvalidKind::MissingRequired,
        InvalidKind::WrongType,
        InvalidKind::NotInEnum,
        InvalidKind::TooShort,
        InvalidKind::BreaksPattern,
    ];

    /// A word of the checker's message for this kind.
    fn message_word(self) -> &'static str {
        match self {
            InvalidKind::MissingRequired => "required",
            InvalidKind::WrongType => "type",
            InvalidKind::NotInEnum => "enum",
            InvalidKind::TooShort => "minLength",
            InvalidKind::BreaksPattern => "pattern",
        }
    }
}

/// A value the checker refuses at a known place.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidInstance {
    /// How it is broken.
    pub kind: InvalidKind,
    /// The property broken (or left out).
    pub property: String,
    /// The credentials.
    pub value: Value,
    /// Where an import report must say it is broken, in the row: `/credentials` for a missing
    /// key, `/credentials/<key>` otherwise.
    pub pointer: String,
}

/// The invalid instances of each kind the root object of `checker`'s schema allows, made from
/// `valid` (a valid instance): each is confirmed by the checker, which names a problem of its
/// kind at its pointer. A string made for a secret property carries a marker from `markers`.
pub fn invalid_instances(
    checker: &Checker,
    valid: &Value,
    markers: &Markers,
) -> Vec<InvalidInstance> {
    let document = checker.document();
    let root = document.target(&document.root);
    let Some(object) = root_object(root) else {
        return Vec::new();
    };
    let Value::Object(fields) = valid else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for kind in InvalidKind::ALL {
        let made = object
            .properties
            .iter()
            .filter(|p| fields.contains_key(&p.name))
            .find_map(|property| {
                breaking(document, kind, property, markers)
                    .into_iter()
                    .find_map(|broken| confirm(checker, valid, kind, property, broken))
            });
        found.extend(made);
    }
    found
}

/// `valid` with `property` left out (`None`) or set to `broken`, when the checker names a
/// problem of `kind` where it should.
fn confirm(
    checker: &Checker,
    valid: &Value,
    kind: InvalidKind,
    property: &Property,
    broken: Option<Value>,
) -> Option<InvalidInstance> {
    let mut value = valid.clone();
    let relative = match broken {
        None => {
            value.as_object_mut()?.remove(&property.name);
            String::new()
        }
        Some(broken) => {
            value[&property.name] = broken;
            pointer::join("", &property.name)
        }
    };
    let confirmed = checker.check(&value).iter().any(|problem| {
        problem.pointer == relative && problem.message.contains(kind.message_word())
    });
    confirmed.then(|| InvalidInstance {
        kind,
        property: property.name.clone(),
        value,
        pointer: format!("/credentials{relative}"),
    })
}

fn root_object(root: &Schema) -> Option<&Object> {
    match &root.kind {
        Kind::Object(object) => Some(object),
        _ => root.rules.object.as_deref(),
    }
}

/// What may break `property` as `kind` says, in turn: `None` to leave it out, `Some(value)`
/// to put `value` there; empty when it cannot be broken that way.
fn breaking(
    document: &Document,
    kind: InvalidKind,
    property: &Property,
    markers: &Markers,
) -> Vec<Option<Value>> {
    let view = document.view(&property.schema);
    let target = document.target(&property.schema);
    let secret = view.secret || is_secret_name(&property.name);
    let constraints = &view.constraints;
    let is_string = target.kind == Kind::String;
    let values: Vec<Value> = match kind {
        InvalidKind::MissingRequired if property.required => return vec![None],
        InvalidKind::MissingRequired => Vec::new(),
        InvalidKind::WrongType => match target.kind.json_type() {
            Some("string") => vec![Value::from(12345)],
            Some("integer" | "number" | "boolean" | "array" | "object") => {
                vec![Value::from("text")]
            }
            _ => Vec::new(),
        },
        InvalidKind::NotInEnum => match &target.kind {
            Kind::Enum(values) if values.iter().all(Value::is_string) => {
                vec![Value::from("not-one-of-the-listed-values")]
            }
            Kind::Enum(values) if values.iter().all(Value::is_i64) => {
                let max = values.iter().filter_map(Value::as_i64).max().unwrap_or(0);
                vec![Value::from(max.saturating_add(1))]
            }
            _ => Vec::new(),
        },
        InvalidKind::TooShort => match constraints.min_length {
            Some(min) if is_string && min >= 1 => {
                let short = min as usize - 1;
                let marker = markers.next();
                let text = if secret && marker.len() <= short {
                    marker
                } else {
                    String::new()
                };
                vec![Value::String(format!("{text:x<short$}"))]
            }
            _ => Vec::new(),
        },
        // A secret's carries a marker: a report must not quote it.
        InvalidKind::BreaksPattern if is_string && constraints.pattern.is_some() => {
            let marked = secret.then(|| format!("{} !~", markers.next()));
            marked
                .into_iter()
                .chain([" !~", "!", ""].map(str::to_owned))
                .map(Value::String)
                .collect()
        }
        InvalidKind::BreaksPattern => Vec::new(),
    };
    values.into_iter().map(Some).collect()
}
