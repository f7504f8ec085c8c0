//! Standard output that a closed pipe (`gapi … | head`) ends quietly
//! instead of panicking, as `println!` would.

use std::fmt::Display;
use std::io::Write;

use crate::error::CliError;

/// Writes `text` and a newline to standard output.
///
/// # Errors
/// [`CliError::Closed`] when the reader has gone (the command then stops and
/// exits 0); [`CliError::Io`] for any other failure.
pub fn line(text: impl Display) -> Result<(), CliError> {
    bytes(format!("{text}\n").as_bytes())
}

/// Writes `data` to standard output as it is.
///
/// # Errors
/// As [`line()`].
pub fn bytes(data: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(data)
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::Closed,
            _ => CliError::Io(format!("standard output: {e}")),
        })
}
