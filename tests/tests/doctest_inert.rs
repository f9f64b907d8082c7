//! Schema text never becomes code, for real: a crate generated (by `generate`, by `schema` and
//! by the build-script path) from schemas whose every title and description holds Markdown
//! code blocks that would panic or fail to compile if run, passes `cargo test --doc` running
//! only the harness's own doctest, `cargo clippy -D warnings` and `cargo doc` under
//! `RUSTDOCFLAGS="-D warnings"`. The same crate holds the
//! odd cases that must compile: services named `lib`, `default` and `string`, roots that are
//! not objects or are named `String`, and 62 and 120 levels of nesting.
//!
//! One small scratch crate, built in the target folder the corpus test uses too.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

#[path = "../fixtures/hostile_markdown.rs"]
mod hostile_markdown;
use hostile_markdown::{all_forms, hostile_schema, FORMS};

/// A snapshot of `service` whose every text is hostile.
fn hostile_snapshot(service: &str) -> String {
    // Markup rustdoc would warn about (or pass into the page) too.
    let all = all_forms()
        + "\n\n<script>alert(1)</script> [region] [`Credentials`] https://x.io/a. <a href=\"https://x.io\">x</a> <li>";
    let value = json!({
        "connector": {
            "title": all, "description": all,
            "service": { "name": service, "version": 1 }
        },
        "environments": [{
            "id": "5e7e0c4e-6a2b-4c41-9a53-8f1d2e3c4b5a",
            "title": all,
            "authenticationType": "oauth2",
            "scopes": [
                { "scope": "read", "description": all },
                { "scope": "```\npanic!(\"scope\")\n```", "description": FORMS[4] }
            ],
            "credentialsSchema": hostile_schema(),
            "userDataSchema": { "type": "object", "description": all, "properties": {} }
        }]
    });
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

/// `levels` nested optional objects (`opt`), or arrays of objects and maps of objects.
fn deep(levels: usize, shape: &str) -> Value {
    let mut schema = json!({"type": "string"});
    for i in 0..levels {
        schema = match (shape, i % 2) {
            ("array", 0) => json!({"type": "array", "items": schema}),
            ("map", 0) => json!({"type": "object", "additionalProperties": schema}),
            _ => json!({"type": "object", "properties": {format!("level{i}"): schema}}),
        };
    }
    json!({"type": "object", "properties": {"root": schema}})
}

/// The `schema` path: a module per schema, from `tray_codegen::schema_to_rust`.
fn from_schema() -> String {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("hostile", hostile_schema(), "Credentials"),
        (
            "string_root",
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            "String",
        ),
        (
            "vec_root",
            json!({"type": "array", "items": {"type": "integer"}}),
            "Vec",
        ),
        (
            "option_root",
            json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}}),
            "Option",
        ),
        (
            "integer_root",
            json!({"type": "integer", "description": all_forms()}),
            "Credentials",
        ),
        ("true_root", json!(true), "Credentials"),
        (
            "array_root",
            json!({"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}),
            "Credentials",
        ),
        ("deep62", deep(62, "object"), "Credentials"),
        ("deep120", deep(120, "object"), "Credentials"),
        ("deep_arrays", deep(120, "array"), "Credentials"),
        ("deep_maps", deep(120, "map"), "Credentials"),
    ];
    let mut text = String::from("//! Types from `tray_codegen::schema_to_rust`.\n\n");
    for (module, schema, name) in cases {
        let (code, _) = tray_codegen::schema_to_rust(&schema, name, None).unwrap();
        // rustdoc's pass over auto traits overflows on a hundred nested levels (E0275): those
        // are compiled and clippy'd, not documented (their docs are no different).
        let cfg = if module.starts_with("deep") && module != "deep62" {
            "#[cfg(not(doc))]\n"
        } else {
            ""
        };
        writeln!(text, "{cfg}pub mod {module} {{\n{code}}}\n").unwrap();
    }
    text
}

/// What the harness adds to the generated `lib.rs`: its own doctest (so a count of one shows
/// that doctests run here), the other paths' modules, and uses of the deep types that make
/// rustc check their auto traits.
const HARNESS: &str = r#"
/// The harness's own doctest: the only one that may run.
///
/// ```
/// assert_eq!(1 + 1, 2);
/// ```
pub struct Harness;

pub mod from_schema;

/// The build-script path (`Config::compile`).
pub mod from_build_script {
    include!("tray_connectors.rs");
}

/// Types are used the way an importer does: sent across threads, read and validated.
#[cfg(not(doc))]
pub fn use_deep_types(json: &str) -> usize {
    fn auto<T: Send + Sync + Unpin + serde::de::DeserializeOwned + tray_auth::Validate + std::fmt::Debug>(json: &str) -> usize {
        serde_json::from_str::<T>(json).map(|t| format!("{t:?}").len() + usize::from(t.validate().is_ok())).unwrap_or(0)
    }
    auto::<from_schema::deep62::Credentials>(json)
        + auto::<from_schema::deep120::Credentials>(json)
        + auto::<from_schema::deep_arrays::Credentials>(json)
        + auto::<from_schema::deep_maps::Credentials>(json)
        + auto::<from_schema::string_root::StringType>(json)
        + auto::<hostile::Credentials>(json)
        + auto::<lib_service::Credentials>(json)
        + auto::<default_service::Credentials>(json)
}
"#;

/// The generated crate's features, from its `Cargo.toml`.
fn features(cargo_toml: &str) -> &str {
    let start = cargo_toml
        .find("[features]")
        .expect("the generated crate has features");
    &cargo_toml[start..]
}

fn write_crate(dir: &Path) {
    let schemas = dir.join("schemas");
    fs::create_dir_all(&schemas).unwrap();
    for service in ["hostile", "lib", "default", "string"] {
        fs::write(
            schemas.join(format!("{service}-1.json")),
            hostile_snapshot(service),
        )
        .unwrap();
    }
    let config = tray_codegen::Config::new().schemas_dir(&schemas);
    let generation = config.generate_crate().unwrap();
    let crate_dir = dir.join("hostile-connectors");
    generation.write(&crate_dir).unwrap();
    let cargo_toml = fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    tray_tests::write_scratch_manifest(&crate_dir, "hostile-connectors", "", features(&cargo_toml));
    let lib = fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    fs::write(crate_dir.join("src/lib.rs"), lib + HARNESS).unwrap();
    fs::write(crate_dir.join("src/from_schema.rs"), from_schema()).unwrap();
    let single = config.generate_single_file().unwrap();
    single.write(crate_dir.join("src")).unwrap();
}

#[test]
fn hostile_text_runs_no_doctest_and_odd_schemas_compile() {
    let dir = tempfile::tempdir().unwrap();
    write_crate(dir.path());
    let crate_dir = dir.path().join("hostile-connectors");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");

    let doctests = tray_tests::run_cargo(&crate_dir, &target, &["test", "--doc", "--offline"]);
    assert!(
        doctests.contains("running 1 test\n")
            && doctests.contains("test result: ok. 1 passed; 0 failed; 0 ignored"),
        "only the harness's doctest may run:\n{doctests}"
    );
    assert!(doctests.contains("Harness"), "{doctests}");

    tray_tests::run_cargo(
        &crate_dir,
        &target,
        &["clippy", "--offline", "--", "-D", "warnings"],
    );
    // Hostile text is rendered as text: no broken link, HTML tag or bare URL for rustdoc.
    tray_tests::run_cargo_with(
        &crate_dir,
        &target,
        &["doc", "--offline", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    );
}
