//! Admission: what to do with each item of the input before anything is sent (skip it as
//! created, record it invalid or a duplicate, settle it, or journal it `pending` and send it).

use std::sync::Mutex;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tray_auth::registry::Problem;

use crate::check::CheckedRow;
use crate::error::ImportError;
use crate::identity::{compare, ChangedRow, ChangedRows, Digester, Identity};
use crate::item::ImportItem;
use crate::item::IntoImportItem;
use crate::journal::{locked, problems_json, Entry, Journal, State};
use crate::outcome::Outcome;

/// How many items are admitted (journaled) in one transaction at most.
pub(crate) const ADMIT_BATCH: usize = 64;

/// Why an item could not be read (an `Err` item of [`crate::Importer::run`]).
pub(crate) type ReadError = Box<dyn std::error::Error + Send + Sync>;

/// The items of a run, read on a blocking thread (an iterator may read a file or a database)
/// and handed over through a bounded channel, each with its row number. Reading stops at the
/// first item that is an error.
pub(crate) struct Input {
    receiver: mpsc::Receiver<Result<ImportItem, ReadError>>,
    reader: JoinHandle<()>,
    /// How many items were received.
    position: u64,
    /// The error that ended the items, once received.
    error: Option<ReadError>,
}

impl Input {
    /// Starts reading `items`, at most `buffer` of them ahead of admission.
    pub(crate) fn read<I>(items: I, buffer: usize) -> Input
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
        I::IntoIter: Send + 'static,
    {
        let (sender, receiver) = mpsc::channel(buffer);
        let items = items.into_iter();
        let reader = tokio::task::spawn_blocking(move || {
            for item in items {
                let item = item.into_import_item();
                let last = item.is_err();
                // A send fails when the run stopped.
                if sender.blocking_send(item).is_err() || last {
                    break;
                }
            }
        });
        Input {
            receiver,
            reader,
            position: 0,
            error: None,
        }
    }

    /// The next item, numbered (its own number, or its position counting from 1); `None`
    /// at the end of the items or at an error (see [`Input::error`]).
    async fn next(&mut self) -> Option<(u64, ImportItem)> {
        if self.error.is_some() {
            return None;
        }
        let item = self.receiver.recv().await?;
        self.numbered(item)
    }

    fn numbered(&mut self, item: Result<ImportItem, ReadError>) -> Option<(u64, ImportItem)> {
        match item {
            Ok(item) => {
                self.position += 1;
                Some((item.number.unwrap_or(self.position), item))
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// The next item and those waiting behind it (at most [`ADMIT_BATCH`]): admitted in one
    /// transaction, one commit for many `pending` rows.
    pub(crate) async fn next_batch(&mut self) -> Option<Vec<(u64, ImportItem)>> {
        let mut batch = vec![self.next().await?];
        while batch.len() < ADMIT_BATCH && self.error.is_none() {
            let Ok(item) = self.receiver.try_recv() else {
                break;
            };
            batch.extend(self.numbered(item));
        }
        Some(batch)
    }

    /// The error that ended the items, if one did.
    pub(crate) fn error(&mut self) -> Option<ReadError> {
        self.error.take()
    }

    /// Stops reading; the reading thread ends at its next item (await it).
    pub(crate) fn stop(self) -> JoinHandle<()> {
        self.reader
    }
}

/// What admission needs to know for the whole run.
pub(crate) struct Admission {
    this_run: i64,
    digester: Digester,
}

impl Admission {
    /// Starts a run of `journal` (claimed and checked by the caller).
    pub(crate) fn start(journal: &mut Journal) -> Result<Admission, ImportError> {
        Ok(Admission {
            this_run: journal.start_run()?,
            digester: Digester::new(&journal.digest_key()?),
        })
    }

    /// Admits a batch of items in one transaction. When an item is under a key that was sent
    /// for another row, nothing of the batch is admitted, the rest of the input is compared
    /// too (sending nothing), and the error names every changed row.
    pub(crate) async fn admit(
        &self,
        journal: &Mutex<Journal>,
        batch: Vec<(u64, ImportItem)>,
        input: &mut Input,
    ) -> Result<Vec<Admitted>, ImportError> {
        let admitted = locked(journal).transaction(|journal| self.admit_batch(journal, batch));
        match admitted {
            Err(ImportError::Changed(mut changed)) => {
                self.check_rest(journal, input, &mut changed).await?;
                Err(ImportError::Changed(changed))
            }
            admitted => admitted,
        }
    }

    /// Admits a batch of items (in the caller's transaction); fails with every changed item
    /// of the batch, so that none of it is sent.
    fn admit_batch(
        &self,
        journal: &Journal,
        batch: Vec<(u64, ImportItem)>,
    ) -> Result<Vec<Admitted>, ImportError> {
        let mut admitted = Vec::with_capacity(batch.len());
        let mut changed = ChangedRows::default();
        for (number, item) in batch {
            match admit(journal, item, number, self)? {
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
    async fn check_rest(
        &self,
        journal: &Mutex<Journal>,
        input: &mut Input,
        changed: &mut ChangedRows,
    ) -> Result<(), ImportError> {
        while let Some((number, item)) = input.next().await {
            let entry = locked(journal).get(&item.key)?;
            // A key this run met already is a duplicate, not a change.
            let Some(entry) = entry.filter(|e| e.run != self.this_run) else {
                continue;
            };
            if let Some(row) = compare(&entry, number, &item.identity(&self.digester)) {
                changed.push(row);
            }
        }
        Ok(())
    }
}

/// Decides what to do with one item: skip it, record it as invalid or as a duplicate, settle
/// it, or send it (journaled `pending` here, before a task takes it, so that a key given twice
/// is noticed even while the first is in flight). An item under a key that was sent for
/// another row is not admitted at all: `Ok(Err(..))` says how it differs.
fn admit(
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
        note_schema_change(&entry, &identity, number);
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

/// What admission decided for one item.
pub(crate) enum Admitted {
    /// Nothing to send: created before, invalid, or a duplicate.
    Done(Outcome),
    /// Journaled `pending`: to send.
    Send(CheckedRow),
    /// Its outcome is unknown: look it up in Tray before anything else.
    Settle(CheckedRow),
}

/// Every row is checked against the schemas of this run; says so for a row not created yet
/// whose schema changed since it was journaled.
fn note_schema_change(entry: &Entry, identity: &Identity, number: u64) {
    if entry.state != State::Created
        && entry.schema_digest.is_some()
        && identity.schema_digest.is_some()
        && entry.schema_digest != identity.schema_digest
    {
        tracing::info!(row = number, key = %entry.key, state = %entry.state, "the row's schema changed since it was journaled; it was checked against the schema served now");
    }
}
