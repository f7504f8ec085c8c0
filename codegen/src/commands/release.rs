//! `gapi-codegen release`: publishable packages, versioned from what changed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{deps_from, dir_or_cache, gapi_repository, Result, SelectionArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        out,
        select,
        previous,
        runtime_dep,
        repository,
        dir,
    } = args;
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
    let count =
        |f: &dyn Fn(&Status) -> bool| report.released.iter().filter(|r| f(&r.status)).count();
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
