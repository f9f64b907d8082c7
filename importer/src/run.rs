//! What the tasks of one run share: [`Run`]. Its jobs are implemented where they are done
//! (`send.rs`, `session.rs`, `settle.rs`, `preflight.rs`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tray_auth::client::Client;

use crate::contact::Contact;
use crate::journal::writer::JournalWriter;
use crate::journal::{locked, Journal};
use crate::session::Sessions;

/// What is shared by the tasks of one run.
pub(crate) struct Run {
    pub(crate) client: Client,
    pub(crate) journal: Arc<Mutex<Journal>>,
    /// Journal writes from tasks, committed in batches.
    pub(crate) writes: JournalWriter,
    pub(crate) sessions: Arc<Sessions>,
    /// Whether Tray answers; when not, the run stops.
    pub(crate) contact: Contact,
    pub(crate) max_attempts: u32,
    pub(crate) retry_delay: Duration,
    pub(crate) token_lifetime: Duration,
}

impl Run {
    pub(crate) fn journal(&self) -> MutexGuard<'_, Journal> {
        locked(&self.journal)
    }
}
