//! Checks a value against one of Tray's loose JSON Schemas, as Tray does when an
//! authentication is created.
//!
//! Tray's schemas mix dialects, so this takes all of them: draft-03 `"required": true` on a
//! property as well as `required` arrays, type lists (`["string", "number"]`) and draft-03's
//! `"any"`, `enum`, `additionalProperties` (false or a schema), nested `properties` and
//! `items`, string lengths and `pattern`, numeric bounds (draft-04 boolean and draft-06
//! numeric exclusive bounds), item counts and `uniqueItems`. Keywords it does not know (such
//! as NetSuite's misspelt `tytpe`) are ignored, as a validator ignores unknown keywords.
//!
//! Messages follow the validator behind Tray's API (`#/pointer: what is wrong`) but never
//! quote the value, which may be a credential.

use serde_json::{Map, Value};
use tray_auth::validate::{CompiledPattern, Search};

/// Checks `value` against `schema`; each problem is pushed to `problems` as
/// `#/pointer: what is wrong`. `pointer` is where `value` sits (`/credentials`).
pub(crate) fn check(schema: &Value, value: &Value, pointer: &str, problems: &mut Vec<String>) {
    let Value::Object(schema) = schema else {
        return;
    };
    let at = if pointer.is_empty() {
        "#".to_owned()
    } else {
        format!("#{pointer}")
    };

    if let Some(types) = schema.get("type") {
        if let Some(expected) = type_mismatch(types, value) {
            problems.push(format!(
                "{at}: expected type: {expected}, found: {}",
                type_name(value)
            ));
            // Deeper checks would only repeat the same problem.
            return;
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.iter().any(|a| json_eq(a, value)) {
            let listed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
            problems.push(format!(
                "{at}: the value is not one of the enum values [{}]",
                listed.join(", ")
            ));
        }
    }
    match value {
        Value::Object(object) => check_object(schema, object, pointer, &at, problems),
        Value::Array(items) => check_array(schema, items, pointer, &at, problems),
        Value::String(text) => check_string(schema, text, &at, problems),
        Value::Number(number) => {
            if let Some(number) = number.as_f64() {
                check_number(schema, number, &at, problems);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

fn check_object(
    schema: &Map<String, Value>,
    object: &Map<String, Value>,
    pointer: &str,
    at: &str,
    problems: &mut Vec<String>,
) {
    let properties = schema.get("properties").and_then(Value::as_object);
    if let Some(properties) = properties {
        for (key, property) in properties {
            match object.get(key) {
                Some(child) => check(
                    property,
                    child,
                    &format!("{pointer}/{}", escape(key)),
                    problems,
                ),
                // draft-03: the property itself says it is required.
                None if property.get("required") == Some(&Value::Bool(true)) => {
                    problems.push(format!("{at}: required key [{key}] not found"));
                }
                None => {}
            }
        }
    }
    if let Some(Value::Array(required)) = schema.get("required") {
        for key in required.iter().filter_map(Value::as_str) {
            let already = properties
                .and_then(|p| p.get(key))
                .and_then(|p| p.get("required"))
                == Some(&Value::Bool(true));
            if !object.contains_key(key) && !already {
                problems.push(format!("{at}: required key [{key}] not found"));
            }
        }
    }
    let extra = object
        .iter()
        .filter(|(key, _)| !properties.is_some_and(|p| p.contains_key(*key)));
    match schema.get("additionalProperties") {
        Some(Value::Bool(false)) => {
            for (key, _) in extra {
                problems.push(format!("{at}: extraneous key [{key}] is not permitted"));
            }
        }
        Some(additional @ Value::Object(_)) => {
            for (key, child) in extra {
                check(
                    additional,
                    child,
                    &format!("{pointer}/{}", escape(key)),
                    problems,
                );
            }
        }
        _ => {}
    }
}

fn check_array(
    schema: &Map<String, Value>,
    items: &[Value],
    pointer: &str,
    at: &str,
    problems: &mut Vec<String>,
) {
    match schema.get("items") {
        Some(each @ Value::Object(_)) => {
            for (i, item) in items.iter().enumerate() {
                check(each, item, &format!("{pointer}/{i}"), problems);
            }
        }
        Some(Value::Array(tuple)) => {
            for (i, (item, each)) in items.iter().zip(tuple).enumerate() {
                check(each, item, &format!("{pointer}/{i}"), problems);
            }
        }
        _ => {}
    }
    let count = items.len() as u64;
    if let Some(min) = schema
        .get("minItems")
        .and_then(Value::as_u64)
        .filter(|&min| count < min)
    {
        problems.push(format!(
            "{at}: expected minimum item count: {min}, found: {count}"
        ));
    }
    if let Some(max) = schema
        .get("maxItems")
        .and_then(Value::as_u64)
        .filter(|&max| count > max)
    {
        problems.push(format!(
            "{at}: expected maximum item count: {max}, found: {count}"
        ));
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true))
        && items
            .iter()
            .enumerate()
            .any(|(i, item)| items[..i].iter().any(|before| json_eq(before, item)))
    {
        problems.push(format!("{at}: array items are not unique"));
    }
}

fn check_string(schema: &Map<String, Value>, text: &str, at: &str, problems: &mut Vec<String>) {
    let length = text.chars().count() as u64;
    if let Some(min) = schema
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|&min| length < min)
    {
        problems.push(format!("{at}: expected minLength: {min}, actual: {length}"));
    }
    if let Some(max) = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .filter(|&max| length > max)
    {
        problems.push(format!("{at}: expected maxLength: {max}, actual: {length}"));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        check_pattern(pattern, text, at, problems);
    }
}

/// The runtime's engine choice, so the fake answers as `validate()` does: in linear time, or
/// with the same step limit. A pattern it cannot check is not held against the value (as the
/// generator leaves it out).
fn check_pattern(pattern: &str, text: &str, at: &str, problems: &mut Vec<String>) {
    match CompiledPattern::new(pattern).search(text) {
        Search::NotFound => {
            problems.push(format!("{at}: string does not match pattern {pattern}"));
        }
        Search::TooCostly => problems.push(format!(
            "{at}: string is too costly to check against pattern {pattern}"
        )),
        _ => {}
    }
}

fn check_number(schema: &Map<String, Value>, number: f64, at: &str, problems: &mut Vec<String>) {
    let flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if number < min || (flag("exclusiveMinimum") && number == min) {
            let how = if flag("exclusiveMinimum") {
                "greater than"
            } else {
                "greater or equal to"
            };
            problems.push(format!("{at}: the value is not {how} {min}"));
        }
    }
    if let Some(min) = schema
        .get("exclusiveMinimum")
        .and_then(Value::as_f64)
        .filter(|&min| number <= min)
    {
        problems.push(format!("{at}: the value is not greater than {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if number > max || (flag("exclusiveMaximum") && number == max) {
            let how = if flag("exclusiveMaximum") {
                "less than"
            } else {
                "less or equal to"
            };
            problems.push(format!("{at}: the value is not {how} {max}"));
        }
    }
    if let Some(max) = schema
        .get("exclusiveMaximum")
        .and_then(Value::as_f64)
        .filter(|&max| number >= max)
    {
        problems.push(format!("{at}: the value is not less than {max}"));
    }
}

/// `Some(expected)` when `value` is none of the types `types` allows.
fn type_mismatch(types: &Value, value: &Value) -> Option<String> {
    let names: Vec<&str> = match types {
        Value::String(name) => vec![name.as_str()],
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if names.is_empty() || names.iter().any(|name| type_fits(name, value)) {
        return None;
    }
    let pretty: Vec<String> = names.iter().map(|name| capitalized(name)).collect();
    Some(match pretty.as_slice() {
        [one] => one.clone(),
        many => format!("one of [{}]", many.join(", ")),
    })
}

fn type_fits(name: &str, value: &Value) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        // draft-03's "any", and names no draft has: nothing to hold against the value.
        _ => true,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// JSON equality, with numbers compared by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| json_eq(x, y)))
        }
        _ => a == b,
    }
}

/// RFC 6901 escaping of one pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod pattern_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(schema: Value, value: Value) -> Vec<String> {
        let mut problems = Vec::new();
        check(&schema, &value, "/credentials", &mut problems);
        problems
    }

    #[test]
    fn draft_03_and_draft_04_required_both_count() {
        let schema = json!({
            "type": "object",
            "properties": { "a": { "type": "string", "required": true }, "b": { "type": "string" } },
            "required": ["a", "b"]
        });
        assert_eq!(
            problems(schema, json!({})),
            [
                "#/credentials: required key [a] not found",
                "#/credentials: required key [b] not found"
            ]
        );
    }

    #[test]
    fn netsuite_typo_means_no_type() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"object","schema":"http://json-schema.org/draft-03/schema",
                "properties":{"account":{"tytpe":"string"},"role":{"type":"integer"}},
                "additionalProperties":false,"required":["account","role"]}"#,
        )
        .unwrap();
        assert!(problems(schema.clone(), json!({"account": 12, "role": 3})).is_empty());
        assert_eq!(
            problems(schema, json!({"account": "a", "role": "admin", "extra": 1})),
            [
                "#/credentials/role: expected type: Integer, found: String",
                "#/credentials: extraneous key [extra] is not permitted"
            ]
        );
    }

    #[test]
    fn type_lists_enums_and_nesting() {
        let schema = json!({
            "type": "object",
            "properties": {
                "port": { "type": ["string", "number"] },
                "kind": { "enum": ["cloud", "server"] },
                "headers": { "type": "array", "items": {
                    "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"]
                }, "maxItems": 1, "uniqueItems": true }
            }
        });
        assert!(problems(
            schema.clone(),
            json!({"port": 8080, "kind": "cloud", "headers": [{"name": "x"}]})
        )
        .is_empty());
        assert_eq!(
            problems(schema, json!({"port": true, "kind": "moon", "headers": [{}, {}]})),
            [
                "#/credentials/port: expected type: one of [String, Number], found: Boolean",
                "#/credentials/kind: the value is not one of the enum values [\"cloud\", \"server\"]",
                "#/credentials/headers/0: required key [name] not found",
                "#/credentials/headers/1: required key [name] not found",
                "#/credentials/headers: expected maximum item count: 1, found: 2",
                "#/credentials/headers: array items are not unique",
            ]
        );
    }

    #[test]
    fn strings_and_numbers_never_quote_the_value() {
        let schema = json!({
            "type": "object",
            "properties": {
                "dc": { "type": "string", "pattern": "^[a-z]+[0-9]+$", "maxLength": 8 },
                "expires_in": { "type": "integer", "minimum": 0 }
            }
        });
        let found = problems(schema, json!({"dc": "s3cr3t-value!", "expires_in": -5}));
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|p| !p.contains("s3cr3t") && !p.contains("-5")),
            "{found:?}"
        );
    }

    #[test]
    fn empty_and_odd_schemas_accept_anything() {
        assert!(problems(json!({}), json!({"anything": [1, 2]})).is_empty());
        assert!(problems(json!(true), json!(1)).is_empty());
        assert!(problems(json!({"type": "any"}), json!(null)).is_empty());
        assert!(problems(json!({"pattern": "("}), json!("x")).is_empty());
    }
}
