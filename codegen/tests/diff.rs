//! `tray-codegen diff`: crafted schema changes, each classified as a user of the old types
//! would feel it.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use tray_codegen::diff::{diff, Impact};
use tray_codegen::snapshot::Snapshot;

fn jira() -> Snapshot {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/jira-3.json"
    ));
    Snapshot::read(path).unwrap()
}

fn changed(edit: impl FnOnce(&mut Value)) -> Snapshot {
    let mut snapshot = jira();
    edit(&mut snapshot.environments[0]);
    snapshot
}

/// The changes of one edit, as `(impact, path, message)`.
fn changes(edit: impl FnOnce(&mut Value)) -> Vec<(Impact, String, String)> {
    let d = diff(&[jira()], &[changed(edit)]);
    d.connectors
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .map(|x| (x.impact, x.path.clone(), x.message.clone()))
        })
        .collect()
}

/// An edit of the environment, and the path and message of the one change it makes.
type Case = (Box<dyn FnOnce(&mut Value)>, &'static str, &'static str);

fn one(edit: impl FnOnce(&mut Value)) -> (Impact, String, String) {
    let all = changes(edit);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

#[test]
fn breaking_changes() {
    let cases: Vec<Case> = vec![
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .shift_remove("email");
            }),
            "/credentials/email",
            "field removed",
        ),
        (
            Box::new(|e| {
                let props = e["credentialsSchema"]["properties"]
                    .as_object_mut()
                    .unwrap();
                let token = props.shift_remove("api_token").unwrap();
                props.insert("token".into(), token);
                e["credentialsSchema"]["required"] = json!(["type", "base_url", "email", "token"]);
            }),
            "/credentials/token",
            "field renamed from `api_token`",
        ),
        (
            Box::new(|e| {
                e["credentialsSchema"]["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("timeout_seconds"));
            }),
            "/credentials/timeout_seconds",
            "became required",
        ),
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]["timeout_seconds"]["type"] = json!("string");
            }),
            "/credentials/timeout_seconds",
            "type changed from number to string",
        ),
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]["type"]["enum"] = json!(["cloud", "server"]);
            }),
            "/credentials/type",
            "enum value \"data-center\" removed",
        ),
        (
            Box::new(|e| {
                e["id"] = json!("99999999-2222-4333-8444-555555555555");
            }),
            "/environments/Production",
            "environment id changed: its constant points elsewhere",
        ),
        (
            Box::new(|e| {
                e["userDataSchema"]["properties"]["project"]["required"] =
                    json!(["key", "issue_type"]);
            }),
            "/userData/project/issue_type",
            "became required",
        ),
    ];
    for (edit, path, message) in cases {
        assert_eq!(
            one(edit),
            (Impact::Breaking, path.to_owned(), message.to_owned())
        );
    }
}

#[test]
fn compatible_changes() {
    let cases: Vec<Case> = vec![
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]["site_name"] = json!({"type": "string"});
            }),
            "/credentials/site_name",
            "optional field added",
        ),
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]["type"]["enum"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("government"));
            }),
            "/credentials/type",
            "enum value \"government\" added",
        ),
        (
            Box::new(|e| {
                e["credentialsSchema"]["properties"]["email"]["description"] =
                    json!("The account's email.");
            }),
            "/credentials/email",
            "title or description changed",
        ),
    ];
    for (edit, path, message) in cases {
        assert_eq!(
            one(edit),
            (Impact::Compatible, path.to_owned(), message.to_owned())
        );
    }
}

#[test]
fn environments_and_connectors() {
    let mut two = jira();
    let mut staging = two.environments[0].clone();
    staging["title"] = json!("Staging");
    staging["id"] = json!("aaaaaaaa-2222-4333-8444-555555555555");
    two.environments.push(staging);
    let d = diff(&[two.clone()], &[jira()]);
    assert_eq!(
        d.connectors[0].changes[0].message,
        "environment removed: its constant is gone"
    );
    assert!(d.breaking);
    let d = diff(&[jira()], &[two]);
    assert_eq!(d.connectors[0].changes[0].message, "environment added");
    assert!(!d.breaking);
    assert!(
        diff(&[jira()], &[]).breaking,
        "a removed connector breaks its users"
    );
    assert!(diff(&[jira()], &[jira()]).connectors.is_empty());
}

#[test]
fn cli_prints_text_or_json_and_exits_on_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    fs::write(&old, jira().to_text()).unwrap();
    let breaking = changed(|e| {
        e["credentialsSchema"]["properties"]
            .as_object_mut()
            .unwrap()
            .shift_remove("email");
    });
    fs::write(&new, breaking.to_text()).unwrap();
    let bin = env!("CARGO_BIN_EXE_tray-codegen");
    let out = Command::new(bin)
        .args(["diff"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("jira (3 → 3): 1 breaking, 0 compatible\n  breaking    /credentials/email: field removed\n"), "{text}");

    let out = Command::new(bin)
        .args(["diff", "--json"])
        .arg(&old)
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, json!({"connectors": [], "breaking": false}));

    let out = Command::new(bin)
        .args(["diff", "--json"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["connectors"][0]["changes"][0],
        json!({"path": "/credentials/email", "impact": "breaking", "message": "field removed"})
    );

    let out = Command::new(bin)
        .args(["diff"])
        .arg(dir.path().join("missing"))
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
