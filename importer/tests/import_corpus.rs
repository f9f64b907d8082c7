//! Tests at scale: the 395 real schemas of `../shared/corpus`, wrapped as Tray services
//! (`tray_tests::corpus_tray`), served by fake-tray. `fetch --all` reproduces the wrapped
//! folder byte for byte; the prebuilt `tray-import` (no generated module for any of these
//! services) imports rows for more than 50 of them, made from each schema
//! (`tray_tests::instances`): exactly one authentication per valid row, in the environment the
//! row should go to, none for an invalid row, every invalid row reported at its pointer, and
//! no secret in any output. The rows are also sent straight to fake-tray, so that they are
//! known good (200) and bad (400) whatever the CLI does.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

use fake_tray::{FakeTray, Options};
use serde_json::{json, Value};
use tempfile::TempDir;
use tray_auth::client::{Client, RateLimit};
use tray_auth::Secret;
use tray_codegen::fetch::{self, Selection};
use tray_schema::Checker;
use tray_tests::corpus_tray::{self, Auth, CorpusService, SECOND_CUSTOM_TITLE};
use tray_tests::instances::{invalid_instances, valid_instance, Markers, SECRET_MARKER};

const MASTER_TOKEN: &str = "master-token-for-corpus-tests";

/// Services that get rows: every `EVERY`-th one that has a valid instance, and every OAuth
/// service whose rows must name an environment.
const EVERY: usize = 6;

/// The corpus wrapped into a temporary folder.
struct Wrapped {
    dir: TempDir,
    services: Vec<CorpusService>,
}

fn wrap() -> Wrapped {
    let dir = tempfile::tempdir().unwrap();
    let services = corpus_tray::write_snapshots(&corpus_tray::corpus_dir(), dir.path()).unwrap();
    Wrapped { dir, services }
}

async fn serve(wrapped: &Wrapped) -> FakeTray {
    FakeTray::start(Options::new(wrapped.dir.path(), MASTER_TOKEN))
        .await
        .expect("fake-tray serves every wrapped corpus schema")
}

/// A client that does not hold back: the fake has no rate limit, and the test has hundreds of
/// calls to make.
fn client(tray: &FakeTray) -> Client {
    Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .rate_limit(RateLimit::new(10_000.0, 10_000))
        .build()
        .unwrap()
}

/// Every file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_all_reproduces_the_wrapped_corpus_byte_for_byte() {
    let wrapped = wrap();
    let tray = serve(&wrapped).await;
    let out = tempfile::tempdir().unwrap();
    // `fetch::run_with_token` would keep to Tray's 30 requests a second (13 s for 396 calls);
    // the same fetch with a client that does not wait takes well under a second.
    let summary = fetch::fetch(&client(&tray), &Selection::All, out.path(), false, 8)
        .await
        .unwrap();
    assert_eq!(summary.services.len(), 395);
    assert!(summary.refused.is_empty(), "{:?}", summary.refused);
    let (wrapped_files, fetched) = (files(wrapped.dir.path()), files(out.path()));
    assert_eq!(wrapped_files.len(), 395);
    assert_eq!(
        wrapped_files.keys().collect::<Vec<_>>(),
        fetched.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &wrapped_files {
        assert!(fetched[name] == *bytes, "{name}: fetched bytes differ");
    }
}

/// What a row should become.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// One authentication in this environment.
    Created { environment_id: String },
    /// No authentication; a report line `invalid` with a problem at this pointer.
    Invalid { pointer: String },
}

/// One input row and what it should become.
#[derive(Debug, Clone)]
struct Row {
    json: Value,
    expect: Expect,
}

impl Row {
    fn key(&self) -> &str {
        self.json["key"].as_str().unwrap()
    }

    fn name(&self) -> &str {
        self.json["name"].as_str().unwrap()
    }
}

/// The rows of one service: where they go (`serviceEnvironment`, and the id expected).
#[derive(Clone)]
struct Target<'s> {
    service: &'s CorpusService,
    connector: String,
    environment: Option<String>,
    environment_id: String,
}

/// Where the rows of a service go, by its shape: a token service's to Production (the
/// default), an OAuth service's with one custom environment to it (the default), with none to
/// Production (named), with two to the second one (named by title).
fn target(service: &CorpusService, index: usize) -> Target<'_> {
    let (environment, env) = match service.default_environment() {
        Some(env) => (None, env),
        None if service.custom().is_empty() => {
            (Some("Production".to_owned()), service.production())
        }
        None => (Some(SECOND_CUSTOM_TITLE.to_owned()), &service.custom()[1]),
    };
    // Some rows name the service version too.
    let connector = if index % 3 == 0 {
        format!("{}@1", service.name)
    } else {
        service.name.clone()
    };
    Target {
        service,
        connector,
        environment,
        environment_id: env.id.clone(),
    }
}

fn row(target: &Target<'_>, label: &str, credentials: &Value, expect: Expect) -> Row {
    let service = &target.service.name;
    let mut json = json!({
        "key": format!("{service}/{label}"),
        "externalUserId": format!("user-{}", service.len() % 4),
        "connector": target.connector,
        "name": format!("{service} {label}"),
        "credentials": credentials,
    });
    if let Some(environment) = &target.environment {
        json["serviceEnvironment"] = json!(environment);
    }
    Row { json, expect }
}

/// The rows of the import: valid and invalid ones for the chosen services, then the row-level
/// problems (unknown service, version and environment; an OAuth service with two custom
/// environments and none named).
fn rows(services: &[CorpusService]) -> (Vec<Row>, usize) {
    let markers = Markers::default();
    let mut rows = Vec::new();
    let mut chosen = 0;
    for (index, service) in services.iter().enumerate() {
        let must_name = service.default_environment().is_none();
        if index % EVERY != 0 && !must_name {
            continue;
        }
        let (checker, _) = Checker::read(&service.schema);
        let Some(valid) = valid_instance(&checker, &markers) else {
            continue;
        };
        chosen += 1;
        let target = target(service, index);
        rows.extend(service_rows(
            &target,
            &checker,
            &valid.value,
            &markers,
            chosen,
        ));
    }
    rows.extend(row_level_problems(services, &markers));
    (rows, chosen)
}

fn service_rows(
    target: &Target<'_>,
    checker: &Checker,
    valid: &Value,
    markers: &Markers,
    chosen: usize,
) -> Vec<Row> {
    let created = Expect::Created {
        environment_id: target.environment_id.clone(),
    };
    let mut rows = vec![row(target, "valid", valid, created)];
    let service = target.service;
    if service.auth == Auth::Token && chosen % 5 == 0 {
        // Production named explicitly, for a token service.
        let production = Target {
            environment: Some("Production".to_owned()),
            environment_id: service.production().id.clone(),
            ..target.clone()
        };
        let expect = Expect::Created {
            environment_id: production.environment_id.clone(),
        };
        rows.push(row(&production, "production", valid, expect));
    }
    if service.custom().len() == 2 {
        // The first custom environment named by its id; and no environment named at all,
        // which cannot choose between the two.
        let by_id = Target {
            environment: Some(service.custom()[0].id.clone()),
            environment_id: service.custom()[0].id.clone(),
            ..target.clone()
        };
        let expect = Expect::Created {
            environment_id: by_id.environment_id.clone(),
        };
        rows.push(row(&by_id, "by-id", valid, expect));
        let unnamed = Target {
            environment: None,
            ..target.clone()
        };
        let expect = Expect::Invalid {
            pointer: "/serviceEnvironmentId".to_owned(),
        };
        rows.push(row(&unnamed, "no-environment", valid, expect));
    }
    for invalid in invalid_instances(checker, valid, markers) {
        let label = format!("invalid-{:?}", invalid.kind);
        let expect = Expect::Invalid {
            pointer: invalid.pointer.clone(),
        };
        rows.push(row(target, &label, &invalid.value, expect));
    }
    rows
}

/// Rows whose service, version or environment Tray does not list.
fn row_level_problems(services: &[CorpusService], markers: &Markers) -> Vec<Row> {
    let service = services
        .iter()
        .find(|s| s.auth == Auth::Token)
        .expect("a token service");
    let (checker, _) = Checker::read(&service.schema);
    let valid = valid_instance(&checker, markers).unwrap().value;
    let base = target(service, 1);
    let mut unknown_service = Target {
        connector: "no-such-service-in-the-corpus".to_owned(),
        ..base
    };
    let connector = Expect::Invalid {
        pointer: "/connector".to_owned(),
    };
    let mut rows = vec![row(
        &unknown_service,
        "unknown-service",
        &valid,
        connector.clone(),
    )];
    unknown_service.connector = format!("{}@99", service.name);
    rows.push(row(&unknown_service, "unknown-version", &valid, connector));
    let staging = Target {
        environment: Some("Staging".to_owned()),
        ..target(service, 1)
    };
    let expect = Expect::Invalid {
        pointer: "/serviceEnvironmentId".to_owned(),
    };
    rows.push(row(&staging, "unknown-environment", &valid, expect));
    rows
}

fn write_input(dir: &Path, rows: &[Row]) -> PathBuf {
    let input = dir.join("corpus.jsonl");
    let text: String = rows.iter().map(|r| format!("{}\n", r.json)).collect();
    std::fs::write(&input, text).unwrap();
    input
}

/// Runs the binary with debug logs (see `common::tray_import`), so a leak in any log line shows.
async fn tray_import(args: Vec<String>, token: Option<&'static str>) -> Output {
    common::tray_import(args, token, &[("TRAY_IMPORT_LOG", "debug")]).await
}

use common::text;

/// The report's lines, by key.
fn report(path: &Path) -> BTreeMap<String, Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|line| (line["key"].as_str().unwrap().to_owned(), line))
        .collect()
}

/// Each row's report line says what the row should become: `ok_state` for a valid row
/// (`created`, or `valid` in a dry run), `invalid` with a problem at its pointer otherwise.
fn assert_report(rows: &[Row], report: &BTreeMap<String, Value>, ok_state: &str) {
    assert_eq!(report.len(), rows.len(), "one report line a row");
    let mut wrong = Vec::new();
    for row in rows {
        let line = &report[row.key()];
        let fits = match &row.expect {
            Expect::Created { .. } => line["state"] == ok_state,
            Expect::Invalid { pointer } => {
                line["state"] == "invalid"
                    && line["problems"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().any(|p| p["pointer"] == **pointer))
            }
        };
        if !fits {
            wrong.push(format!(
                "{}: expected {:?}, reported {line}",
                row.key(),
                row.expect
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows reported wrongly, first ones:\n{}",
        wrong.len(),
        rows.len(),
        wrong[..wrong.len().min(10)].join("\n")
    );
}

/// Exactly one authentication per valid row, in its environment; none for an invalid row.
fn assert_authentications(rows: &[Row], tray: &FakeTray) {
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for auth in tray.authentications() {
        by_name
            .entry(auth.name().to_owned())
            .or_default()
            .push(auth.service_environment_id().to_owned());
    }
    let mut wrong = Vec::new();
    for row in rows {
        let made = by_name.remove(row.name()).unwrap_or_default();
        let expected = match &row.expect {
            Expect::Created { environment_id } => vec![environment_id.clone()],
            Expect::Invalid { .. } => Vec::new(),
        };
        if made != expected {
            wrong.push(format!(
                "{}: made {made:?}, expected {expected:?}",
                row.name()
            ));
        }
    }
    assert!(
        by_name.is_empty(),
        "authentications no row asked for: {by_name:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {} rows made the wrong authentications, first ones:\n{}",
        wrong.len(),
        rows.len(),
        wrong[..wrong.len().min(10)].join("\n")
    );
}

fn assert_no_secret(outputs: &[(&str, &[u8])]) {
    for (what, bytes) in outputs {
        let text = String::from_utf8_lossy(bytes);
        if let Some(at) = text.find(SECRET_MARKER) {
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(80)
                .map_or(0, |(i, _)| i);
            panic!("a credential leaked into {what}: ...{}", &text[from..at]);
        }
    }
}

fn counts(rows: &[Row]) -> (usize, usize) {
    let valid = rows
        .iter()
        .filter(|r| matches!(r.expect, Expect::Created { .. }))
        .count();
    (valid, rows.len() - valid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_import_imports_rows_for_more_than_50_corpus_services_exactly_once() {
    let started = Instant::now();
    let wrapped = wrap();
    let tray = serve(&wrapped).await;
    let (rows, services) = rows(&wrapped.services);
    let (valid, invalid) = counts(&rows);
    let custom = custom_ids(&wrapped);
    let unnamed_custom = rows
        .iter()
        .filter(|r| r.json.get("serviceEnvironment").is_none())
        .filter(|r| match &r.expect {
            Expect::Created { environment_id } => custom.contains(&environment_id.as_str()),
            Expect::Invalid { .. } => false,
        })
        .count();
    println!(
        "{} rows for {services} services: {valid} valid ({unnamed_custom} to an OAuth service's one custom environment, unnamed), {invalid} invalid",
        rows.len()
    );
    assert!(unnamed_custom >= 5, "{unnamed_custom}");
    assert!(services >= 50, "{services} services");
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &rows);
    let report_path = dir.path().join("report.jsonl");
    let journal = dir.path().join("journal.sqlite");
    let args: Vec<String> = [
        "run",
        "--input",
        &input.display().to_string(),
        "--base-url",
        &tray.base_url(),
        "--rate-limit",
        "1000",
        "--report",
        &report_path.display().to_string(),
        "--journal",
        &journal.display().to_string(),
    ]
    .map(str::to_owned)
    .to_vec();

    let output = tray_import(args.clone(), Some(MASTER_TOKEN)).await;
    let stderr = text(&output.stderr);
    println!("first run: {:.1?}", started.elapsed());
    assert_no_secret(&[
        ("stdout", &output.stdout),
        ("stderr (TRAY_IMPORT_LOG=debug)", &output.stderr),
        (
            "the report",
            &std::fs::read(&report_path).unwrap_or_default(),
        ),
        ("the journal", &std::fs::read(&journal).unwrap_or_default()),
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "invalid rows exist: {}",
        tail(&stderr)
    );
    assert_report(&rows, &report(&report_path), "created");
    assert_authentications(&rows, &tray);

    // The same command again: nothing new is created, and the invalid rows still fail the run.
    let posts = |tray: &FakeTray| {
        tray.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/authentications"))
            .count()
    };
    let before = posts(&tray);
    let output = tray_import(args, Some(MASTER_TOKEN)).await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        tail(&text(&output.stderr))
    );
    assert_eq!(posts(&tray), before, "a rerun sends no create");
    assert_authentications(&rows, &tray);
    assert_no_secret(&[("stdout", &output.stdout), ("stderr", &output.stderr)]);
    println!("both runs: {:.1?}", started.elapsed());
}

#[tokio::test]
async fn a_dry_run_with_the_wrapped_schemas_needs_no_token_and_no_server() {
    let wrapped = wrap();
    let (rows, _) = rows(&wrapped.services);
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &rows);
    let report_path = dir.path().join("report.jsonl");
    let args: Vec<String> = [
        "run",
        "--input",
        &input.display().to_string(),
        "--dry-run",
        "--schemas",
        &wrapped.dir.path().display().to_string(),
        "--report",
        &report_path.display().to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    let output = tray_import(args, None).await;
    assert_no_secret(&[
        ("stdout", &output.stdout),
        ("stderr (TRAY_IMPORT_LOG=debug)", &output.stderr),
        (
            "the report",
            &std::fs::read(&report_path).unwrap_or_default(),
        ),
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "invalid rows exist: {}",
        tail(&stderr)
    );
    assert_report(&rows, &report(&report_path), "valid");
    assert!(
        !dir.path().join("corpus.jsonl.journal.sqlite").exists(),
        "a dry run writes no journal"
    );
}

/// The rows' bodies, sent straight to fake-tray (which checks them as Tray's schemas say,
/// with the same checker): every valid body of every corpus service is created (200), in its
/// default environment or Production, and every invalid one is refused (400) naming its
/// pointer, without a secret in the message. Plain HTTP, so that Tray's message is read as
/// sent (the client redacts it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_body_is_accepted_or_refused_by_fake_tray_as_made() {
    let started = Instant::now();
    let wrapped = wrap();
    let tray = serve(&wrapped).await;
    let http = reqwest::Client::new();
    let url = format!("{}/authentications", tray.base_url());
    let post = |body: Value| {
        let request = http.post(&url).bearer_auth(MASTER_TOKEN).json(&body);
        async move {
            let answer = request.send().await.unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let markers = Markers::default();
    let (mut created, mut refused) = (0, 0);
    for service in &wrapped.services {
        let (checker, _) = Checker::read(&service.schema);
        let Some(valid) = valid_instance(&checker, &markers) else {
            continue;
        };
        let env = service
            .default_environment()
            .unwrap_or(service.production());
        let body = |name: String, credentials: &Value| json!({"name": name, "serviceEnvironmentId": env.id, "credentials": credentials});
        let (status, answer) = post(body(service.name.clone(), &valid.value)).await;
        assert_eq!(status, 200, "{}: {answer}", service.name);
        created += 1;
        for invalid in invalid_instances(&checker, &valid.value, &markers) {
            let name = format!("{} {:?}", service.name, invalid.kind);
            let (status, answer) = post(body(name, &invalid.value)).await;
            let at = format!("#{}:", invalid.pointer);
            assert!(
                status == 400 && answer.contains(&at),
                "{} {:?} at {}: {status} {answer}",
                service.name,
                invalid.kind,
                invalid.pointer
            );
            assert!(!answer.contains(SECRET_MARKER), "{answer}");
            refused += 1;
        }
    }
    println!(
        "{created} valid bodies created, {refused} invalid ones refused, in {:.1?}",
        started.elapsed()
    );
    assert!(created >= 300, "{created}");
    let stored = tray.authentications();
    assert_eq!(stored.len(), created);
    let custom = custom_ids(&wrapped);
    let in_custom = stored
        .iter()
        .filter(|a| custom.contains(&a.service_environment_id()))
        .count();
    assert!(
        in_custom >= 50,
        "{in_custom} created in custom environments"
    );
}

/// The ids of every custom environment.
fn custom_ids(wrapped: &Wrapped) -> Vec<&str> {
    wrapped
        .services
        .iter()
        .flat_map(|s| s.custom().iter().map(|e| e.id.as_str()))
        .collect()
}

/// The last lines of a long output, for a failure message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
