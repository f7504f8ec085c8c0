//! `diff` on real revisions: google-api-python-client 2.150.0's documents
//! (`gapi-codegen sync --previous`, run by the README's test command)
//! against the current pinned set.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gapi_codegen::diff::{diff, Bump, Impact, Kind, Totals};
use gapi_discovery::pinned::{self, Manifest};
use gapi_discovery::{RestDescription, Strictness};

fn load(path: &Path) -> (RestDescription, serde_json::Value) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `gapi-codegen sync` and `gapi-codegen sync --previous`",
            path.display()
        )
    });
    let doc = gapi_discovery::parse_slice(&path.display().to_string(), &bytes, Strictness::Lenient)
        .expect("pinned document parses")
        .doc;
    (doc, serde_json::from_slice(&bytes).expect("JSON"))
}

fn pair(
    name: &str,
) -> (
    (RestDescription, serde_json::Value),
    (RestDescription, serde_json::Value),
) {
    let current = pinned::cache_dir();
    (
        load(&current.join("previous").join(name)),
        load(&current.join(name)),
    )
}

/// Method ids straight from the JSON, without the model or the IR.
fn method_ids(v: &serde_json::Value) -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        if let Some(methods) = v["methods"].as_object() {
            for m in methods.values() {
                if let Some(id) = m["id"].as_str() {
                    out.insert(id.to_string());
                }
            }
        }
        if let Some(resources) = v["resources"].as_object() {
            resources.values().for_each(|r| walk(r, out));
        }
    }
    let mut out = BTreeSet::new();
    walk(v, &mut out);
    out
}

/// The ids of the method lines of one impact (`method files().get() (drive.files.get)`).
fn diff_methods(d: &gapi_codegen::diff::Diff, impact: Impact) -> BTreeSet<String> {
    d.of(impact)
        .filter(|c| c.what.starts_with("method "))
        .filter_map(|c| {
            c.what
                .rsplit_once(" (")?
                .1
                .strip_suffix(')')
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn methods_added_and_removed_match_the_documents() {
    for name in [
        "drive.v3.json",
        "bigquery.v2.json",
        "gmail.v1.json",
        "youtube.v3.json",
    ] {
        let ((old, old_json), (new, new_json)) = pair(name);
        let d = diff(&old, &new);
        let (before, after) = (method_ids(&old_json), method_ids(&new_json));
        let removed: BTreeSet<String> = before.difference(&after).cloned().collect();
        let added: BTreeSet<String> = after.difference(&before).cloned().collect();
        assert_eq!(
            diff_methods(&d, Impact::Breaking),
            removed,
            "{name}: removed"
        );
        assert_eq!(diff_methods(&d, Impact::Addition), added, "{name}: added");
        assert_ne!(old.revision, new.revision, "{name}: two revisions");
    }
}

#[test]
fn drive_and_bigquery_between_two_pinned_revisions() {
    let ((old, _), (new, _)) = pair("drive.v3.json");
    let d = diff(&old, &new);
    assert_eq!(d.old_revision, "20241008");
    // Access proposals moved from under `files` to a resource of their own.
    let breaking: Vec<&str> = d.of(Impact::Breaking).map(|c| c.what.as_str()).collect();
    assert!(breaking.contains(
        &"method files().accessproposals().list() removed (drive.files.accessproposals.list)"
    ));
    let added: Vec<&str> = d.of(Impact::Addition).map(|c| c.what.as_str()).collect();
    assert!(added.contains(&"method accessproposals().list() (drive.accessproposals.list)"));
    assert!(added.contains(&"Cargo feature `approvals`"));
    assert_eq!(d.bump(), Bump::Major);

    let ((old, _), (new, _)) = pair("bigquery.v2.json");
    let d = diff(&old, &new);
    // Structs and enums are non-exhaustive: new fields are additions.
    assert!(d
        .of(Impact::Addition)
        .any(|c| c.what == "types::CsvOptions: field `null_markers: Option<Vec<String>>` added"));
    // The generator's boxing does not depend on how large a struct is, so
    // DmlStatistics growing no longer changes QueryResponse's field type.
    assert!(!d.changes.iter().any(|c| c.what.contains("dml_stats")));
    assert_eq!(d.bump(), Bump::Minor);
    assert_eq!(d.of(Impact::Breaking).count(), 0, "{}", d.render(None));
    let text = d.render(Some(3));
    assert!(
        text.starts_with("bigquery:v2: revision 20240919 → "),
        "{text}"
    );
    assert!(text.contains("… and "), "{text}");
}

/// Every API of both sets: diffing does not panic, a document compared
/// with itself shows no change, and the verdict follows the changes.
/// The totals are the README's figures ("Versions and type stability"):
/// how many releases would be major under each policy, and no field that
/// changes between boxed and unboxed.
#[test]
fn every_pinned_pair_diffs() {
    let previous: PathBuf = pinned::cache_dir().join("previous");
    let mut diffs = Vec::new();
    for f in &Manifest::previous().files {
        let ((old, _), (new, _)) = pair(&f.name);
        let same = diff(&new, &new);
        assert!(
            same.changes.is_empty(),
            "{}: {:?}",
            f.name,
            same.changes.first()
        );
        let d = diff(&old, &new);
        let breaking = d.of(Impact::Breaking).count() + d.of(Impact::Exhaustive).count();
        assert_eq!(d.bump() == Bump::Major, breaking > 0, "{}", f.name);
        assert!(previous.join(&f.name).is_file());
        diffs.push(d);
    }
    let totals = Totals::of(&diffs);
    assert_eq!(totals.pairs, 522);
    assert_eq!(totals.count(Kind::Boxing), (0, 0), "no boxing flips");
    let majors: Vec<(&str, usize)> = totals.releases.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        majors,
        [
            ("all exhaustive", 353),
            ("non-exhaustive enums", 340),
            ("non-exhaustive structs", 249),
            ("non-exhaustive enums and structs", 111),
        ],
        "{}",
        totals.markdown()
    );
    // Under the generated policy only Google's real breaking changes
    // (removed or retyped) make a release major.
    assert_eq!(totals.count(Kind::Removed).1, 111);
}
