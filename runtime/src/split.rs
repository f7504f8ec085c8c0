//! Cutting a streamed answer into elements as its bytes arrive: a JSON
//! array (`streamGenerateContent`) or server-sent events (`alt=sse`).
//!
//! Both scanners look at each byte once and move the buffer once per
//! chunk, not once per element or line, so a chunk of many small elements
//! costs time in proportion to its size (a hostile server sending 100,000
//! empty lines in one chunk does not make it quadratic), and neither holds
//! more than one element past its cap.

use bytes::Bytes;

use crate::stream::Framing;

/// Why a streamed answer cannot be cut into elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The bytes do not follow the framing.
    Malformed(String),
    /// An element (or a line of one) passed the cap.
    TooLarge,
}

/// Cuts a body into elements as bytes arrive.
#[derive(Debug)]
pub(crate) enum Splitter {
    Array(ArraySplitter),
    Events(EventSplitter),
}

impl Splitter {
    /// A splitter for `framing` whose elements may be at most `limit` bytes.
    pub(crate) fn new(framing: Framing, limit: u64) -> Splitter {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        match framing {
            Framing::JsonArray => Splitter::Array(ArraySplitter {
                limit,
                ..ArraySplitter::default()
            }),
            Framing::ServerSentEvents => Splitter::Events(EventSplitter {
                limit,
                ..EventSplitter::default()
            }),
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8]) {
        match self {
            Splitter::Array(s) => s.push(chunk),
            Splitter::Events(s) => s.push(chunk),
        }
    }

    /// The next complete element, if one has arrived.
    pub(crate) fn next(&mut self) -> Result<Option<Bytes>, SplitError> {
        match self {
            Splitter::Array(s) => s.next(),
            Splitter::Events(s) => s.next(),
        }
    }

    /// At the end of the body: a last element (an event without its final
    /// blank line), or an error when the body stopped mid-element.
    pub(crate) fn finish(&mut self) -> Result<Option<Bytes>, SplitError> {
        match self {
            Splitter::Array(s) => s.finish().map(|()| None),
            Splitter::Events(s) => s.finish(),
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
    /// Bytes before this are done with (dropped at the next push).
    consumed: usize,
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
    limit: usize,
}

impl ArraySplitter {
    fn push(&mut self, chunk: &[u8]) {
        if self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.pos -= self.consumed;
            self.start = self.start.saturating_sub(self.consumed);
            self.consumed = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    fn next(&mut self) -> Result<Option<Bytes>, SplitError> {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            self.pos += 1;
            match self.at {
                // JSON's whitespace: not form feed, which `is_ascii_whitespace`
                // also takes (found by fuzzing).
                At::Start | At::BeforeElement | At::AfterElement | At::End
                    if matches!(b, b' ' | b'\t' | b'\n' | b'\r') => {}
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
                    if self.pos - self.start > self.limit {
                        return Err(SplitError::TooLarge);
                    }
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
                            self.consumed = self.pos;
                            self.at = At::AfterElement;
                            return Ok(Some(element));
                        }
                    }
                }
                at => {
                    return Err(SplitError::Malformed(format!(
                        "the streamed JSON array has {:?} where {} was expected",
                        char::from(b),
                        match at {
                            At::Start => "`[`",
                            At::BeforeElement => "an object",
                            At::AfterElement => "`,` or `]`",
                            _ => "nothing more",
                        },
                    )))
                }
            }
        }
        // Keep only the element being scanned.
        self.consumed = if self.at == At::InElement {
            self.start
        } else {
            self.pos
        };
        Ok(None)
    }

    fn finish(&mut self) -> Result<(), SplitError> {
        match self.at {
            At::End => Ok(()),
            At::Start => Err(SplitError::Malformed(
                "the streamed answer is empty (no JSON array)".into(),
            )),
            _ => Err(SplitError::Malformed(
                "the streamed JSON array was cut off before its end".into(),
            )),
        }
    }
}

/// The `data` of server-sent events: lines up to an empty line make an
/// event; its `data:` lines, joined by newlines, are the element.
#[derive(Debug, Default)]
pub(crate) struct EventSplitter {
    buf: Vec<u8>,
    /// Start of the line being read; bytes before it are done with.
    line_start: usize,
    /// Next byte to look at for a newline.
    pos: usize,
    data: Vec<u8>,
    limit: usize,
}

impl EventSplitter {
    fn push(&mut self, chunk: &[u8]) {
        if self.line_start > 0 {
            self.buf.drain(..self.line_start);
            self.pos -= self.line_start;
            self.line_start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    fn next(&mut self) -> Result<Option<Bytes>, SplitError> {
        while let Some(offset) = self.buf[self.pos..].iter().position(|b| *b == b'\n') {
            let end = self.pos + offset;
            let mut line = &self.buf[self.line_start..end];
            self.line_start = end + 1;
            self.pos = end + 1;
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if line.is_empty() {
                if !self.data.is_empty() {
                    return Ok(Some(Bytes::from(std::mem::take(&mut self.data))));
                }
                continue;
            }
            if let Some(value) = line.strip_prefix(b"data:") {
                let value = value.strip_prefix(b" ").unwrap_or(value);
                if self.data.len() + value.len() + 1 > self.limit {
                    return Err(SplitError::TooLarge);
                }
                if !self.data.is_empty() {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
            }
            // Comments (`:`) and other fields (`event:`, `id:`) are ignored.
        }
        self.pos = self.buf.len();
        if self.buf.len() - self.line_start > self.limit {
            return Err(SplitError::TooLarge);
        }
        Ok(None)
    }

    fn finish(&mut self) -> Result<Option<Bytes>, SplitError> {
        let tail_empty = self.buf.len() == self.line_start;
        if !tail_empty {
            self.push(b"\n");
        }
        self.push(b"\n");
        self.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(framing: Framing, chunks: &[&[u8]]) -> Result<Vec<String>, SplitError> {
        all_capped(framing, chunks, u64::MAX)
    }

    fn all_capped(
        framing: Framing,
        chunks: &[&[u8]],
        limit: u64,
    ) -> Result<Vec<String>, SplitError> {
        let mut s = Splitter::new(framing, limit);
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
            // And in three pieces, each a separate push.
            for cut2 in cut + 1..body.len() {
                let (b1, b2) = b.split_at(cut2 - cut);
                assert_eq!(
                    all(Framing::JsonArray, &[a, b1, b2]),
                    Ok(expected.clone()),
                    "cut at {cut} and {cut2}"
                );
            }
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
        // Found by the long fuzz run (seed `long-1`): a form feed between
        // elements is not JSON whitespace.
        assert!(
            all(Framing::JsonArray, &[b"[{\"a\": 1},\x0c{\"b\": 2}]"]).is_err(),
            "form feed"
        );
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
            for cut2 in cut + 1..body.len() {
                let (b1, b2) = b.split_at(cut2 - cut);
                assert_eq!(
                    all(Framing::ServerSentEvents, &[a, b1, b2]),
                    Ok(expected.clone()),
                    "cut at {cut} and {cut2}"
                );
            }
        }
    }

    #[test]
    fn an_element_over_the_cap_is_refused_before_it_is_all_held() {
        let big = format!("[{{\"text\": \"{}\"}}]", "x".repeat(100));
        assert_eq!(
            all_capped(Framing::JsonArray, &[big.as_bytes()], 64),
            Err(SplitError::TooLarge)
        );
        assert_eq!(
            all_capped(Framing::JsonArray, &[big.as_bytes()], 200).map(|v| v.len()),
            Ok(1)
        );
        // An element that never ends is refused once it passes the cap,
        // whatever the chunks.
        let mut s = Splitter::new(Framing::JsonArray, 1024);
        s.push(b"[{\"a\": \"");
        let mut refused = false;
        for _ in 0..100 {
            s.push(&[b'y'; 64]);
            if s.next() == Err(SplitError::TooLarge) {
                refused = true;
                break;
            }
        }
        assert!(refused);
        let event = format!("data: {}\n\n", "z".repeat(100));
        assert_eq!(
            all_capped(Framing::ServerSentEvents, &[event.as_bytes()], 64),
            Err(SplitError::TooLarge)
        );
        // A line with no newline at all.
        let mut s = Splitter::new(Framing::ServerSentEvents, 1024);
        let mut refused = false;
        for _ in 0..100 {
            s.push(&[b'q'; 64]);
            if s.next() == Err(SplitError::TooLarge) {
                refused = true;
                break;
            }
        }
        assert!(refused);
    }

    #[test]
    fn many_small_elements_in_one_chunk_are_split_in_one_pass() {
        // 200,000 elements: quadratic buffer moves would take minutes.
        let mut body = b"[".to_vec();
        for i in 0..200_000 {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(b"{}");
        }
        body.push(b']');
        assert_eq!(
            all(Framing::JsonArray, &[&body]).map(|v| v.len()),
            Ok(200_000)
        );
        let events = "data: {}\n\n".repeat(200_000) + &"\n".repeat(200_000);
        assert_eq!(
            all(Framing::ServerSentEvents, &[events.as_bytes()]).map(|v| v.len()),
            Ok(200_000)
        );
    }
}
