//! Sending one row: its create request under the end user's token, tried again when that
//! surely created nothing, and its outcome journaled.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tray_auth::client::{AuthenticationId, Bearer, Error as ClientError};
use tray_auth::registry::Problem;

use crate::check::CheckedRow;
use crate::error::ImportError;
use crate::journal::{problems_json, State};
use crate::retry::{backoff, create_failure, CreateFailure};
use crate::run::Run;
use crate::session::NoSession;

/// What a row sent nothing for is journaled with when a run stops before it.
pub(crate) const NOT_SENT: &str =
    "not sent: the import stopped before this row could be sent; it is sent when the import runs again";

/// How many times a refused user token is renewed for one row.
const RENEWALS: u32 = 2;

/// How sending a row ended (already journaled).
pub(crate) enum Sent {
    Created(AuthenticationId),
    Invalid,
    Failed,
    Unknown,
}

/// How one attempt ended.
enum Tried {
    /// Journaled; nothing more to do for this row now.
    Done(Sent),
    /// Tray answered the create with an error (not journaled yet).
    Refused {
        error: ClientError,
        /// The user token's generation, to renew it once if Tray refused it.
        generation: u64,
    },
}

/// The send tasks of a run: each ends with its row and how sending it ended.
pub(crate) type Sending = JoinSet<Result<(CheckedRow, Sent), ImportError>>;

/// Sends `row` on a task of `tasks` once one of `permits` is free (`begun`: see
/// [`Run::send`]).
pub(crate) async fn spawn_send(
    tasks: &mut Sending,
    permits: &Arc<Semaphore>,
    run: &Arc<Run>,
    row: CheckedRow,
    begun: bool,
) {
    // The semaphore is never closed, so this waits and never fails.
    let permit = permits.clone().acquire_owned().await;
    let run = run.clone();
    tasks.spawn(async move {
        let sent = run.send(&row, begun).await;
        drop(permit);
        sent.map(|sent| (row, sent))
    });
}

impl Run {
    /// Sends one row, trying again what surely did not create it, and journals the outcome.
    /// `begun`: the row is journaled `pending` already (for its first attempt).
    pub(crate) async fn send(
        &self,
        row: &CheckedRow,
        mut begun: bool,
    ) -> Result<Sent, ImportError> {
        let mut attempt = 0;
        let mut renewals = 0;
        loop {
            attempt += 1;
            let (error, generation) = match self.try_send(row, begun).await? {
                Tried::Done(sent) => return Ok(sent),
                Tried::Refused { error, generation } => (error, generation),
            };
            begun = false;
            let detail = error.to_string();
            match create_failure(&error) {
                CreateFailure::OutcomeUnknown => {
                    self.writes
                        .finish(&row.key, State::Unknown, None, Some(&detail))?;
                    tracing::info!(row = row.number, key = %row.key, "outcome unknown; settled at the end of the run");
                    return Ok(Sent::Unknown);
                }
                CreateFailure::Invalid(message) => return self.refused_as_invalid(row, message),
                CreateFailure::TokenRefused if renewals < RENEWALS => {
                    // Not created; the token expired or was revoked. Renew it and try again.
                    renewals += 1;
                    attempt -= 1;
                    self.writes
                        .finish(&row.key, State::Failed, None, Some(&detail))?;
                    self.refused(&row.external_user_id, generation).await;
                    tracing::info!(row = row.number, "user token refused; renewing it");
                }
                CreateFailure::Retryable if attempt < self.max_attempts => {
                    self.writes
                        .finish(&row.key, State::Failed, None, Some(&detail))?;
                    tracing::info!(row = row.number, attempt, error = %detail, "trying the row again");
                    backoff(self.retry_delay, attempt).await;
                }
                _ => return self.failed(row, &detail),
            }
        }
    }

    /// One attempt: the row journaled `pending` again (unless `begun`), the end user's token,
    /// and the create request.
    async fn try_send(&self, row: &CheckedRow, begun: bool) -> Result<Tried, ImportError> {
        if self.contact.stopped().is_some() {
            self.writes
                .finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
            return Ok(Tried::Done(Sent::Failed));
        }
        if !begun {
            self.writes.again(&row.key).await?;
        }
        let session = match self.session(&row.external_user_id).await {
            Ok(session) => session,
            Err(NoSession::Fatal(e)) => {
                self.writes
                    .finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
                return Err(e);
            }
            // Nothing was sent.
            Err(NoSession::Row(detail)) => return self.failed(row, &detail).map(Tried::Done),
        };
        let result = self
            .client
            .create_authentication_raw(Bearer::User(&session.token), &row.body)
            .await;
        if let Some(stop) = self.contact.observe(&result) {
            // Tray was not reached, or the request could not be made: not sent.
            self.writes
                .finish(&row.key, State::Failed, None, Some(NOT_SENT))?;
            return Err(stop);
        }
        match result {
            Ok(id) => {
                self.writes
                    .finish(&row.key, State::Created, Some(id.as_str()), None)?;
                tracing::debug!(row = row.number, key = %row.key, auth_id = %id, "created");
                Ok(Tried::Done(Sent::Created(id)))
            }
            Err(error) => Ok(Tried::Refused {
                error,
                generation: session.generation,
            }),
        }
    }

    /// Journals a row Tray refused as not fitting its schema: `invalid`, with Tray's message
    /// (redacted by the client already).
    fn refused_as_invalid(&self, row: &CheckedRow, message: &str) -> Result<Sent, ImportError> {
        let problems = vec![Problem {
            pointer: String::new(),
            message: format!(
                "Tray refused the body: {message}; re-fetch the snapshots (`tray-codegen fetch`) if the schema changed"
            ),
        }];
        self.writes.finish(
            &row.key,
            State::Invalid,
            None,
            Some(&problems_json(&problems)),
        )?;
        tracing::warn!(row = row.number, key = %row.key, "Tray refused the row as invalid");
        Ok(Sent::Invalid)
    }

    /// Journals a row as `failed` (a later run sends it again), with what happened.
    fn failed(&self, row: &CheckedRow, detail: &str) -> Result<Sent, ImportError> {
        self.writes
            .finish(&row.key, State::Failed, None, Some(detail))?;
        tracing::warn!(row = row.number, key = %row.key, %detail, "failed");
        Ok(Sent::Failed)
    }
}
