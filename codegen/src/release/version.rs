//! A crate's next version, from what changed for its callers since its
//! previous release, and the CHANGELOG entry that says so.

use std::fmt::Write as _;

use semver::{BuildMetadata, Version};

use crate::diff::{Bump, Diff, Impact};

/// The version of a crate's first release.
pub const FIRST: Version = Version::new(1, 0, 0);

/// The version after `previous` for a change of size `bump`, by Cargo's
/// reading of semver: below 1.0 a breaking change moves the minor number
/// and anything else the patch number.
#[must_use]
pub fn next(previous: &Version, bump: Bump) -> Version {
    let (major, minor, patch) = (previous.major, previous.minor, previous.patch);
    let (major, minor, patch) = match (major, bump) {
        (0, Bump::Major) => (0, minor + 1, 0),
        (0, Bump::Minor | Bump::Patch) => (0, minor, patch + 1),
        (_, Bump::Major) => (major + 1, 0, 0),
        (_, Bump::Minor) => (major, minor + 1, 0),
        (_, Bump::Patch) => (major, minor, patch + 1),
    };
    Version::new(major, minor, patch)
}

/// `version` with the discovery revision as build metadata
/// (`1.2.0+20261106`; Cargo ignores it when resolving).
#[must_use]
pub fn with_revision(version: &Version, revision: &str) -> Version {
    let mut v = version.clone();
    let cleaned: String = revision
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    v.build = BuildMetadata::new(&cleaned).unwrap_or(BuildMetadata::EMPTY);
    v
}

/// Why a release is what it is, beyond the API surface's diff.
#[derive(Debug, Clone, Default)]
pub struct Reasons {
    /// The gapi-runtime requirement changed incompatibly (its types are
    /// part of every crate's API): `(old, new)`.
    pub runtime: Option<(String, String)>,
}

/// The CHANGELOG entry of `version`: the revisions, the verdict, and every
/// change grouped by its effect on callers.
#[must_use]
pub fn changelog_entry(version: &Version, diff: &Diff, bump: Bump, reasons: &Reasons) -> String {
    let mut out = format!("## {version}\n\n");
    let verdict = match bump {
        Bump::Major => "breaking changes (major)",
        Bump::Minor => "additions only (minor)",
        Bump::Patch => "nothing a caller sees changed (patch)",
    };
    let _ = writeln!(
        out,
        "Discovery revision {} → {}: {verdict}.",
        diff.old_revision, diff.new_revision
    );
    if let Some((old, new)) = &reasons.runtime {
        let _ = writeln!(
            out,
            "\nThe crate now depends on gapi-runtime {new} (was {old}), whose types it re-exports."
        );
    }
    for (impact, title) in [
        (Impact::Breaking, "Breaking"),
        (
            Impact::Exhaustive,
            "Breaks exhaustive matches and code that builds values",
        ),
        (Impact::Addition, "Added"),
        (Impact::Note, "Notes"),
    ] {
        let changes: Vec<&str> = diff.of(impact).map(|c| c.what.as_str()).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        for c in changes {
            let _ = writeln!(out, "- {c}");
        }
    }
    out
}

/// The CHANGELOG entry of a crate's first release.
#[must_use]
pub fn first_entry(version: &Version, revision: &str) -> String {
    format!("## {version}\n\nFirst release, generated from discovery revision {revision}.\n")
}

/// A whole CHANGELOG: the new entry above the earlier ones.
#[must_use]
pub fn changelog(package: &str, entry: &str, earlier: Option<&str>) -> String {
    let header = format!("# Changelog of {package}\n\n");
    let rest = earlier
        .and_then(|text| text.find("\n## ").map(|i| &text[i + 1..]))
        .unwrap_or("");
    let entry = entry.trim_end();
    if rest.is_empty() {
        format!("{header}{entry}\n")
    } else {
        format!("{header}{entry}\n\n{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("version")
    }

    #[test]
    fn steps_follow_cargo_semver() {
        assert_eq!(next(&v("1.4.2+2024"), Bump::Major), v("2.0.0"));
        assert_eq!(next(&v("1.4.2"), Bump::Minor), v("1.5.0"));
        assert_eq!(next(&v("1.4.2"), Bump::Patch), v("1.4.3"));
        assert_eq!(next(&v("0.4.2"), Bump::Major), v("0.5.0"));
        assert_eq!(next(&v("0.4.2"), Bump::Minor), v("0.4.3"));
        assert_eq!(
            with_revision(&v("1.5.0"), "20261106").to_string(),
            "1.5.0+20261106"
        );
    }

    #[test]
    fn a_changelog_keeps_earlier_entries_below_the_new_one() {
        let first = changelog("gapi-x-v1", &first_entry(&v("1.0.0+1"), "1"), None);
        let second = changelog("gapi-x-v1", "## 1.1.0+2\n\nNew.\n", Some(&first));
        assert_eq!(
            second,
            "# Changelog of gapi-x-v1\n\n## 1.1.0+2\n\nNew.\n\n## 1.0.0+1\n\nFirst release, generated from discovery revision 1.\n"
        );
    }
}
