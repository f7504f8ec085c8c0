//! Batch requests (`POST /batch/drive/v3`): a `multipart/mixed` body of
//! `application/http` parts, each answered as if it had come alone, in a
//! `multipart/mixed` answer whose parts carry `Content-ID:
//! <response-ID>` for the request part `<ID>`, as Google answers.
//!
//! Written from Google's batch guide, independently of the runtime's
//! client side, so the two check each other.

use http_body_util::BodyExt;
use hyper::{Method, Response};

use crate::http_util::{google_error, pairs, Body};
use crate::server::Call;

/// Drive's documented limit of calls per batch.
pub(crate) const DRIVE_LIMIT: usize = 100;

/// Answers a batch: every part through `each`, in order.
pub(crate) async fn answer(
    outer: &Call,
    limit: usize,
    mut each: impl FnMut(&Call) -> Response<Body>,
) -> Response<Body> {
    let bad = |message: &str| google_error(400, "INVALID_ARGUMENT", "badRequest", message);
    let content_type = outer.header("content-type").unwrap_or("");
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/mixed")
    {
        return bad("A batch request must be multipart/mixed.");
    }
    let Some(parts) = crate::drive::multipart_parts(content_type, &outer.body) else {
        return bad("The batch request's multipart body does not parse.");
    };
    if parts.is_empty() {
        return bad("A batch request must contain at least one request.");
    }
    if parts.len() > limit {
        return bad(&format!(
            "A batch request cannot contain more than {limit} requests ({} sent).",
            parts.len()
        ));
    }
    let boundary = format!("batch_{:016x}", fastrand::u64(..));
    let mut out: Vec<u8> = Vec::new();
    for (headers, content) in parts {
        let content_id = headers
            .lines()
            .find_map(|l| l.strip_prefix("content-id:"))
            .map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            });
        let response = match parse_request(&content, outer) {
            Ok(call) => each(&call),
            Err(message) => bad(&message),
        };
        let (head, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/http\r\n").as_bytes(),
        );
        if let Some(id) = content_id {
            out.extend_from_slice(format!("Content-ID: <response-{id}>\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "\r\nHTTP/1.1 {} {}\r\n",
                head.status.as_u16(),
                head.status.canonical_reason().unwrap_or("")
            )
            .as_bytes(),
        );
        for (name, value) in &head.headers {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut response = Response::new(http_body_util::Full::new(bytes::Bytes::from(out)));
    if let Ok(v) = http::HeaderValue::from_str(&format!("multipart/mixed; boundary={boundary}")) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    response
}

/// One part's HTTP request: request line, headers, body. Headers the part
/// does not set (the credentials) come from the outer request, as at
/// Google.
fn parse_request(content: &[u8], outer: &Call) -> Result<Call, String> {
    let split = |sep: &[u8]| {
        content
            .windows(sep.len())
            .position(|w| w == sep)
            .map(|p| (p, sep.len()))
    };
    let (at, len) = split(b"\r\n\r\n")
        .or_else(|| split(b"\n\n"))
        .ok_or("A batch part has no end of headers.")?;
    let head = std::str::from_utf8(&content[..at]).map_err(|_| "A batch part is not UTF-8.")?;
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("");
    let mut words = request_line.split(' ');
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(format!(
            "Bad request line in a batch part: {request_line:?}"
        ));
    };
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("Bad method in a batch part: {method:?}"))?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.trim().as_bytes()),
            http::HeaderValue::from_str(value.trim()),
        ) {
            headers.append(n, v);
        }
    }
    for name in [
        http::header::AUTHORIZATION,
        http::HeaderName::from_static("x-goog-api-key"),
    ] {
        if !headers.contains_key(&name) {
            if let Some(v) = outer.headers.get(&name) {
                headers.insert(name, v.clone());
            }
        }
    }
    Ok(Call {
        method,
        path: path.to_string(),
        query: pairs(query),
        headers,
        body: bytes::Bytes::copy_from_slice(&content[at + len..]),
    })
}
