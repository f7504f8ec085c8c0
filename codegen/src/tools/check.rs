//! `catalog check`: compile documents' crates with warnings denied.
//!
//! Each document becomes a standalone crate (`#![deny(warnings)]`) in a
//! throwaway workspace that shares this repository's target directory and
//! profiles, so gapi-runtime and its dependencies are built once. Crates
//! are compiled in batches (one `cargo clippy --keep-going` per batch, so
//! one failure does not stop the others), and every outcome is appended to
//! a JSON-lines report as its batch ends: an interrupted run resumes where
//! it stopped.
//!
//! Per-crate compile time comes from cargo itself running this binary as
//! its `RUSTC_WRAPPER` ([`time_rustc`]): parallel jobs overlap, so the wall
//! time of a batch says nothing about one crate.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use gapi_codegen::scaffold::GapiDeps;
use gapi_codegen::selection::{par_for_each, select, Selection};

/// Set (to a file) in the environment of the cargo runs `check` starts; a
/// `gapi-codegen` started by cargo with it set acts as a timing rustc
/// wrapper instead of a command line.
pub const TIMES_ENV: &str = "GAPI_CODEGEN_RUSTC_TIMES";

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Directory of documents.
    pub dir: PathBuf,
    /// Throwaway workspace (crates and the report go here).
    pub work: PathBuf,
    /// The gapi repository (gapi-runtime, profiles, target directory).
    pub repo: PathBuf,
    /// Parallel compiler jobs.
    pub jobs: usize,
    /// Lines of generated Rust per batch.
    pub batch_lines: usize,
    /// Forget an earlier report and start over.
    pub fresh: bool,
    /// Also compile each top-level resource feature alone, and no
    /// feature at all.
    pub features_alone: bool,
}

/// One compile of one document's crate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    /// File stem (`drive.v3`).
    pub document: String,
    /// `None`: default (all) features; `Some("")`: no feature; else the
    /// one feature enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// sha256 of the crate compiled (a rerun compiles a changed crate again).
    pub source: String,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Seconds the compiler spent on this crate.
    pub seconds: f64,
    /// Compiled with no error and no warning.
    pub passed: bool,
    /// The first error (or denied warning), rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

impl Outcome {
    fn key(&self) -> (String, Option<String>) {
        (self.document.clone(), self.feature.clone())
    }

    /// `drive.v3` or `drive.v3 --features files`.
    #[must_use]
    pub fn label(&self) -> String {
        match self.feature.as_deref() {
            None => self.document.clone(),
            Some("") => format!("{} --no-default-features", self.document),
            Some(f) => format!("{} --features {f}", self.document),
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every outcome in the report, this run's and earlier ones'.
    pub outcomes: Vec<Outcome>,
    /// How many were compiled by this run.
    pub compiled_now: usize,
    /// Wall time of this run.
    pub seconds: f64,
    /// The report file.
    pub report: PathBuf,
}

impl Summary {
    /// The outcomes that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.passed)
    }

    /// A Markdown summary: counts, totals, the slowest crates, failures.
    #[must_use]
    pub fn markdown(&self) -> String {
        let all: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.feature.is_none())
            .collect();
        let passed = all.iter().filter(|o| o.passed).count();
        let lines: usize = all.iter().map(|o| o.lines).sum();
        let seconds: f64 = all.iter().map(|o| o.seconds).sum();
        let mut out = format!(
            "{passed}/{} documents compile with warnings denied (clippy, all features): \
             {lines} lines of Rust, {seconds:.0} s of compiler time in all.\n",
            all.len()
        );
        let alone: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.feature.is_some())
            .collect();
        if !alone.is_empty() {
            out.push_str(&format!(
                "{}/{} single-feature compiles pass.\n",
                alone.iter().filter(|o| o.passed).count(),
                alone.len()
            ));
        }
        let mut slowest = all.clone();
        slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        out.push_str("\n| slowest | lines | seconds |\n|---|---:|---:|\n");
        for o in slowest.iter().take(8) {
            out.push_str(&format!(
                "| {} | {} | {:.1} |\n",
                o.document, o.lines, o.seconds
            ));
        }
        for o in self.failures() {
            out.push_str(&format!(
                "\nFAILED {}: {}\n",
                o.label(),
                o.first_error.as_deref().unwrap_or("(no message)")
            ));
        }
        out
    }
}

/// Why [`check`] could not run (a document that failed is an outcome, not
/// an error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(String);

/// Compiles the selected documents; `progress` sees each outcome as its
/// batch ends. Outcomes already in the report are kept and not compiled
/// again (unless [`Options::fresh`]).
///
/// # Errors
/// An unknown document, an unreadable directory, or cargo not starting.
pub fn check(
    selection: &Selection,
    options: &Options,
    mut progress: impl FnMut(&Outcome),
) -> Result<Summary, CheckError> {
    let started = Instant::now();
    let stems = select(&options.dir, selection).map_err(|e| CheckError(e.to_string()))?;
    let report = options.work.join("report.jsonl");
    if options.fresh {
        let _ = std::fs::remove_file(&report);
    }
    let crates = options.work.join("crates");
    let stem_refs: Vec<&String> = stems.iter().collect();
    let (generated, failed) = generate(&options.dir, &stem_refs, &crates, &options.repo)?;

    // An earlier outcome counts only for the very source it compiled: a
    // generator change makes a new crate, which is compiled again.
    let source: BTreeMap<&str, &str> = generated
        .iter()
        .map(|g| (g.stem.as_str(), g.source.as_str()))
        .collect();
    let mut kept: BTreeMap<(String, Option<String>), Outcome> = BTreeMap::new();
    for o in read_report(&report) {
        if source.get(o.document.as_str()) == Some(&o.source.as_str()) {
            kept.insert(o.key(), o);
        }
    }
    let mut summary = Summary {
        outcomes: kept.values().cloned().collect(),
        report: report.clone(),
        ..Summary::default()
    };
    let mut record = |o: Outcome, summary: &mut Summary| -> Result<(), CheckError> {
        append_report(&report, &o).map_err(CheckError)?;
        progress(&o);
        summary.compiled_now += 1;
        summary.outcomes.push(o);
        Ok(())
    };
    for o in failed {
        record(o, &mut summary)?;
    }
    let pending: Vec<&Generated> = generated
        .iter()
        .filter(|g| !kept.contains_key(&(g.stem.clone(), None)))
        .collect();
    let package = |stem: &str| crate_target_name(&crates.join(member(stem)));
    for batch in batches(&pending, options.batch_lines, package) {
        for o in compile_batch(&batch, None, options)? {
            record(o, &mut summary)?;
        }
    }
    if options.features_alone {
        for g in &generated {
            for feature in features_of(&crates.join(member(&g.stem)))? {
                if kept.contains_key(&(g.stem.clone(), Some(feature.clone()))) {
                    continue;
                }
                for o in compile_batch(&[g], Some(&feature), options)? {
                    record(o, &mut summary)?;
                }
            }
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A document's crate, written to disk.
#[derive(Debug, Clone)]
struct Generated {
    stem: String,
    lines: usize,
    /// sha256 of its manifest and sources.
    source: String,
}

fn member(stem: &str) -> String {
    stem.replace('.', "-")
}

fn read_report(path: &Path) -> Vec<Outcome> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    // A line cut short by an interruption is skipped: that crate is
    // compiled again.
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn append_report(path: &Path, o: &Outcome) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let line = serde_json::to_string(o).map_err(|e| e.to_string())?;
    writeln!(file, "{line}").map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes each document's crate; returns those generated and the outcomes
/// of those that could not be.
fn generate(
    dir: &Path,
    stems: &[&String],
    crates: &Path,
    repo: &Path,
) -> Result<(Vec<Generated>, Vec<Outcome>), CheckError> {
    // The package `gapi-codegen release` would publish, with gapi's
    // crates taken from this checkout and no earlier release.
    let options = gapi_codegen::release::Options {
        dir: dir.to_path_buf(),
        out: crates.to_path_buf(),
        previous: Some(crates.join(".no-previous-release")),
        deps: GapiDeps::Path(repo.to_path_buf()),
        extras: Some(repo.join("generated")),
        repository: None,
    };
    let results = Mutex::new((Vec::new(), Vec::new()));
    par_for_each(stems, |stem| {
        let outcome = gapi_codegen::release::build_document(stem, &options).and_then(|package| {
            let out = crates.join(member(stem));
            let files = package.files.unwrap_or_default();
            gapi_codegen::release::write_package(&out, &files)?;
            Ok(read_crate(&out))
        });
        let mut r = results.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok((lines, source)) => r.0.push(Generated {
                stem: (*stem).clone(),
                lines,
                source,
            }),
            Err(message) => r.1.push(Outcome {
                document: (*stem).clone(),
                feature: None,
                source: String::new(),
                lines: 0,
                seconds: 0.0,
                passed: false,
                first_error: Some(format!("generation failed: {message}")),
            }),
        }
    });
    let (mut generated, failed) = results.into_inner().unwrap_or_else(|e| e.into_inner());
    generated.sort_by(|a: &Generated, b| a.stem.cmp(&b.stem));
    Ok((generated, failed))
}

/// Lines of Rust in a crate, and a hash of everything in it.
fn read_crate(crate_dir: &Path) -> (usize, String) {
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                sources(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut bytes = std::fs::read(crate_dir.join("Cargo.toml")).unwrap_or_default();
    let mut lines = 0;
    let mut files = Vec::new();
    sources(&crate_dir.join("src"), &mut files);
    sources(&crate_dir.join("examples"), &mut files);
    files.sort();
    for file in files {
        let text = std::fs::read(&file).unwrap_or_default();
        lines += text.iter().filter(|&&b| b == b'\n').count();
        bytes.extend_from_slice(file.as_os_str().as_encoded_bytes());
        bytes.extend_from_slice(&text);
    }
    (lines, gapi_discovery::pinned::sha256_hex(&bytes))
}

/// Groups crates so that each batch has about `max_lines` lines (a crate
/// bigger than that is a batch of its own). Two documents of one API
/// (`admin.directory_v1` and `admin.directoryv1`) make crates of one
/// name, which a workspace cannot hold: they go to different batches.
fn batches<'g>(
    crates: &[&'g Generated],
    max_lines: usize,
    package: impl Fn(&str) -> String,
) -> Vec<Vec<&'g Generated>> {
    let mut out: Vec<Vec<&Generated>> = Vec::new();
    let mut lines = 0;
    let mut names = BTreeSet::new();
    for g in crates {
        let name = package(&g.stem);
        match out.last_mut() {
            Some(batch) if lines + g.lines <= max_lines && !names.contains(&name) => {
                batch.push(g);
                lines += g.lines;
            }
            _ => {
                out.push(vec![g]);
                lines = g.lines;
                names.clear();
            }
        }
        names.insert(name);
    }
    out
}

/// The top-level resource features of a generated crate, from its manifest.
fn features_of(crate_dir: &Path) -> Result<Vec<String>, CheckError> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| CheckError(format!("{}: {e}", manifest.display())))?;
    let mut features = vec![String::new()];
    let mut in_features = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim();
                if name != "default" && !name.is_empty() {
                    features.push(name.trim_matches('"').to_string());
                }
            }
        }
    }
    Ok(features)
}

/// Compiles one batch with clippy (`-D warnings`); `feature`: compile the
/// single crate of the batch with that feature alone (`""`: none).
fn compile_batch(
    batch: &[&Generated],
    feature: Option<&str>,
    options: &Options,
) -> Result<Vec<Outcome>, CheckError> {
    let crates = options.work.join("crates");
    write_batch_workspace(batch, options)?;
    // Absolute: the wrapper runs in each crate's directory.
    let times = std::path::absolute(options.work.join("rustc-times.txt"))
        .map_err(|e| CheckError(format!("{}: {e}", options.work.display())))?;
    let _ = std::fs::remove_file(&times);
    let mut child = clippy_command(feature, options, &times)?
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CheckError(format!("could not run cargo: {e}")))?;
    let stderr = child.stderr.take();
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = std::io::Read::read_to_string(&mut s, &mut text);
        }
        text
    });
    // Messages name their package in `package_id`; every package has an
    // example called `quickstart`, so target names do not tell them apart.
    let by_package: BTreeMap<String, &str> = batch
        .iter()
        .map(|g| {
            let name = crate_target_name(&crates.join(member(&g.stem))).replace('_', "-");
            (name, g.stem.as_str())
        })
        .collect();
    let (first_error, built) = match child.stdout.take() {
        Some(stdout) => read_messages(stdout, &by_package),
        None => Default::default(),
    };
    let status = child
        .wait()
        .map_err(|e| CheckError(format!("cargo did not finish: {e}")))?;
    let stderr = stderr_reader.join().unwrap_or_default();
    let seconds = read_times(&times);
    Ok(batch
        .iter()
        .map(|g| {
            let stem = &g.stem;
            let target = crate_target_name(&crates.join(member(stem)));
            let error = first_error.get(stem.as_str()).cloned().or_else(|| {
                (!built.contains(stem.as_str())).then(|| {
                    format!(
                        "no artifact from cargo ({status}): {}",
                        short(stderr.trim())
                    )
                })
            });
            Outcome {
                document: stem.clone(),
                feature: feature.map(str::to_string),
                source: g.source.clone(),
                lines: g.lines,
                seconds: seconds.get(&target).copied().unwrap_or(0.0),
                passed: error.is_none(),
                first_error: error,
            }
        })
        .collect())
}

/// The throwaway workspace of one batch: its members, this checkout's
/// profiles and lock file (the same dependency versions as its own build,
/// so the shared target directory's compiled crates are reused).
fn write_batch_workspace(batch: &[&Generated], options: &Options) -> Result<(), CheckError> {
    let members: Vec<String> = batch
        .iter()
        .map(|g| format!("{:?}", format!("crates/{}", member(&g.stem))))
        .collect();
    let root_toml = std::fs::read_to_string(options.repo.join("Cargo.toml")).map_err(|e| {
        CheckError(format!(
            "{}: {e}",
            options.repo.join("Cargo.toml").display()
        ))
    })?;
    let profiles = root_toml.find("[profile").map_or("", |i| &root_toml[i..]);
    write(
        &options.work.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n{profiles}",
            members.join(", ")
        ),
    )
    .map_err(CheckError)?;
    let lock = options.work.join("Cargo.lock");
    if !lock.exists() {
        let _ = std::fs::copy(options.repo.join("Cargo.lock"), &lock);
    }
    Ok(())
}

/// `cargo clippy` over the batch's workspace with warnings denied, this
/// program as the rustc wrapper that records each crate's compile time in
/// `times`, and `feature` (`Some("")`: none) instead of the defaults.
fn clippy_command(
    feature: Option<&str>,
    options: &Options,
    times: &Path,
) -> Result<Command, CheckError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "clippy",
            "--quiet",
            "--workspace",
            // The library and its example (the README's), not the library's
            // unit-test build, which would compile every crate twice.
            "--lib",
            "--examples",
            "--keep-going",
            "--message-format=json",
        ])
        .arg(format!("--jobs={}", options.jobs.max(1)))
        .arg("--manifest-path")
        .arg(options.work.join("Cargo.toml"));
    match feature {
        None => {}
        Some("") => {
            command.arg("--no-default-features");
        }
        Some(f) => {
            command.args(["--no-default-features", "--features", f]);
        }
    }
    let exe = std::env::current_exe()
        .map_err(|e| CheckError(format!("cannot find this program to time rustc: {e}")))?;
    command
        .args(["--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", options.repo.join("target"))
        // One-off compiles gain nothing from incremental caches.
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTC_WRAPPER", exe)
        .env(TIMES_ENV, times);
    Ok(command)
}

/// From cargo's JSON messages: each document's first error, and which
/// documents' libraries were built.
fn read_messages<'a>(
    stdout: impl std::io::Read,
    by_package: &BTreeMap<String, &'a str>,
) -> (BTreeMap<&'a str, String>, BTreeSet<&'a str>) {
    let mut first_error: BTreeMap<&str, String> = BTreeMap::new();
    let mut built: BTreeSet<&str> = BTreeSet::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let package = package_name(message["package_id"].as_str().unwrap_or(""));
        let Some(&stem) = by_package.get(package) else {
            continue;
        };
        let is_lib = message["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "lib"));
        match message["reason"].as_str() {
            Some("compiler-artifact") if is_lib => {
                built.insert(stem);
            }
            Some("compiler-message")
                if matches!(message["message"]["level"].as_str(), Some("error")) =>
            {
                first_error.entry(stem).or_insert_with(|| {
                    short(message["message"]["rendered"].as_str().unwrap_or(""))
                });
            }
            _ => {}
        }
    }
    (first_error, built)
}

/// The package name in a cargo package id: `path+file:///w/drive-v3#gapi-drive-v3@1.0.0`
/// or, when the directory has the package's name, `path+file:///w/gapi-x#1.0.0`.
fn package_name(id: &str) -> &str {
    let (url, rest) = id.rsplit_once('#').unwrap_or((id, ""));
    match rest.split_once('@') {
        Some((name, _)) => name,
        None => url.rsplit('/').next().unwrap_or(url),
    }
}

/// `gapi_drive_v3`, from the crate's `Cargo.toml` package name.
fn crate_target_name(crate_dir: &Path) -> String {
    std::fs::read_to_string(crate_dir.join("Cargo.toml"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("name = ")
                    .map(|n| n.trim_matches('"').replace('-', "_"))
            })
        })
        .unwrap_or_default()
}

/// The first lines of a compiler message (enough to find the spot).
fn short(rendered: &str) -> String {
    rendered.lines().take(4).collect::<Vec<_>>().join("\n")
}

fn read_times(path: &Path) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        if let Some((name, secs)) = line.split_once(' ') {
            if let Ok(secs) = secs.parse::<f64>() {
                *out.entry(name.to_string()).or_default() += secs;
            }
        }
    }
    out
}

/// Runs `args` (a compiler and its arguments, as cargo passes them to a
/// `RUSTC_WRAPPER`) and appends `crate-name seconds` to `times`. Returns
/// the compiler's exit code.
///
/// # Errors
/// When the compiler cannot be started.
pub fn time_rustc(times: &Path, args: &[std::ffi::OsString]) -> std::io::Result<i32> {
    let Some((program, rest)) = args.split_first() else {
        return Err(std::io::Error::other("no compiler to run"));
    };
    let started = Instant::now();
    let status = Command::new(program).args(rest).status()?;
    let crate_name = rest
        .iter()
        .position(|a| a == "--crate-name")
        .and_then(|i| rest.get(i + 1))
        .map(|n| n.to_string_lossy().into_owned());
    if let Some(name) = crate_name {
        // One short append per compile: lines from parallel jobs do not mix.
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(times)
        {
            let _ = writeln!(file, "{name} {:.3}", started.elapsed().as_secs_f64());
        }
    }
    Ok(status.code().unwrap_or(1))
}

/// Writes `contents` to `path`, creating its directory.
fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_about_the_line_budget() {
        let crates: Vec<Generated> = [
            ("a", 10),
            ("b", 50),
            ("c", 200),
            ("d", 30),
            ("e", 30),
            ("x.y_v1", 1),
            ("x.yv1", 1),
            ("x.y-v1", 1),
        ]
        .iter()
        .map(|(s, n)| Generated {
            stem: (*s).to_string(),
            lines: *n,
            source: String::new(),
        })
        .collect();
        let refs: Vec<&Generated> = crates.iter().collect();
        let made = batches(&refs, 100, |stem| stem.replace(['_', '-'], "."));
        let names: Vec<Vec<&str>> = made
            .iter()
            .map(|b| b.iter().map(|g| g.stem.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["a", "b"],
                vec!["c"],
                vec!["d", "e", "x.y_v1", "x.yv1"],
                vec!["x.y-v1"],
            ]
        );
    }

    #[test]
    fn a_crate_is_read_with_its_subdirectories() {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("types")).expect("mkdir");
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\n").expect("write");
        std::fs::write(src.join("lib.rs"), "a\nb\n").expect("write");
        std::fs::write(src.join("types").join("files.rs"), "c\n").expect("write");
        let (lines, hash) = read_crate(dir.path());
        assert_eq!(lines, 3);
        std::fs::write(src.join("types").join("files.rs"), "d\n").expect("write");
        assert_ne!(
            read_crate(dir.path()).1,
            hash,
            "a change in src/types counts"
        );
    }

    #[test]
    fn a_report_line_cut_short_is_compiled_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.jsonl");
        let o = Outcome {
            document: "drive.v3".into(),
            feature: None,
            source: "abc".into(),
            lines: 10,
            seconds: 1.5,
            passed: true,
            first_error: None,
        };
        append_report(&path, &o).expect("append");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        write!(file, "{{\"document\":\"gmail.v1\",\"li").expect("write");
        let back = read_report(&path);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].label(), "drive.v3");
    }
}
