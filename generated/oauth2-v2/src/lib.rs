#![doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
//! # Example
//!
//! ```no_run
//! use gapi_oauth2_v2::auth::StaticToken;
//! # async fn run() -> Result<(), gapi_oauth2_v2::Error> {
//! let oauth2 = gapi_oauth2_v2::build(StaticToken::new("ya29.token"));
//! let me = oauth2.userinfo().get().execute().await?;
//! println!("{:?} <{:?}>", me.name, me.email);
//! # Ok(()) }
//! ```
// Doc comments carry Google's prose; see gapi_codegen::scaffold::PROSE_ALLOW.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
include!(concat!(env!("OUT_DIR"), "/lib.rs"));
