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

/// Applies a partial-response `fields` mask (`files(id,name),nextPageToken`,
/// `*`) to a JSON answer, as Google does.
pub(crate) fn apply_fields(value: &serde_json::Value, fields: &str) -> serde_json::Value {
    fn split_top(spec: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0i32, 0usize, Vec::new());
        for (i, c) in spec.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(spec[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(spec[start..].trim());
        out.into_iter().filter(|s| !s.is_empty()).collect()
    }
    let spec = fields.trim();
    if spec.is_empty() || spec == "*" {
        return value.clone();
    }
    match value {
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|v| apply_fields(v, spec)).collect())
        }
        serde_json::Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for item in split_top(spec) {
                let (key, inner) = match item.split_once('(') {
                    Some((k, rest)) => (k.trim(), rest.strip_suffix(')').unwrap_or(rest)),
                    None => (item, "*"),
                };
                // `a/b` selects b inside a.
                let (key, inner) = match key.split_once('/') {
                    Some((k, rest)) => (k, if inner == "*" { rest } else { inner }),
                    None => (key, inner),
                };
                if let Some(v) = map.get(key) {
                    out.insert(key.to_string(), apply_fields(v, inner));
                }
            }
            serde_json::Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A JSON answer with the request's `fields` mask applied.
pub(crate) fn json_fields(
    status: u16,
    value: &serde_json::Value,
    query: &[(String, String)],
) -> Response<Body> {
    match get(query, "fields") {
        Some(fields) => json(status, &apply_fields(value, fields)),
        None => json(status, value),
    }
}

/// One request to a resumable upload session that has `received` bytes so
/// far: the bytes of `Content-Range: bytes a-b/total` are appended (`bytes
/// */total` only asks for the status). `None` when the upload is complete;
/// otherwise the answer to send: a 308 with the `Range` received, or a 400
/// for a range that does not continue the upload.
pub(crate) fn resumable_chunk(
    received: &mut Vec<u8>,
    content_range: Option<&str>,
    body: &[u8],
) -> Option<Response<Body>> {
    let range = content_range.unwrap_or("");
    let total = range
        .rsplit('/')
        .next()
        .and_then(|t| t.parse::<usize>().ok());
    if let Some(spec) = range.strip_prefix("bytes ").filter(|s| !s.starts_with('*')) {
        let start = spec.split('-').next().and_then(|s| s.parse::<usize>().ok());
        if start != Some(received.len()) {
            return Some(google_error(
                400,
                "INVALID_ARGUMENT",
                "badRequest",
                "Content-Range does not continue the upload",
            ));
        }
        received.extend_from_slice(body);
    }
    if total == Some(received.len()) {
        return None;
    }
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
    if let Some(last) = received.len().checked_sub(1) {
        if let Ok(v) = http::HeaderValue::from_str(&format!("bytes=0-{last}")) {
            r.headers_mut().insert(http::header::RANGE, v);
        }
    }
    Some(r)
}

/// The emulated project every caller belongs to (its number).
const PROJECT_NUMBER: &str = "123456789012";

/// `drive.googleapis.com` and `Google Drive API` for a request path.
fn service_of(path: &str) -> (String, String) {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let (name, title) = match first {
        "drive" | "upload" | "download" | "batch" => ("drive", "Google Drive API"),
        "bigquery" => ("bigquery", "BigQuery API"),
        "compute" => ("compute", "Compute Engine API"),
        "v1beta" => ("generativelanguage", "Generative Language API"),
        "oauth2" => ("oauth2", "Google OAuth2 API"),
        _ => ("appengine", "App Engine Admin API"),
    };
    (format!("{name}.googleapis.com"), title.to_string())
}

/// Google's answer when the API is not enabled in the caller's project.
pub(crate) fn service_disabled(path: &str) -> Response<Body> {
    let (service, title) = service_of(path);
    let url = format!(
        "https://console.developers.google.com/apis/api/{service}/overview?project={PROJECT_NUMBER}"
    );
    let message = format!(
        "{title} has not been used in project {PROJECT_NUMBER} before or it is disabled. Enable it by visiting {url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry."
    );
    json(
        403,
        &serde_json::json!({"error": {
            "code": 403, "message": message, "status": "PERMISSION_DENIED",
            "errors": [{"message": message, "domain": "usageLimits", "reason": "accessNotConfigured", "extendedHelp": "https://console.developers.google.com"}],
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
                 "metadata": {"service": service, "consumer": format!("projects/{PROJECT_NUMBER}"), "activationUrl": url, "serviceTitle": title, "containerInfo": PROJECT_NUMBER}},
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Google developers console API activation", "url": url}]},
            ],
        }}),
    )
}

/// Google's answer when a per-minute quota is used up.
pub(crate) fn quota_exceeded(path: &str) -> Response<Body> {
    let (service, _) = service_of(path);
    let message = format!(
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service '{service}' for consumer 'project_number:{PROJECT_NUMBER}'."
    );
    json(
        429,
        &serde_json::json!({"error": {
            "code": 429, "message": message, "status": "RESOURCE_EXHAUSTED",
            "errors": [{"message": message, "domain": "global", "reason": "rateLimitExceeded"}],
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
                 "metadata": {"quota_metric": format!("{service}/default"), "quota_limit": "defaultPerMinutePerUser", "quota_limit_value": "12000", "quota_location": "global", "service": service, "consumer": format!("projects/{PROJECT_NUMBER}")}},
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Request a higher quota limit.", "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
            ],
        }}),
    )
}
