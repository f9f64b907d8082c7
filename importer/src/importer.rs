//! The import itself: end users and their tokens, bounded concurrency within the client's
//! rate limit, the journal around every create, and settling rows whose outcome is unknown.
//!
//! Exactly once, and how: a row is journaled `pending` (committed) before its request is
//! sent, and `created`, `failed`, `invalid` or `unknown` after. A row that may have reached
//! Tray without an answer (`unknown`, or `pending` after a crash) is never simply sent again:
//! it is *settled* at the end of the run, when no create is in flight, by listing its end
//! user's authentications in Tray. One with the row's name and service environment that no
//! created row of the journal claims is the row's (when several could be, the one holding the
//! row's credentials); only if there is none is the row created again.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;
use tray_auth::client::{AuthenticationId, Bearer, Client, Error as ClientError, UserId};
use tray_auth::registry::Problem;

use crate::check::CheckedRow;
use crate::contact::Contact;
use crate::identity::{compare, ChangedRow, ChangedRows, Digester};
use crate::item::ImportItem;
use crate::journal::{Entry, Journal, JournalError, State};
use crate::session::{Session, Sessions};

/// How many items are admitted (journaled) in one transaction at most.
const ADMIT_BATCH: usize = 64;

/// What a row sent nothing for is journaled with when a run stops before it.
const NOT_SENT: &str =
    "not sent: the import stopped before this row could be sent; it is sent when the import runs again";

/// Tray's user tokens live two days; renew a little before.
const TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 24 * 3600 - 600);

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
}

impl Summary {
    /// Whether every row is created.
    pub fn is_complete(&self) -> bool {
        self.invalid == 0 && self.failed == 0 && self.unknown == 0
    }

    fn count(&mut self, outcome: &Outcome) {
        match outcome.state {
            State::Created if outcome.earlier => self.already_created += 1,
            State::Created => self.created += 1,
            State::Invalid => self.invalid += 1,
            State::Failed => self.failed += 1,
            State::Unknown | State::Pending => self.unknown += 1,
        }
    }
}

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
    /// nothing of them was sent (see [`Importer::check_changes`]).
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
    #[error("reading the items failed: {0}\nRows before it were imported and journaled; run again once the reader is mended.")]
    Input(Box<dyn std::error::Error + Send + Sync>),
}

/// What [`Importer::run`] takes: an [`ImportItem`], or a reader's `Result<ImportItem, E>`,
/// whose first `Err` stops the run cleanly (nothing after it is read; what is in flight
/// finishes and is journaled) and comes back as [`ImportError::Input`].
pub trait IntoImportItem: Send + 'static {
    /// The item, or the reader's error.
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>>;
}

impl IntoImportItem for ImportItem {
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self)
    }
}

impl<E> IntoImportItem for Result<ImportItem, E>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
{
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>> {
        self.map_err(Into::into)
    }
}

type Observer = Arc<dyn Fn(&Outcome) + Send + Sync>;

/// Imports authentications into Tray, each under its end user, exactly once.
///
/// ```no_run
/// # async fn run(items: Vec<tray_import::ImportItem>) -> Result<(), Box<dyn std::error::Error>> {
/// use tray_auth::client::{Client, Region};
/// use tray_auth::Secret;
/// use tray_import::{Importer, Journal};
///
/// let client = Client::builder()
///     .region(Region::Eu)
///     .master_token(Secret::from(std::env::var("TRAY_MASTER_TOKEN")?))
///     .build()?;
/// let summary = Importer::new(client, Journal::open("import.sqlite")?)
///     .concurrency(8)
///     .run(items)
///     .await?;
/// println!("{} created, {} failed", summary.created, summary.failed);
/// # Ok(()) }
/// ```
pub struct Importer {
    client: Client,
    journal: Arc<Mutex<Journal>>,
    sessions: Arc<Sessions>,
    concurrency: usize,
    max_attempts: u32,
    retry_delay: Duration,
    token_lifetime: Duration,
    observer: Option<Observer>,
}

impl fmt::Debug for Importer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Importer")
            .field("client", &self.client)
            .field("concurrency", &self.concurrency)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl Importer {
    /// An importer creating authentications with `client` (its master token makes end users
    /// and their tokens; its rate limit is shared by every task) and keeping each row's state
    /// in `journal`.
    pub fn new(client: Client, journal: Journal) -> Importer {
        Importer {
            client,
            journal: Arc::new(Mutex::new(journal)),
            sessions: Arc::new(Sessions::default()),
            concurrency: 8,
            max_attempts: 4,
            retry_delay: Duration::from_millis(500),
            token_lifetime: TOKEN_LIFETIME,
            observer: None,
        }
    }

    /// How many creates may be in flight at once (default 8; at least 1). The client's rate
    /// limit still applies to all of them together.
    #[must_use]
    pub fn concurrency(mut self, tasks: usize) -> Importer {
        self.concurrency = tasks.max(1);
        self
    }

    /// How many times one row is tried in a run when Tray fails (a 5xx, a 429 out of client
    /// retries, a network error), and how many rounds settle unknown outcomes (default 4).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Importer {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first wait before trying a row again; it doubles each time, with jitter
    /// (default 500 ms).
    #[must_use]
    pub fn retry_delay(mut self, delay: Duration) -> Importer {
        self.retry_delay = delay;
        self
    }

    /// How long a user token is used before it is renewed (default: Tray's two days, less
    /// ten minutes). A token refused with a 401 is renewed at once whatever its age.
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: Duration) -> Importer {
        self.token_lifetime = lifetime;
        self
    }

    /// Calls `observer` once for each row of the input, with its state at the end of the run
    /// (for a progress bar).
    #[must_use]
    pub fn on_outcome(mut self, observer: impl Fn(&Outcome) + Send + Sync + 'static) -> Importer {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The journal, for reading states and writing a report after a run.
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    /// Imports `items` (read on a blocking thread, so an iterator may read a file or a
    /// database): creates each row not created yet, skips created ones, and at the end
    /// settles the rows whose outcome is unknown (from this run or an earlier one).
    ///
    /// The run can be stopped at any moment (even `kill -9`) and started again with the same
    /// journal and items: no row is created twice and none is lost. One run at a time per
    /// journal (hence `&mut self`; the journal file is locked from the first run until the
    /// importer is dropped): settling relies on no other create being in flight.
    ///
    /// Keys must be stable: an item whose key was sent before for another row (another end
    /// user, connector, environment, name, or other credentials, user data or scopes) stops
    /// the run with [`ImportError::Changed`] before it or anything after it is sent, rather
    /// than being skipped as created. [`Importer::check_changes`] finds them all first.
    /// Tray unreachable on the first call (or on several in a row later) stops the run with
    /// [`ImportError::Unreachable`], the rows not sent journaled as `failed`.
    ///
    /// Items may be `Result<ImportItem, E>` (see [`IntoImportItem`]): a streaming reader's
    /// error stops the run with [`ImportError::Input`] once what is in flight is journaled.
    pub async fn run<I>(&mut self, items: I) -> Result<Summary, ImportError>
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
        I::IntoIter: Send + 'static,
    {
        let (writes, queue) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_journal(self.journal.clone(), queue));
        let run = Arc::new(Run {
            client: self.client.clone(),
            journal: self.journal.clone(),
            writes,
            sessions: self.sessions.clone(),
            contact: Contact::default(),
            max_attempts: self.max_attempts,
            retry_delay: self.retry_delay,
            token_lifetime: self.token_lifetime,
        });
        let result = self.run_with(&run, items).await;
        // The writer ends once every sender is gone: then the journal is only the importer's.
        drop(run);
        let _ = writer.await;
        result
    }

    /// Compares every item with what the journal recorded under its key, and sends nothing:
    /// `Err(ImportError::Changed)` names the items whose keys stood for other rows when an
    /// earlier run sent them (see [`Importer::run`]). A key given twice is compared once.
    ///
    /// [`Importer::run`] checks each item before sending it too, but can only stop at the
    /// first changed one; call this first, with the same items, to have nothing at all sent
    /// when any item changed (the `tray-import` command does, reading its file twice). It
    /// reads nothing when no row of the journal was sent yet.
    pub fn check_changes<I>(&mut self, items: I) -> Result<(), ImportError>
    where
        I: IntoIterator<Item = ImportItem>,
    {
        let mut journal = lock(&self.journal);
        journal.claim()?;
        journal.check_target(self.client.rest_base())?;
        if !journal.has_sent_rows()? {
            return Ok(());
        }
        let digester = Digester::new(&journal.digest_key()?);
        let mut changed = ChangedRows::default();
        journal.transaction(|journal| {
            journal.forget_sightings()?;
            for (position, item) in items.into_iter().enumerate() {
                let number = item.number.unwrap_or(position as u64 + 1);
                if !journal.first_sighting(&item.key)? {
                    continue;
                }
                if let Some(entry) = journal.get(&item.key)? {
                    if let Some(row) = compare(&entry, number, &item.identity(&digester)) {
                        changed.push(row);
                    }
                }
            }
            journal.forget_sightings()
        })?;
        if changed.is_empty() {
            Ok(())
        } else {
            Err(ImportError::Changed(changed))
        }
    }

    async fn run_with<I>(&self, run: &Arc<Run>, items: I) -> Result<Summary, ImportError>
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
        I::IntoIter: Send + 'static,
    {
        let admission = {
            let mut journal = run.journal();
            journal.claim()?;
            journal.check_target(self.client.rest_base())?;
            Admission {
                this_run: journal.start_run()?,
                digester: Digester::new(&journal.digest_key()?),
            }
        };
        let mut summary = Summary::default();
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let deferred = self
            .send_all(run, items, &admission, &permits, &mut summary)
            .await?;
        self.settle_all(run, deferred, &permits, &mut summary)
            .await?;
        Ok(summary)
    }

    /// 1. Reads the items (on a blocking thread, through a bounded channel), admits them in
    ///    batches and sends those to send, at most `concurrency` at a time. Returns the rows
    ///    to settle.
    async fn send_all<I>(
        &self,
        run: &Arc<Run>,
        items: I,
        admission: &Admission,
        permits: &Arc<Semaphore>,
        summary: &mut Summary,
    ) -> Result<Vec<CheckedRow>, ImportError>
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
        I::IntoIter: Send + 'static,
    {
        let buffer = (self.concurrency * 4).clamp(ADMIT_BATCH, 4096);
        let (sender, mut receiver) = mpsc::channel::<ImportItem>(buffer);
        let items = items.into_iter();
        // The reader's error, if it gave one: the producer ends there, and the run ends as
        // when the input ends, then returns it.
        let producer = tokio::task::spawn_blocking(move || {
            for item in items {
                match item.into_import_item() {
                    Ok(item) => {
                        if sender.blocking_send(item).is_err() {
                            return None; // the run stopped
                        }
                    }
                    Err(error) => return Some(error),
                }
            }
            None
        });
        let mut tasks: JoinSet<Result<(CheckedRow, Sent), ImportError>> = JoinSet::new();
        let mut deferred: Vec<CheckedRow> = Vec::new();
        let mut position = 0u64;
        let mut failure: Option<ImportError> = None;
        while let Some(batch) = next_batch(&mut receiver).await {
            let admitted = run.journal().transaction(|journal: &Journal| {
                admit_batch(journal, batch, &mut position, admission)
            });
            let admitted = match admitted {
                Ok(admitted) => admitted,
                Err(ImportError::Changed(mut changed)) => {
                    // Nothing of this batch was sent; say which other rows changed too.
                    let checked =
                        check_rest(run, &mut receiver, &mut position, admission, &mut changed)
                            .await;
                    failure = Some(checked.err().unwrap_or(ImportError::Changed(changed)));
                    break;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            for admitted in admitted {
                match admitted {
                    Admitted::Done(outcome) => self.report(summary, &outcome),
                    Admitted::Settle(row) => deferred.push(row),
                    Admitted::Send(row) => {
                        // Every begun row gets its task, even when the run is stopping: the
                        // task journals it as not sent. (The semaphore is never closed, so
                        // this waits and never fails.)
                        let permit = permits.clone().acquire_owned().await;
                        let run = run.clone();
                        tasks.spawn(async move {
                            let sent = run.send(&row, true).await;
                            drop(permit);
                            sent.map(|sent| (row, sent))
                        });
                    }
                }
                while let Some(done) = tasks.try_join_next() {
                    if let Err(e) = self.finished(done, summary, &mut deferred) {
                        failure.get_or_insert(e);
                    }
                }
            }
            if failure.is_some() || run.contact.stopped().is_some() {
                break;
            }
        }
        drop(receiver);
        // Let what is in flight finish, so its outcome is journaled, even when stopping.
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = self.finished(done, summary, &mut deferred) {
                failure.get_or_insert(e);
            }
        }
        let read_error = producer.await.ok().flatten();
        // Outcomes are committed before anything reads them or the run ends.
        let flushed = run.flush().await;
        if let Some(e) = failure
            .or_else(|| run.contact.stopped())
            .or(read_error.map(ImportError::Input))
        {
            return Err(e);
        }
        flushed?;
        Ok(deferred)
    }

    /// 2. Settles the rows whose outcome is unknown (from this run, or left `pending` or
    ///    `unknown` by an earlier one), now that no create is in flight, and sends again
    ///    those not found in Tray; as many rounds as `max_attempts`.
    async fn settle_all(
        &self,
        run: &Arc<Run>,
        mut deferred: Vec<CheckedRow>,
        permits: &Arc<Semaphore>,
        summary: &mut Summary,
    ) -> Result<(), ImportError> {
        for round in 1..=self.max_attempts {
            if deferred.is_empty() {
                break;
            }
            tracing::info!(
                rows = deferred.len(),
                round,
                "settling this run's unknown outcomes"
            );
            let mut again = Vec::new();
            for (row, settled) in run.settle(std::mem::take(&mut deferred)).await? {
                match settled {
                    Settled::Found(id) => {
                        summary.settled += 1;
                        self.report(summary, &created(&row, id.as_str()));
                    }
                    Settled::Missing => again.push(row),
                    Settled::Unreachable => {
                        self.report(summary, &outcome(&row, State::Unknown));
                    }
                }
            }
            let mut resend = JoinSet::new();
            for row in again {
                let permit = permits.clone().acquire_owned().await;
                let run = run.clone();
                resend.spawn(async move {
                    let sent = run.send(&row, false).await;
                    drop(permit);
                    sent.map(|sent| (row, sent))
                });
            }
            let mut failure = None;
            while let Some(done) = resend.join_next().await {
                if let Err(e) = self.finished(done, summary, &mut deferred) {
                    failure.get_or_insert(e);
                }
            }
            if let Some(e) = failure.or_else(|| run.contact.stopped()) {
                let _ = run.flush().await;
                return Err(e);
            }
        }
        for row in deferred {
            self.report(summary, &outcome(&row, State::Unknown));
        }
        run.flush().await
    }

    fn finished(
        &self,
        done: Result<Result<(CheckedRow, Sent), ImportError>, tokio::task::JoinError>,
        summary: &mut Summary,
        deferred: &mut Vec<CheckedRow>,
    ) -> Result<(), ImportError> {
        let (row, sent) = done.map_err(|e| ImportError::Task(e.to_string()))??;
        match sent {
            Sent::Created(id) => self.report(summary, &created(&row, id.as_str())),
            Sent::Invalid => self.report(summary, &outcome(&row, State::Invalid)),
            Sent::Failed => self.report(summary, &outcome(&row, State::Failed)),
            Sent::Unknown => deferred.push(row),
        }
        Ok(())
    }

    fn report(&self, summary: &mut Summary, outcome: &Outcome) {
        summary.count(outcome);
        if let Some(observer) = &self.observer {
            observer(outcome);
        }
    }
}

/// The next item and those waiting behind it (at most [`ADMIT_BATCH`]): admitted in one
/// transaction, one commit for many `pending` rows.
async fn next_batch(receiver: &mut mpsc::Receiver<ImportItem>) -> Option<Vec<ImportItem>> {
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
struct Admission {
    this_run: i64,
    digester: Digester,
}

/// Admits a batch of items (in the caller's transaction); fails with every changed item of the
/// batch, so that none of it is sent.
fn admit_batch(
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
async fn check_rest(
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

fn created(row: &CheckedRow, id: &str) -> Outcome {
    Outcome {
        auth_id: Some(id.to_owned()),
        ..outcome(row, State::Created)
    }
}

fn outcome(row: &CheckedRow, state: State) -> Outcome {
    Outcome {
        row: row.number,
        key: row.key.clone(),
        state,
        auth_id: None,
        earlier: false,
    }
}

enum Admitted {
    Done(Outcome),
    Send(CheckedRow),
    /// Its outcome is unknown: look it up in Tray before anything else.
    Settle(CheckedRow),
}

/// How sending a row ended (already journaled).
enum Sent {
    Created(AuthenticationId),
    Invalid,
    Failed,
    Unknown,
}

/// How settling a row ended (already journaled).
enum Settled {
    /// Found in Tray: recorded as created with this id.
    Found(AuthenticationId),
    /// Not in Tray: recorded as failed, to be sent again.
    Missing,
    /// The user's authentications could not be listed: still unknown.
    Unreachable,
}

/// Unsettled rows of one end user with the same name and service environment (lower case).
type Group = (String, String, Vec<(CheckedRow, Entry)>);

/// What is shared by the tasks of one run.
struct Run {
    client: Client,
    journal: Arc<Mutex<Journal>>,
    /// Journal writes from tasks, committed in batches by [`write_journal`].
    writes: mpsc::UnboundedSender<Write>,
    sessions: Arc<Sessions>,
    /// Whether Tray answers; when not, the run stops.
    contact: Contact,
    max_attempts: u32,
    retry_delay: Duration,
    token_lifetime: Duration,
}

/// Why an end user's session could not be had.
enum NoSession {
    Fatal(ImportError),
    Row(String),
}

fn lock(journal: &Mutex<Journal>) -> MutexGuard<'_, Journal> {
    // A panic while holding the lock cannot leave SQLite half-written (each call is one
    // transaction), so a poisoned lock is used as is.
    journal.lock().unwrap_or_else(|e| e.into_inner())
}

/// A journal write queued by a task.
enum Write {
    /// Marks a row journaled earlier `pending` again; answered once committed, since the row
    /// may be sent only then.
    Again {
        key: String,
        committed: oneshot::Sender<Result<(), String>>,
    },
    /// Records an outcome. Committed with the next batch: if the process dies first, the row
    /// is found `pending` and settled, which is safe.
    Finish {
        key: String,
        state: State,
        auth_id: Option<String>,
        detail: Option<String>,
    },
    /// Answered once everything queued before it is committed.
    Flush(oneshot::Sender<Result<(), String>>),
}

/// Applies queued writes in order, as many as are waiting in one transaction (group commit:
/// one commit a batch instead of one a row). After a failure, every later write fails too.
async fn write_journal(journal: Arc<Mutex<Journal>>, mut queue: mpsc::UnboundedReceiver<Write>) {
    let mut writes = Vec::new();
    let mut broken: Option<String> = None;
    while queue.recv_many(&mut writes, 4096).await > 0 {
        let result = match &broken {
            Some(e) => Err(e.clone()),
            None => lock(&journal)
                .transaction(|journal| {
                    for write in &writes {
                        match write {
                            Write::Again { key, .. } => journal.again(key)?,
                            Write::Finish {
                                key,
                                state,
                                auth_id,
                                detail,
                            } => journal.finish(
                                key,
                                *state,
                                auth_id.as_deref(),
                                detail.as_deref(),
                            )?,
                            Write::Flush(_) => {}
                        }
                    }
                    Ok::<_, JournalError>(())
                })
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = &result {
            tracing::error!(error = %e, "cannot write the journal");
            broken.get_or_insert_with(|| e.clone());
        }
        for write in writes.drain(..) {
            match write {
                Write::Again { committed, .. } | Write::Flush(committed) => {
                    let _ = committed.send(result.clone());
                }
                Write::Finish { .. } => {}
            }
        }
    }
}

impl Run {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    fn queue(&self, write: Write) -> Result<(), ImportError> {
        self.writes
            .send(write)
            .map_err(|_| ImportError::JournalWrite("the journal writer stopped".into()))
    }

    /// Journals a row `pending` again and waits until that is committed.
    async fn again(&self, row: &CheckedRow) -> Result<(), ImportError> {
        let (committed, done) = oneshot::channel();
        self.queue(Write::Again {
            key: row.key.clone(),
            committed,
        })?;
        done.await
            .map_err(|_| ImportError::JournalWrite("the journal writer stopped".into()))?
            .map_err(ImportError::JournalWrite)
    }

    /// Journals a row's outcome (committed with the next batch).
    fn finish(
        &self,
        key: &str,
        state: State,
        auth_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), ImportError> {
        self.queue(Write::Finish {
            key: key.to_owned(),
            state,
            auth_id: auth_id.map(str::to_owned),
            detail: detail.map(str::to_owned),
        })
    }

    /// Waits until every write queued so far is committed.
    async fn flush(&self) -> Result<(), ImportError> {
        let (committed, done) = oneshot::channel();
        self.queue(Write::Flush(committed))?;
        done.await
            .map_err(|_| ImportError::JournalWrite("the journal writer stopped".into()))?
            .map_err(ImportError::JournalWrite)
    }

    async fn backoff(&self, attempt: u32) {
        let base = self
            .retry_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(10)))
            .min(Duration::from_secs(30));
        let wait = base / 2 + (base / 2).mul_f64(fastrand::f64());
        tokio::time::sleep(wait).await;
    }

    /// Sends one row, trying again what surely did not create it, and journals the outcome.
    /// `begun`: the row is journaled `pending` already (for its first attempt).
    async fn send(&self, row: &CheckedRow, mut begun: bool) -> Result<Sent, ImportError> {
        let mut attempt = 0;
        let mut renewals = 0;
        loop {
            attempt += 1;
            if self.contact.stopped().is_some() {
                self.finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
                return Ok(Sent::Failed);
            }
            if !begun {
                self.again(row).await?;
            }
            begun = false;
            let session = match self.session(&row.external_user_id).await {
                Ok(session) => session,
                Err(NoSession::Fatal(e)) => {
                    self.finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
                    return Err(e);
                }
                Err(NoSession::Row(detail)) => {
                    // Nothing was sent.
                    self.finish(&row.key, State::Failed, None, Some(&detail))?;
                    tracing::warn!(row = row.number, key = %row.key, %detail, "failed");
                    return Ok(Sent::Failed);
                }
            };
            let result = self
                .client
                .create_authentication_raw(Bearer::User(&session.token), &row.body)
                .await;
            if let Some(stop) = self.contact.observe(&result) {
                // Tray was not reached, or the request could not be made: not sent.
                self.finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
                return Err(stop);
            }
            let error = match result {
                Ok(id) => {
                    self.finish(&row.key, State::Created, Some(id.as_str()), None)?;
                    tracing::debug!(row = row.number, key = %row.key, auth_id = %id, "created");
                    return Ok(Sent::Created(id));
                }
                Err(error) => error,
            };
            let detail = error.to_string();
            match error {
                // A 5xx other than 503 may come after Tray stored the authentication (the
                // client does not retry it either): as uncertain as no answer at all.
                ClientError::UnknownOutcome { .. }
                | ClientError::Api {
                    status: 500..=502 | 504..=599,
                    ..
                } => {
                    self.finish(&row.key, State::Unknown, None, Some(&detail))?;
                    tracing::info!(row = row.number, key = %row.key, "outcome unknown; settled at the end of the run");
                    return Ok(Sent::Unknown);
                }
                ClientError::Api { status: 401, .. } if renewals < 2 => {
                    // Not created; the token expired or was revoked. Renew it and try again.
                    renewals += 1;
                    attempt -= 1;
                    self.finish(&row.key, State::Failed, None, Some(&detail))?;
                    self.refused(&row.external_user_id, session.generation)
                        .await;
                    tracing::info!(row = row.number, "user token refused; renewing it");
                }
                ClientError::Api {
                    status: 400,
                    message,
                    ..
                } => {
                    let problems = vec![Problem {
                        pointer: String::new(),
                        message: format!(
                            "Tray refused the body: {}; re-fetch the snapshots (`tray-codegen fetch`) if the schema changed",
                            redact_values(&message)
                        ),
                    }];
                    self.finish(
                        &row.key,
                        State::Invalid,
                        None,
                        Some(&problems_json(&problems)),
                    )?;
                    tracing::warn!(row = row.number, key = %row.key, "Tray refused the row as invalid");
                    return Ok(Sent::Invalid);
                }
                // Refused before it was handled: safe to send again.
                ClientError::Api {
                    status: status @ (429 | 503),
                    ..
                } if attempt < self.max_attempts => {
                    self.finish(&row.key, State::Failed, None, Some(&detail))?;
                    tracing::info!(
                        row = row.number,
                        status,
                        attempt,
                        "Tray failed; trying the row again"
                    );
                    self.backoff(attempt).await;
                }
                ClientError::Network { .. } if attempt < self.max_attempts => {
                    self.finish(&row.key, State::Failed, None, Some(&detail))?;
                    tracing::info!(
                        row = row.number,
                        attempt,
                        "Tray unreachable; trying the row again"
                    );
                    self.backoff(attempt).await;
                }
                _ => {
                    self.finish(&row.key, State::Failed, None, Some(&detail))?;
                    tracing::warn!(row = row.number, key = %row.key, %detail, "failed");
                    return Ok(Sent::Failed);
                }
            }
        }
    }

    /// The end user's Tray user id and a fresh token: from the cache, or found in the journal
    /// (or created) and authorized.
    async fn session(&self, external_user_id: &str) -> Result<Session, NoSession> {
        let slot = self.sessions.slot(external_user_id);
        let mut slot = slot.lock().await;
        if let Some(session) = slot.fresh(self.token_lifetime) {
            return Ok(session);
        }
        // Waiting for the slot, another task may have found that the run must stop.
        if let Some(stop) = self.contact.stopped() {
            return Err(NoSession::Fatal(stop));
        }
        let user_id = match slot.user_id.clone() {
            Some(user_id) => user_id,
            None => {
                let journaled = self
                    .journal()
                    .user_id(external_user_id)
                    .map_err(|e| NoSession::Fatal(e.into()))?;
                match journaled {
                    Some(user_id) => UserId::new(user_id),
                    None => self.create_user(external_user_id).await?,
                }
            }
        };
        let mut attempt = 0;
        let token = loop {
            attempt += 1;
            let result = self.client.authorize(&user_id).await;
            if let Some(stop) = self.contact.observe(&result) {
                return Err(NoSession::Fatal(stop));
            }
            match result {
                Ok(token) => break token,
                Err(e) if master_refused(&e) => {
                    return Err(NoSession::Fatal(self.contact.master_token_refused(&e)))
                }
                Err(e) if retryable(&e) && attempt < self.max_attempts => {
                    tracing::info!(attempt, error = %e, "authorize failed; trying again");
                    self.backoff(attempt).await;
                }
                Err(e) => {
                    return Err(NoSession::Row(format!(
                        "could not get a user token for end user `{external_user_id}`: {e}"
                    )))
                }
            }
        };
        tracing::debug!(external_user_id, user_id = %user_id, "user token obtained");
        Ok(slot.keep(user_id, token, &self.sessions))
    }

    /// Makes the Tray user of an end user and journals its id.
    async fn create_user(&self, external_user_id: &str) -> Result<UserId, NoSession> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Tray takes a display name; the external id is what an import knows.
            let result = self
                .client
                .create_external_user(external_user_id, external_user_id)
                .await;
            if let Some(stop) = self.contact.observe(&result) {
                return Err(NoSession::Fatal(stop));
            }
            match result {
                Ok(user_id) => {
                    self.journal()
                        .set_user_id(external_user_id, user_id.as_str())
                        .map_err(|e| NoSession::Fatal(e.into()))?;
                    tracing::info!(external_user_id, user_id = %user_id, "Tray user created");
                    return Ok(user_id);
                }
                Err(e) if master_refused(&e) => {
                    return Err(NoSession::Fatal(self.contact.master_token_refused(&e)))
                }
                // An unknown outcome may leave a Tray user with no authentications behind;
                // authentications are only ever made with the journaled user's token.
                Err(e)
                    if (retryable(&e) || e.is_unknown_outcome()) && attempt < self.max_attempts =>
                {
                    tracing::warn!(external_user_id, attempt, error = %e, "creating the Tray user failed; trying again");
                    self.backoff(attempt).await;
                }
                Err(e) => {
                    return Err(NoSession::Row(format!(
                        "could not create the Tray user for end user `{external_user_id}`: {e}"
                    )))
                }
            }
        }
    }

    async fn refused(&self, external_user_id: &str, generation: u64) {
        let slot = self.sessions.slot(external_user_id);
        slot.lock().await.refused(generation);
    }

    /// Settles rows that may have reached Tray: for each end user (with no create in flight),
    /// lists their authentications and matches them to the rows by name and service
    /// environment, leaving out those that created rows of the journal claim.
    ///
    /// When several rows or several authentications share a name and environment, the
    /// candidates' credentials and user data are read (`GET /authentications/{id}/full`) and
    /// each row takes the one holding exactly what it sends; rows left over then take the
    /// left-over candidates in row order.
    async fn settle(
        &self,
        rows: Vec<CheckedRow>,
    ) -> Result<Vec<(CheckedRow, Settled)>, ImportError> {
        // What the journal says must include every outcome so far (claimed ids above all).
        self.flush().await?;
        let mut by_user: HashMap<String, Vec<(CheckedRow, Entry)>> = HashMap::new();
        for row in rows {
            let entry = self.journal().get(&row.key)?;
            let Some(entry) = entry else { continue };
            by_user
                .entry(entry.external_user_id.clone())
                .or_default()
                .push((row, entry));
        }
        let mut out = Vec::new();
        for (external_user_id, mut rows) in by_user {
            rows.sort_by_key(|(row, _)| row.number);
            let Some((session, listed)) = self.list(&external_user_id).await? else {
                for (row, _) in rows {
                    self.finish(
                        &row.key,
                        State::Unknown,
                        None,
                        Some("outcome unknown, and the end user's authentications could not be listed; run again to settle it"),
                    )?;
                    out.push((row, Settled::Unreachable));
                }
                continue;
            };
            let claimed: HashSet<String> = self.journal().claimed_auth_ids(&external_user_id)?;
            // Group the rows by what Tray lists: name and service environment.
            let mut groups: Vec<Group> = Vec::new();
            for (row, entry) in rows {
                let environment = entry
                    .service_environment_id
                    .clone()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match groups
                    .iter_mut()
                    .find(|(name, env, _)| *name == entry.name && *env == environment)
                {
                    Some((_, _, group)) => group.push((row, entry)),
                    None => groups.push((entry.name.clone(), environment, vec![(row, entry)])),
                }
            }
            for (name, environment, group) in groups {
                let mut candidates: Vec<&AuthenticationId> = listed
                    .iter()
                    .filter(|auth| {
                        auth.name == name
                            && auth
                                .service_environment_id
                                .eq_ignore_ascii_case(&environment)
                            && !claimed.contains(auth.id.as_str())
                    })
                    .map(|auth| &auth.id)
                    .collect();
                let mut assigned: Vec<Option<AuthenticationId>> = vec![None; group.len()];
                if group.len() > 1 || candidates.len() > 1 {
                    for candidate in candidates.clone() {
                        let full = self
                            .client
                            .get_full_authentication(Bearer::User(&session.token), candidate)
                            .await;
                        if let Some(stop) = self.contact.observe(&full) {
                            return Err(stop);
                        }
                        let Ok(full) = full else { continue };
                        let holds = |row: &CheckedRow| {
                            let empty = Value::Object(serde_json::Map::new());
                            row.body.get("credentials").unwrap_or(&empty) == &full.credentials
                                && row.body.get("userData").unwrap_or(&empty) == &full.user_data
                        };
                        if let Some(i) =
                            (0..group.len()).find(|&i| assigned[i].is_none() && holds(&group[i].0))
                        {
                            assigned[i] = Some(candidate.clone());
                            candidates.retain(|c| *c != candidate);
                        }
                    }
                }
                let mut left_over = candidates.into_iter();
                for (i, (row, _)) in group.into_iter().enumerate() {
                    let found = assigned[i].take().or_else(|| left_over.next().cloned());
                    let settled = self.record_settled(&row, found)?;
                    out.push((row, settled));
                }
            }
        }
        Ok(out)
    }

    fn record_settled(
        &self,
        row: &CheckedRow,
        found: Option<AuthenticationId>,
    ) -> Result<Settled, ImportError> {
        Ok(match found {
            Some(id) => {
                self.finish(
                    &row.key,
                    State::Created,
                    Some(id.as_str()),
                    Some("outcome was unknown; found in Tray"),
                )?;
                tracing::info!(row = row.number, key = %row.key, auth_id = %id, "settled: found in Tray");
                Settled::Found(id)
            }
            None => {
                self.finish(
                    &row.key,
                    State::Failed,
                    None,
                    Some("outcome was unknown; not found in Tray, so it is sent again"),
                )?;
                tracing::info!(row = row.number, key = %row.key, "settled: not in Tray");
                Settled::Missing
            }
        })
    }

    /// An end user's authentications in Tray; `None` when they cannot be listed now.
    async fn list(
        &self,
        external_user_id: &str,
    ) -> Result<Option<(Session, Vec<tray_auth::client::UserAuthentication>)>, ImportError> {
        for _ in 0..2 {
            let session = match self.session(external_user_id).await {
                Ok(session) => session,
                Err(NoSession::Fatal(e)) => return Err(e),
                Err(NoSession::Row(detail)) => {
                    tracing::warn!(%detail, "cannot settle this end user's rows now");
                    return Ok(None);
                }
            };
            let listed = self.client.list_user_authentications(&session.token).await;
            if let Some(stop) = self.contact.observe(&listed) {
                return Err(stop);
            }
            match listed {
                Ok(listed) => return Ok(Some((session, listed))),
                Err(ClientError::Api { status: 401, .. }) => {
                    self.refused(external_user_id, session.generation).await;
                }
                Err(e) => {
                    tracing::warn!(external_user_id, error = %e, "cannot list the end user's authentications");
                    return Ok(None);
                }
            }
        }
        Ok(None)
    }
}

/// Whether Tray refused the master token itself: no row can succeed, so the run stops.
fn master_refused(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Api {
            status: 401 | 403,
            ..
        }
    )
}

/// Failures that did not change anything and may pass.
fn retryable(error: &ClientError) -> bool {
    match error {
        ClientError::Api { status, .. } => *status == 429 || *status >= 500,
        ClientError::Network { .. } | ClientError::Timeout { .. } => true,
        ClientError::GraphQl { code, messages, .. } => {
            code.as_deref() == Some("access_not_allowed")
                || messages
                    .iter()
                    .any(|m| m.to_ascii_lowercase().contains("rate limit"))
        }
        _ => false,
    }
}

/// Problems as the journal and the report keep them: a JSON array of `{pointer, message}`.
pub(crate) fn problems_json(problems: &[Problem]) -> String {
    Value::Array(
        problems
            .iter()
            .map(|p| serde_json::json!({ "pointer": p.pointer, "message": p.message }))
            .collect(),
    )
    .to_string()
}

/// Tray's validation messages may quote a submitted value in brackets (`string [abc] does not
/// match pattern`); keep the brackets that name keys (`required key [channel]`) and the
/// numbered list around them, and blank out the rest.
pub(crate) fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let inner_end = after[1..].find(['[', ']']).map(|i| i + 1);
        match inner_end {
            Some(end) if after.as_bytes()[end] == b']' => {
                let inner = &after[1..end];
                let names_a_key = before.trim_end().ends_with("key");
                let is_list = inner.trim_start().starts_with("1 -");
                if names_a_key || is_list {
                    out.push_str(&after[..=end]);
                } else {
                    out.push_str("[…]");
                }
                rest = &after[end + 1..];
            }
            // A nested list: keep its opening bracket and look inside.
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tray_messages_lose_their_values_but_keep_key_names() {
        assert_eq!(
            redact_values("Connector input validation failed. Schema validation errors: [ 1 - #: required key [channel] not found, 2 - #/dc: string [hunter2] does not match pattern ^[a-z]+$ ]"),
            "Connector input validation failed. Schema validation errors: [ 1 - #: required key [channel] not found, 2 - #/dc: string […] does not match pattern ^[…]+$ ]"
        );
        assert_eq!(redact_values("no brackets"), "no brackets");
        assert_eq!(redact_values("odd [ end"), "odd [ end");
    }
}
