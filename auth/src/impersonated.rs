//! Impersonated service accounts: source credentials (a user, another
//! service account, a workload identity) ask IAM Credentials'
//! `generateAccessToken` for a short-lived token of a target service account.
//!
//! This is what `gcloud auth application-default login
//! --impersonate-service-account=…` sets up (an ADC file of type
//! `impersonated_service_account`), and how a developer runs code with a
//! production service account's permissions without holding its key.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use serde::Deserialize;

use crate::credentials::{BoxFuture, Credentials};
use crate::secret::AccessToken;
use crate::token::{
    minting_credentials, parse_json, Body, CachedToken, Mint, Token, TokenClient, TokenError,
};

/// Google's IAM Credentials API.
pub const GOOGLE_IAM_CREDENTIALS_URI: &str = "https://iamcredentials.googleapis.com";

/// The longest lifetime IAM grants without an organization policy change.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Credentials of a target service account, minted from source credentials.
/// Cheap to clone; clones share the token. Builder methods return a new
/// credential and leave existing clones alone.
///
/// ```no_run
/// # async fn run() -> Result<(), gapi_auth::AuthError> {
/// use gapi_auth::{ApplicationDefaultCredentials, ImpersonatedCredentials};
/// let me = ApplicationDefaultCredentials::new(&[]).await?;
/// let deployer = ImpersonatedCredentials::new(
///     me,
///     "deployer@my-project.iam.gserviceaccount.com",
///     &["https://www.googleapis.com/auth/cloud-platform"],
/// );
/// # let _ = deployer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ImpersonatedCredentials {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    source: Arc<dyn Credentials>,
    target: String,
    delegates: Vec<String>,
    scopes: Vec<String>,
    lifetime: Duration,
    url: String,
    quota_project: Option<String>,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for ImpersonatedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImpersonatedCredentials")
            .field("target_principal", &self.inner.target)
            .field("delegates", &self.inner.delegates)
            .field("scopes", &self.inner.scopes)
            .field("lifetime", &self.inner.lifetime)
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

/// `generateAccessToken`'s answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GeneratedToken {
    access_token: String,
    expire_time: String,
}

impl ImpersonatedCredentials {
    /// Acts as `target_principal` (a service account e-mail) with `scopes`,
    /// using `source` to call IAM Credentials. The source needs
    /// `roles/iam.serviceAccountTokenCreator` on the target.
    pub fn new(
        source: impl Credentials + 'static,
        target_principal: impl Into<String>,
        scopes: &[&str],
    ) -> Self {
        Self::from_source(Arc::new(source), target_principal.into(), scopes)
    }

    pub(crate) fn from_source(
        source: Arc<dyn Credentials>,
        target: String,
        scopes: &[&str],
    ) -> Self {
        let url = generate_access_token_url(GOOGLE_IAM_CREDENTIALS_URI, &target);
        ImpersonatedCredentials {
            inner: Arc::new(Inner {
                source,
                target,
                delegates: Vec::new(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                lifetime: DEFAULT_LIFETIME,
                url,
                quota_project: None,
                cache: CachedToken::default(),
                http: TokenClient::default(),
            }),
        }
    }

    /// A new credential with `change` applied and a token cache of its own.
    fn rebuild(&self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = (*self.inner).clone();
        change(&mut inner);
        inner.cache = CachedToken::default();
        ImpersonatedCredentials {
            inner: Arc::new(inner),
        }
    }

    /// A chain of service accounts between the source and the target, each
    /// allowed to create tokens for the next (e-mails).
    pub fn with_delegates(&self, delegates: &[&str]) -> Self {
        self.rebuild(|i| i.delegates = delegates.iter().map(|d| d.to_string()).collect())
    }

    /// The token lifetime to ask for (default and usual maximum: one hour).
    pub fn with_lifetime(&self, lifetime: Duration) -> Self {
        self.rebuild(|i| i.lifetime = lifetime)
    }

    /// Another IAM Credentials endpoint (another universe, or an emulator):
    /// the base URL, e.g. `http://127.0.0.1:8080`.
    pub fn with_iam_endpoint(&self, base: &str) -> Self {
        self.rebuild(|i| i.url = generate_access_token_url(base, &i.target))
    }

    /// What an ID token for the same account needs: the source, the
    /// `generateIdToken` URL beside the `generateAccessToken` one, and the
    /// delegation chain.
    pub(crate) fn id_token_parts(&self) -> (Arc<dyn Credentials>, String, Vec<String>) {
        let url = match self.inner.url.strip_suffix(":generateAccessToken") {
            Some(base) => format!("{base}:generateIdToken"),
            None => self.inner.url.clone(),
        };
        (self.inner.source.clone(), url, self.inner.delegates.clone())
    }

    /// The full `generateAccessToken` URL, as ADC files name it.
    pub(crate) fn with_url(&self, url: String) -> Self {
        self.rebuild(|i| i.url = url)
    }

    /// Bills requests to `project` (`x-goog-user-project`).
    pub fn with_quota_project(&self, project: impl Into<String>) -> Self {
        let project = project.into();
        self.rebuild(|i| i.quota_project = Some(project))
    }

    /// How long a token request may take, retries included (default 30 s).
    pub fn with_token_timeout(&self, timeout: Duration) -> Self {
        self.rebuild(|i| i.http = TokenClient::new(timeout))
    }

    /// The service account acted as.
    pub fn target_principal(&self) -> &str {
        &self.inner.target
    }
}

/// `…/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`.
fn generate_access_token_url(base: &str, target: &str) -> String {
    format!(
        "{}/v1/projects/-/serviceAccounts/{target}:generateAccessToken",
        base.trim_end_matches('/')
    )
}

/// The service account named in a `generateAccessToken` URL.
pub(crate) fn target_from_url(url: &str) -> Option<String> {
    let before = url.strip_suffix(":generateAccessToken")?;
    let (_, email) = before.rsplit_once("/serviceAccounts/")?;
    (!email.is_empty() && !email.contains('/')).then(|| email.to_string())
}

impl Inner {
    async fn fetch(&self) -> Result<Token, TokenError> {
        let headers = self
            .source
            .headers()
            .await
            .map_err(|e| TokenError::Transient(format!("source credentials: {e}")))?;
        generate_access_token(
            &self.http,
            &self.url,
            &headers,
            &self.delegates,
            &self.scopes,
            self.lifetime,
        )
        .await
        .map_err(|e| match e {
            TokenError::OAuth {
                status: 403,
                error,
                description,
            } => TokenError::OAuth {
                status: 403,
                error,
                description: Some(format!(
                    "{} (the source needs roles/iam.serviceAccountTokenCreator on the target)",
                    description.unwrap_or_default()
                )),
            },
            e => e,
        })
    }
}

/// Calls `generateAccessToken` with the caller's `headers` (its bearer
/// token); shared with workload identity's optional impersonation step.
pub(crate) async fn generate_access_token(
    http: &TokenClient,
    url: &str,
    headers: &HeaderMap,
    delegates: &[String],
    scopes: &[String],
    lifetime: Duration,
) -> Result<Token, TokenError> {
    let body = serde_json::json!({
        "delegates": delegates
            .iter()
            .map(|d| if d.starts_with("projects/") { d.clone() } else { format!("projects/-/serviceAccounts/{d}") })
            .collect::<Vec<_>>(),
        "scope": scopes,
        "lifetime": format!("{}s", lifetime.as_secs()),
    });
    let bytes = http
        .send(
            reqwest::Method::POST,
            url,
            Some(Body::Json(&body)),
            headers,
            true,
        )
        .await?;
    let answer: GeneratedToken = parse_json(&bytes)?;
    let (secs, nanos) = crate::rfc3339::parse(&answer.expire_time).ok_or_else(|| {
        TokenError::Malformed(format!(
            "`expireTime` is not a timestamp: {:?}",
            answer.expire_time
        ))
    })?;
    let expiry = UNIX_EPOCH + Duration::new(u64::try_from(secs).unwrap_or(0), nanos);
    Ok(Token {
        access_token: AccessToken::new(answer.access_token),
        expiry: Some(expiry.max(SystemTime::UNIX_EPOCH)),
    })
}

impl Mint for ImpersonatedCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        format!("impersonating {}", self.inner.target)
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }
}

minting_credentials!(ImpersonatedCredentials);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_read_from_the_url() {
        let url = generate_access_token_url(
            "https://iamcredentials.googleapis.com/",
            "sa@p.iam.gserviceaccount.com",
        );
        assert_eq!(url, "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken");
        assert_eq!(
            target_from_url(&url).as_deref(),
            Some("sa@p.iam.gserviceaccount.com")
        );
        assert_eq!(target_from_url("https://example.com/token"), None);
    }
}
