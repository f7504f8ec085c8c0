//! `gapi-codegen sync`: the pinned document set, downloaded and verified.

use std::path::PathBuf;
use std::process::ExitCode;

use gapi_discovery::{pinned, sync};

use super::{dir_or_cache, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        dir,
        previous,
        index_url,
    } = args;
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
