//! A faithful, typed model of Google API discovery documents.
//!
//! - [`model`]: the serde model ([`RestDescription`] and friends), lossless
//!   over Google's whole catalog.
//! - [`load`]: parsing with errors that name the file and JSON path, and a
//!   strict mode that rejects fields the model does not know.
//! - [`validate`](mod@validate): semantic checks (dangling `$ref`, unbound path variables, …).
//! - [`pinned`]: the hash-pinned document set and its cache.
//! - `sync` / `fetch` (feature `remote`): fill the cache from PyPI, or from the
//!   live Discovery Service.
#![deny(missing_docs)]

pub mod load;
pub mod model;
pub mod pinned;
pub mod validate;

#[cfg(feature = "remote")]
pub mod fetch;
#[cfg(feature = "remote")]
mod http;
#[cfg(feature = "remote")]
pub mod sync;

pub use load::{parse_file, parse_slice, ParseError, Parsed, Strictness};
pub use model::{
    HttpMethod, Method, ParameterLocation, Resource, RestDescription, Schema, SchemaType,
};
pub use validate::{validate, Problem, ProblemKind};
