//! `gapi-codegen generate`: a standalone crate of formatted sources for one document.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{deps_from, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The discovery document.
    doc: PathBuf,
    /// Output directory (created).
    #[arg(long)]
    out: PathBuf,
    /// Where the crate gets gapi-runtime: a crates.io version (default:
    /// this generator's), `git:URL[#REV]`, or `path:DIR` (a gapi checkout).
    #[arg(long)]
    runtime_dep: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        doc,
        out,
        runtime_dep,
    } = args;
    let deps = deps_from(runtime_dep.as_deref())?;
    let parsed = gapi_discovery::parse_file(&doc, gapi_discovery::Strictness::Lenient)
        .map_err(|e| e.to_string())?;
    let written = gapi_codegen::write::write_standalone(&parsed.doc, &out, &deps, false)?;
    println!("wrote {} ({} files)", out.display(), written);
    Ok(ExitCode::SUCCESS)
}
