//! Reading JSON integers as JSON Schema counts them: `1.0` is the integer 1 (a number with a
//! zero fraction), while `i64` alone would refuse it. Generated fields of type `i64` and
//! `Option<i64>` read through these functions (`#[serde(deserialize_with = ..)]`), and keep
//! their plain types, so callers still write `expires_in: Some(3600)`.

use serde::de::{Deserializer, Error, Visitor};
use std::fmt;

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<i64, E> {
        Ok(n)
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<i64, E> {
        i64::try_from(n).map_err(|_| E::custom("an integer too large for i64"))
    }

    fn visit_f64<E: Error>(self, n: f64) -> Result<i64, E> {
        // `i64::MAX as f64` rounds up to 2^63, which is out of range: hence `<`.
        if n.fract() == 0.0 && n >= i64::MIN as f64 && n < i64::MAX as f64 {
            Ok(n as i64)
        } else {
            Err(E::custom(
                "a number with a fraction, where an integer is expected",
            ))
        }
    }
}

/// Reads an integer, or a number with a zero fraction (`2.0`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Token {
///     #[serde(deserialize_with = "tray_auth::integer::deserialize")]
///     expires_in: i64,
/// }
/// let token: Token = serde_json::from_str(r#"{"expires_in": 3600.0}"#).unwrap();
/// assert_eq!(token.expires_in, 3600);
/// assert!(serde_json::from_str::<Token>(r#"{"expires_in": 1.5}"#).is_err());
/// ```
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    // Asked for as an integer (serde_json still hands over `2.0` as the number it is), so that a
    // deserializer that reads text as what it is asked for (a CSV cell) can.
    deserializer.deserialize_i64(IntegerVisitor)
}

/// An integer as JSON Schema reads it (`2` or `2.0`): what generated enums of integers are
/// read through (`#[serde(try_from = "tray_auth::integer::Integer")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integer(pub i64);

impl<'de> serde::Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Integer)
    }
}

impl From<Integer> for i64 {
    fn from(value: Integer) -> i64 {
        value.0
    }
}

/// Reads `null` as `None`, and an integer or a number with a zero fraction as `Some`.
pub fn option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    struct OptionVisitor;
    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or null")
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            deserialize(d).map(Some)
        }
    }
    deserializer.deserialize_option(OptionVisitor)
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "super::option")]
        n: Option<i64>,
    }

    #[test]
    fn optional_integers_read_zero_fractions_null_and_absence() {
        let read = |json: &str| serde_json::from_str::<Row>(json).map(|row| row.n);
        assert_eq!(read(r#"{"n": 2.0}"#).unwrap(), Some(2));
        assert_eq!(read(r#"{"n": -7}"#).unwrap(), Some(-7));
        assert_eq!(read(r#"{"n": null}"#).unwrap(), None);
        assert_eq!(read("{}").unwrap(), None);
        assert!(read(r#"{"n": 2.5}"#).is_err());
        assert!(read(r#"{"n": 1e300}"#).is_err());
        assert!(read(r#"{"n": "2"}"#).is_err());
    }
}
