//! Retry classes: which failures of a Tray call may pass if tried again, which stop the run,
//! and how long to wait before the next try.

use std::time::Duration;

use tray_auth::client::Error as ClientError;

use crate::importer::Run;

impl Run {
    pub(crate) async fn backoff(&self, attempt: u32) {
        let base = self
            .retry_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(10)))
            .min(Duration::from_secs(30));
        let wait = base / 2 + (base / 2).mul_f64(fastrand::f64());
        tokio::time::sleep(wait).await;
    }
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

/// Failures that did not change anything and may pass.
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
