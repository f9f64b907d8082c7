//! Payloads built from generated types are exactly Tray's bodies.

use serde_json::Value;
use tray_auth::{CreateAuthentication, Secret, Validate};
use tray_connectors::{http_client, jira, mailchimp, sendgrid, slack};

fn mailchimp_payload() -> CreateAuthentication<mailchimp::Mailchimp> {
    CreateAuthentication::new(
        "Bolo's mailchimp auth 2023",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: Secret::from("a22xxxxxxxxxxxxxxxxx8a1c-us21"),
            dc: "us21".to_owned(),
            expires_in: Some(3600),
        },
    )
}

/// Tray's guide masks ids with `x`: each `x` stands for one hex digit.
fn matches_masked(masked: &str, actual: &str) -> bool {
    masked.len() == actual.len()
        && masked
            .chars()
            .zip(actual.chars())
            .all(|(m, a)| m == a || (m == 'x' && a.is_ascii_hexdigit()))
}

#[test]
fn mailchimp_payload_is_the_import_guides_body() {
    let example: Value = serde_json::from_str(&tray_tests::shared_file(
        "tray/examples/create-authentication-mailchimp.json",
    ))
    .unwrap();
    let mut expected = example["request"]["body"].clone();
    let mut body = serde_json::to_value(mailchimp_payload()).unwrap();

    let masked_id = expected["serviceEnvironmentId"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = body["serviceEnvironmentId"].as_str().unwrap().to_owned();
    assert!(
        matches_masked(&masked_id, &id),
        "{id} is not the guide's {masked_id}"
    );
    expected["serviceEnvironmentId"] = Value::Null;
    body["serviceEnvironmentId"] = Value::Null;
    assert_eq!(body, expected);
}

#[test]
fn body_keys_come_in_trays_order() {
    let text = serde_json::to_string(&mailchimp_payload()).unwrap();
    let keys: Vec<usize> = [
        "\"name\"",
        "\"serviceEnvironmentId\"",
        "\"credentials\"",
        "\"userData\"",
        "\"scopes\"",
    ]
    .iter()
    .map(|k| {
        text.find(k)
            .unwrap_or_else(|| panic!("{k} missing from {text}"))
    })
    .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn optional_fields_are_left_out_when_none() {
    let credentials = mailchimp::Credentials {
        access_token: Secret::from("t"),
        dc: "us1".into(),
        expires_in: None,
    };
    assert_eq!(
        serde_json::to_value(credentials).unwrap(),
        serde_json::json!({"access_token": "t", "dc": "us1"})
    );
}

#[test]
fn scopes_are_sent_as_tray_spells_them_once_each() {
    let payload = CreateAuthentication::new("team", slack::PRODUCTION, slack::Credentials {})
        .user_data(slack::UserData {
            signing_secret: Some(Secret::from("s3")),
        })
        .scopes([
            slack::Scope::ChatWrite,
            slack::Scope::ChannelsRead,
            slack::Scope::ChatWrite,
        ]);
    let body = serde_json::to_value(&payload).unwrap();
    assert_eq!(
        body["scopes"],
        serde_json::json!(["chat:write", "channels:read"])
    );
    assert_eq!(body["credentials"], serde_json::json!({}));
    assert_eq!(
        body["userData"],
        serde_json::json!({"signing_secret": "s3"})
    );
    assert_eq!(
        body["serviceEnvironmentId"],
        "228a0c5e-1f2b-4c3d-9e8f-7a6b5c4d3e21"
    );
}

#[test]
fn renamed_and_colliding_properties_keep_their_json_names() {
    let credentials = http_client::Credentials {
        api_key: Secret::from("header"),
        api_key_2: Some(Secret::from("query")),
        field_2fa_secret: Some(Secret::from("JBSWY3DP")),
        password: None,
        username: Some("bolo".into()),
        headers: Some(vec![http_client::Header {
            name: "X-Team".into(),
            value: "a".into(),
        }]),
    };
    assert_eq!(
        serde_json::to_value(&credentials).unwrap(),
        serde_json::json!({
            "api_key": "header",
            "apiKey": "query",
            "2fa_secret": "JBSWY3DP",
            "username": "bolo",
            "headers": [{"name": "X-Team", "value": "a"}]
        })
    );
    let sendgrid = sendgrid::Credentials {
        api_key: Secret::from("SG.xxxxxxxxxxxxxxxxxxxx"),
        from_email: None,
    };
    assert_eq!(
        serde_json::to_value(sendgrid).unwrap(),
        serde_json::json!({"api-key": "SG.xxxxxxxxxxxxxxxxxxxx"})
    );
}

#[test]
fn enums_defaults_and_nested_objects() {
    let credentials: jira::Credentials = serde_json::from_value(serde_json::json!({
        "type": "data-center", "base_url": "https://jira.example", "email": "a@b.c", "api_token": "t"
    }))
    .unwrap();
    assert_eq!(credentials.type_, jira::Deployment::DataCenter);
    assert_eq!(credentials.type_.as_str(), "data-center");

    let user_data: jira::UserData =
        serde_json::from_value(serde_json::json!({"project": {"key": "OPS"}})).unwrap();
    assert_eq!(
        user_data.project.as_ref().unwrap().issue_type,
        "Task",
        "the schema's default fills an absent property"
    );
    assert_eq!(
        serde_json::to_value(&user_data).unwrap(),
        serde_json::json!({"project": {"key": "OPS", "issue_type": "Task"}})
    );

    let defaults = sendgrid::UserData::default();
    assert_eq!(defaults.region, sendgrid::Region::Global);
    assert!(!defaults.sandbox_mode);
    assert!(
        serde_json::from_value::<jira::Credentials>(serde_json::json!({
            "type": "on-prem", "base_url": "u", "email": "e", "api_token": "t"
        }))
        .is_err()
    );
}

#[test]
fn reading_refuses_arrays_duplicate_keys_and_says_where() {
    // serde's derive read an array as a struct's fields in order.
    let err = serde_json::from_str::<mailchimp::Credentials>(r#"["a22x", "us21"]"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("invalid type: an array, expected an object"),
        "{err}"
    );
    // Which token would count?
    let err = serde_json::from_str::<mailchimp::Credentials>(
        r#"{"access_token": "one", "dc": "us21", "access_token": "two"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(r#"duplicate field "access_token""#),
        "{err}"
    );
    assert!(!err.contains("one") && !err.contains("two"), "{err}");
    // A nested problem names its JSON pointer.
    let err = serde_json::from_value::<jira::UserData>(serde_json::json!({
        "project": {"key": "ABC", "issue_type": 7}
    }))
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "/project/issue_type: invalid type: an integer, expected a string"
    );
    let err = serde_json::from_value::<jira::Credentials>(serde_json::json!({
        "type": "moon", "base_url": "u", "email": "e", "api_token": "t"
    }))
    .unwrap_err()
    .to_string();
    // The value is not quoted: a property of an enum may hold a credential.
    assert_eq!(
        err,
        "/type: `Deployment` does not accept this string: expected one of `cloud`, `server`, `data-center`"
    );
}

#[test]
fn additional_properties_false_rejects_unknown_keys() {
    let err = serde_json::from_value::<mailchimp::Credentials>(serde_json::json!({
        "access_token": "t", "dc": "us1", "region": "eu"
    }))
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            r#"unknown field "region": the schema allows no other properties; expected one of `access_token`, `dc`"#
        ),
        "{err}"
    );
    // Without `additionalProperties: false`, unknown keys are ignored.
    assert!(serde_json::from_value::<http_client::Credentials>(
        serde_json::json!({"api_key": "k", "other": 1})
    )
    .is_ok());
}

#[test]
fn netsuite_typo_becomes_any_json_value() {
    let credentials: tray_connectors::netsuite::Credentials =
        serde_json::from_value(serde_json::json!({
            "email": "a@b.c", "password": "p", "account": 12345, "role": 3
        }))
        .unwrap();
    assert_eq!(credentials.account, serde_json::json!(12345));
}

#[test]
fn validate_reports_pointers_into_the_body() {
    assert!(mailchimp_payload().validate().is_ok());
    let bad = CreateAuthentication::new(
        "x",
        mailchimp::PRODUCTION,
        mailchimp::Credentials {
            access_token: Secret::from("t"),
            dc: "US-21".into(),
            expires_in: Some(-5),
        },
    );
    let err = bad.validate().unwrap_err();
    let pointers: Vec<&str> = err.violations().iter().map(|v| v.pointer()).collect();
    assert_eq!(pointers, ["/credentials/dc", "/credentials/expires_in"]);
    assert_eq!(
        err.to_string(),
        "2 values break their schema:\n  /credentials/dc: does not match the pattern `^[a-z]+[0-9]+$`\n  /credentials/expires_in: is less than the minimum 0"
    );

    let user_data = jira::UserData {
        project: Some(jira::Project {
            key: "ops".into(),
            issue_type: "Bug".into(),
        }),
        labels: Some(vec!["a".into(), String::new(), "a".into()]),
    };
    let pointers: Vec<String> = user_data
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        pointers,
        [
            "/project/key: does not match the pattern `^[A-Z][A-Z0-9]+$`",
            "/labels: has repeated items, but they must be unique",
            "/labels/1: is shorter than 1 characters",
        ]
    );
}

#[test]
fn custom_environment_ids_are_checked() {
    let custom = tray_auth::ServiceEnvironmentId::<mailchimp::Mailchimp>::new(
        "5f0c7d1a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
    )
    .unwrap();
    let payload =
        CreateAuthentication::new("custom", custom, mailchimp_payload().credentials().clone());
    assert_eq!(
        serde_json::to_value(&payload).unwrap()["serviceEnvironmentId"],
        "5f0c7d1a-2b3c-4d5e-8f90-a1b2c3d4e5f6"
    );
    let err = tray_auth::ServiceEnvironmentId::<mailchimp::Mailchimp>::new(
        "474axxxx-xxxx-xxxx-xxxx-xxxx90088d70",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("is not a service environment id"),
        "{err}"
    );
    assert_eq!(
        mailchimp::PRODUCTION.environment().unwrap().title,
        "Production"
    );
}

#[test]
fn second_environment_scopes_and_secret_lengths() {
    use tray_connectors::zendesk;
    // The custom OAuth app lists scopes and Production does not: it has types of its own.
    let payload = CreateAuthentication::new(
        "Support desk",
        zendesk::CUSTOM_OAUTH_APP,
        zendesk::custom_oauth_app::Credentials {
            subdomain: "acme".into(),
            email: "ops@acme.test".into(),
            api_token: Secret::from("x".repeat(40)),
        },
    )
    .scopes([zendesk::custom_oauth_app::Scope::TicketsRead]);
    assert!(payload.validate().is_ok());
    let body = serde_json::to_value(&payload).unwrap();
    assert_eq!(
        body["userData"],
        serde_json::json!({"locale": "en-US"}),
        "user data defaults are sent"
    );
    assert_eq!(body["scopes"], serde_json::json!(["tickets:read"]));
    assert_eq!(
        zendesk::CUSTOM_OAUTH_APP
            .environment()
            .unwrap()
            .authentication_type,
        tray_auth::AuthenticationType::Oauth2
    );

    let short = zendesk::Credentials {
        subdomain: "Acme Corp".into(),
        email: "e".into(),
        api_token: Secret::from("short"),
    };
    let violations: Vec<String> = short
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        violations,
        [
            "/subdomain: does not match the pattern `^[a-z0-9][a-z0-9-]*$`",
            "/api_token: is shorter than 40 characters"
        ]
    );
}
