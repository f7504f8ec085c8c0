//! The pinned document set: what it contains (the manifest, names and hashes
//! only) and where its cached copy lives. Documents themselves are never part
//! of this repository; `gapi-codegen sync` fetches them into the cache.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::load::{parse_file, ParseError, Parsed, Strictness};

/// Environment variable that overrides the cache location everywhere.
pub const DIR_ENV: &str = "GAPI_DISCOVERY_DIR";

/// The command that fills the cache, quoted in errors. It works anywhere
/// `gapi-codegen` is installed (`cargo install --git … gapi-codegen`); inside
/// the gapi repository `cargo run -p gapi-codegen -- sync` does the same.
pub const SYNC_COMMAND: &str = "gapi-codegen sync";

/// The pinned set: source packages and the files taken from them.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// PyPI packages the documents come from.
    pub sources: Vec<Source>,
    /// Every document of the set.
    pub files: Vec<PinnedFile>,
}

/// A wheel on PyPI.
#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    /// PyPI package name.
    pub package: String,
    /// Exact version.
    pub version: String,
    /// The wheel's file name.
    pub wheel: String,
    /// sha256 of the wheel.
    pub sha256: String,
}

/// One document of the set.
#[derive(Debug, Clone, Deserialize)]
pub struct PinnedFile {
    /// File name in the cache (`drive.v3.json`).
    pub name: String,
    /// The package it comes from.
    pub package: String,
    /// Path inside the wheel.
    pub member: String,
    /// sha256 of the file.
    pub sha256: String,
}

impl Manifest {
    /// The manifest compiled into this crate.
    pub fn pinned() -> Manifest {
        // The manifest is part of this crate and checked by its tests, so a
        // parse failure here is a build defect, not user input.
        #[allow(clippy::expect_used)]
        serde_json::from_str(include_str!("../manifest.json"))
            .expect("discovery/manifest.json is valid")
    }

    /// An older google-api-python-client's documents: earlier revisions of
    /// the current set's APIs, for comparing revisions (`gapi-codegen sync
    /// --previous`, `gapi-codegen diff`).
    pub fn previous() -> Manifest {
        // As above: part of this crate, checked by its tests.
        #[allow(clippy::expect_used)]
        serde_json::from_str(include_str!("../manifest-previous.json"))
            .expect("discovery/manifest-previous.json is valid")
    }

    /// The source a file comes from.
    pub fn source(&self, package: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.package == package)
    }
}

/// Where `sync`, `fetch` and `list` read and write by default, first match:
/// 1. `$GAPI_DISCOVERY_DIR`;
/// 2. `discovery/cache` of the gapi repository the current directory is in
///    (so the repository's own builds and tests stay self-contained);
/// 3. the per-user cache, [`user_cache_dir`].
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = env_dir() {
        return dir;
    }
    if let Some(dir) = std::env::current_dir()
        .ok()
        .and_then(|cwd| workspace_cache_dir(&cwd))
    {
        return dir;
    }
    user_cache_dir().unwrap_or_else(|| PathBuf::from(".gapi-discovery"))
}

/// `$GAPI_DISCOVERY_DIR`, when set and not empty.
pub fn env_dir() -> Option<PathBuf> {
    std::env::var_os(DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// The per-user cache: `gapi/discovery` under the platform's cache directory
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
/// `%LOCALAPPDATA%` on Windows). `None` when the platform has no home.
pub fn user_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("gapi").join("discovery"))
}

/// `discovery/cache` of the gapi repository that contains `start`, found by
/// walking up to the directory that holds `discovery/manifest.json`.
pub fn workspace_cache_dir(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("discovery").join("manifest.json").is_file())
        .map(|root| root.join("discovery").join("cache"))
}

/// Where a generated crate's build script looks for its document, in order:
/// the crate's own copy (a published package carries it), `$GAPI_DISCOVERY_DIR`,
/// the gapi repository's cache (a workspace or git checkout), the per-user
/// cache that `gapi-codegen sync` fills.
pub fn search_dirs(crate_dir: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![crate_dir.to_path_buf()];
    dirs.extend(env_dir());
    dirs.extend(workspace_cache_dir(crate_dir));
    dirs.extend(user_cache_dir());
    dirs.dedup();
    dirs
}

/// Hex sha256 of bytes: how the manifest, `sync` and generated crates'
/// build scripts pin documents and wheels.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut s = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Why a cached document could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The document is not in the cache.
    #[error("discovery document {file} is missing; run `{SYNC_COMMAND}` (pinned set) or `gapi-codegen fetch {api} {version}` (live), or set {DIR_ENV}")]
    Missing {
        /// Expected path.
        file: PathBuf,
        /// API name.
        api: String,
        /// API version.
        version: String,
    },
    /// It is there but does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Loads `{api}.{version}.json` from `dir`.
///
/// # Errors
/// [`CacheError::Missing`] names the command that fetches the document.
pub fn load_cached(dir: &Path, api: &str, version: &str) -> Result<Parsed, CacheError> {
    let file = dir.join(format!("{api}.{version}.json"));
    if !file.is_file() {
        return Err(CacheError::Missing {
            file,
            api: api.to_string(),
            version: version.to_string(),
        });
    }
    Ok(parse_file(&file, Strictness::Lenient)?)
}

/// The `*.json` documents in `dir`, sorted by name.
///
/// # Errors
/// When the directory cannot be read.
pub fn list_documents(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}
