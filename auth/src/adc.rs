//! Application Default Credentials, in Google's order:
//! `GOOGLE_APPLICATION_CREDENTIALS` → gcloud's file → the metadata server.
//!
//! The chain moves on only when a source is not configured; a source that is
//! configured but broken stops it with an error naming the source. The result
//! says which source it used and why the earlier ones were skipped.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use serde::Deserialize;

use crate::credentials::{bearer_headers, AuthError, BoxFuture, Credentials};
use crate::secret::AccessToken;
use crate::service_account::{KeyFile, ServiceAccountCredentials};
use crate::store::StoredUser;
use crate::token::{CachedToken, Token, TokenError};
use crate::user::UserCredentials;

/// Where the credentials came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdcSource {
    /// The file named by `GOOGLE_APPLICATION_CREDENTIALS`.
    EnvironmentVariable(PathBuf),
    /// gcloud's `application_default_credentials.json`.
    GcloudFile(PathBuf),
    /// The GCE/GKE/Cloud Run metadata server.
    MetadataServer(String),
}

/// Credentials found by the ADC chain.
#[derive(Clone)]
pub struct ApplicationDefaultCredentials {
    source: AdcSource,
    skipped: Vec<String>,
    inner: Arc<dyn Credentials>,
}

impl fmt::Debug for ApplicationDefaultCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationDefaultCredentials")
            .field("source", &self.source)
            .field("skipped", &self.skipped)
            .field("inner", &self.inner)
            .finish()
    }
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl ApplicationDefaultCredentials {
    /// Runs the chain with the process environment.
    ///
    /// # Errors
    /// When no source is configured (listing why each was skipped), or a
    /// configured source is broken.
    pub async fn new(scopes: &[&str]) -> Result<Self, AuthError> {
        Self::with_env(scopes, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
        .await
    }

    /// Runs the chain with `env` as the environment (for tests and embedding).
    ///
    /// # Errors
    /// As [`ApplicationDefaultCredentials::new`].
    pub async fn with_env(
        scopes: &[&str],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let mut skipped = Vec::new();
        match env("GOOGLE_APPLICATION_CREDENTIALS") {
            Some(path) => {
                let path = PathBuf::from(path);
                let inner = load_file(&path, scopes).map_err(|e| {
                    AuthError::Config(format!(
                        "GOOGLE_APPLICATION_CREDENTIALS={}: {e}",
                        path.display()
                    ))
                })?;
                return Ok(ApplicationDefaultCredentials {
                    source: AdcSource::EnvironmentVariable(path),
                    skipped,
                    inner,
                });
            }
            None => skipped.push("GOOGLE_APPLICATION_CREDENTIALS is not set".to_string()),
        }
        let gcloud_dir = env("CLOUDSDK_CONFIG").map(PathBuf::from).or_else(|| {
            if cfg!(windows) {
                env("APPDATA").map(|d| PathBuf::from(d).join("gcloud"))
            } else {
                env("HOME").map(|h| PathBuf::from(h).join(".config").join("gcloud"))
            }
        });
        match gcloud_dir.map(|d| d.join("application_default_credentials.json")) {
            Some(path) if path.is_file() => {
                let inner = load_file(&path, scopes)
                    .map_err(|e| AuthError::Config(format!("{}: {e}", path.display())))?;
                return Ok(ApplicationDefaultCredentials {
                    source: AdcSource::GcloudFile(path),
                    skipped,
                    inner,
                });
            }
            Some(path) => skipped.push(format!(
                "no gcloud file at {} (run `gcloud auth application-default login`)",
                path.display()
            )),
            None => skipped.push("no home directory to look for gcloud's file in".to_string()),
        }
        let host =
            env("GCE_METADATA_HOST").unwrap_or_else(|| "metadata.google.internal".to_string());
        let metadata = MetadataCredentials::new(&host, scopes);
        if metadata.probe().await {
            return Ok(ApplicationDefaultCredentials {
                source: AdcSource::MetadataServer(host),
                skipped,
                inner: Arc::new(metadata),
            });
        }
        skipped.push(format!("no metadata server answered at {host}"));
        Err(AuthError::Config(format!(
            "no Application Default Credentials found: {}",
            skipped.join("; ")
        )))
    }

    /// The source used.
    pub fn source(&self) -> &AdcSource {
        &self.source
    }

    /// Why earlier sources were skipped, in order.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

fn load_file(path: &PathBuf, scopes: &[&str]) -> Result<Arc<dyn Credentials>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let kind: TypeOnly =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a credentials file: {e}"))?;
    match kind.kind.as_deref() {
        Some("authorized_user") => {
            let user = StoredUser::from_json(&bytes)?;
            Ok(Arc::new(UserCredentials::from_stored(
                user,
                reqwest::Client::new(),
                None,
            )))
        }
        Some("service_account") => {
            let key: KeyFile = serde_json::from_slice(&bytes)
                .map_err(|e| format!("not a service account key: {e}"))?;
            Ok(Arc::new(ServiceAccountCredentials::from_key(key, scopes)?))
        }
        Some(other) => Err(format!(
            "credentials of type `{other}` are not supported yet"
        )),
        None => {
            Err("the file has no `type` (expected authorized_user or service_account)".to_string())
        }
    }
}

impl Credentials for ApplicationDefaultCredentials {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        self.inner.headers()
    }

    fn invalidate(&self) -> bool {
        self.inner.invalidate()
    }
}

/// Tokens from the metadata server of the machine the code runs on.
#[derive(Debug)]
struct MetadataCredentials {
    base: String,
    scopes: Vec<String>,
    cache: CachedToken,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct MetadataToken {
    access_token: String,
    expires_in: u64,
}

impl MetadataCredentials {
    fn new(host: &str, scopes: &[&str]) -> Self {
        MetadataCredentials {
            base: format!("http://{host}/computeMetadata/v1"),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            cache: CachedToken::default(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .connect_timeout(Duration::from_millis(500))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Whether a metadata server answers (with `Metadata-Flavor: Google`).
    async fn probe(&self) -> bool {
        let response = self
            .http
            .get(format!("{}/", self.base))
            .header("Metadata-Flavor", "Google")
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        matches!(response, Ok(r) if r.headers().get("metadata-flavor").is_some_and(|v| v == "Google"))
    }

    async fn fetch(&self) -> Result<Token, TokenError> {
        let mut url = format!("{}/instance/service-accounts/default/token", self.base);
        if !self.scopes.is_empty() {
            url.push_str("?scopes=");
            url.push_str(&self.scopes.join(","));
        }
        let now = SystemTime::now();
        let response = self
            .http
            .get(url)
            .header("Metadata-Flavor", "Google")
            .send()
            .await
            .map_err(|e| TokenError::Transient(e.without_url().to_string()))?;
        if response.status().is_server_error() {
            return Err(TokenError::Transient(format!(
                "metadata server: HTTP {}",
                response.status()
            )));
        }
        if !response.status().is_success() {
            return Err(TokenError::Malformed(format!(
                "metadata server: HTTP {}",
                response.status()
            )));
        }
        let t: MetadataToken = response
            .json()
            .await
            .map_err(|e| TokenError::Malformed(e.without_url().to_string()))?;
        Ok(Token {
            access_token: AccessToken::new(t.access_token),
            expiry: Some(now + Duration::from_secs(t.expires_in)),
        })
    }
}

impl Credentials for MetadataCredentials {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        Box::pin(async move {
            let token = self
                .cache
                .get(|| self.fetch())
                .await
                .map_err(|e| AuthError::Refresh(e.to_string()))?;
            bearer_headers(&token.access_token, None)
        })
    }

    fn invalidate(&self) -> bool {
        self.cache.invalidate();
        true
    }
}
