use tray_connectors::mailchimp;

fn main() {
    let _ = mailchimp::Credentials { access_token: "token".into(), expires_in: None };
}
