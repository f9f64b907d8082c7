//! The `tray-auth` client against the fake: creates go end to end, errors are typed, reads
//! are retried, and a create that may have reached Tray is never retried.

mod common;

use std::time::Duration;

use common::{
    client, fake, quick_retries, Mailchimp, MailchimpCredentials, MAILCHIMP_PRODUCTION,
    MASTER_TOKEN,
};
use fake_tray::{FakeTray, Fault, Options, Owner, RateLimit as FakeRateLimit, ReceivedRequest};
use serde_json::json;
use tray_auth::client::{Bearer, Client, Error, RateLimit};
use tray_auth::{CreateAuthentication, Secret};

fn payload() -> CreateAuthentication<Mailchimp> {
    CreateAuthentication::new(
        "Bolo's mailchimp auth 2023",
        MAILCHIMP_PRODUCTION,
        MailchimpCredentials {
            access_token: Secret::from("a22x-access-token-us21"),
            dc: "us21".into(),
            expires_in: Some(3600),
        },
    )
}

/// The requests the fake received for `method path`.
fn received(tray: &FakeTray, method: &str, path: &str) -> Vec<ReceivedRequest> {
    tray.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

#[tokio::test]
async fn a_create_goes_end_to_end_and_the_fake_stores_exactly_the_payload() {
    let tray = fake().await;
    let client = client(&tray);
    let user = client
        .create_external_user("Bolo", "bolo-42")
        .await
        .unwrap();
    let user_token = client.authorize(&user).await.unwrap();

    let payload = payload();
    let id = client
        .create_authentication(Bearer::User(&user_token), &payload)
        .await
        .unwrap();

    let stored = tray.authentications();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, id.as_str());
    assert_eq!(
        stored[0].owner,
        Owner::User(user.as_str().to_owned()),
        "made with the user's token, so the user's"
    );
    assert_eq!(
        stored[0].body,
        serde_json::to_value(&payload).unwrap(),
        "stored exactly what was sent"
    );
    assert_eq!(
        stored[0].body,
        json!({
            "name": "Bolo's mailchimp auth 2023",
            "serviceEnvironmentId": "474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70",
            "credentials": { "access_token": "a22x-access-token-us21", "dc": "us21", "expires_in": 3600 },
            "userData": {},
            "scopes": []
        })
    );

    let auth = client
        .get_authentication(Bearer::User(&user_token), &id)
        .await
        .unwrap();
    assert_eq!(
        (auth.name.as_str(), auth.service_environment_id.as_str()),
        (
            "Bolo's mailchimp auth 2023",
            MAILCHIMP_PRODUCTION.to_string().as_str()
        )
    );
    let full = client
        .get_full_authentication(Bearer::Master, &id)
        .await
        .unwrap();
    assert_eq!(full.credentials["access_token"], "a22x-access-token-us21");
    assert!(
        !format!("{full:?}").contains("a22x"),
        "Debug of a full authentication hides credentials"
    );

    let listed = client.list_user_authentications(&user_token).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (&listed[0].id, listed[0].service_environment_id.as_str()),
        (&id, "474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70")
    );
    assert!(
        client
            .list_user_authentications(&Secret::from(MASTER_TOKEN))
            .await
            .unwrap()
            .is_empty(),
        "not the organisation's"
    );

    client
        .delete_authentication(Bearer::User(&user_token), &id)
        .await
        .unwrap();
    assert!(tray.authentications().is_empty());
    let err = client
        .get_authentication(Bearer::Master, &id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn tray_errors_are_typed_and_a_400_carries_the_validation_message() {
    let tray = fake().await;
    let client = client(&tray);

    let body = json!({
        "name": "broken",
        "serviceEnvironmentId": "474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70",
        "credentials": { "access_token": "tok-secret-9", "expires_in": "soon" }
    });
    let err = client
        .create_authentication_raw(Bearer::Master, &body)
        .await
        .unwrap_err();
    let Error::Api {
        status: 400,
        message,
        ..
    } = &err
    else {
        panic!("expected a 400, got {err}")
    };
    assert_eq!(
        message,
        "Connector input validation failed. Schema validation errors: [ 1 - #/credentials/expires_in: expected type: Integer, found: String, 2 - #/credentials: required key [dc] not found ]"
    );
    assert!(!err.to_string().contains("tok-secret-9"));

    let unknown_env =
        json!({ "name": "x", "serviceEnvironmentId": "00000000-0000-4000-8000-000000000000" });
    let err = client
        .create_authentication_raw(Bearer::Master, &unknown_env)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));

    let stranger = Secret::from("someone-elses-token");
    let err = client
        .create_authentication(Bearer::User(&stranger), &payload())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!format!("{err} {err:?}").contains("someone-elses-token"));

    let err = client
        .list_service_environments("slack", 99)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(tray.authentications().is_empty());
}

#[tokio::test]
async fn a_429_then_success_is_retried_for_creates_and_reads() {
    let tray = fake().await;
    let client = client(&tray);
    tray.inject(Fault::TooManyRequests { retry_after: None });
    tray.inject(Fault::TooManyRequests {
        retry_after: Some(0),
    });
    client
        .create_authentication(Bearer::Master, &payload())
        .await
        .unwrap();
    let statuses: Vec<_> = received(&tray, "POST", "/core/v1/authentications")
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(429), Some(429), Some(200)]);
    assert_eq!(tray.authentications().len(), 1);

    // GraphQL's rate-limit error comes as a 200 with `errors`; it is retried too.
    tray.inject(Fault::TooManyRequests { retry_after: None });
    let user = client.create_external_user("Ann", "ann-1").await.unwrap();
    assert_eq!(tray.users().len(), 1);
    assert_eq!(tray.users()[0].user_id, user.as_str());
}

#[tokio::test]
async fn reads_are_retried_after_a_500_but_a_create_is_not() {
    let tray = fake().await;
    let client = client(&tray);
    tray.inject(Fault::ServerError);
    tray.inject(Fault::ServerError);
    let connectors = client.list_connectors().await.unwrap();
    assert!(connectors.len() >= 7);
    assert_eq!(received(&tray, "GET", "/core/v1/connectors").len(), 3);

    tray.inject(Fault::ServerError);
    let err = client
        .create_authentication(Bearer::Master, &payload())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        received(&tray, "POST", "/core/v1/authentications").len(),
        1,
        "a create is not retried after a 5xx"
    );

    // Out of retries: the last answer is the error.
    for _ in 0..4 {
        tray.inject(Fault::ServerError);
    }
    let err = client.list_connectors().await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(
        err.to_string().contains("Tray failed: run again later"),
        "{err}"
    );
}

#[tokio::test]
async fn a_connection_dropped_after_the_body_is_an_unknown_outcome_and_is_not_retried() {
    let tray = fake().await;
    let client = client(&tray);
    let user = client
        .create_external_user("Bolo", "bolo-42")
        .await
        .unwrap();
    let user_token = client.authorize(&user).await.unwrap();

    tray.inject(Fault::DropAfterBody);
    let err = client
        .create_authentication(Bearer::User(&user_token), &payload())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownOutcome { .. }),
        "expected an unknown outcome, got {err:?}"
    );
    assert!(err.is_unknown_outcome());
    assert!(err.to_string().contains("It was not retried"), "{err}");

    let posts = received(&tray, "POST", "/core/v1/authentications");
    assert_eq!(
        posts,
        [ReceivedRequest {
            method: "POST".into(),
            path: "/core/v1/authentications".into(),
            status: None
        }]
    );
    assert_eq!(
        tray.authentications().len(),
        1,
        "Tray did create it, once: no duplicate"
    );

    // What the importer does next: look before creating again.
    let listed = client.list_user_authentications(&user_token).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Bolo's mailchimp auth 2023");
}

#[tokio::test]
async fn a_create_that_times_out_is_an_unknown_outcome_but_a_read_is_a_timeout() {
    let tray = fake().await;
    let client = Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(quick_retries(2))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    tray.set_faults(fake_tray::Faults {
        latency: Duration::from_secs(3),
        ..Default::default()
    });

    let err = client
        .create_authentication(Bearer::Master, &payload())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownOutcome { .. }), "got {err:?}");
    assert!(err.to_string().contains("no answer within 0.2s"), "{err}");

    let err = client.list_connectors().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "got {err:?}");
    tray.shutdown().await;
}

#[tokio::test]
async fn a_create_is_retried_when_the_connection_could_not_be_made() {
    // A port nobody listens on: bind one, then let it go.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let client = Client::builder()
        .base_url(format!("http://{addr}/core/v1"))
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(quick_retries(2))
        .build()
        .unwrap();
    let err = client
        .create_authentication(Bearer::Master, &payload())
        .await
        .unwrap_err();
    // Surely not sent, so not an unknown outcome: retried, then reported as a network error.
    assert!(matches!(err, Error::Network { .. }), "got {err:?}");
    assert!(
        !err.to_string().contains(&addr.port().to_string()),
        "no URL in errors: {err}"
    );
}

#[tokio::test]
async fn one_rate_limiter_is_shared_by_concurrent_tasks() {
    // The fake allows 40 a second (bursts of 20); the client asks for 20 (bursts of 5), so
    // 30 concurrent reads all pass without a single 429 (the client has no retries). The
    // wide margins absorb a slow machine's scheduling.
    let mut options = Options::new(common::schemas(), MASTER_TOKEN);
    options.rate_limit = Some(FakeRateLimit {
        per_second: 40.0,
        burst: 20,
    });
    let tray = FakeTray::start(options).await.unwrap();
    let client = Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(quick_retries(0))
        .rate_limit(RateLimit::new(20.0, 5))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_service_environments("slack", 4).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let statuses: Vec<_> = tray.requests().into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(200); 30]);

    // Without the client's limiter, the same burst is refused by the fake.
    let unlimited = Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .retry(quick_retries(0))
        .rate_limit(RateLimit::new(1e6, 1_000_000))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..80)
        .map(|_| {
            let unlimited = unlimited.clone();
            tokio::spawn(async move { unlimited.list_connectors().await })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        if task.await.unwrap().is_err_and(|e| e.status() == Some(429)) {
            refused += 1;
        }
    }
    assert!(refused > 0, "the fake's limit holds");
}

#[tokio::test]
async fn a_users_authentications_are_listed_across_pages() {
    let tray = fake().await;
    let client = client(&tray);
    let user = client.create_external_user("Many", "many-1").await.unwrap();
    let user_token = client.authorize(&user).await.unwrap();
    // More than the client's page of 100, so it must follow `endCursor`.
    let mut created = Vec::new();
    for i in 0..130 {
        let body = json!({ "name": format!("auth {i}"), "serviceEnvironmentId": "228a0c5e-1f2b-4c3d-9e8f-7a6b5c4d3e21" });
        created.push(
            client
                .create_authentication_raw(Bearer::User(&user_token), &body)
                .await
                .unwrap(),
        );
    }
    // Someone else's authentication is not listed.
    client
        .create_authentication(Bearer::Master, &payload())
        .await
        .unwrap();

    let listed = client.list_user_authentications(&user_token).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|auth| auth.id.clone()).collect();
    assert_eq!(ids, created);
    assert_eq!(listed[129].name, "auth 129");
    let pages = tray
        .requests()
        .iter()
        .filter(|r| r.path == "/graphql")
        .count()
        - 2;
    assert_eq!(pages, 2, "130 authentications, pages of 100");
}

#[tokio::test]
async fn the_fake_listens_only_on_loopback() {
    let mut options = Options::new(common::schemas(), MASTER_TOKEN);
    options.addr = "0.0.0.0:0".parse().unwrap();
    let err = FakeTray::start(options).await.unwrap_err();
    assert!(matches!(err, fake_tray::StartError::NotLoopback(_)));
    assert!(err.to_string().contains("only listens on 127.0.0.1"));
}
