//! The corpus wrapped as Tray services (`tray_tests::corpus_tray`), and the rows made from its
//! schemas (`tray_tests::instances`): wrapping is deterministic and gives Tray-like names;
//! valid instances pass the checker the importer uses (and an independent validator); each
//! invalid instance breaks the checker exactly where its pointer says.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::Value;
use tray_schema::snapshot::{self, check_service_name};
use tray_schema::{pointer, Checker};
use tray_tests::corpus_tray::{self, Auth, CorpusService};
use tray_tests::instances::{
    invalid_instances, valid_instance, InvalidKind, Markers, Source, SECRET_MARKER,
};

/// Corpus schemas with no valid instance, each for a reason the checker is right about: a
/// schema that lists one of these services refuses every row. A change that finds one fails
/// the test until it is taken off, and so does a new one.
const NO_VALID_INSTANCE: &[&str] = &[
    // `required` names a key that `additionalProperties: false` forbids.
    "destination-scaffold-destination-python",
    // (`airbyte-faros-destination` was here: its `edition_configs` is a `oneOf` of two `$ref`s
    // to files a credentials schema has no folder for, so no value matched exactly one. Such
    // branches no longer make `oneOf` refuse: `Schema::lax`.)
];

/// Valid instances the independent validator (`jsonschema`, draft 7) refuses: each is a
/// disagreement with the checker.
const ORACLE_REFUSES: &[&str] = &[];

/// Secret strings made without the marker: their pattern allows no `-` (`^[a-zA-Z0-9]+$`,
/// `^[0-9a-fA-F]+$`).
const UNMARKED_SECRETS: &[&str] = &[
    "source-paystack#/secret_key",
    "source-primetric#/client_id",
    "source-primetric#/client_secret",
    "source-strava#/client_secret",
    "source-strava#/refresh_token",
];

fn services() -> Vec<CorpusService> {
    corpus_tray::corpus_services(&corpus_tray::corpus_dir()).unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn wrapping_gives_one_snapshot_a_schema_with_tray_like_names_and_the_same_bytes_twice() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let corpus = corpus_tray::corpus_dir();
    let services = corpus_tray::write_snapshots(&corpus, first.path()).unwrap();
    corpus_tray::write_snapshots(&corpus, second.path()).unwrap();
    let written = files(first.path());
    assert_eq!(written, files(second.path()), "wrapping twice differs");
    assert_eq!(services.len(), 395, "one service per corpus schema");
    assert_eq!(written.len(), services.len());

    let snapshots = snapshot::read_dir(first.path()).unwrap();
    snapshot::check_folder(&snapshots).unwrap();
    let mut names = BTreeSet::new();
    let by_name: BTreeMap<&str, &CorpusService> =
        services.iter().map(|s| (s.name.as_str(), s)).collect();
    for snapshot in &snapshots {
        let service = by_name[snapshot.service_name()];
        assert!(check_service_name(&service.name).is_ok());
        assert!(
            service
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            service.name
        );
        assert!(names.insert(service.name.clone()), "{} twice", service.name);
        assert_eq!(snapshot.to_text(), service.snapshot(first.path()).to_text());
        let corpus_schema: Value =
            serde_json::from_str(&fs::read_to_string(&service.file).unwrap()).unwrap();
        for env in &snapshot.environments {
            assert_eq!(env["credentialsSchema"], corpus_schema, "verbatim");
            assert_eq!(env["userDataSchema"], serde_json::json!({}));
        }
    }

    let shapes: Vec<usize> = services
        .iter()
        .filter_map(|s| match s.auth {
            Auth::OAuth { custom } => Some(custom),
            Auth::Token => None,
        })
        .collect();
    let count = |n| shapes.iter().filter(|&&c| c == n).count();
    assert_eq!(shapes.len(), 61, "OAuth-looking corpus schemas");
    assert_eq!((count(0), count(1), count(2)), (3, 54, 4));
    let slack_like = services
        .iter()
        .find(|s| s.auth == Auth::OAuth { custom: 2 })
        .unwrap();
    let titles: Vec<&str> = slack_like
        .environments
        .iter()
        .map(|e| e.title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["Production", "My OAuth app", "My second OAuth app"]
    );
    assert!(slack_like.default_environment().is_none());
}

/// Every corpus service with the valid instance found for it, and the markers made.
fn valid_instances(services: &[CorpusService]) -> (Vec<(&CorpusService, Checker, Value)>, Markers) {
    let markers = Markers::default();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for service in services {
        let (checker, _) = Checker::read(&service.schema);
        match valid_instance(&checker, &markers) {
            Some(valid) => found.push((service, checker, valid.value)),
            None => missing.push(service.name.clone()),
        }
    }
    assert_eq!(
        missing, NO_VALID_INSTANCE,
        "corpus schemas with no valid instance"
    );
    (found, markers)
}

#[test]
fn valid_instances_pass_the_checker_for_at_least_300_corpus_schemas() {
    let services = services();
    let markers = Markers::default();
    let mut sources = BTreeMap::new();
    let mut oracle_refuses = Vec::new();
    for service in &services {
        let (checker, _) = Checker::read(&service.schema);
        let Some(valid) = valid_instance(&checker, &markers) else {
            continue;
        };
        assert!(checker.is_valid(&valid.value), "{}", service.name);
        *sources.entry(format!("{:?}", valid.source)).or_insert(0) += 1;
        if oracle_accepts(&service.schema, &valid.value) == Some(false) {
            oracle_refuses.push(service.name.clone());
        }
    }
    let found: usize = sources.values().sum();
    println!(
        "valid instances: {found} of {} corpus schemas ({sources:?}); {} secret markers drawn",
        services.len(),
        markers.count()
    );
    assert!(found >= 300, "{found} valid instances");
    assert!(sources.contains_key(&format!("{:?}", Source::Made)));
    assert_eq!(oracle_refuses, ORACLE_REFUSES);
}

#[test]
fn secret_strings_made_carry_the_marker() {
    let services = services();
    let (found, _) = valid_instances(&services);
    let (mut marked, mut unmarked) = (0, Vec::new());
    for (service, checker, value) in &found {
        // A value the checker calls secret (a problem's `secret` flag) is found by breaking its
        // type: each top-level string whose problem is secret must carry the marker, unless a
        // pattern or a short maxLength leaves no room for it.
        let Value::Object(fields) = value else {
            continue;
        };
        for (key, field) in fields {
            let Value::String(text) = field else { continue };
            let mut broken = value.clone();
            broken[key] = Value::from(0);
            let here = pointer::join("", key);
            let secret = checker
                .check(&broken)
                .iter()
                .any(|p| p.pointer == here && p.secret);
            if !secret {
                continue;
            }
            if text.contains(SECRET_MARKER) {
                marked += 1;
            } else {
                unmarked.push(format!("{}#{here}", service.name));
            }
        }
    }
    println!("top-level secret strings: {marked} marked");
    assert!(marked >= 300, "{marked}");
    assert_eq!(unmarked, UNMARKED_SECRETS);
}

#[test]
fn every_invalid_instance_breaks_the_checker_at_its_pointer() {
    let services = services();
    let (found, markers) = valid_instances(&services);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (service, checker, valid) in &found {
        for invalid in invalid_instances(checker, valid, &markers) {
            let relative = invalid.pointer.strip_prefix("/credentials").unwrap();
            let problems = checker.check(&invalid.value);
            assert!(
                problems.iter().any(|p| p.pointer == relative),
                "{} {:?}: no problem at {}: {problems:?}",
                service.name,
                invalid.kind,
                invalid.pointer
            );
            let expected = match invalid.kind {
                InvalidKind::MissingRequired => "/credentials".to_owned(),
                _ => pointer::join("/credentials", &invalid.property),
            };
            assert_eq!(invalid.pointer, expected);
            *kinds.entry(format!("{:?}", invalid.kind)).or_insert(0) += 1;
        }
    }
    println!("invalid instances by kind: {kinds:?}");
    // No corpus schema has `minLength` on a top-level string (6 have it deeper): too-short
    // strings are made from the hand-written schema below instead.
    let made = |kind: InvalidKind| kinds.get(&format!("{kind:?}")).copied().unwrap_or(0);
    for kind in InvalidKind::ALL {
        if kind != InvalidKind::TooShort {
            assert!(made(kind) >= 20, "{kind:?}: only {}", made(kind));
        }
    }
    assert_eq!(
        made(InvalidKind::TooShort),
        0,
        "the corpus changed: update the comment"
    );
}

/// An independent validator's verdict on `value` (draft 7, formats not checked); `None` when
/// it cannot take the schema (a `$ref` to another file).
fn oracle_accepts(schema: &Value, value: &Value) -> Option<bool> {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(false)
        .build(&schema)
        .ok()?;
    Some(validator.is_valid(value))
}

#[test]
fn invalid_instances_of_a_hand_written_schema_name_each_kind() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "client_secret": {"type": "string", "minLength": 16, "pattern": "^[a-f0-9]+$"},
            "site/id": {"type": "integer", "minimum": 3},
            "plan": {"enum": ["free", "pro"]},
            "dc": {"type": "string", "pattern": "^[a-z]+[0-9]+$"}
        },
        "required": ["client_secret", "site/id", "plan", "dc"],
        "additionalProperties": false
    });
    let (checker, _) = Checker::read(&schema);
    let markers = Markers::default();
    let valid = valid_instance(&checker, &markers).unwrap();
    assert!(checker.is_valid(&valid.value));
    assert_eq!(valid.value["site/id"], 3);
    let made: Vec<(InvalidKind, String)> = invalid_instances(&checker, &valid.value, &markers)
        .into_iter()
        .map(|invalid| (invalid.kind, invalid.pointer))
        .collect();
    let pointers = |pairs: &[(InvalidKind, &str)]| -> Vec<(InvalidKind, String)> {
        pairs.iter().map(|(k, p)| (*k, p.to_string())).collect()
    };
    assert_eq!(
        made,
        pointers(&[
            (InvalidKind::MissingRequired, "/credentials"),
            (InvalidKind::WrongType, "/credentials/client_secret"),
            (InvalidKind::NotInEnum, "/credentials/plan"),
            (InvalidKind::TooShort, "/credentials/client_secret"),
            (InvalidKind::BreaksPattern, "/credentials/client_secret"),
        ])
    );
    // The secret's broken values carry the marker, so a report that quotes them is caught.
    for invalid in invalid_instances(&checker, &valid.value, &markers) {
        if matches!(
            invalid.kind,
            InvalidKind::TooShort | InvalidKind::BreaksPattern
        ) {
            let text = invalid.value["client_secret"].as_str().unwrap();
            assert!(text.starts_with(SECRET_MARKER), "{text}");
        }
    }
}
