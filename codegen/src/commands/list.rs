//! `gapi-codegen list`: the cached documents.

use std::path::PathBuf;
use std::process::ExitCode;

use gapi_discovery::pinned;

use super::{dir_or_cache, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Cache directory.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args { dir } = args;
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
