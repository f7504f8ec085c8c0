//! A named, ordered list of places credentials may come from, tried in turn.
//!
//! The rule is ADC's: the chain moves on only when a source is **not
//! configured** (no variable set, no file, no metadata server); a source that
//! is configured but broken (a key file that does not parse, a token cache
//! that cannot be read) stops the chain with its own error, so a mistake is
//! never papered over by falling through to other credentials — or to none.
//! The result says which source was chosen and why the earlier ones were
//! skipped, for logs and `--dry-run`.
//!
//! [`CredentialChain::application_default`] is ADC's order;
//! [`ApplicationDefaultCredentials`](crate::ApplicationDefaultCredentials)
//! runs it, and so does the `gapi` CLI after its own two sources (an API key,
//! the user `gapi auth login` cached).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use http::HeaderMap;

use crate::credentials::{AuthError, BoxFuture, Credentials};

/// How a source reads the environment (the process's, or a test's).
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What a source is given: the scopes asked for and the environment.
#[derive(Clone)]
pub struct SourceContext {
    scopes: Vec<String>,
    env: Env,
}

impl fmt::Debug for SourceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceContext")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl SourceContext {
    /// The scopes the credentials are for.
    pub fn scopes(&self) -> Vec<&str> {
        self.scopes.iter().map(String::as_str).collect()
    }

    /// An environment variable, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.is_empty())
    }

    pub(crate) fn env(&self) -> &(dyn Fn(&str) -> Option<String> + Send + Sync) {
        &*self.env
    }
}

/// What a source found: the credentials and where exactly they came from
/// (a path, a host), for messages.
#[derive(Debug)]
pub struct Found {
    /// The credentials.
    pub credentials: Arc<dyn Credentials>,
    /// Where they came from (`/home/me/key.json`, `metadata.google.internal`).
    pub detail: String,
}

impl Found {
    /// Credentials found at `detail`.
    pub fn new(credentials: Arc<dyn Credentials>, detail: impl Into<String>) -> Self {
        Found {
            credentials,
            detail: detail.into(),
        }
    }
}

type Load = dyn Fn(SourceContext) -> BoxFuture<'static, Result<Found, AuthError>> + Send + Sync;

/// One place credentials may come from.
///
/// Its loader answers `Ok` with the credentials, an error for which
/// [`AuthError::is_not_configured`] holds when nothing is there (the chain
/// moves on), or any other error when something is there but broken (the
/// chain stops with it).
#[derive(Clone)]
pub struct Source {
    name: Cow<'static, str>,
    load: Arc<Load>,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Source").field(&self.name).finish()
    }
}

impl Source {
    /// A source named `name` (for messages) that runs `load`.
    pub fn new<F>(name: impl Into<Cow<'static, str>>, load: F) -> Self
    where
        F: Fn(SourceContext) -> BoxFuture<'static, Result<Found, AuthError>>
            + Send
            + Sync
            + 'static,
    {
        Source {
            name: name.into(),
            load: Arc::new(load),
        }
    }

    /// Credentials already in hand (an API key from a flag): always
    /// configured.
    pub fn fixed(name: impl Into<Cow<'static, str>>, credentials: Arc<dyn Credentials>) -> Self {
        let name = name.into();
        let detail = name.to_string();
        Source::new(name, move |_| {
            let found = Found::new(credentials.clone(), detail.clone());
            Box::pin(async move { Ok(found) })
        })
    }

    /// An API key from the environment variable `var` (`GOOGLE_API_KEY`);
    /// not configured when it is unset or empty.
    pub fn api_key_env(var: &'static str) -> Self {
        Source::new(var, move |cx| {
            let key = cx.var(var);
            Box::pin(async move {
                match key {
                    Some(key) => Ok(Found::new(Arc::new(crate::ApiKey::new(key)), var)),
                    None => Err(AuthError::not_configured(format!("{var} is not set"))),
                }
            })
        })
    }

    /// A signed-in user cached in `path` (google-auth's `token.json`), whose
    /// refreshed tokens are written back; not configured when the file does
    /// not exist, broken when it cannot be read or parsed (and then left as
    /// it is).
    pub fn token_cache(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        Source::new("token cache", move |_| {
            let path = path.clone();
            Box::pin(async move {
                if !path.is_file() {
                    return Err(AuthError::not_configured(format!(
                        "no signed-in user cached at {}",
                        path.display()
                    )));
                }
                let store = Arc::new(crate::FileTokenStore::new(&path));
                let user = crate::TokenStore::load(&*store)
                    .map_err(|e| AuthError::cache(format!("{}: {e}", path.display()), e))?
                    .ok_or_else(|| {
                        AuthError::not_configured(format!("{} holds no user", path.display()))
                    })?;
                let credentials = crate::UserCredentials::from_stored(user, Some(store));
                Ok(Found::new(
                    Arc::new(credentials),
                    path.display().to_string(),
                ))
            })
        })
    }

    /// ADC's first source: the file named by `GOOGLE_APPLICATION_CREDENTIALS`
    /// (any type an ADC file may hold).
    pub fn environment_variable() -> Self {
        crate::adc::environment_variable()
    }

    /// ADC's second source: gcloud's `application_default_credentials.json`
    /// (in `CLOUDSDK_CONFIG`, else `~/.config/gcloud`, or `%APPDATA%\gcloud`).
    pub fn gcloud_file() -> Self {
        crate::adc::gcloud_file()
    }

    /// ADC's last source: the metadata server of the machine the code runs on
    /// (`GCE_METADATA_HOST`, else `metadata.google.internal`), when one
    /// answers within two seconds.
    pub fn metadata_server() -> Self {
        crate::adc::metadata_server()
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Sources tried in order; see the [module docs](self).
#[derive(Clone)]
pub struct CredentialChain {
    sources: Vec<Source>,
    env: Env,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.sources.iter().map(|s| &s.name))
            .finish()
    }
}

impl Default for CredentialChain {
    fn default() -> Self {
        CredentialChain::new()
    }
}

impl CredentialChain {
    /// A chain with no sources, reading the process environment.
    pub fn new() -> Self {
        CredentialChain {
            sources: Vec::new(),
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// Application Default Credentials' order: the file named by
    /// `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's
    /// `application_default_credentials.json`, the metadata server.
    pub fn application_default() -> Self {
        CredentialChain::new().then_application_default()
    }

    /// Adds `source` at the end.
    pub fn then(mut self, source: Source) -> Self {
        self.sources.push(source);
        self
    }

    /// Adds ADC's three sources at the end.
    pub fn then_application_default(self) -> Self {
        self.then(Source::environment_variable())
            .then(Source::gcloud_file())
            .then(Source::metadata_server())
    }

    /// Reads the environment through `env` instead of the process's.
    pub fn with_env(
        mut self,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// The sources' names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.sources.iter().map(Source::name).collect()
    }

    /// Tries the sources in order for `scopes`.
    ///
    /// # Errors
    /// The error of the first source that is configured but broken, named
    /// after it; or, when none is configured, an error for which
    /// [`AuthError::is_not_configured`] holds, listing why each was skipped.
    pub async fn resolve(&self, scopes: &[&str]) -> Result<Chosen, AuthError> {
        let cx = SourceContext {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            env: self.env.clone(),
        };
        let mut skipped = Vec::new();
        for source in &self.sources {
            match (source.load)(cx.clone()).await {
                Ok(found) => {
                    tracing::debug!(source = %source.name, detail = %found.detail, "credentials chosen");
                    return Ok(Chosen {
                        source: source.name.clone(),
                        detail: found.detail,
                        skipped,
                        credentials: found.credentials,
                    });
                }
                Err(e) if e.is_not_configured() => {
                    tracing::debug!(source = %source.name, reason = e.message(), "skipped");
                    skipped.push(format!("{}: {}", source.name, e.message()));
                }
                Err(e) => return Err(e.context(&source.name)),
            }
        }
        Err(AuthError::not_configured(if skipped.is_empty() {
            "no credential sources to try".to_string()
        } else {
            format!("no credentials found ({})", skipped.join("; "))
        }))
    }
}

/// The credentials a chain chose, and which source they came from.
#[derive(Clone)]
pub struct Chosen {
    source: Cow<'static, str>,
    detail: String,
    skipped: Vec<String>,
    credentials: Arc<dyn Credentials>,
}

impl fmt::Debug for Chosen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chosen")
            .field("source", &self.source)
            .field("detail", &self.detail)
            .field("skipped", &self.skipped)
            .finish_non_exhaustive()
    }
}

impl Chosen {
    /// The name of the source chosen (`GOOGLE_APPLICATION_CREDENTIALS`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where in that source (a path, a host).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Why each earlier source was skipped, in order.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// One line for logs and `--dry-run`: `GOOGLE_APPLICATION_CREDENTIALS
    /// (/home/me/key.json)`.
    pub fn describe(&self) -> String {
        if self.detail == *self.source {
            self.source.to_string()
        } else {
            format!("{} ({})", self.source, self.detail)
        }
    }

    /// The credentials, to hand to a client.
    pub fn credentials(&self) -> Arc<dyn Credentials> {
        self.credentials.clone()
    }
}

impl Credentials for Chosen {
    fn headers(&self) -> BoxFuture<'_, Result<HeaderMap, AuthError>> {
        self.credentials.headers()
    }

    fn invalidate(&self) -> bool {
        self.credentials.invalidate()
    }

    fn universe_domain(&self) -> Option<&str> {
        self.credentials.universe_domain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::StaticToken;

    fn failing(name: &'static str, error: fn() -> AuthError) -> Source {
        Source::new(name, move |_| Box::pin(async move { Err(error()) }))
    }

    #[tokio::test]
    async fn moves_on_only_past_sources_that_are_not_configured() {
        let token: Arc<dyn Credentials> = Arc::new(StaticToken::new("t"));
        let chain = CredentialChain::new()
            .then(failing("first", || {
                AuthError::not_configured("nothing here")
            }))
            .then(Source::fixed("token", token.clone()));
        assert_eq!(chain.names(), ["first", "token"]);
        let chosen = chain.resolve(&[]).await.unwrap();
        assert_eq!(chosen.source(), "token");
        assert_eq!(chosen.describe(), "token");
        assert_eq!(chosen.skipped(), ["first: nothing here"]);

        let chain = CredentialChain::new()
            .then(failing("broken", || AuthError::config("key.json: bad key")))
            .then(Source::fixed("token", token));
        let err = chain.resolve(&[]).await.unwrap_err();
        assert!(err.is_config(), "{err:?}");
        assert_eq!(err.to_string(), "broken: key.json: bad key");

        let err = CredentialChain::new()
            .then(failing("only", || AuthError::not_configured("unset")))
            .resolve(&[])
            .await
            .unwrap_err();
        assert!(err.is_not_configured());
        assert_eq!(err.to_string(), "no credentials found (only: unset)");
    }

    #[tokio::test]
    async fn sources_read_the_chains_environment() {
        let chain = CredentialChain::new()
            .then(Source::api_key_env("MY_KEY"))
            .with_env(|name| (name == "MY_KEY").then(|| "k".to_string()));
        let chosen = chain.resolve(&[]).await.unwrap();
        let headers = chosen.headers().await.unwrap();
        assert_eq!(headers["x-goog-api-key"], "k");
    }
}
