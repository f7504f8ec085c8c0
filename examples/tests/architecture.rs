//! The dependency arrows ARCHITECTURE.md draws, held: each of gapi's crates
//! depends (for its library and binaries, not its tests) only on the gapi
//! crates the table allows.

use std::collections::BTreeSet;
use std::path::Path;

/// The `gapi-*` packages named in the `[dependencies]` section of a manifest.
fn gapi_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("a manifest");
    let mut in_dependencies = false;
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if !in_dependencies {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_end_matches(".workspace").to_string();
        // `alias = { package = "gapi-…", … }` names the package it is.
        let package = value
            .split("package")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .map(str::to_string)
            .unwrap_or(key);
        if package.starts_with("gapi-") {
            found.insert(package);
        }
    }
    found
}

#[test]
fn each_crate_depends_only_on_what_the_architecture_allows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let allowed: &[(&str, &[&str])] = &[
        ("discovery", &[]),
        ("credentials", &[]),
        // gapi-runtime only with the `runtime` feature (specs as values for
        // the CLI); build scripts and releases never enable it.
        ("codegen", &["gapi-discovery", "gapi-runtime"]),
        ("runtime", &["gapi-credentials"]),
        ("auth", &["gapi-credentials"]),
        ("emulator", &[]),
        (
            "cli",
            &[
                "gapi-codegen",
                "gapi-runtime",
                "gapi-auth",
                "gapi-discovery",
            ],
        ),
        ("generated/drive-v3", &["gapi-runtime"]),
        ("generated/bigquery-v2", &["gapi-runtime"]),
        ("generated/oauth2-v2", &["gapi-runtime"]),
        ("generated/generativelanguage-v1beta", &["gapi-runtime"]),
    ];
    for (folder, may) in allowed {
        let manifest = root.join(folder).join("Cargo.toml");
        let found = gapi_dependencies(&manifest);
        let may: BTreeSet<String> = may.iter().map(|s| s.to_string()).collect();
        let extra: Vec<&String> = found.difference(&may).collect();
        assert!(
            extra.is_empty(),
            "{folder} depends on {extra:?}, which ARCHITECTURE.md does not allow"
        );
    }
    // The check reads what it thinks it reads.
    assert!(gapi_dependencies(&root.join("cli").join("Cargo.toml")).contains("gapi-runtime"));
}
