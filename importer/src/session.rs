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
