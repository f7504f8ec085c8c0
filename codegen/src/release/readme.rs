//! A released package's README: what the API is, how to install it, a
//! working example with a real method of that API, its Cargo features and
//! its scopes. The crate's root documentation includes it, so the example
//! is compiled as a doc test; `examples/quickstart.rs` is the same program.

use std::fmt::Write as _;

use crate::ir::{Api, ArgKind, HttpMethod, Method, Param, Resource, Type};
use crate::names;

/// A call the example makes: the method and how to reach it.
#[derive(Debug, Clone)]
pub struct ExampleCall<'a> {
    /// `files().list()` as written after the client.
    pub path: Vec<String>,
    /// The method.
    pub method: &'a Method,
}

/// Picks the method the example calls: a read (`list`, then `get`, then
/// any `GET`) with as few arguments as possible, not deprecated, on a
/// top-level resource where there is one. `None` for an API without
/// methods.
pub fn pick_example(api: &Api) -> Option<ExampleCall<'_>> {
    // `(call, methods of the top-level resource it is in)`: between two
    // equally simple calls, the one in the API's main resource (Drive's
    // `files`, not `apps`) makes the better example.
    let mut calls: Vec<(ExampleCall<'_>, usize)> = api
        .methods
        .iter()
        .map(|m| {
            let call = ExampleCall {
                path: Vec::new(),
                method: m,
            };
            (call, api.methods.len())
        })
        .collect();
    for r in &api.resources {
        let mut found = Vec::new();
        collect(&r.resource, &mut Vec::new(), &mut found);
        let size = method_count(&r.resource);
        calls.extend(found.into_iter().map(|c| (c, size)));
    }
    calls
        .into_iter()
        .min_by_key(|(c, size)| {
            let m = c.method;
            let verb = match (m.http_method == HttpMethod::GET, m.fn_name.text.as_str()) {
                (true, "list") => 0,
                (true, "get") => 1,
                (true, _) => 2,
                _ => 3,
            };
            (
                m.deprecated,
                verb,
                m.request.is_some(),
                m.media_upload.is_some(),
                m.positional.len(),
                std::cmp::Reverse(*size),
                c.path.len(),
                m.id.clone(),
            )
        })
        .map(|(c, _)| c)
}

fn collect<'a>(r: &'a Resource, path: &mut Vec<String>, out: &mut Vec<ExampleCall<'a>>) {
    path.push(format!("{}()", r.accessor.source()));
    for m in &r.methods {
        out.push(ExampleCall {
            path: path.clone(),
            method: m,
        });
    }
    for sub in &r.resources {
        collect(sub, path, out);
    }
    path.pop();
}

/// A placeholder value for a positional argument: text in capitals named
/// after the parameter (`"PROJECT_ID"`, `"models/ID"` for a collection),
/// a number, or `true`.
fn placeholder(p: &Param) -> String {
    let one = match p.arg {
        ArgKind::Value => match p.ty {
            Type::Bool => "true".to_string(),
            Type::F32 | Type::F64 => "1.0".to_string(),
            _ => "1".to_string(),
        },
        // Typed values convert without a parse that could fail.
        ArgKind::Into if p.ty == Type::DateTime => "std::time::SystemTime::now()".to_string(),
        ArgKind::Into if p.ty == Type::Duration => "std::time::Duration::from_secs(60)".to_string(),
        ArgKind::Into if p.ty == Type::Bytes => "b\"DATA\".to_vec()".to_string(),
        ArgKind::Str | ArgKind::Into => {
            let upper = names::const_name(&p.wire).text;
            let text = match &p.collection {
                Some(collection) => format!("{collection}{upper}"),
                None => upper,
            };
            format!("{text:?}")
        }
    };
    if p.repeated {
        format!("[{one}]")
    } else {
        one
    }
}

/// The scope the example asks for: a read-only one the method accepts
/// where there is one (the broadest of those: `drive.readonly` rather than
/// `drive.meet.readonly`), else the first it accepts.
fn example_scope<'a>(api: &'a Api, m: &Method) -> Option<&'a crate::ir::Scope> {
    let accepted: Vec<&crate::ir::Scope> = api
        .scopes
        .iter()
        .filter(|s| m.scopes.contains(&s.url))
        .collect();
    let dots = |s: &crate::ir::Scope| s.url.rsplit('/').next().unwrap_or("").matches('.').count();
    accepted
        .iter()
        .filter(|s| s.url.contains("readonly") || s.url.contains("read-only"))
        .min_by_key(|s| (dots(s), s.url.len(), s.url.clone()))
        .or_else(|| accepted.first())
        .copied()
}

/// The example program: credentials (Application Default Credentials for
/// the method's scope, or an API key from `GOOGLE_API_KEY` when the method
/// takes no scope), the client, one call, the answer printed.
pub fn example(api: &Api, lib: &str) -> String {
    let client = {
        let name = names::value_name(&api.name);
        if name.raw || name.text.is_empty() {
            "client".to_string()
        } else {
            name.text
        }
    };
    let mut out = String::new();
    let Some(call) = pick_example(api) else {
        // A document with types and no methods (bigtableadmin v1).
        let _ = write!(
            out,
            "#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    \
             // This API's document has types but no methods.\n    \
             let key = {lib}::auth::ApiKey::from_env(\"GOOGLE_API_KEY\")\n        .ok_or(\"set GOOGLE_API_KEY\")?;\n    \
             let {client} = {lib}::build(key);\n    println!(\"{{{client}:?}}\");\n    Ok(())\n}}\n"
        );
        return out;
    };
    let m = call.method;
    let scope = example_scope(api, m);
    if scope.is_some() {
        let _ = writeln!(out, "use {lib}::scopes;\n");
    }
    out.push_str("#[tokio::main]\n");
    if m.deprecated {
        // The picker takes a deprecated method only when every method is.
        out.push_str("#[allow(deprecated)] // every method of this API is deprecated\n");
    }
    out.push_str("async fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    match scope {
        Some(scope) => {
            let _ = writeln!(
                out,
                "    // Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, else\n    \
                 // `gcloud auth application-default login`, else the metadata server.\n    \
                 let creds =\n        gapi_auth::ApplicationDefaultCredentials::new(&[scopes::{}]).await?;\n    \
                 let {client} = {lib}::build(creds);",
                scope.name.source()
            );
        }
        None => {
            let _ = writeln!(
                out,
                "    let key = {lib}::auth::ApiKey::from_env(\"GOOGLE_API_KEY\")\n        .ok_or(\"set GOOGLE_API_KEY\")?;\n    \
                 let {client} = {lib}::build(key);"
            );
        }
    }
    let mut args: Vec<String> = m.positional.iter().map(placeholder).collect();
    if m.request.is_some() {
        args.push("Default::default()".to_string());
    }
    let mut calls: Vec<String> = call.path.clone();
    calls.push(format!("{}({})", m.fn_name.source(), args.join(", ")));
    calls.push("execute()".to_string());
    // As rustfmt writes it: one line while the chain is short, else one
    // call per line.
    let one_line = format!("{client}.{}.await?", calls.join("."));
    let expression = if one_line.len() <= 60 {
        one_line
    } else {
        format!(
            "{client}\n        .{}\n        .await?",
            calls.join("\n        .")
        )
    };
    let _ = writeln!(
        out,
        "    let answer = {expression};\n    println!(\"{{answer:#?}}\");\n    Ok(())\n}}"
    );
    out
}

/// Counts the methods of a resource and everything nested in it.
fn method_count(r: &Resource) -> usize {
    r.methods.len() + r.resources.iter().map(method_count).sum::<usize>()
}

/// What the README needs beyond the IR.
#[derive(Debug, Clone)]
pub struct ReadmeInput<'a> {
    /// The package name (`gapi-drive-v3`).
    pub package: &'a str,
    /// Its version, build metadata included.
    pub version: &'a str,
    /// `cargo add` flags naming the registry (`--registry gapi`), or empty
    /// for crates.io.
    pub registry_flag: &'a str,
}

/// The README of a released package (Markdown; also the crate's root docs).
pub fn readme(api: &Api, input: &ReadmeInput<'_>) -> String {
    let lib = input.package.replace('-', "_");
    let title = api.title.trim();
    let mut out = format!("# {}\n\n", input.package);
    let _ = writeln!(
        out,
        "A typed, async Rust client for {title} (`{}`, version {}), generated by \
         [gapi](https://docs.rs/gapi-codegen) from Google's discovery document, revision {}.\n",
        api.name, api.version, api.revision
    );
    if !api.doc.trim().is_empty() {
        let doc = crate::docs::escape(&api.doc);
        let _ = writeln!(out, "> {}\n", doc.replace('\n', "\n> "));
    }
    if let Some(link) = &api.documentation_link {
        let _ = writeln!(out, "Google's documentation: <{link}>\n");
    }
    let registry = if input.registry_flag.is_empty() {
        String::new()
    } else {
        format!(" {}", input.registry_flag)
    };
    let _ = writeln!(
        out,
        "## Install\n\n```sh\ncargo add {}{registry}\ncargo add gapi-auth{registry}   # sign-in: ADC, service accounts, the browser flow; not needed with an API key\ncargo add tokio --features macros,rt-multi-thread\n```\n",
        input.package
    );
    let _ = writeln!(
        out,
        "## Example\n\n```rust,no_run\n{}```\n\nThe same program is `examples/quickstart.rs` in this package. \
         `{lib}::{}::builder()` sets the root URL (an emulator, a regional endpoint), the retry policy and \
         timeouts. `{lib}::runtime` re-exports gapi-runtime (page streams, errors, retry policies), so no \
         other gapi dependency is needed; `{lib}::Error` is the one error type of every call.\n",
        example(api, &lib),
        api.service_type.source()
    );
    out.push_str("## Cargo features\n\n");
    let features: Vec<_> = api
        .resources
        .iter()
        .filter_map(|r| Some((r.feature.as_ref()?, r)))
        .collect();
    if features.is_empty() {
        out.push_str("This API has no resources, so no features.\n\n");
    } else {
        let first = features[0].0;
        let _ = writeln!(
            out,
            "Every top-level resource is a feature, all on by default. An application that uses \
             only some compiles only those (and the types they use):\n\n```toml\n[dependencies]\n{} = {{ version = \"{}\", default-features = false, features = [\"{first}\"] }}\n```\n\n| feature | methods |\n|---|---:|",
            input.package,
            short_version(input.version)
        );
        for (feature, r) in &features {
            let _ = writeln!(out, "| `{feature}` | {} |", method_count(&r.resource));
        }
        out.push('\n');
    }
    if !api.scopes.is_empty() {
        out.push_str("## OAuth scopes\n\nConstants in `scopes`, for the credentials you create:\n\n| constant | scope | grants |\n|---|---|---|\n");
        for s in &api.scopes {
            let grants =
                crate::docs::escape(s.doc.lines().next().unwrap_or("")).replace('|', "\\|");
            let _ = writeln!(out, "| `{}` | `{}` | {grants} |", s.name.source(), s.url);
        }
        out.push('\n');
    }
    out.push_str(
        "## Versions\n\nThe version's build metadata is the discovery revision it was generated from. \
         Releases follow what changed for callers (see CHANGELOG.md): a major release only when Google \
         removed or retyped something; new methods, fields and enum values are minor releases, because \
         structs and enums are `#[non_exhaustive]` (build values with `Default::default()` and the \
         `with_*` setters, and give each `match` on an enum a `_` arm).\n",
    );
    if !api.warnings.is_empty() {
        out.push_str("\n## Notes on the discovery document\n\n");
        for warning in &api.warnings {
            let _ = writeln!(out, "- {warning}");
        }
    }
    out
}

/// `1.2` of `1.2.3+20261106` (a requirement that takes later compatible
/// releases); `0.3.1` stays as it is.
fn short_version(version: &str) -> String {
    let core = version.split('+').next().unwrap_or(version);
    let parts: Vec<&str> = core.split('.').collect();
    match parts.as_slice() {
        [major, minor, _] if *major != "0" => format!("{major}.{minor}"),
        _ => core.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(json: &str) -> Api {
        let doc = gapi_discovery::parse_slice(
            "t.json",
            json.as_bytes(),
            gapi_discovery::Strictness::Lenient,
        )
        .expect("test document parses")
        .doc;
        crate::lower::lower(&doc, true)
    }

    const DOC: &str = r#"{"name": "thing", "version": "v1", "revision": "7", "title": "Thing API",
        "rootUrl": "https://thing.googleapis.com/", "servicePath": "",
        "auth": {"oauth2": {"scopes": {
            "https://www.googleapis.com/auth/cloud-platform": {"description": "All of it"},
            "https://www.googleapis.com/auth/thing.readonly": {"description": "Read things"}}}},
        "schemas": {"Thing": {"id": "Thing", "type": "object", "properties": {"name": {"type": "string"}}}},
        "resources": {"projects": {"resources": {"things": {"methods": {
            "create": {"id": "thing.projects.things.create", "path": "v1/{+parent}/things", "httpMethod": "POST",
                "parameters": {"parent": {"type": "string", "location": "path", "required": true}},
                "parameterOrder": ["parent"], "request": {"$ref": "Thing"}, "response": {"$ref": "Thing"},
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"]},
            "get": {"id": "thing.projects.things.get", "path": "v1/{+name}", "httpMethod": "GET",
                "parameters": {"name": {"type": "string", "location": "path", "required": true}},
                "parameterOrder": ["name"], "response": {"$ref": "Thing"},
                "scopes": ["https://www.googleapis.com/auth/cloud-platform",
                           "https://www.googleapis.com/auth/thing.readonly"]}
        }}}}}}"#;

    #[test]
    fn the_example_reads_with_the_fewest_arguments_and_a_read_only_scope() {
        let api = api(DOC);
        let call = pick_example(&api).expect("a method");
        assert_eq!(call.method.id, "thing.projects.things.get");
        let text = example(&api, "gapi_thing_v1");
        assert!(
            text.contains("ApplicationDefaultCredentials::new(&[scopes::THING_READONLY])"),
            "{text}"
        );
        assert!(
            text.contains("let answer = thing.projects().things().get(\"NAME\").execute().await?;"),
            "{text}"
        );
    }

    #[test]
    fn an_api_without_scopes_uses_an_api_key() {
        let json = DOC.replace("\"scopes\": [\"https://www.googleapis.com/auth/cloud-platform\",\n                           \"https://www.googleapis.com/auth/thing.readonly\"]", "\"scopes\": []");
        let api = api(&json);
        let text = example(&api, "gapi_thing_v1");
        assert!(
            text.contains("ApiKey::from_env(\"GOOGLE_API_KEY\")"),
            "{text}"
        );
        assert!(!text.contains("use gapi_thing_v1::scopes"), "{text}");
    }

    #[test]
    fn the_readme_names_the_install_line_features_and_scopes() {
        let api = api(DOC);
        let text = readme(
            &api,
            &ReadmeInput {
                package: "gapi-thing-v1",
                version: "1.2.0+7",
                registry_flag: "--registry gapi",
            },
        );
        assert!(
            text.contains("cargo add gapi-thing-v1 --registry gapi\n"),
            "{text}"
        );
        assert!(text.contains("| `projects` | 2 |"), "{text}");
        assert!(
            text.contains("version = \"1.2\", default-features = false"),
            "{text}"
        );
        assert!(text.contains("| `THING_READONLY` | `https://www.googleapis.com/auth/thing.readonly` | Read things |"), "{text}");
        assert!(!text.contains("API API"), "{text}");
    }
}
