//! A service whose environments have different schemas gets types per environment
//! (`fixtures/schemas/environments-1.json`): each environment's constant pairs with its own
//! module's types, environments with the same schemas share the service's, and names that
//! collide once made Rust names (titles that differ only in case or punctuation, an empty
//! title, `Self`, `serde`, `Tray auth`) stay apart and compile.

use tray_auth::{Connector, CreateAuthentication, Secret};
use tray_tests::fixtures::environments as env;

fn titles<C: Connector>() -> Vec<&'static str> {
    C::ENVIRONMENTS.iter().map(|e| e.title).collect()
}

#[test]
fn environments_with_the_same_schemas_share_the_service_types() {
    assert_eq!(titles::<env::Environments>(), ["Sandbox", "Production"]);
    for id in [env::PRODUCTION, env::SANDBOX] {
        let payload = CreateAuthentication::new(
            "shared",
            id,
            env::Credentials {
                api_key: Secret::from("0123456789"),
            },
        );
        assert!(payload.validate().is_ok());
        let body = payload.body().unwrap();
        assert_eq!(body["serviceEnvironmentId"], id.to_string());
        assert_eq!(body["userData"], serde_json::json!({"region": "eu"}));
    }
}

#[test]
fn an_environment_with_its_own_schemas_pairs_with_its_own_types_and_scopes() {
    use env::custom_oauth_app as custom;
    assert_eq!(titles::<custom::CustomOauthApp>(), ["Custom OAuth app"]);
    let payload = CreateAuthentication::new(
        "custom",
        env::CUSTOM_OAUTH_APP,
        custom::Credentials {
            client_id: "id".into(),
            client_secret: Secret::from("secret"),
            access_token: "token".into(),
        },
    )
    .scopes([custom::Scope::Read, custom::Scope::Write]);
    let body = payload.body().unwrap();
    assert_eq!(
        body["serviceEnvironmentId"],
        env::CUSTOM_OAUTH_APP.to_string()
    );
    assert_eq!(body["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(
        env::CUSTOM_OAUTH_APP
            .environment()
            .unwrap()
            .authentication_type,
        tray_auth::AuthenticationType::Oauth2
    );
    // An environment that differs only by its scopes has its own `Scope`.
    let own_scopes = CreateAuthentication::new(
        "self",
        env::SELF,
        env::self_::Credentials {
            api_key: Secret::from("0123456789"),
        },
    )
    .scopes([env::self_::Scope::Admin]);
    assert_eq!(
        own_scopes.body().unwrap()["scopes"],
        serde_json::json!(["admin"])
    );
}

#[test]
fn colliding_titles_get_names_of_their_own() {
    // `Custom OAuth app` and `custom-oauth-app` both snake to `custom_oauth_app`; an empty
    // title is `environment`; `Credentials` would be the module's own type name; `serde` and
    // `Tray auth` would shadow the crates generated code names.
    assert_eq!(
        titles::<env::custom_oauth_app_2::CustomOauthApp2>(),
        ["custom-oauth-app"]
    );
    assert_eq!(titles::<env::environment::Environment>(), [""]);
    assert_eq!(titles::<env::credentials::Credentials2>(), ["Credentials"]);
    assert_eq!(titles::<env::serde_environment::Serde>(), ["serde"]);
    assert_eq!(
        titles::<env::tray_auth_environment::TrayAuth>(),
        ["Tray auth"]
    );
    let key = env::custom_oauth_app_2::Credentials {
        client_id: "id".into(),
        private_key: Secret::from("key"),
    };
    let payload = CreateAuthentication::new("second", env::CUSTOM_OAUTH_APP_2, key);
    assert!(payload.validate().is_ok());
    // Every environment is in exactly one marker's list.
    let listed = tray_tests::fixtures::CONNECTORS
        .iter()
        .filter(|e| e.service_name() == "environments")
        .map(|e| e.environments().len())
        .sum::<usize>();
    assert_eq!(listed, 9);
}

#[test]
fn scopes_parse_from_trays_spelling_per_environment() {
    use env::custom_oauth_app::Scope;
    assert_eq!("write".parse::<Scope>(), Ok(Scope::Write));
    assert_eq!(Scope::try_from("read"), Ok(Scope::Read));
    assert_eq!(Scope::VALUES, ["read", "write"]);
    // `admin` is the `Self` environment's scope, not this one's: the error names what is.
    let err = "admin".parse::<Scope>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "`Scope` does not accept \"admin\": expected one of \"read\", \"write\""
    );
    assert_eq!(
        "admin".parse::<env::self_::Scope>(),
        Ok(env::self_::Scope::Admin)
    );
}
