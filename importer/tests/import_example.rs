//! The SQLite Mailchimp example's import, run against an in-process fake Tray.

#[allow(dead_code)] // its `main` is the example's, not the test's
#[path = "../examples/sqlite_mailchimp.rs"]
mod example;

use std::path::PathBuf;
use std::time::Duration;

use fake_tray::{FakeTray, Options};
use tray_auth::client::{Client, RateLimit};
use tray_auth::Secret;
use tray_import::Journal;

const MASTER_TOKEN: &str = "master-token-for-the-example";

#[tokio::test]
async fn legacy_mailchimp_rows_are_imported_once_each() {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let tray = FakeTray::start(Options::new(schemas, MASTER_TOKEN))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let legacy = dir.path().join("legacy.sqlite");
    example::create_demo_table(&legacy).unwrap();
    let client = || {
        Client::builder()
            .base_url(tray.base_url())
            .master_token(Secret::from(MASTER_TOKEN))
            .rate_limit(RateLimit::new(1000.0, 100))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    };
    let journal = dir.path().join("journal.sqlite");

    let summary = example::import_legacy(&legacy, client(), Journal::open(&journal).unwrap())
        .await
        .unwrap();
    assert_eq!(
        (summary.created, summary.invalid),
        (3, 2),
        "the US-6 row and the row without a token are invalid"
    );
    let lost = Journal::open(&journal)
        .unwrap()
        .get("legacy-mailchimp-5")
        .unwrap()
        .unwrap();
    assert_eq!(lost.state, tray_import::State::Invalid);
    assert!(
        lost.detail.unwrap().contains("/credentials/access_token"),
        "the NULL column is reported at its pointer"
    );
    let stored = tray.authentications();
    assert_eq!(stored.len(), 3);
    let ann = stored
        .iter()
        .find(|a| a.name() == "Ann & Co (Mailchimp)")
        .unwrap();
    assert_eq!(
        ann.body["credentials"],
        serde_json::json!({"access_token": "demo-token-3-us6", "dc": "us6", "expires_in": 7200})
    );
    let owners: Vec<_> = tray
        .users()
        .into_iter()
        .map(|u| u.external_user_id)
        .collect();
    assert_eq!(owners.len(), 2, "cust-1 and cust-2: {owners:?}");

    let summary = example::import_legacy(&legacy, client(), Journal::open(&journal).unwrap())
        .await
        .unwrap();
    assert_eq!((summary.created, summary.already_created), (0, 3));
    assert_eq!(tray.authentications().len(), 3, "nothing created twice");
}
