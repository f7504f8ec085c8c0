//! A user signed in through workforce identity federation
//! (`"type": "external_account_authorized_user"`): what
//! `gcloud auth application-default login --login-config=…` writes for a
//! workforce pool user. The refresh token is exchanged at STS's
//! `oauthtoken` endpoint with the client's id and secret as Basic
//! authentication; a rotated refresh token is kept for the next refresh.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use base64::Engine;
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;

use crate::credentials::{AuthError, BoxFuture};
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::token::{minting_credentials, CachedToken, Mint, Token, TokenClient, TokenError};

/// The file format (google-auth's `external_account_authorized_user` info).
#[derive(Deserialize)]
struct File {
    #[serde(default)]
    audience: Option<String>,
    refresh_token: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    quota_project_id: Option<String>,
    #[serde(default)]
    universe_domain: Option<String>,
}

/// Credentials of a workforce pool user (`external_account_authorized_user`).
/// Cheap to clone; clones share the token.
#[derive(Clone)]
#[doc(alias = "external_account_authorized_user")]
pub struct WorkforceUserCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    audience: Option<String>,
    refresh_token: Mutex<RefreshToken>,
    token_url: String,
    basic: HeaderValue,
    quota_project: Option<String>,
    universe: Option<String>,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for WorkforceUserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkforceUserCredentials")
            .field("audience", &self.inner.audience)
            .field("token_url", &self.inner.token_url)
            .finish_non_exhaustive()
    }
}

impl WorkforceUserCredentials {
    /// Reads an `external_account_authorized_user` file.
    ///
    /// # Errors
    /// An error of kind [`Config`](crate::AuthErrorKind::Config) naming the
    /// file and the missing field.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, AuthError> {
        crate::read_config(path.as_ref(), Self::from_json)
    }

    /// Parses an `external_account_authorized_user` configuration.
    ///
    /// # Errors
    /// As [`from_file`](Self::from_file), without the file's name.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AuthError> {
        Self::parse(bytes, &|_| None).map_err(AuthError::config)
    }

    pub(crate) fn parse(
        bytes: &[u8],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let file: File = serde_json::from_slice(bytes)
            .map_err(|e| format!("not an external_account_authorized_user file: {e}"))?;
        let missing = |field: &str| format!("`{field}` is missing (needed to refresh)");
        let refresh_token = file
            .refresh_token
            .map(RefreshToken::new)
            .ok_or_else(|| missing("refresh_token"))?;
        let token_url = file.token_url.ok_or_else(|| missing("token_url"))?;
        if !(token_url.starts_with("https://") || token_url.starts_with("http://")) {
            return Err(format!("`token_url` is not an http(s) URL: {token_url:?}"));
        }
        let client_id = file.client_id.ok_or_else(|| missing("client_id"))?;
        let client_secret = file
            .client_secret
            .map(ClientSecret::new)
            .ok_or_else(|| missing("client_secret"))?;
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{}", client_secret.secret()));
        let mut basic = HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| "`client_id` is not valid in a header".to_string())?;
        basic.set_sensitive(true);
        // A token still in the file is used until it expires.
        let initial = match (file.token, file.expiry.as_deref().map(parse_expiry)) {
            (Some(token), Some(Some(expiry))) => Some(Token {
                access_token: AccessToken::new(token),
                expiry: Some(expiry),
            }),
            _ => None,
        };
        Ok(WorkforceUserCredentials {
            inner: Arc::new(Inner {
                audience: file.audience,
                refresh_token: Mutex::new(refresh_token),
                token_url,
                basic,
                quota_project: env("GOOGLE_CLOUD_QUOTA_PROJECT")
                    .filter(|p| !p.is_empty())
                    .or(file.quota_project_id),
                universe: file.universe_domain,
                cache: CachedToken::new(initial),
                http: TokenClient::default(),
            }),
        })
    }

    /// The workforce pool provider the user signed in with.
    pub fn audience(&self) -> Option<&str> {
        self.inner.audience.as_deref()
    }
}

/// `2026-01-02T03:04:05Z` or with fractions (google-auth writes
/// `isoformat() + "Z"`).
fn parse_expiry(text: &str) -> Option<SystemTime> {
    let (secs, nanos) = gapi_credentials::rfc3339::parse(text)?;
    let secs = u64::try_from(secs).ok()?;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::new(secs, nanos))
}

impl Inner {
    async fn fetch(&self) -> Result<Token, TokenError> {
        let refresh = self
            .refresh_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.secret()),
        ];
        let mut headers = HeaderMap::new();
        headers.insert(http::header::AUTHORIZATION, self.basic.clone());
        let now = SystemTime::now();
        let body = self
            .http
            .send(
                reqwest::Method::POST,
                &self.token_url,
                Some(crate::token::Body::Form(&form)),
                &headers,
                true,
            )
            .await?;
        let answer: crate::token::TokenResponse = crate::token::parse_json(&body)?;
        if let Some(rotated) = answer.refresh_token() {
            *self.refresh_token.lock().unwrap_or_else(|e| e.into_inner()) = rotated;
        }
        Ok(answer.token(now))
    }
}

impl Mint for WorkforceUserCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        "workforce identity federation".to_string()
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }
    fn universe(&self) -> Option<&str> {
        self.inner.universe.as_deref()
    }
}

minting_credentials!(WorkforceUserCredentials);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_named() {
        let e = WorkforceUserCredentials::parse(
            br#"{"type":"external_account_authorized_user","refresh_token":"r","token_url":"https://sts.googleapis.com/v1/oauthtoken","client_id":"c"}"#,
            &|_| None,
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("`client_secret` is missing"), "{e}");
        assert!(parse_expiry("2026-01-02T03:04:05.123456Z").is_some());
    }
}
