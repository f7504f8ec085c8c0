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
                        Ok(response) => {
                            state = State::Reading(
                                response.bytes_stream().boxed(),
                                Splitter::new(framing),
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
                            Err(message) => {
                                return Some((Err(protocol(id, message)), State::Done));
                            }
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
                                    Err(message) => Some((Err(protocol(id, message)), State::Done)),
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

/// Cuts a body into elements as bytes arrive.
#[derive(Debug)]
pub(crate) enum Splitter {
    Array(ArraySplitter),
    Events(EventSplitter),
}

impl Splitter {
    pub(crate) fn new(framing: Framing) -> Splitter {
        match framing {
            Framing::JsonArray => Splitter::Array(ArraySplitter::default()),
            Framing::ServerSentEvents => Splitter::Events(EventSplitter::default()),
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8]) {
        match self {
            Splitter::Array(s) => s.buf.extend_from_slice(chunk),
            Splitter::Events(s) => s.buf.extend_from_slice(chunk),
        }
    }

    /// The next complete element, if one has arrived.
    pub(crate) fn next(&mut self) -> Result<Option<Bytes>, String> {
        match self {
            Splitter::Array(s) => s.next(),
            Splitter::Events(s) => Ok(s.next()),
        }
    }

    /// At the end of the body: a last element (an event without its final
    /// blank line), or an error when the body stopped mid-element.
    pub(crate) fn finish(&mut self) -> Result<Option<Bytes>, String> {
        match self {
            Splitter::Array(s) => s.finish().map(|()| None),
            Splitter::Events(s) => Ok(s.finish()),
        }
    }
}

/// Where the array scanner is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before `[`.
    #[default]
    Start,
    /// After `[` or `,`: an element (or `]` after `[`) comes next.
    BeforeElement,
    /// Inside an element.
    InElement,
    /// After an element: `,` or `]` comes next.
    AfterElement,
    /// After `]`.
    End,
}

/// The elements of a JSON array, found by one pass over the bytes that
/// tracks nesting and strings (so braces inside strings do not count).
#[derive(Debug, Default)]
pub(crate) struct ArraySplitter {
    buf: Vec<u8>,
    /// Next byte to scan.
    pos: usize,
    at: At,
    /// Start of the element being scanned.
    start: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Whether `[` was just read (so `]` may close an empty array).
    empty_allowed: bool,
}

impl ArraySplitter {
    fn next(&mut self) -> Result<Option<Bytes>, String> {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            self.pos += 1;
            match self.at {
                At::Start | At::BeforeElement | At::AfterElement | At::End
                    if b.is_ascii_whitespace() => {}
                At::Start if b == b'[' => {
                    self.at = At::BeforeElement;
                    self.empty_allowed = true;
                }
                At::BeforeElement if b == b']' && self.empty_allowed => self.at = At::End,
                At::BeforeElement if b == b'{' || b == b'[' => {
                    self.at = At::InElement;
                    self.start = self.pos - 1;
                    self.depth = 1;
                    self.empty_allowed = false;
                }
                At::AfterElement if b == b',' => self.at = At::BeforeElement,
                At::AfterElement if b == b']' => self.at = At::End,
                At::InElement => {
                    if self.in_string {
                        if self.escaped {
                            self.escaped = false;
                        } else if b == b'\\' {
                            self.escaped = true;
                        } else if b == b'"' {
                            self.in_string = false;
                        }
                    } else if b == b'"' {
                        self.in_string = true;
                    } else if b == b'{' || b == b'[' {
                        self.depth += 1;
                    } else if b == b'}' || b == b']' {
                        self.depth -= 1;
                        if self.depth == 0 {
                            let element = Bytes::copy_from_slice(&self.buf[self.start..self.pos]);
                            self.buf.drain(..self.pos);
                            self.pos = 0;
                            self.at = At::AfterElement;
                            return Ok(Some(element));
                        }
                    }
                }
                at => {
                    return Err(format!(
                        "the streamed JSON array has {:?} where {} was expected (byte {})",
                        char::from(b),
                        match at {
                            At::Start => "`[`",
                            At::BeforeElement => "an object",
                            At::AfterElement => "`,` or `]`",
                            _ => "nothing more",
                        },
                        self.pos - 1
                    ))
                }
            }
        }
        // Keep only the element being scanned.
        if self.at != At::InElement {
            self.buf.clear();
            self.pos = 0;
        }
        Ok(None)
    }

    fn finish(&mut self) -> Result<(), String> {
        match self.at {
            At::End => Ok(()),
            At::Start => Err("the streamed answer is empty (no JSON array)".into()),
            _ => Err("the streamed JSON array was cut off before its end".into()),
        }
    }
}

/// The `data` of server-sent events: lines up to an empty line make an
/// event; its `data:` lines, joined by newlines, are the element.
#[derive(Debug, Default)]
pub(crate) struct EventSplitter {
    buf: Vec<u8>,
    data: Vec<u8>,
}

impl EventSplitter {
    fn next(&mut self) -> Option<Bytes> {
        while let Some(end) = self.buf.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if !self.data.is_empty() {
                    return Some(Bytes::from(std::mem::take(&mut self.data)));
                }
                continue;
            }
            if let Some(value) = line.strip_prefix(b"data:") {
                let value = value.strip_prefix(b" ").unwrap_or(value);
                if !self.data.is_empty() {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
            }
            // Comments (`:`) and other fields (`event:`, `id:`) are ignored.
        }
        None
    }

    fn finish(&mut self) -> Option<Bytes> {
        if !self.buf.is_empty() {
            self.buf.push(b'\n');
        }
        self.buf.push(b'\n');
        self.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(framing: Framing, chunks: &[&[u8]]) -> Result<Vec<String>, String> {
        let mut s = Splitter::new(framing);
        let mut out = Vec::new();
        for chunk in chunks {
            s.push(chunk);
            while let Some(e) = s.next()? {
                out.push(String::from_utf8_lossy(&e).into_owned());
            }
        }
        if let Some(e) = s.finish()? {
            out.push(String::from_utf8_lossy(&e).into_owned());
        }
        Ok(out)
    }

    #[test]
    fn arrays_split_at_any_chunk_boundary() {
        let body = b"[{\"a\": \"}{\\\"\", \"b\": [1, {\"c\": 2}]}\r\n,\r\n{\"d\": 3}\n]";
        let expected = vec![
            "{\"a\": \"}{\\\"\", \"b\": [1, {\"c\": 2}]}".to_string(),
            "{\"d\": 3}".to_string(),
        ];
        assert_eq!(all(Framing::JsonArray, &[body]), Ok(expected.clone()));
        for cut in 1..body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(
                all(Framing::JsonArray, &[a, b]),
                Ok(expected.clone()),
                "cut at {cut}"
            );
        }
        assert_eq!(all(Framing::JsonArray, &[b" [ ] "]), Ok(vec![]));
        assert!(
            all(Framing::JsonArray, &[b"[{\"a\": 1}"]).is_err(),
            "cut off"
        );
        assert!(
            all(Framing::JsonArray, &[b"{\"a\": 1}"]).is_err(),
            "not an array"
        );
        assert!(
            all(Framing::JsonArray, &[b"[{\"a\": 1} {\"b\": 2}]"]).is_err(),
            "no comma"
        );
        assert!(all(Framing::JsonArray, &[b""]).is_err(), "empty body");
    }

    #[test]
    fn events_split_at_blank_lines() {
        let body = b": comment\r\ndata: {\"a\": 1}\r\n\r\nevent: x\ndata: {\"b\":\ndata: 2}\n\ndata: {\"c\": 3}";
        let expected = vec![
            "{\"a\": 1}".to_string(),
            "{\"b\":\n2}".to_string(),
            "{\"c\": 3}".to_string(),
        ];
        assert_eq!(
            all(Framing::ServerSentEvents, &[body]),
            Ok(expected.clone())
        );
        for cut in 1..body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(
                all(Framing::ServerSentEvents, &[a, b]),
                Ok(expected.clone()),
                "cut at {cut}"
            );
        }
    }
}
