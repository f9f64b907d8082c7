//! The connectors and service environments the fake serves, read from a snapshot folder.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tray_schema::snapshot::{self, Snapshot, SnapshotError};
use tray_schema::{Checker, Diagnostics, Reader};

/// An environment's `credentialsSchema` and `userDataSchema`, read once, ready to check the
/// authentications created for it.
#[derive(Debug)]
pub(crate) struct Schemas {
    /// `(body key, its checker)`: `credentials` and `userData`.
    checkers: [(&'static str, Checker); 2],
}

impl Schemas {
    /// Reads the schemas of `environment` (a missing one is `{}`: anything goes).
    pub(crate) fn read(environment: &Value) -> Schemas {
        let empty = Value::Object(serde_json::Map::new());
        let checker = |key: &str| {
            let schema = environment.get(key).unwrap_or(&empty);
            // What the reader does not understand, Tray's own validator may; the fake checks
            // what it can, as the generated types do.
            let mut diagnostics = Diagnostics::new(None);
            Checker::new(Reader::new(schema, "", None, &mut diagnostics).read_root())
        };
        Schemas {
            checkers: [
                ("credentials", checker("credentialsSchema")),
                ("userData", checker("userDataSchema")),
            ],
        }
    }

    /// Checks the `credentials` and `userData` of a request `body`, as Tray does; each
    /// problem is pushed as `#/credentials/pointer: what is wrong`, never quoting the value.
    pub(crate) fn check(&self, body: &Value, problems: &mut Vec<String>) {
        let empty = Value::Object(serde_json::Map::new());
        for (key, checker) in &self.checkers {
            let value = body.get(*key).unwrap_or(&empty);
            for problem in checker.check(value) {
                problems.push(format!("#/{key}{}: {}", problem.pointer, problem.message));
            }
        }
    }
}

/// Everything `GET /connectors` and `GET .../environments` answer, kept verbatim.
#[derive(Debug, Default, Clone)]
pub(crate) struct Catalog {
    connectors: Vec<Value>,
    environments: BTreeMap<(String, u32), Vec<Value>>,
    /// Service environment id → (service, version, index into `environments`).
    by_id: HashMap<String, (String, u32, usize)>,
    /// Service environment id → its schemas, read once.
    schemas: HashMap<String, Arc<Schemas>>,
}

impl Catalog {
    /// Reads every snapshot in `dir`.
    pub(crate) fn read(dir: &Path) -> Result<Catalog, SnapshotError> {
        Ok(Catalog::from_snapshots(snapshot::read_dir(dir)?))
    }

    pub(crate) fn from_snapshots(snapshots: Vec<Snapshot>) -> Catalog {
        let mut catalog = Catalog::default();
        for snapshot in snapshots {
            let key = (
                snapshot.service_name().to_owned(),
                snapshot.service_version(),
            );
            for (index, env) in snapshot.environments.iter().enumerate() {
                if let Some(id) = env.get("id").and_then(Value::as_str) {
                    catalog
                        .by_id
                        .insert(id.to_owned(), (key.0.clone(), key.1, index));
                    catalog
                        .schemas
                        .insert(id.to_owned(), Arc::new(Schemas::read(env)));
                }
            }
            catalog.connectors.push(snapshot.connector);
            catalog.environments.insert(key, snapshot.environments);
        }
        catalog
    }

    pub(crate) fn connectors(&self) -> &[Value] {
        &self.connectors
    }

    pub(crate) fn environments(&self, service: &str, version: u32) -> Option<&[Value]> {
        self.environments
            .get(&(service.to_owned(), version))
            .map(Vec::as_slice)
    }

    /// The schemas of a service environment, by its id.
    pub(crate) fn schemas(&self, id: &str) -> Option<&Schemas> {
        self.schemas.get(id).map(|schemas| &**schemas)
    }

    /// A service environment by its id.
    pub(crate) fn environment(&self, id: &str) -> Option<&Value> {
        let (service, version, index) = self.by_id.get(id)?;
        self.environments
            .get(&(service.clone(), *version))?
            .get(*index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(schema: Value, credentials: Value) -> Vec<String> {
        let mut problems = Vec::new();
        Schemas::read(&json!({ "credentialsSchema": schema }))
            .check(&json!({ "credentials": credentials }), &mut problems);
        problems
    }

    #[test]
    fn draft_03_and_draft_04_required_both_count() {
        let schema = json!({
            "type": "object",
            "properties": { "a": { "type": "string", "required": true }, "b": { "type": "string" } },
            "required": ["a", "b"]
        });
        assert_eq!(
            problems(schema, json!({})),
            [
                "#/credentials: required key [a] not found",
                "#/credentials: required key [b] not found"
            ]
        );
    }

    #[test]
    fn netsuite_typo_means_no_type() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"object","schema":"http://json-schema.org/draft-03/schema",
                "properties":{"account":{"tytpe":"string"},"role":{"type":"integer"}},
                "additionalProperties":false,"required":["account","role"]}"#,
        )
        .unwrap();
        assert!(problems(schema.clone(), json!({"account": 12, "role": 3})).is_empty());
        assert_eq!(
            problems(schema, json!({"account": "a", "role": "admin", "extra": 1})),
            [
                "#/credentials/role: expected type: Integer, found: String",
                "#/credentials: extraneous key [extra] is not permitted"
            ]
        );
    }

    #[test]
    fn one_of_and_refs_are_checked() {
        let schema = json!({
            "definitions": { "region": { "enum": ["eu", "us"] } },
            "type": "object",
            "properties": {
                "region": { "$ref": "#/definitions/region" },
                "auth": { "oneOf": [
                    { "type": "object", "properties": { "key": { "type": "string" } }, "required": ["key"], "additionalProperties": false },
                    { "type": "object", "properties": { "token": { "type": "string" } }, "required": ["token"], "additionalProperties": false }
                ] }
            }
        });
        assert!(problems(
            schema.clone(),
            json!({"region": "eu", "auth": {"key": "k"}})
        )
        .is_empty());
        assert_eq!(
            problems(
                schema,
                json!({"region": "moon", "auth": {"key": "k", "token": "t"}})
            ),
            [
                "#/credentials/region: the value is not one of the enum values [\"eu\", \"us\"]",
                "#/credentials/auth: the value matches none of the `oneOf` schemas"
            ]
        );
    }

    #[test]
    fn strings_and_numbers_never_quote_the_value() {
        let schema = json!({
            "type": "object",
            "properties": {
                "dc": { "type": "string", "pattern": "^[a-z]+[0-9]+$", "maxLength": 8 },
                "expires_in": { "type": "integer", "minimum": 0 }
            }
        });
        let found = problems(schema, json!({"dc": "s3cr3t-value!", "expires_in": -5}));
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|p| !p.contains("s3cr3t") && !p.contains("-5")),
            "{found:?}"
        );
    }

    #[test]
    fn empty_and_odd_schemas_accept_anything() {
        assert!(problems(json!({}), json!({"anything": [1, 2]})).is_empty());
        assert!(problems(json!(true), json!(1)).is_empty());
        assert!(problems(json!({"type": "any"}), json!(null)).is_empty());
        assert!(problems(json!({"pattern": "("}), json!("x")).is_empty());
    }
}
