//! Shared by the end-to-end tests of the client, the fake and fetch: the committed snapshots,
//! a fake Tray serving them, a client pointed at it, and the generated Mailchimp types.

#![allow(dead_code, unused_imports)] // Each test file uses a different part.

use std::path::PathBuf;
use std::time::Duration;

use fake_tray::{FakeTray, Options};
use tray_auth::client::{Client, RateLimit, RetryPolicy};
use tray_auth::Secret;

/// The master token the fakes take.
pub const MASTER_TOKEN: &str = "master-token-0c5f1e";

/// The committed snapshot folder.
pub fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// A fake serving the committed snapshots.
pub async fn fake() -> FakeTray {
    FakeTray::start(Options::new(schemas(), MASTER_TOKEN))
        .await
        .expect("the fake starts")
}

/// Retries that wait next to nothing, so tests stay fast.
pub fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
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

/// Mailchimp, as `tray-codegen` generated it from `schemas/mailchimp-1.json`.
pub use tray_connectors::mailchimp::{
    Credentials as MailchimpCredentials, Mailchimp, PRODUCTION as MAILCHIMP_PRODUCTION,
};
