//! Why credentials could not produce headers: one opaque error with a kind,
//! predicates to branch on, the token endpoint's own answer when there was
//! one, and the underlying cause.

use std::error::Error as StdError;
use std::fmt;

/// What kind of failure an [`AuthError`] is. Branch on the predicates of
/// [`AuthError`] where one fits; the kind is for logs and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// No credentials are configured where this source looks (no
    /// `GOOGLE_APPLICATION_CREDENTIALS`, no gcloud file, no metadata
    /// server): a chain moves on to its next source.
    NotConfigured,
    /// Credentials are configured but cannot be used (a file that does not
    /// parse, a missing field, a bad key): a chain stops here.
    Config,
    /// The user must sign in again (`invalid_grant`: a revoked or expired
    /// refresh token, or reauthentication required). The dead cache entry
    /// has been removed.
    SignInAgain,
    /// The person (or the authorization server) refused: `access_denied` in
    /// the browser or on the other device, or another `error=` redirect.
    Denied,
    /// A token request or a sign-in wait ran out of time.
    TimedOut,
    /// The token endpoint was unavailable (5xx, 429, a transport failure)
    /// after the token client's own retries: another attempt later may work.
    Unavailable,
    /// The token endpoint refused for another reason (`invalid_client`,
    /// `unauthorized_client`, …) or answered something that is not a token.
    Refresh,
    /// A sign-in flow failed (state mismatch, nothing pasted, the loopback
    /// server could not start, …).
    Flow,
    /// The token cache could not be read or written.
    Cache,
    /// A value cannot be a header (control characters, …).
    InvalidHeader,
    /// Anything else.
    Other,
}

/// What a token endpoint answered when it refused: the HTTP status and the
/// OAuth 2.0 (RFC 6749 §5.2) fields, Google's `error_subtype` included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenEndpointError {
    /// HTTP status.
    pub status: u16,
    /// `error` (`invalid_grant`, `invalid_client`, …; for Google API-style
    /// bodies, the `status` such as `PERMISSION_DENIED`).
    pub error: String,
    /// `error_description` (or the Google error's `message`).
    pub description: Option<String>,
    /// Google's `error_subtype` (`invalid_rapt`: reauthentication needed).
    pub subtype: Option<String>,
}

impl TokenEndpointError {
    /// An answer with this status and `error` code.
    pub fn new(status: u16, error: impl Into<String>) -> Self {
        TokenEndpointError {
            status,
            error: error.into(),
            description: None,
            subtype: None,
        }
    }

    /// With an `error_description`.
    pub fn with_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    /// With Google's `error_subtype`.
    pub fn with_subtype(mut self, subtype: Option<String>) -> Self {
        self.subtype = subtype;
        self
    }
}

/// Why credentials could not produce headers.
///
/// Opaque: ask it what you need to decide ([`is_transient`],
/// [`needs_sign_in`], [`is_not_configured`], …), read [`kind`] for logs, and
/// [`token_endpoint_error`] for what Google's token endpoint said. `Display`
/// is one line that names the file, field or endpoint and never a secret;
/// `Debug` adds the causes (see [`write_report`](crate::write_report)), and
/// `{:#?}` shows the fields.
///
/// [`is_transient`]: AuthError::is_transient
/// [`needs_sign_in`]: AuthError::needs_sign_in
/// [`is_not_configured`]: AuthError::is_not_configured
/// [`kind`]: AuthError::kind
/// [`token_endpoint_error`]: AuthError::token_endpoint_error
pub struct AuthError {
    // Boxed: the error travels in every `Result` of every request, so its
    // size is the size of a pointer.
    inner: Box<Inner>,
}

struct Inner {
    kind: AuthErrorKind,
    message: String,
    endpoint: Option<TokenEndpointError>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl AuthError {
    /// An error of `kind` with a message that names what failed (a file, a
    /// field, an endpoint) and carries no secret.
    pub fn new(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        AuthError {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                endpoint: None,
                source: None,
            }),
        }
    }

    /// Nothing is configured where this source looks.
    pub fn not_configured(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::NotConfigured, message)
    }

    /// Configured, but unusable.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Config, message)
    }

    /// The user must sign in again.
    pub fn sign_in_again(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::SignInAgain, message)
    }

    /// Sign-in was refused.
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Denied, message)
    }

    /// Ran out of time.
    pub fn timed_out(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::TimedOut, message)
    }

    /// A sign-in flow failed.
    pub fn flow(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Flow, message)
    }

    /// The token cache failed while doing what `message` says.
    pub fn cache(
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self::new(AuthErrorKind::Cache, message).with_source(source)
    }

    /// A value could not be a header.
    pub fn invalid_header() -> Self {
        Self::new(
            AuthErrorKind::InvalidHeader,
            "credential value is not a valid HTTP header value",
        )
    }

    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Other, message)
    }

    /// With the cause underneath.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// With what the token endpoint answered.
    pub fn with_token_endpoint_error(mut self, answer: TokenEndpointError) -> Self {
        self.inner.endpoint = Some(answer);
        self
    }

    /// The same error with `context` in front of its message (a file name,
    /// the source of a chain).
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> AuthErrorKind {
        self.inner.kind
    }

    /// The message, without the kind's prefix or the causes.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// What the token endpoint answered, when it refused.
    pub fn token_endpoint_error(&self) -> Option<&TokenEndpointError> {
        self.inner.endpoint.as_ref()
    }

    /// Whether trying again later may succeed: the token endpoint was
    /// unavailable (5xx, 429, a transport failure). The runtime retries
    /// these under its retry policy.
    pub fn is_transient(&self) -> bool {
        self.inner.kind == AuthErrorKind::Unavailable
    }

    /// Whether only a person signing in again can fix it.
    pub fn needs_sign_in(&self) -> bool {
        self.inner.kind == AuthErrorKind::SignInAgain
    }

    /// Whether nothing is configured (as opposed to configured but broken).
    pub fn is_not_configured(&self) -> bool {
        self.inner.kind == AuthErrorKind::NotConfigured
    }

    /// Whether a person or the authorization server refused.
    pub fn is_denied(&self) -> bool {
        self.inner.kind == AuthErrorKind::Denied
    }

    /// Whether a token request or a sign-in wait ran out of time.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == AuthErrorKind::TimedOut
    }

    /// Whether the credentials' configuration (a file, a field, a key) is at
    /// fault: fixing it, not retrying, is what helps.
    pub fn is_config(&self) -> bool {
        self.inner.kind == AuthErrorKind::Config
    }
}

// Written out rather than derived: thiserror's proc macro was a second of
// compile time in every application, API-key ones included.
impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.inner.kind {
            AuthErrorKind::SignInAgain => "sign in again: ",
            AuthErrorKind::Denied => "sign-in was denied: ",
            AuthErrorKind::Refresh | AuthErrorKind::Unavailable => "token refresh failed: ",
            AuthErrorKind::Flow => "sign-in failed: ",
            _ => "",
        };
        write!(f, "{prefix}{}", self.inner.message)
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return crate::write_report(self, f);
        }
        let mut s = f.debug_struct("AuthError");
        s.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(endpoint) = &self.inner.endpoint {
            s.field("token_endpoint_error", endpoint);
        }
        if let Some(source) = &self.inner.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl StdError for AuthError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_the_message_then_its_causes() {
        let error = AuthError::cache(
            "reading token.json",
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied"),
        );
        assert_eq!(
            format!("{error:?}"),
            "reading token.json\n  caused by: permission denied"
        );
        assert!(format!("{error:#?}").starts_with("AuthError {\n    kind: Cache,"));
        let error = AuthError::config("no client_secret.json");
        assert_eq!(format!("{error:?}"), "no client_secret.json");
    }

    #[test]
    fn predicates_follow_the_kind_and_the_endpoint_answer_is_kept() {
        let error = AuthError::sign_in_again("token revoked").with_token_endpoint_error(
            TokenEndpointError::new(400, "invalid_grant").with_subtype(Some("invalid_rapt".into())),
        );
        assert!(error.needs_sign_in() && !error.is_transient() && !error.is_not_configured());
        assert_eq!(error.to_string(), "sign in again: token revoked");
        let answer = error.token_endpoint_error().expect("kept");
        assert_eq!(
            (answer.status, answer.error.as_str()),
            (400, "invalid_grant")
        );
        assert_eq!(answer.subtype.as_deref(), Some("invalid_rapt"));

        let unavailable = AuthError::new(AuthErrorKind::Unavailable, "HTTP 503");
        assert!(unavailable.is_transient());
        assert_eq!(unavailable.to_string(), "token refresh failed: HTTP 503");
        assert!(AuthError::not_configured("no ADC").is_not_configured());
        assert!(!AuthError::config("bad file").is_not_configured());
        assert_eq!(
            AuthError::config("bad field")
                .context("key.json")
                .to_string(),
            "key.json: bad field"
        );
    }
}
