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
    // `api_key_2` is `apiKey` in JSON, both ways.
    assert!(
        code.contains("Property::optional(\"apiKey\", &self.api_key_2)"),
        "{code}"
    );
    assert!(
        code.contains("api_key_2: object.field(\"apiKey\")?"),
        "{code}"
    );
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
    // A definition's type is named after the definition, not after the field using it.
    assert!(code.contains("pub home: Option<Region>,"), "{code}");
    assert!(code.contains("pub list: Option<Node>,"), "{code}");
    assert!(
        code.contains("pub next: Option<serde_json::Value>,"),
        "{code}"
    );
    assert!(
        warnings.iter().any(|w| w.contains(
            "#/definitions/node/properties/next/$ref: `$ref` `#/definitions/node` refers to itself"
        )),
        "{warnings:#?}"
    );
}

#[test]
fn type_names_never_shadow_the_prelude() {
    let (code, _) = rust(json!({
        "type": "object",
        "properties": {"option": {"type": "object", "properties": {"a": {"type": "string"}}}}
    }));
    assert!(!code.contains("pub struct Option "), "{code}");
    assert!(
        code.contains("pub option: Option<CredentialsOption>,"),
        "{code}"
    );
}

#[test]
fn pattern_statics_get_distinct_names() {
    let (code, _) = rust(json!({
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^a"}},
            "tags_item": {"type": "string", "pattern": "^b"}
        }
    }));
    assert!(code.contains("static TAGS_ITEM_PATTERN:"), "{code}");
    assert!(code.contains("static TAGS_ITEM_PATTERN_2:"), "{code}");
    syn::parse_file(&code).unwrap();
}

#[test]
fn fractional_consts_are_json_values() {
    let (code, _) =
        rust(json!({"type": "object", "properties": {"n": {"const": 1.5}}, "required": ["n"]}));
    assert!(code.contains("pub n: serde_json::Value,"), "{code}");
    assert!(!code.contains("pub enum N {}"), "{code}");
}

#[test]
fn deep_nesting_stops_with_a_warning_not_a_crash() {
    let mut schema = json!({"type": "string"});
    for _ in 0..400 {
        schema = json!({"type": "object", "properties": {"next": schema}});
    }
    // Run on a small stack, as a test thread or a build script has.
    let (code, warnings) = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || rust(schema))
        .unwrap()
        .join()
        .unwrap();
    assert!(
        warnings.iter().any(|w| w.contains(&format!(
            "nested more than {} levels deep",
            tray_codegen::schema::MAX_DEPTH
        ))),
        "{warnings:?}"
    );
    syn::parse_file(&code).unwrap();
}
