//! Every real connector schema in `../shared/corpus`: the generator takes it without a panic,
//! the output compiles warning-free under `clippy -D warnings`, and every `default` and
//! `examples` value either reads into the generated type (and `validate()` agrees with an
//! independent JSON Schema validator about it) or was dropped because it contradicts its own
//! schema (which the same validator confirms).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use serde_json::{json, Value};

const DROPPED: &str = "is not a value of the property's own schema; it is dropped";

struct Schema {
    path: PathBuf,
    module: String,
    document: Value,
}

fn corpus() -> Vec<Schema> {
    let root = tray_tests::repo_root().join("../shared/corpus");
    let mut paths = Vec::new();
    for folder in fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}: the corpus sits in ../shared", root.display()))
    {
        let folder = folder.unwrap().path();
        if folder.is_dir() {
            for file in fs::read_dir(&folder).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    paths.push(path);
                }
            }
        }
    }
    paths.sort();
    let mut modules = tray_codegen::names::Scope::default();
    paths
        .into_iter()
        .map(|path| {
            let document = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let module = modules.take(&tray_codegen::names::snake(
                &path.file_stem().unwrap().to_string_lossy(),
            ));
            Schema {
                path,
                module,
                document,
            }
        })
        .collect()
}

/// An independent validator of `value` against the schema at `pointer` in `document`,
/// following `$ref`s the pointer passes through. `None` when that schema cannot be built
/// (a `$ref` to a file that is not in the corpus).
fn oracle_accepts(document: &Value, pointer: &str, value: &Value) -> Option<bool> {
    let mut schema = resolve(document, document, pointer)?.clone();
    if let Value::Object(map) = &mut schema {
        for key in ["definitions", "$defs"] {
            if let Some(defs) = document.get(key) {
                map.entry(key.to_owned()).or_insert_with(|| defs.clone());
            }
        }
        map.remove("$schema");
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(false)
        .build(&schema)
        .ok()?;
    Some(validator.is_valid(value))
}

/// The value at a JSON pointer, stepping through local `$ref`s on the way.
fn resolve<'a>(document: &'a Value, at: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut here = at;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        while let Some(reference) = here.get("$ref").and_then(Value::as_str) {
            here = document.pointer(reference.strip_prefix('#')?)?;
        }
        here = match here {
            Value::Object(map) => map.get(&token)?,
            Value::Array(list) => list.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(here)
}

/// The schema a sample value belongs to: `…/default` and `…/example` → `…`,
/// `…/examples/3` → `…`.
fn owner(pointer: &str) -> &str {
    let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
    parent.strip_suffix("/examples").unwrap_or(parent)
}

#[test]
fn every_corpus_schema_generates_compiles_and_keeps_its_values() {
    let schemas = corpus();
    assert!(
        schemas.len() >= 395,
        "the corpus has {} schemas",
        schemas.len()
    );

    let crate_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-crate");
    let _ = fs::remove_dir_all(&crate_dir);
    fs::create_dir_all(crate_dir.join("src")).unwrap();
    fs::create_dir_all(crate_dir.join("tests")).unwrap();

    let mut panics = Vec::new();
    let mut lib = String::from("//! Every corpus schema, generated.\n");
    let mut checks = String::new();
    let mut dropped_wrongly = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for schema in &schemas {
        let generated = catch_unwind(AssertUnwindSafe(|| {
            tray_codegen::schema_to_rust_with_probes(&schema.document, "Config", Some(&schema.path))
        }));
        let generated = match generated {
            Ok(Ok(generated)) => generated,
            Ok(Err(error)) => {
                panics.push(format!("{}: {error}", schema.path.display()));
                continue;
            }
            Err(_) => {
                panics.push(format!("{}: the generator panicked", schema.path.display()));
                continue;
            }
        };
        fs::write(
            crate_dir.join("src").join(format!("{}.rs", schema.module)),
            &generated.code,
        )
        .unwrap();
        writeln!(lib, "pub mod {};", schema.module).unwrap();

        // Values the generator dropped must contradict their own schema.
        for diagnostic in generated
            .diagnostics
            .iter()
            .filter(|d| d.message.contains(DROPPED))
        {
            let value = schema
                .document
                .pointer(&diagnostic.pointer)
                .expect("a dropped value's pointer resolves");
            *counts.entry("dropped").or_default() += 1;
            if oracle_accepts(&schema.document, owner(&diagnostic.pointer), value) != Some(false) {
                dropped_wrongly.push(format!("{}#{}", schema.path.display(), diagnostic.pointer));
            }
        }
        for diagnostic in generated
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("`examples` must be an array"))
        {
            *counts.entry("dropped").or_default() += 1;
            assert!(!schema
                .document
                .pointer(&diagnostic.pointer)
                .unwrap()
                .is_array());
        }
        // Values it kept must read into the type, and validate() must agree with the oracle.
        for probe in &generated.probes {
            for (pointer, value) in &probe.values {
                let expected = oracle_accepts(&schema.document, owner(pointer), value)
                    .unwrap_or_else(|| {
                        panic!(
                            "{}#{pointer}: no independent validator could be built",
                            schema.path.display()
                        )
                    });
                *counts
                    .entry(if expected {
                        "valid"
                    } else {
                        "breaks a constraint"
                    })
                    .or_default() += 1;
                let at = format!(
                    "{}#{pointer}",
                    schema.path.file_name().unwrap().to_string_lossy()
                );
                let json = serde_json::to_string(&json!({ "value": value })).unwrap();
                writeln!(
                    checks,
                    "    check::<corpus::{}::{}>(&mut failures, {json:?}, {expected}, {at:?});",
                    schema.module, probe.type_name
                )
                .unwrap();
            }
        }
    }
    assert!(
        panics.is_empty(),
        "{} schemas failed:\n{}",
        panics.len(),
        panics.join("\n")
    );
    assert!(
        dropped_wrongly.is_empty(),
        "dropped, but valid by their schema:\n{}",
        dropped_wrongly.join("\n")
    );

    // The fixture snapshots too, as files of their own (not `include!`d), so clippy sees them whole.
    let fixtures = tray_codegen::Config::new()
        .schemas_dir(tray_tests::repo_root().join("tests/fixtures/schemas"))
        .generate_single_file()
        .unwrap();
    fs::write(
        crate_dir.join("src/fixtures.rs"),
        &fixtures.files[0].contents,
    )
    .unwrap();
    writeln!(lib, "pub mod fixtures;").unwrap();
    fs::write(crate_dir.join("src/lib.rs"), lib).unwrap();
    fs::write(
        crate_dir.join("tests/values.rs"),
        format!(
            "//! Every kept `default` and `examples` value of the corpus.\n\n\
             use tray_auth::Validate;\n\n\
             fn check<T: serde::de::DeserializeOwned + Validate>(failures: &mut Vec<String>, json: &str, valid: bool, at: &str) {{\n\
             \x20   let probe: T = match serde_json::from_str(json) {{\n\
             \x20       Ok(probe) => probe,\n\
             \x20       Err(error) => return failures.push(format!(\"{{at}}: does not read into the generated type: {{error}}\")),\n\
             \x20   }};\n\
             \x20   match (probe.validate(), valid) {{\n\
             \x20       (Ok(()), true) => {{}}\n\
             \x20       (Err(errors), false) if errors.violations().iter().all(|v| v.pointer().starts_with(\"/value\")) => {{}}\n\
             \x20       (Ok(()), false) => failures.push(format!(\"{{at}}: validate() accepts a value its schema rejects\")),\n\
             \x20       (Err(errors), _) => failures.push(format!(\"{{at}}: validate() says {{errors}}\")),\n\
             \x20   }}\n\
             }}\n\n\
             #[test]\n\
             fn corpus_values() {{\n\
             \x20   let mut failures = Vec::new();\n\
             {checks}\
             \x20   assert!(failures.is_empty(), \"{{}} values:\\n{{}}\", failures.len(), failures.join(\"\\n\"));\n\
             }}\n"
        ),
    )
    .unwrap();
    let repo = tray_tests::repo_root();
    fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"corpus\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = {{ version = \"1\", features = [\"preserve_order\"] }}\n\
             tray-auth = {{ path = {:?} }}\n\n[workspace]\n",
            repo.join("runtime").canonicalize().unwrap()
        ),
    )
    .unwrap();
    fs::copy(repo.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();

    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");
    tray_tests::run_cargo(
        &crate_dir,
        &target,
        &[
            "clippy",
            "--offline",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    tray_tests::run_cargo(&crate_dir, &target, &["test", "--offline"]);
    eprintln!(
        "corpus: {n} of {n} schemas generate without a panic and compile under clippy -D warnings; \
         sample values: {} read and validate as their schema says ({} valid, {} break a constraint and are rejected by validate()), \
         {} dropped as contradicting their schema",
        counts.get("valid").unwrap_or(&0) + counts.get("breaks a constraint").unwrap_or(&0),
        counts.get("valid").unwrap_or(&0),
        counts.get("breaks a constraint").unwrap_or(&0),
        counts.get("dropped").unwrap_or(&0),
        n = schemas.len(),
    );
}
