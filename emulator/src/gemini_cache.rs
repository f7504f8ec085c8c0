//! Generative Language v1beta `cachedContents`: create, get, list,
//! delete. A `generateContent` request naming a cache
//! (`cachedContent: "cachedContents/…"`) is answered as if the cached
//! contents came first, with `usageMetadata.cachedContentTokenCount`.
//! Caches expire after their `ttl` (default one hour), as Google's do.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::Response;

use crate::http_util::{google_error, json, page, Body};

/// One cache: what `get` shows, and what it holds.
struct Cache {
    metadata: serde_json::Value,
    contents: Vec<serde_json::Value>,
    system: Option<serde_json::Value>,
    expires: SystemTime,
}

/// The caches created so far.
#[derive(Default)]
pub(crate) struct Caches {
    items: BTreeMap<String, Cache>,
}

/// What a request naming a cache takes from it.
pub(crate) struct Cached {
    /// `models/…`.
    pub(crate) model: String,
    pub(crate) contents: Vec<serde_json::Value>,
    pub(crate) system: Option<serde_json::Value>,
}

fn rfc3339(t: SystemTime) -> String {
    crate::federation::rfc3339(t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

fn not_found(name: &str) -> Response<Body> {
    google_error(
        403,
        "PERMISSION_DENIED",
        "forbidden",
        &format!("CachedContent not found (or permission denied): {name}"),
    )
}

impl Caches {
    fn live(&self, name: &str) -> Option<&Cache> {
        self.items
            .get(name)
            .filter(|c| c.expires > SystemTime::now())
    }

    /// `POST /v1beta/cachedContents`.
    pub(crate) fn create(&mut self, body: &[u8]) -> Response<Body> {
        let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let Some(model) = request["model"].as_str() else {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "badRequest",
                "* CachedContent.model: model is required",
            );
        };
        if !crate::gemini::models().iter().any(|m| m["name"] == model) {
            return google_error(
                404,
                "NOT_FOUND",
                "notFound",
                &format!("{model} is not found for API version v1beta, or is not supported for createCachedContent"),
            );
        }
        let contents: Vec<serde_json::Value> =
            request["contents"].as_array().cloned().unwrap_or_default();
        if contents.is_empty() {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "badRequest",
                "* CachedContent.contents: contents is not specified",
            );
        }
        let ttl = match request["ttl"].as_str() {
            None => Duration::from_secs(3600),
            Some(text) => match text
                .strip_suffix('s')
                .and_then(|n| n.parse::<f64>().ok())
                .filter(|n| n.is_finite() && *n > 0.0)
            {
                Some(seconds) => Duration::from_secs_f64(seconds),
                None => {
                    return google_error(
                        400,
                        "INVALID_ARGUMENT",
                        "badRequest",
                        &format!("Invalid value for \"ttl\": {text:?}"),
                    )
                }
            },
        };
        let tokens: usize = contents
            .iter()
            .flat_map(|c| c["parts"].as_array().into_iter().flatten())
            .filter_map(|p| p["text"].as_str())
            .map(|t| t.split_whitespace().count())
            .sum();
        let now = SystemTime::now();
        let name = format!("cachedContents/{:012x}", fastrand::u64(..) >> 16);
        let mut metadata = serde_json::json!({
            "name": name, "model": model,
            "createTime": rfc3339(now), "updateTime": rfc3339(now),
            "expireTime": rfc3339(now + ttl),
            "usageMetadata": {"totalTokenCount": tokens},
        });
        if let Some(display) = request["displayName"].as_str() {
            metadata["displayName"] = display.into();
        }
        self.items.insert(
            name,
            Cache {
                metadata: metadata.clone(),
                contents,
                system: request.get("systemInstruction").cloned(),
                expires: now + ttl,
            },
        );
        json(200, &metadata)
    }

    /// `GET /v1beta/cachedContents/{id}` (its metadata, not its contents).
    pub(crate) fn get(&self, name: &str) -> Response<Body> {
        match self.live(name) {
            Some(cache) => json(200, &cache.metadata),
            None => not_found(name),
        }
    }

    /// `GET /v1beta/cachedContents`.
    pub(crate) fn list(&self, query: &[(String, String)]) -> Response<Body> {
        let now = SystemTime::now();
        let all: Vec<serde_json::Value> = self
            .items
            .values()
            .filter(|c| c.expires > now)
            .map(|c| c.metadata.clone())
            .collect();
        let (items, next) = page(&all, query, 100, 1000);
        let mut body = serde_json::json!({ "cachedContents": items });
        if let Some(next) = next {
            body["nextPageToken"] = next.into();
        }
        json(200, &body)
    }

    /// `DELETE /v1beta/cachedContents/{id}`.
    pub(crate) fn delete(&mut self, name: &str) -> Response<Body> {
        match self.items.remove(name) {
            Some(_) => json(200, &serde_json::json!({})),
            None => not_found(name),
        }
    }

    /// What `name` holds, for a request that names it.
    pub(crate) fn lookup(&self, name: &str) -> Option<Cached> {
        self.live(name).map(|c| Cached {
            model: c.metadata["model"].as_str().unwrap_or("").to_string(),
            contents: c.contents.clone(),
            system: c.system.clone(),
        })
    }
}
