//! Every snapshot of `schemas/`, used as a user would, in a crate that denies warnings.
#![deny(warnings, missing_docs)]

use tray_auth::{CreateAuthentication, Secret};

tray_macros::connectors!("schemas");

fn main() {
    let payload = CreateAuthentication::new(
        "Bolo's Mailchimp",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: Secret::from("a22xxxxxxxxxxxxxxxxx8a1c-us21"),
            dc: "us21".to_owned(),
            expires_in: Some(3600),
        },
    );
    payload.validate().unwrap();
    let body = serde_json::to_value(&payload).unwrap();
    assert_eq!(body["credentials"]["dc"], "us21");
    assert_eq!(
        body["serviceEnvironmentId"],
        mailchimp::PRODUCTION.to_string()
    );
    let slack = CreateAuthentication::new("Bolo's Slack", slack::PRODUCTION, slack::Credentials {})
        .scopes([slack::Scope::ChatWrite]);
    assert_eq!(serde_json::to_value(&slack).unwrap()["scopes"][0], "chat:write");
    let snapshots = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas"))
        .unwrap()
        .count();
    // One entry per set of types: a service version may have more than one.
    let services: std::collections::BTreeSet<(&str, u32)> = CONNECTORS
        .iter()
        .map(|c| (c.service_name(), c.service_version()))
        .collect();
    assert_eq!(services.len(), snapshots);
    assert!(CONNECTORS.iter().any(|c| c.service_name() == "netsuite"));
}
