//! Names that come from outside (service names, snapshot file names) never become paths or
//! collide with the generated crate: reserved names get a suffix, duplicates and disagreements
//! are errors naming the files.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use tray_codegen::names::{marker_name, module_name};
use tray_codegen::schema::printable::shown;
use tray_codegen::snapshot::check_service_name;
use tray_codegen::Config;

/// A snapshot of `service` at `version`, with one string credential.
fn snapshot(service: &str, version: u64) -> String {
    let value = json!({
        "connector": { "title": "T", "service": { "name": service, "version": version } },
        "environments": [{
            "id": "5e7e0c4e-6a2b-4c41-9a53-8f1d2e3c4b5a",
            "title": "Production",
            "authenticationType": "token",
            "credentialsSchema": { "type": "object", "properties": { "api_key": { "type": "string" } } },
            "userDataSchema": {}
        }]
    });
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

/// A snapshot folder holding `files` (file name, service, version).
fn folder(files: &[(&str, &str, u64)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("schemas")).unwrap();
    for (file, service, version) in files {
        fs::write(
            dir.path().join("schemas").join(file),
            snapshot(service, *version),
        )
        .unwrap();
    }
    dir
}

fn generate_error(files: &[(&str, &str, u64)]) -> String {
    let dir = folder(files);
    Config::new()
        .schemas_dir(dir.path().join("schemas"))
        .generate_crate()
        .unwrap_err()
        .to_string()
}

fn tray_codegen(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tray-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn hostile_service_names_are_refused_with_a_reason() {
    let long = "a".repeat(101);
    for name in [
        "../../x",
        "/etc/x",
        "a/b",
        "a\\b",
        "x\0y",
        "..",
        ".",
        "",
        ".hidden",
        "-rf",
        "a..b",
        "slåck",
        "x y",
        "x\ny",
        "\u{1b}[31mred",
        &long,
    ] {
        assert!(check_service_name(name).is_err(), "{name:?} was accepted");
    }
    for name in [
        "slack",
        "http-client",
        "google_sheets",
        "v1.2",
        "A-Z_0.9",
        &long[1..],
    ] {
        assert_eq!(check_service_name(name), Ok(()), "{name:?}");
    }
    // The reason names the character, escaped.
    let why = check_service_name("x\0y").unwrap_err();
    assert!(why.contains(r#""\0""#) && !why.contains('\0'), "{why}");
}

#[test]
fn shown_escapes_and_cuts() {
    assert_eq!(shown("x\0y"), r#""x\0y""#);
    assert_eq!(shown("\u{1b}[2J"), r#""\u{1b}[2J""#);
    let cut = shown(&"a".repeat(1000));
    assert!(cut.len() < 70 && cut.ends_with('…'), "{cut}");
}

#[test]
fn reserved_module_and_marker_names_get_a_suffix() {
    assert_eq!(module_name("lib", 1, false), "lib_service");
    assert_eq!(module_name("default", 1, false), "default_service");
    assert_eq!(module_name("serde-json", 1, false), "serde_json_service");
    assert_eq!(module_name("tray_auth", 1, false), "tray_auth_service");
    assert_eq!(module_name("type", 1, false), "type_");
    assert_eq!(module_name("type", 4, true), "type_v4");
    assert_eq!(module_name("lib", 4, true), "lib_v4");
    assert_eq!(module_name("http-client", 5, false), "http_client");
    assert_eq!(marker_name("default", 1, false), "DefaultService");
    assert_eq!(marker_name("string", 1, false), "StringService");
    assert_eq!(marker_name("credentials", 1, false), "CredentialsService");
    assert_eq!(marker_name("self", 2, true), "SelfV2");
    assert_eq!(marker_name("mailchimp", 1, false), "Mailchimp");
}

#[test]
fn a_service_named_lib_or_default_does_not_overwrite_the_crate() {
    let dir = folder(&[
        ("lib-1.json", "lib", 1),
        ("default-1.json", "default", 1),
        ("string-1.json", "string", 1),
        ("mailchimp-1.json", "mailchimp", 1),
    ]);
    let out = tray_codegen(&["generate", "-q"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let src = dir.path().join("generated/src");
    let mut files: Vec<String> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "default_service.rs",
            "lib.rs",
            "lib_service.rs",
            "mailchimp.rs",
            "string.rs"
        ]
    );
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(lib.contains("pub mod lib_service;"), "{lib}");
    assert!(lib.contains("default_service::DefaultService"), "{lib}");
    assert!(lib.contains("string::StringService"), "{lib}");
    let cargo = fs::read_to_string(dir.path().join("generated/Cargo.toml")).unwrap();
    let keys: Vec<&str> = cargo
        .lines()
        .filter_map(|line| line.split_once(" = ").map(|(key, _)| key))
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(keys.len(), unique.len(), "duplicate keys in:\n{cargo}");
    assert!(
        cargo.contains(
            "default = [\"default_service\", \"lib_service\", \"mailchimp\", \"string\"]"
        ),
        "{cargo}"
    );
    assert!(
        String::from_utf8_lossy(&tray_codegen(&["check"], dir.path()).stderr)
            .contains("up to date")
    );
}

#[test]
fn two_snapshots_of_one_service_version_name_both_files() {
    let err = generate_error(&[
        ("slack-4.json", "slack", 4),
        ("slack-4-copy.json", "slack", 4),
    ]);
    assert!(
        err.contains("slack-4-copy.json and ")
            && err.contains("slack-4.json both hold service \"slack\" version 4: remove one"),
        "{err}"
    );
}

#[test]
fn a_file_named_for_another_service_is_an_error() {
    let err = generate_error(&[("slack-4.json", "mailchimp", 1)]);
    assert!(
        err.contains("slack-4.json: holds service \"mailchimp\" version 1, so its file name must be \"mailchimp-1.json\""),
        "{err}"
    );
    let err = generate_error(&[("slack-3.json", "slack", 4)]);
    assert!(err.contains("must be \"slack-4.json\""), "{err}");
    // A name that can never be a file name is refused, shown escaped, whatever the file's name.
    for (file, service) in [
        ("x-1.json", "../../x\u{1b}[2J"),
        ("a\nfn injected() {}\n-1.json", "a\nfn injected() {}\n"),
        ("my service-1.json", "my service"),
    ] {
        let err = generate_error(&[(file, service, 1)]);
        assert!(
            err.contains(&format!(
                "#/connector/service/name: {} cannot name a snapshot file",
                shown(service)
            )) && !err.contains(['\u{1b}', '\n']),
            "{err:?}"
        );
    }
}

#[test]
fn services_that_would_share_a_module_name_both_files() {
    for (a, b) in [
        ("foo-bar", "foo_bar"),
        ("Slack", "slack"),
        ("lib", "lib_service"),
    ] {
        let err = generate_error(&[
            (&format!("{a}-1.json"), a, 1),
            (&format!("{b}-1.json"), b, 1),
        ]);
        assert!(
            err.contains(&format!("{a}-1.json (service \"{a}\") and "))
                && err.contains(&format!(
                    "{b}-1.json (service \"{b}\") would both generate the module"
                )),
            "{err}"
        );
    }
    // Versions of one service are told apart.
    let dir = folder(&[("slack-3.json", "slack", 3), ("slack-4.json", "slack", 4)]);
    let generation = Config::new()
        .schemas_dir(dir.path().join("schemas"))
        .generate_crate()
        .unwrap();
    let paths: Vec<String> = generation
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "Cargo.toml",
            "src/lib.rs",
            "src/slack_v3.rs",
            "src/slack_v4.rs"
        ]
    );
}

#[test]
fn the_cli_stops_on_duplicates_and_writes_nothing() {
    let dir = folder(&[("a-1.json", "a", 1), ("b-1.json", "a", 1)]);
    let out = tray_codegen(&["generate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a-1.json and ") && stderr.contains("b-1.json both hold service"),
        "{stderr}"
    );
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn versions_beyond_u32_are_an_error_not_a_wrap() {
    let err = generate_error(&[("slack-4294967300.json", "slack", 4_294_967_300)]);
    assert!(
        err.contains("#/connector/service/version: missing: the service version is an integer"),
        "{err}"
    );
}

/// Schema keys, service names and titles reach warnings and `diff`'s output: a newline or an
/// escape sequence in one must not forge a line or drive the terminal.
#[test]
fn control_characters_in_schema_text_are_escaped_in_warnings_and_diffs() {
    let hostile = "x\u{1b}[2J\nwarning: forged\u{202e}";
    let schema = serde_json::json!({
        "type": "object",
        "properties": { hostile: { "type": "strng" } }
    });
    let (_, diagnostics) = tray_codegen::schema_to_rust(&schema, "Credentials", None).unwrap();
    let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(!shown.is_empty());
    for line in &shown {
        assert!(!line.contains(['\u{1b}', '\n', '\u{202e}']), "{line:?}");
        assert!(
            line.contains("x\\u{1b}[2J\\nwarning: forged\\u{202e}"),
            "{line:?}"
        );
    }

    let snapshot = |properties: serde_json::Value| {
        let text = serde_json::json!({
            "connector": {"name": "svc", "title": "Svc", "service": {"name": "svc", "version": 1}},
            "environments": [{
                "id": "11111111-2222-4333-8444-555555555555",
                "title": "Production",
                "credentialsSchema": {"type": "object", "properties": properties},
                "userDataSchema": {}
            }]
        });
        tray_codegen::snapshot::Snapshot::parse(Path::new("svc-1.json"), &text.to_string()).unwrap()
    };
    let old = snapshot(serde_json::json!({ hostile: { "type": "string" } }));
    let new = snapshot(serde_json::json!({}));
    let text = tray_codegen::diff::diff(&[old], &[new]).to_string();
    assert!(text.contains("\\u{1b}[2J\\nwarning: forged"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{202e}']), "{text:?}");
    assert_eq!(
        text.lines().filter(|l| l.contains("forged")).count(),
        1,
        "{text}"
    );
}

/// `{"next": {"next": ...}}` `depth` levels deep.
fn nested_next(depth: usize) -> serde_json::Value {
    let mut schema = json!({ "type": "object", "properties": { "leaf": { "type": "string" } } });
    for _ in 0..depth {
        schema = json!({ "type": "object", "properties": { "next": schema } });
    }
    schema
}

#[test]
fn nested_type_names_do_not_repeat_their_parents() {
    let (code, _) = tray_codegen::schema_to_rust(&nested_next(30), "Credentials", None).unwrap();
    let longest = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub struct "))
        .map(|rest| rest.split([' ', '{', ';']).next().unwrap_or_default().len())
        .max()
        .unwrap();
    assert!(
        longest <= 12,
        "a type name of {longest} characters:\n{code}"
    );
    assert!(!code.contains("NextNextNext"), "{code}");
    assert!(code.contains("pub struct Next2 "), "{code}");
    // Output grows linearly with depth: twice as deep is about twice as long, not four times.
    let (half, _) = tray_codegen::schema_to_rust(&nested_next(15), "Credentials", None).unwrap();
    let ratio = code.len() as f64 / half.len() as f64;
    assert!(ratio < 2.3, "30 levels are {ratio:.1}× the code of 15");
}
