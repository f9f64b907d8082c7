//! Rows whose values came from text (CSV cells), read through the connector's types.
//!
//! A CSV cell is always text, but a connector's types may want an integer, a number or a
//! boolean there. [`Text`] is a serde `Deserializer` over a JSON value that answers the types'
//! own requests: where a type asks for an integer, a float or a boolean and the value is a
//! string that reads as one, the type gets the number or boolean; everything else is read
//! exactly as `serde_json` reads a `Value` (same results, same error messages). Because the
//! types ask, a string field whose cell looks like a number stays a string.
//!
//! What it cannot reach: values that serde buffers before it knows their type (the variants of
//! untagged and internally tagged enums, and the extra keys of a struct with flattened
//! additional properties). There, text stays text, as if the row had been JSON.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Value};

/// A JSON value whose strings may be read as the integers, floats and booleans the target
/// type asks for.
#[derive(Clone, Copy)]
pub(super) struct Text<'de>(pub(super) &'de Value);

impl<'de> Text<'de> {
    fn text(self) -> Option<&'de str> {
        self.0.as_str()
    }

    /// An integer from text: signed when it fits, else unsigned (the visitor checks the range
    /// of the type it wants, and says so without the value).
    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(text) = self.text() {
            if let Ok(n) = text.parse::<i64>() {
                return visitor.visit_i64(n);
            }
            if let Ok(n) = text.parse::<u64>() {
                return visitor.visit_u64(n);
            }
        }
        // Not text, or not an integer: `serde_json`'s own answer (`invalid type: ...`).
        self.0.deserialize_i64(visitor)
    }

    /// A finite float from text (`NaN` and `inf` are not JSON numbers, so they stay text).
    fn float<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let read = self
            .text()
            .and_then(|text| text.parse::<f64>().ok())
            .filter(|n| n.is_finite());
        match read {
            Some(n) => visitor.visit_f64(n),
            None => self.0.deserialize_f64(visitor),
        }
    }
}

macro_rules! integers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.integer(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Text<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = Items(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                match seq.0.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(
                        items.len(),
                        &"fewer elements in array",
                    )),
                }
            }
            Value::Object(object) => {
                let mut map = Entries {
                    entries: object.iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.entries.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(
                        object.len(),
                        &"fewer elements in map",
                    )),
                }
            }
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text().and_then(|text| text.parse::<bool>().ok()) {
            Some(b) => visitor.visit_bool(b),
            None => self.0.deserialize_bool(visitor),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            // `visit_some(self)`, not the value's own: an `Option<i64>` still reads text.
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Enums are chosen by a string (or a one-key object); text changes nothing there.
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The items of an array, each read as [`Text`].
struct Items<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|item| seed.deserialize(Text(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object, each value read as [`Text`]; keys are read as `serde_json` reads
/// them.
struct Entries<'de> {
    entries: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Text(value)),
            None => Err(de::Error::custom(
                "a map value was asked for before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::{json, Value};

    use super::Text;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        count: i64,
        small: Option<u8>,
        ratio: f64,
        on: bool,
        maybe: Option<bool>,
        name: String,
        inner: Inner,
        list: Vec<Inner>,
        any: Value,
        #[serde(default)]
        absent: Option<i32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        port: u16,
        weight: Option<f32>,
        labels: BTreeMap<String, i64>,
    }

    fn read<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, String> {
        serde_path_to_error::deserialize(Text(value)).map_err(|e| e.to_string())
    }

    #[test]
    fn text_is_read_as_the_numbers_and_booleans_the_types_ask_for() {
        let row = json!({
            "count": "-42", "small": "7", "ratio": "0.5", "on": "true", "maybe": "false",
            "name": "12", "any": "3",
            "inner": {"port": "8080", "weight": "1e3", "labels": {"a": "1"}},
            "list": [{"port": 1, "weight": null, "labels": {}}],
        });
        let outer: Outer = read(&row).unwrap();
        assert_eq!(
            outer,
            Outer {
                count: -42,
                small: Some(7),
                ratio: 0.5,
                on: true,
                maybe: Some(false),
                name: "12".into(),
                inner: Inner {
                    port: 8080,
                    weight: Some(1000.0),
                    labels: BTreeMap::from([("a".into(), 1)]),
                },
                list: vec![Inner {
                    port: 1,
                    weight: None,
                    labels: BTreeMap::new(),
                }],
                any: json!("3"),
                absent: None,
            }
        );
    }

    #[test]
    fn text_that_is_not_what_the_type_wants_keeps_serde_json_s_error_and_path() {
        let base = json!({
            "count": "1", "small": null, "ratio": "1", "on": "true", "name": "n", "any": null,
            "inner": {"port": "1", "labels": {}}, "list": [],
        });
        for (pointer, cell, expected) in [
            (
                "/count",
                "12abc",
                "count: invalid type: string \"12abc\", expected i64",
            ),
            (
                "/small",
                "300",
                "small: invalid value: integer `300`, expected u8",
            ),
            (
                "/on",
                "yes",
                "on: invalid type: string \"yes\", expected a boolean",
            ),
            (
                "/ratio",
                "NaN",
                "ratio: invalid type: string \"NaN\", expected f64",
            ),
            (
                "/inner/port",
                "-1",
                "inner.port: invalid value: integer `-1`, expected u16",
            ),
        ] {
            let mut row = base.clone();
            *row.pointer_mut(pointer).unwrap() = json!(cell);
            assert_eq!(read::<Outer>(&row).unwrap_err(), expected, "{pointer}");
        }
        let mut row = base.clone();
        row["extra"] = json!("x");
        let error = read::<Outer>(&row).unwrap_err();
        assert!(error.starts_with("extra: unknown field `extra`"), "{error}");
        row = base;
        row["list"] = json!([{"port": "1", "labels": {"b": "2x"}}]);
        assert_eq!(
            read::<Outer>(&row).unwrap_err(),
            "list[0].labels.b: invalid type: string \"2x\", expected i64"
        );
    }

    #[test]
    fn json_values_read_as_serde_json_reads_them() {
        let row = json!({
            "count": 1, "small": null, "ratio": 2, "on": false, "name": "n", "any": {"k": [1]},
            "inner": {"port": 1, "weight": 0.25, "labels": {"x": -3}}, "list": [],
        });
        let direct: Outer = serde_json::from_value(row.clone()).unwrap();
        assert_eq!(read::<Outer>(&row).unwrap(), direct);
        let wrong = json!({"count": 1.5});
        assert_eq!(
            read::<Outer>(&wrong).unwrap_err(),
            "count: invalid type: floating point `1.5`, expected i64"
        );
        assert_eq!(
            read::<(u8, u8)>(&json!([1, 2, 3])).unwrap_err(),
            "invalid length 3, expected fewer elements in array"
        );
    }
}
