//! Sending one row: its create request under the end user's token, tried again when that
//! surely created nothing, and its outcome journaled.

use tray_auth::client::{AuthenticationId, Bearer, Error as ClientError};
use tray_auth::registry::Problem;

use crate::check::CheckedRow;
use crate::importer::{ImportError, Run};
use crate::journal::{problems_json, State};
use crate::session::NoSession;

/// What a row sent nothing for is journaled with when a run stops before it.
pub(crate) const NOT_SENT: &str =
    "not sent: the import stopped before this row could be sent; it is sent when the import runs again";

/// How sending a row ended (already journaled).
pub(crate) enum Sent {
    Created(AuthenticationId),
    Invalid,
    Failed,
    Unknown,
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
