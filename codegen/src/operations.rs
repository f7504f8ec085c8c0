//! Long-running operations, found in the document rather than in a list of
//! APIs: which schemas are operations, how each is polled, and which methods
//! start one.
//!
//! The rules:
//! - **AIP-151 operation**: an object schema with a boolean `done`, a
//!   string `name` and an `error`. It is polled by the API's `get` for it:
//!   a GET method returning the schema whose path is a fixed prefix and one
//!   `{+var}` (`v1/{+name}`); of several, an operations resource's `get`
//!   with the shortest id.
//! - **Compute-style operation**: an object schema with a string `selfLink`
//!   and a `status` whose enum has `DONE`. It is polled by the GET methods
//!   of the API's operations resources (`globalOperations.get`,
//!   `regionOperations.get`, `zoneOperations.get`, …) that return it; the
//!   runtime picks the one whose path template matches the `selfLink`.
//! - A method **starts an operation** when it returns such a schema and
//!   is not itself a method of an operations resource (whose `get`, `list`
//!   and `wait` return operations without starting one).
//!
//! A schema with no way to poll it gets no poller.

use std::collections::BTreeMap;

use gapi_discovery::model::{HttpMethod as DHttpMethod, Method as DMethod, Resource};
use gapi_discovery::{RestDescription, SchemaType};

use crate::ir::{PollGet, Polling, PollingStyle};
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

/// Finds the operation schemas of `doc` and their polling; the statics'
/// names are claimed in `root_ns` (the crate root's namespace).
pub(crate) fn find(doc: &RestDescription, root_ns: &mut Namespace) -> Found {
    let methods = all_methods(doc);
    let mut found = Found::default();
    for (schema_name, schema) in doc.schemas() {
        let Some(props) = schema.properties.as_ref() else {
            continue;
        };
        let is_type = |name: &str, t: SchemaType| {
            props
                .get(name)
                .is_some_and(|p| p.type_ == Some(t) && p.reference.is_none())
        };
        let returns_it = |m: &&&DMethod| {
            m.http_method == DHttpMethod::GET
                && m.response.as_ref().and_then(|r| r.reference.as_deref())
                    == Some(schema_name.as_str())
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
        let style = if aip {
            methods
                .iter()
                .filter(returns_it)
                .filter_map(|m| Some((*m, single_reserved_var(&m.path)?)))
                // Any `prefix/{+name}` GET fetches the operation by its name;
                // an operations resource's own `get` names it best.
                .min_by_key(|(m, _)| {
                    let id = m.id.clone().unwrap_or_default();
                    (!is_operations_method(&id), id.len(), id)
                })
                .map(|(m, param)| PollingStyle::ByName {
                    get: poll_get(m, schema_name, 0, root_ns),
                    param,
                })
        } else if compute {
            let mut gets: Vec<&DMethod> = methods
                .iter()
                .filter(returns_it)
                .filter(|m| is_operations_method(m.id.as_deref().unwrap_or("")))
                .filter(|m| m.id.as_deref().is_some_and(|id| id.ends_with(".get")))
                .copied()
                .collect();
            // Most specific first: fewer `{+var}`s (they match any number of
            // segments), then more literal segments.
            gets.sort_by_key(|m| {
                let reserved = m.path.matches("{+").count();
                let literal = m.path.split('/').filter(|s| !s.contains('{')).count();
                (reserved, std::cmp::Reverse(literal), m.id.clone())
            });
            (!gets.is_empty()).then(|| PollingStyle::BySelfLink {
                gets: gets
                    .iter()
                    .enumerate()
                    .map(|(n, m)| poll_get(m, schema_name, n, root_ns))
                    .collect(),
            })
        } else {
            None
        };
        if let Some(style) = style {
            found
                .by_schema
                .insert(schema_name.clone(), found.pollings.len());
            found.pollings.push(Polling {
                static_name: root_ns.claim(names::const_name(&format!("{schema_name}Polling"))),
                schema: schema_name.clone(),
                style,
            });
        }
    }
    found
}

/// `v1/{+name}` → `name`: a path of fixed segments ending in one `{+var}`.
fn single_reserved_var(path: &str) -> Option<String> {
    let (prefix, var) = path.rsplit_once("{+")?;
    let var = var.strip_suffix('}')?;
    (!prefix.contains('{') && !var.contains(['{', '}', '/'])).then(|| var.to_string())
}

fn poll_get(m: &DMethod, schema: &str, n: usize, root_ns: &mut Namespace) -> PollGet {
    PollGet {
        spec_name: root_ns.claim(names::const_name(&format!("Poll{schema}{n}Spec"))),
        id: m.id.clone().unwrap_or_default(),
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
    }
}
