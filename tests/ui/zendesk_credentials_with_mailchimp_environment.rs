// The example: Zendesk credentials given with Mailchimp's environment.
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::{mailchimp, zendesk};

fn main() {
    let _ = CreateAuthentication::new(
        "auth",
        mailchimp::PRODUCTION,
        zendesk::Credentials {
            subdomain: "acme".into(),
            email: "ops@acme.test".into(),
            api_token: Secret::from("x".repeat(40)),
        },
    );
}
