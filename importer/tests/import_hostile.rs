//! Inputs edited between runs, journals reached by other paths, and everything that can be
//! found wrong before a row is sent: the `tray-import` binary (and the library where it is
//! the library's promise) against an in-process fake Tray.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use fake_tray::{FakeTray, Options};
use serde_json::Value;
use tray_auth::client::{Client, RateLimit, RetryPolicy};
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::mailchimp;
use tray_import::{ImportError, ImportItem, Importer, Journal, State};

const MASTER_TOKEN: &str = "master-token-for-hostile-tests";

async fn fake() -> FakeTray {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    FakeTray::start(Options::new(schemas, MASTER_TOKEN))
        .await
        .expect("the fake starts")
}

/// Runs the binary (see `common::tray_import`).
async fn tray_import(args: Vec<String>, token: &str) -> Output {
    common::tray_import(args, Some(token), &[]).await
}

use common::text;

fn run_args(input: &Path, base_url: &str, rest: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["run", "--input"].map(str::to_owned).into();
    args.push(input.display().to_string());
    args.extend(["--base-url", base_url, "--rate-limit", "1000"].map(str::to_owned));
    args.extend(rest.iter().map(|s| s.to_string()));
    args
}

/// The requests that are not reads of schemas (every run reads them first).
fn sent(tray: &FakeTray) -> usize {
    tray.requests().iter().filter(|r| r.method != "GET").count()
}

fn row(user: &str, name: &str, token: &str, key: Option<&str>) -> String {
    let mut row = serde_json::json!({
        "externalUserId": user,
        "connector": "mailchimp",
        // Mailchimp is an OAuth service, and the example snapshot has no custom app.
        "serviceEnvironment": "Production",
        "name": name,
        "credentials": {"access_token": token, "dc": "us21"},
    });
    if let Some(key) = key {
        row["key"] = key.into();
    }
    row.to_string()
}

fn posts(tray: &FakeTray) -> usize {
    tray.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/core/v1/authentications")
        .count()
}

fn report_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn assert_no_secret(outputs: &[&str]) {
    for output in outputs {
        assert!(!output.contains("SECRET-"), "a credential leaked: {output}");
    }
}

/// Three rows with default keys, imported once.
async fn imported(tray: &FakeTray, dir: &Path, keys: bool) -> (PathBuf, Vec<String>) {
    let input = dir.join("auths.jsonl");
    let key = |k: &'static str| keys.then_some(k);
    let rows = vec![
        row("u1", "A", "SECRET-a", key("ka")),
        row("u2", "B", "SECRET-b", key("kb")),
        row("u3", "C", "SECRET-c", key("kc")),
    ];
    std::fs::write(&input, rows.join("\n")).unwrap();
    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tray.authentications().len(), 3);
    (input, rows)
}

#[tokio::test]
async fn a_row_inserted_at_the_top_stops_the_rerun_before_anything_is_sent() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (input, mut rows) = imported(&tray, dir.path(), false).await;
    let report = dir.path().join("auths.jsonl.report.jsonl");
    let last_report = std::fs::read_to_string(&report).unwrap();
    let requests = sent(&tray);
    rows.insert(0, row("u0", "Z", "SECRET-z", None));
    std::fs::write(&input, rows.join("\n")).unwrap();

    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(sent(&tray), requests, "nothing was sent at all");
    assert!(
        stderr.contains("3 rows are not what their keys stood for"),
        "{stderr}"
    );
    for expected in [
        "row 1 (key `row-1`, created by an earlier run): end user `u0` (was `u1`), name `Z` (was `A`), credentials, user data or scopes",
        "row 2 (key `row-2`, created by an earlier run): end user `u1` (was `u2`)",
        "row 3 (key `row-3`, created by an earlier run): end user `u2` (was `u3`)",
        "Give every row a stable `key`",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        last_report,
        "the last report is left as it was"
    );
    assert_no_secret(&[&stderr, &text(&output.stdout)]);

    // Put back as it was: the rerun skips every row.
    rows.remove(0);
    std::fs::write(&input, rows.join("\n")).unwrap();
    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("(0 now, 3 by an earlier run)"));
    assert_eq!(tray.authentications().len(), 3);
}

#[tokio::test]
async fn rows_deleted_or_edited_under_known_keys_stop_the_rerun() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (input, rows) = imported(&tray, dir.path(), false).await;
    let edits = [
        // The first row deleted: every key names the next row.
        (rows[1..].join("\n"), "row 1 (key `row-1`"),
        // A credential edited in place.
        (
            [
                rows[0].clone(),
                row("u2", "B", "SECRET-b2", None),
                rows[2].clone(),
            ]
            .join("\n"),
            "row 2 (key `row-2`, created by an earlier run): credentials, user data or scopes",
        ),
        // Renamed.
        (
            [
                rows[0].clone(),
                rows[1].clone(),
                row("u3", "C2", "SECRET-c", None),
            ]
            .join("\n"),
            "row 3 (key `row-3`, created by an earlier run): name `C2` (was `C`)",
        ),
    ];
    for (edited, expected) in edits {
        std::fs::write(&input, edited).unwrap();
        let posts_before = posts(&tray);
        let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert_eq!(posts(&tray), posts_before, "nothing was created");
        assert_no_secret(&[&stderr]);
    }
    assert_eq!(tray.authentications().len(), 3);
}

#[tokio::test]
async fn stable_keys_survive_reordering_and_only_new_or_fixed_rows_are_sent() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (input, mut rows) = imported(&tray, dir.path(), true).await;
    // Reordered, one row added, and one row that was invalid then fixed.
    rows.reverse();
    rows.insert(1, row("u4", "D", "SECRET-d", Some("kd")));
    let invalid = row("u5", "E", "SECRET-e", Some("ke")).replace("us21", "US 21");
    std::fs::write(&input, [rows.join("\n"), invalid].join("\n")).unwrap();
    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        stdout.contains("4 created (1 now, 3 by an earlier run), 1 invalid"),
        "{stdout}"
    );
    let fixed = row("u5", "E2", "SECRET-e2", Some("ke"));
    std::fs::write(&input, [rows.join("\n"), fixed].join("\n")).unwrap();
    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("(1 now, 4 by an earlier run)"), "{stdout}");
    assert_eq!(tray.authentications().len(), 5);
    assert_eq!(posts(&tray), 5, "each row created once");
}

#[tokio::test]
async fn a_changed_typed_item_is_an_error_not_a_silent_skip() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let item = |key: &str, name: &str, token: &str| {
        ImportItem::new(
            key,
            "alice",
            CreateAuthentication::new(
                name,
                mailchimp::PRODUCTION,
                mailchimp::Credentials {
                    access_token: Secret::from(token),
                    dc: "us21".to_owned(),
                    expires_in: None,
                },
            ),
        )
    };
    let client = Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .rate_limit(RateLimit::new(1000.0, 1000))
        .build()
        .unwrap();
    let mut importer = Importer::new(client, Journal::open(&path).unwrap());
    importer
        .run(vec![item("a", "A", "SECRET-1"), item("b", "B", "SECRET-2")])
        .await
        .unwrap();
    let posts_before = posts(&tray);

    // `check_changes` reads every item and sends nothing.
    let changed = || {
        vec![
            item("a", "A", "SECRET-1-rotated"),
            item("c", "C", "SECRET-3"),
            item("b", "B2", "SECRET-2"),
        ]
    };
    let Err(ImportError::Changed(rows)) = importer.check_changes(changed()) else {
        panic!("changed items are found");
    };
    assert_eq!(rows.total, 2);
    assert_eq!((rows.rows[0].row, rows.rows[0].key.as_str()), (1, "a"));
    assert_eq!(
        rows.rows[0].differences,
        ["credentials, user data or scopes"]
    );
    assert_eq!(rows.rows[1].differences, ["name `B2` (was `B`)"]);
    assert!(!format!("{rows}").contains("SECRET-"));

    // It takes a reader's items as `run` does: an `Err` ends the comparison, and says so.
    let read: Vec<Result<ImportItem, &str>> = vec![
        Ok(item("a", "A", "SECRET-1")),
        Err("the export broke off at row 2"),
        Ok(item("b", "B2", "SECRET-2")),
    ];
    let err = importer.check_changes(read).unwrap_err();
    assert!(matches!(err, ImportError::Input(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("reading the items failed: the export broke off at row 2"),
        "{err}"
    );

    // `run` checks each item before sending it, and stops at the first changed one: neither
    // its batch nor anything after it is sent (items before it may have been).
    let err = importer.run(changed()).await.unwrap_err();
    let ImportError::Changed(again) = &err else {
        panic!("{err}")
    };
    assert_eq!(again, &rows, "the rows check_changes found");
    assert_eq!(posts(&tray), posts_before, "nothing was sent");
    assert!(importer.journal().get("c").unwrap().is_none());

    // The same items as before are skipped, and a new one is sent.
    let summary = importer
        .run(vec![
            item("a", "A", "SECRET-1"),
            item("b", "B", "SECRET-2"),
            item("c", "C", "SECRET-3"),
        ])
        .await
        .unwrap();
    assert_eq!((summary.already_created, summary.created), (2, 1));
}

#[tokio::test]
async fn a_key_given_twice_has_a_report_line_of_its_own() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(
        &input,
        [
            row("u1", "A", "SECRET-a", Some("same")),
            row("u2", "B", "SECRET-b", None),
            row("u3", "C", "SECRET-c", Some("same")),
        ]
        .join("\n"),
    )
    .unwrap();
    let report = dir.path().join("report.jsonl");
    let output = tray_import(
        run_args(
            &input,
            &tray.base_url(),
            &["--report", &report.display().to_string()],
        ),
        MASTER_TOKEN,
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "row 3 (key `same`): invalid: /key: row 1 has this key too, so this row was left out"
        ),
        "{stderr}"
    );
    let lines = report_lines(&report);
    assert_eq!(lines.len(), 3, "every row has its line");
    assert_eq!(
        (&lines[2]["row"], &lines[2]["key"], &lines[2]["state"]),
        (
            &Value::from(3),
            &Value::from("same"),
            &Value::from("invalid")
        )
    );
    assert_eq!(lines[2]["externalUserId"], "u3");
    assert_eq!(lines[2]["problems"][0]["pointer"], "/key");
    assert_eq!(lines[0]["state"], "created");
    assert_eq!(tray.authentications().len(), 2);
}

#[tokio::test]
async fn a_csv_column_given_twice_is_an_error_naming_it() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let headers = [
        (
            "externalUserId,connector,name,credentials.dc,credentials.access_token,credentials.dc\n",
            "column `credentials.dc` is given twice (columns 4 and 6): keep one",
        ),
        (
            "externalUserId,connector,name,key, key\n",
            "column `key` is given twice (columns 4 and 5)",
        ),
        (
            "externalUserId,connector,name,credentials..dc\n",
            "column 4 (`credentials..dc`) has an empty part",
        ),
    ];
    for (header, expected) in headers {
        let input = dir.path().join("auths.csv");
        std::fs::write(
            &input,
            format!("{header}u1,mailchimp,A,us21,SECRET-a,us21\n"),
        )
        .unwrap();
        for dry_run in [true, false] {
            let mut args = run_args(&input, &tray.base_url(), &[]);
            if dry_run {
                args.push("--dry-run".into());
            }
            let output = tray_import(args, MASTER_TOKEN).await;
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("auths.csv: "), "{stderr}");
            assert!(stderr.contains(expected), "{expected}\n{stderr}");
        }
    }
    assert!(tray.requests().is_empty());
}

#[tokio::test]
async fn a_report_that_cannot_be_written_is_found_before_any_row_is_sent() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    let rows = row("u1", "A", "SECRET-a", None);
    std::fs::write(&input, &rows).unwrap();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let reports = [
        (
            dir.path().join("missing/report.jsonl"),
            "cannot write the report",
        ),
        (folder.clone(), "cannot write the report"),
        (input.clone(), "is the input: give another --report"),
        (
            dir.path().join("auths.jsonl.journal.sqlite"),
            "is the journal: give another --report",
        ),
    ];
    for (report, expected) in reports {
        let output = tray_import(
            run_args(
                &input,
                &tray.base_url(),
                &["--report", &report.display().to_string()],
            ),
            MASTER_TOKEN,
        )
        .await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert!(tray.requests().is_empty(), "nothing was sent");
    }
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        rows,
        "input intact"
    );
    // Nor is the journal the input.
    let output = tray_import(
        run_args(
            &input,
            &tray.base_url(),
            &["--journal", &input.display().to_string()],
        ),
        MASTER_TOKEN,
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is the input: give another --journal"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), rows);
    // A dry run does not overwrite its input either.
    let output = tray_import(
        vec![
            "run".into(),
            "--input".into(),
            input.display().to_string(),
            "--dry-run".into(),
            "--report".into(),
            input.display().to_string(),
        ],
        MASTER_TOKEN,
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        rows,
        "input intact"
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_stops_the_run_before_any_row() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, row("u1", "A", "SECRET-a", None)).unwrap();
    for token in [
        "SECRET-master\nsecond-line",
        "SECRET-master\rx",
        "SECRET-\u{1b}[2Jmaster",
    ] {
        let output = tray_import(run_args(&input, &tray.base_url(), &[]), token).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("master token holds a newline or another character that cannot be sent in an HTTP header"),
            "{stderr}"
        );
        assert_no_secret(&[&stderr, &text(&output.stdout)]);
    }
    assert!(tray.requests().is_empty());
    assert!(!dir.path().join("auths.jsonl.report.jsonl").exists());
}

/// A port on 127.0.0.1 with nothing listening: connections to it are refused.
fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/core/v1")
}

#[tokio::test]
async fn an_unreachable_tray_stops_the_run_at_once_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    let rows: Vec<String> = (0..40)
        .map(|i| row(&format!("u{i}"), "A", "SECRET-a", None))
        .collect();
    std::fs::write(&input, rows.join("\n")).unwrap();
    let started = Instant::now();
    let output = tray_import(run_args(&input, &refused_base_url(), &[]), MASTER_TOKEN).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not reach Tray"), "{stderr}");
    assert!(stderr.contains("Nothing was sent."), "{stderr}");
    // One call's retries, not a wait per row.
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    // Tray's schemas are read before any row is admitted: the journal holds no row, so
    // nothing is left `pending` (which the next run would have to look up in Tray).
    let journal = Journal::open(dir.path().join("auths.jsonl.journal.sqlite")).unwrap();
    assert!(journal.entries().unwrap().is_empty());
}

fn library_client(base_url: String) -> Client {
    Client::builder()
        .base_url(base_url)
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_unreachable_tray_stops_a_library_run_after_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let items = (0..1000).map(|i| {
        ImportItem::new(
            format!("k{i}"),
            format!("user-{i}"),
            CreateAuthentication::new(
                "A",
                mailchimp::PRODUCTION,
                mailchimp::Credentials {
                    access_token: Secret::from("SECRET-a"),
                    dc: "us21".to_owned(),
                    expires_in: None,
                },
            ),
        )
    });
    let mut importer = Importer::new(
        library_client(refused_base_url()),
        Journal::open(dir.path().join("journal.sqlite")).unwrap(),
    )
    .concurrency(4)
    .retry_delay(Duration::from_millis(1));
    let started = Instant::now();
    let err = importer.run(items).await.unwrap_err();
    assert!(matches!(err, ImportError::Unreachable(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let journal = importer.journal();
    let entries = journal.entries().unwrap();
    assert!(entries.len() < 1000, "the input was not read to its end");
    assert!(
        entries.iter().all(|e| e.state == State::Failed),
        "{entries:?}"
    );
}

#[tokio::test]
async fn a_refused_master_token_leaves_nothing_pending() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    let rows: Vec<String> = (0..10)
        .map(|i| row(&format!("u{i}"), "A", "SECRET-a", None))
        .collect();
    std::fs::write(&input, rows.join("\n")).unwrap();
    let output = tray_import(
        run_args(&input, &tray.base_url(), &[]),
        "wrong-master-token",
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let journal = Journal::open(dir.path().join("auths.jsonl.journal.sqlite")).unwrap();
    let counts = journal.counts().unwrap();
    assert!(!counts.contains_key(&State::Pending), "{counts:?}");
    // The next run, with the right token, creates every row without looking anything up.
    let output = tray_import(run_args(&input, &tray.base_url(), &[]), MASTER_TOKEN).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tray.authentications().len(), 10);
}

#[tokio::test]
async fn a_journal_in_use_through_a_symlink_is_refused_to_another_process() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auths.jsonl");
    std::fs::write(&input, row("u1", "A", "SECRET-a", None)).unwrap();
    let journal = dir.path().join("journal.sqlite");
    // An import in this process holds the journal.
    let mut running = Importer::new(
        library_client(tray.base_url()),
        Journal::open(&journal).unwrap(),
    );
    running.run(Vec::<ImportItem>::new()).await.unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let link = dir.path().join("link.sqlite");
    std::os::unix::fs::symlink(&journal, &link).unwrap();
    for other in [&link, &dir.path().join("sub/../journal.sqlite")] {
        let output = tray_import(
            run_args(
                &input,
                &tray.base_url(),
                &["--journal", &other.display().to_string()],
            ),
            MASTER_TOKEN,
        )
        .await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("is in use by another import"), "{stderr}");
    }
    assert_eq!(sent(&tray), 0, "only the schemas were read");
    drop(running);
    let output = tray_import(
        run_args(
            &input,
            &tray.base_url(),
            &["--journal", &link.display().to_string()],
        ),
        MASTER_TOKEN,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[tokio::test]
async fn inputs_that_are_not_regular_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rows.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut inputs = vec![
        (PathBuf::from("/dev/zero"), "jsonl"),
        (PathBuf::from("/dev/zero"), "csv"),
        (dir.path().to_owned(), "jsonl"),
    ];
    if made.is_ok_and(|s| s.success()) {
        inputs.push((fifo, "jsonl"));
    }
    for (input, format) in inputs {
        for dry_run in [true, false] {
            let mut args: Vec<String> = vec![
                "run".into(),
                "--input".into(),
                input.display().to_string(),
                "--format".into(),
                format.into(),
                "--report".into(),
                dir.path().join("report.jsonl").display().to_string(),
                "--journal".into(),
                dir.path().join("journal.sqlite").display().to_string(),
                "--base-url".into(),
                "http://127.0.0.1:9/core/v1".into(),
            ];
            if dry_run {
                args.push("--dry-run".into());
            }
            let output = tray_import(args, MASTER_TOKEN).await;
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains(&format!("{}: not a regular file", input.display())),
                "{stderr}"
            );
        }
    }
}

#[tokio::test]
async fn an_overlong_row_is_a_problem_of_that_row_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(3 << 20);
    let good = row("u1", "A", "SECRET-a", None);
    let inputs = [
        (
            "auths.jsonl",
            format!("{good}\n{{\"name\":\"{long}\"}}\n{good}\n{long}"),
            vec!["valid", "invalid", "valid", "invalid"],
        ),
        (
            "auths.csv",
            format!(
                "externalUserId,connector,serviceEnvironment,name,credentials.access_token,credentials.dc\n\
                 u1,mailchimp,Production,A,SECRET-a,us21\n\
                 u2,mailchimp,Production,\"{long}\n{long}\",SECRET-b,us21\n\
                 u3,mailchimp,Production,C,SECRET-c,us21\n\
                 u4,mailchimp,Production,{},SECRET-d,us21\n\
                 u5,mailchimp,Production,E,SECRET-e\n\
                 u6,mailchimp,Production,\"F\",SECRET-f,us21\n",
                vec!["y"; 2000].join(",")
            ),
            vec!["valid", "invalid", "valid", "invalid", "invalid", "valid"],
        ),
    ];
    for (name, content, states) in inputs {
        let input = dir.path().join(name);
        std::fs::write(&input, content).unwrap();
        let report = dir.path().join("report.jsonl");
        let output = tray_import(
            vec![
                "run".into(),
                "--input".into(),
                input.display().to_string(),
                "--dry-run".into(),
                "--schemas".into(),
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../schemas")
                    .display()
                    .to_string(),
                "--report".into(),
                report.display().to_string(),
            ],
            MASTER_TOKEN,
        )
        .await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        let lines = report_lines(&report);
        let got: Vec<&str> = lines.iter().map(|l| l["state"].as_str().unwrap()).collect();
        assert_eq!(got, states, "{name}: {stderr}");
        assert!(
            stderr.contains("is longer than 1 MiB, so it was skipped"),
            "{stderr}"
        );
        assert!(!stderr.contains("xxxx"), "the row is not echoed");
    }
}
