//! The generator classifies each `pattern` with the runtime's own function
//! (`tray_auth::validate::PatternEngine::classify`) and says, with the pattern's pointer, which
//! ones `validate()` checks with the step-limited fallback engine and which it cannot check.

use std::path::Path;

use serde_json::json;
use tray_codegen::schema_to_rust;

#[test]
fn fallback_and_unchecked_patterns_are_warnings_with_pointers() {
    let schema = json!({
        "type": "object",
        "properties": {
            "linear": {"type": "string", "pattern": "^(a+)+$"},
            "lookahead": {"type": "string", "pattern": "^(?=.*[0-9]).{8,}$"},
            "nested": {"type": "object", "properties": {
                "boundary": {"type": "string", "pattern": "\\bkey\\b"},
                "backref": {"type": "array", "items": {"type": "string", "pattern": "^(a)\\1$"}}
            }},
            "flags": {"type": "string", "pattern": "(?i:abc)"},
            "octal": {"type": "string", "pattern": "\\07"},
            "invalid": {"type": "string", "pattern": "[z-a]"}
        }
    });
    let file = Path::new("schemas/acme-1.json");
    let (code, diagnostics) = schema_to_rust(&schema, "Credentials", Some(file)).unwrap();
    let warnings: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let expected = [
        "warning: schemas/acme-1.json#/properties/lookahead/pattern: `pattern` may be too costly to check: it needs look-around, back-references or `\\b`, which only a backtracking engine has",
        "warning: schemas/acme-1.json#/properties/nested/properties/boundary/pattern: `pattern` may be too costly to check",
        "warning: schemas/acme-1.json#/properties/nested/properties/backref/items/pattern: `pattern` may be too costly to check",
        "warning: schemas/acme-1.json#/properties/flags/pattern: `pattern` is not checked: it uses ECMAScript that cannot be checked faithfully (inline flags)",
        "warning: schemas/acme-1.json#/properties/octal/pattern: `pattern` is not checked: it uses ECMAScript that cannot be checked faithfully (a legacy octal escape)",
        "warning: schemas/acme-1.json#/properties/invalid/pattern: `pattern` is not an ECMAScript regular expression",
    ];
    for want in expected {
        assert!(
            warnings.iter().any(|w| w.starts_with(want)),
            "missing {want:?} in {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("reported as too costly to check")),
        "{warnings:#?}"
    );
    // Linear and fallback patterns are checked; the others are left out of the code.
    assert_eq!(code.matches("Pattern::new(").count(), 4, "{code}");
    for kept in [
        r#""^(a+)+$""#,
        r#""^(?=.*[0-9]).{8,}$""#,
        r#""\\bkey\\b""#,
        r#""^(a)\\1$""#,
    ] {
        assert!(code.contains(kept), "{kept}: {code}");
    }
    for dropped in ["(?i:abc)", r"\\07", "[z-a]"] {
        assert!(!code.contains(dropped), "{dropped}: {code}");
    }
}

#[test]
fn a_long_alternation_deep_in_a_schema_is_read_without_overflowing_the_stack() {
    let codes: Vec<String> = (0..500).map(|i| format!("C{i:03}")).collect();
    let many = format!("^(?:{})$", codes.join("|"));
    let too_many = format!("^(?:{}|{})$", codes.join("|"), codes.join("|"));
    let mut schema = json!({"type": "object", "properties": {
        "code": {"type": "string", "pattern": many},
        "other": {"type": "string", "pattern": too_many}
    }});
    // As deep as the reader goes (`schema::MAX_DEPTH`), so the stack is at its deepest.
    for _ in 0..tray_codegen::schema::MAX_DEPTH - 2 {
        schema = json!({"type": "object", "properties": {"inner": schema}});
    }
    let (code, diagnostics) = schema_to_rust(&schema, "Credentials", None).unwrap();
    let warnings: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(code.contains("C499"), "the 500 codes are checked");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("/other/pattern: `pattern` is not checked: it uses ECMAScript that cannot be checked faithfully (too many alternatives)")),
        "{warnings:#?}"
    );
}
