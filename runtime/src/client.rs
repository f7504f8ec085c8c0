//! The per-service HTTP client: cheap to clone, one connection pool.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use gapi_credentials::Credentials;

use crate::retry::{RetryPolicy, Throttle};
use crate::spec::ServiceSpec;

/// A configured connection to one API. Clones share the pool and settings.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) service: &'static ServiceSpec,
    pub(crate) root_url: String,
    pub(crate) credentials: Option<Arc<dyn Credentials>>,
    pub(crate) retry: RetryPolicy,
    /// The retry budget all calls of this client (and its clones) share.
    pub(crate) throttle: Throttle,
    pub(crate) user_agent: String,
    pub(crate) universe_domain: String,
    /// Memory caps on answers.
    pub(crate) limits: crate::limits::Limits,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.id)
            .field("root_url", &self.inner.root_url)
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// A builder for `service` whose `build()` gives a plain [`Client`].
    /// Generated crates offer `Drive::builder()`, whose `build()` gives a `Drive`.
    pub fn builder(service: &'static ServiceSpec) -> ClientBuilder {
        ClientBuilder::for_service(service)
    }

    /// The API this client talks to.
    pub fn service(&self) -> &'static ServiceSpec {
        self.inner.service
    }

    /// The root URL requests go to (default: the document's `rootUrl`).
    pub fn root_url(&self) -> &str {
        &self.inner.root_url
    }

    /// The universe this client calls (`googleapis.com` unless set).
    pub fn universe_domain(&self) -> &str {
        &self.inner.universe_domain
    }
}

/// Settings for a [`Client`]; `build()` returns `S`, the generated service
/// type (`Drive`, `Bigquery`, …) or a plain [`Client`].
pub struct ClientBuilder<S = Client> {
    service: &'static ServiceSpec,
    root_url: Option<String>,
    credentials: Option<Arc<dyn Credentials>>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    location: Option<String>,
    universe_domain: Option<String>,
    limits: crate::limits::Limits,
    service_type: PhantomData<fn() -> S>,
}

/// Google's public universe, the default.
pub const DEFAULT_UNIVERSE_DOMAIN: &str = "googleapis.com";

/// Why [`ClientBuilder::build`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The HTTP client could not be built (the TLS backend did not initialise).
    Http(reqwest::Error),
    /// `location(…)` names a location the API lists no endpoint for.
    UnknownLocation {
        /// The API.
        service: &'static str,
        /// The location asked for.
        location: String,
        /// The locations it has, comma-separated (or "none").
        known: String,
    },
    /// The credentials belong to another universe than the client.
    UniverseMismatch {
        /// The client's universe domain.
        client: String,
        /// The credentials' universe domain.
        credentials: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Http(_) => f.write_str("the HTTP client could not be built"),
            BuildError::UnknownLocation {
                service,
                location,
                known,
            } => write!(
                f,
                "{service} has no regional endpoint in {location:?}; its document lists: {known}"
            ),
            BuildError::UniverseMismatch {
                client,
                credentials,
            } => write!(
                f,
                "the credentials belong to the universe {credentials:?} but the client is for \
                 {client:?} (set it with .universe_domain(…) or GOOGLE_CLOUD_UNIVERSE_DOMAIN)"
            ),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

impl<S> fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service.id)
            .field("root_url", &self.root_url)
            .finish_non_exhaustive()
    }
}

/// `GAPI_EMULATOR_HOST=127.0.0.1:8089`: every client built without an
/// explicit [`ClientBuilder::root_url`] sends its requests to
/// `http://127.0.0.1:8089/` instead of Google (as `STORAGE_EMULATOR_HOST`
/// does for Google's Cloud Storage clients), so an unmodified application
/// runs against `gapi-emulator`. Credentials go there too: set it only where
/// that host is yours.
pub const EMULATOR_HOST_VAR: &str = "GAPI_EMULATOR_HOST";

impl<S: From<Client>> ClientBuilder<S> {
    /// A builder for `service` with default settings: the document's root
    /// URL, no credentials, the default retry policy, a 300 s timeout per
    /// attempt and a 20 s connect timeout.
    pub fn for_service(service: &'static ServiceSpec) -> Self {
        ClientBuilder {
            service,
            root_url: None,
            credentials: None,
            http: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(20),
            user_agent: None,
            location: None,
            universe_domain: None,
            limits: crate::limits::Limits::default(),
            service_type: PhantomData,
        }
    }

    /// Credentials that authorize every request.
    pub fn credentials(mut self, credentials: impl Credentials + 'static) -> Self {
        self.credentials = Some(Arc::new(credentials));
        self
    }

    /// Shared credentials.
    pub fn shared_credentials(mut self, credentials: Arc<dyn Credentials>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sends requests to another root URL (an emulator, a regional or
    /// private endpoint). A trailing `/` is added when missing. Without
    /// it, `GAPI_EMULATOR_HOST` (see [`EMULATOR_HOST_VAR`]) decides.
    pub fn root_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.root_url = Some(url);
        self
    }

    /// Sends requests to the API's regional endpoint in `location`
    /// (`"europe-west1"`), one of those its discovery document lists
    /// (`ServiceSpec::endpoints`); `build()` fails for any other. An
    /// explicit [`root_url`](Self::root_url) wins over this.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// The universe to call (default: `GOOGLE_CLOUD_UNIVERSE_DOMAIN`, else
    /// `googleapis.com`): `googleapis.com` in the root URL is replaced by
    /// it, as in Google's own clients. Credentials bound to another universe
    /// make `build()` fail.
    pub fn universe_domain(mut self, domain: impl Into<String>) -> Self {
        self.universe_domain = Some(domain.into());
        self
    }

    /// Retry policy for every call (a call can override it).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Overall timeout of one attempt (default 300 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 20 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest answer read into memory, in bytes (default 256 MiB): a
    /// larger one fails the call with an error for which
    /// [`Error::is_too_large`](crate::Error::is_too_large) holds, before it
    /// is all read. Downloads to a writer or file are not capped.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.limits.response_bytes = bytes;
        self
    }

    /// The largest element of a streamed answer (`.stream()`: one JSON
    /// array element or server-sent event), in bytes (default 64 MiB).
    pub fn max_stream_element_bytes(mut self, bytes: u64) -> Self {
        self.limits.stream_element_bytes = bytes;
        self
    }

    /// Prepended to gapi's own `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Uses a preconfigured reqwest client (proxies, custom TLS roots); the
    /// timeouts set here then do not apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client (the generated service type, for `Drive::builder()`).
    ///
    /// # Errors
    /// An unknown [`location`](Self::location), credentials of another
    /// universe, or a TLS backend that cannot initialise.
    pub fn build(self) -> Result<S, BuildError> {
        let universe = self
            .universe_domain
            .clone()
            .or_else(|| std::env::var("GOOGLE_CLOUD_UNIVERSE_DOMAIN").ok())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| DEFAULT_UNIVERSE_DOMAIN.to_string());
        if let Some(theirs) = self.credentials.as_ref().and_then(|c| c.universe_domain()) {
            if theirs != universe {
                return Err(BuildError::UniverseMismatch {
                    client: universe,
                    credentials: theirs.to_string(),
                });
            }
        }
        let emulator = std::env::var(EMULATOR_HOST_VAR)
            .ok()
            .filter(|host| !host.is_empty());
        let root_url = match (self.root_url, emulator, &self.location) {
            (Some(url), _, _) => url,
            (None, Some(host), _) => format!("http://{host}/"),
            (None, None, None) => in_universe(self.service.root_url, &universe),
            (None, None, Some(location)) => {
                let endpoints = self.service.endpoints;
                match endpoints.iter().find(|e| e.location == location) {
                    Some(e) => in_universe(e.root_url, &universe),
                    None => {
                        let known: Vec<&str> = endpoints.iter().map(|e| e.location).collect();
                        return Err(BuildError::UnknownLocation {
                            service: self.service.id,
                            location: location.clone(),
                            known: if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            },
                        });
                    }
                }
            }
        };
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(BuildError::Http)?,
        };
        let own = concat!("gapi/", env!("CARGO_PKG_VERSION"));
        let user_agent = match self.user_agent {
            Some(prefix) => format!("{prefix} {own}"),
            None => own.to_string(),
        };
        Ok(S::from(Client {
            inner: Arc::new(Inner {
                http,
                service: self.service,
                root_url,
                universe_domain: universe,
                credentials: self.credentials,
                retry: self.retry,
                throttle: Throttle::default(),
                user_agent,
                limits: self.limits,
            }),
        }))
    }
}

/// `url` with `googleapis.com` replaced by `universe` in its host.
fn in_universe(url: &str, universe: &str) -> String {
    if universe == DEFAULT_UNIVERSE_DOMAIN {
        return url.to_string();
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    match host.strip_suffix(DEFAULT_UNIVERSE_DOMAIN) {
        Some(prefix) => format!("{scheme}://{prefix}{universe}/{path}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universes_replace_googleapis_com_in_the_host_only() {
        assert_eq!(
            in_universe("https://bigquery.googleapis.com/", "example.goog"),
            "https://bigquery.example.goog/"
        );
        assert_eq!(
            in_universe("https://www.googleapis.com/drive/v3/", "s3nsapis.fr"),
            "https://www.s3nsapis.fr/drive/v3/"
        );
        assert_eq!(
            in_universe("https://bigquery.googleapis.com/", DEFAULT_UNIVERSE_DOMAIN),
            "https://bigquery.googleapis.com/"
        );
        assert_eq!(
            in_universe("http://127.0.0.1:9/googleapis.com/", "x.y"),
            "http://127.0.0.1:9/googleapis.com/"
        );
    }
}
