//! Whether Tray answers. The client already retries each call a few times; if Tray still
//! cannot be reached on the first call of a run, or on several calls in a row later, the run
//! stops, so that an unreachable Tray costs one wait, not a wait per row. Likewise a client
//! that cannot make requests at all (a token that cannot be sent), or a master token Tray
//! refuses, stops the run at once.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;

use tray_auth::client::Error as ClientError;

use crate::error::ImportError;

/// How many calls in a row may fail to reach Tray, after it answered once, before the run stops.
const UNREACHABLE_IN_A_ROW: u32 = 3;

/// Why a run stopped before its end.
#[derive(Debug, Clone)]
enum Stop {
    Unreachable(String),
    Client(String),
    MasterTokenRefused(String),
}

impl Stop {
    fn error(&self) -> ImportError {
        match self {
            Stop::Unreachable(detail) => ImportError::Unreachable(detail.clone()),
            Stop::Client(detail) => ImportError::Client(detail.clone()),
            Stop::MasterTokenRefused(detail) => ImportError::MasterTokenRefused(detail.clone()),
        }
    }
}

/// What the calls of one run found out about Tray.
#[derive(Debug, Default)]
pub(crate) struct Contact {
    answered: AtomicBool,
    in_a_row: AtomicU32,
    stop: Mutex<Option<Stop>>,
}

impl Contact {
    /// Notes how a call ended; `Some` when the run must stop (every caller sees it from now on
    /// in [`Contact::stopped`]).
    pub(crate) fn observe<T>(&self, result: &Result<T, ClientError>) -> Option<ImportError> {
        let stop = match result {
            Err(e @ (ClientError::Network { .. } | ClientError::Timeout { .. })) => {
                let in_a_row = self.in_a_row.fetch_add(1, Ordering::SeqCst) + 1;
                if self.answered.load(Ordering::SeqCst) && in_a_row < UNREACHABLE_IN_A_ROW {
                    return None;
                }
                Stop::Unreachable(e.to_string())
            }
            Err(e @ ClientError::Config(_)) => Stop::Client(e.to_string()),
            // Anything else is an answer (even a refusal or a dropped answer: Tray is there).
            _ => {
                self.answered.store(true, Ordering::SeqCst);
                self.in_a_row.store(0, Ordering::SeqCst);
                return None;
            }
        };
        Some(self.stop(stop))
    }

    /// Notes that Tray refused the master token: no row can succeed, so the run stops.
    pub(crate) fn master_token_refused(&self, error: &ClientError) -> ImportError {
        self.stop(Stop::MasterTokenRefused(error.to_string()))
    }

    fn stop(&self, stop: Stop) -> ImportError {
        let mut slot = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(stop).error()
    }

    /// Why the run stopped, if it did: no call should be made any more.
    pub(crate) fn stopped(&self) -> Option<ImportError> {
        let slot = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        slot.as_ref().map(Stop::error)
    }
}

#[cfg(test)]
mod tests {
    use tray_auth::client::Operation;

    use super::*;

    fn unreachable() -> Result<(), ClientError> {
        Err(ClientError::Network {
            operation: Operation::Authorize,
            detail: "connection refused".into(),
        })
    }

    fn answered() -> Result<(), ClientError> {
        Err(ClientError::Api {
            operation: Operation::PostAuthentications,
            status: 503,
            message: "busy".into(),
            code: None,
        })
    }

    #[test]
    fn the_first_call_stops_the_run_if_tray_cannot_be_reached() {
        let contact = Contact::default();
        let stop = contact.observe(&unreachable()).expect("stops");
        assert!(matches!(stop, ImportError::Unreachable(_)), "{stop}");
        assert!(stop.to_string().contains("connection refused"));
        assert!(contact.stopped().is_some());
        // What ends the run first stays its reason.
        assert!(contact.observe(&answered()).is_none());
        assert!(matches!(
            contact.stopped(),
            Some(ImportError::Unreachable(_))
        ));
    }

    #[test]
    fn after_an_answer_only_several_failures_in_a_row_stop_the_run() {
        let contact = Contact::default();
        assert!(contact.observe(&Ok::<(), ClientError>(())).is_none());
        for _ in 0..3 {
            assert!(contact.observe(&unreachable()).is_none());
            assert!(contact.observe(&unreachable()).is_none());
            // An answer in between: Tray is there.
            assert!(contact.observe(&answered()).is_none());
        }
        assert!(contact.observe(&unreachable()).is_none());
        assert!(contact.observe(&unreachable()).is_none());
        assert!(contact.observe(&unreachable()).is_some());
        assert!(contact.stopped().is_some());
    }

    #[test]
    fn a_client_that_cannot_make_requests_stops_the_run() {
        let contact = Contact::default();
        let stop = contact
            .observe(&Err::<(), _>(ClientError::Config("no".into())))
            .expect("stops");
        assert!(matches!(stop, ImportError::Client(_)), "{stop}");
    }
}
