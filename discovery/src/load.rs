//! Parsing documents, with errors that name the file and the JSON path.

use std::path::Path;

use crate::model::RestDescription;

/// How strictly to read a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Strictness {
    /// Unknown fields are collected in [`Parsed::unknown_fields`] and dropped.
    #[default]
    Lenient,
    /// Unknown fields are an error ([`ParseError::UnknownFields`]), so a new
    /// field in a future document is noticed rather than silently dropped.
    Strict,
}

/// A parsed document and what the model did not know.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The document.
    pub doc: RestDescription,
    /// JSON paths of fields the model does not represent (lenient mode only).
    pub unknown_fields: Vec<String>,
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is malformed or does not fit the model.
    #[error("{file}: {path}: {message}")]
    Json {
        /// The file (or a label for in-memory input).
        file: String,
        /// Dotted JSON path of the failing value (`.` for the root).
        path: String,
        /// What was wrong, with line and column.
        message: String,
    },
    /// Strict mode met fields the model does not know.
    #[error("{file}: unknown field(s) {}", fields.join(", "))]
    UnknownFields {
        /// The file.
        file: String,
        /// Dotted JSON paths of the unknown fields.
        fields: Vec<String>,
    },
}

/// Parses a document from bytes. `file` names the input in errors.
///
/// # Errors
/// [`ParseError::Json`] with the JSON path of the first bad value, or
/// [`ParseError::UnknownFields`] in strict mode.
pub fn parse_slice(file: &str, bytes: &[u8], strictness: Strictness) -> Result<Parsed, ParseError> {
    // Fast path: plain serde_json, only noting ignored fields. Path tracking
    // costs time on every value, so it runs only to explain a failure.
    let mut unknown_fields = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let fast = {
        let mut note = |path: serde_ignored::Path<'_>| unknown_fields.push(dotted(&path));
        let ignored = serde_ignored::Deserializer::new(&mut de, &mut note);
        serde::Deserialize::deserialize(ignored)
    };
    let doc: RestDescription = match fast.and_then(|doc| de.end().map(|()| doc)) {
        Ok(doc) => doc,
        Err(_) => return Err(explain_failure(file, bytes)),
    };
    if strictness == Strictness::Strict && !unknown_fields.is_empty() {
        return Err(ParseError::UnknownFields {
            file: file.to_string(),
            fields: unknown_fields,
        });
    }
    Ok(Parsed {
        doc,
        unknown_fields,
    })
}

/// Formats an ignored field's path the way `serde_path_to_error` does
/// (`a.b.0.c`), leaving out the `Option` layers serde_ignored marks with `?`.
fn dotted(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    fn walk(path: &Path<'_>, out: &mut Vec<String>) {
        match path {
            Path::Root => {}
            Path::Seq { parent, index } => {
                walk(parent, out);
                out.push(index.to_string());
            }
            Path::Map { parent, key } => {
                walk(parent, out);
                out.push(key.clone());
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => {
                walk(parent, out);
            }
        }
    }
    let mut segments = Vec::new();
    walk(path, &mut segments);
    if segments.is_empty() {
        ".".to_string()
    } else {
        segments.join(".")
    }
}

/// Re-parses a failing input with path tracking to say where it failed.
fn explain_failure(file: &str, bytes: &[u8]) -> ParseError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<RestDescription, _> = serde_path_to_error::deserialize(&mut de);
    let (path, message) = match result {
        Err(err) => (err.path().to_string(), err.into_inner().to_string()),
        Ok(_) => match de.end() {
            Err(err) => (".".to_string(), err.to_string()),
            // Unreachable in practice: the fast path failed on the same bytes.
            Ok(()) => (".".to_string(), "document could not be parsed".to_string()),
        },
    };
    ParseError::Json {
        file: file.to_string(),
        path,
        message,
    }
}

/// Parses a document from a file; errors name the file.
///
/// # Errors
/// As [`parse_slice`], plus [`ParseError::Io`].
pub fn parse_file(path: &Path, strictness: Strictness) -> Result<Parsed, ParseError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ParseError::Io {
        file: file.clone(),
        source,
    })?;
    parse_slice(&file, &bytes, strictness)
}
