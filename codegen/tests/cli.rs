//! The `tray-codegen` binary, as a user runs it.

use std::fs;
use std::path::Path;
use std::process::Command;

fn tray_codegen(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tray-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn generate_then_check_then_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    fs::create_dir(&schemas).unwrap();
    for name in ["mailchimp-1.json", "netsuite-1.json"] {
        fs::copy(repo().join("schemas").join(name), schemas.join(name)).unwrap();
    }

    let out = tray_codegen(&["generate"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "schemas/netsuite-1.json#/environments/0/credentialsSchema/properties/account/tytpe"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("generated 2 connector modules"), "{stderr}");
    assert!(dir.path().join("generated/src/mailchimp.rs").exists());

    let out = tray_codegen(&["check"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let file = dir.path().join("generated/src/netsuite.rs");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("pub role: i64,", "pub role: String,")).unwrap();
    let out = tray_codegen(&["check"], dir.path());
    assert!(!out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stdout.contains("-    pub role: String,\n+    pub role: i64,"),
        "{stdout}"
    );
    assert!(stderr.contains("generated/src/netsuite.rs"), "{stderr}");
    assert!(!stderr.contains("mailchimp.rs"), "{stderr}");

    // A deleted snapshot's module is removed by the next generate.
    fs::remove_file(schemas.join("netsuite-1.json")).unwrap();
    let out = tray_codegen(&["generate", "-q"], dir.path());
    assert!(out.status.success());
    assert!(!file.exists());
}

#[test]
fn schema_prints_types_for_a_bare_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    fs::write(
        &file,
        r#"{"type": "object", "properties": {"region": {"enum": ["us", "eu"]}, "apiKey": {"type": "string"}, "port": {"tytpe": "integer"}}, "required": ["apiKey"]}"#,
    )
    .unwrap();
    let out = tray_codegen(&["schema", "s.json", "--name", "Settings"], dir.path());
    assert!(out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.contains("pub struct Settings {"), "{stdout}");
    assert!(stdout.contains("pub region: Option<Region>,"), "{stdout}");
    assert!(
        stdout.contains("pub api_key: tray_auth::Secret,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pub port: Option<serde_json::Value>,"),
        "{stdout}"
    );
    assert!(stderr.contains("s.json#/properties/port/tytpe: unknown keyword `tytpe` is ignored (did you mean `type`?)"), "{stderr}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    let out = tray_codegen(&["schema", "broken.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: broken.json: not valid JSON"),
        "{stderr}"
    );

    fs::create_dir(dir.path().join("schemas")).unwrap();
    fs::write(
        dir.path().join("schemas/x-1.json"),
        r#"{"connector": {"service": {"name": "x"}}, "environments": []}"#,
    )
    .unwrap();
    let out = tray_codegen(&["generate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("schemas/x-1.json#/connector/service/version: missing"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `/dev/zero`, a pipe, a folder of the wrong kind or a file of gigabytes as an argument: a
/// clear error naming it (exit 2), never an attempt to hold it in memory, never a hang.
#[test]
fn devices_pipes_and_huge_files_as_arguments_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Sparse: 20 GB on paper, nothing on disk.
    let huge = dir.path().join("huge-1.json");
    fs::File::create(&huge).unwrap().set_len(20 << 30).unwrap();
    let schemas = repo().join("schemas");
    let schemas = schemas.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["diff", "/dev/zero", schemas], "/dev/zero"),
        (&["diff", schemas, "/dev/zero"], "/dev/zero"),
        (&["diff", schemas, "pipe.json"], "pipe.json"),
        (&["diff", schemas, "huge-1.json"], "huge-1.json"),
        (&["schema", "/dev/zero"], "/dev/zero"),
        (&["schema", "pipe.json"], "pipe.json"),
    ];
    for (args, named) in cases {
        let (send, receive) = std::sync::mpsc::channel();
        let (args_owned, cwd) = (
            args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            dir.path().to_owned(),
        );
        std::thread::spawn(move || {
            let args: Vec<&str> = args_owned.iter().map(String::as_str).collect();
            let _ = send.send(tray_codegen(&args, &cwd));
        });
        let out = receive
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("tray-codegen {args:?} hung"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(named),
            "{args:?} does not name {named}: {stderr}"
        );
        assert!(
            stderr.contains("not a regular file") || stderr.contains("larger than"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
