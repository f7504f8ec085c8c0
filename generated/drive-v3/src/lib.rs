#![doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
//! # Example
//!
//! ```no_run
//! use gapi_drive_v3::auth::StaticToken;
//! # async fn run() -> Result<(), gapi_drive_v3::Error> {
//! let drive = gapi_drive_v3::build(StaticToken::new("ya29.token"));
//! let list = drive.files().list().order_by("modifiedByMeTime desc").page_size(5).execute().await?;
//! for file in list.files.unwrap_or_default() {
//!     println!("{} {}", file.id.unwrap_or_default(), file.name.unwrap_or_default());
//! }
//! let file = drive.files().get("FILE_ID").fields("id,name").execute().await?;
//! # let _ = file;
//! # Ok(()) }
//! ```
// Doc comments carry Google's prose; see gapi_codegen::scaffold::PROSE_ALLOW.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
include!(concat!(env!("OUT_DIR"), "/lib.rs"));
