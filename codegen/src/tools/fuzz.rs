//! Structure-aware fuzzing of the whole pipeline, on stable Rust.
//!
//! Each input is a real document of the catalog with a few mutations of
//! the kinds that break generators: fields dropped, renamed, retyped or
//! duplicated; deep nesting; huge and unusual strings; names that are
//! keywords, digits or emoji; `$ref` cycles and dangling `$ref`s; odd
//! enums and parameter orders. It goes through parse → validate → lower →
//! emit → format, and must end in one of two ways: a parse error that
//! names the JSON path, or Rust source that parses. A panic, a hang or a
//! crash (stack overflow) is a finding.
//!
//! Input `n` of a run is a pure function of the seed and `n`
//! ([`input`]), so a finding is reproduced from two numbers. Panics are
//! caught in the process; a stack overflow kills it, so the command runs
//! the inputs in a child process ([`run_worker`]) that announces each
//! input before it starts, and the parent rebuilds the input that killed
//! it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

pub use gapi_codegen::rng::seed_of;
use gapi_codegen::rng::Rng;

/// How one input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Rejected with an error naming a JSON path.
    Rejected,
    /// Generated Rust that parses.
    Generated,
    /// Broke a rule: the message says how.
    Finding(String),
}

/// The documents inputs are made from: file paths, small ones first.
#[derive(Debug, Clone)]
pub struct Corpus {
    small: Vec<PathBuf>,
    all: Vec<PathBuf>,
}

impl Corpus {
    /// Every `*.json` of `dir`.
    ///
    /// # Errors
    /// When the directory cannot be listed or holds no document.
    pub fn open(dir: &Path) -> Result<Corpus, String> {
        let all = gapi_discovery::pinned::list_documents(dir)
            .map_err(|e| format!("{}: {e}; run `gapi-codegen sync`", dir.display()))?;
        if all.is_empty() {
            return Err(format!("{} holds no document", dir.display()));
        }
        // Small documents run fast; most inputs start from one.
        let small = all
            .iter()
            .filter(|p| p.metadata().is_ok_and(|m| m.len() < 150_000))
            .cloned()
            .collect();
        Ok(Corpus { small, all })
    }
}

/// Names that trouble a generator: keywords, reserved words, digits,
/// emoji, clashes after case conversion.
const NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "r#type",
    "fn",
    "match",
    "async",
    "try",
    "_",
    "__",
    "",
    "0",
    "123abc",
    "🦀",
    "名前",
    "a-b",
    "a_b",
    "A_B",
    "aB",
    "Ab",
    "a.b",
    "a b",
    "$ref",
    "default",
    "Default",
    "Option",
    "String",
    "Box",
    "Vec",
    "Result",
    "types",
    "scopes",
    "build",
    "new",
    "execute",
    "send",
    "stream",
    "fields",
    "key",
    "alt",
    "pageToken",
    "Error",
    "SERVICE",
];

/// Strings that trouble documentation and string literals.
const STRINGS: &[&str] = &[
    "",
    "\"",
    "\\",
    "*/",
    "/*",
    "```",
    "```rust\nfn main() {",
    "#[doc = \"x\"]",
    "<script>",
    "[link](",
    "\u{0}",
    "\u{7f}",
    "\r\n",
    "\u{202e}",
    "🦀🦀",
    "{",
    "}",
    "{+name}",
    "{name",
    "https://x/{a}/{a}",
    "%",
    "%2F",
    "é",
    "\t",
    "r#\"",
    "\"#",
    "'",
    "&amp;",
];

/// Keys a mutation aims at, to reach the generator's interesting paths.
const KEYS: &[&str] = &[
    "schemas",
    "resources",
    "methods",
    "parameters",
    "properties",
    "$ref",
    "enum",
    "type",
    "format",
    "parameterOrder",
    "request",
    "response",
    "mediaUpload",
    "items",
    "additionalProperties",
    "id",
    "path",
    "flatPath",
    "rootUrl",
    "servicePath",
    "batchPath",
    "name",
    "version",
    "required",
    "repeated",
    "location",
    "enumDescriptions",
    "scopes",
    "supportsMediaDownload",
    "useMediaDownloadService",
    "pattern",
    "default",
];

/// Input `n` of a run: a corpus document with one to eight mutations.
///
/// # Errors
/// When the chosen document cannot be read.
pub fn input(corpus: &Corpus, seed: u64, n: u64) -> Result<(String, Vec<u8>), String> {
    let mut rng = Rng::new(seed, n);
    let pool = if rng.chance(90) && !corpus.small.is_empty() {
        &corpus.small
    } else {
        &corpus.all
    };
    let Some(path) = rng.pick(pool) else {
        return Err("empty corpus".into());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut applied = Vec::new();
    for _ in 0..=rng.below(8) {
        applied.push(mutate(&mut doc, &mut rng));
    }
    let mut text = serde_json::to_vec(&doc).map_err(|e| e.to_string())?;
    if rng.chance(3) {
        // A duplicate key, which a Value cannot hold: only text has it.
        let dup: &[u8] = b"\"name\":\"dup\",\"name\":\"dup2\",";
        if text.first() == Some(&b'{') {
            text.splice(1..1, dup.iter().copied());
            applied.push("duplicate key");
        }
    }
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((format!("{name} + {}", applied.join(", ")), text))
}

/// Applies one mutation; returns its name.
fn mutate(doc: &mut Value, rng: &mut Rng) -> &'static str {
    match rng.below(12) {
        0 => {
            if let Some(obj) = random_object(doc, rng) {
                if let Some(key) = random_key(obj, rng) {
                    obj.remove(&key);
                }
            }
            "drop field"
        }
        1 => {
            if let Some(obj) = random_object(doc, rng) {
                if let Some(key) = random_key(obj, rng) {
                    if let Some(v) = obj.remove(&key) {
                        obj.insert(weird_name(rng), v);
                    }
                }
            }
            "rename field"
        }
        2 => {
            let v = random_value(rng);
            if let Some(target) = random_node(doc, rng) {
                *target = v;
            }
            "retype value"
        }
        3 => {
            if let Some(obj) = random_object(doc, rng) {
                if let Some(key) = random_key(obj, rng) {
                    if let Some(v) = obj.get(&key).cloned() {
                        obj.insert(format!("{key}{}", weird_name(rng)), v);
                    }
                }
            }
            "duplicate field"
        }
        4 => {
            let s = weird_string(rng);
            if let Some(target) = random_string(doc, rng) {
                *target = Value::String(s);
            }
            "unusual string"
        }
        5 => {
            nest(doc, rng);
            "deep nesting"
        }
        6 => {
            ref_cycle(doc, rng);
            "$ref cycle"
        }
        7 => {
            if let Some(target) = random_keyed(doc, "$ref", rng) {
                *target = Value::String(weird_name(rng));
            }
            "dangling $ref"
        }
        8 => {
            weird_member(doc, rng);
            "odd name"
        }
        9 => {
            if let Some(target) = random_keyed(doc, "enum", rng) {
                let values = (0..rng.below(6))
                    .map(|_| Value::String(weird_name(rng)))
                    .collect();
                *target = Value::Array(values);
            }
            "odd enum"
        }
        10 => {
            if let Some(target) = random_keyed(doc, "parameterOrder", rng) {
                let names = (0..rng.below(4))
                    .map(|_| Value::String(weird_name(rng)))
                    .collect();
                *target = Value::Array(names);
            }
            "odd parameterOrder"
        }
        _ => {
            let key = *rng.pick(KEYS).unwrap_or(&"type");
            let v = random_value(rng);
            if let Some(target) = random_keyed(doc, key, rng) {
                *target = v;
            }
            "retype known field"
        }
    }
}

fn weird_name(rng: &mut Rng) -> String {
    let base = (*rng.pick(NAMES).unwrap_or(&"x")).to_string();
    match rng.below(4) {
        0 => format!("{base}{}", rng.below(3)),
        1 => base.repeat(1 + rng.below(40)),
        _ => base,
    }
}

fn weird_string(rng: &mut Rng) -> String {
    let base = (*rng.pick(STRINGS).unwrap_or(&"")).to_string();
    if rng.chance(10) {
        // A huge string: 1 to 4 MB.
        base.repeat(1 + rng.below(4) * 1_000_000 / base.len().max(1))
    } else {
        base
    }
}

fn random_value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::from(i64::MAX),
        3 => Value::from(-1.5),
        4 => Value::String(weird_string(rng)),
        5 => Value::Array(vec![Value::String(weird_name(rng))]),
        6 => Value::Object(Map::new()),
        _ => Value::String(weird_name(rng)),
    }
}

/// The `k`-th node of `v` in pre-order, for which `want` holds.
fn nth_mut<'v>(
    v: &'v mut Value,
    k: &mut usize,
    want: &dyn Fn(&Value) -> bool,
) -> Option<&'v mut Value> {
    if want(v) {
        if *k == 0 {
            return Some(v);
        }
        *k -= 1;
    }
    match v {
        Value::Object(m) => m.values_mut().find_map(|c| nth_mut(c, k, want)),
        Value::Array(a) => a.iter_mut().find_map(|c| nth_mut(c, k, want)),
        _ => None,
    }
}

fn count_where(v: &Value, want: &dyn Fn(&Value) -> bool) -> usize {
    usize::from(want(v))
        + match v {
            Value::Object(m) => m.values().map(|c| count_where(c, want)).sum(),
            Value::Array(a) => a.iter().map(|c| count_where(c, want)).sum(),
            _ => 0,
        }
}

fn random_where<'v>(
    doc: &'v mut Value,
    rng: &mut Rng,
    want: &dyn Fn(&Value) -> bool,
) -> Option<&'v mut Value> {
    let mut k = rng.below(count_where(doc, want));
    nth_mut(doc, &mut k, want)
}

fn random_node<'v>(doc: &'v mut Value, rng: &mut Rng) -> Option<&'v mut Value> {
    random_where(doc, rng, &|_| true)
}

fn random_string<'v>(doc: &'v mut Value, rng: &mut Rng) -> Option<&'v mut Value> {
    random_where(doc, rng, &Value::is_string)
}

fn random_object<'v>(doc: &'v mut Value, rng: &mut Rng) -> Option<&'v mut Map<String, Value>> {
    random_where(doc, rng, &Value::is_object)?.as_object_mut()
}

/// The value under `key` of a random object that has it.
fn random_keyed<'v>(doc: &'v mut Value, key: &str, rng: &mut Rng) -> Option<&'v mut Value> {
    random_where(doc, rng, &|v| v.get(key).is_some())?.get_mut(key)
}

fn random_key(obj: &Map<String, Value>, rng: &mut Rng) -> Option<String> {
    let keys: Vec<&String> = obj.keys().collect();
    rng.pick(&keys).map(|k| (*k).clone())
}

/// Wraps a schema (or a resource) many levels deep.
fn nest(doc: &mut Value, rng: &mut Rng) {
    let depth = *rng.pick(&[20, 60, 120, 300]).unwrap_or(&20);
    let resources = rng.chance(30);
    let mut v = if resources {
        serde_json::json!({"methods": {"get": {"id": "x.get", "path": "x", "httpMethod": "GET"}}})
    } else {
        serde_json::json!({"type": "string"})
    };
    for i in 0..depth {
        v = if resources {
            serde_json::json!({ "resources": { format!("r{i}"): v } })
        } else if i % 3 == 0 {
            serde_json::json!({"type": "array", "items": v})
        } else if i % 3 == 1 {
            serde_json::json!({"type": "object", "additionalProperties": v})
        } else {
            serde_json::json!({"type": "object", "properties": {"p": v}})
        };
    }
    let (bag, id) = if resources {
        ("resources", "deep")
    } else {
        ("schemas", "Deep")
    };
    if let Some(map) = doc.get_mut(bag).and_then(Value::as_object_mut) {
        if !resources {
            v["id"] = Value::String(id.into());
        }
        map.insert(id.into(), v);
    }
}

/// Points schemas at each other: a property, `items`, `additionalProperties`
/// or the whole schema referring back through one to three steps.
fn ref_cycle(doc: &mut Value, rng: &mut Rng) {
    let Some(schemas) = doc.get_mut("schemas").and_then(Value::as_object_mut) else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let len = 1 + rng.below(3);
    let chain: Vec<String> = (0..len).filter_map(|_| rng.pick(&names).cloned()).collect();
    for (i, name) in chain.iter().enumerate() {
        let next = &chain[(i + 1) % chain.len()];
        let r = serde_json::json!({ "$ref": next });
        let replacement = match rng.below(4) {
            0 => r,
            1 => serde_json::json!({"type": "array", "items": r}),
            2 => serde_json::json!({"type": "object", "additionalProperties": r}),
            _ => serde_json::json!({"type": "object", "properties": {"next": r}}),
        };
        if let Some(schema) = schemas.get_mut(name) {
            if rng.chance(50) {
                *schema = replacement;
            } else if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut)
            {
                props.insert("loop".into(), replacement);
            }
        }
    }
}

/// Adds a schema, resource, method or parameter with an odd name.
fn weird_member(doc: &mut Value, rng: &mut Rng) {
    let name = weird_name(rng);
    match rng.below(4) {
        0 => {
            if let Some(s) = doc.get_mut("schemas").and_then(Value::as_object_mut) {
                s.insert(
                    name.clone(),
                    serde_json::json!({"id": name, "type": "object",
                        "properties": {name.clone(): {"type": "string"}}}),
                );
            }
        }
        1 => {
            if let Some(r) = doc.get_mut("resources").and_then(Value::as_object_mut) {
                r.insert(
                    name.clone(),
                    serde_json::json!({"methods": {name.clone(): {
                        "id": format!("x.{name}"), "path": format!("{{+{name}}}"), "httpMethod": "GET",
                        "parameters": {name.clone(): {"type": "string", "location": "path", "required": true}},
                        "parameterOrder": [name]}}}),
                );
            }
        }
        2 => {
            if let Some(p) = random_keyed(doc, "parameters", rng).and_then(Value::as_object_mut) {
                p.insert(
                    name,
                    serde_json::json!({"type": "string", "location": "query", "repeated": true,
                        "enum": ["A", "a", "", "🦀"]}),
                );
            }
        }
        _ => {
            if let Some(p) = random_keyed(doc, "properties", rng).and_then(Value::as_object_mut) {
                p.insert(
                    name,
                    serde_json::json!({"type": "string", "format": "int64"}),
                );
            }
        }
    }
}

/// Runs one input through the pipeline.
#[must_use]
pub fn run_one(label: &str, bytes: &[u8]) -> Verdict {
    use gapi_discovery::{parse_slice, ParseError, Strictness};
    let parsed = match parse_slice(label, bytes, Strictness::Lenient) {
        Ok(p) => p,
        Err(ParseError::Json { path, message, .. }) => {
            return if path.is_empty() {
                Verdict::Finding(format!("parse error without a JSON path: {message}"))
            } else {
                Verdict::Rejected
            };
        }
        Err(e) => return Verdict::Finding(format!("unexpected parse error: {e}")),
    };
    let _ = gapi_discovery::validate(&parsed.doc);
    let api = gapi_codegen::Generator::new(&parsed.doc)
        .with_resource_features(true)
        .lower();
    let breaches = gapi_codegen::features::check(&api);
    if let Some(first) = breaches.first() {
        return Verdict::Finding(format!("feature gating: {first}"));
    }
    match gapi_codegen::Generator::generate_from(&api, gapi_codegen::Layout::Files) {
        Ok(_) => Verdict::Generated,
        Err(e) => Verdict::Finding(format!("generated source does not parse: {e}")),
    }
}

/// What a worker says on stdout, one line each.
pub mod protocol {
    /// Before input `n` starts: `start n`.
    pub const START: &str = "start";
    /// After it: `end n rejected|generated`.
    pub const END: &str = "end";
    /// A finding: `finding n message`.
    pub const FINDING: &str = "finding";
    /// A hang: `hang n`, then the worker exits with [`HANG_EXIT`].
    pub const HANG: &str = "hang";
    /// The worker's exit code after a hang.
    pub const HANG_EXIT: i32 = 3;
}

/// Runs inputs `from..to` of `seed` (or until `deadline`), printing the
/// protocol lines. Each input runs on a thread with an 8 MiB stack (a main
/// thread's, as in a build script) and gets `timeout` before it counts as
/// a hang.
///
/// # Errors
/// When the corpus cannot be read or stdout is closed.
pub fn run_worker(
    corpus: &Corpus,
    seed: u64,
    from: u64,
    to: u64,
    deadline: Option<std::time::Instant>,
    timeout: Duration,
) -> Result<i32, String> {
    use std::io::Write;
    // Panics are findings, reported by the parent: keep stderr quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let stdout = std::io::stdout();
    for n in from..to {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
        let (label, bytes) = input(corpus, seed, n)?;
        writeln!(stdout.lock(), "{} {n}", protocol::START).map_err(|e| e.to_string())?;
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let verdict =
                    std::panic::catch_unwind(|| run_one(&label, &bytes)).unwrap_or_else(|panic| {
                        let message = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                            .unwrap_or_default();
                        Verdict::Finding(format!("panic: {message}"))
                    });
                let _ = send.send(verdict);
            })
            .map_err(|e| e.to_string())?;
        let line = match receive.recv_timeout(timeout) {
            Ok(Verdict::Rejected) => format!("{} {n} rejected", protocol::END),
            Ok(Verdict::Generated) => format!("{} {n} generated", protocol::END),
            Ok(Verdict::Finding(message)) => {
                format!("{} {n} {}", protocol::FINDING, message.replace('\n', " "))
            }
            Err(_) => {
                writeln!(stdout.lock(), "{} {n}", protocol::HANG).map_err(|e| e.to_string())?;
                return Ok(protocol::HANG_EXIT);
            }
        };
        writeln!(stdout.lock(), "{line}").map_err(|e| e.to_string())?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_a_function_of_seed_and_number() {
        let dir = tempfile::tempdir().expect("temp dir");
        let doc = serde_json::json!({
            "name": "t", "version": "v1", "rootUrl": "https://t/", "servicePath": "",
            "schemas": {"A": {"id": "A", "type": "object", "properties": {"b": {"$ref": "B"}}},
                        "B": {"id": "B", "type": "string", "enum": ["X"]}},
            "resources": {"r": {"methods": {"get": {"id": "t.r.get", "path": "r/{id}",
                "httpMethod": "GET", "parameters": {"id": {"type": "string", "location": "path",
                "required": true}}, "parameterOrder": ["id"], "response": {"$ref": "A"}}}}}
        });
        std::fs::write(dir.path().join("t.v1.json"), doc.to_string()).expect("write");
        let corpus = Corpus::open(dir.path()).expect("corpus");
        let a = input(&corpus, 7, 3).expect("input");
        let b = input(&corpus, 7, 3).expect("input");
        assert_eq!(a, b);
        let others: Vec<_> = (0..20)
            .map(|n| input(&corpus, 7, n).expect("input").1)
            .collect();
        assert!(others.iter().any(|o| *o != a.1));
        for n in 0..200 {
            let (label, bytes) = input(&corpus, 7, n).expect("input");
            let verdict = run_one(&label, &bytes);
            assert!(
                !matches!(verdict, Verdict::Finding(_)),
                "input {n} ({label}): {verdict:?}"
            );
        }
    }

    #[test]
    fn an_unparseable_generation_is_a_finding_not_a_pass() {
        // Not JSON at all: rejected with a path (the root).
        assert_eq!(run_one("x", b"{"), Verdict::Rejected);
        let ok = br#"{"name": "t", "version": "v1", "rootUrl": "https://t/", "servicePath": ""}"#;
        assert_eq!(run_one("x", ok), Verdict::Generated);
    }
}

/// A fuzzing run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Documents to mutate.
    pub dir: PathBuf,
    /// Where findings go.
    pub out: PathBuf,
    /// From [`seed_of`].
    pub seed: u64,
    /// At most this many inputs.
    pub runs: u64,
    /// At most this long.
    pub seconds: u64,
    /// Seconds one input may take.
    pub timeout: u64,
}

/// A finding, saved as `OUT/finding-N.json` (the input) and `.txt`.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Input number.
    pub n: u64,
    /// Panic, hang, crash or rule broken.
    pub message: String,
    /// The saved input.
    pub file: PathBuf,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs run to the end.
    pub executions: u64,
    /// Of those, rejected with a JSON path.
    pub rejected: u64,
    /// Of those, generated Rust that parses.
    pub generated: u64,
    /// Everything else.
    pub findings: Vec<Finding>,
    /// Wall time.
    pub seconds: f64,
}

impl Report {
    /// One paragraph for people.
    #[must_use]
    pub fn summary(&self, seed: &str) -> String {
        let mut out = format!(
            "fuzz: {} executions in {:.0} s ({:.0}/s): {} rejected with a JSON path, {} generated Rust that parses, {} finding(s); seed {seed:?}",
            self.executions,
            self.seconds,
            self.executions as f64 / self.seconds.max(0.001),
            self.rejected,
            self.generated,
            self.findings.len()
        );
        for f in &self.findings {
            out.push_str(&format!(
                "\n  input {}: {} (saved to {})",
                f.n,
                f.message,
                f.file.display()
            ));
        }
        out
    }
}

/// Runs workers (this program's hidden `fuzz-worker` command) until the
/// inputs or the time run out, restarting one after a hang or a crash and
/// saving the input that caused it. `log` sees progress lines.
///
/// # Errors
/// When the corpus cannot be read, a worker cannot start, or a finding
/// cannot be saved.
pub fn supervise(
    exe: &Path,
    options: &RunOptions,
    mut log: impl FnMut(&str),
) -> Result<Report, String> {
    use std::io::BufRead;
    let corpus = Corpus::open(&options.dir)?;
    std::fs::create_dir_all(&options.out).map_err(|e| format!("{}: {e}", options.out.display()))?;
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut report = Report::default();
    let mut next = 0;
    let save = |n: u64, message: String, report: &mut Report| -> Result<(), String> {
        let (label, bytes) = input(&corpus, options.seed, n)?;
        let file = options.out.join(format!("finding-{n}.json"));
        std::fs::write(&file, &bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let note = format!("{message}\ninput {n} of seed {}: {label}\n", options.seed);
        let txt = file.with_extension("txt");
        std::fs::write(&txt, note).map_err(|e| format!("{}: {e}", txt.display()))?;
        report.findings.push(Finding { n, message, file });
        Ok(())
    };
    while next < options.runs {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let mut child = std::process::Command::new(exe)
            .args(["fuzz-worker", "--seed", &options.seed.to_string()])
            .args([
                "--from",
                &next.to_string(),
                "--to",
                &options.runs.to_string(),
            ])
            .args(["--seconds", &left.as_secs().max(1).to_string()])
            .args(["--timeout", &options.timeout.to_string()])
            .arg("--dir")
            .arg(&options.dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start a fuzzing worker: {e}"))?;
        let mut current = None;
        if let Some(stdout) = child.stdout.take() {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut parts = line.splitn(3, ' ');
                let (kind, n, rest) = (parts.next(), parts.next(), parts.next());
                let Some(n) = n.and_then(|n| n.parse::<u64>().ok()) else {
                    continue;
                };
                match kind {
                    Some(protocol::START) => current = Some(n),
                    Some(protocol::END) => {
                        current = None;
                        report.executions += 1;
                        match rest {
                            Some("rejected") => report.rejected += 1,
                            _ => report.generated += 1,
                        }
                        if report.executions.is_multiple_of(500) {
                            log(&format!("  {} executions", report.executions));
                        }
                    }
                    Some(protocol::FINDING) => {
                        current = None;
                        report.executions += 1;
                        log(&format!("finding at input {n}: {}", rest.unwrap_or("")));
                        save(n, rest.unwrap_or("").to_string(), &mut report)?;
                    }
                    _ => {}
                }
            }
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        match current {
            // Ended cleanly with every input done (or the time up).
            None if status.success() => break,
            None => return Err(format!("fuzzing worker failed outside an input ({status})")),
            Some(n) => {
                let message = if status.code() == Some(protocol::HANG_EXIT) {
                    format!("hang: no answer in {} s", options.timeout)
                } else {
                    format!("crash: the process died ({status}), e.g. a stack overflow")
                };
                report.executions += 1;
                log(&format!("finding at input {n}: {message}"));
                save(n, message, &mut report)?;
                next = n + 1;
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
