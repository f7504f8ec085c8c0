//! The one-shot loopback server that receives the authorization redirect.
//!
//! Binds 127.0.0.1 only. Answers the redirect (with `code` or `error`) with
//! a page for the person in the browser, ignores stray requests such as
//! `/favicon.ico` and redirects whose `state` belongs to no sign-in of ours
//! (a forged one must not end the real one), and gives up after a timeout.
//! Every connection it accepted is closed when it returns.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::credentials::AuthError;

/// What the redirect carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Redirect {
    /// An authorization code.
    Code(String),
    /// The user (or server) refused: `error=access_denied`, …
    Error(String),
}

/// A bound loopback listener.
#[derive(Debug)]
pub(crate) struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Binds 127.0.0.1 on `port` (0: any free port).
    pub(crate) async fn bind(port: u16) -> Result<Loopback, AuthError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| AuthError::flow(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::flow(e.to_string()))?
            .port();
        Ok(Loopback { listener, port })
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Serves until a redirect with the expected `state` arrives, then
    /// returns its code (or error). A redirect with another state gets an
    /// error page and the wait goes on: it did not come from this sign-in.
    pub(crate) async fn wait(
        self,
        state: &str,
        success_page: &str,
        timeout: Duration,
    ) -> Result<Redirect, AuthError> {
        let (tx, mut rx) = mpsc::channel::<Result<Redirect, AuthError>>(1);
        let expected = state.to_string();
        let success = success_page.to_string();
        // Connection tasks live in this set, so they end with the flow
        // instead of outliving it.
        let mut connections = tokio::task::JoinSet::new();
        let accept_loop = async {
            loop {
                let stream = match self.listener.accept().await {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors (or similar): back off rather
                    // than spin on an error that will repeat at once.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let tx = tx.clone();
                let expected = expected.clone();
                let success = success.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let outcome = classify(&req, &expected);
                        let (status, page) = match &outcome {
                            None => (StatusCode::NOT_FOUND, "Not found".to_string()),
                            Some(Ok(Redirect::Code(_))) => (StatusCode::OK, success.clone()),
                            Some(Ok(Redirect::Error(e))) => (
                                StatusCode::OK,
                                format!(
                                    "Sign-in was not completed ({}). You may close this window.",
                                    html_escape(e)
                                ),
                            ),
                            Some(Err(e)) => (StatusCode::BAD_REQUEST, html_escape(&e.to_string())),
                        };
                        // Only a redirect for this sign-in ends the wait.
                        if let Some(outcome @ Ok(_)) = outcome {
                            let _ = tx.try_send(outcome);
                        }
                        let html = format!(
                            "<!doctype html><html><head><meta charset=\"utf-8\"><title>gapi sign-in</title></head><body><p>{page}</p></body></html>"
                        );
                        async move {
                            let mut response = Response::new(Full::new(Bytes::from(html)));
                            *response.status_mut() = status;
                            response.headers_mut().insert(
                                http::header::CONTENT_TYPE,
                                http::HeaderValue::from_static("text/html; charset=utf-8"),
                            );
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        };
        let outcome = tokio::select! {
            outcome = rx.recv() => {
                outcome.unwrap_or_else(|| Err(AuthError::flow("the loopback server stopped")))
            }
            () = accept_loop => Err(AuthError::flow("the loopback server stopped")),
            () = tokio::time::sleep(timeout) => Err(AuthError::timed_out(format!(
                "no authorization redirect arrived within {} s", timeout.as_secs()
            ))),
        };
        // Let the connection that carried the redirect flush its page to the
        // browser, then close every connection still open (browsers keep
        // them alive).
        if outcome.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        connections.abort_all();
        outcome
    }
}

/// `None` for requests that are not the redirect (favicon, probes).
fn classify<B>(req: &Request<B>, expected_state: &str) -> Option<Result<Redirect, AuthError>> {
    let query = req.uri().query().unwrap_or("");
    parse_redirect_query(query, expected_state)
}

/// Reads `code`/`error` and checks `state` in a redirect's query string.
pub(crate) fn parse_redirect_query(
    query: &str,
    expected_state: &str,
) -> Option<Result<Redirect, AuthError>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let code = get("code");
    let error = get("error");
    if code.is_none() && error.is_none() {
        return None;
    }
    if get("state").as_deref() != Some(expected_state) {
        return Some(Err(AuthError::flow(
            "the redirect's state does not match this sign-in (possible CSRF); try again",
        )));
    }
    Some(Ok(match (code, error) {
        (_, Some(error)) => Redirect::Error(error),
        (Some(code), None) => Redirect::Code(code),
        (None, None) => return None,
    }))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
