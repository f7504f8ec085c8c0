//! Drive v3 over a seeded set of files: `files.list`, `get` (and media),
//! `create` (metadata only, or uploaded), `update`, `delete`, and `about.get`.

use hyper::Response;

use crate::http_util::{get, google_error, json, json_fields, page, Body};

/// One emulated file.
#[derive(Clone, Debug)]
pub(crate) struct File {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) mime_type: String,
    pub(crate) modified_by_me_time: String,
    pub(crate) size: u64,
    pub(crate) trashed: bool,
    pub(crate) content: Vec<u8>,
}

impl File {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "drive#file", "id": self.id, "name": self.name, "mimeType": self.mime_type,
            "modifiedTime": self.modified_by_me_time, "modifiedByMeTime": self.modified_by_me_time,
            "size": self.size.to_string(), "trashed": self.trashed,
        })
    }
}

/// A deterministic set of files: `count` documents with distinct times.
pub(crate) fn seed(count: usize) -> Vec<File> {
    (0..count)
        .map(|i| {
            let content = format!("content of file {i}\n")
                .repeat(i % 7 + 1)
                .into_bytes();
            File {
                id: format!("emu-file-{i:04}"),
                name: format!("Document {i:04}.txt"),
                mime_type: if i % 5 == 0 {
                    "application/vnd.google-apps.folder"
                } else {
                    "text/plain"
                }
                .to_string(),
                modified_by_me_time: format!(
                    "2025-{:02}-{:02}T{:02}:00:00.000Z",
                    i % 12 + 1,
                    i % 28 + 1,
                    i % 24
                ),
                size: content.len() as u64,
                trashed: i % 11 == 10,
                content,
            }
        })
        .collect()
}

/// Whether `file` passes a `q` of `trashed = false`, `name contains '…'`,
/// `mimeType = '…'` / `!=` clauses joined by `and` (the subset the emulator
/// understands); `None` with a message for anything else.
fn matches(file: &File, q: &str) -> Result<bool, String> {
    for clause in q.split(" and ").map(str::trim).filter(|c| !c.is_empty()) {
        let quoted = |s: &str| s.trim().trim_matches('\'').to_string();
        let ok = if let Some(v) = clause.strip_prefix("trashed =") {
            file.trashed == (v.trim() == "true")
        } else if let Some(v) = clause.strip_prefix("name contains") {
            file.name.contains(&quoted(v))
        } else if let Some(v) = clause.strip_prefix("mimeType !=") {
            file.mime_type != quoted(v)
        } else if let Some(v) = clause.strip_prefix("mimeType =") {
            file.mime_type == quoted(v)
        } else {
            return Err(format!(
                "Invalid Value: the emulator does not understand `{clause}`"
            ));
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `GET /drive/v3/files`.
pub(crate) fn list(files: &[File], query: &[(String, String)]) -> Response<Body> {
    let mut selected: Vec<&File> = Vec::new();
    for f in files {
        match matches(f, get(query, "q").unwrap_or("")) {
            Ok(true) => selected.push(f),
            Ok(false) => {}
            Err(message) => return google_error(400, "INVALID_ARGUMENT", "invalid", &message),
        }
    }
    for key in get(query, "orderBy")
        .unwrap_or("")
        .split(',')
        .rev()
        .map(str::trim)
    {
        let (field, desc) = match key.strip_suffix(" desc") {
            Some(f) => (f.trim(), true),
            None => (key, false),
        };
        match field {
            "" => {}
            "modifiedByMeTime" | "modifiedTime" => {
                selected.sort_by(|a, b| a.modified_by_me_time.cmp(&b.modified_by_me_time))
            }
            "name" => selected.sort_by(|a, b| a.name.cmp(&b.name)),
            other => {
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "invalid",
                    &format!("Invalid orderBy field: {other}"),
                )
            }
        }
        if desc && !field.is_empty() {
            selected.reverse();
        }
    }
    let (items, next) = page(&selected, query, 100, 1000);
    let mut body = serde_json::json!({
        "kind": "drive#fileList", "incompleteSearch": false,
        "files": items.iter().map(|f| f.json()).collect::<Vec<_>>(),
    });
    if let Some(next) = next {
        body["nextPageToken"] = serde_json::Value::String(next);
    }
    json_fields(200, &body, query)
}

/// `GET /drive/v3/files/{id}` (metadata, or `alt=media` with `Range`).
pub(crate) fn get_file(
    files: &[File],
    id: &str,
    query: &[(String, String)],
    range: Option<&str>,
) -> Response<Body> {
    let Some(file) = files.iter().find(|f| f.id == id) else {
        return not_found(id);
    };
    if get(query, "alt") != Some("media") {
        return json_fields(200, &file.json(), query);
    }
    let start = range
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse::<usize>().ok());
    let mut response = Response::new(http_body_util::Full::new(bytes::Bytes::from(match start {
        Some(s) => file.content.get(s..).unwrap_or_default().to_vec(),
        None => file.content.clone(),
    })));
    if let Some(s) = start {
        *response.status_mut() = hyper::StatusCode::PARTIAL_CONTENT;
        let value = format!(
            "bytes {s}-{}/{}",
            file.content.len().saturating_sub(1),
            file.content.len()
        );
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(http::header::CONTENT_RANGE, v);
        }
    }
    response
}

fn not_found(id: &str) -> Response<Body> {
    google_error(
        404,
        "NOT_FOUND",
        "notFound",
        &format!("File not found: {id}."),
    )
}

/// `DELETE /drive/v3/files/{id}`: 204 and no body.
pub(crate) fn delete(files: &mut Vec<File>, id: &str) -> Response<Body> {
    let Some(at) = files.iter().position(|f| f.id == id) else {
        return not_found(id);
    };
    files.remove(at);
    let mut r = Response::new(http_body_util::Full::new(bytes::Bytes::new()));
    *r.status_mut() = hyper::StatusCode::NO_CONTENT;
    r
}

/// `PATCH /drive/v3/files/{id}` with metadata: `name` and `trashed` change.
pub(crate) fn update(
    files: &mut [File],
    id: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Response<Body> {
    let Some(file) = files.iter_mut().find(|f| f.id == id) else {
        return not_found(id);
    };
    let Ok(patch) = serde_json::from_slice::<serde_json::Value>(body) else {
        return google_error(400, "INVALID_ARGUMENT", "parseError", "Parse Error");
    };
    if let Some(name) = patch.get("name").and_then(|v| v.as_str()) {
        file.name = name.to_string();
    }
    if let Some(trashed) = patch.get("trashed").and_then(|v| v.as_bool()) {
        file.trashed = trashed;
    }
    json_fields(200, &file.json(), query)
}

/// Resumable upload sessions: metadata and the bytes received so far.
#[derive(Default)]
pub(crate) struct Uploads {
    sessions: std::collections::HashMap<String, (serde_json::Value, Vec<u8>)>,
    /// Sessions that completed, with the file they made: Google answers a
    /// chunk or a status query to a finished session with the file again
    /// (a client whose last answer was lost learns the upload is done).
    finished: std::collections::HashMap<String, serde_json::Value>,
}

/// `files.create` without media: a folder, or an empty file, from its metadata.
pub(crate) fn create(files: &mut Vec<File>, body: &[u8]) -> Response<Body> {
    let metadata: serde_json::Value = if body.is_empty() {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(m) => m,
            Err(e) => {
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "parseError",
                    &format!("Invalid JSON payload received. {e}"),
                )
            }
        }
    };
    json(
        200,
        &new_file(files, &metadata, Vec::new(), "application/octet-stream"),
    )
}

/// `about.get`: the caller (the signed-in user, or the account a token
/// names: a service account, or the user it acts for) and a storage quota.
pub(crate) fn about(files: &[File], account: Option<String>) -> Response<Body> {
    let used: u64 = files.iter().map(|f| f.size).sum();
    let (name, email) = match account {
        Some(email) => (email.clone(), email),
        None => (
            "Ada Lovelace".to_string(),
            crate::oauth::USER_EMAIL.to_string(),
        ),
    };
    json(
        200,
        &serde_json::json!({
            "kind": "drive#about",
            "user": {
                "kind": "drive#user", "displayName": name, "me": true,
                "emailAddress": email, "permissionId": "00000000000000000001",
            },
            "storageQuota": {
                "limit": "16106127360", "usage": used.to_string(), "usageInDrive": used.to_string(),
                "usageInDriveTrash": "0",
            },
        }),
    )
}

fn new_file(
    files: &mut Vec<File>,
    metadata: &serde_json::Value,
    content: Vec<u8>,
    mime: &str,
) -> serde_json::Value {
    let file = File {
        id: format!("emu-upload-{:08x}", fastrand::u32(..)),
        name: metadata["name"].as_str().unwrap_or("Untitled").to_string(),
        mime_type: metadata["mimeType"].as_str().unwrap_or(mime).to_string(),
        modified_by_me_time: "2026-01-01T00:00:00.000Z".to_string(),
        size: content.len() as u64,
        trashed: false,
        content,
    };
    let json = file.json();
    files.push(file);
    json
}

/// The parts of a `multipart/related` or `multipart/mixed` body: (headers
/// in lower case, content).
pub(crate) fn multipart_parts(content_type: &str, body: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let marker = format!("--{boundary}");
    let text = body;
    let mut positions = Vec::new();
    let mut i = 0;
    while i + marker.len() <= text.len() {
        if &text[i..i + marker.len()] == marker.as_bytes() {
            positions.push(i);
            i += marker.len();
        } else {
            i += 1;
        }
    }
    let mut parts = Vec::new();
    for pair in positions.windows(2) {
        let mut part = &text[pair[0] + marker.len()..pair[1]];
        part = part
            .strip_prefix(b"\r\n")
            .or_else(|| part.strip_prefix(b"\n"))
            .unwrap_or(part);
        let split = |sep: &[u8]| {
            part.windows(sep.len())
                .position(|w| w == sep)
                .map(|p| (p, sep.len()))
        };
        let (at, len) = split(b"\r\n\r\n").or_else(|| split(b"\n\n"))?;
        let mut content = &part[at + len..];
        content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .unwrap_or(content);
        parts.push((
            String::from_utf8_lossy(&part[..at]).to_ascii_lowercase(),
            content.to_vec(),
        ));
    }
    Some(parts)
}

/// `POST /upload/drive/v3/files` (`uploadType=media|multipart|resumable`) and
/// `PUT` to a resumable session.
#[allow(clippy::too_many_arguments)] // mirrors the parts of an HTTP request
pub(crate) fn upload(
    files: &mut Vec<File>,
    uploads: &mut Uploads,
    method: &hyper::Method,
    root: &str,
    query: &[(String, String)],
    content_type: Option<&str>,
    content_range: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    let bad = |m: &str| google_error(400, "INVALID_ARGUMENT", "badRequest", m);
    if let Some(id) = get(query, "upload_id") {
        if let Some(file) = uploads.finished.get(id) {
            return json(200, file);
        }
        let Some((_, received)) = uploads.sessions.get_mut(id) else {
            return google_error(404, "NOT_FOUND", "notFound", "No such upload session.");
        };
        if let Some(answer) = crate::http_util::resumable_chunk(received, content_range, body) {
            return answer;
        }
        let (metadata, content) = uploads.sessions.remove(id).unwrap_or_default();
        let file = new_file(files, &metadata, content, "application/octet-stream");
        uploads.finished.insert(id.to_string(), file.clone());
        return json(200, &file);
    }
    if method != hyper::Method::POST {
        return bad("Uploads start with POST");
    }
    match get(query, "uploadType") {
        Some("media") => json(
            200,
            &new_file(
                files,
                &serde_json::json!({}),
                body.to_vec(),
                content_type.unwrap_or("application/octet-stream"),
            ),
        ),
        Some("multipart") => {
            let Some(parts) = content_type.and_then(|ct| multipart_parts(ct, body)) else {
                return bad("Invalid multipart request");
            };
            let [(_, metadata), (headers, content)] = parts.as_slice() else {
                return bad("A multipart upload has two parts: metadata, then media");
            };
            let metadata: serde_json::Value = serde_json::from_slice(metadata).unwrap_or_default();
            let mime = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-type:"))
                .map_or("application/octet-stream", str::trim)
                .to_string();
            json(200, &new_file(files, &metadata, content.clone(), &mime))
        }
        Some("resumable") => {
            let metadata: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let id = format!("{:016x}", fastrand::u64(..));
            uploads.sessions.insert(id.clone(), (metadata, Vec::new()));
            let mut r = json(200, &serde_json::json!({}));
            let location =
                format!("{root}upload/drive/v3/files?uploadType=resumable&upload_id={id}");
            if let Ok(v) = http::HeaderValue::from_str(&location) {
                r.headers_mut().insert(http::header::LOCATION, v);
            }
            r
        }
        _ => bad("Invalid uploadType"),
    }
}
