//! Why an import stopped before the end of its input: [`ImportError`].

use crate::identity::ChangedRows;
use crate::journal::writer::WriteFailed;
use crate::journal::JournalError;

/// Why a run stopped before the end of its input. Rows sent so far are in the journal; the
/// same run again carries on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Tray refused the master token (or it may not make users).
    #[error("Tray refused the master token ({0}): check TRAY_MASTER_TOKEN and that it belongs to this region")]
    MasterTokenRefused(String),
    /// Rows of the input are not what their keys stood for when an earlier run sent them:
    /// nothing of them was sent (see [`Importer::check_changes`](crate::Importer::check_changes)).
    #[error("{0}")]
    Changed(ChangedRows),
    /// Tray could not be reached on the run's first call, or on several calls in a row.
    #[error("{0}\nThe import stopped; rows not sent are journaled as failed and are sent when the import runs again.")]
    Unreachable(String),
    /// The client cannot make requests at all (as with a token that cannot be sent).
    #[error("{0}")]
    Client(String),
    /// Journal writes queued by the tasks could not be committed.
    #[error("cannot write the journal: {0}")]
    JournalWrite(String),
    /// A task of the import failed unexpectedly.
    #[error("an import task stopped unexpectedly: {0}")]
    Task(String),
    /// The items' reader failed (an `Err` item): nothing after it was read; rows before it
    /// were sent and journaled, so running again with the reader mended carries on.
    #[error("reading the items failed: {0}\nRows before it that were sent are journaled; run again once the reader is mended.")]
    Input(Box<dyn std::error::Error + Send + Sync>),
    /// Typed connectors no longer match what Tray serves (see [`Importer::preflight`](crate::Importer::preflight)):
    /// nothing of them was sent.
    #[error("{0}\nNothing of these connectors was sent; rows sent before stay in the journal, and the import carries on when run again.")]
    Drift(tray_auth::client::Drift),
    /// Tray could not be asked whether typed connectors still match what it serves.
    #[error("could not compare the typed connectors with what Tray serves: {0}")]
    Preflight(tray_auth::client::Error),
}

impl From<WriteFailed> for ImportError {
    fn from(failed: WriteFailed) -> ImportError {
        ImportError::JournalWrite(failed.0)
    }
}
