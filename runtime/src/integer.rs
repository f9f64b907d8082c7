//! Reading JSON integers as JSON Schema counts them: `1.0` is the integer 1 (a number with a
//! zero fraction), while `i64` alone would refuse it. Generated types read their `i64` fields
//! by this rule (through [`crate::json::FromJson`]) and keep plain types, so callers still
//! write `expires_in: Some(3600)`; [`deserialize`] and [`option`] apply it to a serde derive's
//! fields (`#[serde(deserialize_with = ..)]`).

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
        i64::try_from(n).map_err(|_| E::custom(TOO_LARGE))
    }

    fn visit_f64<E: Error>(self, n: f64) -> Result<i64, E> {
        from_f64(n).map_err(E::custom)
    }
}

/// The message for an integer beyond `i64`.
pub(crate) const TOO_LARGE: &str = "an integer too large for i64";

/// The integer a JSON number with a zero fraction stands for (`2.0` → 2).
pub(crate) fn from_f64(n: f64) -> Result<i64, &'static str> {
    // `i64::MAX as f64` rounds up to 2^63, which is out of range: hence `<`.
    if n.fract() == 0.0 && n >= i64::MIN as f64 && n < i64::MAX as f64 {
        Ok(n as i64)
    } else if n.fract() == 0.0 {
        Err(TOO_LARGE)
    } else {
        Err("a number with a fraction, where an integer is expected")
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
