//! Generator: the whole pinned catalog parsed and generated (release
//! build), the per-document time, and generated lines per API against
//! google-apis-rs's published crates.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use gapi_codegen::catalog::{generate_all, parse_all};
use gapi_discovery::{pinned, Strictness};

use crate::stats::{Goal, Samples, Section, Table};

/// `(all lines, code lines)`: code lines are neither blank nor comments.
fn count_lines(source: &str) -> (usize, usize) {
    let all = source.lines().count();
    let code = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count();
    (all, code)
}

fn ours(dir: &Path, api: &str, version: &str) -> (usize, usize) {
    let file = dir.join(format!("{api}.{version}.json"));
    let parsed =
        gapi_discovery::parse_file(&file, Strictness::Lenient).unwrap_or_else(|e| panic!("{e}"));
    let output = gapi_codegen::Generator::new(&parsed.doc)
        .with_resource_features(true)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    output
        .files
        .iter()
        .map(|(_, s)| count_lines(s))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Source directories of the published google-apis-rs crates, resolved
/// (and downloaded if needed) through `bench/compile/loc/Cargo.toml`.
fn theirs(bench: &Path) -> Vec<(String, PathBuf)> {
    let manifest = bench.join("compile/loc/Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata for {}: {}",
        manifest.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            matches!(
                p["name"].as_str(),
                Some("google-drive3" | "google-bigquery2")
            )
        })
        .map(|p| {
            let name = format!(
                "{} {}",
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or("")
            );
            let dir = Path::new(p["manifest_path"].as_str().unwrap_or(""))
                .parent()
                .map(|d| d.join("src"))
                .unwrap_or_default();
            (name, dir)
        })
        .collect()
}

fn lines_under(dir: &Path) -> (usize, usize) {
    let mut total = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap_or_default();
                let (a, c) = count_lines(&source);
                total = (total.0 + a, total.1 + c);
            }
        }
    }
    total
}

pub fn run(quick: bool, bench: &Path) -> Section {
    let dir = pinned::cache_dir();
    let rounds = if quick { 1 } else { 5 };
    let mut out = String::new();

    let mut parse = Samples::default();
    let mut bytes = 0;
    let mut docs = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let report = parse_all(&dir, Strictness::Strict)
            .expect("the document cache is readable (run gapi-codegen sync)");
        parse.push(started.elapsed().as_secs_f64());
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        bytes = report.bytes;
        docs = report.parsed;
    }
    let mut t = Table::new(&["step (both cores)", ">seconds: median (min–max)", ">"]);
    t.row(vec![
        format!(
            "parse all {docs} documents, strict ({} MB)",
            bytes / 1_000_000
        ),
        parse.show(3),
        format!("{:.0} MB/s", bytes as f64 / 1e6 / parse.median()),
    ]);
    if !quick {
        let mut generate = Samples::default();
        let mut lines = 0;
        for _ in 0..3 {
            let report =
                generate_all(&dir, None, |_, _| {}).expect("the document cache is readable");
            assert!(report.failures.is_empty(), "{:?}", report.failures);
            generate.push(report.seconds);
            lines = report.lines;
        }
        t.row(vec![
            format!("parse + lower + emit + format all {docs} documents ({lines} lines of Rust)"),
            generate.show(2),
            format!(
                "{:.1} ms per document",
                generate.median() * 1000.0 / docs as f64
            ),
        ]);
    }
    out.push_str(&format!(
        "Whole pinned catalog, in the release profile ({rounds} rounds for parsing, 3 for generation).\n\n{}\n",
        t.render()
    ));

    // One document at a time, on one core.
    let files = pinned::list_documents(&dir).expect("list the documents");
    let files = if quick {
        &files[..5.min(files.len())]
    } else {
        &files[..]
    };
    let mut per_doc: Vec<(f64, String)> = files
        .iter()
        .map(|file| {
            let started = Instant::now();
            let parsed = gapi_discovery::parse_file(file, Strictness::Lenient)
                .unwrap_or_else(|e| panic!("{e}"));
            let output = gapi_codegen::Generator::new(&parsed.doc)
                .with_resource_features(true)
                .generate()
                .unwrap_or_else(|e| panic!("{e}"));
            std::hint::black_box(output);
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (started.elapsed().as_secs_f64() * 1000.0, name)
        })
        .collect();
    per_doc.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pick = |q: f64| {
        let i = ((per_doc.len() - 1) as f64 * q).round() as usize;
        per_doc[i].clone()
    };
    let (median, _) = pick(0.5);
    let (p90, _) = pick(0.9);
    let (max, max_name) = pick(1.0);
    out.push_str(&format!(
        "One document at a time on one core (parse + generate), over {} documents: median \
         **{median:.1} ms**, 90th percentile {p90:.1} ms, slowest {max:.0} ms (`{max_name}`).\n\n",
        per_doc.len()
    ));

    // Lines of generated code per API.
    let mut t = Table::new(&["crate", ">lines", ">code lines (no blanks, no comments)"]);
    for (api, version) in [("drive", "v3"), ("bigquery", "v2")] {
        let (all, code) = ours(&dir, api, version);
        t.row(vec![
            format!("gapi-{api}-{version} (generated)"),
            all.to_string(),
            code.to_string(),
        ]);
    }
    let mut theirs_found = 0;
    for (name, src) in theirs(bench) {
        let (all, code) = lines_under(&src);
        theirs_found += 1;
        t.row(vec![name, all.to_string(), code.to_string()]);
    }
    assert_eq!(
        theirs_found, 2,
        "google-drive3 and google-bigquery2 were found"
    );
    out.push_str(&format!(
        "Generated lines per API (gapi: what the build script writes, all resources; \
         google-apis-rs: the published crate's `src/`):\n\n{}\n",
        t.render()
    ));
    Section {
        markdown: out,
        goals: vec![Goal::new(
            "whole catalog parsed and generated (no goal set; figures only)",
            format!(
                "parse {} s; {median:.1} ms per document (median)",
                parse.show(2)
            ),
            true,
        )],
    }
}
