//! Credentials of a signed-in user: a refresh token that mints access tokens.
//!
//! - Refreshes 3 min 45 s before expiry (like google-auth), in the
//!   background while the old token still works; a cached token with no
//!   expiry is refreshed before first use, as google-auth does.
//! - Single-flight: however many callers find the token stale, one refresh
//!   request is made; the others wait for it and share the result.
//! - A failed refresh keeps serving a still-valid token; transient failures
//!   are retried with backoff inside the token timeout.
//! - `invalid_grant` becomes an error that [`needs_sign_in`](crate::AuthError::needs_sign_in). The cache entry is
//!   removed only if it is still the one this process loaded: when another
//!   process has signed in since, its newer entry is kept and used.
//!   `invalid_rapt` (Google wants the person to re-authenticate) keeps the
//!   cache. Refresh never opens a browser.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::client_secrets::ClientConfig;
use crate::credentials::{AuthError, AuthErrorKind, BoxFuture};
use crate::store::{Replaced, StoredUser, TokenStore};
use crate::token::{
    minting_credentials, token_of, CachedToken, Mint, Token, TokenClient, TokenError,
};

/// A signed-in user's credentials. Cheap to clone; clones share the token.
/// Builder methods return a new credential and leave existing clones alone.
#[derive(Clone)]
pub struct UserCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    /// Everything but the live token (`token`/`expiry` are unused here).
    user: RwLock<StoredUser>,
    quota_project: Option<String>,
    token: CachedToken,
    http: TokenClient,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = read(&self.inner.user);
        f.debug_struct("UserCredentials")
            .field("client_id", &user.client_id)
            .field("token_uri", &user.token_uri)
            .field("scopes", &user.scopes)
            .field("quota_project", &self.inner.quota_project)
            .finish_non_exhaustive()
    }
}

impl UserCredentials {
    /// Credentials from a stored user (a `token.json`, an ADC file). With a
    /// `store`, refreshed tokens are written back to it.
    pub fn from_stored(user: StoredUser, store: Option<Arc<dyn TokenStore>>) -> Self {
        Self::with_client(user, TokenClient::default(), store)
    }

    pub(crate) fn with_client(
        user: StoredUser,
        http: TokenClient,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Self {
        let token = user.token.clone().map(|access_token| Token {
            access_token,
            // No expiry recorded: refresh before trusting it (google-auth too).
            expiry: Some(user.expiry.unwrap_or(UNIX_EPOCH)),
        });
        let quota_project = std::env::var("GOOGLE_CLOUD_QUOTA_PROJECT")
            .ok()
            .filter(|p| !p.is_empty())
            .or_else(|| user.quota_project_id.clone());
        UserCredentials {
            inner: Arc::new(Inner {
                user: RwLock::new(user),
                quota_project,
                token: CachedToken::new(token),
                http,
                store,
            }),
        }
    }

    /// A copy with other settings; it starts from this one's current token.
    fn rebuild(&self, change: impl FnOnce(&mut Option<String>, &mut TokenClient)) -> Self {
        let mut quota_project = self.inner.quota_project.clone();
        let mut http = self.inner.http.clone();
        change(&mut quota_project, &mut http);
        UserCredentials {
            inner: Arc::new(Inner {
                user: RwLock::new(read(&self.inner.user).clone()),
                quota_project,
                token: CachedToken::new(self.inner.token.current()),
                http,
                store: self.inner.store.clone(),
            }),
        }
    }

    /// Bills requests to `project` (`x-goog-user-project`).
    pub fn with_quota_project(&self, project: impl Into<String>) -> Self {
        let project = project.into();
        self.rebuild(|quota, _| *quota = Some(project))
    }

    /// How long a token refresh may take, retries included (default 30 s).
    pub fn with_token_timeout(&self, timeout: Duration) -> Self {
        self.rebuild(|_, http| *http = TokenClient::new(timeout))
    }

    /// Scopes the user granted.
    pub fn scopes(&self) -> Vec<String> {
        read(&self.inner.user).scopes.clone()
    }

    /// The current access token, refreshing first when it is stale.
    ///
    /// # Errors
    /// See [`Credentials::headers`](crate::Credentials::headers).
    pub async fn token(&self) -> Result<Token, AuthError> {
        token_of(self).await
    }

    /// What a token store keeps for this user.
    pub fn stored(&self) -> StoredUser {
        self.inner.stored_with(self.inner.token.current().as_ref())
    }

    /// Uses a cached sign-in for `client` when it covers `scopes`: refreshed
    /// if stale. `None` when there is nothing usable and the person has to
    /// sign in (no cache, another client, fewer scopes, a dead grant).
    ///
    /// A cache that cannot be read is an error, not a reason to sign in: a
    /// new sign-in would overwrite it and lose the refresh token inside.
    pub(crate) async fn from_cache(
        store: &Arc<dyn TokenStore>,
        client: &ClientConfig,
        scopes: &[String],
        http: &TokenClient,
    ) -> Result<Option<UserCredentials>, AuthError> {
        let cached = store.load().map_err(|e| {
            let message = format!(
                "{e} (the file was left as it is, so its refresh token is not lost; fix or remove it to sign in again)"
            );
            AuthError::cache(message, e)
        })?;
        let Some(cached) = cached else {
            return Ok(None);
        };
        if cached.client_id != client.client_id || !scopes.iter().all(|w| cached.scopes.contains(w))
        {
            return Ok(None);
        }
        let creds = UserCredentials::with_client(cached, http.clone(), Some(store.clone()));
        match creds.token().await {
            Ok(_) => Ok(Some(creds)),
            Err(e) if e.needs_sign_in() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A refresh failure as the caller sees it.
fn user_error(e: TokenError) -> AuthError {
    let message = match &e {
        TokenError::InvalidGrant { subtype, .. } if subtype.as_deref() == Some("invalid_rapt") => {
            "Google asks the person to re-authenticate (invalid_rapt); the token cache was kept"
                .to_string()
        }
        TokenError::InvalidGrant { description, .. } => description
            .clone()
            .unwrap_or_else(|| "the refresh token is no longer valid".into()),
        TokenError::TimedOut { .. } => format!("token refresh {e}"),
        e => e.to_string(),
    };
    let refused = if e.is_invalid_grant() {
        AuthErrorKind::SignInAgain
    } else {
        AuthErrorKind::Refresh
    };
    e.into_auth(refused, message)
}

impl Inner {
    fn stored_with(&self, token: Option<&Token>) -> StoredUser {
        let mut user = read(&self.user).clone();
        user.token = token.map(|t| t.access_token.clone());
        user.expiry = token.and_then(|t| t.expiry);
        user
    }

    /// One refresh, with the cache rules of the module docs.
    async fn refresh(&self) -> Result<Token, TokenError> {
        let user = read(&self.user).clone();
        match self.request(&user).await {
            Ok(token) => Ok(token),
            Err(e) if e.is_invalid_grant() => {
                let rapt = matches!(&e, TokenError::InvalidGrant { subtype: Some(s), .. } if s == "invalid_rapt");
                let Some(store) = self.store.as_ref().filter(|_| !rapt) else {
                    return Err(e);
                };
                match store.replace_if_holds(&user.refresh_token, None) {
                    // Someone signed in again since we loaded: use theirs.
                    Ok(Replaced::Kept(Some(newer))) if newer.client_id == user.client_id => {
                        let fresh = newer.token.clone().and_then(|access_token| {
                            let t = Token {
                                access_token,
                                expiry: newer.expiry,
                            };
                            newer.expiry.is_some().then_some(t)
                        });
                        let newer = *newer;
                        *write(&self.user) = newer.clone();
                        match fresh.filter(|t| t.is_fresh(SystemTime::now())) {
                            Some(t) => Ok(t),
                            None => self.request(&newer).await,
                        }
                    }
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Asks the token endpoint, remembers a rotated refresh token, and
    /// writes the result back to the store if it still holds this sign-in.
    async fn request(&self, user: &StoredUser) -> Result<Token, TokenError> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", user.refresh_token.secret()),
            ("client_id", user.client_id.as_str()),
        ];
        if let Some(secret) = &user.client_secret {
            form.push(("client_secret", secret.secret()));
        }
        // A reauth proof Google handed out earlier (google-auth sends it too).
        if let Some(rapt) = user.extra.get("rapt_token").and_then(|v| v.as_str()) {
            form.push(("rapt", rapt));
        }
        let now = SystemTime::now();
        let response = self.http.token(&user.token_uri, &form).await?;
        let token = response.token(now);
        if let Some(rotated) = response.refresh_token() {
            let mut held = write(&self.user);
            if held.refresh_token == user.refresh_token {
                held.refresh_token = rotated;
            }
        }
        if let Some(store) = &self.store {
            // A failure to persist must not fail the request that needs the
            // token; a newer sign-in in the store is left as it is.
            let _ =
                store.replace_if_holds(&user.refresh_token, Some(&self.stored_with(Some(&token))));
        }
        Ok(token)
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Mint for UserCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.token
    }
    fn who(&self) -> String {
        format!(
            "signed-in user (client {})",
            read(&self.inner.user).client_id
        )
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.refresh().await })
    }
    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }
    fn error(&self, e: TokenError) -> AuthError {
        user_error(e)
    }
}

minting_credentials!(UserCredentials);
