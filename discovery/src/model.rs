//! The serde model of a discovery REST description.
//!
//! Field names follow the wire format (camelCase via serde renames) and every
//! field the catalog uses is represented, so that parse → serialize is lossless.
//! Optional fields stay `Option` even when empty (`"parameters": {}` and a
//! missing `parameters` are different documents), and maps are `BTreeMap`
//! so iteration — and therefore generated code — is deterministic.
//!
//! Closed sets (HTTP method, parameter location, schema type) are enums: a
//! value outside them is a parse error that names its JSON path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A map keyed by wire name, iterated in sorted order.
pub type Map<T> = BTreeMap<String, T>;

/// A whole discovery document (`discovery#restDescription`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestDescription {
    /// Always `discovery#restDescription`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Version of the discovery format, `v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_version: Option<String>,
    /// `name:version`, e.g. `drive:v3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// API name, e.g. `drive`.
    pub name: String,
    /// API version, e.g. `v3`.
    pub version: String,
    /// Revision date of the document, `YYYYMMDD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Human title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description of the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owner's domain (`google.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_domain: Option<String>,
    /// Owner's name (`Google`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Package path used by some client generators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_path: Option<String>,
    /// Canonical name (`Drive`), used for class names by other generators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_name: Option<String>,
    /// Link to the human documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_link: Option<String>,
    /// Icon links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icons: Option<Icons>,
    /// Labels such as `labs` or `limited_availability`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Always `rest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Root URL, e.g. `https://www.googleapis.com/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_url: Option<String>,
    /// Path under the root URL, e.g. `drive/v3/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_path: Option<String>,
    /// Deprecated: `/drive/v3/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    /// Deprecated: root URL + service path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Path of the batch endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_path: Option<String>,
    /// Root URL for mutual-TLS clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtls_root_url: Option<String>,
    /// Whether the version is a module name (Python client detail).
    #[serde(rename = "version_module", skip_serializing_if = "Option::is_none")]
    pub version_module: Option<bool>,
    /// Service version for some APIs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_version: Option<String>,
    /// Entity tag of the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Features such as `dataWrapper` (bodies wrapped as `{"data": …}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// Whether `{+var}` expansions must percent-encode reserved characters too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fully_encode_reserved_expansion: Option<bool>,
    /// Parameters accepted by every method (`fields`, `key`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<Schema>>,
    /// Authentication (OAuth 2.0 scopes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Named schemas, referenced by `$ref`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schemas: Option<Map<Schema>>,
    /// Top-level resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Map<Resource>>,
    /// Methods directly on the API (oauth2 v2 `tokeninfo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Map<Method>>,
    /// Regional endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<Endpoint>>,
}

/// Icon links of a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Icons {
    /// 16×16 icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x16: Option<String>,
    /// 32×32 icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x32: Option<String>,
}

/// The `auth` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Auth {
    /// OAuth 2.0 description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2>,
}

/// OAuth 2.0 scopes of an API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OAuth2 {
    /// Scope URL → description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Map<ScopeInfo>>,
}

/// What one scope grants.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScopeInfo {
    /// Human description of the scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A regional endpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The endpoint's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// Region, e.g. `europe-west1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the endpoint is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
}

/// The JSON type of a schema (a closed set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaType {
    /// `object`.
    Object,
    /// `array`.
    Array,
    /// `string` (also int64, bytes, timestamps; see `format`).
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `any`: arbitrary JSON.
    Any,
    /// `null`.
    Null,
}

/// Where a parameter travels (a closed set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    /// In the URL path template.
    Path,
    /// In the query string.
    Query,
}

/// HTTP method of a REST method: `http::Method`, the one HTTP-method type
/// of gapi (the IR and the runtime's specs use it too). Documents may only
/// name GET, POST, PUT, PATCH, DELETE or HEAD.
pub use http::Method as HttpMethod;

/// (De)serializes an [`HttpMethod`] as its name, refusing any verb but the
/// six a discovery document may use.
mod http_method {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::HttpMethod;

    /// The verbs discovery documents use.
    const KNOWN: [HttpMethod; 6] = [
        HttpMethod::GET,
        HttpMethod::POST,
        HttpMethod::PUT,
        HttpMethod::PATCH,
        HttpMethod::DELETE,
        HttpMethod::HEAD,
    ];

    pub(super) fn serialize<S: Serializer>(m: &HttpMethod, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(m.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<HttpMethod, D::Error> {
        let name = String::deserialize(d)?;
        KNOWN
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::unknown_variant(
                    &name,
                    &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                )
            })
    }
}

/// A JSON schema as discovery documents use it: for named schemas, their
/// properties, array items and map values, and for parameters (which add
/// `location`, `required` and `repeated`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    /// Schema id (top-level schemas only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// JSON type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<SchemaType>,
    /// Reference to a named schema.
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Refinement of the type: `int64`, `byte`, `google-datetime`, … (an open set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Object properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<Schema>>,
    /// Map values (the object is a map from string to this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<Box<Schema>>,
    /// Array items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Schema>>,
    /// Allowed values.
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<String>>,
    /// Description per allowed value, in the same order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enum_descriptions: Option<Vec<String>>,
    /// Deprecation per allowed value, in the same order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enum_deprecated: Option<Vec<bool>>,
    /// Default value, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Regular expression the value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Minimum value, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<String>,
    /// Maximum value, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<String>,
    /// Whether the parameter is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Whether the parameter may repeat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeated: Option<bool>,
    /// Where a parameter travels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ParameterLocation>,
    /// Whether the server ignores this field on input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Whether the field or parameter is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
    /// Annotations (which methods require the field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
}

/// Schema annotations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Annotations {
    /// Method ids for which the field is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
}

/// A resource: methods and nested resources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Resource {
    /// Methods of this resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Map<Method>>,
    /// Nested resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Map<Resource>>,
    /// Whether the resource is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
}

/// One REST method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Method {
    /// Dotted id, e.g. `drive.files.list`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// URI template relative to the service path.
    pub path: String,
    /// The same path with `{+var}` expansions flattened (v1 style).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_path: Option<String>,
    /// HTTP verb.
    #[serde(with = "http_method")]
    pub http_method: HttpMethod,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Parameters by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<Schema>>,
    /// Order of the required parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_order: Option<Vec<String>>,
    /// Request body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Body>,
    /// Response body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Body>,
    /// OAuth scopes, any of which is enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Whether the method accepts media uploads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_media_upload: Option<bool>,
    /// Media upload details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_upload: Option<MediaUpload>,
    /// Whether the method can answer with media (`alt=media`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_media_download: Option<bool>,
    /// Whether downloads go through `/download/` (the media download service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_media_download_service: Option<bool>,
    /// Whether the method supports subscriptions (`watch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_subscription: Option<bool>,
    /// Value for the `x-goog-api-version` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Whether the method is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
    /// Whether an etag is required (older documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag_required: Option<bool>,
}

/// A request or response body: a `$ref` or an inline map type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// Reference to a named schema.
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Inline type (`object`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<SchemaType>,
    /// Inline map values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<Box<Schema>>,
    /// Name of the body parameter (legacy: `resource`, `postBody`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_name: Option<String>,
}

/// Media upload details of a method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaUpload {
    /// Accepted MIME ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
    /// Maximum size such as `5120GB`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<String>,
    /// Upload protocols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocols: Option<MediaProtocols>,
}

/// The upload protocols a method offers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MediaProtocols {
    /// Single request upload (media or multipart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simple: Option<MediaProtocol>,
    /// Resumable upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumable: Option<MediaProtocol>,
}

/// One upload protocol.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MediaProtocol {
    /// Whether metadata may travel with the media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multipart: Option<bool>,
    /// Upload path (absolute, under the root URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl RestDescription {
    /// Global parameters (empty when the document has none).
    pub fn parameters(&self) -> &Map<Schema> {
        self.parameters.as_ref().unwrap_or(empty())
    }

    /// Named schemas (empty when the document has none).
    pub fn schemas(&self) -> &Map<Schema> {
        self.schemas.as_ref().unwrap_or(empty())
    }

    /// Top-level resources (empty when the document has none).
    pub fn resources(&self) -> &Map<Resource> {
        self.resources.as_ref().unwrap_or(empty())
    }

    /// Top-level methods (empty when the document has none).
    pub fn methods(&self) -> &Map<Method> {
        self.methods.as_ref().unwrap_or(empty())
    }

    /// OAuth 2.0 scopes declared by the document.
    pub fn scopes(&self) -> &Map<ScopeInfo> {
        self.auth
            .as_ref()
            .and_then(|a| a.oauth2.as_ref())
            .and_then(|o| o.scopes.as_ref())
            .unwrap_or(empty())
    }

    /// `name.version`, the file stem the cache uses.
    pub fn file_stem(&self) -> String {
        format!("{}.{}", self.name, self.version)
    }

    /// Every method of the document, with the resource path leading to it
    /// (empty for top-level methods), depth first in sorted order.
    pub fn all_methods(&self) -> Vec<(Vec<&str>, &str, &Method)> {
        let mut out = Vec::new();
        for (name, m) in self.methods() {
            out.push((Vec::new(), name.as_str(), m));
        }
        for (name, r) in self.resources() {
            r.collect_methods(&mut vec![name.as_str()], &mut out);
        }
        out
    }
}

impl Resource {
    /// Methods of this resource (empty when it has none).
    pub fn methods(&self) -> &Map<Method> {
        self.methods.as_ref().unwrap_or(empty())
    }

    /// Nested resources (empty when it has none).
    pub fn resources(&self) -> &Map<Resource> {
        self.resources.as_ref().unwrap_or(empty())
    }

    fn collect_methods<'a>(
        &'a self,
        path: &mut Vec<&'a str>,
        out: &mut Vec<(Vec<&'a str>, &'a str, &'a Method)>,
    ) {
        for (name, m) in self.methods() {
            out.push((path.clone(), name.as_str(), m));
        }
        for (name, r) in self.resources() {
            path.push(name.as_str());
            r.collect_methods(path, out);
            path.pop();
        }
    }
}

impl Method {
    /// Parameters (empty when the method has none).
    pub fn parameters(&self) -> &Map<Schema> {
        self.parameters.as_ref().unwrap_or(empty())
    }

    /// Ordered required parameters (empty when absent).
    pub fn parameter_order(&self) -> &[String] {
        self.parameter_order.as_deref().unwrap_or(&[])
    }

    /// Scopes (empty when absent).
    pub fn scopes(&self) -> &[String] {
        self.scopes.as_deref().unwrap_or(&[])
    }
}

impl Schema {
    /// Properties (empty when absent).
    pub fn properties(&self) -> &Map<Schema> {
        self.properties.as_ref().unwrap_or(empty())
    }

    /// Whether a parameter is marked required.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(false)
    }

    /// Whether a parameter may repeat.
    pub fn is_repeated(&self) -> bool {
        self.repeated.unwrap_or(false)
    }
}

fn empty<T>() -> &'static Map<T> {
    // `BTreeMap::new()` is const and allocates nothing, so an empty map of any
    // `T` can be a `'static` constant.
    const { &BTreeMap::new() }
}
