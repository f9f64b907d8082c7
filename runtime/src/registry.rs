//! The connectors compiled into a program, listed for code that needs them at run time.
//!
//! The generated crate lists its connectors in `tray_connectors::CONNECTORS`, one
//! [`ConnectorEntry`] each: a connector's name, version, environments and the snapshot its
//! types were generated from, which a preflight compares with what Tray serves now
//! (`tray_auth::client::Client::preflight`). Rows named at run time are checked against the
//! schemas Tray serves, by `tray-import`, not through these types.
//!
//! [`Problem`] is what is wrong with a value, by JSON pointer, never quoting it.

use std::fmt;

use tray_schema::snapshot::{Snapshot, SnapshotError};

use crate::{Connector, ServiceEnvironment};

/// One connector compiled into the program.
#[derive(Clone, Copy)]
pub struct ConnectorEntry {
    service_name: &'static str,
    service_version: u32,
    environments: &'static [ServiceEnvironment],
    snapshot: &'static str,
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
}

impl fmt::Debug for ConnectorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorEntry")
            .field("service_name", &self.service_name)
            .field("service_version", &self.service_version)
            .finish_non_exhaustive()
    }
}
