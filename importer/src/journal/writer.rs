//! The group-commit journal writer: the tasks of a run queue their rows' outcomes through a
//! [`JournalWriter`], and one writer task commits whatever is waiting in one transaction (one
//! commit a batch instead of one a row).
//!
//! Why this is safe: a row is journaled `pending` (committed) before it is sent; its outcome
//! may wait for the next batch, since a row found `pending` after a crash is settled, never
//! simply sent again. A row sent again ([`JournalWriter::again`]) waits for its `pending` to be
//! committed first.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::journal::{locked, Journal, JournalError, State};

/// Queues journal writes for the one writer task of a run; the task ends once every
/// `JournalWriter` of it is dropped.
pub(crate) struct JournalWriter {
    queue: mpsc::UnboundedSender<Write>,
}

/// Queued journal writes could not be committed: why. Every later write fails too.
#[derive(Debug)]
pub(crate) struct WriteFailed(pub(crate) String);

impl JournalWriter {
    /// Starts the writer task of `journal`.
    pub(crate) fn start(journal: Arc<Mutex<Journal>>) -> (JournalWriter, JoinHandle<()>) {
        let (queue, writes) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_journal(journal, writes));
        (JournalWriter { queue }, task)
    }

    /// Journals a row `pending` again and waits until that is committed (the row may be sent
    /// only then).
    pub(crate) async fn again(&self, key: &str) -> Result<(), WriteFailed> {
        let (committed, done) = oneshot::channel();
        self.queue(Write::Again {
            key: key.to_owned(),
            committed,
        })?;
        done.await.map_err(|_| stopped())?.map_err(WriteFailed)
    }

    /// Journals a row's outcome (committed with the next batch).
    pub(crate) fn finish(
        &self,
        key: &str,
        state: State,
        auth_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), WriteFailed> {
        self.queue(Write::Finish {
            key: key.to_owned(),
            state,
            auth_id: auth_id.map(str::to_owned),
            detail: detail.map(str::to_owned),
        })
    }

    /// Waits until every write queued so far is committed.
    pub(crate) async fn flush(&self) -> Result<(), WriteFailed> {
        let (committed, done) = oneshot::channel();
        self.queue(Write::Flush(committed))?;
        done.await.map_err(|_| stopped())?.map_err(WriteFailed)
    }

    fn queue(&self, write: Write) -> Result<(), WriteFailed> {
        self.queue.send(write).map_err(|_| stopped())
    }
}

fn stopped() -> WriteFailed {
    WriteFailed("the journal writer stopped".into())
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
            None => locked(&journal)
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
