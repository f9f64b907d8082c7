//! How long checking one row takes: Mailchimp's credentials (`schemas/mailchimp-1.json`), and
//! a corpus schema with a `oneOf` (Zendesk Talk: a tagged choice of API token or OAuth), each
//! with a valid row and an invalid one (problems collected, pointers and messages built).
//!
//! `cargo bench -p tray-schema --bench check`; numbers go to BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use tray_schema::{Checker, Diagnostics, Reader};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn checker(schema: &Value) -> Checker {
    let mut diagnostics = Diagnostics::new(None);
    Checker::new(Reader::new(schema, "", None, &mut diagnostics).read_root())
}

fn bench(c: &mut Criterion, name: &str, checker: &Checker, valid: &Value, invalid: &Value) {
    assert!(
        checker.check(valid).is_empty(),
        "{name}: {:?}",
        checker.check(valid)
    );
    assert!(!checker.check(invalid).is_empty(), "{name}");
    let mut group = c.benchmark_group(format!("check/{name}"));
    group.bench_function("valid", |b| b.iter(|| checker.check(black_box(valid))));
    group.bench_function("is_valid", |b| {
        b.iter(|| checker.is_valid(black_box(valid)))
    });
    group.bench_function("invalid", |b| b.iter(|| checker.check(black_box(invalid))));
    group.finish();
}

fn mailchimp(c: &mut Criterion) {
    let snapshot = read_json(&repo_root().join("schemas/mailchimp-1.json"));
    let checker = checker(&snapshot["environments"][0]["credentialsSchema"]);
    let valid = json!({"access_token": "a1b2c3d4e5f6-us21", "dc": "us21", "expires_in": 3600});
    let invalid = json!({"access_token": 7, "dc": "US-21", "expires_in": -1, "extra": true});
    bench(c, "mailchimp", &checker, &valid, &invalid);
}

fn zendesk_talk(c: &mut Criterion) {
    let schema =
        read_json(&repo_root().join("../shared/corpus/airbyte-2023/source-zendesk-talk.json"));
    let checker = checker(&schema);
    // From the schema's examples and consts.
    let valid = json!({
        "subdomain": "acme",
        "start_date": "2020-10-15T00:00:00Z",
        "credentials": {"auth_type": "api_token", "email": "ops@acme.test", "api_token": "t0k3n"}
    });
    let invalid = json!({
        "subdomain": "acme",
        "start_date": "15 Oct 2020",
        "credentials": {"auth_type": "api_token", "email": "ops@acme.test"}
    });
    bench(c, "zendesk-talk-oneOf", &checker, &valid, &invalid);
}

criterion_group!(benches, mailchimp, zendesk_talk);
criterion_main!(benches);
