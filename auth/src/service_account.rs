//! Service account keys: the JWT-bearer grant (RS256, `kid`, optional `sub`
//! for domain-wide delegation), or a self-signed JWT used directly as the
//! bearer token when there is no subject.
//!
//! Signing uses `ring`, which rustls already brings into the dependency tree,
//! so no second RSA implementation is compiled.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::credentials::{AuthError, BoxFuture};
use crate::secret::AccessToken;
use crate::token::{minting_credentials, CachedToken, Mint, Token, TokenClient, TokenError};

/// A service account key file (`"type": "service_account"`).
#[derive(Deserialize)]
pub(crate) struct KeyFile {
    pub(crate) client_email: String,
    pub(crate) private_key: Zeroizing<String>,
    #[serde(default)]
    pub(crate) private_key_id: Option<String>,
    #[serde(default)]
    pub(crate) token_uri: Option<String>,
    #[serde(default)]
    pub(crate) quota_project_id: Option<String>,
    /// The universe the key belongs to; absent means `googleapis.com`.
    #[serde(default)]
    pub(crate) universe_domain: Option<String>,
}

#[derive(Clone)]
enum Mode {
    /// Exchange a signed assertion for an access token.
    Exchange {
        scopes: Vec<String>,
        subject: Option<String>,
    },
    /// Use a self-signed JWT for `audience` directly.
    SelfSigned { audience: String },
}

/// Credentials of a service account. Cheap to clone; clones share the
/// token. Builder methods return a new credential and leave existing clones
/// alone.
#[derive(Clone)]
pub struct ServiceAccountCredentials {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    email: String,
    key_id: Option<String>,
    key: Arc<ring::signature::RsaKeyPair>,
    token_uri: String,
    quota_project: Option<String>,
    universe_domain: String,
    mode: Mode,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for ServiceAccountCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountCredentials")
            .field("email", &self.inner.email)
            .field("key_id", &self.inner.key_id)
            .field("private_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl ServiceAccountCredentials {
    /// Reads a key file and requests tokens for `scopes`.
    ///
    /// # Errors
    /// Names the file and what is wrong with it.
    pub fn from_file(path: impl AsRef<Path>, scopes: &[&str]) -> Result<Self, AuthError> {
        crate::read_config(path.as_ref(), |bytes| Self::from_json(bytes, scopes))
    }

    /// Parses a key file's content.
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the missing field or the bad key.
    pub fn from_json(bytes: &[u8], scopes: &[&str]) -> Result<Self, AuthError> {
        let key: KeyFile = serde_json::from_slice(bytes)
            .map_err(|e| AuthError::config(format!("not a service account key: {e}")))?;
        Self::from_key(key, scopes).map_err(AuthError::config)
    }

    pub(crate) fn from_key(key: KeyFile, scopes: &[&str]) -> Result<Self, String> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::PrivateKeyDer;
        // Google issues PKCS#8 (`BEGIN PRIVATE KEY`); keys converted with
        // openssl are often PKCS#1 (`BEGIN RSA PRIVATE KEY`), which
        // google-auth accepts too.
        let der = PrivateKeyDer::from_pem_slice(key.private_key.as_bytes())
            .map_err(|e| format!("`private_key` is not a PEM private key: {e}"))?;
        let pair = match &der {
            PrivateKeyDer::Pkcs8(k) => {
                ring::signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der())
            }
            PrivateKeyDer::Pkcs1(k) => ring::signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => {
                return Err(
                    "`private_key` is not an RSA key (PKCS#8 or PKCS#1 PEM expected)".to_string(),
                )
            }
        }
        .map_err(|e| format!("`private_key` is not a usable RSA key: {e}"))?;
        Ok(ServiceAccountCredentials {
            inner: Arc::new(Inner {
                email: key.client_email,
                key_id: key.private_key_id,
                key: Arc::new(pair),
                token_uri: key
                    .token_uri
                    .unwrap_or_else(|| crate::client_secrets::GOOGLE_TOKEN_URI.to_string()),
                quota_project: std::env::var("GOOGLE_CLOUD_QUOTA_PROJECT")
                    .ok()
                    .filter(|p| !p.is_empty())
                    .or(key.quota_project_id),
                universe_domain: key
                    .universe_domain
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| "googleapis.com".to_string()),
                mode: Mode::Exchange {
                    scopes: scopes.iter().map(|s| s.to_string()).collect(),
                    subject: None,
                },
                cache: CachedToken::default(),
                http: TokenClient::default(),
            }),
        })
    }

    /// A new credential with `change` applied and a token cache of its own
    /// (a token minted for other claims must not be reused).
    fn rebuild(&self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = (*self.inner).clone();
        change(&mut inner);
        inner.cache = CachedToken::default();
        ServiceAccountCredentials {
            inner: Arc::new(inner),
        }
    }

    fn with_mode(&self, mode: Mode) -> Self {
        self.rebuild(|inner| inner.mode = mode)
    }

    /// How long a token request may take, retries included (default 30 s).
    pub fn with_token_timeout(&self, timeout: Duration) -> Self {
        self.rebuild(|inner| inner.http = TokenClient::new(timeout))
    }

    /// Acts for `user` (domain-wide delegation: the JWT's `sub`).
    pub fn with_subject(&self, user: impl Into<String>) -> Self {
        let scopes = match &self.inner.mode {
            Mode::Exchange { scopes, .. } => scopes.clone(),
            Mode::SelfSigned { .. } => Vec::new(),
        };
        self.with_mode(Mode::Exchange {
            scopes,
            subject: Some(user.into()),
        })
    }

    /// Skips the token exchange: requests carry a JWT signed by the key for
    /// `audience` (e.g. `https://drive.googleapis.com/`).
    pub fn self_signed(&self, audience: impl Into<String>) -> Self {
        self.with_mode(Mode::SelfSigned {
            audience: audience.into(),
        })
    }

    /// The account's e-mail.
    pub fn email(&self) -> &str {
        &self.inner.email
    }
}

impl ServiceAccountCredentials {
    /// An ID token for `audience`: a JWT with `target_audience` exchanged
    /// at the token endpoint, which answers `{"id_token": …}` only.
    pub(crate) async fn fetch_id_token(
        &self,
        http: &TokenClient,
        audience: &str,
    ) -> Result<String, TokenError> {
        let inner = &self.inner;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let assertion = inner.sign(&serde_json::json!({
            "iss": inner.email, "sub": inner.email, "aud": inner.token_uri,
            "iat": iat, "exp": iat + 3600, "target_audience": audience,
        }))?;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ];
        let body = http
            .send(
                reqwest::Method::POST,
                &inner.token_uri,
                Some(crate::token::Body::Form(&form)),
                &http::HeaderMap::new(),
                true,
            )
            .await?;
        #[derive(serde::Deserialize)]
        struct Answer {
            id_token: String,
        }
        Ok(crate::token::parse_json::<Answer>(&body)?.id_token)
    }
}

impl Inner {
    /// A signed JWT with these claims.
    fn sign(&self, claims: &serde_json::Value) -> Result<String, TokenError> {
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.key_id {
            header["kid"] = serde_json::Value::String(kid.clone());
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| TokenError::Malformed("signing the JWT failed".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    async fn fetch(&self) -> Result<Token, TokenError> {
        let now = SystemTime::now();
        let iat = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let lifetime = Duration::from_secs(3600);
        match &self.mode {
            Mode::SelfSigned { audience } => {
                let jwt = self.sign(&serde_json::json!({
                    "iss": self.email, "sub": self.email, "aud": audience,
                    "iat": iat, "exp": iat + lifetime.as_secs(),
                }))?;
                Ok(Token {
                    access_token: AccessToken::new(jwt),
                    expiry: Some(now + lifetime),
                })
            }
            Mode::Exchange { scopes, subject } => {
                let mut claims = serde_json::json!({
                    "iss": self.email, "scope": scopes.join(" "), "aud": self.token_uri,
                    "iat": iat, "exp": iat + lifetime.as_secs(),
                });
                if let Some(sub) = subject {
                    claims["sub"] = serde_json::Value::String(sub.clone());
                }
                let assertion = self.sign(&claims)?;
                let form = [
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", assertion.as_str()),
                ];
                let response = self.http.token(&self.token_uri, &form).await?;
                Ok(response.token(now))
            }
        }
    }
}

impl Mint for ServiceAccountCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        format!("service account {}", self.inner.email)
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }
    fn universe(&self) -> Option<&str> {
        Some(&self.inner.universe_domain)
    }
}

minting_credentials!(ServiceAccountCredentials);
