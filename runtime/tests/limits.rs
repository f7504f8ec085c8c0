//! Bounded resources against a buggy or hostile server: a body or a
//! streamed element over its cap is refused with an error naming the cap, a
//! server dripping bytes cannot hold a call past its timeout, and 10,000
//! failed connections leave no file descriptor or task behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use gapi_runtime::spec::{Download, HttpMethod, MethodSpec};
use gapi_runtime::stream::Framing;
use gapi_runtime::{Client, Request, RetryPolicy};
use support::{json, serve, SERVICE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static GET: MethodSpec = MethodSpec {
    service: &SERVICE,
    id: "test.things.get",
    http_method: HttpMethod::GET,
    path: "things/{thingId}",
    scopes: &[],
    api_version: None,
    media: None,
    download: Download::None,
    returns_json: true,
};

fn request(client: &Client) -> Request {
    let mut request = Request::new(client, &GET);
    request.path_param("thingId", "t1");
    request
}

fn builder(base: &str) -> gapi_runtime::ClientBuilder {
    Client::builder(&SERVICE)
        .root_url(base)
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
}

/// Bounds a test's wait: a hang fails it instead of stalling the suite.
async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .expect("the call ended within 30 s")
}

#[tokio::test]
async fn a_body_over_the_cap_fails_the_call_naming_the_cap_and_is_not_retried() {
    let big = format!(r#"{{"id": "t1", "pad": "{}"}}"#, "x".repeat(4096));
    let server = serve(5, move |_, _| json(200, &big)).await;
    let capped = builder(&server.base)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = bounded(request(&capped).execute::<serde_json::Value>())
        .await
        .unwrap_err();
    assert!(error.is_too_large(), "{error}");
    assert!(
        error
            .to_string()
            .contains("ClientBuilder::max_response_bytes")
            && error.to_string().contains("1024"),
        "{error}"
    );
    assert_eq!(server.requests.lock().unwrap().len(), 1, "not retried");
    // The default cap lets it through.
    let open = builder(&server.base).build().unwrap();
    let body: serde_json::Value = bounded(request(&open).execute()).await.unwrap();
    assert_eq!(body["id"], "t1");
}

#[tokio::test]
async fn a_streamed_element_over_the_cap_ends_the_stream_with_an_error_naming_the_cap() {
    let body = format!(
        r#"[{{"n": 1}}, {{"n": 2, "pad": "{}"}}, {{"n": 3}}]"#,
        "y".repeat(4096)
    );
    let server = serve(2, move |_, _| json(200, &body)).await;
    let client = builder(&server.base)
        .max_stream_element_bytes(1024)
        .build()
        .unwrap();
    let items: Vec<Result<serde_json::Value, gapi_runtime::Error>> =
        bounded(gapi_runtime::stream::stream(request(&client), Framing::JsonArray).collect()).await;
    assert_eq!(items.len(), 2, "the first element, then the error");
    assert_eq!(items[0].as_ref().unwrap()["n"], 1);
    let error = items[1].as_ref().unwrap_err();
    assert!(error.is_too_large(), "{error}");
    assert!(
        error
            .to_string()
            .contains("ClientBuilder::max_stream_element_bytes"),
        "{error}"
    );
}

/// A server that answers every request with headers announcing a large body,
/// then drips one byte every 20 ms (at most 2,000 of them).
async fn dripping_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = socket.read(&mut head).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n[{\"id\": \"",
                    )
                    .await;
                for _ in 0..2_000 {
                    if socket.write_all(b"a").await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
    });
    base
}

#[tokio::test]
async fn a_server_dripping_bytes_cannot_hold_a_call_past_its_timeout() {
    let base = dripping_server().await;
    let client = builder(&base)
        .timeout(Duration::from_millis(400))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = bounded(request(&client).execute::<serde_json::Value>())
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    // Streams too: the drip never completes an element.
    let items: Vec<Result<serde_json::Value, gapi_runtime::Error>> =
        bounded(gapi_runtime::stream::stream(request(&client), Framing::JsonArray).collect()).await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(
        last.is_timeout() || last.to_string().contains("timed out"),
        "{last}"
    );
}

/// Open file descriptors of this process (Linux).
fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(|d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_failed_connections_leave_no_descriptor_or_task_behind() {
    // Refused: a port that was bound, then closed.
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", listener.local_addr().unwrap())
    };
    // Reset: a server that accepts and closes at once (bounded: 5,000).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closing = format!("http://{}/", listener.local_addr().unwrap());
    let acceptor = tokio::spawn(async move {
        for _ in 0..5_000 {
            match listener.accept().await {
                Ok((socket, _)) => drop(socket),
                Err(_) => return,
            }
        }
    });
    let no_retries = |base: &str| {
        builder(base)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let (refused_client, closing_client) = (no_retries(&refused), no_retries(&closing));
    // Warm up (the runtime's and reqwest's own descriptors), then measure.
    let _ = request(&refused_client)
        .execute::<serde_json::Value>()
        .await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let (fds_before, tasks_before) = (open_fds(), metrics.num_alive_tasks());
    for i in 0..10_000 {
        let client = if i % 2 == 0 {
            &refused_client
        } else {
            &closing_client
        };
        let error = bounded(request(client).execute::<serde_json::Value>())
            .await
            .unwrap_err();
        assert!(error.status().is_none(), "a transport failure: {error}");
    }
    bounded(acceptor).await.unwrap();
    // Let closed connections' tasks wind down (bounded).
    for _ in 0..100 {
        if metrics.num_alive_tasks() <= tasks_before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (fds_after, tasks_after) = (open_fds(), metrics.num_alive_tasks());
    assert!(
        tasks_after <= tasks_before,
        "tasks: {tasks_before} before, {tasks_after} after"
    );
    if let (Some(before), Some(after)) = (fds_before, fds_after) {
        assert!(
            after <= before + 2,
            "file descriptors: {before} before, {after} after 10,000 failed connections"
        );
    }
}

/// Found by the chaos soak: a proxy's HTML page (200, `text/html`) read as
/// server-sent events was a stream of no events, ending without an error.
#[tokio::test]
async fn an_html_page_is_not_read_as_an_empty_event_stream() {
    let server = serve(2, |_, _| {
        support::Reply::Respond(
            200,
            vec![("content-type".into(), "text/html; charset=UTF-8".into())],
            b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
        )
    })
    .await;
    let client = builder(&server.base).build().unwrap();
    let items: Vec<Result<serde_json::Value, gapi_runtime::Error>> = bounded(
        gapi_runtime::stream::stream(request(&client), Framing::ServerSentEvents).collect(),
    )
    .await;
    assert_eq!(items.len(), 1, "one error, not an empty stream");
    let error = items[0].as_ref().unwrap_err();
    assert!(
        error.to_string().contains("text/event-stream") && error.to_string().contains("text/html"),
        "{error}"
    );
}
