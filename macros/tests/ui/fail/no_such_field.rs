tray_macros::connectors!("schemas", only = ["mailchimp"]);

fn main() {
    let _ = mailchimp::Credentials {
        access_token: "token".into(),
        dc: "us21".into(),
        expires_in: None,
        refresh_token: "r".into(),
    };
}
