//! The one retry loop of every request the runtime sends — calls, simple
//! and resumable uploads (the session start and every chunk), downloads,
//! streams until their first byte, batches — shaped like google-cloud-rust's
//! `gax` loop: a [`RetryPolicy`] (attempts, backoff, total budget,
//! idempotency), a client-wide retry budget (`Throttle`) so that a failing service is not
//! hammered by every call's retries at once, a 401 that refreshes the
//! credentials once, and a `gapi.call` span around every attempt.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use gapi_credentials::Credentials;
use tracing::{Instrument, Span};

use crate::error::{Error, Kind};

pub use gapi_credentials::RetryPolicy;

/// Whether `error` is worth another attempt under `policy` for a method
/// that is (or is not) idempotent.
///
/// Retried by default: 408, 429, 500, 502, 503, 504, 403 with reason
/// `rateLimitExceeded`/`userRateLimitExceeded`, and transport failures —
/// for idempotent methods only, except failures where the request certainly
/// did not reach the server (connect errors, and credentials whose token
/// endpoint was unavailable: `AuthError::is_transient`), which are always
/// safe.
pub(crate) fn should_retry(policy: &RetryPolicy, error: &Error, idempotent: bool) -> bool {
    let safe_to_repeat = policy.may_repeat(idempotent);
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

/// A client's retry budget, shared by all its calls: gRPC's retry
/// throttling. Every failed attempt takes a token, every success gives back
/// a tenth of one; retries stop while fewer than half the tokens are left
/// (after about 50 failures in a row with no success between), so an outage
/// costs one attempt per call, not five. The first attempt of a call is
/// never held back.
#[derive(Debug)]
pub(crate) struct Throttle {
    /// Thousandths of a token.
    milli_tokens: AtomicU32,
}

const MAX_MILLI_TOKENS: u32 = 100_000;
const FAILURE_COST: u32 = 1_000;
const SUCCESS_REFUND: u32 = 100;

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            milli_tokens: AtomicU32::new(MAX_MILLI_TOKENS),
        }
    }
}

impl Throttle {
    fn succeeded(&self) {
        let _ = self
            .milli_tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some((t + SUCCESS_REFUND).min(MAX_MILLI_TOKENS))
            });
    }

    fn failed(&self) {
        let _ = self
            .milli_tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_sub(FAILURE_COST))
            });
    }

    fn allows_retry(&self) -> bool {
        self.milli_tokens.load(Ordering::Relaxed) > MAX_MILLI_TOKENS / 2
    }
}

/// What one attempt of a request does, for [`Retrying::run`]: a closure
/// `|| async { … }` for requests with no state across attempts, or a type of
/// its own for those that keep some (a download's bytes written, a chunk's
/// resume, a batch's unanswered calls).
///
/// A trait, not an async closure: rustc cannot yet prove an async closure's
/// future `Send` for every borrow (rust-lang/rust#139475, #138207), and
/// every future of the runtime must be `Send`.
pub(crate) trait Attempter: Send {
    /// What a successful attempt gives.
    type Output;
    /// Makes one attempt.
    fn attempt(
        &mut self,
        attempt: &mut Attempt,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

impl<F, Fut, T> Attempter for F
where
    F: FnMut() -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
{
    type Output = T;

    fn attempt(&mut self, _: &mut Attempt) -> impl Future<Output = Result<T, Error>> + Send {
        self()
    }
}

/// The attempt in progress, as its sender sees it.
#[derive(Debug)]
pub(crate) struct Attempt {
    number: u32,
    idempotent: bool,
    give_up: bool,
}

impl Attempt {
    /// Whether the request may be repeated safely from now on (a batch
    /// decides it per round, from the calls it is about to send again).
    pub(crate) fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }

    /// Makes the error this attempt returns final, whatever the policy says
    /// (a resumable upload out of resumes).
    pub(crate) fn give_up(&mut self) {
        self.give_up = true;
    }
}

/// One request's retry loop: see the [module docs](self).
pub(crate) struct Retrying<'a> {
    method: &'static str,
    policy: &'a RetryPolicy,
    throttle: Option<&'a Throttle>,
    idempotent: bool,
    credentials: Option<&'a dyn Credentials>,
    span: Span,
}

impl<'a> Retrying<'a> {
    /// The loop of `method` under `policy`, its attempts inside `span` (a
    /// `gapi.call` span from [`crate::trace`]). Not idempotent, no
    /// credentials to refresh and no throttle until said otherwise.
    pub(crate) fn new(method: &'static str, policy: &'a RetryPolicy, span: Span) -> Self {
        Retrying {
            method,
            policy,
            throttle: None,
            idempotent: false,
            credentials: None,
            span,
        }
    }

    /// Whether the request is safe to repeat.
    pub(crate) fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Credentials refreshed once after a 401 (none for requests sent
    /// without them, such as an upload session's own URL).
    pub(crate) fn credentials(mut self, credentials: Option<&'a dyn Credentials>) -> Self {
        self.credentials = credentials;
        self
    }

    /// The client's retry budget.
    pub(crate) fn throttle(mut self, throttle: &'a Throttle) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// Makes attempts until one succeeds or the policy says stop, inside the
    /// span, which records the attempt number and the latency.
    ///
    /// `attempter` keeps its own state across attempts (bytes written, the
    /// chunk in hand, the calls of a batch still unanswered).
    pub(crate) async fn run<A: Attempter>(mut self, mut attempter: A) -> Result<A::Output, Error> {
        let span = self.span.clone();
        let started = Instant::now();
        let result = async {
            let mut current = Attempt {
                number: 1,
                idempotent: self.idempotent,
                give_up: false,
            };
            let mut refreshed = false;
            loop {
                Span::current().record("attempt", current.number);
                let error = match attempter.attempt(&mut current).await {
                    Ok(value) => {
                        if let Some(throttle) = self.throttle {
                            throttle.succeeded();
                        }
                        return Ok(value);
                    }
                    Err(error) => error,
                };
                if current.give_up {
                    return Err(error);
                }
                self.idempotent = current.idempotent;
                // `None`: a 401 refreshed the credentials; try again at
                // once without counting an attempt.
                if let Some(pause) = self.decide(error, current.number, started, &mut refreshed)? {
                    tokio::time::sleep(pause).await;
                    current.number += 1;
                }
            }
        }
        .instrument(span.clone())
        .await;
        crate::trace::finish(&span, started);
        result
    }

    /// After attempt `number` failed with `error`: `Ok(Some(pause))` to try
    /// again after a pause, `Ok(None)` to try again at once (credentials
    /// refreshed after a 401; that extra attempt does not count against
    /// `max_attempts`, so a policy of one attempt still survives an expired
    /// token), or the error back when the policy says stop (not retryable,
    /// attempts or budget used up, the client's retry budget exhausted).
    fn decide(
        &self,
        error: Error,
        number: u32,
        started: Instant,
        refreshed: &mut bool,
    ) -> Result<Option<Duration>, Error> {
        if error.status() == Some(401) && !*refreshed {
            if let Some(credentials) = self.credentials {
                *refreshed = true;
                if credentials.invalidate() {
                    tracing::debug!(
                        method = self.method,
                        "401: credentials refreshed, trying again"
                    );
                    return Ok(None);
                }
            }
        }
        if let Some(throttle) = self.throttle {
            throttle.failed();
        }
        if number >= self.policy.max_attempts || !should_retry(self.policy, &error, self.idempotent)
        {
            return Err(error);
        }
        if self.throttle.is_some_and(|t| !t.allows_retry()) {
            tracing::warn!(
                method = self.method,
                "no retry: too many recent failures on this client (retry budget exhausted)"
            );
            return Err(error);
        }
        let pause = self.policy.backoff(number, error.retry_after());
        let budget_left = self.policy.total_budget.saturating_sub(started.elapsed());
        if pause > budget_left {
            tracing::debug!(
                method = self.method,
                attempt = number,
                "no retry: the pause would end past the total budget"
            );
            return Err(error);
        }
        tracing::info!(
            method = self.method,
            attempt = number,
            pause_ms = pause.as_millis() as u64,
            status = error.status(),
            error = %error,
            "retrying"
        );
        Ok(Some(pause))
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
    fn the_throttle_stops_retries_after_a_run_of_failures_and_successes_restore_them() {
        let throttle = Throttle::default();
        for _ in 0..49 {
            throttle.failed();
        }
        assert!(throttle.allows_retry(), "49 failures leave more than half");
        throttle.failed();
        assert!(!throttle.allows_retry(), "50 in a row: the budget is spent");
        throttle.succeeded();
        assert!(throttle.allows_retry(), "a success gives back a tenth");
        for _ in 0..2_000 {
            throttle.succeeded();
        }
        for _ in 0..49 {
            throttle.failed();
        }
        assert!(throttle.allows_retry(), "capped at the maximum, not beyond");
    }

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
}
