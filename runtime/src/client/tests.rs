//! The client against canned HTTP answers, for what the fake Tray does not do on purpose.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// Answers each request, on any connection, with the next of `answers` (raw HTTP/1.1).
async fn canned(answers: Vec<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut answers = answers.into_iter();
        while let Ok((mut stream, _)) = listener.accept().await {
            // Read one request: headers, then `content-length` bytes of body.
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buffer).await {
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
            let Some(answer) = answers.next() else { return };
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    addr
}

fn client(addr: SocketAddr) -> Client {
    Client::builder()
        .base_url(format!("http://{addr}"))
        .master_token(Secret::from("canned-token"))
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_create_answered_without_an_id_is_an_unknown_outcome() {
    let addr = canned(vec![
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    ])
    .await;
    let body = serde_json::json!({ "name": "x", "serviceEnvironmentId": "y" });
    let err = client(addr)
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    assert!(
        err.to_string()
            .contains("Tray answered 200 without a readable id"),
        "{err}"
    );
}

#[tokio::test]
async fn an_error_that_is_not_trays_json_still_says_the_status() {
    let addr = canned(vec![
        "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 5\r\nconnection: close\r\n\r\noops!",
        "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 5\r\nconnection: close\r\n\r\noops!",
        "HTTP/1.1 403 Forbidden\r\ncontent-length: 5\r\nconnection: close\r\n\r\nnope!",
    ])
    .await;
    let err = client(addr).list_connectors().await.unwrap_err();
    assert_eq!(err.status(), Some(403), "two 502s were retried");
    assert_eq!(
        err.to_string(),
        "GET /connectors: Tray answered 403: Forbidden (the answer was not Tray's `{message, code}`) \
         [the token may not do this: admin calls need the master token]"
    );
}

#[tokio::test]
async fn the_base_url_is_checked_and_gets_core_v1() {
    let err = Client::builder().base_url("ftp://x").build().unwrap_err();
    assert!(err.to_string().contains("not an absolute http(s) URL"));
    let err = Client::builder()
        .base_url("https://user:hunter2@example.test/core/v1")
        .build()
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"));
    let client = Client::builder()
        .base_url("http://127.0.0.1:8787")
        .build()
        .unwrap();
    assert_eq!(client.rest_base(), "http://127.0.0.1:8787/core/v1");
    assert_eq!(
        client.inner.graphql_url.as_str(),
        "http://127.0.0.1:8787/graphql"
    );
    let err = client.list_connectors().await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ref text) if text.contains("needs the master token")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_gateway_timeout_on_a_create_is_an_unknown_outcome_and_not_retried() {
    let addr = canned(vec![
        "HTTP/1.1 504 Gateway Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"id\": \"a\"}",
    ])
    .await;
    let body = serde_json::json!({ "name": "x", "serviceEnvironmentId": "y" });
    let client = client(addr);
    let err = client
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    // The second answer is still there: the create was not sent again.
    let id = client
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap();
    assert_eq!(id.as_str(), "a");
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_refused_before_any_request() {
    for token in [
        "SECRET-a\nline-2",
        "SECRET-b\r",
        "SECRET-c\0",
        "\u{7f}SECRET-d",
    ] {
        let err = Client::builder()
            .master_token(Secret::from(token))
            .build()
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(text.contains("cannot be sent in an HTTP header"), "{text}");
        assert!(!text.contains("SECRET-"), "the token is not shown: {text}");
    }
    // A user token Tray (or something posing as it) answered with: not sent, and not called
    // an unknown outcome, since nothing was sent.
    let addr = canned(vec![]).await;
    let user_token = Secret::from("SECRET-user\ntoken");
    let err = client(addr)
        .create_authentication_raw(
            Bearer::User(&user_token),
            &serde_json::json!({ "name": "x", "serviceEnvironmentId": "y" }),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(!err.to_string().contains("SECRET-"), "{err}");
}

/// Answers every request with a chunked body that never ends.
async fn endless() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 1 << 16, "[".repeat(1 << 16));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    addr
}

#[tokio::test]
async fn an_answer_larger_than_the_limit_is_an_error_and_is_not_held() {
    let client = client(endless().await);
    match client.list_connectors().await {
        Err(Error::Decode { detail, .. }) => {
            assert!(detail.contains("larger than 32 MiB"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    // A create that answers so is an unknown outcome, never a failure to retry.
    let created = client
        .create_authentication_raw(Bearer::Master, &serde_json::json!({"name": "x"}))
        .await;
    assert!(
        matches!(created, Err(Error::UnknownOutcome { .. })),
        "{created:?}"
    );
}

/// A 400 of Tray's whose message quotes the given text, as raw HTTP (leaked: tests only).
fn refusal(message: &str) -> &'static str {
    let body = serde_json::json!({ "message": message, "code": "VALIDATION_ERROR" }).to_string();
    Box::leak(
        format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

#[tokio::test]
async fn a_sent_value_that_reads_like_trays_wording_is_not_shown() {
    // The value itself holds Tray's wording, so the wording alone cannot tell where it ends.
    let secret = "x] does not match pattern LEAKED-TAIL-7731, 2 - #/y: z";
    let message = format!(
        "Connector input validation failed. Schema validation errors: [ 1 - #/credentials/dc: string [{secret}] does not match pattern ^[a-z]+$ ]"
    );
    assert!(
        error::redact_values(&message).contains("LEAKED-TAIL"),
        "the wording alone would show it"
    );
    let addr = canned(vec![refusal(&message)]).await;
    let body = serde_json::json!({
        "name": "x", "serviceEnvironmentId": "y",
        "credentials": { "dc": secret, "other": ["abc", "a much longer one"] }
    });
    let err = client(addr)
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("LEAKED-TAIL"), "{shown}");
    assert!(
        err.to_string()
            .contains("1 - #/credentials/dc: string […] does not match pattern ^[a-z]+$ ]"),
        "{err}"
    );
}

#[tokio::test]
async fn a_long_message_is_redacted_before_it_is_cut_and_a_huge_one_is_not_shown() {
    // A value longer than the shown message: cut first, its closing `]` would be gone, and
    // nothing would mark it as a quoted value. Nothing of the request says what it was.
    let secret = "S".repeat(5000);
    let message =
        format!("[ 1 - #/credentials/token: string [{secret}] does not match pattern ^a$ ]");
    let addr = canned(vec![refusal(&message), refusal(&"x".repeat(70 * 1024))]).await;
    let body = serde_json::json!({ "name": "x", "serviceEnvironmentId": "y" });
    let err = client(addr)
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("SSS"), "{err}");
    assert!(
        err.to_string()
            .contains("#/credentials/token: string […] does not match pattern ^a$ ]"),
        "{err}"
    );
    let err = client(addr)
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "Tray's message is 71680 bytes long and is not shown (it may quote the values sent)"
        ),
        "{err}"
    );
}
