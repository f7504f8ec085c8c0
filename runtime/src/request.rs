//! A request under construction, and what sending it means: URL, standard
//! parameters and headers, credentials, retries, error decoding.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Client;
use crate::decode::DecodeFields;
use crate::error::{Error, GoogleError, Kind};
use crate::retry::{parse_retry_after, RetryPolicy, Retrying};
use crate::spec::{Download, HttpMethod, MethodSpec};
use crate::template;

/// Google turns GET requests with longer URLs into POST + override.
const MAX_GET_URL: usize = 2048;

/// A value that can travel as a query or path parameter.
pub trait ParamValue {
    /// The wire text.
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for compact_str::CompactString {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for bool {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
display_param!(i32, i64, u32, u64, f32, f64);

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// A generated call (`drive.files().get(id)`, …) as a request with a known
/// response type: what [`crate::batch::Batch::add`] takes. Every generated
/// call implements it; a bare [`Request`] does too, with its response as a
/// JSON value.
pub trait Call {
    /// What a successful call decodes to (`()` for calls without a
    /// response body).
    type Response: DeserializeOwned;

    /// The request this call would send.
    fn into_request(self) -> Request;
}

impl Call for Request {
    type Response = serde_json::Value;

    fn into_request(self) -> Request {
        self
    }
}

/// The HTTP request a call would send, for debugging and tests.
/// Credential headers are not included.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// Verb.
    pub method: HttpMethod,
    /// Full URL with query.
    pub url: String,
    /// Headers (without credentials).
    pub headers: Vec<(String, String)>,
    /// Body bytes, if any.
    pub body: Option<Bytes>,
}

/// A request under construction. Generated call builders own one; setters
/// add parameters; `execute` sends it.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) client: Client,
    pub(crate) spec: &'static MethodSpec,
    path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    body_error: Option<String>,
    retry: Option<RetryPolicy>,
    /// Whether a POST of this call may be sent again like a GET (an
    /// operation's `wait` or `cancel`).
    repeatable: bool,
}

impl Request {
    /// A request for `spec` through `client`.
    pub fn new(client: &Client, spec: &'static MethodSpec) -> Self {
        Request {
            client: client.clone(),
            spec,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            body_error: None,
            retry: None,
            repeatable: false,
        }
    }

    /// The method this request calls.
    pub fn spec(&self) -> &'static MethodSpec {
        self.spec
    }

    /// Sets a path template variable.
    pub fn path_param(&mut self, name: &'static str, value: impl ParamValue) {
        let value = value.to_param().into_owned();
        match self.path_params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.path_params.push((name, value)),
        }
    }

    /// Sets a path variable that names a member of `collection` (`models/`,
    /// from a pattern `^models/[^/]+$`): a bare id gets the collection in
    /// front of it, a full name (with a `/`) is kept as it is.
    pub fn path_param_in(
        &mut self,
        name: &'static str,
        collection: &'static str,
        value: impl ParamValue,
    ) {
        let value = value.to_param();
        if value.is_empty() || value.contains('/') {
            self.path_param(name, &*value);
        } else {
            self.path_param(name, format!("{collection}{value}"));
        }
    }

    /// Sets a query parameter, replacing earlier values.
    pub fn set_query(&mut self, name: impl Into<Cow<'static, str>>, value: impl ParamValue) {
        let name = name.into();
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value.to_param().into_owned()));
    }

    /// Adds one value of a repeated query parameter.
    pub fn add_query(&mut self, name: impl Into<Cow<'static, str>>, value: impl ParamValue) {
        self.query
            .push((name.into(), value.to_param().into_owned()));
    }

    /// Removes a query parameter.
    pub fn remove_query(&mut self, name: &str) {
        self.query.retain(|(n, _)| n != name);
    }

    /// The current value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds a header to this call.
    pub fn header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.append(name, value);
    }

    /// Sets the JSON body. A serialization failure is reported by `execute`.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) {
        /// The `dataWrapper` request envelope. Serializing through it
        /// rather than `json!` keeps one serializer per body type.
        struct Envelope<'a, T: ?Sized>(&'a T);
        impl<T: Serialize + ?Sized> Serialize for Envelope<'_, T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("data", self.0)?;
                map.end()
            }
        }
        let result = if self.spec.service.data_wrapper {
            serde_json::to_vec(&Envelope(body))
        } else {
            serde_json::to_vec(body)
        };
        match result {
            Ok(bytes) => {
                self.body = Some(Bytes::from(bytes));
                self.body_error = None;
            }
            Err(e) => self.body_error = Some(format!("request body: {e}")),
        }
    }

    /// Overrides the client's retry policy for this call.
    pub fn retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// The URL without query: root URL + service path + expanded template.
    pub(crate) fn base_url(&self, media_path: Option<&str>) -> Result<String, Error> {
        let service = self.spec.service;
        let root = &self.client.inner.root_url;
        let lookup = |name: &str| {
            self.path_params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        let expand = |t: &str| {
            template::expand(t, service.fully_encode_reserved_expansion, lookup).map_err(
                |e| match e {
                    template::TemplateError::Missing(name) => {
                        Error::build(self.spec.id, format!("missing path parameter `{name}`"))
                    }
                    template::TemplateError::Unclosed => {
                        Error::build(self.spec.id, "malformed path template")
                    }
                },
            )
        };
        let mut url = String::with_capacity(root.len() + 64);
        url.push_str(root);
        match media_path {
            Some(path) => url.push_str(&expand(path.trim_start_matches('/'))?),
            None => {
                if self.spec.download == Download::Service
                    && self.query_value("alt") == Some("media")
                {
                    url.push_str("download/");
                }
                url.push_str(service.service_path);
                url.push_str(&expand(self.spec.path)?);
            }
        }
        Ok(url)
    }

    fn query_string(&self) -> String {
        let mut out = String::new();
        {
            let mut pairs = form_urlencoded_pairs(&mut out);
            if !self.query.iter().any(|(n, _)| n == "alt") {
                pairs("alt", "json");
            }
            if !self.query.iter().any(|(n, _)| n == "prettyPrint") {
                pairs("prettyPrint", "false");
            }
            for (name, value) in &self.query {
                pairs(name, value);
            }
        }
        out
    }

    fn standard_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let inner = &self.client.inner;
        let mut out = vec![
            (
                http::header::USER_AGENT,
                HeaderValue::from_str(&inner.user_agent)
                    .unwrap_or(HeaderValue::from_static("gapi")),
            ),
            (
                HeaderName::from_static("x-goog-api-client"),
                HeaderValue::from_static(concat!("gl-rust/1 gdcl/", env!("CARGO_PKG_VERSION"))),
            ),
        ];
        // JSON calls ask for JSON, as Google's clients do; streamed answers
        // as events ask for events; media downloads and calls with no
        // response body take anything.
        let accept = match self.query_value("alt") {
            Some("media") => "*/*",
            Some("sse") => "text/event-stream",
            _ if self.spec.returns_json => "application/json",
            _ => "*/*",
        };
        out.push((http::header::ACCEPT, HeaderValue::from_static(accept)));
        if let Some(version) = self.spec.api_version {
            if let Ok(v) = HeaderValue::from_str(version) {
                out.push((HeaderName::from_static("x-goog-api-version"), v));
            }
        }
        out
    }

    /// Builds the request without credentials: method, URL, headers, body.
    pub(crate) fn prepare(&self, media_path: Option<&str>) -> Result<PreparedParts, Error> {
        if let Some(e) = &self.body_error {
            return Err(Error::build(self.spec.id, e.clone()));
        }
        let mut url = self.base_url(media_path)?;
        let query = self.query_string();
        let mut method = self.spec.http_method.clone();
        let mut headers: Vec<(HeaderName, HeaderValue)> = self.standard_headers();
        headers.extend(self.headers.iter().map(|(n, v)| (n.clone(), v.clone())));
        let mut body = self.body.clone();
        if body.is_some() {
            headers.push((
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ));
        }
        if method == HttpMethod::GET && url.len() + 1 + query.len() > MAX_GET_URL && body.is_none()
        {
            method = HttpMethod::POST;
            headers.push((
                HeaderName::from_static("x-http-method-override"),
                HeaderValue::from_static("GET"),
            ));
            headers.push((
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            ));
            body = Some(Bytes::from(query));
        } else {
            url.push('?');
            url.push_str(&query);
        }
        Ok(PreparedParts {
            method,
            url,
            headers,
            body,
        })
    }

    /// The HTTP request `execute` would send first, without sending it.
    ///
    /// # Errors
    /// When the request cannot be built (missing path parameter, bad body).
    pub fn preview(&self) -> Result<PreparedRequest, Error> {
        let parts = self.prepare(None)?;
        Ok(parts.into_preview())
    }

    /// Sends the request (with retries and credentials) and returns the raw
    /// successful response body.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send(self) -> Result<Bytes, Error> {
        let parts = self.prepare(None)?;
        self.exchange(&parts, None).await.map(|(_, body)| body)
    }

    /// Sends and decodes a JSON response.
    ///
    /// # Errors
    /// See [`Error`]; a body that does not decode keeps the raw bytes.
    pub async fn execute<T: DeserializeOwned>(self) -> Result<T, Error> {
        let id = self.spec.id;
        let unwrap = self.spec.service.data_wrapper;
        let body = self.send().await?;
        decode(id, body, unwrap)
    }

    /// Sends a request whose response has no useful body.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn execute_empty(self) -> Result<(), Error> {
        self.send().await.map(|_| ())
    }

    /// [`execute`](Self::execute), boxed: what a generated `execute()`
    /// returns. Generic over the response type only, so the methods of a
    /// crate that return the same type (`files.get`, `files.copy`,
    /// `files.update`…) share one compiled copy instead of one each.
    pub fn execute_boxed<T: DeserializeOwned + Send + 'static>(self) -> crate::ResponseFuture<T> {
        Box::pin(self.execute())
    }

    /// [`execute_boxed`](Self::execute_boxed) for a response that is a
    /// generated struct: what most generated `execute()`s return. Sending
    /// and JSON reading are compiled once, here; each response type adds
    /// only its `Default` and a call through [`DecodeFields`], so a crate
    /// with many response types does not compile the request pipeline once
    /// per type.
    pub fn execute_struct<T>(self) -> crate::ResponseFuture<T>
    where
        T: DecodeFields + Default + Send + 'static,
    {
        Box::pin(DecodeStruct {
            sending: self.sending(),
            into: std::marker::PhantomData,
        })
    }

    /// What [`execute_struct`](Self::execute_struct) waits for, built here
    /// rather than in each of its instances.
    fn sending(self) -> Sending {
        Sending {
            id: self.spec.id,
            unwrap: self.spec.service.data_wrapper,
            sent: Box::pin(self.send()),
        }
    }

    /// [`execute_empty`](Self::execute_empty), boxed (compiled once, here).
    pub fn execute_empty_boxed(self) -> crate::ResponseFuture<()> {
        Box::pin(self.execute_empty())
    }

    /// Lets the retry loop repeat this call whatever its verb: for POSTs
    /// that change nothing when repeated (an operation's `wait`, `cancel`).
    pub(crate) fn repeatable(&mut self) {
        self.repeatable = true;
    }

    /// The retry policy of this call: its own, or else the client's.
    pub(crate) fn policy(&self) -> &RetryPolicy {
        self.retry.as_ref().unwrap_or(&self.client.inner.retry)
    }

    /// The retry loop for one request of this call, `parts`, inside a call
    /// span of its own.
    pub(crate) fn retrying(&self, parts: &PreparedParts) -> Retrying<'_> {
        Retrying::new(
            self.spec.id,
            self.policy(),
            crate::trace::call_span(self.spec.id, parts),
        )
        .idempotent(self.repeatable || parts.method.is_idempotent())
        .credentials(self.client.inner.credentials.as_deref())
        .throttle(&self.client.inner.throttle)
    }

    /// Sends `parts` until a whole successful response arrives, retrying as
    /// the policy allows; a body cut off midway is an attempt that failed.
    /// Returns the body and the value of header `keep`, if asked for.
    pub(crate) async fn exchange(
        &self,
        parts: &PreparedParts,
        keep: Option<&HeaderName>,
    ) -> Result<(Option<HeaderValue>, Bytes), Error> {
        self.retrying(parts)
            .run(|| self.exchange_once(parts, keep))
            .await
    }

    async fn exchange_once(
        &self,
        parts: &PreparedParts,
        keep: Option<&HeaderName>,
    ) -> Result<(Option<HeaderValue>, Bytes), Error> {
        let response = self.attempt(parts, None).await?;
        let kept = keep.and_then(|name| response.headers().get(name).cloned());
        let limit = self.client.inner.limits.response_bytes;
        let body = crate::limits::read_body(self.spec.id, response, limit).await?;
        crate::trace::bytes(body.len() as u64);
        Ok((kept, body))
    }

    /// One attempt: credentials, send, status. `range` asks for the bytes
    /// from that offset on (a download resuming).
    pub(crate) async fn attempt(
        &self,
        parts: &PreparedParts,
        range: Option<u64>,
    ) -> Result<reqwest::Response, Error> {
        send_once(&self.client, self.spec.id, parts, range).await
    }
}

/// One attempt of any request through `client` (a call's, or a batch's):
/// credentials, send, status. `range` asks for the bytes from that offset on
/// (a download resuming); `id` names the method in errors.
pub(crate) async fn send_once(
    client: &Client,
    id: &'static str,
    parts: &PreparedParts,
    range: Option<u64>,
) -> Result<reqwest::Response, Error> {
    let inner = &client.inner;
    let mut builder = inner.http.request(parts.method.clone(), &parts.url);
    for (name, value) in &parts.headers {
        builder = builder.header(name, value);
    }
    if let Some(credentials) = &inner.credentials {
        let headers = credentials
            .headers()
            .await
            .map_err(|e| Error::new(id, Kind::Auth(e)))?;
        builder = builder.headers(headers);
    }
    if let Some(body) = &parts.body {
        builder = builder.body(body.clone());
    }
    if let Some(from) = range {
        builder = builder.header(http::header::RANGE, format!("bytes={from}-"));
    }
    let response = builder.send().await.map_err(|e| {
        let sent = !e.is_connect();
        Error::transport(id, e, sent)
    })?;
    tracing::Span::current().record("status", response.status().as_u16());
    check_status(id, response).await
}

/// Turns a non-success response into an [`Error`] with Google's error body.
pub(crate) async fn check_status(
    id: &'static str,
    response: reqwest::Response,
) -> Result<reqwest::Response, Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = crate::limits::read_prefix(response, crate::limits::ERROR_BODY_BYTES).await;
    Err(Error::new(
        id,
        Kind::Api {
            status: status.as_u16(),
            google: GoogleError::parse(&body),
            body,
            retry_after,
        },
    ))
}

/// Decodes a JSON body (unwrapping `{"data": …}` for `dataWrapper` APIs).
///
/// Every path reads text through serde_json's one `from_str` reader, so a
/// response type is compiled once, and the `dataWrapper` envelope is found
/// by one non-generic pass: neither costs anything per response type in a
/// generated crate.
pub(crate) fn decode<T: DeserializeOwned>(
    id: &'static str,
    body: Bytes,
    unwrap: bool,
) -> Result<T, Error> {
    let failed = |source, body, base| Error::new(id, Kind::Decode { source, body, base });
    if body.iter().all(u8::is_ascii_whitespace) {
        // 204s and empty 200s: an all-optional struct is `{}`, `()` is `null`.
        return crate::decode::from_json::<T>(b"{}")
            .or_else(|_| crate::decode::from_json::<T>(b"null"))
            .map_err(|source| failed(source, body, 0));
    }
    let (text, base) = if unwrap {
        data_of(&body)
    } else {
        crate::decode::text_of(&body).map(|text| (text, 0))
    }
    .map_err(|source| failed(source, body.clone(), 0))?;
    match serde_json::from_str::<T>(text) {
        Ok(value) => Ok(value),
        Err(source) => Err(failed(source, body, base)),
    }
}

/// [`Request::execute_struct`]'s future: the sending future, compiled once,
/// then a decode into `T::default()`. Hand-written rather than
/// `FutureExt::map` to keep what each response type compiles to a few lines.
struct DecodeStruct<T> {
    sending: Sending,
    into: std::marker::PhantomData<fn() -> T>,
}

/// A request on its way, and how to read its answer.
struct Sending {
    id: &'static str,
    unwrap: bool,
    sent: crate::ResponseFuture<Bytes>,
}

impl<T: DecodeFields + Default> std::future::Future for DecodeStruct<T> {
    type Output = Result<T, Error>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let Sending { id, unwrap, sent } = &mut self.sending;
        sent.as_mut().poll(cx).map(|sent| {
            let mut value = T::default();
            decode_fields(id, sent, *unwrap, &mut value).map(|()| value)
        })
    }
}

/// [`decode`] into a generated struct, without being generic: an empty body
/// leaves `into` as it is (an all-optional struct from `{}`).
fn decode_fields(
    id: &'static str,
    sent: Result<Bytes, Error>,
    unwrap: bool,
    into: &mut dyn DecodeFields,
) -> Result<(), Error> {
    let body = sent?;
    let failed = |source, body, base| Error::new(id, Kind::Decode { source, body, base });
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let (text, base) = if unwrap {
        data_of(&body)
    } else {
        crate::decode::text_of(&body).map(|text| (text, 0))
    }
    .map_err(|source| failed(source, body.clone(), 0))?;
    match crate::decode::from_str_into(text, into) {
        Ok(()) => Ok(()),
        Err(source) => Err(failed(source, body, base)),
    }
}

/// The text of a `dataWrapper` API's `data` member, and where it starts in
/// `body` (so an error inside it is located in the whole body).
fn data_of(body: &[u8]) -> serde_json::Result<(&str, usize)> {
    let text = crate::decode::text_of(body)?;
    let data = serde_json::from_str::<DataMember<'_>>(text)?.0.get();
    Ok((data, data.as_ptr() as usize - text.as_ptr() as usize))
}

/// The raw `data` member of a `dataWrapper` answer. A body without one is
/// an error raised inside the object, so it carries the position decode
/// errors are located by.
struct DataMember<'a>(&'a serde_json::value::RawValue);

impl<'de> serde::Deserialize<'de> for DataMember<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = DataMember<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object with a `data` member")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<DataMember<'de>, A::Error> {
                let mut data = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "data" {
                        data = Some(map.next_value()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                data.map(DataMember)
                    .ok_or_else(|| serde::de::Error::missing_field("data"))
            }
        }
        d.deserialize_map(Members)
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct PreparedParts {
    pub(crate) method: HttpMethod,
    pub(crate) url: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Bytes>,
}

impl PreparedParts {
    pub(crate) fn into_preview(self) -> PreparedRequest {
        PreparedRequest {
            method: self.method,
            url: self.url,
            headers: self
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: self.body,
        }
    }
}

/// `application/x-www-form-urlencoded` pairs appended to `out`.
fn form_urlencoded_pairs(out: &mut String) -> impl FnMut(&str, &str) + '_ {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const QUERY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    move |name, value| {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, QUERY));
        out.push('=');
        out.extend(utf8_percent_encode(value, QUERY));
    }
}
