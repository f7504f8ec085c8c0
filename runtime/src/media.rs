//! Media upload (simple, multipart, resumable) and download.
//!
//! Resumable uploads hold one chunk in memory at a time, whatever the file
//! size; after a dropped connection or a server error they ask the server how
//! much it has (`Content-Range: bytes */total`) and continue from there.
//! Downloads stream into any `AsyncWrite` and continue with `Range` after a
//! dropped connection.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;
use http::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

pub use tokio::io::AsyncWrite;

use crate::error::{Error, Kind};
use crate::request::{check_status, decode, PreparedParts, Request};
use crate::retry::{Attempt, Attempter, Retrying};
use crate::trace;

/// Uploads are sent in multiples of this (Google's requirement).
pub const CHUNK_GRANULARITY: usize = 256 * 1024;

/// Where upload bytes come from.
pub enum UploadSource {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A file, opened when the upload starts.
    File(PathBuf),
    /// Any reader; `len` is its size when known (lets the server check it).
    Reader {
        /// The reader.
        reader: Box<dyn AsyncRead + Send + Unpin>,
        /// Total size, when known.
        len: Option<u64>,
    },
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Bytes(b) => write!(f, "UploadSource::Bytes({} bytes)", b.len()),
            UploadSource::File(p) => write!(f, "UploadSource::File({})", p.display()),
            UploadSource::Reader { len, .. } => write!(f, "UploadSource::Reader(len: {len:?})"),
        }
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(v: Vec<u8>) -> Self {
        UploadSource::Bytes(Bytes::from(v))
    }
}

impl From<Bytes> for UploadSource {
    fn from(v: Bytes) -> Self {
        UploadSource::Bytes(v)
    }
}

impl From<&'static [u8]> for UploadSource {
    fn from(v: &'static [u8]) -> Self {
        UploadSource::Bytes(Bytes::from_static(v))
    }
}

impl From<&'static str> for UploadSource {
    fn from(v: &'static str) -> Self {
        UploadSource::Bytes(Bytes::from_static(v.as_bytes()))
    }
}

impl From<PathBuf> for UploadSource {
    fn from(p: PathBuf) -> Self {
        UploadSource::File(p)
    }
}

impl From<&Path> for UploadSource {
    fn from(p: &Path) -> Self {
        UploadSource::File(p.to_path_buf())
    }
}

/// Progress callback: bytes the server has confirmed, and the total if known.
pub type Progress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// Settings of a resumable upload.
#[derive(Clone)]
pub struct ResumableOptions {
    /// Bytes per request, rounded up to a multiple of 256 KiB (default 8 MiB).
    pub chunk_size: usize,
    /// Called as a chunk is sent (every 64 KiB handed to the connection) and
    /// after every chunk the server confirms, with the bytes sent or
    /// confirmed so far; after a failure it may go back to what the server
    /// had stored.
    pub progress: Option<Progress>,
    /// How many failures to resume from, over the whole upload, before
    /// giving up (default 10). Each chunk is also bounded by the call's
    /// retry policy: at most `max_attempts` requests (the chunk, then
    /// status queries) and no pause past its `total_budget`.
    pub max_resumes: u32,
}

impl Default for ResumableOptions {
    fn default() -> Self {
        ResumableOptions {
            chunk_size: 8 * 1024 * 1024,
            progress: None,
            max_resumes: 10,
        }
    }
}

impl fmt::Debug for ResumableOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumableOptions")
            .field("chunk_size", &self.chunk_size)
            .field("progress", &self.progress.is_some())
            .field("max_resumes", &self.max_resumes)
            .finish()
    }
}

impl ResumableOptions {
    /// Sets the chunk size (rounded up to 256 KiB multiples).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// Sets a progress callback.
    pub fn progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

fn io_error(id: &'static str, e: std::io::Error) -> Error {
    Error::new(id, Kind::Io(e))
}

async fn open(
    id: &'static str,
    source: UploadSource,
) -> Result<(Box<dyn AsyncRead + Send + Unpin>, Option<u64>), Error> {
    Ok(match source {
        UploadSource::Bytes(b) => {
            let len = b.len() as u64;
            (Box::new(std::io::Cursor::new(b)), Some(len))
        }
        UploadSource::File(path) => {
            let file = tokio::fs::File::open(&path).await.map_err(|e| {
                io_error(
                    id,
                    std::io::Error::new(e.kind(), format!("{}: {e}", path.display())),
                )
            })?;
            let len = file.metadata().await.map_err(|e| io_error(id, e))?.len();
            (Box::new(file), Some(len))
        }
        UploadSource::Reader { reader, len } => (reader, len),
    })
}

fn header(name: &'static str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    HeaderValue::from_str(value)
        .ok()
        .map(|v| (HeaderName::from_static(name), v))
}

impl Request {
    fn media_spec(&self) -> Result<&'static crate::spec::MediaSpec, Error> {
        self.spec
            .media
            .ok_or_else(|| Error::build(self.spec.id, "this method does not accept media"))
    }

    fn check_size(&self, len: Option<u64>) -> Result<(), Error> {
        let media = self.media_spec()?;
        match (len, media.max_size) {
            (Some(len), Some(max)) if len > max => Err(Error::build(
                self.spec.id,
                format!("media is {len} bytes; this method accepts at most {max}"),
            )),
            _ => Ok(()),
        }
    }

    /// Uploads in one request: `uploadType=media`, or `multipart` (JSON
    /// metadata + media as `multipart/related`) when a body is set. The media
    /// is read into memory so the request can be retried; use
    /// [`Request::upload_resumable`] for large files.
    ///
    /// # Errors
    /// See [`Error`]; a size above the method's maximum is refused before sending.
    pub async fn upload<T: DeserializeOwned>(
        self,
        source: UploadSource,
        mime_type: &str,
    ) -> Result<T, Error> {
        let (id, unwrap) = (self.spec.id, self.spec.service.data_wrapper);
        let body = self.upload_raw(source, mime_type).await?;
        decode(id, body, unwrap)
    }

    /// [`Request::upload`] up to the response body: compiled once, not once
    /// per response type.
    async fn upload_raw(mut self, source: UploadSource, mime_type: &str) -> Result<Bytes, Error> {
        let id = self.spec.id;
        let media = self.media_spec()?;
        let path = media
            .simple_path
            .ok_or_else(|| Error::build(id, "this method has no simple upload path"))?;
        let (mut reader, len) = open(id, source).await?;
        self.check_size(len)?;
        let mut data = Vec::with_capacity(len.unwrap_or(0).min(64 << 20) as usize);
        reader
            .read_to_end(&mut data)
            .await
            .map_err(|e| io_error(id, e))?;
        let parts = self.simple_upload_parts(path, data, mime_type)?;
        self.exchange(&parts, None).await.map(|(_, body)| body)
    }

    /// The single request [`Request::upload`] would send for `data`, without
    /// sending it (debugging, tests, request parity).
    ///
    /// # Errors
    /// When the method takes no media, or the request cannot be built.
    pub fn preview_upload(
        &self,
        data: impl Into<Bytes>,
        mime_type: &str,
    ) -> Result<crate::PreparedRequest, Error> {
        let id = self.spec.id;
        let path = self
            .media_spec()?
            .simple_path
            .ok_or_else(|| Error::build(id, "this method has no simple upload path"))?;
        let parts = self
            .clone()
            .simple_upload_parts(path, data.into().to_vec(), mime_type)?;
        Ok(parts.into_preview())
    }

    /// `uploadType=media` (no metadata) or `multipart` (`multipart/related`:
    /// the JSON metadata, then the media).
    fn simple_upload_parts(
        &mut self,
        path: &str,
        data: Vec<u8>,
        mime_type: &str,
    ) -> Result<PreparedParts, Error> {
        self.check_size(Some(data.len() as u64))?;
        let metadata = self.body.take();
        let upload_type = if metadata.is_some() {
            "multipart"
        } else {
            "media"
        };
        self.set_query("uploadType", upload_type);
        let mut parts = self.prepare(Some(path))?;
        parts
            .headers
            .retain(|(n, _)| n != http::header::CONTENT_TYPE);
        match metadata {
            Some(json) => {
                let boundary = format!("gapi_{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
                let mut body = Vec::with_capacity(json.len() + data.len() + 256);
                body.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(&json);
                body.extend_from_slice(
                    format!("\r\n--{boundary}\r\nContent-Type: {mime_type}\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(&data);
                body.extend_from_slice(format!("\r\n--{boundary}--").as_bytes());
                parts.headers.extend(header(
                    "content-type",
                    &format!("multipart/related; boundary={boundary}"),
                ));
                parts.body = Some(Bytes::from(body));
            }
            None => {
                parts.headers.extend(header("content-type", mime_type));
                parts.body = Some(Bytes::from(data));
            }
        }
        Ok(parts)
    }

    /// Uploads with the resumable protocol; see the module docs.
    ///
    /// # Errors
    /// See [`Error`]; gives up after `options.max_resumes` failures.
    pub async fn upload_resumable<T: DeserializeOwned>(
        self,
        source: UploadSource,
        mime_type: &str,
        options: ResumableOptions,
    ) -> Result<T, Error> {
        let (id, unwrap) = (self.spec.id, self.spec.service.data_wrapper);
        let body = self
            .upload_resumable_raw(source, mime_type, options)
            .await?;
        decode(id, body, unwrap)
    }

    /// Starts a resumable session for media of `mime_type` (and `total`
    /// bytes, when known) at `path`: where the chunks go.
    async fn start_session(
        &mut self,
        path: &str,
        mime_type: &str,
        total: Option<u64>,
    ) -> Result<Session, Error> {
        let id = self.spec.id;
        self.set_query("uploadType", "resumable");
        let mut parts = self.prepare(Some(path))?;
        if parts.body.is_none() {
            parts.body = Some(Bytes::new());
        }
        parts
            .headers
            .extend(header("x-upload-content-type", mime_type));
        if let Some(total) = total {
            parts
                .headers
                .extend(header("x-upload-content-length", &total.to_string()));
        }
        // Starting a session is safe to retry: nothing is stored until data
        // arrives. It is a POST, so the call's policy decides as for any POST.
        let (location, answer) = self.exchange(&parts, Some(&http::header::LOCATION)).await?;
        let url = location
            .as_ref()
            .and_then(|v| v.to_str().ok())
            // Google sends an absolute URL; a relative one is resolved.
            .and_then(|location| reqwest::Url::parse(&parts.url).ok()?.join(location).ok())
            .map(String::from)
            .ok_or_else(|| {
                // What came instead says who answered (a proxy's page, …).
                let instead = if answer.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; it answered: {}",
                        crate::explain::excerpt(&answer, 0, 120)
                    )
                };
                Error::build(
                    id,
                    format!("the server started no upload session (no Location header{instead})"),
                )
            })?;
        Ok(Session {
            id,
            http: self.client.inner.http.clone(),
            url,
            limit: self.client.inner.limits.response_bytes,
        })
    }

    /// [`Request::upload_resumable`] up to the final response's body.
    async fn upload_resumable_raw(
        mut self,
        source: UploadSource,
        mime_type: &str,
        options: ResumableOptions,
    ) -> Result<Bytes, Error> {
        let id = self.spec.id;
        let media = self.media_spec()?;
        let path = media
            .resumable_path
            .ok_or_else(|| Error::build(id, "this method has no resumable upload path"))?;
        let (mut reader, total) = open(id, source).await?;
        self.check_size(total)?;
        let session = self.start_session(path, mime_type, total).await?;
        let chunk = options.chunk_size.max(1).div_ceil(CHUNK_GRANULARITY) * CHUNK_GRANULARITY;
        // The chunk being sent, shared (not copied) with the request body, so
        // the upload holds one chunk in memory; after a partial commit it is
        // sliced, and the rest is re-sent.
        let mut buf = Bytes::new();
        let mut offset: u64 = 0; // file offset of buf[0]
        let mut eof = false;
        let mut known_total = total;
        let mut failures = 0u32;
        loop {
            if buf.len() < chunk && !eof {
                (buf, eof) = top_up(id, &mut reader, std::mem::take(&mut buf), chunk).await?;
            }
            if eof {
                let actual = offset + buf.len() as u64;
                if let Some(t) = known_total {
                    if t != actual {
                        return Err(io_error(
                            id,
                            std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                format!("media ended after {actual} of {t} bytes"),
                            ),
                        ));
                    }
                }
                known_total = Some(actual);
                self.check_size(known_total)?;
            }
            // Send the chunk; after a failure, the next attempt first asks
            // the session what it stored. Requests to the session URL are
            // safe to repeat, and carry no credentials (the URL is the
            // authorization), so a 401 is not a reason to refresh.
            let step = Retrying::new(id, self.policy(), trace::session_span(id, &session.url))
                .idempotent(true)
                .throttle(&self.client.inner.throttle)
                .run(ChunkAttempts {
                    session: &session,
                    chunk: &buf,
                    offset,
                    total: known_total,
                    progress: options.progress.as_ref(),
                    resuming: false,
                    failures: &mut failures,
                    max_failures: options.max_resumes,
                })
                .await?;
            let committed = match step {
                Step::Done(body) => {
                    if let (Some(p), Some(t)) = (&options.progress, known_total) {
                        p(t, Some(t));
                    }
                    return Ok(body);
                }
                Step::Stored(n) => n,
            };
            if let Some(p) = &options.progress {
                p(committed, known_total);
            }
            if committed < offset || committed > offset + buf.len() as u64 {
                return Err(Error::build(
                    id,
                    format!(
                        "server reports {committed} bytes stored, outside the chunk at {offset}"
                    ),
                ));
            }
            buf = buf.slice((committed - offset) as usize..);
            offset = committed;
        }
    }

    /// Streams the media (`alt=media`) into `writer`; resumes with `Range`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn download<W: AsyncWrite + Unpin + Send>(
        self,
        writer: &mut W,
    ) -> Result<u64, Error> {
        self.download_erased(writer, None).await
    }

    /// [`download`](Self::download), calling `progress(bytes written,
    /// total)` after every piece written; the total comes from
    /// `Content-Length` (or a resumed response's `Content-Range`) and is
    /// `None` when the server sends neither. Made to drive a progress bar
    /// such as `indicatif`'s.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn download_with_progress<W: AsyncWrite + Unpin + Send>(
        self,
        writer: &mut W,
        progress: impl Fn(u64, Option<u64>) + Send + Sync,
    ) -> Result<u64, Error> {
        self.download_erased(writer, Some(&progress)).await
    }

    /// The download, compiled once whatever the writer.
    async fn download_erased(
        mut self,
        writer: &mut (dyn AsyncWrite + Unpin + Send),
        progress: Option<&(dyn Fn(u64, Option<u64>) + Send + Sync)>,
    ) -> Result<u64, Error> {
        self.set_query("alt", "media");
        let parts: PreparedParts = self.prepare(None)?;
        let mut progress = DownloadProgress {
            written: 0,
            total: None,
            report: progress,
        };
        self.retrying(&parts)
            .run(DownloadAttempts {
                request: &self,
                parts: &parts,
                writer,
                progress: &mut progress,
            })
            .await
    }

    /// One attempt of a download: from `progress.written` on.
    async fn download_once(
        &self,
        parts: &PreparedParts,
        writer: &mut (dyn AsyncWrite + Unpin + Send),
        progress: &mut DownloadProgress<'_>,
    ) -> Result<(), Error> {
        let id = self.spec.id;
        let resume_from = (progress.written > 0).then_some(progress.written);
        let response = self.attempt(parts, resume_from).await?;
        if resume_from.is_some() && response.status().as_u16() != 206 {
            return Err(Error::build(
                id,
                "the server ignored the Range header; cannot resume",
            ));
        }
        if progress.total.is_none() {
            progress.total = media_total(response.headers(), progress.written);
        }
        let mut stream = response.bytes_stream();
        while let Some(piece) = stream.next().await {
            // A connection dropped midway is a failed attempt; the next one
            // asks for the rest.
            let bytes = piece.map_err(|e| Error::transport(id, e, true))?;
            writer
                .write_all(&bytes)
                .await
                .map_err(|e| io_error(id, e))?;
            progress.written += bytes.len() as u64;
            if let Some(report) = progress.report {
                report(progress.written, progress.total);
            }
        }
        writer.flush().await.map_err(|e| io_error(id, e))
    }
}

/// `rest` (what the session has not stored yet) topped up from `reader` to
/// `chunk` bytes, and whether the reader is at its end. The old chunk is
/// released before more is read, so an upload holds one chunk in memory.
async fn top_up(
    id: &'static str,
    reader: &mut (dyn AsyncRead + Unpin + Send),
    rest: Bytes,
    chunk: usize,
) -> Result<(Bytes, bool), Error> {
    let mut next = BytesMut::with_capacity(chunk);
    next.extend_from_slice(&rest);
    drop(rest);
    while next.len() < chunk {
        let room = chunk - next.len();
        let n = reader
            .read_buf(&mut (&mut next).limit(room))
            .await
            .map_err(|e| io_error(id, e))?;
        if n == 0 {
            return Ok((next.freeze(), true));
        }
    }
    Ok((next.freeze(), false))
}

/// The attempts of a download: each asks for the bytes not yet written.
struct DownloadAttempts<'a, 'p> {
    request: &'a Request,
    parts: &'a PreparedParts,
    writer: &'a mut (dyn AsyncWrite + Unpin + Send),
    progress: &'a mut DownloadProgress<'p>,
}

impl Attempter for DownloadAttempts<'_, '_> {
    type Output = u64;

    async fn attempt(&mut self, _: &mut Attempt) -> Result<u64, Error> {
        self.request
            .download_once(self.parts, self.writer, self.progress)
            .await?;
        trace::bytes(self.progress.written);
        Ok(self.progress.written)
    }
}

/// The attempts of one chunk of a resumable upload: the chunk, then after a
/// failure a query of what the session stored (the caller re-sends the
/// rest). `failures` counts across the whole upload.
struct ChunkAttempts<'a> {
    session: &'a Session,
    chunk: &'a Bytes,
    offset: u64,
    total: Option<u64>,
    progress: Option<&'a Progress>,
    resuming: bool,
    failures: &'a mut u32,
    max_failures: u32,
}

impl Attempter for ChunkAttempts<'_> {
    type Output = Step;

    async fn attempt(&mut self, attempt: &mut Attempt) -> Result<Step, Error> {
        let step = if self.resuming {
            self.session.query(self.total).await
        } else {
            self.session
                .put(self.chunk, self.offset, self.total, self.progress)
                .await
        };
        step.inspect_err(|_| {
            *self.failures += 1;
            self.resuming = true;
            if *self.failures > self.max_failures {
                attempt.give_up();
            }
        })
    }
}

/// Where a download stands, across attempts.
struct DownloadProgress<'a> {
    written: u64,
    total: Option<u64>,
    report: Option<&'a (dyn Fn(u64, Option<u64>) + Send + Sync)>,
}

/// [`media_total`] for the fuzzer.
#[cfg(test)]
pub(crate) fn fuzz_media_total(headers: &http::HeaderMap) -> Option<u64> {
    media_total(headers, 0)
}

/// The media's full size: a 206's `Content-Range: bytes a-b/total`, or a
/// 200's `Content-Length` (plus what was written before, which is 0 then).
fn media_total(headers: &http::HeaderMap, written: u64) -> Option<u64> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(range) = text(http::header::CONTENT_RANGE) {
        return range.rsplit('/').next()?.trim().parse().ok();
    }
    let length: u64 = text(http::header::CONTENT_LENGTH)?.trim().parse().ok()?;
    Some(written + length)
}

/// What a request to a resumable session came to.
enum Step {
    /// The upload is complete; the final response's body.
    Done(Bytes),
    /// The session holds this many bytes (308 Resume Incomplete).
    Stored(u64),
}

/// A resumable upload session: its URL, and the two requests sent to it.
struct Session {
    id: &'static str,
    http: reqwest::Client,
    url: String,
    /// `ClientBuilder::max_response_bytes`, for the final answer.
    limit: u64,
}

impl Session {
    /// Sends `chunk`, which starts at `offset` (an empty chunk only says
    /// the total, to finish an upload whose size was unknown). With a
    /// progress callback, the chunk goes in pieces and each piece handed to
    /// the connection is reported, so a bar moves during a chunk too (one
    /// chunk is a whole upload below 8 MiB).
    async fn put(
        &self,
        chunk: &Bytes,
        offset: u64,
        total: Option<u64>,
        progress: Option<&Progress>,
    ) -> Result<Step, Error> {
        let total_text = total.map_or("*".to_string(), |t| t.to_string());
        let range = if chunk.is_empty() {
            format!("bytes */{total_text}")
        } else {
            format!(
                "bytes {}-{}/{total_text}",
                offset,
                offset + chunk.len() as u64 - 1
            )
        };
        let body = match progress {
            Some(report) if chunk.len() > PROGRESS_PIECE => {
                progress_body(chunk.clone(), offset, total, report.clone())
            }
            _ => reqwest::Body::from(chunk.clone()),
        };
        self.send(range, body, chunk.len()).await
    }

    /// Asks how much the session has stored (`Content-Range: bytes */total`).
    async fn query(&self, total: Option<u64>) -> Result<Step, Error> {
        let total_text = total.map_or("*".to_string(), |t| t.to_string());
        self.send(
            format!("bytes */{total_text}"),
            reqwest::Body::from(Bytes::new()),
            0,
        )
        .await
    }

    async fn send(
        &self,
        content_range: String,
        body: reqwest::Body,
        length: usize,
    ) -> Result<Step, Error> {
        let id = self.id;
        let response = self
            .http
            .put(&self.url)
            .header(http::header::CONTENT_RANGE, content_range)
            // Given even for a streamed body: Google wants each chunk's
            // length, not chunked transfer encoding.
            .header(http::header::CONTENT_LENGTH, length)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                let sent = !e.is_connect();
                Error::transport(id, e, sent)
            })?;
        tracing::Span::current().record("status", response.status().as_u16());
        if response.status().as_u16() == 308 {
            return Ok(Step::Stored(committed_bytes(response.headers())));
        }
        let response = check_status(id, response).await?;
        let body = crate::limits::read_body(id, response, self.limit).await?;
        Ok(Step::Done(body))
    }
}

/// How much of a chunk goes to the connection between two progress reports.
const PROGRESS_PIECE: usize = 64 * 1024;

/// `chunk` (starting at `offset` of the upload) as a body of
/// [`PROGRESS_PIECE`]s that reports, as each piece is taken, the bytes
/// before it: progress counts bytes sent during a chunk, and bytes the
/// server confirmed after it.
fn progress_body(chunk: Bytes, offset: u64, total: Option<u64>, report: Progress) -> reqwest::Body {
    use futures_util::StreamExt;
    let starts = (0..chunk.len()).step_by(PROGRESS_PIECE);
    let pieces = futures_util::stream::iter(starts).map(move |start| {
        if start > 0 {
            report(offset + start as u64, total);
        }
        let end = (start + PROGRESS_PIECE).min(chunk.len());
        Ok::<Bytes, std::io::Error>(chunk.slice(start..end))
    });
    reqwest::Body::wrap_stream(pieces)
}

/// Bytes stored according to a 308's `Range: bytes=0-N` (none: 0). A
/// `Range` of another shape (not from 0, not a number, `N` = 2^64-1) counts
/// as nothing stored: the upload then stops with an error rather than
/// skip bytes the server never had.
pub(crate) fn committed_bytes(headers: &http::HeaderMap) -> u64 {
    headers
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes=0-"))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok())
        .and_then(|last| last.checked_add(1))
        .unwrap_or(0)
}
