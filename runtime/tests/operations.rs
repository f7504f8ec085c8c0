//! Long-running operations against a real socket: an operation whose getter
//! takes the name's parts (Cloud Storage's
//! `b/{bucket}/operations/{operationId}`), polled through `wait` and
//! cancelled through `cancel`, each answered by a scripted server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use gapi_runtime::lro::Poller;
use gapi_runtime::spec::{
    Download, HttpMethod, MethodSpec, OperationMethods, OperationShape, Polling,
};
use gapi_runtime::{Client, Request, RetryPolicy};
use support::{json, serve, SERVICE};

const fn spec(id: &'static str, http_method: HttpMethod, path: &'static str) -> MethodSpec {
    MethodSpec {
        service: &SERVICE,
        id,
        http_method,
        path,
        scopes: &[],
        api_version: None,
        media: None,
        download: Download::None,
        returns_json: true,
    }
}

static RELOCATE: MethodSpec = spec(
    "test.buckets.relocate",
    HttpMethod::POST,
    "b/{bucket}/relocate",
);
static GET: MethodSpec = spec(
    "test.buckets.operations.get",
    HttpMethod::GET,
    "b/{bucket}/operations/{operationId}",
);
static WAIT: MethodSpec = spec(
    "test.buckets.operations.wait",
    HttpMethod::POST,
    "b/{bucket}/operations/{operationId}:wait",
);
static CANCEL: MethodSpec = spec(
    "test.buckets.operations.cancel",
    HttpMethod::POST,
    "b/{bucket}/operations/{operationId}/cancel",
);
static POLLING: Polling = Polling {
    shape: OperationShape::Aip,
    methods: &[OperationMethods {
        get: &GET,
        wait: Some(&WAIT),
        cancel: Some(&CANCEL),
    }],
};
static GET_ONLY: Polling = Polling {
    shape: OperationShape::Aip,
    methods: &[OperationMethods {
        get: &GET,
        wait: None,
        cancel: None,
    }],
};

fn client(base: &str) -> Client {
    Client::builder(&SERVICE)
        .root_url(base)
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

/// A request target without its query.
fn path_of(target: &str) -> &str {
    target.split('?').next().unwrap_or(target)
}

const NAME: &str = "projects/_/buckets/photos/operations/op-7";

fn relocate(client: &Client) -> Request {
    let mut request = Request::new(client, &RELOCATE);
    request.path_param("bucket", "photos");
    request
}

fn fast(poller: Poller<serde_json::Value>) -> Poller<serde_json::Value> {
    poller
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

#[tokio::test]
async fn a_name_split_over_path_variables_is_waited_on_and_a_503_on_wait_is_retried() {
    let server = serve(4, |i, _| match i {
        0 => json(200, &format!(r#"{{"name":"{NAME}","metadata":{{"step":1}}}}"#)),
        // `wait` is a POST, yet repeating it changes nothing: retried.
        1 => json(503, r#"{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}"#),
        _ => json(
            200,
            &format!(r#"{{"name":"{NAME}","done":true,"response":{{"bucket":"photos","location":"EU"}},"metadata":{{"step":2}}}}"#),
        ),
    })
    .await;
    let client = client(&server.base);
    #[derive(serde::Deserialize)]
    struct Relocated {
        location: String,
    }
    let finished = fast(Poller::start(relocate(&client), &POLLING))
        .until_finished()
        .await
        .unwrap();
    let relocated: Relocated = finished.response().unwrap();
    assert_eq!(relocated.location, "EU");
    let step: serde_json::Value = finished.metadata().unwrap();
    assert_eq!(step["step"], 2);
    let targets: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, path_of(&r.target)))
        .collect();
    assert_eq!(
        targets,
        vec![
            "POST /test/v1/b/photos/relocate",
            "POST /test/v1/b/photos/operations/op-7:wait",
            "POST /test/v1/b/photos/operations/op-7:wait",
        ]
    );
}

#[tokio::test]
async fn a_canceller_cancels_the_operation_the_poller_is_waiting_for() {
    let server = serve(6, |i, request| {
        if path_of(&request.target).ends_with("/cancel") {
            return json(200, "{}");
        }
        match i {
            0 => json(200, &format!(r#"{{"name":"{NAME}"}}"#)),
            _ => json(
                200,
                &format!(r#"{{"name":"{NAME}","done":true,"error":{{"code":1,"message":"Operation was cancelled."}}}}"#),
            ),
        }
    })
    .await;
    let client = client(&server.base);
    let poller = fast(Poller::start(relocate(&client), &GET_ONLY_WITH_CANCEL));
    let canceller = poller.canceller();
    let mut states = poller.stream();
    let first = states.next().await.unwrap().unwrap();
    assert_eq!(first["name"], NAME);
    canceller.cancel().await.unwrap();
    let end = states.next().await.unwrap().unwrap_err();
    assert_eq!(end.operation_error().unwrap()["code"], 1, "{end}");
    let cancels: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.method == "POST" && path_of(&r.target).ends_with("/cancel"))
        .map(|r| path_of(&r.target).to_string())
        .collect();
    assert_eq!(cancels, vec!["/test/v1/b/photos/operations/op-7/cancel"]);
}

static GET_ONLY_WITH_CANCEL: Polling = Polling {
    shape: OperationShape::Aip,
    methods: &[OperationMethods {
        get: &GET,
        wait: None,
        cancel: Some(&CANCEL),
    }],
};

#[tokio::test]
async fn a_name_no_getter_fits_is_a_protocol_error_naming_it() {
    let server = serve(1, |_, _| json(200, r#"{"name":"jobs/9"}"#)).await;
    let client = client(&server.base);
    let error = fast(Poller::start(relocate(&client), &GET_ONLY))
        .until_done()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("\"jobs/9\""),
        "the error names the operation: {error}"
    );
    assert_eq!(error.method(), "test.buckets.operations.get");
}
