//! `client_secret.json` as downloaded from the Google Cloud console.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::credentials::AuthError;
use crate::secret::ClientSecret;

/// Google's current authorization endpoint.
pub const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
/// Google's current token endpoint.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// An OAuth client: who the application is.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Client id.
    pub client_id: String,
    /// Client secret (installed apps have one too; it is not secret there).
    pub client_secret: Option<ClientSecret>,
    /// Authorization endpoint.
    pub auth_uri: String,
    /// Token endpoint.
    pub token_uri: String,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Which kind of client the console made.
    pub kind: ClientKind,
}

/// The client types of a `client_secret.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// "Desktop app" (`installed`): any loopback port is allowed.
    Installed,
    /// "Web application" (`web`): only registered redirect URIs are allowed.
    Web,
    /// Configured in code.
    Unspecified,
}

/// Why a client secrets file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientSecretsError {
    /// The file could not be read (a missing one: where to get it).
    #[error("{}", io_message(file, source))]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON or lacks what a client needs.
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// What is missing or wrong.
        message: String,
    },
}

/// Where a client secrets file comes from.
const CLIENT_SECRETS_HELP: &str = "create an OAuth client ID of type \"Desktop app\" at https://console.cloud.google.com/apis/credentials (Create credentials → OAuth client ID), download its JSON, and save it there";

fn io_message(file: &std::path::Path, source: &std::io::Error) -> String {
    if source.kind() == std::io::ErrorKind::NotFound {
        format!(
            "{}: no such file. It holds your app's OAuth client: {CLIENT_SECRETS_HELP}",
            file.display()
        )
    } else {
        format!("{}: {source}", file.display())
    }
}

#[derive(Deserialize)]
struct Raw {
    client_id: Option<String>,
    client_secret: Option<String>,
    auth_uri: Option<String>,
    token_uri: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    installed: Option<Raw>,
    web: Option<Raw>,
}

impl ClientConfig {
    /// A client with Google's endpoints.
    pub fn new(client_id: impl Into<String>, client_secret: Option<String>) -> Self {
        ClientConfig {
            client_id: client_id.into(),
            client_secret: client_secret.map(ClientSecret::new),
            auth_uri: GOOGLE_AUTH_URI.to_string(),
            token_uri: GOOGLE_TOKEN_URI.to_string(),
            redirect_uris: Vec::new(),
            kind: ClientKind::Unspecified,
        }
    }

    /// Checks that `auth_uri` and `token_uri` are http(s) URLs, before
    /// anyone is sent to a consent page whose code could not be redeemed.
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the field.
    pub fn check_endpoints(&self) -> Result<(), AuthError> {
        for (field, value) in [("auth_uri", &self.auth_uri), ("token_uri", &self.token_uri)] {
            match reqwest::Url::parse(value) {
                Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => {}
                Ok(_) => {
                    return Err(AuthError::config(format!(
                        "the client's `{field}` is not an http(s) URL: {value:?}"
                    )))
                }
                Err(e) => {
                    return Err(AuthError::config(format!(
                        "the client's `{field}` is not a URL ({e}): {value:?}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// A `web` client accepts only its registered redirect URIs, so the
    /// installed flow's loopback address must be one of them; otherwise
    /// Google would answer `redirect_uri_mismatch` after the browser opens.
    pub(crate) fn check_installed_redirect(&self, redirect: &str) -> Result<(), AuthError> {
        if self.kind != ClientKind::Web || self.redirect_uris.iter().any(|r| r == redirect) {
            return Ok(());
        }
        Err(AuthError::config(format!(
            "this is a `web` client, and {redirect} is not one of its redirect URIs ({}); \
             the installed flow needs a \"Desktop app\" client (Google Cloud console → \
             Credentials → Create OAuth client ID), or register a fixed loopback URI \
             and pass its port to `.port(…)`",
            if self.redirect_uris.is_empty() {
                "none registered".to_string()
            } else {
                self.redirect_uris.join(", ")
            }
        )))
    }

    /// Reads `client_secret.json` (`installed` or `web`; `web` wins when both
    /// are present, as in Google's own libraries).
    ///
    /// # Errors
    /// Names the file and what is missing.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ClientSecretsError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ClientSecretsError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Self::parse(&bytes).map_err(|message| ClientSecretsError::Invalid {
            file: path.to_path_buf(),
            message,
        })
    }

    /// Parses the file's content; the error says what is missing.
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the missing or malformed field.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AuthError> {
        Self::parse(bytes).map_err(AuthError::config)
    }

    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let file: File =
            serde_json::from_slice(bytes).map_err(|e| format!("not a client secrets file: {e}"))?;
        let (kind, raw) = match (file.web, file.installed) {
            (Some(web), _) => (ClientKind::Web, web),
            (None, Some(installed)) => (ClientKind::Installed, installed),
            (None, None) => {
                return Err("has neither an `installed` nor a `web` client (download it from the Google Cloud console: APIs & Services → Credentials)".to_string())
            }
        };
        let client_id = raw.client_id.filter(|c| !c.is_empty()).ok_or_else(|| {
            let section = if kind == ClientKind::Web {
                "web"
            } else {
                "installed"
            };
            format!("`{section}.client_id` is missing")
        })?;
        let token_uri = match raw.token_uri.as_deref() {
            // Older files name the legacy endpoint; it is the same service.
            Some("https://accounts.google.com/o/oauth2/token") | None => {
                GOOGLE_TOKEN_URI.to_string()
            }
            Some(uri) => uri.to_string(),
        };
        Ok(ClientConfig {
            client_id,
            client_secret: raw.client_secret.map(ClientSecret::new),
            auth_uri: raw.auth_uri.unwrap_or_else(|| GOOGLE_AUTH_URI.to_string()),
            token_uri,
            redirect_uris: raw.redirect_uris,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_says_where_to_get_one() {
        let dir = std::env::temp_dir().join(format!("gapi-no-secrets-{}", std::process::id()));
        let file = dir.join("client_secret.json");
        let message = ClientConfig::from_file(&file).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}: no such file.", file.display())),
            "{message}"
        );
        assert!(message.contains("\"Desktop app\""), "{message}");
        assert!(
            message.contains("https://console.cloud.google.com/apis/credentials"),
            "{message}"
        );
        // The flow reports it the same way, before any browser opens.
        let flow = crate::InstalledFlow::from_client_secrets_file(&file, &["email"]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = rt.block_on(flow.authenticate()).unwrap_err().to_string();
        assert!(
            error.contains("console.cloud.google.com/apis/credentials"),
            "{error}"
        );
    }

    #[test]
    fn installed_web_and_legacy_files() {
        let installed = br#"{"installed":{"client_id":"id.apps.googleusercontent.com","client_secret":"s","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://accounts.google.com/o/oauth2/token","redirect_uris":["http://localhost"]}}"#;
        let c = ClientConfig::from_json(installed).unwrap();
        assert_eq!(c.client_id, "id.apps.googleusercontent.com");
        assert_eq!(
            c.token_uri, GOOGLE_TOKEN_URI,
            "legacy token_uri is upgraded"
        );
        assert_eq!(c.client_secret.unwrap().secret(), "s");
        let both = br#"{"installed":{"client_id":"a"},"web":{"client_id":"b","token_uri":"http://127.0.0.1:1/token"}}"#;
        let c = ClientConfig::from_json(both).unwrap();
        assert_eq!(c.client_id, "b");
        assert_eq!(c.token_uri, "http://127.0.0.1:1/token");
        assert_eq!(c.kind, ClientKind::Web);
    }

    #[test]
    fn bad_endpoints_and_web_clients_are_caught_before_the_browser_opens() {
        let mut c = ClientConfig::new("id", None);
        c.check_endpoints().unwrap();
        c.token_uri = "oauth2.googleapis.com/token".into();
        let err = c.check_endpoints().unwrap_err().to_string();
        assert!(err.contains("`token_uri` is not a URL"), "{err}");
        c.token_uri = "file:///etc/passwd".into();
        let err = c.check_endpoints().unwrap_err().to_string();
        assert!(err.contains("`token_uri` is not an http(s) URL"), "{err}");
        let web = ClientConfig::from_json(
            br#"{"web":{"client_id":"w","redirect_uris":["http://127.0.0.1:8080/"]}}"#,
        )
        .unwrap();
        let err = web
            .check_installed_redirect("http://127.0.0.1:41234/")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`web` client") && err.contains("Desktop app"),
            "{err}"
        );
        web.check_installed_redirect("http://127.0.0.1:8080/")
            .unwrap();
        let installed = ClientConfig::from_json(br#"{"installed":{"client_id":"i"}}"#).unwrap();
        installed
            .check_installed_redirect("http://127.0.0.1:41234/")
            .unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let err = ClientConfig::parse(br#"{"installed":{"client_secret":"s"}}"#).unwrap_err();
        assert_eq!(err, "`installed.client_id` is missing");
        let err = ClientConfig::parse(br#"{"other":{}}"#).unwrap_err();
        assert!(err.contains("neither an `installed` nor a `web`"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client_secret.json");
        std::fs::write(&path, "{").unwrap();
        let err = ClientConfig::from_file(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        let err = ClientConfig::from_file(dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.json"), "{err}");
    }
}
