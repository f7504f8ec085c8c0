//! Loopback HTTP/1.1 servers for the benchmarks, each on a thread of its own
//! (with its own single-threaded runtime) whose allocations are not counted.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

pub type Response = hyper::Response<Full<Bytes>>;

/// Starts a server on 127.0.0.1 answering every request with `handler`, on
/// a thread of its own whose allocations are not counted; returns its base
/// URL (`http://127.0.0.1:PORT/`). It lives as long as the process.
pub fn spawn<F, Fut>(handler: F) -> String
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = base_url(&listener);
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        crate::alloc::exclude_this_thread();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(accept_loop(listener, handler));
    });
    base
}

/// Like [`spawn`], but on the caller's runtime: client and server share its
/// workers (the throughput benchmark's setting, the same for every contender).
pub fn spawn_here<F, Fut>(handler: F) -> String
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = base_url(&listener);
    listener.set_nonblocking(true).expect("non-blocking");
    tokio::spawn(accept_loop(listener, handler));
    base
}

fn base_url(listener: &std::net::TcpListener) -> String {
    format!("http://{}/", listener.local_addr().expect("local address"))
}

async fn accept_loop<F, Fut>(listener: std::net::TcpListener, handler: F)
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
    let handler = Arc::new(handler);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let handler = handler.clone();
                async move { Ok::<_, Infallible>(handler(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// gapi's Drive client pointed at a loopback server.
pub fn gapi_drive(base: &str) -> gapi_drive_v3::Drive {
    gapi_drive_v3::Drive::builder()
        .root_url(base)
        .build()
        .expect("gapi client")
}

/// google-drive3's hub (plain HTTP, no token) pointed at a loopback server.
pub type Drive3 = google_drive3::DriveHub<hyper_util::client::legacy::connect::HttpConnector>;

pub fn drive3_hub(base: &str) -> Drive3 {
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let mut hub = google_drive3::DriveHub::new(client, google_apis_common::NoToken);
    hub.base_url(format!("{base}drive/v3/"));
    hub.root_url(base.to_string());
    hub
}

/// A response with `status`, JSON content type and `body`.
pub fn json(status: u16, body: impl Into<Bytes>) -> Response {
    let mut r = hyper::Response::new(Full::new(body.into()));
    *r.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// The value of query parameter `name` in `uri`, undecoded.
pub fn query_param<'a>(uri: &'a hyper::Uri, name: &str) -> Option<&'a str> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then_some(v)
    })
}
