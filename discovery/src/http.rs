//! The HTTP both `sync` and `fetch` do: one client setup, one GET of a whole
//! body, and errors that show their cause.

use std::time::Duration;

/// A blocking client with gapi-codegen's user agent and `timeout` per request.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("gapi-codegen/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| error_chain(&e))
}

/// The body at `url`: `Ok(None)` on 404, the failure's message otherwise.
pub(crate) fn get_bytes(
    client: &reqwest::blocking::Client,
    url: &str,
) -> Result<Option<Vec<u8>>, String> {
    let response = client.get(url).send().map_err(|e| error_chain(&e))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let body = response.bytes().map_err(|e| error_chain(&e))?;
    Ok(Some(body.to_vec()))
}

/// An error and its sources on one line: reqwest's own message alone says
/// "error sending request" and hides the cause (refused, TLS, DNS).
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
