//! `tray-codegen fetch --all` against a fake Tray whose service names are paths, hold NUL or
//! separators: each such service is refused by name, the others are fetched, and nothing is
//! written outside `--out`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fake_tray::{FakeTray, Options};
use serde_json::json;
use tray_auth::Secret;
use tray_codegen::fetch::{self, FetchArgs, Outcome};

/// Every file under `dir`, recursively.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A snapshot of service `name`, version 1, as the fake serves it (its file name is not the
/// service's: the fake serves whatever a folder holds).
fn snapshot(name: &str) -> String {
    let value = json!({
        "connector": { "title": "T", "service": { "name": name, "version": 1 } },
        "environments": [{
            "id": "5e7e0c4e-6a2b-4c41-9a53-8f1d2e3c4b5a", "title": "Production",
            "authenticationType": "token", "credentialsSchema": {}, "userDataSchema": {}
        }]
    });
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

#[test]
fn hostile_service_names_are_refused_and_the_others_fetched() {
    let root = tempfile::tempdir().unwrap();
    let served = root.path().join("served");
    let out = root.path().join("a/b/out");
    fs::create_dir_all(&served).unwrap();
    // An absolute name under the temporary folder, so that a write there would be seen.
    let absolute = root.path().join("absolute").display().to_string();
    let long = "l".repeat(300);
    let hostile = [
        "../../x",
        "../../../../../../../../tmp/escape",
        absolute.as_str(),
        "a/b",
        "a\\b",
        "x\0y",
        "..",
        ".",
        "slåck",
        "\u{1b}[31mred",
        "-rf",
        long.as_str(),
    ];
    let good = ["good", "also.good_2-x"];
    for (i, name) in hostile.iter().chain(&good).enumerate() {
        fs::write(served.join(format!("s{i}-1.json")), snapshot(name)).unwrap();
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tray = runtime
        .block_on(FakeTray::start(Options::new(&served, common::MASTER_TOKEN)))
        .unwrap();
    let args = FetchArgs {
        services: Vec::new(),
        all: true,
        region: None,
        base_url: Some(tray.base_url()),
        out: out.clone(),
        check: false,
        jobs: 4,
    };
    let summary = fetch::run_with_token(&args, Secret::from(common::MASTER_TOKEN)).unwrap();
    let requests = tray.requests();
    runtime.block_on(tray.shutdown());

    // The good ones are fetched, and are the only files written anywhere.
    let fetched: Vec<(String, Outcome)> = summary
        .services
        .iter()
        .map(|(s, o)| (s.to_string(), o.clone()))
        .collect();
    assert_eq!(
        fetched,
        [
            ("also.good_2-x@1".to_owned(), Outcome::New),
            ("good@1".to_owned(), Outcome::New)
        ]
    );
    let mut expected: Vec<PathBuf> = ["also.good_2-x-1.json", "good-1.json"]
        .iter()
        .map(|f| out.join(f))
        .collect();
    expected.extend((0..hostile.len() + good.len()).map(|i| served.join(format!("s{i}-1.json"))));
    expected.sort();
    assert_eq!(all_files(root.path()), expected);
    assert!(!Path::new("/tmp/escape-1.json").exists());

    // Each hostile one is refused by name, escaped, and never asked for.
    assert_eq!(summary.refused.len(), hostile.len());
    for refused in &summary.refused {
        let text = refused.to_string();
        assert!(text.contains("refused, nothing written"), "{text}");
        assert!(!text.contains(['\0', '\u{1b}']), "{text:?}");
        assert!(text.len() < 300, "a long name is cut: {text}");
    }
    let messages: Vec<String> = summary.refused.iter().map(ToString::to_string).collect();
    for shown in [
        r#""../../x""#,
        r#""a/b""#,
        r#""x\0y""#,
        r#""\u{1b}[31mred""#,
        r#""..""#,
    ] {
        assert!(
            messages.iter().any(|m| m.contains(shown)),
            "{shown} not named in {messages:#?}"
        );
    }
    let environment_requests: Vec<String> = requests
        .iter()
        .map(|r| r.path.clone())
        .filter(|path| path.ends_with("/environments"))
        .collect();
    assert_eq!(
        environment_requests.len(),
        good.len(),
        "{environment_requests:#?}"
    );
    assert_eq!(summary.exit_code(), ExitCode::FAILURE);
}
