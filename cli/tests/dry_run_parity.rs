//! `gapi … --dry-run` against google-api-python-client: every call of the
//! parity corpus (`parity/record.py`, recorded by the README's test command)
//! is made through the binary, with flags spelt as a user would (kebab-case
//! names, path parameters positional), and the printed request is compared
//! with the one the Python client built.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
struct Call {
    doc: String,
    id: String,
    path_params: BTreeMap<String, String>,
    query: Vec<(String, serde_json::Value, bool)>,
    body: Option<serde_json::Value>,
    #[serde(default)]
    media: Option<serde_json::Value>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    method: String,
    uri: String,
    body: Option<String>,
    api_version: Option<String>,
}

/// The naming rule the issue gives (`calendar-list`, `reset-for-all-players`,
/// `--page-size`), written here independently of the binary's.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(if c == '_' { '-' } else { c });
        }
        previous = Some(c);
    }
    out.trim_matches('-').to_string()
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `name=value` pairs of a query string, decoded, without `alt` and
/// `prettyPrint` (which gapi always sets).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n), decode(v))
        })
        .filter(|(n, _)| n != "alt" && n != "prettyPrint")
        .collect();
    pairs.sort();
    pairs
}

/// The command line for a recorded call.
fn command_line(call: &Call, doc: &gapi_discovery::RestDescription) -> Vec<String> {
    let (api, version) = call.doc.split_once('.').unwrap();
    let (path, key, method) = doc
        .all_methods()
        .into_iter()
        .find(|(_, _, m)| m.id.as_deref() == Some(call.id.as_str()))
        .unwrap_or_else(|| panic!("{} not in {}", call.id, call.doc));
    let mut args: Vec<String> = vec![api.into(), version.into()];
    args.extend(path.iter().map(|r| kebab(r)));
    args.push(kebab(key));
    for name in method.parameter_order.iter().flatten() {
        if let Some(value) = call.path_params.get(name) {
            args.push(value.clone());
        }
    }
    let method_params = method.parameters.clone().unwrap_or_default();
    for (name, value, _) in &call.query {
        let values: Vec<String> = match value {
            serde_json::Value::Array(items) => items.iter().map(text).collect(),
            other => vec![text(other)],
        };
        for value in values {
            let flag = match name.as_str() {
                "fields" => "fields".to_string(),
                "quotaUser" => "quota-user".to_string(),
                _ if method_params.contains_key(name)
                    && !COMMON.contains(&kebab(name).as_str()) =>
                {
                    kebab(name)
                }
                _ => {
                    args.push(format!("--param={name}={value}"));
                    continue;
                }
            };
            args.push(format!("--{flag}={value}"));
        }
    }
    if let Some(body) = &call.body {
        // The corpus's bodies are made up, not shaped by each schema.
        args.push("--no-check".into());
        args.push("--json".into());
        args.push(body.to_string());
    }
    args.push("--dry-run".into());
    args
}

/// The binary's own flags (a method parameter of one of these names goes
/// through `--param`).
const COMMON: &[&str] = &[
    "dry-run",
    "json",
    "no-check",
    "fields",
    "param",
    "page-all",
    "max-items",
    "compact",
    "root-url",
    "api-key",
    "quota-user",
    "help",
];

#[test]
fn dry_run_prints_what_the_python_client_sends() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/parity/corpus.json");
    let raw = std::fs::read_to_string(&corpus).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the README's test command records it (parity/record.py)",
            corpus.display()
        )
    });
    let calls: Vec<Call> = serde_json::from_str(&raw).unwrap();
    let dir = gapi_discovery::pinned::cache_dir();
    let mut docs = BTreeMap::new();
    let mut failures = Vec::new();
    let mut made = 0;
    for call in calls.iter().filter(|c| c.media.is_none()) {
        let doc = docs.entry(call.doc.clone()).or_insert_with(|| {
            gapi_discovery::parse_file(
                &dir.join(format!("{}.json", call.doc)),
                gapi_discovery::Strictness::Lenient,
            )
            .unwrap()
            .doc
        });
        let args = command_line(call, doc);
        let out = Command::new(env!("CARGO_BIN_EXE_gapi"))
            .args(&args)
            .env("GAPI_DISCOVERY_URL", "http://127.0.0.1:9/{api}/{version}")
            .env_remove("GAPI_ROOT_URL")
            .env_remove("GOOGLE_API_KEY")
            .output()
            .unwrap();
        made += 1;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            failures.push(format!(
                "gapi {}: exit {:?}: {}",
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let (head, body) = stdout.split_once("\n\n").unwrap_or((&stdout, ""));
        let mut lines = head.lines();
        let first = lines.next().unwrap_or("");
        let (method, url) = first.split_once(' ').unwrap_or((first, ""));
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let (expected_path, expected_query) = call
            .expected
            .uri
            .split_once('?')
            .unwrap_or((&call.expected.uri, ""));
        let mut problems = Vec::new();
        if method != call.expected.method {
            problems.push(format!("method {method} vs {}", call.expected.method));
        }
        if path != expected_path {
            problems.push(format!("path {path} vs {expected_path}"));
        }
        if query_pairs(query) != query_pairs(expected_query) {
            problems.push(format!("query {query} vs {expected_query}"));
        }
        let ours: Option<serde_json::Value> =
            (!body.trim().is_empty()).then(|| serde_json::from_str(body.trim()).unwrap());
        let theirs: Option<serde_json::Value> = call
            .expected
            .body
            .as_ref()
            .map(|b| serde_json::from_str(b).unwrap());
        if ours != theirs {
            problems.push(format!("body {ours:?} vs {theirs:?}"));
        }
        let version = lines
            .filter_map(|l| l.split_once(": "))
            .find(|(k, _)| k.eq_ignore_ascii_case("x-goog-api-version"))
            .map(|(_, v)| v.to_string());
        if version != call.expected.api_version {
            problems.push(format!(
                "x-goog-api-version {version:?} vs {:?}",
                call.expected.api_version
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("gapi {}: {}", args.join(" "), problems.join("; ")));
        }
    }
    let apis: std::collections::BTreeSet<&str> = calls.iter().map(|c| c.doc.as_str()).collect();
    assert!(made >= 100, "only {made} calls made");
    assert!(apis.len() >= 20, "only {} APIs", apis.len());
    assert!(
        failures.is_empty(),
        "{} of {made} dry runs differ from the Python client:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
