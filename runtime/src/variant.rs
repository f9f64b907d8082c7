//! The error of reading text as a generated enum of strings (`"us".parse::<Region>()`), so
//! that legacy columns map onto the types without a hand-written `match`.

use std::fmt;

/// How many accepted values a message lists before it says how many more there are: some
/// schemas' enums hold hundreds (time zones, countries).
const LISTED: usize = 20;

/// Text that is none of the values a generated enum of strings accepts.
///
/// Its message names the enum and the values it accepts, and quotes the given text cut to 60
/// characters, with control characters escaped (the text may come from any file):
///
/// ```
/// let error = tray_auth::UnknownVariant::new("Region", &["us", "eu"], "mars");
/// assert_eq!(error.to_string(), r#"`Region` does not accept "mars": expected one of "us", "eu""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariant {
    /// The generated enum's name.
    pub type_name: &'static str,
    /// Every value it accepts, as the schema spells them.
    pub accepted: &'static [&'static str],
    /// The given text, quoted and cut for a message.
    given: String,
}

impl UnknownVariant {
    /// The error for `given`, which `type_name` (accepting `accepted`) does not accept.
    pub fn new(type_name: &'static str, accepted: &'static [&'static str], given: &str) -> Self {
        UnknownVariant {
            type_name,
            accepted,
            given: tray_schema::printable::shown(given),
        }
    }

    /// The given text as the message quotes it: cut to 60 characters, control characters
    /// escaped.
    pub fn given(&self) -> &str {
        &self.given
    }
}

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` does not accept {}: ", self.type_name, self.given)?;
        if self.accepted.is_empty() {
            return f.write_str("it has no values");
        }
        f.write_str("expected one of ")?;
        for (i, value) in self.accepted.iter().take(LISTED).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&tray_schema::printable::shown(value))?;
        }
        if self.accepted.len() > LISTED {
            write!(f, " and {} more", self.accepted.len() - LISTED)?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownVariant {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_cut_and_escaped() {
        let given = format!("\u{1b}[2J{}", "x".repeat(500));
        let message = UnknownVariant::new("Region", &["us"], &given).to_string();
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.contains(r#""\u{1b}[2Jxxx"#), "{message}");
        assert!(message.len() < 120, "{message}");
    }

    #[test]
    fn long_lists_are_cut() {
        static MANY: [&str; 25] = ["v"; 25];
        let message = UnknownVariant::new("Zone", &MANY, "w").to_string();
        assert!(message.ends_with(r#""v" and 5 more"#), "{message}");
        assert_eq!(message.matches(r#""v""#).count(), 20);
    }
}
