//! What Tray says about a row reaches the report once redacted, by the client: key names and
//! the schema's patterns as Tray wrote them, never a value it quotes. The fake Tray never
//! quotes values, so a canned Tray answers here (Mailchimp's snapshot for the preflight).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tray_auth::client::{Client, RetryPolicy};
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::mailchimp;
use tray_import::report::write_report;
use tray_import::{ImportItem, Importer, Journal};

/// Tray's 400 for a body that does not fit its schema, in Tray's (everit's) own words, which
/// quote the value a pattern refused.
const REFUSED: &str = "Connector input validation failed. Schema validation errors: [ 1 - #/credentials: required key [channel] not found, 2 - #/credentials/access_token: string [SECRET-token-us21] does not match pattern ^[a-z]{2}[0-9]+$ ]";

/// A Tray that lists Mailchimp as its snapshot says, makes users and tokens, and refuses
/// every authentication with [`REFUSED`].
fn canned_tray() -> SocketAddr {
    let snapshot = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/mailchimp-1.json");
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            answer(stream, &snapshot);
        }
    });
    addr
}

/// Reads one request and answers it (one request a connection).
fn answer(mut stream: TcpStream, snapshot: &serde_json::Value) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let Ok(n) = stream.read(&mut buffer) else {
            return;
        };
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
    }
    let request = String::from_utf8_lossy(&request);
    let listed = |what: &serde_json::Value| ("200 OK", json!({ "elements": what }).to_string());
    let (status, body) = if request.starts_with("GET /core/v1/connectors ") {
        listed(&json!([snapshot["connector"]]))
    } else if request.starts_with("GET /core/v1/services/") {
        listed(&snapshot["environments"])
    } else if request.contains("createExternalUser") {
        (
            "200 OK",
            r#"{"data":{"createExternalUser":{"userId":"user-1"}}}"#.to_owned(),
        )
    } else if request.contains("authorize") {
        (
            "200 OK",
            r#"{"data":{"authorize":{"accessToken":"user-token"}}}"#.to_owned(),
        )
    } else {
        (
            "400 Bad Request",
            json!({ "message": REFUSED, "code": null }).to_string(),
        )
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[tokio::test]
async fn trays_refusal_keeps_patterns_and_key_names_and_loses_the_value() {
    let addr = canned_tray();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .master_token(Secret::from("canned-master-token"))
        .retry(RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap();
    let item = ImportItem::new(
        "k1",
        "alice",
        CreateAuthentication::new(
            "Alice's Mailchimp",
            mailchimp::PRODUCTION,
            mailchimp::Credentials {
                access_token: Secret::from("SECRET-token-us21"),
                dc: "us21".to_owned(),
                expires_in: None,
            },
        ),
    );
    let mut importer = Importer::new(client, Journal::open(dir.path().join("j.sqlite")).unwrap());
    let summary = importer.run(vec![item]).await.unwrap();
    assert_eq!((summary.invalid, summary.created), (1, 0));

    let mut report = Vec::new();
    write_report(&importer.journal(), &mut report).unwrap();
    let line: serde_json::Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(line["state"], "invalid");
    let message = line["problems"][0]["message"].as_str().unwrap();
    for kept in [
        "#/credentials: required key [channel] not found",
        "#/credentials/access_token: string […] does not match pattern ^[a-z]{2}[0-9]+$ ]",
    ] {
        assert!(message.contains(kept), "{kept}\n{message}");
    }
    let report = String::from_utf8(report).unwrap();
    assert!(!report.contains("SECRET"), "a credential leaked: {report}");
}
