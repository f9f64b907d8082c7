// Scopes are checked per environment: Zendesk's Production lists none.
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::zendesk;

fn main() {
    let _ = CreateAuthentication::new(
        "auth",
        zendesk::PRODUCTION,
        zendesk::Credentials {
            subdomain: "acme".into(),
            email: "ops@acme.test".into(),
            api_token: Secret::from("x".repeat(40)),
        },
    )
    .scopes([zendesk::custom_oauth_app::Scope::Read]);
}
