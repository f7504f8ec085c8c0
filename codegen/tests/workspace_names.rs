//! `gapi-codegen new-crate API VERSION` inside this repository writes
//! `generated/API-VERSION`, a workspace member named `gapi-API-VERSION`. No
//! other package in the repository may take such a name (a test fixture once
//! did, and `new-crate compute v1` failed with "two packages named
//! `gapi-compute-v1`").

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gapi_codegen::scaffold::crate_name;
use gapi_discovery::pinned;

/// Every `Cargo.toml` under `dir`, skipping build output, caches and the
/// crates `new-crate` itself wrote.
fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            let skipped = name.starts_with('.')
                || ["target", "node_modules", "cache"].contains(&name.as_str())
                || path.ends_with("generated");
            if !skipped {
                manifests(&path, out);
            }
        } else if name == "Cargo.toml" {
            out.push(path);
        }
    }
}

/// The `[package]` name a manifest declares, if any.
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name") {
                let value = value.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

#[test]
fn no_package_outside_generated_takes_an_api_crate_name() {
    let documents = pinned::list_documents(&pinned::cache_dir()).unwrap();
    assert!(
        documents.len() > 600,
        "run `gapi-codegen sync` first ({} documents)",
        documents.len()
    );
    let api_crates: BTreeMap<String, String> = documents
        .iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let (api, version) = stem.split_once('.').unwrap();
            (crate_name(api, version), stem.clone())
        })
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut found = Vec::new();
    manifests(root, &mut found);
    assert!(found.len() > 5, "found only {found:?}");
    let clashes: Vec<String> = found
        .iter()
        .filter_map(|manifest| {
            let name = package_name(manifest)?;
            let document = api_crates.get(&name)?;
            Some(format!(
                "{} is named {name}, the crate `new-crate` writes for {document}",
                manifest.display()
            ))
        })
        .collect();
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}
