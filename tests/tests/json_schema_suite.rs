//! The generated types measured on the official JSON Schema Test Suite (draft 7, in
//! `../shared/json-schema-test-suite`): each group's schema becomes the required property `v` of
//! an object, is generated into a module, and every case's data is read as `{"v": data}` and
//! validated. The verdict (read and `validate()` both succeed) must agree with the suite on at
//! least [`MIN_AGREEING`] cases, and a group the generator said nothing about must reject every
//! value the suite rejects: no silent acceptance (whatever the types do not enforce, the
//! generator warns about, and validate() checks against the schema as written).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use serde_json::{json, Value};

/// Cases (of 888) on which the generated types must agree with the suite; raised as the
/// generator improves, never lowered for a worse generator.
///
/// Lowered once, from 858, on purpose (issue 11): two cases ("properties ... / ignores
/// arrays", data `[]`, a schema with `properties` but no `type`) agreed only because serde's
/// derived `Deserialize` read a JSON array as a struct's fields in order, so `[]` read as a
/// struct with every field absent, and `["t", "us21"]` as Mailchimp credentials (sent on as
/// an object). Generated types now read objects only (`tray_auth::json`); a struct is not the
/// type of "any value, and if an object then ...", and the generator does not model that.
const MIN_AGREEING: usize = 856;

/// Groups (`file: description`) whose types accept a value the suite rejects although the
/// generator warned about nothing. Known, to be fixed: the list may only shrink, and a group
/// that is fixed must be taken off it. Empty: there is no silent acceptance.
const KNOWN_SILENT: &[&str] = &[];

/// The disagreements issue 9 reported, seen from outside: `(group, case)`, `*` for every case
/// of the group. Each must now agree with the suite.
const SEEN_FROM_OUTSIDE: &[(&str, &str)] = &[
    ("type.json: null type matches only the null object", "*"),
    ("const.json: const with false does not match 0", "*"),
    ("const.json: const with -2.0 matches integer and float types", "*"),
    ("const.json: const with object", "*"),
    ("allOf.json: allOf simple types", "*"),
    ("anyOf.json: anyOf with base schema", "*"),
    ("default.json: the default keyword does not do anything if the property is missing", "*"),
    (
        "additionalProperties.json: additionalProperties being false does not allow other properties",
        "patternProperties are not additional properties",
    ),
    ("oneOf.json: oneOf", "*"),
    ("type.json: integer type matches integers", "a float with zero fractional part is an integer"),
];

/// One case of a group: data, and whether the suite calls it valid.
struct Case {
    description: String,
    data: Value,
    valid: bool,
}

/// A group of the suite: one schema and its cases.
struct Group {
    file: String,
    description: String,
    module: String,
    schema: Value,
    cases: Vec<Case>,
}

impl Group {
    fn name(&self) -> String {
        format!("{}: {}", self.file, self.description)
    }
}

/// Every group of the suite but `refRemote.json`'s, and how many groups were skipped because
/// they `$ref` a remote schema.
fn groups() -> (Vec<Group>, usize) {
    let root = tray_tests::repo_root().join("../shared/json-schema-test-suite/draft7");
    let mut paths: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}: the suite sits in ../shared", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut groups = Vec::new();
    let mut skipped = 0;
    for path in paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).unwrap();
        let list: Vec<Value> = serde_json::from_str(&text).unwrap();
        if file == "refRemote.json" {
            skipped += list.len();
            continue;
        }
        let stem = tray_codegen::names::snake(path.file_stem().unwrap().to_str().unwrap());
        for (i, group) in list.into_iter().enumerate() {
            if refs_remote(&group["schema"]) {
                skipped += 1;
                continue;
            }
            let cases = group["tests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|case| Case {
                    description: case["description"].as_str().unwrap().to_owned(),
                    data: case["data"].clone(),
                    valid: case["valid"].as_bool().unwrap(),
                })
                .collect();
            groups.push(Group {
                file: file.clone(),
                description: group["description"].as_str().unwrap().to_owned(),
                module: format!("{stem}_{i}"),
                schema: group["schema"].clone(),
                cases,
            });
        }
    }
    (groups, skipped)
}

/// Whether a schema `$ref`s an http(s) URL anywhere.
fn refs_remote(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(key, value)| {
            (key == "$ref"
                && value
                    .as_str()
                    .is_some_and(|r| r.starts_with("http:") || r.starts_with("https:")))
                || refs_remote(value)
        }),
        Value::Array(list) => list.iter().any(refs_remote),
        _ => false,
    }
}

/// The group's schema as the required property `v` of an object, its local `$ref`s moved along.
fn wrapped(schema: &Value) -> Value {
    let mut schema = schema.clone();
    move_refs(&mut schema);
    json!({
        "type": "object",
        "required": ["v"],
        "properties": { "v": schema },
    })
}

/// Rewrites `#…` `$ref`s to `#/properties/v…`, going only where subschemas are (not into
/// `enum` or `const` values, which may hold `$ref` keys that are data).
fn move_refs(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "$ref" => {
                if let Value::String(reference) = value {
                    if reference == "#" || reference.starts_with("#/") {
                        *reference = format!("#/properties/v{}", &reference[1..]);
                    }
                }
            }
            "properties" | "patternProperties" | "definitions" | "dependencies" => {
                if let Value::Object(schemas) = value {
                    schemas.values_mut().for_each(move_refs);
                }
            }
            "items" | "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(schemas) => schemas.iter_mut().for_each(move_refs),
                other => move_refs(other),
            },
            "additionalItems"
            | "additionalProperties"
            | "contains"
            | "propertyNames"
            | "not"
            | "if"
            | "then"
            | "else" => move_refs(value),
            _ => {}
        }
    }
}

/// Writes the scratch crate: a module per group, and a program that prints one verdict per
/// case (`1` read and valid, `0` not, `P` panicked), in order.
fn write_crate(groups: &[Group], generated: &[String]) -> PathBuf {
    let crate_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("json-schema-suite-crate");
    let _ = fs::remove_dir_all(&crate_dir);
    fs::create_dir_all(crate_dir.join("src")).unwrap();
    let mut lib = String::from("//! The JSON Schema Test Suite's schemas, generated.\n");
    let mut calls = String::new();
    for (group, code) in groups.iter().zip(generated) {
        fs::write(
            crate_dir.join("src").join(format!("{}.rs", group.module)),
            code,
        )
        .unwrap();
        writeln!(lib, "pub mod {};", group.module).unwrap();
        for case in &group.cases {
            let json = serde_json::to_string(&json!({ "v": case.data })).unwrap();
            writeln!(
                calls,
                "    out.push(verdict::<suite::{}::Root>({json:?}));",
                group.module
            )
            .unwrap();
        }
    }
    fs::write(crate_dir.join("src/lib.rs"), lib).unwrap();
    fs::write(
        crate_dir.join("src/main.rs"),
        format!(
            "//! Prints the verdict of every case.\n\n\
             use tray_auth::Validate;\n\n\
             fn verdict<T: serde::de::DeserializeOwned + Validate>(json: &str) -> char {{\n\
             \x20   let read = std::panic::catch_unwind(|| match serde_json::from_str::<T>(json) {{\n\
             \x20       Ok(value) => value.validate().is_ok(),\n\
             \x20       Err(_) => false,\n\
             \x20   }});\n\
             \x20   match read {{ Ok(true) => '1', Ok(false) => '0', Err(_) => 'P' }}\n\
             }}\n\n\
             fn main() {{\n\
             \x20   let mut out = String::new();\n\
             {calls}\
             \x20   println!(\"VERDICTS {{out}}\");\n\
             }}\n"
        ),
    )
    .unwrap();
    tray_tests::write_scratch_manifest(&crate_dir, "suite", "", "");
    crate_dir
}

#[test]
fn generated_types_agree_with_the_json_schema_test_suite() {
    let (groups, skipped) = groups();
    let mut generated = Vec::new();
    let mut warned = Vec::new();
    let mut failures = Vec::new();
    for group in &groups {
        let result = catch_unwind(AssertUnwindSafe(|| {
            tray_codegen::schema_to_rust(&wrapped(&group.schema), "Root", None)
        }));
        match result {
            Ok(Ok((code, diagnostics))) => {
                generated.push(code);
                warned.push(!diagnostics.is_empty());
            }
            Ok(Err(error)) => failures.push(format!("{}: {error}", group.name())),
            Err(_) => failures.push(format!("{}: the generator panicked", group.name())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let crate_dir = write_crate(&groups, &generated);
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");
    let stdout = tray_tests::run_cargo(&crate_dir, &target, &["run", "--offline", "--quiet"]);
    let verdicts: Vec<char> = stdout
        .lines()
        .find_map(|line| line.strip_prefix("VERDICTS "))
        .expect("the scratch program prints its verdicts")
        .chars()
        .collect();

    let mut report = String::new();
    let mut per_file: BTreeMap<&str, (usize, usize, String)> = BTreeMap::new();
    let mut silent = Vec::new();
    let (mut agreeing, mut total, mut panics) = (0, 0, 0);
    let mut verdicts = verdicts.into_iter();
    let mut stricter_unwarned = 0;
    let mut seen_cases = 0;
    for (group, warned) in groups.iter().zip(&warned) {
        // Whether the types accept a value the suite rejects (the generator must warn), or
        // reject one it accepts (measured, not required: `properties` without `type` takes
        // only objects in Rust).
        let mut accepts_invalid = false;
        for case in &group.cases {
            let verdict = verdicts.next().expect("a verdict per case");
            panics += usize::from(verdict == 'P');
            let agrees = (verdict == '1') == case.valid;
            let name = group.name();
            let reported = SEEN_FROM_OUTSIDE
                .iter()
                .any(|(g, c)| *g == name && (*c == "*" || *c == case.description));
            seen_cases += usize::from(reported);
            if reported && !agrees {
                silent.push(format!(
                    "still disagrees, as reported in issue 9: {name} / {}",
                    case.description
                ));
            }
            let entry = per_file.entry(&group.file).or_default();
            entry.1 += 1;
            total += 1;
            if agrees {
                entry.0 += 1;
                agreeing += 1;
            } else {
                accepts_invalid |= !case.valid;
                stricter_unwarned += usize::from(case.valid && !*warned);
                let expected = if case.valid { "valid" } else { "invalid" };
                let warned = if *warned { "" } else { " (no warning)" };
                writeln!(
                    entry.2,
                    "    {} / {}: expected {expected}{warned}",
                    group.description, case.description
                )
                .unwrap();
            }
        }
        let name = group.name();
        let known = KNOWN_SILENT.contains(&name.as_str());
        if !warned && accepts_invalid && !known {
            silent.push(format!(
                "accepts what the suite rejects, without a warning: {name}"
            ));
        }
        if known && (*warned || !accepts_invalid) {
            silent.push(format!(
                "now warned or agreeing, take it off KNOWN_SILENT: {name}"
            ));
        }
    }
    for (file, (agree, count, cases)) in &per_file {
        writeln!(report, "{file}: {agree}/{count}\n{cases}").unwrap();
    }
    eprintln!("{report}");
    eprintln!(
        "JSON Schema Test Suite (draft 7): the generated types agree on {agreeing} of {total} cases \
         ({:.1}%), {} groups generated, {skipped} groups skipped (refRemote.json and remote `$ref`s), \
         {panics} panics; {stricter_unwarned} valid cases rejected without a warning",
        agreeing as f64 * 100.0 / total as f64,
        groups.len(),
    );
    assert_eq!(panics, 0, "reading or validating a case panicked");
    // Every entry names cases that exist: 34 cases of 8 groups, and 2 single cases.
    assert_eq!(
        seen_cases, 36,
        "SEEN_FROM_OUTSIDE names cases the suite does not hold"
    );
    assert!(
        silent.is_empty(),
        "no silent acceptance:\n{}",
        silent.join("\n")
    );
    assert!(
        agreeing >= MIN_AGREEING,
        "the generated types agree on {agreeing} of {total} cases; at least {MIN_AGREEING} must"
    );
}
