//! The schema constructs of real connector schemas, as generated types behave at run time
//! (`fixtures/schemas/features-1.json`).

use serde_json::json;
use tray_auth::{Secret, Validate};
use tray_tests::fixtures::features::{
    BatchSize, Compression, Credentials, CredentialsCredentials, CredentialsCredentialsApiKey,
    Kind, Limits, Region, Schedule, ScheduleInterval, Stream, SyncMode, TokenLocation,
};

fn minimal() -> serde_json::Value {
    json!({"credentials": {"auth_type": "api_key", "api_key": "abcdefgh12345678"}, "match": "all"})
}

#[test]
fn one_of_with_a_const_discriminator_is_an_internally_tagged_enum() {
    let credentials: Credentials = serde_json::from_value(json!({
        "credentials": {
            "auth_type": "oauth2.0", "client_id": "id", "client_secret": "s",
            "token_location": {"location": "query", "parameter": "token"}
        },
        "match": "all"
    }))
    .unwrap();
    let CredentialsCredentials::Oauth20(oauth) = &credentials.credentials else {
        panic!("{credentials:?}")
    };
    assert_eq!(
        oauth.client_secret.expose(),
        "s",
        "airbyte_secret fields are Secrets"
    );
    assert!(
        matches!(&oauth.token_location, Some(TokenLocation::Query(q)) if q.parameter.as_deref() == Some("token"))
    );
    // The tag goes back on the wire.
    assert_eq!(
        serde_json::to_value(&credentials).unwrap()["credentials"]["auth_type"],
        "oauth2.0"
    );

    // A variant with `additionalProperties: false` still takes its own tag, and rejects others.
    let api_key: Credentials = serde_json::from_value(minimal()).unwrap();
    assert!(matches!(
        api_key.credentials,
        CredentialsCredentials::ApiKey(_)
    ));
    let mut extra = minimal();
    extra["credentials"]["region"] = json!("eu");
    assert!(serde_json::from_value::<Credentials>(extra).is_err());
    let mut unknown = minimal();
    unknown["credentials"]["auth_type"] = json!("basic");
    assert!(serde_json::from_value::<Credentials>(unknown).is_err());
}

#[test]
fn defaults_fill_absent_properties() {
    let credentials: Credentials = serde_json::from_value(minimal()).unwrap();
    assert_eq!(
        credentials.region,
        Region::UsEast1,
        "default from a $ref to another file"
    );
    assert_eq!(
        credentials.compression,
        Compression::V1,
        "integer enum default"
    );
    assert_eq!(credentials.x_api_version, "2024-06");
    let body = serde_json::to_value(&credentials).unwrap();
    assert_eq!(body["compression"], 1);
    assert_eq!(body["region"], "us-east-1");
    assert!(body.get("nickname").is_none());
}

#[test]
fn named_properties_and_other_keys_read_and_write_back() {
    let mut value = minimal();
    value["limits"] = json!({"daily": 5, "hourly": 2, "burst": 9});
    let credentials: Credentials = serde_json::from_value(value).unwrap();
    let limits = credentials.limits.as_ref().unwrap();
    assert_eq!(limits.daily, Some(5));
    assert_eq!(
        limits.extra,
        [("burst".to_owned(), 9), ("hourly".to_owned(), 2)].into()
    );
    // Named properties first, then the other keys; absent optional properties left out.
    let written = serde_json::to_string(limits).unwrap();
    assert_eq!(written, r#"{"daily":5,"burst":9,"hourly":2}"#);
    let without = Limits {
        daily: None,
        extra: [("x".to_owned(), -1)].into(),
    };
    assert_eq!(serde_json::to_string(&without).unwrap(), r#"{"x":-1}"#);
    // The other keys are checked by their schema, at their pointers.
    let err = without.validate().unwrap_err();
    assert_eq!(err.violations()[0].pointer(), "/x");
    // And read as their schema says.
    let mut value = minimal();
    value["limits"] = json!({"hourly": "two"});
    let err = serde_json::from_value::<Credentials>(value).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/limits/hourly: invalid type: a string, expected an integer"
    );
}

#[test]
fn a_hand_built_map_of_other_keys_cannot_set_a_named_property() {
    // Reading never puts a named key among the other keys.
    let mut value = minimal();
    value["limits"] = json!({"daily": 5});
    let credentials: Credentials = serde_json::from_value(value).unwrap();
    assert!(credentials.limits.as_ref().unwrap().extra.is_empty());
    assert!(credentials.validate().is_ok());

    // Built by hand, `daily` in the map would go on the wire twice (or once, past the field's
    // type and checks): validate() says where, and writing refuses.
    let mut credentials = credentials;
    credentials.limits = Some(Limits {
        daily: None,
        extra: [("daily".to_owned(), 5), ("hourly".to_owned(), 1)].into(),
    });
    let err = credentials.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 value breaks its schema:\n  /limits/daily: is a named property: set its field instead of adding the key to the other keys"
    );
    let err = serde_json::to_string(&credentials).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the key `daily` is both a named property and one of the other keys: set the field instead"
    );

    // Nor the tag of a tagged variant's payload, which the enum writes beside its fields.
    let read: Credentials = serde_json::from_value(json!({
        "credentials": {
            "auth_type": "oauth2.0", "client_id": "id", "client_secret": "s",
            "token_location": {"location": "query", "parameter": "token", "page": "2"}
        },
        "match": "all"
    }))
    .unwrap();
    let CredentialsCredentials::Oauth20(mut oauth) = read.credentials.clone() else {
        panic!("{read:?}")
    };
    let Some(TokenLocation::Query(query)) = &mut oauth.token_location else {
        panic!("{oauth:?}")
    };
    assert_eq!(query.extra, [("page".to_owned(), "2".to_owned())].into());
    query
        .extra
        .insert("location".to_owned(), "header".to_owned());
    let err = oauth.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 value breaks its schema:\n  /token_location/location: is a named property: set its field instead of adding the key to the other keys"
    );
}

#[test]
fn unions_consts_maps_and_names() {
    let credentials: Credentials = serde_json::from_value(json!({
        "credentials": {"auth_type": "api_key", "api_key": "abcdefgh12345678"},
        "match": "any",
        "schedule": {"minutes": 10},
        "kind": "warehouse",
        "nickname": null,
        "batch_size": "auto",
        "tags": {"team": "data"},
        "headers": {"X-Trace": "1"},
        "1st_key": "k",
        "größe": 1.5,
        "fooBar": true,
        "foo_bar": false,
        "streams": [{"name": "users"}]
    }))
    .unwrap();
    assert_eq!(
        credentials.schedule,
        Some(Schedule::Interval(ScheduleInterval { minutes: 10 }))
    );
    assert_eq!(credentials.kind, Some(Kind::Warehouse));
    assert_eq!(
        credentials.batch_size,
        Some(BatchSize::String("auto".into()))
    );
    assert_eq!(credentials.tags.as_ref().unwrap()["team"], "data");
    assert_eq!(credentials.match_, "any");
    assert_eq!(credentials.grosse, Some(1.5));
    assert_eq!(
        (credentials.foo_bar_2, credentials.foo_bar),
        (Some(true), Some(false))
    );
    assert_eq!(
        credentials.streams.as_ref().unwrap()[0].sync_mode,
        SyncMode::FullRefresh
    );
    let batch: BatchSize = serde_json::from_value(json!(500)).unwrap();
    assert_eq!(
        batch,
        BatchSize::Integer(500),
        "integers are not read as strings"
    );
    assert!(serde_json::from_value::<Kind>(json!("lake")).is_err());
    assert!(serde_json::from_value::<Compression>(json!(5)).is_err());

    let body = serde_json::to_value(&credentials).unwrap();
    for key in ["1st_key", "größe", "fooBar", "foo_bar", "match"] {
        assert!(body.get(key).is_some(), "{key} missing from {body}");
    }
}

#[test]
fn validate_checks_patterns_lookaround_bounds_and_items() {
    let mut credentials: Credentials = serde_json::from_value(minimal()).unwrap();
    assert!(credentials.validate().is_ok());

    credentials.credentials = CredentialsCredentials::ApiKey(CredentialsCredentialsApiKey {
        api_key: Secret::from("onlyletterskeyxyz"),
    });
    credentials.schedule = Some(Schedule::Cron("every day".into()));
    credentials.port = Some(0);
    credentials.tags = Some([("team".to_owned(), "much-too-long".to_owned())].into());
    credentials.start_date = Some("2024-01-01".into());
    let stream = Stream {
        name: "a".into(),
        sync_mode: SyncMode::Incremental,
    };
    credentials.streams = Some(vec![stream.clone(), stream]);
    let err = credentials.validate().unwrap_err();
    let found: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "/credentials/api_key: does not match the pattern `^(?=.*[0-9])[A-Za-z0-9]{16,}$`",
            "/schedule: does not match the pattern `^\\S+ \\S+ \\S+ \\S+ \\S+$`",
            "/port: is less than the minimum 1",
            "/tags/team: is longer than 8 characters",
            "/start_date: does not match the pattern `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`",
            "/streams: has repeated items, but they must be unique",
        ]
    );
    assert!(!err.to_string().contains("onlyletterskeyxyz"));
}
