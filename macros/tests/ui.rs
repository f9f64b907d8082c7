//! `connectors!` as a user meets it: the whole folder and `only = [...]` compile and run, and
//! each mistake is a compile error at the string literal, saying what and where (the
//! `.stderr` files are the record).
//!
//! trybuild compiles the cases in a crate of its own under
//! `<target>/tests/trybuild/tray-macros`, whose folder is the cases' `CARGO_MANIFEST_DIR`:
//! the snapshot folders they name are copied there first (the repository's `schemas/`, and
//! the broken ones of `tests/fixtures/`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder trybuild builds the cases in, as trybuild finds it (`cargo metadata`).
fn trybuild_crate() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version=1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let target = metadata["target_directory"].as_str().unwrap();
    Path::new(target).join("tests/trybuild/tray-macros")
}

/// Replaces `to` with a copy of the folder `from` (one level of subfolders, as `defs/`).
fn copy_folder(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn connectors_macro_cases() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases_crate = trybuild_crate();
    copy_folder(&manifest.join("../schemas"), &cases_crate.join("schemas"));
    for fixture in ["broken_json", "wrong_shape", "same_module"] {
        copy_folder(
            &manifest.join("tests/fixtures").join(fixture),
            &cases_crate.join(fixture),
        );
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
