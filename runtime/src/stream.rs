//! Server-streaming methods (`streamGenerateContent`, `streamAnswer`,
//! `executeStreamingSql`, …): over REST Google sends their answer as one
//! JSON array written element by element, or, when asked with `alt=sse`
//! (Generative Language, Vertex AI), as server-sent events with one element
//! per `data:` event. [`fn@stream`] yields each element as soon as its last
//! byte has arrived.
//!
//! Retries happen only until the response starts: once the first byte of
//! the body is in, a failure (a cut connection, an error element sent by
//! the server) is an error item and the stream ends. Dropping the stream
//! closes the connection.

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;

use crate::error::{Error, GoogleError, Kind};
use crate::request::{decode, Request};
use crate::split::{SplitError, Splitter};

/// How a streaming answer is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One JSON array, written element by element (`alt=json`, the default).
    JsonArray,
    /// Server-sent events, one element per event (`alt=sse`).
    ServerSentEvents,
}

/// Sends `request` and yields each element of the streamed answer, decoded
/// as `T`, as it arrives.
pub fn stream<T: DeserializeOwned + Send + 'static>(
    mut request: Request,
    framing: Framing,
) -> BoxStream<'static, Result<T, Error>> {
    if framing == Framing::ServerSentEvents {
        request.set_query("alt", "sse");
    }
    let id = request.spec.id;
    let limit = request.client.inner.limits.stream_element_bytes;
    let failed = move |e: SplitError| match e {
        SplitError::Malformed(message) => protocol(id, message),
        SplitError::TooLarge => crate::limits::too_large(
            id,
            "a streamed element",
            limit,
            "ClientBuilder::max_stream_element_bytes",
        ),
    };
    enum State {
        Start(Box<Request>),
        Reading(BoxStream<'static, reqwest::Result<Bytes>>, Splitter),
        Done,
    }
    stream::unfold(
        State::Start(Box::new(request)),
        move |mut state| async move {
            loop {
                match state {
                    State::Done => return None,
                    State::Start(request) => match open(&request).await {
                        Ok(response) if !framed_as(&response, framing) => {
                            let found = content_type(&response).to_string();
                            let message = format!(
                                "a streamed answer must be {}, not {found:?}",
                                match framing {
                                    Framing::ServerSentEvents => "text/event-stream",
                                    Framing::JsonArray => "JSON",
                                }
                            );
                            return Some((Err(protocol(id, message)), State::Done));
                        }
                        Ok(response) => {
                            state = State::Reading(
                                response.bytes_stream().boxed(),
                                Splitter::new(framing, limit),
                            );
                        }
                        Err(error) => return Some((Err(error), State::Done)),
                    },
                    State::Reading(mut body, mut splitter) => {
                        match splitter.next() {
                            Ok(Some(element)) => {
                                let item = element_of::<T>(id, element);
                                let next = if item.is_ok() {
                                    State::Reading(body, splitter)
                                } else {
                                    State::Done
                                };
                                return Some((item, next));
                            }
                            Ok(None) => {}
                            Err(e) => return Some((Err(failed(e)), State::Done)),
                        }
                        match body.next().await {
                            Some(Ok(chunk)) => {
                                splitter.push(&chunk);
                                state = State::Reading(body, splitter);
                            }
                            Some(Err(e)) => {
                                return Some((Err(Error::transport(id, e, true)), State::Done));
                            }
                            None => {
                                return match splitter.finish() {
                                    Ok(Some(element)) => {
                                        Some((element_of::<T>(id, element), State::Done))
                                    }
                                    Ok(None) => None,
                                    Err(e) => Some((Err(failed(e)), State::Done)),
                                };
                            }
                        }
                    }
                }
            }
        },
    )
    .boxed()
}

fn protocol(id: &'static str, message: String) -> Error {
    Error::new(id, Kind::Protocol(message))
}

fn content_type(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Whether the answer's `Content-Type` fits `framing` (an answer without
/// one is given the benefit of the doubt). A proxy's HTML page read as
/// server-sent events would be a stream of no events: no error, no data.
fn framed_as(response: &reqwest::Response, framing: Framing) -> bool {
    let found = content_type(response).to_ascii_lowercase();
    found.is_empty()
        || match framing {
            Framing::ServerSentEvents => found.starts_with("text/event-stream"),
            Framing::JsonArray => found.contains("json"),
        }
}

/// Sends the request, retrying (under its policy) until a successful
/// response has started.
async fn open(request: &Request) -> Result<reqwest::Response, Error> {
    let parts = request.prepare(None)?;
    request
        .retrying(&parts)
        .run(|| request.attempt(&parts, None))
        .await
}

/// One element: an error the server sent in the stream, or a `T`.
fn element_of<T: DeserializeOwned>(id: &'static str, element: Bytes) -> Result<T, Error> {
    if element.windows(7).any(|w| w == b"\"error\"") {
        if let Some(google) = GoogleError::parse(&element) {
            let status = if google.code >= 400 { google.code } else { 500 };
            return Err(Error::new(
                id,
                Kind::Api {
                    status,
                    google: Some(google),
                    body: element,
                    retry_after: None,
                },
            ));
        }
    }
    decode(id, element, false)
}
