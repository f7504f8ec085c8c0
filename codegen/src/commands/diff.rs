//! `gapi-codegen diff`: what a new revision of a document changes for callers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document the crate was generated from (or a directory of them).
    old: PathBuf,
    /// The new revision (or a directory of them).
    new: PathBuf,
    /// Print at most this many lines per group.
    #[arg(long)]
    limit: Option<usize>,
}

/// Runs the command: two directories are compared document by document.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.old.is_dir() && args.new.is_dir() {
        return directories(&args.old, &args.new);
    }
    one(args)
}

fn directories(old: &Path, new: &Path) -> Result<ExitCode> {
    let diffs = gapi_codegen::catalog::diff_all(old, new)?;
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

pub fn one(args: Args) -> Result<ExitCode> {
    let Args { old, new, limit } = args;
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
        )
        .into());
    }
    print!("{}", gapi_codegen::diff::diff(&a, &b).render(limit));
    Ok(ExitCode::SUCCESS)
}
