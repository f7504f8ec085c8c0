//! Application Default Credentials, in Google's order:
//! `GOOGLE_APPLICATION_CREDENTIALS` → gcloud's file → the metadata server.
//!
//! The chain moves on only when a source is not configured; a source that is
//! configured but broken stops it with an error naming the source. The result
//! says which source it used and why the earlier ones were skipped.
//!
//! A file may hold any type gcloud or a cloud console writes:
//! `authorized_user`, `service_account`, `impersonated_service_account`
//! (its `source_credentials` one of the others) and `external_account`
//! (workload identity federation).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use serde::Deserialize;

use crate::chain::{CredentialChain, Found, Source};
use crate::credentials::{AuthError, BoxFuture, Credentials};
use crate::external::ExternalAccountCredentials;
use crate::impersonated::{target_from_url, ImpersonatedCredentials};
use crate::secret::AccessToken;
use crate::service_account::{KeyFile, ServiceAccountCredentials};
use crate::store::StoredUser;
use crate::token::{
    expiry_after, minting_credentials, parse_json, CachedToken, Mint, Token, TokenClient,
    TokenError,
};
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
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, AuthError> {
        let chosen = CredentialChain::application_default()
            .with_env(env)
            .resolve(scopes)
            .await
            .map_err(|e| {
                if e.is_not_configured() {
                    AuthError::not_configured(format!(
                        "no Application Default Credentials found: {}",
                        e.message()
                    ))
                } else {
                    e
                }
            })?;
        let source = match chosen.source() {
            ENVIRONMENT_VARIABLE => AdcSource::EnvironmentVariable(chosen.detail().into()),
            GCLOUD_FILE => AdcSource::GcloudFile(chosen.detail().into()),
            _ => AdcSource::MetadataServer(chosen.detail().to_string()),
        };
        Ok(ApplicationDefaultCredentials {
            source,
            skipped: chosen.skipped().to_vec(),
            inner: chosen.credentials(),
        })
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

const ENVIRONMENT_VARIABLE: &str = "GOOGLE_APPLICATION_CREDENTIALS";
const GCLOUD_FILE: &str = "gcloud file";
const METADATA_SERVER: &str = "metadata server";

/// The file named by `GOOGLE_APPLICATION_CREDENTIALS`.
pub(crate) fn environment_variable() -> Source {
    Source::new(ENVIRONMENT_VARIABLE, |cx| {
        Box::pin(async move {
            let Some(path) = cx.var(ENVIRONMENT_VARIABLE) else {
                return Err(AuthError::not_configured("not set"));
            };
            let path = PathBuf::from(path);
            let inner = load_file(&path, &cx.scopes(), cx.env())
                .map_err(|e| AuthError::config(format!("{}: {e}", path.display())))?;
            Ok(Found::new(inner, path.display().to_string()))
        })
    })
}

/// gcloud's `application_default_credentials.json` (in `CLOUDSDK_CONFIG`,
/// else `~/.config/gcloud`, or `%APPDATA%\gcloud` on Windows).
pub(crate) fn gcloud_file() -> Source {
    Source::new(GCLOUD_FILE, |cx| {
        Box::pin(async move {
            let dir = cx.var("CLOUDSDK_CONFIG").map(PathBuf::from).or_else(|| {
                if cfg!(windows) {
                    cx.var("APPDATA").map(|d| PathBuf::from(d).join("gcloud"))
                } else {
                    cx.var("HOME")
                        .map(|h| PathBuf::from(h).join(".config").join("gcloud"))
                }
            });
            let Some(path) = dir.map(|d| d.join("application_default_credentials.json")) else {
                return Err(AuthError::not_configured(
                    "no home directory to look for gcloud's file in",
                ));
            };
            if !path.is_file() {
                return Err(AuthError::not_configured(format!(
                    "nothing at {} (run `gcloud auth application-default login`)",
                    path.display()
                )));
            }
            let inner = load_file(&path, &cx.scopes(), cx.env())
                .map_err(|e| AuthError::config(format!("{}: {e}", path.display())))?;
            Ok(Found::new(inner, path.display().to_string()))
        })
    })
}

/// The metadata server of the machine the code runs on (`GCE_METADATA_HOST`
/// or `metadata.google.internal`), when one answers.
pub(crate) fn metadata_server() -> Source {
    Source::new(METADATA_SERVER, |cx| {
        Box::pin(async move {
            let host = cx
                .var("GCE_METADATA_HOST")
                .unwrap_or_else(|| "metadata.google.internal".to_string());
            let metadata = MetadataCredentials::new(&host, &cx.scopes());
            if metadata.probe().await {
                Ok(Found::new(Arc::new(metadata), host))
            } else {
                Err(AuthError::not_configured(format!(
                    "none answered at {host}"
                )))
            }
        })
    })
}

fn load_file(
    path: &Path,
    scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Credentials>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    load_json(&bytes, scopes, env, true)
}

/// [`load_json`] for the fuzzer (`crate::fuzz`), with no environment.
#[cfg(test)]
pub(crate) fn fuzz_load(bytes: &[u8]) -> Result<(), String> {
    load_json(bytes, &[], &|_| None, true).map(drop)
}

/// An `impersonated_service_account` file's credentials.
pub(crate) fn load_impersonated(
    bytes: &[u8],
    scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ImpersonatedCredentials, String> {
    let file: ImpersonatedFile = serde_json::from_slice(bytes)
        .map_err(|e| format!("not an impersonated_service_account file: {e}"))?;
    let url = file
        .service_account_impersonation_url
        .ok_or("`service_account_impersonation_url` is missing")?;
    let target = target_from_url(&url).ok_or_else(|| {
            format!("`service_account_impersonation_url` names no service account (…/serviceAccounts/EMAIL:generateAccessToken): {url:?}")
        })?;
    let source = file
        .source_credentials
        .ok_or("`source_credentials` is missing")?;
    // A service account source needs cloud-platform to call IAM
    // (google-auth narrows it the same way).
    let source = load_json(source.to_string().as_bytes(), &[IAM_SCOPE], env, false)
        .map_err(|e| format!("`source_credentials`: {e}"))?;
    let mut creds = ImpersonatedCredentials::from_source(source, target, scopes)
        .with_url(url)
        .with_delegates(
            &file
                .delegates
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
    if let Some(project) = env("GOOGLE_CLOUD_QUOTA_PROJECT")
        .filter(|p| !p.is_empty())
        .or(file.quota_project_id)
    {
        creds = creds.with_quota_project(project);
    }
    Ok(creds)
}

/// The `type`s an ADC file may have.
const SUPPORTED: &str = "authorized_user, service_account, impersonated_service_account, external_account, external_account_authorized_user";

/// Credentials of any type an ADC file may hold. `nested` is false inside
/// an impersonated file's `source_credentials`, which cannot nest another.
pub(crate) fn load_json(
    bytes: &[u8],
    scopes: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
    outer: bool,
) -> Result<Arc<dyn Credentials>, String> {
    let kind: TypeOnly =
        serde_json::from_slice(bytes).map_err(|e| format!("not a credentials file: {e}"))?;
    match kind.kind.as_deref() {
        Some("authorized_user") => {
            let user = StoredUser::from_json(bytes).map_err(|e| e.to_string())?;
            Ok(Arc::new(UserCredentials::from_stored(user, None)))
        }
        Some("service_account") => {
            let key: KeyFile = serde_json::from_slice(bytes)
                .map_err(|e| format!("not a service account key: {e}"))?;
            Ok(Arc::new(ServiceAccountCredentials::from_key(key, scopes)?))
        }
        Some("external_account") => Ok(Arc::new(ExternalAccountCredentials::parse(
            bytes, scopes, env,
        )?)),
        Some("external_account_authorized_user") => Ok(Arc::new(
            crate::workforce_user::WorkforceUserCredentials::parse(bytes, env)?,
        )),
        Some("impersonated_service_account") if outer => {
            Ok(Arc::new(load_impersonated(bytes, scopes, env)?))
        }
        Some("impersonated_service_account") => {
            Err("an impersonated_service_account cannot be the source of another".to_string())
        }
        Some(other @ "gdch_service_account") => Err(format!(
            "credentials of type `{other}` are not supported by gapi-auth (supported: {SUPPORTED})"
        )),
        Some(other) => Err(format!(
            "unknown credentials type `{other}` (supported: {SUPPORTED})"
        )),
        None => Err(format!(
            "the file has no `type` (expected one of {SUPPORTED})"
        )),
    }
}

/// The scope IAM Credentials needs from a source.
const IAM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// gcloud's `impersonated_service_account` ADC file.
#[derive(Deserialize)]
struct ImpersonatedFile {
    service_account_impersonation_url: Option<String>,
    source_credentials: Option<serde_json::Value>,
    #[serde(default)]
    delegates: Vec<String>,
    #[serde(default)]
    quota_project_id: Option<String>,
}

impl Credentials for ApplicationDefaultCredentials {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        self.inner.headers()
    }

    fn invalidate(&self) -> bool {
        self.inner.invalidate()
    }

    fn universe_domain(&self) -> Option<&str> {
        self.inner.universe_domain()
    }
}

/// Tokens from the metadata server of the machine the code runs on.
#[derive(Debug, Clone)]
struct MetadataCredentials {
    inner: Arc<Metadata>,
}

#[derive(Debug)]
struct Metadata {
    base: String,
    scopes: Vec<String>,
    cache: CachedToken,
    http: TokenClient,
}

#[derive(Deserialize)]
struct MetadataToken {
    access_token: String,
    expires_in: u64,
}

impl MetadataCredentials {
    fn new(host: &str, scopes: &[&str]) -> Self {
        MetadataCredentials {
            inner: Arc::new(Metadata {
                base: format!("http://{host}/computeMetadata/v1"),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                cache: CachedToken::default(),
                http: TokenClient::new(Duration::from_secs(10)),
            }),
        }
    }

    /// Whether a metadata server answers (with `Metadata-Flavor: Google`).
    async fn probe(&self) -> bool {
        probe(&self.inner.base).await
    }
}

/// Whether a metadata server answers at `host`.
pub(crate) async fn metadata_answers(host: &str) -> bool {
    probe(&format!("http://{host}/computeMetadata/v1")).await
}

/// Whether `base` (`http://HOST/computeMetadata/v1`) answers with
/// `Metadata-Flavor: Google`, within 2 s.
async fn probe(base: &str) -> bool {
    let Ok(http) = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    else {
        return false;
    };
    let response = http
        .get(format!("{base}/"))
        .header("Metadata-Flavor", "Google")
        .send()
        .await;
    matches!(response, Ok(r) if r.headers().get("metadata-flavor").is_some_and(|v| v == "Google"))
}

impl Metadata {
    async fn fetch(&self) -> Result<Token, TokenError> {
        let mut url = format!("{}/instance/service-accounts/default/token", self.base);
        if !self.scopes.is_empty() {
            url.push_str("?scopes=");
            url.push_str(&self.scopes.join(","));
        }
        let mut headers = HeaderMap::new();
        headers.insert("metadata-flavor", http::HeaderValue::from_static("Google"));
        let now = SystemTime::now();
        let body = self
            .http
            .send(reqwest::Method::GET, &url, None, &headers, true)
            .await?;
        let t: MetadataToken = parse_json(&body)?;
        Ok(Token {
            access_token: AccessToken::new(t.access_token),
            expiry: Some(expiry_after(now, t.expires_in)),
        })
    }
}

impl Mint for MetadataCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        "metadata server".to_string()
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
}

minting_credentials!(MetadataCredentials);
