//! A static check that every resource feature compiles on its own.
//!
//! Written apart from the gating rule in [`crate::lower`], from what the
//! compiler needs: whatever is compiled when one feature is on may only
//! name types that are compiled then too. So for each feature `f`:
//! - every type a method of `f`'s resource names is ungated or has `f`;
//! - every type a gated type with `f` names is ungated or has `f`;
//! - an ungated type (compiled with any feature set, even none) names
//!   ungated types only, and so do the top-level methods.
//!
//! [`check`] lists each breach; the whole-catalog generation runs it on
//! every document, so a breach fails CI without compiling 611 crates
//! under each of their features.

use std::collections::BTreeSet;

use crate::ir::{Api, Method, Resource, Type, TypeId, TypeKind};

/// Every place where enabling a single feature would leave a type
/// missing, as `feature: user needs Type (gated to a, b)`.
#[must_use]
pub fn check(api: &Api) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |user: &str, enabled: Option<&str>, id: TypeId| {
        let Some(t) = api.types.get(id.0) else {
            problems.push(format!("{user} names a type that does not exist ({id:?})"));
            return;
        };
        if t.features.is_empty() {
            return;
        }
        let missing = match enabled {
            None => true,
            Some(f) => !t.features.iter().any(|g| g == f),
        };
        if missing {
            problems.push(format!(
                "with {}: {user} needs {} (gated to {})",
                enabled.map_or("no feature".to_string(), |f| format!("feature `{f}`")),
                t.name.text,
                t.features.join(", ")
            ));
        }
    };
    for t in &api.types {
        let mut named = BTreeSet::new();
        match &t.kind {
            TypeKind::Struct(fields) => fields.iter().for_each(|f| types_in(&f.ty, &mut named)),
            TypeKind::Alias(ty) => types_in(ty, &mut named),
            TypeKind::Enum(_) => {}
        }
        let user = format!("type {}", t.name.text);
        if t.features.is_empty() {
            named.iter().for_each(|&id| need(&user, None, id));
        }
        for f in &t.features {
            named.iter().for_each(|&id| need(&user, Some(f), id));
        }
    }
    for m in &api.methods {
        for id in method_types(m) {
            need(&format!("method {}", m.id), None, id);
        }
    }
    for r in &api.resources {
        let mut methods = Vec::new();
        all_methods(&r.resource, &mut methods);
        for m in methods {
            for id in method_types(m) {
                need(&format!("method {}", m.id), r.feature.as_deref(), id);
            }
        }
    }
    problems
}

fn types_in(ty: &Type, out: &mut BTreeSet<TypeId>) {
    match ty {
        Type::Named { id, .. } => {
            out.insert(*id);
        }
        Type::Vec(inner) | Type::Map(inner) | Type::Boxed(inner) => types_in(inner, out),
        _ => {}
    }
}

fn method_types(m: &Method) -> BTreeSet<TypeId> {
    let mut out = BTreeSet::new();
    if let Some((_, ty)) = &m.request {
        types_in(ty, &mut out);
    }
    if let Some(ty) = &m.response {
        types_in(ty, &mut out);
    }
    for p in m.positional.iter().chain(&m.optional) {
        types_in(&p.ty, &mut out);
    }
    out
}

fn all_methods<'r>(r: &'r Resource, out: &mut Vec<&'r Method>) {
    out.extend(&r.methods);
    for sub in &r.resources {
        all_methods(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> gapi_discovery::RestDescription {
        gapi_discovery::parse_slice(
            "test.json",
            json.as_bytes(),
            gapi_discovery::Strictness::Lenient,
        )
        .expect("test document parses")
        .doc
    }

    /// The shape of logging v2's `CopyLogEntriesRequest`: a schema no
    /// method reaches that names one only a resource reaches.
    #[test]
    fn a_type_no_method_reaches_keeps_what_it_names() {
        let d = doc(r#"{
          "name": "t", "version": "v1", "rootUrl": "https://t.googleapis.com/", "servicePath": "",
          "schemas": {
            "Orphan": {"id": "Orphan", "type": "object", "properties": {"f": {"$ref": "Filter"}}},
            "Filter": {"id": "Filter", "type": "object", "properties": {"q": {"type": "string"}}},
            "Other": {"id": "Other", "type": "object", "properties": {"n": {"type": "string"}}}
          },
          "resources": {
            "a": {"methods": {"get": {"id": "t.a.get", "path": "a", "httpMethod": "GET",
                   "response": {"$ref": "Filter"}}}},
            "b": {"methods": {"get": {"id": "t.b.get", "path": "b", "httpMethod": "GET",
                   "response": {"$ref": "Other"}}}}
          }
        }"#);
        let api = crate::lower::lower(&d, true);
        assert_eq!(check(&api), Vec::<String>::new());
        let gated: Vec<_> = api
            .types
            .iter()
            .filter(|t| !t.features.is_empty())
            .map(|t| (t.name.text.clone(), t.features.clone()))
            .collect();
        // `Filter` stays compiled always (the orphan names it); `Other` is
        // still gated to `b`.
        assert_eq!(gated, vec![("Other".to_string(), vec!["b".to_string()])]);
    }

    #[test]
    fn a_breach_is_named() {
        let d = doc(r#"{
          "name": "t", "version": "v1", "rootUrl": "https://t.googleapis.com/", "servicePath": "",
          "schemas": {
            "Filter": {"id": "Filter", "type": "object", "properties": {"q": {"type": "string"}}}
          },
          "resources": {
            "a": {"methods": {"get": {"id": "t.a.get", "path": "a", "httpMethod": "GET",
                   "response": {"$ref": "Filter"}}}},
            "b": {"methods": {"get": {"id": "t.b.get", "path": "b", "httpMethod": "GET"}}}
          }
        }"#);
        let mut api = crate::lower::lower(&d, true);
        assert_eq!(check(&api), Vec::<String>::new());
        let filter = api.types.iter_mut().find(|t| t.name.text == "Filter");
        filter.expect("Filter lowered").features = vec!["b".to_string()];
        assert_eq!(
            check(&api),
            vec!["with feature `a`: method t.a.get needs Filter (gated to b)".to_string()]
        );
    }
}
