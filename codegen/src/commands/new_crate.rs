//! `gapi-codegen new-crate`: a crate that generates its client at build time.

use std::path::PathBuf;
use std::process::ExitCode;

use gapi_codegen::scaffold::GapiDeps;
use gapi_discovery::pinned;

use super::{deps_from, dir_or_cache, gapi_repository, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args {
        api,
        version,
        out,
        runtime_dep,
        force,
        dir,
    } = args;
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
    let created = gapi_codegen::write::new_crate(&document, &parsed.doc, &crate_dir, &deps, force)?;
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
