//! The build-script entry point of generated crates.
//!
//! A generated crate is pinned to one discovery document by its sha256 (in
//! its `build.rs`). The build script finds a copy with that hash, generates
//! the client into `OUT_DIR` (unformatted: only the compiler reads it) and
//! checks the crate declares a Cargo feature per resource. It prints nothing
//! on success: notes about the document (a dangling `$ref` typed as JSON, …)
//! are in the crate's documentation and printed once by `gapi-codegen
//! new-crate`, not as a warning on every build.

use std::path::{Path, PathBuf};

use gapi_discovery::pinned;

use crate::{Error, Generator, Layout};

/// Generates the crate for `api` `version` into `OUT_DIR` from the discovery
/// document whose sha256 is `sha256`; call it from `build.rs`.
///
/// The document is looked for, in order, in the crate's own directory (a
/// published package carries it), `$GAPI_DISCOVERY_DIR`, the gapi
/// repository's `discovery/cache`, and the per-user cache that `gapi-codegen
/// sync` fills ([`pinned::search_dirs`]); copies with another hash are
/// skipped. On failure it prints what to do and exits non-zero, which fails
/// the build with that message.
pub fn build_script(api: &str, version: &str, sha256: &str) {
    if let Err(message) = try_build_script(api, version, sha256) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn try_build_script(api: &str, version: &str, sha256: &str) -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={}", pinned::DIR_ENV);
    let (path, bytes) =
        find_pinned(&manifest_dir, api, version, sha256).map_err(|e| e.to_string())?;
    // The content is fixed by its hash, so whichever copy was found gives the
    // same output: watching that one file is enough.
    println!("cargo::rerun-if-changed={}", path.display());
    let parsed = gapi_discovery::parse_slice(
        &path.display().to_string(),
        &bytes,
        gapi_discovery::Strictness::Lenient,
    )
    .map_err(|e| e.to_string())?;
    let output = Generator::new(&parsed.doc)
        .with_layout(Layout::OutDir)
        .with_resource_features(true)
        .generate_unformatted();
    check_features(
        &manifest_dir.join("Cargo.toml"),
        &output.features,
        api,
        version,
    )?;
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    for (name, source) in &output.files {
        write_if_changed(&out_dir.join(name), source)?;
    }
    write_if_changed(&out_dir.join("README.md"), &output.readme)?;
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|e| format!("{name}: {e} (run this from a build script)"))
}

/// The first copy of `{api}.{version}.json` in [`pinned::search_dirs`] whose
/// sha256 is `sha256`, with its bytes.
///
/// # Errors
/// [`Error::Invalid`] naming every place looked in, the copies with another
/// hash, and the command that fetches the pinned document.
pub fn find_pinned(
    crate_dir: &Path,
    api: &str,
    version: &str,
    sha256: &str,
) -> Result<(PathBuf, Vec<u8>), Error> {
    let file = format!("{api}.{version}.json");
    let dirs = pinned::search_dirs(crate_dir);
    let mut other = Vec::new();
    for dir in &dirs {
        let path = dir.join(&file);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let actual = pinned::sha256_hex(&bytes);
        if actual == sha256 {
            return Ok((path, bytes));
        }
        other.push(format!("{} (sha256 {actual})", path.display()));
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(Error::invalid(if other.is_empty() {
        format!(
            "discovery document {file} not found (looked in {}); run `{}` to fetch the pinned set \
             (install the command with `cargo install --locked --git <gapi repository> gapi-codegen`; \
             inside the gapi repository: `cargo run -p gapi-codegen -- sync`), or set {} to a directory that holds it",
            looked.join(", "),
            pinned::SYNC_COMMAND,
            pinned::DIR_ENV
        )
    } else {
        format!(
            "this crate is pinned to {file} with sha256 {sha256}, but the copies found differ: {}; \
             run `{}` to restore the pinned document, or re-pin the crate to the newer one with \
             `gapi-codegen new-crate {api} {version} --force`",
            other.join(", "),
            pinned::SYNC_COMMAND
        )
    }))
}

/// The crate must declare one feature per top-level resource; a document
/// update that adds a resource would otherwise compile it out silently.
fn check_features(
    manifest: &Path,
    features: &[String],
    api: &str,
    version: &str,
) -> Result<(), String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let missing: Vec<&String> = features
        .iter()
        .filter(|f| {
            !text
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{f} = ")))
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} does not declare the resource feature(s) {:?} of {api}.{version}; run `gapi-codegen new-crate {api} {version} --force` to refresh it",
            manifest.display(),
            missing
        ))
    }
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}
