use tray_connectors::mailchimp;

fn main() {
    let _ = mailchimp::Credentials { access_token: "token".into(), dc: "us21".into(), expires_in: Some("3600") };
}
