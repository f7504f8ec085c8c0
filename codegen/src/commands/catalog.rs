//! `gapi-codegen catalog`: whole-catalog checks: parse, generate, compile.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{dir_or_cache, gapi_repository, Result, SelectionArgs};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate every document; check each output parses as Rust.
    Generate(GenerateArgs),
    /// Compile documents' crates with clippy, warnings denied: named ones
    /// and/or a sample picked by a seed, or all of them. Resumable: outcomes go to
    /// WORK/report.jsonl as each batch ends, and a rerun skips them.
    Check(CheckArgs),
    /// Parse every document; one line per failure, then `parsed N/N documents`.
    Parse(ParseArgs),
}

/// Runs a `catalog` subcommand.
pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Generate(args) => generate(args),
        Command::Check(args) => check(args),
        Command::Parse(args) => parse(args),
    }
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Directory of documents (default: the cache).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Also write each crate's sources under this directory.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
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
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Directory of documents (default: the cache).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Reject fields the model does not know.
    #[arg(long)]
    strict: bool,
}

pub fn generate(args: GenerateArgs) -> Result<ExitCode> {
    let GenerateArgs { dir, out } = args;
    let dir = dir_or_cache(dir);
    let report = gapi_codegen::catalog::generate_all(&dir, out.as_deref(), |n, total| {
        if n % 100 == 0 {
            eprintln!("  {n}/{total} documents");
        }
    })
    .map_err(|e| format!("{}: {e}", dir.display()))?;
    for failure in &report.failures {
        println!("{failure}");
    }
    println!(
        "{} warnings, {} lines of Rust in {:.2} s",
        report.warnings, report.lines, report.seconds
    );
    let prose = report.prose;
    println!(
        "prose: {} descriptions; left raw: {} lists run together, {} root-relative links, {} HTML tags",
        prose.descriptions, prose.lists_run_together, prose.root_relative_links, prose.html_tags
    );
    // CATALOG.md quotes this line; scripts/test.sh checks that it still does.
    println!("{}", report.operations);
    println!("generated {}/{} documents", report.generated, report.total);
    // Google's prose must render: a list run together or a link that leads
    // nowhere fails the run like a document that does not generate.
    let prose_ok = prose.lists_run_together == 0 && prose.root_relative_links == 0;
    if !prose_ok {
        println!("FAILED: descriptions left raw (see codegen/src/docs.rs)");
    }
    Ok(if report.failures.is_empty() && prose_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn check(args: CheckArgs) -> Result<ExitCode> {
    let CheckArgs {
        select,
        jobs,
        batch_lines,
        features_alone,
        fresh,
        dir,
        work,
    } = args;
    use crate::tools::check;
    let selection = select.selection()?;
    let repo = gapi_repository().map_err(|_| {
        "catalog check runs inside a gapi checkout: it compiles each crate against \
         that checkout's gapi-runtime and shares its target directory"
            .to_string()
    })?;
    let options = check::Options {
        dir: dir_or_cache(dir),
        work: work.unwrap_or_else(|| repo.join("target").join("catalog-check")),
        jobs: jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
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

pub fn parse(args: ParseArgs) -> Result<ExitCode> {
    let ParseArgs { dir, strict } = args;
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
