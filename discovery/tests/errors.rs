//! Bad input: path-precise parse errors and semantic validation.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_discovery::{parse_file, parse_slice, validate, ParseError, ProblemKind, Strictness};

const MINIMAL: &str = r#"{
  "name": "drive", "version": "v3", "rootUrl": "https://x/", "servicePath": "drive/v3/",
  "schemas": {"File": {"id": "File", "type": "object", "properties": {"name": {"type": "string"}}}},
  "resources": {"files": {"methods": {"list": {
    "id": "drive.files.list", "path": "files", "httpMethod": "GET",
    "parameters": {"pageSize": {"type": "integer", "location": "query"}},
    "response": {"$ref": "File"}
  }}}}
}"#;

fn json_error(input: &str) -> (String, String) {
    match parse_slice("drive.v3.json", input.as_bytes(), Strictness::Lenient) {
        Err(ParseError::Json {
            file,
            path,
            message,
        }) => {
            assert_eq!(file, "drive.v3.json");
            (path, message)
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn minimal_document_parses() {
    let parsed =
        parse_slice("drive.v3.json", MINIMAL.as_bytes(), Strictness::Strict).expect("parses");
    assert_eq!(parsed.doc.name, "drive");
    assert!(validate(&parsed.doc).is_empty());
}

#[test]
fn unknown_parameter_type_names_the_json_path() {
    let bad = MINIMAL.replace(r#""type": "integer""#, r#""type": "int""#);
    let (path, message) = json_error(&bad);
    assert_eq!(
        path,
        "resources.files.methods.list.parameters.pageSize.type"
    );
    assert!(message.contains("unknown variant `int`"), "{message}");
    let shown = parse_slice("drive.v3.json", bad.as_bytes(), Strictness::Lenient)
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with("drive.v3.json: resources.files.methods.list.parameters.pageSize.type: unknown variant `int`"),
        "{shown}"
    );
}

#[test]
fn wrong_value_type_and_bad_http_method_name_their_paths() {
    let (path, _) =
        json_error(&MINIMAL.replace(r#""httpMethod": "GET""#, r#""httpMethod": "FETCH""#));
    assert_eq!(path, "resources.files.methods.list.httpMethod");
    let (path, message) =
        json_error(&MINIMAL.replace(r#""type": "string""#, r#""type": "string", "pattern": 7"#));
    assert_eq!(path, "schemas.File.properties.name.pattern");
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn truncated_json_reports_line_and_column() {
    let (_, message) = json_error(&MINIMAL[..MINIMAL.len() / 2]);
    assert!(message.contains("line"), "{message}");
}

#[test]
fn missing_required_field_is_named() {
    let (path, message) = json_error(r#"{"name": "x"}"#);
    assert_eq!(path, ".");
    assert!(message.contains("missing field `version`"), "{message}");
}

#[test]
fn strict_mode_rejects_unknown_fields_lenient_reports_them() {
    let extra = MINIMAL.replace(
        r#""httpMethod": "GET","#,
        r#""httpMethod": "GET", "streaming": true,"#,
    );
    let lenient =
        parse_slice("d.json", extra.as_bytes(), Strictness::Lenient).expect("lenient parses");
    assert_eq!(
        lenient.unknown_fields,
        vec!["resources.files.methods.list.streaming"]
    );
    match parse_slice("d.json", extra.as_bytes(), Strictness::Strict) {
        Err(ParseError::UnknownFields { file, fields }) => {
            assert_eq!(file, "d.json");
            assert_eq!(fields, vec!["resources.files.methods.list.streaming"]);
        }
        other => panic!("expected UnknownFields, got {other:?}"),
    }
}

#[test]
fn unreadable_file_error_names_the_file() {
    let err = parse_file(
        std::path::Path::new("/nonexistent/x.v1.json"),
        Strictness::Lenient,
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("/nonexistent/x.v1.json: "),
        "{err}"
    );
}

#[test]
fn validation_reports_every_problem_as_a_list() {
    let doc = r#"{
      "name": "t", "version": "v1",
      "schemas": {"A": {"id": "A", "type": "object", "properties": {
          "b": {"$ref": "Missing"}, "c": {"type": "array", "items": {"$ref": "AlsoMissing"}}}}},
      "resources": {"r": {
        "methods": {
          "get": {"id": "t.r.get", "path": "things/{thingId}/{+name}", "httpMethod": "GET",
                  "parameters": {"thingId": {"type": "string", "location": "path"}},
                  "parameterOrder": ["thingId", "ghost"]},
          "dup": {"id": "t.r.get", "path": "x", "httpMethod": "POST", "request": {"$ref": "Nope"}}
        }}}
    }"#;
    let parsed = parse_slice("t.v1.json", doc.as_bytes(), Strictness::Strict).expect("parses");
    let problems = validate(&parsed.doc);
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let expected = [
        "resources.r.methods.dup.request.$ref: $ref to undefined schema `Nope`",
        "resources.r.methods.get: duplicate method id `t.r.get`",
        "resources.r.methods.get.parameterOrder: parameterOrder names `ghost`, which is not a parameter",
        "resources.r.methods.get.parameters.thingId: path parameter `thingId` is not required",
        "resources.r.methods.get.path: path variable `name` has no path parameter",
        "schemas.A.properties.b.$ref: $ref to undefined schema `Missing`",
        "schemas.A.properties.c.items.$ref: $ref to undefined schema `AlsoMissing`",
    ];
    assert_eq!(shown, expected);
    assert!(matches!(
        problems[1].kind,
        ProblemKind::DuplicateMethodId(_)
    ));
}

#[test]
fn template_variables_cover_discovery_forms() {
    use gapi_discovery::validate::template_variables;
    assert_eq!(template_variables("v1/{+name}:cancel"), vec!["name"]);
    assert_eq!(
        template_variables("files/{fileId}/x/{a}"),
        vec!["fileId", "a"]
    );
    assert_eq!(template_variables("no/vars"), Vec::<&str>::new());
    assert_eq!(template_variables("broken/{x"), Vec::<&str>::new());
}
