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
    // CSV cells are all text: `from_text` lets the types read a cell as the integer, number or
    // boolean they want (and only those), so the body holds typed JSON values.
    let untyped = UntypedAuthentication {
        name: &row.name,
        service_environment_id: &service_environment_id,
        credentials: &row.credentials,
        user_data: row.user_data.as_ref(),
        scopes: &row.scopes,
        from_text: row.from_text,
    };
    let body = entry.build(&untyped)?;
    let mut dropped = Vec::new();
    for (key, given) in [
        ("credentials", Some(&row.credentials)),
        ("userData", row.user_data.as_ref()),
    ] {
        if let (Some(given), Some(built)) = (given, body.get(key)) {
            dropped_fields(given, built, &format!("/{key}"), &mut dropped);
        }
    }
    if !dropped.is_empty() {
        return Err(dropped);
    }
    Ok(CheckedRow {
        number: row.number,
        key: row.key.clone(),
        external_user_id: row.external_user_id.clone(),
        service: entry.service_name(),
        service_version: entry.service_version(),
        service_environment_id,
        name: row.name.clone(),
        body,
    })
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

    fn csv_row(service: &str, credentials: Value, user_data: Option<Value>) -> Row {
        let mut r = row(credentials, true);
        r.service = service.into();
        r.user_data = user_data;
        r
    }

    #[test]
    fn csv_integer_and_boolean_cells_are_sent_as_json_numbers_and_booleans() {
        let body = |r: Row| check(CONNECTORS, &r).unwrap().body;
        let mail = body(csv_row(
            "mailchimp",
            json!({"access_token": "t", "dc": "us21", "expires_in": "3600"}),
            None,
        ));
        assert_eq!(mail["credentials"]["expires_in"], json!(3600));
        let suite = body(csv_row(
            "netsuite",
            json!({"email": "e", "password": "p", "account": "a", "role": "-7"}),
            None,
        ));
        assert_eq!(suite["credentials"]["role"], json!(-7));
        let grid = body(csv_row(
            "sendgrid",
            json!({"api-key": "SG.a-key-of-twenty-characters"}),
            Some(json!({"region": "eu", "sandbox_mode": "true"})),
        ));
        assert_eq!(
            grid["userData"],
            json!({"region": "eu", "sandbox_mode": true})
        );
        let desk = body(csv_row(
            "zendesk",
            json!({"subdomain": "acme", "email": "a@b.c", "api_token": "x".repeat(40)}),
            Some(json!({"sandbox": "false"})),
        ));
        assert_eq!(desk["userData"]["sandbox"], json!(false), "Option<bool>");
    }

    #[test]
    fn a_csv_cell_for_a_string_field_that_looks_like_a_number_stays_a_string() {
        let checked = check(
            CONNECTORS,
            &csv_row(
                "netsuite",
                json!({"email": "1", "password": "1234", "account": "42", "role": "1"}),
                None,
            ),
        )
        .unwrap();
        assert_eq!(
            checked.body["credentials"],
            json!({"email": "1", "password": "1234", "account": "42", "role": 1}),
            "text fields, a secret and a field of any type keep the cell's text"
        );
    }

    #[test]
    fn a_csv_cell_that_is_not_what_its_type_wants_is_a_problem_at_its_pointer_without_its_value() {
        for (r, expected) in [
            (
                csv_row(
                    "netsuite",
                    json!({"email": "e", "password": "p", "account": "a", "role": "12abc"}),
                    None,
                ),
                "/credentials/role: invalid type: a string, expected an integer",
            ),
            (
                csv_row(
                    "sendgrid",
                    json!({"api-key": "k"}),
                    Some(json!({"sandbox_mode": "12abc"})),
                ),
                "/userData/sandbox_mode: invalid type: a string, expected a boolean",
            ),
            (
                csv_row(
                    "mailchimp",
                    json!({"access_token": "t", "dc": "us21", "expires_in": "36.5"}),
                    None,
                ),
                "/credentials/expires_in: invalid type: a string, expected an integer",
            ),
        ] {
            let problems = check(CONNECTORS, &r).unwrap_err();
            let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(text, [expected]);
        }
        // JSON rows say what they mean: there a string for an integer is wrong.
        let mut r = csv_row(
            "mailchimp",
            json!({"access_token": "t", "dc": "us21", "expires_in": "3600"}),
            None,
        );
        r.from_text = false;
        assert_eq!(
            check(CONNECTORS, &r).unwrap_err()[0].to_string(),
            "/credentials/expires_in: invalid type: a string, expected an integer"
        );
    }

    /// A connector with numbers inside nested objects and arrays (none of the generated ones
    /// has that).
    mod nested {
        use serde::{Deserialize, Serialize};
        use tray_auth::{validate::Validator, AuthenticationType, NoScopes, ServiceEnvironment};

        pub struct Nested;

        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Credentials {
            pub server: Server,
            pub replicas: Option<Vec<Server>>,
        }

        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Server {
            pub host: String,
            pub port: u16,
            pub weight: Option<f64>,
        }

        #[derive(Debug, Clone, Default, Serialize, Deserialize)]
        pub struct UserData {}

        impl tray_auth::Validate for Credentials {
            fn validate_with(&self, _: &mut Validator) {}
        }

        impl tray_auth::Validate for UserData {
            fn validate_with(&self, _: &mut Validator) {}
        }

        impl tray_auth::Connector for Nested {
            const SERVICE_NAME: &'static str = "nested";
            const SERVICE_VERSION: u32 = 1;
            const ENVIRONMENTS: &'static [ServiceEnvironment] = &[ServiceEnvironment {
                id: "0b0e4f4e-8c1d-4d57-9a51-6f0f7c1f2a3b",
                title: "Production",
                authentication_type: AuthenticationType::Token,
            }];
            type Credentials = Credentials;
            type UserData = UserData;
            type Scope = NoScopes;
        }
    }

    #[test]
    fn numbers_in_nested_objects_and_arrays_are_read_from_their_cells() {
        let connectors = [ConnectorEntry::of::<nested::Nested>()];
        let checked = check(
            &connectors,
            &csv_row(
                "nested",
                json!({
                    "server": {"host": "10", "port": "8080", "weight": "0.5"},
                    "replicas": [{"host": "b", "port": "81"}],
                }),
                None,
            ),
        )
        .unwrap();
        assert_eq!(
            checked.body["credentials"],
            json!({
                "server": {"host": "10", "port": 8080, "weight": 0.5},
                "replicas": [{"host": "b", "port": 81, "weight": null}],
            })
        );
        let problems = check(
            &connectors,
            &csv_row(
                "nested",
                json!({
                    "server": {"host": "a", "port": "80"},
                    "replicas": [{"host": "b", "port": "70000"}],
                }),
                None,
            ),
        )
        .unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "/credentials/replicas/0/port: invalid value: an integer, expected u16"
        );
        assert!(!problems[0].to_string().contains("70000"));
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
