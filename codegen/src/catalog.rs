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
    /// Their long-running operations.
    pub operations: OperationCounts,
}

/// How many methods of the catalog start a long-running operation that
/// gapi polls (`.poll()`), by how the operation is found again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OperationCounts {
    /// APIs with at least one such method.
    pub apis: usize,
    /// Methods, by [`crate::ir::Polling::addressing`].
    pub by_addressing: std::collections::BTreeMap<&'static str, usize>,
    /// Of those, methods whose operation is polled through `operations.wait`.
    pub waited: usize,
    /// Of those, methods whose operation can be cancelled.
    pub cancellable: usize,
}

impl OperationCounts {
    /// The counts of one API.
    pub fn of(api: &crate::ir::Api) -> OperationCounts {
        fn walk<'a>(r: &'a crate::ir::Resource, out: &mut Vec<&'a crate::ir::Method>) {
            out.extend(&r.methods);
            for child in &r.resources {
                walk(child, out);
            }
        }
        let mut methods: Vec<&crate::ir::Method> = api.methods.iter().collect();
        for module in &api.resources {
            walk(&module.resource, &mut methods);
        }
        let mut counts = OperationCounts::default();
        for name in methods.iter().filter_map(|m| m.polling.as_ref()) {
            let Some(polling) = api.pollings.iter().find(|p| &p.static_name == name) else {
                continue;
            };
            *counts
                .by_addressing
                .entry(polling.addressing())
                .or_default() += 1;
            let first = polling.methods.first();
            counts.waited += usize::from(first.is_some_and(|m| m.wait.is_some()));
            counts.cancellable += usize::from(first.is_some_and(|m| m.cancel.is_some()));
        }
        counts.apis = usize::from(!counts.by_addressing.is_empty());
        counts
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: OperationCounts) {
        self.apis += other.apis;
        for (addressing, n) in other.by_addressing {
            *self.by_addressing.entry(addressing).or_default() += n;
        }
        self.waited += other.waited;
        self.cancellable += other.cancellable;
    }
}

impl std::fmt::Display for OperationCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: usize = self.by_addressing.values().sum();
        let styles: Vec<String> = self
            .by_addressing
            .iter()
            .map(|(addressing, n)| format!("{n} by {addressing}"))
            .collect();
        write!(
            f,
            "operations: {total} methods in {} APIs have .poll() ({}); {} wait through operations.wait, {} can be cancelled",
            self.apis,
            styles.join(", "),
            self.waited,
            self.cancellable
        )
    }
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
        type Counted = (usize, usize, crate::docs::RawProse, OperationCounts);
        let outcome = (|| -> Result<Counted, String> {
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
                OperationCounts::of(&api),
            ))
        })();
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(n, files.len());
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok((warnings, lines, prose, operations)) => {
                r.generated += 1;
                r.warnings += warnings;
                r.lines += lines;
                r.prose.merge(prose);
                r.operations.merge(operations);
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
