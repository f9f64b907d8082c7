//! What the generated types make of JSON Schema's own meaning of values, as the JSON Schema
//! Test Suite measures it (tests/tests/json_schema_suite.rs runs the code; these tests pin
//! what the generator writes for each rule, and that it writes no warning where it enforces).

use serde_json::json;

fn generate(property: serde_json::Value) -> (String, Vec<String>) {
    let schema = json!({"type": "object", "required": ["v"], "properties": {"v": property}});
    let (code, diagnostics) = tray_codegen::schema_to_rust(&schema, "Root", None).unwrap();
    (
        code,
        diagnostics.into_iter().map(|d| d.to_string()).collect(),
    )
}

#[test]
fn type_null_is_a_unit_that_only_null_reads_into() {
    let (code, warnings) = generate(json!({"type": "null"}));
    assert!(code.contains("pub v: (),"), "{code}");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_const_that_no_rust_type_holds_is_checked_by_validate() {
    for constant in [json!(false), json!(-2.0), json!({"a": [1]}), json!(null)] {
        let (code, warnings) = generate(json!({"const": constant}));
        assert!(code.contains("pub v: serde_json::Value,"), "{code}");
        assert!(
            code.contains(".allowed(&self.v, &[serde_json::json!("),
            "{code}"
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}

#[test]
fn an_enum_of_mixed_kinds_is_checked_by_validate_null_included() {
    let (code, warnings) = generate(json!({"enum": [6, "foo", [], true, {"foo": 12}, null]}));
    assert!(code.contains(".allowed("), "{code}");
    assert!(code.contains("serde_json::json!(null)"), "{code}");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn integers_read_numbers_with_a_zero_fraction() {
    let (code, _) = generate(json!({"type": "integer"}));
    assert!(
        code.contains("deserialize_with = \"tray_auth::integer::deserialize\"")
            && code.contains("pub v: i64,"),
        "{code}"
    );
    let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    let (code, _) = tray_codegen::schema_to_rust(&schema, "Root", None).unwrap();
    assert!(
        code.contains("\"tray_auth::integer::option\"") && code.contains("pub n: Option<i64>,"),
        "{code}"
    );
}

#[test]
fn rules_without_a_type_are_checked_on_values_of_their_kind() {
    let (code, _) =
        generate(json!({"maximum": 3.0, "minLength": 2, "pattern": "^a", "uniqueItems": true}));
    assert!(
        code.contains(".any_value(&self.v, &tray_auth::validate::AnyValueRules {"),
        "{code}"
    );
    for rule in [
        "maximum: Some(3.0)",
        "min_length: Some(2)",
        "pattern: Some(&V_PATTERN)",
        "unique_items: true",
    ] {
        assert!(code.contains(rule), "{rule} in {code}");
    }
}
