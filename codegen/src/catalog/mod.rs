//! Whole-catalog runs: every document of a directory, in parallel.

pub mod check;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gapi_discovery::{parse_slice, Strictness};

use crate::scaffold::GapiDeps;
use crate::Layout;

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
}

/// Generates every document of `dir`, checking that each output parses as
/// Rust and that each resource feature compiles alone ([`crate::features`]);
/// with `out`, writes each as a standalone crate there.
///
/// # Errors
/// Only when the directory cannot be listed.
pub fn generate_all(dir: &Path, out: Option<&Path>) -> std::io::Result<GenerateReport> {
    let started = std::time::Instant::now();
    let files: Vec<PathBuf> = gapi_discovery::pinned::list_documents(dir)?;
    let report = Mutex::new(GenerateReport {
        total: files.len(),
        ..GenerateReport::default()
    });
    let done = AtomicUsize::new(0);
    par_for_each(&files, |file| {
        let outcome = (|| -> Result<(usize, usize), String> {
            let parsed =
                gapi_discovery::parse_file(file, Strictness::Lenient).map_err(|e| e.to_string())?;
            let (api, output) = crate::generate_checked(&parsed.doc)?;
            let lines = output.files.iter().map(|(_, s)| s.lines().count()).sum();
            if let Some(out) = out {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                write_output(&api, &output, &out.join(stem), &GapiDeps::default(), false)?;
            }
            Ok((output.warnings.len(), lines))
        })();
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(100) {
            eprintln!("  {n}/{} documents", files.len());
        }
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok((warnings, lines)) => {
                r.generated += 1;
                r.warnings += warnings;
                r.lines += lines;
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
pub fn diff_all(old: &Path, new: &Path) -> Result<Vec<(String, crate::diff::Diff)>, String> {
    let files = gapi_discovery::pinned::list_documents(old)
        .map_err(|e| format!("{}: {e}", old.display()))?;
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
                .map_err(|e| e.to_string())
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

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_output(
    api: &crate::ir::Api,
    output: &crate::Output,
    dir: &Path,
    deps: &GapiDeps,
    deny_warnings: bool,
) -> Result<usize, String> {
    write(
        &dir.join("Cargo.toml"),
        &crate::scaffold::standalone_cargo_toml(api, &output.features, deps),
    )?;
    for (name, source) in &output.files {
        let mut source = source.clone();
        if name == "lib.rs" {
            let docs = crate::docs::inner_doc_comment(&output.readme);
            let deny = if deny_warnings {
                "#![deny(warnings)]\n"
            } else {
                ""
            };
            // The `@generated` header stays the first line; the crate docs follow.
            let (header, body) = source.split_once("\n\n").unwrap_or(("", &source));
            source = format!("{header}\n\n{docs}{deny}\n{body}");
        }
        write(&dir.join("src").join(name), &source)?;
    }
    Ok(output.files.len() + 1)
}

/// Writes a standalone crate for `doc` into `dir` (plain, formatted source
/// files), taking gapi-runtime from `deps`.
///
/// # Errors
/// A message naming the file that could not be written.
pub fn write_standalone(
    doc: &gapi_discovery::RestDescription,
    dir: &Path,
    deps: &GapiDeps,
    deny_warnings: bool,
) -> Result<usize, String> {
    let api = crate::Generator::new(doc)
        .with_resource_features(true)
        .lower();
    let output = crate::Generator::generate_from(&api, Layout::Files).map_err(|e| e.to_string())?;
    write_output(&api, &output, dir, deps, deny_warnings)
}

/// What [`new_crate`] wrote.
#[derive(Debug, Clone)]
pub struct NewCrate {
    /// The crate's directory.
    pub dir: PathBuf,
    /// Its package name.
    pub name: String,
    /// Notes about the document, for the person who ran the command.
    pub warnings: Vec<String>,
}

/// Writes a crate that generates its client at build time from `document`
/// (pinned by sha256 in its `build.rs`) into `crate_dir`. With
/// [`GapiDeps::Workspace`] it is a member of the gapi repository; otherwise
/// it takes gapi from `deps` and carries its own copy of the document, so it
/// builds wherever it lands.
///
/// # Errors
/// When the crate exists (without `force`), or a file cannot be read or written.
pub fn new_crate(
    document: &Path,
    doc: &gapi_discovery::RestDescription,
    crate_dir: &Path,
    deps: &GapiDeps,
    force: bool,
) -> Result<NewCrate, String> {
    if crate_dir.join("Cargo.toml").exists() && !force {
        return Err(format!(
            "{} exists; pass --force to refresh its scaffolding",
            crate_dir.display()
        ));
    }
    let bytes = std::fs::read(document).map_err(|e| format!("{}: {e}", document.display()))?;
    let sha256 = gapi_discovery::pinned::sha256_hex(&bytes);
    let api = crate::Generator::new(doc)
        .with_resource_features(true)
        .lower();
    let features: Vec<String> = api
        .resources
        .iter()
        .filter_map(|r| r.feature.clone())
        .collect();
    write(
        &crate_dir.join("Cargo.toml"),
        &crate::scaffold::build_time_cargo_toml(&api, &features, deps),
    )?;
    write(
        &crate_dir.join("build.rs"),
        &crate::scaffold::build_rs(&doc.name, &doc.version, &sha256),
    )?;
    let lib = crate_dir.join("src").join("lib.rs");
    if !lib.exists() {
        write(&lib, &crate::scaffold::lib_rs())?;
    }
    if *deps != GapiDeps::Workspace {
        let copy = crate_dir.join(crate::scaffold::document_file(&doc.name, &doc.version));
        std::fs::write(&copy, &bytes).map_err(|e| format!("{}: {e}", copy.display()))?;
    }
    Ok(NewCrate {
        dir: crate_dir.to_path_buf(),
        name: crate::scaffold::crate_name(&doc.name, &doc.version),
        warnings: api.warnings,
    })
}
