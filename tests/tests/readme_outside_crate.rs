//! The README's crate outside the workspace works when copied: its `Cargo.toml` and
//! `src/main.rs`, written beside a copy of this repository's path (as the README's
//! `../typed-tray-credentials`), build offline, and `tray-import` brings no command-line
//! crates into it.

use std::path::Path;

use tray_tests::readme_block as block;

#[test]
fn the_readme_crate_outside_the_workspace_builds_as_written() {
    let manifest = block("```toml", "# my-importer/Cargo.toml");
    let main = block(
        "```rust,ignore",
        "// my-importer/src/main.rs (tests/tests/readme_outside_crate.rs builds this crate as written)",
    );
    assert!(main.contains("fn main()"), "{main}");

    // The README's paths say the repository sits beside the crate, named as cloned.
    let dir = tempfile::tempdir().unwrap();
    let repo = tray_tests::repo_root().canonicalize().unwrap();
    let crate_dir = dir.path().join("my-importer");
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    let manifest = manifest.replace(
        "../typed-tray-credentials/",
        &format!("{}/", repo.display()),
    );
    assert!(!manifest.contains("typed-tray-credentials"), "{manifest}");
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!("{manifest}\n[workspace]\n"),
    )
    .unwrap();
    std::fs::write(crate_dir.join("src/main.rs"), main).unwrap();
    std::fs::copy(repo.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");
    let tree = tray_tests::run_cargo(&crate_dir, &target, &["tree", "--offline", "-e", "normal"]);
    for cli in ["clap", "indicatif", "tracing-subscriber"] {
        assert!(
            !tree.contains(&format!(" {cli} v")),
            "tray-import without default features brings {cli}:\n{tree}"
        );
    }
    assert!(tree.contains("tray-connectors"), "{tree}");
    tray_tests::run_cargo(&crate_dir, &target, &["check", "--offline"]);
}
