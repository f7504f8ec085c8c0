//! Whole-catalog speed: parse and generate every pinned document.
//!
//! `cargo bench -p gapi-codegen --bench catalog` (release profile) runs five
//! rounds and prints medians and spreads. Under `cargo test --all-targets`
//! (no `--bench` flag) it runs one quick round on a few documents, only to
//! prove the harness still works; no figure is asserted anywhere.

use std::time::{Duration, Instant};

use gapi_codegen::catalog::{generate_all, parse_all};
use gapi_discovery::{pinned, Strictness};

fn median_and_spread(mut samples: Vec<Duration>) -> (f64, f64, f64) {
    samples.sort();
    let secs = |d: Duration| d.as_secs_f64();
    (
        secs(samples[samples.len() / 2]),
        secs(samples[0]),
        secs(samples[samples.len() - 1]),
    )
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let dir = pinned::cache_dir();
    let rounds = if full { 5 } else { 1 };

    let mut parse = Vec::new();
    let mut bytes = 0;
    let mut docs = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let report = parse_all(&dir, Strictness::Strict)
            .expect("the cache is readable (run gapi-codegen sync)");
        parse.push(started.elapsed());
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        bytes = report.bytes;
        docs = report.parsed;
    }
    let (median, min, max) = median_and_spread(parse);
    println!(
        "catalog parse (strict): {docs} documents, {} MB: median {median:.3} s (min {min:.3}, max {max:.3}) over {rounds} round(s) = {:.0} MB/s",
        bytes / 1_000_000,
        bytes as f64 / 1e6 / median
    );

    if !full {
        // Quick mode: generation of a few documents is exercised elsewhere.
        return;
    }
    let mut generate = Vec::new();
    let mut lines = 0;
    for _ in 0..rounds {
        let report = generate_all(&dir, None, |_, _| {}).expect("the cache is readable");
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        generate.push(Duration::from_secs_f64(report.seconds));
        lines = report.lines;
    }
    let (median, min, max) = median_and_spread(generate);
    println!(
        "catalog generate: {docs} documents, {lines} lines of Rust: median {median:.2} s (min {min:.2}, max {max:.2}); {:.1} ms per document",
        median * 1000.0 / docs as f64
    );
}
