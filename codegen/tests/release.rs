//! `release` on real documents: a first release from google-api-python-client
//! 2.150.0's revisions, the next from the current pinned set, then a third
//! with nothing changed.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use gapi_codegen::diff::Bump;
use gapi_codegen::release::{self, Options, Released, Status};
use gapi_codegen::scaffold::GapiDeps;
use gapi_codegen::selection::Selection;
use gapi_discovery::pinned;

fn options(dir: &Path, out: &Path) -> Options {
    Options {
        dir: dir.to_path_buf(),
        out: out.to_path_buf(),
        previous: None,
        deps: GapiDeps::Registry {
            name: "gapi".into(),
            version: "0.1.0".into(),
        },
        extras: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated")),
        repository: Some("https://example.com/gapi".into()),
    }
}

fn only(names: &[&str]) -> Selection {
    Selection {
        only: names.iter().map(|s| s.to_string()).collect(),
        ..Selection::default()
    }
}

fn find<'a>(released: &'a [Released], package: &str) -> &'a Released {
    released
        .iter()
        .find(|r| r.package == package)
        .unwrap_or_else(|| panic!("{package} in {released:?}"))
}

#[test]
fn versions_follow_what_changed_from_release_to_release() {
    let cache = pinned::cache_dir();
    let out = tempfile::tempdir().unwrap();
    let names = ["drive.v3", "bigquery.v2", "generativelanguage.v1beta"];

    // generativelanguage v1beta is not in 2.150.0: two packages at first.
    let first = release::release(
        &only(&names[..2]),
        &options(&cache.join("previous"), out.path()),
        |_| {},
    )
    .unwrap();
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    let drive = find(&first.released, "gapi-drive-v3");
    assert_eq!(drive.status, Status::First);
    assert_eq!(drive.version.to_string(), "1.0.0+20241008");

    let second = release::release(&only(&names), &options(&cache, out.path()), |_| {}).unwrap();
    assert!(second.failed.is_empty(), "{:?}", second.failed);
    // Drive removed methods (access proposals moved): major.
    let drive = find(&second.released, "gapi-drive-v3");
    assert_eq!(drive.status, Status::Bumped(Bump::Major));
    assert_eq!(drive.version.to_string(), "2.0.0+20261106");
    // BigQuery only added (new fields and values are additions).
    let bigquery = find(&second.released, "gapi-bigquery-v2");
    assert_eq!(bigquery.status, Status::Bumped(Bump::Minor));
    assert_eq!(bigquery.version.to_string(), "1.1.0+20261009");
    assert_eq!(
        find(&second.released, "gapi-generativelanguage-v1beta").status,
        Status::First
    );

    let changelog = std::fs::read_to_string(out.path().join("gapi-drive-v3/CHANGELOG.md")).unwrap();
    assert!(
        changelog.starts_with("# Changelog of gapi-drive-v3\n\n## 2.0.0+20261106\n"),
        "{changelog}"
    );
    assert!(changelog.contains(
        "- method files().accessproposals().list() removed (drive.files.accessproposals.list)"
    ));
    assert!(changelog.contains("\n## 1.0.0+20241008\n\nFirst release"));

    // Nothing changed: the packages stay as they are.
    let third = release::release(&only(&names), &options(&cache, out.path()), |_| {}).unwrap();
    assert!(third.released.iter().all(|r| r.status == Status::Unchanged));
    assert_eq!(
        find(&third.released, "gapi-drive-v3").version.to_string(),
        "2.0.0+20261106"
    );
}

#[test]
fn a_package_is_publishable_as_it_is() {
    let out = tempfile::tempdir().unwrap();
    let report = release::release(
        &only(&[
            "generativelanguage.v1beta",
            "admin.directory_v1",
            "admin.directoryv1",
        ]),
        &options(&pinned::cache_dir(), out.path()),
        |_| {},
    )
    .unwrap();
    // Two file names of one API make one package.
    assert_eq!(report.released.len(), 2, "{:?}", report.released);
    let admin = find(&report.released, "gapi-admin-directory-v1");
    assert_eq!(admin.documents, ["admin.directory_v1", "admin.directoryv1"]);

    let dir = out.path().join("gapi-generativelanguage-v1beta");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    for needle in [
        "version = \"1.0.0+20260529\"",
        "license = \"Apache-2.0\"",
        "readme = \"README.md\"",
        "repository = \"https://example.com/gapi\"",
        "[package.metadata.docs.rs]\nall-features = true",
        "gapi-runtime = { version = \"0.1.0\", registry = \"gapi\" }",
        "models = []",
        "[[example]]\nname = \"quickstart\"\nrequired-features = [\"models\"]",
    ] {
        assert!(manifest.contains(needle), "{needle} in\n{manifest}");
    }
    // No build script, and the sources are formatted Rust with the README
    // as the crate's documentation and the hand-written extras declared.
    assert!(!dir.join("build.rs").exists());
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.starts_with("// @generated by gapi-codegen"), "{lib}");
    assert!(lib.contains("#![doc = include_str!(\"../README.md\")]"));
    assert!(lib.trim_end().ends_with("mod extras;"), "{lib}");
    assert!(dir.join("src/extras.rs").is_file());
    // A public hand-written module stays public, behind its feature.
    assert!(
        lib.contains("#[cfg(feature = \"models\")]\npub mod chat;"),
        "{lib}"
    );
    assert!(dir.join("src/chat.rs").is_file());
    assert!(dir.join("generativelanguage.v1beta.json").is_file());
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let example = std::fs::read_to_string(dir.join("examples/quickstart.rs")).unwrap();
    assert!(readme.contains("cargo add gapi-generativelanguage-v1beta --registry gapi"));
    assert!(
        example.contains(".models().list().execute().await?"),
        "the example calls a real method: {example}"
    );
    assert!(readme.contains(example.split_once("\n\n").unwrap().1));
    assert!(report.largest().unwrap().compressed < release::CRATES_IO_LIMIT);
}
