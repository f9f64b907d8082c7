//! The fake Tray checks `pattern`s with the runtime's engine choice, so it accepts and rejects
//! exactly what `validate()` does, in the same bounded time.

use std::time::{Duration, Instant};

use serde_json::json;
use tray_auth::validate::{Pattern, Rule, Validator};

use crate::catalog::Schemas;

/// What the fake says about `text` under `pattern`: its problems, or none.
fn fake_tray(pattern: &str, text: &str) -> Vec<String> {
    let schema =
        json!({"type": "object", "properties": {"dc": {"type": "string", "pattern": pattern}}});
    let environment = json!({ "credentialsSchema": schema });
    let mut problems = Vec::new();
    Schemas::read(&environment).check(&json!({ "credentials": { "dc": text } }), &mut problems);
    problems
}

/// What `validate()` says: the rules broken.
fn validate(pattern: &str, text: &str) -> Vec<Rule> {
    // A test-only leak: `Validator::pattern` takes the `'static` patterns generated code has.
    let pattern: &'static Pattern = Box::leak(Box::new(Pattern::new(pattern.to_owned().leak())));
    let mut validator = Validator::new();
    validator.at("dc").pattern(text, pattern);
    validator
        .finish()
        .err()
        .map(|errors| {
            errors
                .violations()
                .iter()
                .map(|v| v.rule().clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn fake_tray_accepts_and_rejects_what_validate_does() {
    let long_run = "a".repeat(30) + "!";
    let cases: Vec<(&str, &str)> = vec![
        ("^[a-z]+[0-9]+$", "us21"),
        ("^[a-z]+[0-9]+$", "us-21"),
        (r"^\d+$", "\u{663}"),
        (r"^\w+$", "café"),
        ("^a.b$", "a\rb"),
        (r"^\d{4}\-\d{2}$", "2024-01"),
        ("(a+)+$", &long_run),
        (r"^(\w+\s?)*$", &long_run),
        (r"^(?=.*[A-Z])(?!.*\s).{8,}$", "Passw0rdX"),
        (r"^(?=.*[A-Z])(?!.*\s).{8,}$", "pass word"),
        (r"\bkey\b", "ékeyé"),
        (r"^(a|b)\1$", "ab"),
        (r"^(\w+\s?)*(?!x)$", &long_run),
    ];
    let mut outcomes = [0; 3];
    for (pattern, text) in cases {
        let started = Instant::now();
        let fake = fake_tray(pattern, text);
        let ours = validate(pattern, text);
        assert!(started.elapsed() < Duration::from_secs(5), "{pattern}");
        let expected: Vec<String> = ours
            .iter()
            .map(|rule| match rule {
                Rule::Pattern { .. } => {
                    outcomes[1] += 1;
                    format!("#/credentials/dc: string does not match pattern {pattern}")
                }
                Rule::PatternTooCostly { .. } => {
                    outcomes[2] += 1;
                    format!(
                        "#/credentials/dc: string is too costly to check against pattern {pattern}"
                    )
                }
                other => panic!("{pattern}: {other:?}"),
            })
            .collect();
        outcomes[0] += usize::from(ours.is_empty());
        assert_eq!(fake, expected, "{pattern} on {text:?}");
        assert!(fake.iter().all(|p| !p.contains(text)), "{fake:?}");
    }
    // Accepted, rejected and too costly all occur above.
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
}

#[test]
fn a_pattern_that_cannot_be_checked_is_not_held_against_the_value() {
    for pattern in ["(unclosed", "(?i:abc)", r"\07"] {
        assert!(fake_tray(pattern, "x").is_empty(), "{pattern}");
        // validate() holds a hand-written one against every value; the generator leaves such
        // patterns out of the code, so generated types and the fake agree.
        assert_eq!(validate(pattern, "x").len(), 1, "{pattern}");
    }
}
