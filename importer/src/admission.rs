//! Admission: what to do with each item of the input before anything is sent (skip it as
//! created, record it invalid or a duplicate, settle it, or journal it `pending` and send it).

use tokio::sync::mpsc;
use tray_auth::registry::Problem;

use crate::check::CheckedRow;
use crate::identity::{compare, ChangedRow, ChangedRows, Digester};
use crate::importer::{ImportError, Outcome, Run};
use crate::item::ImportItem;
use crate::journal::{problems_json, Journal, State};

/// How many items are admitted (journaled) in one transaction at most.
pub(crate) const ADMIT_BATCH: usize = 64;

/// The next item and those waiting behind it (at most [`ADMIT_BATCH`]): admitted in one
/// transaction, one commit for many `pending` rows.
pub(crate) async fn next_batch(
    receiver: &mut mpsc::Receiver<ImportItem>,
) -> Option<Vec<ImportItem>> {
    let mut batch = vec![receiver.recv().await?];
    while batch.len() < ADMIT_BATCH {
        match receiver.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// What admission needs to know for the whole run.
pub(crate) struct Admission {
    pub(crate) this_run: i64,
    pub(crate) digester: Digester,
}

/// Admits a batch of items (in the caller's transaction); fails with every changed item of the
/// batch, so that none of it is sent.
pub(crate) fn admit_batch(
    journal: &Journal,
    batch: Vec<ImportItem>,
    position: &mut u64,
    admission: &Admission,
) -> Result<Vec<Admitted>, ImportError> {
    let mut admitted = Vec::with_capacity(batch.len());
    let mut changed = ChangedRows::default();
    for item in batch {
        *position += 1;
        let number = item.number.unwrap_or(*position);
        match admit(journal, item, number, admission)? {
            Ok(item) => admitted.push(item),
            Err(row) => changed.push(row),
        }
    }
    if changed.is_empty() {
        Ok(admitted)
    } else {
        Err(ImportError::Changed(changed))
    }
}

/// Compares the items left in the input after a changed one, sending nothing.
pub(crate) async fn check_rest(
    run: &Run,
    receiver: &mut mpsc::Receiver<ImportItem>,
    position: &mut u64,
    admission: &Admission,
    changed: &mut ChangedRows,
) -> Result<(), ImportError> {
    while let Some(item) = receiver.recv().await {
        *position += 1;
        let number = item.number.unwrap_or(*position);
        let entry = run.journal().get(&item.key)?;
        // A key this run met already is a duplicate, not a change.
        let Some(entry) = entry.filter(|e| e.run != admission.this_run) else {
            continue;
        };
        if let Some(row) = compare(&entry, number, &item.identity(&admission.digester)) {
            changed.push(row);
        }
    }
    Ok(())
}

/// Decides what to do with one item: skip it, record it as invalid or as a duplicate, settle
/// it, or send it (journaled `pending` here, before a task takes it, so that a key given twice
/// is noticed even while the first is in flight). An item under a key that was sent for
/// another row is not admitted at all: `Ok(Err(..))` says how it differs.
pub(crate) fn admit(
    journal: &Journal,
    item: ImportItem,
    number: u64,
    admission: &Admission,
) -> Result<Result<Admitted, ChangedRow>, ImportError> {
    let done = |state, auth_id, earlier| {
        Ok(Ok(Admitted::Done(Outcome {
            row: number,
            key: item.key.clone(),
            state,
            auth_id,
            earlier,
        })))
    };
    let identity = item.identity(&admission.digester);
    if let Some(entry) = journal.get(&item.key)? {
        if entry.run == admission.this_run {
            // The journal's line for this key is the other row's; this one gets its own.
            let problem = Problem {
                pointer: "/key".into(),
                message: format!(
                    "row {} has this key too, so this row was left out: give each row its own key",
                    entry.row_number
                ),
            };
            journal.duplicate(&item.key, number, &identity, &problems_json(&[problem]))?;
            tracing::warn!(row = number, key = %item.key, other_row = entry.row_number, "the key is given twice in the input; this row is left out");
            return done(State::Invalid, None, false);
        }
        if let Some(changed) = compare(&entry, number, &identity) {
            return Ok(Err(changed));
        }
        if entry.state != State::Created
            && entry.schema_digest.is_some()
            && identity.schema_digest.is_some()
            && entry.schema_digest != identity.schema_digest
        {
            // Every row is checked against the schemas of this run; say so where it matters.
            tracing::info!(row = number, key = %item.key, state = %entry.state, "the row's schema changed since it was journaled; it was checked against the schema served now");
        }
        match entry.state {
            State::Created => {
                journal.seen(&item.key, number, &identity)?;
                return done(State::Created, entry.auth_id, true);
            }
            // It may have reached Tray: settled at the end of the run, never simply sent.
            State::Pending | State::Unknown => {
                journal.seen(&item.key, number, &identity)?;
                return match item.content {
                    Ok(mut row) => {
                        row.number = number;
                        Ok(Ok(Admitted::Settle(row)))
                    }
                    Err(_) => done(State::Unknown, None, true),
                };
            }
            State::Invalid | State::Failed => {}
        }
    }
    match item.content {
        Ok(mut row) => {
            row.number = number;
            journal.begin(&row.key, number, &identity)?;
            Ok(Ok(Admitted::Send(row)))
        }
        Err(ref problems) => {
            journal.invalid(&item.key, number, &identity, &problems_json(problems))?;
            tracing::debug!(row = number, key = %item.key, problems = problems.len(), "invalid row; not sent");
            done(State::Invalid, None, false)
        }
    }
}

pub(crate) enum Admitted {
    Done(Outcome),
    Send(CheckedRow),
    /// Its outcome is unknown: look it up in Tray before anything else.
    Settle(CheckedRow),
}
