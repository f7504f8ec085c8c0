//! Discovery model → IR. Every naming and typing decision happens here.

use std::collections::{BTreeMap, BTreeSet};

use gapi_discovery::model::{Body, Method as DMethod, Resource as DResource};
use gapi_discovery::{ParameterLocation, RestDescription, Schema, SchemaType};

use crate::ir::*;
use crate::names::{self, Namespace, RustName};

/// Names every call builder defines itself; parameters yield to them.
pub const CALL_RESERVED: &[&str] = &[
    "request",
    "execute",
    "preview",
    "pages",
    "items",
    "fields",
    "quota_user",
    "header",
    "param",
    "retry_policy",
    "upload",
    "upload_resumable",
    "upload_erased",
    "upload_resumable_erased",
    "download",
    "download_with_progress",
    "into_request",
    "poll",
    "stream",
];

/// The query parameter of paged methods.
const PAGE_TOKEN: &str = "pageToken";

/// Lowers a document into the IR.
pub fn lower(doc: &RestDescription, resource_features: bool) -> Api {
    let mut l = Lowerer::new(doc);
    l.lower_schemas();
    let mut root_ns =
        Namespace::with_reserved(&["SERVICE", "types", "scopes", "build", "auth", "Error"]);
    let service_type = root_ns.claim(names::type_name(
        doc.canonical_name.as_deref().unwrap_or(&doc.name),
    ));
    let mut root_values =
        Namespace::with_reserved(&["builder", "from_client", "client", "new", "batch"]);
    l.operations = crate::operations::find(doc, &mut root_ns);

    // Top-level methods live at the crate root.
    let mut root_enums = Vec::new();
    let mut methods = Vec::new();
    for (name, m) in doc.methods() {
        let fn_name = root_values.claim(names::value_name(name));
        methods.push(l.lower_method(name, m, "", fn_name, &mut root_ns, &mut root_enums));
    }

    let mut resources = Vec::new();
    for (name, r) in doc.resources() {
        let accessor = root_values.claim_with(names::value_name(name), "_resource");
        let module = root_ns.claim_with(names::value_name(name), "_resource");
        let mut module_ns = Namespace::with_reserved(&[]);
        let mut enums = Vec::new();
        let resource = l.lower_resource(name, r, "", accessor, &mut module_ns, &mut enums);
        resources.push(ResourceModule {
            module,
            feature: resource_features.then(|| feature_name(name)),
            enums,
            resource,
        });
    }
    if resource_features {
        l.gate_types(&resources, &methods);
    }
    l.box_recursive_fields();
    box_struct_fields(&mut l.types);

    let mut scope_ns = Namespace::default();
    let scopes = doc
        .scopes()
        .iter()
        .map(|(url, info)| Scope {
            name: scope_ns.claim(scope_const_name(url)),
            url: url.clone(),
            doc: l.prose(info.description.as_deref()),
        })
        .collect();

    Api {
        id: doc
            .id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", doc.name, doc.version)),
        name: doc.name.clone(),
        version: doc.version.clone(),
        revision: doc.revision.clone().unwrap_or_default(),
        title: doc.title.clone().unwrap_or_else(|| doc.name.clone()),
        doc: l.prose(doc.description.as_deref()),
        documentation_link: doc.documentation_link.clone(),
        root_url: doc
            .root_url
            .clone()
            .unwrap_or_else(|| "https://www.googleapis.com/".to_string()),
        service_path: doc.service_path.clone().unwrap_or_default(),
        fully_encode_reserved_expansion: doc.fully_encode_reserved_expansion.unwrap_or(false),
        data_wrapper: doc
            .features
            .as_ref()
            .is_some_and(|f| f.iter().any(|f| f == "dataWrapper")),
        endpoints: doc
            .endpoints
            .iter()
            .flatten()
            .filter(|e| e.deprecated != Some(true))
            .filter_map(|e| Some((e.location.clone()?, e.endpoint_url.clone()?)))
            .collect(),
        pollings: std::mem::take(&mut l.operations.pollings),
        batch: doc.batch_path.as_ref().map(|path| Batch {
            id: format!("{}.batch", doc.name),
            path: path.clone(),
            max_calls: batch_limit(&doc.name),
        }),
        service_type,
        scopes,
        types: l.types,
        resources,
        methods,
        root_enums,
        warnings: l.warnings,
    }
}

/// `models/` for a path pattern `^models/[^/]+$`: one literal collection
/// segment, then one id. Such parameters accept the bare id too
/// (`"gemini-2.5-flash"` as well as `"models/gemini-2.5-flash"`), so a bare
/// id never reaches a different path.
fn collection_of(pattern: &str) -> Option<String> {
    let collection = pattern.strip_prefix('^')?.strip_suffix("/[^/]+$")?;
    (!collection.is_empty()
        && collection
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then(|| format!("{collection}/"))
}

/// Whether method `wire` streams its answer, and how: a method whose name
/// starts with `stream` or has `streaming` in it (`streamGenerateContent`,
/// `serverStreamingPredict`, `executeStreamingSql`; not `getStream`, which
/// gets a Stream resource). Over REST Google answers these with a JSON array
/// sent piece by piece; Generative Language and Vertex AI also send
/// server-sent events with `alt=sse`, which their guides use, and which
/// yields each element without scanning for the array's structure.
fn streaming(wire: &str, api: &str) -> Option<Streaming> {
    let name = wire.to_ascii_lowercase();
    if !(name.starts_with("stream") || name.contains("streaming")) {
        return None;
    }
    Some(match api {
        "generativelanguage" | "aiplatform" => Streaming::ServerSentEvents,
        _ => Streaming::JsonArray,
    })
}

/// The most calls one batch request of API `name` may carry: Google's
/// general limit of 1000, or the lower one an API's guide documents
/// (Drive and Gmail: 100; Calendar: 50).
fn batch_limit(name: &str) -> usize {
    match name {
        "drive" | "gmail" => 100,
        "calendar" => 50,
        _ => 1000,
    }
}

/// Cargo feature name of a top-level resource.
pub fn feature_name(resource: &str) -> String {
    let s = names::snake(resource);
    if s.is_empty() {
        "resource".to_string()
    } else {
        s
    }
}

fn scope_const_name(url: &str) -> RustName {
    let short = url
        .trim_start_matches("https://www.googleapis.com/auth/")
        .trim_start_matches("https://")
        .trim_end_matches('/');
    names::const_name(short)
}

/// Parses `maxSize` such as `5120GB` (binary units, as Google means them).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..digits].parse().ok()?;
    let factor: u64 = match t[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" => 1 << 10,
        "MB" | "M" => 1 << 20,
        "GB" | "G" => 1 << 30,
        "TB" | "T" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(factor)
}

struct Lowerer<'a> {
    doc: &'a RestDescription,
    /// Where root-relative links in the document's prose point.
    site: String,
    type_ns: Namespace,
    /// Each schema's place in the arena, reserved before any is lowered so
    /// that a `$ref` resolves whatever the order.
    schema_ids: BTreeMap<String, TypeId>,
    /// The arena.
    types: Vec<TypeDef>,
    warnings: Vec<String>,
    /// Operation schemas and their polling.
    operations: crate::operations::Found,
}

impl<'a> Lowerer<'a> {
    fn new(doc: &'a RestDescription) -> Self {
        let mut l = Lowerer {
            doc,
            site: crate::docs::site_of(doc.documentation_link.as_deref()),
            type_ns: Namespace::default(),
            schema_ids: BTreeMap::new(),
            types: Vec::new(),
            warnings: Vec::new(),
            operations: Default::default(),
        };
        // Names already in canonical form keep it; the others come second.
        let (canonical, other): (Vec<&String>, Vec<&String>) = doc
            .schemas()
            .keys()
            .partition(|name| names::type_name(name).text == **name);
        for wire in canonical.into_iter().chain(other) {
            let name = l.type_ns.claim(names::type_name(wire));
            let id = l.reserve(name);
            l.schema_ids.insert(wire.clone(), id);
        }
        l
    }

    /// Google's prose as the IR keeps it ([`crate::docs::prose`]).
    fn prose(&self, text: Option<&str>) -> String {
        crate::docs::prose(text.unwrap_or(""), &self.site)
    }

    /// A slot in the arena for a type about to be defined.
    fn reserve(&mut self, name: RustName) -> TypeId {
        self.types.push(TypeDef {
            name,
            doc: String::new(),
            features: Vec::new(),
            module: None,
            kind: TypeKind::Alias(Type::Any),
        });
        TypeId(self.types.len() - 1)
    }

    fn lower_schemas(&mut self) {
        for (wire, schema) in self.doc.schemas() {
            let id = self.schema_ids[wire];
            self.define(id, schema, wire);
        }
        self.break_alias_cycles();
    }

    /// Aliases that lead back to themselves (`"A": {"$ref": "A"}`, or
    /// `A` = `Vec<B>`, `B` = `A`) name no type Rust can have: each becomes
    /// a JSON value, with a warning. A struct on the way breaks the cycle
    /// (structs are named types), so only aliases are followed.
    fn break_alias_cycles(&mut self) {
        let edges: Vec<Vec<usize>> = self
            .types
            .iter()
            .map(|t| match &t.kind {
                TypeKind::Alias(ty) => {
                    let mut out = BTreeSet::new();
                    named_in(ty, &mut out);
                    out.into_iter().map(|id| id.0).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        let component = strongly_connected(&edges);
        let mut size = BTreeMap::new();
        for c in &component {
            *size.entry(*c).or_insert(0) += 1;
        }
        for (i, t) in self.types.iter_mut().enumerate() {
            let looped = size[&component[i]] > 1 || edges[i].contains(&i);
            if looped && matches!(t.kind, TypeKind::Alias(_)) {
                self.warnings.push(format!(
                    "schema {} refers to itself through aliases only; typed as a JSON value",
                    t.name.text
                ));
                t.kind = TypeKind::Alias(Type::Any);
            }
        }
    }

    /// A new named type for `schema` (an inline object or enum) called `ctx`.
    fn new_named(&mut self, schema: &Schema, ctx: &str) -> Type {
        let name = self.type_ns.claim(names::type_name(ctx));
        let id = self.reserve(name.clone());
        self.define(id, schema, ctx);
        Type::Named { id, name }
    }

    /// Fills the arena slot `id` with the type `schema` describes.
    fn define(&mut self, id: TypeId, schema: &Schema, ctx: &str) {
        let name = self.types[id.0].name.clone();
        let doc = self.prose(schema.description.as_deref());
        let kind = if let Some(values) = schema.enum_values.as_ref().filter(|v| !v.is_empty()) {
            TypeKind::Enum(self.variants(schema, values))
        } else if is_object(schema) && schema.additional_properties.is_none()
            || !schema.properties().is_empty()
        {
            TypeKind::Struct(self.fields(&name, schema))
        } else {
            TypeKind::Alias(self.lower_type(schema, ctx))
        };
        let def = &mut self.types[id.0];
        def.doc = doc;
        def.kind = kind;
    }

    fn variants(&mut self, schema: &Schema, values: &[String]) -> Vec<Variant> {
        let mut ns = Namespace::with_reserved(&["Unknown"]);
        // Values already in canonical form keep their name (`ACTIVATED` and
        // `activated` both want `Activated`; order decides, deterministically).
        values
            .iter()
            .enumerate()
            .map(|(i, value)| Variant {
                name: ns.claim(names::type_name(value)),
                value: value.clone(),
                doc: self.prose(
                    schema
                        .enum_descriptions
                        .as_ref()
                        .and_then(|d| d.get(i))
                        .map(String::as_str),
                ),
                deprecated: schema
                    .enum_deprecated
                    .as_ref()
                    .and_then(|d| d.get(i))
                    .copied()
                    .unwrap_or(false),
            })
            .collect()
    }

    fn fields(&mut self, owner: &RustName, schema: &Schema) -> Vec<Field> {
        // Wire names that are already snake_case claim first, so `type` keeps
        // `r#type` and `@type` yields.
        let mut ns = Namespace::default();
        let props = schema.properties();
        let mut claimed: BTreeMap<&str, RustName> = BTreeMap::new();
        let (canonical, other): (Vec<&String>, Vec<&String>) = props
            .keys()
            .partition(|wire| names::value_name(wire).text == **wire);
        for wire in canonical.into_iter().chain(other) {
            claimed.insert(wire.as_str(), ns.claim(names::value_name(wire)));
        }
        let mut fields = Vec::new();
        for (wire, prop) in props {
            let name = claimed[wire.as_str()].clone();
            let ctx = format!("{}{}", owner.text, names::camel(wire));
            let ty = self.lower_type(prop, &ctx);
            fields.push(Field {
                setter: names::setter_name(&name),
                name,
                wire: wire.clone(),
                ty,
                doc: self.prose(prop.description.as_deref()),
                deprecated: prop.deprecated.unwrap_or(false),
            });
        }
        fields
    }

    /// The Rust type of a value; nested objects and enums become named types
    /// called `ctx`.
    fn lower_type(&mut self, schema: &Schema, ctx: &str) -> Type {
        if let Some(reference) = &schema.reference {
            return match self.schema_ids.get(reference) {
                Some(&id) => Type::Named {
                    id,
                    name: self.types[id.0].name.clone(),
                },
                None => {
                    self.warnings.push(format!(
                        "`$ref: {reference}` names no schema; `{ctx}` is typed as a JSON value"
                    ));
                    Type::Any
                }
            };
        }
        if schema.enum_values.as_ref().is_some_and(|v| !v.is_empty()) {
            return self.new_named(schema, ctx);
        }
        let format = schema.format.as_deref();
        match schema.type_ {
            Some(
                SchemaType::String | SchemaType::Integer | SchemaType::Number | SchemaType::Boolean,
            ) => scalar(schema.type_, format, Wire::Json),
            Some(SchemaType::Any) | Some(SchemaType::Null) => Type::Any,
            Some(SchemaType::Array) => match &schema.items {
                Some(items) => Type::Vec(Box::new(self.lower_type(items, &format!("{ctx}Item")))),
                None => Type::Vec(Box::new(Type::Any)),
            },
            Some(SchemaType::Object) | None => {
                if !schema.properties().is_empty() {
                    self.new_named(schema, ctx)
                } else if let Some(values) = &schema.additional_properties {
                    Type::Map(Box::new(self.lower_type(values, &format!("{ctx}Value"))))
                } else {
                    Type::Any
                }
            }
        }
    }

    fn body_type(&mut self, body: &Body, ctx: &str) -> Type {
        let schema = Schema {
            reference: body.reference.clone(),
            type_: body.type_,
            additional_properties: body.additional_properties.clone(),
            ..Schema::default()
        };
        self.lower_type(&schema, ctx)
    }

    fn lower_resource(
        &mut self,
        wire: &str,
        r: &DResource,
        parent_path: &str,
        accessor: RustName,
        module_ns: &mut Namespace,
        enums: &mut Vec<TypeDef>,
    ) -> Resource {
        let path = format!("{parent_path}{}", names::camel(wire));
        let type_name = module_ns.claim(names::type_name(&format!("{path}Resource")));
        let mut values = Namespace::with_reserved(&["client", "new"]);
        let mut methods = Vec::new();
        for (name, m) in r.methods() {
            let fn_name = values.claim(names::value_name(name));
            methods.push(self.lower_method(name, m, &path, fn_name, module_ns, enums));
        }
        let mut resources = Vec::new();
        for (name, sub) in r.resources() {
            let accessor = values.claim_with(names::value_name(name), "_resource");
            resources.push(self.lower_resource(name, sub, &path, accessor, module_ns, enums));
        }
        Resource {
            wire: wire.to_string(),
            accessor,
            type_name,
            resources,
            methods,
            deprecated: r.deprecated.unwrap_or(false),
        }
    }

    fn lower_method(
        &mut self,
        wire: &str,
        m: &DMethod,
        resource_path: &str,
        fn_name: RustName,
        module_ns: &mut Namespace,
        enums: &mut Vec<TypeDef>,
    ) -> Method {
        let base = format!("{resource_path}{}", names::camel(wire));
        let call_type = module_ns.claim(names::type_name(&format!("{base}Call")));
        let spec_name = module_ns.claim(names::const_name(&format!("{base}Spec")));
        let params = m.parameters();

        let mut args = Namespace::with_reserved(&["self", "gapi_request"]);
        let mut positional = Vec::new();
        for wire_name in m.parameter_order() {
            let Some(p) = params.get(wire_name) else {
                continue;
            };
            let name = args.claim(names::value_name(wire_name));
            positional.push(self.lower_param(wire_name, p, name, &base, module_ns, enums));
        }
        let request = m.request.as_ref().map(|body| {
            let name = args.claim_with(names::value_name("request"), "_body");
            (name, self.body_type(body, &format!("{base}Request")))
        });

        let mut setters = Namespace::with_reserved(CALL_RESERVED);
        let mut optional = Vec::new();
        for (wire_name, p) in params {
            if m.parameter_order().iter().any(|o| o == wire_name) {
                continue;
            }
            let name = setters.claim_with(names::value_name(wire_name), "_param");
            optional.push(self.lower_param(wire_name, p, name, &base, module_ns, enums));
        }

        let response = m
            .response
            .as_ref()
            .map(|body| self.body_type(body, &format!("{base}Response")));
        let streaming = streaming(wire, &self.doc.name).filter(|_| response.is_some());
        // A streamed answer is a sequence of pages already (YouTube's
        // `liveChatMessages.stream` sends one per element): no page loop.
        let paging = match streaming {
            Some(_) => None,
            None => self.paging(m, response.as_ref()),
        };
        let media_upload = m.media_upload.as_ref().map(|mu| {
            let protocols = mu.protocols.as_ref();
            MediaUpload {
                simple_path: protocols
                    .and_then(|p| p.simple.as_ref())
                    .and_then(|p| p.path.clone()),
                resumable_path: protocols
                    .and_then(|p| p.resumable.as_ref())
                    .and_then(|p| p.path.clone()),
                max_size: mu.max_size.as_deref().and_then(parse_size),
                accept: mu.accept.clone().unwrap_or_default(),
            }
        });
        let download = match (m.supports_media_download, m.use_media_download_service) {
            (Some(true), Some(true)) => Download::Service,
            (Some(true), _) => Download::AltMedia,
            _ => Download::None,
        };
        Method {
            id: m.id.clone().unwrap_or_else(|| wire.to_string()),
            fn_name,
            call_type,
            spec_name,
            doc: self.prose(m.description.as_deref()),
            http_method: m.http_method.clone(),
            path: m.path.clone(),
            scopes: m.scopes().to_vec(),
            api_version: m.api_version.clone(),
            deprecated: m.deprecated.unwrap_or(false),
            positional,
            optional,
            request,
            response,
            paging,
            media_upload,
            download,
            polling: self.operations.started_by(m).map(|p| p.static_name.clone()),
            streaming,
        }
    }

    fn lower_param(
        &mut self,
        wire: &str,
        p: &Schema,
        name: RustName,
        method_base: &str,
        module_ns: &mut Namespace,
        enums: &mut Vec<TypeDef>,
    ) -> Param {
        let values = p.enum_values.as_ref().filter(|v| !v.is_empty());
        // A body field with the same values already has a type: take it, so
        // a value read from a response can be passed back as is.
        let shared = values.and_then(|v| self.enum_with_values(v));
        let ty = match (values, shared) {
            (_, Some(shared)) => shared,
            (Some(values), None) => {
                let enum_name = module_ns.claim(names::type_name(&format!(
                    "{method_base}{}",
                    names::camel(wire)
                )));
                let variants = self.variants(p, values);
                enums.push(TypeDef {
                    name: enum_name.clone(),
                    doc: self.prose(p.description.as_deref()),
                    features: Vec::new(),
                    module: None,
                    kind: TypeKind::Enum(variants),
                });
                Type::LocalEnum(enum_name)
            }
            (None, None) => match p.type_ {
                Some(
                    SchemaType::String
                    | SchemaType::Integer
                    | SchemaType::Number
                    | SchemaType::Boolean,
                ) => scalar(p.type_, p.format.as_deref(), Wire::Param),
                _ => Type::String,
            },
        };
        Param {
            wire: wire.to_string(),
            name,
            arg: arg_kind(&ty),
            ty,
            location: match p.location {
                Some(ParameterLocation::Path) => Location::Path,
                _ => Location::Query,
            },
            repeated: p.is_repeated(),
            doc: self.prose(p.description.as_deref()),
            deprecated: p.deprecated.unwrap_or(false),
            collection: (p.location == Some(ParameterLocation::Path))
                .then(|| collection_of(p.pattern.as_deref()?))
                .flatten(),
        }
    }

    /// The named enum whose values are exactly `values` (the first by
    /// name, when several are).
    fn enum_with_values(&self, values: &[String]) -> Option<Type> {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, t)| match &t.kind {
                TypeKind::Enum(variants) => {
                    variants.len() == values.len()
                        && variants.iter().zip(values).all(|(v, w)| v.value == *w)
                }
                _ => false,
            })
            .min_by(|(_, a), (_, b)| a.name.text.cmp(&b.name.text))
            .map(|(i, t)| Type::Named {
                id: TypeId(i),
                name: t.name.clone(),
            })
    }

    /// A method pages when it takes `pageToken` in the query and its response
    /// struct has `nextPageToken`; its items are the one list of structs.
    fn paging(&self, m: &DMethod, response: Option<&Type>) -> Option<Paging> {
        let token = m.parameters().get(PAGE_TOKEN)?;
        if token.location != Some(ParameterLocation::Query) {
            return None;
        }
        let Some(Type::Named { id, .. }) = response else {
            return None;
        };
        let TypeKind::Struct(fields) = &self.types[id.0].kind else {
            return None;
        };
        let next = fields
            .iter()
            .find(|f| f.wire == "nextPageToken" && f.ty == Type::String)?;
        let lists: Vec<&Field> = fields
            .iter()
            .filter(|f| matches!(&f.ty, Type::Vec(inner) if matches!(**inner, Type::Named { .. })))
            .collect();
        let items = match lists.as_slice() {
            [one] => Some(*one),
            many => many.iter().find(|f| f.wire == "items").copied(),
        }
        .and_then(|f| match &f.ty {
            Type::Vec(inner) => Some((f.name.clone(), (**inner).clone())),
            _ => None,
        });
        Some(Paging {
            token_param: PAGE_TOKEN.to_string(),
            next_token_field: next.name.clone(),
            items,
        })
    }

    /// Adds `cfg(feature)` gates: a type is compiled when any resource that
    /// reaches it is. Types reached by top-level methods, by every resource,
    /// or by none stay ungated.
    fn gate_types(&mut self, resources: &[ResourceModule], root_methods: &[Method]) {
        let deps: Vec<BTreeSet<TypeId>> = self
            .types
            .iter()
            .map(|t| {
                let mut out = BTreeSet::new();
                match &t.kind {
                    TypeKind::Struct(fields) => {
                        fields.iter().for_each(|f| named_in(&f.ty, &mut out))
                    }
                    TypeKind::Alias(ty) => named_in(ty, &mut out),
                    TypeKind::Enum(_) => {}
                }
                out
            })
            .collect();
        let closure = |roots: BTreeSet<TypeId>| {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<TypeId> = roots.into_iter().collect();
            while let Some(t) = stack.pop() {
                if seen.insert(t) {
                    stack.extend(deps[t.0].iter().copied());
                }
            }
            seen
        };
        let always = closure(method_roots(root_methods.iter()));
        let mut reached_by: BTreeMap<TypeId, BTreeSet<String>> = BTreeMap::new();
        for r in resources {
            let Some(feature) = &r.feature else { continue };
            let mut all = Vec::new();
            collect_methods(&r.resource, &mut all);
            for t in closure(method_roots(all.into_iter())) {
                reached_by.entry(t).or_default().insert(feature.clone());
            }
        }
        let every = resources.iter().filter(|r| r.feature.is_some()).count();
        let gated = |i: usize| {
            !always.contains(&TypeId(i))
                && reached_by
                    .get(&TypeId(i))
                    .is_some_and(|features| features.len() < every)
        };
        // An ungated type must not name a gated one: a type no method
        // reaches is always compiled, so everything it refers to must be too.
        let ungated = closure(
            (0..self.types.len())
                .filter(|&i| !gated(i))
                .map(TypeId)
                .collect(),
        );
        for (i, t) in self.types.iter_mut().enumerate() {
            if ungated.contains(&TypeId(i)) {
                continue;
            }
            if let Some(features) = reached_by.get(&TypeId(i)) {
                t.features = features.iter().cloned().collect();
            }
            // Types of one feature alone go to a module of their own, so
            // that a big API's types are not one file. It takes the name of
            // the resource's module, which is already clear of clashes
            // (deploymentmanager's `types` resource is `types_resource`).
            if let [only] = t.features.as_slice() {
                t.module = resources
                    .iter()
                    .find(|r| r.feature.as_deref() == Some(only.as_str()))
                    .map(|r| r.module.clone());
            }
        }
    }

    /// Boxes struct fields that would make a type infinitely large: a plain
    /// (non-`Vec`, non-map) reference inside the same strongly connected
    /// component of the plain-reference graph.
    fn box_recursive_fields(&mut self) {
        let edges: Vec<Vec<usize>> = self
            .types
            .iter()
            .map(|t| match &t.kind {
                TypeKind::Struct(fields) => fields
                    .iter()
                    .filter_map(|f| match &f.ty {
                        Type::Named { id, .. } => Some(id.0),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let component = strongly_connected(&edges);
        for i in 0..self.types.len() {
            let mine = component[i];
            if let TypeKind::Struct(fields) = &mut self.types[i].kind {
                for f in fields {
                    if let Type::Named { id, .. } = &f.ty {
                        if component[id.0] == mine {
                            f.ty = Type::Boxed(Box::new(f.ty.clone()));
                        }
                    }
                }
            }
        }
    }
}

/// Boxes every field that holds one struct (not a list or map of them).
///
/// The rule looks only at the field's own shape, never at how large the
/// struct it holds is, so a field's type does not change when Google adds
/// fields to some other schema: regenerating for a new revision keeps every
/// field's type unless Google changed that field (0 boxing changes over the
/// 522 revision pairs `gapi-codegen diff` covers; a size limit made 426).
/// Boxed, an absent nested object costs 8 bytes in its parent and a present
/// one an allocation, so a `File` stays small however many nested objects
/// Google gives it, and a page of them decodes with little copying.
fn box_struct_fields(types: &mut [TypeDef]) {
    let is_struct: Vec<bool> = types
        .iter()
        .map(|t| matches!(t.kind, TypeKind::Struct(_)))
        .collect();
    for t in types.iter_mut() {
        if let TypeKind::Struct(fields) = &mut t.kind {
            for f in fields {
                if let Type::Named { id, .. } = &f.ty {
                    if is_struct[id.0] {
                        f.ty = Type::Boxed(Box::new(f.ty.clone()));
                    }
                }
            }
        }
    }
}

/// Where a scalar travels; the one place a discovery type and format become
/// a Rust type, for fields and parameters alike.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// A JSON body: 64-bit integers are JSON strings there.
    Json,
    /// A path or query parameter: everything is text already.
    Param,
}

fn scalar(type_: Option<SchemaType>, format: Option<&str>, wire: Wire) -> Type {
    let string_encoded = wire == Wire::Json;
    match (type_, format) {
        (Some(SchemaType::String) | Some(SchemaType::Integer), Some("int64")) => Type::I64 {
            string_encoded: string_encoded && type_ == Some(SchemaType::String),
        },
        (Some(SchemaType::String) | Some(SchemaType::Integer), Some("uint64")) => Type::U64 {
            string_encoded: string_encoded && type_ == Some(SchemaType::String),
        },
        (Some(SchemaType::Integer), Some("uint32")) => Type::U32,
        (Some(SchemaType::Integer), _) => Type::I32,
        (Some(SchemaType::Number), Some("float")) => Type::F32,
        (Some(SchemaType::Number), _) => Type::F64,
        (Some(SchemaType::Boolean), _) => Type::Bool,
        (Some(SchemaType::String), Some("byte")) => Type::Bytes,
        (Some(SchemaType::String), Some("date-time") | Some("google-datetime")) => Type::DateTime,
        (Some(SchemaType::String), Some("google-duration")) => Type::Duration,
        (Some(SchemaType::String), Some("google-fieldmask")) => Type::FieldMask,
        _ => Type::String,
    }
}

/// How a parameter of type `ty` is taken.
fn arg_kind(ty: &Type) -> ArgKind {
    match ty {
        Type::String => ArgKind::Str,
        Type::DateTime
        | Type::Duration
        | Type::FieldMask
        | Type::Bytes
        | Type::LocalEnum(_)
        // Only enums reach parameters as named types.
        | Type::Named { .. } => ArgKind::Into,
        _ => ArgKind::Value,
    }
}

fn is_object(schema: &Schema) -> bool {
    matches!(schema.type_, Some(SchemaType::Object) | None) && schema.reference.is_none()
}

fn named_in(ty: &Type, out: &mut BTreeSet<TypeId>) {
    match ty {
        Type::Named { id, .. } => {
            out.insert(*id);
        }
        Type::Vec(inner) | Type::Map(inner) | Type::Boxed(inner) => named_in(inner, out),
        _ => {}
    }
}

fn method_roots<'m>(methods: impl Iterator<Item = &'m Method>) -> BTreeSet<TypeId> {
    let mut roots = BTreeSet::new();
    for m in methods {
        if let Some((_, ty)) = &m.request {
            named_in(ty, &mut roots);
        }
        if let Some(ty) = &m.response {
            named_in(ty, &mut roots);
        }
        for p in m.positional.iter().chain(&m.optional) {
            named_in(&p.ty, &mut roots);
        }
    }
    roots
}

fn collect_methods<'r>(r: &'r Resource, out: &mut Vec<&'r Method>) {
    out.extend(r.methods.iter());
    for sub in &r.resources {
        collect_methods(sub, out);
    }
}

/// Tarjan's algorithm, iteratively (schemas nest deeply in large APIs).
/// Returns a component id per node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component[w] = next_component;
                        if w == v {
                            break;
                        }
                    }
                    next_component += 1;
                }
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    #[test]
    fn collection_patterns_and_streaming_names() {
        assert_eq!(
            super::collection_of("^models/[^/]+$").as_deref(),
            Some("models/")
        );
        assert_eq!(
            super::collection_of("^tunedModels/[^/]+$").as_deref(),
            Some("tunedModels/")
        );
        assert_eq!(
            super::collection_of("^projects/[^/]+/locations/[^/]+$"),
            None
        );
        assert_eq!(super::collection_of("^operations/.*$"), None);
        assert_eq!(super::collection_of("^[^/]+$"), None);
        use crate::ir::Streaming;
        assert_eq!(
            super::streaming("streamGenerateContent", "generativelanguage"),
            Some(Streaming::ServerSentEvents)
        );
        assert_eq!(
            super::streaming("executeStreamingSql", "spanner"),
            Some(Streaming::JsonArray)
        );
        assert_eq!(
            super::streaming("serverStreamingPredict", "aiplatform"),
            Some(Streaming::ServerSentEvents)
        );
        assert_eq!(super::streaming("getStream", "datastream"), None);
        assert_eq!(super::streaming("createStream", "datastream"), None);
    }

    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(parse_size("5120GB"), Some(5120 << 30));
        assert_eq!(parse_size("10MB"), Some(10 << 20));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn tarjan_finds_cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 alone
        let c = strongly_connected(&[vec![1], vec![2], vec![0], vec![3], vec![]]);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[3], c[4]);
    }
}
