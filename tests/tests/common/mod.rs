//! Shared by the end-to-end tests: the committed snapshots, a fake Tray serving them, a
//! client pointed at it, and a hand-written connector shaped like `mailchimp-1.json`.

#![allow(dead_code)] // Each test file uses a different part.

use std::path::PathBuf;
use std::time::Duration;

use fake_tray::{FakeTray, Options};
use serde::{Deserialize, Serialize};
use tray_auth::client::{Client, RateLimit, RetryPolicy};
use tray_auth::validate::Validator;
use tray_auth::{AuthenticationType, Connector, NoScopes, Secret, ServiceEnvironment, ServiceEnvironmentId, Validate};

/// The master token the fakes take.
pub const MASTER_TOKEN: &str = "master-token-0c5f1e";

/// The committed snapshot folder.
pub fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// A fake serving the committed snapshots.
pub async fn fake() -> FakeTray {
    FakeTray::start(Options::new(schemas(), MASTER_TOKEN)).await.expect("the fake starts")
}

/// Retries that wait next to nothing, so tests stay fast.
pub fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5) }
}

/// A client for `tray`, with quick retries.
pub fn client(tray: &FakeTray) -> Client {
    Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(quick_retries(3))
        .rate_limit(RateLimit::new(1000.0, 1000))
        .build()
        .expect("the client builds")
}

/// Mailchimp, written by hand the way `tray-codegen` writes connectors.
#[derive(Debug, Clone, Copy)]
pub struct Mailchimp;

impl Connector for Mailchimp {
    const SERVICE_NAME: &'static str = "mailchimp";
    const SERVICE_VERSION: u32 = 1;
    const ENVIRONMENTS: &'static [ServiceEnvironment] = &[ServiceEnvironment {
        id: "474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70",
        title: "Production",
        authentication_type: AuthenticationType::Oauth2,
    }];
    type Credentials = MailchimpCredentials;
    type UserData = MailchimpUserData;
    type Scope = NoScopes;
}

/// The `Production` environment of `mailchimp-1.json`.
pub const MAILCHIMP_PRODUCTION: ServiceEnvironmentId<Mailchimp> =
    ServiceEnvironmentId::from_static("474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70");

/// Mailchimp's credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailchimpCredentials {
    pub access_token: Secret,
    pub dc: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

impl Validate for MailchimpCredentials {
    fn validate_with(&self, _: &mut Validator) {}
}

/// Mailchimp's (empty) user data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MailchimpUserData {}

impl Validate for MailchimpUserData {
    fn validate_with(&self, _: &mut Validator) {}
}
