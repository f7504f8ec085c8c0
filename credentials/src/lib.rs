//! What a gapi client needs from credentials, and the simplest ones.
//!
//! The [`Credentials`] trait gives a request its **headers** (not just a
//! bearer token): an API key travels as `x-goog-api-key`, a quota project as
//! `x-goog-user-project`. [`ApiKey`] and [`StaticToken`] live here too, with
//! the secret newtypes and the RFC 3339 helpers, so that an application that
//! only needs an API key (Gemini's `models.list`, say) builds without the
//! sign-in flows: no loopback server, no OAuth library, no browser opener.
//! Sign-in is in `gapi-auth`, which re-exports everything here.
#![deny(missing_docs)]

mod error;
mod retry;
pub mod rfc3339;
pub mod secret;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use http::{HeaderMap, HeaderName, HeaderValue};

pub use crate::error::{AuthError, AuthErrorKind, TokenEndpointError};
pub use crate::retry::RetryPolicy;
pub use crate::secret::{AccessToken, ApiKeySecret, ClientSecret, RefreshToken};

/// A boxed, sendable future (the trait must stay object safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Writes `error`'s `Display`, then each of its causes on a line of its own
/// (`caused by: …`), skipping a cause that only repeats the line before.
///
/// gapi's errors use it as their `Debug`, because `Debug` is what a `main`
/// returning `Result<(), Box<dyn Error>>` prints: the person reading it
/// should see what went wrong and why, not a struct dump.
///
/// # Errors
/// When the formatter fails.
pub fn write_report(
    error: &(dyn std::error::Error + 'static),
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut last = error.to_string();
    f.write_str(&last)?;
    let mut cause = error.source();
    while let Some(error) = cause {
        let text = error.to_string();
        if !text.is_empty() && text != last {
            write!(f, "\n  caused by: {text}")?;
        }
        last = text;
        cause = error.source();
    }
    Ok(())
}

/// Something that authorizes requests by adding headers.
pub trait Credentials: Send + Sync + fmt::Debug {
    /// Headers for the next request (e.g. `Authorization: Bearer …`).
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>>;

    /// Called when the server answered 401 with these credentials' headers:
    /// forget cached tokens so that the next [`Credentials::headers`] call
    /// fetches a fresh one. Returns whether a retry can help.
    fn invalidate(&self) -> bool {
        false
    }

    /// The universe these credentials belong to (`googleapis.com` for
    /// Google's public cloud), when they are bound to one; `None` when they
    /// do not say (API keys, static tokens). A client for another universe
    /// refuses them, as google-auth's clients do.
    fn universe_domain(&self) -> Option<&str> {
        None
    }
}

/// Shared credentials are credentials: an `Arc` from a chain or a builder
/// can be the source of impersonation, downscoping or ID tokens.
impl<T: Credentials + ?Sized> Credentials for std::sync::Arc<T> {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        (**self).headers()
    }

    fn invalidate(&self) -> bool {
        (**self).invalidate()
    }

    fn universe_domain(&self) -> Option<&str> {
        (**self).universe_domain()
    }
}

/// An API key, sent as `x-goog-api-key` (Gemini's usual path).
#[derive(Debug, Clone)]
pub struct ApiKey(ApiKeySecret);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(ApiKeySecret::new(key))
    }

    /// Reads the key from an environment variable (e.g. `GEMINI_API_KEY`).
    pub fn from_env(var: &str) -> Option<Self> {
        std::env::var(var)
            .ok()
            .filter(|k| !k.is_empty())
            .map(ApiKey::new)
    }
}

impl Credentials for ApiKey {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        Box::pin(async move {
            let mut headers = HeaderMap::new();
            let mut value =
                HeaderValue::from_str(self.0.secret()).map_err(|_| AuthError::invalid_header())?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static("x-goog-api-key"), value);
            Ok(headers)
        })
    }
}

/// A fixed access token (tests, or a token obtained elsewhere).
#[derive(Debug, Clone)]
pub struct StaticToken {
    token: AccessToken,
    quota_project: Option<String>,
}

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken {
            token: AccessToken::new(token),
            quota_project: None,
        }
    }

    /// Bills requests to this project (`x-goog-user-project`).
    pub fn with_quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }
}

/// `Authorization: Bearer …` plus an optional quota project header.
pub fn bearer_headers(
    token: &AccessToken,
    quota_project: Option<&str>,
) -> Result<HeaderMap, AuthError> {
    let mut headers = HeaderMap::new();
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
        .map_err(|_| AuthError::invalid_header())?;
    value.set_sensitive(true);
    headers.insert(http::header::AUTHORIZATION, value);
    if let Some(project) = quota_project {
        headers.insert(
            HeaderName::from_static("x-goog-user-project"),
            HeaderValue::from_str(project).map_err(|_| AuthError::invalid_header())?,
        );
    }
    Ok(headers)
}

impl Credentials for StaticToken {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        Box::pin(async move { bearer_headers(&self.token, self.quota_project.as_deref()) })
    }
}
