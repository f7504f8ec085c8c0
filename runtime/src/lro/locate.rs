//! Where an operation is fetched: its identity (an AIP operation's `name`,
//! a Compute operation's `selfLink`) mapped onto the variables of an
//! operations method's path template.
//!
//! An AIP `name` fills the template by the first rule that fits:
//! 1. a template with one variable takes the whole name (`v1/{+name}`,
//!    Drive's `operations/{name}`, Street View's `v1/photoSequence/{sequenceId}`),
//!    as Google's Python client passes it;
//! 2. the template, less leading literal segments such as `v1`, matches
//!    the name segment by segment (App Engine's
//!    `v1/apps/{appsId}/operations/{operationsId}` for
//!    `apps/A/operations/O`);
//! 3. the name's ids (`collection/id/collection/id…`), taken from the
//!    end, fill the template's variables in order, when both end in the same
//!    collection (Cloud Storage's `b/{bucket}/operations/{operationId}` for
//!    `projects/_/buckets/B/operations/O`).

use crate::spec::MethodSpec;

/// Path variables and their values.
pub(crate) type Vars = Vec<(&'static str, String)>;

/// One segment of a path template.
#[derive(Debug, PartialEq)]
enum Segment<'t> {
    Literal(&'t str),
    /// `{var}`: exactly one segment.
    Var(&'t str),
    /// `{+var}`: one or more segments.
    Reserved(&'t str),
}

/// The segments of `template`, less a custom verb on the last one
/// (`{+name}:wait` → `{+name}`).
fn segments(template: &str) -> Vec<Segment<'_>> {
    template
        .split('/')
        .map(|raw| {
            let raw = match raw.rsplit_once("}:") {
                Some((var, _verb)) if raw.starts_with('{') => &raw[..var.len() + 1],
                _ => raw,
            };
            match raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Some(name) => match name.strip_prefix('+') {
                    Some(name) => Segment::Reserved(name),
                    None => Segment::Var(name),
                },
                None => Segment::Literal(raw),
            }
        })
        .collect()
}

/// The variables that make `template` equal `path`, or `None`; `decode`
/// percent-decodes one-segment values (a `selfLink` is a URL).
fn match_segments(template: &[Segment<'static>], path: &[&str], decode: bool) -> Option<Vars> {
    fn go(template: &[Segment<'static>], path: &[&str], decode: bool, out: &mut Vars) -> bool {
        let Some((first, rest)) = template.split_first() else {
            return path.is_empty();
        };
        match first {
            Segment::Reserved(name) => {
                for take in (1..=path.len()).rev() {
                    out.push((name, path[..take].join("/")));
                    if go(rest, &path[take..], decode, out) {
                        return true;
                    }
                    out.pop();
                }
                false
            }
            Segment::Var(name) => {
                let Some((segment, path_rest)) = path.split_first() else {
                    return false;
                };
                if segment.is_empty() {
                    return false;
                }
                let value = if decode {
                    percent_encoding::percent_decode_str(segment)
                        .decode_utf8_lossy()
                        .into_owned()
                } else {
                    (*segment).to_string()
                };
                out.push((name, value));
                if go(rest, path_rest, decode, out) {
                    return true;
                }
                out.pop();
                false
            }
            Segment::Literal(literal) => path.split_first().is_some_and(|(segment, path_rest)| {
                literal == segment && go(rest, path_rest, decode, out)
            }),
        }
    }
    let mut out = Vec::new();
    go(template, path, decode, &mut out).then_some(out)
}

/// The variables of `get`'s path that fetch the AIP operation `name`.
pub(crate) fn by_name(get: &MethodSpec, name: &str) -> Option<Vars> {
    if name.is_empty() {
        return None;
    }
    let template = segments(get.path);
    let vars: Vec<&'static str> = template
        .iter()
        .filter_map(|s| match s {
            Segment::Var(v) | Segment::Reserved(v) => Some(*v),
            Segment::Literal(_) => None,
        })
        .collect();
    if let [only] = vars.as_slice() {
        return Some(vec![(*only, name.to_string())]);
    }
    let parts: Vec<&str> = name.split('/').collect();
    let leading = template
        .iter()
        .take_while(|s| matches!(s, Segment::Literal(_)))
        .count();
    for skip in 0..=leading {
        if let Some(found) = match_segments(&template[skip..], &parts, false) {
            return Some(found);
        }
    }
    by_trailing_ids(&template, &vars, &parts)
}

/// Rule 3: the name's trailing ids, in order, for the template's simple
/// variables, when the last collection agrees.
fn by_trailing_ids(
    template: &[Segment<'static>],
    vars: &[&'static str],
    parts: &[&str],
) -> Option<Vars> {
    if !parts.len().is_multiple_of(2) || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    if template.iter().any(|s| matches!(s, Segment::Reserved(_))) {
        return None;
    }
    let ids: Vec<&str> = parts.iter().skip(1).step_by(2).copied().collect();
    if vars.is_empty() || ids.len() < vars.len() {
        return None;
    }
    let last_collection = parts[parts.len() - 2];
    let template_collection = template.iter().rev().find_map(|s| match s {
        Segment::Literal(l) => Some(*l),
        _ => None,
    });
    if template_collection != Some(last_collection) {
        return None;
    }
    let ids = &ids[ids.len() - vars.len()..];
    Some(
        vars.iter()
            .zip(ids)
            .map(|(var, id)| (*var, (*id).to_string()))
            .collect(),
    )
}

/// The variables of `get`'s path that fetch the Compute operation whose
/// `selfLink` is `link`.
pub(crate) fn by_self_link(get: &MethodSpec, link: &str) -> Option<Vars> {
    let path = link.split_once("://").map_or(link, |(_, rest)| {
        rest.find('/').map_or("", |at| &rest[at + 1..])
    });
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_prefix(get.service.service_path).unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    match_segments(&segments(get.path), &parts, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Download, HttpMethod, ServiceSpec};

    static SERVICE: ServiceSpec = ServiceSpec {
        id: "t:v1",
        revision: "1",
        root_url: "https://t.googleapis.com/",
        service_path: "compute/v1/",
        fully_encode_reserved_expansion: false,
        data_wrapper: false,
        endpoints: &[],
        batch: None,
    };

    fn get(path: &'static str) -> MethodSpec {
        MethodSpec {
            service: &SERVICE,
            id: "t.operations.get",
            http_method: HttpMethod::GET,
            path,
            scopes: &[],
            api_version: None,
            media: None,
            download: Download::None,
            returns_json: true,
        }
    }

    #[test]
    fn names_fill_templates_by_each_rule() {
        let one = |path, name| by_name(&get(path), name);
        assert_eq!(
            one("v1/{+name}", "operations/123"),
            Some(vec![("name", "operations/123".into())])
        );
        assert_eq!(
            one("operations/{name}", "a/b"),
            Some(vec![("name", "a/b".into())]),
            "Drive: a one-variable template takes the whole name, as Python's client passes it"
        );
        assert_eq!(
            one(
                "v1/apps/{appsId}/operations/{operationsId}",
                "apps/my-app/operations/42"
            ),
            Some(vec![
                ("appsId", "my-app".into()),
                ("operationsId", "42".into())
            ])
        );
        assert_eq!(
            one(
                "b/{bucket}/operations/{operationId}",
                "projects/_/buckets/photos/operations/op-1"
            ),
            Some(vec![
                ("bucket", "photos".into()),
                ("operationId", "op-1".into())
            ])
        );
        assert_eq!(
            one(
                "b/{bucket}/operations/{operationId}",
                "projects/_/buckets/photos/jobs/op-1"
            ),
            None,
            "the last collection must agree"
        );
        assert_eq!(
            one("v1/apps/{appsId}/operations/{operationsId}", "odd/count/x"),
            None
        );
        assert_eq!(one("v1/{+name}", ""), None);
        assert_eq!(
            one("v1/{+name}:wait", "operations/9"),
            Some(vec![("name", "operations/9".into())])
        );
        assert_eq!(
            one("v1/apps/{a}/operations/{o}", "apps//operations/1"),
            None
        );
    }

    #[test]
    fn self_links_match_their_template() {
        let g = get("projects/{project}/zones/{zone}/operations/{operation}");
        assert_eq!(
            by_self_link(
                &g,
                "https://t.googleapis.com/compute/v1/projects/p-1/zones/us-central1-a/operations/op%2D9"
            ),
            Some(vec![
                ("project", "p-1".into()),
                ("zone", "us-central1-a".into()),
                ("operation", "op-9".into())
            ])
        );
        assert_eq!(
            by_self_link(
                &g,
                "https://t.googleapis.com/compute/v1/projects/p/regions/r/operations/o"
            ),
            None
        );
        let folder = get("{+folder}/global/operations/{operation}");
        assert_eq!(
            by_self_link(&folder, "folders/12/global/operations/o"),
            Some(vec![
                ("folder", "folders/12".into()),
                ("operation", "o".into())
            ])
        );
        assert_eq!(by_self_link(&get("a/{b}"), "a/x/y"), None);
    }

    #[test]
    fn custom_verbs_are_not_part_of_the_last_variable() {
        assert_eq!(
            segments("v1/{+name}:cancel"),
            vec![Segment::Literal("v1"), Segment::Reserved("name")]
        );
        assert_eq!(
            segments("v1/x:y"),
            vec![Segment::Literal("v1"), Segment::Literal("x:y")]
        );
    }
}
