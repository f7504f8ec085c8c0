//! How generated types stay compatible across revisions of a document.
//!
//! Google adds fields and enum values in most revisions. Under Rust's semver
//! rules both break callers of an exhaustive type (a struct literal without
//! `..Default::default()`, a `match` without `_`), so a crate of exhaustive
//! types needs a major release for nearly every regeneration.
//! `#[non_exhaustive]` makes both additions minor, at a price for callers:
//! a `match` on an enum needs a `_` arm, and a struct can no longer be
//! built with a literal (not even with `..Default::default()`), only with
//! `Default` and field assignments or the generated `with_*` setters.
//!
//! [`Policy::CURRENT`] is what [`crate::emit`] generates and what
//! [`crate::diff`] judges releases by; the other policies exist so that
//! `gapi-codegen diff OLD_DIR NEW_DIR` can show what each would have cost
//! (the figures are in the README, "Versions and type stability").

/// Which generated types are `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Enums (schema and parameter enums): a new value is minor. They keep
    /// their `Unknown(String)` variant for values newer than the crate.
    pub non_exhaustive_enums: bool,
    /// Structs: a new field is minor; values are built with `Default` and
    /// `with_*` setters (or field assignment), not struct literals.
    pub non_exhaustive_structs: bool,
}

impl Policy {
    /// What the generator emits.
    pub const CURRENT: Policy = Policy {
        non_exhaustive_enums: true,
        non_exhaustive_structs: true,
    };

    /// Every combination, named, for the comparison in `diff`'s summary.
    pub const ALL: [(&'static str, Policy); 4] = [
        (
            "all exhaustive",
            Policy {
                non_exhaustive_enums: false,
                non_exhaustive_structs: false,
            },
        ),
        (
            "non-exhaustive enums",
            Policy {
                non_exhaustive_enums: true,
                non_exhaustive_structs: false,
            },
        ),
        (
            "non-exhaustive structs",
            Policy {
                non_exhaustive_enums: false,
                non_exhaustive_structs: true,
            },
        ),
        (
            "non-exhaustive enums and structs",
            Policy {
                non_exhaustive_enums: true,
                non_exhaustive_structs: true,
            },
        ),
    ];
}
