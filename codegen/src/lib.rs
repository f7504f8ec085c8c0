//! gapi-codegen: discovery documents → typed Rust clients.
#![deny(missing_docs)]

pub mod catalog;
