//! `gapi-codegen release`: a publishable package per API, with the client's
//! sources generated, formatted and written out, so a user's build compiles
//! no generator (no gapi-codegen, gapi-discovery, prettyplease, zip or sha2
//! in their tree).
//!
//! A package (`OUT/gapi-drive-v3/`) holds:
//! - `Cargo.toml`: version `MAJOR.MINOR.PATCH+REVISION`, crates.io and
//!   docs.rs metadata, one feature per top-level resource;
//! - `README.md` (also the crate's root docs: its example is a doc test)
//!   and `examples/quickstart.rs`, the same program;
//! - `CHANGELOG.md`, an entry per release written from the diff;
//! - `src/`: the generated sources, plus any hand-written modules of the
//!   workspace's build-time crate of the same API (Gemini's `extras.rs`);
//! - the pinned document, and `gapi-release.json`: the release's version,
//!   the document's sha256, and the surface its callers see, which the
//!   next release is diffed against ([`version`]).

pub mod readme;
pub mod version;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gapi_discovery::Strictness;
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::diff::{Bump, Surface};
use crate::scaffold::{self, GapiDeps};
use crate::selection::Selection;
use crate::Error;

/// crates.io refuses a `.crate` file larger than this.
pub const CRATES_IO_LIMIT: u64 = 10 * 1024 * 1024;

/// The file a package records its release in.
pub const RELEASE_FILE: &str = "gapi-release.json";

/// How to release.
#[derive(Debug, Clone)]
pub struct Options {
    /// Directory of documents.
    pub dir: PathBuf,
    /// Where packages are written (`OUT/gapi-drive-v3/`).
    pub out: PathBuf,
    /// The previous release's packages (default: `out`, so that one
    /// directory carries a crate from release to release).
    pub previous: Option<PathBuf>,
    /// Where a package takes gapi-runtime and gapi-auth (the example's
    /// dev-dependency) from.
    pub deps: GapiDeps,
    /// `generated/` of a gapi checkout: hand-written modules beside the
    /// build-time crates there are carried into the packages.
    pub extras: Option<PathBuf>,
    /// `repository` in the packages' metadata.
    pub repository: Option<String>,
}

/// What happened to one crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// No earlier release.
    First,
    /// A new version; the size of the step.
    Bumped(Bump),
    /// Nothing changed since the previous release (same document, same
    /// sources): the package there is kept.
    Unchanged,
}

/// One crate's release.
#[derive(Debug, Clone)]
pub struct Released {
    /// `gapi-drive-v3`.
    pub package: String,
    /// The documents it came from (two for an alias pair).
    pub documents: Vec<String>,
    /// Its version.
    pub version: Version,
    /// The previous version, if any.
    pub previous: Option<Version>,
    /// First, bumped or unchanged.
    pub status: Status,
    /// Breaking changes and additions since the previous release.
    pub breaking: usize,
    /// Additions since the previous release.
    pub added: usize,
    /// The package's files, gzip-compressed together (about the size of
    /// the `.crate` file cargo uploads).
    pub compressed: u64,
    /// Bytes of its files.
    pub bytes: u64,
    /// Where it was written.
    pub dir: PathBuf,
}

/// The record of a release, kept in the package for the next one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Package name.
    pub package: String,
    /// Its version (with build metadata).
    pub version: String,
    /// The document's file name in the package.
    pub document: String,
    /// The document's sha256.
    pub document_sha256: String,
    /// sha256 of the generated sources.
    pub source_sha256: String,
    /// The gapi-runtime requirement.
    pub runtime: String,
    /// The version of gapi-codegen that generated it.
    pub generator: String,
    /// What callers of this release see.
    pub surface: Surface,
}

/// The outcome of a run: every crate released, and the documents that
/// failed (with why).
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by package name.
    pub released: Vec<Released>,
    /// `(document, error)`.
    pub failed: Vec<(String, String)>,
}

impl Report {
    /// The largest package by compressed size.
    #[must_use]
    pub fn largest(&self) -> Option<&Released> {
        self.released.iter().max_by_key(|r| r.compressed)
    }
}

/// Writes a package for every selected document; `progress` sees each as
/// it is done (in no particular order).
///
/// # Errors
/// When the document directory cannot be read or a selected name is not
/// in it. A document that fails to generate is in [`Report::failed`].
pub fn release(
    selection: &Selection,
    options: &Options,
    progress: impl Fn(&Released) + Sync,
) -> Result<Report, Error> {
    let stems = crate::selection::select(&options.dir, selection)?;
    let groups = group_aliases(&options.dir, &stems)?;
    std::fs::create_dir_all(&options.out).map_err(|e| Error::io(&options.out, e))?;
    let report = Mutex::new(Report::default());
    let items: Vec<(&String, &Vec<String>)> = groups.iter().collect();
    crate::selection::par_for_each(&items, |(package, stems)| {
        let outcome = release_one(package, stems, options);
        let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(released) => {
                progress(&released);
                r.released.push(released);
            }
            Err(error) => r.failed.push((stems.join(", "), error.to_string())),
        }
    });
    let mut report = report.into_inner().unwrap_or_else(|e| e.into_inner());
    report.released.sort_by(|a, b| a.package.cmp(&b.package));
    report.failed.sort();
    Ok(report)
}

/// Documents by the package they make. Aliases (`admin.directory_v1` and
/// `admin.directoryv1`: one API under two file names) make one package;
/// two different documents that would make one package are an error.
fn group_aliases(dir: &Path, stems: &[String]) -> Result<BTreeMap<String, Vec<String>>, Error> {
    // Per package: (is the file named `{name}.{version}`, stem, sha256).
    let mut groups: BTreeMap<String, Vec<(bool, String, String)>> = BTreeMap::new();
    for stem in stems {
        let path = dir.join(format!("{stem}.json"));
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let header: NameVersion =
            serde_json::from_slice(&bytes).map_err(|e| Error::document(&path, e))?;
        let package = scaffold::crate_name(&header.name, &header.version);
        let canonical = *stem == format!("{}.{}", header.name, header.version);
        groups.entry(package).or_default().push((
            canonical,
            stem.clone(),
            gapi_discovery::pinned::sha256_hex(&bytes),
        ));
    }
    let mut out = BTreeMap::new();
    for (package, mut docs) in groups {
        if docs.iter().any(|(_, _, sha)| *sha != docs[0].2) {
            let names: Vec<&str> = docs.iter().map(|(_, s, _)| s.as_str()).collect();
            return Err(Error::invalid(format!(
                "{} are different documents that would both be released as {package}",
                names.join(" and ")
            )));
        }
        // The file named as the document names itself first.
        docs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        out.insert(package, docs.into_iter().map(|(_, s, _)| s).collect());
    }
    Ok(out)
}

#[derive(Deserialize)]
struct NameVersion {
    name: String,
    version: String,
}

/// The files of one package, by path relative to its directory.
pub type Files = BTreeMap<String, Vec<u8>>;

fn release_one(package: &str, stems: &[String], options: &Options) -> Result<Released, Error> {
    let built = build(package, stems, options)?;
    let out = options.out.join(package);
    match built.files {
        Some(files) => {
            write_package(&out, &files)?;
            Ok(Released {
                dir: out,
                ..built.released
            })
        }
        None => keep_unchanged(built.released, &built.previous_dir, &out),
    }
}

/// A package, built in memory.
#[derive(Debug)]
pub struct Package {
    /// What it is.
    pub released: Released,
    /// Its files by relative path; `None` when it is unchanged since the
    /// previous release (whose package is then kept).
    pub files: Option<Files>,
    /// Where the previous release was looked for.
    pub previous_dir: PathBuf,
}

/// Builds the package of the document `stem` on its own (no alias
/// grouping): what `catalog check` compiles.
///
/// # Errors
/// As [`release`] for one document.
pub fn build_document(stem: &str, options: &Options) -> Result<Package, Error> {
    let path = options.dir.join(format!("{stem}.json"));
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let header: NameVersion =
        serde_json::from_slice(&bytes).map_err(|e| Error::document(&path, e))?;
    let package = scaffold::crate_name(&header.name, &header.version);
    build(&package, &[stem.to_string()], options)
}

fn build(package: &str, stems: &[String], options: &Options) -> Result<Package, Error> {
    let stem = &stems[0];
    let path = options.dir.join(format!("{stem}.json"));
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let parsed =
        gapi_discovery::parse_slice(&path.display().to_string(), &bytes, Strictness::Lenient)
            .map_err(|e| Error::document(&path, e))?;
    let (api, output) = crate::generate_checked(&parsed.doc)?;
    let sources = sources(package, &output, options)?;
    let record = Record {
        package: package.to_string(),
        version: String::new(),
        document: scaffold::document_file(&parsed.doc.name, &parsed.doc.version),
        document_sha256: gapi_discovery::pinned::sha256_hex(&bytes),
        source_sha256: hash_files(&sources),
        runtime: runtime_requirement(&options.deps),
        generator: scaffold::GAPI_VERSION.to_string(),
        surface: Surface::of(&api),
    };
    let previous_dir = options
        .previous
        .as_deref()
        .unwrap_or(&options.out)
        .join(package);
    let previous = read_record(&previous_dir)?;
    let next = match next_version(&api, &record, previous.as_ref(), &previous_dir)? {
        Next::Unchanged(version) => {
            return Ok(Package {
                released: Released {
                    package: package.to_string(),
                    documents: stems.to_vec(),
                    version: version.clone(),
                    previous: Some(version),
                    status: Status::Unchanged,
                    breaking: 0,
                    added: 0,
                    compressed: 0,
                    bytes: 0,
                    dir: previous_dir.clone(),
                },
                files: None,
                previous_dir,
            })
        }
        Next::Release(next) => next,
    };
    let earlier = std::fs::read_to_string(previous_dir.join("CHANGELOG.md")).ok();
    let record = Record {
        version: next.version.to_string(),
        ..record
    };
    let mut files = sources;
    add_package_files(
        &mut files,
        &api,
        &output,
        &record,
        &next,
        earlier.as_deref(),
        options,
    )?;
    files.insert(record.document.clone(), bytes);
    Ok(Package {
        released: Released {
            package: package.to_string(),
            documents: stems.to_vec(),
            version: next.version,
            previous: previous.and_then(|p| Version::parse(&p.version).ok()),
            status: next.status,
            breaking: next.breaking,
            added: next.added,
            compressed: compressed_size(&files),
            bytes: files.values().map(|b| b.len() as u64).sum(),
            dir: options.out.join(package),
        },
        files: Some(files),
        previous_dir,
    })
}

/// The package's sources: the generated files, and the hand-written
/// modules of its workspace crate (`lib.rs` declares them).
fn sources(package: &str, output: &crate::Output, options: &Options) -> Result<Files, Error> {
    let mut sources = Files::new();
    let mut hand_written = Vec::new();
    if let Some(extras) = &options.extras {
        let folder = extras.join(package.trim_start_matches("gapi-")).join("src");
        // Declared as the workspace crate's lib.rs declares them (`pub mod
        // chat;` for a public module, with its `#[cfg]`), else private.
        let workspace_lib = std::fs::read_to_string(folder.join("lib.rs")).unwrap_or_default();
        for (name, text) in hand_written_modules(&folder)? {
            let module = name.trim_end_matches(".rs").to_string();
            let declaration = declaration_of(&workspace_lib, &module);
            hand_written.push(declaration);
            sources.insert(format!("src/{name}"), text.into_bytes());
        }
    }
    for (name, source) in &output.files {
        let text = if name == "lib.rs" {
            lib_rs(source, &hand_written)
        } else {
            source.clone()
        };
        sources.insert(format!("src/{name}"), text.into_bytes());
    }
    Ok(sources)
}

/// What this release is, after the previous one.
enum Next {
    /// Nothing a caller could see changed, nor the document or sources:
    /// the package keeps this version.
    Unchanged(Version),
    /// A new version.
    Release(NextRelease),
}

struct NextRelease {
    version: Version,
    status: Status,
    /// Its CHANGELOG entry.
    entry: String,
    breaking: usize,
    added: usize,
}

/// The version after `previous` (none: the first release) for a package
/// now described by `record`: major when callers break (or the runtime
/// requirement changes incompatibly), minor for additions, patch otherwise.
fn next_version(
    api: &crate::ir::Api,
    record: &Record,
    previous: Option<&Record>,
    previous_dir: &Path,
) -> Result<Next, Error> {
    let Some(prev) = previous else {
        let version = version::with_revision(&version::FIRST, &api.revision);
        let entry = version::first_entry(&version, &api.revision);
        return Ok(Next::Release(NextRelease {
            version,
            status: Status::First,
            entry,
            breaking: 0,
            added: 0,
        }));
    };
    let prev_version = Version::parse(&prev.version).map_err(|e| {
        Error::invalid(format!(
            "{}: version {}: {e}",
            previous_dir.display(),
            prev.version
        ))
    })?;
    let diff = crate::diff::compare(&prev.surface, &record.surface);
    let mut reasons = version::Reasons::default();
    if !compatible_requirements(&prev.runtime, &record.runtime) {
        reasons.runtime = Some((prev.runtime.clone(), record.runtime.clone()));
    }
    let bump = if reasons.runtime.is_some() {
        Bump::Major
    } else {
        diff.bump()
    };
    if bump == Bump::Patch
        && prev.document_sha256 == record.document_sha256
        && prev.source_sha256 == record.source_sha256
        && prev.runtime == record.runtime
    {
        return Ok(Next::Unchanged(prev_version));
    }
    let version = version::with_revision(&version::next(&prev_version, bump), &api.revision);
    Ok(Next::Release(NextRelease {
        entry: version::changelog_entry(&version, &diff, bump, &reasons),
        version,
        status: Status::Bumped(bump),
        breaking: diff.of(crate::diff::Impact::Breaking).count()
            + diff.of(crate::diff::Impact::Exhaustive).count(),
        added: diff.of(crate::diff::Impact::Addition).count(),
    }))
}

/// The README, the example, the CHANGELOG (`earlier` is the previous one),
/// `Cargo.toml` and the release record, added to `files`.
fn add_package_files(
    files: &mut Files,
    api: &crate::ir::Api,
    output: &crate::Output,
    record: &Record,
    next: &NextRelease,
    earlier: Option<&str>,
    options: &Options,
) -> Result<(), Error> {
    let package = record.package.as_str();
    let registry_flag = match &options.deps {
        GapiDeps::Registry { name, .. } => format!("--registry {name}"),
        _ => String::new(),
    };
    let readme = readme::readme(
        api,
        &readme::ReadmeInput {
            package,
            version: &record.version,
            registry_flag: &registry_flag,
        },
    );
    let lib = package.replace('-', "_");
    files.insert(
        "examples/quickstart.rs".into(),
        format!(
            "//! The README's example: `cargo run --example quickstart`.\n\n{}",
            readme::example(api, &lib)
        )
        .into_bytes(),
    );
    files.insert("README.md".into(), readme.into_bytes());
    files.insert(
        "CHANGELOG.md".into(),
        version::changelog(package, &next.entry, earlier).into_bytes(),
    );
    let example_feature = readme::pick_example(api).and_then(|call| {
        let top = call.path.first()?;
        api.resources
            .iter()
            .find(|r| format!("{}()", r.resource.accessor.source()) == *top)?
            .feature
            .clone()
    });
    files.insert(
        "Cargo.toml".into(),
        cargo_toml(
            api,
            package,
            &next.version,
            &output.features,
            example_feature.as_deref(),
            options,
            &record.document,
        )
        .into_bytes(),
    );
    files.insert(
        RELEASE_FILE.into(),
        serde_json::to_vec(record).map_err(|e| Error::invalid(e.to_string()))?,
    );
    Ok(())
}

/// An unchanged crate stays as it was released; when the previous release
/// is in another directory, it is copied to `out`.
fn keep_unchanged(mut released: Released, from: &Path, to: &Path) -> Result<Released, Error> {
    let files = read_tree(from)?;
    released.compressed = compressed_size(&files);
    released.bytes = files.values().map(|b| b.len() as u64).sum();
    if std::path::absolute(from).ok() != std::path::absolute(to).ok() {
        write_package(to, &files)?;
    }
    released.dir = to.to_path_buf();
    Ok(released)
}

/// The `.rs` files beside `lib.rs` in a build-time crate's `src/`: modules
/// written by hand, carried into the package.
fn hand_written_modules(src: &Path) -> Result<Vec<(String, String)>, Error> {
    let Ok(entries) = std::fs::read_dir(src) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") && name != "lib.rs" {
            let text =
                std::fs::read_to_string(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

/// How `lib` declares `module`: the `mod` line with the attribute lines
/// above it (`#[cfg(feature = "models")]` / `pub mod chat;`); `mod
/// {module};` when it is not declared there.
fn declaration_of(lib: &str, module: &str) -> String {
    let lines: Vec<&str> = lib.lines().map(str::trim).collect();
    let Some(at) = lines
        .iter()
        .position(|l| !l.starts_with("//") && l.ends_with(&format!("mod {module};")))
    else {
        return format!("mod {module};");
    };
    let first = lines[..at]
        .iter()
        .rposition(|l| !l.starts_with("#["))
        .map_or(0, |i| i + 1);
    lines[first..=at].join("\n")
}

/// The package's `lib.rs`: the generated one, with the README as the
/// crate's documentation and the hand-written modules declared
/// (`declarations`: `mod extras;`, `#[cfg(…)] pub mod chat;`).
fn lib_rs(generated: &str, declarations: &[String]) -> String {
    let (header, body) = generated.split_once("\n\n").unwrap_or(("", generated));
    // docs.rs builds with nightly and `--cfg docsrs` (the package's
    // metadata): feature badges on gated items need `doc_cfg` there.
    let mut out = format!(
        "{header}\n\n#![doc = include_str!(\"../README.md\")]\n#![cfg_attr(docsrs, feature(doc_cfg))]\n\n{body}"
    );
    for declaration in declarations {
        out.push_str(&format!("\n{declaration}\n"));
    }
    out
}

/// The version requirement a package puts on gapi-runtime.
fn runtime_requirement(deps: &GapiDeps) -> String {
    match deps {
        GapiDeps::Version(v) | GapiDeps::Registry { version: v, .. } => v.clone(),
        _ => scaffold::GAPI_VERSION.to_string(),
    }
}

/// Whether every version `old` accepts, `new` accepts too (same major, or
/// same minor below 1.0): the types a crate re-exports stay the same.
fn compatible_requirements(old: &str, new: &str) -> bool {
    let key = |r: &str| {
        let v = Version::parse(r.trim_start_matches(['^', '=', '~']))
            .or_else(|_| Version::parse(&format!("{}.0", r.trim_start_matches(['^', '=', '~']))));
        v.map(|v| {
            if v.major == 0 {
                (0, v.minor)
            } else {
                (v.major, 0)
            }
        })
        .ok()
    };
    key(old).is_some() && key(old) == key(new)
}

fn read_record(dir: &Path) -> Result<Option<Record>, Error> {
    let path = dir.join(RELEASE_FILE);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))
}

fn cargo_toml(
    api: &crate::ir::Api,
    package: &str,
    version: &Version,
    features: &[String],
    example_feature: Option<&str>,
    options: &Options,
    document: &str,
) -> String {
    let title = api.title.trim();
    let mut out = format!(
        "# Written by `gapi-codegen release`: generated sources, regenerate rather than edit.\n\
         [package]\nname = {}\nversion = {}\nedition = \"2021\"\nrust-version = {}\n\
         description = {}\nlicense = \"Apache-2.0\"\nreadme = \"README.md\"\n\
         documentation = {}\n",
        toml_str(package),
        toml_str(&version.to_string()),
        toml_str(crate::scaffold::RUST_VERSION),
        toml_str(&format!(
            "Typed async Rust client for {title} {} (discovery revision {}), generated by gapi.",
            api.version, api.revision
        )),
        toml_str(&format!("https://docs.rs/{package}")),
    );
    if let Some(link) = &api.documentation_link {
        out.push_str(&format!("homepage = {}\n", toml_str(link)));
    }
    if let Some(repository) = &options.repository {
        out.push_str(&format!("repository = {}\n", toml_str(repository)));
    }
    out.push_str(&format!(
        "keywords = [{}]\ncategories = [\"api-bindings\", \"web-programming::http-client\"]\n\
         # The document is carried for the next release's diff and for regeneration.\n\
         include = [\"/src/**\", \"/examples/**\", \"/Cargo.toml\", \"/README.md\", \"/CHANGELOG.md\", \"/{RELEASE_FILE}\", \"/{document}\"]\n\n\
         [package.metadata.docs.rs]\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n\n",
        scaffold::keywords(api)
    ));
    out.push_str(&scaffold::features_toml(features));
    out.push_str(&format!(
        "\n[dependencies]\ngapi-runtime = {}\n\n\
         # The README's example (a doc test, and examples/quickstart.rs).\n\
         [dev-dependencies]\ngapi-auth = {}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n",
        options.deps.dependency("gapi-runtime", true),
        options.deps.dependency("gapi-auth", true),
    ));
    if let Some(feature) = example_feature {
        out.push_str(&format!(
            "\n[[example]]\nname = \"quickstart\"\nrequired-features = [{}]\n",
            toml_str(feature)
        ));
    }
    out
}

/// A TOML basic string.
fn toml_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hash_files(files: &Files) -> String {
    let mut all = Vec::new();
    for (name, bytes) in files {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        all.extend_from_slice(bytes);
    }
    gapi_discovery::pinned::sha256_hex(&all)
}

/// The files compressed together with gzip, as `cargo package` does
/// (it adds a tar header of 512 bytes per file, which compresses to
/// almost nothing).
fn compressed_size(files: &Files) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for bytes in files.values() {
        let _ = encoder.write_all(bytes);
    }
    encoder.finish().map_or(0, |v| v.len() as u64)
}

/// Replaces `dir` with exactly `files`: written beside it as `.NAME.new`,
/// then swapped in by two renames, so no run leaves a package half written
/// (an interruption between the renames leaves the old one as `.NAME.old`).
///
/// # Errors
/// Naming the file or directory that could not be written.
pub fn write_package(dir: &Path, files: &Files) -> Result<(), Error> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.new"));
    let _ = std::fs::remove_dir_all(&staging);
    for (path, bytes) in files {
        let file = staging.join(path);
        if let Some(p) = file.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
        }
        std::fs::write(&file, bytes).map_err(|e| Error::io(&file, e))?;
    }
    let old = parent.join(format!(".{name}.old"));
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::rename(&staging, dir).map_err(|e| Error::io(dir, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Every file under `dir`, by relative path.
fn read_tree(dir: &Path) -> Result<Files, Error> {
    fn walk(root: &Path, dir: &Path, out: &mut Files) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                let rel = path
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                out.insert(rel, bytes);
            }
        }
        Ok(())
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::declaration_of;

    #[test]
    fn hand_written_modules_keep_their_visibility_and_cfg() {
        let lib = "include!(x);\nmod extras;\n#[cfg(feature = \"models\")]\npub mod chat;\n";
        assert_eq!(declaration_of(lib, "extras"), "mod extras;");
        assert_eq!(
            declaration_of(lib, "chat"),
            "#[cfg(feature = \"models\")]\npub mod chat;"
        );
        assert_eq!(declaration_of(lib, "other"), "mod other;");
    }
}
