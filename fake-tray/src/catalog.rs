//! The connectors and service environments the fake serves, read from a snapshot folder.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;
use tray_schema::snapshot::{self, Snapshot, SnapshotError};

/// Everything `GET /connectors` and `GET .../environments` answer, kept verbatim.
#[derive(Debug, Default, Clone)]
pub(crate) struct Catalog {
    connectors: Vec<Value>,
    environments: BTreeMap<(String, u32), Vec<Value>>,
    /// Service environment id → (service, version, index into `environments`).
    by_id: HashMap<String, (String, u32, usize)>,
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

    /// A service environment by its id.
    pub(crate) fn environment(&self, id: &str) -> Option<&Value> {
        let (service, version, index) = self.by_id.get(id)?;
        self.environments
            .get(&(service.clone(), *version))?
            .get(*index)
    }
}
