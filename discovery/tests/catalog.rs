//! Whole-catalog properties of the model, over every document of the pinned
//! set. The set must be in the cache (`cargo run -p gapi-codegen -- sync`,
//! which the README's test command runs first); a missing cache fails loudly.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use gapi_discovery::pinned::{self, Manifest};
use gapi_discovery::{parse_slice, validate, ProblemKind, Strictness};

fn pinned_files() -> Vec<(String, Vec<u8>)> {
    let dir = pinned::cache_dir();
    let manifest = Manifest::pinned();
    manifest
        .files
        .iter()
        .map(|f| {
            let path: PathBuf = dir.join(&f.name);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; run `{}` first",
                    path.display(),
                    pinned::SYNC_COMMAND
                )
            });
            (f.name.clone(), bytes)
        })
        .collect()
}

#[test]
fn manifest_pins_611_documents_from_two_wheels() {
    let m = Manifest::pinned();
    assert_eq!(m.files.len(), 611);
    assert_eq!(m.sources.len(), 2);
    let gemini = m
        .files
        .iter()
        .find(|f| f.name == "generativelanguage.v1beta.json")
        .expect("gemini pinned");
    assert_eq!(
        gemini.sha256,
        "28b57f180d468270e936e030dcf454c52ac7b2106733e7dce89cf8e990d00a65"
    );
    assert!(m.files.iter().all(|f| f.name != "index.json"));
}

#[test]
fn every_document_parses_strictly_and_round_trips_losslessly() {
    let files = pinned_files();
    let mut failures = Vec::new();
    for (name, bytes) in &files {
        let parsed = match parse_slice(name, bytes, Strictness::Strict) {
            Ok(p) => p,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        let original: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
        let reserialized = serde_json::to_value(&parsed.doc).expect("serializes");
        if original != reserialized {
            failures.push(format!("{name}: round trip differs"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(files.len(), 611);
}

#[test]
fn catalog_validation_finds_only_the_known_irregularities() {
    let mut by_kind: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut methods = 0;
    for (name, bytes) in pinned_files() {
        let doc = parse_slice(&name, &bytes, Strictness::Lenient)
            .expect("parses")
            .doc;
        methods += doc.all_methods().len();
        for p in validate(&doc) {
            let kind = match p.kind {
                ProblemKind::DanglingRef(_) => "dangling-ref",
                ProblemKind::UnboundPathVariable(_) => "unbound-path-variable",
                ProblemKind::OptionalPathParameter(_) => "optional-path-parameter",
                ProblemKind::DuplicateMethodId(_) => "duplicate-method-id",
                ProblemKind::UnknownOrderedParameter(_) => "unknown-ordered-parameter",
            };
            by_kind
                .entry(kind)
                .or_default()
                .push(format!("{name}: {p}"));
        }
    }
    // Counted independently with Python over the same files (every method
    // entry of every document, the three duplicated admin files included).
    assert_eq!(methods, 28_216, "method entries in the pinned set");
    // Generative Language v1beta refers to a schema it never defines.
    let dangling = by_kind.remove("dangling-ref").unwrap_or_default();
    assert!(
        dangling
            .iter()
            .all(|p| p.starts_with("generativelanguage.v1beta.json")
                && p.contains("MediaResolution")),
        "{dangling:#?}"
    );
    assert!(!dangling.is_empty());
    assert!(by_kind.is_empty(), "unexpected problems: {by_kind:#?}");
}

#[test]
fn previous_manifest_pins_earlier_revisions_of_current_apis() {
    let previous = Manifest::previous();
    let current = Manifest::pinned();
    assert_eq!(previous.sources.len(), 1);
    assert_eq!(previous.sources[0].version, "2.150.0");
    assert!(previous.files.len() > 500, "{}", previous.files.len());
    for f in &previous.files {
        let now = current.files.iter().find(|c| c.name == f.name);
        let now = now.unwrap_or_else(|| panic!("{} is not in the current set", f.name));
        assert_eq!(f.package, previous.sources[0].package);
        assert_eq!(f.member, now.member, "{}", f.name);
    }
    let changed = previous
        .files
        .iter()
        .filter(|f| {
            current
                .files
                .iter()
                .any(|c| c.name == f.name && c.sha256 != f.sha256)
        })
        .count();
    assert!(changed > 400, "only {changed} documents differ");
}
