//! The services a run imports into, as Tray serves them now: for each service version the
//! input names, its service environments with their schemas, read once per run.
//!
//! A [`Catalog`] comes from Tray ([`Catalog::fetch`]: `GET /connectors` once, then
//! `GET /services/{name}/versions/{version}/environments` once per service version the input
//! names, within the client's rate limit) or from snapshot files ([`Catalog::from_snapshots`],
//! for `--schemas DIR`). Rows are resolved against it ([`Catalog::resolve`]): the service
//! version, then the environment (by title or id; `Production` by default, and for an OAuth
//! service the one environment of your own OAuth app). Nothing here comes from the connectors
//! compiled into the binary: every service is looked up the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Mutex;

use serde_json::Value;
use tokio::task::JoinSet;
use tray_auth::client::{Client, Error as ClientError};
use tray_auth::registry::Problem;
use tray_schema::printable::shown;
use tray_schema::snapshot::Snapshot;
use tray_schema::Checker;

/// How many service versions' environments are asked for at once (the client's rate limit
/// holds them all to Tray's).
const FETCH_JOBS: usize = 8;

/// The title of the environment Tray makes for every service.
const PRODUCTION: &str = "Production";

/// A service and version as a row names it: `slack` or `slack@4`.
pub type Wanted = (String, Option<u32>);

/// The service versions a run may import into, with their environments.
pub struct Catalog {
    /// Where the schemas came from, for messages: `Tray`, or the snapshot folder.
    source: String,
    /// Every service name listed, with its versions (ascending).
    listed: BTreeMap<String, Vec<u32>>,
    /// The service versions read; `Err` says why one cannot be used.
    services: BTreeMap<(String, u32), Result<Service, String>>,
    /// OAuth service versions whose rows name `Production`, already warned about.
    warned: Mutex<BTreeSet<String>>,
}

/// One service version and its environments.
pub struct Service {
    /// `name@version`.
    label: String,
    environments: Vec<Environment>,
}

/// One service environment, ready to check rows.
pub struct Environment {
    /// The `serviceEnvironmentId`.
    pub id: String,
    /// Its title (`Production`, or a custom OAuth app's).
    pub title: String,
    /// Tray's `authenticationType` (`token`, `oauth2`, ...).
    pub authentication_type: String,
    /// The `credentials` schema.
    pub credentials: LiveSchema,
    /// The `userData` schema.
    pub user_data: LiveSchema,
    /// The scopes it lists.
    pub scopes: Vec<String>,
    /// A digest of the environment as Tray described it (id, schemas, scopes): rows checked
    /// against it record it, so a rerun knows when the schema changed.
    pub digest: String,
}

/// A schema as served, and its checker.
pub struct LiveSchema {
    /// The schema as Tray sent it.
    pub raw: Value,
    /// Its checker.
    pub checker: Checker,
}

/// Why a catalog could not be made: nothing may be sent.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Tray could not be asked (unreachable, the token refused, an answer that is not one).
    #[error("{context}: {source}")]
    Tray {
        /// What was being asked.
        context: String,
        /// What went wrong (the client's message, redacted).
        source: ClientError,
    },
    /// The snapshot files could not be read.
    #[error(transparent)]
    Snapshot(#[from] tray_schema::snapshot::SnapshotError),
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("source", &self.source)
            .field("services", &self.services.len())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Asks Tray for the service versions `wanted` names: the connectors list once, then the
    /// environments of each service version a row can mean (its version, or the only one
    /// listed), up to 8 at once within the client's rate limit. Tray
    /// unreachable or the token refused is an error before anything is sent; a service
    /// version whose environments cannot be had makes its rows invalid.
    ///
    /// `wanted` is read once, after the connectors list, keeping only what Tray lists: an
    /// input naming a million made-up services holds no more than Tray's list in memory.
    pub async fn fetch(
        client: &Client,
        wanted: impl IntoIterator<Item = Wanted>,
    ) -> Result<Catalog, CatalogError> {
        let connectors = client
            .list_connectors()
            .await
            .map_err(|source| CatalogError::Tray {
                context: "cannot list Tray's connectors".into(),
                source,
            })?;
        let mut catalog = Catalog::empty("Tray");
        for connector in &connectors {
            let service = &connector["service"];
            if let (Some(name), Some(version)) = (
                service["name"].as_str(),
                service["version"]
                    .as_u64()
                    .and_then(|v| u32::try_from(v).ok()),
            ) {
                catalog.list(name, version);
            }
        }
        let mut tasks = JoinSet::new();
        let mut pending = catalog.needed(wanted).into_iter();
        loop {
            while tasks.len() < FETCH_JOBS {
                let Some((name, version)) = pending.next() else {
                    break;
                };
                let client = client.clone();
                tasks.spawn(async move {
                    let answer = client.list_service_environments(&name, version).await;
                    (name, version, answer)
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            // A task ends without a value only if it panicked; the client does not.
            let Ok((name, version, answer)) = joined else {
                continue;
            };
            let service = match answer {
                Ok(environments) => Service::read("Tray", &name, version, &environments),
                Err(error) if error.status() == Some(404) => Err(format!(
                    "Tray lists {} but has no environments for it (404): fetch again later, or leave its rows out",
                    label(&name, version)
                )),
                Err(source) => {
                    return Err(CatalogError::Tray {
                        context: format!(
                            "cannot read the environments of {}",
                            shown(&label(&name, version))
                        ),
                        source,
                    })
                }
            };
            catalog.services.insert((name, version), service);
        }
        Ok(catalog)
    }

    /// The service versions in snapshot files (`--schemas DIR`): nothing is asked of Tray.
    pub fn from_snapshots(source: &str, snapshots: &[Snapshot]) -> Catalog {
        let mut catalog = Catalog::empty(source);
        for snapshot in snapshots {
            let (name, version) = (snapshot.service_name(), snapshot.service_version());
            catalog.list(name, version);
            catalog.services.insert(
                (name.to_owned(), version),
                Service::read(source, name, version, &snapshot.environments),
            );
        }
        catalog
    }

    fn empty(source: &str) -> Catalog {
        Catalog {
            source: source.to_owned(),
            listed: BTreeMap::new(),
            services: BTreeMap::new(),
            warned: Mutex::new(BTreeSet::new()),
        }
    }

    fn list(&mut self, name: &str, version: u32) {
        let versions = self.listed.entry(name.to_owned()).or_default();
        if let Err(at) = versions.binary_search(&version) {
            versions.insert(at, version);
        }
    }

    /// The service versions rows naming `wanted` can mean: a named version that is listed, or
    /// the only version of a service named without one.
    fn needed(&self, wanted: impl IntoIterator<Item = Wanted>) -> BTreeSet<(String, u32)> {
        wanted
            .into_iter()
            .filter_map(|(name, version)| {
                let versions = self.listed.get(&name)?;
                match (version, versions.as_slice()) {
                    (Some(v), _) if versions.contains(&v) => Some((name, v)),
                    (None, [only]) => Some((name, *only)),
                    _ => None,
                }
            })
            .collect()
    }

    /// The service version and environment a row means. Problems point at `/connector` or
    /// `/serviceEnvironmentId` and say what to write instead.
    pub fn resolve(
        &self,
        name: &str,
        version: Option<u32>,
        environment: Option<&str>,
    ) -> Result<(&Service, &Environment), Problem> {
        let version = self.version(name, version)?;
        let service = match self.services.get(&(name.to_owned(), version)) {
            Some(Ok(service)) => service,
            Some(Err(why)) => return Err(connector_problem(why.clone())),
            None => {
                return Err(connector_problem(format!(
                    "{} was not read from {}",
                    shown(&label(name, version)),
                    self.source
                )))
            }
        };
        let environment = service.environment(environment)?;
        if service.is_oauth() && environment.is_production() {
            self.warn_production(service);
        }
        Ok((service, environment))
    }

    /// The digest of the environment `row` resolves to (see [`Environment::digest`]).
    pub fn schema_digest(&self, row: &crate::input::Row) -> Option<String> {
        self.resolve(
            &row.service,
            row.service_version,
            row.service_environment.as_deref(),
        )
        .ok()
        .map(|(_, environment)| environment.digest.clone())
    }

    fn version(&self, name: &str, version: Option<u32>) -> Result<u32, Problem> {
        let Some(versions) = self.listed.get(name) else {
            return Err(connector_problem(self.unknown_service(name)));
        };
        let listed = || {
            versions
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (version, versions.as_slice()) {
            (Some(v), _) if versions.contains(&v) => Ok(v),
            (Some(v), _) => Err(connector_problem(format!(
                "{} has no version {v} in {} (it lists: {}): write {}",
                shown(name),
                self.source,
                listed(),
                shown(&label(name, versions.last().copied().unwrap_or_default()))
            ))),
            (None, [only]) => Ok(*only),
            (None, _) => Err(connector_problem(format!(
                "{} has several versions in {} ({}): name one, as {}",
                shown(name),
                self.source,
                listed(),
                shown(&label(name, versions.last().copied().unwrap_or_default()))
            ))),
        }
    }

    fn unknown_service(&self, name: &str) -> String {
        let near = self
            .listed
            .keys()
            .map(|known| (strsim::jaro_winkler(&name.to_lowercase(), known), known))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| format!(" (did you mean {}?)", shown(known)))
            .unwrap_or_default();
        format!(
            "{} lists no service {}{near}: write the service name as Tray spells it",
            self.source,
            shown(name)
        )
    }

    /// Says once per service version that rows go to Tray's own OAuth app.
    fn warn_production(&self, service: &Service) {
        let mut warned = self
            .warned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if warned.insert(service.label.clone()) {
            tracing::warn!(
                "{}: rows name `Production`, which uses Tray's own OAuth app: tokens your OAuth app issued cannot be refreshed there; name your app's environment instead unless Tray's app issued them",
                shown(&service.label)
            );
        }
    }
}

fn connector_problem(message: String) -> Problem {
    Problem {
        pointer: "/connector".into(),
        message,
    }
}

fn environment_problem(message: String) -> Problem {
    Problem {
        pointer: "/serviceEnvironmentId".into(),
        message,
    }
}

fn label(name: &str, version: u32) -> String {
    format!("{name}@{version}")
}

impl Service {
    /// Reads a service version's environments as Tray lists them. An environment without an
    /// id or a title cannot be imported into, and makes the whole service version unusable
    /// (something is wrong with the answer).
    fn read(
        source: &str,
        name: &str,
        version: u32,
        environments: &[Value],
    ) -> Result<Service, String> {
        let label = label(name, version);
        let environments = environments
            .iter()
            .enumerate()
            .map(|(i, env)| {
                Environment::read(env).map_err(|why| {
                    format!(
                        "{source} gave environment {i} of {} without {why}: nothing can be imported into it",
                        shown(&label)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if environments.is_empty() {
            return Err(format!(
                "{} has no service environments: nothing can be imported into it",
                shown(&label)
            ));
        }
        Ok(Service {
            label,
            environments,
        })
    }

    /// `name@version`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether the service's `Production` environment is an OAuth one (Tray's own OAuth
    /// app): then imports go to your own app's environment unless a row names `Production`.
    /// A service whose `Production` takes tokens (Zendesk, beside a custom OAuth app) keeps
    /// `Production` as its default.
    fn is_oauth(&self) -> bool {
        self.environments
            .iter()
            .any(|env| env.is_production() && env.authentication_type.starts_with("oauth"))
    }

    /// The environment a row names (by id or title, without case), or the default one: for an
    /// OAuth service the one custom environment (your OAuth app's), else `Production` or the
    /// only environment.
    fn environment(&self, named: Option<&str>) -> Result<&Environment, Problem> {
        let titles = || {
            self.environments
                .iter()
                .map(|env| shown(&env.title))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(named) = named.map(str::trim).filter(|n| !n.is_empty()) {
            return self
                .environments
                .iter()
                .find(|env| env.id.eq_ignore_ascii_case(named))
                .or_else(|| {
                    self.environments
                        .iter()
                        .find(|env| env.title.eq_ignore_ascii_case(named))
                })
                .ok_or_else(|| {
                    environment_problem(format!(
                        "{} has no environment with the title or id {} (it has: {}): give one of those",
                        shown(&self.label),
                        shown(named),
                        titles()
                    ))
                });
        }
        if self.is_oauth() {
            let custom: Vec<&Environment> = self
                .environments
                .iter()
                .filter(|env| !env.is_production())
                .collect();
            return match custom.as_slice() {
                [one] => Ok(one),
                [] => Err(environment_problem(format!(
                    "{} is an OAuth service and Tray lists no environment for your own OAuth app: create one in Tray (in the builder, make an authentication for {} with your custom OAuth app: that adds its service environment), then name it in `serviceEnvironment`; name `Production` only if Tray's own OAuth app issued these tokens",
                    shown(&self.label),
                    shown(&self.label)
                ))),
                several => Err(environment_problem(format!(
                    "{} is an OAuth service with several environments of your own OAuth apps ({}): name one in `serviceEnvironment`",
                    shown(&self.label),
                    several
                        .iter()
                        .map(|env| shown(&env.title))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            };
        }
        self.environments
            .iter()
            .find(|env| env.is_production())
            .or(match self.environments.as_slice() {
                [only] => Some(only),
                _ => None,
            })
            .ok_or_else(|| {
                environment_problem(format!(
                    "{} has no `Production` environment (it has: {}): name one in `serviceEnvironment`",
                    shown(&self.label),
                    titles()
                ))
            })
    }
}

impl Environment {
    /// Reads one environment of Tray's answer; `Err` names what it lacks.
    fn read(env: &Value) -> Result<Environment, &'static str> {
        let id = env["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or("an id")?;
        let title = env["title"].as_str().ok_or("a title")?;
        let schema = |key: &str| {
            // A missing schema is an empty one: any object.
            let raw = env
                .get(key)
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default()));
            let (checker, diagnostics) = Checker::read(&raw);
            for diagnostic in diagnostics {
                tracing::debug!(environment = %shown(id), schema = key, "{diagnostic}");
            }
            LiveSchema { raw, checker }
        };
        let scopes = env["scopes"]
            .as_array()
            .map(|scopes| {
                scopes
                    .iter()
                    .filter_map(|s| s["scope"].as_str().or_else(|| s.as_str()))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Environment {
            id: id.to_owned(),
            title: title.to_owned(),
            authentication_type: env["authenticationType"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            credentials: schema("credentialsSchema"),
            user_data: schema("userDataSchema"),
            scopes,
            digest: digest(env),
        })
    }

    fn is_production(&self) -> bool {
        self.title.eq_ignore_ascii_case(PRODUCTION)
    }
}

/// SHA-256 of what decides whether a row fits: the environment's id, schemas and scopes, as
/// compact JSON (Tray's key order kept; a reordered answer reads as a change, which only
/// costs a re-check).
fn digest(env: &Value) -> String {
    let part = |key: &str| env.get(key).cloned().unwrap_or(Value::Null);
    let decisive = serde_json::json!([
        part("id"),
        part("credentialsSchema"),
        part("userDataSchema"),
        part("scopes")
    ]);
    let bytes = serde_json::to_vec(&decisive).unwrap_or_default();
    let hash = ring::digest::digest(&ring::digest::SHA256, &bytes);
    hash.as_ref()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn env(id: &str, title: &str, kind: &str) -> Value {
        json!({"id": id, "title": title, "authenticationType": kind,
               "credentialsSchema": {"type": "object", "required": ["k"], "properties": {"k": {"type": "string"}}},
               "userDataSchema": {}, "scopes": [{"scope": "read"}]})
    }

    fn catalog(services: &[(&str, u32, Vec<Value>)]) -> Catalog {
        let mut catalog = Catalog::empty("Tray");
        for (name, version, envs) in services {
            catalog.list(name, *version);
            catalog.services.insert(
                (name.to_string(), *version),
                Service::read("Tray", name, *version, envs),
            );
        }
        catalog
    }

    #[test]
    fn a_service_is_found_by_name_when_tray_lists_one_version_else_by_name_and_version() {
        let c = catalog(&[
            ("mailchimp", 1, vec![env("m", "Production", "token")]),
            ("slack", 3, vec![env("s3", "Production", "token")]),
            ("slack", 4, vec![env("s4", "Production", "token")]),
        ]);
        assert_eq!(c.resolve("mailchimp", None, None).unwrap().1.id, "m");
        assert_eq!(c.resolve("slack", Some(4), None).unwrap().1.id, "s4");
        let several = c.resolve("slack", None, None).err().unwrap();
        assert_eq!(several.pointer, "/connector");
        assert!(
            several.message.contains("as \"slack@4\""),
            "{}",
            several.message
        );
        let missing = c.resolve("slack", Some(9), None).err().unwrap();
        assert!(
            missing.message.contains("no version 9"),
            "{}",
            missing.message
        );
        let unknown = c.resolve("mailchimpp", None, None).err().unwrap();
        assert_eq!(unknown.pointer, "/connector");
        assert!(
            unknown.message.contains("did you mean \"mailchimp\""),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn environments_by_title_or_id_production_by_default() {
        let c = catalog(&[(
            "jira",
            3,
            vec![
                env("p-id", "Production", "token"),
                env("s-id", "Staging", "token"),
            ],
        )]);
        assert_eq!(c.resolve("jira", None, None).unwrap().1.id, "p-id");
        assert_eq!(
            c.resolve("jira", None, Some("staging")).unwrap().1.id,
            "s-id"
        );
        assert_eq!(c.resolve("jira", None, Some("S-ID")).unwrap().1.id, "s-id");
        let unknown = c.resolve("jira", None, Some("Sandbox")).err().unwrap();
        assert_eq!(unknown.pointer, "/serviceEnvironmentId");
        assert!(
            unknown.message.contains("\"Production\", \"Staging\""),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn an_oauth_row_goes_to_the_one_custom_environment_and_production_only_when_named() {
        let one = catalog(&[(
            "slack",
            4,
            vec![
                env("p", "Production", "oauth2"),
                env("mine", "My app", "oauth2"),
            ],
        )]);
        assert_eq!(one.resolve("slack", None, None).unwrap().1.id, "mine");
        assert_eq!(
            one.resolve("slack", None, Some("Production")).unwrap().1.id,
            "p"
        );

        let several = catalog(&[(
            "slack",
            4,
            vec![
                env("p", "Production", "oauth2"),
                env("a", "App A", "oauth2"),
                env("b", "App B", "oauth2"),
            ],
        )]);
        let problem = several.resolve("slack", None, None).err().unwrap();
        assert_eq!(problem.pointer, "/serviceEnvironmentId");
        assert!(
            problem.message.contains("\"App A\", \"App B\""),
            "{}",
            problem.message
        );
        assert_eq!(
            several.resolve("slack", None, Some("app b")).unwrap().1.id,
            "b"
        );

        let token_first = catalog(&[(
            "zendesk",
            2,
            vec![
                env("p", "Production", "token"),
                env("o", "Custom OAuth app", "oauth2"),
            ],
        )]);
        assert_eq!(
            token_first.resolve("zendesk", None, None).unwrap().1.id,
            "p"
        );

        let none = catalog(&[("slack", 4, vec![env("p", "Production", "oauth2")])]);
        let problem = none.resolve("slack", None, None).err().unwrap();
        assert!(
            problem.message.contains("create one in Tray"),
            "{}",
            problem.message
        );
        assert_eq!(
            none.resolve("slack", None, Some("production"))
                .unwrap()
                .1
                .id,
            "p"
        );
    }

    #[test]
    fn a_broken_answer_makes_its_service_unusable_with_a_reason() {
        let c = catalog(&[
            ("odd", 1, vec![json!({"title": "Production"})]),
            ("none", 1, vec![]),
        ]);
        let odd = c.resolve("odd", None, None).err().unwrap();
        assert!(odd.message.contains("without an id"), "{}", odd.message);
        let none = c.resolve("none", None, None).err().unwrap();
        assert!(
            none.message.contains("no service environments"),
            "{}",
            none.message
        );
    }

    #[test]
    fn only_the_service_versions_rows_can_mean_are_fetched() {
        let mut c = Catalog::empty("Tray");
        for (name, version) in [("slack", 3), ("slack", 4), ("jira", 3), ("airtable", 2)] {
            c.list(name, version);
        }
        let wanted: BTreeSet<Wanted> = [
            ("slack".to_owned(), Some(4)),
            ("slack".to_owned(), None),
            ("jira".to_owned(), None),
            ("nope".to_owned(), None),
            ("jira".to_owned(), Some(9)),
        ]
        .into();
        let needed: Vec<(String, u32)> = c.needed(wanted).into_iter().collect();
        assert_eq!(
            needed,
            [("jira".to_owned(), 3), ("slack".to_owned(), 4)],
            "airtable is not named; `slack` alone is ambiguous; jira@9 is not listed"
        );
    }

    #[test]
    fn the_digest_follows_the_schemas_not_the_title() {
        let a = env("p", "Production", "token");
        let mut retitled = a.clone();
        retitled["title"] = json!("Prod");
        let mut changed = a.clone();
        changed["credentialsSchema"]["required"] = json!([]);
        assert_eq!(digest(&a), digest(&retitled));
        assert_ne!(digest(&a), digest(&changed));
    }
}
