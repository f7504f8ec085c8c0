//! Whole-catalog runs: every document of a directory, in parallel (the
//! compile driver, which runs cargo, is in the `gapi-codegen` binary).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gapi_discovery::{parse_slice, Strictness};

use crate::selection::par_for_each;
use crate::Error;

/// The outcome of parsing a directory of documents.
#[derive(Debug, Default)]
pub struct ParseReport {
    /// Documents found.
    pub total: usize,
    /// Documents that parsed.
    pub parsed: usize,
    /// Bytes of JSON read.
    pub bytes: u64,
    /// One message per failed document, sorted.
    pub failures: Vec<String>,
}

/// Parses every `*.json` document in `dir`.
///
/// # Errors
/// Only when the directory cannot be listed; per-document failures are in
/// the report.
pub fn parse_all(dir: &Path, strictness: Strictness) -> std::io::Result<ParseReport> {
    let files: Vec<PathBuf> = gapi_discovery::pinned::list_documents(dir)?;
    let report = Mutex::new(ParseReport {
        total: files.len(),
        ..ParseReport::default()
    });
    par_for_each(&files, |file| {
        let outcome = std::fs::read(file)
            .map_err(|e| format!("{}: {e}", file.display()))
            .and_then(|bytes| {
                let name = file.display().to_string();
                parse_slice(&name, &bytes, strictness)
                    .map(|_| bytes.len())
                    .map_err(|e| e.to_string())
            });
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(len) => {
                r.parsed += 1;
                r.bytes += len as u64;
            }
            Err(message) => r.failures.push(message),
        }
    });
    let mut report = report.into_inner().unwrap_or_else(|e| e.into_inner());
    report.failures.sort();
    Ok(report)
}

/// The outcome of generating a directory of documents.
#[derive(Debug, Default)]
pub struct GenerateReport {
    /// Documents found.
    pub total: usize,
    /// Documents generated (and parsed back as Rust).
    pub generated: usize,
    /// Warnings in all.
    pub warnings: usize,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Wall time.
    pub seconds: f64,
    /// One message per failed document, sorted.
    pub failures: Vec<String>,
    /// What stays raw in the descriptions of all of them.
    pub prose: crate::docs::RawProse,
}

/// Generates every document of `dir`, checking that each output parses as
/// Rust and that each resource feature compiles alone ([`crate::features`]);
/// with `out`, writes each as a standalone crate there.
///
/// # Errors
/// Only when the directory cannot be listed.
pub fn generate_all(
    dir: &Path,
    out: Option<&Path>,
    progress: impl Fn(usize, usize) + Sync,
) -> std::io::Result<GenerateReport> {
    let started = std::time::Instant::now();
    let files: Vec<PathBuf> = gapi_discovery::pinned::list_documents(dir)?;
    let report = Mutex::new(GenerateReport {
        total: files.len(),
        ..GenerateReport::default()
    });
    let done = AtomicUsize::new(0);
    par_for_each(&files, |file| {
        let outcome = (|| -> Result<(usize, usize, crate::docs::RawProse), String> {
            let parsed =
                gapi_discovery::parse_file(file, Strictness::Lenient).map_err(|e| e.to_string())?;
            let (api, output) = crate::generate_checked(&parsed.doc).map_err(|e| e.to_string())?;
            let lines = output.files.iter().map(|(_, s)| s.lines().count()).sum();
            if let Some(out) = out {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                crate::write::write_output(
                    &api,
                    &output,
                    &out.join(stem),
                    &crate::scaffold::GapiDeps::default(),
                    false,
                )
                .map_err(|e| e.to_string())?;
            }
            Ok((
                output.warnings.len(),
                lines,
                crate::docs::RawProse::of(&api),
            ))
        })();
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(n, files.len());
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok((warnings, lines, prose)) => {
                r.generated += 1;
                r.warnings += warnings;
                r.lines += lines;
                r.prose.merge(prose);
            }
            Err(message) => r.failures.push(format!("{}: {message}", file.display())),
        }
    });
    let mut report = report.into_inner().unwrap_or_else(|e| e.into_inner());
    report.failures.sort();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Diffs every document of `old` against the document of the same file
/// name in `new` (documents in only one of them are skipped), sorted by
/// file name.
///
/// # Errors
/// When a directory cannot be listed, or a document does not parse (naming it).
pub fn diff_all(old: &Path, new: &Path) -> Result<Vec<(String, crate::diff::Diff)>, Error> {
    let files = gapi_discovery::pinned::list_documents(old).map_err(|e| Error::io(old, e))?;
    let pairs: Vec<(String, PathBuf, PathBuf)> = files
        .into_iter()
        .filter_map(|f| {
            let name = f.file_name()?.to_string_lossy().into_owned();
            let other = new.join(&name);
            other.is_file().then_some((name, f, other))
        })
        .collect();
    let results = Mutex::new(Vec::new());
    par_for_each(&pairs, |(name, a, b)| {
        let load = |path: &Path| {
            gapi_discovery::parse_file(path, Strictness::Lenient)
                .map(|p| p.doc)
                .map_err(|e| Error::document(path, e))
        };
        let outcome = load(a)
            .and_then(|a| Ok((a, load(b)?)))
            .map(|(a, b)| crate::diff::diff(&a, &b));
        results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name.clone(), outcome));
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
        .into_iter()
        .map(|(name, outcome)| outcome.map(|d| (name, d)))
        .collect()
}
