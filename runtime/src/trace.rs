//! What the runtime tells `tracing`: one span per call, named `gapi.call`,
//! with the method id, verb, URL (secrets redacted), attempt, HTTP status,
//! latency and response bytes; retries and credential refreshes are events
//! inside it (see [`crate::retry`]).
//!
//! Without a subscriber a span costs one relaxed atomic load, and the URL is
//! never formatted: fields are `Display` wrappers evaluated only when a
//! subscriber records them. Tokens and API keys never enter a span or event:
//! credential headers are not recorded, and the values of the `key` and
//! `access_token` query parameters are replaced by `REDACTED`.

use std::fmt;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Span;

use crate::request::PreparedParts;

/// Query parameters whose values are secrets (an upload session's id
/// authorizes whoever holds it).
const SECRET_PARAMS: [&str; 3] = ["key", "access_token", "upload_id"];

/// The span of one call (all its attempts).
pub(crate) fn call_span(method: &'static str, parts: &PreparedParts) -> Span {
    tracing::info_span!(
        "gapi.call",
        method,
        http.method = parts.method.as_str(),
        url = %RedactedUrl(&parts.url),
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
        bytes = Empty,
    )
}

/// The span of requests to a resumable upload session: its URL is the
/// authorization, so its `upload_id` is redacted like a key.
pub(crate) fn session_span(method: &'static str, url: &str) -> Span {
    tracing::info_span!(
        "gapi.call",
        method,
        http.method = "PUT",
        url = %RedactedUrl(url),
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
        bytes = Empty,
    )
}

/// Records the call's latency on its span.
pub(crate) fn finish(span: &Span, started: Instant) {
    if !span.is_disabled() {
        span.record("latency_ms", started.elapsed().as_millis() as u64);
    }
}

/// Records the response bytes of the call in progress (on the current
/// span: the attempt runs inside it).
pub(crate) fn bytes(count: u64) {
    Span::current().record("bytes", count);
}

/// A URL printed with the values of [`SECRET_PARAMS`] redacted.
pub(crate) struct RedactedUrl<'a>(pub(crate) &'a str);

impl fmt::Display for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((base, query)) = self.0.split_once('?') else {
            return f.write_str(self.0);
        };
        f.write_str(base)?;
        for (i, pair) in query.split('&').enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            if SECRET_PARAMS.contains(&name) {
                write!(f, "{name}=REDACTED")?;
            } else {
                f.write_str(pair)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameters_are_redacted_and_the_rest_kept() {
        let url =
            "https://x.googleapis.com/v1/a?alt=json&key=AIzaSECRET&q=key%3Dv&access_token=ya29.T";
        assert_eq!(
            RedactedUrl(url).to_string(),
            "https://x.googleapis.com/v1/a?alt=json&key=REDACTED&q=key%3Dv&access_token=REDACTED"
        );
        assert_eq!(RedactedUrl("http://h/p").to_string(), "http://h/p");
        assert_eq!(
            RedactedUrl("http://h/p?key").to_string(),
            "http://h/p?key=REDACTED"
        );
    }
}
