//! `validate()` time is bounded: patterns are checked by a linear-time engine whenever it means
//! the same as ECMAScript, and only look-around and back-references fall back to a backtracking
//! engine, whose step limit turns a hang into a "too costly to check" violation.
//!
//! The expected answers below are ECMAScript's (JSON Schema patterns are ECMAScript regular
//! expressions), written out by hand; Node.js, an ECMAScript engine, confirms each one.

mod support;

use std::time::{Duration, Instant};

use tray_schema::pattern::{CompiledPattern, PatternEngine, Search, BACKTRACKING_TEXT_LIMIT};

/// Far more than any bounded check takes, even in a debug build on a busy machine; an
/// exponential backtracker would take years on these inputs.
const PATIENCE: Duration = Duration::from_secs(5);

fn timed_search(pattern: &str, text: &str) -> (Search, PatternEngine) {
    let started = Instant::now();
    let compiled = CompiledPattern::new(pattern);
    let found = compiled.search(text);
    let took = started.elapsed();
    assert!(
        took < PATIENCE,
        "{pattern} on {} bytes took {took:?}",
        text.len()
    );
    (found, compiled.engine())
}

/// Each `(pattern, text, ECMAScript's answer)`: the pattern is checked (not refused) and
/// answers as ECMAScript does; Node.js, a real ECMAScript engine, confirms each answer.
fn assert_ecmascript(cases: &[(&str, &str, bool)]) {
    for &(pattern, text, expected) in cases {
        let (found, engine) = timed_search(pattern, text);
        let want = if expected {
            Search::Found
        } else {
            Search::NotFound
        };
        assert_eq!(found, want, "{pattern:?} on {text:?} ({engine:?})");
    }
    let asked: Vec<(String, String)> = cases
        .iter()
        .map(|(pattern, text, _)| (pattern.to_string(), text.to_string()))
        .collect();
    if let Some(answers) = support::node_answers(&asked) {
        for (&(pattern, text, expected), answer) in cases.iter().zip(answers) {
            assert_eq!(
                answer,
                Some(expected),
                "node disagrees on {pattern:?} {text:?}"
            );
        }
    }
}

fn a_run(n: usize, end: &str) -> String {
    "a".repeat(n) + end
}

#[test]
fn catastrophic_patterns_are_linear_and_answer_at_once() {
    let patterns = [r"(a+)+$", r"^(a|a)*$", r"(a*)*b", r"^(\w+\s?)*$"];
    for pattern in patterns {
        assert_eq!(
            PatternEngine::classify(pattern),
            PatternEngine::Linear,
            "{pattern}"
        );
    }
    for n in [30, 100_000] {
        let failing = a_run(n, "!");
        for pattern in patterns {
            assert_eq!(
                timed_search(pattern, &failing).0,
                Search::NotFound,
                "{pattern} n={n}"
            );
        }
        let cases = [
            (r"(a+)+$", a_run(n, "")),
            (r"^(a|a)*$", a_run(n, "")),
            (r"(a*)*b", a_run(n, "b")),
            (r"^(\w+\s?)*$", "ab cd ".repeat(n / 6)),
        ];
        for (pattern, text) in &cases {
            assert_eq!(
                timed_search(pattern, text).0,
                Search::Found,
                "{pattern} n={n}"
            );
        }
    }
}

#[test]
fn lookaround_and_backreferences_are_too_costly_rather_than_hanging() {
    // Step limit: the backtracking engine gives up.
    let costly = [
        (r"^(\w+\s?)*(?!x)$", a_run(30, "!")),
        (r"(a+)+\1$", a_run(4000, "!")),
        (r"(.*)\1x", "a".repeat(1000)),
        // Length limit: past it, no backtracking check is tried, however simple.
        (r"(?=a)", "a".repeat(BACKTRACKING_TEXT_LIMIT + 1)),
        (r"(a)\1", "a".repeat(BACKTRACKING_TEXT_LIMIT + 1)),
    ];
    for (pattern, text) in &costly {
        assert_eq!(
            timed_search(pattern, text),
            (Search::TooCostly, PatternEngine::Backtracking),
            "{pattern}"
        );
    }
    // Where the fallback engine can answer within its limit, it answers correctly.
    let answered = [
        (r"^(?=(a+)+$)", a_run(30, "!"), Search::NotFound),
        (r"^(?=(a+)+$)", a_run(30, ""), Search::Found),
        (r"^(a+)+\1$", a_run(30, "!"), Search::NotFound),
        (r"^(a+)+\1$", a_run(30, ""), Search::Found),
        (r"(?=a)", "a".repeat(BACKTRACKING_TEXT_LIMIT), Search::Found),
    ];
    for (pattern, text, want) in &answered {
        assert_eq!(timed_search(pattern, text).0, *want, "{pattern}");
    }
}

#[test]
fn classes_dot_and_anchors_mean_what_they_mean_in_ecmascript() {
    assert_ecmascript(&[
        // \d and \w are ASCII: not Arabic-Indic digits, not accented letters.
        (r"^\d$", "3", true),
        (r"^\d$", "\u{663}", false),
        (r"^\D$", "\u{663}", true),
        (r"^\w+$", "caf_9", true),
        (r"^\w+$", "café", false),
        (r"^\W$", "é", true),
        (r"^[\w-]+$", "ﬁ-x", false),
        // \b too: é is not a word character, so `foo` stands between two boundaries.
        (r"\bfoo\b", "éfooé", true),
        (r"\bfoo\b", "afoo", false),
        (r"\Bfoo", "éfoo", false),
        // \s is ECMAScript's white space and line terminators: NBSP and BOM in, NEL out.
        (r"^\s$", "\u{A0}", true),
        (r"^\s$", "\u{FEFF}", true),
        (r"^\s$", "\u{3000}", true),
        (r"^\s$", "\u{2029}", true),
        (r"^\s$", "\u{85}", false),
        (r"^\s$", "\u{180E}", false),
        (r"^\s$", "\u{200B}", false),
        (r"^\S$", "\u{85}", true),
        // `.` stops at \n, \r, U+2028 and U+2029 only, and takes a whole code point.
        (r"^a.b$", "a\rb", false),
        (r"^a.b$", "a\nb", false),
        (r"^a.b$", "a\u{2028}b", false),
        (r"^a.b$", "a\u{85}b", true),
        (r"^.$", "😀", true),
        (r"^[^]$", "\n", true),
        (r"[]", "anything", false),
        (r"^[^a]$", "😀", true),
        // ^ and $ (no `m` flag) are the ends of the whole text; a final newline is text.
        (r"^a$", "a\n", false),
        (r"^b", "a\nb", false),
        (r"a$", "b\na", true),
        (r"^$", "", true),
        // Not anchored unless it says so: a match anywhere counts.
        (r"[0-9]{3}", "abc123def", true),
        // Case matters.
        (r"^abc$", "ABC", false),
        // Unicode properties (valid with the `u` flag).
        (r"^\p{L}+$", "héllo", true),
        (r"^\p{L}+$", "h3llo", false),
        (r"^\P{L}$", "3", true),
        (r"^\p{Script=Greek}+$", "αβγ", true),
        (r"^[\p{Lu}\d]+$", "AB12", true),
        (r"^[\p{Lu}\d]+$", "Ab12", false),
    ]);
}

#[test]
fn escapes_and_legacy_syntax_mean_what_they_mean_in_ecmascript() {
    assert_ecmascript(&[
        (r"^\u0041\x42$", "AB", true),
        (r"^\u{1F600}$", "😀", true),
        (r"^\uD83D\uDE00$", "😀", true),
        (r"^[\uD83D\uDE00]$", "😀", true),
        (r"\uD83D", "😀", false),
        (r"^[\b]$", "\u{8}", true),
        (r"^\cJ$", "\n", true),
        (r"^\0$", "\0", true),
        (r"^\t\v\f$", "\t\u{B}\u{C}", true),
        (r"^a\/b$", "a/b", true),
        (r"^[\[\]]+$", "[]", true),
        (r"^[a[]+$", "a[", true),
        (r"^[\^]$", "^", true),
        (r"^[-a]$", "-", true),
        (r"^[a-]$", "-", true),
        (r"^[+--]$", ",", true),
        // Valid only without the `u` flag (Annex B), as some real schemas are.
        (r"^\d{4}\-\d{2}$", "2024-01", true),
        (r"^[\w-.]+$", "a-.", true),
        (r"^[\w-.]+$", "é", false),
        (r"^a{,5}$", "a{,5}", true),
        (r"^a{,5}$", "aaa", false),
        (r"^]$", "]", true),
        (r"^x{$", "x{", true),
        (r"^\p{Greek}$", "p{Greek}", true),
        (r"^\p{Greek}$", "α", false),
        // With the `u` flag when the pattern is valid with it; else all of it without.
        (r"^\u{2}$", "\u{2}", true),
        (r"^\u{2}\-$", "uu-", true),
        (r"^\a\e$", "ae", true),
        (r"^\k$", "k", true),
    ]);
}

#[test]
fn backreferences_and_lookaround_mean_what_they_mean_in_ecmascript() {
    assert_ecmascript(&[
        (r"^(?<year>\d{4})-\k<year>$", "2024-2024", true),
        (r"^(?<year>\d{4})-\k<year>$", "2024-2025", false),
        // ECMAScript clears a repeated group at each iteration (regress does not).
        (r"((\D)\.|\1.){2}", "a.", true),
        (r"^(a|b)\1$", "aa", true),
        (r"^(a|b)\1$", "ab", false),
        // A group that did not take part matches the empty string.
        (r"^(a)?b\1$", "b", true),
        (r"^(?:(a)|b)\1$", "b", true),
        // Forward and self references match the empty string too.
        (r"^\1(a)$", "a", true),
        (r"^(a\1)$", "a", true),
        // Look-ahead is atomic, and its groups keep what they matched (ECMA-262's examples).
        (r"(?=(a+))a*b\1", "baaabac", true),
        (r"^(?=(a+))a*b\1$", "aaaba", false),
        (r"^(.*?)a(?!(a+)b\2c)\2(.*)$", "baaabaac", true),
        // A negative look-around's groups never keep a match.
        (r"^(?!(a)b)\1c$", "c", true),
        (r"^(?!(a)b)\1c$", "ac", false),
        (r"^(?=.*[A-Z])(?!.*\s).{8,}$", "Passw0rdX", true),
        (r"^(?=.*[A-Z])(?!.*\s).{8,}$", "Pass w0rdX", false),
        (r"^(?=.*[A-Z])(?!.*\s).{8,}$", "password", false),
        (r"(?<=\$)\d+", "cost: $42", true),
        (r"(?<=\$)\d+", "cost: 42", false),
        (r"(?<!-)\b\d+$", "x 42", true),
        (r"(?<!-)\b\d+$", "x -42", false),
        (r"(?<=^a+)b", "aaab", true),
        (r"(?<=^a+)b", "acab", false),
        (r"\bfoo\b(?=!)", "éfoo!", true),
        (r"\Bfoo(?=!)", "afoo!", true),
        (r"\Bfoo(?=!)", "-foo!", false),
        // A repeated assertion is the assertion once, or nothing.
        (r"^(?:(?<=a))*b", "b", true),
        (r"^a(?:(?<=a))+b", "ab", true),
        (r"^a(?:(?<=b))+b", "ab", false),
        (r"^\w+=[\w,:*]+(&(?!key)\w+=[\w,:*]+)*$", "a=1&b=2", true),
        (r"^\w+=[\w,:*]+(&(?!key)\w+=[\w,:*]+)*$", "a=1&key=2", false),
    ]);
}

#[test]
fn patterns_that_cannot_be_checked_say_why() {
    for invalid in [
        "(unclosed",
        "[z-a]",
        "a**",
        r"(?<n>a)\k<m>",
        "(?<n>a)(?<n>b)",
    ] {
        assert!(
            matches!(
                PatternEngine::classify(invalid),
                PatternEngine::Invalid { .. }
            ),
            "{invalid}: {:?}",
            PatternEngine::classify(invalid)
        );
    }
    let unsupported = [
        ("(?i:abc)", "inline flags"),
        (r"(?:(a)|b)+\1", "a repetition can leave unset or empty"),
        (r"(a*)+\1", "a repetition can leave unset or empty"),
        (r"(?<=(a))\1", "a group inside a look-behind"),
        (r"\1", "legacy octal escape"),
        (r"\07", "legacy octal escape"),
        (r"(?=a)*b", "a quantified assertion"),
        (r"\c1", "control letter"),
    ];
    for (pattern, reason) in unsupported {
        match PatternEngine::classify(pattern) {
            PatternEngine::Unsupported { reason: why } => {
                assert!(why.contains(reason), "{pattern}: {why}")
            }
            other => panic!("{pattern}: {other:?}"),
        }
        assert_eq!(CompiledPattern::new(pattern).search("a"), Search::Unchecked);
    }
}

#[test]
fn hostile_pattern_sources_are_refused_quickly() {
    let deep = format!("{}a{}", "(".repeat(60), ")".repeat(60));
    let alternatives = |n: usize| (0..n).map(|i| format!("x{i}y")).collect::<Vec<_>>();
    let many_alternatives = alternatives(20_000).join("|");
    // Alternatives of enclosing groups count too: each nests inside the last.
    let nested_alternatives = format!(
        "{}{}",
        "(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|".repeat(39),
        ")".repeat(39)
    );
    let refused = [
        (deep.as_str(), "groups nested too deeply"),
        (&many_alternatives, "too many alternatives"),
        (&nested_alternatives, "too many alternatives"),
        ("(?:a{1000}){1000}", "size limit"),
        ("a{4294967296}", "too large"),
    ];
    for (pattern, reason) in refused {
        let started = Instant::now();
        let engine = PatternEngine::classify(pattern);
        assert!(started.elapsed() < PATIENCE, "{engine:?}");
        match engine {
            PatternEngine::Unsupported { reason: why } => {
                assert!(why.contains(reason), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
    let fine = alternatives(500).join("|");
    assert_eq!(CompiledPattern::new(&fine).search("ax499yb"), Search::Found);
    assert_eq!(
        CompiledPattern::new(&fine).search("x500y"),
        Search::NotFound
    );
    let fine_backtracking = format!("(?<=a)(?:{fine})");
    let compiled = CompiledPattern::new(&fine_backtracking);
    assert_eq!(compiled.engine(), PatternEngine::Backtracking);
    assert_eq!(compiled.search("ax499yb"), Search::Found);
    assert_eq!(compiled.search("bx499y"), Search::NotFound);
}
