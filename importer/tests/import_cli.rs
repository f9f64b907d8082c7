//! The `tray-import` binary against an in-process fake Tray: a dry run contacts nothing, a
//! CSV file is imported, and errors say where and what without a value.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use fake_tray::{FakeTray, Options};

const MASTER_TOKEN: &str = "master-token-for-cli-tests";

async fn fake() -> FakeTray {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    FakeTray::start(Options::new(schemas, MASTER_TOKEN))
        .await
        .expect("the fake starts")
}

/// Runs the binary (see `common::tray_import`).
async fn tray_import(args: Vec<String>, token: Option<&'static str>) -> Output {
    common::tray_import(args, token, &[]).await
}

use common::text;

fn args(input: &Path, rest: &[&str]) -> Vec<String> {
    let mut args = vec![
        "run".to_owned(),
        "--input".to_owned(),
        input.display().to_string(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    args
}

// Mailchimp and Slack are OAuth services whose example snapshots list no custom OAuth app:
// their rows name `Production`.
const ROWS: &str = r#"{"externalUserId":"u1","connector":"mailchimp","serviceEnvironment":"Production","name":"A","credentials":{"access_token":"SECRET-one","dc":"us21"}}
{"externalUserId":"u1","connector":"sendgrid","name":"S","credentials":{"api-key":"SECRET-short"}}
{"externalUserId":"u2","connector":"slack","serviceEnvironment":"Production","name":"B","scopes":["admin:everything"],"userData":{"signing_secret":"SECRET-two"}}
"#;

fn schemas() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas")
        .display()
        .to_string()
}

#[tokio::test]
async fn a_dry_run_with_snapshot_files_checks_every_row_and_contacts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, ROWS).unwrap();
    let report = dir.path().join("report.jsonl");
    // No token and no Tray: a request would fail the run with exit 2.
    let output = tray_import(
        args(
            &input,
            &[
                "--dry-run",
                "--schemas",
                &schemas(),
                "--report",
                &report.display().to_string(),
            ],
        ),
        None,
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "a row is invalid: {stderr}");
    assert!(
        !dir.path().join("auths.jsonl.journal.sqlite").exists(),
        "no journal written"
    );
    assert!(
        stdout.contains("dry run: 1 valid, 2 invalid; nothing was sent"),
        "{stdout}"
    );
    assert!(
        stderr.contains("row 2 (key `row-2`): invalid: /credentials/api-key:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 3 (key `row-3`): invalid: /scopes/0: is not a scope \"slack@4\" lists: write one of \"channels:read\", \"chat:write\""),
        "{stderr}"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["state"], "valid");
    assert_eq!(lines[1]["problems"][0]["pointer"], "/credentials/api-key");
    for output in [&stdout, &stderr, &report] {
        assert!(!output.contains("SECRET-"), "a credential leaked: {output}");
    }
}

#[tokio::test]
async fn a_dry_run_against_tray_reads_its_schemas_and_sends_nothing() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, ROWS).unwrap();
    let output = tray_import(
        args(&input, &["--dry-run", "--base-url", &tray.base_url()]),
        Some(MASTER_TOKEN),
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "a row is invalid: {stderr}");
    assert!(
        stdout.contains("dry run: 1 valid, 2 invalid; nothing was sent"),
        "{stdout}"
    );
    let mut asked: Vec<String> = tray
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    asked.sort();
    assert_eq!(
        asked,
        [
            "GET /core/v1/connectors",
            "GET /core/v1/services/mailchimp/versions/1/environments",
            "GET /core/v1/services/sendgrid/versions/3/environments",
            "GET /core/v1/services/slack/versions/4/environments",
        ],
        "the connectors once, each named service version's environments once, nothing sent"
    );
    assert!(
        stderr.contains("\"mailchimp@1\": rows name `Production`, which uses Tray's own OAuth app"),
        "an OAuth row naming Production is warned about: {stderr}"
    );
}

#[tokio::test]
async fn a_csv_file_is_imported_and_a_rerun_sends_nothing() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.csv");
    std::fs::write(
        &input,
        "key,externalUserId,connector,serviceEnvironment,name,credentials.access_token,credentials.dc,credentials.expires_in,userData.region,userData.sandbox_mode,credentials.api-key\n\
         m1,u1,mailchimp@1,Production,Mail,SECRET-csv-1,us21,3600,,,\n\
         s1,u1,sendgrid,,Grid,,,,eu,true,SECRET-csv-sendgrid-key-2\n",
    )
    .unwrap();
    let base_url = tray.base_url();
    let run = || args(&input, &["--base-url", &base_url, "--rate-limit", "1000"]);
    let output = tray_import(run(), Some(MASTER_TOKEN)).await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        stdout.contains("2 created (2 now, 0 by an earlier run), 0 invalid, 0 failed, 0 unknown"),
        "{stdout}"
    );
    let stored = tray.authentications();
    assert_eq!(stored.len(), 2);
    let grid = stored.iter().find(|a| a.name() == "Grid").unwrap();
    assert_eq!(
        grid.body["userData"],
        serde_json::json!({"region": "eu", "sandbox_mode": true}),
        "CSV text read as the boolean the type wants"
    );
    let mail = stored.iter().find(|a| a.name() == "Mail").unwrap();
    assert_eq!(mail.body["credentials"]["expires_in"], 3600);

    // Every run reads the schemas again; nothing else is asked or sent.
    let sent = || {
        tray.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .count()
    };
    let before = sent();
    let output = tray_import(run(), Some(MASTER_TOKEN)).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("(0 now, 2 by an earlier run)"));
    assert_eq!(sent(), before, "nothing sent again");
    let report = std::fs::read_to_string(dir.path().join("auths.csv.report.jsonl")).unwrap();
    assert!(
        report.contains(&format!("\"authId\":\"{}\"", grid.id)),
        "{report}"
    );
}

#[tokio::test]
async fn a_csv_cell_that_is_not_the_integer_its_field_wants_is_a_row_problem_without_its_value() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.csv");
    std::fs::write(
        &input,
        "key,externalUserId,connector,serviceEnvironment,name,credentials.access_token,credentials.dc,credentials.expires_in\n\
         m1,u1,mailchimp,Production,Mail,SECRET-csv-1,us21,12abc\n\
         m2,u2,mailchimp,Production,Mail,SECRET-csv-2,us21,3600\n",
    )
    .unwrap();
    let output = tray_import(
        args(&input, &["--dry-run", "--base-url", &tray.base_url()]),
        Some(MASTER_TOKEN),
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("dry run: 1 valid, 1 invalid; nothing was sent"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "row 1 (key `m1`): invalid: /credentials/expires_in: expected type: Integer, found: String"
        ),
        "{stderr}"
    );
    for output in [&stdout, &stderr] {
        assert!(!output.contains("12abc"), "the cell was quoted: {output}");
        assert!(!output.contains("SECRET-"), "a credential leaked: {output}");
    }
}

#[tokio::test]
async fn without_a_master_token_or_a_target_it_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, ROWS).unwrap();
    let output = tray_import(args(&input, &["--region", "eu"]), None).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("set TRAY_MASTER_TOKEN"));
    let output = tray_import(args(&input, &[]), Some("token")).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--region us|eu|apac, or --base-url URL"));
    let output = tray_import(
        args(
            &dir.path().join("missing.jsonl"),
            &["--dry-run", "--schemas", &schemas()],
        ),
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("missing.jsonl"));
}

#[tokio::test]
async fn a_refused_master_token_stops_the_run_with_a_hint() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, ROWS).unwrap();
    let output = tray_import(
        args(&input, &["--base-url", &tray.base_url()]),
        Some("not-the-master-token"),
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("check TRAY_MASTER_TOKEN"), "{stderr}");
    assert!(!stderr.contains("not-the-master-token"), "{stderr}");
    assert!(tray.authentications().is_empty());
}

/// A copy of the committed snapshots in `dir/name`, with Mailchimp's environment given
/// `new_id` and, when `required` is set, a new required credential `account_id`.
fn served_mailchimp(dir: &Path, name: &str, new_id: &str, required: bool) -> PathBuf {
    let served = dir.join(name);
    std::fs::create_dir(&served).unwrap();
    for entry in std::fs::read_dir(schemas()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, served.join(path.file_name().unwrap())).unwrap();
    }
    let file = served.join("mailchimp-1.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let environment = &mut snapshot["environments"][0];
    environment["id"] = new_id.into();
    if required {
        let credentials = &mut environment["credentialsSchema"];
        credentials["properties"]["account_id"] = serde_json::json!({"type": "string"});
        credentials["required"]
            .as_array_mut()
            .unwrap()
            .push("account_id".into());
    }
    std::fs::write(&file, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    served
}

#[tokio::test]
async fn a_rerun_against_a_changed_schema_checks_journaled_rows_again() {
    let dir = tempfile::tempdir().unwrap();
    let id = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    let input = dir.path().join("auths.jsonl");
    std::fs::write(
        &input,
        r#"{"key":"m","externalUserId":"u1","connector":"mailchimp","serviceEnvironment":"Production","name":"M","credentials":{"access_token":"SECRET-a","dc":"us21"}}
"#,
    )
    .unwrap();
    let report = || {
        let text = std::fs::read_to_string(dir.path().join("auths.jsonl.report.jsonl")).unwrap();
        serde_json::from_str::<serde_json::Value>(text.lines().next().unwrap()).unwrap()
    };
    // Tray requires a credential the row lacks: invalid, nothing sent.
    let strict = FakeTray::start(Options::new(
        served_mailchimp(dir.path(), "strict", id, true),
        MASTER_TOKEN,
    ))
    .await
    .unwrap();
    let output = tray_import(
        args(&input, &["--base-url", &strict.base_url()]),
        Some(MASTER_TOKEN),
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let first = report();
    assert_eq!(first["state"], "invalid");
    assert!(strict.authentications().is_empty());
    assert!(strict.requests().iter().all(|r| r.method == "GET"));
    // Tray dropped the requirement (the same Tray, at the same address, serving the new
    // schema): the same input, run again, is checked against it and created.
    let addr = strict.addr();
    strict.shutdown().await;
    let mut options = Options::new(
        served_mailchimp(dir.path(), "relaxed", id, false),
        MASTER_TOKEN,
    );
    options.addr = addr;
    let relaxed = FakeTray::start(options).await.unwrap();
    let output = tray_import(
        args(&input, &["--base-url", &relaxed.base_url()]),
        Some(MASTER_TOKEN),
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let second = report();
    assert_eq!(second["state"], "created");
    assert_eq!(relaxed.authentications().len(), 1);
    let digests = [&first["schemaDigest"], &second["schemaDigest"]];
    assert!(digests.iter().all(|d| d.is_string()), "{first} {second}");
    assert_ne!(
        digests[0], digests[1],
        "the report says which schema each run checked against"
    );
}

#[tokio::test]
async fn the_cli_follows_the_schema_tray_serves_now_not_the_compiled_one() {
    // Tray changed Mailchimp since the committed snapshot: a new required credential, and a
    // new id for its environment.
    let dir = tempfile::tempdir().unwrap();
    let new_id = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    let served = served_mailchimp(dir.path(), "served", new_id, true);
    let tray = FakeTray::start(Options::new(&served, MASTER_TOKEN))
        .await
        .unwrap();

    let input = dir.path().join("auths.jsonl");
    std::fs::write(
        &input,
        r#"{"key":"old","externalUserId":"u1","connector":"mailchimp","serviceEnvironment":"Production","name":"Old","credentials":{"access_token":"SECRET-a","dc":"us21"}}
{"key":"new","externalUserId":"u1","connector":"mailchimp","serviceEnvironment":"Production","name":"New","credentials":{"access_token":"SECRET-b","dc":"us21","account_id":"42"}}
"#,
    )
    .unwrap();
    let output = tray_import(
        args(&input, &["--base-url", &tray.base_url()]),
        Some(MASTER_TOKEN),
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "row 1 (key `old`): invalid: /credentials: required key [account_id] not found"
        ),
        "the row the compiled types accept is held to the live schema: {stderr}"
    );
    let stored = tray.authentications();
    assert_eq!(stored.len(), 1, "only the row that fits what Tray serves");
    assert_eq!(stored[0].name(), "New");
    assert_eq!(
        stored[0].service_environment_id(),
        new_id,
        "the environment id comes from Tray's answer"
    );
    for output in [&stdout, &stderr] {
        assert!(!output.contains("SECRET-"), "a credential leaked: {output}");
    }
}
