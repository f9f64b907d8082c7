use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::{airtable, slack};

fn main() {
    let credentials = airtable::Credentials {
        access_token: Secret::from("a"),
        refresh_token: Secret::from("r"),
        expires_in: None,
        expires_at: None,
        token_type: None,
    };
    let _ = CreateAuthentication::new("auth", airtable::PRODUCTION, credentials).scopes([slack::Scope::ChatWrite]);
}
