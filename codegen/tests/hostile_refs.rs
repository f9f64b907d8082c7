//! `$ref`s stay inside the schema's folder and stay small: every ref that leaves the folder,
//! names something that is not a regular JSON file, or is too big is refused with a warning
//! naming its pointer (and the property accepts any value); a definition used many times is
//! one type, so a schema built to explode generates code that grows only as it does.

use std::fs;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tray_codegen::schema::MAX_REF_FILE_BYTES;
use tray_codegen::{schema_to_rust, Diagnostic};

/// A folder holding `schemas/` (where the schema sits) and, beside it, a file outside.
struct Folder {
    root: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("schemas")).unwrap();
        fs::write(
            root.path().join("outside.json"),
            r#"{"definitions": {"x": {"type": "string", "enum": ["stolen-outside"]}}}"#,
        )
        .unwrap();
        Folder { root }
    }

    fn schemas(&self) -> PathBuf {
        self.root.path().join("schemas")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.schemas().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    /// Generates a schema whose property `p` is `{"$ref": reference}`, as if read from
    /// `schemas/schema.json`, within `limit` (a hang is a failure, not a stuck test).
    fn generate_ref(&self, reference: &str) -> (String, Vec<String>) {
        let schema = json!({"type": "object", "properties": {"p": {"$ref": reference}}});
        generate_within(schema, Some(self.schemas().join("schema.json")))
    }
}

fn generate_within(schema: Value, file: Option<PathBuf>) -> (String, Vec<String>) {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let generated = schema_to_rust(&schema, "Credentials", file.as_deref()).unwrap();
        let _ = send.send(generated);
    });
    let (code, diagnostics) = receive
        .recv_timeout(Duration::from_secs(60))
        .expect("generation finishes within a minute");
    (
        code,
        diagnostics.iter().map(Diagnostic::to_string).collect(),
    )
}

/// The property accepts any value, and one warning at the `$ref`'s pointer says why.
fn assert_refused(code: &str, warnings: &[String], reason: &str) {
    assert!(
        code.contains("pub p: Option<serde_json::Value>,"),
        "the property should accept any value: {code}"
    );
    assert!(
        !code.contains("stolen"),
        "nothing from the refused file is used: {code}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("#/properties/p/$ref: `$ref` `")
                && w.contains(reason)
                && w.ends_with("any value is accepted here")),
        "want a warning at /properties/p/$ref saying {reason:?}: {warnings:#?}"
    );
}

#[test]
fn refs_out_of_the_folder_are_refused() {
    let folder = Folder::new();
    let inside = folder.write(
        "inside.json",
        r#"{"definitions": {"x": {"type": "string", "enum": ["stolen-inside"]}}}"#,
    );
    let cases = [
        (
            "../outside.json#/definitions/x",
            "leads out of the schema's folder",
        ),
        (
            "sub/../../outside.json#/definitions/x",
            "leads out of the schema's folder",
        ),
        ("/etc/passwd", "is an absolute path"),
        ("/dev/zero", "is an absolute path"),
        // Absolute is refused even when it points inside.
        (
            &format!("{}#/definitions/x", inside.display()),
            "is an absolute path",
        ),
        (
            "http://example.com/x.json",
            "is a URI; only files beside the schema are read, nothing is fetched",
        ),
        ("file:///etc/passwd", "is a URI"),
        ("missing.json", "cannot be read"),
    ];
    fs::create_dir(folder.schemas().join("sub")).unwrap();
    for (reference, reason) in cases {
        let (code, warnings) = folder.generate_ref(reference);
        assert_refused(&code, &warnings, reason);
    }
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_only_inside_the_folder() {
    use std::os::unix::fs::symlink;
    let folder = Folder::new();
    symlink(
        folder.root.path().join("outside.json"),
        folder.schemas().join("link-out.json"),
    )
    .unwrap();
    symlink("/dev/zero", folder.schemas().join("zero.json")).unwrap();
    symlink(folder.root.path(), folder.schemas().join("up")).unwrap();
    for reference in [
        "link-out.json#/definitions/x",
        "zero.json",
        "up/outside.json#/definitions/x",
    ] {
        let (code, warnings) = folder.generate_ref(reference);
        assert_refused(&code, &warnings, "leads out of the schema's folder");
    }
    // A symlink that stays inside is fine.
    folder.write(
        "defs/region.json",
        r#"{"definitions": {"region": {"type": "string", "enum": ["eu", "us"]}}}"#,
    );
    symlink("defs/region.json", folder.schemas().join("alias.json")).unwrap();
    let (code, warnings) = folder.generate_ref("alias.json#/definitions/region");
    assert!(code.contains("pub p: Option<Region>,"), "{code}");
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn only_regular_json_files_of_bounded_size_are_read() {
    let folder = Folder::new();
    fs::create_dir(folder.schemas().join("a-folder.json")).unwrap();
    folder.write(
        "notes.txt",
        "hello: this is not JSON, and not a secret either",
    );
    folder.write("binary.json", "\u{0}\u{1}\u{2}");
    let huge = fs::File::create(folder.schemas().join("huge.json")).unwrap();
    huge.set_len(MAX_REF_FILE_BYTES + 1).unwrap();
    let cases = [
        ("a-folder.json", "is not a regular file"),
        ("notes.txt", "is not a JSON file"),
        ("binary.json", "is not a JSON file"),
        (
            "huge.json",
            &format!("is larger than {MAX_REF_FILE_BYTES} bytes"),
        ),
    ];
    for (reference, reason) in cases {
        let (code, warnings) = folder.generate_ref(reference);
        assert_refused(&code, &warnings, reason);
        assert!(
            !warnings.iter().any(|w| w.contains("hello")),
            "no content is quoted: {warnings:#?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let folder = Folder::new();
    let fifo = folder.schemas().join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let (code, warnings) = folder.generate_ref("pipe.json");
    assert_refused(&code, &warnings, "is not a regular file");
}

#[test]
fn all_files_together_are_capped_too() {
    let folder = Folder::new();
    // Each under the cap on its own, too many together; zeros are no JSON, but are read.
    let each = MAX_REF_FILE_BYTES - 1;
    let mut properties = serde_json::Map::new();
    for i in 0..5 {
        let file = fs::File::create(folder.schemas().join(format!("big-{i}.json"))).unwrap();
        file.set_len(each).unwrap();
        properties.insert(format!("p{i}"), json!({"$ref": format!("big-{i}.json")}));
    }
    let schema = json!({"type": "object", "properties": properties});
    let (_, warnings) = generate_within(schema, Some(folder.schemas().join("schema.json")));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("#/properties/p4/$ref") && w.contains("is larger than")),
        "{warnings:#?}"
    );
}

#[test]
fn a_schema_not_read_from_a_file_reads_no_files() {
    let (code, warnings) = generate_within(
        json!({"type": "object", "properties": {"p": {"$ref": "defs/x.json"}}}),
        None,
    );
    assert_refused(
        &code,
        &warnings,
        "names another file, but this schema was not read from a file",
    );
}

#[test]
fn files_inside_the_folder_are_read_bom_and_all() {
    let folder = Folder::new();
    folder.write(
        "defs/region.json",
        "\u{feff}{\"definitions\": {\"region\": {\"type\": \"string\", \"enum\": [\"eu\", \"us\"], \"title\": \"Region\"}}}",
    );
    for reference in [
        "defs/region.json#/definitions/region",
        "./defs/../defs/region.json#/definitions/region",
        "defs/region.json#/definitions/%72egion",
    ] {
        let (code, warnings) = folder.generate_ref(reference);
        assert!(
            code.contains("pub p: Option<Region>,"),
            "{reference}: {code}"
        );
        assert_eq!(code.matches("pub enum Region").count(), 1, "{code}");
        assert!(warnings.is_empty(), "{reference}: {warnings:#?}");
    }
}

#[test]
fn refs_between_files_resolve_in_their_own_file_and_cycles_stop() {
    let folder = Folder::new();
    // a.json's local `#/…` refs are a.json's; b.json refers back to a.json.
    folder.write(
        "a.json",
        r##"{"definitions": {
            "x": {"type": "object", "properties": {"y": {"$ref": "b.json#/definitions/y"}, "mode": {"$ref": "#/definitions/mode"}}},
            "mode": {"type": "string", "enum": ["fast", "slow"]}
        }}"##,
    );
    folder.write(
        "b.json",
        r#"{"definitions": {"y": {"type": "object", "properties": {"back": {"$ref": "a.json#/definitions/x"}, "bad": {"type": "strng"}}}}}"#,
    );
    let (code, warnings) = folder.generate_ref("a.json#/definitions/x");
    assert!(code.contains("pub p: Option<X>,"), "{code}");
    assert!(code.contains("pub mode: Option<Mode>,"), "{code}");
    assert!(
        code.contains("pub back: Option<serde_json::Value>,"),
        "{code}"
    );
    let b = folder.schemas().canonicalize().unwrap().join("b.json");
    let at_b = |pointer: &str| format!("warning: {}#{pointer}: ", b.display());
    assert!(
        warnings.iter().any(
            |w| w.starts_with(&at_b("/definitions/y/properties/back/$ref"))
                && w.contains("`$ref` `a.json#/definitions/x` refers to itself")
        ),
        "the cycle is named in b.json: {warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(&at_b("/definitions/y/properties/bad/type"))),
        "a warning inside b.json names b.json: {warnings:#?}"
    );
}

/// `def_0` an object with a string; `def_k` an object whose `a` and `b` are both `def_{k-1}`:
/// expanded, `2^depth` objects.
fn doubling_chain(depth: usize, container: &str) -> Value {
    let mut definitions = serde_json::Map::new();
    definitions.insert(
        "def_0".into(),
        json!({"type": "object", "properties": {"leaf": {"type": "string"}}}),
    );
    for k in 1..=depth {
        let previous = format!("#/{container}/def_{}", k - 1);
        definitions.insert(
            format!("def_{k}"),
            json!({"type": "object", "required": ["a"], "properties": {
                "a": {"$ref": previous}, "b": {"$ref": previous}
            }}),
        );
    }
    json!({
        "type": "object",
        container: definitions,
        "required": ["top"],
        "properties": {"top": {"$ref": format!("#/{container}/def_{depth}")}}
    })
}

#[test]
fn a_definition_used_many_times_is_one_type() {
    // The chain is as deep as the generator nests types (`schema::MAX_DEPTH`, 32 levels, with
    // the root and `top`): a naive expansion is 2^28 objects.
    for (depth, container) in [(18, "definitions"), (24, "$defs"), (28, "definitions")] {
        let started = Instant::now();
        let (code, warnings) = generate_within(doubling_chain(depth, container), None);
        let took = started.elapsed();
        assert!(warnings.is_empty(), "depth {depth}: {warnings:#?}");
        assert!(
            took < Duration::from_secs(10),
            "depth {depth} took {took:?}"
        );
        // About 1,200 bytes per definition (its struct, `Serialize`, `FromJson` and
        // `Deserialize`): linear in the depth, not exponential.
        assert!(
            code.len() < 1300 * (depth + 2),
            "depth {depth}: {} bytes of code",
            code.len()
        );
        assert_eq!(code.matches("pub struct ").count(), depth + 2, "{code}");
        for k in 1..=depth {
            assert_eq!(
                code.matches(&format!("pub struct Def{k} ")).count(),
                1,
                "def_{k} is one struct"
            );
            // Held in a `Box` where the one below is large.
            let (plain, boxed) = (
                format!("pub a: Def{},", k - 1),
                format!("pub a: Box<Def{}>,", k - 1),
            );
            assert!(
                code.contains(&plain) || code.contains(&boxed),
                "{plain} missing"
            );
        }
        assert!(code.contains(&format!("pub top: Def{depth},")), "{code}");
        // Held by value, `Def{depth}` would be 2^depth leaves large.
        assert!(code.contains("pub a: Box<Def"), "{code}");
    }
}

#[test]
fn chains_deeper_than_the_limit_stop_with_a_warning() {
    let schema = doubling_chain(1000, "definitions");
    // validate() checks what the cut-off types cannot against the schema as written, which is
    // embedded (escaped) in the code: linear in the input, whatever its shape.
    let embedded = 2 * schema.to_string().len();
    let (code, warnings) = generate_within(schema, None);
    assert!(code.len() < 600 * 200 + embedded, "{} bytes", code.len());
    assert!(
        warnings.iter().any(|w| w.contains(&format!(
            "nested more than {} levels deep",
            tray_codegen::schema::MAX_DEPTH
        ))),
        "{warnings:#?}"
    );
}

#[test]
fn definitions_are_named_after_their_key_without_collisions() {
    let folder = Folder::new();
    folder.write(
        "other.json",
        r#"{"definitions": {"mode": {"type": "string", "enum": ["x", "y"]}}}"#,
    );
    let schema = json!({
        "type": "object",
        "definitions": {
            "mode": {"type": "string", "enum": ["a", "b"]},
            "my-settings": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "2fa": {"type": "object", "properties": {"code": {"type": "string"}}},
            "Option": {"type": "object", "properties": {"o": {"type": "string"}}}
        },
        "properties": {
            "first": {"$ref": "#/definitions/mode"},
            "second": {"$ref": "#/definitions/mode"},
            "third": {"$ref": "other.json#/definitions/mode"},
            "settings": {"$ref": "#/definitions/my-settings"},
            "many": {"type": "array", "items": {"$ref": "#/definitions/my-settings"}},
            "tfa": {"$ref": "#/definitions/2fa"},
            "opt": {"$ref": "#/definitions/Option"},
            "either": {"oneOf": [
                {"$ref": "#/definitions/my-settings"},
                {"$ref": "#/definitions/2fa"}
            ]}
        }
    });
    let (code, warnings) = generate_within(schema, Some(folder.schemas().join("schema.json")));
    // `{}` fits both variants of `either`, which `oneOf` forbids and the types cannot say.
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("#/properties/either/oneOf: the generated types read a `oneOf` value as the first variant it fits"),
        "{warnings:#?}"
    );
    for field in [
        "pub first: Option<Mode>,",
        "pub second: Option<Mode>,",
        "pub third: Option<Mode2>,",
        "pub settings: Option<MySettings>,",
        "pub many: Option<Vec<MySettings>>,",
        "pub tfa: Option<V2fa>,",
    ] {
        assert!(code.contains(field), "{field} missing: {code}");
    }
    for one in [
        "pub enum Mode ",
        "pub enum Mode2 ",
        "pub struct MySettings ",
        "pub struct V2fa ",
    ] {
        assert_eq!(code.matches(one).count(), 1, "{one}: {code}");
    }
    assert!(!code.contains("pub struct Option "), "{code}");
    // A definition used as a variant is the same type.
    assert!(code.contains("(MySettings),"), "{code}");
    assert!(code.contains("(V2fa),"), "{code}");
    syn::parse_file(&code).unwrap();
}

#[test]
fn definitions_keep_their_checks_defaults_and_docs() {
    let schema = json!({
        "type": "object",
        "definitions": {
            "port": {"type": "integer", "minimum": 1, "maximum": 65535, "title": "Port", "default": 443},
            "region": {"type": "string", "enum": ["eu", "us"], "default": "eu", "examples": ["us", "mars"]}
        },
        "properties": {
            "port": {"$ref": "#/definitions/port"},
            "backup_port": {"$ref": "#/definitions/port", "title": "Backup port", "default": 8443},
            "region": {"$ref": "#/definitions/region"}
        }
    });
    let (code, warnings) = generate_within(schema, None);
    assert!(code.contains("/// Port\n"), "{code}");
    assert!(code.contains("/// Backup port\n"), "{code}");
    assert!(code.contains("Default: `8443`."), "{code}");
    assert!(
        code.contains("pub fn default_port() -> i64 {\n        443"),
        "{code}"
    );
    // The definition's bounds are checked at each use.
    assert!(code.contains("v.at(\"port\")"), "{code}");
    assert!(code.contains("v.at(\"backup_port\")"), "{code}");
    assert_eq!(code.matches("maximum: Some(65535.0)").count(), 2, "{code}");
    assert!(code.contains("Region::Eu"), "{code}");
    // A sample that contradicts the definition is named where it is written.
    assert_eq!(
        warnings,
        ["warning: #/definitions/region/examples/1: this example is not a value of the property's own schema; it is dropped"],
    );
}

#[test]
fn copies_made_by_all_of_and_one_of_are_bounded() {
    // Each level shares a property holding the level below with two variants: copied into
    // each, the schema triples per level.
    fn level(depth: usize) -> Value {
        if depth == 0 {
            return json!({"type": "string"});
        }
        json!({"type": "object", "properties": {"a": level(depth - 1)}, "oneOf": [
            {"title": "X", "properties": {"x": {"type": "string"}}},
            {"title": "Y", "properties": {"y": {"type": "string"}}}
        ]})
    }
    let started = Instant::now();
    let (code, warnings) = generate_within(
        json!({"type": "object", "properties": {"deep": level(30)}}),
        None,
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(code.len() < 2_000_000, "{} bytes", code.len());
    assert!(code.contains("pub struct Credentials"), "{code}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("as `allOf` and `oneOf` copy properties into their parts")),
        "{warnings:#?}"
    );
}

#[test]
fn the_planner_stops_at_its_budget() {
    // 6000 objects of one field each: 12000 types and fields, past the budget of 10000.
    let properties: serde_json::Map<String, Value> = (0..6000)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"type": "object", "properties": {"v": {"type": "string"}}}),
            )
        })
        .collect();
    let (code, warnings) =
        generate_within(json!({"type": "object", "properties": properties}), None);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("would hold more than 10000 types and fields")),
        "{:#?}",
        &warnings[..warnings.len().min(5)]
    );
    assert!(code.contains("pub p5999: Option<serde_json::Value>,"));
    assert!(code.contains("pub p0: Option<P0>,"));
}

#[test]
fn diff_looks_through_refs_once() {
    use tray_codegen::diff::{diff, Impact};
    use tray_codegen::snapshot::Snapshot;
    let snapshot = |chain: Value| {
        let text = json!({
            "connector": {"name": "chain", "title": "Chain", "service": {"name": "chain", "version": 1}},
            "environments": [{
                "id": "11111111-2222-4333-8444-555555555555",
                "title": "Production",
                "credentialsSchema": chain,
                "userDataSchema": {}
            }]
        });
        Snapshot::parse(std::path::Path::new("chain-1.json"), &text.to_string()).unwrap()
    };
    let old = doubling_chain(28, "definitions");
    let mut new = old.clone();
    // A field added at the bottom of the chain, and a definition that refers to itself.
    new["definitions"]["def_0"]["properties"]["extra"] = json!({"type": "integer"});
    new["definitions"]["def_0"]["required"] = json!(["extra"]);
    new["definitions"]["node"] =
        json!({"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}});
    new["properties"]["node"] = json!({"$ref": "#/definitions/node"});
    let started = Instant::now();
    let d = diff(&[snapshot(old)], &[snapshot(new)]);
    assert!(started.elapsed() < Duration::from_secs(10));
    let changes = &d.connectors[0].changes;
    assert!(
        changes.iter().any(|c| c.impact == Impact::Breaking
            && c.message == "required field added"
            && c.path.ends_with("/extra")),
        "{changes:#?}"
    );
    assert!(
        changes.len() < 10,
        "each definition is compared once: {changes:#?}"
    );
}
