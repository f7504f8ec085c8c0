//! How often and how patiently to try a request again: the one policy type
//! of gapi, used by the runtime for API calls and by `gapi-auth` for token
//! requests (each with its own defaults). What counts as worth retrying is
//! decided where the errors are known: the runtime's `Error` and auth's
//! token client.

use std::time::Duration;

/// Exponential backoff with jitter, bounded in attempts and total time.
///
/// The runtime's default ([`RetryPolicy::default`]) is 5 attempts from
/// 500 ms, doubling to at most 32 s, within 120 s; token requests use
/// [`RetryPolicy::token_requests`].
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// First backoff.
    pub initial_backoff: Duration,
    /// Backoff ceiling.
    pub max_backoff: Duration,
    /// Growth per attempt.
    pub multiplier: f64,
    /// No retry starts after this much time since the first attempt.
    pub total_budget: Duration,
    /// Retry POST/PATCH too (only when you know the method is safe to repeat).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(32),
            multiplier: 2.0,
            total_budget: Duration::from_secs(120),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// What `gapi-auth` uses for token requests: 3 attempts from 200 ms
    /// within `budget` (its token timeout). A token request that failed
    /// transiently (5xx, 429, a dropped connection) changed nothing at the
    /// endpoint, so POSTs are repeated.
    pub fn token_requests(budget: Duration) -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            multiplier: 2.0,
            total_budget: budget,
            retry_non_idempotent: true,
        }
    }

    /// Whether a request of a method that is (or is not) idempotent may be
    /// repeated under this policy.
    pub fn may_repeat(&self, idempotent: bool) -> bool {
        idempotent || self.retry_non_idempotent
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1),
    /// honouring `Retry-After` when it asks for longer.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(30) as i32);
        let ceiling = self.initial_backoff.mul_f64(exp).min(self.max_backoff);
        // Jitter: uniformly in [ceiling/2, ceiling].
        let jittered = ceiling.mul_f64(0.5 + fastrand::f64() * 0.5);
        match retry_after {
            Some(after) if after > jittered => after,
            _ => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_respects_retry_after() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let b1 = p.backoff(1, None);
            assert!(
                b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100),
                "{b1:?}"
            );
            let b5 = p.backoff(5, None);
            assert!(
                b5 >= Duration::from_millis(200) && b5 <= Duration::from_millis(400),
                "{b5:?}"
            );
        }
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }
}
