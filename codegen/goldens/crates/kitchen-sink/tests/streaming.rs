//! A JSON-array streaming method (`sink.things.streamUpdates`, framed as
//! Discovery Engine's `streamAnswer` or Spanner's `executeStreamingSql` are)
//! against a loopback server that writes the array in two pieces and waits
//! between them until the test has read the first element.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_sink_v1::runtime::futures_util::StreamExt;
use gapi_sink_v1::{auth::StaticToken, Sink};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn chunk(text: &str) -> String {
    format!("{:x}\r\n{text}\r\n", text.len())
}

#[tokio::test]
async fn elements_arrive_before_the_array_is_finished() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (first_read, wait_for_it) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 8192];
        let n = socket.read(&mut request).await.unwrap();
        let head = String::from_utf8_lossy(&request[..n]).into_owned();
        socket
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                    chunk("[{\"count\": 1, \"old\": \"first }{\"}")
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        // Bounded: the test reads the first element or fails within 10 s.
        tokio::time::timeout(std::time::Duration::from_secs(10), wait_for_it)
            .await
            .expect("the first element was read while the array was open")
            .unwrap();
        socket
            .write_all(
                format!(
                    "{}{}0\r\n\r\n",
                    chunk("\r\n,\r\n{\"count\": 2}"),
                    chunk("]")
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        head
    });
    let sink = Sink::builder()
        .root_url(url)
        .credentials(StaticToken::new("t"))
        .build()
        .unwrap();
    let mut things = sink.things().stream_updates().stream();
    let first = things.next().await.unwrap().unwrap();
    assert_eq!(first.count, Some(1));
    assert_eq!(first.old.as_deref(), Some("first }{"));
    first_read.send(()).unwrap();
    let second = things.next().await.unwrap().unwrap();
    assert_eq!(second.count, Some(2));
    assert!(things.next().await.is_none());
    let head = server.await.unwrap();
    assert!(
        head.starts_with("POST /v1/things:streamUpdates?alt=json"),
        "{head}"
    );
    assert!(head.contains("accept: application/json"), "{head}");
}

/// A server that answers with `head` then `body`, then reports whether the
/// client closed the connection (within 10 s).
async fn one_answer(body: &'static str, hold: bool) -> (String, tokio::task::JoinHandle<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 8192];
        let _ = socket.read(&mut request).await.unwrap();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        socket
            .write_all(format!("{head}{}", chunk(body)).as_bytes())
            .await
            .unwrap();
        if !hold {
            socket.write_all(b"0\r\n\r\n").await.unwrap();
            return false;
        }
        // Held open: the client's side closing reads as end of file.
        let mut rest = [0u8; 64];
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut rest)).await,
            Ok(Ok(0) | Err(_))
        )
    });
    (url, server)
}

fn sink_at(url: String) -> Sink {
    Sink::builder()
        .root_url(url)
        .credentials(StaticToken::new("t"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_error_sent_mid_stream_is_the_last_item() {
    let (url, _server) = one_answer(
        "[{\"count\": 1},\r\n{\"error\": {\"code\": 503, \"message\": \"overloaded\", \"status\": \"UNAVAILABLE\"}}\r\n]",
        false,
    )
    .await;
    let items: Vec<_> = sink_at(url)
        .things()
        .stream_updates()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().count, Some(1));
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(error.to_string().contains("overloaded"), "{error}");
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (url, server) = one_answer("[{\"count\": 1}", true).await;
    let mut things = sink_at(url).things().stream_updates().stream();
    assert_eq!(things.next().await.unwrap().unwrap().count, Some(1));
    drop(things);
    assert!(server.await.unwrap(), "the server saw the connection close");
}
