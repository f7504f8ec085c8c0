//! `gapi batch API VERSION`: many calls of one API from NDJSON, one call
//! per line, sent as batch requests (as many as the API allows per batch),
//! each outcome printed as a line of JSON in input order.
//!
//! ```text
//! {"method": "files.get", "params": {"fileId": "abc", "fields": "id,name"}}
//! {"method": "files.update", "params": {"fileId": "abc"}, "body": {"name": "new"}}
//! ```
//!
//! Output: `{"line": 1, "method": "drive.files.get", "status": 200,
//! "response": {…}}`, or `"error": {…}` (Google's error) for a call that
//! failed. The exit code is 1 when any call failed, after every outcome is
//! printed.
//!
//! `batch` is also an API (Cloud Batch): `gapi batch v1 …` is a call to it,
//! `gapi batch API VERSION` (an API name, not a Batch version) is this.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;

use std::ffi::OsString;

use clap::Parser;
use gapi_codegen::ir::{self, Location};
use gapi_runtime::batch::Batch;
use gapi_runtime::Request;
use serde::Deserialize;
use serde_json::Value;

use gapi_discovery::RestDescription;

use crate::document::Lookup;
use crate::error::CliError;

/// `gapi batch API VERSION`: many calls of one API in batch requests, one
/// call per line of NDJSON (`{"method": "files.get", "params": {…},
/// "body": {…}}`), one outcome per line out.
#[derive(Debug, Parser)]
#[command(name = "gapi batch")]
pub struct BatchArgs {
    /// The API (`drive`).
    api: String,
    /// Its version (`v3`).
    version: String,
    /// Read calls from FILE instead of standard input.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Send to this root URL instead of the API's.
    #[arg(long, env = "GAPI_ROOT_URL", value_name = "URL")]
    root_url: Option<String>,
    /// Call with this API key instead of signing in.
    #[arg(
        long,
        env = "GOOGLE_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    api_key: Option<String>,
    /// Call as this signed-in profile.
    #[arg(long, env = "GAPI_PROFILE", value_name = "NAME")]
    profile: Option<String>,
}

/// Whether `gapi ARGS` is this command rather than a call to the Cloud
/// Batch API: `batch`, then anything but a version of that API.
pub fn is_batch_command(args: &[OsString], lookup: &Lookup) -> bool {
    match args {
        [first, rest @ ..] if first == "batch" => match rest.first().and_then(|a| a.to_str()) {
            Some(second) if !second.starts_with('-') => {
                !lookup.versions_of("batch").iter().any(|v| v == second)
            }
            _ => true,
        },
        _ => false,
    }
}

/// The flags of `gapi batch …` (clap's own usage errors and `--help`).
///
/// # Errors
/// Never returns for bad flags or `--help`: clap prints and exits.
pub fn parse(args: &[OsString]) -> Result<BatchArgs, CliError> {
    let rest = args.iter().skip(1).cloned();
    Ok(BatchArgs::parse_from(
        std::iter::once(OsString::from("gapi batch")).chain(rest),
    ))
}

/// One input line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    /// `files.get` or `drive.files.get`.
    method: String,
    #[serde(default)]
    params: serde_json::Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
}

/// Every method of `api` by id (`drive.files.get`).
fn methods(api: &ir::Api) -> HashMap<String, &ir::Method> {
    fn walk<'a>(r: &'a ir::Resource, out: &mut HashMap<String, &'a ir::Method>) {
        for m in &r.methods {
            out.insert(m.id.clone(), m);
        }
        for sub in &r.resources {
            walk(sub, out);
        }
    }
    let mut out: HashMap<String, &ir::Method> =
        api.methods.iter().map(|m| (m.id.clone(), m)).collect();
    for module in &api.resources {
        walk(&module.resource, &mut out);
    }
    out
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The request one line describes.
fn request_of(
    client: &gapi_runtime::Client,
    service: &'static gapi_runtime::spec::ServiceSpec,
    method: &ir::Method,
    line: &Line,
    api: &ir::Api,
) -> Result<Request, String> {
    let spec = crate::call::method_spec(service, method);
    let mut request = Request::new(client, spec);
    let params: Vec<&ir::Param> = method.positional.iter().chain(&method.optional).collect();
    for (name, value) in &line.params {
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        match params.iter().find(|p| p.wire == *name) {
            Some(p) if p.location == Location::Path => match &p.collection {
                Some(c) => {
                    let c: &'static str = Box::leak(c.clone().into_boxed_str());
                    request.path_param_in(leaked, c, text(value));
                }
                None => request.path_param(leaked, text(value)),
            },
            Some(_) | None => match value {
                // Standard parameters (`fields`, `quotaUser`) go as they are.
                Value::Array(items) => {
                    for item in items {
                        request.add_query(leaked, text(item));
                    }
                }
                other => request.set_query(leaked, text(other)),
            },
        }
    }
    for p in &method.positional {
        if !line.params.contains_key(&p.wire) {
            return Err(format!("`params.{}` is required by {}", p.wire, method.id));
        }
    }
    match (&line.body, &method.request) {
        (Some(body), Some((_, ty))) => {
            crate::body::check(body, ty, api).map_err(|e| format!("`body`: {e}"))?;
            request.json_body(body);
        }
        (Some(_), None) => return Err(format!("`body`: {} takes no request body", method.id)),
        (None, _) => {}
    }
    Ok(request)
}

/// The document `gapi batch` needs, loaded before the async runtime starts
/// (a live fetch uses a blocking client).
///
/// # Errors
/// A document that is missing and cannot be fetched.
pub fn document(args: &BatchArgs, lookup: &Lookup) -> Result<RestDescription, CliError> {
    lookup.load(&args.api, &args.version)
}

/// Runs `gapi batch` with the API's document.
///
/// # Errors
/// An unreadable input, a line that is not a call (named by its number),
/// an API without a batch endpoint, the batch request failing as a whole;
/// [`CliError::Call`]-like exit 1 when some call failed.
pub async fn run(args: BatchArgs, doc: RestDescription) -> Result<(), CliError> {
    let api = gapi_codegen::Generator::new(&doc).lower();
    let service = crate::call::service_spec(&api);
    let by_id = methods(&api);
    let input: Box<dyn BufRead> = match &args.file {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path)
                .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let origin = args
        .file
        .as_ref()
        .map_or("stdin".to_string(), |p| p.display().to_string());
    // Parse everything first: a bad line stops the batch before anything is sent.
    let mut calls: Vec<(usize, &ir::Method, Line)> = Vec::new();
    for (n, text) in input.lines().enumerate() {
        let number = n + 1;
        let text = text.map_err(|e| CliError::Io(format!("{origin}: {e}")))?;
        if text.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(&text).map_err(|e| {
            CliError::Usage(format!(
                "{origin}:{number}: not a call ({{\"method\", \"params\", \"body\"}}): {e}"
            ))
        })?;
        let full = if line.method.starts_with(&format!("{}.", api.name)) {
            line.method.clone()
        } else {
            format!("{}.{}", api.name, line.method)
        };
        let Some(method) = by_id.get(&full).copied() else {
            return Err(CliError::Usage(format!(
                "{origin}:{number}: {} has no method {:?}",
                api.name, line.method
            )));
        };
        calls.push((number, method, line));
    }
    if calls.is_empty() {
        return Err(CliError::Usage(format!("{origin}: no calls")));
    }
    let mut builder = gapi_runtime::Client::builder(service);
    if let Some(root) = &args.root_url {
        builder = builder.root_url(root.as_str());
    }
    let profile = crate::auth::active_profile(args.profile.as_deref())?;
    let chain = crate::call::credential_chain(
        args.api_key.as_deref().filter(|k| !k.trim().is_empty()),
        false,
        Some(&profile),
    )?;
    let mut scopes: Vec<String> = calls
        .iter()
        .filter_map(|(_, m, _)| m.scopes.first().cloned())
        .collect();
    scopes.sort();
    scopes.dedup();
    if let Some(chosen) = crate::call::credentials(&chain, &scopes).await? {
        builder = builder.shared_credentials(chosen.credentials());
    }
    let client = builder
        .build()
        .map_err(|e| CliError::Usage(format!("--root-url: {e}")))?;
    let max = Batch::new(&client).max_calls().ok_or_else(|| {
        CliError::Usage(format!(
            "{} {} has no batch endpoint; call the methods one by one",
            args.api, args.version
        ))
    })?;
    // Every request built before any is sent: a bad line sends nothing.
    let mut requests = Vec::new();
    for (number, method, line) in &calls {
        let request = request_of(&client, service, method, line, &api)
            .map_err(|e| CliError::Usage(format!("{origin}:{number}: {e}")))?;
        requests.push((*number, method.id.clone(), request));
    }
    let mut failed = 0usize;
    let mut pending = requests.into_iter().peekable();
    while pending.peek().is_some() {
        let mut batch = Batch::new(&client);
        let mut slots = Vec::new();
        for (number, id, request) in pending.by_ref().take(max.max(1)) {
            slots.push((number, id, batch.add(request)));
        }
        let answers = batch.execute().await?;
        for (number, id, slot) in slots {
            let mut outcome = serde_json::json!({"line": number, "method": id});
            outcome["status"] = answers.status(slot).map_or(Value::Null, Value::from);
            match answers.get(slot) {
                Ok(response) => outcome["response"] = response,
                Err(e) => {
                    failed += 1;
                    outcome["error"] = e
                        .body()
                        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                        .map_or_else(
                            || Value::String(e.to_string()),
                            |v| v.get("error").cloned().unwrap_or(v),
                        );
                }
            }
            crate::out::line(outcome)?;
        }
    }
    if failed > 0 {
        return Err(CliError::Io(format!(
            "{failed} of {} call(s) failed (their lines say why)",
            calls.len()
        )));
    }
    Ok(())
}
