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
//! An operation's identity fills the path of the API's operations methods
//! (`locate`): `v1/{+name}` for most, the name's parts for App Engine and
//! Cloud Storage, the `selfLink` for Compute. Where the API has
//! `operations.wait` the poller waits through it (the server answers as soon
//! as the operation is done); where it has `operations.cancel`,
//! [`Poller::canceller`] stops it.
//!
//! ```no_run
//! # async fn demo(call: gapi_runtime::Request, polling: &'static gapi_runtime::spec::Polling) -> Result<(), gapi_runtime::Error> {
//! use std::time::Duration;
//! #[derive(serde::Deserialize)]
//! struct TunedModel { name: String }
//! // Generated calls that start an operation have `.poll()`:
//! //   gemini.tuned_models().create(model).poll()
//! let model: TunedModel = gapi_runtime::lro::Poller::<serde_json::Value>::start(call, polling)
//!     .timeout(Duration::from_secs(600))
//!     .until_response()
//!     .await?;
//! # let _ = model.name; Ok(()) }
//! ```

mod locate;

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, Kind};
use crate::request::{decode, Call, Request};
use crate::spec::{OperationMethods, OperationShape, Polling};

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
    /// Where the operation is, once known: shared with its cancellers.
    identity: Shared,
    operation: PhantomData<fn() -> O>,
}

/// The identity of the operation being polled, set by the poller once the
/// first state arrives.
type Shared = Arc<Mutex<Option<Identity>>>;

/// What names one operation: an AIP `name` or a Compute `selfLink`.
#[derive(Debug, Clone)]
enum Identity {
    Name(String),
    SelfLink(String),
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
            identity: Shared::default(),
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
        let peek: Peek = serde_json::from_slice(&state)
            .map_err(|e| Error::build(origin, format!("the operation does not read back: {e}")))?;
        Ok(Poller {
            client: client.clone(),
            polling,
            first: First::State(Bytes::from(state)),
            origin,
            options: PollOptions::default(),
            identity: Arc::new(Mutex::new(peek.identity(polling.shape))),
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

    /// Stops the operation on request, from another task while this poller
    /// waits: what the API's `operations.cancel` does (Google then ends the
    /// operation with a `CANCELLED` error, which the poller reports).
    pub fn canceller(&self) -> Canceller {
        Canceller {
            client: self.client.clone(),
            polling: self.polling,
            origin: self.origin,
            identity: Arc::clone(&self.identity),
        }
    }

    /// Waits until the operation is done and returns its final state.
    ///
    /// # Errors
    /// The operation finished with an error ([`Error::operation_error`] has
    /// it), was not done within the timeout, or a call (the first, or a
    /// poll, each with its own retries) failed.
    pub fn until_done(self) -> crate::ResponseFuture<O> {
        let finished = self.until_finished();
        Box::pin(async move { Ok(finished.await?.operation) })
    }

    /// Waits until the operation is done and returns it with its result:
    /// [`Finished::response`] and [`Finished::metadata`] decode them as the
    /// types the caller names.
    ///
    /// # Errors
    /// As [`until_done`](Self::until_done).
    pub fn until_finished(self) -> crate::ResponseFuture<Finished<O>> {
        let origin = self.origin;
        let mut states = self.states();
        Box::pin(async move {
            let mut last = None;
            while let Some(state) = states.next().await {
                last = Some(state?);
            }
            last.ok_or_else(|| Error::build(origin, "no state was fetched"))
        })
    }

    /// Waits until the operation is done and decodes its `response` (the
    /// created or changed resource) as `R`.
    ///
    /// # Errors
    /// As [`until_done`](Self::until_done); also when the operation ended
    /// without a response or it is not an `R` ([`Finished::response`]).
    pub fn until_response<R: DeserializeOwned + Send + 'static>(self) -> crate::ResponseFuture<R> {
        let finished = self.until_finished();
        Box::pin(async move { finished.await?.response() })
    }

    /// Every state of the operation as it is fetched: the call's answer,
    /// then each poll's, ending with the done state. A failed operation or
    /// a timeout ends the stream with an error.
    pub fn stream(self) -> BoxStream<'static, Result<O, Error>> {
        self.states()
            .map(|state| state.map(|s| s.operation))
            .boxed()
    }

    fn states(self) -> BoxStream<'static, Result<Finished<O>, Error>> {
        let Poller {
            client,
            polling,
            first,
            origin,
            options,
            identity,
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
            identity,
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

/// A finished operation: its final state, with its result and metadata
/// for the caller to decode as the types the API documents for the method
/// (`TunedModel`, `CreateTunedModelMetadata`, …), which discovery
/// documents do not name.
#[derive(Debug, Clone)]
pub struct Finished<O> {
    /// The final state as the API's operation type.
    pub operation: O,
    origin: &'static str,
    shape: OperationShape,
    response: Option<serde_json::Value>,
    metadata: Option<serde_json::Value>,
}

impl<O> Finished<O> {
    /// The operation's `response`, as `R`.
    ///
    /// # Errors
    /// Compute-style operations have no response (their `targetLink` names
    /// the resource); an AIP operation may end without one (a delete); or
    /// the response is not an `R`: the error names the type.
    pub fn response<R: DeserializeOwned>(&self) -> Result<R, Error> {
        self.decode("response", self.response.as_ref())
    }

    /// The operation's `metadata` (progress, the request's details), as `M`.
    ///
    /// # Errors
    /// The operation has no metadata, or it is not an `M`.
    pub fn metadata<M: DeserializeOwned>(&self) -> Result<M, Error> {
        self.decode("metadata", self.metadata.as_ref())
    }

    fn decode<T: DeserializeOwned>(
        &self,
        field: &str,
        value: Option<&serde_json::Value>,
    ) -> Result<T, Error> {
        let value = value.ok_or_else(|| {
            let why = match self.shape {
                OperationShape::Compute if field == "response" => {
                    "a Compute-style operation has no `response`: its `targetLink` names the resource it acted on".to_string()
                }
                _ => format!("the operation has no `{field}`"),
            };
            Error::build(self.origin, why)
        })?;
        // Through bytes, so the error locates the failing field
        // (`Error::decode_path`) like any response's.
        let body = Bytes::from(value.to_string());
        serde_json::from_slice(&body).map_err(|source| {
            Error::new(
                self.origin,
                Kind::Decode {
                    source,
                    body,
                    base: 0,
                },
            )
        })
    }
}

/// Cancels one operation (from [`Poller::canceller`]); cheap to clone and
/// usable from any task.
#[derive(Debug, Clone)]
pub struct Canceller {
    client: Client,
    polling: &'static Polling,
    origin: &'static str,
    identity: Shared,
}

impl Canceller {
    /// Asks the server to cancel the operation. Google cancels on a best
    /// effort basis: the poller then sees the operation end, usually with a
    /// `CANCELLED` error.
    ///
    /// # Errors
    /// The operation has not started yet (its first state has not arrived),
    /// the API has no `operations.cancel`, or the call failed.
    pub async fn cancel(&self) -> Result<(), Error> {
        let identity = self
            .identity
            .lock()
            .map_err(|_| Error::build(self.origin, "the poller panicked"))?
            .clone()
            .ok_or_else(|| {
                Error::build(
                    self.origin,
                    "the operation has not started yet: cancel it once its first state has arrived",
                )
            })?;
        let (methods, vars) = locate_methods(self.polling, &identity)?;
        let spec = methods.cancel.ok_or_else(|| {
            Error::build(
                methods.get.id,
                "this API has no operations.cancel for this operation",
            )
        })?;
        let mut request = Request::new(&self.client, spec);
        request.repeatable();
        for (name, value) in vars {
            request.path_param(name, value.as_str());
        }
        request.send().await.map(drop)
    }
}

/// The operations methods whose `get` fetches `identity`, with its path
/// variables.
fn locate_methods(
    polling: &'static Polling,
    identity: &Identity,
) -> Result<(&'static OperationMethods, locate::Vars), Error> {
    let id = poll_spec_id(polling);
    let found = polling.methods.iter().find_map(|methods| {
        let vars = match identity {
            Identity::Name(name) => locate::by_name(methods.get, name),
            Identity::SelfLink(link) => locate::by_self_link(methods.get, link),
        }?;
        Some((methods, vars))
    });
    found.ok_or_else(|| {
        let what = match identity {
            Identity::Name(name) => {
                format!("no operations method of this API fetches an operation named {name:?}")
            }
            Identity::SelfLink(link) => {
                format!("no operations.get of this API matches the selfLink {link}")
            }
        };
        Error::new(id, Kind::Protocol(what))
    })
}

/// The id of the method polls go through (names errors before any call).
fn poll_spec_id(polling: &Polling) -> &'static str {
    polling
        .methods
        .first()
        .map_or("operations.get", |m| m.get.id)
}

/// What the poller does next.
enum Next {
    First(First),
    Poll(Box<Request>),
}

/// One fetched state, understood.
enum Step<O> {
    Running(Finished<O>, Next),
    Done(Finished<O>),
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
    /// Where the operation is, for cancellers.
    identity: Shared,
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
    response: Option<serde_json::Value>,
    metadata: Option<serde_json::Value>,
}

impl Peek {
    /// What names the operation for a poll or a cancel.
    fn identity(&self, shape: OperationShape) -> Option<Identity> {
        match shape {
            OperationShape::Aip => self
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .map(Identity::Name),
            OperationShape::Compute => self.self_link.clone().map(Identity::SelfLink),
        }
    }
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
            "response" => self.response = r.any()?,
            "metadata" => self.metadata = r.any()?,
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
        let mut peek: Peek = match decode(id, bytes.clone(), unwrap) {
            Ok(peek) => peek,
            Err(error) => return Step::Failed(error),
        };
        let operation: O = match decode(id, bytes, unwrap) {
            Ok(state) => state,
            Err(error) => return Step::Failed(error),
        };
        let name = peek.name.clone().unwrap_or_default();
        self.name.clone_from(&name);
        let identity = peek.identity(self.polling.shape);
        if let Ok(mut shared) = self.identity.lock() {
            if identity.is_some() {
                shared.clone_from(&identity);
            }
        }
        let done = match self.polling.shape {
            OperationShape::Aip => peek.done == Some(true),
            OperationShape::Compute => peek.status.as_deref() == Some("DONE"),
        };
        if done {
            if let Some(message) = failure(&peek) {
                return Step::Failed(Error::new(
                    self.origin,
                    Kind::Operation {
                        name,
                        message,
                        error: peek.error.unwrap_or_default(),
                    },
                ));
            }
        }
        let state = Finished {
            operation,
            origin: self.origin,
            shape: self.polling.shape,
            response: peek.response.take(),
            metadata: peek.metadata.take(),
        };
        if done {
            return Step::Done(state);
        }
        let request = match identity {
            Some(identity) => self.poll_request(&identity),
            None => Err(Error::new(
                poll_spec_id(self.polling),
                Kind::Protocol(match self.polling.shape {
                    OperationShape::Aip => "the operation has no name to poll it by".into(),
                    OperationShape::Compute => "the operation has no selfLink".into(),
                }),
            )),
        };
        let request = match request {
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

    /// The request that fetches the operation again: its `wait` where the
    /// API has one, else its `get`.
    fn poll_request(&self, identity: &Identity) -> Result<Request, Error> {
        let (methods, vars) = locate_methods(self.polling, identity)?;
        let mut request = match methods.wait {
            Some(wait) => {
                let mut request = Request::new(&self.client, wait);
                request.repeatable();
                request
            }
            None => Request::new(&self.client, methods.get),
        };
        for (name, value) in vars {
            request.path_param(name, value.as_str());
        }
        Ok(request)
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

#[cfg(test)]
mod tests {
    use super::*;

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
