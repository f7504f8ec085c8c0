//! Generated crates written to disk: a standalone crate of plain source
//! files, or one that generates its client at build time.

use std::path::{Path, PathBuf};

use crate::scaffold::GapiDeps;
use crate::{Error, Layout};

fn write(path: &Path, contents: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, contents).map_err(|e| Error::io(path, e))
}

/// Writes a standalone crate of `output` (generated from `api`) into `dir`:
/// its `Cargo.toml` (gapi taken from `deps`) and its `src/` files, the
/// crate docs at the top of `lib.rs`; `deny_warnings` adds
/// `#![deny(warnings)]`. Returns how many files were written.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_output(
    api: &crate::ir::Api,
    output: &crate::Output,
    dir: &Path,
    deps: &GapiDeps,
    deny_warnings: bool,
) -> Result<usize, Error> {
    write(
        &dir.join("Cargo.toml"),
        &crate::scaffold::standalone_cargo_toml(api, &output.features, deps),
    )?;
    for (name, source) in &output.files {
        let mut source = source.clone();
        if name == "lib.rs" {
            let docs = crate::docs::inner_doc_comment(&output.readme);
            let deny = if deny_warnings {
                "#![deny(warnings)]\n"
            } else {
                ""
            };
            // The `@generated` header stays the first line; the crate docs follow.
            let (header, body) = source.split_once("\n\n").unwrap_or(("", &source));
            source = format!("{header}\n\n{docs}{deny}\n{body}");
        }
        write(&dir.join("src").join(name), &source)?;
    }
    Ok(output.files.len() + 1)
}

/// Writes a standalone crate for `doc` into `dir` (plain, formatted source
/// files), taking gapi-runtime from `deps`.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written, or
/// [`Error::Format`] on a generator bug.
pub fn write_standalone(
    doc: &gapi_discovery::RestDescription,
    dir: &Path,
    deps: &GapiDeps,
    deny_warnings: bool,
) -> Result<usize, Error> {
    let api = crate::Generator::new(doc)
        .with_resource_features(true)
        .lower();
    let output = crate::Generator::generate_from(&api, Layout::Files)?;
    write_output(&api, &output, dir, deps, deny_warnings)
}

/// What [`new_crate`] wrote.
#[derive(Debug, Clone)]
pub struct NewCrate {
    /// The crate's directory.
    pub dir: PathBuf,
    /// Its package name.
    pub name: String,
    /// Notes about the document, for the person who ran the command.
    pub warnings: Vec<String>,
}

/// Writes a crate that generates its client at build time from `document`
/// (pinned by sha256 in its `build.rs`) into `crate_dir`. With
/// [`GapiDeps::Workspace`] it is a member of the gapi repository; otherwise
/// it takes gapi from `deps` and carries its own copy of the document, so it
/// builds wherever it lands.
///
/// # Errors
/// When the crate exists (without `force`), or a file cannot be read or written.
pub fn new_crate(
    document: &Path,
    doc: &gapi_discovery::RestDescription,
    crate_dir: &Path,
    deps: &GapiDeps,
    force: bool,
) -> Result<NewCrate, Error> {
    if crate_dir.join("Cargo.toml").exists() && !force {
        return Err(Error::invalid(format!(
            "{} exists; pass --force to refresh its scaffolding",
            crate_dir.display()
        )));
    }
    let bytes = std::fs::read(document).map_err(|e| Error::io(document, e))?;
    let sha256 = gapi_discovery::pinned::sha256_hex(&bytes);
    let api = crate::Generator::new(doc)
        .with_resource_features(true)
        .lower();
    let features: Vec<String> = api
        .resources
        .iter()
        .filter_map(|r| r.feature.clone())
        .collect();
    write(
        &crate_dir.join("Cargo.toml"),
        &crate::scaffold::build_time_cargo_toml(&api, &features, deps),
    )?;
    write(
        &crate_dir.join("build.rs"),
        &crate::scaffold::build_rs(&doc.name, &doc.version, &sha256),
    )?;
    let lib = crate_dir.join("src").join("lib.rs");
    if !lib.exists() {
        write(&lib, &crate::scaffold::lib_rs())?;
    }
    if *deps != GapiDeps::Workspace {
        let copy = crate_dir.join(crate::scaffold::document_file(&doc.name, &doc.version));
        std::fs::write(&copy, &bytes).map_err(|e| Error::io(&copy, e))?;
    }
    Ok(NewCrate {
        dir: crate_dir.to_path_buf(),
        name: crate::scaffold::crate_name(&doc.name, &doc.version),
        warnings: api.warnings,
    })
}
