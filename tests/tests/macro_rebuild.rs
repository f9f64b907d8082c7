//! `tray_macros::connectors!` in a crate of its own, built by cargo as a user builds it (the
//! README's `Cargo.toml`, offline): the expansion passes `clippy -D warnings` in the caller's
//! crate, editing a snapshot rebuilds (the new field name compiles, the old one no longer
//! does), with the README's one-line build script a snapshot added to the folder appears as a
//! module, and the README's `src/main.rs` runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tray_tests::{cargo, readme_block, repo_root, run_cargo};

/// The README's manifest for a crate using the macro, its paths pointing at this repository.
fn manifest() -> String {
    let manifest = readme_block(
        "```toml",
        "# Cargo.toml, your crate beside a clone of this repository",
    );
    let repo = repo_root().canonicalize().unwrap();
    let manifest = manifest.replace(
        "../typed-tray-credentials/",
        &format!("{}/", repo.display()),
    );
    assert!(!manifest.contains("typed-tray-credentials"), "{manifest}");
    format!("[package]\nname = \"uses-the-macro\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n{manifest}\n[workspace]\n")
}

/// `src/main.rs`, naming Mailchimp's data center field `field`, and printing how many
/// connectors the macro expanded to.
fn main_rs(field: &str) -> String {
    format!(
        r#"//! A user of `connectors!`.
#![deny(warnings)]

tray_macros::connectors!("schemas");

fn main() {{
    let credentials = mailchimp::Credentials {{
        access_token: tray_auth::Secret::from("a22x-us21"),
        {field}: "us21".to_owned(),
        expires_in: None,
    }};
    let payload = tray_auth::CreateAuthentication::new("Bolo's", mailchimp::PRODUCTION, credentials);
    assert!(payload.validate().is_ok());
    println!("connectors: {{}}", CONNECTORS.len());
}}
"#
    )
}

/// Cargo's file times are fine-grained, but a file written in the same instant as the last
/// build's outputs must still look newer.
fn edit(path: &Path, text: &str) {
    std::thread::sleep(Duration::from_millis(1100));
    fs::write(path, text).unwrap();
}

fn run(dir: &Path, target: &Path) -> String {
    run_cargo(dir, target, &["run", "--offline", "--quiet"])
}

#[test]
fn the_macro_rebuilds_when_a_snapshot_changes_or_is_added() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("uses-the-macro");
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::create_dir_all(dir.join("schemas")).unwrap();
    fs::write(dir.join("Cargo.toml"), manifest()).unwrap();
    fs::copy(repo_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let snapshots = repo_root().join("schemas");
    let mailchimp = dir.join("schemas/mailchimp-1.json");
    fs::copy(snapshots.join("mailchimp-1.json"), &mailchimp).unwrap();
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");

    // The expansion of every committed snapshot is lint-clean at the root of the caller's
    // crate, used or not.
    let every = dir.join("every-snapshot");
    fs::create_dir_all(&every).unwrap();
    for entry in fs::read_dir(&snapshots).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, every.join(path.file_name().unwrap())).unwrap();
    }
    fs::write(
        dir.join("src/main.rs"),
        "//! Every snapshot.\n#![deny(warnings)]\ntray_macros::connectors!(\"every-snapshot\");\nfn main() {}\n",
    )
    .unwrap();
    tray_tests::clippy_clean(&dir, &target);
    fs::remove_dir_all(&every).unwrap();

    edit(&dir.join("src/main.rs"), &main_rs("dc"));
    tray_tests::clippy_clean(&dir, &target);
    assert_eq!(run(&dir, &target), "connectors: 1\n");

    // Tray renames `dc`: the snapshot changes, and the code that names `dc` stops compiling.
    let text = fs::read_to_string(&mailchimp).unwrap();
    assert_eq!(
        text.matches("\"dc\"").count(),
        2,
        "a property and `required`"
    );
    edit(&mailchimp, &text.replace("\"dc\"", "\"data_center\""));
    let output = cargo(&dir, &target, &["build", "--offline"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("has no field named `dc`"),
        "the old name no longer compiles:\n{stderr}"
    );
    edit(&dir.join("src/main.rs"), &main_rs("data_center"));
    assert_eq!(run(&dir, &target), "connectors: 1\n");

    // With the README's build script, a snapshot added to the folder is seen without touching
    // the code.
    let build_rs = readme_block(
        "```rust,ignore",
        "// build.rs (optional): rebuild when a snapshot is added to schemas/",
    );
    assert!(
        build_rs.contains("cargo:rerun-if-changed=schemas"),
        "{build_rs}"
    );
    fs::write(dir.join("build.rs"), build_rs).unwrap();
    assert_eq!(run(&dir, &target), "connectors: 1\n");
    std::thread::sleep(Duration::from_millis(1100));
    fs::copy(
        snapshots.join("slack-4.json"),
        dir.join("schemas/slack-4.json"),
    )
    .unwrap();
    assert_eq!(run(&dir, &target), "connectors: 2\n");

    // The README's example, as written, against the README's snapshot name.
    edit(&mailchimp, &text);
    let main = readme_block("```rust,ignore", "// src/main.rs");
    fs::write(dir.join("src/main.rs"), main).unwrap();
    let body = run(&dir, &target);
    assert!(
        body.starts_with(r#"{"name":"Bolo's Mailchimp","serviceEnvironmentId":"#),
        "{body}"
    );
}
