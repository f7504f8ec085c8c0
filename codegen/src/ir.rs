//! The intermediate representation: an API with every name and Rust type
//! decided. [`crate::lower`] builds it; [`crate::emit`] only prints it.

use crate::names::RustName;

/// A whole API, ready to print.
#[derive(Debug, Clone)]
pub struct Api {
    /// `drive:v3`.
    pub id: String,
    /// `drive`.
    pub name: String,
    /// `v3`.
    pub version: String,
    /// Document revision.
    pub revision: String,
    /// Human title.
    pub title: String,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// Documentation link.
    pub documentation_link: Option<String>,
    /// Default root URL.
    pub root_url: String,
    /// Service path.
    pub service_path: String,
    /// `fullyEncodeReservedExpansion`.
    pub fully_encode_reserved_expansion: bool,
    /// `dataWrapper` feature.
    pub data_wrapper: bool,
    /// Regional endpoints (`endpoints`): location and root URL, in the
    /// document's order, deprecated ones left out.
    pub endpoints: Vec<(String, String)>,
    /// The batch endpoint, when the document has a `batchPath`.
    pub batch: Option<Batch>,
    /// Long-running operation types and how each is polled.
    pub pollings: Vec<Polling>,
    /// The service struct (`Drive`).
    pub service_type: RustName,
    /// OAuth scopes.
    pub scopes: Vec<Scope>,
    /// Named types (schemas and their nested types): the arena that
    /// [`TypeId`]s index. Print them sorted by name.
    pub types: Vec<TypeDef>,
    /// Top-level resources, each in its own module.
    pub resources: Vec<ResourceModule>,
    /// Methods directly on the API.
    pub methods: Vec<Method>,
    /// Parameter enums of those methods.
    pub root_enums: Vec<TypeDef>,
    /// Non-fatal problems met while lowering (e.g. dangling `$ref`).
    pub warnings: Vec<String>,
}

/// An API's batch endpoint.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Names it in errors and traces: `drive.batch`.
    pub id: String,
    /// `batchPath`, under the root URL.
    pub path: String,
    /// The most calls one batch request may carry.
    pub max_calls: usize,
}

/// A long-running operation schema and how to poll it.
#[derive(Debug, Clone)]
pub struct Polling {
    /// The `gapi_runtime::spec::Polling` static at the crate root.
    pub static_name: RustName,
    /// The operation schema's wire name.
    pub schema: String,
    /// Which of the two shapes it has.
    pub shape: OperationShape,
    /// The operations methods that act on it, most specific first.
    pub methods: Vec<OperationMethods>,
}

impl Polling {
    /// How an operation is found again, for counts and docs: `"name"`
    /// (`…/{+name}`, the whole name in one variable), `"name parts"` (the
    /// name split over several variables, App Engine's and Cloud Storage's
    /// `operations.get`) or `"selfLink"` (Compute-style).
    pub fn addressing(&self) -> &'static str {
        match self.shape {
            OperationShape::Compute => "selfLink",
            OperationShape::Aip => {
                let vars = self
                    .methods
                    .first()
                    .map_or(0, |m| m.get.path.matches('{').count());
                if vars > 1 {
                    "name parts"
                } else {
                    "name"
                }
            }
        }
    }
}

/// The two operation shapes of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationShape {
    /// AIP-151 (`name`, `done`, `error`, `response`): fetched by its name.
    Aip,
    /// Compute-style (`status: DONE`, `selfLink`): fetched by the `get`
    /// whose template matches its `selfLink`.
    Compute,
}

/// One operations resource's methods for an operation.
#[derive(Debug, Clone)]
pub struct OperationMethods {
    /// `operations.get`.
    pub get: OperationCall,
    /// `operations.wait`, when the resource has one.
    pub wait: Option<OperationCall>,
    /// `operations.cancel`, when the resource has one.
    pub cancel: Option<OperationCall>,
}

/// A method that acts on an operation, emitted as its own spec at the
/// crate root (so polling works whichever resource features are on).
#[derive(Debug, Clone)]
pub struct OperationCall {
    /// The static's name.
    pub spec_name: RustName,
    /// Method id.
    pub id: String,
    /// Verb.
    pub http_method: HttpMethod,
    /// Path template.
    pub path: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// `x-goog-api-version`.
    pub api_version: Option<String>,
}

/// An OAuth scope constant.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Constant name.
    pub name: RustName,
    /// Scope URL.
    pub url: String,
    /// Description.
    pub doc: String,
}

/// A named type's place in [`Api::types`]: `$ref`s resolve to one, so
/// lookups never go through names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A Rust type for a value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Type {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `u32`.
    U32,
    /// `i64`; `string_encoded` when it travels as a JSON string.
    I64 {
        /// JSON string on the wire.
        string_encoded: bool,
    },
    /// `u64`.
    U64 {
        /// JSON string on the wire.
        string_encoded: bool,
    },
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `serde_json::Value`.
    Any,
    /// `gapi_runtime::types::DateTime`.
    DateTime,
    /// `gapi_runtime::types::Duration`.
    Duration,
    /// `gapi_runtime::types::FieldMask`.
    FieldMask,
    /// `gapi_runtime::types::Bytes`.
    Bytes,
    /// A generated type in `crate::types`.
    Named {
        /// Where it is defined.
        id: TypeId,
        /// Its name (the same as `types[id].name`, kept here for printing).
        name: RustName,
    },
    /// A parameter enum generated in the resource module.
    LocalEnum(RustName),
    /// `Vec<T>`.
    Vec(Box<Type>),
    /// `BTreeMap<String, T>`.
    Map(Box<Type>),
    /// `Box<T>` (breaks recursion).
    Boxed(Box<Type>),
}

impl Type {
    /// Whether a 64-bit integer inside travels as a string, so the field
    /// is written with `gapi_runtime::encode::int64_field`.
    pub fn has_string_int(&self) -> bool {
        match self {
            Type::I64 { string_encoded } | Type::U64 { string_encoded } => *string_encoded,
            Type::Vec(inner) | Type::Map(inner) => inner.has_string_int(),
            _ => false,
        }
    }
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust name.
    pub name: RustName,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// Cargo features any of which enables it (empty: always).
    pub features: Vec<String>,
    /// The module under `types` it is printed in, when one feature alone
    /// uses it (re-exported, so its path stays `types::Name`); `None`:
    /// `types` itself.
    pub module: Option<RustName>,
    /// What it is.
    pub kind: TypeKind,
}

/// The shapes a named type takes.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct of optional fields.
    Struct(Vec<Field>),
    /// An open enum.
    Enum(Vec<Variant>),
    /// `pub type X = …;` for non-object top-level schemas.
    Alias(Type),
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust name.
    pub name: RustName,
    /// Its `with_*` setter (structs are `#[non_exhaustive]`; see
    /// [`crate::stability`]).
    pub setter: RustName,
    /// Name on the wire.
    pub wire: String,
    /// Type inside the `Option`.
    pub ty: Type,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// Deprecated in the document.
    pub deprecated: bool,
}

/// An enum variant.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust name.
    pub name: RustName,
    /// Wire value.
    pub value: String,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// Deprecated in the document.
    pub deprecated: bool,
}

/// A top-level resource and the module it is printed in.
#[derive(Debug, Clone)]
pub struct ResourceModule {
    /// Module name.
    pub module: RustName,
    /// Cargo feature that enables it (`None`: always compiled).
    pub feature: Option<String>,
    /// The parameter enums of every method in it, nested resources included.
    pub enums: Vec<TypeDef>,
    /// The resource.
    pub resource: Resource,
}

/// A resource (group of methods).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Wire name.
    pub wire: String,
    /// Accessor method name on the parent.
    pub accessor: RustName,
    /// Struct name.
    pub type_name: RustName,
    /// Nested resources.
    pub resources: Vec<Resource>,
    /// Methods.
    pub methods: Vec<Method>,
    /// Deprecated in the document.
    pub deprecated: bool,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Path template.
    Path,
    /// Query string.
    Query,
}

/// How a parameter's value is taken, decided once for both positional
/// arguments and setters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// `impl AsRef<str>`: plain strings, so `"text"`, a `String`, and a
    /// field of a response (`&file.id`, a `CompactString`) all work.
    Str,
    /// `impl Into<T>`: format newtypes (`DateTime` from a `SystemTime` or a
    /// parsed, checked text; `Bytes`; `Duration`) and parameter enums (from
    /// their wire text too).
    Into,
    /// `T` itself: numbers and booleans.
    Value,
}

/// A method parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust name (argument or setter).
    pub name: RustName,
    /// Type of one value.
    pub ty: Type,
    /// How one value is taken; a repeated parameter takes any iterator of
    /// such values.
    pub arg: ArgKind,
    /// Path or query.
    pub location: Location,
    /// Repeated.
    pub repeated: bool,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// Deprecated.
    pub deprecated: bool,
    /// For a path parameter whose `pattern` is one collection and an id
    /// (`^models/[^/]+$`): the collection (`models/`), which a bare id
    /// gets in front of it.
    pub collection: Option<String>,
}

/// How the response pages.
#[derive(Debug, Clone)]
pub struct Paging {
    /// The query parameter that asks for a page (`pageToken`).
    pub token_param: String,
    /// Field holding the next token (`next_page_token`).
    pub next_token_field: RustName,
    /// The list field and its item type, when the page has one.
    pub items: Option<(RustName, Type)>,
}

/// Media upload support.
#[derive(Debug, Clone)]
pub struct MediaUpload {
    /// Simple/multipart path.
    pub simple_path: Option<String>,
    /// Resumable path.
    pub resumable_path: Option<String>,
    /// Maximum size in bytes.
    pub max_size: Option<u64>,
    /// Accepted MIME ranges.
    pub accept: Vec<String>,
}

/// How a server-streaming method's answer is framed (see
/// `gapi_runtime::stream`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streaming {
    /// One JSON array written element by element (`alt=json`).
    JsonArray,
    /// Server-sent events (`alt=sse`).
    ServerSentEvents,
}

/// How a method downloads media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// It does not.
    None,
    /// `alt=media`.
    AltMedia,
    /// Through `download/`.
    Service,
}

/// An HTTP verb: `http::Method`, the same type the discovery model and the
/// runtime's specs use.
pub use gapi_discovery::HttpMethod;

/// A REST method.
#[derive(Debug, Clone)]
pub struct Method {
    /// Dotted id.
    pub id: String,
    /// Method name on the resource.
    pub fn_name: RustName,
    /// Call builder struct.
    pub call_type: RustName,
    /// Static spec name.
    pub spec_name: RustName,
    /// Google's description, plain (escaped for rustdoc only when emitted).
    pub doc: String,
    /// HTTP verb.
    pub http_method: HttpMethod,
    /// Path template.
    pub path: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// `x-goog-api-version`.
    pub api_version: Option<String>,
    /// Deprecated.
    pub deprecated: bool,
    /// Positional parameters (from `parameterOrder`).
    pub positional: Vec<Param>,
    /// Setters.
    pub optional: Vec<Param>,
    /// Body type and the argument name.
    pub request: Option<(RustName, Type)>,
    /// Response type (`None`: no useful body).
    pub response: Option<Type>,
    /// Paging, when the method pages.
    pub paging: Option<Paging>,
    /// Upload support.
    pub media_upload: Option<MediaUpload>,
    /// Download support.
    pub download: Download,
    /// The polling static of the operation this method starts, if it
    /// starts one.
    pub polling: Option<RustName>,
    /// For a server-streaming method, how its answer is framed; `response`
    /// is then the type of one element.
    pub streaming: Option<Streaming>,
}
