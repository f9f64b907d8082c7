//! The whole promise at once: 10,000 rows over six connectors and forty end users, some
//! invalid, into a fake Tray that rate-limits, answers 5% of requests with a 500 and drops 1%
//! of connections after handling them; the `tray-import` process is killed with SIGKILL twice
//! part-way and started again until nothing is left to do. At the end the fake holds exactly
//! one authentication per valid row (holding that row's credentials, owned by that row's end
//! user) and none for invalid rows, the report says the same, and nothing the runs printed or
//! logged holds a token or a credential.
//!
//! The fake's rate limit is raised from Tray's 30 a second to 1,000 (and the importer's to
//! match) so the test takes seconds, not minutes; 429s still happen at bursts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use fake_tray::{FakeTray, Faults, Options, Owner, RateLimit};
use serde_json::{json, Value};
use tray_import::{Journal, State};

const MASTER_TOKEN: &str = "master-token-kill-test-5d1e";
const ROWS: usize = 10_000;
const USERS: usize = 40;
/// The longest any one run may take before the test fails (it takes seconds).
const RUN_DEADLINE: Duration = Duration::from_secs(180);

/// One input row and what should become of it.
struct Expected {
    external_user_id: String,
    name: String,
    valid: bool,
}

/// The credential marker of row `n` (1-based): every secret value of the row contains it, and
/// nothing else does.
fn marker(n: usize) -> String {
    format!("SECRET-r{n}x")
}

/// Writes the input: six connectors in turn, users in blocks, some rows invalid, and some
/// rows sharing a name with others of the same user and connector (twins a settlement must
/// tell apart).
fn write_input(path: &Path) -> BTreeMap<usize, Expected> {
    let mut file = std::io::BufWriter::new(File::create(path).unwrap());
    let mut expected = BTreeMap::new();
    for i in 0..ROWS {
        let n = i + 1;
        let secret = marker(n);
        let user = format!("user-{}", (i / 6) % USERS);
        let invalid = i % 23 == 7;
        let connector = [
            "mailchimp",
            "slack",
            "airtable",
            "jira",
            "sendgrid",
            "http-client",
        ][i % 6];
        let name = if i % 10 == 0 {
            format!("{connector} shared")
        } else {
            format!("{connector} #{n}")
        };
        let mut row = json!({ "externalUserId": user, "connector": connector, "name": name, "serviceEnvironment": "Production" });
        match (connector, invalid) {
            ("mailchimp", false) => {
                row["credentials"] =
                    json!({"access_token": format!("{secret}-a"), "dc": "us21", "expires_in": 3600})
            }
            ("mailchimp", true) => {
                row["credentials"] = json!({"access_token": format!("{secret}-a"), "dc": "US 21"})
            }
            ("slack", invalid) => {
                row["userData"] = json!({"signing_secret": format!("{secret}-s")});
                row["scopes"] = if invalid {
                    json!(["admin:everything"])
                } else {
                    json!(["chat:write"])
                };
            }
            ("airtable", false) => {
                row["credentials"] = json!({"access_token": format!("{secret}-a"), "refresh_token": format!("{secret}-r"), "token_type": "Bearer"})
            }
            ("airtable", true) => {
                row["credentials"] = json!({"access_token": format!("{secret}-a")})
            }
            ("jira", invalid) => {
                row["credentials"] = json!({"type": "cloud", "base_url": "https://acme.atlassian.net", "email": "ops@example.com", "api_token": format!("{secret}-j")});
                row["userData"] = json!({"project": {"key": if invalid { "lower" } else { "OPS" }}, "labels": ["imported"]});
            }
            ("sendgrid", false) => {
                row["credentials"] = json!({"api-key": format!("{secret}-sendgrid-api-key")});
                row["userData"] = json!({"region": "eu"});
            }
            ("sendgrid", true) => row["credentials"] = json!({"api-key": secret.clone()}),
            ("http-client", invalid) => {
                row["serviceEnvironment"] =
                    json!(if n % 2 == 0 { "Staging" } else { "Production" });
                row["credentials"] = json!({"api_key": format!("{secret}-k"), "headers": [{"name": "X-Tenant", "value": format!("{secret}-h")}]});
                if invalid {
                    row["credentials"]["api_kee"] = json!("typo");
                }
            }
            _ => unreachable!(),
        }
        // Every 40th row names its key; the rest get `row-<n>`.
        if i % 40 == 1 {
            row["key"] = json!(format!("legacy-{n}"));
        }
        writeln!(file, "{row}").unwrap();
        expected.insert(
            n,
            Expected {
                external_user_id: user,
                name,
                valid: !invalid,
            },
        );
    }
    file.flush().unwrap();
    expected
}

struct Paths {
    input: PathBuf,
    journal: PathBuf,
    report: PathBuf,
    logs: PathBuf,
}

fn spawn(paths: &Paths, base_url: &str, run: usize) -> Child {
    let stdout = File::create(paths.logs.join(format!("run-{run}.stdout"))).unwrap();
    let stderr = File::create(paths.logs.join(format!("run-{run}.stderr"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tray-import"))
        .args(["run", "--input"])
        .arg(&paths.input)
        .args(["--base-url", base_url, "--concurrency", "32"])
        .args(["--rate-limit", "1000", "--burst", "100"])
        .arg("--journal")
        .arg(&paths.journal)
        .arg("--report")
        .arg(&paths.report)
        .env("TRAY_MASTER_TOKEN", MASTER_TOKEN)
        // Logs as talkative as they get short of trace, to catch a leak.
        .env("TRAY_IMPORT_LOG", "debug")
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("tray-import starts")
}

/// Waits (polling, within `RUN_DEADLINE`) until `done` says so or the process exits.
async fn wait_until(child: &mut Child, mut done: impl FnMut() -> bool) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if done() {
            return None;
        }
        if start.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            panic!("tray-import did not progress within {RUN_DEADLINE:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn created(journal: &Journal) -> u64 {
    journal
        .counts()
        .unwrap()
        .get(&State::Created)
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_twice_and_restarted_every_valid_row_is_exactly_one_auth() {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut options = Options::new(schemas, MASTER_TOKEN);
    options.rate_limit = Some(RateLimit {
        per_second: 1000.0,
        burst: 100,
    });
    options.faults = Faults {
        server_error_share: 0.05,
        drop_share: 0.01,
        seed: 5,
        ..Faults::default()
    };
    let tray = FakeTray::start(options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        input: dir.path().join("auths.jsonl"),
        journal: dir.path().join("journal.sqlite"),
        report: dir.path().join("report.jsonl"),
        logs: dir.path().to_owned(),
    };
    let expected = write_input(&paths.input);
    let valid = expected.values().filter(|e| e.valid).count();
    let journal = Journal::open(&paths.journal).unwrap();
    let started = Instant::now();

    // Two runs killed part-way: once a quarter, then once 60% of the rows are created.
    let mut run = 0;
    for threshold in [ROWS as u64 / 4, ROWS as u64 * 6 / 10] {
        run += 1;
        let mut child = spawn(&paths, &tray.base_url(), run);
        let exited = wait_until(&mut child, || created(&journal) >= threshold).await;
        assert!(
            exited.is_none(),
            "run {run} ended before it could be killed: make the test's input larger"
        );
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let at = created(&journal);
        assert!(at < valid as u64, "killed part-way, at {at}");
        let in_flight = journal
            .counts()
            .unwrap()
            .get(&State::Pending)
            .copied()
            .unwrap_or(0);
        assert!(
            in_flight > 0,
            "killed with rows in flight, for the next run to settle"
        );
        eprintln!("run {run} killed with {at} rows created and {in_flight} pending");
    }

    // Then the same command until nothing is failed or unknown (invalid rows stay invalid).
    let mut finished = false;
    while !finished {
        run += 1;
        assert!(run <= 8, "still not settled after {run} runs");
        let mut child = spawn(&paths, &tray.base_url(), run);
        let status = wait_until(&mut child, || false).await.unwrap();
        let counts = journal.counts().unwrap();
        finished = counts
            .keys()
            .all(|s| matches!(s, State::Created | State::Invalid));
        assert_eq!(
            status.code(),
            Some(1),
            "invalid rows remain, so the exit status is 1 (run {run})"
        );
    }
    let requests = tray.requests();
    let count = |status: Option<u16>| requests.iter().filter(|r| r.status == status).count();
    let (errors, dropped, limited) = (count(Some(500)), count(None), count(Some(429)));
    eprintln!(
        "{run} runs in {:.1}s; the fake answered {} requests: {errors} with 500, {dropped} dropped, {limited} with 429",
        started.elapsed().as_secs_f64(),
        requests.len()
    );
    assert!(errors > 0 && dropped > 0, "the faults happened");
    let settled = journal
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.state == State::Created && e.detail.is_some())
        .count();
    assert!(
        settled > 0,
        "unknown outcomes were settled, not just retried"
    );

    // The fake holds exactly one authentication per valid row, with that row's credentials,
    // owned by that row's end user; none holds an invalid row's.
    let users: HashMap<String, String> = tray
        .users()
        .into_iter()
        .map(|u| (u.user_id, u.external_user_id))
        .collect();
    let stored = tray.authentications();
    let mut rows_of_stored: HashMap<String, usize> = HashMap::new();
    for auth in &stored {
        let body = auth.body.to_string();
        let markers: Vec<usize> = body
            .match_indices("SECRET-r")
            .map(|(at, _)| {
                let digits: String = body[at + 8..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().unwrap()
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(markers.len(), 1, "one row's credentials per auth");
        let n = markers[0];
        let row = &expected[&n];
        assert!(row.valid, "row {n} is invalid, yet Tray holds it");
        assert_eq!(auth.name(), row.name);
        let Owner::User(user_id) = &auth.owner else {
            panic!("row {n} was created with the master token")
        };
        assert_eq!(users[user_id], row.external_user_id, "row {n}'s owner");
        assert!(
            rows_of_stored.insert(auth.id.clone(), n).is_none(),
            "ids are unique"
        );
    }
    let mut per_row: HashMap<usize, usize> = HashMap::new();
    for n in rows_of_stored.values() {
        *per_row.entry(*n).or_default() += 1;
    }
    assert!(
        per_row.values().all(|&count| count == 1),
        "a row was created twice: {:?}",
        per_row
            .iter()
            .filter(|(_, &c)| c > 1)
            .take(5)
            .collect::<Vec<_>>()
    );
    assert_eq!(stored.len(), valid, "one auth per valid row, none lost");

    // The report agrees: every row once, created ones with the id of the auth holding them.
    let report = std::fs::read_to_string(&paths.report).unwrap();
    let lines: Vec<Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), ROWS);
    for line in &lines {
        let n = line["row"].as_u64().unwrap() as usize;
        let row = &expected[&n];
        if row.valid {
            assert_eq!(line["state"], "created", "row {n}: {line}");
            let id = line["authId"].as_str().unwrap();
            assert_eq!(rows_of_stored.get(id), Some(&n), "row {n}'s auth id");
        } else {
            assert_eq!(line["state"], "invalid", "row {n}: {line}");
            assert!(line["problems"][0]["pointer"].is_string());
        }
    }

    // Nothing printed, logged, reported or journaled holds a token or a credential.
    let user_token_prefix = "fake-user-token-";
    let mut outputs = vec![paths.report.clone()];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("run-") || name.starts_with("journal.sqlite") {
            outputs.push(path);
        }
    }
    let mut logged = 0;
    for path in outputs {
        let bytes = std::fs::read(&path).unwrap();
        logged += bytes.len();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["SECRET-", MASTER_TOKEN, user_token_prefix] {
            assert!(
                !text.contains(secret),
                "{} holds `{secret}`",
                path.display()
            );
        }
    }
    assert!(
        logged > 100_000,
        "the debug logs were captured ({logged} bytes)"
    );
}
