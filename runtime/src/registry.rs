//! Connectors chosen at run time: for importers that read rows naming a service, and still
//! want every row checked by the generated types.
//!
//! The generated crate lists its connectors in `tray_connectors::CONNECTORS`, one
//! [`ConnectorEntry`] each. An entry turns an untyped row (credentials and user data as JSON)
//! into Tray's body by going through the connector's own types, so a row is held to exactly
//! what the compiler holds typed code to, plus [`Validate`](crate::Validate). Problems come back
//! with JSON pointers into the body and never with a value.
//!
//! Rows read from text (CSV cells) set [`UntypedAuthentication::from_text`]: where the types
//! want an integer, a number or a boolean and the cell's text is one, it is read as one, and
//! the body holds the typed JSON value.

mod text;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tray_schema::snapshot::{Snapshot, SnapshotError};

use crate::{Connector, CreateAuthentication, ServiceEnvironment, ServiceEnvironmentId};

/// One connector, with its typed checks behind function pointers.
#[derive(Clone, Copy)]
pub struct ConnectorEntry {
    service_name: &'static str,
    service_version: u32,
    environments: &'static [ServiceEnvironment],
    snapshot: &'static str,
    build: fn(&UntypedAuthentication<'_>) -> Result<Value, Vec<Problem>>,
}

/// An authentication as a row gives it: JSON not yet checked.
#[derive(Clone, Copy)]
pub struct UntypedAuthentication<'a> {
    /// The authentication's name.
    pub name: &'a str,
    /// The service environment's id.
    pub service_environment_id: &'a str,
    /// The `credentials` object.
    pub credentials: &'a Value,
    /// The `userData` object; absent is `{}`.
    pub user_data: Option<&'a Value>,
    /// The scopes, as Tray spells them.
    pub scopes: &'a [String],
    /// Whether the values came from text (CSV cells): a string is then read as the integer,
    /// number or boolean the types ask for, when it is one. A JSON row says what it means, so
    /// there a string for an integer is a problem.
    pub from_text: bool,
}

impl fmt::Debug for UntypedAuthentication<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials and user data may hold secrets: only their shape is shown.
        f.debug_struct("UntypedAuthentication")
            .field("name", &self.name)
            .field("service_environment_id", &self.service_environment_id)
            .field("scopes", &self.scopes)
            .field("from_text", &self.from_text)
            .finish_non_exhaustive()
    }
}

/// What is wrong with a row's value: where (a JSON pointer into Tray's body) and what. Never
/// the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON pointer (`/credentials/dc`).
    pub pointer: String,
    /// What is wrong, in words that hold no value from the row.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl ConnectorEntry {
    /// The entry of connector `C`.
    pub const fn of<C: Connector>() -> Self {
        ConnectorEntry {
            service_name: C::SERVICE_NAME,
            service_version: C::SERVICE_VERSION,
            environments: C::ENVIRONMENTS,
            snapshot: C::SNAPSHOT,
            build: build::<C>,
        }
    }

    /// The service name.
    pub fn service_name(&self) -> &'static str {
        self.service_name
    }

    /// The service version.
    pub fn service_version(&self) -> u32 {
        self.service_version
    }

    /// The service environments known from the snapshot.
    pub fn environments(&self) -> &'static [ServiceEnvironment] {
        self.environments
    }

    /// The snapshot the connector's types were generated from, as compact JSON
    /// ([`Connector::SNAPSHOT`]).
    pub fn snapshot(&self) -> &'static str {
        self.snapshot
    }

    /// The snapshot the connector's types were generated from, read: what Tray served then,
    /// to compare with what it serves now ([`tray_schema::diff`]). Named
    /// `<service>@<version> (compiled)` in errors; an error means the generated code was
    /// edited by hand.
    pub fn compiled_snapshot(&self) -> Result<Snapshot, SnapshotError> {
        let label = format!("{}@{} (compiled)", self.service_name, self.service_version);
        Snapshot::from_text(label, self.snapshot)
    }

    /// The environment a row names, by id or title (titles compared without case); `None`
    /// picks `Production`, or the only environment. An id the snapshot does not list is
    /// taken as is (a custom OAuth app's environment made after the snapshot).
    pub fn environment_id(&self, named: Option<&str>) -> Result<String, Problem> {
        let problem = |message: String| Problem {
            pointer: "/serviceEnvironmentId".to_owned(),
            message,
        };
        match named.map(str::trim).filter(|n| !n.is_empty()) {
            None => self
                .environments
                .iter()
                .find(|env| env.title == "Production")
                .or(if self.environments.len() == 1 {
                    self.environments.first()
                } else {
                    None
                })
                .map(|env| env.id.to_owned())
                .ok_or_else(|| {
                    problem(format!(
                        "{} has no `Production` environment: name one by title or id",
                        self.service_name
                    ))
                }),
            Some(named) => {
                if let Some(env) = self.environments.iter().find(|env| {
                    env.id.eq_ignore_ascii_case(named) || env.title.eq_ignore_ascii_case(named)
                }) {
                    return Ok(env.id.to_owned());
                }
                if uuid::Uuid::try_parse(named).is_ok() {
                    return Ok(named.to_ascii_lowercase());
                }
                let titles: Vec<&str> = self.environments.iter().map(|env| env.title).collect();
                Err(problem(format!(
                    "{} has no environment titled `{named}` (it has: {}); give a title or an id",
                    self.service_name,
                    titles.join(", ")
                )))
            }
        }
    }

    /// Checks a row through the connector's types and builds Tray's body from them.
    pub fn build(&self, row: &UntypedAuthentication<'_>) -> Result<Value, Vec<Problem>> {
        (self.build)(row)
    }
}

impl fmt::Debug for ConnectorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorEntry")
            .field("service_name", &self.service_name)
            .field("service_version", &self.service_version)
            .finish_non_exhaustive()
    }
}

/// Finds a connector by service name, and version when several versions are generated.
pub fn find<'a>(
    connectors: &'a [ConnectorEntry],
    service: &str,
    version: Option<u32>,
) -> Result<&'a ConnectorEntry, String> {
    let matching: Vec<&ConnectorEntry> = connectors
        .iter()
        .filter(|c| c.service_name == service && version.is_none_or(|v| v == c.service_version))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] if connectors.iter().any(|c| c.service_name == service) => {
            let versions: Vec<String> = connectors.iter().filter(|c| c.service_name == service).map(|c| c.service_version.to_string()).collect();
            Err(format!("`{service}` has no version {} here (generated: {})", version.unwrap_or_default(), versions.join(", ")))
        }
        [] => Err(format!("no connector `{service}` is generated: add its snapshot to schemas/ and run `tray-codegen generate` (or turn on its cargo feature)")),
        several => {
            let versions: Vec<String> = several.iter().map(|c| c.service_version.to_string()).collect();
            Err(format!("`{service}` has several versions ({}): name one, as `{service}@{}`", versions.join(", "), versions[0]))
        }
    }
}

fn build<C: Connector>(row: &UntypedAuthentication<'_>) -> Result<Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let environment = ServiceEnvironmentId::<C>::new(row.service_environment_id)
        .map_err(|_| {
            problems.push(Problem {
                pointer: "/serviceEnvironmentId".into(),
                message: "is not a UUID".into(),
            })
        })
        .ok();
    let empty = Value::Object(serde_json::Map::new());
    let credentials = parse::<C::Credentials>(row, row.credentials, "/credentials", &mut problems);
    let user_data = parse::<C::UserData>(
        row,
        row.user_data.unwrap_or(&empty),
        "/userData",
        &mut problems,
    );
    let mut scopes = Vec::new();
    for (i, scope) in row.scopes.iter().enumerate() {
        match serde_json::from_value::<C::Scope>(Value::String(scope.clone())) {
            Ok(scope) => scopes.push(scope),
            Err(_) => problems.push(Problem {
                pointer: format!("/scopes/{i}"),
                message: format!("`{scope}` is not a scope {} lists", C::SERVICE_NAME),
            }),
        }
    }
    let (Some(environment), Some(credentials), Some(user_data)) =
        (environment, credentials, user_data)
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let payload =
        CreateAuthentication::<C>::with_user_data(row.name, environment, credentials, user_data)
            .scopes(scopes);
    payload.body()
}

/// Reads `value` (the row's object at `at`) as `T`; a problem names the pointer serde stopped at.
fn parse<T: DeserializeOwned>(
    row: &UntypedAuthentication<'_>,
    value: &Value,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let read = if row.from_text {
        serde_path_to_error::deserialize::<_, T>(text::Text(value))
    } else {
        serde_path_to_error::deserialize::<_, T>(value)
    };
    match read {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let mut pointer = at.to_owned();
            for segment in error.path().iter() {
                use serde_path_to_error::Segment;
                match segment {
                    Segment::Seq { index } => {
                        tray_schema::pointer::push(&mut pointer, &index.to_string())
                    }
                    Segment::Map { key } => tray_schema::pointer::push(&mut pointer, key),
                    Segment::Enum { .. } | Segment::Unknown => {}
                }
            }
            problems.push(Problem {
                pointer,
                message: redact(&error.into_inner().to_string()),
            });
            None
        }
    }
}

/// A serde message without the value it quotes: `invalid type: string "hunter2", expected
/// i64` becomes `invalid type: a string, expected i64`.
fn redact(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if rest.starts_with("a ") || rest.starts_with("an ") {
                // Already names a kind, not a value (`Secret`'s own message).
                return message.to_owned();
            }
            let expected = rest.rfind(", expected ").map(|i| &rest[i..]).unwrap_or("");
            let kind = rest.split([' ', '`', '"']).next().unwrap_or("value");
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            return format!("{prefix}{article} {kind}{expected}");
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let expected = rest.find(", expected ").map(|i| &rest[i..]).unwrap_or("");
        return format!("not one of the values the schema lists{expected}");
    }
    // `missing field`, `unknown field`, `invalid length` name keys and counts, not values.
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_keeps_no_value() {
        assert_eq!(
            redact("invalid type: string \"hunter2\", expected i64"),
            "invalid type: a string, expected i64"
        );
        assert_eq!(
            redact("invalid type: integer `42`, expected a string"),
            "invalid type: an integer, expected a string"
        );
        assert_eq!(
            redact("unknown variant `s3cr3t`, expected one of `us`, `eu`"),
            "not one of the values the schema lists, expected one of `us`, `eu`"
        );
        assert_eq!(redact("missing field `dc`"), "missing field `dc`");
    }
}
