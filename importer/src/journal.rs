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

use rusqlite::{params, Connection, OptionalExtension};

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
    /// The run that last saw the row (see [`Journal::start_run`]); 0 before any.
    pub run: i64,
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
pub struct Journal {
    path: PathBuf,
    connection: Connection,
    run: i64,
    /// Holds an exclusive lock on `<journal>.lock` while this handle runs imports.
    claim: Option<Connection>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A query of whole entries, in the column order [`entry`] reads: `select_entries!("WHERE ..")`.
macro_rules! select_entries {
    ($rest:literal) => {
        concat!(
            "SELECT key, row_number, external_user_id, name, service_environment_id, state, auth_id, detail, attempts, run FROM rows ",
            $rest
        )
    };
}

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
";

impl Journal {
    /// Opens (or creates) the journal file.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref().to_owned();
        let error = |source| JournalError::Sqlite {
            path: path.clone(),
            source,
        };
        let connection = Connection::open(&path).map_err(error)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(error)?;
        connection.execute_batch(SCHEMA).map_err(error)?;
        Ok(Journal {
            path,
            connection,
            run: 0,
            claim: None,
        })
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
    pub fn check_target(&self, target: &str) -> Result<(), JournalError> {
        let recorded: Option<String> = self
            .connection
            .query_row("SELECT value FROM meta WHERE name = 'target'", [], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))?;
        match recorded {
            Some(recorded) if recorded != target => Err(JournalError::OtherTarget {
                path: self.path.clone(),
                recorded,
                given: target.to_owned(),
            }),
            Some(_) => Ok(()),
            None => self
                .connection
                .execute(
                    "INSERT INTO meta (name, value) VALUES ('target', ?1)",
                    params![target],
                )
                .map(drop)
                .map_err(|e| self.error(e)),
        }
    }

    /// Starts a run: rows begun, found invalid or [seen](Journal::seen) from now on are
    /// marked with its number, so a key given twice in one input is noticed.
    pub fn start_run(&mut self) -> Result<i64, JournalError> {
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
        self.run = run;
        Ok(run)
    }

    /// The run started last by this handle (0 before [`Journal::start_run`]).
    pub fn run(&self) -> i64 {
        self.run
    }

    /// Marks a row as seen by the current run.
    pub fn seen(&self, key: &str, row_number: u64) -> Result<(), JournalError> {
        self.connection
            .prepare_cached("UPDATE rows SET run = ?2, row_number = ?3 WHERE key = ?1")
            .and_then(|mut statement| statement.execute(params![key, self.run, row_number as i64]))
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Claims the journal for this handle, so that no other import (in this process or
    /// another) runs on it at the same time: two would send the same rows. The claim is an
    /// exclusive SQLite lock on `<journal>.lock`, held until the handle is dropped; the
    /// operating system releases it when the process ends, even by `kill -9`.
    pub fn claim(&mut self) -> Result<(), JournalError> {
        if self.claim.is_some() {
            return Ok(());
        }
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        let lock = Connection::open(&lock_path)
            .and_then(|lock| {
                // Fail at once rather than wait for the other import to end.
                lock.busy_timeout(std::time::Duration::ZERO)?;
                lock.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")?;
                Ok(lock)
            })
            .map_err(|source| match source.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    JournalError::InUse {
                        path: self.path.clone(),
                    }
                }
                _ => self.error(source),
            })?;
        self.claim = Some(lock);
        Ok(())
    }

    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise. One
    /// commit for many rows is much cheaper than one each.
    pub fn transaction<T, E: From<JournalError>>(
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

    /// What the journal holds about a row.
    pub fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        self.connection
            .prepare_cached(select_entries!("WHERE key = ?1"))
            .and_then(|mut statement| statement.query_row(params![key], entry).optional())
            .map_err(|e| self.error(e))
    }

    /// Marks a row `pending` just before its request is sent, counting the attempt.
    pub fn begin(
        &self,
        key: &str,
        row_number: u64,
        external_user_id: &str,
        name: &str,
        service_environment_id: &str,
    ) -> Result<(), JournalError> {
        self.connection
            .prepare_cached(
                "INSERT INTO rows (key, row_number, external_user_id, name, service_environment_id, state, attempts, run)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 1, ?6)
                 ON CONFLICT (key) DO UPDATE SET
                     row_number = excluded.row_number, external_user_id = excluded.external_user_id,
                     name = excluded.name, service_environment_id = excluded.service_environment_id,
                     state = 'pending', detail = NULL, attempts = rows.attempts + 1, run = excluded.run,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    row_number as i64,
                    external_user_id,
                    name,
                    service_environment_id,
                    self.run
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records a row that does not fit its connector (it was never sent).
    pub fn invalid(
        &self,
        key: &str,
        row_number: u64,
        external_user_id: &str,
        name: &str,
        detail: &str,
    ) -> Result<(), JournalError> {
        // A row that was (or may have been) sent keeps its state: an edit of the input
        // cannot undo an authentication Tray may hold.
        self.connection
            .prepare_cached(
                "INSERT INTO rows (key, row_number, external_user_id, name, state, detail, run)
                 VALUES (?1, ?2, ?3, ?4, 'invalid', ?5, ?6)
                 ON CONFLICT (key) DO UPDATE SET
                     row_number = excluded.row_number, state = 'invalid', detail = excluded.detail,
                     run = excluded.run,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE rows.state NOT IN ('created', 'pending', 'unknown')",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key,
                    row_number as i64,
                    external_user_id,
                    name,
                    detail,
                    self.run
                ])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records the outcome of a row already begun.
    pub fn finish(
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
    pub fn claimed_auth_ids(
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
    pub fn set_user_id(&self, external_user_id: &str, user_id: &str) -> Result<(), JournalError> {
        self.connection
            .execute(
                "INSERT INTO users (external_user_id, user_id) VALUES (?1, ?2)
                 ON CONFLICT (external_user_id) DO UPDATE SET user_id = excluded.user_id",
                params![external_user_id, user_id],
            )
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// How many rows are in each state.
    pub fn counts(&self) -> Result<BTreeMap<State, u64>, JournalError> {
        let mut statement = self
            .connection
            .prepare("SELECT state, COUNT(*) FROM rows GROUP BY state")
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

    /// The rows that may or may not have reached Tray (`pending` or `unknown`), to be settled
    /// before anything else is sent.
    pub fn unsettled(&self) -> Result<Vec<Entry>, JournalError> {
        let mut statement = self
            .connection
            .prepare(select_entries!(
                "WHERE state IN ('pending', 'unknown') ORDER BY external_user_id, row_number"
            ))
            .map_err(|e| self.error(e))?;
        let entries = statement
            .query_map([], entry)
            .and_then(Iterator::collect)
            .map_err(|e| self.error(e))?;
        Ok(entries)
    }

    /// Calls `f` with every row in row order, one at a time (memory stays flat).
    pub fn for_each_entry<E>(
        &self,
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let mut statement = self
            .connection
            .prepare(select_entries!("ORDER BY row_number, key"))
            .map_err(|e| self.error(e))?;
        let mut rows = statement.query([]).map_err(|e| self.error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            if let Err(e) = f(entry(row).map_err(|e| self.error(e))?) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Every row, in row order.
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_claim_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let mut first = Journal::open(&path).unwrap();
        let mut second = Journal::open(&path).unwrap();
        first.claim().unwrap();
        first.claim().unwrap();
        let err = second.claim().unwrap_err();
        assert!(matches!(err, JournalError::InUse { .. }), "{err}");
        assert!(err.to_string().contains("in use by another import"));
        // Reading is not blocked by a claim.
        assert!(second.counts().unwrap().is_empty());
        drop(first);
        second.claim().unwrap();
    }

    #[test]
    fn states_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        {
            let journal = Journal::open(&path).unwrap();
            journal.begin("a", 1, "u1", "A", "env").unwrap();
            journal
                .finish("a", State::Created, Some("auth-1"), None)
                .unwrap();
            journal.begin("b", 2, "u1", "B", "env").unwrap();
            journal
                .invalid("c", 3, "u2", "C", "/credentials/dc: missing field `dc`")
                .unwrap();
            journal.set_user_id("u1", "tray-user-1").unwrap();
            // A created row stays created even if a later run finds it invalid.
            journal.invalid("a", 1, "u1", "A", "changed").unwrap();
        }
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.get("a").unwrap().unwrap().state, State::Created);
        let b = journal.get("b").unwrap().unwrap();
        assert_eq!((b.state, b.attempts), (State::Pending, 1));
        journal.begin("b", 2, "u1", "B", "env").unwrap();
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
}
