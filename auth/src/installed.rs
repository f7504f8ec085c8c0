//! Sign-in flows for people: the installed-app flow (loopback redirect or
//! paste-back) and a lower-level web flow whose pending state serializes.

use std::fmt;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::client_secrets::{ClientConfig, ClientSecretsError};
use crate::credentials::{AuthError, AuthErrorKind, BoxFuture};
use crate::loopback::{parse_redirect_query, Loopback, Redirect};
use crate::store::{FileTokenStore, StoredUser, TokenStore};
use crate::token::{TokenClient, TokenError};
use crate::user::UserCredentials;

/// Opens a URL in a browser.
pub type BrowserOpener = Arc<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;
/// Reads what the person pastes (manual flow).
pub type PasteReader = Arc<Mutex<dyn FnMut() -> std::io::Result<String> + Send>>;
/// Shows the flow's messages to the person.
type Notices = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
enum Mode {
    Loopback { port: u16, host: &'static str },
    Manual { redirect_uri: String },
}

/// The installed-application flow, as Python users know `InstalledAppFlow`,
/// plus the token cache pattern of Google's quickstarts in one call:
///
/// ```no_run
/// # async fn run() -> Result<(), gapi_auth::AuthError> {
/// let creds = gapi_auth::InstalledFlow::from_client_secrets_file(
///     "client_secret.json",
///     &["https://www.googleapis.com/auth/drive.metadata.readonly"],
/// )
/// .token_cache("token.json")
/// .authenticate()
/// .await?;
/// # let _ = creds; Ok(()) }
/// ```
#[derive(Clone)]
pub struct InstalledFlow {
    client: Result<ClientConfig, Arc<ClientSecretsError>>,
    scopes: Vec<String>,
    store: Option<Arc<dyn TokenStore>>,
    mode: Mode,
    open_browser: bool,
    opener: Option<BrowserOpener>,
    on_url: Option<BrowserOpener>,
    paste: Option<PasteReader>,
    notices: Notices,
    prompt: String,
    success_page: String,
    timeout: Duration,
    extra_params: Vec<(String, String)>,
    http: TokenClient,
}

impl fmt::Debug for InstalledFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstalledFlow")
            .field("client", &self.client.as_ref().map(|c| &c.client_id))
            .field("scopes", &self.scopes)
            .field("store", &self.store)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl InstalledFlow {
    /// A flow for the client in `client_secret.json`; a problem with the file
    /// is reported by [`InstalledFlow::authenticate`].
    pub fn from_client_secrets_file(path: impl Into<PathBuf>, scopes: &[&str]) -> Self {
        Self::build(
            ClientConfig::from_file(path.into()).map_err(Arc::new),
            scopes,
        )
    }

    /// A flow for a client configured in code.
    pub fn new(client: ClientConfig, scopes: &[&str]) -> Self {
        Self::build(Ok(client), scopes)
    }

    fn build(client: Result<ClientConfig, Arc<ClientSecretsError>>, scopes: &[&str]) -> Self {
        InstalledFlow {
            client,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            store: None,
            mode: Mode::Loopback {
                port: 0,
                host: "127.0.0.1",
            },
            open_browser: true,
            opener: None,
            on_url: None,
            paste: None,
            notices: Arc::new(|text: &str| eprintln!("{text}")),
            prompt: "Please visit this URL to authorize this application: {url}".to_string(),
            success_page: "The authentication flow has completed. You may close this window."
                .to_string(),
            timeout: Duration::from_secs(300),
            extra_params: vec![("access_type".into(), "offline".into())],
            http: TokenClient::default(),
        }
    }

    /// Caches tokens in `token.json` (Python google-auth's format).
    pub fn token_cache(mut self, path: impl Into<PathBuf>) -> Self {
        self.store = Some(Arc::new(FileTokenStore::new(path)));
        self
    }

    /// Caches tokens in any store.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Listens on this port (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        if let Mode::Loopback { host, .. } = self.mode {
            self.mode = Mode::Loopback { port, host };
        }
        self
    }

    /// Uses `http://localhost:PORT/` rather than `http://127.0.0.1:PORT/` as
    /// the redirect, for OAuth servers that insist on the name.
    ///
    /// Prefer the default IP literal: the listener binds 127.0.0.1 only, but
    /// a browser may resolve `localhost` to `[::1]` first, where another
    /// program can listen on the same port and receive the code. PKCE keeps
    /// that code useless to it, yet the sign-in then fails here.
    pub fn redirect_host_localhost(mut self) -> Self {
        if let Mode::Loopback { port, .. } = self.mode {
            self.mode = Mode::Loopback {
                port,
                host: "localhost",
            };
        }
        self
    }

    /// Whether to open the system browser (default true); the URL is printed
    /// either way.
    pub fn open_browser(mut self, open: bool) -> Self {
        self.open_browser = open;
        self
    }

    /// How to open the browser (default: the system browser).
    pub fn browser(
        mut self,
        opener: impl Fn(&str) -> std::io::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.opener = Some(Arc::new(opener));
        self.open_browser = true;
        self
    }

    /// Where the flow's messages for the person go — the URL to visit, what
    /// to paste back, a browser that would not open — one message per call
    /// (standard error by default, so a program's standard output stays its
    /// own; a GUI or notebook shows them its way).
    pub fn notices(mut self, show: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.notices = Arc::new(show);
        self
    }

    /// The message shown before waiting; `{url}` is replaced by the URL.
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = prompt.into();
        self
    }

    /// The text shown in the browser after a successful redirect.
    pub fn success_page(mut self, text: impl Into<String>) -> Self {
        self.success_page = text.into();
        self
    }

    /// How long to wait for the person (default 300 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds an authorization URL parameter (`login_hint`, `prompt=consent`, …).
    pub fn auth_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        self
    }

    /// For machines whose browser cannot reach this program (a remote
    /// notebook, SSH): the URL is printed, the person signs in elsewhere, and
    /// pastes back the address the browser ends on (`http://localhost:1/?code=…`,
    /// a page that fails to load — that is expected) or just the code.
    /// A pasted address (or query string) must carry this sign-in's `state`;
    /// a bare code has none to check, and PKCE is what ties it to this
    /// sign-in (the code is useless without the verifier kept here). Text
    /// that is neither is refused, not sent to the token endpoint.
    pub fn manual(mut self) -> Self {
        self.mode = Mode::Manual {
            redirect_uri: "http://localhost:1/".to_string(),
        };
        self.open_browser = false;
        self
    }

    /// **Legacy, blocked by Google since 2023:** the out-of-band redirect
    /// (`urn:ietf:wg:oauth:2.0:oob`) where Google showed the code on a page.
    /// Only for other OAuth servers that still support it.
    pub fn legacy_out_of_band(mut self) -> Self {
        self.mode = Mode::Manual {
            redirect_uri: "urn:ietf:wg:oauth:2.0:oob".to_string(),
        };
        self.open_browser = false;
        self
    }

    /// Called with the authorization URL in every mode (to render a link in
    /// a notebook or GUI, or log it), in addition to the notice.
    pub fn on_authorization_url(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_url = Some(Arc::new(move |url: &str| {
            f(url);
            Ok(())
        }));
        self
    }

    /// Where the manual flow reads the pasted line (default: standard input).
    pub fn paste_reader(
        mut self,
        read: impl FnMut() -> std::io::Result<String> + Send + 'static,
    ) -> Self {
        self.paste = Some(Arc::new(Mutex::new(read)));
        self
    }

    /// How long each token request may take, retries included (default
    /// 30 s). The wait for the person is [`InstalledFlow::timeout`].
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.http = TokenClient::new(timeout);
        self
    }

    /// Load the cache → refresh if expired → sign in only if needed → save.
    ///
    /// # Errors
    /// A bad client secrets file, a refused or timed-out sign-in, a token
    /// endpoint error, or a cache that cannot be read or written. A cache
    /// that cannot be read is left untouched (its refresh token may still be
    /// good), so the error says to fix or remove it.
    // Boxed and never inlined: an `async fn`'s body is compiled again in
    // every crate that awaits it (in release builds, with everything it
    // instantiates), so this keeps the sign-in machinery compiled once, here.
    // A one-line edit of an app then rebuilds only the app.
    #[inline(never)]
    pub fn authenticate(&self) -> BoxFuture<'_, Result<UserCredentials, AuthError>> {
        Box::pin(self.authenticate_now())
    }

    async fn authenticate_now(&self) -> Result<UserCredentials, AuthError> {
        let client = self
            .client
            .as_ref()
            .map_err(|e| AuthError::config(e.to_string()))?;
        client.check_endpoints()?;
        // Incremental authorization: a cached user of this client who lacks
        // a scope asked for now signs in again for what they had plus what
        // is new (`include_granted_scopes`), so the cache keeps one user
        // with every scope, and an app that asks for A here and B there
        // does not prompt on every run.
        let mut scopes = self.scopes.clone();
        let mut params = self.extra_params.clone();
        if let Some(store) = &self.store {
            if let Some(creds) =
                UserCredentials::from_cache(store, client, &self.scopes, &self.http).await?
            {
                return Ok(creds);
            }
            if let Ok(Some(cached)) = store.load() {
                if cached.client_id == client.client_id {
                    for scope in cached.scopes {
                        if !scopes.contains(&scope) {
                            scopes.push(scope);
                        }
                    }
                    params.push(("include_granted_scopes".into(), "true".into()));
                }
            }
        }
        let user = self.sign_in_for(client, &scopes, &params).await?;
        if let Some(store) = &self.store {
            store
                .save(&user)
                .map_err(|e| AuthError::cache(format!("saving the new sign-in: {e}"), e))?;
        }
        Ok(UserCredentials::with_client(
            user,
            self.http.clone(),
            self.store.clone(),
        ))
    }

    /// Runs the interactive part only (no cache).
    ///
    /// # Errors
    /// As [`InstalledFlow::authenticate`].
    pub async fn sign_in(&self, client: &ClientConfig) -> Result<StoredUser, AuthError> {
        self.sign_in_for(client, &self.scopes, &self.extra_params)
            .await
    }

    /// The interactive part for `scopes`, with `params` on the
    /// authorization URL.
    async fn sign_in_for(
        &self,
        client: &ClientConfig,
        scopes: &[String],
        params: &[(String, String)],
    ) -> Result<StoredUser, AuthError> {
        client.check_endpoints()?;
        let http = &self.http;
        match &self.mode {
            Mode::Loopback { port, host } => {
                let loopback = Loopback::bind(*port).await?;
                let redirect = format!("http://{host}:{}/", loopback.port());
                client.check_installed_redirect(&redirect)?;
                let (url, pending) = authorization_url(client, scopes, &redirect, params)?;
                self.show(&url);
                match loopback
                    .wait(&pending.state, &self.success_page, self.timeout)
                    .await?
                {
                    Redirect::Code(code) => exchange(client, http, pending, code, scopes).await,
                    Redirect::Error(error) => Err(denied(&error)),
                }
            }
            Mode::Manual { redirect_uri } => {
                let (url, pending) = authorization_url(client, scopes, redirect_uri, params)?;
                self.show(&url);
                (self.notices)(
                    "After approving, paste the full address your browser ends on (or the code):",
                );
                let line = self.read_paste().await?;
                let code = code_from_callback(&line, &pending.state, BareCode::Accepted)?;
                exchange(client, http, pending, code, scopes).await
            }
        }
    }

    fn show(&self, url: &str) {
        (self.notices)(&self.prompt.replace("{url}", url));
        if let Some(hook) = &self.on_url {
            let _ = hook(url);
        }
        if self.open_browser {
            let opened = match &self.opener {
                Some(open) => open(url),
                None => webbrowser::open(url),
            };
            if let Err(e) = opened {
                (self.notices)(&format!(
                    "could not open a browser ({e}); open the URL above by hand"
                ));
            }
        }
    }

    async fn read_paste(&self) -> Result<String, AuthError> {
        let reader = self.paste.clone();
        tokio::task::spawn_blocking(move || match reader {
            Some(read) => {
                let mut read = read.lock().unwrap_or_else(|e| e.into_inner());
                read()
            }
            None => {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map(|_| line)
            }
        })
        .await
        .map_err(|e| AuthError::flow(e.to_string()))?
        .map_err(|e| AuthError::flow(format!("reading the pasted code: {e}")))
    }
}

/// A refusal in the redirect (`error=access_denied`, …), as a denial.
fn denied(error: &str) -> AuthError {
    if error == "access_denied" {
        AuthError::denied("access was denied in the browser (access_denied)")
    } else {
        AuthError::denied(format!("the authorization server answered error={error}"))
    }
}

/// Whether a bare authorization code (no `state` to check) is acceptable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BareCode {
    /// The manual flow: the person may paste only the code; there is no
    /// `state` to check then, and the PKCE verifier is what binds the code
    /// to this sign-in.
    Accepted,
    /// A web callback always carries `state`.
    Refused,
}

/// The code in a callback: a whole redirect URL or its query string, with
/// `state` checked, or (when allowed) a bare code. A denial in the callback
/// is reported as a [`Denied`](crate::AuthErrorKind::Denied) error.
pub(crate) fn code_from_callback(
    input: &str,
    state: &str,
    bare: BareCode,
) -> Result<String, AuthError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(AuthError::flow("nothing was pasted"));
    }
    // Google's codes look like `4/0AbC…`: no `=`, `&`, `?`, `#` or spaces.
    let looks_bare = !input.contains(['=', '&', '?', '#', ' ']) && !input.contains("://");
    if looks_bare {
        return match bare {
            BareCode::Accepted => Ok(input.to_string()),
            BareCode::Refused => Err(AuthError::flow(
                "expected the callback URL or its query string (with `state`), not a bare code",
            )),
        };
    }
    let query = input.split_once('?').map_or(input, |(_, q)| q);
    let query = query.split('#').next().unwrap_or(query);
    match parse_redirect_query(query, state) {
        Some(Ok(Redirect::Code(code))) => Ok(code),
        Some(Ok(Redirect::Error(e))) => Err(denied(&e)),
        Some(Err(e)) => Err(e),
        None => Err(AuthError::flow(
            "the pasted text has neither `code=` nor `error=`: paste the whole address the browser ended on",
        )),
    }
}

/// What a web app keeps between sending the user to Google and the callback
/// (in its session store): serializable, with the PKCE verifier inside.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// The `state` sent (checked on the callback).
    pub state: String,
    /// The PKCE verifier.
    pkce_verifier: String,
    /// The redirect URI used.
    pub redirect_uri: String,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &self.state)
            .field("pkce_verifier", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

fn authorization_url(
    client: &ClientConfig,
    scopes: &[String],
    redirect_uri: &str,
    extra: &[(String, String)],
) -> Result<(String, PendingAuthorization), AuthError> {
    let bad = |what: &str, e: &dyn fmt::Display| AuthError::config(format!("invalid {what}: {e}"));
    let mut url = reqwest::Url::parse(&client.auth_uri).map_err(|e| bad("auth_uri", &e))?;
    reqwest::Url::parse(redirect_uri).map_err(|e| bad("redirect URI", &e))?;
    let state = crate::pkce::random_token(16)?;
    let verifier = crate::pkce::random_token(32)?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &client.client_id)
            .append_pair("state", &state)
            .append_pair("code_challenge", &crate::pkce::challenge_s256(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scopes.join(" "));
        for (k, v) in extra {
            query.append_pair(k, v);
        }
    }
    Ok((
        url.to_string(),
        PendingAuthorization {
            state,
            pkce_verifier: verifier,
            redirect_uri: redirect_uri.to_string(),
        },
    ))
}

async fn exchange(
    client: &ClientConfig,
    http: &TokenClient,
    pending: PendingAuthorization,
    code: String,
    scopes: &[String],
) -> Result<StoredUser, AuthError> {
    // The client authenticates in the form body, as google-auth-oauthlib
    // does; Google accepts that and HTTP Basic alike.
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("client_id", client.client_id.as_str()),
        ("code_verifier", pending.pkce_verifier.as_str()),
    ];
    if let Some(secret) = &client.client_secret {
        form.push(("client_secret", secret.secret()));
    }
    let now = SystemTime::now();
    let response = http.token(&client.token_uri, &form).await.map_err(|e| {
        let message = match e {
            TokenError::TimedOut { .. } => format!("exchanging the code {e}"),
            _ => format!("the token endpoint refused the code: {e}"),
        };
        e.into_auth(AuthErrorKind::Flow, message)
    })?;
    let refresh_token = response.refresh_token().ok_or_else(|| {
        AuthError::flow(
            "the server granted no refresh token; remove the app's access at https://myaccount.google.com/permissions (or add auth_param(\"prompt\", \"consent\")) and sign in again",
        )
    })?;
    let token = response.token(now);
    // Like google-auth, `scopes` records what was requested; with granular
    // consent a user may grant fewer, which a 403 will then say.
    Ok(StoredUser {
        token: Some(token.access_token),
        expiry: token.expiry,
        refresh_token,
        token_uri: client.token_uri.clone(),
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
        scopes: scopes.to_vec(),
        universe_domain: None,
        account: None,
        quota_project_id: None,
        extra: serde_json::Map::new(),
    })
}

/// The web-server flow in two steps, for apps that redirect users to Google
/// and handle the callback in another request.
#[derive(Debug, Clone)]
pub struct WebFlow {
    client: ClientConfig,
    scopes: Vec<String>,
    redirect_uri: String,
    http: TokenClient,
}

impl WebFlow {
    /// A flow for `client` that redirects back to `redirect_uri`.
    pub fn new(client: ClientConfig, scopes: &[&str], redirect_uri: impl Into<String>) -> Self {
        WebFlow {
            client,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            redirect_uri: redirect_uri.into(),
            http: TokenClient::default(),
        }
    }

    /// How long the code exchange may take, retries included (default 30 s).
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.http = TokenClient::new(timeout);
        self
    }

    /// Where to send the user, and what to keep in the session until the callback.
    ///
    /// # Errors
    /// An invalid endpoint or redirect URI.
    pub fn authorization_url(&self) -> Result<(String, PendingAuthorization), AuthError> {
        authorization_url(
            &self.client,
            &self.scopes,
            &self.redirect_uri,
            &[("access_type".to_string(), "offline".to_string())],
        )
    }

    /// Finishes with the callback's query string (or whole URL). Its `state`
    /// must match `pending`; a bare code is refused, as nothing would tie it
    /// to this user's session.
    ///
    /// # Errors
    /// A state mismatch, a [`Denied`](crate::AuthErrorKind::Denied) error, or a token endpoint error.
    pub async fn finish(
        &self,
        pending: PendingAuthorization,
        callback: &str,
    ) -> Result<StoredUser, AuthError> {
        let code = code_from_callback(callback, &pending.state, BareCode::Refused)?;
        self.client.check_endpoints()?;
        exchange(&self.client, &self.http, pending, code, &self.scopes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_parsed_strictly_and_denials_are_denials() {
        let paste = |s: &str| code_from_callback(s, "s1", BareCode::Accepted);
        let web = |s: &str| code_from_callback(s, "s1", BareCode::Refused);
        assert_eq!(
            paste("http://localhost:1/?state=s1&code=4%2F0Ab&scope=x").unwrap(),
            "4/0Ab"
        );
        assert_eq!(paste("?state=s1&code=4%2F0Ab").unwrap(), "4/0Ab");
        assert_eq!(web("state=s1&code=4%2F0Ab").unwrap(), "4/0Ab");
        assert_eq!(paste("  4/0Ab \n").unwrap(), "4/0Ab");
        // A web callback must carry state; a bare code is refused there.
        let err = web("4/0Ab").unwrap_err();
        assert!(err.to_string().contains("not a bare code"), "{err}");
        let err = paste("http://localhost:1/?state=evil&code=c").unwrap_err();
        assert!(err.to_string().contains("state does not match"), "{err}");
        let err = web("code=c").unwrap_err();
        assert!(err.to_string().contains("state does not match"), "{err}");
        for denial in [
            "http://localhost:1/?state=s1&error=access_denied",
            "error=access_denied&state=s1",
        ] {
            let err = web(denial).unwrap_err();
            assert!(err.is_denied(), "{denial}: {err:?}");
        }
        // Text that is neither a code nor a callback is not sent as a code.
        for junk in ["state=s1", "foo=bar&baz", "http://localhost:1/"] {
            let err = paste(junk).unwrap_err();
            assert!(err.to_string().contains("neither `code=`"), "{junk}: {err}");
        }
        assert!(paste("").is_err());
    }

    #[test]
    fn authorization_url_has_pkce_state_and_offline_access() {
        let client = ClientConfig::new("cid", Some("cs".into()));
        let (url, pending) = authorization_url(
            &client,
            &["scope-a".to_string()],
            "http://127.0.0.1:5555/",
            &[("access_type".into(), "offline".into())],
        )
        .unwrap();
        assert!(
            url.starts_with("https://accounts.google.com/o/oauth2/auth?"),
            "{url}"
        );
        for needle in [
            "code_challenge_method=S256",
            "access_type=offline",
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2F",
            "scope=scope-a",
            "client_id=cid",
        ] {
            assert!(url.contains(needle), "{needle} in {url}");
        }
        assert!(url.contains(&format!("state={}", pending.state)));
        let json = serde_json::to_string(&pending).unwrap();
        let back: PendingAuthorization = serde_json::from_str(&json).unwrap();
        assert_eq!(back.state, pending.state);
        assert!(format!("{pending:?}").contains("[redacted]"));
    }
}
