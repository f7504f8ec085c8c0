//! When and how long to wait before trying a request again, and the one
//! loop that does it for every request the runtime sends.

use std::time::{Duration, Instant};

use gapi_credentials::Credentials;

use crate::error::{Error, Kind};

/// Exponential backoff with full jitter, bounded in attempts and total time.
///
/// Retried by default: 408, 429, 500, 502, 503, 504, 403 with reason
/// `rateLimitExceeded`/`userRateLimitExceeded`, and transport failures —
/// for idempotent methods only, except failures where the request certainly
/// did not reach the server (connect errors, and credentials whose token
/// endpoint was unavailable: [`AuthError::is_transient`]), which are always
/// safe.
///
/// [`AuthError::is_transient`]: gapi_credentials::AuthError::is_transient
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

    /// Whether `error` is worth another attempt for a method that is (or is
    /// not) idempotent.
    pub fn should_retry(&self, error: &Error, idempotent: bool) -> bool {
        let safe_to_repeat = idempotent || self.retry_non_idempotent;
        match &*error.kind {
            Kind::Transport { source, sent, .. } => {
                (!sent || safe_to_repeat)
                    && !error.refused_by_this_machine()
                    && (source.is_connect()
                        || source.is_timeout()
                        || source.is_request()
                        || source.is_body()
                        // reqwest reports a body cut off midway as a decode
                        // error (it never decodes JSON for us).
                        || source.is_decode())
            }
            Kind::Api { status, google, .. } => {
                let retryable = match status {
                    408 | 429 | 500 | 502 | 503 | 504 => true,
                    403 => google.as_ref().is_some_and(|g| {
                        g.reasons()
                            .any(|r| r == "rateLimitExceeded" || r == "userRateLimitExceeded")
                    }),
                    _ => false,
                };
                // 429 means the server did not process the request.
                retryable && (safe_to_repeat || *status == 429)
            }
            // The request was never sent: any method may try again.
            Kind::Auth(e) => e.is_transient(),
            _ => false,
        }
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1),
    /// honouring `Retry-After` when it asks for longer.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(30) as i32);
        let ceiling = self.initial_backoff.mul_f64(exp).min(self.max_backoff);
        // Full jitter: uniformly in [ceiling/2, ceiling].
        let jittered = ceiling.mul_f64(0.5 + fastrand::f64() * 0.5);
        match retry_after {
            Some(after) if after > jittered => after,
            _ => jittered,
        }
    }
}

/// The retry loop of every request the runtime sends: calls, simple
/// uploads, resumable uploads (session start, chunks and status queries) and
/// downloads. Each caller writes `loop { match try().await { Ok(v) => return
/// Ok(v), Err(e) => attempts.failed(e).await? } }`; this type alone decides
/// whether another attempt is made, how long to wait first, and when the
/// attempts or the time budget run out.
///
/// Why a state object and not a `run(attempt: impl FnMut() -> Future)`:
/// downloads and resumable uploads keep state across attempts (bytes
/// written, the chunk in hand) that a closure's future could not borrow.
pub(crate) struct Attempts<'a> {
    method: &'static str,
    policy: &'a RetryPolicy,
    idempotent: bool,
    credentials: Option<&'a dyn Credentials>,
    started: Instant,
    number: u32,
    refreshed: bool,
}

impl<'a> Attempts<'a> {
    /// The loop for one request of `method`; `credentials` are refreshed
    /// once after a 401 (pass `None` for requests sent without them, such as
    /// an upload session's own URL).
    pub(crate) fn new(
        method: &'static str,
        policy: &'a RetryPolicy,
        idempotent: bool,
        credentials: Option<&'a dyn Credentials>,
    ) -> Self {
        Attempts {
            method,
            policy,
            idempotent,
            credentials,
            started: Instant::now(),
            number: 1,
            refreshed: false,
        }
    }

    /// Whether the request being retried may be repeated safely (a batch
    /// decides it per round, from the calls it is about to send again).
    pub(crate) fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }

    /// The attempt being made, counting from 1.
    pub(crate) fn number(&self) -> u32 {
        self.number
    }

    /// After attempt [`number`](Self::number) failed with `error`: waits and
    /// returns `Ok` when another attempt should be made, or hands the error
    /// back when the policy says stop (not retryable, attempts used up, or
    /// the pause would end past the total budget).
    ///
    /// A 401 refreshes the credentials once and is tried again at once; that
    /// extra attempt does not count against `max_attempts`, so a policy of
    /// one attempt still survives an expired token.
    pub(crate) async fn failed(&mut self, error: Error) -> Result<(), Error> {
        if error.status() == Some(401) && !self.refreshed {
            if let Some(credentials) = self.credentials {
                self.refreshed = true;
                if credentials.invalidate() {
                    tracing::debug!(
                        method = self.method,
                        "401: credentials refreshed, trying again"
                    );
                    return Ok(());
                }
            }
        }
        if self.number >= self.policy.max_attempts
            || !self.policy.should_retry(&error, self.idempotent)
        {
            return Err(error);
        }
        let pause = self.policy.backoff(self.number, error.retry_after());
        let budget_left = self
            .policy
            .total_budget
            .saturating_sub(self.started.elapsed());
        if pause > budget_left {
            tracing::debug!(
                method = self.method,
                attempt = self.number,
                "no retry: the pause would end past the total budget"
            );
            return Err(error);
        }
        tracing::info!(
            method = self.method,
            attempt = self.number,
            pause_ms = pause.as_millis() as u64,
            status = error.status(),
            error = %error,
            "retrying"
        );
        tokio::time::sleep(pause).await;
        self.number += 1;
        Ok(())
    }
}

/// Parses `Retry-After` in its delay-seconds form.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    // RFC 9110 §10.2.3: delay-seconds or an HTTP-date; a date already past
    // means "retry now".
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        let soon = std::time::SystemTime::now() + Duration::from_secs(30);
        let d = parse_retry_after(&httpdate::fmt_http_date(soon)).expect("an HTTP-date");
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

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
