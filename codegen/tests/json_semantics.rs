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
    // Plain `i64` fields, read through `i64`'s `tray_auth::json::FromJson`, which reads
    // `2.0` as 2 (tested in runtime/src/json.rs and by tests/tests/json_schema_suite.rs).
    let (code, _) = generate(json!({"type": "integer"}));
    assert!(
        code.contains("pub v: i64,") && code.contains("v: object.field(\"v\")?"),
        "{code}"
    );
    let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    let (code, _) = tray_codegen::schema_to_rust(&schema, "Root", None).unwrap();
    assert!(
        code.contains("pub n: Option<i64>,") && code.contains("n: object.field(\"n\")?"),
        "{code}"
    );
}

#[test]
fn rules_without_a_type_are_checked_on_values_of_their_kind() {
    let (code, _) =
        generate(json!({"maximum": 3.0, "minLength": 2, "pattern": "^a", "uniqueItems": true}));
    // Compared without whitespace: the formatter decides where lines break.
    let code: String = code.split_whitespace().collect();
    for rule in [
        ".any_value(&self.v,&tray_auth::validate::AnyValueRules{",
        "maximum:Some(3.0)",
        "min_length:Some(2)",
        "pattern:Some(&V_PATTERN)",
        "unique_items:true",
    ] {
        assert!(code.contains(rule), "{rule} in {code}");
    }
}

#[test]
fn a_default_that_breaks_its_own_rules_is_dropped_with_a_warning() {
    let schema = json!({"type": "object", "properties": {
        "alpha": {"type": "number", "maximum": 3, "default": 5},
        "bar": {"type": "string", "minLength": 4, "default": "bad"},
        "fine": {"type": "integer", "maximum": 3, "default": 2},
    }});
    let (code, diagnostics) = tray_codegen::schema_to_rust(&schema, "Root", None).unwrap();
    let dropped: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.message.contains("it is dropped"))
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(
        dropped,
        ["/properties/alpha/default", "/properties/bar/default"]
    );
    assert!(
        code.contains("pub alpha: Option<f64>,") && code.contains("pub bar: Option<String>,"),
        "{code}"
    );
    assert!(code.contains("pub fn default_fine() -> i64"), "{code}");
}

#[test]
fn enums_of_integers_read_numbers_with_a_zero_fraction() {
    let (code, _) = generate(json!({"enum": [0, 1]}));
    assert!(
        code.contains("let value: i64 = tray_auth::json::FromJson::from_json(value)?;"),
        "{code}"
    );
    assert!(code.contains("impl TryFrom<i64> for V {"), "{code}");
}

#[test]
fn a_one_of_warns_unless_its_variants_take_different_json_types() {
    // A string or an object: never both, so "exactly one" holds by the types.
    let (code, warnings) = generate(json!({"oneOf": [
        {"type": "string"},
        {"type": "object", "properties": {"a": {"type": "string"}}}
    ]}));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!code.contains("EmbeddedSchema"), "{code}");
    // An integer is a number too: `2` fits both, which `oneOf` forbids.
    let (code, warnings) =
        generate(json!({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 2}]}));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("(\"exactly one\") is checked by validate()"),
        "{warnings:?}"
    );
    assert!(code.contains("EmbeddedSchema::new("), "{code}");
    assert!(code.contains("v.schema(self, &SCHEMA);"), "{code}");
}

#[test]
fn untagged_variants_with_rules_are_read_as_the_first_that_validates() {
    let (code, _) =
        generate(json!({"type": "string", "anyOf": [{"maxLength": 2}, {"minLength": 4}]}));
    assert!(
        code.contains("tray_auth::validate::first_valid(&value, &readers)"),
        "{code}"
    );
    // Without rules the first variant that reads is the one: serde's own untagged enum.
    let (code, _) = generate(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
    assert!(!code.contains("first_valid"), "{code}");
}
