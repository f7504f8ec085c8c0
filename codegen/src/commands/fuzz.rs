//! `gapi-codegen fuzz`: structure-aware fuzzing of the pipeline, and its child process.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{dir_or_cache, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
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
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
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
}

/// Runs the supervisor.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        seconds,
        runs,
        seed,
        timeout,
        dir,
        out,
    } = args;
    use crate::tools::fuzz;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
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

/// Runs the child process the supervisor starts.
pub fn worker(args: WorkerArgs) -> Result<ExitCode> {
    let WorkerArgs {
        seed,
        from,
        to,
        seconds,
        timeout,
        dir,
    } = args;
    let corpus = crate::tools::fuzz::Corpus::open(&dir)?;
    let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
    let code = crate::tools::fuzz::run_worker(
        &corpus,
        seed,
        from,
        to,
        Some(deadline),
        std::time::Duration::from_secs(timeout),
    )?;
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
