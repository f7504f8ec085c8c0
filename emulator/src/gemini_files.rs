//! Gemini's Files API: `media.upload` (multipart, or resumable in chunks)
//! to `/upload/v1beta/files`, then `files.get`, `files.list` and
//! `files.delete`; `generateContent` reads the files its parts name by URI.

use hyper::Response;
use serde_json::{json, Value};

use crate::http_util::{get, google_error, json, page, Body};

/// One uploaded file: its `File` resource and its bytes.
struct Stored {
    file: Value,
    content: Vec<u8>,
}

/// Files and the resumable uploads under way.
#[derive(Default)]
pub(crate) struct Files {
    files: Vec<Stored>,
    sessions: std::collections::HashMap<String, (Value, Vec<u8>)>,
}

fn bad(message: &str) -> Response<Body> {
    google_error(400, "INVALID_ARGUMENT", "badRequest", message)
}

impl Files {
    fn create(&mut self, root: &str, metadata: &Value, mime: &str, content: Vec<u8>) -> Value {
        let id = format!("{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff);
        let requested = &metadata["file"];
        let file = json!({
            "name": format!("files/{id}"),
            "displayName": requested["displayName"].as_str().unwrap_or(""),
            "mimeType": requested["mimeType"].as_str().unwrap_or(mime),
            "sizeBytes": content.len().to_string(),
            "createTime": "2026-01-01T00:00:00.000000Z",
            "updateTime": "2026-01-01T00:00:00.000000Z",
            "expirationTime": "2026-01-03T00:00:00.000000Z",
            "uri": format!("{root}v1beta/files/{id}"),
            "state": "ACTIVE",
            "source": "UPLOADED",
        });
        self.files.push(Stored {
            file: file.clone(),
            content,
        });
        json!({ "file": file })
    }

    /// `POST /upload/v1beta/files` (`uploadType=multipart|media|resumable`)
    /// and the `PUT`s of a resumable session.
    pub(crate) fn upload(
        &mut self,
        root: &str,
        query: &[(String, String)],
        content_type: Option<&str>,
        content_range: Option<&str>,
        body: &[u8],
    ) -> Response<Body> {
        if let Some(id) = get(query, "upload_id") {
            let Some((_, received)) = self.sessions.get_mut(id) else {
                return google_error(404, "NOT_FOUND", "notFound", "No such upload session.");
            };
            if let Some(answer) = crate::http_util::resumable_chunk(received, content_range, body) {
                return answer;
            }
            let (metadata, content) = self.sessions.remove(id).unwrap_or_default();
            let mime = metadata["file"]["mimeType"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_string();
            return json(200, &self.create(root, &metadata, &mime, content));
        }
        match get(query, "uploadType") {
            Some("multipart") => {
                let Some(parts) =
                    content_type.and_then(|ct| crate::drive::multipart_parts(ct, body))
                else {
                    return bad("Invalid multipart request");
                };
                let [(_, metadata), (headers, content)] = parts.as_slice() else {
                    return bad("A multipart upload has two parts: metadata, then media");
                };
                let metadata: Value = serde_json::from_slice(metadata).unwrap_or_default();
                let mime = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("content-type:"))
                    .map_or("application/octet-stream", str::trim)
                    .to_string();
                json(200, &self.create(root, &metadata, &mime, content.clone()))
            }
            Some("media") => {
                let mime = content_type
                    .unwrap_or("application/octet-stream")
                    .to_string();
                json(200, &self.create(root, &json!({}), &mime, body.to_vec()))
            }
            Some("resumable") => {
                let metadata: Value = serde_json::from_slice(body).unwrap_or_default();
                let id = format!("{:016x}", fastrand::u64(..));
                self.sessions.insert(id.clone(), (metadata, Vec::new()));
                let mut r = json(200, &json!({}));
                let location =
                    format!("{root}upload/v1beta/files?uploadType=resumable&upload_id={id}");
                if let Ok(v) = http::HeaderValue::from_str(&location) {
                    r.headers_mut().insert(http::header::LOCATION, v);
                }
                r
            }
            _ => bad("Invalid uploadType"),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.file["name"] == name)
    }

    fn not_found(name: &str) -> Response<Body> {
        google_error(
            403,
            "PERMISSION_DENIED",
            "forbidden",
            &format!("You do not have permission to access the File {name} or it may not exist."),
        )
    }

    /// `GET /v1beta/files/{id}`.
    pub(crate) fn get(&self, name: &str) -> Response<Body> {
        match self.position(name) {
            Some(at) => json(200, &self.files[at].file),
            None => Self::not_found(name),
        }
    }

    /// `DELETE /v1beta/files/{id}`.
    pub(crate) fn delete(&mut self, name: &str) -> Response<Body> {
        match self.position(name) {
            Some(at) => {
                self.files.remove(at);
                json(200, &json!({}))
            }
            None => Self::not_found(name),
        }
    }

    /// `GET /v1beta/files`.
    pub(crate) fn list(&self, query: &[(String, String)]) -> Response<Body> {
        let all: Vec<&Value> = self.files.iter().map(|f| &f.file).collect();
        let (items, next) = page(&all, query, 10, 100);
        let mut body = json!({ "files": items });
        if let Some(next) = next {
            body["nextPageToken"] = Value::String(next);
        }
        json(200, &body)
    }

    /// What a `fileData` part with this URI refers to: display name and
    /// content; `Err` with the answer for a URI of no file.
    pub(crate) fn read(&self, uri: &str) -> Result<(String, &[u8]), String> {
        self.files
            .iter()
            .find(|f| f.file["uri"] == uri)
            .map(|f| {
                (
                    f.file["displayName"].as_str().unwrap_or("").to_string(),
                    f.content.as_slice(),
                )
            })
            .ok_or_else(|| uri.rsplit('/').next().unwrap_or(uri).to_string())
    }
}
