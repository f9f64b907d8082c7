//! The journal: each row's state, kept in an embedded SQLite file so a run can be killed at
//! any moment and started again.
//!
//! A row is `pending` from before its request is sent (committed first: WAL, so a killed
//! process loses nothing it committed) until its outcome is recorded. Outcomes may be
//! committed in batches: a row found `pending` by a later run may have reached Tray, so it is
//! settled like an `unknown` one, and nothing is lost by a late commit. No credential is ever
//! written to the journal.
//!
//! `synchronous = FULL`: a commit is on disk before the request it allows is sent, so a
//! `pending` row survives a power cut too, not only a killed process. Commits are grouped (a
//! batch of rows each), which keeps the cost of that small.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use tray_auth::registry::Problem;

use crate::identity::{hex, Identity, KEY_BYTES};
use crate::lock::{self, Claim, ClaimError};

pub(crate) mod writer;

/// A row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// Its request is being sent (or a run died while sending it).
    Pending,
    /// Tray created the authentication.
    Created,
    /// The row does not fit its connector, or Tray refused it as invalid.
    Invalid,
    /// Tray answered with an error, or the request surely never reached it; retried next run.
    Failed,
    /// The request may have reached Tray, and no answer came back.
    Unknown,
}

impl State {
    /// The state's name in the journal and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Created => "created",
            State::Invalid => "invalid",
            State::Failed => "failed",
            State::Unknown => "unknown",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            State::Pending,
            State::Created,
            State::Invalid,
            State::Failed,
            State::Unknown,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
        .ok_or_else(|| format!("`{s}` is not a journal state"))
    }
}

/// What the journal holds about one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The row's key.
    pub key: String,
    /// The row's number when last seen.
    pub row_number: u64,
    /// The end user's id in your system.
    pub external_user_id: String,
    /// The authentication's name.
    pub name: String,
    /// The service environment's id, when the row was valid.
    pub service_environment_id: Option<String>,
    /// The state.
    pub state: State,
    /// The authentication's id, once created.
    pub auth_id: Option<String>,
    /// Why the row is invalid or failed, or what is unknown about it. Never a value.
    pub detail: Option<String>,
    /// How many times its request was sent.
    pub attempts: u32,
    /// The run that last saw the row; 0 before any.
    pub run: i64,
    /// The connector, as `service@version`, when the row was valid (unknown to journals
    /// written before it was recorded).
    pub connector: Option<String>,
    /// The digest of its credentials, user data and scopes (see [`crate::identity`]).
    pub(crate) digest: Option<String>,
    /// A digest of the schemas the row was last checked against (file rows checked against
    /// Tray's or snapshot schemas; `None` for typed rows and older journals).
    pub schema_digest: Option<String>,
}

/// A journal that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite could not read or write the file.
    #[error(
        "journal {path}: {source} (check that the file is writable and not used by another import)"
    )]
    Sqlite {
        /// The journal file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Another import is running on the journal.
    #[error(
        "journal {path} is in use by another import: wait for it to end, or give another --journal"
    )]
    InUse {
        /// The journal file.
        path: PathBuf,
    },
    /// The journal file could not be locked.
    #[error("journal {path}: cannot lock it ({source}); put the journal on a local disk")]
    Lock {
        /// The journal file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The journal file cannot be used as it is.
    #[error("journal {path}: {what}")]
    Unusable {
        /// The journal file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The journal records an import into another Tray (region or base URL).
    #[error("journal {path} records an import into {recorded}, not {given}: give another --journal for another Tray region or account")]
    OtherTarget {
        /// The journal file.
        path: PathBuf,
        /// Where its rows were created.
        recorded: String,
        /// Where this run would create them.
        given: String,
    },
}

/// The journal of one import.
///
/// Anyone may open a journal and read it ([`Journal::get`], [`Journal::entries`],
/// [`Journal::counts`]); only an [`Importer`](crate::Importer) writes to it, since what it
/// writes and when is what makes an import exactly once.
pub struct Journal {
    path: PathBuf,
    connection: Connection,
    run: i64,
    /// Held while this handle runs imports: one import per journal file.
    claim: Option<Claim>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The columns [`entry`] reads, in its order.
macro_rules! entry_columns {
    () => {
        "key, row_number, external_user_id, name, service_environment_id, state, auth_id, detail, attempts, run, connector, digest, schema_digest"
    };
}

/// Every row, with the rows left out as duplicates of a key (as `invalid`), in row order.
const ALL_ENTRIES: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM rows UNION ALL
     SELECT key, row_number, external_user_id, name, NULL, 'invalid', NULL, detail, 0, run, NULL, NULL, NULL FROM duplicates
     ORDER BY row_number, key"
);

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS rows (
        key TEXT PRIMARY KEY,
        row_number INTEGER NOT NULL,
        external_user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        service_environment_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'created', 'invalid', 'failed', 'unknown')),
        auth_id TEXT,
        detail TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        run INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX IF NOT EXISTS rows_by_user ON rows (external_user_id);
    CREATE TABLE IF NOT EXISTS meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS users (
        external_user_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS duplicates (
        key TEXT NOT NULL,
        row_number INTEGER NOT NULL,
        external_user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        detail TEXT NOT NULL,
        run INTEGER NOT NULL
    );
";

/// Columns added since the first journals; an older journal gets them, empty, when opened.
/// Its rows then have no connector or digest to compare, and take those of the row that
/// next matches them on what they do record (end user, name, service environment).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("connector", "TEXT"),
    ("digest", "TEXT"),
    ("schema_digest", "TEXT"),
];

impl Journal {
    /// Opens (or creates) the journal file, to read it or to give to an
    /// [`Importer`](crate::Importer).
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref().to_owned();
        let error = |source| JournalError::Sqlite {
            path: path.clone(),
            source,
        };
        refuse_hard_links(&path)?;
        let connection = Connection::open(&path).map_err(error)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(error)?;
        connection.execute_batch(SCHEMA).map_err(error)?;
        let journal = Journal {
            path,
            connection,
            run: 0,
            claim: None,
        };
        // Checked first, so that a journal already up to date is not written to.
        if !journal.missing_columns()?.is_empty() {
            journal.transaction(Journal::add_columns)?;
        }
        Ok(journal)
    }

    fn missing_columns(&self) -> Result<Vec<(&'static str, &'static str)>, JournalError> {
        let mut missing = Vec::new();
        for &(column, kind) in ADDED_COLUMNS {
            let present: bool = self
                .connection
                .query_row(
                    "SELECT COUNT(*) > 0 FROM pragma_table_info('rows') WHERE name = ?1",
                    params![column],
                    |row| row.get(0),
                )
                .map_err(|e| self.error(e))?;
            if !present {
                missing.push((column, kind));
            }
        }
        Ok(missing)
    }

    /// Adds what [`Journal::missing_columns`] finds (in a transaction: two processes opening
    /// an old journal at once add each column once).
    fn add_columns(&self) -> Result<(), JournalError> {
        for (column, kind) in self.missing_columns()? {
            self.connection
                .execute_batch(&format!("ALTER TABLE rows ADD COLUMN {column} {kind}"))
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    fn error(&self, source: rusqlite::Error) -> JournalError {
        JournalError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ties the journal to the Tray it imports into (a REST base URL): the first call records
    /// it, later calls fail if it differs, since a created row in one Tray is not created in
    /// another.
    pub(crate) fn check_target(&self, target: &str) -> Result<(), JournalError> {
        let recorded = self.meta("target")?;
        match recorded {
            Some(recorded) if recorded != target => Err(JournalError::OtherTarget {
                path: self.path.clone(),
                recorded,
                given: target.to_owned(),
            }),
            Some(_) => Ok(()),
            None => self.set_meta("target", target),
        }
    }

    fn meta(&self, name: &str) -> Result<Option<String>, JournalError> {
        self.connection
            .query_row(
                "SELECT value FROM meta WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Records `value` under `name` unless something is recorded there already.
    fn set_meta(&self, name: &str, value: &str) -> Result<(), JournalError> {
        self.connection
            .execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES (?1, ?2)",
                params![name, value],
            )
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// The key of this journal's digests ([`crate::identity`]), made on first use.
    pub(crate) fn digest_key(&self) -> Result<Vec<u8>, JournalError> {
        if self.meta("digest_key")?.is_none() {
            let mut key = [0u8; KEY_BYTES];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key).map_err(
                |_| JournalError::Unusable {
                    path: self.path.clone(),
                    what: "the system gave no random bytes for the digest key".into(),
                },
            )?;
            self.set_meta("digest_key", &hex(&key))?;
        }
        let key = self.meta("digest_key")?.unwrap_or_default();
        (0..key.len() / 2)
            .map(|i| u8::from_str_radix(key.get(2 * i..2 * i + 2).unwrap_or("-"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| JournalError::Unusable {
                path: self.path.clone(),
                what: "its digest key is damaged: use a new journal, or restore this one".into(),
            })
    }

    /// Starts a run: rows begun, found invalid or [seen](Journal::seen) from now on are
    /// marked with its number, so a key given twice in one input is noticed. The rows an
    /// earlier run left out as duplicates are forgotten: this run finds its own.
    pub(crate) fn start_run(&mut self) -> Result<i64, JournalError> {
        let run: i64 = self
            .connection
            .query_row(
                "INSERT INTO meta (name, value) VALUES ('runs', '1')
                 ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                 RETURNING CAST(value AS INTEGER)",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))?;
        self.connection
            .execute("DELETE FROM duplicates", [])
            .map_err(|e| self.error(e))?;
        self.run = run;
        Ok(run)
    }

    /// Marks a row as seen by the current run. A row of an older journal, which recorded no
    /// connector or digest, takes the ones it matched with.
    pub(crate) fn seen(
        &self,
        key: &str,
        row_number: u64,
        identity: &Identity,
    ) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "UPDATE rows SET run = ?2, row_number = ?3, connector = COALESCE(connector, ?4),
                     digest = COALESCE(digest, ?5), schema_digest = COALESCE(?6, schema_digest)
                 WHERE key = ?1",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    self.run,
                    row_number as i64,
                    identity.connector,
                    identity.digest,
                    identity.schema_digest
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Claims the journal for this handle, so that no other import (in this process or
    /// another) runs on it at the same time: two would send the same rows. The claim locks
    /// the journal file itself, whatever path it was opened by, until the handle is dropped;
    /// the operating system releases it when the process ends, even by `kill -9`.
    pub(crate) fn claim(&mut self) -> Result<(), JournalError> {
        if self.claim.is_none() {
            self.claim = Some(lock::claim(&self.path).map_err(|e| match e {
                ClaimError::InUse => JournalError::InUse {
                    path: self.path.clone(),
                },
                ClaimError::Io(source) => JournalError::Lock {
                    path: self.path.clone(),
                    source,
                },
            })?);
        }
        Ok(())
    }

    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise. One
    /// commit for many rows is much cheaper than one each.
    pub(crate) fn transaction<T, E: From<JournalError>>(
        &self,
        f: impl FnOnce(&Journal) -> Result<T, E>,
    ) -> Result<T, E> {
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.error(e))?;
        match f(self) {
            Ok(value) => {
                if let Err(e) = self.connection.execute_batch("COMMIT") {
                    let _ = self.connection.execute_batch("ROLLBACK");
                    return Err(self.error(e).into());
                }
                Ok(value)
            }
            Err(e) => {
                let _ = self.connection.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// What the journal holds about the row of a key.
    pub fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        self.connection
            .prepare_cached(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM rows WHERE key = ?1"
            ))
            .and_then(|mut statement| statement.query_row(params![key], entry).optional())
            .map_err(|e| self.error(e))
    }

    /// Whether any row was sent, or may have been (`created`, `pending` or `unknown`): only
    /// such rows are compared with a rerun's input.
    pub(crate) fn has_sent_rows(&self) -> Result<bool, JournalError> {
        self.connection
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM rows WHERE state IN ('created', 'pending', 'unknown'))",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))
    }

    /// Remembers a key met by [`Importer::check_changes`](crate::Importer::check_changes)
    /// (in a temporary table, so memory stays flat whatever the input): `true` the first time.
    pub(crate) fn first_sighting(&self, key: &str) -> Result<bool, JournalError> {
        self.connection
            .prepare_cached("INSERT OR IGNORE INTO temp.sighted (key) VALUES (?1)")
            .and_then(|mut statement| statement.execute(params![key]))
            .map(|inserted| inserted == 1)
            .map_err(|e| self.error(e))
    }

    /// Forgets the keys [`Journal::first_sighting`] met.
    pub(crate) fn forget_sightings(&self) -> Result<(), JournalError> {
        self.connection
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS sighted (key TEXT PRIMARY KEY); DELETE FROM temp.sighted;",
            )
            .map_err(|e| self.error(e))
    }

    /// Marks a row `pending` just before its request is sent for the first time in a run,
    /// recording what its key stands for, and counting the attempt.
    pub(crate) fn begin(
        &self,
        key: &str,
        row_number: u64,
        identity: &Identity,
    ) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "INSERT INTO rows (key, row_number, external_user_id, name, service_environment_id, connector, digest, state, attempts, run, schema_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 1, ?8, ?9)
                 ON CONFLICT (key) DO UPDATE SET
                     row_number = excluded.row_number, external_user_id = excluded.external_user_id,
                     name = excluded.name, service_environment_id = excluded.service_environment_id,
                     connector = excluded.connector, digest = excluded.digest,
                     schema_digest = excluded.schema_digest, state = 'pending', detail = NULL, attempts = rows.attempts + 1, run = excluded.run,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    row_number as i64,
                    identity.external_user_id,
                    identity.name,
                    identity.service_environment_id,
                    identity.connector,
                    identity.digest,
                    self.run,
                    identity.schema_digest
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Marks a row already journaled `pending` again, before it is sent once more.
    pub(crate) fn again(&self, key: &str) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "UPDATE rows SET state = 'pending', detail = NULL, attempts = attempts + 1,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE key = ?1",
            )
            .and_then(|mut statement| statement.execute(params![key]))
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records a row that does not fit its connector (it was never sent).
    pub(crate) fn invalid(
        &self,
        key: &str,
        row_number: u64,
        identity: &Identity,
        detail: &str,
    ) -> Result<(), JournalError> {
        // A row that was (or may have been) sent keeps its state: an edit of the input
        // cannot undo an authentication Tray may hold.
        self.connection
            .prepare_cached(
                "INSERT INTO rows (key, row_number, external_user_id, name, service_environment_id, connector, state, detail, run, schema_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'invalid', ?7, ?8, ?9)
                 ON CONFLICT (key) DO UPDATE SET
                     row_number = excluded.row_number, external_user_id = excluded.external_user_id,
                     name = excluded.name, service_environment_id = excluded.service_environment_id,
                     connector = excluded.connector, digest = NULL,
                     schema_digest = excluded.schema_digest, state = 'invalid',
                     detail = excluded.detail, run = excluded.run,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE rows.state NOT IN ('created', 'pending', 'unknown')",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    row_number as i64,
                    identity.external_user_id,
                    identity.name,
                    identity.service_environment_id,
                    identity.connector,
                    detail,
                    self.run,
                    identity.schema_digest
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records a row left out because an earlier row of this run has its key: it gets its own
    /// line in the report, as `invalid`, until the next run.
    pub(crate) fn duplicate(
        &self,
        key: &str,
        row_number: u64,
        identity: &Identity,
        detail: &str,
    ) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "INSERT INTO duplicates (key, row_number, external_user_id, name, detail, run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    row_number as i64,
                    identity.external_user_id,
                    identity.name,
                    detail,
                    self.run
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records the outcome of a row already begun.
    pub(crate) fn finish(
        &self,
        key: &str,
        state: State,
        auth_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "UPDATE rows SET state = ?2, auth_id = COALESCE(?3, auth_id), detail = ?4,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE key = ?1",
            )
            .and_then(|mut statement| {
                statement.execute(params![key, state.as_str(), auth_id, detail])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// The authentication ids already claimed by created rows of one end user: an auth found
    /// in Tray while settling an unknown row is that row's only if no other row claimed it.
    pub(crate) fn claimed_auth_ids(
        &self,
        external_user_id: &str,
    ) -> Result<HashSet<String>, JournalError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT auth_id FROM rows WHERE external_user_id = ?1 AND state = 'created' AND auth_id IS NOT NULL")
            .map_err(|e| self.error(e))?;
        let ids = statement
            .query_map(params![external_user_id], |row| row.get::<_, String>(0))
            .and_then(Iterator::collect)
            .map_err(|e| self.error(e))?;
        Ok(ids)
    }

    /// The Tray user id of an end user, once found or created.
    pub fn user_id(&self, external_user_id: &str) -> Result<Option<String>, JournalError> {
        self.connection
            .query_row(
                "SELECT user_id FROM users WHERE external_user_id = ?1",
                params![external_user_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Remembers an end user's Tray user id.
    pub(crate) fn set_user_id(
        &self,
        external_user_id: &str,
        user_id: &str,
    ) -> Result<(), JournalError> {
        self.connection
            .execute(
                "INSERT INTO users (external_user_id, user_id) VALUES (?1, ?2)
                 ON CONFLICT (external_user_id) DO UPDATE SET user_id = excluded.user_id",
                params![external_user_id, user_id],
            )
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// How many rows are in each state (rows left out as duplicates count as `invalid`).
    pub fn counts(&self) -> Result<BTreeMap<State, u64>, JournalError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT state, COUNT(*) FROM
                     (SELECT state FROM rows UNION ALL SELECT 'invalid' FROM duplicates)
                 GROUP BY state",
            )
            .map_err(|e| self.error(e))?;
        let pairs: Vec<(String, i64)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.error(e))?;
        Ok(pairs
            .into_iter()
            .filter_map(|(state, n)| Some((state.parse().ok()?, n as u64)))
            .collect())
    }

    /// Calls `f` with every row in row order, one at a time (memory stays flat); rows the
    /// last run left out as duplicates of a key come as `invalid`, with their own line.
    pub fn for_each_entry<E>(
        &self,
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let mut statement = self
            .connection
            .prepare(ALL_ENTRIES)
            .map_err(|e| self.error(e))?;
        let mut rows = statement.query([]).map_err(|e| self.error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            if let Err(e) = f(entry(row).map_err(|e| self.error(e))?) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Every row, in row order (as [`Journal::for_each_entry`] gives them).
    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        let mut entries = Vec::new();
        self.for_each_entry(|entry| {
            entries.push(entry);
            Ok::<(), std::convert::Infallible>(())
        })?
        .unwrap_or_else(|never| match never {});
        Ok(entries)
    }
}

/// SQLite keeps a journal's write-ahead log beside the name it was opened by: through two
/// names (hard links) two logs would be written for one file, which corrupts it.
fn refuse_hard_links(path: &Path) -> Result<(), JournalError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            if metadata.is_file() && metadata.nlink() > 1 {
                return Err(JournalError::Unusable {
                    path: path.to_owned(),
                    what: format!(
                        "the file has {} names (hard links), and SQLite keeps a log beside each name it is opened by, \
                         which would corrupt it: give a journal that has one name",
                        metadata.nlink()
                    ),
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let state: String = row.get(5)?;
    Ok(Entry {
        key: row.get(0)?,
        row_number: row.get::<_, i64>(1)? as u64,
        external_user_id: row.get(2)?,
        name: row.get(3)?,
        service_environment_id: row.get(4)?,
        state: state.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
        })?,
        auth_id: row.get(6)?,
        detail: row.get(7)?,
        attempts: row.get(8)?,
        run: row.get(9)?,
        connector: row.get(10)?,
        digest: row.get(11)?,
        schema_digest: row.get(12)?,
    })
}

/// Problems as the journal and the report keep them: a JSON array of `{pointer, message}`.
/// The journal shared by the tasks of a run.
pub(crate) fn locked(journal: &Mutex<Journal>) -> MutexGuard<'_, Journal> {
    // A panic while holding the lock cannot leave SQLite half-written (each call is one
    // transaction), so a poisoned lock is used as is.
    journal.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn problems_json(problems: &[Problem]) -> String {
    Value::Array(
        problems
            .iter()
            .map(|p| serde_json::json!({ "pointer": p.pointer, "message": p.message }))
            .collect(),
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(user: &str, name: &str) -> Identity {
        Identity {
            external_user_id: user.into(),
            connector: Some("mailchimp@1".into()),
            service_environment_id: Some("env".into()),
            name: name.into(),
            digest: Some("d1".into()),
            schema_digest: Some("s1".into()),
        }
    }

    #[test]
    fn one_claim_at_a_time_whatever_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let mut first = Journal::open(&path).unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&path, dir.path().join("link.sqlite")).unwrap();
        first.claim().unwrap();
        first.claim().unwrap();
        let mut others = vec!["journal.sqlite", "x/../journal.sqlite"];
        if cfg!(unix) {
            others.push("link.sqlite");
        }
        for other in &others {
            let mut second = Journal::open(dir.path().join(other)).unwrap();
            let err = second.claim().unwrap_err();
            assert!(matches!(err, JournalError::InUse { .. }), "{other}: {err}");
            assert!(err.to_string().contains("in use by another import"));
            // Reading is not blocked by a claim.
            assert!(second.counts().unwrap().is_empty());
        }
        drop(first);
        for other in others {
            // Released with the handle, and one claim at a time still.
            let mut second = Journal::open(dir.path().join(other)).unwrap();
            second.claim().unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_with_two_names_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        drop(Journal::open(&path).unwrap());
        std::fs::hard_link(&path, dir.path().join("hard.sqlite")).unwrap();
        for name in ["journal.sqlite", "hard.sqlite"] {
            let err = Journal::open(dir.path().join(name)).unwrap_err();
            assert!(
                err.to_string().contains("has 2 names (hard links)"),
                "{err}"
            );
        }
        std::fs::remove_file(dir.path().join("hard.sqlite")).unwrap();
        Journal::open(&path).unwrap();
    }

    #[test]
    fn states_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        {
            let journal = Journal::open(&path).unwrap();
            journal.begin("a", 1, &identity("u1", "A")).unwrap();
            journal
                .finish("a", State::Created, Some("auth-1"), None)
                .unwrap();
            journal.begin("b", 2, &identity("u1", "B")).unwrap();
            journal
                .invalid(
                    "c",
                    3,
                    &identity("u2", "C"),
                    "/credentials/dc: missing field `dc`",
                )
                .unwrap();
            journal.set_user_id("u1", "tray-user-1").unwrap();
            // A created row stays created even if a later run finds it invalid.
            journal
                .invalid("a", 1, &identity("u1", "A"), "changed")
                .unwrap();
        }
        let journal = Journal::open(&path).unwrap();
        let a = journal.get("a").unwrap().unwrap();
        assert_eq!(a.state, State::Created);
        assert_eq!(
            (a.connector.as_deref(), a.digest.as_deref()),
            (Some("mailchimp@1"), Some("d1"))
        );
        let b = journal.get("b").unwrap().unwrap();
        assert_eq!((b.state, b.attempts), (State::Pending, 1));
        journal.again("b").unwrap();
        assert_eq!(journal.get("b").unwrap().unwrap().attempts, 2);
        assert_eq!(
            journal.claimed_auth_ids("u1").unwrap(),
            HashSet::from(["auth-1".to_owned()])
        );
        assert_eq!(
            journal.user_id("u1").unwrap().as_deref(),
            Some("tray-user-1")
        );
        let counts = journal.counts().unwrap();
        assert_eq!(counts[&State::Created], 1);
        assert_eq!(counts[&State::Pending], 1);
        assert_eq!(counts[&State::Invalid], 1);
        assert_eq!(
            journal
                .entries()
                .unwrap()
                .iter()
                .map(|e| e.key.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn a_duplicate_row_has_its_own_entry_until_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path().join("journal.sqlite")).unwrap();
        journal.start_run().unwrap();
        journal.begin("k", 1, &identity("u1", "A")).unwrap();
        journal
            .duplicate("k", 2, &identity("u1", "B"), "[\"row 1 has this key too\"]")
            .unwrap();
        let entries = journal.entries().unwrap();
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.row_number, e.key.as_str(), e.state, e.name.as_str()))
                .collect::<Vec<_>>(),
            [(1, "k", State::Pending, "A"), (2, "k", State::Invalid, "B")]
        );
        assert_eq!(journal.counts().unwrap()[&State::Invalid], 1);
        assert_eq!(journal.get("k").unwrap().unwrap().name, "A");
        journal.start_run().unwrap();
        assert_eq!(journal.entries().unwrap().len(), 1);
    }

    #[test]
    fn a_journal_from_before_identities_opens_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            // The first journals' table, with a created row.
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE rows (key TEXT PRIMARY KEY, row_number INTEGER NOT NULL,
                     external_user_id TEXT NOT NULL, name TEXT NOT NULL, service_environment_id TEXT,
                     state TEXT NOT NULL, auth_id TEXT, detail TEXT,
                     attempts INTEGER NOT NULL DEFAULT 0, run INTEGER NOT NULL DEFAULT 0,
                     updated_at TEXT NOT NULL DEFAULT 'then');
                 INSERT INTO rows (key, row_number, external_user_id, name, service_environment_id, state, auth_id, attempts)
                     VALUES ('row-1', 1, 'u1', 'A', 'env', 'created', 'auth-1', 1);",
            )
            .unwrap();
        }
        let mut journal = Journal::open(&path).unwrap();
        let a = journal.get("row-1").unwrap().unwrap();
        assert_eq!(
            (a.state, a.connector, a.digest),
            (State::Created, None, None)
        );
        // The row that next matches it gives it what it did not record.
        journal.start_run().unwrap();
        journal.seen("row-1", 1, &identity("u1", "A")).unwrap();
        let a = journal.get("row-1").unwrap().unwrap();
        assert_eq!(a.digest.as_deref(), Some("d1"));
        assert_eq!(a.auth_id.as_deref(), Some("auth-1"));
        drop(journal);
        // Opening it again changes nothing.
        assert_eq!(
            Journal::open(&path).unwrap().get("row-1").unwrap().unwrap(),
            a
        );
    }

    #[test]
    fn the_digest_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let key = Journal::open(&path).unwrap().digest_key().unwrap();
        assert_eq!(key.len(), KEY_BYTES);
        assert_eq!(Journal::open(&path).unwrap().digest_key().unwrap(), key);
        let other = Journal::open(dir.path().join("other.sqlite")).unwrap();
        assert_ne!(other.digest_key().unwrap(), key);
    }
}
