// ... nor do the custom OAuth app's credentials pair with Production's constant.
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::zendesk;

fn main() {
    let _ = CreateAuthentication::new(
        "auth",
        zendesk::PRODUCTION,
        zendesk::custom_oauth_app::Credentials {
            subdomain: "acme".into(),
            email: "ops@acme.test".into(),
            api_token: Secret::from("x".repeat(40)),
        },
    );
}
