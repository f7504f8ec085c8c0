//! `fetch`: a live document from Google's Discovery Service into the cache.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::load::{parse_slice, Strictness};
use crate::sync::write_atomically;

/// The Discovery Service directory URL template.
pub const DEFAULT_DISCOVERY_URL: &str =
    "https://www.googleapis.com/discovery/v1/apis/{api}/{version}/rest";
/// Where newer APIs publish their document when the directory has none.
pub const DEFAULT_FALLBACK_URL: &str =
    "https://{api}.googleapis.com/$discovery/rest?version={version}";

/// Where and how to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// URL template with `{api}` and `{version}`.
    pub discovery_url: String,
    /// Template tried when the first answers 404.
    pub fallback_url: String,
    /// Replace a cached document even when it has a newer revision.
    pub force: bool,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            discovery_url: DEFAULT_DISCOVERY_URL.to_string(),
            fallback_url: DEFAULT_FALLBACK_URL.to_string(),
            force: false,
            timeout: Duration::from_secs(60),
        }
    }
}

/// What a fetch stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The cache file written.
    pub path: PathBuf,
    /// The URL that answered.
    pub url: String,
    /// The document's revision.
    pub revision: String,
    /// The revision it replaced, if any.
    pub replaced: Option<String>,
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Transport failure or a non-success status.
    #[error("GET {url}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The body is not a discovery document.
    #[error(transparent)]
    Parse(#[from] crate::load::ParseError),
    /// The cache holds a newer revision.
    #[error("{path} has revision {cached}, newer than the fetched {fetched}; pass --force to replace it")]
    Older {
        /// The cache file.
        path: PathBuf,
        /// Its revision.
        cached: String,
        /// The fetched revision.
        fetched: String,
    },
    /// Writing the cache failed.
    #[error(transparent)]
    Write(#[from] crate::sync::SyncError),
}

fn expand(template: &str, api: &str, version: &str) -> String {
    template.replace("{api}", api).replace("{version}", version)
}

/// Fetches `api` `version` into `dir` as `{api}.{version}.json`.
///
/// # Errors
/// [`FetchError`] names the URL or file; an older revision than the cached
/// one is refused unless `options.force`.
pub fn fetch(
    dir: &Path,
    api: &str,
    version: &str,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    let client = crate::http::client(options.timeout).map_err(|message| FetchError::Http {
        url: String::new(),
        message,
    })?;
    let primary = expand(&options.discovery_url, api, version);
    let (url, body) = match get(&client, &primary)? {
        Some(body) => (primary, body),
        None => {
            let fallback = expand(&options.fallback_url, api, version);
            match get(&client, &fallback)? {
                Some(body) => (fallback, body),
                None => {
                    return Err(FetchError::Http {
                        url: fallback,
                        message: format!(
                            "404 Not Found (and 404 from {primary}): no such API/version"
                        ),
                    })
                }
            }
        }
    };
    let fetched = parse_slice(&url, &body, Strictness::Lenient)?.doc;
    let revision = fetched.revision.clone().unwrap_or_default();
    let path = dir.join(format!("{api}.{version}.json"));
    let cached = std::fs::read(&path)
        .ok()
        .and_then(|bytes| {
            parse_slice(&path.display().to_string(), &bytes, Strictness::Lenient).ok()
        })
        .and_then(|p| p.doc.revision);
    if let Some(cached) = &cached {
        if cached.as_str() > revision.as_str() && !options.force {
            return Err(FetchError::Older {
                path,
                cached: cached.clone(),
                fetched: revision,
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| crate::sync::SyncError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write_atomically(&path, &body)?;
    Ok(Fetched {
        path,
        url,
        revision,
        replaced: cached,
    })
}

/// `Some(body)` on success, `None` on 404, an error otherwise.
fn get(client: &reqwest::blocking::Client, url: &str) -> Result<Option<Vec<u8>>, FetchError> {
    crate::http::get_bytes(client, url).map_err(|message| FetchError::Http {
        url: url.to_string(),
        message,
    })
}
