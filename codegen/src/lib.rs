//! gapi-codegen: discovery documents → typed Rust client crates.
//!
//! Three stages, each with one job:
//! 1. [`lower`]: discovery model → [`ir::Api`], where every name and Rust type
//!    is decided (rules in [`names`]);
//! 2. [`emit`]: IR → tokens, printing only;
//! 3. [`format`](mod@format): tokens → source, with a `@generated` header.
//!
//! [`Generator`] runs them; build scripts call [`build_script`]. The same input
//! always gives byte-identical output.
//!
//! Features: `format` (syn + prettyplease) formats output meant for people;
//! `release` writes publishable packages; `cli` adds the `gapi-codegen`
//! binary, whose subcommands, whole-catalog compile driver and fuzz
//! supervisor live in the binary, not here. Build scripts use none of them,
//! so a user's build compiles no formatter and no network code.
#![deny(missing_docs)]

pub mod build;
#[cfg(feature = "format")]
pub mod catalog;
pub mod diff;
pub mod docs;
pub mod emit;
mod error;
pub mod features;
pub mod format;
pub mod ir;
pub mod lower;
pub mod names;
mod operations;
#[cfg(feature = "release")]
pub mod release;
#[cfg(feature = "format")]
pub mod rng;
pub mod scaffold;
#[cfg(feature = "release")]
pub mod selection;
pub mod spec;
pub mod stability;
#[cfg(feature = "format")]
pub mod write;

pub use build::build_script;
pub use emit::Layout;
pub use error::Error;

use gapi_discovery::RestDescription;

/// Generated source files of one API.
#[derive(Debug, Clone)]
pub struct Output {
    /// `(file name, source)`, `lib.rs` first.
    pub files: Vec<(String, String)>,
    /// Cargo features, one per top-level resource (empty unless enabled).
    pub features: Vec<String>,
    /// Non-fatal problems (e.g. a dangling `$ref` typed as a JSON value).
    pub warnings: Vec<String>,
    /// The crate documentation (markdown).
    pub readme: String,
}

/// What a crate of the catalog is made of: `doc` lowered with one Cargo
/// feature per top-level resource, checked so that each feature compiles
/// alone ([`features::check`]), and emitted as formatted files. `release`
/// and `catalog generate` both start here.
///
/// # Errors
/// The first feature breach (and how many there are), or a generator bug
/// (tokens that do not parse).
#[cfg(feature = "format")]
pub fn generate_checked(doc: &RestDescription) -> Result<(ir::Api, Output), Error> {
    let api = Generator::new(doc).with_resource_features(true).lower();
    let breaches = features::check(&api);
    if let Some(first) = breaches.first() {
        return Err(Error::FeatureBreach {
            count: breaches.len(),
            first: first.to_string(),
        });
    }
    let output = Generator::generate_from(&api, Layout::Files)?;
    Ok((api, output))
}

/// Settings for one generation.
#[derive(Debug, Clone)]
pub struct Generator<'a> {
    doc: &'a RestDescription,
    layout: Layout,
    resource_features: bool,
}

impl<'a> Generator<'a> {
    /// A generator for `doc` with default settings (files layout, no features).
    pub fn new(doc: &'a RestDescription) -> Self {
        Generator {
            doc,
            layout: Layout::Files,
            resource_features: false,
        }
    }

    /// How `lib.rs` reaches the other files.
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Gates each top-level resource (and the types only it uses) behind a
    /// Cargo feature of the same name.
    pub fn with_resource_features(mut self, on: bool) -> Self {
        self.resource_features = on;
        self
    }

    /// The IR, for tools and tests.
    pub fn lower(&self) -> ir::Api {
        lower::lower(self.doc, self.resource_features)
    }

    /// Runs all three stages, formatting the source for people.
    ///
    /// # Errors
    /// Only on a generator bug (tokens that do not parse), naming the file.
    #[cfg(feature = "format")]
    pub fn generate(&self) -> Result<Output, format::FormatError> {
        Self::generate_from(&self.lower(), self.layout)
    }

    /// Emits and formats an IR already lowered (by [`Generator::lower`]),
    /// for callers that need the IR too: each document is lowered once.
    ///
    /// # Errors
    /// As [`Generator::generate`].
    #[cfg(feature = "format")]
    pub fn generate_from(api: &ir::Api, layout: Layout) -> Result<Output, format::FormatError> {
        let mut files = Vec::new();
        for file in emit::emit(api, layout) {
            let source = format::format_file(&file.name, file.tokens, &api.id, &api.revision)?;
            files.push((file.name, source));
        }
        Ok(Self::output(api, files))
    }

    /// Runs all three stages without formatting: the source is for the
    /// compiler only (what build scripts write to `OUT_DIR`).
    pub fn generate_unformatted(&self) -> Output {
        let api = self.lower();
        let files = emit::emit(&api, self.layout)
            .into_iter()
            .map(|file| {
                let source = format::plain_file(&file.tokens, &api.id, &api.revision);
                (file.name, source)
            })
            .collect();
        Self::output(&api, files)
    }

    fn output(api: &ir::Api, files: Vec<(String, String)>) -> Output {
        Output {
            files,
            features: api
                .resources
                .iter()
                .filter_map(|r| r.feature.clone())
                .collect(),
            warnings: api.warnings.clone(),
            readme: scaffold::crate_docs(api),
        }
    }
}
