//! Long-running operations: a call that starts one (`instances.insert`,
//! `tunedModels.create`, …) returns an operation, which is fetched again
//! until it is done.
//!
//! Two shapes exist in Google's catalog, and the generator tells them apart
//! from the document ([`Polling`]):
//! - **AIP-151** (most Cloud APIs): `name`, `done`, `error` (`code`,
//!   `message`, `details`), `response`; polled through the API's
//!   `operations.get` on `name`.
//! - **Compute-style** (Compute, Cloud SQL Admin, Deployment Manager, GKE):
//!   `status` reaching `DONE`, failures in `error.errors[]`; polled through
//!   the global, regional or zonal `operations.get` that its `selfLink` names.
//!
//! ```no_run
//! # async fn demo(call: gapi_runtime::Request, polling: &'static gapi_runtime::spec::Polling) -> Result<(), gapi_runtime::Error> {
//! use std::time::Duration;
//! // Generated calls that start an operation have `.poll()`:
//! //   compute.instances().insert(project, zone, instance).poll()
//! let done = gapi_runtime::lro::Poller::<serde_json::Value>::start(call, polling)
//!     .timeout(Duration::from_secs(600))
//!     .until_done()
//!     .await?;
//! # let _ = done; Ok(()) }
//! ```

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, Kind};
use crate::request::{decode, Call, Request};
use crate::spec::{MethodSpec, Polling};

/// How often and how long to poll: the delay between polls grows from
/// `initial_delay` by `multiplier` up to `max_delay`; polling stops with an
/// error once `timeout` has passed since the first answer. The defaults are
/// Google's Python clients' (1 s, ×1.5, 20 s, 15 minutes).
#[derive(Debug, Clone, PartialEq)]
pub struct PollOptions {
    /// Delay before the first poll.
    pub initial_delay: Duration,
    /// Longest delay between polls.
    pub max_delay: Duration,
    /// Growth of the delay per poll.
    pub multiplier: f64,
    /// No poll starts after this much time.
    pub timeout: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
            multiplier: 1.5,
            timeout: Duration::from_secs(900),
        }
    }
}

/// Polls one long-running operation of type `O` (the API's generated
/// `Operation` type) until it is done.
pub struct Poller<O> {
    client: Client,
    polling: &'static Polling,
    first: First,
    /// The method the operation's failure is reported under.
    origin: &'static str,
    options: PollOptions,
    operation: PhantomData<fn() -> O>,
}

impl<O> std::fmt::Debug for Poller<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("origin", &self.origin)
            .field("polling", &self.polling)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Where the first state comes from.
enum First {
    /// The call that starts the operation.
    Call(Box<Request>),
    /// An operation already in hand, as JSON.
    State(Bytes),
}

impl<O: DeserializeOwned + Send + 'static> Poller<O> {
    /// Sends `call` (a call that starts an operation), then polls the
    /// operation it returns: what generated `.poll()` methods return.
    pub fn start<C: Call<Response = O>>(call: C, polling: &'static Polling) -> Self {
        let request = call.into_request();
        Poller {
            client: request.client.clone(),
            origin: request.spec.id,
            polling,
            first: First::Call(Box::new(request)),
            options: PollOptions::default(),
            operation: PhantomData,
        }
    }

    /// Polls an operation already in hand (from a listing, or saved
    /// earlier), through `client`.
    ///
    /// # Errors
    /// When `operation` does not serialize.
    pub fn resume(client: &Client, polling: &'static Polling, operation: &O) -> Result<Self, Error>
    where
        O: Serialize,
    {
        let origin = poll_spec_id(polling);
        let state = serde_json::to_vec(operation)
            .map_err(|e| Error::build(origin, format!("the operation does not serialize: {e}")))?;
        Ok(Poller {
            client: client.clone(),
            polling,
            first: First::State(Bytes::from(state)),
            origin,
            options: PollOptions::default(),
            operation: PhantomData,
        })
    }

    /// All the polling settings at once.
    pub fn options(mut self, options: PollOptions) -> Self {
        self.options = options;
        self
    }

    /// Gives up (with an error for which `is_timeout()` holds) when the
    /// operation is not done after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// The first delay between polls (it then grows, up to `max_delay`).
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.options.initial_delay = delay;
        self
    }

    /// The longest delay between polls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.options.max_delay = delay;
        self
    }

    /// Waits until the operation is done and returns its final state.
    ///
    /// # Errors
    /// The operation finished with an error ([`Error::operation_error`] has
    /// it), was not done within the timeout, or a call (the first, or a
    /// poll, each with its own retries) failed.
    pub fn until_done(self) -> crate::ResponseFuture<O> {
        let mut states = self.stream();
        Box::pin(async move {
            let mut last = None;
            while let Some(state) = states.next().await {
                last = Some(state?);
            }
            last.ok_or_else(|| Error::build("poll", "no state was fetched"))
        })
    }

    /// Every state of the operation as it is fetched: the call's answer,
    /// then each poll's, ending with the done state. A failed operation or
    /// a timeout ends the stream with an error.
    pub fn stream(self) -> BoxStream<'static, Result<O, Error>> {
        let Poller {
            client,
            polling,
            first,
            origin,
            options,
            ..
        } = self;
        let machine = Machine {
            client,
            polling,
            origin,
            options,
            started: None,
            delay: Duration::ZERO,
            name: String::new(),
        };
        stream::unfold(Some((machine, Next::First(first))), |state| async move {
            let (mut machine, next) = state?;
            let bytes = match machine.fetch(next).await {
                Ok(bytes) => bytes,
                Err(error) => return Some((Err(error), None)),
            };
            match machine.step(bytes) {
                Step::Running(state, request) => Some((Ok(state), Some((machine, request)))),
                Step::Done(state) => Some((Ok(state), None)),
                Step::Failed(error) => Some((Err(error), None)),
            }
        })
        .boxed()
    }
}

/// The id of the method polls go through (names errors before any call).
fn poll_spec_id(polling: &Polling) -> &'static str {
    match polling {
        Polling::ByName { get, .. } => get.id,
        Polling::BySelfLink { gets } => gets.first().map_or("operations.get", |g| g.id),
    }
}

/// What the poller does next.
enum Next {
    First(First),
    Poll(Box<Request>),
}

/// One fetched state, understood.
enum Step<O> {
    Running(O, Next),
    Done(O),
    Failed(Error),
}

struct Machine {
    client: Client,
    polling: &'static Polling,
    origin: &'static str,
    options: PollOptions,
    started: Option<Instant>,
    delay: Duration,
    /// The operation's name, once known (for errors).
    name: String,
}

/// The fields of either operation shape that polling needs.
#[derive(Default)]
struct Peek {
    name: Option<String>,
    done: Option<bool>,
    status: Option<String>,
    self_link: Option<String>,
    error: Option<serde_json::Value>,
    http_error_status_code: Option<i64>,
    http_error_message: Option<String>,
}

// Read like generated types, without serde's derive (see error.rs).
impl crate::decode::DecodeFields for Peek {
    fn type_name(&self) -> &'static str {
        "Operation"
    }

    fn decode_field(
        &mut self,
        key: &str,
        r: &mut dyn crate::decode::Reader,
    ) -> Result<(), crate::decode::Failed> {
        let text = |r: &mut dyn crate::decode::Reader| Ok(r.string()?.map(String::from));
        match key {
            "name" => self.name = text(r)?,
            "done" => self.done = r.boolean()?,
            "status" => self.status = text(r)?,
            "selfLink" => self.self_link = text(r)?,
            "error" => self.error = r.any()?,
            "httpErrorStatusCode" => self.http_error_status_code = r.int64()?,
            "httpErrorMessage" => self.http_error_message = text(r)?,
            _ => {}
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Peek {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::decode::decode_struct(d)
    }
}

impl Machine {
    async fn fetch(&mut self, next: Next) -> Result<(&'static str, Bytes), Error> {
        match next {
            Next::First(First::Call(request)) => {
                let id = request.spec.id;
                let bytes = request.send().await?;
                Ok((id, bytes))
            }
            Next::First(First::State(bytes)) => Ok((self.origin, bytes)),
            Next::Poll(request) => {
                let started = *self.started.get_or_insert_with(Instant::now);
                let waited = started.elapsed();
                let delay = self.delay;
                if waited + delay > self.options.timeout {
                    return Err(Error::new(
                        self.origin,
                        Kind::OperationTimedOut {
                            name: self.name.clone(),
                            waited,
                        },
                    ));
                }
                tokio::time::sleep(delay).await;
                let id = request.spec.id;
                Ok((id, request.send().await?))
            }
        }
    }

    fn step<O: DeserializeOwned>(&mut self, (id, bytes): (&'static str, Bytes)) -> Step<O> {
        self.started.get_or_insert_with(Instant::now);
        let unwrap = self.client.service().data_wrapper;
        let peek: Peek = match decode(id, bytes.clone(), unwrap) {
            Ok(peek) => peek,
            Err(error) => return Step::Failed(error),
        };
        let state: O = match decode(id, bytes, unwrap) {
            Ok(state) => state,
            Err(error) => return Step::Failed(error),
        };
        let name = peek.name.clone().unwrap_or_default();
        self.name.clone_from(&name);
        let done = match self.polling {
            Polling::ByName { .. } => peek.done == Some(true),
            Polling::BySelfLink { .. } => peek.status.as_deref() == Some("DONE"),
        };
        if done {
            return match failure(&peek) {
                Some(message) => Step::Failed(Error::new(
                    self.origin,
                    Kind::Operation {
                        name,
                        message,
                        error: peek.error.unwrap_or_default(),
                    },
                )),
                None => Step::Done(state),
            };
        }
        let request = match self.poll_request(&peek) {
            Ok(request) => request,
            Err(error) => return Step::Failed(error),
        };
        self.delay = if self.delay.is_zero() {
            self.options.initial_delay
        } else {
            self.delay
                .mul_f64(self.options.multiplier)
                .min(self.options.max_delay)
        };
        Step::Running(state, Next::Poll(Box::new(request)))
    }

    /// The request that fetches the operation again.
    fn poll_request(&self, peek: &Peek) -> Result<Request, Error> {
        match self.polling {
            Polling::ByName { get, param } => {
                let name = peek
                    .name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        Error::new(
                            get.id,
                            Kind::Protocol("the operation has no name to poll it by".into()),
                        )
                    })?;
                let mut request = Request::new(&self.client, get);
                request.path_param(param, name);
                Ok(request)
            }
            Polling::BySelfLink { gets } => {
                let id = poll_spec_id(self.polling);
                let link = peek.self_link.as_deref().ok_or_else(|| {
                    Error::new(id, Kind::Protocol("the operation has no selfLink".into()))
                })?;
                gets.iter()
                    .find_map(|get| {
                        let vars = match_template(get.path, link_tail(link, get))?;
                        let mut request = Request::new(&self.client, get);
                        for (name, value) in vars {
                            request.path_param(name, value.as_str());
                        }
                        Some(request)
                    })
                    .ok_or_else(|| {
                        Error::new(
                            id,
                            Kind::Protocol(format!(
                                "no operations.get of this API matches the selfLink {link}"
                            )),
                        )
                    })
            }
        }
    }
}

/// The message of a finished operation's error, if it has one: AIP's
/// `error.message` (with `code`), Compute's `error.errors[]`, or its
/// `httpErrorStatusCode`/`httpErrorMessage`.
fn failure(peek: &Peek) -> Option<String> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(error) = &peek.error {
        if let Some(items) = error.get("errors").and_then(|e| e.as_array()) {
            if let Some(first) = items.first() {
                let mut message = first.get("message").map(text).unwrap_or_default();
                if let Some(code) = first.get("code") {
                    message = format!("{}: {message}", text(code));
                }
                if items.len() > 1 {
                    message.push_str(&format!(" (and {} more)", items.len() - 1));
                }
                return Some(message);
            }
        }
        let message = error.get("message").map(text);
        let code = error.get("code").filter(|c| !c.is_null()).map(text);
        match (code, message) {
            (None, None) if error.is_null() => {}
            (None, None) => return Some(error.to_string()),
            (Some(code), message) => {
                return Some(format!("{code}: {}", message.unwrap_or_default()))
            }
            (None, Some(message)) => return Some(message),
        }
    }
    peek.http_error_status_code.map(|code| {
        format!(
            "HTTP {code}: {}",
            peek.http_error_message.as_deref().unwrap_or("")
        )
    })
}

/// The part of a `selfLink` URL a `get` method's template is matched
/// against: its path after the API's service path.
fn link_tail<'a>(link: &'a str, get: &MethodSpec) -> &'a str {
    let path = link.split_once("://").map_or(link, |(_, rest)| {
        rest.find('/').map_or("", |at| &rest[at + 1..])
    });
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.strip_prefix(get.service.service_path).unwrap_or(path)
}

/// The variables of a URI template (`projects/{project}/zones/{zone}/…`)
/// that make it equal `path`, or `None`. `{var}` takes one segment
/// (percent-decoded), `{+var}` one or more.
fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    fn go(template: &[&'static str], path: &[&str], out: &mut Vec<(&'static str, String)>) -> bool {
        let Some((first, rest)) = template.split_first() else {
            return path.is_empty();
        };
        if let Some(name) = first.strip_prefix("{+").and_then(|n| n.strip_suffix('}')) {
            for take in (1..=path.len()).rev() {
                out.push((name, path[..take].join("/")));
                if go(rest, &path[take..], out) {
                    return true;
                }
                out.pop();
            }
            return false;
        }
        let Some((segment, path_rest)) = path.split_first() else {
            return false;
        };
        if let Some(name) = first.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            let value = percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned();
            out.push((name, value));
            if go(rest, path_rest, out) {
                return true;
            }
            out.pop();
            return false;
        }
        first == segment && go(rest, path_rest, out)
    }
    let template: Vec<&'static str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    go(&template, &path, &mut out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_self_links() {
        assert_eq!(
            match_template(
                "projects/{project}/zones/{zone}/operations/{operation}",
                "projects/p-1/zones/us-central1-a/operations/op%2D9"
            ),
            Some(vec![
                ("project", "p-1".into()),
                ("zone", "us-central1-a".into()),
                ("operation", "op-9".into())
            ])
        );
        assert_eq!(
            match_template(
                "projects/{project}/zones/{zone}/operations/{operation}",
                "projects/p/regions/r/operations/o"
            ),
            None
        );
        assert_eq!(
            match_template(
                "{+folder}/global/operations/{operation}",
                "folders/12/global/operations/o"
            ),
            Some(vec![
                ("folder", "folders/12".into()),
                ("operation", "o".into())
            ])
        );
        assert_eq!(match_template("a/{b}", "a/x/y"), None);
    }

    #[test]
    fn failures_read_either_shape() {
        let peek = |v: serde_json::Value| serde_json::from_value::<Peek>(v).unwrap_or_default();
        assert_eq!(
            failure(&peek(
                serde_json::json!({"error": {"code": 3, "message": "bad"}})
            )),
            Some("3: bad".into())
        );
        assert_eq!(
            failure(&peek(serde_json::json!({"error": {"errors": [
                {"code": "QUOTA_EXCEEDED", "message": "no room"}, {"code": "X"}]}}))),
            Some("QUOTA_EXCEEDED: no room (and 1 more)".into())
        );
        assert_eq!(
            failure(&peek(
                serde_json::json!({"httpErrorStatusCode": 404, "httpErrorMessage": "NOT FOUND"})
            )),
            Some("HTTP 404: NOT FOUND".into())
        );
        assert_eq!(failure(&peek(serde_json::json!({"done": true}))), None);
    }
}
