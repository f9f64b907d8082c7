//! The official JSON Schema Test Suite (draft 7), read from `../shared/json-schema-test-suite`:
//! wherever the reader reports no [`Effect::Unchecked`] diagnostic for a group's schema, the
//! checker must agree with the suite on every case of the group.
//!
//! Skipped, and counted: `refRemote.json` and groups whose schema `$ref`s an http(s) URL (both
//! need a server).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tray_schema::{Checker, Effect};

fn suite_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/json-schema-test-suite/draft7")
}

/// Whether `schema` has a `$ref` to an http(s) URL anywhere.
fn refs_remote(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(key, value)| {
            (key == "$ref" && value.as_str().is_some_and(|r| r.starts_with("http")))
                || refs_remote(value)
        }),
        Value::Array(list) => list.iter().any(refs_remote),
        _ => false,
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    agreed: usize,
    warned_cases: usize,
    warned_groups: usize,
    skipped_groups: usize,
    skipped_cases: usize,
}

#[test]
fn checker_agrees_with_the_suite_where_the_reader_gave_up_nowhere() {
    let root = suite_root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}: the suite sits in ../shared", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() > 30, "only {} suite files", files.len());
    let mut total = Tally::default();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let groups: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut tally = Tally::default();
        for group in &groups {
            let schema = &group["schema"];
            let tests = group["tests"].as_array().unwrap();
            if name == "refRemote.json" || refs_remote(schema) {
                tally.skipped_groups += 1;
                tally.skipped_cases += tests.len();
                continue;
            }
            let (checker, diagnostics) = Checker::read(schema);
            let warned = diagnostics.iter().any(|d| d.effect == Effect::Unchecked);
            if warned {
                tally.warned_groups += 1;
                tally.warned_cases += tests.len();
            }
            for test in tests {
                let expected = test["valid"].as_bool().unwrap();
                let problems = checker.check(&test["data"]);
                let valid = problems.is_empty();
                assert_eq!(
                    valid,
                    checker.is_valid(&test["data"]),
                    "is_valid and check differ"
                );
                tally.cases += 1;
                if valid == expected {
                    tally.agreed += 1;
                } else if !warned {
                    failures.push(format!(
                        "{name} / {} / {}: suite says valid={expected}, checker says {problems:?}",
                        group["description"], test["description"]
                    ));
                }
            }
        }
        println!(
            "{name}: {} of {} cases agree ({} cases in {} groups with an unchecked warning; {} groups skipped)",
            tally.agreed, tally.cases, tally.warned_cases, tally.warned_groups, tally.skipped_groups
        );
        total.cases += tally.cases;
        total.agreed += tally.agreed;
        total.warned_cases += tally.warned_cases;
        total.warned_groups += tally.warned_groups;
        total.skipped_groups += tally.skipped_groups;
        total.skipped_cases += tally.skipped_cases;
    }
    println!(
        "checker: {} of {} cases; {} cases in {} groups have an unchecked warning; skipped {} cases in {} groups (remote refs)",
        total.agreed,
        total.cases,
        total.warned_cases,
        total.warned_groups,
        total.skipped_cases,
        total.skipped_groups
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
