//! What can go wrong on purpose: latency, a rate limit, 500s, and connections dropped after
//! the request body was read.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The fake's rate limit: a token bucket, answering 429 when it is empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests a second, on average.
    pub per_second: f64,
    /// How many may come at once.
    pub burst: u32,
}

/// Standing faults, applied to every API request (not to `/_fake/` endpoints).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// The share of requests (0.0 to 1.0) answered `500` without being handled.
    pub server_error_share: f64,
    /// The share of requests (0.0 to 1.0) that are handled (an authentication is created) but
    /// whose connection is then dropped without an answer.
    pub drop_share: f64,
    /// Seeds the random choice of which requests fail, so a run can be repeated.
    pub seed: u64,
}

/// A fault for the next request, queued with
/// [`FakeTray::inject`](crate::FakeTray::inject); queued faults go before standing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer `429` without handling the request, with `Retry-After` if given (seconds).
    TooManyRequests {
        /// The `Retry-After` header to send.
        retry_after: Option<u32>,
    },
    /// Answer `500` without handling the request.
    ServerError,
    /// Handle the request (an authentication is created), then answer `500` anyway, as a
    /// server failing after its write would: the caller cannot tell it from a plain 500.
    ServerErrorAfterHandling,
    /// Read the body and handle the request (an authentication is created), then drop the
    /// connection without an answer: the caller cannot know whether it worked.
    DropAfterBody,
}

#[derive(Debug)]
pub(crate) struct FaultState {
    pub(crate) faults: Faults,
    pub(crate) queue: VecDeque<Fault>,
    rng: fastrand::Rng,
    limit: Option<(RateLimit, f64, Instant)>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults, rate_limit: Option<RateLimit>) -> Self {
        let rng = fastrand::Rng::with_seed(faults.seed);
        let limit = rate_limit.map(|limit| (limit, f64::from(limit.burst), Instant::now()));
        FaultState {
            faults,
            queue: VecDeque::new(),
            rng,
            limit,
        }
    }

    pub(crate) fn set(&mut self, faults: Faults) {
        self.rng = fastrand::Rng::with_seed(faults.seed);
        self.faults = faults;
    }

    /// What to do to this request: a queued fault, a standing one drawn at random, or none.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        if let Some(fault) = self.queue.pop_front() {
            return Some(fault);
        }
        let draw = self.rng.f64();
        if draw < self.faults.server_error_share {
            Some(Fault::ServerError)
        } else if draw < self.faults.server_error_share + self.faults.drop_share {
            Some(Fault::DropAfterBody)
        } else {
            None
        }
    }

    /// Takes a token from the rate limit's bucket; `false` when it is empty.
    pub(crate) fn admit(&mut self) -> bool {
        let Some((limit, tokens, updated)) = &mut self.limit else {
            return true;
        };
        let now = Instant::now();
        let refill = now.duration_since(*updated).as_secs_f64() * limit.per_second.max(0.0);
        *tokens = (*tokens + refill).min(f64::from(limit.burst));
        *updated = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_go_first_then_standing_shares() {
        let mut state = FaultState::new(
            Faults {
                server_error_share: 1.0,
                ..Faults::default()
            },
            None,
        );
        state.queue.push_back(Fault::DropAfterBody);
        assert_eq!(state.next(), Some(Fault::DropAfterBody));
        assert_eq!(state.next(), Some(Fault::ServerError));
        state.set(Faults::default());
        assert_eq!(state.next(), None);
    }

    #[test]
    fn rate_limit_admits_a_burst_then_refuses() {
        let mut state = FaultState::new(
            Faults::default(),
            Some(RateLimit {
                per_second: 0.001,
                burst: 3,
            }),
        );
        assert_eq!(
            (0..5).map(|_| state.admit()).collect::<Vec<_>>(),
            [true, true, true, false, false]
        );
    }
}
