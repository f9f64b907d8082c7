//! A token bucket shared by every task using one client, so a whole import stays within
//! Tray's limit however many tasks it runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// How fast a client may call Tray.
///
/// The default is Tray's documented limit: 30 requests a second, in bursts of up to 50.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests a second, on average. Must be above zero.
    pub per_second: f64,
    /// How many requests may go at once after a quiet spell. At least 1.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 30.0,
            burst: 50,
        }
    }
}

impl RateLimit {
    /// A limit of `per_second` requests a second, in bursts of up to `burst`.
    pub fn new(per_second: f64, burst: u32) -> Self {
        RateLimit { per_second, burst }
    }
}

#[derive(Debug)]
struct Bucket {
    /// May go below zero: each waiting caller has reserved one token ahead.
    tokens: f64,
    updated: Instant,
}

/// The shared bucket. Cloning shares it.
#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    bucket: Arc<Mutex<Bucket>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let limit = RateLimit {
            per_second: if limit.per_second.is_finite() && limit.per_second > 0.0 {
                limit.per_second
            } else {
                1.0
            },
            burst: limit.burst.max(1),
        };
        let bucket = Bucket {
            tokens: f64::from(limit.burst),
            updated: Instant::now(),
        };
        RateLimiter {
            limit,
            bucket: Arc::new(Mutex::new(bucket)),
        }
    }

    /// Waits until a request may go. Callers are served in the order they asked.
    pub(crate) async fn acquire(&self) {
        let wait = {
            // A poisoned lock only means another task panicked mid-update of two numbers;
            // the numbers are still usable.
            let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let elapsed = now.duration_since(bucket.updated).as_secs_f64();
            bucket.tokens =
                (bucket.tokens + elapsed * self.limit.per_second).min(f64::from(self.limit.burst));
            bucket.updated = now;
            bucket.tokens -= 1.0;
            if bucket.tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-bucket.tokens / self.limit.per_second)
            }
        };
        if !wait.is_zero() {
            tracing::trace!(wait_ms = wait.as_millis() as u64, "rate limit: waiting");
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_then_paces() {
        let limiter = RateLimiter::new(RateLimit::new(10.0, 5));
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst goes at once");
        for _ in 0..10 {
            limiter.acquire().await;
        }
        // Ten more at ten a second: one second, give or take the clock's rounding.
        let elapsed = start.elapsed().as_secs_f64();
        assert!((0.99..1.01).contains(&elapsed), "took {elapsed}s");
    }

    #[tokio::test(start_paused = true)]
    async fn is_shared_by_concurrent_tasks() {
        let limiter = RateLimiter::new(RateLimit::new(20.0, 1));
        let start = Instant::now();
        let tasks: Vec<_> = (0..21)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { limiter.acquire().await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = start.elapsed().as_secs_f64();
        assert!((0.99..1.01).contains(&elapsed), "took {elapsed}s");
    }

    #[test]
    fn nonsense_limits_are_made_safe() {
        let limiter = RateLimiter::new(RateLimit::new(f64::NAN, 0));
        assert_eq!(limiter.limit, RateLimit::new(1.0, 1));
    }
}
