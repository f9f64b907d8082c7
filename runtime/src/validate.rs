//! Run-time checks for what Rust types cannot say: patterns, lengths, ranges, item counts.
//!
//! Generated types implement [`Validate`]. Every violation is collected (not only the first),
//! each with the JSON pointer of the offending value and what rule it broke, but never the
//! value itself, which may be a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use tray_schema::Checker;

use crate::Secret;

pub use tray_schema::pattern::{
    CompiledPattern, Pattern, PatternEngine, Search, BACKTRACKING_TEXT_LIMIT, BACKTRACK_LIMIT,
};

/// A value that can check itself against its schema's constraints.
pub trait Validate {
    /// Records every violation under the validator's current pointer.
    fn validate_with(&self, validator: &mut Validator);

    /// Checks the value; `Err` lists every violation.
    ///
    /// ```
    /// use tray_auth::Validate;
    /// # use tray_auth::doc_example::Credentials;
    /// let credentials = Credentials { access_token: "t".into(), dc: "not a dc!".into() };
    /// let err = credentials.validate().unwrap_err();
    /// assert_eq!(err.violations()[0].pointer(), "/dc");
    /// assert_eq!(err.to_string(), "1 value breaks its schema:\n  /dc: does not match the pattern `^[a-z]+[0-9]+$`");
    /// ```
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut validator = Validator::new();
        self.validate_with(&mut validator);
        validator.finish()
    }
}

/// Walks a value, keeping the JSON pointer of where it is and the violations found.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<String>,
    violations: Vec<Violation>,
}

impl Validator {
    /// A validator at the root (pointer `""`).
    pub fn new() -> Self {
        Self::default()
    }

    /// One level down, under the object key `key`, until the returned guard is dropped.
    ///
    /// ```
    /// use tray_auth::validate::{Rule, Validator};
    /// let mut v = Validator::new();
    /// v.at("credentials").at("dc").report(Rule::UniqueItems);
    /// assert_eq!(v.finish().unwrap_err().violations()[0].pointer(), "/credentials/dc");
    /// ```
    pub fn at(&mut self, key: &str) -> Nested<'_> {
        self.path.push(key.to_owned());
        Nested { validator: self }
    }

    /// One level down, under the array index `index`, until the returned guard is dropped.
    pub fn index(&mut self, index: usize) -> Nested<'_> {
        self.path.push(index.to_string());
        Nested { validator: self }
    }

    /// The JSON pointer of the current position (RFC 6901).
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for token in &self.path {
            tray_schema::pointer::push(&mut pointer, token);
        }
        pointer
    }

    /// Records a violation at the current position.
    pub fn report(&mut self, rule: Rule) {
        let pointer = self.pointer();
        self.violations.push(Violation { pointer, rule });
    }

    /// `pattern`: the text must contain a match (JSON Schema patterns are not anchored).
    ///
    /// A pattern that cannot be checked is held against every value (a violation that says
    /// why), so nothing unchecked passes as valid; the generator warns about such patterns and
    /// leaves them out, so this concerns hand-written [`Pattern`]s.
    pub fn pattern(&mut self, text: &str, pattern: &'static Pattern) {
        let source = pattern.source();
        match pattern.compiled().search(text) {
            Search::Found => {}
            Search::NotFound => self.report(Rule::Pattern { pattern: source }),
            Search::TooCostly => self.report(Rule::PatternTooCostly { pattern: source }),
            // `Search::Unchecked`, and whatever a later engine cannot answer.
            _ => match pattern.compiled().engine() {
                PatternEngine::Unsupported { reason } => self.report(Rule::UncheckablePattern {
                    pattern: source,
                    reason,
                }),
                _ => self.report(Rule::UnsupportedPattern { pattern: source }),
            },
        }
    }

    /// `minLength` and `maxLength`, counted in characters as JSON Schema does.
    pub fn length(&mut self, text: &str, min: Option<u64>, max: Option<u64>) {
        let length = text.chars().count() as u64;
        if let Some(min) = min.filter(|&min| length < min) {
            self.report(Rule::MinLength { min });
        }
        if let Some(max) = max.filter(|&max| length > max) {
            self.report(Rule::MaxLength { max });
        }
    }

    /// `minItems` and `maxItems`.
    pub fn items(&mut self, count: usize, min: Option<u64>, max: Option<u64>) {
        let count = count as u64;
        if let Some(min) = min.filter(|&min| count < min) {
            self.report(Rule::MinItems { min });
        }
        if let Some(max) = max.filter(|&max| count > max) {
            self.report(Rule::MaxItems { max });
        }
    }

    /// `uniqueItems`: items are compared as JSON values, numbers by their value (`1` and
    /// `1.0` are the same item), objects whatever the order of their keys.
    pub fn unique<T: serde::Serialize>(&mut self, items: &[T]) {
        // An item that cannot be written as JSON cannot be sent either; its own checks say why
        // (a named key among a struct's other keys), so it is not compared here.
        let Ok(values) = items
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
        else {
            return;
        };
        if !tray_schema::check::unique_items(&values) {
            self.report(Rule::UniqueItems);
        }
    }

    /// `enum` and `const` of values Rust types cannot hold one by one (`false`, `-2.0`, an
    /// object, several kinds at once): the value must equal one of `allowed`, as
    /// [`json_equal`] compares.
    pub fn allowed(&mut self, value: &serde_json::Value, allowed: &[serde_json::Value]) {
        if !allowed.iter().any(|a| json_equal(value, a)) {
            self.report(Rule::NotAllowed);
        }
    }

    /// The rules of a schema without a `type` on a value of any kind: each rule applies to
    /// the kind it is about (bounds to numbers, lengths and patterns to strings, item counts
    /// to arrays), as JSON Schema says.
    pub fn any_value(&mut self, value: &serde_json::Value, rules: &AnyValueRules) {
        use serde_json::Value;
        match value {
            Value::Number(n) => {
                if let Some(n) = n.as_f64() {
                    self.range(n, rules.bounds);
                }
            }
            Value::String(text) => {
                self.length(text, rules.min_length, rules.max_length);
                if let Some(pattern) = rules.pattern {
                    self.pattern(text, pattern);
                }
            }
            Value::Array(items) => {
                self.items(items.len(), rules.min_items, rules.max_items);
                if rules.unique_items {
                    self.unique(items);
                }
            }
            Value::Null | Value::Bool(_) | Value::Object(_) => {}
        }
    }

    /// A struct's map of keys beside its named properties (`extra`) must not hold a key that
    /// names one of them (`named`): JSON would carry the key twice, and the map's value would
    /// skip the field's type and checks. Each such key is reported at its own pointer.
    /// Reading JSON never puts a named key in the map; only a hand-built value can.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use tray_auth::validate::Validator;
    /// let extra = BTreeMap::from([("daily".to_owned(), 5), ("hourly".to_owned(), 1)]);
    /// let mut v = Validator::new();
    /// v.keys_beside_named(&extra, &["daily"]);
    /// assert_eq!(
    ///     v.finish().unwrap_err().to_string(),
    ///     "1 value breaks its schema:\n  /daily: is a named property: set its field instead of adding the key to the other keys"
    /// );
    /// ```
    pub fn keys_beside_named<T>(&mut self, extra: &BTreeMap<String, T>, named: &[&str]) {
        if extra.is_empty() {
            return;
        }
        for name in named {
            if extra.contains_key(*name) {
                self.at(name).report(Rule::NamedKeyAmongOthers);
            }
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
    pub fn range(&mut self, value: f64, bounds: Bounds) {
        if let Some(min) = bounds.minimum.filter(|&min| value < min) {
            self.report(Rule::Minimum {
                min,
                exclusive: false,
            });
        }
        if let Some(min) = bounds.exclusive_minimum.filter(|&min| value <= min) {
            self.report(Rule::Minimum {
                min,
                exclusive: true,
            });
        }
        if let Some(max) = bounds.maximum.filter(|&max| value > max) {
            self.report(Rule::Maximum {
                max,
                exclusive: false,
            });
        }
        if let Some(max) = bounds.exclusive_maximum.filter(|&max| value >= max) {
            self.report(Rule::Maximum {
                max,
                exclusive: true,
            });
        }
    }

    /// The whole schema as written, for what Rust types cannot say (`not`, `if`/`then`/`else`,
    /// `dependencies`, `oneOf`'s "exactly one", ...): `value` is checked with
    /// [`tray_schema`]'s checker, and each problem is reported at its pointer below the current
    /// one, unless a check of the types already reported that pointer (one report per place).
    ///
    /// ```
    /// use tray_auth::validate::{EmbeddedSchema, Validator};
    /// static SCHEMA: EmbeddedSchema = EmbeddedSchema::new(r#"{"properties": {"port": {"not": {"const": 0}}}}"#);
    /// let mut v = Validator::new();
    /// v.schema(&serde_json::json!({"port": 0}), &SCHEMA);
    /// assert_eq!(v.finish().unwrap_err().to_string(), "1 value breaks its schema:\n  /port: the value matches the `not` schema");
    /// ```
    pub fn schema<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
        schema: &'static EmbeddedSchema,
    ) {
        let Some(checker) = schema.checker() else {
            return self.report(Rule::UnreadableSchema);
        };
        let value = match serde_json::to_value(value) {
            Ok(value) => value,
            Err(_) => return self.report(Rule::UnreadableSchema),
        };
        let here = self.pointer();
        for problem in checker.check(&value) {
            let pointer = format!("{here}{}", problem.pointer);
            if self.violations.iter().any(|v| v.pointer == pointer) {
                continue;
            }
            self.violations.push(Violation {
                pointer,
                rule: Rule::Schema {
                    message: problem.message,
                },
            });
        }
    }

    /// The result: `Ok` when nothing was reported.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors {
                violations: self.violations,
            })
        }
    }
}

/// A [`Validator`] one level down; back up when dropped.
#[derive(Debug)]
pub struct Nested<'a> {
    validator: &'a mut Validator,
}

impl std::ops::Deref for Nested<'_> {
    type Target = Validator;
    fn deref(&self) -> &Validator {
        self.validator
    }
}

impl std::ops::DerefMut for Nested<'_> {
    fn deref_mut(&mut self) -> &mut Validator {
        self.validator
    }
}

impl Drop for Nested<'_> {
    fn drop(&mut self) {
        self.validator.path.pop();
    }
}

/// The value read by the first of `readers` that reads it into a value `validate()` accepts;
/// else by the first that reads it at all (its `validate()` says what is wrong); `None` when none
/// reads it. Generated untagged enums (`anyOf`, `oneOf`, type lists) read themselves with it, so
/// that a value one variant rejects and another accepts is read as the other.
///
/// ```
/// use tray_auth::validate::{first_valid, Validate, Validator};
/// #[derive(Debug, PartialEq)]
/// struct Short(String);
/// impl Validate for Short {
///     fn validate_with(&self, v: &mut Validator) { v.length(&self.0, None, Some(3)) }
/// }
/// let readers: [fn(&serde_json::Value) -> Option<Short>; 1] = [|v| v.as_str().map(|s| Short(s.into()))];
/// assert_eq!(first_valid(&serde_json::json!("abc"), &readers), Some(Short("abc".into())));
/// ```
pub fn first_valid<T: Validate>(
    value: &serde_json::Value,
    readers: &[fn(&serde_json::Value) -> Option<T>],
) -> Option<T> {
    let mut first = None;
    for read in readers {
        if let Some(candidate) = read(value) {
            if candidate.validate().is_ok() {
                return Some(candidate);
            }
            first.get_or_insert(candidate);
        }
    }
    first
}

/// A schema as written, embedded in generated code, for what its types cannot say: read once,
/// on first use, into [`tray_schema`]'s checker. See [`Validator::schema`].
pub struct EmbeddedSchema {
    source: &'static str,
    checker: OnceLock<Option<Checker>>,
}

impl EmbeddedSchema {
    /// The schema whose JSON text is `source`.
    pub const fn new(source: &'static str) -> Self {
        EmbeddedSchema {
            source,
            checker: OnceLock::new(),
        }
    }

    /// Its checker; `None` when `source` is not JSON (generated code always embeds JSON).
    pub fn checker(&self) -> Option<&Checker> {
        self.checker
            .get_or_init(|| {
                let schema = serde_json::from_str(self.source).ok()?;
                Some(Checker::read(&schema).0)
            })
            .as_ref()
    }
}

impl fmt::Debug for EmbeddedSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedSchema").finish_non_exhaustive()
    }
}

/// Numeric bounds of a schema, for [`Validator::range`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `exclusiveMinimum` (as a number, draft 6 on).
    pub exclusive_minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMaximum` (as a number, draft 6 on).
    pub exclusive_maximum: Option<f64>,
}

/// The rules [`Validator::any_value`] checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyValueRules {
    /// Bounds of a number.
    pub bounds: Bounds,
    /// `minLength` of a string.
    pub min_length: Option<u64>,
    /// `maxLength` of a string.
    pub max_length: Option<u64>,
    /// `pattern` of a string.
    pub pattern: Option<&'static Pattern>,
    /// `minItems` of an array.
    pub min_items: Option<u64>,
    /// `maxItems` of an array.
    pub max_items: Option<u64>,
    /// `uniqueItems` of an array.
    pub unique_items: bool,
}

/// Whether two JSON values are equal as JSON Schema compares them (`1 == 1.0`): the checker's
/// own equality, so `validate()` and the checker agree.
pub use tray_schema::check::json_equal;

/// A rule of the schema that a value breaks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// `pattern`.
    Pattern {
        /// The pattern.
        pattern: &'static str,
    },
    /// A `pattern` that is not an ECMAScript regular expression.
    UnsupportedPattern {
        /// The pattern.
        pattern: &'static str,
    },
    /// A `pattern` that is valid ECMAScript but cannot be checked faithfully
    /// ([`PatternEngine::Unsupported`]).
    UncheckablePattern {
        /// The pattern.
        pattern: &'static str,
        /// What it uses.
        reason: String,
    },
    /// A `pattern` that needs the backtracking engine, which gave up on this value (too many
    /// steps, or a value over [`BACKTRACKING_TEXT_LIMIT`] bytes): whether it matches is unknown.
    PatternTooCostly {
        /// The pattern.
        pattern: &'static str,
    },
    /// `minLength`.
    MinLength {
        /// The least number of characters.
        min: u64,
    },
    /// `maxLength`.
    MaxLength {
        /// The most characters.
        max: u64,
    },
    /// `minItems`.
    MinItems {
        /// The least number of items.
        min: u64,
    },
    /// `maxItems`.
    MaxItems {
        /// The most items.
        max: u64,
    },
    /// `uniqueItems`.
    UniqueItems,
    /// `enum` or `const`: the value is none of those the schema allows.
    NotAllowed,
    /// `minimum` or `exclusiveMinimum`.
    Minimum {
        /// The bound.
        min: f64,
        /// Whether the bound itself is out.
        exclusive: bool,
    },
    /// `maximum` or `exclusiveMaximum`.
    Maximum {
        /// The bound.
        max: f64,
        /// Whether the bound itself is out.
        exclusive: bool,
    },
    /// A rule of the schema as written that the types cannot say, found by
    /// [`Validator::schema`].
    Schema {
        /// What is wrong, as the checker says it (never quoting the value).
        message: String,
    },
    /// An [`EmbeddedSchema`] that is not JSON, or a value that cannot be turned into JSON: the
    /// value cannot be checked against it, so it is held against the value.
    UnreadableSchema,
    /// A key among a struct's other keys (its `extra` map) that names one of its properties
    /// ([`Validator::keys_beside_named`]).
    NamedKeyAmongOthers,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Pattern { pattern } => write!(f, "does not match the pattern `{pattern}`"),
            Rule::UnsupportedPattern { pattern } => {
                write!(f, "cannot be checked: the pattern `{pattern}` is not a valid ECMAScript regular expression")
            }
            Rule::UncheckablePattern { pattern, reason } => write!(
                f,
                "cannot be checked: the pattern `{pattern}` uses ECMAScript that cannot be checked faithfully ({reason})"
            ),
            Rule::PatternTooCostly { pattern } => write!(
                f,
                "is too costly to check against the pattern `{pattern}` (look-around, back-references and `\\b` need a backtracking engine, which gives up after {BACKTRACK_LIMIT} steps or on values over {BACKTRACKING_TEXT_LIMIT} bytes)"
            ),
            Rule::MinLength { min } => write!(f, "is shorter than {min} characters"),
            Rule::MaxLength { max } => write!(f, "is longer than {max} characters"),
            Rule::MinItems { min } => write!(f, "has fewer than {min} items"),
            Rule::MaxItems { max } => write!(f, "has more than {max} items"),
            Rule::UniqueItems => f.write_str("has repeated items, but they must be unique"),
            Rule::NotAllowed => f.write_str("is not one of the values the schema allows"),
            Rule::Minimum {
                min,
                exclusive: false,
            } => write!(f, "is less than the minimum {min}"),
            Rule::Minimum {
                min,
                exclusive: true,
            } => write!(f, "must be greater than {min}"),
            Rule::Maximum {
                max,
                exclusive: false,
            } => write!(f, "is greater than the maximum {max}"),
            Rule::Maximum {
                max,
                exclusive: true,
            } => write!(f, "must be less than {max}"),
            Rule::Schema { message } => f.write_str(message),
            Rule::UnreadableSchema => f.write_str(
                "cannot be checked: its schema, embedded in the generated code, cannot be read",
            ),
            Rule::NamedKeyAmongOthers => f.write_str(
                "is a named property: set its field instead of adding the key to the other keys",
            ),
        }
    }
}

/// One value that breaks its schema: where, and which rule. Never the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pointer: String,
    rule: Rule,
}

impl Violation {
    /// The JSON pointer of the value (`/credentials/dc`).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The rule it breaks.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.rule)
    }
}

/// Every violation found in a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// The violations, in the order the value was walked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.len() {
            1 => write!(f, "1 value breaks its schema:")?,
            n => write!(f, "{n} values break their schema:")?,
        }
        for violation in &self.violations {
            write!(f, "\n  {violation}")?;
        }
        Ok(())
    }
}

/// `Validate` for types whose values have nothing left to check at run time: what their
/// schema says, their Rust type already says. Generated code uses it for such types, instead
/// of an empty `impl` body each.
///
/// ```
/// struct Flag(bool);
/// tray_auth::nothing_to_check!(Flag);
/// # use tray_auth::Validate;
/// assert!(Flag(true).validate().is_ok());
/// ```
#[macro_export]
macro_rules! nothing_to_check {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::Validate for $ty {
            fn validate_with(&self, _: &mut $crate::validate::Validator) {}
        }
    )*};
}

crate::nothing_to_check!(
    String,
    (),
    bool,
    i64,
    f64,
    Secret,
    serde_json::Value,
    crate::NoScopes
);

impl<T: Validate> Validate for Option<T> {
    fn validate_with(&self, validator: &mut Validator) {
        if let Some(value) = self {
            value.validate_with(validator);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_with(&self, validator: &mut Validator) {
        for (i, item) in self.iter().enumerate() {
            item.validate_with(&mut validator.index(i));
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_with(&self, validator: &mut Validator) {
        (**self).validate_with(validator);
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_with(&self, validator: &mut Validator) {
        for (key, value) in self {
            value.validate_with(&mut validator.at(key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DIGITS: Pattern = Pattern::new("^[0-9]+$");
    static LOOKAHEAD: Pattern = Pattern::new("^(?=.*[A-Z])(?!.*\\s).+$");

    #[test]
    fn enum_const_and_unique_items_compare_numbers_by_value() {
        use serde_json::json;
        let mut v = Validator::new();
        v.allowed(&json!(1.0), &[json!(1)]);
        v.allowed(
            &json!({"b": [2], "a": null}),
            &[json!({"a": null, "b": [2.0]})],
        );
        v.unique(&[json!(1), json!("1"), json!(true)]);
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        v.at("a").allowed(&json!(0), &[json!(false)]);
        v.at("b").unique(&[json!([1]), json!([1.0])]);
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations()[0].rule(), &Rule::NotAllowed);
        assert_eq!(err.violations()[1].rule(), &Rule::UniqueItems);
        assert_eq!(err.to_string(), "2 values break their schema:\n  /a: is not one of the values the schema allows\n  /b: has repeated items, but they must be unique");
    }

    #[test]
    fn rules_without_a_type_apply_to_values_of_their_kind() {
        use serde_json::json;
        let rules = AnyValueRules {
            bounds: Bounds {
                maximum: Some(3.0),
                ..Bounds::default()
            },
            min_length: Some(2),
            max_items: Some(1),
            ..AnyValueRules::default()
        };
        let mut v = Validator::new();
        for fine in [
            json!(3),
            json!("ab"),
            json!([1]),
            json!(true),
            json!({"a": 9}),
        ] {
            v.any_value(&fine, &rules);
        }
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        for bad in [json!(3.5), json!("a"), json!([1, 2])] {
            v.any_value(&bad, &rules);
        }
        assert_eq!(v.finish().unwrap_err().violations().len(), 3);
    }

    #[test]
    fn pointers_escape_tokens() {
        let mut v = Validator::new();
        v.at("a/b").at("c~d").index(3).report(Rule::UniqueItems);
        v.at("up").report(Rule::UniqueItems);
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations()[0].pointer(), "/a~1b/c~0d/3");
        assert_eq!(err.violations()[1].pointer(), "/up");
    }

    #[test]
    fn patterns_are_searched_with_ecmascript_semantics() {
        let mut v = Validator::new();
        v.pattern("123", &DIGITS);
        v.pattern("Abc", &LOOKAHEAD);
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        v.at("x").pattern("12a", &DIGITS);
        v.at("y").pattern("abc def", &LOOKAHEAD);
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations().len(), 2);
        assert_eq!(
            err.violations()[1].to_string(),
            "/y: does not match the pattern `^(?=.*[A-Z])(?!.*\\s).+$`"
        );
    }

    #[test]
    fn the_schema_as_written_reports_each_place_once_and_never_the_value() {
        static SCHEMA: EmbeddedSchema = EmbeddedSchema::new(
            r#"{"properties": {"token": {"maxLength": 3, "not": {"pattern": "^hunter"}}, "n": {"multipleOf": 2}}}"#,
        );
        let value = serde_json::json!({"token": "hunter2", "n": 3});
        let mut v = Validator::new();
        // A check of the types already said what is wrong at /token.
        v.at("credentials")
            .at("token")
            .length("hunter2", None, Some(3));
        v.at("credentials").schema(&value, &SCHEMA);
        let err = v.finish().unwrap_err();
        let shown: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_eq!(shown[0], "/credentials/token: is longer than 3 characters");
        assert!(shown[1].starts_with("/credentials/n: "), "{shown:?}");
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn an_unreadable_embedded_schema_is_held_against_the_value() {
        static BROKEN: EmbeddedSchema = EmbeddedSchema::new("{not json");
        let mut v = Validator::new();
        v.at("x").schema(&1, &BROKEN);
        let err = v.finish().unwrap_err();
        assert_eq!(err.violations()[0].rule(), &Rule::UnreadableSchema);
        assert_eq!(err.violations()[0].pointer(), "/x");
    }

    #[test]
    fn bounds_and_lengths() {
        let mut v = Validator::new();
        v.length("héllo", Some(5), Some(5));
        v.range(
            5.0,
            Bounds {
                minimum: Some(5.0),
                maximum: Some(5.0),
                ..Bounds::default()
            },
        );
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        v.length("ab", Some(3), None);
        v.range(
            5.0,
            Bounds {
                exclusive_maximum: Some(5.0),
                ..Bounds::default()
            },
        );
        v.items(3, None, Some(2));
        v.unique(&[1, 2, 1]);
        let rules: Vec<_> = v
            .finish()
            .unwrap_err()
            .violations()
            .iter()
            .map(|x| x.rule().clone())
            .collect();
        assert_eq!(
            rules,
            vec![
                Rule::MinLength { min: 3 },
                Rule::Maximum {
                    max: 5.0,
                    exclusive: true
                },
                Rule::MaxItems { max: 2 },
                Rule::UniqueItems
            ]
        );
    }
}
