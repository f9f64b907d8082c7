//! Tray's loose schema dialects, read by the generator.

use serde_json::json;
use tray_codegen::schema_to_rust;

fn rust(schema: serde_json::Value) -> (String, Vec<String>) {
    let (code, diagnostics) = schema_to_rust(&schema, "Credentials", None).unwrap();
    (code, diagnostics.iter().map(ToString::to_string).collect())
}

#[test]
fn draft_03_required_true_on_a_property() {
    let (code, warnings) = rust(json!({
        "schema": "http://json-schema.org/draft-03/schema", "id": "http://jsonschema.net", "type": "object",
        "properties": {
            "token": {"id": "http://jsonschema.net/token", "type": "string", "required": true},
            "team": {"type": "string", "required": false}
        }
    }));
    assert!(code.contains("pub token: tray_auth::Secret,"), "{code}");
    assert!(code.contains("pub team: Option<String>,"), "{code}");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn empty_schema_is_a_struct_with_no_fields() {
    let (code, warnings) = rust(json!({}));
    assert!(code.contains("pub struct Credentials {}"), "{code}");
    assert!(code.contains("Default"), "{code}");
    assert!(warnings.is_empty());
}

#[test]
fn type_lists_with_null_are_options_and_others_are_enums() {
    let (code, _) = rust(json!({
        "type": "object",
        "properties": {
            "region": {"type": ["string", "null"]},
            "port": {"type": ["string", "integer"]}
        },
        "required": ["region", "port"]
    }));
    assert!(code.contains("pub region: Option<String>,"), "{code}");
    assert!(code.contains("pub port: Port,"), "{code}");
    assert!(
        code.contains("#[serde(untagged)]\npub enum Port {"),
        "{code}"
    );
    let integer = code.find("Integer(i64)").unwrap();
    let string = code.find("String(String)").unwrap();
    assert!(integer < string, "integers are tried first: {code}");
}

#[test]
fn unknown_keywords_and_bad_values_are_warnings_with_pointers() {
    let (_, warnings) = rust(json!({
        "type": "object",
        "properties": {
            "a": {"type": "strng"},
            "b": {"type": "string", "pattern": "(unclosed"},
            "c": {"type": "integer", "minimum": "zero"},
            "d": {"$ref": "#/definitions/missing"}
        },
        "requird": ["a"]
    }));
    let expected = [
        "#/requird: unknown keyword `requird` is ignored (did you mean `required`?)",
        "#/properties/a/type: unknown type \"strng\"; ignored",
        "#/properties/b/pattern: `pattern` is not an ECMAScript regular expression",
        "#/properties/c/minimum: `minimum` must be a number; it is not checked",
        "#/properties/d/$ref: `$ref` `#/definitions/missing` points at nothing in this schema",
    ];
    for want in expected {
        assert!(
            warnings.iter().any(|w| w.contains(want)),
            "missing {want:?} in {warnings:#?}"
        );
    }
}

#[test]
fn schema_order_is_kept_and_collisions_are_resolved() {
    let (code, _) = rust(json!({
        "type": "object",
        "properties": {"zeta": {"type": "string"}, "apiKey": {"type": "string"}, "api_key": {"type": "string"}, "alpha": {"type": "boolean"}}
    }));
    let positions: Vec<usize> = ["pub zeta", "pub api_key_2", "pub api_key:", "pub alpha"]
        .iter()
        .map(|f| {
            code.find(f)
                .unwrap_or_else(|| panic!("{f} missing: {code}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{code}");
    assert!(code.contains("#[serde(rename = \"apiKey\""), "{code}");
}

#[test]
fn local_refs_resolve_and_cycles_stop() {
    let (code, warnings) = rust(json!({
        "type": "object",
        "definitions": {
            "region": {"type": "string", "enum": ["us", "eu"]},
            "node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}}
        },
        "properties": {"home": {"$ref": "#/definitions/region"}, "list": {"$ref": "#/definitions/node"}}
    }));
    assert!(code.contains("pub home: Option<Home>,"), "{code}");
    assert!(
        code.contains("pub next: Option<serde_json::Value>,"),
        "{code}"
    );
    assert!(
        warnings.iter().any(|w| w.contains(
            "#/properties/list/properties/next/$ref: `$ref` `#/definitions/node` refers to itself"
        )),
        "{warnings:#?}"
    );
}
