//! A scripted HTTP/1.1 server on 127.0.0.1 for runtime tests: every request
//! is recorded and answered by a handler that can also drop the connection
//! mid-request or mid-response. Bounded: it stops after `max_requests` or
//! when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gapi_runtime::spec::ServiceSpec;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The API every runtime test calls: `https://test.googleapis.com/test/v1/`.
pub static SERVICE: ServiceSpec = ServiceSpec {
    id: "test:v1",
    revision: "20250101",
    root_url: "https://test.googleapis.com/",
    service_path: "test/v1/",
    fully_encode_reserved_expansion: true,
    data_wrapper: false,
    endpoints: &[],
    batch: None,
};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub enum Reply {
    /// Status, headers, body.
    Respond(u16, Vec<(String, String)>, Vec<u8>),
    /// Read only this many body bytes, then close without answering.
    DropAfterReading(usize),
    /// Send headers announcing the whole body but only `sent` bytes of it.
    TruncatedBody(u16, Vec<(String, String)>, Vec<u8>, usize),
}

/// Status line and headers of a `connection: close` response.
fn response_head(status: u16, headers: &[(String, String)], len: usize) -> String {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {len}\r\nconnection: close\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Respond(
        status,
        vec![("content-type".into(), "application/json".into())],
        body.as_bytes().to_vec(),
    )
}

pub struct Server {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// `handler(index, request) -> Reply`, called with the whole body read.
pub async fn serve<F>(max_requests: usize, handler: F) -> Server
where
    F: Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
{
    serve_with_drops(max_requests, |_| None, handler).await
}

/// Like [`serve`], but `drop_rule(request without body)` may say: read only
/// this many body bytes, then close the connection without answering.
pub async fn serve_with_drops<D, F>(max_requests: usize, drop_rule: D, handler: F) -> Server
where
    D: Fn(&Recorded) -> Option<usize> + Send + Sync + 'static,
    F: Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = requests.clone();
    let handler = Arc::new(handler);
    let task = tokio::spawn(async move {
        for index in 0..max_requests {
            let accepted = tokio::time::timeout(Duration::from_secs(30), listener.accept()).await;
            let Ok(Ok((mut stream, _))) = accepted else {
                return;
            };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte).await {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&head).to_string();
            let mut lines = text.split("\r\n");
            let first = lines.next().unwrap_or("");
            let mut parts = first.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let target = parts.next().unwrap_or("").to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut req = Recorded {
                method,
                target,
                headers,
                body: Vec::new(),
            };
            let drop_after = drop_rule(&req);
            let to_read = drop_after.map_or(len, |n| n.min(len));
            let mut body = vec![0u8; to_read];
            if stream.read_exact(&mut body).await.is_err() {
                body.clear();
            }
            req.body = body;
            recorded.lock().unwrap().push(req.clone());
            let reply = match drop_after {
                Some(n) => Reply::DropAfterReading(n),
                None => handler(index, &req),
            };
            match reply {
                Reply::DropAfterReading(_) => drop(stream),
                Reply::Respond(status, headers, body) => {
                    let _ = stream
                        .write_all(response_head(status, &headers, body.len()).as_bytes())
                        .await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                }
                Reply::TruncatedBody(status, headers, body, sent) => {
                    // Announces the whole body, sends part of it, then drops.
                    let _ = stream
                        .write_all(response_head(status, &headers, body.len()).as_bytes())
                        .await;
                    let _ = stream.write_all(&body[..sent]).await;
                    let _ = stream.flush().await;
                    drop(stream);
                }
            }
        }
    });
    Server {
        base,
        requests,
        task,
    }
}
