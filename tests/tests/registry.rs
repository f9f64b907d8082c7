//! Rows picked by service name at run time go through the same generated types.

use serde_json::json;
use tray_auth::registry::{find, UntypedAuthentication};
use tray_connectors::CONNECTORS;

#[test]
fn an_untyped_row_builds_the_same_body_as_typed_code() {
    let mailchimp = find(CONNECTORS, "mailchimp", None).unwrap();
    let environment = mailchimp.environment_id(None).unwrap();
    assert_eq!(
        environment,
        tray_connectors::mailchimp::PRODUCTION.to_string()
    );
    let credentials = json!({"access_token": "tok", "dc": "us21", "expires_in": 3600});
    let body = mailchimp
        .build(&UntypedAuthentication {
            name: "Bolo",
            service_environment_id: &environment,
            credentials: &credentials,
            user_data: None,
            scopes: &[],
            from_text: false,
        })
        .unwrap();
    let typed = tray_auth::CreateAuthentication::new(
        "Bolo",
        tray_connectors::mailchimp::PRODUCTION,
        tray_connectors::mailchimp::Credentials {
            access_token: "tok".into(),
            dc: "us21".into(),
            expires_in: Some(3600),
        },
    );
    assert_eq!(body, serde_json::to_value(typed).unwrap());
}

#[test]
fn every_problem_has_a_pointer_and_no_value() {
    let slack = find(CONNECTORS, "slack", Some(4)).unwrap();
    let environment = slack.environment_id(Some("production")).unwrap();
    let problems = slack
        .build(&UntypedAuthentication {
            name: "n",
            service_environment_id: &environment,
            credentials: &json!({}),
            user_data: Some(&json!({"signing_secret": 12345678, "extra": "hunter2"})),
            scopes: &["chat:write".to_owned(), "admin:everything".to_owned()],
            from_text: false,
        })
        .unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "/userData/signing_secret: invalid type: an integer, expected a string (a secret)",
            "/scopes/1: `admin:everything` is not a scope slack lists",
        ]
    );
    assert!(!text.concat().contains("12345678"));

    let jira = find(CONNECTORS, "jira", None).unwrap();
    let problems = jira
        .build(&UntypedAuthentication {
            name: "n",
            service_environment_id: &jira.environment_id(None).unwrap(),
            credentials: &json!({"type": "cloud", "base_url": "u", "email": "e", "api_token": "t", "timeout_seconds": 0}),
            user_data: Some(&json!({"project": {"key": "lowercase"}})),
            scopes: &[],
            from_text: false,
        })
        .unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/credentials/timeout_seconds", "/userData/project/key"]
    );
}

#[test]
fn lookups_say_what_to_do() {
    assert!(find(CONNECTORS, "salesforce", None)
        .unwrap_err()
        .contains("add its snapshot to schemas/"));
    assert!(find(CONNECTORS, "slack", Some(3))
        .unwrap_err()
        .contains("generated: 4"));
    let http = find(CONNECTORS, "http-client", None).unwrap();
    assert_eq!(
        http.environment_id(Some("staging")).unwrap(),
        tray_connectors::http_client::STAGING.to_string()
    );
    assert!(http
        .environment_id(Some("qa"))
        .unwrap_err()
        .message
        .contains("it has: Production, Staging"));
    let custom = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    assert_eq!(http.environment_id(Some(custom)).unwrap(), custom);
}

#[test]
fn each_connector_carries_the_snapshot_it_was_generated_from() {
    let root = tray_tests::repo_root();
    for entry in CONNECTORS {
        let compiled = entry.compiled_snapshot().unwrap();
        let file_name = format!("{}-{}.json", entry.service_name(), entry.service_version());
        let on_disk =
            tray_schema::snapshot::Snapshot::read(&root.join("schemas").join(&file_name)).unwrap();
        // The same JSON, key order included: a diff of the two finds nothing.
        assert_eq!(compiled.to_text(), on_disk.to_text(), "{file_name}");
        let ids: Vec<&str> = entry.environments().iter().map(|e| e.id).collect();
        let listed: Vec<&str> = compiled
            .environments
            .iter()
            .filter_map(|e| e["id"].as_str())
            .collect();
        assert_eq!(ids, listed, "{file_name}");
    }
    assert!(!CONNECTORS.is_empty());
}
