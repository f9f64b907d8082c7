//! Settling rows whose outcome is unknown: once no create is in flight, each end user's
//! authentications are listed in Tray and matched to the rows by name and service
//! environment; rows found are recorded as created, the others are sent again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tray_auth::client::{AuthenticationId, Bearer, Error as ClientError};

use crate::check::CheckedRow;
use crate::error::ImportError;
use crate::importer::Importer;
use crate::journal::{Entry, State};
use crate::outcome::{created, outcome, Summary};
use crate::run::Run;
use crate::send::{spawn_send, Sending};
use crate::session::{NoSession, Session};

/// How settling a row ended (already journaled).
pub(crate) enum Settled {
    /// Found in Tray: recorded as created with this id.
    Found(AuthenticationId),
    /// Not in Tray: recorded as failed, to be sent again.
    Missing,
    /// The user's authentications could not be listed: still unknown.
    Unreachable,
}

/// Unsettled rows of one end user with the same name and service environment (lower case).
type Group = (String, String, Vec<(CheckedRow, Entry)>);

/// Groups one end user's rows by what Tray lists of an authentication: name and service
/// environment (in the order first met).
fn by_listing(rows: Vec<(CheckedRow, Entry)>) -> Vec<Group> {
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
    groups
}

impl Importer {
    /// 2. Settles the rows whose outcome is unknown (from this run, or left `pending` or
    ///    `unknown` by an earlier one), now that no create is in flight, and sends again
    ///    those not found in Tray; as many rounds as `max_attempts`.
    pub(crate) async fn settle_all(
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
            let mut resend = Sending::new();
            let mut failure = None;
            for row in again {
                if let Err(stop) = self.refuse_unchecked(run, &row, summary).await {
                    failure.get_or_insert(stop);
                    continue;
                }
                spawn_send(&mut resend, permits, run, row, false).await;
            }
            if let Some(e) = self.join_all(resend, summary, &mut deferred).await {
                failure.get_or_insert(e);
            }
            if let Some(e) = failure.or_else(|| run.contact.stopped()) {
                let _ = run.writes.flush().await;
                return Err(e);
            }
        }
        for row in deferred {
            self.report(summary, &outcome(&row, State::Unknown));
        }
        Ok(run.writes.flush().await?)
    }
}

impl Run {
    /// Settles rows that may have reached Tray: for each end user (with no create in flight),
    /// lists their authentications and matches them to the rows by name and service
    /// environment, leaving out those that created rows of the journal claim.
    ///
    /// When several rows or several authentications share a name and environment, the
    /// candidates' credentials and user data are read (`GET /authentications/{id}/full`) and
    /// each row takes the one holding exactly what it sends; rows left over then take the
    /// left-over candidates in row order.
    pub(crate) async fn settle(
        &self,
        rows: Vec<CheckedRow>,
    ) -> Result<Vec<(CheckedRow, Settled)>, ImportError> {
        // What the journal says must include every outcome so far (claimed ids above all).
        self.writes.flush().await?;
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
            self.settle_user(&external_user_id, rows, &mut out).await?;
        }
        Ok(out)
    }

    /// Settles the rows of one end user (in row order).
    async fn settle_user(
        &self,
        external_user_id: &str,
        rows: Vec<(CheckedRow, Entry)>,
        out: &mut Vec<(CheckedRow, Settled)>,
    ) -> Result<(), ImportError> {
        let Some((session, listed)) = self.list(external_user_id).await? else {
            for (row, _) in rows {
                self.writes.finish(
                    &row.key,
                    State::Unknown,
                    None,
                    Some("outcome unknown, and the end user's authentications could not be listed; run again to settle it"),
                )?;
                out.push((row, Settled::Unreachable));
            }
            return Ok(());
        };
        let claimed: HashSet<String> = self.journal().claimed_auth_ids(external_user_id)?;
        for (name, environment, group) in by_listing(rows) {
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
            let mut assigned = vec![None; group.len()];
            if group.len() > 1 || candidates.len() > 1 {
                self.match_by_content(&session, &group, &mut candidates, &mut assigned)
                    .await?;
            }
            let mut left_over = candidates.into_iter();
            for ((row, _), assigned) in group.into_iter().zip(assigned) {
                let found = assigned.or_else(|| left_over.next().cloned());
                let settled = self.record_settled(&row, found)?;
                out.push((row, settled));
            }
        }
        Ok(())
    }

    /// Reads each candidate's credentials and user data, and gives it to the first row of the
    /// group without one that sends exactly those (taking it out of `candidates`).
    async fn match_by_content(
        &self,
        session: &Session,
        group: &[(CheckedRow, Entry)],
        candidates: &mut Vec<&AuthenticationId>,
        assigned: &mut [Option<AuthenticationId>],
    ) -> Result<(), ImportError> {
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
            if let Some(i) = (0..group.len()).find(|&i| assigned[i].is_none() && holds(&group[i].0))
            {
                assigned[i] = Some(candidate.clone());
                candidates.retain(|c| *c != candidate);
            }
        }
        Ok(())
    }

    fn record_settled(
        &self,
        row: &CheckedRow,
        found: Option<AuthenticationId>,
    ) -> Result<Settled, ImportError> {
        Ok(match found {
            Some(id) => {
                self.writes.finish(
                    &row.key,
                    State::Created,
                    Some(id.as_str()),
                    Some("outcome was unknown; found in Tray"),
                )?;
                tracing::info!(row = row.number, key = %row.key, auth_id = %id, "settled: found in Tray");
                Settled::Found(id)
            }
            None => {
                self.writes.finish(
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
