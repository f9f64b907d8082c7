//! What an import reports: each row's [`Outcome`] as it happens, and the [`Summary`] of a run.

use crate::check::CheckedRow;
use crate::journal::State;

/// What became of one row in this run, for progress bars and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// The row's number.
    pub row: u64,
    /// The row's key.
    pub key: String,
    /// Its state now.
    pub state: State,
    /// The authentication's id, when created.
    pub auth_id: Option<String>,
    /// Whether it was created by an earlier run (and so skipped now).
    pub earlier: bool,
}

/// The counts of one run: each row of the input is counted once, by its state at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows created in this run.
    pub created: u64,
    /// Rows created by an earlier run, skipped.
    pub already_created: u64,
    /// Rows that do not fit their connector (or that Tray refused as invalid). Never sent.
    pub invalid: u64,
    /// Rows Tray refused or could not take; a rerun tries them again.
    pub failed: u64,
    /// Rows that may or may not have been created; a rerun settles them.
    pub unknown: u64,
    /// Rows with an unknown outcome that were found in Tray and recorded as created (counted
    /// in `created` or `already_created` too).
    pub settled: u64,
    /// Compatible changes Tray made to typed connectors since they were generated (see
    /// [`Importer::preflight`](crate::Importer::preflight)): their rows were sent; regenerating picks the changes up.
    pub warnings: Vec<tray_auth::client::ServiceDrift>,
}

impl Summary {
    /// Whether every row is created.
    pub fn is_complete(&self) -> bool {
        self.invalid == 0 && self.failed == 0 && self.unknown == 0
    }

    pub(crate) fn count(&mut self, outcome: &Outcome) {
        match outcome.state {
            State::Created if outcome.earlier => self.already_created += 1,
            State::Created => self.created += 1,
            State::Invalid => self.invalid += 1,
            State::Failed => self.failed += 1,
            State::Unknown | State::Pending => self.unknown += 1,
        }
    }
}

pub(crate) fn created(row: &CheckedRow, id: &str) -> Outcome {
    Outcome {
        auth_id: Some(id.to_owned()),
        ..outcome(row, State::Created)
    }
}

pub(crate) fn outcome(row: &CheckedRow, state: State) -> Outcome {
    Outcome {
        row: row.number,
        key: row.key.clone(),
        state,
        auth_id: None,
        earlier: false,
    }
}
