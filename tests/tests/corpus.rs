//! Every real connector schema in `../shared/corpus`: the generator takes it without a panic,
//! the output compiles warning-free under `clippy -D warnings`, and every `default` and
//! `examples` value either reads into the generated type (and `validate()` agrees with an
//! independent JSON Schema validator about it) or was dropped because it contradicts its own
//! schema (which the same validator confirms).
//!
//! The crate is also documented with `cargo doc` under `RUSTDOCFLAGS="-D warnings"`: real
//! descriptions hold bare URLs, HTML and brackets that rustdoc would read as links. A few
//! schemas written for review (an auth choice whose variants differ a lot in size, which
//! `clippy::large_enum_variant` rejects unless the large ones are boxed) are compiled with it.
//! A faster test plans every corpus schema and reads the docs: none is a placeholder, each
//! field's says what `validate()` checks on it.
//!
//! Parity: `tray_schema`'s checker agrees with the generated types on every one of those
//! values, on whether it is valid and on where it is not (each pointer the generated types
//! name is one the checker names), and it rejects every dropped value. Disagreements are bugs
//! on one side; the known ones are listed below, exactly, so a new one fails the test and so
//! does a fixed one left on the list.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use serde_json::{json, Value};
use tray_codegen::schema::{Checker, Diagnostics, Reader};

const DROPPED: &str = "is not a value of the property's own schema; it is dropped";

/// Values on which the generated types (deserialize, then `validate()`) and the checker
/// disagree: `file#pointer: what`. Each is a bug in one of them.
const KNOWN_PARITY: &[&str] = &[];

/// Values on which the checker and the independent validator disagree (the generated types'
/// side is held to the independent validator by `values.rs` itself).
const KNOWN_CHECKER_VS_ORACLE: &[&str] = &[];

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
        let token = tray_schema::pointer::unescape(token);
        while let Some(reference) = here.get("$ref").and_then(Value::as_str) {
            here = document.pointer(reference.strip_prefix('#')?)?;
        }
        here = match here {
            Value::Object(map) => map.get(&*token)?,
            Value::Array(list) => list.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(here)
}

/// The checker of a corpus schema, read as the generator reads it (file `$ref`s from its
/// folder).
fn checker_of(schema: &Schema) -> Checker {
    let mut diagnostics = Diagnostics::new(Some(schema.path.clone()));
    let document =
        Reader::new(&schema.document, "", schema.path.parent(), &mut diagnostics).read_root();
    Checker::new(document)
}

/// The pointers (into the value) where the checker finds `value` breaks the schema at
/// `schema_pointer`, each once; `None` when the checker has no schema there.
fn checker_pointers(checker: &Checker, schema_pointer: &str, value: &Value) -> Option<Vec<String>> {
    let mut pointers: Vec<String> = checker
        .check_at(schema_pointer, value)?
        .into_iter()
        .map(|p| p.pointer)
        .collect();
    pointers.dedup();
    Some(pointers)
}

/// `found` against `known`, as a message naming what is new and what is gone; `None` when
/// they are the same list.
fn unexpected(what: &str, found: &[String], known: &[&str]) -> Option<String> {
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !known.contains(&f.as_str()))
        .collect();
    let gone: Vec<&&str> = known
        .iter()
        .filter(|k| !found.iter().any(|f| f == *k))
        .collect();
    (!new.is_empty() || !gone.is_empty()).then(|| {
        format!(
            "{what}: {} new (a bug on one side):\n{}\n{} fixed (take them off the list):\n{}",
            new.len(),
            new.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            gone.len(),
            gone.iter().map(|s| **s).collect::<Vec<_>>().join("\n")
        )
    })
}

/// `folder/file.json#pointer`: where a value of the corpus is.
fn at(schema: &Schema, pointer: &str) -> String {
    let folder = schema.path.parent().and_then(|p| p.file_name());
    let file = schema.path.file_name().unwrap_or_default();
    format!(
        "{}/{}#{pointer}",
        folder.unwrap_or_default().to_string_lossy(),
        file.to_string_lossy()
    )
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
    let mut checker_vs_oracle = Vec::new();
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
        let checker = checker_of(schema);

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
            match checker_pointers(&checker, owner(&diagnostic.pointer), value) {
                Some(pointers) if !pointers.is_empty() => {}
                Some(_) => checker_vs_oracle.push(format!(
                    "{}: dropped as invalid, the checker accepts it",
                    at(schema, &diagnostic.pointer)
                )),
                None => checker_vs_oracle.push(format!(
                    "{}: the checker has no schema at {}",
                    at(schema, &diagnostic.pointer),
                    owner(&diagnostic.pointer)
                )),
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
                let at = at(schema, pointer);
                let Some(checker) = checker_pointers(&checker, owner(pointer), value) else {
                    checker_vs_oracle.push(format!(
                        "{at}: the checker has no schema at {}",
                        owner(pointer)
                    ));
                    continue;
                };
                if checker.is_empty() != expected {
                    checker_vs_oracle.push(format!(
                        "{at}: the checker {}, the independent validator {}",
                        if expected { "rejects" } else { "accepts" },
                        if expected { "accepts" } else { "rejects" },
                    ));
                }
                let json = serde_json::to_string(&json!({ "value": value })).unwrap();
                writeln!(
                    checks,
                    "    check::<corpus::{}::{}>(&mut runs, {json:?}, {expected}, &{checker:?}, {at:?});",
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
    if let Some(message) = unexpected(
        "the checker and the independent validator disagree",
        &checker_vs_oracle,
        KNOWN_CHECKER_VS_ORACLE,
    ) {
        panic!("{message}");
    }

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
    for (module, schema, expected) in review_schemas() {
        let (code, _) = tray_codegen::schema_to_rust(&schema, "Credentials", None).unwrap();
        for wanted in expected {
            assert!(code.contains(wanted), "{module}: no `{wanted}` in\n{code}");
        }
        fs::write(crate_dir.join("src").join(format!("{module}.rs")), code).unwrap();
        writeln!(lib, "pub mod {module};").unwrap();
    }
    fs::write(crate_dir.join("src/lib.rs"), lib).unwrap();
    fs::write(
        crate_dir.join("tests/values.rs"),
        VALUES_RS.replace("/* CHECKS */\n", &checks).replace(
            "/* PARITY_FILE */",
            &format!("{:?}", crate_dir.join("parity.json")),
        ),
    )
    .unwrap();
    let more = format!(
        "tray-schema = {{ path = {:?} }}\n",
        tray_tests::crate_path("schema")
    );
    tray_tests::write_scratch_manifest(&crate_dir, "corpus", &more, "");

    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");
    tray_tests::clippy_clean(&crate_dir, &target);
    tray_tests::run_cargo(&crate_dir, &target, &["test", "--offline"]);
    // Only the crate itself: its dependencies' docs are not generated code.
    tray_tests::run_cargo_with(
        &crate_dir,
        &target,
        &["doc", "--offline", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    );
    let parity: Value =
        serde_json::from_str(&fs::read_to_string(crate_dir.join("parity.json")).unwrap()).unwrap();
    let disagreements: Vec<String> =
        serde_json::from_value(parity["disagreements"].clone()).unwrap();
    if let Some(message) = unexpected(
        "the generated types and the checker disagree",
        &disagreements,
        KNOWN_PARITY,
    ) {
        panic!("{message}");
    }
    eprintln!(
        "corpus: {n} of {n} schemas generate without a panic, compile under clippy -D warnings and document under rustdoc -D warnings; \
         sample values: {} read and validate as their schema says ({} valid, {} break a constraint and are rejected by validate()), \
         {} dropped as contradicting their schema; the checker agrees with the generated types on {} \
         values and with the independent validator on all but {}, {} known disagreements with the types",
        counts.get("valid").unwrap_or(&0) + counts.get("breaks a constraint").unwrap_or(&0),
        counts.get("valid").unwrap_or(&0),
        counts.get("breaks a constraint").unwrap_or(&0),
        counts.get("dropped").unwrap_or(&0),
        parity["agreed"],
        checker_vs_oracle.len(),
        disagreements.len(),
        n = schemas.len(),
    );
}

/// Schemas written for review, compiled (and clippy'd, and documented) with the corpus: a
/// module name, the schema, and what its code must hold.
fn review_schemas() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    let strings = |names: &[&str]| -> (Value, Value) {
        let properties: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| ((*n).to_owned(), json!({"type": "string"})))
            .collect();
        (Value::Object(properties), json!(names))
    };
    let (account, account_required) = strings(&[
        "project_id",
        "client_email",
        "client_id",
        "private_key_id",
        "auth_uri",
        "token_uri",
        "cert_url",
        "client_cert_url",
        "universe_domain",
        "quota_project",
    ]);
    let (address, address_required) = strings(&[
        "host",
        "path",
        "user",
        "zone",
        "site",
        "port_name",
        "db",
        "schema_name",
        "role",
        "warehouse",
    ]);
    let mut account = account;
    account["method"] = json!({"const": "service_account"});
    vec![
        (
            // Each enum tripped `clippy::large_enum_variant` before its large variant was boxed.
            "review_large_variants",
            json!({
                "type": "object",
                "properties": {
                    "auth": { "title": "Authentication", "oneOf": [
                        { "type": "object", "title": "None",
                          "properties": { "method": { "const": "none" } }, "required": ["method"] },
                        { "type": "object", "title": "Service account",
                          "properties": account, "required": account_required }
                    ] },
                    "target": { "anyOf": [
                        { "type": "string", "title": "Name" },
                        { "type": "object", "title": "Address",
                          "properties": address, "required": address_required }
                    ] }
                },
                "required": ["auth"]
            }),
            vec![
                "ServiceAccount(Box<AuthServiceAccount>)",
                "Address(Box<TargetAddress>)",
            ],
        ),
        (
            "review_names_and_text",
            json!({
                "type": "object",
                "properties": {
                    "type": { "title": "Deployment", "enum": ["cloud", "self-hosted"] },
                    "kind": { "title": "A sentence that says far too much to be a name", "enum": ["a"] },
                    // Variants that `Self::Err` or `Self::Error` would be taken for.
                    "outcome": { "enum": ["ok", "err", "error", "Self"] },
                    "notes": { "type": "string", "description": "Your <region>, see https://docs.example.com/a_(b) or <a href=\"https://x.io/docs\">the docs</a>; [EU] only, [`Credentials`] too. <li>one</li> <b>bold" }
                }
            }),
            vec![
                "pub type_: Option<Deployment>,",
                "pub kind: Option<Kind>,",
                "Error,",
                "[the docs](https://x.io/docs)",
            ],
        ),
    ]
}

/// Every type and field the corpus plans has a doc that says something: none is only its name
/// in backticks, a required field has no `Default:` line, a field of any JSON value says why,
/// and a field's doc names every check `validate()` makes on it.
#[test]
fn corpus_docs_say_what_validate_checks() {
    use tray_codegen::plan::{Body, Checks, Planner, Ty};
    let mut fields = 0;
    let mut checked = 0;
    let mut wrong = Vec::new();
    for schema in corpus() {
        let (code, _) = tray_codegen::schema_to_rust(&schema.document, "Config", None).unwrap();
        let placeholder = code.lines().map(str::trim).find(|line| {
            line.strip_prefix("/// `")
                .and_then(|rest| rest.strip_suffix("`.").or(rest.strip_suffix('`')))
                .is_some_and(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        });
        if let Some(line) = placeholder {
            wrong.push(format!("{}: placeholder doc {line}", schema.path.display()));
        }
        let mut diagnostics = Diagnostics::new(Some(schema.path.clone()));
        let document =
            Reader::new(&schema.document, "", schema.path.parent(), &mut diagnostics).read_root();
        let mut reserved = tray_codegen::names::RESERVED_TYPE_NAMES.to_vec();
        reserved.push("Config");
        let mut planner = Planner::new(&reserved, &mut diagnostics);
        planner.plan_root("Config", &document, "The root.".into(), &schema.document);
        for def in planner.finish() {
            if def.doc.is_empty() {
                wrong.push(format!(
                    "{}: `{}` has no doc",
                    schema.path.display(),
                    def.name
                ));
            }
            let Body::Struct(s) = &def.body else { continue };
            for field in &s.fields {
                fields += 1;
                let doc = field.doc.join("\n");
                let at = format!("{}: {}.{}", schema.path.display(), def.name, field.ident);
                let mut missing = expected_phrases(&field.checks)
                    .into_iter()
                    .filter(|phrase| !doc.contains(phrase.as_str()))
                    .collect::<Vec<_>>();
                checked += usize::from(!field.checks.is_empty());
                if field.required && doc.contains("Default:") {
                    missing.push("no `Default:` line".into());
                }
                let any = |ty: &Ty| matches!(ty, Ty::Value);
                let holds_any = match &field.ty {
                    Ty::Option(inner) | Ty::Box(inner) => {
                        any(inner) || matches!(&**inner, Ty::Vec(i) | Ty::Map(i) if any(i))
                    }
                    Ty::Vec(inner) | Ty::Map(inner) => any(inner),
                    ty => any(ty),
                };
                if holds_any && !doc.to_lowercase().contains("any json value") {
                    missing.push("why it is any JSON value".into());
                }
                if !missing.is_empty() {
                    wrong.push(format!("{at}: the doc lacks {missing:?}:\n{doc}"));
                }
            }
        }
        fn expected_phrases(checks: &Checks) -> Vec<String> {
            let c = &checks.constraints;
            let number = |n: f64| {
                if n.fract() == 0.0 {
                    format!("{}", n as i64)
                } else {
                    n.to_string()
                }
            };
            let mut phrases = Vec::new();
            if let Some(pattern) = &c.pattern {
                phrases.push(format!("matches the pattern `{pattern}`"));
            }
            for (n, unit) in [
                (c.min_length, "character"),
                (c.max_length, "character"),
                (c.min_items, "item"),
                (c.max_items, "item"),
            ] {
                if let Some(n) = n {
                    phrases.push(format!("{n} {unit}"));
                }
            }
            for (n, words) in [
                (c.minimum, "at least"),
                (c.exclusive_minimum, "greater than"),
                (c.maximum, "at most"),
                (c.exclusive_maximum, "less than"),
            ] {
                if let Some(n) = n {
                    phrases.push(format!("{words} {}", number(n)));
                }
            }
            if c.unique_items {
                phrases.push("no two items equal".into());
            }
            if checks.allowed.is_some() {
                phrases.push("one of ".into());
            }
            for (nested, what) in [
                (&checks.items, "each item: "),
                (&checks.values, "each value: "),
            ] {
                if nested.as_deref().is_some_and(|n| !n.is_empty()) {
                    phrases.push(what.into());
                }
            }
            phrases
        }
    }
    assert!(
        wrong.is_empty(),
        "{} docs:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        fields > 2000 && checked > 250,
        "{fields} fields, {checked} with checks"
    );
    eprintln!("corpus docs: {fields} fields, {checked} with checks, each named in its doc");
}

/// The scratch crate's test of the kept values; `check` lines and the parity file's path are
/// filled in.
const VALUES_RS: &str = r#"//! Every kept `default` and `examples` value of the corpus: it reads into its generated type,
//! `validate()` says what an independent validator says, and where the generated types and
//! `tray_schema`'s checker (whose pointers each line carries) disagree is written down.

use tray_auth::Validate;

/// What the checks found.
#[derive(Default)]
struct Runs {
    /// Values that break the generator's promises.
    failures: Vec<String>,
    /// Values the generated types and the checker disagree on.
    disagreements: Vec<String>,
    /// Values they agree on.
    agreed: usize,
}

/// Where the generated types reject `json` (`{"value": ..}`): pointers into the value.
fn rejected_at<T: tray_auth::json::FromJson + Validate>(
    runs: &mut Runs,
    json: &str,
    valid: bool,
    at: &str,
) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let probe = match T::from_json(value) {
        Ok(probe) => probe,
        Err(error) => {
            let message = format!("{at}: does not read into the generated type: {error}");
            runs.failures.push(message);
            // The pointer starts at the probe's `value` field.
            let pointer = error.pointer();
            return vec![pointer.strip_prefix("/value").unwrap_or(&pointer).to_owned()];
        }
    };
    match probe.validate() {
        Ok(()) => {
            if !valid {
                runs.failures.push(format!("{at}: validate() accepts a value its schema rejects"));
            }
            Vec::new()
        }
        Err(errors) => {
            let pointers: Vec<String> = errors
                .violations()
                .iter()
                .filter_map(|v| v.pointer().strip_prefix("/value").map(str::to_owned))
                .collect();
            if valid || pointers.len() != errors.violations().len() {
                runs.failures.push(format!("{at}: validate() says {errors}"));
            }
            pointers
        }
    }
}

fn check<T: tray_auth::json::FromJson + Validate>(
    runs: &mut Runs,
    json: &str,
    valid: bool,
    checker: &[&str],
    at: &str,
) {
    let generated = rejected_at::<T>(runs, json, valid, at);
    let unnamed: Vec<&String> = generated
        .iter()
        .filter(|p| !checker.contains(&p.as_str()))
        .collect();
    let disagreement = match (generated.is_empty(), checker.is_empty()) {
        (true, true) => None,
        (true, false) => Some(format!(
            "{at}: the generated types accept it, the checker rejects it at {checker:?}"
        )),
        (false, true) => Some(format!(
            "{at}: the generated types reject it at {generated:?}, the checker accepts it"
        )),
        (false, false) if unnamed.is_empty() => None,
        (false, false) => Some(format!(
            "{at}: the generated types reject it at {unnamed:?}, the checker at {checker:?}"
        )),
    };
    match disagreement {
        Some(disagreement) => runs.disagreements.push(disagreement),
        None => runs.agreed += 1,
    }
}

#[test]
fn corpus_values() {
    let mut runs = Runs::default();
/* CHECKS */
    let parity = serde_json::json!({"agreed": runs.agreed, "disagreements": runs.disagreements});
    std::fs::write(/* PARITY_FILE */, parity.to_string()).unwrap();
    assert!(
        runs.failures.is_empty(),
        "{} values:\n{}",
        runs.failures.len(),
        runs.failures.join("\n")
    );
}
"#;
