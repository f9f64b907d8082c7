//! A row checked against the schemas Tray serves for its service environment
//! ([`Catalog`]), into Tray's body.
//!
//! The row's `credentials` and `userData` are checked with [`tray_schema::Checker`] (draft 7
//! with Tray's dialects, the same checker fake-tray answers with), its scopes against the
//! environment's list. CSV cells are all text: where the schema wants an integer, a number or
//! a boolean (and not a string) and the cell's text is one, it is read as one first. Keys an
//! object's schema does not declare, where it does not say whether other keys are allowed,
//! are problems: Tray would store them, and a misspelt optional field would never be used.

use serde_json::{Map, Value};
use tray_auth::registry::Problem;
use tray_schema::model::{Additional, Document, Kind, Object, Schema};

use crate::catalog::{Catalog, Environment, LiveSchema};
use crate::input::Row;

/// How deep the walks below go into a row's values (serde_json reads no deeper than 128).
const MAX_DEPTH: usize = 256;

/// A row that fits its service environment: what to send, and for whom.
#[derive(Clone)]
pub struct CheckedRow {
    /// The row's number.
    pub number: u64,
    /// The row's key.
    pub key: String,
    /// The end user's id in your system.
    pub external_user_id: String,
    /// `service@version`.
    pub connector: String,
    /// The service environment the auth goes to.
    pub service_environment_id: String,
    /// The authentication's name.
    pub name: String,
    /// Tray's `POST /authentications` body. Holds credentials: never log it.
    pub body: Value,
}

impl std::fmt::Debug for CheckedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedRow")
            .field("number", &self.number)
            .field("key", &self.key)
            .field("external_user_id", &self.external_user_id)
            .field("connector", &self.connector)
            .field("service_environment_id", &self.service_environment_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Checks a row against its service environment in `catalog`. Every problem names a JSON
/// pointer into Tray's body, never a value.
pub fn check(catalog: &Catalog, row: &Row) -> Result<CheckedRow, Vec<Problem>> {
    let (service, environment) = catalog
        .resolve(
            &row.service,
            row.service_version,
            row.service_environment.as_deref(),
        )
        .map_err(|problem| vec![problem])?;
    let mut problems = Vec::new();
    let credentials = part(
        &environment.credentials,
        &row.credentials,
        "/credentials",
        row.from_text,
        &mut problems,
    );
    let empty = Value::Object(Map::new());
    let user_data = part(
        &environment.user_data,
        row.user_data.as_ref().unwrap_or(&empty),
        "/userData",
        row.from_text,
        &mut problems,
    );
    check_scopes(environment, &row.scopes, service.label(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut body = Map::new();
    body.insert("name".into(), Value::String(row.name.clone()));
    body.insert(
        "serviceEnvironmentId".into(),
        Value::String(environment.id.clone()),
    );
    body.insert("credentials".into(), credentials);
    if row.user_data.is_some() {
        body.insert("userData".into(), user_data);
    }
    if !row.scopes.is_empty() {
        body.insert(
            "scopes".into(),
            row.scopes.iter().cloned().map(Value::String).collect(),
        );
    }
    Ok(CheckedRow {
        number: row.number,
        key: row.key.clone(),
        external_user_id: row.external_user_id.clone(),
        connector: service.label().to_owned(),
        service_environment_id: environment.id.clone(),
        name: row.name.clone(),
        body: Value::Object(body),
    })
}

/// One of the body's objects (`credentials`, `userData`): read from text where the row is
/// CSV, checked against its schema; problems are pushed with pointers under `at`.
fn part(
    schema: &LiveSchema,
    given: &Value,
    at: &str,
    from_text: bool,
    problems: &mut Vec<Problem>,
) -> Value {
    let mut value = given.clone();
    let document = schema.checker.document();
    if from_text {
        read_text(document, &document.root, &mut value, 0);
    }
    for problem in schema.checker.check(&value) {
        problems.push(Problem {
            pointer: format!("{at}{}", problem.pointer),
            message: problem.message,
        });
    }
    undeclared(schema, &document.root, &value, at, 0, problems);
    value
}

fn check_scopes(
    environment: &Environment,
    scopes: &[String],
    service: &str,
    problems: &mut Vec<Problem>,
) {
    for (i, scope) in scopes.iter().enumerate() {
        let message = if scopes[..i].contains(scope) {
            "is given twice: Tray wants each scope once".to_owned()
        } else if environment.scopes.contains(scope) {
            continue;
        } else if environment.scopes.is_empty() {
            format!(
                "{} ({}) lists no scopes: leave `scopes` out",
                tray_schema::printable::shown(service),
                tray_schema::printable::shown(&environment.title)
            )
        } else {
            format!(
                "is not a scope {} lists: write one of {}",
                tray_schema::printable::shown(service),
                environment
                    .scopes
                    .iter()
                    .map(String::as_str)
                    .map(tray_schema::printable::shown)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        problems.push(Problem {
            pointer: format!("/scopes/{i}"),
            message,
        });
    }
}

/// The schemas that say what a value at `schema` may be: `schema` itself, through `$ref`s,
/// and each branch of a type list, `oneOf` or `anyOf` (a CSV cell is read as what some
/// branch wants).
fn branches<'s>(document: &'s Document, schema: &'s Schema, out: &mut Vec<&'s Schema>) {
    let target = document.target(schema);
    match &target.kind {
        Kind::Union(list) | Kind::OneOf(list) | Kind::AnyOf(list) => {
            for branch in list {
                // Branches of branches: a `$ref` to a union is rare; one level is read.
                out.push(document.target(branch));
            }
        }
        _ => out.push(target),
    }
}

/// Reads CSV text (`value`'s strings) as the integers, numbers and booleans the schema wants
/// where it does not also take a string there.
fn read_text(document: &Document, schema: &Schema, value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut shapes = Vec::new();
    branches(document, schema, &mut shapes);
    match value {
        Value::String(text) => {
            if let Some(read) = from_text(&shapes, text) {
                *value = read;
            }
        }
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let property = shapes.iter().find_map(|shape| match &shape.kind {
                    Kind::Object(object) => object
                        .properties
                        .iter()
                        .find(|p| &p.name == key)
                        .map(|p| &p.schema)
                        .or(match &object.additional {
                            Additional::Schema(extra) => Some(extra.as_ref()),
                            _ => None,
                        }),
                    _ => None,
                });
                if let Some(property) = property {
                    read_text(document, property, inner, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            let item = shapes.iter().find_map(|shape| match &shape.kind {
                Kind::Array(Some(item)) => Some(item.as_ref()),
                _ => None,
            });
            if let Some(item) = item {
                for inner in items {
                    read_text(document, item, inner, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// The cell's text as the JSON value the schema wants, when it wants no string and the text
/// is one: an integer, a number or `true`/`false`. `None` keeps the text.
fn from_text(shapes: &[&Schema], text: &str) -> Option<Value> {
    let mut wants = (false, false, false);
    for shape in shapes {
        match &shape.kind {
            Kind::Integer => wants.0 = true,
            Kind::Number => wants.1 = true,
            Kind::Boolean => wants.2 = true,
            Kind::Enum(values) => {
                for value in values {
                    match value {
                        Value::Number(n) if n.is_i64() || n.is_u64() => wants.0 = true,
                        Value::Number(_) => wants.1 = true,
                        Value::Bool(_) => wants.2 = true,
                        _ => return None,
                    }
                }
            }
            Kind::Const(Value::Number(n)) if n.is_i64() || n.is_u64() => wants.0 = true,
            Kind::Const(Value::Number(_)) => wants.1 = true,
            Kind::Const(Value::Bool(_)) => wants.2 = true,
            Kind::Null => {}
            // A string, anything, or a shape text cannot be: the cell stays text.
            _ => return None,
        }
    }
    let text = text.trim();
    if wants.0 {
        if let Ok(n) = text.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
    }
    if wants.1 || wants.0 {
        // `2.0` for an integer is an integer in JSON Schema; `1e400` and `NaN` are no number.
        let number = text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && !text.to_ascii_lowercase().contains("inf"))
            .and_then(serde_json::Number::from_f64);
        if let Some(number) = number {
            if wants.1 || number.as_f64().is_some_and(|n| n.fract() == 0.0) {
                return Some(Value::Number(number));
            }
        }
    }
    if wants.2 {
        match text {
            "true" => return Some(Value::Bool(true)),
            "false" => return Some(Value::Bool(false)),
            _ => {}
        }
    }
    None
}

/// Keys of `value`'s objects that their schema neither declares nor lets in on purpose: the
/// schema lists `properties` and says nothing of other keys (no `additionalProperties`, no
/// `patternProperties`). Under a `oneOf`, `anyOf` or type list, a key is such a key when no
/// object variant declares it and none lets other keys in; a variant that may hold an object
/// without being one (no `type`, an object in an `enum`, another `oneOf`) lets every key in.
fn undeclared(
    schema: &LiveSchema,
    at_schema: &Schema,
    value: &Value,
    at: &str,
    depth: usize,
    problems: &mut Vec<Problem>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let document = schema.checker.document();
    let target = document.target(at_schema);
    match (&target.kind, value) {
        (Kind::Object(object), Value::Object(map)) => {
            object_keys(schema, &[(target, object)], map, at, depth, problems);
        }
        (Kind::OneOf(all) | Kind::AnyOf(all) | Kind::Union(all), Value::Object(map)) => {
            let mut objects = Vec::new();
            for variant in all {
                let variant = document.target(variant);
                match &variant.kind {
                    Kind::Object(object) => objects.push((variant, object)),
                    Kind::Null
                    | Kind::Boolean
                    | Kind::Integer
                    | Kind::Number
                    | Kind::String
                    | Kind::Array(_) => {}
                    Kind::Enum(values) if !values.iter().any(Value::is_object) => {}
                    Kind::Const(constant) if !constant.is_object() => {}
                    _ => return,
                }
            }
            object_keys(schema, &objects, map, at, depth, problems);
        }
        (Kind::Array(Some(item)), Value::Array(items)) => {
            for (i, inner) in items.iter().enumerate() {
                undeclared(
                    schema,
                    item,
                    inner,
                    &format!("{at}/{i}"),
                    depth + 1,
                    problems,
                );
            }
        }
        _ => {}
    }
}

/// The keys of `map`, an object that `objects` (object schemas, one or a union's variants, each
/// with its object keywords) describe: one that none declares is a problem when every one of
/// them is silent about other keys; one that exactly one declares is walked into.
fn object_keys(
    schema: &LiveSchema,
    objects: &[(&Schema, &Object)],
    map: &Map<String, Value>,
    at: &str,
    depth: usize,
    problems: &mut Vec<Problem>,
) {
    let silent = |(target, object): &(&Schema, &Object)| {
        matches!(object.additional, Additional::Allowed)
            && object.pattern_properties.is_empty()
            && object.additional_pattern.is_none()
            && !object.properties.is_empty()
            && schema
                .raw
                .pointer(&target.pointer)
                .is_some_and(|raw| raw.get("additionalProperties").is_none())
    };
    let all_silent = !objects.is_empty() && objects.iter().all(silent);
    for (key, inner) in map {
        let pointer = tray_schema::pointer::join(at, key);
        let mut declaring = objects
            .iter()
            .filter_map(|(_, object)| object.properties.iter().find(|p| &p.name == key));
        match (declaring.next(), declaring.next()) {
            (Some(property), None) => undeclared(
                schema,
                &property.schema,
                inner,
                &pointer,
                depth + 1,
                problems,
            ),
            // Declared by several variants: which one the value is held to is the checker's
            // to say; nothing below it is called unknown.
            (Some(_), Some(_)) => {}
            (None, _) => {
                let required_elsewhere = objects
                    .iter()
                    .any(|(_, object)| object.other_required.contains(key));
                if all_silent && !required_elsewhere {
                    problems.push(Problem {
                        pointer,
                        message:
                            "unknown field: the schema has no such property (check its spelling)"
                                .into(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tray_schema::snapshot::Snapshot;

    use super::*;

    /// The committed example snapshots, as a catalog.
    fn examples() -> Catalog {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        let snapshots = tray_schema::snapshot::read_dir(&dir).unwrap();
        Catalog::from_snapshots("the test snapshots", &snapshots)
    }

    fn one(service: &str, environment: Value) -> Catalog {
        let snapshot = Snapshot::new(
            "x.json".into(),
            json!({"name": service, "service": {"name": service, "version": 1}}),
            vec![environment],
        );
        Catalog::from_snapshots("the test snapshots", &[snapshot])
    }

    fn row(service: &str, credentials: Value, from_text: bool) -> Row {
        Row {
            number: 7,
            key: "k".into(),
            external_user_id: "u".into(),
            service: service.into(),
            service_version: None,
            name: "Bolo".into(),
            service_environment: None,
            credentials,
            user_data: None,
            scopes: Vec::new(),
            from_text,
        }
    }

    fn problems(catalog: &Catalog, row: &Row) -> Vec<String> {
        check(catalog, row)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_valid_row_becomes_trays_body_for_the_environment_tray_lists() {
        let catalog = examples();
        let mut r = row(
            "mailchimp",
            json!({"access_token": "SECRET", "dc": "us21", "expires_in": 3600}),
            false,
        );
        r.user_data = Some(json!({}));
        let oauth = check(&catalog, &r).unwrap_err();
        assert_eq!(
            oauth[0].pointer, "/serviceEnvironmentId",
            "Mailchimp is OAuth: no custom app"
        );
        r.service_environment = Some("Production".into());
        let checked = check(&catalog, &r).unwrap();
        assert_eq!(checked.connector, "mailchimp@1");
        assert_eq!(
            checked.body,
            json!({"name": "Bolo", "serviceEnvironmentId": checked.service_environment_id,
                   "credentials": {"access_token": "SECRET", "dc": "us21", "expires_in": 3600},
                   "userData": {}})
        );
        assert!(!format!("{checked:?}").contains("SECRET"));
    }

    #[test]
    fn csv_cells_are_read_as_the_numbers_and_booleans_the_schema_wants() {
        let catalog = one(
            "csv",
            json!({"id": "e", "title": "Production", "authenticationType": "token",
                "credentialsSchema": {"type": "object", "properties": {
                    "port": {"type": "integer"}, "ratio": {"type": "number"},
                    "on": {"type": "boolean"}, "code": {"type": "string"},
                    "either": {"type": ["string", "integer"]}, "level": {"enum": [1, 2, 3]},
                    "any": {}, "nested": {"type": "object", "properties": {"n": {"type": "integer"}}},
                    "list": {"type": "array", "items": {"type": "integer"}},
                    "refd": {"$ref": "#/definitions/n"}
                }, "definitions": {"n": {"type": ["integer", "null"]}}},
                "userDataSchema": {}, "scopes": []}),
        );
        let checked = check(
            &catalog,
            &row(
                "csv",
                json!({"port": "8080", "ratio": "0.5", "on": "true", "code": "0042",
                       "either": "12", "level": "2", "any": "3", "nested": {"n": "-7"},
                       "list": ["1", "2"], "refd": "5"}),
                true,
            ),
        )
        .unwrap();
        assert_eq!(
            checked.body["credentials"],
            json!({"port": 8080, "ratio": 0.5, "on": true, "code": "0042", "either": "12",
                   "level": 2, "any": "3", "nested": {"n": -7}, "list": [1, 2], "refd": 5})
        );
        // The same text in a JSON row is a string, and a problem where a number is wanted.
        let json_row = row("csv", json!({"port": "8080"}), false);
        assert_eq!(
            problems(&catalog, &json_row),
            ["/credentials/port: expected type: Integer, found: String"]
        );
        // Text that is no number stays text, and the checker says so without the text.
        let bad = problems(
            &catalog,
            &row("csv", json!({"port": "80x80", "on": "yes"}), true),
        );
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(
            bad.iter()
                .all(|p| !p.contains("80x80") && !p.contains("yes")),
            "{bad:?}"
        );
        for text in ["1e400", "NaN", "inf", "2.5"] {
            let r = row("csv", json!({ "port": text }), true);
            assert!(check(&catalog, &r).is_err(), "{text} is no integer");
        }
        let r = row("csv", json!({"port": "2.0"}), true);
        assert_eq!(
            check(&catalog, &r).unwrap().body["credentials"]["port"],
            json!(2.0)
        );
    }

    #[test]
    fn problems_point_into_the_body_and_hold_no_value() {
        let catalog = examples();
        let mut r = row(
            "mailchimp",
            json!({"access_token": 12345, "expires_in": "SECRET-soon"}),
            false,
        );
        r.service_environment = Some("Production".into());
        let found = problems(&catalog, &r);
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("/credentials: ") && p.contains("[dc]")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("/credentials/access_token: ")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("/credentials/expires_in: ")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|p| !p.contains("SECRET") && !p.contains("12345")),
            "{found:?}"
        );
    }

    #[test]
    fn undeclared_keys_are_problems_unless_the_schema_lets_them_in() {
        let catalog = examples();
        let mut r = row("http-client", json!({}), false);
        r.credentials = json!({"api_key": "k", "headers": [{"name": "a", "value": "b", "vaule": "c"}], "api_kee": "x"});
        let pointers: Vec<String> = check(&catalog, &r)
            .unwrap_err()
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/credentials/headers/0/vaule", "/credentials/api_kee"]
        );
        let open = one(
            "open",
            json!({"id": "e", "title": "Production", "credentialsSchema": {"type": "object",
                "additionalProperties": true, "properties": {"a": {"type": "string"}}}}),
        );
        assert!(check(&open, &row("open", json!({"a": "x", "b": 1}), false)).is_ok());
    }

    #[test]
    fn undeclared_keys_are_found_inside_one_of_any_of_and_type_lists() {
        let catalog = one(
            "variants",
            json!({"id": "e", "title": "Production", "authenticationType": "token",
                "credentialsSchema": {"type": "object", "properties": {
                    "auth": {"oneOf": [
                        {"type": "object", "properties": {"type": {"const": "key"}, "api_key": {"type": "string"}}},
                        {"type": "object", "properties": {"type": {"const": "oauth"}, "client_id": {"type": "string"},
                            "settings": {"type": "object", "properties": {"scope": {"type": "string"}}}}}
                    ]},
                    "proxy": {"type": ["object", "null"], "properties": {"host": {"type": "string"}}},
                    "open": {"anyOf": [
                        {"type": "object", "properties": {"a": {"type": "string"}}},
                        {"type": "object", "additionalProperties": true, "properties": {"b": {"type": "string"}}}
                    ]},
                    "loose": {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {}]}
                }},
                "userDataSchema": {}, "scopes": []}),
        );
        let pointers = |credentials: Value| -> Vec<String> {
            match check(&catalog, &row("variants", credentials, false)) {
                Ok(_) => Vec::new(),
                Err(found) => found.into_iter().map(|p| p.pointer).collect(),
            }
        };
        // A misspelt optional key of a variant, under a variant's object, or of a nullable object.
        assert_eq!(
            pointers(json!({"auth": {"type": "key", "api_kye": "x"}})),
            ["/credentials/auth/api_kye"]
        );
        assert_eq!(
            pointers(
                json!({"auth": {"type": "oauth", "client_id": "c", "settings": {"scpe": "x"}}})
            ),
            ["/credentials/auth/settings/scpe"]
        );
        assert_eq!(
            pointers(json!({"proxy": {"hots": "h"}})),
            ["/credentials/proxy/hots"]
        );
        // Keys some variant declares, or that some variant lets in, are no problem.
        assert!(pointers(json!({"auth": {"type": "key", "api_key": "k"}})).is_empty());
        assert!(pointers(json!({"open": {"a": "x", "c": 1}})).is_empty());
        assert!(pointers(json!({"loose": {"z": 1}})).is_empty());
        assert!(pointers(json!({"proxy": null})).is_empty());
    }

    #[test]
    fn scopes_must_be_listed_by_the_environment_and_given_once() {
        let catalog = examples();
        let mut r = row("slack", json!({}), false);
        r.service_environment = Some("Production".into());
        r.user_data = Some(json!({"signing_secret": "s"}));
        r.scopes = vec!["chat:write".into(), "admin".into(), "chat:write".into()];
        let found = check(&catalog, &r).unwrap_err();
        let pointers: Vec<&str> = found.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(pointers, ["/scopes/1", "/scopes/2"]);
        r.scopes = vec!["chat:write".into()];
        assert_eq!(
            check(&catalog, &r).unwrap().body["scopes"],
            json!(["chat:write"])
        );
    }

    #[test]
    fn unknown_services_and_environments_are_row_problems() {
        let catalog = examples();
        let r = row("nope", json!({}), false);
        assert_eq!(check(&catalog, &r).unwrap_err()[0].pointer, "/connector");
        let mut r = row(
            "mailchimp",
            json!({"access_token": "t", "dc": "us21"}),
            false,
        );
        r.service_environment = Some("Staging".into());
        let problem = &check(&catalog, &r).unwrap_err()[0];
        assert_eq!(problem.pointer, "/serviceEnvironmentId");
        assert!(
            problem.message.contains("\"Staging\""),
            "{}",
            problem.message
        );
    }

    #[test]
    fn hostile_depth_does_not_overflow_the_stack() {
        let catalog = one(
            "deep",
            json!({"id": "e", "title": "Production", "credentialsSchema":
                {"$ref": "#/definitions/d", "definitions": {"d": {"type": "object",
                 "properties": {"d": {"$ref": "#/definitions/d"}, "n": {"type": "integer"}}}}}}),
        );
        let mut value = json!({"n": "1"});
        for _ in 0..120 {
            value = json!({ "d": value });
        }
        assert!(check(&catalog, &row("deep", value, true)).is_ok());
    }
}
