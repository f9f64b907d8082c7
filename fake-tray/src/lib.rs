//! A local fake of Tray's Platform API that speaks real HTTP on 127.0.0.1, for trying an
//! importer and for testing the `tray-auth` client without a Tray account.
//!
//! It serves the connectors and service environments of a snapshot folder verbatim, checks
//! created authentications against their environment's schemas as Tray does, mints end-user
//! tokens over GraphQL, and can misbehave on purpose: latency, a rate limit, 500s, and
//! connections dropped after the request body was read.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use fake_tray::{Fault, FakeTray, Options};
//! let tray = FakeTray::start(Options::new("schemas", "master-token")).await?;
//! println!("REST base: {}", tray.base_url());
//! tray.inject(Fault::TooManyRequests { retry_after: Some(1) });
//! // ... call it ...
//! assert!(tray.authentications().is_empty());
//! tray.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Routes: `GET /core/v1/connectors`, `GET /core/v1/services/{name}/versions/{version}/environments`,
//! `POST /core/v1/authentications`, `GET|DELETE /core/v1/authentications/{id}`,
//! `GET /core/v1/authentications/{id}/full`, `POST /graphql` (`createExternalUser`,
//! `authorize`, `viewer { authentications }`), and `GET /_fake/authentications` (master token:
//! everything stored, for tests and for looking).

mod catalog;
mod faults;
mod graphql;
mod rest;
mod serve;

#[cfg(test)]
mod pattern_tests;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Fault, Faults, RateLimit};

use catalog::Catalog;
use faults::FaultState;

/// How to start a fake.
#[derive(Debug, Clone)]
pub struct Options {
    /// The snapshot folder to serve (`schemas/`).
    pub schemas: PathBuf,
    /// Where to listen; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// The master token callers must send.
    pub master_token: String,
    /// A rate limit (429 beyond it); none by default.
    pub rate_limit: Option<RateLimit>,
    /// Standing faults; none by default.
    pub faults: Faults,
}

impl Options {
    /// Serves `schemas` on a free loopback port, with `master_token` as the master token.
    pub fn new(schemas: impl Into<PathBuf>, master_token: impl Into<String>) -> Self {
        Options {
            schemas: schemas.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            master_token: master_token.into(),
            rate_limit: None,
            faults: Faults::default(),
        }
    }
}

/// Why a fake could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The snapshot folder could not be read.
    #[error("fake Tray: {0}")]
    Snapshots(#[from] tray_schema::snapshot::SnapshotError),
    /// The address could not be bound.
    #[error("fake Tray: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The address is not a loopback address.
    #[error("fake Tray: {0} is not a loopback address; the fake holds credentials in the clear, so it only listens on 127.0.0.1 or [::1]")]
    NotLoopback(SocketAddr),
}

/// Whose token a request came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The master token.
    Master,
    /// An end user's token; the user's `userId`.
    User(String),
}

/// An authentication the fake created.
#[derive(Clone, PartialEq)]
pub struct StoredAuthentication {
    /// Its id.
    pub id: String,
    /// Who created it (and so who owns it).
    pub owner: Owner,
    /// The request body exactly as received (key order kept).
    pub body: Value,
}

impl StoredAuthentication {
    fn field(&self, key: &str) -> Option<&Value> {
        self.body.get(key)
    }

    /// The `serviceEnvironmentId` it was created in.
    pub fn service_environment_id(&self) -> &str {
        self.field("serviceEnvironmentId")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// Its `name`.
    pub fn name(&self) -> &str {
        self.field("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

impl fmt::Debug for StoredAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds credentials: show only what identifies the authentication.
        f.debug_struct("StoredAuthentication")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("name", &self.name())
            .field("service_environment_id", &self.service_environment_id())
            .finish_non_exhaustive()
    }
}

/// An end user made with GraphQL `createExternalUser`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalUser {
    /// The `userId` the fake gave it.
    pub user_id: String,
    /// Its `name`.
    pub name: String,
    /// Its `externalUserId`.
    pub external_user_id: String,
}

/// One request the fake received: no headers, no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The path, as `/core/v1/authentications`.
    pub path: String,
    /// The status answered; `None` when the connection was dropped instead.
    pub status: Option<u16>,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) authentications: Vec<StoredAuthentication>,
    pub(crate) users: Vec<ExternalUser>,
    /// User token → `userId`.
    pub(crate) tokens: HashMap<String, String>,
    pub(crate) requests: Vec<ReceivedRequest>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) catalog: Catalog,
    pub(crate) master_token: String,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultState>,
}

impl Shared {
    /// The store. A panic elsewhere while it was held cannot leave it half-written in a way
    /// that matters to a fake, so a poisoned lock is used as is.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Who a bearer token belongs to, if anyone.
    pub(crate) fn owner(&self, token: &str) -> Option<Owner> {
        if token == self.master_token {
            return Some(Owner::Master);
        }
        self.store().tokens.get(token).cloned().map(Owner::User)
    }
}

/// A running fake. Dropping it stops it.
#[derive(Debug)]
pub struct FakeTray {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeTray {
    /// Reads the snapshots and starts listening.
    pub async fn start(options: Options) -> Result<FakeTray, StartError> {
        if !options.addr.ip().is_loopback() {
            return Err(StartError::NotLoopback(options.addr));
        }
        let catalog = Catalog::read(&options.schemas)?;
        let shared = Arc::new(Shared {
            catalog,
            master_token: options.master_token,
            store: Mutex::new(Store::default()),
            faults: Mutex::new(FaultState::new(options.faults, options.rate_limit)),
        });
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: options.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: options.addr,
            source,
        })?;
        let (stop, stopped) = watch::channel(false);
        let router = rest::router(shared.clone());
        let task = tokio::spawn(serve::serve(listener, router, stopped));
        tracing::info!(%addr, "fake Tray listening");
        Ok(FakeTray {
            addr,
            shared,
            stop,
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The REST base to give a client: `http://127.0.0.1:PORT/core/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/core/v1", self.addr)
    }

    /// The GraphQL endpoint: `http://127.0.0.1:PORT/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// Every authentication stored, oldest first.
    pub fn authentications(&self) -> Vec<StoredAuthentication> {
        self.shared.store().authentications.clone()
    }

    /// Every end user made over GraphQL.
    pub fn users(&self) -> Vec<ExternalUser> {
        self.shared.store().users.clone()
    }

    /// Every request received, oldest first (method, path and status only).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.store().requests.clone()
    }

    /// Revokes every user token minted so far, as their expiry would: requests with them get
    /// a 401 until `authorize` mints new ones. The users and their authentications stay.
    pub fn revoke_user_tokens(&self) {
        self.shared.store().tokens.clear();
    }

    /// Queues a fault for the next API request (after any already queued).
    pub fn inject(&self, fault: Fault) {
        self.shared.faults().queue.push_back(fault);
    }

    /// Replaces the standing faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults().set(faults);
    }

    /// Stops listening, closes open connections, and waits for that.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeTray {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
