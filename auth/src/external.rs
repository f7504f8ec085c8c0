//! Workload identity federation (`"type": "external_account"`): a token
//! from another identity provider — a CI system's OIDC token, a Kubernetes
//! service account token, an Azure managed identity, a SAML assertion — is
//! exchanged at Google's Security Token Service (STS) for a Google access
//! token, optionally followed by service account impersonation.
//!
//! The subject token comes from a file, a URL, or (only when
//! `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`, as in google-auth) an
//! executable, each as plain text or JSON, or (`environment_id: "aws1"`)
//! is a signed AWS `GetCallerIdentity` request ([`aws`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::credentials::{bearer_headers, AuthError, BoxFuture};
use crate::impersonated::generate_access_token;
use crate::token::{minting_credentials, CachedToken, Mint, Token, TokenClient, TokenError};

pub(crate) mod aws;

/// Google's Security Token Service.
pub const GOOGLE_STS_URI: &str = "https://sts.googleapis.com/v1/token";

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Executables may run this long by default, and within these bounds.
const EXECUTABLE_TIMEOUT: Duration = Duration::from_secs(30);
const EXECUTABLE_TIMEOUT_RANGE: (u64, u64) = (5_000, 120_000);

/// The file format (google-auth's `external_account` info).
#[derive(Deserialize)]
struct ConfigFile {
    audience: Option<String>,
    subject_token_type: Option<String>,
    #[serde(default)]
    token_url: Option<String>,
    #[serde(default)]
    service_account_impersonation_url: Option<String>,
    #[serde(default)]
    service_account_impersonation: Option<ImpersonationOptions>,
    credential_source: Option<serde_json::Value>,
    #[serde(default)]
    quota_project_id: Option<String>,
    #[serde(default)]
    workforce_pool_user_project: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
}

#[derive(Deserialize)]
struct ImpersonationOptions {
    #[serde(default)]
    token_lifetime_seconds: Option<u64>,
}

#[derive(Deserialize)]
struct SourceFields {
    #[serde(default)]
    file: Option<PathBuf>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    executable: Option<ExecutableFields>,
    #[serde(default)]
    environment_id: Option<String>,
    #[serde(default)]
    format: Option<FormatFields>,
}

#[derive(Deserialize)]
struct ExecutableFields {
    command: Option<String>,
    #[serde(default)]
    timeout_millis: Option<u64>,
    #[serde(default)]
    output_file: Option<PathBuf>,
}

#[derive(Deserialize)]
struct FormatFields {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    subject_token_field_name: Option<String>,
}

/// How the subject token is written.
#[derive(Debug, Clone)]
enum Format {
    Text,
    Json { field: String },
}

/// Where the subject token comes from.
#[derive(Debug, Clone)]
enum Source {
    File {
        path: PathBuf,
        format: Format,
    },
    Url {
        url: String,
        headers: HeaderMap,
        format: Format,
    },
    Executable {
        argv: Vec<String>,
        timeout: Duration,
        output_file: Option<PathBuf>,
        allowed: bool,
    },
    Aws(aws::AwsSource),
}

/// Credentials for workload identity federation. Cheap to clone; clones
/// share the token.
#[derive(Clone)]
pub struct ExternalAccountCredentials {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    audience: String,
    subject_token_type: String,
    token_url: String,
    impersonation_url: Option<String>,
    lifetime: Duration,
    source: Source,
    scopes: Vec<String>,
    quota_project: Option<String>,
    workforce_user_project: Option<String>,
    client: Option<(String, Option<String>)>,
    cache: CachedToken,
    http: TokenClient,
}

impl fmt::Debug for ExternalAccountCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalAccountCredentials")
            .field("audience", &self.inner.audience)
            .field("subject_token_type", &self.inner.subject_token_type)
            .field("token_url", &self.inner.token_url)
            .field("impersonation_url", &self.inner.impersonation_url)
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl ExternalAccountCredentials {
    /// Reads an `external_account` configuration file (as written by
    /// `gcloud iam workload-identity-pools create-cred-config`).
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the file and the field.
    pub fn from_file(path: impl AsRef<Path>, scopes: &[&str]) -> Result<Self, AuthError> {
        crate::read_config(path.as_ref(), |bytes| Self::from_json(bytes, scopes))
    }

    /// Parses a configuration; executables are allowed only when the
    /// process has `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`.
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the missing or unsupported field.
    pub fn from_json(bytes: &[u8], scopes: &[&str]) -> Result<Self, AuthError> {
        Self::parse(bytes, scopes, &|name| std::env::var(name).ok()).map_err(AuthError::config)
    }

    /// As [`from_json`](Self::from_json), reading environment variables
    /// (`AWS_*`, `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES`,
    /// `GOOGLE_CLOUD_QUOTA_PROJECT`) through `env` instead of the process's:
    /// for tests and for processes that keep secrets out of their environment.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json).
    pub fn from_json_with_env(
        bytes: &[u8],
        scopes: &[&str],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        Self::parse(bytes, scopes, env).map_err(AuthError::config)
    }

    /// The subject token this configuration would exchange at STS, read or
    /// built now, without exchanging it: for checking a federation setup.
    /// `at` fixes the clock of an AWS signature (the only source whose token
    /// depends on the time); other sources ignore it.
    ///
    /// # Errors
    /// When the source cannot give a token (the file, URL, executable or AWS
    /// metadata service's error).
    pub async fn subject_token_at(&self, at: SystemTime) -> Result<String, AuthError> {
        self.inner
            .subject_token(at)
            .await
            .map_err(|e| e.into_auth(crate::AuthErrorKind::Refresh, "reading the subject token"))
    }

    pub(crate) fn parse(
        bytes: &[u8],
        scopes: &[&str],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let file: ConfigFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("not an external_account configuration: {e}"))?;
        let missing = |field: &str| format!("`{field}` is missing");
        let audience = file.audience.ok_or_else(|| missing("audience"))?;
        let subject_token_type = file
            .subject_token_type
            .ok_or_else(|| missing("subject_token_type"))?;
        let source = parse_source(
            file.credential_source
                .ok_or_else(|| missing("credential_source"))?,
            env,
        )?;
        let token_url = file.token_url.unwrap_or_else(|| GOOGLE_STS_URI.to_string());
        for (field, url) in [
            ("token_url", Some(&token_url)),
            (
                "service_account_impersonation_url",
                file.service_account_impersonation_url.as_ref(),
            ),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!("`{field}` is not an http(s) URL: {url:?}"));
                }
            }
        }
        let lifetime = file
            .service_account_impersonation
            .and_then(|o| o.token_lifetime_seconds)
            .map_or(Duration::from_secs(3600), Duration::from_secs);
        let mut scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        if scopes.is_empty() {
            scopes.push(CLOUD_PLATFORM.to_string());
        }
        Ok(ExternalAccountCredentials {
            inner: Arc::new(Inner {
                audience,
                subject_token_type,
                token_url,
                impersonation_url: file.service_account_impersonation_url,
                lifetime,
                source,
                scopes,
                quota_project: env("GOOGLE_CLOUD_QUOTA_PROJECT")
                    .filter(|p| !p.is_empty())
                    .or(file.quota_project_id),
                workforce_user_project: file.workforce_pool_user_project,
                client: file.client_id.map(|id| (id, file.client_secret)),
                cache: CachedToken::default(),
                http: TokenClient::default(),
            }),
        })
    }

    /// How long each token request may take, retries included (default 30 s).
    pub fn with_token_timeout(&self, timeout: Duration) -> Self {
        let mut inner = (*self.inner).clone();
        inner.http = TokenClient::new(timeout);
        inner.cache = CachedToken::default();
        ExternalAccountCredentials {
            inner: Arc::new(inner),
        }
    }
}

fn parse_source(
    value: serde_json::Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, String> {
    let fields: SourceFields = serde_json::from_value(value.clone())
        .map_err(|e| format!("`credential_source` is malformed: {e}"))?;
    if let Some(id) = &fields.environment_id {
        return aws::AwsSource::parse(id, value, env).map(Source::Aws);
    }
    let format = match fields.format {
        None => Format::Text,
        Some(f) => match f.kind.as_deref() {
            None | Some("text") => Format::Text,
            Some("json") => Format::Json {
                field: f.subject_token_field_name.ok_or_else(|| {
                    "`credential_source.format.subject_token_field_name` is missing (needed for the json format)".to_string()
                })?,
            },
            Some(other) => {
                return Err(format!(
                    "`credential_source.format.type` is {other:?}; expected \"text\" or \"json\""
                ))
            }
        },
    };
    match (fields.file, fields.url, fields.executable) {
        (Some(path), None, None) => Ok(Source::File { path, format }),
        (None, Some(url), None) => {
            let mut headers = HeaderMap::new();
            for (name, value) in fields.headers {
                let bad = || format!("`credential_source.headers.{name}` is not a valid header");
                headers.insert(
                    HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?,
                    HeaderValue::from_str(&value).map_err(|_| bad())?,
                );
            }
            Ok(Source::Url {
                url,
                headers,
                format,
            })
        }
        (None, None, Some(exe)) => {
            let command = exe
                .command
                .ok_or_else(|| "`credential_source.executable.command` is missing".to_string())?;
            let argv = split_command(&command)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    format!("`credential_source.executable.command` cannot be split into arguments: {command:?}")
                })?;
            let timeout = match exe.timeout_millis {
                None => EXECUTABLE_TIMEOUT,
                Some(ms)
                    if (EXECUTABLE_TIMEOUT_RANGE.0..=EXECUTABLE_TIMEOUT_RANGE.1).contains(&ms) =>
                {
                    Duration::from_millis(ms)
                }
                Some(ms) => {
                    return Err(format!(
                        "`credential_source.executable.timeout_millis` is {ms}; it must be between {} and {}",
                        EXECUTABLE_TIMEOUT_RANGE.0, EXECUTABLE_TIMEOUT_RANGE.1
                    ))
                }
            };
            Ok(Source::Executable {
                argv,
                timeout,
                output_file: exe.output_file,
                allowed: env("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES").as_deref() == Some("1"),
            })
        }
        (None, None, None) => Err(
            "`credential_source` needs one of `file`, `url`, `executable`, or `environment_id` (AWS)"
                .to_string(),
        ),
        _ => Err("`credential_source` has more than one of `file`, `url`, `executable`".to_string()),
    }
}

/// Splits a command line as a POSIX shell would for words: whitespace
/// separates, single and double quotes group, a backslash escapes. No
/// expansion of any kind. `None` for an unclosed quote.
fn split_command(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => word.push(chars.next()?),
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next()?);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// Reads the token out of a file's or a URL's content.
fn subject_from(content: &[u8], format: &Format, origin: &str) -> Result<String, TokenError> {
    let token = match format {
        Format::Text => String::from_utf8_lossy(content).trim().to_string(),
        Format::Json { field } => {
            let value: serde_json::Value = serde_json::from_slice(content)
                .map_err(|e| TokenError::Malformed(format!("{origin} is not JSON ({e})")))?;
            value[field.as_str()]
                .as_str()
                .ok_or_else(|| {
                    TokenError::Malformed(format!("{origin} has no string field `{field}`"))
                })?
                .to_string()
        }
    };
    if token.is_empty() {
        return Err(TokenError::Malformed(format!(
            "{origin} holds no subject token"
        )));
    }
    Ok(token)
}

/// The executable protocol's answer (version 1).
#[derive(Deserialize)]
struct ExecutableAnswer {
    version: Option<u32>,
    success: Option<bool>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expiration_time: Option<u64>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    saml_response: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl ExecutableAnswer {
    /// The subject token, or why there is none. `Ok(None)`: expired.
    fn subject(self, need_expiry: bool) -> Result<Option<String>, String> {
        match self.version {
            Some(1) => {}
            Some(v) => {
                return Err(format!(
                    "the executable answered version {v}; only 1 is supported"
                ))
            }
            None => return Err("the executable's answer has no `version`".into()),
        }
        match self.success {
            Some(true) => {}
            Some(false) => {
                return Err(format!(
                    "the executable failed: {} ({})",
                    self.message.as_deref().unwrap_or("no message"),
                    self.code.as_deref().unwrap_or("no code")
                ))
            }
            None => return Err("the executable's answer has no `success`".into()),
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match self.expiration_time {
            Some(t) if t <= now => return Ok(None),
            None if need_expiry => return Err(
                "the executable's answer has no `expiration_time` (required with an output_file)"
                    .into(),
            ),
            _ => {}
        }
        let token = match self.token_type.as_deref() {
            Some(
                "urn:ietf:params:oauth:token-type:jwt"
                | "urn:ietf:params:oauth:token-type:id_token",
            ) => self.id_token,
            Some("urn:ietf:params:oauth:token-type:saml2") => self.saml_response,
            Some(other) => {
                return Err(format!(
                    "the executable answered an unsupported token_type {other:?}"
                ))
            }
            None => return Err("the executable's answer has no `token_type`".into()),
        };
        token
            .filter(|t| !t.is_empty())
            .map(Some)
            .ok_or_else(|| "the executable's answer has no token".into())
    }
}

impl Inner {
    async fn subject_token(&self, now: SystemTime) -> Result<String, TokenError> {
        match &self.source {
            Source::Aws(source) => source.subject_token(&self.http, &self.audience, now).await,
            Source::File { path, format } => {
                let content = tokio::fs::read(path).await.map_err(|e| {
                    TokenError::Malformed(format!(
                        "reading the subject token from {}: {e}",
                        path.display()
                    ))
                })?;
                subject_from(&content, format, &path.display().to_string())
            }
            Source::Url {
                url,
                headers,
                format,
            } => {
                let content = self
                    .http
                    .send(reqwest::Method::GET, url, None, headers, true)
                    .await?;
                subject_from(&content, format, &format!("the answer of {url}"))
            }
            Source::Executable {
                argv,
                timeout,
                output_file,
                allowed,
            } => {
                if !allowed {
                    return Err(TokenError::Malformed(
                        "this configuration runs an executable, which is allowed only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1".into(),
                    ));
                }
                self.run_executable(argv, *timeout, output_file.as_deref())
                    .await
            }
        }
    }

    async fn run_executable(
        &self,
        argv: &[String],
        timeout: Duration,
        output_file: Option<&Path>,
    ) -> Result<String, TokenError> {
        let failed = |m: String| TokenError::Malformed(m);
        // A still-valid answer cached by an earlier run is used as is.
        if let Some(path) = output_file {
            if let Ok(content) = tokio::fs::read(path).await {
                if let Ok(answer) = serde_json::from_slice::<ExecutableAnswer>(&content) {
                    if let Ok(Some(token)) = answer.subject(true) {
                        return Ok(token);
                    }
                }
            }
        }
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .env("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", &self.audience)
            .env(
                "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
                &self.subject_token_type,
            )
            .env("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Some(email) = self
            .impersonation_url
            .as_deref()
            .and_then(crate::impersonated::target_from_url)
        {
            command.env("GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL", email);
        }
        if let Some(path) = output_file {
            command.env("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", path);
        }
        let output = tokio::time::timeout(timeout, command.output())
            .await
            .map_err(|_| TokenError::TimedOut {
                what: format!("the executable {:?}", argv[0]),
                after: timeout,
            })?
            .map_err(|e| failed(format!("running {:?}: {e}", argv[0])))?;
        if !output.status.success() {
            return Err(failed(format!(
                "the executable {:?} exited with {}: {}",
                argv[0],
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let answer: ExecutableAnswer = serde_json::from_slice(&output.stdout).map_err(|e| {
            failed(format!(
                "the executable {:?} did not print its JSON answer ({e})",
                argv[0]
            ))
        })?;
        match answer.subject(output_file.is_some()) {
            Ok(Some(token)) => Ok(token),
            Ok(None) => Err(failed(
                "the token returned by the executable has expired".into(),
            )),
            Err(e) => Err(failed(e)),
        }
    }

    async fn fetch(&self) -> Result<Token, TokenError> {
        let now = SystemTime::now();
        let subject = self.subject_token(now).await?;
        // With impersonation, STS grants cloud-platform and IAM narrows it.
        let sts_scope = if self.impersonation_url.is_some() {
            CLOUD_PLATFORM.to_string()
        } else {
            self.scopes.join(" ")
        };
        let options = match (&self.workforce_user_project, &self.client) {
            (Some(project), None) if self.audience.contains("/workforcePools/") => {
                Some(serde_json::json!({ "userProject": project }).to_string())
            }
            _ => None,
        };
        let mut form = vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("audience", self.audience.as_str()),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            ("subject_token", subject.as_str()),
            ("subject_token_type", self.subject_token_type.as_str()),
            ("scope", sts_scope.as_str()),
        ];
        if let Some(options) = &options {
            form.push(("options", options.as_str()));
        }
        let mut headers = HeaderMap::new();
        if let Some((id, secret)) = &self.client {
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{id}:{}", secret.as_deref().unwrap_or("")));
            let mut value = HeaderValue::from_str(&format!("Basic {basic}"))
                .map_err(|_| TokenError::Malformed("client_id is not a valid header".into()))?;
            value.set_sensitive(true);
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let body = self
            .http
            .send(
                reqwest::Method::POST,
                &self.token_url,
                Some(crate::token::Body::Form(&form)),
                &headers,
                true,
            )
            .await?;
        let sts: crate::token::TokenResponse = crate::token::parse_json(&body)?;
        let federated = sts.token(now);
        let Some(url) = &self.impersonation_url else {
            return Ok(federated);
        };
        let bearer = bearer_headers(&federated.access_token, None)
            .map_err(|_| TokenError::Malformed("the STS token is not a valid header".into()))?;
        generate_access_token(&self.http, url, &bearer, &[], &self.scopes, self.lifetime).await
    }
}

impl Mint for ExternalAccountCredentials {
    fn cache(&self) -> &CachedToken {
        &self.inner.cache
    }
    fn who(&self) -> String {
        "workload identity federation".to_string()
    }
    fn mint(&self) -> BoxFuture<'static, Result<Token, TokenError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.fetch().await })
    }
    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }
}

minting_credentials!(ExternalAccountCredentials);

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(
            split_command(r#"/bin/tool --flag "a b" 'c d' e\ f"#).unwrap(),
            ["/bin/tool", "--flag", "a b", "c d", "e f"]
        );
        assert_eq!(split_command("a \"unclosed"), None);
    }

    #[test]
    fn configuration_errors_name_the_field() {
        let parse = |json: &str| {
            ExternalAccountCredentials::parse(json.as_bytes(), &[], &no_env)
                .err()
                .unwrap_or_default()
        };
        let base = r#""audience":"//iam.googleapis.com/x","subject_token_type":"urn:ietf:params:oauth:token-type:jwt""#;
        assert!(parse(&format!("{{{base}}}")).contains("`credential_source` is missing"));
        let aws = parse(&format!(
            r#"{{{base},"credential_source":{{"environment_id":"aws1","region_url":"http://169.254.169.254"}}}}"#
        ));
        assert!(
            aws.contains("`credential_source.regional_cred_verification_url` is missing"),
            "{aws}"
        );
        let aws2 = parse(&format!(
            r#"{{{base},"credential_source":{{"environment_id":"aws2","regional_cred_verification_url":"https://sts.{{region}}.amazonaws.com"}}}}"#
        ));
        assert!(aws2.contains("AWS version 2 is not supported"), "{aws2}");
        let none = parse(&format!(r#"{{{base},"credential_source":{{}}}}"#));
        assert!(
            none.contains("needs one of `file`, `url`, `executable`"),
            "{none}"
        );
        let json = parse(&format!(
            r#"{{{base},"credential_source":{{"file":"t","format":{{"type":"json"}}}}}}"#
        ));
        assert!(json.contains("subject_token_field_name"), "{json}");
        let slow = parse(&format!(
            r#"{{{base},"credential_source":{{"executable":{{"command":"x","timeout_millis":1}}}}}}"#
        ));
        assert!(slow.contains("timeout_millis"), "{slow}");
    }

    #[test]
    fn executable_answers_are_checked() {
        let answer = |json: &str| serde_json::from_str::<ExecutableAnswer>(json).unwrap();
        let ok = answer(
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":"eyJ","expiration_time":99999999999}"#,
        );
        assert_eq!(ok.subject(true).unwrap().as_deref(), Some("eyJ"));
        let expired = answer(
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"eyJ","expiration_time":1}"#,
        );
        assert_eq!(expired.subject(false).unwrap(), None);
        let failed = answer(r#"{"version":1,"success":false,"code":"401","message":"no login"}"#);
        assert!(failed
            .subject(false)
            .unwrap_err()
            .contains("no login (401)"));
        let no_expiry = answer(
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:saml2","saml_response":"PHNhbWw"}"#,
        );
        assert!(no_expiry
            .subject(true)
            .unwrap_err()
            .contains("expiration_time"));
    }
}
