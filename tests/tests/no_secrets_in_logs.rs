//! Captured log output of a whole run, at every level and from every crate (the client, the
//! fake, and reqwest and hyper-util through the `log` bridge), holds no token and no
//! credential value, and neither do the errors along the way.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use fake_tray::Fault;
use serde_json::json;
use tray_auth::client::{Bearer, Error};
use tray_auth::{CreateAuthentication, Secret};
use tray_codegen::fetch::{self, Selection};

/// A `MakeWriter` collecting everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const ACCESS_TOKEN: &str = "cred-access-token-5e1f9a";
const PASSWORD: &str = "cred-password-77b2c4";
const BAD_TOKEN: &str = "wrong-token-93d1aa";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_run_logs_no_token_and_no_credential() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();
    let mut seen_errors = Vec::new();

    let tray = common::fake().await;
    let client = common::client(&tray);

    // Fetch, with a retried 500.
    tray.inject(Fault::ServerError);
    let out = tempfile::tempdir().unwrap();
    fetch::fetch(&client, &Selection::All, out.path(), false, 4)
        .await
        .unwrap();

    // A user, a token, and creates: fine, invalid, rate limited, dropped.
    let user = client
        .create_external_user("Bolo", "bolo-42")
        .await
        .unwrap();
    let user_token = client.authorize(&user).await.unwrap();
    let payload = CreateAuthentication::new(
        "logged run",
        common::MAILCHIMP_PRODUCTION,
        common::MailchimpCredentials {
            access_token: Secret::from(ACCESS_TOKEN),
            dc: "us21".into(),
            expires_in: None,
        },
    );
    tray.inject(Fault::TooManyRequests { retry_after: None });
    let id = client
        .create_authentication(Bearer::User(&user_token), &payload)
        .await
        .unwrap();
    tracing::info!(?payload, "created");

    let netsuite = json!({
        "name": "netsuite",
        "serviceEnvironmentId": "b5410a2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
        "credentials": { "email": "a@b.c", "password": PASSWORD, "account": "x", "role": PASSWORD }
    });
    seen_errors.push(
        client
            .create_authentication_raw(Bearer::User(&user_token), &netsuite)
            .await
            .unwrap_err(),
    );
    tray.inject(Fault::DropAfterBody);
    seen_errors.push(
        client
            .create_authentication(Bearer::User(&user_token), &payload)
            .await
            .unwrap_err(),
    );
    seen_errors.push(
        client
            .create_authentication(Bearer::User(&Secret::from(BAD_TOKEN)), &payload)
            .await
            .unwrap_err(),
    );

    let full = client
        .get_full_authentication(Bearer::User(&user_token), &id)
        .await
        .unwrap();
    assert_eq!(
        full.credentials["access_token"], ACCESS_TOKEN,
        "the run really moved the secret"
    );
    tracing::info!(?full, ?user_token, "read back");
    client.list_user_authentications(&user_token).await.unwrap();
    tray.shutdown().await;

    assert!(matches!(seen_errors[0], Error::Api { status: 400, .. }));
    assert!(seen_errors[1].is_unknown_outcome());
    for err in &seen_errors {
        tracing::error!(error = %err, debug = ?err, "failed");
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("SHOW_LOG").is_some() {
        eprintln!("{log}");
    }
    assert!(
        log.contains("POST /authentications"),
        "the log was captured:\n{log}"
    );
    assert!(log.contains("retrying"), "retries were logged:\n{log}");
    assert!(
        log.contains("hyper_util"),
        "the HTTP stack's own logs were captured too"
    );
    let secrets = [
        MASTER_TOKEN_FOR_CHECK,
        user_token.expose(),
        ACCESS_TOKEN,
        PASSWORD,
        BAD_TOKEN,
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "`{secret}` is in the log:\n{log}");
    }
}

const MASTER_TOKEN_FOR_CHECK: &str = common::MASTER_TOKEN;
