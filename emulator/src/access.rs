//! Which API methods the emulator serves, and who may call them: every API
//! request is matched against [`EMULATED`] before it is answered.
//!
//! A request for a method not listed answers `501 NOT_IMPLEMENTED` naming
//! it ("not emulated"), never an authentication error: a test then fails on
//! the emulator's gap, not on credentials. A listed method checks the
//! caller as Google does: a token this emulator issued whose scopes include
//! one the discovery document lists for the method (else `403
//! ACCESS_TOKEN_SCOPE_INSUFFICIENT`), or, where the API takes them, an API
//! key (checked against the configured keys, else `400 API_KEY_INVALID`).
//! The table's ids, paths and scopes are the discovery documents' (a test
//! compares them with the pinned documents).

use hyper::{Method, Response};

use crate::http_util::{json, Body};

/// Who may call a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Callers {
    /// A token with one of the method's scopes.
    Token,
    /// A token, or an API key (Generative Language).
    TokenOrKey,
    /// Anyone (`oauth2.tokeninfo` checks the token it is given itself).
    Anyone,
}

/// One emulated API method, as its discovery document describes it.
#[derive(Debug)]
pub(crate) struct Emulated {
    /// The method's discovery id (`drive.files.list`).
    pub(crate) id: &'static str,
    /// Its HTTP method.
    pub(crate) http: &'static str,
    /// The path templates it is served on, from the host's root: the
    /// document's `servicePath` + `flatPath`, and its media upload paths
    /// (each only when served); `{name}` matches one path segment (or the
    /// part of it before the next literal).
    pub(crate) paths: &'static [&'static str],
    /// The scopes the document lists; a token needs one of them. Empty:
    /// the document lists none, and any token this emulator issued will do.
    pub(crate) scopes: &'static [&'static str],
    /// Who may call it.
    pub(crate) callers: Callers,
}

const DRIVE_READ: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.appdata",
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/drive.meet.readonly",
    "https://www.googleapis.com/auth/drive.metadata",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
    "https://www.googleapis.com/auth/drive.photos.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
];
const DRIVE_ABOUT: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.appdata",
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/drive.metadata",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
    "https://www.googleapis.com/auth/drive.photos.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
];
const DRIVE_WRITE: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.appdata",
    "https://www.googleapis.com/auth/drive.file",
];
const DRIVE_UPDATE: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.appdata",
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/drive.metadata",
    "https://www.googleapis.com/auth/drive.scripts",
];
const BIGQUERY: &[&str] = &[
    "https://www.googleapis.com/auth/bigquery",
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/cloud-platform.read-only",
];
const COMPUTE_WRITE: &[&str] = &[
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/compute",
];
const COMPUTE_READ: &[&str] = &[
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/compute",
    "https://www.googleapis.com/auth/compute.readonly",
];
const APPENGINE_WRITE: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];
const APPENGINE_READ: &[&str] = &[
    "https://www.googleapis.com/auth/appengine.admin",
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/cloud-platform.read-only",
];
const GEMINI_FILES: &[&str] = &["https://www.googleapis.com/auth/devstorage.read_only"];
const USERINFO: &[&str] = &[
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
];

const fn method(
    id: &'static str,
    http: &'static str,
    paths: &'static [&'static str],
    scopes: &'static [&'static str],
    callers: Callers,
) -> Emulated {
    Emulated {
        id,
        http,
        paths,
        scopes,
        callers,
    }
}

use Callers::{Anyone, Token, TokenOrKey};

/// Every API method the emulator serves.
pub(crate) const EMULATED: &[Emulated] = &[
    method(
        "drive.files.list",
        "GET",
        &["drive/v3/files"],
        DRIVE_READ,
        Token,
    ),
    method(
        "drive.files.get",
        "GET",
        // The second is Drive's media download service
        // (`useMediaDownloadService`), which serves the same method.
        &[
            "drive/v3/files/{fileId}",
            "download/drive/v3/files/{fileId}",
        ],
        DRIVE_READ,
        Token,
    ),
    method(
        "drive.files.create",
        "POST",
        &[
            "drive/v3/files",
            "resumable/upload/drive/v3/files",
            "upload/drive/v3/files",
        ],
        DRIVE_WRITE,
        Token,
    ),
    method(
        "drive.files.update",
        "PATCH",
        &["drive/v3/files/{fileId}"],
        DRIVE_UPDATE,
        Token,
    ),
    method(
        "drive.files.delete",
        "DELETE",
        &["drive/v3/files/{fileId}"],
        DRIVE_WRITE,
        Token,
    ),
    method(
        "drive.about.get",
        "GET",
        &["drive/v3/about"],
        DRIVE_ABOUT,
        Token,
    ),
    method(
        "bigquery.jobs.query",
        "POST",
        &["bigquery/v2/projects/{projectsId}/queries"],
        BIGQUERY,
        Token,
    ),
    method(
        "bigquery.jobs.getQueryResults",
        "GET",
        &["bigquery/v2/projects/{projectsId}/queries/{queriesId}"],
        BIGQUERY,
        Token,
    ),
    method(
        "bigquery.datasets.list",
        "GET",
        &["bigquery/v2/projects/{projectsId}/datasets"],
        BIGQUERY,
        Token,
    ),
    method(
        "compute.instances.insert",
        "POST",
        &["compute/v1/projects/{project}/zones/{zone}/instances"],
        COMPUTE_WRITE,
        Token,
    ),
    method(
        "compute.firewalls.insert",
        "POST",
        &["compute/v1/projects/{project}/global/firewalls"],
        COMPUTE_WRITE,
        Token,
    ),
    method(
        "compute.zoneOperations.get",
        "GET",
        &["compute/v1/projects/{project}/zones/{zone}/operations/{operation}"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "compute.globalOperations.get",
        "GET",
        &["compute/v1/projects/{project}/global/operations/{operation}"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "compute.regionOperations.get",
        "GET",
        &["compute/v1/projects/{project}/regions/{region}/operations/{operation}"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "compute.zoneOperations.wait",
        "POST",
        &["compute/v1/projects/{project}/zones/{zone}/operations/{operation}/wait"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "compute.globalOperations.wait",
        "POST",
        &["compute/v1/projects/{project}/global/operations/{operation}/wait"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "compute.regionOperations.wait",
        "POST",
        &["compute/v1/projects/{project}/regions/{region}/operations/{operation}/wait"],
        COMPUTE_READ,
        Token,
    ),
    method(
        "appengine.apps.services.versions.create",
        "POST",
        &["v1/apps/{appsId}/services/{servicesId}/versions"],
        APPENGINE_WRITE,
        Token,
    ),
    method(
        "appengine.apps.operations.get",
        "GET",
        &["v1/apps/{appsId}/operations/{operationsId}"],
        APPENGINE_READ,
        Token,
    ),
    method(
        "generativelanguage.models.list",
        "GET",
        &["v1beta/models"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.get",
        "GET",
        &["v1beta/models/{modelsId}"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.generateContent",
        "POST",
        &["v1beta/models/{modelsId}:generateContent"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.streamGenerateContent",
        "POST",
        &["v1beta/models/{modelsId}:streamGenerateContent"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.countTokens",
        "POST",
        &["v1beta/models/{modelsId}:countTokens"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.embedContent",
        "POST",
        &["v1beta/models/{modelsId}:embedContent"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.models.batchEmbedContents",
        "POST",
        &["v1beta/models/{modelsId}:batchEmbedContents"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.media.upload",
        "POST",
        // Uploads only: the document's metadata-only `v1beta/files` is not served.
        &["resumable/upload/v1beta/files", "upload/v1beta/files"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.files.list",
        "GET",
        &["v1beta/files"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.files.get",
        "GET",
        &["v1beta/files/{filesId}"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.files.delete",
        "DELETE",
        &["v1beta/files/{filesId}"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.cachedContents.create",
        "POST",
        &["v1beta/cachedContents"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.cachedContents.list",
        "GET",
        &["v1beta/cachedContents"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.cachedContents.get",
        "GET",
        &["v1beta/cachedContents/{cachedContentsId}"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.cachedContents.delete",
        "DELETE",
        &["v1beta/cachedContents/{cachedContentsId}"],
        GEMINI_FILES,
        TokenOrKey,
    ),
    method(
        "generativelanguage.tunedModels.create",
        "POST",
        &["v1beta/tunedModels"],
        &[],
        TokenOrKey,
    ),
    method(
        "generativelanguage.tunedModels.operations.get",
        "GET",
        &["v1beta/tunedModels/{tunedModelsId}/operations/{operationsId}"],
        &[],
        TokenOrKey,
    ),
    method(
        "oauth2.userinfo.get",
        "GET",
        &["oauth2/v2/userinfo"],
        USERINFO,
        Token,
    ),
    // The document says POST; Google also answers GET.
    method(
        "oauth2.tokeninfo",
        "POST",
        &["oauth2/v2/tokeninfo"],
        &[],
        Anyone,
    ),
];

/// Whether `path` (from the root, without the leading `/`) fits `template`.
fn fits(template: &str, path: &str) -> bool {
    match template.find('{') {
        None => template == path,
        Some(open) => {
            let Some(rest) = path.strip_prefix(&template[..open]) else {
                return false;
            };
            let Some(close) = template[open..].find('}') else {
                return false;
            };
            let after = &template[open + close + 1..];
            // The variable is one segment, up to the next literal.
            let literal_end = after.find('{').unwrap_or(after.len());
            let literal = &after[..literal_end];
            let segment_end = rest.find('/').unwrap_or(rest.len());
            let value_end = if literal.is_empty() || literal.starts_with('/') {
                segment_end
            } else {
                match rest[..segment_end].find(literal) {
                    Some(at) => at,
                    None => return false,
                }
            };
            value_end > 0 && fits(after, &rest[value_end..])
        }
    }
}

/// The emulated method `method path` calls, if any. Resumable upload chunks
/// (`PUT …?upload_id=`) belong to the upload they continue.
pub(crate) fn find(method: &Method, path: &str) -> Option<&'static Emulated> {
    let path = path.trim_start_matches('/');
    let uploading = method == Method::PUT && path.contains("upload/");
    EMULATED.iter().find(|m| {
        let http_fits = m.http == method.as_str()
            || uploading
            || (m.id == "oauth2.tokeninfo" && method == Method::GET);
        http_fits && m.paths.iter().any(|t| fits(t, path))
    })
}

/// Google's answer for a method the emulator does not serve.
pub(crate) fn not_emulated(method: &Method, path: &str) -> Response<Body> {
    let served: Vec<&str> = EMULATED.iter().map(|m| m.id).collect();
    let message = format!(
        "{method} {path} is not emulated by gapi-emulator (it serves {}). Your credentials were not checked.",
        served.join(", ")
    );
    error_info(
        501,
        "NOT_IMPLEMENTED",
        "notImplemented",
        "NOT_EMULATED",
        &message,
    )
}

/// A Google error body with an `ErrorInfo` detail carrying `info_reason`.
pub(crate) fn error_info(
    code: u16,
    status: &str,
    reason: &str,
    info_reason: &str,
    message: &str,
) -> Response<Body> {
    json(
        code,
        &serde_json::json!({"error": {
            "code": code, "message": message, "status": status,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "details": [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": info_reason,
                "domain": "googleapis.com",
            }],
        }}),
    )
}

/// What a caller presented.
#[derive(Debug)]
pub(crate) struct Presented<'a> {
    /// `Authorization: Bearer …`'s token, when sent.
    pub(crate) bearer: Option<&'a str>,
    /// The scopes of that token, when this emulator issued it (and it is
    /// still valid).
    pub(crate) token_scopes: Option<Vec<String>>,
    /// An API key (`x-goog-api-key` or `?key=`), when sent.
    pub(crate) api_key: Option<&'a str>,
}

/// Google's shorthand scopes, as its token endpoint writes them out.
fn full_scope(scope: &str) -> &str {
    match scope {
        "email" => "https://www.googleapis.com/auth/userinfo.email",
        "profile" => "https://www.googleapis.com/auth/userinfo.profile",
        other => other,
    }
}

/// Checks the caller of `method`: `None` when it may go on, else Google's
/// answer. `api_keys` empty accepts any non-empty key.
pub(crate) fn check(
    method: &Emulated,
    presented: &Presented<'_>,
    api_keys: &[String],
) -> Option<Response<Body>> {
    if method.callers == Anyone {
        return None;
    }
    if presented.bearer.is_some() {
        let Some(granted) = &presented.token_scopes else {
            return Some(error_info(
                401,
                "UNAUTHENTICATED",
                "authError",
                "ACCESS_TOKEN_EXPIRED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            ));
        };
        let allowed = method.scopes.is_empty()
            || granted
                .iter()
                .any(|g| method.scopes.contains(&full_scope(g)));
        if allowed {
            return None;
        }
        return Some(error_info(
            403,
            "PERMISSION_DENIED",
            "insufficientPermissions",
            "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            &format!(
                "Request had insufficient authentication scopes. {} needs one of: {}; the token has: {}.",
                method.id,
                method.scopes.join(", "),
                if granted.is_empty() {
                    "none".to_string()
                } else {
                    granted.join(", ")
                }
            ),
        ));
    }
    match (presented.api_key, method.callers) {
        (Some(key), TokenOrKey) => {
            if key.is_empty() || !(api_keys.is_empty() || api_keys.iter().any(|k| k == key)) {
                Some(error_info(
                    400,
                    "INVALID_ARGUMENT",
                    "badRequest",
                    "API_KEY_INVALID",
                    "API key not valid. Please pass a valid API key.",
                ))
            } else {
                None
            }
        }
        (None, TokenOrKey) => Some(error_info(
            403,
            "PERMISSION_DENIED",
            "forbidden",
            "API_KEY_SERVICE_BLOCKED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        )),
        (_, _) => Some(error_info(
            401,
            "UNAUTHENTICATED",
            "required",
            "CREDENTIALS_MISSING",
            &format!(
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential{}.",
                if presented.api_key.is_some() {
                    " (API keys are not supported by this method)"
                } else {
                    ""
                }
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_variable() {
        assert!(fits("drive/v3/files/{fileId}", "drive/v3/files/abc"));
        assert!(!fits(
            "drive/v3/files/{fileId}",
            "drive/v3/files/abc/permissions"
        ));
        assert!(!fits("drive/v3/files/{fileId}", "drive/v3/files/"));
        assert!(fits(
            "v1beta/models/{modelsId}:generateContent",
            "v1beta/models/gemini-2.5-flash:generateContent"
        ));
        assert!(!fits(
            "v1beta/models/{modelsId}:generateContent",
            "v1beta/models/gemini-2.5-flash:countTokens"
        ));
        assert!(fits(
            "v1beta/models/{modelsId}",
            "v1beta/models/gemini-2.5-flash"
        ));
        assert!(!fits("v1beta/models/{modelsId}", "v1beta/models/a/b"));
    }

    #[test]
    fn methods_are_found_by_http_method_and_path() {
        let id = |m: Method, p: &str| find(&m, p).map(|e| e.id);
        assert_eq!(id(Method::GET, "/drive/v3/files"), Some("drive.files.list"));
        assert_eq!(
            id(Method::POST, "/drive/v3/files"),
            Some("drive.files.create")
        );
        assert_eq!(
            id(Method::GET, "/drive/v3/files/x"),
            Some("drive.files.get")
        );
        assert_eq!(
            id(Method::PUT, "/upload/drive/v3/files"),
            Some("drive.files.create")
        );
        assert_eq!(id(Method::GET, "/drive/v3/changes"), None);
        assert_eq!(
            id(Method::POST, "/v1beta/models/m:countTokens"),
            Some("generativelanguage.models.countTokens")
        );
    }
}

/// The table against the pinned discovery documents (`gapi-codegen sync`
/// writes them to `discovery/cache`): ids, HTTP methods, paths and scopes
/// are the documents'.
#[cfg(test)]
mod documents {
    use super::*;

    fn document(id: &str) -> serde_json::Value {
        let name = match id.split('.').next() {
            Some("drive") => "drive.v3",
            Some("bigquery") => "bigquery.v2",
            Some("compute") => "compute.v1",
            Some("appengine") => "appengine.v1",
            Some("generativelanguage") => "generativelanguage.v1beta",
            Some("oauth2") => "oauth2.v2",
            other => panic!("no document for {other:?}"),
        };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../discovery/cache")
            .join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `cargo run -p gapi-codegen -- sync`)",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn find_method<'a>(
        resources: &'a serde_json::Value,
        id: &str,
    ) -> Option<&'a serde_json::Value> {
        let methods = resources["methods"].as_object().into_iter().flatten();
        for (_, method) in methods {
            if method["id"] == id {
                return Some(method);
            }
        }
        let children = resources["resources"].as_object().into_iter().flatten();
        children.filter_map(|(_, r)| find_method(r, id)).next()
    }

    #[test]
    fn every_emulated_method_is_as_its_document_says() {
        for emulated in EMULATED {
            let doc = document(emulated.id);
            let method = find_method(&doc, emulated.id)
                .unwrap_or_else(|| panic!("{} is not in its document", emulated.id));
            assert_eq!(method["httpMethod"], emulated.http, "{}", emulated.id);
            let service = doc["servicePath"].as_str().unwrap_or_default();
            let path = method["flatPath"]
                .as_str()
                .or(method["path"].as_str())
                .unwrap_or_default();
            // Each path is the document's, one of its media upload paths, or
            // Drive's download service.
            let mut documented: Vec<String> = method["mediaUpload"]["protocols"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, p)| p["path"].as_str())
                .map(|p| p.trim_start_matches('/').to_string())
                .collect();
            documented.push(format!("{service}{path}"));
            documented.push("download/drive/v3/files/{fileId}".into());
            assert!(!emulated.paths.is_empty(), "{}", emulated.id);
            for path in emulated.paths {
                assert!(
                    documented.iter().any(|d| d == path),
                    "{}: {path} is not in its document ({documented:?})",
                    emulated.id
                );
            }
            let mut scopes: Vec<&str> = method["scopes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str())
                .collect();
            scopes.sort_unstable();
            let mut ours = emulated.scopes.to_vec();
            ours.sort_unstable();
            assert_eq!(ours, scopes, "{}", emulated.id);
        }
    }
}

/// Every method the table lets through reaches a route that serves it
/// (none falls through to the "not emulated" answer).
#[cfg(test)]
mod served {
    use super::*;

    /// A template with each `{variable}` filled in.
    fn fill(template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str("gemini-2.5-flash");
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    #[tokio::test]
    async fn every_listed_method_is_served() {
        let emu = crate::Emulator::start(crate::EmulatorOptions::default())
            .await
            .unwrap();
        let mut scopes: Vec<&str> = EMULATED
            .iter()
            .flat_map(|m| m.scopes.iter().copied())
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        let user = emu.sign_in(&scopes);
        let http = reqwest::Client::new();
        for method in EMULATED {
            for template in method.paths {
                let path = fill(template);
                let verb = reqwest::Method::from_bytes(method.http.as_bytes()).unwrap();
                let answer = http
                    .request(verb, format!("{}{path}", emu.root_url()))
                    .bearer_auth(&user.access_token)
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                let status = answer.status().as_u16();
                let body = answer.text().await.unwrap_or_default();
                // A route's own answer (404 for a file that is not there,
                // 400 for a bad body) is fine; the gate's are not.
                assert!(
                    status != 501
                        && status != 401
                        && !body.contains("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
                    "{} {} {path}: {status} {body}",
                    method.id,
                    method.http
                );
            }
        }
    }
}
