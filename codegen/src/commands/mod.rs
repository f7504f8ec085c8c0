//! The subcommands of `gapi-codegen`, one module each; each parses its own
//! flags (clap) and calls the library.

pub mod catalog;
pub mod diff;
pub mod fetch;
pub mod fuzz;
pub mod generate;
pub mod list;
pub mod new_crate;
pub mod release;
pub mod sync;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gapi_codegen::scaffold::GapiDeps;
use gapi_codegen::selection::{Sample, Selection};
use gapi_discovery::pinned;

/// A command's outcome: an exit code, or an error printed as `error: …`.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Download the pinned document set from PyPI into the cache (hash-checked,
    /// idempotent, repairs damage; no Python needed).
    ///
    /// The cache is $GAPI_DISCOVERY_DIR, else discovery/cache inside a gapi
    /// checkout, else the per-user cache (~/.cache/gapi/discovery on Linux).
    Sync(sync::Args),
    /// Fetch one live document from Google's Discovery Service into the cache.
    Fetch(fetch::Args),
    /// List the cached documents: name, version, revision, title.
    List(list::Args),
    /// Write a standalone crate of plain, formatted source files for one document.
    Generate(generate::Args),
    /// Write a crate for API VERSION that generates its client at build time.
    ///
    /// Inside the gapi repository (no --out) it goes under generated/ and
    /// joins the workspace. With --out it lands anywhere: it carries its own
    /// copy of the document and takes gapi from --runtime-dep.
    NewCrate(new_crate::Args),
    /// Write a publishable package for each API: pre-generated, formatted
    /// sources (a user's build compiles no generator), a README with a
    /// working example, a CHANGELOG, and a version from what changed for
    /// callers since the previous release.
    ///
    /// Versions: a crate's first release is 1.0.0; after that, the package's
    /// recorded surface is diffed against the new one: major when callers
    /// break, minor for additions only, patch otherwise. The discovery
    /// revision is the build metadata (`1.2.0+20261106`). A crate whose
    /// document and sources did not change keeps its version.
    Release(release::Args),
    /// What a new revision of a document changes for the crate's users:
    /// methods, arguments, setters, fields, enum values, types and features,
    /// each marked breaking or not, with the semver step to take.
    ///
    /// Given two directories, diffs every document found in both and
    /// prints the totals: the releases each type policy would need, and
    /// how often each kind of change occurs.
    Diff(diff::Args),
    /// Fuzz the pipeline (parse → validate → lower → emit → format) with
    /// structure-aware mutations of the catalog's documents; findings (panics,
    /// hangs, crashes, unparseable output) are saved with their input.
    Fuzz(fuzz::Args),
    /// The fuzzing child process (started by `fuzz`).
    #[command(hide = true)]
    FuzzWorker(fuzz::WorkerArgs),
    /// Whole-catalog checks.
    #[command(subcommand)]
    Catalog(catalog::Command),
}

/// Runs `command`.
pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Sync(args) => sync::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::List(args) => list::run(args),
        Command::Generate(args) => generate::run(args),
        Command::NewCrate(args) => new_crate::run(args),
        Command::Release(args) => release::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::FuzzWorker(args) => fuzz::worker(args),
        Command::Catalog(command) => catalog::run(command),
    }
}

/// Which documents a whole-catalog command takes: the union of these.
#[derive(Debug, clap::Args)]
pub struct SelectionArgs {
    /// Comma-separated file stems (`compute.v1,youtube.v3`).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Every document of the directory.
    #[arg(long)]
    all: bool,
    /// This many documents picked by `--seed` (CI passes the commit hash).
    #[arg(long, requires = "seed")]
    sample: Option<usize>,
    /// Seed of `--sample`.
    #[arg(long)]
    seed: Option<String>,
    /// Bytes of document JSON a sample may hold after its first pick.
    #[arg(long, default_value_t = 8_000_000)]
    sample_bytes: u64,
}

impl SelectionArgs {
    /// The selection these flags describe.
    pub fn selection(self) -> std::result::Result<Selection, String> {
        if !self.all && self.sample.is_none() && self.only.is_empty() {
            return Err("name documents with --only, or pass --all or --sample N --seed S".into());
        }
        Ok(Selection {
            only: self.only,
            all: self.all,
            sample: self.sample.map(|count| Sample {
                count,
                seed: self.seed.unwrap_or_default(),
                max_bytes: self.sample_bytes,
            }),
        })
    }
}

pub fn dir_or_cache(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(pinned::cache_dir)
}

pub fn deps_from(runtime_dep: Option<&str>) -> std::result::Result<GapiDeps, String> {
    runtime_dep.map_or_else(
        || Ok(GapiDeps::default()),
        |spec| GapiDeps::parse(spec).map_err(|e| e.to_string()),
    )
}

/// The root of the gapi repository the current directory is in.
pub fn gapi_repository() -> std::result::Result<PathBuf, String> {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| pinned::workspace_cache_dir(&cwd))
        .and_then(|cache| cache.parent()?.parent().map(Path::to_path_buf))
        .ok_or_else(|| {
            "not inside the gapi repository: pass --out DIR (and --runtime-dep) to write the crate elsewhere"
                .to_string()
        })
}
