//! Static descriptions of an API and its methods, emitted by the generator.
//! They are plain data: the runtime decides what to do with them.

/// An HTTP verb: `http::Method` (reqwest's own), the one HTTP-method type
/// of gapi: the discovery model and the generator's IR use it too.
/// Generated specs name its constants (`HttpMethod::GET`).
pub use http::Method as HttpMethod;

/// An API as a whole.
#[derive(Debug)]
pub struct ServiceSpec {
    /// `name:version`, e.g. `drive:v3`.
    pub id: &'static str,
    /// Revision of the discovery document the code came from.
    pub revision: &'static str,
    /// Default root URL, e.g. `https://www.googleapis.com/`.
    pub root_url: &'static str,
    /// Path under the root URL, e.g. `drive/v3/`.
    pub service_path: &'static str,
    /// Whether `{+var}` must also percent-encode reserved characters (except `/`).
    pub fully_encode_reserved_expansion: bool,
    /// Whether bodies travel wrapped as `{"data": …}` (the `dataWrapper` feature).
    pub data_wrapper: bool,
    /// Regional endpoints the document lists, selectable with
    /// `ClientBuilder::location`.
    pub endpoints: &'static [Endpoint],
    /// The batch endpoint, for APIs whose document has a `batchPath`.
    pub batch: Option<BatchSpec>,
}

/// An API's batch endpoint: where [`crate::batch::Batch`] sends its
/// `multipart/mixed` requests.
#[derive(Debug, Clone, Copy)]
pub struct BatchSpec {
    /// Names the batch in errors and traces, e.g. `drive.batch`.
    pub id: &'static str,
    /// Path under the root URL (the document's `batchPath`), e.g. `batch/drive/v3`.
    pub path: &'static str,
    /// The most calls one batch request may carry: 1000 at Google, fewer
    /// for APIs that document a lower limit (100 for Drive and Gmail, 50
    /// for Calendar).
    pub max_calls: usize,
}

/// A regional endpoint of an API.
#[derive(Debug)]
pub struct Endpoint {
    /// Location, e.g. `europe-west1`.
    pub location: &'static str,
    /// Root URL there, e.g. `https://bigquery.europe-west1.rep.googleapis.com/`.
    pub root_url: &'static str,
}

/// How a method returns media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// No media download.
    None,
    /// `alt=media` on the method's own URL.
    AltMedia,
    /// `alt=media` under `download/` (the media download service).
    Service,
}

/// Media upload details.
#[derive(Debug)]
pub struct MediaSpec {
    /// Path for `uploadType=media|multipart`, absolute under the root URL.
    pub simple_path: Option<&'static str>,
    /// Path for `uploadType=resumable`.
    pub resumable_path: Option<&'static str>,
    /// Largest accepted upload, in bytes.
    pub max_size: Option<u64>,
    /// Accepted MIME ranges.
    pub accept: &'static [&'static str],
}

/// One REST method.
#[derive(Debug)]
pub struct MethodSpec {
    /// The API.
    pub service: &'static ServiceSpec,
    /// Dotted id, `drive.files.list`.
    pub id: &'static str,
    /// Verb.
    pub http_method: HttpMethod,
    /// URI template relative to the service path.
    pub path: &'static str,
    /// OAuth scopes, any one of which suffices.
    pub scopes: &'static [&'static str],
    /// `x-goog-api-version` value.
    pub api_version: Option<&'static str>,
    /// Upload support.
    pub media: Option<&'static MediaSpec>,
    /// Download support.
    pub download: Download,
    /// Whether a successful call returns a JSON body (the method has a
    /// `response` schema). Calls that do ask for JSON (`Accept:
    /// application/json`); the others accept anything, as Google's clients do.
    pub returns_json: bool,
}

/// How a long-running operation type of an API is polled, as the generator
/// found it in the document.
#[derive(Debug)]
pub struct Polling {
    /// Which of the catalog's two operation shapes it is.
    pub shape: OperationShape,
    /// The methods that act on the operation, most specific first; the
    /// runtime uses the first whose `get` path the operation's identity (its
    /// `name`, or its `selfLink`) maps onto.
    pub methods: &'static [OperationMethods],
}

/// The two operation shapes of Google's catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationShape {
    /// AIP-151 (`name`, `done`, `error`, `response`, `metadata`): fetched by
    /// its `name`, which fills the `get` path's variables (`v1/{+name}`,
    /// App Engine's `v1/apps/{appsId}/operations/{operationsId}`, Cloud
    /// Storage's `b/{bucket}/operations/{operationId}`, Drive's
    /// `operations/{name}`).
    Aip,
    /// Compute-style (`status: DONE`, `error.errors`, `selfLink`): fetched
    /// by the `get` whose path template matches the `selfLink` (zonal,
    /// regional, global…).
    Compute,
}

/// The methods of one operations resource that act on an operation.
#[derive(Debug)]
pub struct OperationMethods {
    /// Fetches it.
    pub get: &'static MethodSpec,
    /// Fetches it once it is done or a server-side deadline passes
    /// (`operations.wait`): polled through instead of `get` when present.
    pub wait: Option<&'static MethodSpec>,
    /// Asks the server to stop it (`operations.cancel`).
    pub cancel: Option<&'static MethodSpec>,
}
