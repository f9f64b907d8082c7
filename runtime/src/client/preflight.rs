//! Whether compiled connectors still match what Tray serves: the typed path's check before
//! its first create.
//!
//! Generated types are only as right as the snapshot they were generated from
//! ([`Connector::SNAPSHOT`](crate::Connector::SNAPSHOT)). When Tray changes a service
//! environment's schema or id after that, typed code still compiles, and its authentications
//! are refused (or, worse, accepted and broken later). [`Client::preflight`] asks Tray what it
//! serves now and compares it with each compiled snapshot ([`tray_schema::diff`], which asks
//! whether what the compiled code sends still fits what Tray accepts; `tray-codegen diff`
//! asks instead whether code written against the old types still compiles): a breaking change
//! means the code must be regenerated before it sends anything ([`Preflight::breaking`] gives
//! the [`Drift`] error to refuse with); a compatible one is worth a warning.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tray_schema::diff::{self, Change, Impact};
use tray_schema::printable::without_controls;
use tray_schema::snapshot::{listed_service, Snapshot};

use super::{Client, Error};
use crate::registry::ConnectorEntry;

/// How many service versions' environments are asked for at once (all within the client's
/// rate limit).
const AT_ONCE: usize = 8;

/// What [`Client::preflight`] found: for each service version checked whose compiled snapshot
/// differs from what Tray serves now, the changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preflight {
    /// The service versions with at least one change, in the order they were given.
    pub services: Vec<ServiceDrift>,
    /// Where Tray was asked, as `tray-codegen fetch` takes it ([`Client::fetch_args`]).
    pub fetch_args: String,
}

/// How what Tray serves for one service version differs from the compiled snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDrift {
    /// The service name.
    pub service: String,
    /// The service version.
    pub version: u32,
    /// The changes, breaking ones first; each with its path (`/credentials/dc`,
    /// `/environments/Production`) and impact. A path of `""` is the service version itself.
    pub changes: Vec<Change>,
}

impl ServiceDrift {
    /// The same service version with only the changes that break something (`breaking`) or
    /// only those that do not; `None` when there are none.
    fn only(&self, breaking: bool) -> Option<ServiceDrift> {
        let changes: Vec<Change> = self
            .changes
            .iter()
            .filter(|c| c.impact.is_breaking() == breaking)
            .cloned()
            .collect();
        (!changes.is_empty()).then(|| ServiceDrift {
            service: self.service.clone(),
            version: self.version,
            changes,
        })
    }
}

impl Preflight {
    /// Whether Tray serves exactly what every connector was generated from.
    pub fn is_clean(&self) -> bool {
        self.services.is_empty()
    }

    /// The breaking changes, as the error to refuse to start with; `None` when no change
    /// breaks the generated code.
    pub fn breaking(&self) -> Option<Drift> {
        let services: Vec<ServiceDrift> =
            self.services.iter().filter_map(|s| s.only(true)).collect();
        (!services.is_empty()).then(|| Drift {
            services,
            fetch_args: self.fetch_args.clone(),
        })
    }

    /// The compatible changes, per service version: the generated code still fits, but
    /// regenerating it would pick them up (warnings).
    pub fn compatible(&self) -> Vec<ServiceDrift> {
        self.services.iter().filter_map(|s| s.only(false)).collect()
    }
}

/// Compiled connectors that no longer match what Tray serves: the generated code must be
/// regenerated from fresh snapshots, and rebuilt, before it sends anything.
///
/// Its `Display` lists each service version and each breaking change (path and what changed),
/// and ends with what to run:
///
/// ```text
/// the typed connectors no longer match what Tray serves:
///   mailchimp@1:
///     /credentials/dc: type changed from string to integer
/// Regenerate them: `tray-codegen fetch --region eu` (refreshes schemas/ from Tray),
/// then `tray-codegen generate`, fix what no longer compiles, and rebuild.
/// ```
///
/// The `fetch` arguments are [`Drift::fetch_args`]'s: the Tray the client asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Drift {
    /// The service versions with breaking changes, and only those changes.
    pub services: Vec<ServiceDrift>,
    /// Where Tray was asked, as `tray-codegen fetch` takes it (`--region eu`, `--base-url
    /// URL`: [`Client::fetch_args`]); when empty, the message says `--region <your region>`.
    pub fetch_args: String,
}

impl Drift {
    /// Whether the service version `service@version` is among those that drifted.
    pub fn contains(&self, service: &str, version: u32) -> bool {
        self.services
            .iter()
            .any(|s| s.service == service && s.version == version)
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the typed connectors no longer match what Tray serves:")?;
        for service in &self.services {
            // Names, paths and messages come from Tray and from snapshots: printed inert.
            writeln!(
                f,
                "  {}@{}:",
                without_controls(&service.service),
                service.version
            )?;
            for change in &service.changes {
                let path = if change.path.is_empty() {
                    "(service version)"
                } else {
                    &change.path
                };
                writeln!(
                    f,
                    "    {}: {}",
                    without_controls(path),
                    without_controls(&change.message)
                )?;
            }
        }
        let args = if self.fetch_args.is_empty() {
            "--region <your region>".into()
        } else {
            without_controls(&self.fetch_args)
        };
        write!(
            f,
            "Regenerate them: `tray-codegen fetch {args}` (refreshes schemas/ from Tray), \
             then `tray-codegen generate`, fix what no longer compiles, and rebuild."
        )
    }
}

impl Client {
    /// Compares each connector's compiled snapshot with what Tray serves now: `GET
    /// /connectors` once (is the service version still listed?), then each service version's
    /// environments (several at once, within the client's rate limit), diffed as
    /// `tray-codegen diff` does. A connector given twice is checked once.
    ///
    /// An error means Tray could not be asked; differences are in the [`Preflight`]:
    ///
    /// ```no_run
    /// # async fn run(client: tray_auth::client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use tray_auth::registry::ConnectorEntry;
    /// # use tray_auth::doc_example::Example;
    /// let preflight = client.preflight(&[ConnectorEntry::of::<Example>()]).await?;
    /// if let Some(drift) = preflight.breaking() {
    ///     return Err(drift.into()); // lists each change and says what to run
    /// }
    /// for service in preflight.compatible() {
    ///     eprintln!("{}@{}: {} compatible changes", service.service, service.version, service.changes.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn preflight(&self, connectors: &[ConnectorEntry]) -> Result<Preflight, Error> {
        let mut wanted: Vec<&ConnectorEntry> = Vec::new();
        for entry in connectors {
            let key = (entry.service_name(), entry.service_version());
            if !wanted
                .iter()
                .any(|w| (w.service_name(), w.service_version()) == key)
            {
                wanted.push(entry);
            }
        }
        if wanted.is_empty() {
            return Ok(Preflight::default());
        }
        let listed = self.list_connectors().await?;
        let live = self.live_snapshots(&wanted, &listed).await?;
        let services = wanted
            .iter()
            .zip(live)
            .filter_map(|(entry, live)| {
                let changes = compare(entry, live, &listed);
                (!changes.is_empty()).then(|| ServiceDrift {
                    service: entry.service_name().to_owned(),
                    version: entry.service_version(),
                    changes,
                })
            })
            .collect();
        Ok(Preflight {
            services,
            fetch_args: self.fetch_args(),
        })
    }

    /// What Tray serves now for each wanted service version, in order; `None` for one
    /// `GET /connectors` does not list.
    async fn live_snapshots(
        &self,
        wanted: &[&ConnectorEntry],
        listed: &[Value],
    ) -> Result<Vec<Option<Snapshot>>, Error> {
        let permits = Arc::new(Semaphore::new(AT_ONCE));
        let mut tasks = JoinSet::new();
        for (i, entry) in wanted.iter().enumerate() {
            let (name, version) = (entry.service_name(), entry.service_version());
            let Some(connector) = listed
                .iter()
                .find(|c| listed_service(c) == Some((name, version)))
            else {
                continue;
            };
            let (client, permits, connector) = (self.clone(), permits.clone(), connector.clone());
            tasks.spawn(async move {
                // The semaphore is never closed, so acquiring only fails if it were.
                let _permit = permits.acquire_owned().await.ok();
                let environments = client.list_service_environments(name, version).await;
                let label = format!("{name}@{version} (Tray)");
                (
                    i,
                    environments.map(|e| Snapshot::new(label.into(), connector, e)),
                )
            });
        }
        let mut live: Vec<Option<Snapshot>> = vec![None; wanted.len()];
        while let Some(joined) = tasks.join_next().await {
            let (i, snapshot) = joined.map_err(|e| {
                Error::Config(format!("a preflight task stopped unexpectedly: {e}"))
            })?;
            live[i] = Some(snapshot?);
        }
        Ok(live)
    }
}

/// The changes from `entry`'s compiled snapshot to what Tray serves (`None`: the service
/// version is not listed), breaking ones first.
fn compare(entry: &ConnectorEntry, live: Option<Snapshot>, listed: &[Value]) -> Vec<Change> {
    let name = entry.service_name();
    let Some(live) = live else {
        let versions: Vec<String> = listed
            .iter()
            .filter_map(listed_service)
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let message = if versions.is_empty() {
            "Tray lists no such service any more (GET /connectors)".to_owned()
        } else {
            format!(
                "Tray no longer lists this service version; it lists version {}",
                versions.join(", ")
            )
        };
        return vec![breaking("", message)];
    };
    let compiled = match entry.compiled_snapshot() {
        Ok(compiled) => compiled,
        Err(e) => {
            return vec![breaking(
                "",
                format!("the compiled snapshot cannot be read ({e}): was the generated code edited by hand?"),
            )]
        }
    };
    let diff = diff::diff(&[compiled], &[live]);
    let mut changes: Vec<Change> = diff
        .connectors
        .into_iter()
        .flat_map(|c| c.changes)
        .collect();
    // Breaking first, then by path (as the diff sorts each connector's).
    changes.sort_by(|a, b| a.impact.cmp(&b.impact).then_with(|| a.path.cmp(&b.path)));
    changes
}

fn breaking(path: &str, message: String) -> Change {
    Change {
        path: path.to_owned(),
        impact: Impact::Breaking,
        message,
    }
}
