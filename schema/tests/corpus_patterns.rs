//! Every `pattern` in the real schemas of `../shared/corpus` gets an engine, and none takes
//! long to check, even against long hostile values.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use tray_schema::pattern::{CompiledPattern, PatternEngine, Search};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}: the corpus sits in ../shared", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every string under a `pattern` key (a property *named* `pattern` holds an object instead).
fn patterns(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("pattern", Value::String(pattern)) => out.push(pattern.clone()),
                    _ => patterns(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| patterns(item, out)),
        _ => {}
    }
}

#[test]
fn every_corpus_pattern_is_classified_and_quick_to_check() {
    let mut files = Vec::new();
    json_files(&corpus_root(), &mut files);
    let mut all = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        patterns(&value, &mut all);
    }
    let hostile = [
        "a".repeat(50_000) + "!",
        "0".repeat(50_000) + "\u{0663}",
        "a-".repeat(25_000) + "\n",
        format!("https://{}", "a.".repeat(25_000)),
    ];
    let (mut linear, mut backtracking, mut unchecked) = (Vec::new(), Vec::new(), Vec::new());
    for pattern in &all {
        let started = Instant::now();
        let compiled = CompiledPattern::new(pattern);
        for text in &hostile {
            let outcome = compiled.search(text);
            assert_ne!(outcome, Search::Unchecked, "{pattern}");
        }
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{pattern} took {took:?}");
        match compiled.engine() {
            PatternEngine::Linear => linear.push(pattern),
            PatternEngine::Backtracking => backtracking.push(pattern),
            other => unchecked.push((pattern, other)),
        }
    }
    println!(
        "corpus patterns: {} in {} files; linear {}, backtracking {} {backtracking:?}, unchecked {} {unchecked:?}",
        all.len(),
        files.len(),
        linear.len(),
        backtracking.len(),
        unchecked.len()
    );
    assert!(all.len() > 100, "{}", all.len());
    assert!(unchecked.is_empty(), "{unchecked:?}");
    // The one look-ahead in the corpus; every other pattern is checked in linear time.
    assert_eq!(
        backtracking,
        [r"^\w+=[\w,:*]+(&(?!key)\w+=[\w,:*]+)*$"],
        "README.md gives these counts"
    );
}
