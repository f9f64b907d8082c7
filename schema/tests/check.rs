//! The checker's problems as a user reads them: pointers into the value, messages that never
//! quote it, and bounds on deep values and hostile patterns.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tray_schema::{Checker, Effect};

fn shown(schema: Value, value: Value) -> Vec<String> {
    let (checker, _) = Checker::read(&schema);
    checker
        .check(&value)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn pointers_escape_slash_and_tilde_in_keys() {
    let schema = json!({
        "type": "object",
        "properties": {
            "a/b": {"type": "integer"},
            "m~n": {"type": "array", "items": {"type": "string"}}
        }
    });
    assert_eq!(
        shown(schema, json!({"a/b": "x", "m~n": ["ok", 3]})),
        [
            "#/a~1b: expected type: Integer, found: String",
            "#/m~0n/1: expected type: String, found: Integer",
        ]
    );
}

#[test]
fn each_violation_is_one_problem_where_it_is() {
    let schema = json!({
        "type": "object",
        "properties": {
            "dc": {"type": "string", "minLength": 2, "pattern": "^[a-z]+[0-9]+$"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "mode": {"enum": ["cloud", "server"]},
            "tags": {"type": "array", "maxItems": 1, "uniqueItems": true}
        },
        "required": ["dc", "token"],
        "additionalProperties": false
    });
    assert_eq!(
        shown(
            schema,
            json!({"dc": "x", "port": 1.5e6, "mode": "moon", "tags": [1, 1.0], "extra": true})
        ),
        [
            "#/dc: expected minLength: 2, actual: 1",
            "#/dc: string does not match pattern ^[a-z]+[0-9]+$",
            "#/port: the value is not less or equal to 65535",
            "#/mode: the value is not one of the enum values [\"cloud\", \"server\"]",
            "#/tags: expected maximum item count: 1, found: 2",
            "#/tags: array items are not unique",
            "#: required key [token] not found",
            "#: extraneous key [extra] is not permitted",
        ]
    );
}

#[test]
fn no_message_quotes_the_value() {
    let schema = json!({
        "type": "object",
        "properties": {
            "password": {"type": "string", "maxLength": 3, "pattern": "^[0-9]+$"},
            "dc": {"type": "string", "enum": ["us1"], "not": {"pattern": "hunter"}},
            "n": {"type": "integer"},
            "pick": {"oneOf": [{"type": "integer"}, {"const": "x"}]},
            "list": {"contains": {"const": 1}, "items": {"format": "password", "minLength": 20}}
        },
        "propertyNames": {"maxLength": 8},
        "additionalProperties": false
    });
    let value = json!({
        "password": "hunter2", "dc": "hunter2", "n": "hunter2", "pick": "hunter2",
        "list": ["hunter2"]
    });
    let (checker, _) = Checker::read(&schema);
    let problems = checker.check(&value);
    assert!(problems.len() >= 7, "{problems:?}");
    for problem in &problems {
        assert!(!problem.to_string().contains("hunter2"), "{problem}");
        // Nor its length, where the value is a secret.
        if problem.secret {
            assert!(!problem.message.contains('7'), "{problem}");
        }
    }
    let secret = |pointer: &str| problems.iter().any(|p| p.pointer == pointer && p.secret);
    assert!(secret("/password") && secret("/list/0") && !secret("/dc"));
}

#[test]
fn one_of_any_of_and_refs_are_checked() {
    let schema = json!({
        "definitions": {"port": {"type": "integer", "minimum": 1}},
        "type": "object",
        "properties": {
            "auth": {"oneOf": [
                {"type": "object", "properties": {"kind": {"const": "key"}, "key": {"type": "string"}}, "required": ["kind", "key"]},
                {"type": "object", "properties": {"kind": {"const": "oauth"}}, "required": ["kind"]}
            ]},
            "either": {"anyOf": [{"type": "string"}, {"minimum": 0}]},
            "port": {"$ref": "#/definitions/port"}
        }
    });
    let (checker, diagnostics) = Checker::read(&schema);
    assert!(
        diagnostics.iter().all(|d| d.effect != Effect::Unchecked),
        "{diagnostics:?}"
    );
    assert!(
        checker.is_valid(&json!({"auth": {"kind": "key", "key": "k"}, "either": 3, "port": 8080}))
    );
    assert_eq!(
        checker
            .check(&json!({"auth": {"kind": "key"}, "either": -1, "port": 0}))
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "#/auth: the value matches none of the `oneOf` schemas",
            // The variant whose tag matches says what is missing.
            "#/auth: required key [key] not found",
            "#/either: the value matches none of the `anyOf` schemas",
            "#/port: the value is not greater or equal to 1",
        ]
    );
    // `anyOf` lets both match; `oneOf` does not.
    let both = json!({"oneOf": [{"type": "integer"}, {"minimum": 2}]});
    assert_eq!(
        shown(both, json!(3)),
        ["#: the value matches more than one of the `oneOf` schemas; exactly one must match"]
    );
}

#[test]
fn check_at_checks_against_a_sub_schema() {
    let schema = json!({"type": "object", "properties": {"region": {"enum": ["eu", "us"]}}});
    let (checker, _) = Checker::read(&schema);
    assert_eq!(
        checker.check_at("/properties/region", &json!("eu")),
        Some(Vec::new())
    );
    assert_eq!(
        checker
            .check_at("/properties/region", &json!("moon"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(checker.check_at("/properties/nowhere", &json!(1)), None);
}

/// A value nested deeper than any stack allows, built in code (serde_json parses 128 levels).
fn nested_arrays(depth: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// Takes a deep value apart level by level: dropping it whole would recurse.
fn dismantle(mut value: Value) {
    while let Value::Array(items) = &mut value {
        match items.pop() {
            Some(inner) => value = inner,
            None => break,
        }
    }
}

#[test]
fn deep_values_do_not_overflow_the_stack() {
    let value = nested_arrays(100_000);
    let schema = json!({"definitions": {"deep": {"type": ["array", "integer"], "items": {"$ref": "#/definitions/deep"}, "uniqueItems": true}}, "$ref": "#/definitions/deep"});
    let (checker, _) = Checker::read(&schema);
    let problems = checker.check(&value);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("nested more than"),
        "{problems:?}"
    );
    assert!(!checker.is_valid(&value));
    // A schema that says nothing about items does not go down at all.
    let (anything, _) = Checker::read(&json!({"type": "array"}));
    assert!(anything.is_valid(&value));
    // Nor does a schema that refers to itself without going down the value.
    let (looping, _) = Checker::read(
        &json!({"definitions": {"a": {"allOf": [{"$ref": "#/definitions/a"}]}}, "$ref": "#/definitions/a"}),
    );
    assert!(!looping.is_valid(&json!(1)));
    dismantle(value);
}

#[test]
fn hostile_patterns_take_bounded_time() {
    let schema = json!({"type": "string", "pattern": "^(a+)+\\1$"});
    let (checker, _) = Checker::read(&schema);
    let value = Value::String(format!("{}!", "a".repeat(5_000)));
    let start = Instant::now();
    let problems = checker.check(&value);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn draft_7_details() {
    // 1.0 is an integer; lengths count code points; numbers compare by value.
    assert!(shown(json!({"type": "integer"}), json!(1.0)).is_empty());
    assert!(shown(json!({"maxLength": 2}), json!("éé")).is_empty());
    assert!(shown(json!({"enum": [1, "a", null]}), json!(1.0)).is_empty());
    assert_eq!(shown(json!({"enum": [1, "a", null]}), json!(2)).len(), 1);
    // Keywords for other types say nothing; `false` accepts nothing.
    assert!(shown(json!({"properties": {"a": {"type": "string"}}}), json!([1])).is_empty());
    assert_eq!(
        shown(json!({"properties": {"a": false}}), json!({"a": 1})),
        ["#/a: no value is allowed here"]
    );
    // allOf of bounds is a number check, not an object.
    let all = json!({"allOf": [{"minimum": 20}, {"maximum": 30}]});
    assert!(shown(all.clone(), json!(25)).is_empty());
    assert!(shown(all.clone(), json!("x")).is_empty());
    assert_eq!(
        shown(all, json!(31)),
        ["#: the value is not less or equal to 30"]
    );
    // patternProperties apply to named properties too; additionalProperties to the rest.
    let patterns = json!({"properties": {"ab": {}}, "patternProperties": {"^a": {"type": "integer"}, "b$": {"minimum": 5}}, "additionalProperties": false});
    assert_eq!(
        shown(patterns, json!({"ab": 3, "c": 1})),
        [
            "#/ab: the value is not greater or equal to 5",
            "#: extraneous key [c] is not permitted"
        ]
    );
    // Draft-03 `required: true` and the NetSuite typo.
    let draft3 =
        json!({"type": "object", "properties": {"account": {"tytpe": "string", "required": true}}});
    assert_eq!(
        shown(draft3.clone(), json!({})),
        ["#: required key [account] not found"]
    );
    assert!(shown(draft3, json!({"account": 12})).is_empty());
}

#[test]
fn warnings_say_what_only_the_types_miss() {
    let schema = json!({"type": "object", "multipleOf": 2, "properties": {"p": {"type": "string", "pattern": "(?<=a)b", "minLength": "x"}}});
    let (_, diagnostics) = Checker::read(&schema);
    let effect = |pointer: &str| {
        diagnostics
            .iter()
            .find(|d| d.pointer == pointer)
            .map(|d| d.effect)
    };
    assert_eq!(effect("/multipleOf"), Some(Effect::Types));
    assert_eq!(effect("/properties/p/minLength"), Some(Effect::Unchecked));
    assert!(diagnostics
        .iter()
        .find(|d| d.pointer == "/multipleOf")
        .is_some_and(|d| d.message.contains("not checked by the generated types")));
}

#[test]
fn nested_choices_take_bounded_time() {
    // Each level offers two variants that both go down a level: 2^depth ways to check, in a
    // schema of 30 small definitions.
    let mut definitions = serde_json::Map::new();
    definitions.insert("l0".into(), json!({"type": "integer"}));
    for level in 1..=30 {
        let below = json!({"items": {"$ref": format!("#/definitions/l{}", level - 1)}});
        definitions.insert(
            format!("l{level}"),
            json!({"oneOf": [below.clone(), below]}),
        );
    }
    let schema = json!({"definitions": definitions, "$ref": "#/definitions/l30"});
    let (checker, _) = Checker::read(&schema);
    let mut value = json!("not an integer");
    for _ in 0..30 {
        value = json!([value]);
    }
    let start = Instant::now();
    let problems = checker.check(&value);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["#: too costly to check: more than 1000000 schemas would be applied"]
    );
    assert!(!checker.is_valid(&value));
}

#[test]
fn unique_items_compares_as_json_schema_does_and_scales_with_the_list() {
    use tray_schema::check::unique_items;
    // Equal as JSON Schema says: numbers by value, objects whatever the order of their keys.
    assert!(!unique_items(&[json!(1), json!(1.0)]));
    assert!(!unique_items(&[json!(0.0), json!(-0.0)]));
    assert!(!unique_items(&[
        json!({"a": 1, "b": [2, {"c": 3}]}),
        json!({"b": [2.0, {"c": 3}], "a": 1.0})
    ]));
    // Different kinds, lengths and nesting are told apart.
    assert!(unique_items(&[
        json!(1),
        json!(true),
        json!("1"),
        json!([1]),
        json!([[1]]),
        json!({"a": 1}),
        json!({"a": 1, "b": null}),
        json!(null),
        json!(9007199254740993_u64),
        json!(9007199254740992_u64),
    ]));
    // A long list (as an imported row may hold) is checked in one pass, not item by item
    // against every earlier one: 200,000 items would be 2*10^10 comparisons that way.
    let mut items: Vec<Value> = (0..200_000)
        .map(|i| json!({"id": i, "tags": [i % 7]}))
        .collect();
    assert!(unique_items(&items));
    items.push(json!({"tags": [199_999.0 % 7.0], "id": 199_999.0}));
    assert!(!unique_items(&items));
    let schema = json!({"type": "array", "uniqueItems": true});
    assert_eq!(
        shown(schema, Value::Array(items)),
        ["#: array items are not unique"]
    );
}

#[test]
fn parts_that_could_not_be_read_do_not_make_one_of_not_or_if_refuse() {
    // Faros's `edition_configs` is a `oneOf` of two files; read without the files, each branch
    // is any value, and "exactly one" would refuse every value. It accepts them instead (the
    // reader warned that the branches are not checked).
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/faros/airbyte-faros-destination.json"
    );
    let faros: Value = serde_json::from_str(&std::fs::read_to_string(corpus).unwrap()).unwrap();
    let edition = &faros["properties"]["edition_configs"];
    assert_eq!(edition["oneOf"][0]["$ref"], "cloud.json", "{edition}");
    let (checker, diagnostics) = Checker::read(edition);
    assert!(
        diagnostics
            .iter()
            .any(|d| d.effect == Effect::Unchecked && d.message.contains("cloud.json")),
        "{diagnostics:?}"
    );
    assert_eq!(
        shown(edition.clone(), json!({"edition": "cloud", "api_key": "k"})),
        Vec::<String>::new()
    );
    assert!(
        !checker.is_valid(&json!("not an object")),
        "`type` still holds"
    );

    // The same with a `$ref` that points at nothing, and with a pattern that is not ECMAScript.
    let schema = json!({"oneOf": [{"$ref": "#/definitions/missing"}, {"type": "string"}]});
    assert_eq!(shown(schema, json!("x")), Vec::<String>::new());
    let schema = json!({"oneOf": [{"type": "string", "pattern": "(?<"}, {"type": "string"}]});
    assert_eq!(shown(schema, json!("x")), Vec::<String>::new());
    let schema = json!({"not": {"$ref": "other.json"}});
    assert_eq!(shown(schema, json!(1)), Vec::<String>::new());
    let schema = json!({"if": {"$ref": "other.json"}, "then": {"type": "string"}, "else": {"type": "integer"}});
    let (checker, _) = Checker::read(&schema);
    assert!(checker.is_valid(&json!(true)), "neither branch is held");

    // Schemas read whole still refuse as JSON Schema says.
    assert_eq!(
        shown(json!({"oneOf": [{}, {"type": "string"}]}), json!("x")),
        ["#: the value matches more than one of the `oneOf` schemas; exactly one must match"]
    );
    assert_eq!(
        shown(json!({"not": {"type": "integer"}}), json!(1)),
        ["#: the value matches the `not` schema"]
    );
    let (checker, _) = Checker::read(
        &json!({"if": {"type": "boolean"}, "then": {"const": true}, "else": {"type": "integer"}}),
    );
    assert!(!checker.is_valid(&json!(false)) && !checker.is_valid(&json!("x")));
    assert!(checker.is_valid(&json!(true)) && checker.is_valid(&json!(3)));
}
