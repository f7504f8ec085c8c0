//! Downscoped credentials (credential access boundaries): a token of any
//! source credentials exchanged at STS for one that can do less — only some
//! Cloud Storage buckets, only some permissions, under a CEL condition — to
//! hand to a less trusted process.
//!
//! The exchange's body is byte for byte google-auth's (`downscoped.py`):
//! the boundary is written as Python's `json.dumps` writes it, quoted, then
//! form-encoded (so quoted twice), in google-auth's field order. A test
//! holds the two side by side.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::credentials::{AuthError, BoxFuture, Credentials};
use crate::token::{minting_credentials, CachedToken, Mint, Token, TokenClient, TokenError};

/// At most this many rules in a boundary (STS's limit).
pub const MAX_ACCESS_BOUNDARY_RULES: usize = 10;
/// When STS gives no lifetime, the downscoped token is renewed this soon
/// (google-auth takes the source token's expiry, which a `Credentials`
/// trait object does not expose; a 401 also renews it).
const UNKNOWN_LIFETIME: Duration = Duration::from_secs(600);

/// Python's `quote_plus` with no safe characters (what `urlencode` uses).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Python's `quote` default: as [`FORM`], keeping `/`.
const QUOTE: &AsciiSet = &FORM.remove(b'/');

/// What the downscoped token may reach: up to
/// [`MAX_ACCESS_BOUNDARY_RULES`] rules.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialAccessBoundary {
    #[serde(rename = "accessBoundaryRules")]
    rules: Vec<AccessBoundaryRule>,
}

/// One resource, the roles available on it, and an optional condition.
#[derive(Debug, Clone, Serialize)]
pub struct AccessBoundaryRule {
    // google-auth's order: permissions, then resource.
    #[serde(rename = "availablePermissions")]
    available_permissions: Vec<String>,
    #[serde(rename = "availableResource")]
    available_resource: String,
    #[serde(
        rename = "availabilityCondition",
        skip_serializing_if = "Option::is_none"
    )]
    availability_condition: Option<AvailabilityCondition>,
}

/// A CEL condition narrowing a rule (for example to object name prefixes).
#[derive(Debug, Clone, Serialize)]
pub struct AvailabilityCondition {
    expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl AvailabilityCondition {
    /// A condition of a CEL `expression`.
    pub fn new(expression: impl Into<String>) -> Self {
        AvailabilityCondition {
            expression: expression.into(),
            title: None,
            description: None,
        }
    }

    /// With a title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// With a description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl AccessBoundaryRule {
    /// A rule for `resource` (for example
    /// `//storage.googleapis.com/projects/_/buckets/my-bucket`) with
    /// `roles`, each `inRole:` followed by a predefined role
    /// (`inRole:roles/storage.objectViewer`).
    ///
    /// # Errors
    /// A [`Config`](crate::AuthErrorKind::Config) error naming the field:
    /// an empty resource, no roles, or a role without `inRole:`.
    pub fn new(resource: impl Into<String>, roles: &[&str]) -> Result<Self, AuthError> {
        let resource = resource.into();
        if resource.is_empty() {
            return Err(AuthError::config(
                "an access boundary rule's `availableResource` is empty",
            ));
        }
        if roles.is_empty() {
            return Err(AuthError::config(
                "an access boundary rule needs at least one of `availablePermissions`",
            ));
        }
        if let Some(bad) = roles.iter().find(|r| !r.starts_with("inRole:")) {
            return Err(AuthError::config(format!(
                "`availablePermissions` {bad:?} must start with \"inRole:\" (for example \"inRole:roles/storage.objectViewer\")"
            )));
        }
        Ok(AccessBoundaryRule {
            available_resource: resource,
            available_permissions: roles.iter().map(|r| r.to_string()).collect(),
            availability_condition: None,
        })
    }

    /// Narrowed by a condition.
    pub fn condition(mut self, condition: AvailabilityCondition) -> Self {
        self.availability_condition = Some(condition);
        self
    }
}

impl CredentialAccessBoundary {
    /// A boundary of `rules`.
    ///
    /// # Errors
    /// A [`Config`](crate::AuthErrorKind::Config) error for no rules or more
    /// than [`MAX_ACCESS_BOUNDARY_RULES`].
    pub fn new(rules: Vec<AccessBoundaryRule>) -> Result<Self, AuthError> {
        if rules.is_empty() || rules.len() > MAX_ACCESS_BOUNDARY_RULES {
            return Err(AuthError::config(format!(
                "a credential access boundary has 1 to {MAX_ACCESS_BOUNDARY_RULES} rules, not {}",
                rules.len()
            )));
        }
        Ok(CredentialAccessBoundary { rules })
    }

    /// The boundary as STS's `options` JSON, written as Python's
    /// `json.dumps` writes it (`", "` and `": "` separators, non-ASCII and
    /// DEL escaped).
    fn options_json(&self) -> String {
        #[derive(Serialize)]
        struct Options<'a> {
            #[serde(rename = "accessBoundary")]
            access_boundary: &'a CredentialAccessBoundary,
        }
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonJson);
        // Serializing strings and vectors into a Vec cannot fail.
        let _ = Options {
            access_boundary: self,
        }
        .serialize(&mut ser);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `json.dumps`'s default layout and `ensure_ascii`.
struct PythonJson;

impl serde_json::ser::Formatter for PythonJson {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// The form body google-auth's STS client sends for a downscoping exchange.
pub(crate) fn exchange_body(subject_token: &str, boundary: &CredentialAccessBoundary) -> String {
    let form = |value: &str| utf8_percent_encode(value, FORM).to_string();
    let options = utf8_percent_encode(&boundary.options_json(), QUOTE).to_string();
    [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        (
            "requested_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("subject_token", subject_token),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("options", options.as_str()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", form(v)))
    .collect::<Vec<_>>()
    .join("&")
}

/// Credentials whose tokens are a source's, narrowed by a
/// [`CredentialAccessBoundary`]. Cheap to clone; clones share the token.
///
/// ```no_run
/// # async fn run() -> Result<(), gapi_auth::AuthError> {
/// use gapi_auth::{AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary, DownscopedCredentials};
/// let source = gapi_auth::ApplicationDefaultCredentials::new(&["https://www.googleapis.com/auth/cloud-platform"]).await?;
/// let rule = AccessBoundaryRule::new(
///     "//storage.googleapis.com/projects/_/buckets/reports",
///     &["inRole:roles/storage.objectViewer"],
/// )?
/// .condition(AvailabilityCondition::new(
///     "resource.name.startsWith('projects/_/buckets/reports/objects/2026/')",
/// ));
/// let narrow = DownscopedCredentials::new(source, CredentialAccessBoundary::new(vec![rule])?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DownscopedCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    source: Arc<dyn Credentials>,
    boundary: CredentialAccessBoundary,
    sts_url: String,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for DownscopedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownscopedCredentials")
            .field("source", &self.inner.source)
            .field("boundary", &self.inner.boundary)
            .field("sts_url", &self.inner.sts_url)
            .finish_non_exhaustive()
    }
}

impl DownscopedCredentials {
    /// `source`'s tokens narrowed by `boundary`, exchanged at
    /// `https://sts.{universe}/v1/token` (the source's universe, else
    /// googleapis.com).
    pub fn new(source: impl Credentials + 'static, boundary: CredentialAccessBoundary) -> Self {
        let universe = source.universe_domain().unwrap_or("googleapis.com");
        let sts_url = format!("https://sts.{universe}/v1/token");
        DownscopedCredentials {
            inner: Arc::new(Inner {
                source: Arc::new(source),
                boundary,
                sts_url,
                cache: CachedToken::default(),
                http: TokenClient::default(),
            }),
        }
    }

    /// Exchanges at another STS endpoint (a test server, an emulator).
    pub fn with_sts_url(&self, url: impl Into<String>) -> Self {
        DownscopedCredentials {
            inner: Arc::new(Inner {
                source: self.inner.source.clone(),
                boundary: self.inner.boundary.clone(),
                sts_url: url.into(),
                cache: CachedToken::default(),
                http: self.inner.http.clone(),
            }),
        }
    }
}

impl Inner {
    async fn fetch(&self) -> Result<Token, TokenError> {
        let headers = self.source.headers().await.map_err(|e| {
            TokenError::Malformed(format!("the source credentials gave no token: {e}"))
        })?;
        let subject = crate::token::bearer_of(&headers)
            .ok_or_else(|| {
                TokenError::Malformed(
                    "the source credentials give no bearer token to downscope (an API key cannot be)"
                        .into(),
                )
            })?
            .to_string();
        let body = exchange_body(&subject, &self.boundary);
        let now = SystemTime::now();
        let answer = self
            .http
            .send(
                reqwest::Method::POST,
                &self.sts_url,
                Some(crate::token::Body::EncodedForm(&body)),
                &HeaderMap::new(),
                true,
            )
            .await?;
        let sts: crate::token::TokenResponse = crate::token::parse_json(&answer)?;
        let mut token = sts.token(now);
        if token.expiry.is_none() {
            token.expiry = Some(now + UNKNOWN_LIFETIME);
        }
        Ok(token)
    }
}

impl Mint for DownscopedCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        "downscoping".to_string()
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
    fn universe(&self) -> Option<&str> {
        self.inner.source.universe_domain()
    }
}

minting_credentials!(DownscopedCredentials);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked_and_json_is_pythons() {
        let e = AccessBoundaryRule::new(
            "//storage.googleapis.com/projects/_/buckets/b",
            &["roles/x"],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("must start with \"inRole:\""), "{e}");
        assert!(CredentialAccessBoundary::new(Vec::new()).is_err());
        let rule = AccessBoundaryRule::new("r", &["inRole:a", "inRole:b"])
            .unwrap()
            .condition(AvailabilityCondition::new("x == 'é'").title("t"));
        let boundary = CredentialAccessBoundary::new(vec![rule]).unwrap();
        assert_eq!(
            boundary.options_json(),
            r#"{"accessBoundary": {"accessBoundaryRules": [{"availablePermissions": ["inRole:a", "inRole:b"], "availableResource": "r", "availabilityCondition": {"expression": "x == '\u00e9'", "title": "t"}}]}}"#
        );
    }
}
