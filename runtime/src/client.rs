//! The per-service HTTP client: cheap to clone, one connection pool.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use gapi_credentials::Credentials;

use crate::retry::RetryPolicy;
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
    pub(crate) user_agent: String,
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
    service_type: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service.id)
            .field("root_url", &self.root_url)
            .finish_non_exhaustive()
    }
}

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
    /// private endpoint). A trailing `/` is added when missing.
    pub fn root_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.root_url = Some(url);
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
    /// When the TLS backend cannot initialise.
    pub fn build(self) -> Result<S, reqwest::Error> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .build()?,
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
                root_url: self
                    .root_url
                    .unwrap_or_else(|| self.service.root_url.to_string()),
                credentials: self.credentials,
                retry: self.retry,
                user_agent,
            }),
        }))
    }
}
