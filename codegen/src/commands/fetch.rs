//! `gapi-codegen fetch`: one live document from Google's Discovery Service.

use std::path::PathBuf;
use std::process::ExitCode;

use gapi_discovery::fetch;

use super::{dir_or_cache, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        api,
        version,
        discovery_url,
        fallback_url,
        force,
        dir,
    } = args;
    let options = fetch::FetchOptions {
        discovery_url,
        fallback_url,
        force,
        ..fetch::FetchOptions::default()
    };
    let fetched =
        fetch::fetch(&dir_or_cache(dir), &api, &version, &options).map_err(|e| e.to_string())?;
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
