#![doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
//! # Example
//!
//! ```no_run
//! use gapi_bigquery_v2::{auth::StaticToken, types::QueryRequest};
//! # async fn run() -> Result<(), gapi_bigquery_v2::Error> {
//! let bigquery = gapi_bigquery_v2::build(StaticToken::new("ya29.token"));
//! let sql = "SELECT 1 AS one";
//! let rows = bigquery
//!     .jobs()
//!     .query("my-project", QueryRequest::default().with_query(sql).with_use_legacy_sql(false))
//!     .execute()
//!     .await?;
//! println!("{:?} rows", rows.total_rows);
//! # Ok(()) }
//! ```
// Doc comments carry Google's prose; see gapi_codegen::scaffold::PROSE_ALLOW.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
include!(concat!(env!("OUT_DIR"), "/lib.rs"));
