//! What a new revision of a document changes for users of its crate.
//!
//! Both documents are lowered to the IR, so the comparison sees what Rust
//! callers see: the call path (`files().list()`), positional arguments,
//! setters, request and response types, struct fields and enum variants
//! by their Rust names and types, and the Cargo features. Each change has
//! a [`Kind`] (what happened) and an [`Impact`] on code written against the
//! old crate, which for new fields and enum values depends on whether the
//! generated types are `#[non_exhaustive]` ([`Policy`]):
//!
//! - [`Impact::Breaking`]: code may stop compiling (something removed or
//!   retyped, a new required argument).
//! - [`Impact::Exhaustive`]: breaks only code that builds values or names
//!   every case: a new value of an exhaustive enum breaks a `match` without
//!   `_`, a new field of an exhaustive struct breaks a struct literal without
//!   `..Default::default()`, a field newly boxed needs `Box::new` where it is
//!   built (reads see through the box). Rust's semver rules count these as
//!   breaking, so the verdict does too, but most callers are not affected.
//! - [`Impact::Addition`]: new methods, setters, types and features; new
//!   fields and values of `#[non_exhaustive]` types.
//! - [`Impact::Note`]: no effect on compiling (something newly
//!   deprecated, a new path template).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use gapi_discovery::RestDescription;
use serde::{Deserialize, Serialize};

use crate::ir::{Api, Download, Method, Resource, Type, TypeDef, TypeKind};
pub use crate::stability::Policy;

/// How a change affects code written against the old crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// May stop compiling.
    Breaking,
    /// Breaks exhaustive matches or struct literals only.
    Exhaustive,
    /// Something new.
    Addition,
    /// No effect on compiling.
    Note,
}

/// What happened, whatever its impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Something removed or retyped, or a new required argument.
    Removed,
    /// A field added to a struct.
    NewField,
    /// A value added to an enum.
    NewVariant,
    /// A field that changed between `T` and `Box<T>`.
    Boxing,
    /// A new method, setter, type, scope or feature.
    Added,
    /// Newly deprecated, a new path template.
    Note,
}

impl Kind {
    /// The impact of this kind of change on callers of types generated
    /// under `policy`.
    #[must_use]
    pub fn impact(self, policy: Policy) -> Impact {
        match self {
            Kind::Removed => Impact::Breaking,
            Kind::NewField if policy.non_exhaustive_structs => Impact::Addition,
            Kind::NewVariant if policy.non_exhaustive_enums => Impact::Addition,
            Kind::NewField | Kind::NewVariant | Kind::Boxing => Impact::Exhaustive,
            Kind::Added => Impact::Addition,
            Kind::Note => Impact::Note,
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Its effect under the generator's [`Policy::CURRENT`].
    pub impact: Impact,
    /// What changed, in Rust terms.
    pub what: String,
    /// What kind of change it is.
    pub kind: Kind,
}

/// The changes between two revisions of one API.
#[derive(Debug, Clone)]
pub struct Diff {
    /// `drive:v3`.
    pub api: String,
    /// The old document's revision.
    pub old_revision: String,
    /// The new document's revision.
    pub new_revision: String,
    /// Sorted by impact, then text.
    pub changes: Vec<Change>,
}

/// The semantic-versioning step a regenerated crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// Something breaks (exhaustive matches and struct literals included).
    Major,
    /// Only additions.
    Minor,
    /// Nothing users can see changed.
    Patch,
}

impl Diff {
    /// The changes of one impact.
    pub fn of(&self, impact: Impact) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.impact == impact)
    }

    /// The version step the regenerated crate needs.
    #[must_use]
    pub fn bump(&self) -> Bump {
        self.bump_under(Policy::CURRENT)
    }

    /// The version step had the types been generated under `policy` (the
    /// figures behind the choice of [`Policy::CURRENT`]).
    #[must_use]
    pub fn bump_under(&self, policy: Policy) -> Bump {
        let has = |i| self.changes.iter().any(|c| c.kind.impact(policy) == i);
        if has(Impact::Breaking) || has(Impact::Exhaustive) {
            Bump::Major
        } else if has(Impact::Addition) {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }

    /// The report for people: a verdict, then each group of changes (at
    /// most `limit` lines per group; `None`: all).
    #[must_use]
    pub fn render(&self, limit: Option<usize>) -> String {
        let mut out = format!(
            "{}: revision {} → {}\n",
            self.api, self.old_revision, self.new_revision
        );
        let count = |i| self.of(i).count();
        let verdict = match self.bump() {
            Bump::Major if count(Impact::Breaking) > 0 => format!(
                "major: {} breaking change(s); callers may need edits (0.x crates: bump the minor, 0.x → 0.x+1)",
                count(Impact::Breaking)
            ),
            Bump::Major => "major by Rust's semver rules, but only exhaustive matches and code \
                            that builds values are affected (0.x crates: bump the minor)"
                .to_string(),
            Bump::Minor => "minor: additions only (0.x crates: bump the patch)".to_string(),
            Bump::Patch => "patch: nothing a caller can see changed".to_string(),
        };
        let _ = writeln!(out, "semver: {verdict}");
        for (impact, title, mark) in [
            (Impact::Breaking, "Breaking", '-'),
            (
                Impact::Exhaustive,
                "Breaks only exhaustive matches and code that builds values",
                '~',
            ),
            (Impact::Addition, "Added", '+'),
            (Impact::Note, "Notes", '*'),
        ] {
            let n = count(impact);
            if n == 0 {
                continue;
            }
            let _ = writeln!(out, "\n{title} ({n}):");
            for c in self.of(impact).take(limit.unwrap_or(usize::MAX)) {
                let _ = writeln!(out, "  {mark} {}", c.what);
            }
            if let Some(limit) = limit.filter(|&l| n > l) {
                let _ = writeln!(out, "  … and {} more", n - limit);
            }
        }
        out
    }
}

/// What many diffs (one per API) add up to: the release each would need
/// under each [`Policy`], and how often each kind of change occurs.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// APIs compared.
    pub pairs: usize,
    /// Per policy of [`Policy::ALL`]: `(major, minor, patch)` releases.
    pub releases: Vec<(&'static str, usize, usize, usize)>,
    /// Changes of each kind, and in how many APIs.
    pub kinds: BTreeMap<Kind, (usize, usize)>,
}

impl Totals {
    /// Adds up `diffs`.
    #[must_use]
    pub fn of<'a>(diffs: impl IntoIterator<Item = &'a Diff>) -> Totals {
        let diffs: Vec<&Diff> = diffs.into_iter().collect();
        let mut t = Totals {
            pairs: diffs.len(),
            ..Totals::default()
        };
        for (name, policy) in Policy::ALL {
            let (mut major, mut minor, mut patch) = (0, 0, 0);
            for d in &diffs {
                match d.bump_under(policy) {
                    Bump::Major => major += 1,
                    Bump::Minor => minor += 1,
                    Bump::Patch => patch += 1,
                }
            }
            t.releases.push((name, major, minor, patch));
        }
        for d in &diffs {
            let mut seen = BTreeSet::new();
            for c in &d.changes {
                let entry = t.kinds.entry(c.kind).or_default();
                entry.0 += 1;
                if seen.insert(c.kind) {
                    entry.1 += 1;
                }
            }
        }
        t
    }

    /// Changes of `kind` in all, and the APIs with any.
    #[must_use]
    pub fn count(&self, kind: Kind) -> (usize, usize) {
        self.kinds.get(&kind).copied().unwrap_or_default()
    }

    /// A Markdown summary: the release each policy needs, then the kinds.
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "{} APIs compared.\n\n| types | major | minor | patch |\n|---|---:|---:|---:|\n",
            self.pairs
        );
        for (name, major, minor, patch) in &self.releases {
            let current = Policy::ALL
                .iter()
                .any(|(n, p)| n == name && *p == Policy::CURRENT);
            let mark = if current { " (generated)" } else { "" };
            let _ = writeln!(out, "| {name}{mark} | {major} | {minor} | {patch} |");
        }
        out.push_str("\n| change | count | APIs |\n|---|---:|---:|\n");
        for (kind, label) in [
            (
                Kind::Removed,
                "removed or retyped (breaking under any policy)",
            ),
            (Kind::NewField, "field added to a struct"),
            (Kind::NewVariant, "value added to an enum"),
            (Kind::Boxing, "field boxed or unboxed by the generator"),
            (Kind::Added, "method, setter, type, scope or feature added"),
            (Kind::Note, "note (deprecation, new path)"),
        ] {
            let (n, apis) = self.count(kind);
            let _ = writeln!(out, "| {label} | {n} | {apis} |");
        }
        out
    }
}

/// Compares two revisions of one API's document.
#[must_use]
pub fn diff(old: &RestDescription, new: &RestDescription) -> Diff {
    let old_api = crate::lower::lower(old, true);
    let new_api = crate::lower::lower(new, true);
    compare(&Surface::of(&old_api), &Surface::of(&new_api))
}

/// Compares what callers of two crates see: a release's recorded surface
/// (whatever generator made it) with a new one.
#[must_use]
pub fn compare(a: &Surface, b: &Surface) -> Diff {
    let mut changes = BTreeSet::new();
    let mut add = |kind: Kind, what: String| {
        changes.insert(Change {
            impact: kind.impact(Policy::CURRENT),
            what,
            kind,
        });
    };

    if a.id != b.id {
        add(
            Kind::Removed,
            format!("a different API: {} → {}", a.id, b.id),
        );
    }
    for f in a.features.difference(&b.features) {
        add(Kind::Removed, format!("Cargo feature `{f}` removed"));
    }
    for f in b.features.difference(&a.features) {
        add(Kind::Added, format!("Cargo feature `{f}`"));
    }
    for s in a.scopes.difference(&b.scopes) {
        add(
            Kind::Removed,
            format!("scope constant `scopes::{s}` removed"),
        );
    }
    for s in b.scopes.difference(&a.scopes) {
        add(Kind::Added, format!("scope constant `scopes::{s}`"));
    }

    for (id, m) in &a.methods {
        match b.methods.get(id) {
            None => add(Kind::Removed, format!("method {} removed ({id})", m.call)),
            Some(n) => compare_methods(id, m, n, &mut add),
        }
    }
    for (id, m) in &b.methods {
        if !a.methods.contains_key(id) {
            add(Kind::Added, format!("method {} ({id})", m.call));
        }
    }

    for (name, t) in &a.types {
        match b.types.get(name) {
            None => add(Kind::Removed, format!("type {name} removed")),
            Some(n) => compare_types(name, t, n, &mut add),
        }
    }
    for (name, t) in &b.types {
        if !a.types.contains_key(name) {
            add(Kind::Added, format!("{} {name}", t.kind_name()));
        }
    }
    Diff {
        api: b.id.clone(),
        old_revision: a.revision.clone(),
        new_revision: b.revision.clone(),
        changes: changes.into_iter().collect(),
    }
}

fn compare_methods(id: &str, a: &MethodSig, b: &MethodSig, add: &mut impl FnMut(Kind, String)) {
    let call = &b.call;
    if a.call != b.call {
        add(
            Kind::Removed,
            format!("method {id} is now {} (was {})", b.call, a.call),
        );
    }
    if a.positional != b.positional {
        add(
            Kind::Removed,
            format!(
                "{call}: arguments ({}) → ({})",
                args_text(&a.positional),
                args_text(&b.positional)
            ),
        );
    }
    for (name, ty) in &a.setters {
        match b.setters.get(name) {
            // A setter that became a positional argument is covered above.
            None if b.positional.iter().any(|(n, _)| n == name) => {}
            None => add(Kind::Removed, format!("{call}: setter `{name}` removed")),
            Some(new) if new != ty => add(
                Kind::Removed,
                format!("{call}: setter `{name}` takes {new} (was {ty})"),
            ),
            Some(_) => {}
        }
    }
    for (name, ty) in &b.setters {
        if !a.setters.contains_key(name) && !a.positional.iter().any(|(n, _)| n == name) {
            add(Kind::Added, format!("{call}: setter `{name}({ty})`"));
        }
    }
    for (what, old, new) in [
        ("request body", &a.request, &b.request),
        ("response", &a.response, &b.response),
    ] {
        if old != new {
            add(
                Kind::Removed,
                format!(
                    "{call}: {what} {} → {}",
                    old.as_deref().unwrap_or("none"),
                    new.as_deref().unwrap_or("none")
                ),
            );
        }
    }
    for (what, old, new) in [
        ("paging (`stream()`, `.all()`)", a.pages, b.pages),
        ("media upload", a.upload, b.upload),
        ("media download", a.download, b.download),
        ("streamed answers", a.streams, b.streams),
        ("long-running operation polling", a.polls, b.polls),
    ] {
        match (old, new) {
            (true, false) => add(Kind::Removed, format!("{call}: {what} removed")),
            (false, true) => add(Kind::Added, format!("{call}: {what}")),
            _ => {}
        }
    }
    if !a.deprecated && b.deprecated {
        add(Kind::Note, format!("{call}: now deprecated"));
    }
    if a.http != b.http {
        add(
            Kind::Note,
            format!("{call}: sends {} (was {})", b.http, a.http),
        );
    }
}

fn compare_types(name: &str, a: &Shape, b: &Shape, add: &mut impl FnMut(Kind, String)) {
    match (a, b) {
        (Shape::Struct(old), Shape::Struct(new)) => {
            for (field, f) in old {
                match new.get(field) {
                    None => add(Kind::Removed, format!("{name}: field `{field}` removed")),
                    Some(n) if unboxed(&n.ty) == unboxed(&f.ty) && n.ty != f.ty => add(
                        Kind::Boxing,
                        format!(
                            "{name}: field `{field}` is {} (was {}): reads are unchanged, building it changes",
                            n.ty, f.ty
                        ),
                    ),
                    Some(n) if n.ty != f.ty => add(
                        Kind::Removed,
                        format!("{name}: field `{field}` is {} (was {})", n.ty, f.ty),
                    ),
                    Some(n) if n.deprecated && !f.deprecated => {
                        add(
                            Kind::Note,
                            format!("{name}: field `{field}` now deprecated"),
                        );
                    }
                    Some(_) => {}
                }
            }
            for (field, f) in new {
                if !old.contains_key(field) {
                    add(
                        Kind::NewField,
                        format!("{name}: field `{field}: Option<{}>` added", f.ty),
                    );
                }
            }
        }
        (Shape::Enum(old), Shape::Enum(new)) => {
            for v in old.difference(new) {
                add(Kind::Removed, format!("{name}: variant `{v}` removed"));
            }
            for v in new.difference(old) {
                add(Kind::NewVariant, format!("{name}: variant `{v}` added"));
            }
        }
        (Shape::Alias(old), Shape::Alias(new)) if old == new => {}
        _ => add(
            Kind::Removed,
            format!("{name}: {} → {}", a.describe(), b.describe()),
        ),
    }
}

/// A type without its outer `Box` (the generator boxes large structs; field
/// access and method calls see through it).
fn unboxed(ty: &str) -> &str {
    ty.strip_prefix("Box<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(ty)
}

fn args_text(args: &[(String, String)]) -> String {
    args.iter()
        .map(|(n, t)| format!("{n}: {t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What callers of a crate see, keyed by stable names: the API's Cargo
/// features, scope constants, methods (call path, arguments, setters,
/// request and response types) and types (fields, variants). A release
/// records it (`gapi-release.json`), so the next release is judged against
/// what its callers really had, whichever generator made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// `drive:v3`.
    id: String,
    /// The document's revision.
    revision: String,
    features: BTreeSet<String>,
    scopes: BTreeSet<String>,
    /// By method id.
    methods: BTreeMap<String, MethodSig>,
    /// By Rust path (`types::File`, `files::ListCorpus`).
    types: BTreeMap<String, Shape>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MethodSig {
    /// `files().list()`.
    call: String,
    http: String,
    positional: Vec<(String, String)>,
    setters: BTreeMap<String, String>,
    request: Option<String>,
    response: Option<String>,
    pages: bool,
    upload: bool,
    download: bool,
    streams: bool,
    polls: bool,
    deprecated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FieldSig {
    ty: String,
    deprecated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Struct(BTreeMap<String, FieldSig>),
    Enum(BTreeSet<String>),
    Alias(String),
}

impl Shape {
    fn kind_name(&self) -> &'static str {
        match self {
            Shape::Struct(_) => "struct",
            Shape::Enum(_) => "enum",
            Shape::Alias(_) => "type alias",
        }
    }

    fn describe(&self) -> String {
        match self {
            Shape::Alias(ty) => format!("alias of {ty}"),
            other => other.kind_name().to_string(),
        }
    }
}

impl Surface {
    /// The surface of a lowered API.
    #[must_use]
    pub fn of(api: &Api) -> Surface {
        let mut s = Surface {
            id: api.id.clone(),
            revision: api.revision.clone(),
            features: api
                .resources
                .iter()
                .filter_map(|r| r.feature.clone())
                .collect(),
            scopes: api.scopes.iter().map(|s| s.name.text.clone()).collect(),
            methods: BTreeMap::new(),
            types: BTreeMap::new(),
        };
        for t in &api.types {
            s.types.insert(format!("types::{}", t.name.text), shape(t));
        }
        for t in &api.root_enums {
            s.types.insert(t.name.text.clone(), shape(t));
        }
        for m in &api.methods {
            s.methods.insert(m.id.clone(), signature(m, "", ""));
        }
        for r in &api.resources {
            for t in &r.enums {
                s.types
                    .insert(format!("{}::{}", r.module.text, t.name.text), shape(t));
            }
            s.add_resource(&r.resource, "", &r.module.text);
        }
        s
    }

    fn add_resource(&mut self, r: &Resource, parent: &str, module: &str) {
        let path = format!("{parent}{}().", r.accessor.text);
        for m in &r.methods {
            self.methods
                .insert(m.id.clone(), signature(m, &path, module));
        }
        for sub in &r.resources {
            self.add_resource(sub, &path, module);
        }
    }
}

fn shape(t: &TypeDef) -> Shape {
    match &t.kind {
        TypeKind::Struct(fields) => Shape::Struct(
            fields
                .iter()
                .map(|f| {
                    let sig = FieldSig {
                        ty: type_text(&f.ty, ""),
                        deprecated: f.deprecated,
                    };
                    (f.name.text.clone(), sig)
                })
                .collect(),
        ),
        TypeKind::Enum(variants) => {
            Shape::Enum(variants.iter().map(|v| v.name.text.clone()).collect())
        }
        TypeKind::Alias(ty) => Shape::Alias(type_text(ty, "")),
    }
}

fn signature(m: &Method, path: &str, module: &str) -> MethodSig {
    let param = |p: &crate::ir::Param| {
        let one = type_text(&p.ty, module);
        let ty = if p.repeated { format!("[{one}]") } else { one };
        (p.name.text.clone(), ty)
    };
    MethodSig {
        call: format!("{path}{}()", m.fn_name.text),
        http: format!("{} {}", m.http_method.as_str(), m.path),
        positional: m.positional.iter().map(param).collect(),
        setters: m.optional.iter().map(param).collect(),
        request: m.request.as_ref().map(|(_, ty)| type_text(ty, module)),
        response: m.response.as_ref().map(|ty| type_text(ty, module)),
        pages: m.paging.is_some(),
        upload: m.media_upload.is_some(),
        download: m.download != Download::None,
        streams: m.streaming.is_some(),
        polls: m.polling.is_some(),
        deprecated: m.deprecated,
    }
}

/// A type as a caller writes it (`Vec<types::File>`); `module` is where
/// parameter enums live.
fn type_text(ty: &Type, module: &str) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Bool => "bool".into(),
        Type::I32 => "i32".into(),
        Type::U32 => "u32".into(),
        Type::I64 { .. } => "i64".into(),
        Type::U64 { .. } => "u64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Any => "serde_json::Value".into(),
        Type::DateTime => "DateTime".into(),
        Type::Duration => "Duration".into(),
        Type::FieldMask => "FieldMask".into(),
        Type::Bytes => "Bytes".into(),
        Type::Named { name, .. } => format!("types::{}", name.text),
        Type::LocalEnum(name) if module.is_empty() => name.text.clone(),
        Type::LocalEnum(name) => format!("{module}::{}", name.text),
        Type::Vec(inner) => format!("Vec<{}>", type_text(inner, module)),
        Type::Map(inner) => format!("BTreeMap<String, {}>", type_text(inner, module)),
        Type::Boxed(inner) => format!("Box<{}>", type_text(inner, module)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: &str, methods: &str) -> RestDescription {
        let json = format!(
            r#"{{"name": "t", "version": "v1", "revision": "1", "rootUrl": "https://t.googleapis.com/",
                "servicePath": "", "schemas": {{{schemas}}},
                "resources": {{"files": {{"methods": {{{methods}}}}}}}}}"#
        );
        gapi_discovery::parse_slice(
            "t.json",
            json.as_bytes(),
            gapi_discovery::Strictness::Lenient,
        )
        .expect("test document parses")
        .doc
    }

    const FILE: &str = r#""File": {"id": "File", "type": "object", "properties": {
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["A", "B"]}}}"#;
    const GET: &str = r#""get": {"id": "t.files.get", "path": "files/{id}", "httpMethod": "GET",
        "parameters": {"id": {"type": "string", "location": "path", "required": true},
                       "q": {"type": "string", "location": "query"}},
        "parameterOrder": ["id"], "response": {"$ref": "File"}}"#;

    fn lines(d: &Diff, impact: Impact) -> Vec<&str> {
        d.of(impact).map(|c| c.what.as_str()).collect()
    }

    #[test]
    fn the_same_document_changes_nothing() {
        let d = diff(&doc(FILE, GET), &doc(FILE, GET));
        assert!(d.changes.is_empty(), "{:?}", d.changes);
        assert_eq!(d.bump(), Bump::Patch);
    }

    #[test]
    fn additions_are_minor() {
        let new_get = GET.replace(
            r#""q": {"#,
            r#""pageSize": {"type": "integer", "format": "int32", "location": "query"}, "q": {"#,
        );
        let list = r#", "list": {"id": "t.files.list", "path": "files", "httpMethod": "GET"}"#;
        let more = format!(r#"{FILE}, "Label": {{"id": "Label", "type": "object"}}"#);
        let d = diff(&doc(FILE, GET), &doc(&more, &format!("{new_get}{list}")));
        assert_eq!(
            lines(&d, Impact::Addition),
            [
                "files().get(): setter `page_size(i32)`",
                "method files().list() (t.files.list)",
                "struct types::Label",
            ]
        );
        assert_eq!(d.bump(), Bump::Minor);
    }

    #[test]
    fn removals_and_retyping_break() {
        let old = doc(FILE, GET);
        let file = FILE
            .replace(
                r#""name": {"type": "string"}"#,
                r#""name": {"type": "integer", "format": "int32"}"#,
            )
            .replace(r#"["A", "B"]"#, r#"["A", "C"]"#);
        let get = GET
            .replace(
                r#""parameterOrder": ["id"]"#,
                r#""parameterOrder": ["id", "v"]"#,
            )
            .replace(
                r#""q": {"type": "string", "location": "query"}"#,
                r#""v": {"type": "string", "location": "query", "required": true}"#,
            );
        let d = diff(&old, &doc(&file, &get));
        assert_eq!(
            lines(&d, Impact::Breaking),
            [
                "files().get(): arguments (id: String) → (id: String, v: String)",
                "files().get(): setter `q` removed",
                "types::File: field `name` is i32 (was String)",
                "types::FileKind: variant `B` removed",
            ]
        );
        // Enums are non-exhaustive: a new value is an addition.
        assert!(lines(&d, Impact::Addition).contains(&"types::FileKind: variant `C` added"));
        assert!(lines(&d, Impact::Exhaustive).is_empty());
        assert_eq!(d.bump(), Bump::Major);
        let text = d.render(None);
        assert!(
            text.starts_with("t:v1: revision 1 → 1\nsemver: major: 4 breaking"),
            "{text}"
        );
    }

    #[test]
    fn a_new_field_is_minor_for_non_exhaustive_structs_only() {
        let file = FILE.replace(
            r#""name": {"type": "string"}"#,
            r#""name": {"type": "string"}, "size": {"type": "string", "format": "int64"}"#,
        );
        let d = diff(&doc(FILE, GET), &doc(&file, GET));
        assert_eq!(
            lines(&d, Impact::Addition),
            ["types::File: field `size: Option<i64>` added"]
        );
        assert_eq!(d.changes[0].kind, Kind::NewField);
        assert_eq!(d.bump(), Bump::Minor);
        // Had structs been exhaustive, a struct literal without
        // `..Default::default()` would break: major by Rust's rules.
        let exhaustive = Policy {
            non_exhaustive_enums: true,
            non_exhaustive_structs: false,
        };
        assert_eq!(d.bump_under(exhaustive), Bump::Major);
        let totals = Totals::of([&d]);
        assert_eq!(totals.count(Kind::NewField), (1, 1));
        assert_eq!(totals.releases[0], ("all exhaustive", 1, 0, 0));
        assert_eq!(
            totals.releases[3],
            ("non-exhaustive enums and structs", 0, 1, 0)
        );
    }

    #[test]
    fn boxing_follows_the_field_not_the_size_of_what_it_holds() {
        // `Small` grows from one field to forty between the revisions; the
        // field holding it is boxed in both.
        let small = |n: usize| {
            let props: Vec<String> = (0..n)
                .map(|i| format!(r#""f{i}": {{"type": "string"}}"#))
                .collect();
            format!(
                r#"{FILE}, "Small": {{"id": "Small", "type": "object", "properties": {{{}}}}},
                   "Holder": {{"id": "Holder", "type": "object", "properties": {{"small": {{"$ref": "Small"}}}}}}"#,
                props.join(", ")
            )
        };
        let d = diff(&doc(&small(1), GET), &doc(&small(40), GET));
        assert_eq!(
            Totals::of([&d]).count(Kind::Boxing),
            (0, 0),
            "{:?}",
            d.changes
        );
        assert_eq!(d.bump(), Bump::Minor);
    }
}
