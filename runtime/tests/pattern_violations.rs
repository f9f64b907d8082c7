//! `validate()` and patterns: a pattern that cannot be answered is reported at the value's
//! pointer, never passed as valid, and never quotes the value.

use tray_auth::validate::{Pattern, Rule, Validator};

#[test]
fn validate_reports_too_costly_at_the_pointer_without_the_value() {
    static TOKEN: Pattern = Pattern::new(r"^(\w+\s?)*(?!x)$");
    let secret = "hunter2hunter2hunter2hunter2hunter2!";
    let mut validator = Validator::new();
    validator
        .at("credentials")
        .at("token")
        .pattern(secret, &TOKEN);
    let errors = validator.finish().unwrap_err();
    let violation = &errors.violations()[0];
    assert_eq!(violation.pointer(), "/credentials/token");
    assert_eq!(
        violation.rule(),
        &Rule::PatternTooCostly {
            pattern: TOKEN.source()
        }
    );
    let message = errors.to_string();
    assert!(message.contains("too costly to check"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn a_hand_written_pattern_that_cannot_be_checked_is_held_against_the_value() {
    static INVALID: Pattern = Pattern::new("(unclosed");
    static FLAGS: Pattern = Pattern::new("(?i:abc)");
    let mut validator = Validator::new();
    validator.at("a").pattern("abc", &INVALID);
    validator.at("b").pattern("abc", &FLAGS);
    let errors = validator.finish().unwrap_err();
    let messages: Vec<String> = errors.violations().iter().map(|v| v.to_string()).collect();
    assert_eq!(
        messages,
        [
            "/a: cannot be checked: the pattern `(unclosed` is not a valid ECMAScript regular expression",
            "/b: cannot be checked: the pattern `(?i:abc)` uses ECMAScript that cannot be checked faithfully (inline flags)",
        ]
    );
}
