//! An API's command tree, built at run time from its document and IR:
//! resources and methods as kebab-case subcommands, parameters as flags
//! (path parameters positional, in `parameterOrder`), each checked by its
//! discovery type.

use std::collections::{BTreeMap, HashMap};

use clap::builder::PossibleValue;
use clap::{Arg, ArgAction, Command};
use gapi_codegen::ir::{self, Location, Type, TypeKind};
use gapi_discovery::RestDescription;

use crate::names::kebab;

/// Flags every method takes; a method parameter with one of these names is
/// reachable through `--param NAME=VALUE` instead.
pub const COMMON_FLAGS: &[&str] = &[
    "dry-run",
    "json",
    "no-check",
    "upload",
    "mime",
    "download",
    "fields",
    "param",
    "page-all",
    "max-items",
    "compact",
    "root-url",
    "api-key",
    "quota-user",
    "output-format",
    "profile",
    "impersonate-service-account",
    "subject",
    "help",
];

/// One method as the command line reaches it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The IR: locations, repetition, paging, body type.
    pub method: &'a ir::Method,
}

/// The command tree of one API and how to get from parsed subcommands back
/// to the method.
#[derive(Debug)]
pub struct Tree<'a> {
    /// `["files", "list"]` (kebab-case subcommand names) → method.
    pub entries: HashMap<Vec<String>, Entry<'a>>,
    /// The `clap` command for `gapi API VERSION`.
    pub command: Command,
}

/// Every IR method of `api`, by id.
fn ir_methods(api: &ir::Api) -> HashMap<&str, &ir::Method> {
    fn walk<'a>(r: &'a ir::Resource, out: &mut HashMap<&'a str, &'a ir::Method>) {
        for m in &r.methods {
            out.insert(m.id.as_str(), m);
        }
        for sub in &r.resources {
            walk(sub, out);
        }
    }
    let mut out: HashMap<&str, &ir::Method> =
        api.methods.iter().map(|m| (m.id.as_str(), m)).collect();
    for module in &api.resources {
        walk(&module.resource, &mut out);
    }
    out
}

/// A resource level while the tree is assembled.
#[derive(Default)]
struct Level<'a> {
    methods: Vec<(String, Entry<'a>)>,
    resources: BTreeMap<String, Level<'a>>,
}

/// Builds the tree of `doc` (lowered as `api`) under the name `name`
/// (`gapi drive v3`).
pub fn build<'a>(name: &str, doc: &'a RestDescription, api: &'a ir::Api) -> Tree<'a> {
    let by_id = ir_methods(api);
    let mut root = Level::default();
    for (path, key, raw) in doc.all_methods() {
        let Some(method) = raw.id.as_deref().and_then(|id| by_id.get(id)) else {
            continue;
        };
        let mut level = &mut root;
        for resource in &path {
            level = level.resources.entry(kebab(resource)).or_default();
        }
        level.methods.push((kebab(key), Entry { method }));
    }
    let about = doc.title.clone().unwrap_or_else(|| api.id.clone());
    let mut entries = HashMap::new();
    let command = level_command(
        Command::new(name.to_string()),
        &root,
        api,
        &mut Vec::new(),
        &mut entries,
    )
    .about(about)
    .long_about(doc.description.clone().unwrap_or_default())
    .subcommand_required(true)
    .arg_required_else_help(true)
    .disable_help_subcommand(true)
    .args(common_args());
    Tree { entries, command }
}

/// Adds a level's resources and methods to `command`. Resources keep their
/// names; a method whose name is taken (by a resource, or by another method
/// spelt the same in kebab-case) gets `-method`, then a number.
fn level_command<'a>(
    mut command: Command,
    level: &Level<'a>,
    api: &ir::Api,
    path: &mut Vec<String>,
    entries: &mut HashMap<Vec<String>, Entry<'a>>,
) -> Command {
    let mut taken: Vec<String> = Vec::new();
    for (name, sub) in &level.resources {
        path.push(name.clone());
        let resource = level_command(Command::new(name.clone()), sub, api, path, entries)
            .about(format!("Methods of the `{name}` resource"))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .disable_help_subcommand(true);
        path.pop();
        taken.push(name.clone());
        command = command.subcommand(resource);
    }
    for (name, entry) in &level.methods {
        let mut unique = name.clone();
        let mut n = 1;
        while taken.contains(&unique) {
            unique = if n == 1 {
                format!("{name}-method")
            } else {
                format!("{name}-method-{n}")
            };
            n += 1;
        }
        taken.push(unique.clone());
        path.push(unique.clone());
        entries.insert(path.clone(), *entry);
        path.pop();
        command = command.subcommand(method_command(&unique, *entry, api));
    }
    command
}

/// The first sentence of a description, for one-line help.
fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

fn method_command(name: &str, entry: Entry<'_>, api: &ir::Api) -> Command {
    let m = entry.method;
    let description = &m.doc;
    let mut command = Command::new(name.to_string())
        .about(first_sentence(description))
        .long_about(format!(
            "{description}\n\nMethod: {} ({} {})",
            m.id,
            m.http_method.as_str(),
            m.path
        ));
    let mut used: Vec<String> = COMMON_FLAGS.iter().map(|s| s.to_string()).collect();
    for p in &m.positional {
        if p.location == Location::Path {
            let mut arg = Arg::new(p.wire.clone())
                .value_name(kebab(&p.wire).to_uppercase())
                .required(true)
                .allow_hyphen_values(true)
                .help(first_sentence(&p.doc));
            if let Some(collection) = &p.collection {
                arg = arg.long_help(format!("{} A bare id is taken as `{collection}ID`.", p.doc));
            }
            command = command.arg(arg);
        } else if let Some(arg) = flag(p, m, api, &mut used) {
            command = command.arg(arg.required(true));
        }
    }
    for p in &m.optional {
        if let Some(arg) = flag(p, m, api, &mut used) {
            command = command.arg(arg);
        }
    }
    // `--format` unless the method has a parameter of that name (Gmail's
    // `messages.get`): then that is `--format`, and this `--output-format`.
    let mut output = Arg::new("output-format")
        .long("output-format")
        .value_parser(crate::format::FORMATS)
        .default_value("json")
        .value_name("FORMAT")
        .help("Print the answer as json, yaml, a table or csv (columns from --fields)");
    if !used.iter().any(|u| u == "format") {
        output = output.visible_alias("format");
    }
    command.arg(output)
}

/// `--kebab-name VALUE` for a parameter, typed; `None` when the name is
/// taken (by a common flag or an earlier parameter).
fn flag(p: &ir::Param, m: &ir::Method, api: &ir::Api, used: &mut Vec<String>) -> Option<Arg> {
    let long = kebab(&p.wire);
    if used.contains(&long) {
        return None;
    }
    used.push(long.clone());
    // A value may start with `-` (`--order-by -EARNINGS`,
    // `--location.latitude -1.5`): it is the flag's value, not another flag.
    let mut arg = Arg::new(p.wire.clone())
        .long(long)
        .allow_hyphen_values(true)
        .help(first_sentence(&p.doc))
        .long_help(p.doc.clone());
    arg = if p.repeated {
        arg.action(ArgAction::Append)
    } else {
        arg.action(ArgAction::Set)
    };
    let ty = resolve(&p.ty, api);
    arg = match ty {
        Type::Bool => arg
            .value_parser(["true", "false"])
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .value_name("BOOL"),
        Type::I32 => arg.value_parser(clap::value_parser!(i32)).value_name("INT"),
        Type::U32 => arg.value_parser(clap::value_parser!(u32)).value_name("INT"),
        Type::I64 { .. } => arg.value_parser(clap::value_parser!(i64)).value_name("INT"),
        Type::U64 { .. } => arg.value_parser(clap::value_parser!(u64)).value_name("INT"),
        Type::F32 | Type::F64 => arg
            .value_parser(clap::value_parser!(f64))
            .value_name("NUMBER"),
        Type::DateTime => arg
            .value_parser(|s: &str| {
                gapi_auth::rfc3339::parse(s)
                    .map(|_| s.to_string())
                    .ok_or_else(|| {
                        format!("`{s}` is not an RFC 3339 date-time (2024-05-01T12:34:56Z)")
                    })
            })
            .value_name("DATE-TIME"),
        Type::LocalEnum(name) => match local_enum(api, m, name).map(|e| &e.kind) {
            Some(TypeKind::Enum(variants)) => {
                let possible: Vec<PossibleValue> = variants
                    .iter()
                    .map(|v| PossibleValue::new(v.value.clone()).help(first_sentence(&v.doc)))
                    .collect();
                arg.value_parser(possible)
            }
            _ => arg.value_name("TEXT"),
        },
        _ => arg.value_name("TEXT"),
    };
    Some(arg)
}

/// The parameter enum `name` of method `m`: defined in the module of the
/// top-level resource `m` belongs to (or at the root for root methods).
fn local_enum<'a>(
    api: &'a ir::Api,
    m: &ir::Method,
    name: &gapi_codegen::names::RustName,
) -> Option<&'a ir::TypeDef> {
    fn has(r: &ir::Resource, id: &str) -> bool {
        r.methods.iter().any(|m| m.id == id) || r.resources.iter().any(|r| has(r, id))
    }
    let enums = api
        .resources
        .iter()
        .find(|r| has(&r.resource, &m.id))
        .map_or(&api.root_enums, |r| &r.enums);
    enums.iter().find(|e| e.name == *name)
}

/// `ty` through aliases.
fn resolve<'t>(ty: &'t Type, api: &'t ir::Api) -> &'t Type {
    match ty {
        Type::Named { id, .. } => match &api.types[id.0].kind {
            TypeKind::Alias(inner) => resolve(inner, api),
            _ => ty,
        },
        _ => ty,
    }
}

/// The flags every method takes.
fn common_args() -> Vec<Arg> {
    vec![
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the request that would be sent (METHOD URL, headers, body) and exit"),
        Arg::new("json")
            .long("json")
            .global(true)
            .value_name("JSON|@FILE|-")
            .help("The request body: JSON text, @file.json, or - for stdin"),
        Arg::new("no-check")
            .long("no-check")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Send the --json body without checking it against the document's request schema"),
        Arg::new("upload")
            .long("upload")
            .global(true)
            .value_name("FILE")
            .conflicts_with("download")
            .help("Send FILE as the method's media (resumable, with progress, above 5 MiB); --json is its metadata"),
        Arg::new("mime")
            .long("mime")
            .global(true)
            .value_name("TYPE")
            .requires("upload")
            .help("The MIME type of --upload (default: from the file name)"),
        Arg::new("download")
            .long("download")
            .global(true)
            .value_name("FILE")
            .help("Save the method's media (alt=media) to FILE, streamed, resuming a dropped connection"),
        Arg::new("fields")
            .long("fields")
            .global(true)
            .value_name("MASK")
            .help("Only these fields of the answer (a field mask, e.g. `files(id,name)`)"),
        Arg::new("param")
            .long("param")
            .global(true)
            .action(ArgAction::Append)
            .value_name("NAME=VALUE")
            .help("Any other parameter, by its discovery name (repeatable)"),
        Arg::new("page-all")
            .long("page-all")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Walk every page and print each item as one line of JSON (NDJSON)"),
        Arg::new("max-items")
            .long("max-items")
            .global(true)
            .value_parser(clap::value_parser!(u64))
            .value_name("N")
            .help("With --page-all: stop after N items"),
        Arg::new("compact")
            .long("compact")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the answer as one line of JSON instead of indented"),
        Arg::new("root-url")
            .long("root-url")
            .global(true)
            .env("GAPI_ROOT_URL")
            .value_name("URL")
            .help("Send to this root URL instead of the API's (an emulator, a regional endpoint)"),
        Arg::new("api-key")
            .long("api-key")
            .global(true)
            .env("GOOGLE_API_KEY")
            .hide_env_values(true)
            .value_name("KEY")
            .help("Call with this API key instead of signing in"),
        Arg::new("profile")
            .long("profile")
            .global(true)
            .env("GAPI_PROFILE")
            .value_name("NAME")
            .help("Call as this signed-in profile (`gapi auth login --profile NAME`; default: `gapi auth default`)"),
        Arg::new("impersonate-service-account")
            .long("impersonate-service-account")
            .global(true)
            .value_name("EMAIL")
            .help("Call as this service account, impersonated with the credentials otherwise used (IAM generateAccessToken)"),
        Arg::new("subject")
            .long("subject")
            .global(true)
            .value_name("USER")
            .help("With a service account key in GOOGLE_APPLICATION_CREDENTIALS: call as this Workspace user (domain-wide delegation)"),
        Arg::new("quota-user")
            .long("quota-user")
            .global(true)
            .value_name("ID")
            .help("The user quota is counted against (`quotaUser`)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document of the catalog gives a command tree clap accepts
    /// (no two subcommands or flags of one name, valid value parsers) and
    /// that reaches every method the IR has.
    #[test]
    fn every_catalog_document_builds_a_valid_command_tree() {
        let dir = gapi_discovery::pinned::cache_dir();
        let files = gapi_discovery::pinned::list_documents(&dir).unwrap_or_default();
        assert!(
            files.len() >= 600,
            "{} documents in {}; run gapi-codegen sync",
            files.len(),
            dir.display()
        );
        let mut methods = 0;
        for file in files {
            let doc = gapi_discovery::parse_file(&file, gapi_discovery::Strictness::Lenient)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                .doc;
            let api = gapi_codegen::Generator::new(&doc).lower();
            let tree = build("gapi x v1", &doc, &api);
            tree.command.clone().debug_assert();
            let in_ir = ir_methods(&api).len();
            assert_eq!(
                tree.entries.len(),
                in_ir,
                "{}: methods reachable",
                file.display()
            );
            methods += in_ir;
        }
        assert!(methods > 10_000, "{methods} methods");
    }
}
