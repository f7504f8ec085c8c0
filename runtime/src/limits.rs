//! Caps on what one answer may make the client hold in memory, so that a
//! buggy or hostile server (a body that never ends, a streamed element
//! without its closing brace) costs an error, not the process.
//!
//! Time is bounded by the client's per-attempt timeout
//! ([`crate::ClientBuilder::timeout`], 300 s by default), which covers the
//! whole exchange, body included: a server dripping one byte a second keeps
//! a call no longer than that.

use bytes::{Bytes, BytesMut};

use crate::error::{Error, Kind};

/// The caps of one client ([`crate::ClientBuilder::max_response_bytes`],
/// [`crate::ClientBuilder::max_stream_element_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest body read into memory (a JSON answer, a batch answer, a
    /// download into bytes). Default 256 MiB.
    pub response_bytes: u64,
    /// The largest element of a streamed answer (one JSON array element or
    /// one server-sent event). Default 64 MiB.
    pub stream_element_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            response_bytes: 256 << 20,
            stream_element_bytes: 64 << 20,
        }
    }
}

/// An error body is kept up to this size (it is read to explain a failure;
/// the rest is dropped, not an error of its own).
pub(crate) const ERROR_BODY_BYTES: usize = 1 << 20;

/// The error for a body or element over its cap.
pub(crate) fn too_large(
    id: &'static str,
    what: &'static str,
    limit: u64,
    setting: &'static str,
) -> Error {
    Error::new(
        id,
        Kind::TooLarge {
            what,
            limit,
            setting,
        },
    )
}

/// Reads `response`'s whole body, failing once it passes `limit` bytes
/// (at once when its `Content-Length` says it will).
pub(crate) async fn read_body(
    id: &'static str,
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, Error> {
    let over = || {
        too_large(
            id,
            "the response body",
            limit,
            "ClientBuilder::max_response_bytes",
        )
    };
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(over());
    }
    let first = response
        .chunk()
        .await
        .map_err(|e| Error::transport(id, e, true))?;
    let Some(first) = first else {
        return Ok(Bytes::new());
    };
    // Most answers arrive in one chunk: no copy then.
    let Some(second) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(id, e, true))?
    else {
        return if first.len() as u64 > limit {
            Err(over())
        } else {
            Ok(first)
        };
    };
    let hint = announced.map_or(first.len() + second.len(), |n| n as usize);
    let mut body = BytesMut::with_capacity(hint);
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    loop {
        if body.len() as u64 > limit {
            return Err(over());
        }
        match response
            .chunk()
            .await
            .map_err(|e| Error::transport(id, e, true))?
        {
            Some(chunk) => body.extend_from_slice(&chunk),
            None => return Ok(body.freeze()),
        }
    }
}

/// Reads at most `limit` bytes of `response`'s body (an error answer's),
/// dropping the rest; a body cut off by the network is kept as far as it
/// came.
pub(crate) async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body.freeze()
}
