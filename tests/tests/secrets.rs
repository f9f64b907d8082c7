//! No credential value shows in `Debug`, `Display` or validation errors.

use tray_auth::{CreateAuthentication, Secret, Validate};
use tray_connectors::{http_client, mailchimp, netsuite, sendgrid, slack};

const VALUES: &[&str] = &[
    "tok-9f8e7d",
    "pw-5c4b3a",
    "seed-1a2b3c",
    "query-key-77",
    "sg-key-0123456789",
];

fn assert_hidden(text: &str) {
    for value in VALUES {
        assert!(!text.contains(value), "`{value}` leaked into: {text}");
    }
}

#[test]
fn debug_of_credentials_and_payloads_shows_no_secret() {
    let mailchimp = CreateAuthentication::new(
        "m",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: Secret::from(VALUES[0]),
            dc: "us1".into(),
            expires_in: None,
        },
    );
    let http = http_client::Credentials {
        api_key: Secret::from(VALUES[3]),
        api_key_2: Some(Secret::from(VALUES[3])),
        field_2fa_secret: Some(Secret::from(VALUES[2])),
        password: Some(Secret::from(VALUES[1])),
        username: None,
        headers: None,
    };
    let netsuite = netsuite::Credentials {
        email: "a@b.c".into(),
        password: Secret::from(VALUES[1]),
        account: serde_json::json!("ACME"),
        role: 3,
    };
    let sendgrid = sendgrid::Credentials {
        api_key: Secret::from(VALUES[4]),
        from_email: None,
    };
    let slack = slack::UserData {
        signing_secret: Some(Secret::from(VALUES[1])),
    };
    for text in [
        format!("{mailchimp:?}"),
        format!("{mailchimp:#?}"),
        format!("{http:?}"),
        format!("{netsuite:#?}"),
        format!("{sendgrid:?}"),
        format!("{slack:?}"),
    ] {
        assert_hidden(&text);
        assert!(text.contains("[redacted]"), "{text}");
    }
    // The wire still carries the real value.
    assert!(serde_json::to_string(&mailchimp)
        .unwrap()
        .contains(VALUES[0]));
}

#[test]
fn validation_errors_name_pointers_not_values() {
    // SendGrid keys are at least 20 characters.
    let short = sendgrid::Credentials {
        api_key: Secret::from("pw-5c4b3a"),
        from_email: None,
    };
    let err = short.validate().unwrap_err();
    assert_eq!(err.violations()[0].pointer(), "/api-key");
    assert_hidden(&err.to_string());
    assert_hidden(&format!("{err:?}"));
}

#[test]
fn reading_a_wrongly_typed_secret_does_not_quote_it() {
    let err = serde_json::from_value::<mailchimp::Credentials>(serde_json::json!({
        "access_token": 987654321, "dc": "us1"
    }))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("invalid type: an integer, expected a string (a secret)"),
        "{err}"
    );
    assert!(!err.contains("987654321"), "{err}");
}
