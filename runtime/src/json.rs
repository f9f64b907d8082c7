//! Generated types as JSON: how they read it and how they write it.
//!
//! Generated types do not derive serde's traits: the derives' expansions (for `Deserialize` a
//! visitor, a field enum and their generic methods per type) were three quarters of all the
//! code a whole account's connectors compile to (BENCHMARKS.md, "Compile cost"). Each generated
//! type implements [`FromJson`] instead, a plain function from a [`serde_json::Value`], and its
//! `Deserialize` is one line that reads the value and calls it ([`deserialize`]); a struct's
//! `Serialize` hands its properties to [`serialize_object`]. So `serde_json::from_str` and
//! `serde_json::to_string` still work, and so does any self-describing format.
//!
//! What reading checks is what the derive checked, and the messages say where: a missing
//! required property, an unknown one where the schema forbids others
//! (`additionalProperties: false`), a duplicate key, a value of the wrong kind, an enum value
//! the schema does not list. A message names the kind of value found, never the value (it may
//! be a credential), and carries the JSON pointer of the offending value:
//!
//! ```
//! # use tray_auth::doc_example::Credentials;
//! let err = serde_json::from_str::<Credentials>(r#"{"access_token": 1234, "dc": "us21"}"#)
//!     .unwrap_err()
//!     .to_string();
//! assert!(err.starts_with("/access_token: invalid type: an integer, expected a string (a secret)"), "{err}");
//! assert!(!err.contains("1234"));
//! ```
//!
//! Integers read as JSON Schema counts them (see [`crate::integer`]): `2.0` is the integer 2.
//! Rules that types cannot say (patterns, bounds) are [`crate::Validate`]'s job, not reading's.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A type read from a JSON value: what generated types implement, and the types their fields
/// hold.
pub trait FromJson: Sized {
    /// Reads `value`, or says what is wrong with it and where (below `value`).
    fn from_json(value: Value) -> Result<Self, Error>;

    /// What a property of this type reads as when the object lacks it: `None` for an
    /// `Option`, nothing (the property is missing) for any other type.
    fn absent() -> Option<Self> {
        None
    }
}

/// `Deserialize::deserialize` for a type that is [`FromJson`]: reads the value (refusing
/// duplicate keys in any object), then the type from it. A problem is one message: the JSON
/// pointer of the value, then what is wrong.
pub fn deserialize<'de, D: Deserializer<'de>, T: FromJson>(deserializer: D) -> Result<T, D::Error> {
    let value = deserializer.deserialize_any(StrictValue)?;
    T::from_json(value).map_err(de::Error::custom)
}

/// How much of a pointer a message shows.
const MAX_POINTER_CHARS: usize = 200;

/// What is wrong with a value, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The pointer's tokens, innermost first (they are added on the way out).
    tokens: Vec<String>,
    message: String,
}

impl Error {
    /// A problem with the value at hand.
    pub fn new(message: impl fmt::Display) -> Self {
        Error {
            tokens: Vec::new(),
            message: message.to_string(),
        }
    }

    /// The same problem, one property or item further down from where the caller stands.
    #[must_use]
    pub fn at(mut self, token: &str) -> Self {
        self.tokens.push(token.to_owned());
        self
    }

    /// The JSON pointer of the offending value (RFC 6901), `""` for the value read.
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for token in self.tokens.iter().rev() {
            tray_schema::pointer::push(&mut pointer, token);
        }
        pointer
    }

    /// What is wrong, without the pointer.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn invalid_type(found: &Value, expected: &str) -> Self {
        Error::new(format_args!(
            "invalid type: {}, expected {expected}",
            kind(found)
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tokens.is_empty() {
            return f.write_str(&self.message);
        }
        // Keys come from the input: control characters escaped, a flood cut.
        let pointer = self.pointer();
        let pointer = tray_schema::printable::without_controls(&pointer);
        match pointer.char_indices().nth(MAX_POINTER_CHARS) {
            Some((cut, _)) => write!(f, "{}…: {}", &pointer[..cut], self.message),
            None => write!(f, "{pointer}: {}", self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The kind of a value, for messages that must not quote it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An object being read into a generated struct: each property is taken out once, by name.
pub struct Object {
    properties: Map<String, Value>,
}

impl Object {
    /// Reads `value` as an object with the properties `fields`. When `deny_unknown` (the
    /// schema's `additionalProperties: false`), a property not among them is an error.
    pub fn new(value: Value, fields: &[&str], deny_unknown: bool) -> Result<Self, Error> {
        let Value::Object(properties) = value else {
            return Err(Error::invalid_type(&value, "an object"));
        };
        if deny_unknown {
            if let Some(unknown) = properties.keys().find(|k| !fields.contains(&k.as_str())) {
                // At the object: the message names the key, quoted and cut.
                return Err(unknown_field(unknown, fields));
            }
        }
        Ok(Object { properties })
    }

    /// Takes property `name` out, read as `T`; when absent, `T::absent()` or a missing-field
    /// error.
    pub fn field<T: FromJson>(&mut self, name: &str) -> Result<T, Error> {
        match self.properties.remove(name) {
            Some(value) => T::from_json(value).map_err(|e| e.at(name)),
            None => T::absent().ok_or_else(|| missing(name)),
        }
    }

    /// Takes property `name` out, read as `T`; when absent, the schema's `default`.
    pub fn field_or<T: FromJson>(&mut self, name: &str, default: fn() -> T) -> Result<T, Error> {
        match self.properties.remove(name) {
            Some(value) => T::from_json(value).map_err(|e| e.at(name)),
            None => Ok(default()),
        }
    }

    /// The properties not taken yet, each read as `T` (a struct's keys beside the named ones).
    pub fn rest<T: FromJson>(self) -> Result<BTreeMap<String, T>, Error> {
        read_map(self.properties)
    }
}

/// The error for a required property the object lacks.
fn missing(name: &str) -> Error {
    Error::new(format_args!(
        "missing field `{}`",
        tray_schema::printable::without_controls(name)
    ))
}

/// The message for a property that is not among `fields`.
fn unknown_field(name: &str, fields: &[&str]) -> Error {
    let shown = tray_schema::printable::shown(name);
    if fields.is_empty() {
        return Error::new(format_args!(
            "unknown field {shown}: the schema allows no properties"
        ));
    }
    Error::new(format_args!(
        "unknown field {shown}: the schema allows no other properties; expected one of {}",
        listed(fields)
    ))
}

/// An internally tagged value (`{"type": "cloud", ...}`) of a generated enum whose variants
/// have the tag values `values`: the index of the variant the tag names, and the object
/// without its tag, for that variant's payload to read.
pub fn tagged(value: Value, tag: &str, values: &[&str]) -> Result<(usize, Value), Error> {
    let Value::Object(mut properties) = value else {
        return Err(Error::invalid_type(&value, "an object"));
    };
    let Some(given) = properties.remove(tag) else {
        return Err(missing(tag));
    };
    let Value::String(given) = given else {
        return Err(Error::invalid_type(&given, "a string").at(tag));
    };
    match values.iter().position(|v| *v == given) {
        Some(index) => Ok((index, Value::Object(properties))),
        None => Err(Error::new(format_args!(
            "unknown variant: expected one of {}",
            listed(values)
        ))
        .at(tag)),
    }
}

/// A generated enum of strings read through its `FromStr`. The message names the accepted
/// values but not the given one, which may be a credential (`FromStr`'s own error, for text a
/// caller holds, quotes it).
pub fn string_enum<T: std::str::FromStr<Err = crate::UnknownVariant>>(
    value: Value,
) -> Result<T, Error> {
    match value {
        Value::String(text) => text.parse().map_err(|e: crate::UnknownVariant| {
            Error::new(format_args!(
                "`{}` does not accept this string: expected one of {}",
                e.type_name,
                listed(e.accepted)
            ))
        }),
        other => Err(Error::invalid_type(&other, "a string")),
    }
}

/// How one variant of a generated untagged enum reads a value.
pub type Reader<T> = fn(Value) -> Result<T, Error>;

/// A generated untagged enum whose variants have no rules: the first variant that reads the
/// value (JSON Schema's `anyOf`).
pub fn first_of<T>(value: Value, type_name: &str, readers: &[Reader<T>]) -> Result<T, Error> {
    for read in readers {
        if let Ok(read) = read(value.clone()) {
            return Ok(read);
        }
    }
    Err(no_variant(&value, type_name))
}

/// The error for a value that no variant of the untagged enum `type_name` reads.
pub fn no_variant(value: &Value, type_name: &str) -> Error {
    Error::new(format_args!(
        "{} that fits none of the variants of `{type_name}`",
        kind(value)
    ))
}

/// How many names a message lists before it says how many more there are.
const LISTED: usize = 20;

/// `values` (the schema's names) for a message: in backticks, control characters escaped, the
/// first [`LISTED`] of them.
fn listed(values: &[&str]) -> String {
    let mut listed = values
        .iter()
        .take(LISTED)
        .map(|v| format!("`{}`", tray_schema::printable::without_controls(v)))
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > LISTED {
        listed.push_str(&format!(" and {} more", values.len() - LISTED));
    }
    listed
}

fn read_map<T: FromJson>(properties: Map<String, Value>) -> Result<BTreeMap<String, T>, Error> {
    properties
        .into_iter()
        .map(|(key, value)| match T::from_json(value) {
            Ok(read) => Ok((key, read)),
            Err(e) => Err(e.at(&key)),
        })
        .collect()
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(Error::invalid_type(&other, "a string")),
        }
    }
}

impl FromJson for crate::Secret {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            // Moved, not copied: the only copy left is the one `Secret` wipes.
            Value::String(text) => Ok(crate::Secret::from(text)),
            other => Err(Error::invalid_type(&other, "a string (a secret)")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(Error::invalid_type(&other, "a boolean")),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value.as_f64() {
            Some(n) => Ok(n),
            None => Err(Error::invalid_type(&value, "a number")),
        }
    }
}

impl FromJson for i64 {
    fn from_json(value: Value) -> Result<Self, Error> {
        let Value::Number(n) = &value else {
            return Err(Error::invalid_type(&value, "an integer"));
        };
        if let Some(n) = n.as_i64() {
            Ok(n)
        } else if n.is_u64() {
            Err(Error::new(crate::integer::TOO_LARGE))
        } else {
            crate::integer::from_f64(n.as_f64().unwrap_or(f64::NAN)).map_err(Error::new)
        }
    }
}

/// `"type": "null"`: the value `null` and nothing else.
impl FromJson for () {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(()),
            other => Err(Error::invalid_type(&other, "null")),
        }
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, Error> {
        Ok(value)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        T::from_json(value).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        let Value::Array(items) = value else {
            return Err(Error::invalid_type(&value, "an array"));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item).map_err(|e| e.at(&i.to_string())))
            .collect()
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Object(properties) => read_map(properties),
            other => Err(Error::invalid_type(&other, "an object")),
        }
    }
}

/// One property of a generated struct, for its `Serialize`: its JSON name and its value, if it
/// is written (an absent optional property is not).
pub struct Property<'a> {
    name: &'a str,
    value: Option<&'a dyn erased_serde::Serialize>,
}

impl<'a> Property<'a> {
    /// A property that is always written.
    pub fn new<T: serde::Serialize>(name: &'a str, value: &'a T) -> Self {
        Property {
            name,
            value: Some(value),
        }
    }

    /// An optional property: written when `Some`, left out when `None`.
    pub fn optional<T: serde::Serialize>(name: &'a str, value: &'a Option<T>) -> Self {
        Property {
            name,
            value: value.as_ref().map(|v| v as &dyn erased_serde::Serialize),
        }
    }
}

/// Writes a generated struct as a JSON object: its `properties`, in order. One function for
/// every struct, so that each struct's `Serialize` is a list, not code.
pub fn serialize_object<S: Serializer>(
    serializer: S,
    properties: &[Property<'_>],
) -> Result<S::Ok, S::Error> {
    serialize_object_with_extra::<S, ()>(serializer, properties, &BTreeMap::new())
}

/// [`serialize_object`] for a struct with keys beside its named properties (the schema's
/// `additionalProperties` or `patternProperties`): its `properties`, then `extra`'s keys.
///
/// An `extra` key that names a property is an error (JSON would carry it twice, and which
/// one counts is up to the reader); `validate()` reports it at its pointer
/// ([`Validator::keys_beside_named`](crate::validate::Validator::keys_beside_named)).
pub fn serialize_object_with_extra<S: Serializer, T: serde::Serialize>(
    serializer: S,
    properties: &[Property<'_>],
    extra: &BTreeMap<String, T>,
) -> Result<S::Ok, S::Error> {
    if !extra.is_empty() {
        if let Some(named) = properties.iter().find(|p| extra.contains_key(p.name)) {
            return Err(serde::ser::Error::custom(format_args!(
                "the key `{}` is both a named property and one of the other keys: set the field instead",
                tray_schema::printable::without_controls(named.name)
            )));
        }
    }
    let written = properties.iter().filter(|p| p.value.is_some()).count();
    let mut map = serializer.serialize_map(Some(written + extra.len()))?;
    for property in properties {
        if let Some(value) = property.value {
            map.serialize_entry(property.name, value)?;
        }
    }
    for (key, value) in extra {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// Builds a [`Value`] as `serde_json::Value` does, but refuses an object with a key twice
/// (which value would count?), as the derive did for a struct's properties.
struct StrictValue;

impl<'de> de::DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        Ok(Value::String(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        Ok(Value::String(text))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut properties = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if properties.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate field {}",
                    tray_schema::printable::shown(&key)
                )));
            }
            let value = map.next_value_seed(StrictValue)?;
            properties.insert(key, value);
        }
        Ok(Value::Object(properties))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_carry_the_pointer_and_never_the_value() {
        let err =
            Vec::<BTreeMap<String, String>>::from_json(json!([{}, {"a/b": 1234}])).unwrap_err();
        assert_eq!(err.pointer(), "/1/a~1b");
        assert_eq!(
            err.to_string(),
            "/1/a~1b: invalid type: an integer, expected a string"
        );
    }

    #[test]
    fn integers_read_as_json_schema_counts_them() {
        assert_eq!(i64::from_json(json!(2.0)), Ok(2));
        assert_eq!(i64::from_json(json!(-7)), Ok(-7));
        assert!(i64::from_json(json!(2.5)).is_err());
        assert!(i64::from_json(json!(u64::MAX)).is_err());
        assert!(i64::from_json(json!(1e300)).is_err());
        assert!(i64::from_json(json!("2")).is_err());
    }

    #[test]
    fn objects_refuse_unknown_keys_when_told_and_report_missing_ones() {
        let err = Object::new(json!({"a": 1, "b\u{1b}": 2}), &["a"], true)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            r#"unknown field "b\u{1b}": the schema allows no other properties; expected one of `a`"#
        );

        static MANY: [&str; 25] = ["f"; 25];
        let err = Object::new(json!({"g": 1}), &MANY, true).err().unwrap();
        assert!(err.message().ends_with("`f` and 5 more"), "{err}");
        let err = Object::new(json!({"g": 1}), &[], true).err().unwrap();
        assert_eq!(
            err.message(),
            r#"unknown field "g": the schema allows no properties"#
        );
        let mut object = Object::new(json!({}), &[], false).unwrap();
        let err = object.field::<bool>("a\nb").unwrap_err();
        assert_eq!(err.message(), "missing field `a\\nb`");

        let hostile = format!("\u{1b}[2J{}", "k".repeat(10_000));
        let err = BTreeMap::<String, bool>::from_json(json!({ hostile.clone(): 1 })).unwrap_err();
        assert_eq!(err.pointer(), format!("/{hostile}"));
        let shown = err.to_string();
        assert!(!shown.contains('\u{1b}') && shown.len() < 300, "{shown}");
        assert!(
            shown.ends_with("…: invalid type: an integer, expected a boolean"),
            "{shown}"
        );

        let mut object = Object::new(json!({"b": null}), &["a"], false).unwrap();
        assert_eq!(object.field::<Option<i64>>("a"), Ok(None));
        assert_eq!(object.field::<Option<i64>>("b"), Ok(None));
        assert_eq!(
            object.field::<i64>("c").unwrap_err().to_string(),
            "missing field `c`"
        );
        assert_eq!(object.field_or::<i64>("d", || 7), Ok(7));
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let read = |text: &str| -> Result<Value, serde_json::Error> {
            let mut de = serde_json::Deserializer::from_str(text);
            de::Deserializer::deserialize_any(&mut de, StrictValue)
        };
        assert!(read(r#"{"a": {"b": 1, "c": [{"d": 1}]}}"#).is_ok());
        let err = read(r#"{"a": {"b": 1, "b": 2}}"#).unwrap_err().to_string();
        assert!(err.starts_with(r#"duplicate field "b""#), "{err}");
    }

    #[test]
    fn objects_write_their_properties_in_order_and_leave_out_absent_ones() {
        let (token, none, some) = (crate::Secret::from("t"), None::<i64>, Some(3_i64));
        let extra = BTreeMap::from([("z".to_owned(), true)]);
        let properties = [
            Property::new("b", &token),
            Property::optional("a", &none),
            Property::optional("c", &some),
        ];
        let written =
            serialize_object_with_extra(serde_json::value::Serializer, &properties, &extra)
                .unwrap();
        assert_eq!(written.to_string(), r#"{"b":"t","c":3,"z":true}"#);
        let written = serialize_object(serde_json::value::Serializer, &properties[1..]).unwrap();
        assert_eq!(written, json!({"c": 3}));
        // A hand-built map that names a property, set or not, is refused, not written twice.
        for named in ["a", "b"] {
            let extra = BTreeMap::from([(named.to_owned(), true)]);
            let err =
                serialize_object_with_extra(serde_json::value::Serializer, &properties, &extra)
                    .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("the key `{named}` is both a named property and one of the other keys: set the field instead")
            );
        }
    }

    #[test]
    fn enum_values_not_listed_are_not_quoted() {
        #[derive(Debug)]
        struct Region;
        impl std::str::FromStr for Region {
            type Err = crate::UnknownVariant;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    "us" => Ok(Region),
                    _ => Err(crate::UnknownVariant::new("Region", &["us"], text)),
                }
            }
        }
        assert!(string_enum::<Region>(json!("us")).is_ok());
        let err = string_enum::<Region>(json!("sk_live_123")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Region` does not accept this string: expected one of `us`"
        );
        let err = first_of::<Region>(json!(5), "Union", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an integer that fits none of the variants of `Union`"
        );
    }

    #[test]
    fn tags_pick_the_variant_and_are_taken_out() {
        let (index, rest) = tagged(json!({"type": "b", "x": 1}), "type", &["a", "b"]).unwrap();
        assert_eq!((index, rest), (1, json!({"x": 1})));
        let err = tagged(json!({"type": "c"}), "type", &["a", "b"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/type: unknown variant: expected one of `a`, `b`"
        );
        assert_eq!(
            tagged(json!({}), "type", &["a"]).unwrap_err().to_string(),
            "missing field `type`"
        );
    }
}
