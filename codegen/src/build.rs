//! The build-script entry point of generated crates.

use std::path::{Path, PathBuf};

use gapi_discovery::pinned::{self, CacheError};

use crate::{Generator, Layout};

/// Generates the crate for `api` `version` into `OUT_DIR`; call it from
/// `build.rs`. Reads the document from the cache (`GAPI_DISCOVERY_DIR`, else
/// `discovery/cache`). On failure it prints what to do and exits non-zero,
/// which fails the build with that message.
pub fn build_script(api: &str, version: &str) {
    if let Err(message) = try_build_script(api, version) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn try_build_script(api: &str, version: &str) -> Result<(), String> {
    let dir = pinned::cache_dir();
    println!("cargo::rerun-if-env-changed={}", pinned::DIR_ENV);
    println!(
        "cargo::rerun-if-changed={}",
        dir.join(format!("{api}.{version}.json")).display()
    );
    let parsed = pinned::load_cached(&dir, api, version).map_err(|e| match e {
        CacheError::Missing { .. } => e.to_string(),
        CacheError::Parse(p) => format!("{p}"),
    })?;
    let output = Generator::new(&parsed.doc)
        .with_layout(Layout::OutDir)
        .with_resource_features(true)
        .generate()
        .map_err(|e| e.to_string())?;
    for warning in &output.warnings {
        println!("cargo::warning={api}.{version}: {warning}");
    }
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    check_features(
        &manifest_dir.join("Cargo.toml"),
        &output.features,
        api,
        version,
    )?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    for (name, source) in &output.files {
        write_if_changed(&out_dir.join(name), source)?;
    }
    write_if_changed(&out_dir.join("README.md"), &output.readme)?;
    Ok(())
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
            "{} does not declare the resource feature(s) {:?} of {api}.{version}; run `cargo run -p gapi-codegen -- new-crate {api} {version} --force` to refresh it",
            manifest.display(),
            missing
        ))
    }
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}
