//! The generator library's one error type.

use std::path::{Path, PathBuf};

/// What went wrong, naming the file, document or package concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}{}", path.display(), hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
        /// What to do about it, when there is something to say.
        hint: Option<String>,
    },
    /// A file that is not a discovery document (or not one this generator
    /// can read).
    #[error("{}: not a discovery document: {message}", path.display())]
    Document {
        /// The file.
        path: PathBuf,
        /// Why, with the JSON path when there is one.
        message: String,
    },
    /// Generated tokens did not parse: a generator bug.
    #[error(transparent)]
    Format(#[from] crate::format::FormatError),
    /// A resource's Cargo feature does not compile alone.
    #[error("{count} feature breach(es), first: {first}")]
    FeatureBreach {
        /// How many.
        count: usize,
        /// The first, described.
        first: String,
    },
    /// An input or state the operation cannot work with; the message says
    /// what and what to do.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
            hint: None,
        }
    }

    /// `path` is not a discovery document, because of `message`.
    pub fn document(path: impl AsRef<Path>, message: impl ToString) -> Self {
        Error::Document {
            path: path.as_ref().to_path_buf(),
            message: message.to_string(),
        }
    }

    /// Anything else, said in `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    /// The same I/O error with advice on what to do.
    #[must_use]
    pub fn hint(mut self, advice: &str) -> Self {
        if let Error::Io { hint, .. } = &mut self {
            *hint = Some(advice.to_string());
        }
        self
    }
}
