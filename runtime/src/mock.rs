//! Canned responses for your own tests, for any generated API: a server on
//! 127.0.0.1 that knows the API's methods (a generated crate's `methods()`),
//! answers each call by method id, records every request, and answers a call
//! nobody expected with an error that names it.
//!
//! What Python users get from `RequestMockBuilder` (responses by method id)
//! and `HttpMockSequence` (responses in order), for gapi: the client under
//! test is an ordinary client pointed at [`MockServer::url`], so the code
//! path under test is the real one (URLs, retries, decoding, uploads), with
//! no test-only branch in it.
//!
//! ```no_run
//! # async fn demo(methods: Vec<&'static gapi_runtime::spec::MethodSpec>) -> Result<(), Box<dyn std::error::Error>> {
//! use gapi_runtime::mock::{MockResponse, MockServer};
//! // let mock = MockServer::start(gapi_drive_v3::methods()).await?;
//! let mock = MockServer::start(methods).await?;
//! mock.on("drive.files.list", MockResponse::json(serde_json::json!({"files": []})));
//! mock.once("drive.files.get", MockResponse::error(404, "NOT_FOUND", "File not found: x."));
//! // let drive = gapi_drive_v3::Drive::builder().root_url(mock.url()).build()?;
//! // … run the code under test …
//! assert_eq!(mock.calls("drive.files.list").len(), 1);
//! assert!(mock.unexpected().is_empty());
//! # Ok(()) }
//! ```
//!
//! Batch requests (`service.batch()`) are answered too: each call in the
//! batch is matched, recorded and answered as if it had come alone.
//!
//! Enabled by the `mock` feature: `gapi-runtime = { version = "…", features = ["mock"] }`
//! under `[dev-dependencies]`.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::spec::{HttpMethod, MethodSpec};

/// One canned answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MockResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers besides `content-length`.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
}

impl MockResponse {
    /// `200 OK` with a JSON body.
    pub fn json(body: serde_json::Value) -> Self {
        MockResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
        }
    }

    /// `204`-like empty success (`200` with no body), for deletes.
    pub fn empty() -> Self {
        MockResponse {
            status: 200,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// An error in Google's shape: `{"error": {"code", "message", "status"}}`.
    pub fn error(status: u16, canonical: &str, message: &str) -> Self {
        MockResponse {
            status,
            ..MockResponse::json(serde_json::json!({
                "error": {"code": status, "message": message, "status": canonical}
            }))
        }
    }

    /// Any status, headers and body.
    pub fn raw(status: u16, headers: Vec<(String, String)>, body: impl Into<Bytes>) -> Self {
        MockResponse {
            status,
            headers,
            body: body.into(),
        }
    }
}

/// A request the mock received.
#[derive(Debug, Clone, PartialEq)]
pub struct MockRequest {
    /// The method it was matched to (`drive.files.list`), if any.
    pub method_id: Option<&'static str>,
    /// HTTP verb.
    pub http_method: String,
    /// Path, percent-encoded as sent.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
}

impl MockRequest {
    /// The first value of query parameter `name`.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct State {
    methods: Vec<&'static MethodSpec>,
    /// Answers for every call of a method.
    always: HashMap<&'static str, MockResponse>,
    /// Answers for the next calls of a method, used up in order first.
    queued: HashMap<&'static str, VecDeque<MockResponse>>,
    /// Answers for the next calls whatever their method, before the above.
    sequence: VecDeque<MockResponse>,
    requests: Vec<MockRequest>,
    unexpected: Vec<MockRequest>,
    sessions: u32,
}

/// A server on 127.0.0.1 that answers an API's calls with canned responses.
/// It stops when dropped.
pub struct MockServer {
    url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockServer {
    /// Starts a server for these methods (a generated crate's `methods()`)
    /// on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start(
        methods: impl IntoIterator<Item = &'static MethodSpec>,
    ) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State {
            methods: methods.into_iter().collect(),
            ..State::default()
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                while connections.try_join_next().is_some() {} // reap finished ones
                let state = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let state = state.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let answer = match batch_of(&state, &parts) {
                                Some(()) => answer_batch(&state, &parts, &body),
                                None => answer(&state, &parts, body),
                            };
                            let mut response = hyper::Response::new(Full::new(answer.body));
                            *response.status_mut() = hyper::StatusCode::from_u16(answer.status)
                                .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
                            for (name, value) in &answer.headers {
                                if let (Ok(n), Ok(v)) = (
                                    http::HeaderName::from_bytes(name.as_bytes()),
                                    http::HeaderValue::from_str(value),
                                ) {
                                    response.headers_mut().append(n, v);
                                }
                            }
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(MockServer { url, state, task })
    }

    /// The root URL to give the client builder (`.root_url(mock.url())`).
    pub fn url(&self) -> &str {
        &self.url
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers every call of `method_id` with `response` (after any
    /// [`once`](Self::once) answers for it are used up).
    pub fn on(&self, method_id: &str, response: MockResponse) -> &Self {
        if let Some(id) = self.known(method_id) {
            self.state().always.insert(id, response);
        }
        self
    }

    /// Answers the next call of `method_id` with `response`; several
    /// `once`s answer successive calls in order.
    pub fn once(&self, method_id: &str, response: MockResponse) -> &Self {
        if let Some(id) = self.known(method_id) {
            self.state()
                .queued
                .entry(id)
                .or_default()
                .push_back(response);
        }
        self
    }

    /// Answers the next calls, whatever their method, with these responses
    /// in order (Python's `HttpMockSequence`); they come before any
    /// per-method answer.
    pub fn sequence(&self, responses: impl IntoIterator<Item = MockResponse>) -> &Self {
        self.state().sequence.extend(responses);
        self
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<MockRequest> {
        self.state().requests.clone()
    }

    /// The requests matched to `method_id`.
    pub fn calls(&self, method_id: &str) -> Vec<MockRequest> {
        self.state()
            .requests
            .iter()
            .filter(|r| r.method_id == Some(method_id))
            .cloned()
            .collect()
    }

    /// Requests no answer was set for (each got a `501` naming it), and
    /// requests that matched no method of the API (each got a `404`).
    pub fn unexpected(&self) -> Vec<MockRequest> {
        self.state().unexpected.clone()
    }

    /// The static id of `method_id`, if the API has it.
    ///
    /// # Panics
    /// When the API has no such method: a typo in a test should fail loudly
    /// there, not as a confusing `501` later.
    fn known(&self, method_id: &str) -> Option<&'static str> {
        let state = self.state();
        let found = state
            .methods
            .iter()
            .find(|m| m.id == method_id)
            .map(|m| m.id);
        drop(state);
        assert!(
            found.is_some(),
            "gapi mock: the API has no method {method_id:?} (or its resource feature is off)"
        );
        found
    }
}

/// `Some` when the request goes to the API's batch endpoint.
fn batch_of(state: &Mutex<State>, parts: &http::request::Parts) -> Option<()> {
    let state = state.lock().unwrap_or_else(PoisonError::into_inner);
    let batch = state.methods.first()?.service.batch.as_ref()?;
    (parts.method == http::Method::POST
        && parts.uri.path().trim_start_matches('/') == batch.path.trim_start_matches('/'))
    .then_some(())
}

/// Answers a batch request: each `application/http` part is answered as a
/// request of its own, and the answers go back as `multipart/mixed` parts
/// with `Content-ID: <response-ID>`, as Google answers.
fn answer_batch(state: &Mutex<State>, outer: &http::request::Parts, body: &[u8]) -> MockResponse {
    let content_type = outer
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = crate::batch::boundary_of(content_type) else {
        return MockResponse::error(
            400,
            "INVALID_ARGUMENT",
            "gapi mock: a batch must be multipart/mixed",
        );
    };
    let mut out = Vec::new();
    for part in crate::batch::parts(body, &boundary) {
        let Some((head, content)) = crate::batch::split_head(part) else {
            continue;
        };
        let content_id = crate::batch::header(head, "content-id").map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        });
        let answer = match inner_request(content, outer) {
            Some((parts, inner_body)) => answer(state, &parts, inner_body),
            None => MockResponse::error(
                400,
                "INVALID_ARGUMENT",
                "gapi mock: a batch part does not parse",
            ),
        };
        out.extend_from_slice(b"--gapi_mock_batch\r\nContent-Type: application/http\r\n");
        if let Some(id) = content_id {
            out.extend_from_slice(format!("Content-ID: <response-{id}>\r\n").as_bytes());
        }
        out.extend_from_slice(format!("\r\nHTTP/1.1 {} X\r\n", answer.status).as_bytes());
        for (name, value) in &answer.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&answer.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--gapi_mock_batch--\r\n");
    MockResponse::raw(
        200,
        vec![(
            "content-type".into(),
            "multipart/mixed; boundary=gapi_mock_batch".into(),
        )],
        out,
    )
}

/// One batch part's HTTP request (request line, headers, body); headers it
/// does not set come from the batch request.
fn inner_request(
    content: &[u8],
    outer: &http::request::Parts,
) -> Option<(http::request::Parts, Bytes)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(len) = parsed.parse(content).ok()? else {
        return None;
    };
    let mut builder = http::Request::builder()
        .method(parsed.method?)
        .uri(parsed.path?);
    for h in parsed.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let (mut parts, ()) = builder.body(()).ok()?.into_parts();
    for (name, value) in &outer.headers {
        if !parts.headers.contains_key(name) && name != http::header::CONTENT_TYPE {
            parts.headers.insert(name.clone(), value.clone());
        }
    }
    Some((parts, Bytes::copy_from_slice(&content[len..])))
}

/// Matches, records and answers one request.
fn answer(state: &Mutex<State>, parts: &http::request::Parts, body: Bytes) -> MockResponse {
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    let path = parts.uri.path().to_string();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| {
            url_pairs(q)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let upload_id = query
        .iter()
        .find(|(n, _)| n == "gapi_mock_session")
        .map(|(_, v)| v.clone());
    let method_id = match &upload_id {
        // A resumable session's chunks belong to the call that opened it.
        Some(_) => state
            .requests
            .iter()
            .rev()
            .find(|r| r.query_value("uploadType") == Some("resumable"))
            .and_then(|r| r.method_id),
        None => match_method(&state.methods, parts.method.as_str(), &path),
    };
    let request = MockRequest {
        method_id,
        http_method: parts.method.to_string(),
        path: path.clone(),
        query,
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    state.requests.push(request.clone());
    let Some(id) = method_id else {
        state.unexpected.push(request);
        return MockResponse::error(
            404,
            "NOT_FOUND",
            &format!(
                "gapi mock: {} {path} matches no method of this API",
                parts.method
            ),
        );
    };
    // A resumable upload: open a session, then take chunks until the last.
    if request.query_value("uploadType") == Some("resumable") && upload_id.is_none() {
        state.sessions += 1;
        let location = format!(
            "{path}?uploadType=resumable&gapi_mock_session={}",
            state.sessions
        );
        return MockResponse::raw(200, vec![("location".into(), location)], Bytes::new());
    }
    if upload_id.is_some() && !is_last_chunk(request.header("content-range")) {
        let stored = request
            .header("content-range")
            .and_then(|r| r.strip_prefix("bytes "))
            .and_then(|r| r.split('/').next())
            .and_then(|r| r.split('-').nth(1))
            .map(|end| format!("bytes=0-{end}"));
        let headers = stored
            .map(|r| vec![("range".into(), r)])
            .unwrap_or_default();
        return MockResponse::raw(308, headers, Bytes::new());
    }
    if let Some(next) = state.sequence.pop_front() {
        return next;
    }
    if let Some(next) = state.queued.get_mut(id).and_then(VecDeque::pop_front) {
        return next;
    }
    if let Some(always) = state.always.get(id) {
        return always.clone();
    }
    state.unexpected.push(request);
    MockResponse::error(
        501,
        "UNIMPLEMENTED",
        &format!("gapi mock: no response was set for {id}"),
    )
}

/// Whether a chunk's `Content-Range: bytes a-b/total` ends the upload.
fn is_last_chunk(range: Option<&str>) -> bool {
    let Some(range) = range.and_then(|r| r.strip_prefix("bytes ")) else {
        return true;
    };
    let Some((span, total)) = range.split_once('/') else {
        return true;
    };
    let Ok(total) = total.parse::<u64>() else {
        return false; // `*`: the size is not known yet
    };
    match span.split_once('-') {
        Some((_, end)) => end.parse::<u64>().is_ok_and(|end| end + 1 >= total),
        None => true, // `*/total`: a status query or an empty final chunk
    }
}

/// `application/x-www-form-urlencoded` pairs of a query string.
fn url_pairs(
    query: &str,
) -> impl Iterator<Item = (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_component(name), decode_component(value))
    })
}

fn decode_component(text: &str) -> std::borrow::Cow<'_, str> {
    let spaced = text.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned();
    if decoded == text {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(decoded)
    }
}

/// The method whose verb and URL template fit this request best: the one
/// with the most literal characters, so `files/generateIds` wins over
/// `files/{fileId}`, and on a tie the one whose own verb it is (a long GET
/// arrives as a POST with `X-HTTP-Method-Override`).
fn match_method(methods: &[&'static MethodSpec], verb: &str, path: &str) -> Option<&'static str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut best: Option<(usize, &'static str)> = None;
    for m in methods {
        let own_verb = m.http_method.as_str() == verb;
        let service_path = m.service.service_path;
        let mut templates: Vec<String> = Vec::new();
        if own_verb || (m.http_method == HttpMethod::GET && verb == "POST") {
            templates.push(format!("{service_path}{}", m.path));
        }
        if m.http_method == HttpMethod::GET && verb == "GET" {
            templates.push(format!("download/{service_path}{}", m.path));
        }
        if let Some(media) = m.media {
            if own_verb || verb == "PUT" {
                let uploads = [media.simple_path, media.resumable_path];
                templates.extend(
                    uploads
                        .into_iter()
                        .flatten()
                        .map(|u| u.trim_start_matches('/').to_string()),
                );
            }
        }
        for t in &templates {
            if template_matches(t.as_bytes(), path.as_bytes()) {
                let score = 2 * literal_len(t) + usize::from(own_verb);
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, m.id));
                }
            }
        }
    }
    best.map(|(_, id)| id)
}

/// Characters of `template` outside `{…}`.
fn literal_len(template: &str) -> usize {
    let mut depth = 0usize;
    template
        .chars()
        .filter(|&c| {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .count()
}

/// Whether `path` is an expansion of URI `template`: `{x}` takes one or
/// more characters other than `/`, `{+x}` (reserved expansion) one or more
/// of any.
fn template_matches(template: &[u8], path: &[u8]) -> bool {
    match template.first() {
        None => path.is_empty(),
        Some(b'{') => {
            let Some(close) = template.iter().position(|&b| b == b'}') else {
                return false;
            };
            let reserved = template.get(1) == Some(&b'+');
            let rest = &template[close + 1..];
            (1..=path.len())
                .take_while(|&n| reserved || path[n - 1] != b'/')
                .any(|n| template_matches(rest, &path[n..]))
        }
        Some(&c) => path.first() == Some(&c) && template_matches(&template[1..], &path[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segments_and_reserved_expansions() {
        assert!(template_matches(b"files/{fileId}", b"files/abc"));
        assert!(!template_matches(b"files/{fileId}", b"files/a/b"));
        assert!(!template_matches(b"files/{fileId}", b"files/"));
        assert!(template_matches(
            b"v1/{+name}:cancel",
            b"v1/operations/a/b:cancel"
        ));
        assert!(!template_matches(
            b"v1/{+name}:cancel",
            b"v1/operations/a/b"
        ));
        assert_eq!(literal_len("files/{fileId}/copy"), 11);
        assert!(is_last_chunk(Some("bytes 0-99/100")));
        assert!(!is_last_chunk(Some("bytes 0-49/100")));
        assert!(!is_last_chunk(Some("bytes 0-49/*")));
        assert!(is_last_chunk(Some("bytes */100")));
    }
}
