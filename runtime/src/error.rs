//! One error type for every generated call, with predicates instead of a
//! public enum, so new cases do not break callers.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::decode::{self, DecodeFields, Failed, Reader};

/// Google's JSON error body (`{"error": {...}}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoogleError {
    /// HTTP status code as the server states it.
    pub code: u16,
    /// Human message.
    pub message: String,
    /// Canonical status, e.g. `PERMISSION_DENIED`.
    pub status: Option<String>,
    /// Legacy error items with `reason`.
    pub errors: Vec<GoogleErrorItem>,
    /// Structured details (`google.rpc.ErrorInfo`, …).
    pub details: Vec<serde_json::Value>,
}

/// One item of `error.errors[]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoogleErrorItem {
    /// Machine reason, e.g. `rateLimitExceeded`.
    pub reason: Option<String>,
    /// Message.
    pub message: Option<String>,
    /// Domain, e.g. `usageLimits`.
    pub domain: Option<String>,
    /// Offending location (parameter name).
    pub location: Option<String>,
    /// Kind of location.
    pub location_type: Option<String>,
}

// Decoded like generated types (through `DecodeFields`), not with serde's
// derive: then an application that only uses an API key compiles no
// serde_derive at all.
fn text(r: &mut dyn Reader) -> Result<Option<String>, Failed> {
    Ok(r.string()?.map(String::from))
}

impl DecodeFields for GoogleError {
    fn type_name(&self) -> &'static str {
        "GoogleError"
    }

    fn decode_field(&mut self, key: &str, r: &mut dyn Reader) -> Result<(), Failed> {
        match key {
            "code" => {
                self.code = r.int32()?.and_then(|c| u16::try_from(c).ok()).unwrap_or(0);
            }
            "message" => self.message = text(r)?.unwrap_or_default(),
            "status" => self.status = text(r)?,
            "errors" => self.errors = decode::object_list(r)?.unwrap_or_default(),
            "details" => self.details = decode::list(r, |r| r.any())?.unwrap_or_default(),
            _ => {}
        }
        Ok(())
    }
}

impl DecodeFields for GoogleErrorItem {
    fn type_name(&self) -> &'static str {
        "GoogleErrorItem"
    }

    fn decode_field(&mut self, key: &str, r: &mut dyn Reader) -> Result<(), Failed> {
        match key {
            "reason" => self.reason = text(r)?,
            "message" => self.message = text(r)?,
            "domain" => self.domain = text(r)?,
            "location" => self.location = text(r)?,
            "locationType" => self.location_type = text(r)?,
            _ => {}
        }
        Ok(())
    }
}

impl<'de> serde::Deserialize<'de> for GoogleError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        decode::decode_struct(d)
    }
}

impl<'de> serde::Deserialize<'de> for GoogleErrorItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        decode::decode_struct(d)
    }
}

impl GoogleError {
    /// Parses a Google error body; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<GoogleError> {
        /// `{"error": {…}}`: anything else (OAuth's `"error": "invalid_grant"`,
        /// a body without `error`) is not a Google error.
        #[derive(Default)]
        struct Envelope(Option<GoogleError>);
        impl DecodeFields for Envelope {
            fn type_name(&self) -> &'static str {
                "GoogleErrorEnvelope"
            }
            fn decode_field(&mut self, key: &str, r: &mut dyn Reader) -> Result<(), Failed> {
                if key == "error" {
                    self.0 = decode::object(r)?;
                }
                Ok(())
            }
        }
        let mut envelope = Envelope::default();
        decode::from_json_into(body, &mut envelope).ok()?;
        envelope.0
    }

    /// Reasons from `errors[].reason` and `details[].reason` (ErrorInfo).
    pub fn reasons(&self) -> impl Iterator<Item = &str> {
        self.errors
            .iter()
            .filter_map(|e| e.reason.as_deref())
            .chain(
                self.details
                    .iter()
                    .filter_map(|d| d.get("reason").and_then(|r| r.as_str())),
            )
    }
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// The request could not be built (bad parameter, body, template).
    Build(String),
    /// Credentials failed before sending.
    Auth(gapi_credentials::AuthError),
    /// Transport failure; `sent` says whether bytes may have reached the
    /// server, `to` is the `host:port` it was sent to (the URL itself is
    /// dropped: its query may hold an API key).
    Transport {
        source: reqwest::Error,
        sent: bool,
        to: Option<String>,
    },
    /// The server answered with a non-success status.
    Api {
        status: u16,
        google: Option<GoogleError>,
        body: Bytes,
        retry_after: Option<Duration>,
    },
    /// The response body did not decode.
    Decode {
        source: serde_json::Error,
        body: Bytes,
        /// Where the text `source` read starts in `body` (a `dataWrapper`
        /// API's `data` member), so positions are located in the body.
        base: usize,
    },
    /// Local I/O (media files, writers).
    Io(std::io::Error),
    /// A long-running operation finished with an error (its `error`
    /// object as the server sent it, and the message found in it).
    Operation {
        name: String,
        message: String,
        error: serde_json::Value,
    },
    /// A long-running operation was not done within the poller's time limit.
    OperationTimedOut { name: String, waited: Duration },
    /// An answer passed one of the client's memory caps
    /// ([`crate::limits::Limits`]): `what` passed `limit` bytes, set by
    /// `setting`.
    TooLarge {
        what: &'static str,
        limit: u64,
        setting: &'static str,
    },
    /// The server's answer does not follow the protocol (a batch response
    /// that is not `multipart/mixed`, or lacks a call's part).
    Protocol(String),
}

/// The error of every gapi call.
///
/// Use the predicates ([`Error::status`], [`Error::is_timeout`], …) rather than
/// matching. Neither `Display` nor `Debug` ever shows an API key or token:
/// URLs are dropped from transport errors and credentials never enter here.
pub struct Error {
    // Boxed: keeps `Result<T, Error>` small on every happy path.
    pub(crate) kind: Box<Kind>,
    pub(crate) method: &'static str,
}

impl Error {
    pub(crate) fn new(method: &'static str, kind: Kind) -> Error {
        Error {
            kind: Box::new(kind),
            method,
        }
    }

    pub(crate) fn build(method: &'static str, message: impl Into<String>) -> Error {
        Error::new(method, Kind::Build(message.into()))
    }

    pub(crate) fn transport(method: &'static str, source: reqwest::Error, sent: bool) -> Error {
        let to = source.url().and_then(|url| {
            let host = url.host_str()?;
            let port = url.port_or_known_default()?;
            Some(if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            })
        });
        Error::new(
            method,
            Kind::Transport {
                source: source.without_url(),
                sent,
                to,
            },
        )
    }

    /// The operating system's error beneath a transport failure (connection
    /// refused, reset, …), if there is one.
    pub(crate) fn io_cause(&self) -> Option<&std::io::Error> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = match &*self.kind {
            Kind::Transport { source, .. } => Some(source),
            _ => None,
        };
        while let Some(error) = cause {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                return Some(io);
            }
            cause = error.source();
        }
        None
    }

    /// The `host:port` a transport failure happened on.
    pub fn host(&self) -> Option<&str> {
        match &*self.kind {
            Kind::Transport { to, .. } => to.as_deref(),
            _ => None,
        }
    }

    /// A connection refused by this machine itself (`127.0.0.1`,
    /// `localhost`, `[::1]`): nothing is listening on that port, and
    /// nothing between client and server can change that by a retry.
    pub(crate) fn refused_by_this_machine(&self) -> bool {
        let loopback = self.host().is_some_and(|to| {
            let host = to.rsplit_once(':').map_or(to, |(host, _)| host);
            matches!(host, "localhost" | "[::1]") || host.starts_with("127.")
        });
        loopback
            && self
                .io_cause()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match &*self.kind {
            Kind::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Google's parsed error body, when there is one.
    pub fn google_error(&self) -> Option<&GoogleError> {
        match &*self.kind {
            Kind::Api { google, .. } => google.as_ref(),
            _ => None,
        }
    }

    /// The first machine reason (`rateLimitExceeded`, `notFound`, …).
    pub fn reason(&self) -> Option<&str> {
        self.google_error().and_then(|g| g.reasons().next())
    }

    /// The raw response body of an API or decode error.
    pub fn body(&self) -> Option<&[u8]> {
        match &*self.kind {
            Kind::Api { body, .. } | Kind::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match &*self.kind {
            Kind::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A timeout (connect or overall), or a long-running operation that was
    /// not done in time.
    pub fn is_timeout(&self) -> bool {
        matches!(&*self.kind, Kind::Transport { source, .. } if source.is_timeout())
            || matches!(&*self.kind, Kind::OperationTimedOut { .. })
    }

    /// For a long-running operation that finished with an error: that
    /// `error` object as the server sent it (`code`, `message`, `details`;
    /// or Compute's `errors[]`).
    pub fn operation_error(&self) -> Option<&serde_json::Value> {
        match &*self.kind {
            Kind::Operation { error, .. } => Some(error),
            _ => None,
        }
    }

    /// A connection could not be made or was dropped.
    pub fn is_connect(&self) -> bool {
        matches!(&*self.kind, Kind::Transport { source, .. } if source.is_connect())
    }

    /// Credentials failed, or the server said 401/403.
    pub fn is_auth(&self) -> bool {
        matches!(&*self.kind, Kind::Auth(_)) || matches!(self.status(), Some(401 | 403))
    }

    /// Whether the runtime would try again after this error under `policy`,
    /// for a method that is (or is not) idempotent: the rule every retry
    /// loop of the runtime follows (see [`RetryPolicy`](crate::RetryPolicy)).
    pub fn is_retryable(&self, policy: &crate::RetryPolicy, idempotent: bool) -> bool {
        crate::retry::should_retry(policy, self, idempotent)
    }

    /// 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The request was rejected before sending (bad input).
    pub fn is_build(&self) -> bool {
        matches!(&*self.kind, Kind::Build(_))
    }

    /// The body did not decode into the expected type.
    pub fn is_decode(&self) -> bool {
        matches!(&*self.kind, Kind::Decode { .. })
    }

    /// Whether the server may have received (and acted on) the request.
    /// False only when it certainly did not: build, credential and connect
    /// failures.
    pub fn may_have_been_sent(&self) -> bool {
        match &*self.kind {
            Kind::Build(_) | Kind::Auth(_) => false,
            Kind::Transport { sent, .. } => *sent,
            Kind::Api { .. }
            | Kind::Decode { .. }
            | Kind::Io(_)
            | Kind::Protocol(_)
            | Kind::Operation { .. }
            | Kind::OperationTimedOut { .. }
            | Kind::TooLarge { .. } => true,
        }
    }

    /// An answer passed one of the client's memory caps (a body over
    /// `ClientBuilder::max_response_bytes`, a streamed element over
    /// `max_stream_element_bytes`); the message names the setting.
    pub fn is_too_large(&self) -> bool {
        matches!(&*self.kind, Kind::TooLarge { .. })
    }

    /// For a response that did not decode: the JSON path of the value that
    /// failed (`files[3].size`; empty at the top level), found by scanning
    /// the body again only now that decoding has failed.
    pub fn decode_path(&self) -> Option<String> {
        match &*self.kind {
            Kind::Decode { source, body, base } => {
                let at = crate::explain::offset_of(body, *base, source)?;
                Some(crate::explain::path_at(body, at))
            }
            _ => None,
        }
    }

    /// The method id the error belongs to (`drive.files.list`).
    pub fn method(&self) -> &str {
        self.method
    }
}

/// How much of a body an error message quotes, either side of the point
/// of failure.
const EXCERPT_RADIUS: usize = 60;

impl fmt::Display for Error {
    /// One line that names the method and what went wrong. The underlying
    /// error (transport, credentials, I/O, serde_json) is not repeated
    /// here: it is [`source()`](std::error::Error::source), which error
    /// reporters such as `anyhow`'s `{:#}` print after this line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.method)?;
        match &*self.kind {
            Kind::Build(message) => write!(f, "invalid request: {message}"),
            Kind::Auth(_) => f.write_str("credentials failed"),
            Kind::Transport { source, to, .. } => {
                f.write_str(if source.is_connect() {
                    "could not connect"
                } else if source.is_timeout() {
                    "timed out"
                } else if source.is_body() || source.is_decode() {
                    "the response body was cut off"
                } else {
                    "the request failed in transit"
                })?;
                if let Some(to) = to {
                    let word = if source.is_connect() {
                        "to"
                    } else {
                        "talking to"
                    };
                    write!(f, " {word} {to}")?;
                }
                // The operating system's word for it ("connection
                // refused") is what says what to do next.
                if let Some(io) = self.io_cause() {
                    write!(f, " ({})", io.kind())?;
                }
                Ok(())
            }
            Kind::Api {
                status,
                google,
                body,
                ..
            } => match google {
                Some(g) => {
                    use crate::explain::Printable;
                    write!(f, "HTTP {status}")?;
                    if let Some(s) = &g.status {
                        write!(f, " {}", Printable(s))?;
                    }
                    if let Some(r) = g.reasons().next() {
                        write!(f, " ({})", Printable(r))?;
                    }
                    write!(f, ": {}", Printable(&g.message))
                }
                None => {
                    let text = crate::explain::excerpt(body, 0, 2 * EXCERPT_RADIUS);
                    write!(f, "HTTP {status}: {text}")
                }
            },
            Kind::Decode { source, body, base } => {
                f.write_str("the response did not decode")?;
                let Some(at) = crate::explain::offset_of(body, *base, source) else {
                    return Ok(());
                };
                let path = crate::explain::path_at(body, at);
                if !path.is_empty() {
                    write!(f, " at `{path}`")?;
                }
                let excerpt = crate::explain::excerpt(body, at, EXCERPT_RADIUS);
                write!(f, " (byte {at}: {excerpt})")
            }
            Kind::Io(_) => f.write_str("local I/O failed"),
            Kind::Protocol(message) => write!(f, "unexpected response: {message}"),
            Kind::Operation { name, message, .. } => {
                write!(f, "operation {name} failed: {message}")
            }
            Kind::OperationTimedOut { name, waited } => write!(
                f,
                "operation {name} was not done after {} s",
                waited.as_secs()
            ),
            Kind::TooLarge {
                what,
                limit,
                setting,
            } => write!(
                f,
                "{what} is larger than {limit} bytes, the cap {setting} sets"
            ),
        }
    }
}

impl fmt::Debug for Error {
    /// What a `main` returning `Result<(), Box<dyn Error>>` prints: the
    /// `Display` line, then each underlying cause on a line of its own
    /// (`caused by: …`), never a struct dump or raw body bytes. `{:#?}`
    /// gives the structure for debugging, with the body shown only by its
    /// length. Neither shows secrets: kinds hold no URLs or credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return f
                .debug_struct("Error")
                .field("method", &self.method)
                .field("kind", &DebugKind(&self.kind))
                .finish();
        }
        gapi_credentials::write_report(self, f)
    }
}

/// [`Kind`] for `{:#?}`: bodies by length, not as bytes.
struct DebugKind<'a>(&'a Kind);

impl fmt::Debug for DebugKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = |b: &Bytes| format!("<{} bytes>", b.len());
        match self.0 {
            Kind::Api {
                status,
                google,
                body: b,
                retry_after,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("google", google)
                .field("body", &format_args!("{}", body(b)))
                .field("retry_after", retry_after)
                .finish(),
            Kind::Decode {
                source,
                body: b,
                base,
            } => f
                .debug_struct("Decode")
                .field("source", source)
                .field("body", &format_args!("{}", body(b)))
                .field("base", base)
                .finish(),
            other => other.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            Kind::Auth(e) => Some(e),
            Kind::Transport { source, .. } => Some(source),
            Kind::Decode { source, .. } => Some(source),
            Kind::Io(e) => Some(e),
            _ => None,
        }
    }
}
