//! `only` with a service name and a service version, inside a module of the caller's.
#![deny(warnings)]

mod tray {
    tray_macros::connectors!("schemas", only = ["mailchimp", "slack@4"]);
}

use tray::{mailchimp, slack};

fn main() {
    let payload = tray_auth::CreateAuthentication::new(
        "Bolo's Mailchimp",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: "a22x-us21".into(),
            dc: "us21".to_owned(),
            expires_in: None,
        },
    );
    assert_eq!(payload.name(), "Bolo's Mailchimp");
    let _ = slack::Slack;
    let services: Vec<&str> = tray::CONNECTORS.iter().map(|c| c.service_name()).collect();
    assert_eq!(services, ["mailchimp", "slack"]);
}
