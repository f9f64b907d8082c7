use tray_auth::CreateAuthentication;
use tray_connectors::{mailchimp, slack};

fn main() {
    let credentials = mailchimp::Credentials { access_token: "token".into(), dc: "us21".into(), expires_in: None };
    let _ = CreateAuthentication::<mailchimp::Mailchimp>::new("auth", slack::PRODUCTION, credentials);
}
