//! Batch requests: many calls of one API in one HTTP request, a
//! `multipart/mixed` body sent to the API's `batchPath`, as
//! google-api-python-client's `BatchHttpRequest` sends it — with a typed
//! result per call instead of callbacks.
//!
//! ```no_run
//! # async fn demo(client: gapi_runtime::Client, a: gapi_runtime::Request, b: gapi_runtime::Request) -> Result<(), gapi_runtime::Error> {
//! // With a generated crate: `let mut batch = drive.batch();`
//! let mut batch = gapi_runtime::batch::Batch::new(&client);
//! let first = batch.add(a); // a generated call, e.g. drive.files().get("id")
//! let second = batch.add(b);
//! let answers = batch.execute().await?; // one HTTP request
//! let value = answers.get(first)?; // typed: the call's response type
//! if let Err(e) = answers.get(second) {
//!     eprintln!("{e}"); // each call succeeds or fails on its own
//! }
//! # let _ = value; Ok(()) }
//! ```
//!
//! Calls whose part comes back with a retryable status (429, 503, … for
//! idempotent methods, and a 401 once after refreshing the credentials) are
//! sent again in a smaller batch, under the batch's retry policy; the others
//! keep their answer.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, GoogleError, Kind};
use crate::request::{decode, send_once, Call, PreparedParts, PreparedRequest, Request};
use crate::retry::{parse_retry_after, Attempt, Attempter, RetryPolicy, Retrying};
use crate::spec::{BatchSpec, HttpMethod, MethodSpec};

/// Calls of one API collected to go out as one batch request. Generated
/// crates create one with `service.batch()` (for APIs whose document has a
/// `batchPath`).
pub struct Batch {
    client: Client,
    /// Tells this batch's slots from another's.
    tag: u64,
    calls: Vec<Request>,
    /// The first call that belongs to another API, reported by `execute`.
    foreign: Option<&'static str>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("service", &self.client.service().id)
            .field("calls", &self.calls.len())
            .finish_non_exhaustive()
    }
}

/// Where one call's answer will be in the [`BatchResponse`], and its type.
pub struct Slot<T> {
    tag: u64,
    index: usize,
    response: PhantomData<fn() -> T>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slot<T> {}

impl<T> fmt::Debug for Slot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot").field("index", &self.index).finish()
    }
}

impl<T> Slot<T> {
    /// The call's position in the batch, from 0, in the order added.
    pub fn index(&self) -> usize {
        self.index
    }
}

impl Batch {
    /// An empty batch for `client`'s API.
    pub fn new(client: &Client) -> Batch {
        Batch {
            client: client.clone(),
            tag: fastrand::u64(..),
            calls: Vec::new(),
            foreign: None,
            retry: None,
        }
    }

    /// Adds a call (built as for `execute()`, with its parameters and body)
    /// and returns the slot its answer will be in. Media uploads and
    /// downloads cannot be batched: their methods consume the call instead.
    pub fn add<C: Call>(&mut self, call: C) -> Slot<C::Response> {
        let request = call.into_request();
        if !std::ptr::eq(request.spec.service, self.client.service()) && self.foreign.is_none() {
            self.foreign = Some(request.spec.id);
        }
        self.calls.push(request);
        Slot {
            tag: self.tag,
            index: self.calls.len() - 1,
            response: PhantomData,
        }
    }

    /// How many calls the batch holds.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call was added.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The most calls one batch of this API may carry (`None`: the API has
    /// no batch endpoint).
    pub fn max_calls(&self) -> Option<usize> {
        self.client.service().batch.as_ref().map(|b| b.max_calls)
    }

    /// Overrides the client's retry policy for this batch (and the calls
    /// in it that are sent again).
    pub fn retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// The HTTP request `execute` would send first, without sending it
    /// (credentials left out; the boundary and `Content-ID`s are random).
    ///
    /// # Errors
    /// As `execute`, before anything is sent.
    pub fn preview(&self) -> Result<PreparedRequest, Error> {
        let spec = self.checked_spec()?;
        let indexes: Vec<usize> = (0..self.calls.len()).collect();
        Ok(self.compose(spec, &indexes, &Ids::new())?.into_preview())
    }

    /// Sends the batch and returns every call's answer.
    ///
    /// # Errors
    /// When the batch cannot be sent at all: the API has no batch
    /// endpoint, a call belongs to another API, there are more calls than
    /// the API allows in one batch, a call cannot be built, or the batch
    /// request itself fails (transport, HTTP status, a malformed answer).
    /// Each call's own failure is in the [`BatchResponse`] instead.
    pub fn execute(self) -> crate::ResponseFuture<BatchResponse> {
        Box::pin(self.run())
    }

    fn checked_spec(&self) -> Result<&'static BatchSpec, Error> {
        let service = self.client.service();
        let Some(spec) = service.batch.as_ref() else {
            return Err(Error::build(
                service.id,
                "this API has no batch endpoint (its discovery document has no batchPath)",
            ));
        };
        if let Some(foreign) = self.foreign {
            return Err(Error::build(
                spec.id,
                format!(
                    "{foreign} belongs to another API; a batch holds calls of {} only",
                    service.id
                ),
            ));
        }
        if self.calls.len() > spec.max_calls {
            return Err(Error::build(
                spec.id,
                format!(
                    "a batch of {} calls: {} takes at most {} per batch request; split it",
                    self.calls.len(),
                    service.id,
                    spec.max_calls
                ),
            ));
        }
        Ok(spec)
    }

    async fn run(self) -> Result<BatchResponse, Error> {
        let spec = self.checked_spec()?;
        if self.calls.is_empty() {
            return Ok(self.answers(Vec::new()));
        }
        let policy = self
            .retry
            .clone()
            .unwrap_or_else(|| self.client.inner.retry.clone());
        let ids = Ids::new();
        let mut rounds = Rounds {
            outcomes: vec![Outcome::Missing; self.calls.len()],
            pending: (0..self.calls.len()).collect(),
            parts: None,
            answered: false,
        };
        let first = self.compose(spec, &rounds.pending, &ids)?;
        let retrying = Retrying::new(spec.id, &policy, crate::trace::call_span(spec.id, &first))
            .idempotent(self.all_idempotent(&rounds.pending))
            .credentials(self.client.inner.credentials.as_deref())
            .throttle(&self.client.inner.throttle);
        rounds.parts = Some(first);
        let result = retrying
            .run(BatchRounds {
                batch: &self,
                spec,
                policy: &policy,
                ids: &ids,
                rounds: &mut rounds,
            })
            .await;
        match result {
            Ok(()) => {}
            // Calls answered in an earlier round keep their (retryable)
            // failure: the batch as a whole did its job.
            Err(_) if rounds.answered => {}
            Err(error) => return Err(error),
        }
        Ok(self.answers(rounds.outcomes))
    }

    fn all_idempotent(&self, calls: &[usize]) -> bool {
        calls
            .iter()
            .all(|i| self.calls[*i].spec.http_method.is_idempotent())
    }

    /// One attempt of the batch: sends the calls still pending and records
    /// their outcomes; "fails" with the first retryable call's error when
    /// some are worth sending again (and only those stay pending).
    async fn next_round(
        &self,
        spec: &'static BatchSpec,
        policy: &RetryPolicy,
        ids: &Ids,
        rounds: &mut Rounds,
        attempt: &mut Attempt,
    ) -> Result<(), Error> {
        let parts = match rounds.parts.take() {
            Some(parts) => parts,
            None => self.compose(spec, &rounds.pending, ids)?,
        };
        let answers = match self.round(spec, &parts, &rounds.pending, ids).await {
            Ok(answers) => answers,
            Err(error) => {
                attempt.set_idempotent(self.all_idempotent(&rounds.pending));
                return Err(error);
            }
        };
        rounds.answered = true;
        for (index, outcome) in answers {
            rounds.outcomes[index] = outcome;
        }
        let mut again = Vec::new();
        for &i in &rounds.pending {
            let idempotent = self.calls[i].spec.http_method.is_idempotent();
            if rounds.outcomes[i].worth_retrying(policy, idempotent) {
                again.push(i);
            }
        }
        let Some(&first) = again.first() else {
            return Ok(());
        };
        // Only calls that may be repeated are in `again`.
        attempt.set_idempotent(true);
        rounds.pending = again;
        Err(rounds.outcomes[first].error(self.calls[first].spec))
    }

    fn answers(&self, outcomes: Vec<Outcome>) -> BatchResponse {
        BatchResponse {
            tag: self.tag,
            items: self
                .calls
                .iter()
                .zip(outcomes)
                .map(|(call, outcome)| (call.spec, outcome))
                .collect(),
        }
    }

    /// One batch request carrying the calls at `indexes`.
    async fn round(
        &self,
        spec: &'static BatchSpec,
        parts: &PreparedParts,
        indexes: &[usize],
        ids: &Ids,
    ) -> Result<Vec<(usize, Outcome)>, Error> {
        let response = send_once(&self.client, spec.id, parts, None).await?;
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let limit = self.client.inner.limits.response_bytes;
        let body = crate::limits::read_body(spec.id, response, limit).await?;
        read_answers(&content_type, &body, indexes, ids)
            .map_err(|message| Error::new(spec.id, Kind::Protocol(message)))
    }

    /// The `multipart/mixed` request for the calls at `indexes`: one
    /// `application/http` part per call, as the Python client writes them.
    fn compose(
        &self,
        spec: &'static BatchSpec,
        indexes: &[usize],
        ids: &Ids,
    ) -> Result<PreparedParts, Error> {
        let mut body: Vec<u8> = Vec::with_capacity(512 * indexes.len());
        for &index in indexes {
            let call = self.calls[index].prepare(None)?;
            let (host, target) = split_url(&call.url);
            body.extend_from_slice(
                format!(
                    "--{}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {}\r\n\r\n{} {target} HTTP/1.1\r\nHost: {host}\r\n",
                    ids.boundary,
                    ids.content_id(index),
                    call.method.as_str(),
                )
                .as_bytes(),
            );
            for (name, value) in &call.headers {
                body.extend_from_slice(name.as_str().as_bytes());
                body.extend_from_slice(b": ");
                body.extend_from_slice(value.as_bytes());
                body.extend_from_slice(b"\r\n");
            }
            if let Some(content) = &call.body {
                body.extend_from_slice(
                    format!("Content-Length: {}\r\n\r\n", content.len()).as_bytes(),
                );
                body.extend_from_slice(content);
                body.extend_from_slice(b"\r\n");
            } else {
                // The empty line ending the headers, then the line break
                // that belongs to the next delimiter.
                body.extend_from_slice(b"\r\n\r\n");
            }
        }
        body.extend_from_slice(format!("--{}--\r\n", ids.boundary).as_bytes());
        let inner = &self.client.inner;
        let mut headers = vec![(
            http::header::CONTENT_TYPE,
            HeaderValue::from_str(&format!("multipart/mixed; boundary=\"{}\"", ids.boundary))
                .map_err(|_| Error::build(spec.id, "bad boundary"))?,
        )];
        if let Ok(agent) = HeaderValue::from_str(&inner.user_agent) {
            headers.push((http::header::USER_AGENT, agent));
        }
        headers.push((
            HeaderName::from_static("x-goog-api-client"),
            HeaderValue::from_static(concat!("gl-rust/1 gdcl/", env!("CARGO_PKG_VERSION"))),
        ));
        Ok(PreparedParts {
            method: HttpMethod::POST,
            url: format!("{}{}", inner.root_url, spec.path.trim_start_matches('/')),
            headers,
            body: Some(Bytes::from(body)),
        })
    }
}

/// The boundary and `Content-ID` base of one batch (kept across its
/// retries, so a call's id does not change).
struct Ids {
    boundary: String,
    base: String,
}

impl Ids {
    fn new() -> Ids {
        Ids {
            boundary: format!("batch_{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            base: format!("{:016x}", fastrand::u64(..)),
        }
    }

    /// The call at `index` is `<BASE + index+1>`, as the Python client
    /// numbers them; Google answers with `<response-BASE + index+1>`.
    fn content_id(&self, index: usize) -> String {
        format!("<{} + {}>", self.base, index + 1)
    }
}

/// `(host, path?query)` of an absolute URL.
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    }
}

/// What came back for one call.
#[derive(Debug, Clone)]
enum Outcome {
    /// The call's part: status, `Retry-After`, body.
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        body: Bytes,
    },
    /// No part came back for the call.
    Missing,
}

/// The attempts of a batch: [`Batch::next_round`] each.
struct BatchRounds<'a> {
    batch: &'a Batch,
    spec: &'static BatchSpec,
    policy: &'a RetryPolicy,
    ids: &'a Ids,
    rounds: &'a mut Rounds,
}

impl Attempter for BatchRounds<'_> {
    type Output = ();

    fn attempt(
        &mut self,
        attempt: &mut Attempt,
    ) -> impl std::future::Future<Output = Result<(), Error>> + Send {
        self.batch
            .next_round(self.spec, self.policy, self.ids, self.rounds, attempt)
    }
}

/// A batch's state across its rounds.
struct Rounds {
    outcomes: Vec<Outcome>,
    /// The calls the next round sends.
    pending: Vec<usize>,
    /// The first round's request, composed before the loop (its span shows
    /// it); later rounds compose what is pending.
    parts: Option<PreparedParts>,
    answered: bool,
}

impl Outcome {
    fn worth_retrying(&self, policy: &RetryPolicy, idempotent: bool) -> bool {
        match self {
            Outcome::Answered { status: 401, .. } => true,
            Outcome::Answered { status, .. } if *status < 400 => false,
            Outcome::Answered { .. } => {
                crate::retry::should_retry(policy, &self.error_for("batch"), idempotent)
            }
            Outcome::Missing => false,
        }
    }

    /// The error of an unsuccessful outcome.
    fn error(&self, spec: &'static MethodSpec) -> Error {
        self.error_for(spec.id)
    }

    fn error_for(&self, id: &'static str) -> Error {
        match self {
            Outcome::Answered {
                status,
                retry_after,
                body,
            } => Error::new(
                id,
                Kind::Api {
                    status: *status,
                    google: GoogleError::parse(body),
                    body: body.clone(),
                    retry_after: *retry_after,
                },
            ),
            Outcome::Missing => Error::new(
                id,
                Kind::Protocol("the batch response has no part for this call".into()),
            ),
        }
    }
}

/// Every call's answer, by the [`Slot`] that [`Batch::add`] returned.
pub struct BatchResponse {
    tag: u64,
    items: Vec<(&'static MethodSpec, Outcome)>,
}

impl fmt::Debug for BatchResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statuses: Vec<Option<u16>> = self.items.iter().map(|(_, o)| status_of(o)).collect();
        f.debug_struct("BatchResponse")
            .field("statuses", &statuses)
            .finish()
    }
}

fn status_of(outcome: &Outcome) -> Option<u16> {
    match outcome {
        Outcome::Answered { status, .. } => Some(*status),
        Outcome::Missing => None,
    }
}

impl BatchResponse {
    /// The call's decoded response, or its own error (HTTP status and
    /// Google's error body, as `execute()` would have returned).
    ///
    /// # Errors
    /// The call's failure; a slot of another batch.
    pub fn get<T: DeserializeOwned>(&self, slot: Slot<T>) -> Result<T, Error> {
        let (spec, outcome) = self.item(slot.tag, slot.index)?;
        match outcome {
            Outcome::Answered { status, body, .. } if (200..300).contains(status) => {
                if spec.returns_json {
                    decode(spec.id, body.clone(), spec.service.data_wrapper)
                } else {
                    decode(spec.id, Bytes::new(), false)
                }
            }
            other => Err(other.error(spec)),
        }
    }

    /// The HTTP status of the call's part (`None` when none came back).
    pub fn status<T>(&self, slot: Slot<T>) -> Option<u16> {
        self.item(slot.tag, slot.index)
            .ok()
            .and_then(|(_, outcome)| status_of(outcome))
    }

    /// How many calls the batch held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch held no call.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The HTTP status of every call's part, in the order added (`None`
    /// where none came back).
    pub fn statuses(&self) -> Vec<Option<u16>> {
        self.items.iter().map(|(_, o)| status_of(o)).collect()
    }

    fn item(&self, tag: u64, index: usize) -> Result<&(&'static MethodSpec, Outcome), Error> {
        match self.items.get(index) {
            Some(item) if tag == self.tag => Ok(item),
            _ => Err(Error::build(
                "batch",
                "this slot belongs to another batch's response",
            )),
        }
    }
}

/// Reads a batch response: one `application/http` part per call, matched
/// to the calls at `indexes` by `Content-ID` (or by position, for parts
/// without one).
fn read_answers(
    content_type: &str,
    body: &[u8],
    indexes: &[usize],
    ids: &Ids,
) -> Result<Vec<(usize, Outcome)>, String> {
    let boundary = boundary_of(content_type)
        .ok_or_else(|| format!("a batch answer must be multipart/mixed, not {content_type:?}"))?;
    let mut answers = Vec::with_capacity(indexes.len());
    for (position, part) in parts(body, &boundary).into_iter().enumerate() {
        let (headers, content) = split_head(part).ok_or_else(|| {
            format!(
                "part {} of the batch answer has no header end",
                position + 1
            )
        })?;
        let index = match header(headers, "content-id") {
            Some(id) => index_of(id, &ids.base)
                .filter(|i| indexes.contains(i))
                .ok_or_else(|| {
                    format!("part {} answers an unknown Content-ID {id:?}", position + 1)
                })?,
            None => *indexes.get(position).ok_or_else(|| {
                format!(
                    "the batch answer has more parts than calls ({})",
                    position + 1
                )
            })?,
        };
        if answers.iter().any(|(answered, _)| *answered == index) {
            return Err(format!(
                "part {} answers call {} again (a batch answers each call once)",
                position + 1,
                index + 1
            ));
        }
        answers.push((
            index,
            http_response(content).map_err(|e| format!("part {}: {e}", position + 1))?,
        ));
    }
    Ok(answers)
}

/// [`read_answers`] for the fuzzer (`crate::fuzz`), with this boundary
/// and Content-ID base: which calls the parts answer.
#[cfg(test)]
pub(crate) fn fuzz_read_answers(
    content_type: &str,
    body: &[u8],
    indexes: &[usize],
    (boundary, base): (&str, &str),
) -> Result<Vec<usize>, String> {
    let ids = Ids {
        boundary: boundary.to_string(),
        base: base.to_string(),
    };
    read_answers(content_type, body, indexes, &ids).map(|a| a.into_iter().map(|(i, _)| i).collect())
}

/// The `boundary` parameter of a `multipart/*` media type.
pub(crate) fn boundary_of(content_type: &str) -> Option<String> {
    let (media_type, params) = content_type.split_once(';')?;
    if !media_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("boundary"))
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// The parts of a multipart body (each part's headers and content, without
/// the line break before the next delimiter), preamble and epilogue left out.
pub(crate) fn parts<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = 0;
    while at + delimiter.len() <= body.len() {
        let line_start = at == 0 || body[at - 1] == b'\n';
        if !line_start || &body[at..at + delimiter.len()] != delimiter {
            at += 1;
            continue;
        }
        if let Some(start) = open {
            let mut end = at;
            if end > start && body[end - 1] == b'\n' {
                end -= 1;
                if end > start && body[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            out.push(&body[start..end]);
        }
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            break;
        }
        // The rest of the delimiter line (transport padding) is skipped.
        let next_line = body[after..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len(), |p| after + p + 1);
        open = Some(next_line);
        at = next_line;
    }
    out
}

/// A part's header block and its content, split at the first empty line.
pub(crate) fn split_head(part: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = part
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4));
    let lf = part.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2));
    let (at, len) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    Some((&part[..at], &part[at + len..]))
}

/// The value of header `name` in a header block.
pub(crate) fn header<'a>(block: &'a [u8], name: &str) -> Option<&'a str> {
    std::str::from_utf8(block).ok()?.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The call index in `<response-BASE + N>` (or `<BASE + N>`).
fn index_of(content_id: &str, base: &str) -> Option<usize> {
    let inner = content_id.trim().strip_prefix('<')?.strip_suffix('>')?;
    let (prefix, number) = inner.rsplit_once('+')?;
    let prefix = prefix.trim();
    if prefix != base && prefix.strip_prefix("response-") != Some(base) {
        return None;
    }
    number.trim().parse::<usize>().ok()?.checked_sub(1)
}

/// An `application/http` part: status line, headers, body.
fn http_response(content: &[u8]) -> Result<Outcome, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head = match response.parse(content) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Err("the HTTP response in it is cut off".into()),
        Err(e) => return Err(format!("the HTTP response in it does not parse ({e})")),
    };
    let status = response.code.ok_or("no status code")?;
    let retry_after = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("retry-after"))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .and_then(parse_retry_after);
    Ok(Outcome::Answered {
        status,
        retry_after,
        body: Bytes::copy_from_slice(&content[head..]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_split_at_delimiter_lines_with_either_line_ending() {
        let body = b"preamble\r\n--b1\r\nA: 1\r\n\r\none\r\n--b1\nB: 2\n\ntwo\n--b1--\r\nepilogue";
        assert_eq!(
            parts(body, "b1"),
            vec![&b"A: 1\r\n\r\none"[..], &b"B: 2\n\ntwo"[..]]
        );
        // A delimiter inside a line is content.
        assert_eq!(
            parts(b"--b\r\n\r\nx--b y\r\n--b--", "b"),
            vec![&b"\r\nx--b y"[..]]
        );
    }

    #[test]
    fn boundaries_and_content_ids_parse() {
        assert_eq!(
            boundary_of("multipart/mixed; boundary=batch_abc"),
            Some("batch_abc".into())
        );
        assert_eq!(
            boundary_of("multipart/mixed; charset=x; BOUNDARY=\"a b\""),
            Some("a b".into())
        );
        assert_eq!(boundary_of("application/json"), None);
        assert_eq!(index_of("<response-f00 + 3>", "f00"), Some(2));
        assert_eq!(index_of("<f00+1>", "f00"), Some(0));
        assert_eq!(index_of("<other + 1>", "f00"), None);
        assert_eq!(index_of("<response-f00 + 0>", "f00"), None);
    }

    #[test]
    fn an_http_part_gives_status_retry_after_and_body() {
        let Outcome::Answered {
            status,
            retry_after,
            body,
        } = http_response(b"HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nContent-Type: application/json\r\n\r\n{\"a\":1}")
            .unwrap_or(Outcome::Missing)
        else {
            panic!("no answer");
        };
        assert_eq!((status, retry_after), (429, Some(Duration::from_secs(3))));
        assert_eq!(&body[..], b"{\"a\":1}");
        assert!(http_response(b"HTTP/1.1 200 OK\r\nA: b").is_err());
    }
}
