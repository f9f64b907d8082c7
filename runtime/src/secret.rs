use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A credential value: an API key, a token, a password.
///
/// It is sent to Tray as the plain string, and nowhere else: `Debug` and `Display` print a
/// redaction, and its memory is zeroed when it is dropped. Read it with [`Secret::expose`].
///
/// ```
/// use tray_auth::Secret;
/// let key = Secret::from("sk_live_123");
/// assert_eq!(format!("{key:?}"), "Secret(\"[redacted]\")");
/// assert_eq!(key.to_string(), "[redacted]");
/// assert_eq!(key.expose(), "sk_live_123");
/// assert_eq!(serde_json::to_string(&key).unwrap(), "\"sk_live_123\"");
/// ```
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

/// What `Debug` and `Display` print in place of a secret.
const REDACTED: &str = "[redacted]";

/// What `Debug` of generated types prints in place of a secret field that is not a [`Secret`]
/// string (an integer PIN, a list of keys, an object of credentials): `[redacted]`.
///
/// Such fields keep their plain types, so code builds them as usual; only `Debug` hides them.
///
/// ```
/// assert_eq!(format!("{:?}", tray_auth::Redacted), "[redacted]");
/// assert_eq!(format!("{:?}", Some(tray_auth::Redacted)), "Some([redacted])");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The plain value. Take care where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Compare without an early exit, so the time taken says nothing about the value.
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&REDACTED).finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`, so a wrong kind of value reaches the visitor (which names only its
        // kind) instead of the format's own message (which quotes it).
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// Reads a string; anything else is an error that says what kind of value was found, never
/// the value (serde's own messages quote it: `invalid type: integer `1234``).
struct SecretVisitor;

impl SecretVisitor {
    fn wrong<E: serde::de::Error>(kind: &str) -> E {
        E::custom(format_args!(
            "invalid type: {kind}, expected a string (a secret)"
        ))
    }
}

impl serde::de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string (a secret)")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Secret, E> {
        Ok(Secret::new(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Secret, E> {
        Ok(Secret::new(value))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
        Err(Self::wrong("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
        Err(Self::wrong("an integer"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
        Err(Self::wrong("an integer"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
        Err(Self::wrong("a number"))
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        Err(Self::wrong("bytes"))
    }

    fn visit_char<E: serde::de::Error>(self, value: char) -> Result<Secret, E> {
        Ok(Secret::new(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::from(String::from("hunter2"));
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s:#?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn round_trips_as_plain_string() {
        let s: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(s.expose(), "abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
        let err = serde_json::from_str::<Secret>("1234567")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid type: an integer, expected a string (a secret)"),
            "{err}"
        );
        assert!(!err.contains("1234567"));
        assert!(!serde_json::from_str::<Secret>("true")
            .unwrap_err()
            .to_string()
            .contains("true"));
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(Secret::from("a"), Secret::from("a"));
        assert_ne!(Secret::from("a"), Secret::from("b"));
        assert_ne!(Secret::from("a"), Secret::from("ab"));
    }
}
