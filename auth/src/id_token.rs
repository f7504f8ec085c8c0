//! ID tokens: OpenID Connect JWTs signed by Google that name an account and
//! an audience, for calling Cloud Run, Cloud Functions and IAP-protected
//! apps (which take `Authorization: Bearer <ID token>`), and their
//! verification on the receiving side.
//!
//! [`IdTokenCredentials`] fetch them from a service account key (a JWT with
//! `target_audience` exchanged at the token endpoint), an impersonated
//! service account (IAM Credentials' `generateIdToken`), the metadata server
//! (`…/identity?audience=…&format=full`), or a signed-in user whose sign-in
//! included the `openid` scope (the refresh answer's `id_token`), and are
//! themselves [`Credentials`], so any gapi client can send them.
//! [`IdTokenVerifier`] checks one: RS256 signature against Google's JWKS
//! (fetched and cached, fetched again for an unknown key id), issuer,
//! audience and expiry.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;

use crate::credentials::{AuthError, BoxFuture, Credentials};
use crate::impersonated::ImpersonatedCredentials;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::service_account::ServiceAccountCredentials;
use crate::token::{minting_credentials, CachedToken, Mint, Token, TokenClient, TokenError};

/// Google's JWKS for ID tokens.
pub const GOOGLE_ID_TOKEN_CERTS_URL: &str = "https://www.googleapis.com/oauth2/v3/certs";
/// The issuers Google's ID tokens carry.
pub const GOOGLE_ID_TOKEN_ISSUERS: [&str; 2] =
    ["https://accounts.google.com", "accounts.google.com"];
/// Clock skew tolerated on `exp`, `iat` and `nbf`.
const SKEW: Duration = Duration::from_secs(60);
/// How long fetched keys are used before they are fetched again.
const KEYS_TTL: Duration = Duration::from_secs(3600);

/// Where ID tokens come from.
#[derive(Clone)]
enum IdSource {
    ServiceAccount(ServiceAccountCredentials),
    Impersonated {
        source: Arc<dyn Credentials>,
        url: String,
        delegates: Vec<String>,
        include_email: bool,
    },
    Metadata {
        base: String,
        include_email: bool,
    },
    User {
        token_uri: String,
        client_id: String,
        client_secret: Option<ClientSecret>,
        refresh_token: RefreshToken,
    },
}

impl fmt::Debug for IdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdSource::ServiceAccount(sa) => write!(f, "ServiceAccount({})", sa.email()),
            IdSource::Impersonated { url, .. } => write!(f, "Impersonated({url})"),
            IdSource::Metadata { base, .. } => write!(f, "Metadata({base})"),
            IdSource::User { client_id, .. } => write!(f, "User(client {client_id})"),
        }
    }
}

/// Credentials that send an ID token for one audience
/// (`Authorization: Bearer <ID token>`), fetched again before it expires.
/// Cheap to clone; clones share the token.
///
/// ```no_run
/// # async fn run() -> Result<(), gapi_auth::AuthError> {
/// // On Cloud Run, GKE or Compute Engine, or with a service account key in
/// // GOOGLE_APPLICATION_CREDENTIALS:
/// let creds = gapi_auth::IdTokenCredentials::from_adc("https://my-service-abc-uc.a.run.app").await?;
/// let token = creds.id_token().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IdTokenCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    audience: String,
    source: IdSource,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for IdTokenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenCredentials")
            .field("audience", &self.inner.audience)
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl IdTokenCredentials {
    fn with_source(source: IdSource, audience: &str) -> Self {
        IdTokenCredentials {
            inner: Arc::new(Inner {
                audience: audience.to_string(),
                source,
                cache: CachedToken::default(),
                http: TokenClient::default(),
            }),
        }
    }

    /// ID tokens of a service account (its key signs a request to the
    /// token endpoint named in the key file).
    pub fn from_service_account(key: &ServiceAccountCredentials, audience: &str) -> Self {
        Self::with_source(IdSource::ServiceAccount(key.clone()), audience)
    }

    /// ID tokens of the account `creds` impersonates, from IAM Credentials'
    /// `generateIdToken` (same endpoint, source and delegates), with the
    /// `email` claim.
    pub fn from_impersonated(creds: &ImpersonatedCredentials, audience: &str) -> Self {
        let (source, url, delegates) = creds.id_token_parts();
        Self::with_source(
            IdSource::Impersonated {
                source,
                url,
                delegates,
                include_email: true,
            },
            audience,
        )
    }

    /// ID tokens of the machine's service account from the metadata server
    /// at `host` (`metadata.google.internal`, or `GCE_METADATA_HOST`), with
    /// the `email` claim (`format=full`).
    pub fn from_metadata_server(host: &str, audience: &str) -> Self {
        Self::with_source(
            IdSource::Metadata {
                base: format!("http://{host}/computeMetadata/v1"),
                include_email: true,
            },
            audience,
        )
    }

    /// The signed-in user's ID token, from refreshing `user`'s sign-in. Its
    /// audience is the OAuth client, whatever `audience` says: Google gives
    /// users ID tokens only for the client they signed in with, and only
    /// when the sign-in included the `openid` scope.
    pub fn from_user(user: &crate::store::StoredUser) -> Self {
        Self::with_source(
            IdSource::User {
                token_uri: user.token_uri.clone(),
                client_id: user.client_id.clone(),
                client_secret: user.client_secret.clone(),
                refresh_token: user.refresh_token.clone(),
            },
            &user.client_id,
        )
    }

    /// Where google-auth's `fetch_id_token` looks: the file named by
    /// `GOOGLE_APPLICATION_CREDENTIALS` (a service account key, an
    /// `impersonated_service_account` file, or an `authorized_user` file),
    /// else the metadata server.
    ///
    /// # Errors
    /// A [`Config`](crate::AuthErrorKind::Config) error naming the file for
    /// a file that cannot give ID tokens; [`NotConfigured`](crate::AuthErrorKind::NotConfigured)
    /// when there is no file and no metadata server answers.
    pub async fn from_adc(audience: &str) -> Result<Self, AuthError> {
        Self::from_adc_with_env(audience, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
        .await
    }

    /// [`from_adc`](Self::from_adc) with the environment as a function.
    ///
    /// # Errors
    /// As [`from_adc`](Self::from_adc).
    pub async fn from_adc_with_env(
        audience: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        if let Some(path) = env("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from) {
            return crate::read_config(&path, |bytes| {
                Self::from_file_json(bytes, audience, &env).map_err(AuthError::config)
            });
        }
        let host =
            env("GCE_METADATA_HOST").unwrap_or_else(|| "metadata.google.internal".to_string());
        if crate::adc::metadata_answers(&host).await {
            Ok(Self::from_metadata_server(&host, audience))
        } else {
            Err(AuthError::not_configured(format!(
                "no ID token source: GOOGLE_APPLICATION_CREDENTIALS is not set and no metadata server answered at {host}"
            )))
        }
    }

    fn from_file_json(
        bytes: &[u8],
        audience: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Kind {
            #[serde(rename = "type")]
            kind: Option<String>,
        }
        let kind: Kind =
            serde_json::from_slice(bytes).map_err(|e| format!("not a credentials file: {e}"))?;
        match kind.kind.as_deref() {
            Some("service_account") => {
                let key = ServiceAccountCredentials::from_json(bytes, &[])
                    .map_err(|e| e.message().to_string())?;
                Ok(Self::from_service_account(&key, audience))
            }
            Some("impersonated_service_account") => Ok(Self::from_impersonated(
                &crate::adc::load_impersonated(bytes, &[], env)?,
                audience,
            )),
            Some("authorized_user") => {
                let user = crate::store::StoredUser::from_json(bytes).map_err(|e| e.to_string())?;
                Ok(Self::from_user(&user))
            }
            Some(other) => Err(format!(
                "credentials of type `{other}` cannot give ID tokens (service_account, impersonated_service_account and authorized_user can)"
            )),
            None => Err("the file has no `type`".into()),
        }
    }

    /// The audience the tokens are for.
    pub fn audience(&self) -> &str {
        &self.inner.audience
    }

    /// The current ID token, fetched if there is none or it is about to
    /// expire.
    ///
    /// # Errors
    /// The source's error (token endpoint, IAM, metadata server).
    pub async fn id_token(&self) -> Result<String, AuthError> {
        let headers = self.headers().await?;
        Ok(crate::token::bearer_of(&headers)
            .unwrap_or_default()
            .to_string())
    }
}

/// The `exp` claim of a JWT, without verifying it (the issuer is trusted:
/// this only schedules the next fetch).
fn expiry_of(jwt: &str) -> Result<SystemTime, TokenError> {
    let claims = jwt
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
        .ok_or_else(|| TokenError::Malformed("the ID token is not a JWT".into()))?;
    let exp = claims["exp"]
        .as_u64()
        .ok_or_else(|| TokenError::Malformed("the ID token has no `exp`".into()))?;
    // An absurd `exp` is not trusted past a day (the token is fetched again).
    let latest = SystemTime::now() + Duration::from_secs(86_400);
    Ok(UNIX_EPOCH
        .checked_add(Duration::from_secs(exp))
        .map_or(latest, |t| t.min(latest)))
}

impl Inner {
    async fn fetch(&self) -> Result<Token, TokenError> {
        let jwt = match &self.source {
            IdSource::ServiceAccount(key) => key.fetch_id_token(&self.http, &self.audience).await?,
            IdSource::Impersonated {
                source,
                url,
                delegates,
                include_email,
            } => {
                let auth = source.headers().await.map_err(|e| {
                    TokenError::Malformed(format!("the source credentials failed: {e}"))
                })?;
                let mut body = serde_json::json!({
                    "audience": self.audience, "includeEmail": include_email,
                });
                if !delegates.is_empty() {
                    body["delegates"] = delegates
                        .iter()
                        .map(|d| format!("projects/-/serviceAccounts/{d}"))
                        .collect::<Vec<_>>()
                        .into();
                }
                let answer = self
                    .http
                    .send(
                        reqwest::Method::POST,
                        url,
                        Some(crate::token::Body::Json(&body)),
                        &auth,
                        true,
                    )
                    .await?;
                #[derive(Deserialize)]
                struct Answer {
                    token: String,
                }
                crate::token::parse_json::<Answer>(&answer)?.token
            }
            IdSource::Metadata {
                base,
                include_email,
            } => {
                let mut url = reqwest::Url::parse(&format!(
                    "{base}/instance/service-accounts/default/identity"
                ))
                .map_err(|e| TokenError::Malformed(format!("the metadata URL: {e}")))?;
                url.query_pairs_mut()
                    .append_pair("audience", &self.audience);
                if *include_email {
                    url.query_pairs_mut().append_pair("format", "full");
                }
                let mut headers = HeaderMap::new();
                headers.insert("metadata-flavor", HeaderValue::from_static("Google"));
                let answer = self
                    .http
                    .send(reqwest::Method::GET, url.as_str(), None, &headers, true)
                    .await?;
                String::from_utf8_lossy(&answer).trim().to_string()
            }
            IdSource::User {
                token_uri,
                client_id,
                client_secret,
                refresh_token,
            } => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.secret()),
                    ("client_id", client_id.as_str()),
                ];
                if let Some(secret) = client_secret {
                    form.push(("client_secret", secret.secret()));
                }
                let answer = self.http.token(token_uri, &form).await?;
                answer.id_token.clone().ok_or_else(|| {
                    TokenError::Malformed(
                        "the token endpoint answered no id_token: sign in again with the `openid` scope (Google gives users ID tokens only then)".into(),
                    )
                })?
            }
        };
        let expiry = expiry_of(&jwt)?;
        Ok(Token {
            access_token: AccessToken::new(jwt),
            expiry: Some(expiry),
        })
    }
}

impl Mint for IdTokenCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        format!("ID token for {}", self.inner.audience)
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
}

minting_credentials!(IdTokenCredentials);

/// The claims of a verified ID token.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// Issuer (`https://accounts.google.com`).
    pub iss: String,
    /// The audience the token was issued for.
    pub aud: String,
    /// The account's unique, stable id.
    pub sub: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issue time, seconds since the Unix epoch.
    pub iat: u64,
    /// The account's email, when the token carries it.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether Google verified the email.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Every other claim (`azp`, `hd`, `google`, …).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize, Clone)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    kty: String,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Verifies Google-signed ID tokens for one audience: RS256 signature
/// against the JWKS, issuer, audience, expiry (60 s of clock skew).
///
/// ```no_run
/// # async fn run(token: &str) -> Result<(), gapi_auth::AuthError> {
/// let verifier = gapi_auth::IdTokenVerifier::new("https://my-service-abc-uc.a.run.app");
/// let claims = verifier.verify(token).await?;
/// println!("called by {:?}", claims.email);
/// # Ok(()) }
/// ```
pub struct IdTokenVerifier {
    audience: String,
    issuers: Vec<String>,
    certs_url: String,
    http: TokenClient,
    keys: Mutex<Option<(Instant, Arc<Vec<Jwk>>)>>,
}

impl fmt::Debug for IdTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenVerifier")
            .field("audience", &self.audience)
            .field("issuers", &self.issuers)
            .field("certs_url", &self.certs_url)
            .finish_non_exhaustive()
    }
}

impl IdTokenVerifier {
    /// A verifier of Google's ID tokens for `audience`.
    pub fn new(audience: impl Into<String>) -> Self {
        IdTokenVerifier {
            audience: audience.into(),
            issuers: GOOGLE_ID_TOKEN_ISSUERS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            certs_url: GOOGLE_ID_TOKEN_CERTS_URL.to_string(),
            http: TokenClient::default(),
            keys: Mutex::new(None),
        }
    }

    /// Keys from another JWKS URL (an emulator, a test server).
    pub fn with_certs_url(mut self, url: impl Into<String>) -> Self {
        self.certs_url = url.into();
        self
    }

    /// Accepts these issuers instead of Google's.
    pub fn with_issuers(mut self, issuers: &[&str]) -> Self {
        self.issuers = issuers.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Verifies `token` now, fetching the JWKS when it is not cached, is
    /// older than an hour, or lacks the token's key id (keys rotate).
    ///
    /// # Errors
    /// [`Denied`](crate::AuthErrorKind::Denied) naming what failed (signature,
    /// issuer, audience, expiry, shape); the JWKS fetch's error.
    pub async fn verify(&self, token: &str) -> Result<IdTokenClaims, AuthError> {
        let header = parse_header(token)?;
        let cached = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .filter(|(at, _)| at.elapsed() < KEYS_TTL)
            .map(|(_, keys)| keys);
        let has_kid =
            |keys: &[Jwk]| header.kid.is_none() || keys.iter().any(|k| k.kid == header.kid);
        let keys = match cached {
            Some(keys) if has_kid(&keys) => keys,
            _ => self.fetch_keys().await?,
        };
        verify_with(
            token,
            &keys,
            &self.audience,
            &self.issuers,
            SystemTime::now(),
        )
    }

    /// Verifies `token` against a JWKS document (`{"keys": […]}`) at time
    /// `now`, without any network.
    ///
    /// # Errors
    /// As [`verify`](Self::verify); a JWKS that is not one is a
    /// [`Config`](crate::AuthErrorKind::Config) error.
    pub fn verify_with_jwks(
        &self,
        token: &str,
        jwks: &str,
        now: SystemTime,
    ) -> Result<IdTokenClaims, AuthError> {
        let keys: Jwks = serde_json::from_str(jwks)
            .map_err(|e| AuthError::config(format!("not a JWKS document: {e}")))?;
        verify_with(token, &keys.keys, &self.audience, &self.issuers, now)
    }

    async fn fetch_keys(&self) -> Result<Arc<Vec<Jwk>>, AuthError> {
        let body = self
            .http
            .send(
                reqwest::Method::GET,
                &self.certs_url,
                None,
                &HeaderMap::new(),
                true,
            )
            .await
            .map_err(|e| {
                e.into_auth(crate::AuthErrorKind::Refresh, "fetching the ID token keys")
            })?;
        let keys: Jwks = serde_json::from_slice(&body).map_err(|e| {
            AuthError::other(format!("{} is not a JWKS document: {e}", self.certs_url))
        })?;
        let keys = Arc::new(keys.keys);
        *self.keys.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), keys.clone()));
        Ok(keys)
    }
}

/// The refusal, its reason cut to 200 characters: the token's own values
/// (`kid`, `iss`, `aud`, a malformed claim) are the caller's to choose.
fn denied(why: impl fmt::Display) -> AuthError {
    let why = why.to_string();
    let why = match why.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &why[..at]),
        None => why,
    };
    AuthError::denied(format!("the ID token is not valid: {why}"))
}

fn parse_header(token: &str) -> Result<Header, AuthError> {
    let part = token.split('.').next().unwrap_or("");
    let raw = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| denied("its header is not base64url"))?;
    serde_json::from_slice(&raw).map_err(|_| denied("its header is not JSON"))
}

fn verify_with(
    token: &str,
    keys: &[Jwk],
    audience: &str,
    issuers: &[String],
    now: SystemTime,
) -> Result<IdTokenClaims, AuthError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_part, claims_part, signature_part] = parts.as_slice() else {
        return Err(denied("it is not a JWT (three dot-separated parts)"));
    };
    let header = parse_header(token)?;
    if header.alg != "RS256" {
        return Err(denied(format!(
            "it is signed with {:?}; Google signs with RS256",
            header.alg
        )));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| denied("its signature is not base64url"))?;
    let candidates: Vec<&Jwk> = keys
        .iter()
        .filter(|k| k.kty == "RSA" && (header.kid.is_none() || k.kid == header.kid))
        .collect();
    if candidates.is_empty() {
        return Err(denied(format!(
            "no key with id {:?} among the {} published",
            header.kid.as_deref().unwrap_or(""),
            keys.len()
        )));
    }
    let signed = format!("{header_part}.{claims_part}");
    let verified = candidates.iter().any(|key| {
        let decode = |v: &Option<String>| v.as_deref().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
        let (Some(n), Some(e)) = (decode(&key.n), decode(&key.e)) else {
            return false;
        };
        ring::signature::RsaPublicKeyComponents { n, e }
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                signed.as_bytes(),
                &signature,
            )
            .is_ok()
    });
    if !verified {
        return Err(denied("its signature does not match the issuer's key"));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(claims_part)
        .map_err(|_| denied("its claims are not base64url"))?;
    let claims: IdTokenClaims = serde_json::from_slice(&raw)
        .map_err(|e| denied(format!("its claims are malformed ({e})")))?;
    if !issuers.contains(&claims.iss) {
        return Err(denied(format!("issuer {:?} is not trusted", claims.iss)));
    }
    if claims.aud != audience {
        return Err(denied(format!(
            "it is for audience {:?}, not {audience:?}",
            claims.aud
        )));
    }
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    if claims.exp.saturating_add(SKEW.as_secs()) < now_secs {
        return Err(denied(format!(
            "it expired {} s ago",
            now_secs - claims.exp
        )));
    }
    if claims.iat > now_secs.saturating_add(SKEW.as_secs()) {
        return Err(denied("it was issued in the future"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the long fuzz run (seed `long-32`): a 14 KB `kid` came
    /// back whole in the refusal.
    #[test]
    fn refusals_are_bounded() {
        let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let jwt = format!(
            "{}.{}.c2ln",
            part(serde_json::json!({"alg": "RS256", "kid": "k".repeat(20_000)})),
            part(serde_json::json!({"exp": 1}))
        );
        let e = verify_with(&jwt, &[], "a", &[], SystemTime::now())
            .unwrap_err()
            .to_string();
        assert!(e.len() < 400, "{} bytes", e.len());
        assert!(e.contains("no key with id"), "{e}");
    }

    #[test]
    fn absurd_claims_do_not_overflow() {
        let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let jwt = format!(
            "{}.{}.c2ln",
            part(serde_json::json!({"alg": "RS256"})),
            part(
                serde_json::json!({"exp": u64::MAX, "iat": u64::MAX, "iss": "i", "aud": "a", "sub": "s"})
            )
        );
        assert!(expiry_of(&jwt).is_ok());
        let e = verify_with(&jwt, &[], "a", &["i".into()], SystemTime::now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no key"), "{e}");
    }
}
