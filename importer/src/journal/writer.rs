//! The group-commit journal writer: tasks queue their outcomes, one writer commits them in
//! batches, one transaction a batch instead of one a row.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::check::CheckedRow;
use crate::importer::{lock, ImportError, Run};
use crate::journal::{Journal, JournalError, State};

/// A journal write queued by a task.
pub(crate) enum Write {
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
pub(crate) async fn write_journal(
    journal: Arc<Mutex<Journal>>,
    mut queue: mpsc::UnboundedReceiver<Write>,
) {
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
    pub(crate) fn queue(&self, write: Write) -> Result<(), ImportError> {
        self.writes
            .send(write)
            .map_err(|_| ImportError::JournalWrite("the journal writer stopped".into()))
    }

    /// Journals a row `pending` again and waits until that is committed.
    pub(crate) async fn again(&self, row: &CheckedRow) -> Result<(), ImportError> {
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
    pub(crate) fn finish(
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
    pub(crate) async fn flush(&self) -> Result<(), ImportError> {
        let (committed, done) = oneshot::channel();
        self.queue(Write::Flush(committed))?;
        done.await
            .map_err(|_| ImportError::JournalWrite("the journal writer stopped".into()))?
            .map_err(ImportError::JournalWrite)
    }
}
