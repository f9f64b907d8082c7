//! What the doc comment of each planned item says: the schema's title and description, else
//! where the item comes from; for a field, also what `validate()` checks on it, why it is any
//! JSON value when it is one, and its format, default and examples.
//!
//! Schema text goes through [`crate::doc::schema_text`]: rendered as text, never as code or
//! links. What the generator writes may link to the types beside the item (``[`Credentials`]``).

use serde_json::Value;

use super::{Checks, Ty};
use crate::doc::literal;
use crate::schema::{Constraints, Schema};

/// Property names that say what role a value plays in JSON, not what it is: a type planned for
/// such a property is named after the property's title when it has a short one (`type` titled
/// "Deployment" gives `Deployment`, not `Type`). Names that mean something in Tray's words
/// (`region`, `credentials`, `scope`, `mode`) are kept, even when a title says more.
pub(super) const ROLE_NAMES: &[&str] = &[
    "type",
    "kind",
    "value",
    "values",
    "item",
    "items",
    "data",
    "config",
    "configuration",
    "settings",
    "options",
    "option",
    "params",
    "parameters",
    "properties",
    "object",
    "info",
    "details",
    "entry",
];

/// The longest title (in words) a type is named after: longer ones are sentences, not names.
const MAX_TITLE_WORDS: usize = 4;

/// What a type planned for the property `name` (titled `title`) is named after.
pub(super) fn type_hint<'a>(name: &'a str, title: Option<&'a str>) -> &'a str {
    let role = ROLE_NAMES.contains(&name.to_ascii_lowercase().as_str());
    let usable = |title: &&str| {
        let words = title.split_whitespace().count();
        (1..=MAX_TITLE_WORDS).contains(&words)
            && title.chars().any(|c| c.is_ascii_alphabetic())
            && !ROLE_NAMES.contains(&crate::names::snake(title).trim_end_matches('_'))
    };
    match title.map(str::trim).filter(usable) {
        Some(title) if role => title,
        _ => name,
    }
}

/// The doc of a type: the schema's title and description, else `origin` (what the generator
/// knows of where it comes from: "The `header` property of [`Credentials`]").
pub(super) fn type_doc(schema: &Schema, origin: &str) -> Vec<String> {
    let mut doc = schema_text(schema);
    if doc.is_empty() {
        doc.push(sentence(origin));
    }
    doc
}

/// The schema's title and description, rendered as text.
pub(super) fn schema_text(schema: &Schema) -> Vec<String> {
    let mut doc = Vec::new();
    push_text(&mut doc, schema.title.as_deref());
    if schema.description.as_deref().map(str::trim) != schema.title.as_deref().map(str::trim) {
        push_text(&mut doc, schema.description.as_deref());
    }
    doc
}

/// `origin` as a sentence: capitalized, with a full stop.
pub(super) fn sentence(origin: &str) -> String {
    let mut chars = origin.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// What a field's doc says besides the schema's text.
pub(super) struct FieldFacts<'a> {
    /// Where the property is, for a field the schema says nothing of.
    pub origin: &'a str,
    /// The field's type.
    pub ty: &'a Ty,
    /// Whether the property must be present (a default never applies then).
    pub required: bool,
    /// The schema's default, when it fits the type.
    pub default: Option<&'a Value>,
    /// The examples kept.
    pub examples: &'a [Value],
    /// What `validate()` checks on the value.
    pub checks: &'a Checks,
    /// Why the value is any JSON value, when the type holds `serde_json::Value`.
    pub any_value: Option<&'a str>,
    /// The root type whose `validate()` checks the schema as written, when one does.
    pub whole_schema: Option<&'a str>,
}

/// A field's doc: the schema's title and description (else where the property is), then its
/// facts: why it is any JSON value, what `validate()` checks, the format, default and examples.
pub(super) fn field_doc(schema: &Schema, facts: &FieldFacts) -> Vec<String> {
    let mut doc = schema_text(schema);
    if doc.is_empty() {
        doc.push(sentence(facts.origin));
    }
    let mut lines = Vec::new();
    lines.extend(any_value_line(facts.ty, facts.any_value));
    let any_kind = matches!(strip(facts.ty), Ty::Value);
    lines.extend(checks_line(facts.checks).map(|line| {
        // A value of any kind is held to the rules about its kind only (JSON Schema's way).
        if any_kind && !facts.checks.constraints.is_empty() {
            format!("{line} Each rule applies to values of the kind it is about.")
        } else {
            line
        }
    }));
    if let Some(root) = facts.whole_schema {
        lines.extend(whole_schema_line(schema, root));
    }
    let mut rest = Vec::new();
    if let Some(format) = schema.format.as_deref().filter(|f| *f != "password") {
        rest.push(format!(
            "Format: {} (a hint: `validate()` does not check it).",
            literal(format)
        ));
    }
    if let Some(default) = facts.default.filter(|_| !facts.required) {
        rest.push(format!("Default: `{}`.", compact(default)));
    }
    match facts.examples {
        [] => {}
        [one] => rest.push(format!("Example: `{}`.", compact(one))),
        many => rest.push(format!("Examples: {}.", listed(many, usize::MAX))),
    }
    lines.extend((!rest.is_empty()).then(|| rest.join(" ")));
    for line in lines {
        doc.push(String::new());
        doc.push(line);
    }
    doc
}

/// Why a field holding `serde_json::Value` does, said where the value is in its type.
pub(super) fn any_value_line(ty: &Ty, why: Option<&str>) -> Option<String> {
    let why = why?;
    let what = match strip(ty) {
        Ty::Value => "Any JSON value (`serde_json::Value`)",
        Ty::Vec(item) if **item == Ty::Value => "Each item is any JSON value",
        Ty::Map(value) if **value == Ty::Value => "Each value is any JSON value",
        _ => return None,
    };
    Some(format!("{what}: {why}."))
}

/// `ty` without the `Option`s and `Box`es around it.
fn strip(mut ty: &Ty) -> &Ty {
    while let Ty::Option(inner) | Ty::Box(inner) = ty {
        ty = inner;
    }
    ty
}

/// What `validate()` checks on a value, as one line: "Checked by `validate()`: at most 40
/// characters; matches the pattern `^[a-z]+$`."
pub(crate) fn checks_line(checks: &Checks) -> Option<String> {
    let phrases = check_phrases(checks);
    (!phrases.is_empty()).then(|| format!("Checked by `validate()`: {}.", phrases.join("; ")))
}

/// A phrase per check, each item's and each value's included.
fn check_phrases(checks: &Checks) -> Vec<String> {
    let mut phrases = constraint_phrases(&checks.constraints);
    if let Some(allowed) = &checks.allowed {
        const SHOWN: usize = 10;
        let more = allowed.len().saturating_sub(SHOWN);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        phrases.push(format!("one of {}{tail}", listed(allowed, SHOWN)));
    }
    for (what, nested) in [("each item", &checks.items), ("each value", &checks.values)] {
        if let Some(nested) = nested {
            let inner = check_phrases(nested);
            if !inner.is_empty() {
                phrases.push(format!("{what}: {}", inner.join(", ")));
            }
        }
    }
    phrases
}

/// A phrase per rule of `c`, in the words of what the value must be.
fn constraint_phrases(c: &Constraints) -> Vec<String> {
    let mut phrases = Vec::new();
    phrases.extend(count_phrase(
        c.min_length,
        c.max_length,
        ("character", "characters"),
    ));
    if let Some(pattern) = &c.pattern {
        phrases.push(format!("matches the pattern {}", literal(pattern)));
    }
    let bounds = [
        ("at least", c.minimum),
        ("greater than", c.exclusive_minimum),
        ("at most", c.maximum),
        ("less than", c.exclusive_maximum),
    ];
    for (words, bound) in bounds {
        if let Some(bound) = bound {
            phrases.push(format!("{words} {}", number(bound)));
        }
    }
    phrases.extend(count_phrase(c.min_items, c.max_items, ("item", "items")));
    if c.unique_items {
        phrases.push("no two items equal".to_owned());
    }
    phrases
}

/// "exactly 40 characters", "1 to 10 items", "at least 1 item", "at most 255 characters".
fn count_phrase(min: Option<u64>, max: Option<u64>, unit: (&str, &str)) -> Option<String> {
    let units = |n: u64| format!("{n} {}", if n == 1 { unit.0 } else { unit.1 });
    Some(match (min, max) {
        (Some(min), Some(max)) if min == max => format!("exactly {}", units(max)),
        (Some(min), Some(max)) => format!("{min} to {}", units(max)),
        (Some(min), None) => format!("at least {}", units(min)),
        (None, Some(max)) => format!("at most {}", units(max)),
        (None, None) => return None,
    })
}

/// The rules of `schema` that only the schema as written checks (`validate()` of `root`
/// checks values against it), as one line.
fn whole_schema_line(schema: &Schema, root: &str) -> Option<String> {
    let rules = &schema.rules;
    let mut phrases = Vec::new();
    if let Some(m) = rules.multiple_of {
        phrases.push(format!("a multiple of {}", number(m)));
    }
    phrases.extend(count_phrase(
        rules.min_properties,
        rules.max_properties,
        ("property", "properties"),
    ));
    (!phrases.is_empty()).then(|| {
        format!(
            "Checked against the schema as written by the `validate()` of [`{root}`]: {}.",
            phrases.join("; ")
        )
    })
}

/// A number as a schema would write it: `0`, `2.5`.
pub(super) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The doc of an enum variant for a JSON value, with its `enumLabels` label when it has one.
pub(super) fn variant_doc(label: Option<&String>, value: &Value) -> Vec<String> {
    let json = format!("`{}`", compact(value));
    let label = label
        .map(|l| crate::doc::schema_text(l).join(" "))
        .filter(|l| !l.is_empty() && Some(l.as_str()) != value.as_str());
    match label {
        Some(label) => vec![format!("{label} ({json} in JSON)")],
        None => vec![format!("{json} in JSON.")],
    }
}

/// Values for a doc comment, at most `shown` of them.
fn listed(values: &[Value], shown: usize) -> String {
    values
        .iter()
        .take(shown)
        .map(|v| format!("`{}`", compact(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value for a doc comment: short, on one line, backticks replaced.
pub(super) fn compact(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let text = text.replace('`', "'");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Adds schema text, one line per paragraph and per list item ([`crate::doc::schema_text`]).
pub(super) fn push_text(doc: &mut Vec<String>, text: Option<&str>) {
    let lines = crate::doc::schema_text(text.unwrap_or_default());
    if lines.is_empty() {
        return;
    }
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.extend(lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_give_way_to_short_titles() {
        assert_eq!(type_hint("type", Some("Deployment")), "Deployment");
        assert_eq!(type_hint("Kind", Some(" SSL mode ")), "SSL mode");
        assert_eq!(
            type_hint("type", Some("The kind of deployment to use here")),
            "type"
        );
        assert_eq!(type_hint("type", Some("Type")), "type");
        assert_eq!(type_hint("type", Some("!!")), "type");
        assert_eq!(type_hint("region", Some("AWS region")), "region");
        assert_eq!(type_hint("type", None), "type");
    }

    #[test]
    fn checks_read_as_what_the_value_must_be() {
        let checks = Checks {
            constraints: Constraints {
                min_length: Some(40),
                max_length: Some(40),
                pattern: Some("^[a-f0-9]+$".into()),
                exclusive_minimum: Some(0.0),
                maximum: Some(2.5),
                ..Constraints::default()
            },
            items: Some(Box::new(Checks {
                constraints: Constraints {
                    min_length: Some(1),
                    ..Constraints::default()
                },
                ..Checks::default()
            })),
            ..Checks::default()
        };
        assert_eq!(
            checks_line(&checks).unwrap(),
            "Checked by `validate()`: exactly 40 characters; matches the pattern `^[a-f0-9]+$`; \
             greater than 0; at most 2.5; each item: at least 1 character."
        );
        assert_eq!(checks_line(&Checks::default()), None);
    }
}
