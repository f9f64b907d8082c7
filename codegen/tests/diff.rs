//! `tray-codegen diff`: crafted schema changes, each judged as a user of the old generated
//! types would feel it (does their code still compile, read JSON the same, pass `validate()`).

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use tray_codegen::diff::{diff, Impact};
use tray_codegen::snapshot::Snapshot;

use Impact::{Breaking, Compatible, RuntimeBreaking};

fn snapshot_file(name: &str) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas")
        .join(name);
    Snapshot::read(&path).unwrap()
}

fn jira() -> Snapshot {
    snapshot_file("jira-3.json")
}

/// Jira with its Production environment edited.
fn changed(edit: impl FnOnce(&mut Value)) -> Snapshot {
    let mut snapshot = jira();
    edit(&mut snapshot.environments[0]);
    snapshot
}

/// Every change from `old` to `new`, as `(impact, path, message)`.
fn all(old: Snapshot, new: Snapshot) -> Vec<(Impact, String, String)> {
    diff(&[old], &[new])
        .connectors
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .map(|x| (x.impact, x.path.clone(), x.message.clone()))
        })
        .collect()
}

/// The one change an edit of Jira's Production environment makes.
fn one(edit: impl FnOnce(&mut Value)) -> (Impact, String, String) {
    only(all(jira(), changed(edit)))
}

fn only(changes: Vec<(Impact, String, String)>) -> (Impact, String, String) {
    assert_eq!(changes.len(), 1, "{changes:#?}");
    changes.into_iter().next().unwrap()
}

/// An edit of Jira's Production environment, and the one change it makes.
type Case = (Box<dyn FnOnce(&mut Value)>, (Impact, String, String));

fn expect(impact: Impact, path: &str, message: &str) -> (Impact, String, String) {
    (impact, path.to_owned(), message.to_owned())
}

fn credentials(e: &mut Value) -> &mut Value {
    &mut e["credentialsSchema"]["properties"]
}

/// Removes `email` from Jira's credentials (and from its `required`).
fn drop_email(e: &mut Value) {
    credentials(e)
        .as_object_mut()
        .unwrap()
        .shift_remove("email");
    e["credentialsSchema"]["required"] = json!(["type", "base_url", "api_token"]);
}

fn project(e: &mut Value) -> &mut Value {
    &mut e["userDataSchema"]["properties"]["project"]["properties"]
}

#[test]
fn identical_snapshots_have_no_changes() {
    let d = diff(&[jira()], &[jira()]);
    assert!(d.connectors.is_empty() && !d.breaking, "{d}");
    assert_eq!(d.to_string(), "no changes\n");
    // Every committed snapshot, environments with types of their own (Zendesk's) included.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let all = tray_codegen::diff::read(&folder).unwrap();
    assert!(all.len() > 5);
    let d = diff(&all, &all);
    assert!(d.connectors.is_empty(), "{d}");
}

#[test]
fn a_default_added_or_removed_changes_the_option() {
    // `timeout_seconds` is optional: `Option<f64>`; with a default it is a plain `f64`.
    assert_eq!(
        one(|e| credentials(e)["timeout_seconds"]["default"] = json!(30)),
        expect(
            Breaking,
            "/credentials/timeout_seconds",
            "has the default 30 now: its type `Option<f64>` is no longer an `Option`, it is `f64`"
        )
    );
    // `issue_type` is optional with the default "Task": a plain `String`.
    assert_eq!(
        one(|e| {
            project(e)["issue_type"]
                .as_object_mut()
                .unwrap()
                .shift_remove("default");
        }),
        expect(
            Breaking,
            "/userData/project/issue_type",
            "the default \"Task\" is gone: its type `String` becomes `Option<String>`"
        )
    );
    assert_eq!(
        one(|e| project(e)["issue_type"]["default"] = json!("Bug")),
        expect(
            Breaking,
            "/userData/project/issue_type",
            "default changed from \"Task\" to \"Bug\": JSON without it reads differently"
        )
    );
}

#[test]
fn optional_and_required_fields() {
    let require = |name: &'static str| {
        move |e: &mut Value| {
            e["credentialsSchema"]["required"]
                .as_array_mut()
                .unwrap()
                .push(json!(name))
        }
    };
    assert_eq!(
        one(require("timeout_seconds")),
        expect(
            Breaking,
            "/credentials/timeout_seconds",
            "became required: its type `Option<f64>` is no longer an `Option`, it is `f64`"
        )
    );
    assert_eq!(
        one(|e| e["credentialsSchema"]["required"] = json!(["type", "base_url", "api_token"])),
        expect(
            Breaking,
            "/credentials/email",
            "became optional: its type `String` becomes `Option<String>`"
        )
    );
    // Optional with a default → required: the type stays `String`, but JSON without it no
    // longer deserializes.
    assert_eq!(
        one(|e| e["userDataSchema"]["properties"]["project"]["required"] =
            json!(["key", "issue_type"])),
        expect(
            Breaking,
            "/userData/project/issue_type",
            "became required: JSON without it no longer deserializes (the default \"Task\" no longer applies)"
        )
    );
}

#[test]
fn fields_added_removed_renamed_or_retyped() {
    let cases: Vec<Case> =
        vec![
        (
            Box::new(drop_email),
            expect(Breaking, "/credentials/email", "field removed"),
        ),
        (
            Box::new(|e| {
                let props = credentials(e).as_object_mut().unwrap();
                let token = props.shift_remove("api_token").unwrap();
                props.insert("token".into(), token);
                e["credentialsSchema"]["required"] =
                    json!(["type", "base_url", "email", "token"]);
            }),
            expect(
                Breaking,
                "/credentials/token",
                "field renamed from `api_token`",
            ),
        ),
        (
            // Generated structs are not `#[non_exhaustive]`: a struct literal names every field.
            Box::new(|e| credentials(e)["site_name"] = json!({"type": "string"})),
            expect(
                Breaking,
                "/credentials/site_name",
                "optional field added: struct literals of `Credentials` must set it too (`site_name: None`)",
            ),
        ),
        (
            Box::new(|e| {
                credentials(e)["site_name"] = json!({"type": "string"});
                e["credentialsSchema"]["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("site_name"));
            }),
            expect(Breaking, "/credentials/site_name", "required field added"),
        ),
        (
            // The bounds of a number mean nothing to a string: not said beside the new type.
            Box::new(|e| credentials(e)["timeout_seconds"]["type"] = json!("string")),
            expect(
                Breaking,
                "/credentials/timeout_seconds",
                "type changed from `f64` to `String`",
            ),
        ),
        (
            Box::new(|e| credentials(e)["email"]["title"] = json!("Password")),
            expect(Compatible, "/credentials/email", "title or description changed"),
        ),
    ];
    for (edit, expected) in cases {
        assert_eq!(one(edit), expected);
    }
}

#[test]
fn enum_values_and_enums_becoming_strings() {
    let values = |list: Value| move |e: &mut Value| credentials(e)["type"]["enum"] = list;
    assert_eq!(
        one(values(json!(["cloud", "server"]))),
        expect(
            Breaking,
            "/credentials/type",
            "enum value \"data-center\" removed: `Deployment::DataCenter` is gone"
        )
    );
    // Generated enums are not `#[non_exhaustive]`: an exhaustive `match` breaks.
    assert_eq!(
        one(values(json!(["cloud", "server", "data-center", "government"]))),
        expect(
            Breaking,
            "/credentials/type",
            "enum value \"government\" added: a `match` over `Deployment` without a wildcard arm must handle `Deployment::Government` (generated enums are not `#[non_exhaustive]`)"
        )
    );
    assert_eq!(
        one(values(json!(["cloud", "server", "datacenter"]))),
        expect(
            Breaking,
            "/credentials/type",
            "enum value renamed from \"data-center\" to \"datacenter\": JSON with \"data-center\" no longer deserializes, and `Deployment::DataCenter` is now `Deployment::Datacenter`"
        )
    );
    assert_eq!(
        one(|e| credentials(e)["type"] = json!({"type": "string", "title": "Deployment"})),
        expect(
            Breaking,
            "/credentials/type",
            "enum became a string: the enum `Deployment` is now `String`"
        )
    );
}

#[test]
fn type_lists_widened_or_narrowed() {
    let widened =
        changed(|e| credentials(e)["timeout_seconds"]["type"] = json!(["number", "string"]));
    assert_eq!(
        only(all(jira(), widened.clone())),
        expect(
            Breaking,
            "/credentials/timeout_seconds",
            "type list widened: the value may now be of other types too, so `f64` became the enum (one of several) `TimeoutSeconds`"
        )
    );
    assert_eq!(
        only(all(widened.clone(), jira())),
        expect(
            Breaking,
            "/credentials/timeout_seconds",
            "type list narrowed: the enum (one of several) `TimeoutSeconds` became `f64`"
        )
    );
    let wider = changed(|e| {
        credentials(e)["timeout_seconds"]["type"] = json!(["number", "string", "boolean"])
    });
    assert_eq!(
        only(all(widened, wider)),
        expect(
            Breaking,
            "/credentials/timeout_seconds",
            "variant `TimeoutSeconds::Boolean` added: a `match` over `TimeoutSeconds` without a wildcard arm must handle it (generated enums are not `#[non_exhaustive]`), and a value that fits it may now read as it"
        )
    );
}

#[test]
fn tightened_checks_break_at_run_time_and_loosened_ones_do_not() {
    let cases: Vec<Case> = vec![
        (
            Box::new(|e| project(e)["key"]["pattern"] = json!("^[A-Z]{2,10}$")),
            expect(
                RuntimeBreaking,
                "/userData/project/key",
                "pattern changed: values that passed `validate()` may now fail",
            ),
        ),
        (
            Box::new(|e| credentials(e)["email"]["pattern"] = json!("@")),
            expect(
                RuntimeBreaking,
                "/credentials/email",
                "pattern added: values that passed `validate()` may now fail",
            ),
        ),
        (
            Box::new(|e| credentials(e)["timeout_seconds"]["maximum"] = json!(100)),
            expect(
                RuntimeBreaking,
                "/credentials/timeout_seconds",
                "maximum lowered from 300 to 100: values that passed `validate()` may now fail",
            ),
        ),
        (
            Box::new(|e| credentials(e)["timeout_seconds"]["maximum"] = json!(600)),
            expect(
                Compatible,
                "/credentials/timeout_seconds",
                "maximum raised from 300 to 600: `validate()` accepts more",
            ),
        ),
        (
            Box::new(|e| {
                e["userDataSchema"]["properties"]["labels"]["items"]["minLength"] = json!(3)
            }),
            expect(
                RuntimeBreaking,
                "/userData/labels/items",
                "minLength raised from 1 to 3: values that passed `validate()` may now fail",
            ),
        ),
        (
            Box::new(|e| {
                e["userDataSchema"]["properties"]["labels"]
                    .as_object_mut()
                    .unwrap()
                    .shift_remove("maxItems");
            }),
            expect(
                Compatible,
                "/userData/labels",
                "maxItems 10 removed: `validate()` accepts more",
            ),
        ),
        (
            // `minLength: 0` holds every string: nothing tightened.
            Box::new(|e| credentials(e)["email"]["minLength"] = json!(0)),
            expect(
                Compatible,
                "/credentials/email",
                "minLength 0 added: `validate()` accepts more",
            ),
        ),
    ];
    for (edit, expected) in cases {
        assert_eq!(one(edit), expected);
    }
    let d = diff(
        &[jira()],
        &[changed(|e| {
            credentials(e)["timeout_seconds"]["maximum"] = json!(100)
        })],
    );
    assert!(d.breaking, "runtime-breaking counts as breaking (exit 1)");
    assert!(
        d.to_string()
            .starts_with("jira (3 → 3): 0 breaking, 1 runtime-breaking, 0 compatible\n  runtime-breaking  /credentials/timeout_seconds: "),
        "{d}"
    );
}

#[test]
fn a_schema_change_that_leaves_the_rust_type_alone_changes_nothing() {
    // `base_url` moves into a definition: the same `String`, with the same doc.
    let new = changed(|e| {
        let url = credentials(e)["base_url"].take();
        e["credentialsSchema"]["definitions"] = json!({ "url": url });
        credentials(e)["base_url"] = json!({"$ref": "#/definitions/url"});
        // `type: ["number"]` is `type: "number"`.
        credentials(e)["timeout_seconds"]["type"] = json!(["number"]);
    });
    let d = diff(&[jira()], &[new]);
    assert!(d.connectors.is_empty(), "{d}");
}

/// A one-environment snapshot of service `svc` with these credentials.
fn svc(credentials: Value) -> Snapshot {
    let value = json!({
        "connector": {"name": "svc", "title": "Svc", "service": {"name": "svc", "version": 1}},
        "environments": [{
            "id": "11111111-2222-4333-8444-555555555555",
            "title": "Production",
            "authenticationType": "token",
            "credentialsSchema": credentials,
            "userDataSchema": {}
        }]
    });
    Snapshot::from_value("svc-1.json", value).unwrap()
}

/// Credentials whose `auth` is one of two objects told apart by `kind`, with `region` beside
/// the `oneOf` (so in both) unless `region_in_token_only`.
fn tagged(basic: &str, region_in_token_only: bool) -> Value {
    let region = json!({"type": "string"});
    let mut auth = json!({
        "type": "object",
        "properties": {},
        "oneOf": [
            {"title": "Token", "properties": {"kind": {"const": "token"}, "token": {"type": "string"}}, "required": ["kind", "token"]},
            {"title": "Basic", "properties": {"kind": {"const": basic}, "user": {"type": "string"}}, "required": ["kind", "user"]}
        ]
    });
    if region_in_token_only {
        auth["oneOf"][0]["properties"]["region"] = region;
    } else {
        auth["properties"]["region"] = region;
    }
    json!({"type": "object", "properties": {"auth": auth}, "required": ["auth"]})
}

#[test]
fn one_of_branches_and_tags() {
    assert!(diff(
        &[svc(tagged("basic", false))],
        &[svc(tagged("basic", false))]
    )
    .connectors
    .is_empty());
    assert_eq!(
        only(all(svc(tagged("basic", false)), svc(tagged("basic", true)))),
        expect(
            Breaking,
            "/credentials/auth/region",
            "field removed (in variant `Auth::Basic`)"
        )
    );
    assert_eq!(
        only(all(svc(tagged("basic", true)), svc(tagged("basic", false)))),
        expect(
            Breaking,
            "/credentials/auth/region",
            "optional field added: struct literals of `AuthBasic` must set it too (`region: None`) (in variant `Auth::Basic`)"
        )
    );
    assert_eq!(
        only(all(svc(tagged("basic", false)), svc(tagged("password", false)))),
        expect(
            Breaking,
            "/credentials/auth",
            "tag value renamed from \"basic\" to \"password\": JSON with \"basic\" no longer deserializes, and `Auth::Basic` is now `Auth::Password`"
        )
    );
    // A plain object's properties moving into `oneOf` branches: the struct becomes an enum.
    let plain = json!({"type": "object", "properties": {"auth": {
        "type": "object",
        "properties": {"token": {"type": "string"}, "user": {"type": "string"}}
    }}, "required": ["auth"]});
    assert_eq!(
        only(all(svc(plain.clone()), svc(tagged("basic", false)))),
        expect(
            Breaking,
            "/credentials/auth",
            "became one of several variants (`oneOf`): the struct `Auth` is now an enum `Auth` of `Token`, `Basic`"
        )
    );
    assert_eq!(
        only(all(svc(tagged("basic", false)), svc(plain))),
        expect(
            Breaking,
            "/credentials/auth",
            "is no longer one of several variants (`oneOf`): the enum `Auth` is now the struct `Auth`"
        )
    );
}

#[test]
fn a_renamed_nested_type_is_judged_by_its_shape() {
    let object = json!({"type": "object", "properties": {"host": {"type": "string"}}});
    let inline = json!({"type": "object", "properties": {"server": object.clone()}});
    let mut by_ref = json!({
        "type": "object",
        "properties": {"server": {"$ref": "#/definitions/endpoint"}},
        "definitions": {"endpoint": object}
    });
    assert_eq!(
        only(all(svc(inline.clone()), svc(by_ref.clone()))),
        expect(
            Breaking,
            "/credentials/server",
            "type renamed from `Server` to `Endpoint`: code naming it must follow"
        )
    );
    by_ref["definitions"]["endpoint"]["properties"]["port"] = json!({"type": "integer"});
    by_ref["definitions"]["endpoint"]["required"] = json!(["port"]);
    let changes = all(svc(inline), svc(by_ref));
    assert_eq!(
        changes[1],
        expect(Breaking, "/credentials/server/port", "required field added"),
        "{changes:#?}"
    );
    assert_eq!(changes.len(), 2, "{changes:#?}");
}

fn with_staging(edit: impl FnOnce(&mut Value)) -> Snapshot {
    let mut snapshot = jira();
    let mut staging = snapshot.environments[0].clone();
    staging["title"] = json!("Staging");
    staging["id"] = json!("aaaaaaaa-2222-4333-8444-555555555555");
    edit(&mut staging);
    snapshot.environments.push(staging);
    snapshot
}

#[test]
fn environments_added_removed_or_given_own_types() {
    assert_eq!(
        only(all(with_staging(|_| {}), jira())),
        expect(
            Breaking,
            "/environments/Staging",
            "environment removed: its constant `STAGING` is gone"
        )
    );
    assert_eq!(
        only(all(jira(), with_staging(|_| {}))),
        expect(
            Compatible,
            "/environments/Staging",
            "environment added: constant `STAGING`"
        )
    );
    assert_eq!(
        one(|e| e["id"] = json!("99999999-2222-4333-8444-555555555555")),
        expect(
            RuntimeBreaking,
            "/environments/Production",
            "environment id changed: code built from the old snapshot creates authentications in an environment Tray no longer has (regenerate; `PRODUCTION` then points at the new one)"
        )
    );
    assert_eq!(
        only(all(with_staging(|_| {}), with_staging(drop_email))),
        expect(
            Breaking,
            "/environments/Staging",
            "its schemas now differ from the primary environment's: `STAGING` is typed for `staging::Credentials`, `staging::UserData` and `staging::Scope`, and no longer pairs with the service's"
        )
    );
    assert_eq!(
        only(all(with_staging(drop_email), with_staging(|_| {}))),
        expect(
            Breaking,
            "/environments/Staging",
            "its own types (module `staging`) are gone: `STAGING` now pairs with the service's `Credentials`, `UserData` and `Scope`"
        )
    );
    // Both sides with types of their own: compared like the service's, under the environment.
    let own = with_staging(|e| {
        drop_email(e);
        credentials(e)["timeout_seconds"]["maximum"] = json!(100);
    });
    assert_eq!(
        only(all(with_staging(drop_email), own)),
        expect(
            RuntimeBreaking,
            "/environments/Staging/credentials/timeout_seconds",
            "maximum lowered from 300 to 100: values that passed `validate()` may now fail"
        )
    );
}

#[test]
fn scopes_added_or_removed() {
    let slack = || snapshot_file("slack-4.json");
    let mut fewer = slack();
    fewer.environments[0]["scopes"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    assert_eq!(
        only(all(slack(), fewer.clone())),
        expect(
            Breaking,
            "/scopes/channels:read",
            "scope removed: `Scope::ChannelsRead` is gone"
        )
    );
    assert_eq!(
        only(all(fewer, slack())),
        expect(
            Breaking,
            "/scopes/channels:read",
            "scope added: a `match` over `Scope` without a wildcard arm must handle `Scope::ChannelsRead` (generated enums are not `#[non_exhaustive]`)"
        )
    );
    assert_eq!(
        one(|e| e["scopes"] = json!([{"scope": "read/write"}])),
        expect(
            Breaking,
            "/scopes/read~1write",
            "scope added: `Scope` was `tray_auth::NoScopes` and is now an enum with `Scope::ReadWrite`"
        )
    );
}

#[test]
fn connectors_added_removed_or_renamed() {
    let d = diff(&[jira()], &[]);
    assert!(d.breaking, "a removed connector breaks its users");
    assert_eq!(
        d.connectors[0].changes[0].message,
        "connector removed: its module `jira` (and cargo feature) is gone"
    );
    let d = diff(&[], &[jira()]);
    assert!(!d.breaking);
    assert_eq!(
        d.connectors[0].changes[0].message,
        "connector added: module `jira`"
    );
    // Two snapshots of one service version cannot be generated, so cannot be compared.
    let d = diff(&[jira(), jira()], &[jira()]);
    assert!(d.breaking);
    assert_eq!(d.connectors.len(), 1);
    assert_eq!(d.connectors[0].service, "(old snapshots)");
    assert!(
        d.connectors[0].changes[0]
            .message
            .starts_with("cannot be planned, so cannot be compared: "),
        "{d}"
    );
    assert!(d.to_string().contains("both hold service"), "{d}");
    // A second version of a service renames the module of the first (`slack_v4`).
    let mut slack3 = snapshot_file("slack-4.json");
    slack3.connector["service"]["version"] = json!(3);
    slack3.path = slack3.path.with_file_name("slack-3.json");
    let d = diff(
        &[snapshot_file("slack-4.json")],
        &[slack3, snapshot_file("slack-4.json")],
    );
    let changes: Vec<&str> = d
        .connectors
        .iter()
        .flat_map(|c| c.changes.iter().map(|x| x.message.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            "connector added: module `slack_v3`",
            "module (and cargo feature) renamed from `slack` to `slack_v4`: paths `tray_connectors::slack::…` must follow",
            "marker type renamed from `Slack` to `SlackV4`",
        ]
    );
}

#[test]
fn cli_prints_text_or_json_and_exits_on_breaking() {
    let dir = tempfile::tempdir().unwrap();
    // Any file names: only `generate` wants them named after what they hold.
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    fs::write(&old, jira().to_text()).unwrap();
    let breaking = changed(|e| {
        drop_email(e);
        credentials(e)["timeout_seconds"]["maximum"] = json!(100);
        credentials(e)["timeout_seconds"]["minimum"] = json!(0);
    });
    fs::write(&new, breaking.to_text()).unwrap();
    let bin = env!("CARGO_BIN_EXE_tray-codegen");
    let run = |args: &[&str], old: &Path, new: &Path| {
        Command::new(bin)
            .args(args)
            .arg(old)
            .arg(new)
            .output()
            .unwrap()
    };
    let out = run(&["diff"], &old, &new);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "jira (3 → 3): 1 breaking, 1 runtime-breaking, 1 compatible
  breaking          /credentials/email: field removed
  runtime-breaking  /credentials/timeout_seconds: maximum lowered from 300 to 100: values that passed `validate()` may now fail
  compatible        /credentials/timeout_seconds: minimum lowered from 1 to 0: `validate()` accepts more
"
    );

    let out = run(&["diff", "--json"], &old, &old);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, json!({"connectors": [], "breaking": false}));

    let out = run(&["diff", "--json"], &old, &new);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["connectors"][0]["changes"][1],
        json!({
            "path": "/credentials/timeout_seconds",
            "impact": "runtime-breaking",
            "message": "maximum lowered from 300 to 100: values that passed `validate()` may now fail"
        })
    );

    // Only runtime-breaking changes exit 1 too.
    let runtime = changed(|e| credentials(e)["timeout_seconds"]["maximum"] = json!(100));
    fs::write(&new, runtime.to_text()).unwrap();
    assert_eq!(run(&["diff"], &old, &new).status.code(), Some(1));
    // Only compatible ones exit 0.
    let compatible = changed(|e| credentials(e)["timeout_seconds"]["maximum"] = json!(600));
    fs::write(&new, compatible.to_text()).unwrap();
    assert_eq!(run(&["diff"], &old, &new).status.code(), Some(0));

    let out = run(&["diff"], &dir.path().join("missing"), &new);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_readme_example_runs_from_a_clone() {
    // README's `diff` section runs this command on these committed files.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_tray-codegen"))
        .current_dir(&root)
        .args([
            "diff",
            "schemas/jira-3.json",
            "codegen/tests/fixtures/diff/jira-3.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(&*text), "README shows:\n{text}");
}

#[test]
fn rules_on_other_keys_beside_named_properties_are_judged() {
    let schema = |values: Value| {
        svc(json!({
            "type": "object",
            "properties": {"daily": {"type": "integer"}},
            "additionalProperties": values
        }))
    };
    let loose = schema(json!({"type": "integer"}));
    let tight = schema(json!({"type": "integer", "minimum": 0}));
    assert_eq!(
        only(all(loose.clone(), tight.clone())),
        expect(
            RuntimeBreaking,
            "/credentials/additionalProperties",
            "minimum 0 added: values that passed `validate()` may now fail",
        )
    );
    assert_eq!(only(all(tight, loose)).0, Compatible);
}
