//! `gapi auth login | status | logout`: a signed-in user cached in the
//! platform's config directory, in google-auth's `token.json` format, and
//! the credentials a call uses.

use std::path::PathBuf;

use clap::Subcommand;
use gapi_auth::{FileTokenStore, InstalledFlow, TokenStore};

use crate::document::Lookup;
use crate::error::CliError;
use crate::out;

/// `gapi auth` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Signs in with the installed-app flow (browser and loopback) and caches the user.
    Login {
        /// The OAuth client (`client_secret.json`, a desktop app) from the Cloud console.
        #[arg(long, value_name = "FILE")]
        client_secrets: PathBuf,
        /// Scopes to ask for (full URLs), comma-separated or repeated.
        #[arg(long, value_delimiter = ',', required_unless_present = "api")]
        scopes: Vec<String>,
        /// Ask for the scopes an API's methods need (`drive:v3`).
        #[arg(long, value_name = "API:VERSION")]
        api: Option<String>,
        /// Do not open a browser: print the URL and read back the address it ends on.
        #[arg(long)]
        no_browser: bool,
    },
    /// Who is signed in, with which scopes, and where the cache is.
    Status,
    /// Revokes the cached sign-in at Google and deletes the cache.
    Logout,
}

/// `token.json` in `$GAPI_CONFIG_DIR`, else in `gapi/` under the
/// platform's config directory (`~/.config/gapi` on Linux).
///
/// # Errors
/// A platform without a config directory and no `GAPI_CONFIG_DIR`.
pub fn token_file() -> Result<PathBuf, CliError> {
    let dir = std::env::var_os("GAPI_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("gapi")))
        .ok_or_else(|| {
            CliError::Auth("no config directory on this platform; set GAPI_CONFIG_DIR".into())
        })?;
    Ok(dir.join("token.json"))
}

/// The first scope of every method of `api` (`drive:v3`): the scopes that
/// let a user call all of them.
fn api_scopes(spec: &str, lookup: &Lookup) -> Result<Vec<String>, CliError> {
    let (api, version) = spec
        .split_once(':')
        .ok_or_else(|| CliError::Usage(format!("--api {spec}: expected API:VERSION (drive:v3)")))?;
    let doc = lookup.load(api, version)?;
    let mut scopes: Vec<String> = doc
        .all_methods()
        .into_iter()
        .filter_map(|(_, _, m)| m.scopes.as_ref().and_then(|s| s.first()).cloned())
        .collect();
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// Runs a `gapi auth` subcommand.
///
/// # Errors
/// A failed sign-in, an unreadable cache, a failed revocation.
pub async fn run(command: AuthCommand, lookup: &Lookup) -> Result<(), CliError> {
    let file = token_file()?;
    let store = FileTokenStore::new(&file);
    match command {
        AuthCommand::Login {
            client_secrets,
            mut scopes,
            api,
            no_browser,
        } => {
            if let Some(api) = api {
                scopes.extend(api_scopes(&api, lookup)?);
            }
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::Io(format!("{}: {e}", dir.display())))?;
            }
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let mut flow = InstalledFlow::from_client_secrets_file(&client_secrets, &scopes)
                .token_cache(&file);
            if no_browser {
                flow = flow.manual();
            }
            let user = flow
                .authenticate()
                .await
                .map_err(|e| CliError::Auth(format!("sign-in: {e}")))?;
            out::line(format!(
                "signed in; {} scope(s) cached in {}",
                user.scopes().len(),
                file.display()
            ))
        }
        AuthCommand::Status => {
            let Some(user) = load(&store)? else {
                return Err(CliError::Auth(format!(
                    "not signed in (no {}); run `gapi auth login`",
                    file.display()
                )));
            };
            out::line(format!("cache: {}", file.display()))?;
            // google-auth writes `"account": ""` when it does not know.
            match user.account.as_deref().filter(|a| !a.is_empty()) {
                Some(account) => out::line(format!("account: {account}"))?,
                None => out::line(
                    "account: unknown (not recorded at sign-in; `gapi oauth2 v2 userinfo get` shows it with the email scope)",
                )?,
            }
            out::line(format!("client: {}", user.client_id))?;
            out::line(format!("scopes: {}", user.scopes.join(" ")))?;
            let expiry = user
                .expiry
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| gapi_auth::rfc3339::format(d.as_secs() as i64, 0, false));
            out::line(format!(
                "access token: {}",
                match (&user.token, expiry) {
                    (Some(_), Some(expiry)) => format!("until {expiry} (refreshed when needed)"),
                    _ => "none yet (refreshed on the next call)".to_string(),
                }
            ))
        }
        AuthCommand::Logout => {
            let Some(user) = load(&store)? else {
                return out::line("not signed in; nothing to do");
            };
            let revoke = revoke_url(&user.token_uri);
            let revoked = reqwest::Client::new()
                .post(&revoke)
                .form(&[("token", user.refresh_token.secret())])
                .send()
                .await
                .and_then(reqwest::Response::error_for_status);
            store
                .delete()
                .map_err(|e| CliError::Io(format!("{}: {e}", file.display())))?;
            match revoked {
                Ok(_) => out::line(format!("signed out: revoked and removed {}", file.display())),
                Err(e) => Err(CliError::Auth(format!(
                    "removed {}, but revoking at {revoke} failed ({e}); the sign-in may stay valid until it expires or is removed at https://myaccount.google.com/permissions",
                    file.display()
                ))),
            }
        }
    }
}

/// Google's revocation endpoint beside its token endpoint
/// (`https://oauth2.googleapis.com/token` → `…/revoke`).
fn revoke_url(token_uri: &str) -> String {
    match token_uri.strip_suffix("/token") {
        Some(base) => format!("{base}/revoke"),
        None => "https://oauth2.googleapis.com/revoke".to_string(),
    }
}

fn load(store: &FileTokenStore) -> Result<Option<gapi_auth::StoredUser>, CliError> {
    store
        .load()
        .map_err(|e| CliError::Auth(format!("{}: {e}", store.path().display())))
}
