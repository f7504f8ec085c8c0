//! The runtime's description of an API and its methods
//! (`gapi_runtime::spec`), from the IR: decided here, once. The emitter
//! writes it as statics (`service_tokens`, `method_tokens`); with the
//! `runtime` feature, `spec::runtime` builds the same values at run time for
//! callers that describe an API they loaded (the `gapi` CLI, the parity
//! test against Google's Python client).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Batch, Download, HttpMethod, MediaUpload, Method, OperationCall};

/// What the runtime is told about one method.
#[derive(Debug, Clone, Copy)]
pub struct MethodFacts<'a> {
    /// Dotted id.
    pub id: &'a str,
    /// Verb.
    pub http_method: &'a HttpMethod,
    /// URI template under the service path.
    pub path: &'a str,
    /// Scopes, any one of which suffices.
    pub scopes: &'a [String],
    /// `x-goog-api-version`.
    pub api_version: Option<&'a str>,
    /// Upload paths and limits.
    pub media: Option<&'a MediaUpload>,
    /// How media comes back.
    pub download: Download,
    /// Whether a successful answer is JSON (the method has a response
    /// schema): the call then asks for JSON.
    pub returns_json: bool,
}

/// What the runtime is told about `m`.
pub fn method_facts(m: &Method) -> MethodFacts<'_> {
    MethodFacts {
        id: &m.id,
        http_method: &m.http_method,
        path: &m.path,
        scopes: &m.scopes,
        api_version: m.api_version.as_deref(),
        media: m.media_upload.as_ref(),
        download: m.download,
        returns_json: m.response.is_some(),
    }
}

/// What the runtime is told about a method that acts on a long-running
/// operation (`get`, `wait`, `cancel`).
pub(crate) fn operation_call_facts(c: &OperationCall) -> MethodFacts<'_> {
    MethodFacts {
        id: &c.id,
        http_method: &c.http_method,
        path: &c.path,
        scopes: &c.scopes,
        api_version: c.api_version.as_deref(),
        media: None,
        download: Download::None,
        // `get` and `wait` answer with the operation; `cancel` with an
        // empty object, which is JSON too.
        returns_json: true,
    }
}

fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

/// The `ServiceSpec { … }` expression of `api`.
pub(crate) fn service_tokens(api: &Api) -> TokenStream {
    let (id, revision, root_url, service_path) =
        (&api.id, &api.revision, &api.root_url, &api.service_path);
    let fully = api.fully_encode_reserved_expansion;
    let wrapper = api.data_wrapper;
    let endpoints = api.endpoints.iter().map(|(location, url)| {
        quote!(::gapi_runtime::spec::Endpoint { location: #location, root_url: #url })
    });
    let batch = match &api.batch {
        Some(Batch {
            id,
            path,
            max_calls,
        }) => quote!(::std::option::Option::Some(
            ::gapi_runtime::spec::BatchSpec { id: #id, path: #path, max_calls: #max_calls }
        )),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        ::gapi_runtime::spec::ServiceSpec {
            id: #id,
            revision: #revision,
            root_url: #root_url,
            service_path: #service_path,
            fully_encode_reserved_expansion: #fully,
            data_wrapper: #wrapper,
            endpoints: &[ #( #endpoints ),* ],
            batch: #batch,
        }
    }
}

/// The `MethodSpec { … }` expression of a method with `facts`, of the
/// crate's `SERVICE`.
pub(crate) fn method_tokens(facts: &MethodFacts<'_>) -> TokenStream {
    let MethodFacts {
        id,
        path,
        scopes,
        returns_json,
        ..
    } = *facts;
    // `GET`, `POST`, …: the associated constants of `http::Method`.
    let verb = proc_macro2::Ident::new(facts.http_method.as_str(), proc_macro2::Span::call_site());
    let api_version = opt_str(facts.api_version);
    let media = match facts.media {
        Some(mu) => {
            let simple = opt_str(mu.simple_path.as_deref());
            let resumable = opt_str(mu.resumable_path.as_deref());
            let max = match mu.max_size {
                Some(n) => quote!(::std::option::Option::Some(#n)),
                None => quote!(::std::option::Option::None),
            };
            let accept = &mu.accept;
            quote!(::std::option::Option::Some(&::gapi_runtime::spec::MediaSpec {
                simple_path: #simple,
                resumable_path: #resumable,
                max_size: #max,
                accept: &[ #( #accept ),* ],
            }))
        }
        None => quote!(::std::option::Option::None),
    };
    let download = match facts.download {
        Download::None => quote!(None),
        Download::AltMedia => quote!(AltMedia),
        Download::Service => quote!(Service),
    };
    quote! {
        ::gapi_runtime::spec::MethodSpec {
            service: &crate::SERVICE,
            id: #id,
            http_method: ::gapi_runtime::spec::HttpMethod::#verb,
            path: #path,
            scopes: &[ #( #scopes ),* ],
            api_version: #api_version,
            media: #media,
            download: ::gapi_runtime::spec::Download::#download,
            returns_json: #returns_json,
        }
    }
}

/// The same descriptions as values, for an API loaded at run time.
///
/// The runtime takes specs as `&'static` data, as generated code has them in
/// statics, so these are leaked: a few kilobytes per API and method
/// described, which suits a process that makes a call or a test that
/// replays a corpus, not a server describing APIs in a loop.
#[cfg(feature = "runtime")]
pub mod runtime {
    use gapi_runtime::spec::{
        BatchSpec, Download as RDownload, Endpoint, MediaSpec, MethodSpec, ServiceSpec,
    };

    use super::{method_facts, Api, Download, Method};

    fn leak_str(s: &str) -> &'static str {
        Box::leak(s.to_string().into_boxed_str())
    }

    fn leak_strs(items: &[String]) -> &'static [&'static str] {
        Box::leak(
            items
                .iter()
                .map(|s| leak_str(s))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    }

    /// `api`'s `ServiceSpec`.
    pub fn service(api: &Api) -> &'static ServiceSpec {
        let endpoints: Vec<Endpoint> = api
            .endpoints
            .iter()
            .map(|(location, root_url)| Endpoint {
                location: leak_str(location),
                root_url: leak_str(root_url),
            })
            .collect();
        Box::leak(Box::new(ServiceSpec {
            id: leak_str(&api.id),
            revision: leak_str(&api.revision),
            root_url: leak_str(&api.root_url),
            service_path: leak_str(&api.service_path),
            fully_encode_reserved_expansion: api.fully_encode_reserved_expansion,
            data_wrapper: api.data_wrapper,
            endpoints: Box::leak(endpoints.into_boxed_slice()),
            batch: api.batch.as_ref().map(|b| BatchSpec {
                id: leak_str(&b.id),
                path: leak_str(&b.path),
                max_calls: b.max_calls,
            }),
        }))
    }

    /// `m`'s `MethodSpec`, of `service`.
    pub fn method(service: &'static ServiceSpec, m: &Method) -> &'static MethodSpec {
        let facts = method_facts(m);
        let media = facts.media.map(|mu| {
            &*Box::leak(Box::new(MediaSpec {
                simple_path: mu.simple_path.as_deref().map(leak_str),
                resumable_path: mu.resumable_path.as_deref().map(leak_str),
                max_size: mu.max_size,
                accept: leak_strs(&mu.accept),
            }))
        });
        Box::leak(Box::new(MethodSpec {
            service,
            id: leak_str(facts.id),
            http_method: facts.http_method.clone(),
            path: leak_str(facts.path),
            scopes: leak_strs(facts.scopes),
            api_version: facts.api_version.map(leak_str),
            media,
            download: match facts.download {
                Download::None => RDownload::None,
                Download::AltMedia => RDownload::AltMedia,
                Download::Service => RDownload::Service,
            },
            returns_json: facts.returns_json,
        }))
    }
}
