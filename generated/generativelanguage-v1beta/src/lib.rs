#![doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
//! # Example
//!
//! ```no_run
//! use gapi_runtime::futures_util::TryStreamExt;
//! use gapi_generativelanguage_v1beta::auth::ApiKey;
//! # async fn run() -> Result<(), gapi_generativelanguage_v1beta::Error> {
//! let gemini = gapi_generativelanguage_v1beta::build(ApiKey::new("AIza..."));
//! let page = gemini.models().list().page_size(50).execute().await?;
//! println!("{} models on the first page", page.models.unwrap_or_default().len());
//! // Or every model of every page, lazily:
//! let all: Vec<_> = gemini.models().list().items().try_collect().await?;
//! # let _ = all;
//! # Ok(()) }
//! ```
// Doc comments carry Google's prose; see gapi_codegen::scaffold::PROSE_ALLOW.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
include!(concat!(env!("OUT_DIR"), "/lib.rs"));
#[cfg(feature = "models")]
pub mod chat;
mod extras;
