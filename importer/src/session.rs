//! End users' Tray sessions: each external user's Tray user id and a user token, cached and
//! renewed when it expires or is refused.
//!
//! One lock per end user, so that rows of the same user wait for one `createExternalUser` and
//! one `authorize` instead of racing to make several.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tray_auth::client::UserId;
use tray_auth::Secret;

use crate::error::ImportError;
use crate::retry::{backoff, master_refused, retryable};
use crate::run::Run;

/// How many end users' sessions are kept at most; beyond it, idle ones are forgotten (their
/// user ids stay in the journal, so forgetting costs one `authorize`).
const MAX_CACHED: usize = 10_000;

/// A usable user token.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) token: Secret,
    /// Which token this is, so that a 401 renews it once, not once per task that saw it.
    pub(crate) generation: u64,
}

#[derive(Default)]
pub(crate) struct Slot {
    pub(crate) user_id: Option<UserId>,
    token: Option<(Secret, Instant, u64)>,
}

impl Slot {
    /// The cached session, if its token is younger than `lifetime`.
    pub(crate) fn fresh(&self, lifetime: Duration) -> Option<Session> {
        let (token, obtained, generation) = self.token.as_ref()?;
        (obtained.elapsed() < lifetime).then(|| Session {
            token: token.clone(),
            generation: *generation,
        })
    }

    /// Keeps a new token; returns it as a session.
    pub(crate) fn keep(&mut self, user_id: UserId, token: Secret, sessions: &Sessions) -> Session {
        let generation = sessions.generations.fetch_add(1, Ordering::Relaxed);
        self.user_id = Some(user_id);
        self.token = Some((token.clone(), Instant::now(), generation));
        Session { token, generation }
    }

    /// Forgets the token if it is still the one of `generation`.
    pub(crate) fn refused(&mut self, generation: u64) {
        if self
            .token
            .as_ref()
            .is_some_and(|(_, _, current)| *current == generation)
        {
            self.token = None;
        }
    }
}

/// Every end user's slot.
#[derive(Default)]
pub(crate) struct Sessions {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
    generations: AtomicU64,
}

impl Sessions {
    /// The slot of one end user (made empty on first use).
    pub(crate) fn slot(&self, external_user_id: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get(external_user_id) {
            return slot.clone();
        }
        if slots.len() >= MAX_CACHED {
            // Forget the slots nobody is using right now.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        let slot = Arc::new(tokio::sync::Mutex::new(Slot::default()));
        slots.insert(external_user_id.to_owned(), slot.clone());
        slot
    }
}

/// Why an end user's session could not be had.
pub(crate) enum NoSession {
    Fatal(ImportError),
    Row(String),
}

impl Run {
    /// The end user's Tray user id and a fresh token: from the cache, or found in the journal
    /// (or created) and authorized.
    pub(crate) async fn session(&self, external_user_id: &str) -> Result<Session, NoSession> {
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
                    backoff(self.retry_delay, attempt).await;
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
    pub(crate) async fn create_user(&self, external_user_id: &str) -> Result<UserId, NoSession> {
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
                    backoff(self.retry_delay, attempt).await;
                }
                Err(e) => {
                    return Err(NoSession::Row(format!(
                        "could not create the Tray user for end user `{external_user_id}`: {e}"
                    )))
                }
            }
        }
    }

    pub(crate) async fn refused(&self, external_user_id: &str, generation: u64) {
        let slot = self.sessions.slot(external_user_id);
        slot.lock().await.refused(generation);
    }
}
