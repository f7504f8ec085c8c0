#![doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
// Doc comments carry Google's prose; see gapi_codegen::scaffold::PROSE_ALLOW.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
include!(concat!(env!("OUT_DIR"), "/lib.rs"));
