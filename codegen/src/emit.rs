//! IR → tokens. No decisions here: names and types come from the IR.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::ir::*;
use crate::names::RustName;
use crate::stability::Policy;

/// How the root module reaches the other modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `pub mod x { include!(concat!(env!("OUT_DIR"), "/x.rs")); }` (build scripts).
    OutDir,
    /// `pub mod x;` next to `lib.rs` (checked-in sources).
    Files,
}

/// One output file: name and tokens.
#[derive(Debug)]
pub struct EmittedFile {
    /// File name (`lib.rs`, `types.rs`, `files.rs`).
    pub name: String,
    /// Its tokens.
    pub tokens: TokenStream,
}

fn ident(name: &RustName) -> Ident {
    if name.raw {
        Ident::new_raw(&name.text, Span::call_site())
    } else {
        Ident::new(&name.text, Span::call_site())
    }
}

/// Google's text (kept plain in the IR) as rustdoc.
fn escape(text: &str) -> String {
    crate::docs::escape(text)
}

/// Doc attributes for rustdoc text (escaped Google prose and our own).
fn doc_attrs(doc: &str) -> TokenStream {
    if doc.is_empty() {
        return TokenStream::new();
    }
    let lines = crate::docs::doc_lines(doc)
        .into_iter()
        .map(|l| format!(" {l}"));
    quote! { #( #[doc = #lines] )* }
}

/// The `cfg` of an item gated by `features`, and its badge on docs.rs
/// ("Available on crate feature `files` only"), which builds with
/// `--cfg docsrs` and every feature.
fn cfg_attr(features: &[String]) -> TokenStream {
    match features {
        [] => TokenStream::new(),
        [one] => quote! {
            #[cfg(feature = #one)]
            #[cfg_attr(docsrs, doc(cfg(feature = #one)))]
        },
        many => quote! {
            #[cfg(any( #( feature = #many ),* ))]
            #[cfg_attr(docsrs, doc(cfg(any( #( feature = #many ),* ))))]
        },
    }
}

/// Deprecation of fields and enum values goes into the docs: a
/// `#[deprecated]` attribute would make the derived serde code (which must
/// still read them) warn.
fn with_deprecation(doc: &str, deprecated: bool) -> String {
    if deprecated {
        format!("**Deprecated.** {doc}")
    } else {
        doc.to_string()
    }
}

fn deprecated_attr(deprecated: bool) -> TokenStream {
    if deprecated {
        quote! { #[deprecated = "deprecated by the API"] }
    } else {
        TokenStream::new()
    }
}

/// The Rust spelling of an IR type.
pub fn type_tokens(ty: &Type) -> TokenStream {
    match ty {
        Type::String => quote!(::gapi_runtime::CompactString),
        Type::Bool => quote!(bool),
        Type::I32 => quote!(i32),
        Type::U32 => quote!(u32),
        Type::I64 { .. } => quote!(i64),
        Type::U64 { .. } => quote!(u64),
        Type::F32 => quote!(f32),
        Type::F64 => quote!(f64),
        Type::Any => quote!(::gapi_runtime::serde_json::Value),
        Type::DateTime => quote!(::gapi_runtime::types::DateTime),
        Type::Duration => quote!(::gapi_runtime::types::Duration),
        Type::FieldMask => quote!(::gapi_runtime::types::FieldMask),
        Type::Bytes => quote!(::gapi_runtime::types::Bytes),
        Type::Named { name, .. } => {
            let n = ident(name);
            quote!(crate::types::#n)
        }
        Type::LocalEnum(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Type::Vec(inner) => {
            let inner = type_tokens(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        Type::Map(inner) => {
            let inner = type_tokens(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Type::Boxed(inner) => {
            let inner = type_tokens(inner);
            quote!(::std::boxed::Box<#inner>)
        }
    }
}

/// Emits every file of an API.
pub fn emit(api: &Api, layout: Layout) -> Vec<EmittedFile> {
    let mut files = vec![EmittedFile {
        name: "lib.rs".to_string(),
        tokens: emit_root(api, layout),
    }];
    files.extend(emit_types(&api.types, layout));
    for r in &api.resources {
        files.push(EmittedFile {
            name: format!("{}.rs", r.module.text),
            tokens: emit_resource_module(r, &api.types),
        });
    }
    files
}

/// Outer attributes of every generated module. The docs are Google's prose:
/// its list continuations are left unindented on purpose (indentation would
/// make rustdoc see code blocks and doc tests try to compile them).
fn prose_allowances() -> TokenStream {
    quote! { #[allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)] }
}

fn module_decl(name: &RustName, doc: &str, features: &[String], layout: Layout) -> TokenStream {
    let m = ident(name);
    let cfg = cfg_attr(features);
    let doc = doc_attrs(doc);
    let allow = prose_allowances();
    match layout {
        Layout::OutDir => {
            let file = format!("/{}.rs", name.text);
            quote! {
                #doc
                #cfg
                #allow
                pub mod #m { include!(concat!(env!("OUT_DIR"), #file)); }
            }
        }
        Layout::Files => quote! { #doc #cfg #allow pub mod #m; },
    }
}

fn emit_root(api: &Api, layout: Layout) -> TokenStream {
    let allow = prose_allowances();
    let service_value = crate::spec::service_tokens(api);
    let pollings = api.pollings.iter().map(emit_polling);
    let types_mod = module_decl(
        &RustName {
            text: "types".into(),
            raw: false,
        },
        "Request and response types.",
        &[],
        layout,
    );
    let resource_mods = api
        .resources
        .iter()
        .map(|r| module_decl(&r.module, &module_doc(r), r.feature.as_slice(), layout));
    let scopes = api.scopes.iter().map(|s| {
        let name = ident(&s.name);
        let doc = doc_attrs(&format!("{}\n\n`{}`", escape(&s.doc), s.url));
        let url = &s.url;
        quote! { #doc pub const #name: &str = #url; }
    });
    let service = emit_service(api);
    let methods_fn = emit_methods_fn(api);
    let root_calls = api.methods.iter().map(|m| emit_call(m, &api.types));
    let root_enums = api.root_enums.iter().map(|e| emit_typedef(e, &api.types));
    quote! {
        /// The API this crate calls: default root URL, service path, revision.
        pub static SERVICE: ::gapi_runtime::spec::ServiceSpec = #service_value;

        pub use ::gapi_runtime::auth;
        pub use ::gapi_runtime::Error;
        /// The runtime this crate calls (streams of pages, errors, retry
        /// policies, `futures_util`), so users need no dependency of their own.
        pub use ::gapi_runtime as runtime;

        /// OAuth 2.0 scopes of this API.
        #allow
        pub mod scopes {
            #( #scopes )*
        }

        #types_mod
        #( #resource_mods )*
        #service
        #methods_fn
        #( #pollings )*
        #( #root_calls )*
        #( #root_enums )*
    }
}

/// The service struct (`Drive`): its builder, resources, root methods and
/// batch, and the `build` function.
fn emit_service(api: &Api) -> TokenStream {
    let service = ident(&api.service_type);
    let batch_fn = api.batch.as_ref().map(|b| {
        let doc = doc_attrs(&format!(
            "A batch: calls of this API added to it go out as one HTTP request (at most {} of them), and each gets its own typed answer. See [`gapi_runtime::batch`].",
            b.max_calls
        ));
        quote! {
            #doc
            pub fn batch(&self) -> ::gapi_runtime::batch::Batch {
                ::gapi_runtime::batch::Batch::new(&self.client)
            }
        }
    });
    let accessors = api.resources.iter().map(|r| {
        let accessor = ident(&r.resource.accessor);
        let module = ident(&r.module);
        let ty = ident(&r.resource.type_name);
        let cfg = cfg_attr(r.feature.as_slice());
        let doc = format!(" The `{}` resource.", r.resource.wire);
        quote! {
            #[doc = #doc]
            #cfg
            pub fn #accessor(&self) -> #module::#ty {
                #module::#ty::new(&self.client)
            }
        }
    });
    let root_methods = api
        .methods
        .iter()
        .map(|m| emit_method_fn(m, quote!(self.client)));
    let service_doc = doc_attrs(&format!(
        "The {} ({}), revision {}.\n\nCreate one with [`{}::builder`] or [`build`]; clones are cheap and share one connection pool.",
        api_name(&api.title), api.id, api.revision, api.service_type.text
    ));
    let build_doc = doc_attrs(&format!(
        "A client for the {} with these credentials and default settings, like Python's `build(\"{}\", \"{}\", credentials=creds)`.",
        api_name(&api.title), api.name, api.version
    ));
    quote! {
        #service_doc
        #[derive(Debug, Clone)]
        pub struct #service {
            client: ::gapi_runtime::Client,
        }

        impl #service {
            /// Settings: credentials, root URL (emulators, regional endpoints),
            /// timeouts, retry policy, HTTP client; `build()` returns the client.
            pub fn builder() -> ::gapi_runtime::ClientBuilder<#service> {
                ::gapi_runtime::ClientBuilder::for_service(&SERVICE)
            }

            /// Wraps a configured client.
            pub fn from_client(client: ::gapi_runtime::Client) -> Self {
                #service { client }
            }

            /// The underlying client.
            pub fn client(&self) -> &::gapi_runtime::Client {
                &self.client
            }

            #batch_fn
            #( #accessors )*
            #( #root_methods )*
        }

        #build_doc
        ///
        /// # Panics
        /// When the TLS backend cannot initialise (use `builder()` to handle that).
        pub fn build(credentials: impl ::gapi_runtime::auth::Credentials + 'static) -> #service {
            // Building a default client only fails if TLS cannot initialise,
            // which is an environment defect rather than an input error.
            #[allow(clippy::expect_used)]
            #service::builder()
                .credentials(credentials)
                .build()
                .expect("HTTP client with default settings")
        }

        impl ::std::convert::From<::gapi_runtime::Client> for #service {
            fn from(client: ::gapi_runtime::Client) -> Self {
                #service { client }
            }
        }
    }
}

/// "Google Drive API" for the title "Google Drive API" (not "… API API"),
/// "Kitchen Sink API" for "Kitchen Sink".
fn api_name(title: &str) -> String {
    if title.ends_with(" API") || title.ends_with(" api") {
        title.to_string()
    } else {
        format!("{title} API")
    }
}

/// `methods()`: every method spec of this build of the crate.
fn emit_methods_fn(api: &Api) -> TokenStream {
    let root_specs = api.methods.iter().map(|m| ident(&m.spec_name));
    let module_specs = api.resources.iter().map(|r| {
        let module = ident(&r.module);
        let cfg = cfg_attr(r.feature.as_slice());
        quote! {
            #cfg
            all.extend_from_slice(#module::METHODS);
        }
    });
    quote! {
        /// Every method this build of the crate has (the methods of the
        /// resource features turned on), e.g. for
        /// `gapi_runtime::mock::MockServer`, which answers them by id.
        // With no resource module (or every resource feature off) nothing is
        // added: `mut` is then unused and the binding returned as it is.
        #[allow(unused_mut, clippy::let_and_return)]
        pub fn methods() -> ::std::vec::Vec<&'static ::gapi_runtime::spec::MethodSpec> {
            let mut all: ::std::vec::Vec<&'static ::gapi_runtime::spec::MethodSpec> = ::std::vec![#( &#root_specs ),*];
            #( #module_specs )*
            all
        }
    }
}

/// A `gapi_runtime::spec::Polling` static and the specs of the methods it
/// names.
fn emit_polling(p: &Polling) -> TokenStream {
    let name = ident(&p.static_name);
    let mut specs = TokenStream::new();
    let mut spec_of = |c: &OperationCall| {
        let spec = ident(&c.spec_name);
        let value = crate::spec::method_tokens(&crate::spec::operation_call_facts(c));
        specs.extend(quote! {
            static #spec: ::gapi_runtime::spec::MethodSpec = #value;
        });
        quote!(&#spec)
    };
    let methods: Vec<TokenStream> = p
        .methods
        .iter()
        .map(|m| {
            let get = spec_of(&m.get);
            let wait = match &m.wait {
                Some(c) => {
                    let spec = spec_of(c);
                    quote!(::std::option::Option::Some(#spec))
                }
                None => quote!(::std::option::Option::None),
            };
            let cancel = match &m.cancel {
                Some(c) => {
                    let spec = spec_of(c);
                    quote!(::std::option::Option::Some(#spec))
                }
                None => quote!(::std::option::Option::None),
            };
            quote!(::gapi_runtime::spec::OperationMethods { get: #get, wait: #wait, cancel: #cancel })
        })
        .collect();
    let shape = match p.shape {
        OperationShape::Aip => quote!(::gapi_runtime::spec::OperationShape::Aip),
        OperationShape::Compute => quote!(::gapi_runtime::spec::OperationShape::Compute),
    };
    let doc = doc_attrs(&format!(
        "How `{}` operations of this API are polled: what calls that start one use in `.poll()`, and what `gapi_runtime::lro::Poller::resume` takes for an operation already in hand.",
        p.schema
    ));
    quote! {
        #specs
        #doc
        pub static #name: ::gapi_runtime::spec::Polling = ::gapi_runtime::spec::Polling {
            shape: #shape,
            methods: &[ #( #methods ),* ],
        };
    }
}

/// `types.rs`, and one file per module the IR put types in
/// (`types/files.rs`), each module gated by its feature and re-exported, so
/// every type's path is `types::Name` however the files are split.
fn emit_types(types: &[TypeDef], layout: Layout) -> Vec<EmittedFile> {
    let mut sorted: Vec<&TypeDef> = types.iter().collect();
    sorted.sort_by(|a, b| a.name.text.cmp(&b.name.text));
    let mut modules: std::collections::BTreeMap<&str, (&RustName, &[String], TokenStream)> =
        std::collections::BTreeMap::new();
    let mut root = TokenStream::new();
    for t in sorted {
        match &t.module {
            None => root.extend(emit_typedef(t, types)),
            Some(module) => {
                let entry = modules
                    .entry(module.text.as_str())
                    .or_insert_with(|| (module, t.features.as_slice(), TokenStream::new()));
                // The module carries the gate; its items need none of their own.
                entry.2.extend(emit_typedef(
                    &TypeDef {
                        features: Vec::new(),
                        ..t.clone()
                    },
                    types,
                ));
            }
        }
    }
    let mut files = Vec::new();
    let mut decls = TokenStream::new();
    for (module, features, tokens) in modules.into_values() {
        let m = ident(module);
        let cfg = cfg_attr(features);
        let file = format!("types/{}.rs", module.text);
        decls.extend(match layout {
            Layout::OutDir => {
                let path = format!("/{file}");
                quote! { #cfg mod #m { include!(concat!(env!("OUT_DIR"), #path)); } }
            }
            Layout::Files => quote! { #cfg mod #m; },
        });
        decls.extend(quote! { #cfg pub use self::#m::*; });
        files.push(EmittedFile { name: file, tokens });
    }
    decls.extend(root);
    files.insert(
        0,
        EmittedFile {
            name: "types.rs".to_string(),
            tokens: decls,
        },
    );
    files
}

/// One named type; `types` is the arena its fields' types index.
fn emit_typedef(t: &TypeDef, types: &[TypeDef]) -> TokenStream {
    let name = ident(&t.name);
    let doc = doc_attrs(&escape(&t.doc));
    let cfg = cfg_attr(&t.features);
    match &t.kind {
        TypeKind::Struct(fields) => {
            let defs = fields.iter().map(|f| {
                let fname = ident(&f.name);
                let ty = type_tokens(&f.ty);
                let doc = doc_attrs(&with_deprecation(&escape(&f.doc), f.deprecated));
                quote! {
                    #doc
                    pub #fname: ::std::option::Option<#ty>,
                }
            });
            let encode = emit_encode(&name, &cfg, fields);
            let decode = emit_decode(&name, &cfg, fields, types);
            let (non_exhaustive, setters) = if Policy::CURRENT.non_exhaustive_structs {
                (
                    quote!(#[non_exhaustive]),
                    emit_setters(&name, &cfg, fields, types),
                )
            } else {
                (TokenStream::new(), TokenStream::new())
            };
            quote! {
                #doc
                #cfg
                #[derive(Clone, Debug, Default, PartialEq)]
                #non_exhaustive
                pub struct #name {
                    #( #defs )*
                }

                #setters
                #encode
                #decode
            }
        }
        TypeKind::Enum(variants) => emit_enum(&name, &doc, &cfg, variants),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ty);
            quote! { #doc #cfg pub type #name = #ty; }
        }
    }
}

/// `with_*` setters, one per field: a `#[non_exhaustive]` struct cannot be
/// built with a literal outside this crate, so callers chain these from
/// `Default` (`File::default().with_name("a").with_parents(["root"])`).
/// They are generic (`impl Into<…>`) or `#[inline]`, so a setter costs
/// machine code only in a crate that calls it.
fn emit_setters(
    name: &Ident,
    cfg: &TokenStream,
    fields: &[Field],
    types: &[TypeDef],
) -> TokenStream {
    if fields.is_empty() {
        return TokenStream::new();
    }
    let setters = fields.iter().map(|f| {
        let field = ident(&f.name);
        let setter = ident(&f.setter);
        let doc = format!(" Sets `{}`.", f.wire.replace('`', "'"));
        let (input, value) = setter_input(&f.ty, types);
        quote! {
            #[doc = #doc]
            #[inline]
            #[must_use]
            pub fn #setter(mut self, value: #input) -> Self {
                self.#field = ::std::option::Option::Some(#value);
                self
            }
        }
    });
    quote! {
        #cfg
        impl #name {
            #( #setters )*
        }
    }
}

/// What a setter for a field of type `ty` takes, and the expression that
/// turns `value` into the field's type. Numbers and booleans are taken as
/// they are (an `impl Into<u64>` would refuse a bare `5`, which Rust types
/// as `i32`); everything else as `impl Into<…>`, lists and maps as any
/// iterator of convertible items.
fn setter_input(ty: &Type, types: &[TypeDef]) -> (TokenStream, TokenStream) {
    let scalar = |ty: &Type| {
        matches!(
            ty,
            Type::Bool
                | Type::I32
                | Type::U32
                | Type::I64 { .. }
                | Type::U64 { .. }
                | Type::F32
                | Type::F64
        )
    };
    let resolved = resolve_alias(ty, types);
    let tokens = type_tokens(ty);
    match resolved {
        t if scalar(t) => (tokens, quote!(value)),
        Type::Vec(inner) => {
            let item = type_tokens(inner);
            if scalar(resolve_alias(inner, types)) {
                (
                    quote!(impl ::std::iter::IntoIterator<Item = #item>),
                    quote!(value.into_iter().collect()),
                )
            } else {
                (
                    quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
                    quote!(value.into_iter().map(::std::convert::Into::into).collect()),
                )
            }
        }
        Type::Map(inner) => {
            let item = type_tokens(inner);
            (
                quote!(impl ::std::iter::IntoIterator<Item = (impl ::std::convert::Into<::std::string::String>, impl ::std::convert::Into<#item>)>),
                quote!(value
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect()),
            )
        }
        _ => (
            quote!(impl ::std::convert::Into<#tokens>),
            quote!(value.into()),
        ),
    }
}

/// `ty` with type aliases followed to what they name.
fn resolve_alias<'a>(ty: &'a Type, types: &'a [TypeDef]) -> &'a Type {
    let mut ty = ty;
    for _ in 0..types.len() {
        match ty {
            Type::Named { id, .. } => match &types[id.0].kind {
                TypeKind::Alias(aliased) => ty = aliased,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

/// `Serialize` through the runtime's `encode` helpers: the fields that are
/// set, as a map from wire name to value, one call per field.
fn emit_encode(name: &Ident, cfg: &TokenStream, fields: &[Field]) -> TokenStream {
    let writes = fields.iter().map(|f| {
        let fname = ident(&f.name);
        let wire = Literal::string(&f.wire);
        let helper = if f.ty.has_string_int() {
            quote!(int64_field)
        } else {
            quote!(field)
        };
        quote! { ::gapi_runtime::encode::#helper(&mut map, #wire, &self.#fname)?; }
    });
    let binding = if fields.is_empty() {
        quote!(map)
    } else {
        quote!(mut map)
    };
    quote! {
        #cfg
        impl ::gapi_runtime::serde::Serialize for #name {
            fn serialize<S: ::gapi_runtime::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use ::gapi_runtime::serde::ser::SerializeMap as _;
                let #binding = s.serialize_map(::std::option::Option::None)?;
                #( #writes )*
                map.end()
            }
        }
    }
}

/// `Deserialize` through the runtime's [`DecodeFields`]: a `match` from wire
/// name to field, grouped by the name's length so that a key is compared
/// with one or two names rather than with every field in turn. Each arm
/// reads its value through the runtime's `Reader` (see [`read_expr`]); a key
/// no arm reads is skipped by the runtime.
///
/// [`DecodeFields`]: https://docs.rs/gapi-runtime/latest/gapi_runtime/decode/trait.DecodeFields.html
fn emit_decode(
    name: &Ident,
    cfg: &TokenStream,
    fields: &[Field],
    types: &[TypeDef],
) -> TokenStream {
    // Each field is one call: `set` (compiled once per field type) drops the
    // old value and stores the new one, so a struct's arms hold no drop glue.
    let set = |f: &Field| {
        let fname = ident(&f.name);
        let read = read_expr(&f.ty, types);
        quote! { ::gapi_runtime::decode::set(&mut self.#fname, #read) }
    };
    let mut by_len: std::collections::BTreeMap<usize, Vec<&Field>> = Default::default();
    for f in fields {
        by_len.entry(f.wire.len()).or_default().push(f);
    }
    let match_names = |fields: &[&Field]| {
        let arms = fields.iter().map(|f| {
            let wire = Literal::string(&f.wire);
            let set = set(f);
            quote! { #wire => #set, }
        });
        quote! {
            match key {
                #( #arms )*
                _ => ::std::result::Result::Ok(()),
            }
        }
    };
    let body = match fields {
        [] => quote! {
            let _ = (key, r);
            ::std::result::Result::Ok(())
        },
        [only] => {
            let wire = Literal::string(&only.wire);
            let set = set(only);
            quote! {
                if key == #wire {
                    #set
                } else {
                    ::std::result::Result::Ok(())
                }
            }
        }
        // All names of one length: no length dispatch.
        _ if by_len.len() == 1 => match_names(&fields.iter().collect::<Vec<_>>()),
        _ => {
            let groups = by_len.iter().map(|(len, group)| {
                let len = Literal::usize_unsuffixed(*len);
                match group.as_slice() {
                    [only] => {
                        let wire = Literal::string(&only.wire);
                        let set = set(only);
                        quote! { #len if key == #wire => #set, }
                    }
                    group => {
                        let names = match_names(group);
                        quote! { #len => #names, }
                    }
                }
            });
            quote! {
                match key.len() {
                    #( #groups )*
                    _ => ::std::result::Result::Ok(()),
                }
            }
        }
    };
    let type_name = Literal::string(&name.to_string());
    quote! {
        #cfg
        impl ::gapi_runtime::decode::DecodeFields for #name {
            fn type_name(&self) -> &'static str {
                #type_name
            }
            fn decode_field(
                &mut self,
                key: &str,
                r: &mut dyn ::gapi_runtime::decode::Reader,
            ) -> ::std::result::Result<(), ::gapi_runtime::decode::Failed> {
                #body
            }
        }

        #cfg
        impl<'de> ::gapi_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::gapi_runtime::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::gapi_runtime::decode::decode_struct(d)
            }
        }
    }
}

/// An expression reading a value of `ty` from the reader `r`, of type
/// `Result<Option<ty>, Failed>`. Objects are decoded in place (a boxed
/// object or a list of objects is filled where it lives); everything else
/// is a runtime function, so a struct's decoding compiles to a `match` of
/// calls.
fn read_expr(ty: &Type, types: &[TypeDef]) -> TokenStream {
    let decode = quote!(::gapi_runtime::decode);
    match ty {
        Type::String => quote!(r.string()),
        Type::Bool => quote!(r.boolean()),
        Type::I32 => quote!(r.int32()),
        Type::U32 => quote!(r.uint32()),
        Type::I64 { .. } => quote!(r.int64()),
        Type::U64 { .. } => quote!(r.uint64()),
        Type::F32 => quote!(r.float()),
        Type::F64 => quote!(r.double()),
        Type::Any => quote!(r.any()),
        Type::Bytes => quote!(r.bytes()),
        Type::DateTime => quote!(#decode::date_time(r)),
        Type::Duration => quote!(#decode::duration(r)),
        Type::FieldMask => quote!(#decode::field_mask(r)),
        Type::LocalEnum(_) => {
            let t = type_tokens(ty);
            quote!(#decode::enumeration::<#t>(r))
        }
        Type::Named { id, .. } => {
            let t = type_tokens(ty);
            match &types[id.0].kind {
                TypeKind::Struct(_) => quote!(#decode::object::<#t>(r)),
                TypeKind::Enum(_) => quote!(#decode::enumeration::<#t>(r)),
                TypeKind::Alias(aliased) => read_expr(aliased, types),
            }
        }
        Type::Vec(inner) => match struct_of(inner, types) {
            Some(t) => quote!(#decode::object_list::<#t>(r)),
            None => {
                let read = read_expr(inner, types);
                quote!(#decode::list(r, |r| #read))
            }
        },
        Type::Map(inner) => {
            let read = read_expr(inner, types);
            quote!(#decode::map(r, |r| #read))
        }
        Type::Boxed(inner) => match struct_of(inner, types) {
            Some(t) => quote!(#decode::boxed_object::<#t>(r)),
            None => {
                let read = read_expr(inner, types);
                quote!(#decode::boxed(r, |r| #read))
            }
        },
    }
}

/// The type's tokens when it is a generated struct (decoded in place).
fn struct_of(ty: &Type, types: &[TypeDef]) -> Option<TokenStream> {
    match ty {
        Type::Named { id, .. } if matches!(types[id.0].kind, TypeKind::Struct(_)) => {
            Some(type_tokens(ty))
        }
        _ => None,
    }
}

fn emit_enum(
    name: &Ident,
    doc: &TokenStream,
    cfg: &TokenStream,
    variants: &[Variant],
) -> TokenStream {
    let defs = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdoc = doc_attrs(&with_deprecation(&escape(&v.doc), v.deprecated));
        quote! { #vdoc #vname, }
    });
    let values = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let value = Literal::string(&v.value);
        quote! { #vname = #value, }
    });
    // New values are minor releases (see crate::stability).
    let non_exhaustive = if Policy::CURRENT.non_exhaustive_enums {
        quote!(#[non_exhaustive])
    } else {
        TokenStream::new()
    };
    // The enum is plain Rust (formatted, readable); its impls come from
    // the runtime, written once.
    quote! {
        #doc
        #cfg
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #non_exhaustive
        // Variant names mirror the API's values, which often share a prefix.
        #[allow(clippy::enum_variant_names)]
        pub enum #name {
            #( #defs )*
            /// A value not known when this crate was generated.
            Unknown(::std::string::String),
        }

        #cfg
        ::gapi_runtime::open_enum_impls!(#name { #( #values )* });
    }
}

/// The spec statics of `r`'s methods and of every resource nested in it.
fn spec_names(r: &Resource, out: &mut Vec<Ident>) {
    out.extend(r.methods.iter().map(|m| ident(&m.spec_name)));
    for s in &r.resources {
        spec_names(s, out);
    }
}

fn emit_resource_module(r: &ResourceModule, types: &[TypeDef]) -> TokenStream {
    let mut items = TokenStream::new();
    let mut specs = Vec::new();
    spec_names(&r.resource, &mut specs);
    items.extend(quote! {
        /// Every method of this module (see the crate's `methods()`).
        pub(crate) static METHODS: &[&::gapi_runtime::spec::MethodSpec] = &[#( &#specs ),*];
    });
    emit_resource(&r.resource, types, &mut items);
    for e in &r.enums {
        items.extend(emit_typedef(e, types));
    }
    items
}

/// A resource module's one line on the crate page: its methods and the
/// Cargo feature that compiles it.
fn module_doc(r: &ResourceModule) -> String {
    let mut names: Vec<&str> = r
        .resource
        .methods
        .iter()
        .map(|m| m.fn_name.text.as_str())
        .collect();
    let more = names.len().saturating_sub(8);
    names.truncate(8);
    let mut doc = format!("The `{}` resource", r.resource.wire);
    if !names.is_empty() {
        doc.push_str(&format!(": {}", names.join(", ")));
        if more > 0 {
            doc.push_str(&format!(" and {more} more"));
        }
    }
    doc.push('.');
    if let Some(feature) = &r.feature {
        doc.push_str(&format!(" Cargo feature `{feature}`."));
    }
    doc
}

/// A resource's page: its methods, each with the first sentence of its
/// description, and its nested resources.
fn resource_doc(r: &Resource) -> String {
    let mut doc = format!("Methods of the `{}` resource.", r.wire);
    if !r.methods.is_empty() {
        doc.push('\n');
    }
    for m in &r.methods {
        let summary = first_sentence(&escape(&m.doc));
        // A raw name (`r#move`) cannot be an intra-doc link target.
        doc.push_str(&if m.fn_name.raw {
            format!("\n* `{}`", m.fn_name.text)
        } else {
            format!("\n* [`{0}`](Self::{0})", m.fn_name.text)
        });
        if !summary.is_empty() {
            doc.push_str(&format!(": {summary}"));
        }
    }
    if !r.resources.is_empty() {
        let subs: Vec<String> = r
            .resources
            .iter()
            .map(|s| {
                if s.accessor.raw {
                    format!("`{}()`", s.accessor.text)
                } else {
                    format!("[`{0}()`](Self::{0})", s.accessor.text)
                }
            })
            .collect();
        doc.push_str(&format!("\n\nNested resources: {}.", subs.join(", ")));
    }
    doc
}

/// The first sentence (or line) of a description, for a one-line summary.
fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

fn emit_resource(r: &Resource, types: &[TypeDef], out: &mut TokenStream) {
    let ty = ident(&r.type_name);
    let doc = doc_attrs(&resource_doc(r));
    let methods = r
        .methods
        .iter()
        .map(|m| emit_method_fn(m, quote!(self.client)));
    let subs = r.resources.iter().map(|s| {
        let accessor = ident(&s.accessor);
        let sty = ident(&s.type_name);
        let doc = format!(" The `{}` resource.", s.wire);
        quote! {
            #[doc = #doc]
            pub fn #accessor(&self) -> #sty {
                #sty::new(&self.client)
            }
        }
    });
    out.extend(quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #ty {
            client: ::gapi_runtime::Client,
        }

        impl #ty {
            pub(crate) fn new(client: &::gapi_runtime::Client) -> Self {
                #ty { client: client.clone() }
            }

            #( #subs )*
            #( #methods )*
        }
    });
    for m in &r.methods {
        out.extend(emit_call(m, types));
    }
    for s in &r.resources {
        emit_resource(s, types, out);
    }
}

/// A parameter's argument type: one value (`impl AsRef<str>`, `impl Into<T>` or `T`, as the
/// IR decided), or for a repeated parameter any iterator of them.
fn param_input(p: &Param) -> TokenStream {
    let ty = type_tokens(&p.ty);
    let one = match p.arg {
        ArgKind::Str => quote!(impl ::std::convert::AsRef<str>),
        ArgKind::Into => quote!(impl ::std::convert::Into<#ty>),
        ArgKind::Value => ty,
    };
    if p.repeated {
        quote!(impl ::std::iter::IntoIterator<Item = #one>)
    } else {
        one
    }
}

/// One value of `p`, named by `value`, as the request takes it.
fn param_value(p: &Param, value: &Ident) -> TokenStream {
    match p.arg {
        ArgKind::Str => quote!(#value.as_ref()),
        ArgKind::Into => quote!(#value.into()),
        ArgKind::Value => quote!(#value),
    }
}

fn emit_method_fn(m: &Method, client: TokenStream) -> TokenStream {
    let fn_name = ident(&m.fn_name);
    let call = ident(&m.call_type);
    let spec = ident(&m.spec_name);
    let mut doc = escape(&m.doc);
    doc.push_str("\n\n");
    doc.push_str(&http_and_scopes(m));
    let doc = doc_attrs(&doc);
    let deprecated = deprecated_attr(m.deprecated);
    let mut args = Vec::new();
    let mut sets = Vec::new();
    for p in &m.positional {
        let name = ident(&p.name);
        let ty = param_input(p);
        args.push(quote!(#name: #ty));
        let wire = &p.wire;
        sets.push(match (p.location, p.repeated) {
            (Location::Path, _) => {
                let value = param_value(p, &name);
                match &p.collection {
                    Some(collection) => {
                        quote! { gapi_request.path_param_in(#wire, #collection, #value); }
                    }
                    None => quote! { gapi_request.path_param(#wire, #value); },
                }
            }
            (Location::Query, false) => {
                let value = param_value(p, &name);
                quote! { gapi_request.set_query(#wire, #value); }
            }
            (Location::Query, true) => {
                let value = param_value(p, &Ident::new("value", Span::call_site()));
                quote! { for value in #name { gapi_request.add_query(#wire, #value); } }
            }
        });
    }
    if let Some((name, ty)) = &m.request {
        let name = ident(name);
        let ty = type_tokens(ty);
        args.push(quote!(#name: #ty));
        sets.push(quote! { gapi_request.json_body(&#name); });
    }
    let many_args = (args.len() > 6).then(|| {
        quote! {
            // Mirrors the API's required parameters one to one.
            #[allow(clippy::too_many_arguments)]
        }
    });
    let mutability = if sets.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };
    quote! {
        #doc
        #deprecated
        #many_args
        pub fn #fn_name(&self, #( #args ),*) -> #call {
            let #mutability gapi_request = ::gapi_runtime::Request::new(&#client, &#spec);
            #( #sets )*
            #call { request: gapi_request }
        }
    }
}

fn setter(p: &Param) -> TokenStream {
    let name = ident(&p.name);
    let wire = &p.wire;
    let doc = doc_attrs(&escape(&p.doc));
    let deprecated = deprecated_attr(p.deprecated);
    let ty = param_input(p);
    let convert = param_value(p, &Ident::new("value", Span::call_site()));
    let (arg, body) = if p.repeated {
        (
            quote!(values: #ty),
            quote! {
                self.request.remove_query(#wire);
                for value in values { self.request.add_query(#wire, #convert); }
            },
        )
    } else {
        (
            quote!(value: #ty),
            quote!(self.request.set_query(#wire, #convert);),
        )
    };
    quote! {
        #doc
        #deprecated
        #[inline]
        pub fn #name(mut self, #arg) -> Self {
            #body
            self
        }
    }
}

/// A method's HTTP line and the scopes any one of which it needs, as both
/// the method and its call builder show them.
fn http_and_scopes(m: &Method) -> String {
    let mut text = format!(
        "`{} {}` (`{}`)",
        m.http_method.as_str(),
        m.path.replace('`', "'"),
        m.id
    );
    if !m.scopes.is_empty() {
        let list: Vec<String> = m.scopes.iter().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!("\n\nScopes (any one): {}", list.join(", ")));
    }
    text
}

/// A call builder's page: what the method does (Google's description),
/// its HTTP line and scopes, where the builder comes from, and every way to
/// send it that this method has.
fn call_doc(m: &Method) -> String {
    let mut doc = escape(&m.doc);
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&http_and_scopes(m));
    doc.push_str(&format!(
        "\n\nMade by `{}(…)` (its required arguments); set optional parameters with the methods below, then:\n\n* `.execute().await` sends it and returns the answer",
        m.fn_name.source()
    ));
    if let Some(paging) = &m.paging {
        doc.push_str(match paging.items {
            Some(_) => "\n* `.items()` streams every item of every page, `.pages()` every page",
            None => "\n* `.pages()` streams every page",
        });
    }
    if m.streaming.is_some() {
        doc.push_str("\n* `.stream()` yields each element of the answer as it arrives");
    }
    if m.media_upload.is_some() {
        doc.push_str("\n* `.upload(media, mime_type)` sends media with it, `.upload_resumable(…)` in chunks that survive a dropped connection");
    }
    if m.download != Download::None {
        doc.push_str(
            "\n* `.download(&mut writer)` writes the media (resuming after a dropped connection)",
        );
    }
    if m.polling.is_some() {
        doc.push_str("\n* `.poll()` waits for the long-running operation it starts");
    }
    doc
}

fn emit_call(m: &Method, types: &[TypeDef]) -> TokenStream {
    let call = ident(&m.call_type);
    let spec = ident(&m.spec_name);
    let spec_value = crate::spec::method_tokens(&crate::spec::method_facts(m));
    let setters = m.optional.iter().map(setter);
    let (output, execute_body) = match &m.response {
        // A streamed answer read whole is the array of its elements.
        Some(ty) if m.streaming.is_some() => {
            let ty = type_tokens(ty);
            (
                quote!(::std::vec::Vec<#ty>),
                quote!(self.request.execute_boxed()),
            )
        }
        // A struct is decoded in place through the runtime's one compiled
        // pipeline; anything else (a list, a map, a JSON value) via serde.
        Some(ty) => match struct_of(ty, types) {
            Some(ty) => (ty, quote!(self.request.execute_struct())),
            None => (type_tokens(ty), quote!(self.request.execute_boxed())),
        },
        None => (quote!(()), quote!(self.request.execute_empty_boxed())),
    };
    let stream = match (&m.response, m.streaming) {
        (Some(ty), Some(streaming)) => {
            let ty = type_tokens(ty);
            let framing = match streaming {
                Streaming::JsonArray => quote!(::gapi_runtime::stream::Framing::JsonArray),
                Streaming::ServerSentEvents => {
                    quote!(::gapi_runtime::stream::Framing::ServerSentEvents)
                }
            };
            quote! {
                /// Sends the request and yields each element of the streamed
                /// answer as soon as it has arrived (`execute()` waits for
                /// all of them). Retries happen only before the answer
                /// starts; a failure after that is the last item. Dropping
                /// the stream closes the connection.
                pub fn stream(self) -> ::gapi_runtime::futures_util::stream::BoxStream<'static, ::std::result::Result<#ty, ::gapi_runtime::Error>> {
                    ::gapi_runtime::stream::stream(self.request, #framing)
                }
            }
        }
        _ => TokenStream::new(),
    };
    let doc = doc_attrs(&call_doc(m));
    let paging = m.paging.as_ref().map(|p| emit_paging(&call, &output, p));
    let media_methods = emit_media_methods(m, &output);
    let poll = m.polling.as_ref().map(|polling| {
        let polling = ident(polling);
        quote! {
            /// Sends the request, then polls the long-running operation it
            /// starts: `.until_done().await` waits for its final state (an
            /// error if it failed or took longer than the timeout),
            /// `.until_response::<T>()` decodes its result as `T`,
            /// `.stream()` yields every state as it is fetched, and
            /// `.canceller()` stops it where the API can.
            pub fn poll(self) -> ::gapi_runtime::lro::Poller<#output> {
                ::gapi_runtime::lro::Poller::start(self, &crate::#polling)
            }
        }
    });
    quote! {
        static #spec: ::gapi_runtime::spec::MethodSpec = #spec_value;

        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a call does nothing until it is executed"]
        pub struct #call {
            request: ::gapi_runtime::Request,
        }

        impl #call {
            #( #setters )*

            ::gapi_runtime::standard_setters!();

            /// Sends the request and decodes the response.
            ///
            /// # Errors
            /// Transport, HTTP and decoding failures; see [`gapi_runtime::Error`].
            // Boxed and never inlined, so that the request and its decoding
            // are compiled once, in this crate, not again in every crate that
            // awaits the call (see `gapi_runtime::ResponseFuture`).
            #[inline(never)]
            pub fn execute(self) -> ::gapi_runtime::ResponseFuture<#output> {
                #execute_body
            }

            #media_methods
            #poll
            #stream
        }

        impl ::gapi_runtime::Call for #call {
            type Response = #output;

            fn into_request(self) -> ::gapi_runtime::Request {
                self.request
            }
        }

        #paging
    }
}

fn emit_paging(call: &Ident, page: &TokenStream, p: &Paging) -> TokenStream {
    let next = ident(&p.next_token_field);
    let token_param = &p.token_param;
    let (item_ty, into_items, items_fn) = match &p.items {
        Some((field, ty)) => {
            let field = ident(field);
            let ty = type_tokens(ty);
            (
                ty.clone(),
                quote!(page.#field.unwrap_or_default()),
                quote! {
                    /// Every item of every page, lazily, as a stream.
                    // Inline: compiled in the crate that walks the pages
                    // (see `pages`).
                    #[inline]
                    pub fn items(self) -> ::gapi_runtime::futures_util::stream::BoxStream<'static, ::std::result::Result<#ty, ::gapi_runtime::Error>> {
                        ::gapi_runtime::paging::items(self)
                    }
                },
            )
        }
        None => (quote!(#page), quote!(::std::vec![page]), TokenStream::new()),
    };
    quote! {
        impl #call {
            /// Every page, lazily, as a stream (follows `nextPageToken`).
            // Inline, so the stream's state machine is compiled only in a
            // crate that walks pages, not for every paged method of the API
            // in the generated crate (a twelfth of its code). `execute()`,
            // which each page goes through, stays compiled here once.
            #[inline]
            pub fn pages(self) -> ::gapi_runtime::futures_util::stream::BoxStream<'static, ::std::result::Result<#page, ::gapi_runtime::Error>> {
                ::gapi_runtime::paging::pages(self)
            }

            #items_fn
        }

        impl ::gapi_runtime::Paginated for #call {
            type Page = #page;
            type Item = #item_ty;

            fn set_page_token(&mut self, token: ::gapi_runtime::CompactString) {
                self.request.set_query(#token_param, token);
            }

            fn next_page_token(page: &Self::Page) -> ::std::option::Option<::gapi_runtime::CompactString> {
                page.#next.clone()
            }

            fn into_items(page: Self::Page) -> ::std::vec::Vec<Self::Item> {
                #into_items
            }

            fn fetch_page(self) -> ::gapi_runtime::auth::BoxFuture<'static, ::std::result::Result<Self::Page, ::gapi_runtime::Error>> {
                ::std::boxed::Box::pin(self.execute())
            }
        }
    }
}

fn emit_media_methods(m: &Method, output: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    // A method without a response still gets a body back; ignore it.
    let (decode_as, finish) = match &m.response {
        Some(_) => (output.clone(), TokenStream::new()),
        None => (
            quote!(::gapi_runtime::serde::de::IgnoredAny),
            quote!(.map(|_| ())),
        ),
    };
    if let Some(mu) = &m.media_upload {
        if mu.simple_path.is_some() {
            out.extend(quote! {
                /// Uploads media in one request (with the metadata set on this
                /// call, if any, as `multipart/related`).
                ///
                /// # Errors
                /// As `execute`, plus I/O errors reading `media`, and a size
                /// above the method's maximum.
                pub fn upload(self, media: impl ::std::convert::Into<::gapi_runtime::media::UploadSource>, mime_type: &str) -> ::gapi_runtime::ResponseFuture<#output> {
                    self.upload_erased(media.into(), mime_type.to_owned())
                }

                // Not generic, so compiled once here (see `execute`).
                #[inline(never)]
                fn upload_erased(self, media: ::gapi_runtime::media::UploadSource, mime_type: ::std::string::String) -> ::gapi_runtime::ResponseFuture<#output> {
                    ::std::boxed::Box::pin(async move {
                        self.request.upload::<#decode_as>(media, &mime_type).await #finish
                    })
                }
            });
        }
        if mu.resumable_path.is_some() {
            out.extend(quote! {
                /// Uploads media with the resumable protocol, in chunks, resuming
                /// after dropped connections and server errors.
                ///
                /// # Errors
                /// As `execute`, plus I/O errors reading `media`.
                pub fn upload_resumable(self, media: impl ::std::convert::Into<::gapi_runtime::media::UploadSource>, mime_type: &str, options: ::gapi_runtime::media::ResumableOptions) -> ::gapi_runtime::ResponseFuture<#output> {
                    self.upload_resumable_erased(media.into(), mime_type.to_owned(), options)
                }

                // Not generic, so compiled once here (see `execute`).
                #[inline(never)]
                fn upload_resumable_erased(self, media: ::gapi_runtime::media::UploadSource, mime_type: ::std::string::String, options: ::gapi_runtime::media::ResumableOptions) -> ::gapi_runtime::ResponseFuture<#output> {
                    ::std::boxed::Box::pin(async move {
                        self.request.upload_resumable::<#decode_as>(media, &mime_type, options).await #finish
                    })
                }
            });
        }
    }
    if m.download != Download::None {
        out.extend(quote! {
            /// Downloads the media (`alt=media`) into `writer`, resuming with
            /// `Range` after a dropped connection. Returns the bytes written.
            ///
            /// # Errors
            /// As `execute`, plus I/O errors writing.
            pub async fn download<W: ::gapi_runtime::media::AsyncWrite + ::std::marker::Unpin + ::std::marker::Send>(self, writer: &mut W) -> ::std::result::Result<u64, ::gapi_runtime::Error> {
                self.request.download(writer).await
            }

            /// As `download`, calling `progress(bytes written, total)` after
            /// every piece written (the total when the server says it), e.g.
            /// to drive a progress bar.
            ///
            /// # Errors
            /// As `download`.
            pub async fn download_with_progress<W: ::gapi_runtime::media::AsyncWrite + ::std::marker::Unpin + ::std::marker::Send>(self, writer: &mut W, progress: impl ::std::ops::Fn(u64, ::std::option::Option<u64>) + ::std::marker::Send + ::std::marker::Sync) -> ::std::result::Result<u64, ::gapi_runtime::Error> {
                self.request.download_with_progress(writer, progress).await
            }
        });
    }
    out
}
