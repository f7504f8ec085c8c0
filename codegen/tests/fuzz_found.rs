//! Inputs the fuzzer (`gapi-codegen fuzz`) found, cut down by hand to the
//! smallest document that showed each problem. Each must now generate
//! Rust that parses, with feature gates that hold.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_codegen::{features, Generator, Layout};

fn generate(schemas: &str, response: &str) -> (Vec<String>, String) {
    let json = format!(
        r#"{{"name": "t", "version": "v1", "rootUrl": "https://t.googleapis.com/", "servicePath": "",
            "schemas": {{{schemas}}},
            "resources": {{"r": {{"methods": {{"get": {{"id": "t.r.get", "path": "r",
                "httpMethod": "GET", "response": {{"$ref": "{response}"}}}}}}}}}}}}"#
    );
    let doc = gapi_discovery::parse_slice(
        "t.json",
        json.as_bytes(),
        gapi_discovery::Strictness::Lenient,
    )
    .expect("parses")
    .doc;
    let api = Generator::new(&doc).with_resource_features(true).lower();
    assert_eq!(features::check(&api), Vec::<String>::new());
    let out = Generator::generate_from(&api, Layout::Files).expect("generated source parses");
    let types = out
        .files
        .iter()
        .find(|(name, _)| name == "types.rs")
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    (api.warnings, types)
}

/// doubleclicksearch v2 with `"ReportRequest": {"$ref": "ReportRequest"}`
/// overflowed the stack (sizing a self-referring alias); `type A = A;`
/// would not compile either.
#[test]
fn a_schema_that_is_a_ref_to_itself() {
    let (warnings, types) = generate(
        r#""A": {"$ref": "A"}, "B": {"id": "B", "type": "object", "properties": {"a": {"$ref": "A"}}}"#,
        "B",
    );
    assert_eq!(
        warnings,
        ["schema A refers to itself through aliases only; typed as a JSON value"]
    );
    assert!(
        types.contains("pub type A = ::gapi_runtime::serde_json::Value;"),
        "{types}"
    );
}

/// The same through two aliases and a `Vec`: `type A = Vec<B>; type B = A;`.
#[test]
fn aliases_that_refer_to_each_other() {
    let (warnings, types) = generate(
        r#""A": {"type": "array", "items": {"$ref": "B"}}, "B": {"$ref": "A"},
           "C": {"id": "C", "type": "object", "properties": {"b": {"$ref": "B"}}}"#,
        "C",
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        types.contains("pub type B = ::gapi_runtime::serde_json::Value;"),
        "{types}"
    );
}

/// A struct in the loop is fine: `A { next: Option<Box<A>> }` through an
/// alias stays typed.
#[test]
fn a_struct_in_the_loop_keeps_its_types() {
    let (warnings, types) = generate(
        r#""A": {"id": "A", "type": "object", "properties": {"next": {"$ref": "L"}}},
           "L": {"type": "array", "items": {"$ref": "A"}}"#,
        "A",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(
        types.contains("pub type L = ::std::vec::Vec<crate::types::A>;"),
        "{types}"
    );
}
