//! Tokens, their freshness, and the token endpoint.

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::secret::{AccessToken, RefreshToken};

/// Refresh this long before expiry (google-auth's skew: 3 min 45 s).
pub const REFRESH_SKEW: Duration = Duration::from_secs(225);

/// An access token and when it stops working.
#[derive(Clone, Debug)]
pub struct Token {
    /// The token.
    pub access_token: AccessToken,
    /// Expiry, if the server said.
    pub expiry: Option<SystemTime>,
}

impl Token {
    /// Usable now and not within the refresh skew of expiry.
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        match self.expiry {
            Some(expiry) => now + REFRESH_SKEW < expiry,
            None => true,
        }
    }

    /// Not yet expired (may be inside the skew window).
    pub fn is_valid(&self, now: SystemTime) -> bool {
        self.expiry.is_none_or(|e| now < e)
    }
}

/// A successful token endpoint answer.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// Access token.
    pub access_token: String,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A new refresh token (code exchange; sometimes on refresh).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Granted scopes, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// OpenID Connect ID token.
    #[serde(default)]
    pub id_token: Option<String>,
}

impl TokenResponse {
    /// As a [`Token`], expiring `expires_in` after `now`.
    pub fn token(&self, now: SystemTime) -> Token {
        Token {
            access_token: AccessToken::new(self.access_token.clone()),
            expiry: self.expires_in.map(|s| now + Duration::from_secs(s)),
        }
    }

    /// The new refresh token, if any.
    pub fn refresh_token(&self) -> Option<RefreshToken> {
        self.refresh_token.clone().map(RefreshToken::new)
    }
}

/// Why the token endpoint said no.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// `invalid_grant`: the refresh token or code is dead (revoked, expired,
    /// password changed). Only signing in again helps.
    #[error("the grant was rejected (invalid_grant{}): sign in again", .0.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    InvalidGrant(Option<String>),
    /// Another OAuth error (`invalid_client`, `access_denied`, …).
    #[error("token endpoint error {error}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// Error code.
        error: String,
        /// Description.
        description: Option<String>,
    },
    /// 5xx, 429 or a transport failure: worth retrying.
    #[error("token endpoint unavailable: {0}")]
    Transient(String),
    /// An answer that is not a token response.
    #[error("unexpected token endpoint answer: {0}")]
    Malformed(String),
}

impl TokenError {
    /// Whether a retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, TokenError::Transient(_))
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// POSTs a form to a token endpoint and classifies the answer.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    uri: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse, TokenError> {
    let body =
        serde_urlencoded::to_string(form).map_err(|e| TokenError::Malformed(e.to_string()))?;
    let response = http
        .post(uri)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| TokenError::Transient(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| TokenError::Transient(e.without_url().to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| TokenError::Malformed(e.to_string()));
    }
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(TokenError::Transient(format!("HTTP {status}")));
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(e) if e.error == "invalid_grant" => Err(TokenError::InvalidGrant(e.error_description)),
        Ok(e) => Err(TokenError::OAuth {
            error: e.error,
            description: e.error_description,
        }),
        Err(_) => Err(TokenError::Malformed(format!("HTTP {status}"))),
    }
}

/// Retries transient token endpoint failures with backoff (3 attempts).
pub(crate) async fn post_form_with_retry(
    http: &reqwest::Client,
    uri: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse, TokenError> {
    let mut delay = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match post_form(http, uri, form).await {
            Err(e) if e.is_transient() && attempt < 3 => {
                tokio::time::sleep(delay.mul_f64(0.5 + fastrand::f64() * 0.5)).await;
                delay *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// A token shared by all clones of a credential, refreshed single-flight.
#[derive(Debug, Default)]
pub(crate) struct CachedToken {
    token: std::sync::RwLock<Option<Token>>,
    refresh_lock: tokio::sync::Mutex<()>,
}

impl CachedToken {
    pub(crate) fn new(token: Option<Token>) -> Self {
        CachedToken {
            token: std::sync::RwLock::new(token),
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub(crate) fn current(&self) -> Option<Token> {
        self.token.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, token: Option<Token>) {
        *self.token.write().unwrap_or_else(|e| e.into_inner()) = token;
    }

    /// Marks the token expired (after a 401), so the next call refreshes.
    pub(crate) fn invalidate(&self) {
        if let Some(t) = self
            .token
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            t.expiry = Some(SystemTime::UNIX_EPOCH);
        }
    }

    /// A fresh token: the cached one, or one from `refresh`, which runs at
    /// most once at a time however many callers are waiting. When `refresh`
    /// fails transiently (or with any error but `invalid_grant`) and the old
    /// token has not expired yet, the old token is returned.
    pub(crate) async fn get<F, Fut>(&self, refresh: F) -> Result<Token, TokenError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Token, TokenError>>,
    {
        if let Some(t) = self.current().filter(|t| t.is_fresh(SystemTime::now())) {
            return Ok(t);
        }
        let _guard = self.refresh_lock.lock().await;
        let current = self.current();
        if let Some(t) = current.as_ref().filter(|t| t.is_fresh(SystemTime::now())) {
            return Ok(t.clone());
        }
        match refresh().await {
            Ok(t) => {
                self.set(Some(t.clone()));
                Ok(t)
            }
            Err(e @ TokenError::InvalidGrant(_)) => {
                self.set(None);
                Err(e)
            }
            Err(e) => match current.filter(|t| t.is_valid(SystemTime::now())) {
                Some(still_valid) => Ok(still_valid),
                None => Err(e),
            },
        }
    }
}
