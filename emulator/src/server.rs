//! The HTTP server and its routes.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::http_util::{google_error, pairs, Body};
use crate::oauth::OAuthState;

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Approve sign-ins without showing the consent page.
    pub auto_consent: bool,
    /// How many Drive files to seed.
    pub drive_files: usize,
    /// The API keys it accepts (Generative Language takes keys); any other
    /// key answers `400 API_KEY_INVALID`, as Google does. Empty: any
    /// non-empty key is accepted.
    pub api_keys: Vec<String>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            port: 0,
            auto_consent: false,
            drive_files: 250,
            api_keys: Vec::new(),
        }
    }
}

/// A failure to inject into the next API answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The next `count` API requests answer `status` (429, 503, …), with
    /// `Retry-After: retry_after` seconds when given.
    Status {
        /// HTTP status.
        status: u16,
        /// How many requests.
        count: usize,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Every access token issued so far stops working: API calls answer 401
    /// until the client refreshes.
    ExpireTokens,
    /// The next API answer is cut off halfway: the headers announce the whole
    /// body, then the connection closes.
    DropMidBody,
    /// The next streamed answer (`streamGenerateContent`) drops its
    /// connection after its first piece.
    CutStream,
    /// The next `count` calls inside batch requests answer `status` in
    /// their part (the batch itself answers 200), as when Google rate-limits
    /// some calls of a batch.
    BatchCalls {
        /// HTTP status of those parts.
        status: u16,
        /// How many calls.
        count: usize,
    },
    /// The next API request's connection closes before any answer (a reset
    /// before the response).
    ResetBeforeAnswer,
    /// The next API answer drips: one byte every 10 ms (a client without a
    /// deadline would wait minutes for a few KB). Its status and headers
    /// are the answer's own; only the pace changes.
    Drip,
    /// The next API answer due as JSON is `200` with an HTML page (a
    /// proxy's). Media downloads are skipped: an HTML page would pass for
    /// the media itself.
    WrongContentType,
    /// The next chunk sent to a resumable upload session is only half
    /// stored: the session's `308` says so (`Range`), and the client must
    /// send the rest again.
    ShortUploadChunk,
    /// The next API request answers `403 PERMISSION_DENIED` as Google does
    /// when the API is not enabled in the caller's project: an `ErrorInfo`
    /// with reason `SERVICE_DISABLED` and its `activationUrl`.
    ServiceDisabled,
    /// The next `count` API requests answer `429 RESOURCE_EXHAUSTED` as
    /// Google does when a quota is used up: an `ErrorInfo` with reason
    /// `RATE_LIMIT_EXCEEDED` naming the quota metric and limit.
    QuotaExceeded {
        /// How many requests.
        count: usize,
    },
}

struct State {
    options: EmulatorOptions,
    oauth: OAuthState,
    files: std::sync::Mutex<Vec<crate::drive::File>>,
    uploads: std::sync::Mutex<crate::drive::Uploads>,
    operations: std::sync::Mutex<crate::operations::Operations>,
    gemini_files: std::sync::Mutex<crate::gemini_files::Files>,
    gemini_caches: std::sync::Mutex<crate::gemini_cache::Caches>,
    faults: std::sync::Mutex<std::collections::VecDeque<Fault>>,
    /// Whether streamed answers wait after their first piece.
    streams_held: tokio::sync::watch::Sender<bool>,
    /// The latest API requests served, as `METHOD /path` (see `Emulator::served`).
    served: std::sync::Mutex<std::collections::VecDeque<String>>,
}

/// How many served requests the emulator remembers.
const SERVED_KEPT: usize = 1000;

/// A running emulator; it stops when dropped.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Emulator {
    /// Starts serving on 127.0.0.1.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: EmulatorOptions) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            files: std::sync::Mutex::new(crate::drive::seed(options.drive_files)),
            uploads: std::sync::Mutex::new(crate::drive::Uploads::default()),
            operations: std::sync::Mutex::new(crate::operations::Operations::default()),
            gemini_files: std::sync::Mutex::new(crate::gemini_files::Files::default()),
            gemini_caches: std::sync::Mutex::new(crate::gemini_cache::Caches::default()),
            options,
            oauth: OAuthState::default(),
            faults: std::sync::Mutex::new(std::collections::VecDeque::new()),
            served: std::sync::Mutex::new(std::collections::VecDeque::new()),
            streams_held: tokio::sync::watch::Sender::new(false),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                // Streamed answers are small writes with pauses between
                // them: send each at once rather than wait for an ACK.
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { serve_with_transport_faults(&state, req).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Emulator {
            addr,
            state: shared,
            task,
        })
    }

    /// `http://127.0.0.1:PORT/` — the root URL to give clients.
    pub fn root_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The authorization endpoint.
    pub fn auth_uri(&self) -> String {
        format!("http://{}/o/oauth2/auth", self.addr)
    }

    /// The token endpoint.
    pub fn token_uri(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// The Security Token Service endpoint (workload identity federation's
    /// `token_url`).
    pub fn sts_uri(&self) -> String {
        format!("http://{}/v1/token", self.addr)
    }

    /// `host:port` to give clients as `GCE_METADATA_HOST`: the emulator
    /// answers as a Compute Engine VM's metadata server (see
    /// [`identity`](crate::identity)).
    pub fn metadata_host(&self) -> String {
        self.addr.to_string()
    }

    /// The JWKS the emulator's ID tokens verify against (Google's is
    /// `https://www.googleapis.com/oauth2/v3/certs`).
    pub fn certs_url(&self) -> String {
        format!("http://{}/oauth2/v3/certs", self.addr)
    }

    /// IAM Credentials' `generateIdToken` for `service_account`.
    pub fn generate_id_token_url(&self, service_account: &str) -> String {
        format!(
            "http://{}/v1/projects/-/serviceAccounts/{service_account}:generateIdToken",
            self.addr
        )
    }

    /// STS's refresh endpoint for workforce pool users (the `token_url` of
    /// an `external_account_authorized_user` file).
    pub fn sts_oauthtoken_uri(&self) -> String {
        format!("http://{}/v1/oauthtoken", self.addr)
    }

    /// The EC2 instance metadata service's root (`…/latest`), for an AWS
    /// `credential_source`: `{root}/api/token`,
    /// `{root}/meta-data/placement/availability-zone`,
    /// `{root}/meta-data/iam/security-credentials`.
    pub fn aws_metadata_root(&self) -> String {
        format!("http://{}/latest", self.addr)
    }

    /// IAM Credentials' `generateAccessToken` for `service_account` (an
    /// impersonation URL, as ADC files name it). Accounts whose name starts
    /// with `denied` refuse every caller (`PERMISSION_DENIED`).
    pub fn impersonation_url(&self, service_account: &str) -> String {
        format!(
            "http://{}/v1/projects/-/serviceAccounts/{service_account}:generateAccessToken",
            self.addr
        )
    }

    /// Signs a user in for `scopes` without a consent page, as if they had
    /// clicked Allow: write [`SignedInUser::token_json`](crate::SignedInUser::token_json) where your code's
    /// `InstalledFlow::token_cache` looks (with
    /// [`SignedInUser::client_secrets_json`](crate::SignedInUser::client_secrets_json) as its client) and its
    /// `authenticate()` returns at once with working credentials.
    pub fn sign_in(&self, scopes: &[&str]) -> crate::SignedInUser {
        let (access_token, refresh_token) = self
            .state
            .oauth
            .sign_in(crate::signed_in::TEST_CLIENT_ID, &scopes.join(" "));
        crate::SignedInUser {
            client_id: crate::signed_in::TEST_CLIENT_ID.to_string(),
            client_secret: crate::signed_in::TEST_CLIENT_SECRET.to_string(),
            access_token,
            refresh_token,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            auth_uri: self.auth_uri(),
            token_uri: self.token_uri(),
        }
    }

    /// Injects a fault into the next API answers (OAuth endpoints are spared).
    pub fn inject(&self, fault: Fault) {
        if fault == Fault::ExpireTokens {
            self.state.oauth.expire_access_tokens();
            return;
        }
        self.state
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(fault);
    }

    /// The API requests served so far (the latest 1000), oldest first, as
    /// `GET /drive/v3/files`; the calls inside a batch request follow it,
    /// each as `batch: PATCH /drive/v3/files/ID`. OAuth endpoints are not
    /// listed.
    pub fn served(&self) -> Vec<String> {
        lock(&self.state.served).iter().cloned().collect()
    }

    /// Holds every streamed answer after its first piece until
    /// [`release_streams`](Self::release_streams): a test can then check
    /// that the first element arrived while the stream is still open.
    pub fn hold_streams(&self) {
        self.state.streams_held.send_replace(true);
    }

    /// Drops every fault not yet used.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Faults injected and not yet used.
    pub fn pending_faults(&self) -> usize {
        lock(&self.state.faults).len()
    }

    /// Lets held streams go on.
    pub fn release_streams(&self) {
        self.state.streams_held.send_replace(false);
    }

    /// Serves until the process ends.
    pub async fn run_forever(self) {
        std::future::pending::<()>().await;
        drop(self);
    }
}

/// The pause between the pieces of a streamed answer.
const STREAM_GAP: std::time::Duration = std::time::Duration::from_millis(15);

/// Pops the front fault if it is one `wanted` accepts.
fn take_front(state: &State, wanted: impl Fn(&Fault) -> bool) -> Option<Fault> {
    let mut faults = lock(&state.faults);
    if faults.front().is_some_and(&wanted) {
        faults.pop_front()
    } else {
        None
    }
}

/// [`serve`], with the faults of the connection itself: a reset before the
/// answer (an error here makes hyper close the connection), an answer that
/// drips, an HTML page where JSON was due.
async fn serve_with_transport_faults(
    state: &State,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<crate::streaming::AnyBody>, std::io::Error> {
    // An HTML page for media would pass for the media itself (no client
    // can tell without a checksum): it waits for a JSON answer.
    let media = req.uri().query().is_some_and(|q| q.contains("alt=media"))
        || req.uri().path().starts_with("/download/");
    let fault = if is_api(req.uri().path()) {
        take_front(state, |f| {
            matches!(f, Fault::ResetBeforeAnswer | Fault::Drip)
                || (*f == Fault::WrongContentType && !media)
        })
    } else {
        None
    };
    match fault {
        Some(Fault::ResetBeforeAnswer) => {
            note(
                state,
                format!("{} {} (reset)", req.method(), req.uri().path()),
            );
            Err(std::io::Error::other(
                "the gapi emulator reset this connection (Fault::ResetBeforeAnswer)",
            ))
        }
        Some(Fault::WrongContentType) => {
            note(
                state,
                format!("{} {} (html)", req.method(), req.uri().path()),
            );
            let mut response = Response::new(crate::http_util::Body::from(
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/html; charset=UTF-8"),
            );
            Ok(crate::streaming::whole(response))
        }
        Some(Fault::Drip) => {
            let response = serve(state, req).await;
            let (parts, body) = response.into_parts();
            // An answer that fails midway (`DropMidBody` queued behind this
            // fault) drips what it had, then fails the same way: never a
            // whole-looking empty answer.
            let (bytes, failed) = crate::streaming::read_until_failure(body).await;
            let pieces: Vec<_> = (0..bytes.len()).map(|i| bytes.slice(i..i + 1)).collect();
            let cut_after = failed.then_some(pieces.len());
            let dripping = crate::streaming::respond(
                "application/json; charset=UTF-8",
                pieces,
                std::time::Duration::from_millis(10),
                state.streams_held.subscribe(),
                cut_after,
            );
            // The answer's own status and headers (an upload session's
            // `Location`, a `Retry-After`): only its pace changes.
            Ok(Response::from_parts(parts, dripping.into_body()))
        }
        _ => Ok(serve(state, req).await),
    }
}

/// Every request: streamed answers here, the others through [`route`].
async fn serve(
    state: &State,
    req: Request<hyper::body::Incoming>,
) -> Response<crate::streaming::AnyBody> {
    let path = req.uri().path().to_string();
    let Some(model) = path
        .strip_prefix("/v1beta/models/")
        .and_then(|p| p.strip_suffix(":streamGenerateContent"))
        .filter(|_| req.method() == Method::POST)
        .map(str::to_string)
    else {
        return route(state, req).await;
    };
    let query = pairs(req.uri().query().unwrap_or(""));
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (api_key, authorization) = (header("x-goog-api-key"), header("authorization"));
    if let Some(refused) = admit(
        state,
        req.method(),
        &path,
        &query,
        authorization.as_deref(),
        api_key.as_deref(),
    ) {
        note(state, format!("POST {path}"));
        return crate::streaming::whole(refused);
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    note(state, format!("POST {path}"));
    if let Some(response) = take_fault(state, &path) {
        return crate::streaming::whole(response);
    }
    let chunks = match crate::gemini::stream_generate_content(
        &model,
        &body,
        &query,
        api_key.as_deref(),
        state.oauth.valid_bearer(authorization.as_deref()),
        (&lock(&state.gemini_files), &lock(&state.gemini_caches)),
    ) {
        Ok(chunks) => chunks,
        Err(response) => return crate::streaming::whole(*response),
    };
    let cut = {
        let mut faults = lock(&state.faults);
        let at = faults.iter().position(|f| *f == Fault::CutStream);
        at.and_then(|at| faults.remove(at)).is_some()
    };
    let sse = crate::http_util::get(&query, "alt") == Some("sse");
    let last = chunks.len().saturating_sub(1);
    // Google's framing: events `data: {…}` and a blank line; or one array
    // written as `[{…}`, `,\r\n{…}`, …, `]`.
    let pieces = chunks
        .iter()
        .enumerate()
        .map(|(n, chunk)| {
            bytes::Bytes::from(if sse {
                format!("data: {chunk}\r\n\r\n")
            } else {
                let open = if n == 0 { "[" } else { ",\r\n" };
                let close = if n == last { "]" } else { "" };
                format!("{open}{chunk}{close}")
            })
        })
        .collect();
    crate::streaming::respond(
        if sse {
            "text/event-stream"
        } else {
            "application/json; charset=UTF-8"
        },
        pieces,
        STREAM_GAP,
        state.streams_held.subscribe(),
        cut.then_some(1),
    )
}

async fn route(
    state: &State,
    req: Request<hyper::body::Incoming>,
) -> Response<crate::streaming::AnyBody> {
    let is_api = is_api(req.uri().path());
    let response = answer(state, req).await;
    let drop_now = is_api && {
        let mut faults = lock(&state.faults);
        let front = faults.front() == Some(&Fault::DropMidBody);
        if front {
            faults.pop_front();
        }
        front
    };
    if !drop_now {
        return crate::streaming::whole(response);
    }
    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    // Announce every byte, send half, then fail the body: hyper closes the
    // connection there (a streamed body has no exact size, so hyper takes
    // the length from the header).
    if let Ok(v) = http::HeaderValue::from_str(&bytes.len().to_string()) {
        parts.headers.insert(http::header::CONTENT_LENGTH, v);
    }
    let half = crate::streaming::respond(
        "application/json; charset=UTF-8",
        vec![bytes.slice(..bytes.len() / 2)],
        std::time::Duration::ZERO,
        state.streams_held.subscribe(),
        Some(1),
    );
    Response::from_parts(parts, half.into_body())
}

/// An API request, read whole: what a route needs, whether it came alone or
/// as a part of a batch.
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: bytes::Bytes,
}

impl Call {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn answer(state: &State, req: Request<hyper::body::Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let call = Call {
        path: parts.uri.path().to_string(),
        query: pairs(parts.uri.query().unwrap_or("")),
        method: parts.method,
        headers: parts.headers,
        body: match body.collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => bytes::Bytes::new(),
        },
    };
    if let Some(answer) = crate::identity::metadata(
        &state.oauth,
        &call.path,
        &call.query,
        call.header("metadata-flavor"),
    ) {
        return answer;
    }
    if let Some(imds) = crate::aws::metadata(
        &call.method,
        &call.path,
        call.header("x-aws-ec2-metadata-token"),
        call.header("x-aws-ec2-metadata-token-ttl-seconds"),
    ) {
        return imds;
    }
    if is_api(&call.path) {
        note(state, format!("{} {}", call.method, call.path));
        if let Some(response) = take_fault(state, &call.path) {
            return response;
        }
    }
    if call.method == Method::POST && call.path == "/batch/drive/v3" {
        return crate::batch::answer(&call, crate::batch::DRIVE_LIMIT, |part| {
            note(state, format!("batch: {} {}", part.method, part.path));
            if !part.path.starts_with("/drive/v3/") {
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "badRequest",
                    "A Drive batch holds Drive v3 calls only.",
                );
            }
            take_batch_fault(state).unwrap_or_else(|| dispatch(state, part))
        })
        .await;
    }
    dispatch(state, &call)
}

/// What an API request carries that the emulated methods look at.
#[derive(Clone, Copy)]
struct Req<'a> {
    state: &'a State,
    method: &'a Method,
    path: &'a str,
    query: &'a Vec<(String, String)>,
    body: &'a bytes::Bytes,
    host: &'a str,
    authorization: Option<&'a str>,
    api_key: Option<&'a str>,
    range: Option<&'a str>,
    content_type: Option<&'a str>,
    content_range: Option<&'a str>,
    /// Whether the bearer token is one the emulator issued.
    bearer_ok: bool,
}

/// Answers one API request (alone, or a part of a batch).
fn dispatch(state: &State, call: &Call) -> Response<Body> {
    let (method, path, query) = (&call.method, &call.path, &call.query);
    let authorization = call.header("authorization");
    let api_key = call.header("x-goog-api-key");
    if is_api(path) {
        if let Some(refused) = admit(state, method, path, query, authorization, api_key) {
            return refused;
        }
    }
    // Past `admit`, an API request is an emulated method with a caller
    // allowed to call it (a resumable session's URI authorizes its own
    // chunks), so the handlers check no credentials of their own.
    let r = Req {
        state,
        method,
        path,
        query,
        body: &call.body,
        host: call.header("host").unwrap_or("127.0.0.1"),
        authorization,
        api_key,
        range: call.header("range"),
        content_type: call.header("content-type"),
        content_range: call.header("content-range"),
        bearer_ok: state.oauth.valid_bearer(authorization),
    };
    oauth(r)
        .or_else(|| drive(r))
        .or_else(|| bigquery(r))
        .or_else(|| gemini(r))
        .or_else(|| compute(r))
        .or_else(|| app_engine(r))
        // `admit` let it through, but no handler serves it: a gap between
        // the table of emulated methods and the handlers.
        .unwrap_or_else(|| crate::access::not_emulated(method, path))
}

/// Sign-in: OAuth 2.0, STS, IAM Credentials, tokeninfo and userinfo.
fn oauth(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        state,
        method,
        query,
        body,
        host,
        authorization,
        ..
    } = r;
    Some(match (method, r.path) {
        (&Method::GET, "/o/oauth2/auth") => {
            state.oauth.authorize(query, state.options.auto_consent)
        }
        (&Method::POST, "/token") => state
            .oauth
            .token(&pairs(&String::from_utf8_lossy(body)), authorization),
        // STS's refresh endpoint for workforce users
        // (`external_account_authorized_user`): the client authenticates
        // with Basic authentication.
        (&Method::POST, "/v1/oauthtoken") => {
            if !authorization.is_some_and(|a| a.starts_with("Basic ")) {
                return Some(crate::http_util::oauth_error(
                    401,
                    "invalid_client",
                    "The client must authenticate with HTTP Basic authentication.",
                ));
            }
            state
                .oauth
                .token(&pairs(&String::from_utf8_lossy(body)), authorization)
        }
        (&Method::POST, "/v1/token") => {
            crate::federation::sts_token(&state.oauth, &pairs(&String::from_utf8_lossy(body)))
        }
        (&Method::POST, p)
            if p.starts_with("/v1/projects/-/serviceAccounts/")
                && p.ends_with(":generateAccessToken") =>
        {
            let email = p
                .trim_start_matches("/v1/projects/-/serviceAccounts/")
                .trim_end_matches(":generateAccessToken");
            crate::federation::generate_access_token(&state.oauth, email, authorization, body)
        }
        (&Method::POST, p)
            if p.starts_with("/v1/projects/-/serviceAccounts/")
                && p.ends_with(":generateIdToken") =>
        {
            let email = p
                .trim_start_matches("/v1/projects/-/serviceAccounts/")
                .trim_end_matches(":generateIdToken");
            crate::identity::generate_id_token(&state.oauth, email, authorization, body)
        }
        (&Method::GET, "/oauth2/v3/certs") => crate::identity::certs(),
        (&Method::POST, "/revoke") => {
            let form = pairs(&String::from_utf8_lossy(body));
            let token = crate::http_util::get(&form, "token")
                .or(crate::http_util::get(query, "token"))
                .unwrap_or("");
            state.oauth.revoke(token);
            crate::http_util::json(200, &serde_json::json!({}))
        }
        (&Method::POST, "/device/code") => state.oauth.device_code(
            &pairs(&String::from_utf8_lossy(body)),
            &format!("http://{host}/"),
        ),
        (&Method::GET, "/device") => state.oauth.device_page(query),
        (&Method::GET | &Method::POST, "/oauth2/v2/tokeninfo") => state.oauth.tokeninfo(query),
        (&Method::GET, "/oauth2/v2/userinfo") => state.oauth.userinfo(authorization),
        _ => return None,
    })
}

/// Drive v3: files (media included) and about.
fn drive(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        state,
        method,
        query,
        body,
        host,
        range,
        content_type,
        content_range,
        ..
    } = r;
    Some(match (method, r.path) {
        (&Method::GET, "/drive/v3/files") => crate::drive::list(&lock(&state.files), query),
        (&Method::DELETE, p) if p.starts_with("/drive/v3/files/") => {
            crate::drive::delete(&mut lock(&state.files), &p["/drive/v3/files/".len()..])
        }
        (&Method::PATCH, p) if p.starts_with("/drive/v3/files/") => crate::drive::update(
            &mut lock(&state.files),
            &p["/drive/v3/files/".len()..],
            query,
            body,
        ),
        (&Method::GET, p) if p.starts_with("/drive/v3/files/") => crate::drive::get_file(
            &lock(&state.files),
            &p["/drive/v3/files/".len()..],
            query,
            range,
        ),
        // Drive's media download service (`useMediaDownloadService`).
        (&Method::GET, p) if p.starts_with("/download/drive/v3/files/") => crate::drive::get_file(
            &lock(&state.files),
            &p["/download/drive/v3/files/".len()..],
            query,
            range,
        ),
        // Drive declares `/resumable/upload/...` for resumable sessions; Google serves both.
        (
            &Method::POST | &Method::PUT,
            "/upload/drive/v3/files" | "/resumable/upload/drive/v3/files",
        ) => {
            // Like `CutStream`, it waits in the queue for a request it fits.
            let short = method == Method::PUT && {
                let mut faults = lock(&state.faults);
                let at = faults.iter().position(|f| *f == Fault::ShortUploadChunk);
                at.and_then(|at| faults.remove(at)).is_some()
            };
            crate::drive::upload(
                &mut lock(&state.files),
                &mut lock(&state.uploads),
                method,
                &format!("http://{host}/"),
                query,
                content_type,
                content_range,
                if short { &body[..body.len() / 2] } else { body },
            )
        }
        (&Method::POST, "/drive/v3/files") => crate::drive::create(&mut lock(&state.files), body),
        (&Method::GET, "/drive/v3/about") => crate::drive::about(
            &lock(&state.files),
            state.oauth.principal_email(r.authorization),
        ),
        _ => return None,
    })
}

/// BigQuery v2: queries, their results, datasets.
fn bigquery(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        method,
        query,
        body,
        ..
    } = r;
    Some(match (method, r.path) {
        (&Method::POST, p)
            if p.starts_with("/bigquery/v2/projects/") && p.ends_with("/queries") =>
        {
            let project = &p["/bigquery/v2/projects/".len()..p.len() - "/queries".len()];
            crate::bigquery::query(project, body)
        }
        (&Method::GET, p) if p.starts_with("/bigquery/v2/projects/") && p.contains("/queries/") => {
            let rest = &p["/bigquery/v2/projects/".len()..];
            let (project, job) = rest.split_once("/queries/").unwrap_or((rest, ""));
            crate::bigquery::results(project, job, query)
        }
        (&Method::GET, p)
            if p.starts_with("/bigquery/v2/projects/") && p.ends_with("/datasets") =>
        {
            crate::bigquery::datasets(
                &p["/bigquery/v2/projects/".len()..p.len() - "/datasets".len()],
            )
        }
        _ => return None,
    })
}

/// Generative Language v1beta: models, files, tuned models and their operations.
fn gemini(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        state,
        method,
        query,
        body,
        host,
        api_key,
        content_type,
        content_range,
        bearer_ok,
        ..
    } = r;
    Some(match (method, r.path) {
        (&Method::POST, p)
            if p.starts_with("/v1beta/models/")
                && (p.ends_with(":countTokens")
                    || p.ends_with(":embedContent")
                    || p.ends_with(":batchEmbedContents")) =>
        {
            let (id, action) = p["/v1beta/models/".len()..]
                .split_once(':')
                .unwrap_or_default();
            crate::gemini::model_action(id, action, body, query, api_key, bearer_ok)
        }
        (&Method::POST, p)
            if p.starts_with("/v1beta/models/") && p.ends_with(":generateContent") =>
        {
            let id = &p["/v1beta/models/".len()..p.len() - ":generateContent".len()];
            crate::gemini::generate_content(
                id,
                body,
                query,
                api_key,
                bearer_ok,
                (&lock(&state.gemini_files), &lock(&state.gemini_caches)),
            )
        }
        (
            &Method::POST | &Method::PUT,
            "/upload/v1beta/files" | "/resumable/upload/v1beta/files",
        ) => lock(&state.gemini_files).upload(
            &format!("http://{host}/"),
            query,
            content_type,
            content_range,
            body,
        ),
        (&Method::GET, "/v1beta/files") => lock(&state.gemini_files).list(query),
        (&Method::POST, "/v1beta/cachedContents") => lock(&state.gemini_caches).create(body),
        (&Method::GET, "/v1beta/cachedContents") => lock(&state.gemini_caches).list(query),
        (&Method::GET, p) if p.starts_with("/v1beta/cachedContents/") => {
            lock(&state.gemini_caches).get(&p["/v1beta/".len()..])
        }
        (&Method::DELETE, p) if p.starts_with("/v1beta/cachedContents/") => {
            lock(&state.gemini_caches).delete(&p["/v1beta/".len()..])
        }
        (&Method::GET, p) if p.starts_with("/v1beta/files/") => {
            lock(&state.gemini_files).get(&p["/v1beta/".len()..])
        }
        (&Method::DELETE, p) if p.starts_with("/v1beta/files/") => {
            lock(&state.gemini_files).delete(&p["/v1beta/".len()..])
        }
        (&Method::POST, "/v1beta/tunedModels") => {
            lock(&state.operations).create_tuned_model(body, query)
        }
        (&Method::GET, p)
            if p.starts_with("/v1beta/tunedModels/") && p.contains("/operations/") =>
        {
            lock(&state.operations).fetch(p)
        }
        (&Method::GET, "/v1beta/models") => crate::gemini::list(query, api_key, bearer_ok),
        (&Method::GET, p) if p.starts_with("/v1beta/models/") => {
            crate::gemini::get(&p["/v1beta/models/".len()..], query, api_key, bearer_ok)
        }
        _ => return None,
    })
}

/// Compute Engine v1: inserts and their operations.
fn compute(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        state,
        method,
        body,
        host,
        ..
    } = r;
    Some(match (method, r.path) {
        (&Method::POST, p)
            if p.starts_with("/compute/v1/projects/") && p.contains("/operations/") =>
        {
            let operation = p.strip_suffix("/wait").unwrap_or(p);
            lock(&state.operations).wait(operation)
        }
        (&Method::POST, p) if p.starts_with("/compute/v1/projects/") => {
            let rest = &p["/compute/v1/projects/".len()..];
            let (project, rest) = rest.split_once('/').unwrap_or((rest, ""));
            let segments: Vec<&str> = rest.split('/').collect();
            let root = format!("http://{host}/");
            let mut operations = lock(&state.operations);
            match segments.as_slice() {
                ["zones", zone, "instances"] => operations.compute_insert(
                    &root,
                    project,
                    &format!("zones/{zone}"),
                    "instances",
                    body,
                ),
                ["global", "firewalls"] => {
                    operations.compute_insert(&root, project, "global", "firewalls", body)
                }
                _ => google_error(
                    404,
                    "NOT_FOUND",
                    "notFound",
                    &format!("POST {p} is not emulated"),
                ),
            }
        }
        (&Method::GET, p)
            if p.starts_with("/compute/v1/projects/") && p.contains("/operations/") =>
        {
            lock(&state.operations).fetch(p)
        }
        _ => return None,
    })
}

/// App Engine Admin v1: creating a version, and its operations.
fn app_engine(r: Req<'_>) -> Option<Response<Body>> {
    let Req {
        state,
        method,
        body,
        ..
    } = r;
    let rest = r.path.strip_prefix("/v1/apps/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    Some(match (method, segments.as_slice()) {
        (&Method::POST, [app, "services", service, "versions"]) => {
            lock(&state.operations).create_app_engine_version(app, service, body)
        }
        (&Method::GET, [_, "operations", _]) => lock(&state.operations).fetch(r.path),
        _ => return None,
    })
}

/// Lets an API request through when the emulator serves its method and its
/// caller may call it (see [`crate::access`]): `None`; else Google's answer.
fn admit(
    state: &State,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    authorization: Option<&str>,
    api_key: Option<&str>,
) -> Option<Response<Body>> {
    let Some(emulated) = crate::access::find(method, path) else {
        return Some(crate::access::not_emulated(method, path));
    };
    // A resumable session's URI authorizes its own chunks, as at Google.
    if method != Method::POST && crate::http_util::get(query, "upload_id").is_some() {
        return None;
    }
    let presented = crate::access::Presented {
        bearer: authorization.and_then(|h| h.strip_prefix("Bearer ")),
        token_scopes: state.oauth.bearer_scopes(authorization),
        api_key: api_key.or_else(|| crate::http_util::get(query, "key")),
    };
    crate::access::check(emulated, &presented, &state.options.api_keys)
}

/// Remembers a served request.
fn note(state: &State, line: String) {
    let mut served = lock(&state.served);
    if served.len() == SERVED_KEPT {
        served.pop_front();
    }
    served.push_back(line);
}

/// The next injected fault for a call inside a batch, if any.
fn take_batch_fault(state: &State) -> Option<Response<Body>> {
    let mut faults = lock(&state.faults);
    let position = faults
        .iter()
        .position(|f| matches!(f, Fault::BatchCalls { .. }))?;
    let Some(Fault::BatchCalls { status, count }) = faults.get_mut(position) else {
        return None;
    };
    let status = *status;
    *count = count.saturating_sub(1);
    if *count == 0 {
        faults.remove(position);
    }
    Some(status_answer(status, None))
}

/// A Google error answer for an injected `status`.
fn status_answer(status: u16, retry_after: Option<u64>) -> Response<Body> {
    let (canonical, reason) = match status {
        429 => ("RESOURCE_EXHAUSTED", "rateLimitExceeded"),
        503 => ("UNAVAILABLE", "backendError"),
        _ => ("INTERNAL", "backendError"),
    };
    let mut response = google_error(status, canonical, reason, "Injected by the gapi emulator.");
    if let Some(seconds) = retry_after {
        if let Ok(v) = http::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
    }
    response
}

/// The next injected status fault, if any, for a request to `path`.
fn take_fault(state: &State, path: &str) -> Option<Response<Body>> {
    let mut faults = state.faults.lock().unwrap_or_else(|e| e.into_inner());
    let (answer, count) = match faults.front_mut()? {
        Fault::Status {
            status,
            count,
            retry_after,
        } => (status_answer(*status, *retry_after), count),
        Fault::QuotaExceeded { count } => (crate::http_util::quota_exceeded(path), count),
        Fault::ServiceDisabled => {
            faults.pop_front();
            return Some(crate::http_util::service_disabled(path));
        }
        _ => return None,
    };
    *count = count.saturating_sub(1);
    if *count == 0 {
        faults.pop_front();
    }
    Some(answer)
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// API paths (where faults apply), as opposed to OAuth endpoints.
fn is_api(path: &str) -> bool {
    [
        "/drive/",
        "/download/",
        "/upload/",
        "/resumable/",
        "/bigquery/",
        "/batch/",
        "/compute/",
        "/v1/apps/",
        "/v1beta/",
        "/oauth2/v2/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}
