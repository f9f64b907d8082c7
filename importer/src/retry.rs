//! Retry classes: which failures of a Tray call may pass if tried again, which mean the row's
//! outcome is unknown, which stop the run, and how long to wait before the next try.

use std::time::Duration;

use tray_auth::client::Error as ClientError;

/// The longest wait between two tries.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// Waits before try `attempt + 1`: `first` doubled for each attempt (at most [`MAX_WAIT`]),
/// half of it random so that tasks that failed together do not come back together.
pub(crate) async fn backoff(first: Duration, attempt: u32) {
    let base = first
        .saturating_mul(2u32.saturating_pow(attempt.min(10)))
        .min(MAX_WAIT);
    let wait = base / 2 + (base / 2).mul_f64(fastrand::f64());
    tokio::time::sleep(wait).await;
}

/// Whether Tray refused the master token itself: no row can succeed, so the run stops.
pub(crate) fn master_refused(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Api {
            status: 401 | 403,
            ..
        }
    )
}

/// Failures of a call that changes nothing twice (making a user's token, listing) which may
/// pass if it is made again.
pub(crate) fn retryable(error: &ClientError) -> bool {
    match error {
        ClientError::Api { status, .. } => *status == 429 || *status >= 500,
        ClientError::Network { .. } | ClientError::Timeout { .. } => true,
        ClientError::GraphQl { code, messages, .. } => {
            code.as_deref() == Some("access_not_allowed")
                || messages
                    .iter()
                    .any(|m| m.to_ascii_lowercase().contains("rate limit"))
        }
        _ => false,
    }
}

/// What a failed `POST /authentications` means for its row. Unlike the calls of
/// [`retryable`], a create may have had its effect although it failed, and there are no
/// idempotency keys: only what surely created nothing is sent again.
pub(crate) enum CreateFailure<'a> {
    /// Tray may have stored it: the row is settled (looked up in Tray) before anything else.
    OutcomeUnknown,
    /// The user token was refused (expired or revoked): renew it; nothing was created.
    TokenRefused,
    /// Tray refused the body as not fitting the schema: its message (redacted by the client).
    Invalid(&'a str),
    /// Refused before it was handled, or not sent: safe to send again.
    Retryable,
    /// Anything else: the row failed; a later run sends it again.
    Failed,
}

/// The class of a create's failure.
pub(crate) fn create_failure(error: &ClientError) -> CreateFailure<'_> {
    match error {
        // A 5xx other than 503 may come after Tray stored the authentication (the client
        // does not retry it either): as uncertain as no answer at all.
        ClientError::UnknownOutcome { .. }
        | ClientError::Api {
            status: 500..=502 | 504..=599,
            ..
        } => CreateFailure::OutcomeUnknown,
        ClientError::Api { status: 401, .. } => CreateFailure::TokenRefused,
        ClientError::Api {
            status: 400,
            message,
            ..
        } => CreateFailure::Invalid(message),
        ClientError::Api {
            status: 429 | 503, ..
        }
        | ClientError::Network { .. } => CreateFailure::Retryable,
        _ => CreateFailure::Failed,
    }
}
