//! The typed path's preflight against a fake Tray serving changed snapshots: a breaking change
//! to a compiled connector stops the import before anything of it is sent, a compatible one
//! is a warning, and an unchanged one says nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_tray::{FakeTray, Options};
use serde_json::{json, Value};
use tempfile::TempDir;
use tray_auth::client::{Client, RateLimit, RetryPolicy};
use tray_auth::registry::ConnectorEntry;
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::{mailchimp, slack};
use tray_import::{ImportError, ImportItem, Importer, Journal, State};
use tray_schema::diff::Impact;

const MASTER_TOKEN: &str = "master-token-for-drift-tests";

/// A copy of the repository's snapshots with `edit` applied to `file`'s JSON.
fn schemas_with(file: &str, edit: impl FnOnce(&mut Value)) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    for entry in fs::read_dir(&schemas).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let path = dir.path().join(file);
    let mut value: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut value);
    fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    dir
}

/// The snapshots as committed.
fn unchanged() -> TempDir {
    schemas_with("mailchimp-1.json", |_| {})
}

async fn fake(schemas: &Path) -> FakeTray {
    FakeTray::start(Options::new(schemas, MASTER_TOKEN))
        .await
        .expect("the fake starts")
}

fn client(tray: &FakeTray) -> Client {
    Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap()
}

fn importer(tray: &FakeTray, journal: &Path) -> Importer {
    Importer::new(client(tray), Journal::open(journal).unwrap())
        .retry_delay(Duration::from_millis(1))
}

fn mailchimp_item(key: &str) -> ImportItem {
    ImportItem::new(
        key,
        "alice",
        CreateAuthentication::new(
            "Alice's Mailchimp",
            mailchimp::PRODUCTION,
            mailchimp::Credentials {
                access_token: Secret::from("a22x-us21"),
                dc: "us21".to_owned(),
                expires_in: None,
            },
        ),
    )
}

fn slack_item(key: &str) -> ImportItem {
    ImportItem::new(
        key,
        "alice",
        CreateAuthentication::new("Alice's Slack", slack::PRODUCTION, slack::Credentials {}),
    )
}

fn credentials(snapshot: &mut Value) -> &mut Value {
    &mut snapshot["environments"][0]["credentialsSchema"]
}

/// `(path, message)` of each change of a drift or warning, for one service.
fn changes(services: &[tray_auth::client::ServiceDrift], service: &str) -> Vec<(String, String)> {
    services
        .iter()
        .filter(|s| s.service == service)
        .flat_map(|s| {
            s.changes
                .iter()
                .map(|c| (c.path.clone(), c.message.clone()))
        })
        .collect()
}

fn count(tray: &FakeTray, method: &str, path: &str) -> usize {
    tray.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

#[tokio::test]
async fn a_breaking_change_stops_the_import_before_anything_of_that_connector_is_sent() {
    let schemas = schemas_with("mailchimp-1.json", |s| {
        let creds = credentials(s);
        creds["properties"]["dc"]["type"] = json!("integer");
        creds["properties"]["account_id"] = json!({"type": "string"});
        creds["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("account_id"));
    });
    let tray = fake(schemas.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let result = importer
        .run(vec![
            slack_item("slack-1"),
            mailchimp_item("mailchimp-1"),
            mailchimp_item("mailchimp-2"),
        ])
        .await;
    let Err(ImportError::Drift(drift)) = result else {
        panic!("expected ImportError::Drift, got {result:?}");
    };
    assert!(
        drift.contains("mailchimp", 1) && !drift.contains("slack", 4),
        "{drift:?}"
    );
    assert_eq!(
        changes(&drift.services, "mailchimp"),
        [
            (
                "/credentials/account_id".to_owned(),
                "required field added".to_owned()
            ),
            (
                "/credentials/dc".to_owned(),
                "type changed from string to integer".to_owned()
            ),
        ]
    );
    let text = ImportError::Drift(drift).to_string();
    assert!(
        text.starts_with(
            "the typed connectors no longer match what Tray serves:\n  mailchimp@1:\n    /credentials/account_id: required field added\n    /credentials/dc: type changed from string to integer\n"
        ),
        "{text}"
    );
    // The fetch to run asks the Tray the import asked (here the fake, by its URL).
    assert!(
        text.contains(&format!(
            "`tray-codegen fetch --base-url {}`",
            tray.base_url()
        )),
        "{text}"
    );
    assert!(text.contains("`tray-codegen generate`"), "{text}");
    assert!(text.contains("rebuild"), "{text}");

    // Nothing of Mailchimp reached Tray; the Slack row before it was created.
    let stored = tray.authentications();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0].service_environment_id(),
        slack::PRODUCTION.to_string()
    );
    assert_eq!(count(&tray, "POST", "/core/v1/authentications"), 1);
    let journal = importer.journal();
    assert_eq!(
        journal.get("slack-1").unwrap().unwrap().state,
        State::Created
    );
    let mailchimp = journal.get("mailchimp-1").unwrap().unwrap();
    assert_eq!(mailchimp.state, State::Failed, "journaled as not sent");
    assert!(journal
        .get("mailchimp-2")
        .unwrap()
        .is_none_or(|e| e.state == State::Failed));
}

#[tokio::test]
async fn a_changed_environment_id_stops_the_import_before_any_call_for_its_rows() {
    let schemas = schemas_with("mailchimp-1.json", |s| {
        s["environments"][0]["id"] = json!("11111111-2222-4333-8444-555555555555");
    });
    let tray = fake(schemas.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let result = importer.run(vec![mailchimp_item("mailchimp-1")]).await;
    let Err(ImportError::Drift(drift)) = result else {
        panic!("expected ImportError::Drift, got {result:?}");
    };
    assert_eq!(
        changes(&drift.services, "mailchimp"),
        [(
            "/environments/Production".to_owned(),
            "environment id changed: its constant points elsewhere".to_owned()
        )]
    );
    // Not even the end user was made.
    assert!(tray.authentications().is_empty());
    assert!(tray.users().is_empty());
    assert_eq!(count(&tray, "POST", "/core/v1/authentications"), 0);
    assert_eq!(count(&tray, "GET", "/core/v1/connectors"), 1);
}

#[tokio::test]
async fn a_compatible_change_is_a_warning_and_the_rows_are_created() {
    let schemas = schemas_with("mailchimp-1.json", |s| {
        credentials(s)["properties"]["locale"] = json!({"type": "string"});
    });
    let tray = fake(schemas.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let summary = importer
        .run(vec![mailchimp_item("mailchimp-1")])
        .await
        .unwrap();
    assert_eq!(summary.created, 1);
    assert_eq!(tray.authentications().len(), 1);
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert_eq!(
        (
            summary.warnings[0].service.as_str(),
            summary.warnings[0].version
        ),
        ("mailchimp", 1)
    );
    let change = &summary.warnings[0].changes[0];
    assert_eq!(
        (change.impact, change.path.as_str(), change.message.as_str()),
        (
            Impact::Compatible,
            "/credentials/locale",
            "optional field added"
        )
    );
}

#[tokio::test]
async fn unchanged_connectors_are_checked_once_and_warn_of_nothing() {
    let schemas = unchanged();
    let tray = fake(schemas.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let summary = importer
        .run(vec![
            mailchimp_item("m-1"),
            slack_item("s-1"),
            mailchimp_item("m-2"),
        ])
        .await
        .unwrap();
    assert_eq!(summary.created, 3);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    // A second run with the same importer does not ask again.
    let summary = importer.run(vec![mailchimp_item("m-3")]).await.unwrap();
    assert_eq!(summary.created, 1);
    let environments = |service: &str, version: u32| {
        count(
            &tray,
            "GET",
            &format!("/core/v1/services/{service}/versions/{version}/environments"),
        )
    };
    assert!(count(&tray, "GET", "/core/v1/connectors") <= 2);
    assert_eq!(environments("mailchimp", 1), 1);
    assert_eq!(environments("slack", 4), 1);
}

#[tokio::test]
async fn a_preflight_up_front_refuses_before_anything_is_sent_and_is_not_asked_again() {
    let schemas = schemas_with("mailchimp-1.json", |s| {
        credentials(s)["properties"]["dc"]["type"] = json!("integer");
    });
    let tray = fake(schemas.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let wanted = [
        ConnectorEntry::of::<slack::Slack>(),
        ConnectorEntry::of::<mailchimp::Mailchimp>(),
    ];
    let Err(ImportError::Drift(drift)) = importer.preflight(&wanted).await else {
        panic!("expected ImportError::Drift");
    };
    assert_eq!(drift.services.len(), 1);
    assert_eq!(drift.services[0].service, "mailchimp");
    assert!(tray.users().is_empty() && tray.authentications().is_empty());

    // Slack was checked and matches: its rows go without asking Tray again.
    let summary = importer.run(vec![slack_item("s-1")]).await.unwrap();
    assert_eq!(summary.created, 1);
    assert_eq!(count(&tray, "GET", "/core/v1/connectors"), 1);
    // Mailchimp's still do not.
    let result = importer.run(vec![mailchimp_item("m-1")]).await;
    assert!(matches!(result, Err(ImportError::Drift(_))), "{result:?}");
    assert_eq!(count(&tray, "GET", "/core/v1/connectors"), 1);
    assert_eq!(count(&tray, "POST", "/core/v1/authentications"), 1);
}

#[tokio::test]
async fn the_clients_preflight_reports_each_service_version() {
    let schemas = schemas_with("mailchimp-1.json", |s| {
        let creds = credentials(s);
        creds["properties"]["locale"] = json!({"type": "string"});
        // A hostile name: printed inert.
        creds["properties"]["x\u{1b}[2J\ny"] = json!({"type": "string"});
        creds["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("x\u{1b}[2J\ny"));
    });
    fs::remove_file(schemas.path().join("slack-4.json")).unwrap();
    let tray = fake(schemas.path()).await;
    let client = client(&tray);

    let clean = client
        .preflight(&[ConnectorEntry::of::<tray_connectors::jira::Jira>()])
        .await
        .unwrap();
    assert!(clean.is_clean() && clean.breaking().is_none() && clean.compatible().is_empty());

    let preflight = client
        .preflight(&[
            ConnectorEntry::of::<mailchimp::Mailchimp>(),
            ConnectorEntry::of::<slack::Slack>(),
            ConnectorEntry::of::<mailchimp::Mailchimp>(),
        ])
        .await
        .unwrap();
    assert!(!preflight.is_clean());
    let drift = preflight.breaking().expect("breaking changes");
    assert_eq!(
        changes(&drift.services, "mailchimp"),
        [(
            "/credentials/x\u{1b}[2J\ny".to_owned(),
            "required field added".to_owned()
        )]
    );
    assert_eq!(
        changes(&drift.services, "slack"),
        [(
            String::new(),
            "Tray lists no such service any more (GET /connectors)".to_owned()
        )]
    );
    assert_eq!(
        changes(&preflight.compatible(), "mailchimp"),
        [(
            "/credentials/locale".to_owned(),
            "optional field added".to_owned()
        )]
    );
    let text = drift.to_string();
    assert!(
        text.contains("    /credentials/x\\u{1b}[2J\\ny: required field added\n"),
        "{text}"
    );
    assert!(
        text.contains("  slack@4:\n    (service version): Tray lists no such service"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    // Asked once for the list, once for each listed service version's environments.
    assert_eq!(count(&tray, "GET", "/core/v1/connectors"), 2);
    assert_eq!(
        count(
            &tray,
            "GET",
            "/core/v1/services/mailchimp/versions/1/environments"
        ),
        1
    );
}
