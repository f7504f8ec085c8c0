//! Small helpers for answers in Google's shapes.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

/// The body type of every answer.
pub(crate) type Body = Full<Bytes>;

/// A JSON answer.
pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(value.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// Google's JSON error body (`{"error": {code, message, status, errors[]}}`).
pub(crate) fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Response<Body> {
    json(
        code,
        &serde_json::json!({"error": {
            "code": code, "message": message, "status": status,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }}),
    )
}

/// An OAuth error body (`{"error": "...", "error_description": "..."}`).
pub(crate) fn oauth_error(code: u16, error: &str, description: &str) -> Response<Body> {
    json(
        code,
        &serde_json::json!({"error": error, "error_description": description}),
    )
}

/// An HTML page.
pub(crate) fn html(status: u16, page: String) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(page)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A redirect.
pub(crate) fn redirect(location: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = http::HeaderValue::from_str(location) {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    r
}

/// Query or form pairs.
pub(crate) fn pairs(text: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(text).unwrap_or_default()
}

/// The first value of `name`.
pub(crate) fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Escapes text for HTML.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page of `items` starting at `pageToken` (an offset), with the token of
/// the next page when there is one.
pub(crate) fn page<T: Clone>(
    items: &[T],
    query: &[(String, String)],
    default_size: usize,
    max: usize,
) -> (Vec<T>, Option<String>) {
    let size = get(query, "pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default_size)
        .min(max);
    let start = get(query, "pageToken")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0);
    let end = (start + size).min(items.len());
    let slice = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    let next = (end < items.len()).then(|| end.to_string());
    (slice, next)
}
