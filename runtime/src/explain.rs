//! Explaining a response that did not decode: the JSON path of the failure
//! (`files[3].size`) and a short excerpt of the body around it.
//!
//! Why not `serde_path_to_error`: it re-runs a type's `Deserialize` through
//! a wrapping deserializer, which compiles a second decoder for every
//! response type of every generated crate. Decoding stays fast and
//! single-copy; only when it fails is the body scanned again, here, by one
//! non-generic pass up to the position serde_json reported.

/// The byte of `body` where serde_json stopped with `error` (the last one
/// it read), when it read the text from `base` on; `None` when the error
/// has no position.
pub(crate) fn offset_of(body: &[u8], base: usize, error: &serde_json::Error) -> Option<usize> {
    let text = body.get(base..)?;
    line_column_offset(text, error.line(), error.column()).map(|at| at + base)
}

/// Where in `body` 1-based `line` and `column` (in bytes) point.
fn line_column_offset(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut line_start = 0;
    for _ in 1..line {
        line_start += body.get(line_start..)?.iter().position(|&b| b == b'\n')? + 1;
    }
    Some((line_start + column.saturating_sub(1)).min(body.len()))
}

/// One level of nesting while scanning.
enum Frame {
    Object { key: Option<String>, in_key: bool },
    Array { index: usize },
}

/// The path to the value being read when byte `offset` was read:
/// `files[3].size`, or an empty string at the top level. The byte itself
/// counts: an error at an object's closing `}` (a missing field) is about
/// the object, not its last member.
pub(crate) fn path_at(body: &[u8], offset: usize) -> String {
    let text = &body[..offset.saturating_add(1).min(body.len())];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                in_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { in_key, .. }) => *in_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { in_key, .. }) = stack.last_mut() {
                    *in_key = false;
                }
            }
            b'"' => {
                let start = i + 1;
                i = start;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, in_key: true }) = stack.last_mut() {
                    let end = i.min(text.len());
                    *key = Some(String::from_utf8_lossy(&text[start..end]).into_owned());
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// Up to `radius` bytes either side of `offset`, cut at character
/// boundaries, on one line, with `…` where text was left out.
/// A server's text as it may be printed: control characters (escape
/// sequences, forged line breaks) replaced by U+FFFD, at most 1,000
/// characters (then `…`).
pub(crate) struct Printable<'a>(pub(crate) &'a str);

impl std::fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for (n, c) in self.0.chars().enumerate() {
            if n == 1_000 {
                return f.write_char('…');
            }
            f.write_char(if c.is_control() { '\u{fffd}' } else { c })?;
        }
        Ok(())
    }
}

pub(crate) fn excerpt(body: &[u8], offset: usize, radius: usize) -> String {
    let offset = offset.min(body.len());
    let is_continuation = |b: u8| b & 0xC0 == 0x80;
    let mut start = offset.saturating_sub(radius);
    while start > 0 && is_continuation(body[start]) {
        start -= 1;
    }
    let mut end = (offset + radius).min(body.len());
    while end < body.len() && is_continuation(body[end]) {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for c in String::from_utf8_lossy(&body[start..end]).chars() {
        out.push(if c.is_control() { ' ' } else { c });
    }
    if end < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        let err = serde_json::from_str::<T>(body).unwrap_err();
        let at = offset_of(body.as_bytes(), 0, &err).expect("a position");
        path_at(body.as_bytes(), at)
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // read only by Debug; the test is about errors
    struct File {
        name: Option<String>,
        size: Option<u64>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct FileList {
        files: Vec<File>,
    }

    #[test]
    fn the_path_names_the_field_and_index_that_failed() {
        let body = r#"{"files":[{"name":"a","size":1},{"name":"b,\"c\":[","size":"big"}]}"#;
        assert_eq!(path_of_error::<FileList>(body), "files[1].size");
        let body = "{\n  \"files\": [\n    {\"name\": 7}\n  ]\n}";
        assert_eq!(path_of_error::<FileList>(body), "files[0].name");
        assert_eq!(path_of_error::<FileList>(r#"{"files":{}}"#), "files");
        assert_eq!(path_of_error::<FileList>(r#""a string""#), "");
        // A missing field is the object's fault, at its closing brace.
        assert_eq!(path_of_error::<FileList>(r#"{"x":1}"#), "");
    }

    #[test]
    fn offsets_follow_lines_and_excerpts_cut_at_characters() {
        let body = b"ab\ncdef\ngh";
        assert_eq!(line_column_offset(body, 2, 3), Some(5)); // the `e` of line 2
        assert_eq!(line_column_offset(body, 9, 1), None);
        assert_eq!(line_column_offset(body, 0, 0), None);
        let text = "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}x\u{e9}\u{e9}";
        // Bytes 3..7 cut the second and fourth é; the cut widens to whole
        // characters: the second, third and fourth.
        assert_eq!(excerpt(text.as_bytes(), 5, 2), "…\u{e9}\u{e9}\u{e9}…");
        assert_eq!(excerpt(b"{\n\"a\":1}", 3, 100), "{ \"a\":1}");
    }
}
