//! `gapi auth login | status | logout | list | default`: signed-in users
//! cached in the platform's config directory, one per **profile**, in
//! google-auth's `token.json` format, and the credentials a call uses.
//!
//! The profile `default` lives in `token.json` (where a single sign-in
//! always lived); another profile `NAME` in `profiles/NAME/token.json`. A
//! command uses `--profile`, else `GAPI_PROFILE`, else the profile `gapi
//! auth default NAME` chose, else `default`.

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
    /// Every signed-in profile (`*` marks the one commands use).
    List,
    /// Makes PROFILE the one commands use when no --profile or GAPI_PROFILE says otherwise.
    Default {
        /// A signed-in profile.
        profile: String,
    },
}

/// The profile a command uses, and whether it was asked for by name.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Its name.
    pub name: String,
    /// Named by `--profile`, `GAPI_PROFILE` or `gapi auth default`: then
    /// it must be signed in (a call does not fall through to other
    /// credentials).
    pub named: bool,
}

/// `$GAPI_CONFIG_DIR`, else `gapi/` under the platform's config directory
/// (`~/.config/gapi` on Linux).
///
/// # Errors
/// A platform without a config directory and no `GAPI_CONFIG_DIR`.
pub fn config_dir() -> Result<PathBuf, CliError> {
    std::env::var_os("GAPI_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("gapi")))
        .ok_or_else(|| {
            CliError::Auth("no config directory on this platform; set GAPI_CONFIG_DIR".into())
        })
}

/// A profile name: letters, digits, `-` and `_`, up to 64.
fn check_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "--profile {name:?}: a profile name is letters, digits, `-` and `_` (at most 64)"
        )))
    }
}

/// The profile to use: `flag` (`--profile`, or `GAPI_PROFILE` through
/// clap), else the chosen default, else `default`.
///
/// # Errors
/// An invalid name; an unreadable default-profile file.
pub fn active_profile(flag: Option<&str>) -> Result<Profile, CliError> {
    let (name, named) = match flag.filter(|f| !f.is_empty()) {
        Some(name) => (name.to_string(), true),
        None => match std::fs::read_to_string(config_dir()?.join("default-profile")) {
            Ok(text) if !text.trim().is_empty() => (text.trim().to_string(), true),
            _ => ("default".to_string(), false),
        },
    };
    check_name(&name)?;
    Ok(Profile { name, named })
}

/// Where `profile`'s sign-in is cached.
///
/// # Errors
/// As [`config_dir`].
pub fn token_file_of(profile: &str) -> Result<PathBuf, CliError> {
    let dir = config_dir()?;
    Ok(if profile == "default" {
        dir.join("token.json")
    } else {
        dir.join("profiles").join(profile).join("token.json")
    })
}

/// Every profile with a cached sign-in, `default` first.
fn signed_in_profiles() -> Result<Vec<String>, CliError> {
    let mut names = Vec::new();
    if token_file_of("default")?.exists() {
        names.push("default".to_string());
    }
    let mut others: Vec<String> = std::fs::read_dir(config_dir()?.join("profiles"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("token.json").exists())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    others.sort();
    names.extend(others);
    Ok(names)
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

/// `login --api API:VERSION` turned into the scopes it stands for (the
/// document loaded, or fetched, before anything async runs).
///
/// # Errors
/// A malformed `--api`, or a document that cannot be had.
pub fn with_api_scopes(command: AuthCommand, lookup: &Lookup) -> Result<AuthCommand, CliError> {
    match command {
        AuthCommand::Login {
            client_secrets,
            mut scopes,
            api: Some(api),
            no_browser,
        } => {
            scopes.extend(api_scopes(&api, lookup)?);
            Ok(AuthCommand::Login {
                client_secrets,
                scopes,
                api: None,
                no_browser,
            })
        }
        other => Ok(other),
    }
}

/// Runs a `gapi auth` subcommand.
///
/// # Errors
/// A failed sign-in, an unreadable cache, a failed revocation.
pub async fn run(command: AuthCommand, profile: Option<&str>) -> Result<(), CliError> {
    let profile = active_profile(profile)?;
    let file = token_file_of(&profile.name)?;
    let store = FileTokenStore::new(&file);
    let login_hint = if profile.name == "default" {
        "gapi auth login".to_string()
    } else {
        format!("gapi auth login --profile {}", profile.name)
    };
    match command {
        AuthCommand::List => {
            let current = profile.name.clone();
            let names = signed_in_profiles()?;
            if names.is_empty() {
                return out::line("no profile is signed in; run `gapi auth login`");
            }
            for name in names {
                let store = FileTokenStore::new(token_file_of(&name)?);
                let user = load(&store)?;
                let account = user
                    .as_ref()
                    .and_then(|u| u.account.clone())
                    .filter(|a| !a.is_empty())
                    .unwrap_or_else(|| "account unknown".into());
                let scopes = user.as_ref().map_or(0, |u| u.scopes.len());
                out::line(format!(
                    "{} {name}\t{account}\t{scopes} scope(s)\t{}",
                    if name == current { "*" } else { " " },
                    store.path().display()
                ))?;
            }
            Ok(())
        }
        AuthCommand::Default { profile: name } => {
            check_name(&name)?;
            if !token_file_of(&name)?.exists() {
                return Err(CliError::Auth(format!(
                    "profile `{name}` is not signed in; run `gapi auth login --profile {name}` first"
                )));
            }
            let dir = config_dir()?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| CliError::Io(format!("{}: {e}", dir.display())))?;
            let file = dir.join("default-profile");
            std::fs::write(&file, format!("{name}\n"))
                .map_err(|e| CliError::Io(format!("{}: {e}", file.display())))?;
            out::line(format!("commands now use profile `{name}`"))
        }
        AuthCommand::Login {
            client_secrets,
            scopes,
            no_browser,
            ..
        } => {
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
                "signed in as profile `{}`; {} scope(s) cached in {}",
                profile.name,
                user.scopes().len(),
                file.display()
            ))
        }
        AuthCommand::Status => {
            let Some(user) = load(&store)? else {
                return Err(CliError::Auth(format!(
                    "profile `{}` is not signed in (no {}); run `{login_hint}`",
                    profile.name,
                    file.display()
                )));
            };
            out::line(format!("profile: {}", profile.name))?;
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
