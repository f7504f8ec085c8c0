//! What can go wrong, and the exit code a script sees for it.

use std::process::ExitCode;

/// A failure of one `gapi` invocation.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flags or values: exit 2, as clap's own usage errors.
    #[error("{0}")]
    Usage(String),
    /// The discovery document is missing or unreadable: exit 2.
    #[error("{0}")]
    Document(String),
    /// The call failed: an HTTP error (Google's message), the network, or
    /// an answer that could not be read: exit 1.
    #[error(transparent)]
    Call(#[from] gapi_runtime::Error),
    /// Sign-in failed or is missing: exit 3.
    #[error("{0}")]
    Auth(String),
    /// A local file could not be read or written: exit 1.
    #[error("{0}")]
    Io(String),
    /// Whoever read the output stopped reading (`| head`): exit 0, quietly.
    #[error("standard output closed")]
    Closed,
    /// An error and what to do about it (a `hint:` line after it).
    #[error("{error}")]
    Hinted {
        /// The error.
        error: Box<CliError>,
        /// What to do.
        hint: String,
    },
}

impl CliError {
    /// The message and every cause under it (`credentials failed: token
    /// endpoint said invalid_grant …`), for stderr.
    pub fn report(&self) -> String {
        if let CliError::Hinted { error, hint } = self {
            return format!("{}\nhint: {hint}", error.report());
        }
        let mut message = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        message
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        if let CliError::Hinted { error, .. } = self {
            return error.exit_code();
        }
        ExitCode::from(match self {
            CliError::Hinted { .. } | CliError::Closed => 0,
            CliError::Call(_) | CliError::Io(_) => 1,
            CliError::Usage(_) | CliError::Document(_) => 2,
            CliError::Auth(_) => 3,
        })
    }
}
