//! The opt-in build-time check against the live Tray (`TRAY_ONLINE=1`), against the fake:
//! a drifted schema fails `Config::compile` with the diff (breaking changes first) and the
//! `fetch` command to run, identical schemas pass, an unreachable Tray is a clear error within
//! seconds, missing settings say what to set, and `TRAY_ONLINE=0` contacts nothing. Then the
//! same through cargo: a scratch crate whose build script calls `Config::compile()`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fake_tray::{FakeTray, Options};
use serde_json::{json, Value};
use tray_codegen::online::OnlineCheck;
use tray_codegen::Config;

/// Variables as a build script would read them, from a list.
fn check(vars: &[(&str, &str)]) -> Result<Option<OnlineCheck>, tray_codegen::online::OnlineError> {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    OnlineCheck::from_lookup(|name| vars.get(name).cloned())
}

fn online(base_url: &str) -> Option<OnlineCheck> {
    check(&[
        ("TRAY_ONLINE", "1"),
        ("TRAY_MASTER_TOKEN", common::MASTER_TOKEN),
        ("TRAY_BASE_URL", base_url),
    ])
    .unwrap()
}

/// A copy of the committed snapshots in which Tray changed Mailchimp's `dc` to an integer
/// (breaking), lowered Jira's largest timeout (breaking at run time) and retitled Airtable's
/// access token (compatible).
fn drifted() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(common::schemas()).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let change = |file: &str, edit: &dyn Fn(&mut Value)| {
        let path = dir.path().join(file);
        let mut snapshot: Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut snapshot["environments"][0]["credentialsSchema"]["properties"]);
        fs::write(
            &path,
            serde_json::to_string_pretty(&snapshot).unwrap() + "\n",
        )
        .unwrap();
    };
    change("mailchimp-1.json", &|p| p["dc"]["type"] = json!("integer"));
    change("jira-3.json", &|p| {
        p["timeout_seconds"]["maximum"] = json!(60)
    });
    change("airtable-2.json", &|p| {
        p["access_token"]["title"] = json!("OAuth 2 access token")
    });
    dir
}

/// Runs `test` with a fake Tray serving `schemas` (on a runtime of its own, as cargo or a
/// build script would meet it).
fn with_fake<T>(schemas: &Path, test: impl FnOnce(&FakeTray) -> T) -> T {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tray = runtime
        .block_on(FakeTray::start(Options::new(schemas, common::MASTER_TOKEN)))
        .unwrap();
    let result = test(&tray);
    runtime.block_on(tray.shutdown());
    result
}

/// `Config::compile` of `schemas` into a fresh folder with `check`; the error's text, if any,
/// and whether the generated file was written.
fn compile(schemas: &Path, check: Option<OnlineCheck>) -> (Result<(), String>, bool) {
    let out = tempfile::tempdir().unwrap();
    let result = Config::new()
        .schemas_dir(schemas)
        .out_dir(out.path())
        .cargo_warnings(false)
        .online(check)
        .compile()
        .map_err(|e| e.to_string());
    (result, out.path().join("tray_connectors.rs").exists())
}

fn snapshot_bytes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), fs::read(p).unwrap()))
        .collect()
}

#[test]
fn identical_schemas_pass() {
    let (result, written) = with_fake(&common::schemas(), |tray| {
        compile(&common::schemas(), online(&tray.base_url()))
    });
    assert_eq!(result, Ok(()));
    assert!(written);
}

#[test]
fn a_drifted_schema_fails_the_build_with_the_diff_breaking_first_and_the_command() {
    let tray_side = drifted();
    let committed = tempfile::tempdir().unwrap();
    for (path, bytes) in snapshot_bytes(&common::schemas()) {
        fs::write(committed.path().join(path.file_name().unwrap()), bytes).unwrap();
    }
    let before = snapshot_bytes(committed.path());
    let (result, written, url) = with_fake(tray_side.path(), |tray| {
        let (result, written) = compile(committed.path(), online(&tray.base_url()));
        (result, written, tray.base_url())
    });
    let message = result.unwrap_err();
    let folder = std::path::absolute(committed.path()).unwrap();
    let expected = format!(
        "the snapshots in {folder} differ from what Tray serves now (TRAY_ONLINE=1 checks them at build time):\n\
         mailchimp (1 → 1): 1 breaking, 0 compatible\n  \
         breaking          /credentials/dc: type changed from `String` to `i64`\n\
         jira (3 → 3): 0 breaking, 1 runtime-breaking, 0 compatible\n  \
         runtime-breaking  /credentials/timeout_seconds: maximum lowered from 300 to 60: values that passed `validate()` may now fail\n\
         airtable (2 → 2): 0 breaking, 1 compatible\n  \
         compatible        /credentials/access_token: title or description changed\n\
         Refresh them from Tray (this writes the snapshots), review the change, and commit it:\n  \
         cargo run -p tray-codegen -- fetch --base-url {url} --out {folder} mailchimp@1 jira@3 airtable@2\n\
         Nothing was written. To build without asking Tray, unset TRAY_ONLINE.",
        folder = folder.display()
    );
    assert_eq!(message, expected);
    assert!(!message.contains(common::MASTER_TOKEN));
    assert!(
        !written,
        "the generated file is not written when the check fails"
    );
    assert_eq!(
        snapshot_bytes(committed.path()),
        before,
        "snapshots are never written"
    );
}

#[test]
fn an_unreachable_tray_is_a_clear_error_within_seconds() {
    // A port nothing listens on: connections are refused at once, and retried a little.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/core/v1");
    let started = Instant::now();
    let (result, written) = compile(&common::schemas(), online(&url));
    let message = result.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(
        message.starts_with("checking the snapshots in ")
            && message.contains("against Tray (TRAY_ONLINE=1): listing connectors: ")
            && message.ends_with("To build without asking Tray, unset TRAY_ONLINE."),
        "{message}"
    );
    assert!(!message.contains(common::MASTER_TOKEN), "{message}");
    assert!(!written);
}

#[test]
fn settings_say_what_to_set() {
    let error = |vars: &[(&str, &str)]| check(vars).unwrap_err().to_string();
    assert!(error(&[("TRAY_ONLINE", "1")])
        .contains("set TRAY_MASTER_TOKEN to a master token from Tray's Embedded dashboard"));
    assert!(error(&[("TRAY_ONLINE", "1"), ("TRAY_MASTER_TOKEN", "t")]).contains(
        "set TRAY_REGION to your account's region (us, eu or apac), or TRAY_BASE_URL to a REST base"
    ));
    assert_eq!(
        error(&[
            ("TRAY_ONLINE", "1"),
            ("TRAY_MASTER_TOKEN", "t"),
            ("TRAY_REGION", "mars")
        ]),
        "TRAY_REGION: `mars` is not a Tray region: use `us`, `eu` or `apac`"
    );
    assert!(error(&[
        ("TRAY_ONLINE", "1"),
        ("TRAY_MASTER_TOKEN", "t"),
        ("TRAY_REGION", "eu"),
        ("TRAY_BASE_URL", "http://127.0.0.1:1/core/v1")
    ])
    .contains("set only one of them"));
    assert!(error(&[("TRAY_ONLINE", "yes")]).contains("set it to 1"));
    assert!(check(&[
        ("TRAY_ONLINE", "1"),
        ("TRAY_MASTER_TOKEN", "t"),
        ("TRAY_REGION", "eu")
    ])
    .unwrap()
    .is_some());
}

#[test]
fn offline_contacts_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/core/v1", listener.local_addr().unwrap());
    for online in ["0", "", "false"] {
        let settings = check(&[
            ("TRAY_ONLINE", online),
            ("TRAY_MASTER_TOKEN", "t"),
            ("TRAY_BASE_URL", &url),
        ])
        .unwrap();
        assert!(settings.is_none(), "TRAY_ONLINE={online:?}");
        let (result, written) = compile(&common::schemas(), settings);
        assert_eq!(result, Ok(()));
        assert!(written);
    }
    assert!(listener.accept().is_err(), "nothing connected");
}

/// The scratch crate: two snapshots, and a build script calling `Config::compile()`, which
/// reads the `TRAY_*` variables.
fn scratch_crate(dir: &Path) {
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::create_dir_all(dir.join("schemas")).unwrap();
    for file in ["mailchimp-1.json", "slack-4.json"] {
        fs::copy(common::schemas().join(file), dir.join("schemas").join(file)).unwrap();
    }
    let build_dependencies = format!(
        "[build-dependencies]\ntray-codegen = {{ path = {:?}, default-features = false, features = [\"fetch\"] }}\n",
        tray_tests::crate_path("codegen")
    );
    tray_tests::write_scratch_manifest(dir, "checked-online", "", &build_dependencies);
    fs::write(
        dir.join("build.rs"),
        "fn main() -> Result<(), tray_codegen::Error> {\n    tray_codegen::Config::new().compile()\n}\n",
    )
    .unwrap();
    fs::write(
        dir.join("src/main.rs"),
        "include!(concat!(env!(\"OUT_DIR\"), \"/tray_connectors.rs\"));\n\nfn main() {\n    println!(\"{}\", CONNECTORS.len());\n}\n",
    )
    .unwrap();
}

#[test]
fn cargo_build_checks_online_only_when_asked() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("checked-online");
    scratch_crate(&dir);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-target");
    let build = |env: &[(&str, &str)]| {
        let output = tray_tests::cargo(&dir, &target, &["build", "--offline"], env);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), stderr)
    };

    // Offline: an unroutable Tray is never asked.
    let (ok, stderr) = build(&[
        ("TRAY_ONLINE", "0"),
        ("TRAY_MASTER_TOKEN", common::MASTER_TOKEN),
        ("TRAY_BASE_URL", "http://10.255.255.1:9/core/v1"),
    ]);
    assert!(ok, "{stderr}");

    // TRAY_ONLINE=1 reruns the build script (it declared the variables), which finds drift.
    let tray_side = drifted();
    let (ok, stderr) = with_fake(tray_side.path(), |tray| {
        build(&[
            ("TRAY_ONLINE", "1"),
            ("TRAY_MASTER_TOKEN", common::MASTER_TOKEN),
            ("TRAY_BASE_URL", &tray.base_url()),
        ])
    });
    assert!(!ok, "{stderr}");
    let schemas = dir.join("schemas").canonicalize().unwrap();
    for line in [
        "mailchimp (1 → 1): 1 breaking, 0 compatible",
        "  breaking          /credentials/dc: type changed from `String` to `i64`",
        &format!("--out {} mailchimp@1", schemas.display()),
    ] {
        assert!(stderr.contains(line), "{line:?} in:\n{stderr}");
    }
    assert!(!stderr.contains(common::MASTER_TOKEN), "{stderr}");

    // Against a Tray that serves the committed snapshots, it builds.
    let (ok, stderr) = with_fake(&common::schemas(), |tray| {
        build(&[
            ("TRAY_ONLINE", "1"),
            ("TRAY_MASTER_TOKEN", common::MASTER_TOKEN),
            ("TRAY_BASE_URL", &tray.base_url()),
        ])
    });
    assert!(ok, "{stderr}");
}
