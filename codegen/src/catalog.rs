//! Whole-catalog runs: every document of a directory, in parallel.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gapi_discovery::{parse_slice, Strictness};

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

/// Runs `work` over `items` on all cores, preserving nothing but the results'
/// order of arrival (callers sort what they report).
pub fn par_for_each<T: Sync>(items: &[T], work: impl Fn(&T) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                work(item);
            });
        }
    });
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
