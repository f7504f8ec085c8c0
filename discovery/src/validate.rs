//! Semantic checks that a parse cannot make: references, path templates and
//! parameter bookkeeping. Problems come back as a list, so one pass shows all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::{Body, Method, ParameterLocation, RestDescription, Schema};

/// One semantic problem, with the JSON path where it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Dotted JSON path of the offending value.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// The kinds of semantic problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// `$ref` names a schema the document does not define.
    DanglingRef(String),
    /// A `{var}` in the path template has no path parameter.
    UnboundPathVariable(String),
    /// A path parameter is not marked `required: true`.
    OptionalPathParameter(String),
    /// Two methods share an id.
    DuplicateMethodId(String),
    /// A `parameterOrder` entry names no parameter.
    UnknownOrderedParameter(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::DanglingRef(name) => {
                write!(f, "{}: $ref to undefined schema `{name}`", self.path)
            }
            ProblemKind::UnboundPathVariable(var) => write!(
                f,
                "{}: path variable `{var}` has no path parameter",
                self.path
            ),
            ProblemKind::OptionalPathParameter(name) => {
                write!(f, "{}: path parameter `{name}` is not required", self.path)
            }
            ProblemKind::DuplicateMethodId(id) => {
                write!(f, "{}: duplicate method id `{id}`", self.path)
            }
            ProblemKind::UnknownOrderedParameter(name) => write!(
                f,
                "{}: parameterOrder names `{name}`, which is not a parameter",
                self.path
            ),
        }
    }
}

/// Checks a document and returns every problem found, sorted by path.
pub fn validate(doc: &RestDescription) -> Vec<Problem> {
    let mut v = Validator {
        schema_names: doc.schemas().keys().map(String::as_str).collect(),
        method_ids: BTreeMap::new(),
        problems: Vec::new(),
    };
    for (name, schema) in doc.schemas() {
        v.schema(&format!("schemas.{name}"), schema);
    }
    for (name, p) in doc.parameters() {
        v.schema(&format!("parameters.{name}"), p);
    }
    for (resources, name, method) in doc.all_methods() {
        let mut path = String::new();
        for r in &resources {
            path.push_str("resources.");
            path.push_str(r);
            path.push('.');
        }
        path.push_str("methods.");
        path.push_str(name);
        v.method(&path, method);
    }
    for (id, paths) in std::mem::take(&mut v.method_ids) {
        for path in paths.iter().skip(1) {
            v.problems.push(Problem {
                path: path.clone(),
                kind: ProblemKind::DuplicateMethodId(id.clone()),
            });
        }
    }
    v.problems.sort();
    v.problems
}

struct Validator<'a> {
    schema_names: BTreeSet<&'a str>,
    method_ids: BTreeMap<String, Vec<String>>,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn reference(&mut self, path: &str, name: &Option<String>) {
        if let Some(name) = name {
            if !self.schema_names.contains(name.as_str()) {
                self.problems.push(Problem {
                    path: format!("{path}.$ref"),
                    kind: ProblemKind::DanglingRef(name.clone()),
                });
            }
        }
    }

    fn schema(&mut self, path: &str, s: &Schema) {
        self.reference(path, &s.reference);
        for (name, p) in s.properties() {
            self.schema(&format!("{path}.properties.{name}"), p);
        }
        if let Some(items) = &s.items {
            self.schema(&format!("{path}.items"), items);
        }
        if let Some(values) = &s.additional_properties {
            self.schema(&format!("{path}.additionalProperties"), values);
        }
    }

    fn body(&mut self, path: &str, b: &Option<Body>) {
        if let Some(b) = b {
            self.reference(path, &b.reference);
            if let Some(values) = &b.additional_properties {
                self.schema(&format!("{path}.additionalProperties"), values);
            }
        }
    }

    fn method(&mut self, path: &str, m: &Method) {
        if let Some(id) = &m.id {
            self.method_ids
                .entry(id.clone())
                .or_default()
                .push(path.to_string());
        }
        let params = m.parameters();
        for (name, p) in params {
            let ppath = format!("{path}.parameters.{name}");
            self.schema(&ppath, p);
            if p.location == Some(ParameterLocation::Path) && !p.is_required() {
                self.problems.push(Problem {
                    path: ppath,
                    kind: ProblemKind::OptionalPathParameter(name.clone()),
                });
            }
        }
        for var in template_variables(&m.path) {
            let bound = params
                .get(var)
                .is_some_and(|p| p.location == Some(ParameterLocation::Path));
            if !bound {
                self.problems.push(Problem {
                    path: format!("{path}.path"),
                    kind: ProblemKind::UnboundPathVariable(var.to_string()),
                });
            }
        }
        for name in m.parameter_order() {
            if !params.contains_key(name) {
                self.problems.push(Problem {
                    path: format!("{path}.parameterOrder"),
                    kind: ProblemKind::UnknownOrderedParameter(name.clone()),
                });
            }
        }
        self.body(&format!("{path}.request"), &m.request);
        self.body(&format!("{path}.response"), &m.response);
    }
}

/// The variable names of a URI template as discovery uses it: `{name}`,
/// `{+name}` (reserved expansion), and the rarer `{/name}`/`{name*}` forms.
pub fn template_variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let expr = after[..close].trim_start_matches(['+', '#', '/', '.', ';', '?', '&']);
        for var in expr.split(',') {
            let var = var.trim_end_matches('*');
            let var = var.split(':').next().unwrap_or(var);
            if !var.is_empty() {
                out.push(var);
            }
        }
        rest = &after[close + 1..];
    }
    out
}
