//! Tokens, their freshness, and the one client every token request goes
//! through.
//!
//! Every request for a token — code exchange, refresh, device polling, the
//! JWT grant, impersonation, the STS exchange, subject tokens from a URL —
//! uses one crate-internal client, so all of them share the same rules:
//!
//! - a connect timeout and a total time budget (retries included); running
//!   out of it is reported as "timed out", never as a hang;
//! - no redirects: a 307/308 would replay a refresh token, an assertion or a
//!   code to whatever host the `Location` names;
//! - transient failures (5xx, 429, transport errors) are retried with
//!   jittered backoff inside the budget;
//! - an error keeps the HTTP status and the server's `error`,
//!   `error_description` and `error_subtype`, never a secret.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Deserializer};

use crate::credentials::{AuthError, AuthErrorKind, RetryPolicy, TokenEndpointError};
use crate::secret::{AccessToken, RefreshToken};

/// Refresh this long before expiry (google-auth's skew: 3 min 45 s).
pub const REFRESH_SKEW: Duration = Duration::from_secs(225);

/// How long one token request may take, retries included, unless a
/// credential or flow is told otherwise.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a TCP/TLS connect may take inside that budget.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest lifetime believed from a server (a year): a larger
/// `expires_in` is clamped, so no expiry arithmetic can overflow.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

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
#[derive(Deserialize)]
pub struct TokenResponse {
    /// Access token.
    pub access_token: String,
    /// Lifetime in seconds (Google sends a number; some servers a string).
    #[serde(default, deserialize_with = "lenient_seconds")]
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

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// `expires_in` as a JSON number or a numeric string.
fn lenient_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Seconds>::deserialize(d)? {
        None => None,
        Some(Seconds::Number(n)) => Some(n),
        // Negative or fractional lifetimes: the integer part, at least 0.
        Some(Seconds::Float(f)) => Some(if f.is_finite() && f > 0.0 {
            f as u64
        } else {
            0
        }),
        Some(Seconds::Text(s)) => Some(s.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!("`expires_in` is not a number: {s:?}"))
        })?),
    })
}

/// `now + seconds`, with absurd lifetimes clamped to a year.
pub(crate) fn expiry_after(now: SystemTime, seconds: u64) -> SystemTime {
    now + Duration::from_secs(seconds).min(MAX_LIFETIME)
}

impl TokenResponse {
    /// As a [`Token`], expiring `expires_in` after `now`.
    pub fn token(&self, now: SystemTime) -> Token {
        Token {
            access_token: AccessToken::new(self.access_token.clone()),
            expiry: self.expires_in.map(|s| expiry_after(now, s)),
        }
    }

    /// The new refresh token, if any.
    pub fn refresh_token(&self) -> Option<RefreshToken> {
        self.refresh_token.clone().map(RefreshToken::new)
    }
}

/// Why the token endpoint said no.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// `invalid_grant`: the refresh token, code or assertion was refused
    /// (revoked, expired, password changed, clock skew, unknown key).
    #[error("the grant was refused (invalid_grant{}{})",
        .subtype.as_deref().map(|s| format!(", {s}")).unwrap_or_default(),
        .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    InvalidGrant {
        /// HTTP status (400 from Google).
        status: u16,
        /// `error_description`.
        description: Option<String>,
        /// Google's `error_subtype` (`invalid_rapt`: reauthentication needed).
        subtype: Option<String>,
    },
    /// Another OAuth error (`invalid_client`, `access_denied`, …).
    #[error("HTTP {status}: {error}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// HTTP status.
        status: u16,
        /// Error code.
        error: String,
        /// Description.
        description: Option<String>,
    },
    /// The time budget ran out (a hung or very slow endpoint).
    #[error("timed out after {} s waiting for {what}", .after.as_secs_f32())]
    TimedOut {
        /// What was asked.
        what: String,
        /// The budget.
        after: Duration,
    },
    /// 5xx, 429 or a transport failure: worth retrying.
    #[error("unavailable: {0}")]
    Transient(String),
    /// An answer that is not what was asked for (HTML, a redirect, bad JSON).
    #[error("unexpected answer: {0}")]
    Malformed(String),
}

impl TokenError {
    /// Whether a retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, TokenError::Transient(_))
    }

    /// Whether the grant itself is dead (only signing in again helps).
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, TokenError::InvalidGrant { .. })
    }

    /// What the endpoint answered, when it refused with an OAuth error.
    pub fn endpoint_answer(&self) -> Option<TokenEndpointError> {
        match self {
            TokenError::InvalidGrant {
                status,
                description,
                subtype,
            } => Some(
                TokenEndpointError::new(*status, "invalid_grant")
                    .with_description(description.clone())
                    .with_subtype(subtype.clone()),
            ),
            TokenError::OAuth {
                status,
                error,
                description,
            } => Some(
                TokenEndpointError::new(*status, error.clone())
                    .with_description(description.clone()),
            ),
            _ => None,
        }
    }

    /// This failure as an [`AuthError`] with `message`: running out of time
    /// is [`TimedOut`](AuthErrorKind::TimedOut), an unavailable endpoint
    /// [`Unavailable`](AuthErrorKind::Unavailable) (the runtime retries
    /// those), and a refusal is `refused`; the endpoint's answer is kept.
    pub(crate) fn into_auth(self, refused: AuthErrorKind, message: impl Into<String>) -> AuthError {
        let kind = match self {
            TokenError::TimedOut { .. } => AuthErrorKind::TimedOut,
            TokenError::Transient(_) => AuthErrorKind::Unavailable,
            _ => refused,
        };
        let error = AuthError::new(kind, message);
        match self.endpoint_answer() {
            Some(answer) => error.with_token_endpoint_error(answer),
            None => error,
        }
    }
}

/// An OAuth (RFC 6749 §5.2) or Google API (`{"error": {…}}`) error body.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorField,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_subtype: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Code(String),
    Google {
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
}

/// A request body.
pub(crate) enum Body<'a> {
    /// `application/x-www-form-urlencoded`.
    Form(&'a [(&'a str, &'a str)]),
    /// `application/json`.
    Json(&'a serde_json::Value),
    /// `application/x-www-form-urlencoded`, already encoded (where the
    /// bytes must equal another client's, as for downscoping).
    EncodedForm(&'a str),
}

/// The HTTP client for token requests: timeouts, no redirects, bounded
/// retries. Cheap to clone.
#[derive(Clone)]
pub(crate) struct TokenClient {
    http: Result<reqwest::Client, String>,
    timeout: Duration,
    /// gapi's one retry policy type, with token requests' own defaults.
    retry: RetryPolicy,
}

impl fmt::Debug for TokenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for TokenClient {
    fn default() -> Self {
        TokenClient::new(DEFAULT_TOKEN_TIMEOUT)
    }
}

impl TokenClient {
    /// A client whose requests (retries included) give up after `timeout`.
    pub(crate) fn new(timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .build()
            // Only a TLS backend that cannot start fails here; say so on
            // first use rather than panicking in a constructor.
            .map_err(|e| format!("cannot create an HTTP client: {e}"));
        TokenClient {
            http,
            timeout,
            retry: RetryPolicy::token_requests(timeout),
        }
    }

    /// POSTs to a token endpoint (RFC 6749 form) and reads a token response,
    /// retrying transient failures inside the budget.
    pub(crate) async fn token(
        &self,
        uri: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, TokenError> {
        self.post_form(uri, form, true).await
    }

    /// POSTs a form once (no retry): for polling loops that retry anyway.
    pub(crate) async fn token_once(
        &self,
        uri: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, TokenError> {
        self.post_form(uri, form, false).await
    }

    async fn post_form(
        &self,
        uri: &str,
        form: &[(&str, &str)],
        retry: bool,
    ) -> Result<TokenResponse, TokenError> {
        let body = Some(Body::Form(form));
        let headers = http::HeaderMap::new();
        let bytes = self
            .send(reqwest::Method::POST, uri, body, &headers, retry)
            .await?;
        parse_json(&bytes)
    }

    /// Any request under the same rules; the successful body.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        uri: &str,
        body: Option<Body<'_>>,
        headers: &http::HeaderMap,
        retry: bool,
    ) -> Result<bytes::Bytes, TokenError> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| TokenError::Transient(e.clone()))?;
        let what = endpoint_name(uri);
        let deadline = Instant::now() + self.timeout;
        let timed_out = || TokenError::TimedOut {
            what: what.clone(),
            after: self.timeout,
        };
        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timed_out());
            }
            let mut request = http
                .request(method.clone(), uri)
                .headers(headers.clone())
                .header(http::header::ACCEPT, "application/json")
                .timeout(remaining);
            request = match &body {
                Some(Body::Form(form)) => request
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(
                        serde_urlencoded::to_string(form)
                            .map_err(|e| TokenError::Malformed(e.to_string()))?,
                    ),
                Some(Body::Json(value)) => request
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(value.to_string()),
                Some(Body::EncodedForm(form)) => request
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(form.to_string()),
                None => request,
            };
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(bytes) => classify(status, bytes),
                        Err(e) if e.is_timeout() => return Err(timed_out()),
                        Err(e) => Err(TokenError::Transient(e.without_url().to_string())),
                    }
                }
                Err(e) if e.is_timeout() => return Err(timed_out()),
                Err(e) => Err(TokenError::Transient(transport_error(&e))),
            };
            match outcome {
                Err(e) if retry && e.is_transient() && attempt < self.retry.max_attempts => {
                    let pause = self.retry.backoff(attempt, None);
                    if Instant::now() + pause >= deadline {
                        return Err(e);
                    }
                    tracing::debug!(endpoint = %what, attempt, error = %e, "token request: retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// `https://host/path` of a URI, for messages (never its query).
fn endpoint_name(uri: &str) -> String {
    uri.split(['?', '#']).next().unwrap_or(uri).to_string()
}

/// A transport error with its causes, without the URL (it may hold a key).
fn transport_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    // reqwest puts the URL in its own message; drop everything after "for url (".
    match text.find(" for url (") {
        Some(at) => {
            let rest = &text[at..];
            let close = rest.find(')').map_or(rest.len(), |c| c + 1);
            format!("{}{}", &text[..at], &rest[close..])
        }
        None => text,
    }
}

/// [`classify`] for the fuzzer (`crate::fuzz`): the refusal's message.
#[cfg(test)]
pub(crate) fn fuzz_classify(status: reqwest::StatusCode, body: &[u8]) -> Result<(), String> {
    classify(status, bytes::Bytes::copy_from_slice(body))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Sorts an answer into success, a retryable failure, or a typed refusal.
fn classify(status: reqwest::StatusCode, bytes: bytes::Bytes) -> Result<bytes::Bytes, TokenError> {
    if status.is_success() {
        return Ok(bytes);
    }
    let parsed = serde_json::from_slice::<ErrorBody>(&bytes)
        .ok()
        .map(ErrorBody::printable);
    if status.is_server_error() || status.as_u16() == 429 {
        let detail = parsed
            .map(|e| describe(&e))
            .unwrap_or_else(|| snippet(&bytes));
        return Err(TokenError::Transient(format!("HTTP {status}: {detail}")));
    }
    if status.is_redirection() {
        return Err(TokenError::Malformed(format!(
            "HTTP {status}: token endpoints must not redirect (credentials are not re-sent elsewhere)"
        )));
    }
    match parsed {
        Some(ErrorBody {
            error: ErrorField::Code(error),
            error_description,
            error_subtype,
        }) => {
            if error == "invalid_grant" {
                Err(TokenError::InvalidGrant {
                    status: status.as_u16(),
                    description: error_description,
                    subtype: error_subtype,
                })
            } else {
                Err(TokenError::OAuth {
                    status: status.as_u16(),
                    error,
                    description: error_description,
                })
            }
        }
        Some(ErrorBody {
            error:
                ErrorField::Google {
                    status: code,
                    message,
                },
            ..
        }) => Err(TokenError::OAuth {
            status: status.as_u16(),
            error: code.unwrap_or_else(|| "error".into()),
            description: message,
        }),
        None => Err(TokenError::Malformed(format!(
            "HTTP {status}: {}",
            snippet(&bytes)
        ))),
    }
}

impl ErrorBody {
    /// The body with its text made safe to print: the server's words reach
    /// terminals and logs, so control characters (escape sequences, forged
    /// line breaks) are replaced and each field is cut to 500 characters.
    fn printable(self) -> ErrorBody {
        let clean = |text: String| printable(&text, 500);
        ErrorBody {
            error: match self.error {
                ErrorField::Code(code) => ErrorField::Code(clean(code)),
                ErrorField::Google { status, message } => ErrorField::Google {
                    status: status.map(clean),
                    message: message.map(clean),
                },
            },
            error_description: self.error_description.map(clean),
            error_subtype: self.error_subtype.map(clean),
        }
    }
}

/// `text` with control characters replaced by U+FFFD and at most
/// `max_chars` characters (then `…`).
fn printable(text: &str, max_chars: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max_chars)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

fn describe(e: &ErrorBody) -> String {
    match &e.error {
        ErrorField::Code(code) => match &e.error_description {
            Some(d) => format!("{code}: {d}"),
            None => code.clone(),
        },
        ErrorField::Google { status, message } => format!(
            "{}: {}",
            status.as_deref().unwrap_or("error"),
            message.as_deref().unwrap_or("")
        ),
    }
}

/// The start of a non-JSON answer (an HTML error page), on one line.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "empty body".into();
    }
    printable(&one_line, 120)
}

/// A successful body as `T`.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, TokenError> {
    serde_json::from_slice(bytes).map_err(|e| {
        TokenError::Malformed(format!("{e} in an answer starting {:?}", snippet(bytes)))
    })
}

/// A token shared by all clones of a credential, refreshed single-flight.
///
/// A token inside the refresh skew but not yet expired is served at once
/// while one background task refreshes it: nobody holding a usable token
/// waits on the token endpoint. Only when no usable token is left do
/// callers wait, for one refresh between them.
#[derive(Clone, Debug, Default)]
pub(crate) struct CachedToken {
    state: std::sync::Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    token: std::sync::RwLock<Option<Token>>,
    refresh_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl CachedToken {
    pub(crate) fn new(token: Option<Token>) -> Self {
        CachedToken {
            state: std::sync::Arc::new(State {
                token: std::sync::RwLock::new(token),
                refresh_lock: Default::default(),
            }),
        }
    }

    pub(crate) fn current(&self) -> Option<Token> {
        self.state
            .token
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set(&self, token: Option<Token>) {
        *self.state.token.write().unwrap_or_else(|e| e.into_inner()) = token;
    }

    /// Marks the token expired (after a 401), so the next call refreshes.
    pub(crate) fn invalidate(&self) {
        if let Some(t) = self
            .state
            .token
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            t.expiry = Some(SystemTime::UNIX_EPOCH);
        }
    }

    /// A usable token: the cached one, or one from `refresh`, which runs at
    /// most once at a time however many callers are waiting.
    ///
    /// - Fresh: returned as is.
    /// - Stale but still valid: returned as is, and `refresh` runs in a
    ///   background task (unless one already does).
    /// - Expired or absent: callers wait for `refresh`. When it fails with
    ///   anything but `invalid_grant` and the old token is still valid, the
    ///   old token is returned.
    pub(crate) async fn get<F, Fut>(&self, refresh: F) -> Result<Token, TokenError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Token, TokenError>> + Send + 'static,
    {
        let now = SystemTime::now();
        match self.current() {
            Some(t) if t.is_fresh(now) => return Ok(t),
            Some(t) if t.is_valid(now) => {
                if let Ok(guard) = self.state.refresh_lock.clone().try_lock_owned() {
                    let cache = self.clone();
                    let refreshing = refresh();
                    tokio::spawn(async move {
                        // Re-check under the lock: another refresh may have
                        // just finished.
                        if cache
                            .current()
                            .is_some_and(|t| t.is_fresh(SystemTime::now()))
                        {
                            return;
                        }
                        match refreshing.await {
                            Ok(token) => cache.set(Some(token)),
                            Err(e) if e.is_invalid_grant() => cache.set(None),
                            // The old token serves until it expires; the
                            // next caller after that retries in the foreground.
                            Err(_) => {}
                        }
                        drop(guard);
                    });
                }
                return Ok(t);
            }
            _ => {}
        }
        let _guard = self.state.refresh_lock.lock().await;
        let current = self.current();
        if let Some(t) = current.as_ref().filter(|t| t.is_fresh(SystemTime::now())) {
            return Ok(t.clone());
        }
        match refresh().await {
            Ok(t) => {
                self.set(Some(t.clone()));
                Ok(t)
            }
            Err(e) if e.is_invalid_grant() => {
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

/// A credential that mints its own access tokens: a service account,
/// impersonation, workload identity federation, the metadata server, a
/// signed-in user. Each says only where its cache is and how to mint a
/// token; [`minting_credentials!`] gives it its [`Credentials`] from what is
/// written once here: the shared cache with single-flight refresh,
/// invalidation after a 401, the quota-project header, and `tracing`
/// events.
///
/// [`Credentials`]: crate::Credentials
pub(crate) trait Mint: Send + Sync {
    /// The token cache all clones share.
    fn cache(&self) -> &CachedToken;
    /// Names the credential in errors and events (`service account a@b`).
    fn who(&self) -> String;
    /// A fresh token from the endpoint (run at most once at a time, maybe
    /// in a background task while the old token still serves).
    fn mint(&self) -> crate::BoxFuture<'static, Result<Token, TokenError>>;
    /// The project requests are billed to (`x-goog-user-project`).
    fn quota_project(&self) -> Option<&str> {
        None
    }
    /// The universe the credential belongs to.
    fn universe(&self) -> Option<&str> {
        None
    }
    /// A failed mint as the caller sees it: running out of time is
    /// [`AuthErrorKind::TimedOut`], an unavailable endpoint
    /// [`AuthErrorKind::Unavailable`], anything else
    /// [`AuthErrorKind::Refresh`] (not "sign in again": no person can fix
    /// these by signing in).
    fn error(&self, e: TokenError) -> AuthError {
        let message = format!("{}: {e}", self.who());
        e.into_auth(AuthErrorKind::Refresh, message)
    }
}

/// `credential`'s token: cached, or minted.
pub(crate) async fn token_of<M: Mint + ?Sized>(credential: &M) -> Result<Token, AuthError> {
    let mint = || {
        let minting = credential.mint();
        let who = credential.who();
        async move {
            let minted = minting.await;
            match &minted {
                Ok(token) => {
                    tracing::debug!(credential = %who, expiry = ?token.expiry, "minted an access token")
                }
                Err(e) => {
                    tracing::debug!(credential = %who, error = %e, "minting an access token failed")
                }
            }
            minted
        }
    };
    credential
        .cache()
        .get(mint)
        .await
        .map_err(|e| credential.error(e))
}

/// The token of an `Authorization: Bearer …` header in `headers` (what a
/// source credential gives when another credential builds on it).
pub(crate) fn bearer_of(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// `credential`'s headers: its bearer token and quota project.
pub(crate) async fn headers_of<M: Mint + ?Sized>(
    credential: &M,
) -> Result<http::HeaderMap, AuthError> {
    let token = token_of(credential).await?;
    crate::bearer_headers(&token.access_token, credential.quota_project())
}

/// Forgets `credential`'s token after a 401, so the next call mints one.
pub(crate) fn invalidate_of<M: Mint + ?Sized>(credential: &M) -> bool {
    tracing::debug!(credential = %credential.who(), "token invalidated (the server answered 401)");
    credential.cache().invalidate();
    true
}

/// `impl Credentials for $ty` from its [`Mint`].
macro_rules! minting_credentials {
    ($ty:ty) => {
        impl $crate::Credentials for $ty {
            fn headers(&self) -> $crate::BoxFuture<'_, Result<http::HeaderMap, $crate::AuthError>> {
                Box::pin($crate::token::headers_of(self))
            }

            fn invalidate(&self) -> bool {
                $crate::token::invalidate_of(self)
            }

            fn universe_domain(&self) -> Option<&str> {
                $crate::token::Mint::universe(self)
            }
        }
    };
}
pub(crate) use minting_credentials;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_may_be_a_string_and_is_clamped() {
        let r: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":"3599"}"#).unwrap();
        assert_eq!(r.expires_in, Some(3599));
        let r: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":18446744073709551615}"#)
                .unwrap();
        let now = SystemTime::now();
        assert_eq!(r.token(now).expiry, Some(now + MAX_LIFETIME));
        let err =
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"a","expires_in":"soon"}"#)
                .err()
                .map(|e| e.to_string());
        assert!(err.is_some(), "a non-numeric lifetime is refused");
    }

    #[test]
    fn debug_hides_tokens() {
        let r: TokenResponse = serde_json::from_str(
            r#"{"access_token":"ya29.secret","refresh_token":"1//secret","id_token":"eyJ.secret"}"#,
        )
        .unwrap();
        let shown = format!("{r:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn errors_keep_status_and_googles_fields() {
        let e = classify(
            reqwest::StatusCode::BAD_REQUEST,
            bytes::Bytes::from_static(
                br#"{"error":"invalid_grant","error_description":"reauth related error (invalid_rapt)","error_subtype":"invalid_rapt"}"#,
            ),
        )
        .unwrap_err();
        assert!(
            matches!(&e, TokenError::InvalidGrant { subtype: Some(s), .. } if s == "invalid_rapt"),
            "{e:?}"
        );
        let e = classify(
            reqwest::StatusCode::FORBIDDEN,
            bytes::Bytes::from_static(b"<html><body>Forbidden</body></html>"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "unexpected answer: HTTP 403 Forbidden: <html><body>Forbidden</body></html>"
        );
        let e = classify(
            reqwest::StatusCode::UNAUTHORIZED,
            bytes::Bytes::from_static(br#"{"error":"invalid_client","error_description":"The OAuth client was not found."}"#),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 401: invalid_client: The OAuth client was not found."
        );
        let e = classify(
            reqwest::StatusCode::FORBIDDEN,
            bytes::Bytes::from_static(br#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied","status":"PERMISSION_DENIED"}}"#),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("PERMISSION_DENIED: Permission"),
            "{e}"
        );
        assert!(classify(
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            bytes::Bytes::from_static(b"")
        )
        .unwrap_err()
        .is_transient());
        assert!(matches!(
            classify(reqwest::StatusCode::TEMPORARY_REDIRECT, bytes::Bytes::new()),
            Err(TokenError::Malformed(_))
        ));
    }
}
