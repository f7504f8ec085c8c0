//! The device authorization flow (RFC 8628) for devices without a usable
//! browser or keyboard: the program shows a short code and a URL, the person
//! enters the code on another device, and the program polls until approval.
//!
//! Google's answer names the URL `verification_url` (the RFC says
//! `verification_uri`); both are accepted. `slow_down` adds five seconds to the
//! polling interval. Google allows only a short list of scopes here (OpenID,
//! `email`, `profile`, Drive's `drive.file` and `drive.appdata`, YouTube, and
//! a few others — see Google's "OAuth 2.0 for TV and Limited-Input Device
//! Applications"); other scopes are refused with `invalid_scope`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;

use crate::client_secrets::ClientConfig;
use crate::credentials::{AuthError, AuthErrorKind, BoxFuture};
use crate::secret::{AccessToken, RefreshToken};
use crate::store::{FileTokenStore, StoredUser, TokenStore};
use crate::token::{parse_json, Body, TokenClient, TokenError};
use crate::user::UserCredentials;

/// Google's device authorization endpoint.
pub const GOOGLE_DEVICE_CODE_URI: &str = "https://oauth2.googleapis.com/device/code";

/// What to show the person.
#[derive(Clone, Deserialize)]
pub struct DeviceCode {
    /// The code to type in.
    pub user_code: String,
    /// Where to type it.
    #[serde(alias = "verification_uri")]
    pub verification_url: String,
    /// Seconds until the code expires.
    pub expires_in: u64,
    #[serde(default = "default_interval")]
    interval: u64,
    device_code: String,
}

impl fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `device_code` is what the token endpoint trades for tokens.
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_url", &self.verification_url)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .field("device_code", &"[redacted]")
            .finish()
    }
}

fn default_interval() -> u64 {
    5
}

type Show = Arc<dyn Fn(&DeviceCode) + Send + Sync>;

/// The device flow.
#[derive(Clone)]
pub struct DeviceFlow {
    client: ClientConfig,
    scopes: Vec<String>,
    device_uri: String,
    store: Option<Arc<dyn TokenStore>>,
    show: Show,
    http: TokenClient,
}

impl fmt::Debug for DeviceFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceFlow")
            .field("client_id", &self.client.client_id)
            .field("scopes", &self.scopes)
            .field("device_uri", &self.device_uri)
            .finish_non_exhaustive()
    }
}

impl DeviceFlow {
    /// A device flow for `client` (a "TVs and Limited Input devices" client).
    pub fn new(client: ClientConfig, scopes: &[&str]) -> Self {
        DeviceFlow {
            client,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            device_uri: GOOGLE_DEVICE_CODE_URI.to_string(),
            store: None,
            // Standard error: a program's standard output stays its own.
            show: Arc::new(|code: &DeviceCode| {
                eprintln!(
                    "On another device, visit {} and enter the code {}",
                    code.verification_url, code.user_code
                );
            }),
            http: TokenClient::default(),
        }
    }

    /// How long each request (the code, one poll, a refresh) may take,
    /// retries included (default 30 s). The wait for the person is bounded
    /// by the code's `expires_in`.
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.http = TokenClient::new(timeout);
        self
    }

    /// Another device authorization endpoint.
    pub fn device_uri(mut self, uri: impl Into<String>) -> Self {
        self.device_uri = uri.into();
        self
    }

    /// Caches tokens in `token.json`: a later run uses (and refreshes) the
    /// cached sign-in instead of showing a new code.
    pub fn token_cache(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.store = Some(Arc::new(FileTokenStore::new(path)));
        self
    }

    /// Caches tokens in any store.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// How to show the code (default: print it).
    pub fn show_code(mut self, show: impl Fn(&DeviceCode) + Send + Sync + 'static) -> Self {
        self.show = Arc::new(show);
        self
    }

    /// Shows a code, polls until the person approves, and returns credentials.
    ///
    /// # Errors
    /// Refusal (`access_denied`), expiry of the code, a disallowed scope, or
    /// token endpoint failures.
    // Boxed and never inlined: an `async fn`'s body is compiled again in
    // every crate that awaits it (in release builds, with everything it
    // instantiates), so this keeps the sign-in machinery compiled once, here.
    // A one-line edit of an app then rebuilds only the app.
    #[inline(never)]
    pub fn authenticate(&self) -> BoxFuture<'_, Result<UserCredentials, AuthError>> {
        Box::pin(self.authenticate_now())
    }

    async fn authenticate_now(&self) -> Result<UserCredentials, AuthError> {
        self.client.check_endpoints()?;
        if let Some(store) = &self.store {
            if let Some(creds) =
                UserCredentials::from_cache(store, &self.client, &self.scopes, &self.http).await?
            {
                return Ok(creds);
            }
        }
        let scope = self.scopes.join(" ");
        let request = [
            ("client_id", self.client.client_id.as_str()),
            ("scope", scope.as_str()),
        ];
        let body = self
            .http
            .send(
                reqwest::Method::POST,
                &self.device_uri,
                Some(Body::Form(&request)),
                &http::HeaderMap::new(),
                true,
            )
            .await
            .map_err(|e| flow_error("the device code request", e))?;
        let code: DeviceCode =
            parse_json(&body).map_err(|e| flow_error("the device code answer", e))?;
        (self.show)(&code);
        let deadline = Instant::now() + Duration::from_secs(code.expires_in.min(24 * 3600));
        let mut interval = Duration::from_secs(code.interval.clamp(1, 60));
        let secret = self
            .client
            .client_secret
            .as_ref()
            .map(|s| s.secret().to_string());
        loop {
            if Instant::now() >= deadline {
                return Err(AuthError::timed_out(
                    "the device code expired before approval",
                ));
            }
            tokio::time::sleep(interval).await;
            let mut form = vec![
                ("client_id", self.client.client_id.as_str()),
                ("device_code", code.device_code.as_str()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ];
            if let Some(secret) = &secret {
                form.push(("client_secret", secret.as_str()));
            }
            let now = SystemTime::now();
            match self.http.token_once(&self.client.token_uri, &form).await {
                Ok(response) => {
                    let refresh_token = response
                        .refresh_token()
                        .ok_or_else(|| AuthError::flow("the server granted no refresh token"))?;
                    let token = response.token(now);
                    let user = self.stored(token.access_token, token.expiry, refresh_token);
                    if let Some(store) = &self.store {
                        store.save(&user).map_err(|e| {
                            AuthError::cache(format!("saving the new sign-in: {e}"), e)
                        })?;
                    }
                    return Ok(UserCredentials::with_client(
                        user,
                        self.http.clone(),
                        self.store.clone(),
                    ));
                }
                Err(TokenError::OAuth { error, .. }) if error == "authorization_pending" => {}
                Err(TokenError::OAuth { error, .. }) if error == "slow_down" => {
                    interval += Duration::from_secs(5)
                }
                Err(TokenError::OAuth { error, .. }) if error == "access_denied" => {
                    return Err(AuthError::denied(
                        "access was denied on the other device (access_denied)",
                    ))
                }
                Err(TokenError::OAuth { error, .. }) if error == "expired_token" => {
                    return Err(AuthError::timed_out(
                        "the device code expired before approval",
                    ))
                }
                // One slow or failed poll is retried at the next interval.
                Err(e) if e.is_transient() || matches!(e, TokenError::TimedOut { .. }) => {}
                Err(e) => return Err(flow_error("polling for approval", e)),
            }
        }
    }

    fn stored(
        &self,
        token: AccessToken,
        expiry: Option<SystemTime>,
        refresh_token: RefreshToken,
    ) -> StoredUser {
        StoredUser {
            token: Some(token),
            expiry,
            refresh_token,
            token_uri: self.client.token_uri.clone(),
            client_id: self.client.client_id.clone(),
            client_secret: self.client.client_secret.clone(),
            scopes: self.scopes.clone(),
            universe_domain: None,
            account: None,
            quota_project_id: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// A token request failure during the flow.
fn flow_error(what: &str, e: TokenError) -> AuthError {
    let message = match e {
        TokenError::TimedOut { .. } => format!("{what} {e}"),
        _ => format!("{what}: {e}"),
    };
    e.into_auth(AuthErrorKind::Flow, message)
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_device_code() {
        let code: super::DeviceCode = serde_json::from_str(
            r#"{"device_code":"AH-secret-device-code","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800}"#,
        )
        .unwrap();
        let shown = format!("{code:?}");
        assert!(
            !shown.contains("AH-secret") && shown.contains("GQVQ-JKEC"),
            "{shown}"
        );
    }
}
