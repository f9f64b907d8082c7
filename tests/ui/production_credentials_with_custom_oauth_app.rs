// Zendesk's custom OAuth app has schemas of its own: Production's credentials do not pair with
// its constant.
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::zendesk;

fn main() {
    let _ = CreateAuthentication::new(
        "auth",
        zendesk::CUSTOM_OAUTH_APP,
        zendesk::Credentials {
            subdomain: "acme".into(),
            email: "ops@acme.test".into(),
            api_token: Secret::from("x".repeat(40)),
        },
    );
}
