//! An API's discovery document at run time: from a cache directory (the
//! pinned set `gapi-codegen sync` or `gapi apis sync` stores, or an earlier
//! live fetch), or fetched live from Google's Discovery Service and cached.

use std::path::{Path, PathBuf};

use gapi_discovery::fetch::{fetch, FetchOptions};
use gapi_discovery::{parse_file, pinned, RestDescription, Strictness};

use crate::error::CliError;

/// Where documents are looked for, in order: `$GAPI_DISCOVERY_DIR`, the
/// cache of the gapi repository the current directory is in, the per-user
/// cache. Live fetches are stored in the first.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    dirs.extend(pinned::env_dir());
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(pinned::workspace_cache_dir(&cwd));
    }
    dirs.extend(pinned::user_cache_dir());
    dirs.dedup();
    dirs
}

/// How a document is found.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Cache directories, first match wins.
    pub dirs: Vec<PathBuf>,
    /// Discovery Service URL template (`{api}`, `{version}`), for tests.
    pub discovery_url: Option<String>,
}

impl Lookup {
    /// The default search, fetching what is missing.
    pub fn new() -> Self {
        Lookup {
            dirs: search_dirs(),
            discovery_url: std::env::var("GAPI_DISCOVERY_URL").ok(),
        }
    }

    /// The cached file for `api` `version`, if any directory has it.
    pub fn cached(&self, api: &str, version: &str) -> Option<PathBuf> {
        let name = format!("{api}.{version}.json");
        self.dirs
            .iter()
            .map(|dir| dir.join(&name))
            .find(|file| file.is_file())
    }

    /// Loads `api` `version`, fetching it when it is in no cache.
    ///
    /// # Errors
    /// A document that does not parse (named), or one that is nowhere,
    /// with the versions of `api` that are.
    pub fn load(&self, api: &str, version: &str) -> Result<RestDescription, CliError> {
        let file = match self.cached(api, version) {
            Some(file) => file,
            None => {
                // A name close to one already here is a typo, not a new
                // API: say so rather than ask the Discovery Service.
                if let Some(near) = self.near_miss(api) {
                    return Err(CliError::Usage(format!(
                        "no API `{api}` here; did you mean `{near}`? (`gapi apis list` shows the {} documents cached; `gapi apis fetch {api} {version}` if it is new)",
                        self.entries().len()
                    )));
                }
                self.fetch(api, version)?
            }
        };
        parse_file(&file, Strictness::Lenient)
            .map(|parsed| parsed.doc)
            .map_err(|e| CliError::Document(e.to_string()))
    }

    /// Fetches `api` `version` live into the first cache directory.
    ///
    /// # Errors
    /// No cache directory, or a failed fetch (with the cached versions).
    pub fn fetch(&self, api: &str, version: &str) -> Result<PathBuf, CliError> {
        let dir = self
            .dirs
            .first()
            .cloned()
            .ok_or_else(|| self.missing(api, version))?;
        let mut options = FetchOptions::default();
        if let Some(url) = &self.discovery_url {
            options.discovery_url.clone_from(url);
        }
        fetch(&dir, api, version, &options)
            .map(|fetched| fetched.path)
            .map_err(|e| {
                let known = self.versions_of(api);
                let hint = if known.is_empty() {
                    String::new()
                } else {
                    format!(" (cached versions of {api}: {})", known.join(", "))
                };
                CliError::Document(format!("{api} {version}: {e}{hint}"))
            })
    }

    fn missing(&self, api: &str, version: &str) -> CliError {
        let known = self.versions_of(api);
        CliError::Document(if known.is_empty() {
            format!(
                "no discovery document for {api} {version} in {}; run `gapi apis sync` (the pinned set) or check the name with `gapi apis list`",
                self.dirs_text()
            )
        } else {
            format!(
                "{api} has no version {version} here; known: {}",
                known.join(", ")
            )
        })
    }

    fn dirs_text(&self) -> String {
        self.dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// For an API no cache holds: the cached API whose name is nearest, when
    /// it is near enough to be what was meant.
    pub fn near_miss(&self, api: &str) -> Option<String> {
        let entries = self.entries();
        if entries.iter().any(|(name, _, _)| name == api) {
            return None;
        }
        let mut names: Vec<&str> = entries.iter().map(|(name, _, _)| name.as_str()).collect();
        names.dedup();
        crate::names::closest(api, names.into_iter()).map(str::to_string)
    }

    /// The versions of `api` that some cache holds, sorted.
    pub fn versions_of(&self, api: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .entries()
            .into_iter()
            .filter(|(name, _, _)| name == api)
            .map(|(_, version, _)| version)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// `(api, version, file)` of every cached document, first directory
    /// first; a document in two directories is listed once.
    pub fn entries(&self) -> Vec<(String, String, PathBuf)> {
        let mut out: Vec<(String, String, PathBuf)> = Vec::new();
        for dir in &self.dirs {
            let Ok(files) = pinned::list_documents(dir) else {
                continue;
            };
            for file in files {
                let Some((api, version)) = split_stem(&file) else {
                    continue;
                };
                if !out.iter().any(|(a, v, _)| *a == api && *v == version) {
                    out.push((api, version, file));
                }
            }
        }
        out.sort();
        out
    }
}

impl Default for Lookup {
    fn default() -> Self {
        Lookup::new()
    }
}

/// `drive.v3.json` → `("drive", "v3")`; `admin.directory_v1.json` →
/// `("admin", "directory_v1")`.
fn split_stem(file: &Path) -> Option<(String, String)> {
    let stem = file.file_stem()?.to_str()?;
    let (api, version) = stem.split_once('.')?;
    Some((api.to_string(), version.to_string()))
}
