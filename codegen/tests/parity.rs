//! Request parity with Google's Python client, an oracle nobody here wrote.
//!
//! `parity/record.py` (run by `scripts/test.sh` in a venv with
//! google-api-python-client 2.202.0) records the requests the Python client
//! builds for a corpus of calls. Here each call is rebuilt the way generated
//! code builds it — parameter locations and repetition decided by our IR,
//! URL, query and body by the runtime — and compared: HTTP method, path,
//! query multiset (`alt` and `prettyPrint` aside, which gapi always sets),
//! JSON body, and `x-goog-api-version`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use gapi_codegen::ir::{Api, Location, Method, Resource};
use gapi_discovery::{parse_file, pinned, Strictness};
use gapi_runtime::spec::{MethodSpec, ServiceSpec};
use gapi_runtime::{Client, Request};
use serde::Deserialize;

#[derive(Deserialize)]
struct Call {
    doc: String,
    id: String,
    path_params: BTreeMap<String, String>,
    query: Vec<(String, serde_json::Value, bool)>,
    body: Option<serde_json::Value>,
    #[serde(default)]
    media: Option<Media>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Media {
    data_b64: String,
    mime: String,
}

#[derive(Deserialize)]
struct Expected {
    method: String,
    uri: String,
    body: Option<String>,
    #[serde(default)]
    body_b64: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    api_version: Option<String>,
    /// The `Accept` header, when the corpus recorded it.
    #[serde(default)]
    accept: Option<String>,
}

fn b64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// The parts of a `multipart/related` body: (media type, content), with
/// either line ending; a JSON part's content is normalized through serde.
fn multipart(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    raw_parts(content_type, body)
        .into_iter()
        .map(|(headers, mut content)| {
            let media_type = header_value(&headers, "content-type")
                .split(';')
                .next()
                .unwrap()
                .trim()
                .to_string();
            if media_type == "application/json" {
                let v: serde_json::Value = serde_json::from_slice(&content).unwrap();
                content = v.to_string().into_bytes();
            }
            (media_type, content)
        })
        .collect()
}

/// The value of `name` in a lower-cased header block (empty when absent).
fn header_value(headers: &str, name: &str) -> String {
    headers
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A header block and the content after it, split at the first empty line
/// (either line ending); the block is lower-cased.
fn split_head(piece: &[u8]) -> (String, Vec<u8>) {
    let split = |sep: &[u8]| {
        piece
            .windows(sep.len())
            .position(|w| w == sep)
            .map(|p| (p, sep.len()))
    };
    let (at, len) = match (split(b"\r\n\r\n"), split(b"\n\n")) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b).unwrap(),
    };
    (
        String::from_utf8_lossy(&piece[..at]).to_ascii_lowercase(),
        piece[at + len..].to_vec(),
    )
}

/// The parts of any multipart body: (lower-cased headers, content), with
/// either line ending.
fn raw_parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_string();
    let text = body.to_vec();
    let marker = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + marker.len() <= text.len() {
        if text[i..i + marker.len()] == marker[..] {
            pieces.push(text[start..i].to_vec());
            start = i + marker.len();
            i = start;
        } else {
            i += 1;
        }
    }
    for piece in pieces.into_iter().skip(1) {
        let piece = piece
            .strip_prefix(b"\r\n")
            .or_else(|| piece.strip_prefix(b"\n"))
            .unwrap_or(&piece)
            .to_vec();
        let (headers, mut content) = split_head(&piece);
        if content.ends_with(b"\r\n") {
            content.truncate(content.len() - 2);
        } else if content.ends_with(b"\n") {
            content.truncate(content.len() - 1);
        }
        parts.push((headers, content));
    }
    parts
}

fn corpus_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/parity/corpus.json")
}

fn read_corpus() -> Vec<Call> {
    let path = corpus_path();
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the README's test command records it (scripts/test.sh runs parity/record.py)",
            path.display()
        )
    });
    serde_json::from_str(&raw).unwrap()
}

fn find<'a>(resources: impl IntoIterator<Item = &'a Resource>, id: &str) -> Option<&'a Method> {
    for r in resources {
        if let Some(m) = r.methods.iter().find(|m| m.id == id) {
            return Some(m);
        }
        if let Some(m) = find(&r.resources, id) {
            return Some(m);
        }
    }
    None
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// `name=value` pairs of a query string, decoded (form encoding: `+` is a space).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n), decode(v))
        })
        .filter(|(n, _)| n != "alt" && n != "prettyPrint")
        .collect();
    pairs.sort();
    pairs
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The APIs met so far: IR and a service spec (with its batch endpoint).
type Apis = HashMap<String, (Api, &'static ServiceSpec)>;

/// The request generated code would build for a recorded call.
fn rebuild(apis: &mut Apis, dir: &Path, call: &Call) -> Request {
    let (api, service) = apis.entry(call.doc.clone()).or_insert_with(|| {
        let doc = parse_file(&dir.join(format!("{}.json", call.doc)), Strictness::Lenient)
            .unwrap()
            .doc;
        let api = gapi_codegen::Generator::new(&doc).lower();
        let service = gapi_codegen::spec::runtime::service(&api);
        (api, service)
    });
    let method = api
        .methods
        .iter()
        .find(|m| m.id == call.id)
        .or_else(|| find(api.resources.iter().map(|m| &m.resource), &call.id))
        .unwrap_or_else(|| panic!("{} not in the IR", call.id));
    // The generator's own mapping: the request is described as generated
    // code describes it.
    let spec: &'static MethodSpec = gapi_codegen::spec::runtime::method(service, method);
    let client = Client::builder(service).build().unwrap();
    let mut request = Request::new(&client, spec);
    let params: Vec<_> = method.positional.iter().chain(&method.optional).collect();
    for (name, value) in &call.path_params {
        let p = params
            .iter()
            .find(|p| &p.wire == name)
            .expect("path parameter in IR");
        assert_eq!(p.location, Location::Path, "{}: {name}", call.id);
        request.path_param(leak_str(name), value.as_str());
    }
    for (name, value, _) in &call.query {
        let ir = params.iter().find(|p| &p.wire == name);
        let name = leak_str(name);
        match (ir.map(|p| p.repeated), value) {
            (Some(true), serde_json::Value::Array(values)) => {
                for v in values {
                    request.add_query(name, text(v));
                }
            }
            (_, v) => request.set_query(name, text(v)),
        }
    }
    if let Some(body) = &call.body {
        request.json_body(body);
    }
    request
}

#[test]
fn gapi_sends_what_the_python_client_sends() {
    let calls = read_corpus();
    let dir = pinned::cache_dir();
    let mut apis = Apis::new();
    let mut failures = Vec::new();
    for call in &calls {
        let request = rebuild(&mut apis, &dir, call);
        let preview = match &call.media {
            Some(media) => request
                .preview_upload(b64(&media.data_b64), &media.mime)
                .unwrap(),
            None => request.preview().unwrap(),
        };
        let (path, query) = preview.url.split_once('?').unwrap_or((&preview.url, ""));
        let (expected_path, expected_query) = call
            .expected
            .uri
            .split_once('?')
            .unwrap_or((&call.expected.uri, ""));
        let mut problems = Vec::new();
        if preview.method != call.expected.method.as_str() {
            problems.push(format!(
                "method {} vs {}",
                preview.method, call.expected.method
            ));
        }
        if path != expected_path {
            problems.push(format!("path\n  gapi:   {path}\n  python: {expected_path}"));
        }
        if query_pairs(query) != query_pairs(expected_query) {
            problems.push(format!(
                "query\n  gapi:   {query}\n  python: {expected_query}"
            ));
        }
        if let (Some(media), Some(expected)) = (&call.media, &call.expected.body_b64) {
            let our_type = preview
                .headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let their_type = call.expected.content_type.clone().unwrap_or_default();
            let ours = preview.body.as_ref().unwrap().to_vec();
            let theirs = b64(expected);
            if their_type.starts_with("multipart/related") {
                if !our_type.starts_with("multipart/related")
                    || multipart(&our_type, &ours) != multipart(&their_type, &theirs)
                {
                    problems.push(format!(
                        "multipart body differs ({our_type} vs {their_type})"
                    ));
                }
            } else if our_type != their_type || ours != theirs || their_type != media.mime {
                problems.push(format!(
                    "media body or type differs ({our_type} vs {their_type})"
                ));
            }
        } else {
            let ours: Option<serde_json::Value> = preview
                .body
                .as_ref()
                .map(|b| serde_json::from_slice(b).unwrap());
            let theirs: Option<serde_json::Value> = call
                .expected
                .body
                .as_ref()
                .map(|b| serde_json::from_str(b).unwrap());
            if ours != theirs {
                problems.push(format!("body {ours:?} vs {theirs:?}"));
            }
        }
        let header = preview
            .headers
            .iter()
            .find(|(k, _)| k == "x-goog-api-version")
            .map(|(_, v)| v.clone());
        if header != call.expected.api_version {
            problems.push(format!(
                "x-goog-api-version {header:?} vs {:?}",
                call.expected.api_version
            ));
        }
        if let Some(theirs) = &call.expected.accept {
            let ours = preview
                .headers
                .iter()
                .find(|(k, _)| k == "accept")
                .map(|(_, v)| v.as_str());
            if ours != Some(theirs.as_str()) {
                problems.push(format!("accept {ours:?} vs {theirs:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}): {}",
                call.id,
                call.doc,
                problems.join("; ")
            ));
        }
    }
    let distinct_apis = calls
        .iter()
        .map(|c| c.doc.as_str())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(calls.len() >= 300, "corpus has {} calls", calls.len());
    assert!(
        distinct_apis.len() >= 20,
        "corpus covers {} APIs",
        distinct_apis.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} calls differ:\n{}",
        failures.len(),
        calls.len(),
        failures.join("\n")
    );
}

#[derive(Deserialize)]
struct RecordedBatch {
    doc: String,
    calls: Vec<usize>,
    expected: ExpectedBatch,
}

#[derive(Deserialize)]
struct ExpectedBatch {
    uri: String,
    method: String,
    content_type: String,
    body: String,
}

/// One `application/http` part, normalized: part headers that matter, the
/// request line split into method, path and query pairs, the request
/// headers Google acts on, and the JSON body.
#[derive(Debug, PartialEq)]
struct BatchPart {
    part_type: String,
    transfer_encoding: String,
    /// The number after `+` in `Content-ID` (the base is random).
    content_number: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    accept: String,
    api_version: String,
    body_type: Option<String>,
    body: Option<serde_json::Value>,
}

fn batch_parts(content_type: &str, body: &[u8]) -> Vec<BatchPart> {
    raw_parts(content_type, body)
        .into_iter()
        .map(|(headers, content)| {
            let content_id = header_value(&headers, "content-id");
            let (head, inner_body) = split_head(&content);
            let mut lines = head.lines();
            let request_line = lines.next().unwrap().to_string();
            let inner_headers = lines.collect::<Vec<_>>().join("\n");
            let mut words = request_line.split(' ');
            let method = words.next().unwrap().to_ascii_uppercase();
            // The head was lower-cased: take the target from the original.
            let original = String::from_utf8_lossy(&content).into_owned();
            let target = original
                .lines()
                .next()
                .unwrap()
                .split(' ')
                .nth(1)
                .unwrap()
                .to_string();
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let has_body = !inner_body.iter().all(u8::is_ascii_whitespace);
            BatchPart {
                part_type: header_value(&headers, "content-type"),
                transfer_encoding: header_value(&headers, "content-transfer-encoding"),
                content_number: content_id
                    .rsplit_once('+')
                    .map(|(_, n)| n.trim_end_matches('>').trim().to_string())
                    .unwrap_or_default(),
                method,
                path: path.to_string(),
                query: query_pairs(query),
                accept: header_value(&inner_headers, "accept"),
                api_version: header_value(&inner_headers, "x-goog-api-version"),
                body_type: has_body.then(|| header_value(&inner_headers, "content-type")),
                body: has_body.then(|| serde_json::from_slice(&inner_body).unwrap()),
            }
        })
        .collect()
}

#[test]
fn batch_bodies_match_the_python_clients_part_by_part() {
    let calls = read_corpus();
    let path = corpus_path().with_file_name("batches.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; parity/record.py writes it", path.display()));
    let batches: Vec<RecordedBatch> = serde_json::from_str(&raw).unwrap();
    assert!(batches.len() >= 5, "{} batches recorded", batches.len());
    let dir = pinned::cache_dir();
    let mut apis = Apis::new();
    let mut with_body = 0;
    for recorded in &batches {
        let requests: Vec<Request> = recorded
            .calls
            .iter()
            .map(|&i| rebuild(&mut apis, &dir, &calls[i]))
            .collect();
        let client = Client::builder(requests[0].spec().service).build().unwrap();
        let mut batch = gapi_runtime::batch::Batch::new(&client);
        for request in requests {
            batch.add(request);
        }
        let ours = batch.preview().unwrap();
        let expected = &recorded.expected;
        assert_eq!(ours.url, expected.uri, "{}: batch URL", recorded.doc);
        assert_eq!(ours.method, expected.method.as_str(), "{}", recorded.doc);
        let our_type = ours
            .headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(
            our_type.starts_with("multipart/mixed; boundary="),
            "{our_type}"
        );
        assert!(expected
            .content_type
            .starts_with("multipart/mixed; boundary="));
        let ours = batch_parts(&our_type, ours.body.as_ref().unwrap());
        let theirs = batch_parts(&expected.content_type, expected.body.as_bytes());
        assert_eq!(ours.len(), recorded.calls.len(), "{}", recorded.doc);
        assert_eq!(theirs.len(), recorded.calls.len(), "{}", recorded.doc);
        for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(a, b, "{} batch, part {}", recorded.doc, n + 1);
            with_body += usize::from(a.body.is_some());
        }
    }
    assert!(with_body >= 3, "only {with_body} parts carry a body");
}
