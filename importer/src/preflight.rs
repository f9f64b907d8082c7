//! The typed path's preflight: before an import sends the first row of a typed connector, it
//! checks that the snapshot the connector was generated from still matches what Tray serves
//! ([`Client::preflight`]). A breaking change stops the run with [`ImportError::Drift`]
//! before anything of that connector is sent; a compatible one is a warning, kept in
//! [`Summary::warnings`](crate::Summary::warnings).
//!
//! Each connector is checked once per [`Importer`](crate::Importer): by the first run that
//! sends one of its rows, or up front by [`Importer::preflight`](crate::Importer::preflight).
//! Rows read from files carry no compiled connector and are not checked here.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tray_auth::client::{Client, Drift, Error as ClientError, ServiceDrift};
use tray_auth::registry::ConnectorEntry;
use tray_schema::printable::without_controls;

use crate::error::ImportError;
use crate::item::ImportItem;

/// A service name and service version.
type Key = (&'static str, u32);

/// What an importer knows of its typed connectors: which were seen, checked, drifted.
#[derive(Debug, Default)]
pub(crate) struct Preflights {
    state: Mutex<Known>,
}

#[derive(Debug, Default)]
struct Known {
    /// Typed connectors met in items, not checked yet.
    unchecked: HashMap<Key, ConnectorEntry>,
    /// Checked connectors, and their breaking changes (none: they may be sent).
    checked: HashMap<Key, Option<ServiceDrift>>,
    /// The compatible changes found, per service version, in the order found.
    warnings: Vec<ServiceDrift>,
}

impl Preflights {
    fn state(&self) -> MutexGuard<'_, Known> {
        // Only maps are written under the lock: a poisoned one is used as is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes the typed connectors of `items`, to be checked before their first row is sent.
    pub(crate) fn learn<'a>(&self, items: impl IntoIterator<Item = &'a ImportItem>) {
        let mut state = self.state();
        for entry in items.into_iter().filter_map(ImportItem::connector_entry) {
            if !state.checked.contains_key(&key(&entry)) {
                state.unchecked.entry(key(&entry)).or_insert(entry);
            }
        }
    }

    /// Whether a row of `connector` (`service@version`) may be sent: yes for a connector that
    /// is not typed, or that was checked and matches; otherwise every typed connector met and
    /// not checked yet is checked now (one `GET /connectors` for all), and a breaking change
    /// of this one is [`ImportError::Drift`].
    pub(crate) async fn before_send(
        &self,
        client: &Client,
        connector: &str,
    ) -> Result<(), ImportError> {
        let parsed = connector
            .rsplit_once('@')
            .and_then(|(service, version)| Some((service, version.parse::<u32>().ok()?)));
        let Some((service, version)) = parsed else {
            return Ok(()); // not a typed connector's name
        };
        let pending: Vec<ConnectorEntry> = {
            let state = self.state();
            let known = |(s, v): &Key| *s == service && *v == version;
            if !state.unchecked.keys().any(known) {
                return judge(&state, state.checked.keys().filter(|k| known(k)), client);
            }
            state.unchecked.values().copied().collect()
        };
        self.ask(client, &pending).await?;
        let state = self.state();
        judge(
            &state,
            state
                .checked
                .keys()
                .filter(|(s, v)| *s == service && *v == version),
            client,
        )
    }

    /// Checks `connectors` against what Tray serves (those checked before are not asked
    /// again): the compatible changes of them, or [`ImportError::Drift`] with every breaking
    /// one.
    pub(crate) async fn check(
        &self,
        client: &Client,
        connectors: &[ConnectorEntry],
    ) -> Result<Vec<ServiceDrift>, ImportError> {
        self.ask(client, connectors).await?;
        let wanted: Vec<Key> = connectors.iter().map(key).collect();
        let state = self.state();
        judge(&state, wanted.iter(), client)?;
        Ok(state
            .warnings
            .iter()
            .filter(|w| {
                wanted
                    .iter()
                    .any(|(s, v)| w.service == *s && w.version == *v)
            })
            .cloned()
            .collect())
    }

    /// Asks Tray about those of `connectors` not checked yet, and notes what it said. Fails
    /// only when Tray could not be asked.
    async fn ask(&self, client: &Client, connectors: &[ConnectorEntry]) -> Result<(), ImportError> {
        let unchecked: Vec<ConnectorEntry> = {
            let state = self.state();
            connectors
                .iter()
                .filter(|e| !state.checked.contains_key(&key(e)))
                .copied()
                .collect()
        };
        if unchecked.is_empty() {
            return Ok(());
        }
        let found = client.preflight(&unchecked).await.map_err(stop)?;
        let breaking = found.breaking().map(|d| d.services).unwrap_or_default();
        let mut state = self.state();
        for entry in &unchecked {
            let drift = breaking
                .iter()
                .find(|d| (d.service.as_str(), d.version) == key(entry))
                .cloned();
            state.unchecked.remove(&key(entry));
            state.checked.insert(key(entry), drift);
        }
        for warning in found.compatible() {
            log(&warning);
            state.warnings.push(warning);
        }
        Ok(())
    }

    /// Every compatible change found so far.
    pub(crate) fn warnings(&self) -> Vec<ServiceDrift> {
        self.state().warnings.clone()
    }
}

fn key(entry: &ConnectorEntry) -> Key {
    (entry.service_name(), entry.service_version())
}

/// `Ok` when none of the checked connectors `keys` has a breaking change (found by asking
/// `client`'s Tray).
fn judge<'a>(
    state: &Known,
    keys: impl Iterator<Item = &'a Key>,
    client: &Client,
) -> Result<(), ImportError> {
    let services: Vec<ServiceDrift> = keys
        .filter_map(|k| state.checked.get(k).cloned().flatten())
        .collect();
    if services.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Drift(Drift {
            services,
            fetch_args: client.fetch_args(),
        }))
    }
}

/// A warning line per compatible change.
fn log(service: &ServiceDrift) {
    for change in &service.changes {
        tracing::warn!(
            service = %without_controls(&service.service),
            version = service.version,
            path = %without_controls(&change.path),
            change = %without_controls(&change.message),
            "Tray changed a typed connector compatibly; regenerate it to pick the change up"
        );
    }
}

/// Why Tray could not be asked, as the error that stops the run.
fn stop(error: ClientError) -> ImportError {
    match error {
        ClientError::Api {
            status: 401 | 403, ..
        } => ImportError::MasterTokenRefused(error.to_string()),
        ClientError::Network { .. } | ClientError::Timeout { .. } => {
            ImportError::Unreachable(error.to_string())
        }
        ClientError::Config(_) => ImportError::Client(error.to_string()),
        other => ImportError::Preflight(other),
    }
}
