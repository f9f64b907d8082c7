use tray_auth::CreateAuthentication;
use tray_connectors::{mailchimp, slack};

fn main() {
    let _ = CreateAuthentication::new("auth", mailchimp::PRODUCTION, slack::Credentials {});
}
