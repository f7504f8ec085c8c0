//! Credentials of a signed-in user: a refresh token that mints access tokens.
//!
//! - Refreshes 3 min 45 s before expiry (like google-auth).
//! - Single-flight: however many callers find the token stale, one refresh
//!   request is made; the others wait for it and share the result.
//! - A failed refresh keeps serving a still-valid token; transient failures
//!   are retried with backoff.
//! - `invalid_grant` becomes [`AuthError`] "sign in again" and the dead entry
//!   is removed from the token store. Refresh never opens a browser.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use http::HeaderMap;

use crate::credentials::{bearer_headers, AuthError, BoxFuture, Credentials};
use crate::secret::{ClientSecret, RefreshToken};
use crate::store::{StoredUser, TokenStore};
use crate::token::{post_form_with_retry, CachedToken, Token, TokenError};

/// A signed-in user's credentials. Cheap to clone; clones share the token.
#[derive(Clone)]
pub struct UserCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    client_id: String,
    client_secret: Option<ClientSecret>,
    token_uri: String,
    refresh_token: RwLock<RefreshToken>,
    scopes: Vec<String>,
    quota_project: RwLock<Option<String>>,
    account: Option<String>,
    token: CachedToken,
    http: reqwest::Client,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCredentials")
            .field("client_id", &self.inner.client_id)
            .field("token_uri", &self.inner.token_uri)
            .field("scopes", &self.inner.scopes)
            .field("quota_project", &self.inner.quota_project)
            .finish_non_exhaustive()
    }
}

impl UserCredentials {
    /// Credentials from a stored user (a `token.json`, an ADC file).
    pub fn from_stored(
        user: StoredUser,
        http: reqwest::Client,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Self {
        let token = user.token.map(|access_token| Token {
            access_token,
            expiry: user.expiry,
        });
        let quota_project = std::env::var("GOOGLE_CLOUD_QUOTA_PROJECT")
            .ok()
            .filter(|p| !p.is_empty())
            .or(user.quota_project_id);
        UserCredentials {
            inner: Arc::new(Inner {
                client_id: user.client_id,
                client_secret: user.client_secret,
                token_uri: user.token_uri,
                refresh_token: RwLock::new(user.refresh_token),
                scopes: user.scopes,
                quota_project: RwLock::new(quota_project),
                account: user.account,
                token: CachedToken::new(token),
                http,
                store,
            }),
        }
    }

    /// Bills requests to `project` (`x-goog-user-project`); clones share it.
    pub fn with_quota_project(self, project: impl Into<String>) -> Self {
        *write(&self.inner.quota_project) = Some(project.into());
        self
    }

    /// Scopes the user granted.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// The current access token, refreshing first when it is stale.
    ///
    /// # Errors
    /// See [`Credentials::headers`].
    pub async fn token(&self) -> Result<Token, AuthError> {
        match self.inner.token.get(|| self.refresh()).await {
            Ok(t) => Ok(t),
            Err(TokenError::InvalidGrant(detail)) => {
                if let Some(store) = &self.inner.store {
                    let _ = store.delete();
                }
                Err(AuthError::SignInAgain(detail.unwrap_or_else(|| {
                    "the refresh token is no longer valid".into()
                })))
            }
            Err(e) => Err(AuthError::Refresh(e.to_string())),
        }
    }

    async fn refresh(&self) -> Result<Token, TokenError> {
        let refresh_token = read(&self.inner.refresh_token).secret().to_string();
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
            ("client_id", self.inner.client_id.as_str()),
        ];
        if let Some(secret) = &self.inner.client_secret {
            form.push(("client_secret", secret.secret()));
        }
        let now = SystemTime::now();
        let response = post_form_with_retry(&self.inner.http, &self.inner.token_uri, &form).await?;
        let token = response.token(now);
        if let Some(rotated) = response.refresh_token() {
            *write(&self.inner.refresh_token) = rotated;
        }
        if let Some(store) = &self.inner.store {
            // A failure to persist must not fail the request that needs the token.
            let _ = store.save(&self.stored_with(Some(&token)));
        }
        Ok(token)
    }

    /// What a token store keeps for this user.
    pub fn stored(&self) -> StoredUser {
        self.stored_with(self.inner.token.current().as_ref())
    }

    fn stored_with(&self, token: Option<&Token>) -> StoredUser {
        StoredUser {
            token: token.map(|t| t.access_token.clone()),
            expiry: token.and_then(|t| t.expiry),
            refresh_token: read(&self.inner.refresh_token).clone(),
            token_uri: self.inner.token_uri.clone(),
            client_id: self.inner.client_id.clone(),
            client_secret: self.inner.client_secret.clone(),
            scopes: self.inner.scopes.clone(),
            universe_domain: None,
            account: self.inner.account.clone(),
            quota_project_id: None,
            extra: serde_json::Map::new(),
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Credentials for UserCredentials {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let project = read(&self.inner.quota_project).clone();
            bearer_headers(&token.access_token, project.as_deref())
        })
    }

    fn invalidate(&self) -> bool {
        self.inner.token.invalidate();
        true
    }
}
