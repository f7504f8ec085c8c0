//! The runtime against a real socket: retries, Retry-After, errors, paging,
//! resumable uploads that lose their connection, downloads resumed by Range.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use gapi_runtime::auth::{AuthError, BoxFuture, Credentials};
use gapi_runtime::media::{ResumableOptions, UploadSource};
use gapi_runtime::spec::{Download, HttpMethod, MediaSpec, MethodSpec, ServiceSpec};
use gapi_runtime::{Client, Paginated, Request, RetryPolicy};
use serde::Deserialize;
use support::{json, serve, Reply, SERVICE};

static GET: MethodSpec = MethodSpec {
    service: &SERVICE,
    id: "test.things.get",
    http_method: HttpMethod::GET,
    path: "things/{thingId}",
    scopes: &[],
    api_version: Some("v20240101"),
    media: None,
    download: Download::AltMedia,
    returns_json: true,
};

static LIST: MethodSpec = MethodSpec {
    service: &SERVICE,
    id: "test.things.list",
    http_method: HttpMethod::GET,
    path: "{+parent}/things",
    scopes: &[],
    api_version: None,
    media: None,
    download: Download::None,
    returns_json: true,
};

static INSERT: MethodSpec = MethodSpec {
    service: &SERVICE,
    id: "test.things.insert",
    http_method: HttpMethod::POST,
    path: "things",
    scopes: &[],
    api_version: None,
    media: Some(&MediaSpec {
        simple_path: Some("/upload/test/v1/things"),
        resumable_path: Some("/resumable/upload/test/v1/things"),
        max_size: Some(10 << 20),
        accept: &["*/*"],
    }),
    download: Download::None,
    returns_json: true,
};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

fn client(base: &str) -> Client {
    Client::builder(&SERVICE)
        .root_url(base)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[derive(Debug, Deserialize, PartialEq)]
struct Thing {
    id: String,
}

#[tokio::test]
async fn preview_builds_google_style_urls_and_headers() {
    let c = client("http://127.0.0.1:9/");
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "a/b c+d");
    r.add_query("tag", "x");
    r.add_query("tag", "y z");
    r.set_query("fields", "id,name");
    let p = r.preview().unwrap();
    assert_eq!(p.method, "GET");
    assert_eq!(
        p.url,
        "http://127.0.0.1:9/test/v1/things/a%2Fb%20c%2Bd?alt=json&prettyPrint=false&tag=x&tag=y%20z&fields=id%2Cname"
    );
    let header = |n: &str| {
        p.headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-goog-api-version").as_deref(), Some("v20240101"));
    assert!(header("x-goog-api-client").unwrap().contains("gdcl/"));
    assert!(header("user-agent").unwrap().starts_with("gapi/"));

    let mut l = Request::new(&c, &LIST);
    l.path_param("parent", "projects/p/locations/l?x");
    assert!(l
        .preview()
        .unwrap()
        .url
        .contains("/test/v1/projects/p/locations/l%3Fx/things?"));

    let missing = Request::new(&c, &GET).preview().unwrap_err();
    assert!(missing.is_build() && !missing.may_have_been_sent());
    assert!(
        missing
            .to_string()
            .contains("missing path parameter `thingId`"),
        "{missing}"
    );
}

#[tokio::test]
async fn long_get_urls_become_post_with_method_override() {
    let c = client("http://127.0.0.1:9/");
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "1");
    r.set_query("q", "x".repeat(3000));
    let p = r.preview().unwrap();
    assert_eq!(p.method, "POST");
    assert!(!p.url.contains('?'));
    assert!(p
        .headers
        .iter()
        .any(|(k, v)| k == "x-http-method-override" && v == "GET"));
    assert!(std::str::from_utf8(p.body.as_ref().unwrap())
        .unwrap()
        .starts_with("alt=json&"));
}

#[tokio::test]
async fn retries_5xx_and_429_honouring_retry_after() {
    let server = serve(4, |i, _| match i {
        0 => Reply::Respond(
            503,
            vec![("retry-after".into(), "0".into())],
            b"{}".to_vec(),
        ),
        1 => Reply::Respond(
            429,
            vec![("retry-after".into(), "1".into())],
            b"{}".to_vec(),
        ),
        _ => json(200, r#"{"id":"t1"}"#),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "t1");
    let started = Instant::now();
    let thing: Thing = r.execute().await.unwrap();
    assert_eq!(thing.id, "t1");
    assert_eq!(server.recorded().len(), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn post_is_not_retried_on_503_but_get_gives_up_after_max_attempts() {
    let server = serve(10, |_, _| {
        json(
            503,
            r#"{"error":{"code":503,"message":"down","status":"UNAVAILABLE"}}"#,
        )
    })
    .await;
    let err = Request::new(&client(&server.base), &INSERT)
        .execute::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.recorded().len(), 1, "POST is not idempotent");

    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "x");
    let err = r.execute::<serde_json::Value>().await.unwrap_err();
    assert_eq!(
        server.recorded().len(),
        1 + 5,
        "GET retried up to max_attempts"
    );
    assert_eq!(
        err.google_error().unwrap().status.as_deref(),
        Some("UNAVAILABLE")
    );
    assert!(err.may_have_been_sent());
}

#[tokio::test]
async fn rate_limit_403_is_retried_other_403_is_not() {
    let limited = r#"{"error":{"code":403,"message":"slow down","errors":[{"reason":"userRateLimitExceeded","domain":"usageLimits"}]}}"#;
    let forbidden = r#"{"error":{"code":403,"message":"The user does not have sufficient permissions.","status":"PERMISSION_DENIED","errors":[{"reason":"insufficientFilePermissions"}]}}"#;
    let limited = limited.to_string();
    let forbidden = forbidden.to_string();
    let server = serve(3, move |i, _| match i {
        0 => json(403, &limited),
        _ => json(403, &forbidden),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "x");
    let err = r.execute::<Thing>().await.unwrap_err();
    assert_eq!(server.recorded().len(), 2);
    assert!(err.is_auth());
    assert_eq!(err.reason(), Some("insufficientFilePermissions"));
    assert_eq!(
        err.to_string(),
        "test.things.get: HTTP 403 PERMISSION_DENIED (insufficientFilePermissions): The user does not have sufficient permissions."
    );
    assert!(String::from_utf8_lossy(err.body().unwrap()).contains("insufficientFilePermissions"));
    // Debug is the message; {:#?} the structure, with the body by its length.
    assert_eq!(format!("{err:?}"), err.to_string());
    let structured = format!("{err:#?}");
    let length = format!("<{} bytes>", err.body().unwrap().len());
    assert!(structured.contains(&length), "{structured}");
    assert!(!structured.contains("b\""), "{structured}");
}

#[tokio::test]
async fn non_json_error_and_undecodable_success_keep_the_body() {
    let server = serve(2, |i, _| match i {
        0 => Reply::Respond(404, vec![], b"<html>Not Found</html>".to_vec()),
        _ => json(200, r#"{"id": 5}"#),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "x");
    let err = r.clone().execute::<Thing>().await.unwrap_err();
    assert!(err.is_not_found() && err.google_error().is_none());
    assert!(err.to_string().contains("<html>Not Found</html>"));
    let err = r.execute::<Thing>().await.unwrap_err();
    assert!(err.is_decode());
    assert_eq!(err.body().unwrap(), br#"{"id": 5}"#);
}

#[derive(Debug)]
struct Expiring {
    invalidated: AtomicUsize,
}

impl Credentials for Expiring {
    fn headers(&self) -> BoxFuture<'_, Result<http::HeaderMap, AuthError>> {
        Box::pin(async move {
            let mut h = http::HeaderMap::new();
            let token = format!("Bearer token-{}", self.invalidated.load(Ordering::SeqCst));
            h.insert(http::header::AUTHORIZATION, token.parse().unwrap());
            Ok(h)
        })
    }
    fn invalidate(&self) -> bool {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        true
    }
}

#[tokio::test]
async fn a_401_refreshes_credentials_once_then_retries() {
    let server = serve(3, |_, req| match req.header("authorization") {
        Some("Bearer token-1") => json(200, r#"{"id":"ok"}"#),
        _ => json(
            401,
            r#"{"error":{"code":401,"message":"Invalid Credentials","status":"UNAUTHENTICATED"}}"#,
        ),
    })
    .await;
    let creds = Arc::new(Expiring {
        invalidated: AtomicUsize::new(0),
    });
    let c = Client::builder(&SERVICE)
        .root_url(&server.base)
        .shared_credentials(creds.clone())
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    let thing: Thing = r.execute().await.unwrap();
    assert_eq!(thing.id, "ok");
    assert_eq!(creds.invalidated.load(Ordering::SeqCst), 1);
    assert_eq!(server.recorded().len(), 2);
}

/// Credentials whose token endpoint fails `failures` times with `kind`.
#[derive(Debug)]
struct Flaky {
    kind: gapi_runtime::auth::AuthErrorKind,
    failures: usize,
    asked: AtomicUsize,
}

impl Credentials for Flaky {
    fn headers(&self) -> BoxFuture<'_, Result<http::HeaderMap, AuthError>> {
        Box::pin(async move {
            if self.asked.fetch_add(1, Ordering::SeqCst) < self.failures {
                return Err(AuthError::new(self.kind, "token endpoint: HTTP 503"));
            }
            let mut h = http::HeaderMap::new();
            h.insert(http::header::AUTHORIZATION, "Bearer t".parse().unwrap());
            Ok(h)
        })
    }
}

#[tokio::test]
async fn an_unavailable_token_endpoint_is_retried_and_a_broken_one_is_not() {
    use gapi_runtime::auth::AuthErrorKind;
    let server = serve(4, |_, _| json(200, r#"{"id":"ok"}"#)).await;
    let call = |kind, failures| {
        let creds = Arc::new(Flaky {
            kind,
            failures,
            asked: AtomicUsize::new(0),
        });
        let c = Client::builder(&SERVICE)
            .root_url(&server.base)
            .retry_policy(fast_retries())
            .shared_credentials(creds.clone())
            .build()
            .unwrap();
        // A POST: a request never sent is safe to try again whatever it is.
        let r = Request::new(&c, &INSERT);
        async move { (r.execute::<Thing>().await, creds) }
    };
    let (thing, creds) = call(AuthErrorKind::Unavailable, 2).await;
    assert_eq!(thing.unwrap().id, "ok");
    assert_eq!(creds.asked.load(Ordering::SeqCst), 3);
    assert_eq!(server.recorded().len(), 1, "sent once, when a token came");

    let (err, creds) = call(AuthErrorKind::Refresh, 1).await;
    let err = err.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(creds.asked.load(Ordering::SeqCst), 1, "a refusal is final");
}

#[derive(Clone, Debug)]
struct ListCall(Request);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    things: Option<Vec<Thing>>,
    next_page_token: Option<gapi_runtime::CompactString>,
}

impl Paginated for ListCall {
    type Page = Page;
    type Item = Thing;
    fn set_page_token(&mut self, token: gapi_runtime::CompactString) {
        self.0.set_query("pageToken", token);
    }
    fn next_page_token(page: &Page) -> Option<gapi_runtime::CompactString> {
        page.next_page_token.clone()
    }
    fn into_items(page: Page) -> Vec<Thing> {
        page.things.unwrap_or_default()
    }
    fn fetch_page(self) -> BoxFuture<'static, Result<Page, gapi_runtime::Error>> {
        Box::pin(self.0.execute())
    }
}

#[tokio::test]
async fn pagination_walks_every_page_lazily() {
    const PAGES: usize = 25;
    let server = serve(PAGES, |_, req| {
        let page: usize = req
            .target
            .split("pageToken=p")
            .nth(1)
            .map(|n| n.split('&').next().unwrap().parse().unwrap())
            .unwrap_or(0);
        let things: Vec<String> = (0..10)
            .map(|i| format!(r#"{{"id":"{page}-{i}"}}"#))
            .collect();
        let next = if page + 1 < PAGES {
            format!(r#","nextPageToken":"p{}""#, page + 1)
        } else {
            String::new()
        };
        json(
            200,
            &format!(r#"{{"things":[{}]{next}}}"#, things.join(",")),
        )
    })
    .await;
    let mut r = Request::new(&client(&server.base), &LIST);
    r.path_param("parent", "projects/p");
    let call = ListCall(r);
    let items: Vec<Thing> = gapi_runtime::paging::items(call.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), PAGES * 10);
    assert_eq!(items[0].id, "0-0");
    assert_eq!(items.last().unwrap().id, "24-9");
    assert_eq!(server.recorded().len(), PAGES);
    // Lazy: taking the first page sends one request.
    drop(server);
    let server = serve(5, |_, _| {
        json(200, r#"{"things":[{"id":"a"}],"nextPageToken":"again"}"#)
    })
    .await;
    let mut r = Request::new(&client(&server.base), &LIST);
    r.path_param("parent", "projects/p");
    let mut pages = gapi_runtime::paging::pages(ListCall(r));
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.things.unwrap().len(), 1);
    assert_eq!(server.recorded().len(), 1);
    // A server that repeats a token ends the stream instead of looping.
    let rest: Vec<Page> = pages.try_collect().await.unwrap();
    assert_eq!(rest.len(), 1);
}

/// A fake resumable session that loses the connection in the middle of the
/// first attempt at every chunk: the bytes it ends with equal the file.
#[tokio::test]
async fn resumable_upload_survives_a_drop_in_every_chunk() {
    let data: Vec<u8> = (0..(3 * 256 * 1024 + 1000))
        .map(|i| (i % 251) as u8)
        .collect();
    let total = data.len();
    let stored = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let dropped = Arc::new(std::sync::Mutex::new(
        std::collections::BTreeSet::<String>::new(),
    ));
    let st = stored.clone();
    let progress_calls = Arc::new(AtomicUsize::new(0));
    let server = support::serve_with_drops(
        64,
        move |req| {
            let range = req.header("content-range")?;
            if range.starts_with("bytes */") {
                return None;
            }
            dropped
                .lock()
                .unwrap()
                .insert(range.to_string())
                .then_some(1000)
        },
        move |_, req| {
            if req.method == "POST" {
                assert!(
                    req.target.contains("uploadType=resumable"),
                    "{}",
                    req.target
                );
                assert_eq!(
                    req.header("x-upload-content-type"),
                    Some("application/octet-stream")
                );
                assert_eq!(
                    req.header("x-upload-content-length"),
                    Some(total.to_string().as_str())
                );
                assert_eq!(req.body, br#"{"name":"big.bin"}"#);
                return Reply::Respond(
                    200,
                    vec![("location".into(), "/session/1".into())],
                    Vec::new(),
                );
            }
            let range = req.header("content-range").unwrap().to_string();
            let mut stored = st.lock().unwrap();
            if !range.starts_with("bytes */") {
                let start: usize = range[6..].split('-').next().unwrap().parse().unwrap();
                assert_eq!(
                    start,
                    stored.len(),
                    "the client resumes where the server is"
                );
                stored.extend_from_slice(&req.body);
            }
            if stored.len() == total {
                return json(200, r#"{"id":"done"}"#);
            }
            let headers = if stored.is_empty() {
                vec![]
            } else {
                vec![("range".into(), format!("bytes=0-{}", stored.len() - 1))]
            };
            Reply::Respond(308, headers, Vec::new())
        },
    )
    .await;
    let counter = progress_calls.clone();
    let options = ResumableOptions::default()
        .chunk_size(256 * 1024)
        .progress(move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
    let mut r = Request::new(&client(&server.base), &INSERT);
    r.json_body(&serde_json::json!({"name": "big.bin"}));
    let thing: Thing = r
        .upload_resumable(
            UploadSource::from(data.clone()),
            "application/octet-stream",
            options,
        )
        .await
        .unwrap();
    assert_eq!(thing.id, "done");
    assert_eq!(*stored.lock().unwrap(), data);
    let recorded = server.recorded();
    let status_queries = recorded
        .iter()
        .filter(|r| {
            r.header("content-range")
                .is_some_and(|c| c.starts_with("bytes */"))
        })
        .count();
    assert_eq!(
        status_queries, 4,
        "one status query after each of the 4 dropped chunks"
    );
    assert!(progress_calls.load(Ordering::SeqCst) >= 4);
}

#[tokio::test]
async fn upload_over_max_size_is_refused_before_sending() {
    let server = serve(1, |_, _| json(200, "{}")).await;
    let big = vec![0u8; (10 << 20) + 1];
    let err = Request::new(&client(&server.base), &INSERT)
        .upload::<serde_json::Value>(UploadSource::from(big), "application/octet-stream")
        .await
        .unwrap_err();
    assert!(
        err.is_build() && err.to_string().contains("at most 10485760"),
        "{err}"
    );
    assert!(server.recorded().is_empty());
}

#[tokio::test]
async fn multipart_upload_sends_metadata_and_media() {
    let server = serve(1, |_, _| json(200, r#"{"id":"m"}"#)).await;
    let mut r = Request::new(&client(&server.base), &INSERT);
    r.json_body(&serde_json::json!({"name": "a.txt"}));
    let thing: Thing = r
        .upload(UploadSource::from("hello"), "text/plain")
        .await
        .unwrap();
    assert_eq!(thing.id, "m");
    let req = &server.recorded()[0];
    assert!(
        req.target.starts_with("/upload/test/v1/things?"),
        "{}",
        req.target
    );
    assert!(req.target.contains("uploadType=multipart"));
    let ct = req.header("content-type").unwrap();
    let boundary = ct.strip_prefix("multipart/related; boundary=").unwrap();
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert_eq!(
        body,
        format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"a.txt\"}}\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--")
    );
}

#[tokio::test]
async fn download_resumes_with_range_after_a_drop() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let full = data.clone();
    let server = serve(3, move |i, req| {
        assert!(req.target.contains("alt=media"), "{}", req.target);
        match i {
            0 => Reply::TruncatedBody(200, vec![], full.clone(), 70_000),
            _ => {
                let from: usize = req.header("range").unwrap()["bytes=".len()..]
                    .trim_end_matches('-')
                    .parse()
                    .unwrap();
                Reply::Respond(
                    206,
                    vec![(
                        "content-range".into(),
                        format!("bytes {from}-{}/{}", full.len() - 1, full.len()),
                    )],
                    full[from..].to_vec(),
                )
            }
        }
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "blob");
    let mut out = Vec::new();
    let n = r.download(&mut out).await.unwrap();
    assert_eq!(n as usize, data.len());
    assert_eq!(out, data);
    let recorded = server.recorded();
    assert_eq!(recorded.len(), 2);
    assert!(recorded[1].header("range").unwrap().starts_with("bytes="));
}

#[tokio::test]
async fn connection_refused_is_not_sent_and_secrets_stay_out_of_errors() {
    // Nothing listens on port 9; the key in the query must not leak.
    let c = Client::builder(&SERVICE)
        .root_url("http://127.0.0.1:9/")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    r.set_query("key", "AIzaSECRET");
    let err = r.execute::<Thing>().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.may_have_been_sent());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("AIzaSECRET"), "{shown}");
    assert!(
        !shown.contains("things/x"),
        "URLs are dropped from transport errors: {shown}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        // Accept and keep connections open without answering.
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let c = Client::builder(&SERVICE)
        .root_url(&base)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    let err = r.execute::<Thing>().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.may_have_been_sent());
    hold.abort();
}

#[tokio::test]
async fn credentials_headers_and_api_keys_reach_the_server() {
    let server = serve(2, |_, _| json(200, r#"{"id":"k"}"#)).await;
    let c = Client::builder(&SERVICE)
        .root_url(&server.base)
        .credentials(gapi_runtime::auth::ApiKey::new("AIzaKEY"))
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    r.execute::<Thing>().await.unwrap();
    let c = Client::builder(&SERVICE)
        .root_url(&server.base)
        .credentials(gapi_runtime::auth::StaticToken::new("ya29.t").with_quota_project("qp"))
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    r.execute::<Thing>().await.unwrap();
    let seen = server.recorded();
    assert_eq!(seen[0].header("x-goog-api-key"), Some("AIzaKEY"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer ya29.t"));
    assert_eq!(seen[1].header("x-goog-user-project"), Some("qp"));
}

static SERVICE_DOWNLOAD: MethodSpec = MethodSpec {
    service: &SERVICE,
    id: "test.media.download",
    http_method: HttpMethod::GET,
    path: "media/{+resourceName}",
    scopes: &[],
    api_version: None,
    media: None,
    download: Download::Service,
    returns_json: false,
};

#[tokio::test]
async fn the_media_download_service_uses_the_download_prefix() {
    let c = client("http://127.0.0.1:9/");
    let mut r = Request::new(&c, &SERVICE_DOWNLOAD);
    r.path_param("resourceName", "a/b");
    r.set_query("alt", "media");
    let url = r.preview().unwrap().url;
    assert!(
        url.starts_with("http://127.0.0.1:9/download/test/v1/media/a/b?"),
        "{url}"
    );
    assert!(url.contains("alt=media"), "{url}");
}

#[tokio::test]
async fn the_total_time_budget_stops_retries() {
    let server = serve(10, |_, _| {
        Reply::Respond(
            503,
            vec![("retry-after".into(), "5".into())],
            b"{}".to_vec(),
        )
    })
    .await;
    let c = Client::builder(&SERVICE)
        .root_url(&server.base)
        .retry_policy(RetryPolicy {
            total_budget: Duration::from_secs(2),
            ..fast_retries()
        })
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    let started = Instant::now();
    let err = r.execute::<Thing>().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert_eq!(
        server.recorded().len(),
        1,
        "waiting 5 s would exceed the 2 s budget"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_body_cut_off_midway_is_fetched_again_for_idempotent_calls() {
    let body = format!(r#"{{"id":"{}"}}"#, "x".repeat(10_000));
    let full = body.clone().into_bytes();
    let server = serve(3, move |i, _| match i {
        0 => Reply::TruncatedBody(
            200,
            vec![("content-type".into(), "application/json".into())],
            full.clone(),
            5_000,
        ),
        _ => Reply::Respond(
            200,
            vec![("content-type".into(), "application/json".into())],
            full.clone(),
        ),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "x");
    let thing: Thing = r.execute().await.unwrap();
    assert_eq!(thing.id.len(), 10_000);
    assert_eq!(server.recorded().len(), 2);

    // POST is not repeated: the error says the request may have been sent.
    let server = serve(2, move |_, _| {
        Reply::TruncatedBody(200, vec![], br#"{"id":"abcdefghij"}"#.to_vec(), 5)
    })
    .await;
    let err = Request::new(&client(&server.base), &INSERT)
        .execute::<Thing>()
        .await
        .unwrap_err();
    assert!(err.may_have_been_sent());
    assert_eq!(server.recorded().len(), 1);
}

static WRAPPED_SERVICE: ServiceSpec = ServiceSpec {
    data_wrapper: true,
    ..SERVICE
};

static WRAPPED_INSERT: MethodSpec = MethodSpec {
    service: &WRAPPED_SERVICE,
    id: "test.things.insert",
    http_method: HttpMethod::POST,
    path: "things",
    scopes: &[],
    api_version: None,
    media: None,
    download: Download::None,
    returns_json: true,
};

#[tokio::test]
async fn data_wrapper_apis_wrap_bodies_and_unwrap_responses() {
    let server = serve(5, |i, _| match i {
        0 => json(200, r#"{"data": {"id": "t1"}, "extra": 1}"#),
        1 => json(200, r#"{"id": "t1"}"#),
        2 => Reply::Respond(200, vec![], b"{\"data\": {\"id\": \"\xff\"}}".to_vec()),
        3 => json(200, "{\n \"data\": {\"id\": 7}}"),
        _ => json(200, ""),
    })
    .await;
    let c = Client::builder(&WRAPPED_SERVICE)
        .root_url(&server.base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let request = || {
        let mut r = Request::new(&c, &WRAPPED_INSERT);
        r.json_body(&serde_json::json!({"id": "new"}));
        r
    };
    let thing = request().execute::<Thing>().await.unwrap();
    assert_eq!(thing, Thing { id: "t1".into() });
    assert_eq!(server.recorded()[0].body, br#"{"data":{"id":"new"}}"#);

    // No envelope: a decode error that keeps the body and names the field.
    let err = request().execute::<Thing>().await.unwrap_err();
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        err.is_decode() && source.contains("missing field `data`"),
        "{err}: {source}"
    );
    assert_eq!(
        err.decode_path().as_deref(),
        Some(""),
        "the envelope itself"
    );
    assert_eq!(err.body().unwrap(), br#"{"id": "t1"}"#);

    // A body that is not UTF-8 says where.
    let err = request().execute::<Thing>().await.unwrap_err();
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        source.contains("invalid UTF-8 at line 1 column 18"),
        "{source}"
    );

    // An error inside the envelope is located in the whole body.
    let err = request().execute::<Thing>().await.unwrap_err();
    assert_eq!(err.decode_path().as_deref(), Some("data.id"), "{err}");
    assert!(err.to_string().contains("(byte 18: "), "{err}");

    // An empty 200 decodes as an absent value where the type allows it.
    let none = request().execute::<Option<Thing>>().await.unwrap();
    assert_eq!(none, None);
}

// One retry loop: every path counts its requests on the wire, and honours
// the call's own policy over the client's.

fn three_tries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        ..fast_retries()
    }
}

#[tokio::test]
async fn a_call_never_makes_more_than_max_attempts_requests() {
    // 503s and cut-off bodies alternate: once an outer loop around an inner
    // one, which could make max_attempts² requests.
    let server = serve(20, |i, _| match i % 2 {
        0 => json(503, "{}"),
        _ => Reply::TruncatedBody(200, vec![], br#"{"id":"abcdefghij"}"#.to_vec(), 5),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "x");
    r.retry_policy(three_tries());
    let err = r.execute::<Thing>().await.unwrap_err();
    assert_eq!(server.recorded().len(), 3, "{err}");
}

#[tokio::test]
async fn downloads_follow_the_calls_own_policy() {
    // Every response, first or resumed, is cut off after 1,000 bytes.
    let blob = vec![7u8; 50_000];
    let server = serve(20, move |_, req| match req.header("range") {
        None => Reply::TruncatedBody(200, vec![], blob.clone(), 1_000),
        Some(range) => {
            let from: usize = range["bytes=".len()..]
                .trim_end_matches('-')
                .parse()
                .unwrap();
            let header = format!("bytes {from}-{}/{}", blob.len() - 1, blob.len());
            let rest = blob[from..].to_vec();
            Reply::TruncatedBody(206, vec![("content-range".into(), header)], rest, 1_000)
        }
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "blob");
    r.retry_policy(RetryPolicy {
        max_attempts: 2,
        ..fast_retries()
    });
    let mut out = Vec::new();
    let err = r.download(&mut out).await.unwrap_err();
    assert!(err.may_have_been_sent(), "{err}");
    assert_eq!(
        server.recorded().len(),
        2,
        "the call's 2, not the client's 5"
    );
    assert_eq!(
        out.len(),
        2_000,
        "what arrived before each of the two drops"
    );
}

/// A session start answered without `Location` (a proxy's page with a
/// `200`): the error says so and quotes what came instead; no chunk is sent.
#[tokio::test]
async fn a_session_start_without_location_says_what_answered() {
    let server = serve(2, |_, _| {
        Reply::Respond(
            200,
            vec![("content-type".into(), "text/html".into())],
            b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
        )
    })
    .await;
    let err = Request::new(&client(&server.base), &INSERT)
        .upload_resumable::<Thing>(
            UploadSource::from(vec![1u8; 10]),
            "application/octet-stream",
            ResumableOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no Location header"), "{err}");
    assert!(err.contains("<h1>502 Bad Gateway</h1>"), "{err}");
    assert_eq!(server.recorded().len(), 1, "only the session start");
}

#[tokio::test]
async fn resumable_status_queries_follow_the_calls_own_policy() {
    let server = serve(20, |_, req| {
        if req.method == "POST" {
            return Reply::Respond(
                200,
                vec![("location".into(), "/session/9".into())],
                Vec::new(),
            );
        }
        json(503, r#"{"error":{"code":503,"message":"busy"}}"#)
    })
    .await;
    let mut r = Request::new(&client(&server.base), &INSERT);
    r.retry_policy(three_tries());
    let err = r
        .upload_resumable::<Thing>(
            UploadSource::from(vec![1u8; 1000]),
            "application/octet-stream",
            ResumableOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let methods: Vec<String> = server
        .recorded()
        .iter()
        .map(|r| {
            let range = r.header("content-range").unwrap_or("-");
            format!("{} {range}", r.method)
        })
        .collect();
    assert_eq!(
        methods,
        [
            "POST -",
            "PUT bytes 0-999/1000",
            "PUT bytes */1000",
            "PUT bytes */1000"
        ],
        "the chunk, then status queries, 3 attempts in all"
    );
}

#[tokio::test]
async fn an_upload_session_start_follows_the_calls_own_policy() {
    let server = serve(20, |_, _| json(503, "{}")).await;
    let mut r = Request::new(&client(&server.base), &INSERT);
    r.retry_policy(RetryPolicy {
        retry_non_idempotent: true,
        ..three_tries()
    });
    let err = r
        .upload::<Thing>(UploadSource::from("hi"), "text/plain")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.recorded().len(), 3);
}

#[tokio::test]
async fn download_progress_reports_bytes_and_the_total_across_a_resume() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
    let full = data.clone();
    let server = serve(3, move |i, req| match i {
        0 => Reply::TruncatedBody(200, vec![], full.clone(), 100_000),
        _ => {
            let from: usize = req.header("range").unwrap()["bytes=".len()..]
                .trim_end_matches('-')
                .parse()
                .unwrap();
            Reply::Respond(
                206,
                vec![(
                    "content-range".into(),
                    format!("bytes {from}-{}/{}", full.len() - 1, full.len()),
                )],
                full[from..].to_vec(),
            )
        }
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "blob");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let mut out = Vec::new();
    let n = r
        .download_with_progress(&mut out, move |done, total| {
            log.lock().unwrap().push((done, total));
        })
        .await
        .unwrap();
    assert_eq!(out, data);
    assert_eq!(n, 300_000);
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(
        seen.iter().all(|&(_, total)| total == Some(300_000)),
        "{seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "bytes only grow: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&(300_000, Some(300_000))));
}

#[tokio::test]
async fn decode_errors_name_the_json_path_and_quote_the_body() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read by Debug only; the test is about the error
    struct Listing {
        things: Vec<Thing>,
    }
    let server = serve(1, |_, _| {
        json(
            200,
            r#"{"things":[{"id":"a"},{"id":"b"},{"id":42}],"more":true}"#,
        )
    })
    .await;
    let mut l = Request::new(&client(&server.base), &LIST);
    l.path_param("parent", "p");
    let err = l.execute::<Listing>().await.unwrap_err();
    assert!(err.is_decode());
    assert_eq!(err.decode_path().as_deref(), Some("things[2].id"));
    let shown = err.to_string();
    assert!(
        shown.starts_with("test.things.list: the response did not decode at `things[2].id` (byte "),
        "{shown}"
    );
    assert!(
        shown.contains(r#"{"id":42}"#),
        "an excerpt of the body: {shown}"
    );
    let source = std::error::Error::source(&err)
        .expect("serde_json's error")
        .to_string();
    assert!(source.contains("invalid type: integer `42`"), "{source}");
    assert!(!shown.contains(&source), "Display does not repeat source()");
}

/// An upload smaller than one chunk (the default is 8 MiB) still reports
/// progress while it is sent, not only 0 and then everything.
#[tokio::test]
async fn a_single_chunk_upload_reports_progress_as_it_goes() {
    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let total = data.len();
    let server = serve(2, move |_, req| {
        if req.method == "POST" {
            return Reply::Respond(
                200,
                vec![("location".into(), "/session/1".into())],
                Vec::new(),
            );
        }
        assert_eq!(
            req.header("content-length"),
            Some(total.to_string().as_str())
        );
        assert_eq!(req.body.len(), total);
        json(200, r#"{"id":"done"}"#)
    })
    .await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = ResumableOptions::default().progress(move |done, all| {
        record.lock().unwrap().push((done, all));
    });
    let thing: Thing = Request::new(&client(&server.base), &INSERT)
        .upload_resumable(
            UploadSource::from(data),
            "application/octet-stream",
            options,
        )
        .await
        .unwrap();
    assert_eq!(thing.id, "done");
    let seen = seen.lock().unwrap();
    let total = total as u64;
    assert!(seen.iter().all(|(_, all)| *all == Some(total)), "{seen:?}");
    let during: Vec<u64> = seen
        .iter()
        .map(|(d, _)| *d)
        .filter(|d| *d < total)
        .collect();
    // Every 64 KiB: 15 reports before the end, rising.
    assert_eq!(during.len(), 15, "{seen:?}");
    assert!(during.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(seen.last().map(|(d, _)| *d), Some(total));
}

#[tokio::test]
async fn display_never_repeats_what_source_returns() {
    let c = Client::builder(&SERVICE)
        .root_url("http://127.0.0.1:9/")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut r = Request::new(&c, &GET);
    r.path_param("thingId", "x");
    let err = r.execute::<Thing>().await.unwrap_err();
    let mut chain = vec![err.to_string()];
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        chain.push(c.to_string());
        cause = c.source();
    }
    // Where it tried, and the operating system's word for why it failed.
    assert_eq!(
        chain[0],
        "test.things.get: could not connect to 127.0.0.1:9 (connection refused)"
    );
    assert!(
        chain.len() >= 2,
        "the cause is one source() away: {chain:?}"
    );
    // Debug (what `main` returning `Box<dyn Error>` prints) is the same
    // chain, a line each, without the repeats hyper adds.
    let debug = format!("{err:?}");
    assert!(
        debug.starts_with(&format!("{}\n  caused by: ", chain[0])),
        "{debug}"
    );
    assert!(debug.ends_with(chain.last().unwrap().as_str()), "{debug}");
    assert!(!debug.contains("ConnectError"), "{debug}");
    let structured = format!("{err:#?}");
    assert!(structured.contains("Transport {"), "{structured}");
    // Nothing listens on a port of this machine that refused: retrying
    // would only delay the message.
    assert!(!err.is_retryable(&RetryPolicy::default(), true));
    assert_eq!(err.host(), Some("127.0.0.1:9"));
    // gapi's own line repeats none of the causes (what reqwest and hyper
    // print below it is theirs).
    for cause in &chain[1..] {
        assert!(!chain[0].contains(cause.as_str()), "{chain:?}");
    }
}

#[tokio::test]
async fn json_calls_accept_json_and_downloads_accept_anything() {
    let server = serve(2, |i, _| match i {
        0 => json(200, r#"{"id":"a"}"#),
        _ => Reply::Respond(200, vec![], b"bytes".to_vec()),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "a");
    r.clone().execute::<Thing>().await.unwrap();
    r.download(&mut Vec::new()).await.unwrap();
    let seen = server.recorded();
    assert_eq!(seen[0].header("accept"), Some("application/json"));
    assert_ne!(seen[1].header("accept"), Some("application/json"));
}

/// Collects what a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `work` on a runtime of its own under a subscriber that logs spans
/// as they close; returns the log.
fn traced<F: std::future::Future<Output = ()>>(work: impl FnOnce() -> F) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(work()));
    let log = captured.0.lock().unwrap().clone();
    String::from_utf8(log).unwrap()
}

#[test]
fn a_span_per_call_with_status_and_attempts_and_no_secrets() {
    let log = traced(|| async {
        let server = serve(2, |i, _| match i {
            0 => json(503, "{}"),
            _ => json(200, r#"{"id":"t"}"#),
        })
        .await;
        let c = Client::builder(&SERVICE)
            .root_url(&server.base)
            .retry_policy(fast_retries())
            .credentials(gapi_runtime::auth::ApiKey::new("AIzaHEADERKEY"))
            .build()
            .unwrap();
        let mut r = Request::new(&c, &GET);
        r.path_param("thingId", "t");
        r.set_query("key", "AIzaQUERYKEY");
        r.set_query("access_token", "ya29.QUERYTOKEN");
        r.execute::<Thing>().await.unwrap();
    });
    assert!(log.contains("retrying"), "a retry event: {log}");
    let close = log
        .lines()
        .find(|l| l.contains("gapi.call") && l.contains("close"))
        .unwrap_or_else(|| panic!("a closed call span: {log}"));
    for field in [
        "method=\"test.things.get\"",
        "attempt=2",
        "status=200",
        "bytes=10",
        "key=REDACTED",
        "access_token=REDACTED",
    ] {
        assert!(close.contains(field), "{field} in {close}");
    }
    assert!(close.contains("latency_ms="), "{close}");
    for secret in ["AIzaHEADERKEY", "AIzaQUERYKEY", "ya29.QUERYTOKEN"] {
        assert!(!log.contains(secret), "{secret} leaked: {log}");
    }
}

/// A generated-style struct: decoded in place through `DecodeFields`.
#[derive(Debug, Default, PartialEq)]
struct Named {
    id: Option<gapi_runtime::CompactString>,
    size: Option<i64>,
}

impl gapi_runtime::decode::DecodeFields for Named {
    fn type_name(&self) -> &'static str {
        "Named"
    }
    fn decode_field(
        &mut self,
        key: &str,
        r: &mut dyn gapi_runtime::decode::Reader,
    ) -> Result<(), gapi_runtime::decode::Failed> {
        match key {
            "id" => self.id = r.string()?,
            "size" => self.size = r.int64()?,
            _ => r.skip()?,
        }
        Ok(())
    }
}

static WRAPPED: ServiceSpec = ServiceSpec {
    data_wrapper: true,
    ..SERVICE
};

static WRAPPED_GET: MethodSpec = MethodSpec {
    service: &WRAPPED,
    id: "test.things.get",
    http_method: HttpMethod::GET,
    path: "things/{thingId}",
    scopes: &[],
    api_version: Some("v20240101"),
    media: None,
    download: Download::AltMedia,
    returns_json: true,
};

#[tokio::test]
async fn execute_struct_decodes_in_place_unwraps_data_and_keeps_bad_bodies() {
    let server = serve(4, |i, _| match i {
        0 => json(200, r#"{"id":"t1","size":"12","other":[1,{"x":null}]}"#),
        1 => Reply::Respond(204, vec![], Vec::new()),
        2 => json(200, "{\n  \"id\": \"t1\",\n  \"size\": true\n}"),
        _ => json(200, r#"{"data": {"id": "inner", "size": 3}}"#),
    })
    .await;
    let mut r = Request::new(&client(&server.base), &GET);
    r.path_param("thingId", "t1");
    let named: Named = r.clone().execute_struct().await.unwrap();
    assert_eq!(
        named,
        Named {
            id: Some("t1".into()),
            size: Some(12),
        }
    );
    let empty: Named = r.clone().execute_struct().await.unwrap();
    assert_eq!(empty, Named::default(), "an empty 204 is the empty struct");
    let err = r.execute_struct::<Named>().await.unwrap_err();
    assert!(err.is_decode(), "{err}");
    assert!(
        err.to_string().contains("did not decode at `size`"),
        "{err}"
    );
    assert_eq!(
        err.body().unwrap(),
        b"{\n  \"id\": \"t1\",\n  \"size\": true\n}"
    );

    let wrapped = Client::builder(&WRAPPED)
        .root_url(&server.base)
        .build()
        .unwrap();
    let mut r = Request::new(&wrapped, &WRAPPED_GET);
    r.path_param("thingId", "t1");
    let named: Named = r.execute_struct().await.unwrap();
    assert_eq!(named.id.as_deref(), Some("inner"));
    assert_eq!(named.size, Some(3));
}

#[test]
fn every_attempt_of_a_resumable_chunk_is_inside_a_call_span_without_the_session_id() {
    let log = traced(|| async {
        let server = serve(4, |i, req| match i {
            0 => Reply::Respond(
                200,
                vec![(
                    "location".into(),
                    "/session/1?upload_id=SECRETSESSION".into(),
                )],
                Vec::new(),
            ),
            1 => json(503, "{}"),
            // The status query after the failure: nothing stored.
            2 => {
                assert_eq!(req.header("content-range"), Some("bytes */1000"));
                Reply::Respond(308, vec![], Vec::new())
            }
            _ => json(200, r#"{"id":"u"}"#),
        })
        .await;
        let thing: Thing = Request::new(&client(&server.base), &INSERT)
            .upload_resumable(
                UploadSource::from(vec![7u8; 1000]),
                "application/octet-stream",
                ResumableOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(thing.id, "u");
    });
    // The chunk (503), then the status query in the same span; then the
    // chunk sent again from what the session stored, in a span of its own.
    let spans: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("gapi.call") && l.contains("close") && l.contains("PUT"))
        .collect();
    assert_eq!(spans.len(), 2, "{log}");
    for field in ["upload_id=REDACTED", "attempt=2", "status=308"] {
        assert!(spans[0].contains(field), "{field} in {}", spans[0]);
    }
    for field in ["upload_id=REDACTED", "attempt=1", "status=200"] {
        assert!(spans[1].contains(field), "{field} in {}", spans[1]);
    }
    assert!(
        !log.contains("SECRETSESSION"),
        "the session id leaked: {log}"
    );
}
