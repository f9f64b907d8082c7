//! `tray-codegen fetch` against the fake: it reproduces the committed snapshots byte for byte,
//! and `--check` notices a schema that changed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use fake_tray::{FakeTray, Options};
use tray_auth::Secret;
use tray_codegen::fetch::{self, FetchArgs, FetchError, Outcome};

/// Every `*.json` file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&path).unwrap(),
            )
        })
        .collect()
}

fn args(tray: &FakeTray, out: &Path) -> FetchArgs {
    FetchArgs {
        services: Vec::new(),
        all: false,
        region: None,
        base_url: Some(tray.base_url()),
        out: out.to_owned(),
        check: false,
        jobs: 4,
    }
}

/// Runs the CLI entry point (which makes its own runtime) against a fake serving `schemas`.
fn with_fake<T>(schemas: &Path, run: impl FnOnce(&FakeTray) -> T) -> T {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tray = runtime
        .block_on(FakeTray::start(Options::new(schemas, common::MASTER_TOKEN)))
        .unwrap();
    let result = run(&tray);
    runtime.block_on(tray.shutdown());
    result
}

fn token() -> Secret {
    Secret::from(common::MASTER_TOKEN)
}

#[test]
fn fetch_all_reproduces_the_committed_snapshots_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    let summary = with_fake(&common::schemas(), |tray| {
        fetch::run_with_token(
            &FetchArgs {
                all: true,
                ..args(tray, out.path())
            },
            token(),
        )
        .unwrap()
    });
    let committed = files(&common::schemas());
    assert!(committed.len() >= 7, "the committed snapshots are there");
    assert_eq!(
        files(out.path()),
        committed,
        "fetched snapshots differ from the committed ones"
    );
    assert!(summary
        .services
        .iter()
        .all(|(_, outcome)| *outcome == Outcome::New));
    assert_eq!(summary.services.len(), committed.len());
    assert_eq!(summary.exit_code(), ExitCode::SUCCESS);
}

#[test]
fn fetch_of_named_services_and_refetch_of_existing_ones() {
    let out = tempfile::tempdir().unwrap();
    with_fake(&common::schemas(), |tray| {
        let named = FetchArgs {
            services: vec!["slack@4".parse().unwrap(), "netsuite@1".parse().unwrap()],
            ..args(tray, out.path())
        };
        fetch::run_with_token(&named, token()).unwrap();
        let fetched = files(out.path());
        assert_eq!(
            fetched.keys().collect::<Vec<_>>(),
            ["netsuite-1.json", "slack-4.json"]
        );
        assert_eq!(
            fetched["slack-4.json"],
            fs::read(common::schemas().join("slack-4.json")).unwrap()
        );

        // With no names, the snapshots already there are refreshed; nothing changed.
        let summary = fetch::run_with_token(&args(tray, out.path()), token()).unwrap();
        assert_eq!(summary.services.len(), 2);
        assert!(summary
            .services
            .iter()
            .all(|(_, outcome)| *outcome == Outcome::Unchanged));

        let unknown = FetchArgs {
            services: vec!["slack@3".parse().unwrap()],
            ..args(tray, out.path())
        };
        let err = fetch::run_with_token(&unknown, token()).unwrap_err();
        assert!(matches!(err, FetchError::UnknownService { .. }));
        assert_eq!(
            err.to_string(),
            "slack@3: Tray lists no such service version; Tray lists slack@4"
        );
    });
}

#[test]
fn check_passes_on_the_committed_snapshots_and_notices_a_changed_schema() {
    let committed = files(&common::schemas());

    // Unchanged: exit 0.
    let summary = with_fake(&common::schemas(), |tray| {
        fetch::run_with_token(
            &FetchArgs {
                check: true,
                ..args(tray, &common::schemas())
            },
            token(),
        )
        .unwrap()
    });
    assert_eq!(summary.exit_code(), ExitCode::SUCCESS);
    assert_eq!(summary.changed().count(), 0);

    // Tray adds a field to Slack's user data schema.
    let changed_tray = tempfile::tempdir().unwrap();
    for (name, bytes) in &committed {
        fs::write(changed_tray.path().join(name), bytes).unwrap();
    }
    let slack = changed_tray.path().join("slack-4.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_slice(&fs::read(&slack).unwrap()).unwrap();
    snapshot["environments"][0]["userDataSchema"]["properties"]["team_id"] =
        serde_json::json!({ "type": "string" });
    fs::write(
        &slack,
        serde_json::to_string_pretty(&snapshot).unwrap() + "\n",
    )
    .unwrap();

    let summary = with_fake(changed_tray.path(), |tray| {
        fetch::run_with_token(
            &FetchArgs {
                check: true,
                ..args(tray, &common::schemas())
            },
            token(),
        )
        .unwrap()
    });
    let changed: Vec<String> = summary
        .changed()
        .map(|(service, outcome)| format!("{service} {outcome:?}"))
        .collect();
    assert_eq!(changed, ["slack@4 Changed"]);
    assert_eq!(summary.exit_code(), ExitCode::FAILURE);
    assert_eq!(
        files(&common::schemas()),
        committed,
        "--check wrote nothing"
    );

    // Without --check, only the changed snapshot is rewritten, to Tray's new answer.
    let out = tempfile::tempdir().unwrap();
    for (name, bytes) in &committed {
        fs::write(out.path().join(name), bytes).unwrap();
    }
    let summary = with_fake(changed_tray.path(), |tray| {
        fetch::run_with_token(&args(tray, out.path()), token()).unwrap()
    });
    assert_eq!(summary.changed().count(), 1);
    assert_eq!(files(out.path()), files(changed_tray.path()));
}

#[test]
fn a_wrong_token_is_reported_without_the_token() {
    let out = tempfile::tempdir().unwrap();
    let err = with_fake(&common::schemas(), |tray| {
        fetch::run_with_token(
            &FetchArgs {
                all: true,
                ..args(tray, out.path())
            },
            Secret::from("not-the-token-77"),
        )
        .unwrap_err()
    });
    let text = err.to_string();
    assert!(
        text.starts_with("listing connectors: GET /connectors: Tray answered 401"),
        "{text}"
    );
    assert!(text.contains("check TRAY_MASTER_TOKEN"), "{text}");
    assert!(!text.contains("not-the-token-77") && !format!("{err:?}").contains("not-the-token-77"));
    assert_eq!(files(out.path()).len(), 0);
}

#[test]
fn refreshing_an_empty_folder_says_what_to_do() {
    let out = tempfile::tempdir().unwrap();
    let err = with_fake(&common::schemas(), |tray| {
        fetch::run_with_token(&args(tray, out.path()), token()).unwrap_err()
    });
    assert!(matches!(err, FetchError::NothingToFetch(_)));
    assert!(err
        .to_string()
        .contains("name service versions (`slack@4`) or pass --all"));
}
