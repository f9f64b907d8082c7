//! A row checked through its connector's generated types, into Tray's body.

use serde_json::Value;
use tray_auth::registry::{self, ConnectorEntry, Problem, UntypedAuthentication};

use crate::input::Row;

/// A row that fits its connector: what to send, and for whom.
#[derive(Clone)]
pub struct CheckedRow {
    /// The row's number.
    pub number: u64,
    /// The row's key.
    pub key: String,
    /// The end user's id in your system.
    pub external_user_id: String,
    /// The service name.
    pub service: &'static str,
    /// The service version.
    pub service_version: u32,
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
            .field("service", &self.service)
            .field("service_version", &self.service_version)
            .field("service_environment_id", &self.service_environment_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Checks a row against the connectors in `connectors` (usually `tray_connectors::CONNECTORS`).
/// Every problem names a JSON pointer into Tray's body, never a value.
pub fn check(connectors: &[ConnectorEntry], row: &Row) -> Result<CheckedRow, Vec<Problem>> {
    let entry =
        registry::find(connectors, &row.service, row.service_version).map_err(|message| {
            vec![Problem {
                pointer: "/connector".into(),
                message,
            }]
        })?;
    let service_environment_id = entry
        .environment_id(row.service_environment.as_deref())
        .map_err(|p| vec![p])?;
    let mut credentials = row.credentials.clone();
    let mut user_data = row.user_data.clone();
    // CSV cells are all text; where the types want a number or a boolean and the text is
    // one, read it as one. Each pass fixes what serde reported first, so passes are bounded.
    let mut passes = leaf_count(&credentials) + user_data.as_ref().map_or(0, leaf_count) + 1;
    loop {
        let untyped = UntypedAuthentication {
            name: &row.name,
            service_environment_id: &service_environment_id,
            credentials: &credentials,
            user_data: user_data.as_ref(),
            scopes: &row.scopes,
        };
        match entry.build(&untyped) {
            Ok(body) => {
                let mut dropped = Vec::new();
                for (key, given) in [
                    ("credentials", Some(&credentials)),
                    ("userData", user_data.as_ref()),
                ] {
                    if let (Some(given), Some(built)) = (given, body.get(key)) {
                        dropped_fields(given, built, &format!("/{key}"), &mut dropped);
                    }
                }
                if !dropped.is_empty() {
                    return Err(dropped);
                }
                return Ok(CheckedRow {
                    number: row.number,
                    key: row.key.clone(),
                    external_user_id: row.external_user_id.clone(),
                    service: entry.service_name(),
                    service_version: entry.service_version(),
                    service_environment_id,
                    name: row.name.clone(),
                    body,
                });
            }
            Err(problems) => {
                passes -= 1;
                let fixed = row.from_text
                    && passes > 0
                    && problems
                        .iter()
                        .any(|p| coerce(&mut credentials, &mut user_data, p));
                if !fixed {
                    return Err(problems);
                }
            }
        }
    }
}

/// Reads the text at the problem's pointer as the number or boolean the type expects.
fn coerce(credentials: &mut Value, user_data: &mut Option<Value>, problem: &Problem) -> bool {
    let Some(expected) = problem
        .message
        .strip_prefix("invalid type: a string, expected ")
    else {
        return false;
    };
    let (root, rest) = if let Some(rest) = problem.pointer.strip_prefix("/credentials") {
        (credentials, rest)
    } else if let (Some(rest), Some(user_data)) = (
        problem.pointer.strip_prefix("/userData"),
        user_data.as_mut(),
    ) {
        (user_data, rest)
    } else {
        return false;
    };
    let Some(slot) = root.pointer_mut(rest) else {
        return false;
    };
    let Some(text) = slot.as_str() else {
        return false;
    };
    let read = match expected {
        "a boolean" => text.parse::<bool>().ok().map(Value::Bool),
        "f64" | "f32" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        e if e.starts_with('i') || e.starts_with('u') => text.parse::<i64>().ok().map(Value::from),
        _ => None,
    };
    match read {
        Some(value) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// Fields of the row that the connector's types do not have: serde leaves them out of the
/// body unless the schema forbids them, so without this check a misspelt optional field
/// (`api_kee`) would be dropped without a word.
fn dropped_fields(given: &Value, built: &Value, at: &str, problems: &mut Vec<Problem>) {
    match (given, built) {
        (Value::Object(given), Value::Object(built)) => {
            for (key, value) in given {
                let pointer = tray_schema::pointer::join(at, key);
                match built.get(key) {
                    Some(inner) => dropped_fields(value, inner, &pointer, problems),
                    None => problems.push(Problem {
                        pointer,
                        message: "unknown field: the connector's schema has no such property (check its spelling)".into(),
                    }),
                }
            }
        }
        (Value::Array(given), Value::Array(built)) => {
            for (i, (value, inner)) in given.iter().zip(built).enumerate() {
                dropped_fields(value, inner, &format!("{at}/{i}"), problems);
            }
        }
        _ => {}
    }
}

fn leaf_count(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(leaf_count).sum(),
        Value::Array(list) => list.iter().map(leaf_count).sum(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tray_connectors::CONNECTORS;

    use super::*;

    fn row(credentials: Value, from_text: bool) -> Row {
        Row {
            number: 7,
            key: "k".into(),
            external_user_id: "u".into(),
            service: "mailchimp".into(),
            service_version: None,
            name: "Bolo".into(),
            service_environment: None,
            credentials,
            user_data: None,
            scopes: Vec::new(),
            from_text,
        }
    }

    #[test]
    fn csv_text_is_read_as_the_numbers_the_types_want() {
        let checked = check(
            CONNECTORS,
            &row(
                json!({"access_token": "t", "dc": "us21", "expires_in": "3600"}),
                true,
            ),
        )
        .unwrap();
        assert_eq!(checked.body["credentials"]["expires_in"], 3600);
        assert_eq!(checked.body["credentials"]["dc"], "us21");
        // JSON rows say what they mean: a string stays a string, and is wrong.
        let problems = check(
            CONNECTORS,
            &row(
                json!({"access_token": "t", "dc": "us21", "expires_in": "3600"}),
                false,
            ),
        )
        .unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "/credentials/expires_in: invalid type: a string, expected i64"
        );
        let problems = check(
            CONNECTORS,
            &row(
                json!({"access_token": "t", "dc": "us21", "expires_in": "soon"}),
                true,
            ),
        )
        .unwrap_err();
        assert_eq!(problems[0].pointer, "/credentials/expires_in");
    }

    #[test]
    fn fields_the_types_would_drop_are_problems() {
        let mut r = row(
            json!({"access_token": "t", "dc": "us21", "expires_inn": 5}),
            false,
        );
        r.service = "http-client".into();
        r.credentials = json!({"api_key": "k", "headers": [{"name": "a", "value": "b", "vaule": "c"}], "api_kee": "x"});
        let pointers: Vec<String> = check(CONNECTORS, &r)
            .unwrap_err()
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/credentials/headers/0/vaule", "/credentials/api_kee"]
        );
    }

    #[test]
    fn unknown_connectors_and_environments_are_row_problems() {
        let mut r = row(json!({}), false);
        r.service = "nope".into();
        assert_eq!(check(CONNECTORS, &r).unwrap_err()[0].pointer, "/connector");
        let mut r = row(json!({"access_token": "t", "dc": "us21"}), false);
        r.service_environment = Some("Staging".into());
        assert!(check(CONNECTORS, &r).unwrap_err()[0]
            .message
            .contains("no environment titled `Staging`"));
    }
}
