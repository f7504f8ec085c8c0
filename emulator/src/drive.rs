//! Drive v3 `files.list` and `files.get` over a seeded set of files.

use hyper::Response;

use crate::http_util::{get, google_error, json, page, Body};

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
    json(200, &body)
}

/// `GET /drive/v3/files/{id}` (metadata, or `alt=media` with `Range`).
pub(crate) fn get_file(
    files: &[File],
    id: &str,
    query: &[(String, String)],
    range: Option<&str>,
) -> Response<Body> {
    let Some(file) = files.iter().find(|f| f.id == id) else {
        return google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("File not found: {id}."),
        );
    };
    if get(query, "alt") != Some("media") {
        return json(200, &file.json());
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
