//! The library against an in-process fake Tray: typed items end to end, invalid items never
//! sent, unknown outcomes settled without a duplicate, a refused user token renewed.

use std::path::PathBuf;
use std::time::Duration;

use fake_tray::{FakeTray, Fault, Options, Owner};
use tray_auth::client::{Client, RateLimit, RetryPolicy};
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::{mailchimp, slack};
use tray_import::{ImportItem, Importer, Journal, State};

const MASTER_TOKEN: &str = "master-token-for-import-tests";

async fn fake() -> FakeTray {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    FakeTray::start(Options::new(schemas, MASTER_TOKEN))
        .await
        .expect("the fake starts")
}

fn client(tray: &FakeTray) -> Client {
    Client::builder()
        .base_url(tray.base_url())
        .master_token(Secret::from(MASTER_TOKEN))
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .expect("the client builds")
}

fn importer(tray: &FakeTray, journal: &std::path::Path) -> Importer {
    Importer::new(client(tray), Journal::open(journal).unwrap())
        .concurrency(4)
        .retry_delay(Duration::from_millis(1))
}

fn mailchimp_item(key: &str, user: &str, name: &str, token: &str) -> ImportItem {
    ImportItem::new(
        key,
        user,
        CreateAuthentication::new(
            name,
            mailchimp::PRODUCTION,
            mailchimp::Credentials {
                access_token: Secret::from(token),
                dc: "us21".to_owned(),
                expires_in: Some(3600),
            },
        ),
    )
}

fn posts(tray: &FakeTray) -> usize {
    tray.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/core/v1/authentications")
        .count()
}

#[tokio::test]
async fn typed_items_are_created_under_their_end_users_and_invalid_ones_never_sent() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let bad_dc = ImportItem::new(
        "bad",
        "carol",
        CreateAuthentication::new(
            "Carol's Mailchimp",
            mailchimp::PRODUCTION,
            mailchimp::Credentials {
                access_token: Secret::from("carol-secret-token"),
                dc: "US-21".to_owned(), // breaks the schema's pattern
                expires_in: None,
            },
        ),
    );
    assert_eq!(bad_dc.problems()[0].pointer, "/credentials/dc");
    let items = vec![
        mailchimp_item("a", "alice", "Alice's Mailchimp", "alice-secret-token"),
        ImportItem::new(
            "b",
            "alice",
            CreateAuthentication::new("Alice's Slack", slack::PRODUCTION, slack::Credentials {}),
        ),
        mailchimp_item("c", "bob", "Bob's Mailchimp", "bob-secret-token"),
        bad_dc,
    ];
    let summary = importer.run(items).await.unwrap();
    assert_eq!(
        (
            summary.created,
            summary.invalid,
            summary.failed,
            summary.unknown
        ),
        (3, 1, 0, 0)
    );

    let users = tray.users();
    assert_eq!(users.len(), 2, "alice and bob; carol has nothing valid");
    let stored = tray.authentications();
    assert_eq!(stored.len(), 3);
    let owner_of = |name: &str| {
        let auth = stored.iter().find(|a| a.name() == name).unwrap();
        let Owner::User(user_id) = &auth.owner else {
            panic!("made with the master token")
        };
        users
            .iter()
            .find(|u| &u.user_id == user_id)
            .unwrap()
            .external_user_id
            .clone()
    };
    assert_eq!(owner_of("Alice's Mailchimp"), "alice");
    assert_eq!(owner_of("Alice's Slack"), "alice");
    assert_eq!(owner_of("Bob's Mailchimp"), "bob");

    let (a, bad) = {
        let journal = importer.journal();
        (
            journal.get("a").unwrap().unwrap(),
            journal.get("bad").unwrap().unwrap(),
        )
    };
    assert_eq!(a.state, State::Created);
    let stored_a = stored
        .iter()
        .find(|s| s.name() == "Alice's Mailchimp")
        .unwrap();
    assert_eq!(a.auth_id.as_deref(), Some(stored_a.id.as_str()));
    assert_eq!(bad.state, State::Invalid);
    assert!(bad.detail.unwrap().contains("/credentials/dc"));

    // The same run again: nothing is sent.
    let before = tray.requests().len();
    let items = vec![
        mailchimp_item("a", "alice", "Alice's Mailchimp", "alice-secret-token"),
        mailchimp_item("c", "bob", "Bob's Mailchimp", "bob-secret-token"),
    ];
    let summary = importer.run(items).await.unwrap();
    assert_eq!((summary.created, summary.already_created), (0, 2));
    assert_eq!(tray.requests().len(), before, "a rerun skips created rows");
}

#[tokio::test]
async fn an_unknown_outcome_is_settled_from_trays_list_and_not_duplicated() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    // Make the user and cache its token, so that the next request is the create.
    importer
        .run(vec![mailchimp_item("first", "alice", "First", "t-1")])
        .await
        .unwrap();
    tray.inject(Fault::DropAfterBody);
    let summary = importer
        .run(vec![mailchimp_item("second", "alice", "Second", "t-2")])
        .await
        .unwrap();
    assert_eq!(summary.created, 1);
    assert_eq!(summary.settled, 1, "found in Tray, not created again");
    assert_eq!(posts(&tray), 2, "the dropped create was not sent again");
    let stored = tray.authentications();
    assert_eq!(stored.len(), 2);
    let second = stored.iter().find(|s| s.name() == "Second").unwrap();
    let entry = importer.journal().get("second").unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.auth_id.as_deref(), Some(second.id.as_str()));
}

#[tokio::test]
async fn a_row_left_pending_by_a_crash_is_settled_and_another_rows_auth_is_not_taken() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    // An earlier run created "twin-1" and recorded it; it also sent "twin-2" (same user,
    // name and environment) and was killed before the answer; and it began "twin-3" but was
    // killed before Tray took it. (The journal is written here as such a run leaves it.)
    {
        let mut importer = importer(&tray, &path);
        importer
            .run(vec![
                mailchimp_item("twin-1", "alice", "Twin", "t-1"),
                mailchimp_item("twin-2", "alice", "Twin", "t-2"),
            ])
            .await
            .unwrap();
    }
    let crashed = rusqlite::Connection::open(&path).unwrap();
    crashed
        .execute(
            "UPDATE rows SET state = 'pending', auth_id = NULL WHERE key = 'twin-2'",
            [],
        )
        .unwrap();
    crashed
        .execute(
            "INSERT INTO rows (key, row_number, external_user_id, name, service_environment_id, state, attempts)
             VALUES ('twin-3', 3, 'alice', 'Twin', ?1, 'pending', 1)",
            [mailchimp::PRODUCTION.to_string()],
        )
        .unwrap();
    drop(crashed);
    assert_eq!(tray.authentications().len(), 2);
    let posts_before = posts(&tray);

    let twin_2_auth = tray
        .authentications()
        .into_iter()
        .find(|a| a.body["credentials"]["access_token"] == "t-2")
        .unwrap()
        .id;

    // twin-3 comes first this time: matching by name and environment alone would give it
    // twin-2's authentication; the credentials Tray holds tell them apart.
    let mut importer = importer(&tray, &path);
    let summary = importer
        .run(vec![
            mailchimp_item("twin-1", "alice", "Twin", "t-1"),
            mailchimp_item("twin-3", "alice", "Twin", "t-3"),
            mailchimp_item("twin-2", "alice", "Twin", "t-2"),
        ])
        .await
        .unwrap();
    assert_eq!(summary.settled, 1, "twin-2 found in Tray");
    assert_eq!(
        (summary.already_created, summary.created),
        (1, 2),
        "twin-1 skipped; twin-2 settled and twin-3 created"
    );
    assert_eq!(posts(&tray), posts_before + 1, "only twin-3 was sent");
    let stored = tray.authentications();
    assert_eq!(stored.len(), 3, "one auth per row");
    let journal = importer.journal();
    for (key, token) in [("twin-1", "t-1"), ("twin-2", "t-2"), ("twin-3", "t-3")] {
        let id = journal.get(key).unwrap().unwrap().auth_id.unwrap();
        let auth = stored.iter().find(|a| a.id == id).unwrap();
        assert_eq!(
            auth.body["credentials"]["access_token"], token,
            "{key} claims the auth holding its own credentials"
        );
    }
    assert_eq!(
        journal.get("twin-2").unwrap().unwrap().auth_id.unwrap(),
        twin_2_auth
    );
}

#[tokio::test]
async fn a_refused_user_token_is_renewed_and_the_row_created() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    importer
        .run(vec![mailchimp_item("1", "alice", "One", "t-1")])
        .await
        .unwrap();
    tray.revoke_user_tokens();
    let summary = importer
        .run(vec![mailchimp_item("2", "alice", "Two", "t-2")])
        .await
        .unwrap();
    assert_eq!((summary.created, summary.failed), (1, 0));
    let refused = tray
        .requests()
        .iter()
        .filter(|r| r.path == "/core/v1/authentications" && r.status == Some(401))
        .count();
    assert_eq!(refused, 1, "the old token was tried once, then renewed");
    assert_eq!(tray.users().len(), 1, "the same Tray user, a new token");
    assert!(tray
        .authentications()
        .iter()
        .all(|a| a.owner == Owner::User(tray.users()[0].user_id.clone())));
}

#[tokio::test]
async fn an_expired_user_token_is_renewed_before_use() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer =
        importer(&tray, &dir.path().join("journal.sqlite")).token_lifetime(Duration::ZERO);
    importer
        .run(vec![mailchimp_item("1", "alice", "One", "t-1")])
        .await
        .unwrap();
    importer
        .run(vec![mailchimp_item("2", "alice", "Two", "t-2")])
        .await
        .unwrap();
    let graphql = tray
        .requests()
        .iter()
        .filter(|r| r.path == "/graphql")
        .count();
    assert_eq!(
        graphql, 3,
        "createExternalUser once, authorize for each row"
    );
    assert_eq!(tray.users().len(), 1);
}

#[tokio::test]
async fn a_key_given_twice_is_left_out_the_second_time_not_created_twice() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let summary = importer
        .run(vec![
            mailchimp_item("same", "alice", "First", "t-1"),
            mailchimp_item("same", "alice", "Second", "t-2"),
        ])
        .await
        .unwrap();
    assert_eq!((summary.created, summary.invalid), (1, 1));
    assert_eq!(tray.authentications().len(), 1);
    assert_eq!(tray.authentications()[0].name(), "First");
    // The next run sees the key once per run again: the row is created, and left alone.
    let summary = importer
        .run(vec![mailchimp_item("same", "alice", "First", "t-1")])
        .await
        .unwrap();
    assert_eq!(summary.already_created, 1);
}

#[tokio::test]
async fn a_second_import_on_a_journal_in_use_is_refused_before_sending() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    // An importer holds its journal from its first run until it is dropped.
    let mut running = importer(&tray, &path);
    running
        .run(vec![mailchimp_item("a", "alice", "A", "t-1")])
        .await
        .unwrap();
    let requests = tray.requests().len();
    let mut importer = importer(&tray, &path);
    let err = importer
        .run(vec![mailchimp_item("b", "alice", "B", "t-2")])
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("is in use by another import"),
        "{err}"
    );
    assert_eq!(tray.requests().len(), requests, "nothing was sent");
    drop(running);
    let summary = importer
        .run(vec![mailchimp_item("b", "alice", "B", "t-2")])
        .await
        .unwrap();
    assert_eq!(summary.created, 1);
}

#[tokio::test]
async fn a_500_to_a_create_is_looked_up_before_sending_again() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    importer
        .run(vec![mailchimp_item("first", "alice", "First", "t-1")])
        .await
        .unwrap();

    // Tray stored it, then failed: found, not created twice.
    tray.inject(Fault::ServerErrorAfterHandling);
    let summary = importer
        .run(vec![mailchimp_item("second", "alice", "Second", "t-2")])
        .await
        .unwrap();
    assert_eq!((summary.created, summary.settled), (1, 1));
    assert_eq!(posts(&tray), 2);
    assert_eq!(tray.authentications().len(), 2);

    // Tray failed before storing it: not found, so sent again.
    tray.inject(Fault::ServerError);
    let summary = importer
        .run(vec![mailchimp_item("third", "alice", "Third", "t-3")])
        .await
        .unwrap();
    assert_eq!((summary.created, summary.settled), (1, 0));
    assert_eq!(posts(&tray), 4, "the 500, then the create after the lookup");
    assert_eq!(tray.authentications().len(), 3);
}

#[tokio::test]
async fn a_readers_error_stops_the_run_cleanly_and_a_rerun_carries_on_exactly_once() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let item = |i: usize| mailchimp_item(&format!("k{i}"), "u1", &format!("A{i}"), "SECRET-t");
    // The reader fails after three items: the run stops there, with its error.
    let failing = (0..5).map(move |i| {
        if i == 3 {
            Err(std::io::Error::other("the legacy database went away"))
        } else {
            Ok(item(i))
        }
    });
    let error = importer(&tray, &journal).run(failing).await.unwrap_err();
    assert!(
        matches!(error, tray_import::ImportError::Input(_)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("the legacy database went away"),
        "{error}"
    );
    assert_eq!(
        tray.authentications().len(),
        3,
        "the items before the error"
    );
    // Mended, the same stream carries on: the first three are not created again.
    let mended = (0..5).map(move |i| Ok::<_, std::io::Error>(item(i)));
    let summary = importer(&tray, &journal).run(mended).await.unwrap();
    assert_eq!((summary.created, summary.already_created), (2, 3));
    assert_eq!(tray.authentications().len(), 5);
}

#[tokio::test]
async fn an_item_that_cannot_become_credentials_is_reported_invalid_and_never_sent() {
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let items = vec![
        mailchimp_item("k1", "u1", "A", "SECRET-a"),
        ImportItem::invalid(
            "k2",
            "u2",
            "B",
            tray_auth::registry::Problem {
                pointer: "/credentials/access_token".into(),
                message: "NULL in the legacy row".into(),
            },
        ),
    ];
    let mut importer = importer(&tray, &journal);
    let summary = importer.run(items).await.unwrap();
    assert_eq!((summary.created, summary.invalid), (1, 1));
    assert_eq!(posts(&tray), 1, "only the valid item was sent");
    let entry = importer.journal().get("k2").unwrap().unwrap();
    assert_eq!(entry.state, State::Invalid);
    assert!(entry.detail.unwrap().contains("/credentials/access_token"));
}

#[tokio::test]
async fn each_environment_of_a_service_imports_with_its_own_types_and_one_preflight() {
    use tray_connectors::zendesk;
    let tray = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut importer = importer(&tray, &dir.path().join("journal.sqlite"));
    let token = || Secret::from("t".repeat(40));
    let items = vec![
        ImportItem::new(
            "prod",
            "dana",
            CreateAuthentication::new(
                "Dana's Zendesk",
                zendesk::PRODUCTION,
                zendesk::Credentials {
                    subdomain: "dana".into(),
                    email: "dana@example.test".into(),
                    api_token: token(),
                },
            ),
        ),
        ImportItem::new(
            "custom",
            "dana",
            CreateAuthentication::new(
                "Dana's Zendesk app",
                zendesk::CUSTOM_OAUTH_APP,
                zendesk::custom_oauth_app::Credentials {
                    subdomain: "dana".into(),
                    email: "dana@example.test".into(),
                    api_token: token(),
                },
            )
            .scopes([zendesk::custom_oauth_app::Scope::TicketsRead]),
        ),
    ];
    let summary = importer.run(items).await.unwrap();
    assert_eq!((summary.created, summary.invalid), (2, 0), "{summary:?}");
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let stored = tray.authentications();
    let env_of = |name: &str| {
        stored
            .iter()
            .find(|a| a.name() == name)
            .unwrap()
            .service_environment_id()
            .to_owned()
    };
    assert_eq!(env_of("Dana's Zendesk"), zendesk::PRODUCTION.to_string());
    assert_eq!(
        env_of("Dana's Zendesk app"),
        zendesk::CUSTOM_OAUTH_APP.to_string()
    );
    // The two marker types are one service version: its environments are asked for once.
    let environment_lists = tray
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/services/zendesk/"))
        .count();
    assert_eq!(environment_lists, 1, "{:?}", tray.requests());
}
