//! Long-running operations, found in the document rather than in a list of
//! APIs: which schemas are operations, how each is polled, and which methods
//! start one.
//!
//! The rules:
//! - **AIP-151 operation**: an object schema with a boolean `done`, a
//!   string `name` and an `error`, whatever it is called
//!   (`CustomLongRunningOperation` is one). It is polled by, in order:
//!   1. a GET returning the schema whose path is a fixed prefix and one
//!      `{+var}` (`v1/{+name}`); of several, an operations resource's `get`
//!      with the shortest id;
//!   2. an operations resource's `get` returning any AIP operation schema,
//!      whatever its path (App Engine's
//!      `v1/apps/{appsId}/operations/{operationsId}`, Cloud Storage's
//!      `b/{bucket}/operations/{operationId}`, Drive's `operations/{name}`):
//!      the runtime maps the name onto the path's variables;
//!   3. a `get` returning the schema with one path variable and no custom
//!      verb (Street View's `photoSequence.get`, which takes the
//!      operation's name; not Cloud Identity's
//!      `memberships:getMembershipGraph`, which starts one).
//! - **Compute-style operation**: an object schema with a string `selfLink`
//!   and a `status` whose enum has `DONE`. It is polled by the GET methods
//!   of the API's operations resources (`globalOperations.get`,
//!   `regionOperations.get`, `zoneOperations.get`, …) that return it; the
//!   runtime picks the one whose path template matches the `selfLink`.
//! - Beside each `get`, the same resource's `wait` and `cancel` (same path
//!   variables) are used when present: polls go through `wait`, and
//!   `Canceller::cancel` through `cancel`.
//! - A method **starts an operation** when it returns such a schema and
//!   is not itself a method of an operations resource (whose `get`, `list`
//!   and `wait` return operations without starting one).
//!
//! A schema with no way to poll it gets no poller.

use std::collections::BTreeMap;

use gapi_discovery::model::{HttpMethod as DHttpMethod, Method as DMethod, Resource};
use gapi_discovery::{RestDescription, SchemaType};

use crate::ir::{OperationCall, OperationMethods, OperationShape, Polling};
use crate::names::{self, Namespace};

/// What the document says about operations.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// One per operation schema that can be polled.
    pub(crate) pollings: Vec<Polling>,
    /// Schema name → index in `pollings`.
    by_schema: BTreeMap<String, usize>,
}

impl Found {
    /// The polling of the operation `m` starts, if it starts one.
    pub(crate) fn started_by(&self, m: &DMethod) -> Option<&Polling> {
        let schema = m.response.as_ref()?.reference.as_deref()?;
        let index = *self.by_schema.get(schema)?;
        if is_operations_method(m.id.as_deref().unwrap_or("")) {
            return None;
        }
        self.pollings.get(index)
    }
}

/// Whether the method belongs to an operations resource (`…operations.get`,
/// `….zoneOperations.wait`).
fn is_operations_method(id: &str) -> bool {
    let mut segments = id.rsplit('.');
    segments.next();
    segments
        .next()
        .is_some_and(|resource| resource.to_ascii_lowercase().ends_with("operations"))
}

/// Every method of the document, with its id.
fn all_methods(doc: &RestDescription) -> Vec<&DMethod> {
    fn walk<'a>(resources: impl Iterator<Item = &'a Resource>, out: &mut Vec<&'a DMethod>) {
        for r in resources {
            out.extend(r.methods().values());
            walk(r.resources().values(), out);
        }
    }
    let mut out: Vec<&DMethod> = doc.methods().values().collect();
    walk(doc.resources().values(), &mut out);
    out
}

/// The shape of an operation schema, if it is one.
fn shape_of(schema: &gapi_discovery::Schema) -> Option<OperationShape> {
    let props = schema.properties.as_ref()?;
    let is_type = |name: &str, t: SchemaType| {
        props
            .get(name)
            .is_some_and(|p| p.type_ == Some(t) && p.reference.is_none())
    };
    let aip = is_type("done", SchemaType::Boolean)
        && is_type("name", SchemaType::String)
        && props.contains_key("error");
    let compute = is_type("selfLink", SchemaType::String)
        && props.get("status").is_some_and(|p| {
            p.enum_values
                .as_ref()
                .is_some_and(|values| values.iter().any(|v| v == "DONE"))
        });
    if aip {
        Some(OperationShape::Aip)
    } else if compute {
        Some(OperationShape::Compute)
    } else {
        None
    }
}

/// The schema `m` answers with.
fn response_of(m: &DMethod) -> Option<&str> {
    m.response.as_ref()?.reference.as_deref()
}

/// Finds the operation schemas of `doc` and their polling; the statics'
/// names are claimed in `root_ns` (the crate root's namespace).
pub(crate) fn find(doc: &RestDescription, root_ns: &mut Namespace) -> Found {
    let methods = all_methods(doc);
    let shapes: BTreeMap<&str, OperationShape> = doc
        .schemas()
        .iter()
        .filter_map(|(name, schema)| Some((name.as_str(), shape_of(schema)?)))
        .collect();
    let mut found = Found::default();
    for schema_name in doc.schemas().keys() {
        let Some(shape) = shapes.get(schema_name.as_str()) else {
            continue;
        };
        let gets: Vec<&DMethod> = match shape {
            OperationShape::Aip => aip_get(&methods, &shapes, schema_name)
                .into_iter()
                .collect(),
            OperationShape::Compute => compute_gets(&methods, schema_name),
        };
        if gets.is_empty() {
            continue;
        }
        let methods = gets
            .iter()
            .enumerate()
            .map(|(n, get)| operation_methods(&methods, get, schema_name, n, root_ns))
            .collect();
        found
            .by_schema
            .insert(schema_name.to_string(), found.pollings.len());
        found.pollings.push(Polling {
            static_name: root_ns.claim(names::const_name(&format!("{schema_name}Polling"))),
            schema: schema_name.to_string(),
            shape: *shape,
            methods,
        });
    }
    found
}

fn is_get_of(m: &DMethod, schema: &str) -> bool {
    m.http_method == DHttpMethod::GET && response_of(m) == Some(schema)
}

fn id_of(m: &DMethod) -> &str {
    m.id.as_deref().unwrap_or("")
}

/// The method an AIP operation `schema` is fetched with (rules 1–3).
fn aip_get<'a>(
    methods: &[&'a DMethod],
    shapes: &BTreeMap<&str, OperationShape>,
    schema: &str,
) -> Option<&'a DMethod> {
    let by_reserved_name = methods
        .iter()
        .filter(|m| is_get_of(m, schema) && single_reserved_var(&m.path).is_some())
        // Any `prefix/{+name}` GET fetches the operation by its name;
        // an operations resource's own `get` names it best.
        .min_by_key(|m| (!is_operations_method(id_of(m)), id_of(m).len(), id_of(m)));
    let operations_get = || {
        methods
            .iter()
            .filter(|m| {
                m.http_method == DHttpMethod::GET
                    && is_operations_method(id_of(m))
                    && id_of(m).ends_with(".get")
                    && response_of(m).is_some_and(|r| shapes.get(r) == Some(&OperationShape::Aip))
                    && path_vars(&m.path).next().is_some()
            })
            .min_by_key(|m| {
                let vars = path_vars(&m.path).count();
                (
                    response_of(m) != Some(schema),
                    vars,
                    id_of(m).len(),
                    id_of(m),
                )
            })
    };
    let one_var_get = || {
        methods
            .iter()
            .filter(|m| {
                is_get_of(m, schema)
                    && id_of(m).ends_with(".get")
                    && !m.path.contains(':')
                    && path_vars(&m.path).count() == 1
            })
            .min_by_key(|m| (id_of(m).len(), id_of(m)))
    };
    by_reserved_name
        .or_else(operations_get)
        .or_else(one_var_get)
        .copied()
}

/// The methods a Compute-style operation `schema` is fetched with, most
/// specific first: fewer `{+var}`s (they match any number of segments),
/// then more literal segments.
fn compute_gets<'a>(methods: &[&'a DMethod], schema: &str) -> Vec<&'a DMethod> {
    let mut gets: Vec<&DMethod> = methods
        .iter()
        .filter(|m| is_get_of(m, schema))
        .filter(|m| is_operations_method(id_of(m)) && id_of(m).ends_with(".get"))
        .copied()
        .collect();
    gets.sort_by_key(|m| {
        let reserved = m.path.matches("{+").count();
        let literal = m.path.split('/').filter(|s| !s.contains('{')).count();
        (reserved, std::cmp::Reverse(literal), m.id.clone())
    });
    gets
}

/// The variable names of a path template, in order.
fn path_vars(path: &str) -> impl Iterator<Item = &str> {
    path.split('{').skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?;
        Some(name.trim_start_matches('+'))
    })
}

/// `get` with its resource's `wait` and `cancel`, when they take the same
/// path variables.
fn operation_methods(
    methods: &[&DMethod],
    get: &DMethod,
    schema: &str,
    n: usize,
    root_ns: &mut Namespace,
) -> OperationMethods {
    let resource = id_of(get).strip_suffix(".get").unwrap_or("");
    let mut vars: Vec<&str> = path_vars(&get.path).collect();
    vars.sort_unstable();
    let sibling = |verb: &str| {
        methods.iter().copied().find(|m| {
            let mut theirs: Vec<&str> = path_vars(&m.path).collect();
            theirs.sort_unstable();
            id_of(m)
                .strip_suffix(verb)
                .and_then(|r| r.strip_suffix('.'))
                == Some(resource)
                && m.http_method == DHttpMethod::POST
                && theirs == vars
        })
    };
    let (wait, cancel) = (sibling("wait"), sibling("cancel"));
    OperationMethods {
        get: operation_call(get, &format!("Poll{schema}{n}Spec"), root_ns),
        wait: wait.map(|m| operation_call(m, &format!("Wait{schema}{n}Spec"), root_ns)),
        cancel: cancel.map(|m| operation_call(m, &format!("Cancel{schema}{n}Spec"), root_ns)),
    }
}

/// `v1/{+name}` → `name`: a path of fixed segments ending in one `{+var}`.
fn single_reserved_var(path: &str) -> Option<String> {
    let (prefix, var) = path.rsplit_once("{+")?;
    let var = var.strip_suffix('}')?;
    (!prefix.contains('{') && !var.contains(['{', '}', '/'])).then(|| var.to_string())
}

fn operation_call(m: &DMethod, static_name: &str, root_ns: &mut Namespace) -> OperationCall {
    OperationCall {
        spec_name: root_ns.claim(names::const_name(static_name)),
        id: m.id.clone().unwrap_or_default(),
        http_method: m.http_method.clone(),
        path: m.path.clone(),
        scopes: m.scopes.clone().unwrap_or_default(),
        api_version: m.api_version.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_methods_and_name_paths_are_recognised() {
        assert!(is_operations_method("compute.zoneOperations.get"));
        assert!(is_operations_method(
            "aiplatform.projects.locations.operations.wait"
        ));
        assert!(!is_operations_method("compute.instances.insert"));
        assert!(!is_operations_method("get"));
        assert_eq!(single_reserved_var("v1/{+name}"), Some("name".into()));
        assert_eq!(single_reserved_var("{+name}"), Some("name".into()));
        assert_eq!(single_reserved_var("v1/{+name}:wait"), None);
        assert_eq!(single_reserved_var("v1/projects/{p}/{+name}"), None);
        assert_eq!(
            path_vars("v1/apps/{appsId}/operations/{+operationsId}:wait").collect::<Vec<_>>(),
            vec!["appsId", "operationsId"]
        );
    }
}
