//! `gapi-codegen`: fetch discovery documents and generate Rust clients.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Download the pinned document set from PyPI into the cache (idempotent; repairs damage).
    Sync {
        /// Cache directory (default: $GAPI_DISCOVERY_DIR, else discovery/cache).
        #[arg(long)]
        dir: Option<PathBuf>,
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
    /// Write a standalone crate of plain source files for one document.
    Generate {
        /// The discovery document.
        doc: PathBuf,
        /// Output directory (created).
        #[arg(long)]
        out: PathBuf,
        /// The gapi-runtime dependency line for Cargo.toml.
        #[arg(long, default_value = "\"0.1\"")]
        runtime_dep: String,
    },
    /// Add a crate for API VERSION under generated/ (the workspace picks it up).
    NewCrate {
        /// API name, e.g. `youtube`.
        api: String,
        /// API version, e.g. `v3`.
        version: String,
        /// Overwrite an existing crate's scaffolding.
        #[arg(long)]
        force: bool,
        /// Cache directory.
        #[arg(long)]
        dir: Option<PathBuf>,
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
    /// Compile the named documents (`compute.v1,youtube.v3`) with warnings denied.
    Check {
        /// Comma-separated file stems.
        #[arg(long, value_delimiter = ',', required = true)]
        only: Vec<String>,
        /// Directory of documents (default: the cache).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Where the throwaway workspace goes (default: target/catalog-check).
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

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Sync { dir } => {
            let dir = dir_or_cache(dir);
            let report = sync::sync(
                &dir,
                &pinned::Manifest::pinned(),
                &sync::SyncOptions::default(),
            )
            .map_err(|e| e.to_string())?;
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
            let parsed = gapi_discovery::parse_file(&doc, gapi_discovery::Strictness::Lenient)
                .map_err(|e| e.to_string())?;
            let written =
                gapi_codegen::catalog::write_standalone(&parsed.doc, &out, &runtime_dep, false)?;
            println!("wrote {} ({} files)", out.display(), written);
            Ok(ExitCode::SUCCESS)
        }
        Command::NewCrate {
            api,
            version,
            force,
            dir,
        } => {
            let dir = dir_or_cache(dir);
            let parsed = pinned::load_cached(&dir, &api, &version).map_err(|e| e.to_string())?;
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let workspace = workspace.canonicalize().unwrap_or(workspace);
            let crate_dir =
                gapi_codegen::catalog::new_crate(&parsed.doc, &workspace.join("generated"), force)?;
            println!(
                "created {}; build it with `cargo build -p {}`",
                crate_dir.display(),
                gapi_codegen::scaffold::crate_name(&api, &version)
            );
            Ok(ExitCode::SUCCESS)
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
            CatalogCommand::Check { only, dir, work } => {
                let dir = dir_or_cache(dir);
                let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
                let work = work.unwrap_or_else(|| workspace.join("target").join("catalog-check"));
                gapi_codegen::catalog::check(&dir, &only, &work, &workspace)?;
                println!("checked {} documents with warnings denied", only.len());
                Ok(ExitCode::SUCCESS)
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
