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

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;
use tray_auth::client::Client;

use crate::admission::{Admission, Admitted, Input, ADMIT_BATCH};
use crate::check::CheckedRow;
use crate::contact::Contact;
use crate::error::ImportError;
use crate::identity::{compare, ChangedRows, Digester};
use crate::item::IntoImportItem;
use crate::journal::writer::JournalWriter;
use crate::journal::{locked, Journal, State};
use crate::outcome::{created, outcome, Outcome, Summary};
use crate::preflight::Preflights;
use crate::run::Run;
use crate::send::{spawn_send, Sending, Sent, NOT_SENT};
use crate::session::Sessions;

/// Tray's user tokens live two days; renew a little before.
const TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 24 * 3600 - 600);

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
    pub(crate) client: Client,
    journal: Arc<Mutex<Journal>>,
    sessions: Arc<Sessions>,
    concurrency: usize,
    pub(crate) max_attempts: u32,
    retry_delay: Duration,
    token_lifetime: Duration,
    observer: Option<Observer>,
    pub(crate) preflights: Preflights,
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
            preflights: Preflights::default(),
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
        locked(&self.journal)
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
    ///
    /// Before it sends the first row of a typed connector ([`ImportItem::new`](crate::ImportItem::new)), the run
    /// checks that connector against what Tray serves now, unless [`Importer::preflight`]
    /// did: see there.
    pub async fn run<I>(&mut self, items: I) -> Result<Summary, ImportError>
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
        I::IntoIter: Send + 'static,
    {
        let (writes, writer) = JournalWriter::start(self.journal.clone());
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

    /// Checks that each typed connector's compiled snapshot still matches what Tray serves
    /// now (`GET /connectors` once, then each service version's environments): the same
    /// environment ids, and no change that `tray-codegen diff` calls breaking. Sends nothing.
    ///
    /// [`Importer::run`] does the same for each typed connector before sending its first row
    /// (once per importer), so calling this is only needed to refuse before anything at all
    /// is sent; a connector checked here is not asked about again. A breaking change is
    /// [`ImportError::Drift`], listing each change per service and what to run
    /// (`tray-codegen fetch`, `tray-codegen generate`, rebuild); in a run, nothing of that
    /// connector is sent, and the run stops there. Compatible changes are logged as
    /// warnings, returned here, and kept in [`Summary::warnings`]. Items read from files
    /// carry no compiled connector and are not checked.
    ///
    /// ```no_run
    /// # async fn run(importer: tray_import::Importer) -> Result<(), tray_import::ImportError> {
    /// use tray_auth::registry::ConnectorEntry;
    /// use tray_connectors::{mailchimp::Mailchimp, slack::Slack};
    /// let warnings = importer
    ///     .preflight(&[ConnectorEntry::of::<Mailchimp>(), ConnectorEntry::of::<Slack>()])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn preflight(
        &self,
        connectors: &[tray_auth::registry::ConnectorEntry],
    ) -> Result<Vec<tray_auth::client::ServiceDrift>, ImportError> {
        self.preflights.check(&self.client, connectors).await
    }

    /// Compares every item with what the journal recorded under its key, and sends nothing:
    /// `Err(ImportError::Changed)` names the items whose keys stood for other rows when an
    /// earlier run sent them (see [`Importer::run`]). A key given twice is compared once.
    /// It takes what [`Importer::run`] takes: a reader's first `Err` item ends the comparison
    /// as [`ImportError::Input`] (then do not run: not every item was compared).
    ///
    /// [`Importer::run`] checks each item before sending it too, but can only stop at the
    /// first changed one; call this first, with the same items, to have nothing at all sent
    /// when any item changed (the `tray-import` command does, reading its file twice). It
    /// reads nothing when no row of the journal was sent yet.
    pub fn check_changes<I>(&mut self, items: I) -> Result<(), ImportError>
    where
        I: IntoIterator,
        I::Item: IntoImportItem,
    {
        let mut journal = locked(&self.journal);
        journal.claim()?;
        journal.check_target(self.client.rest_base())?;
        if !journal.has_sent_rows()? {
            return Ok(());
        }
        let digester = Digester::new(&journal.digest_key()?);
        let mut changed = ChangedRows::default();
        journal.transaction(|journal| -> Result<(), ImportError> {
            journal.forget_sightings()?;
            for (position, item) in items.into_iter().enumerate() {
                // A reader's error: the transaction (the sightings noted) is rolled back.
                let item = item.into_import_item().map_err(ImportError::Input)?;
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
            Ok(journal.forget_sightings()?)
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
            Admission::start(&mut journal)?
        };
        let mut summary = Summary::default();
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let buffer = (self.concurrency * 4).clamp(ADMIT_BATCH, 4096);
        let input = Input::read(items, buffer);
        let deferred = self
            .send_all(run, input, &admission, &permits, &mut summary)
            .await?;
        self.settle_all(run, deferred, &permits, &mut summary)
            .await?;
        summary.warnings = self.preflights.warnings();
        Ok(summary)
    }

    /// 1. Admits the items in batches and sends those to send, at most `concurrency` at a
    ///    time. Returns the rows to settle.
    async fn send_all(
        &self,
        run: &Arc<Run>,
        mut input: Input,
        admission: &Admission,
        permits: &Arc<Semaphore>,
        summary: &mut Summary,
    ) -> Result<Vec<CheckedRow>, ImportError> {
        let mut tasks = Sending::new();
        let mut deferred: Vec<CheckedRow> = Vec::new();
        let mut failure: Option<ImportError> = None;
        while let Some(batch) = input.next_batch().await {
            self.preflights.learn(batch.iter().map(|(_, item)| item));
            let admitted = match admission.admit(&run.journal, batch, &mut input).await {
                Ok(admitted) => admitted,
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
                        if let Err(stop) = self.refuse_unchecked(run, &row, summary).await {
                            failure.get_or_insert(stop);
                            continue;
                        }
                        // Every begun row gets its task, even when the run is stopping: the
                        // task journals it as not sent.
                        spawn_send(&mut tasks, permits, run, row, true).await;
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
        let read_error = input.error();
        let reader = input.stop();
        // Let what is in flight finish, so its outcome is journaled, even when stopping.
        if let Some(e) = self.join_all(tasks, summary, &mut deferred).await {
            failure.get_or_insert(e);
        }
        let _ = reader.await;
        // Outcomes are committed before anything reads them or the run ends.
        let flushed = run.writes.flush().await;
        if let Some(e) = failure
            .or_else(|| run.contact.stopped())
            .or(read_error.map(ImportError::Input))
        {
            return Err(e);
        }
        flushed?;
        Ok(deferred)
    }

    /// Waits for every task of `tasks`, counting and reporting each row; the first error of
    /// a task, if any.
    pub(crate) async fn join_all(
        &self,
        mut tasks: Sending,
        summary: &mut Summary,
        deferred: &mut Vec<CheckedRow>,
    ) -> Option<ImportError> {
        let mut failure = None;
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = self.finished(done, summary, deferred) {
                failure.get_or_insert(e);
            }
        }
        failure
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

    /// Before a row is sent: its typed connector is checked against Tray (once, see
    /// [`Importer::preflight`]). A row that may not be sent is journaled as not sent, and the
    /// error stops the run.
    pub(crate) async fn refuse_unchecked(
        &self,
        run: &Run,
        row: &CheckedRow,
        summary: &mut Summary,
    ) -> Result<(), ImportError> {
        let checked = self
            .preflights
            .before_send(&self.client, &row.connector)
            .await;
        if let Err(stop) = checked {
            run.writes
                .finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
            self.report(summary, &outcome(row, State::Failed));
            return Err(stop);
        }
        Ok(())
    }

    pub(crate) fn report(&self, summary: &mut Summary, outcome: &Outcome) {
        summary.count(outcome);
        if let Some(observer) = &self.observer {
            observer(outcome);
        }
    }
}
