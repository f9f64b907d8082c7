//! The generated code: snapshot-tested per schema snapshot, kept in step with `schemas/` by
//! `check`, and the same when generated from a build script.

use std::fs;

use tray_codegen::Config;

fn generation() -> tray_codegen::Generation {
    Config::new()
        .schemas_dir(tray_tests::repo_root().join("schemas"))
        .generate_crate()
        .unwrap()
}

#[test]
fn generated_code_snapshots() {
    let generation = generation();
    let modules: Vec<_> = generation
        .files
        .iter()
        .filter(|f| f.path.starts_with("src"))
        .collect();
    let snapshots = fs::read_dir(tray_tests::repo_root().join("schemas"))
        .unwrap()
        .count();
    assert_eq!(
        modules.len(),
        snapshots + 1,
        "lib.rs and a module per snapshot"
    );
    for file in modules {
        let name = file
            .path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(name, file.contents);
    }
}

#[test]
fn fixture_code_snapshot() {
    let generation = Config::new()
        .schemas_dir(tray_tests::repo_root().join("tests/fixtures/schemas"))
        .generate_single_file()
        .unwrap();
    insta::assert_snapshot!("fixtures", generation.files[0].contents);
    // Every construct is understood; the one note is that the look-ahead pattern needs the
    // step-limited fallback engine.
    let notes: Vec<(&str, &str)> = generation
        .diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.message.as_str()))
        .collect();
    assert!(
        matches!(
            notes.as_slice(),
            [(
                "/environments/0/credentialsSchema/properties/credentials/oneOf/1/properties/api_key/pattern",
                message
            )] if message.starts_with("`pattern` may be too costly to check")
        ),
        "{notes:#?}"
    );
}

#[test]
fn generation_is_deterministic() {
    let (a, b) = (generation(), generation());
    assert_eq!(a.files, b.files);
    assert_eq!(a.diagnostics, b.diagnostics);
}

#[test]
fn committed_crate_is_what_the_snapshots_produce() {
    let stale = generation()
        .check(tray_tests::repo_root().join("generated"))
        .unwrap();
    let names: Vec<_> = stale.iter().map(|s| s.path.display().to_string()).collect();
    assert!(
        stale.is_empty(),
        "stale: {names:?}; run `cargo run -p tray-codegen -- generate`"
    );
}

#[test]
fn check_catches_a_hand_edited_file() {
    let dir = tempfile::tempdir().unwrap();
    let generation = generation();
    generation.write(dir.path()).unwrap();
    assert!(generation.check(dir.path()).unwrap().is_empty());

    let edited = dir.path().join("src/mailchimp.rs");
    let text = fs::read_to_string(&edited).unwrap();
    fs::write(
        &edited,
        text.replace("pub dc: String,", "pub dc: Option<String>,"),
    )
    .unwrap();
    fs::write(dir.path().join("src/leftover.rs"), "// old module\n").unwrap();

    let stale = generation.check(dir.path()).unwrap();
    assert_eq!(stale.len(), 2, "{stale:#?}");
    assert!(stale[0].path.ends_with("src/mailchimp.rs"));
    assert!(
        stale[0]
            .diff
            .contains("-    pub dc: Option<String>,\n+    pub dc: String,"),
        "{}",
        stale[0].diff
    );
    assert!(stale[1].path.ends_with("src/leftover.rs"));
    assert!(stale[1].diff.contains("is not generated from any snapshot"));
}

#[test]
fn netsuite_typo_is_a_warning_with_file_and_pointer() {
    let warnings: Vec<String> = generation()
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        warnings.iter().any(|w| w.ends_with("netsuite-1.json#/environments/0/credentialsSchema/properties/account/tytpe: unknown keyword `tytpe` is ignored (did you mean `type`?)")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.ends_with("netsuite-1.json#/environments/0/credentialsSchema/properties/account: no `type`: the generated types accept any JSON value here (`serde_json::Value`)")),
        "{warnings:#?}"
    );
    assert_eq!(
        warnings.len(),
        2,
        "only NetSuite's typo is odd in the committed snapshots: {warnings:#?}"
    );
}

#[test]
fn build_script_types_work_like_the_committed_crate() {
    use tray_tests::from_build_script::mailchimp;
    let payload = tray_auth::CreateAuthentication::new(
        "from build.rs",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: "t".into(),
            dc: "us21".into(),
            expires_in: None,
        },
    );
    let committed = tray_auth::CreateAuthentication::new(
        "from build.rs",
        tray_connectors::mailchimp::PRODUCTION,
        tray_connectors::mailchimp::Credentials {
            access_token: "t".into(),
            dc: "us21".into(),
            expires_in: None,
        },
    );
    assert_eq!(
        serde_json::to_value(payload).unwrap(),
        serde_json::to_value(committed).unwrap()
    );
}

#[test]
fn string_enums_read_text_and_name_the_accepted_values() {
    use tray_connectors::sendgrid::Region;
    assert_eq!("eu".parse::<Region>(), Ok(Region::Eu));
    assert_eq!(Region::try_from("global"), Ok(Region::Global));
    assert_eq!(Region::Eu.as_str(), "eu");
    assert_eq!(Region::VALUES, ["global", "eu"]);
    let error = "EU\u{1b}[2J".parse::<Region>().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"`Region` does not accept "EU\u{1b}[2J": expected one of "global", "eu""#
    );
    assert_eq!(error.accepted, Region::VALUES);
}

/// `cargo fmt` leaves the committed crate as `generate` wrote it, with no `#[rustfmt::skip]`.
#[test]
fn committed_crate_survives_cargo_fmt() {
    let lib = tray_tests::repo_root().join("generated/src/lib.rs");
    assert!(
        !fs::read_to_string(&lib).unwrap().contains("rustfmt::skip"),
        "the generated lib.rs skips rustfmt"
    );
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    // rustfmt follows `pub mod` to every module's file.
    let output = std::process::Command::new(&rustfmt)
        .args(["--edition", "2021", "--check"])
        .arg(&lib)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: this test needs rustfmt (`rustup component add rustfmt`, or set RUSTFMT) to check that `cargo fmt` leaves the generated crate alone",
                rustfmt.to_string_lossy()
            )
        });
    assert!(
        output.status.success(),
        "rustfmt would change the generated crate:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
