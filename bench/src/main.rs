//! gapi's benchmark harness: one command that measures gapi against
//! google-apis-rs (google-drive3 7.x + yup-oauth2) and against the ceilings,
//! on this machine, and writes `BENCHMARKS.md`.
//!
//! ```text
//! cd bench && cargo run --release            # everything (about 40 minutes); writes ../BENCHMARKS.md
//! cd bench && cargo run --release -- --quick # a few iterations of everything; writes target/BENCHMARKS.quick.md
//! cargo run --release -- --only runtime,auth # some sections; writes target/BENCHMARKS.partial.md
//! cargo run --release -- --only compile --rounds 1 # one round of the compile A/B
//! cargo run --release -- --only soak --soak-seconds 3600 # the chaos soak, an hour
//! ```
//!
//! Quick mode runs in CI only to prove the harness builds and runs; no
//! figure is asserted there (the harness asserts correctness only: every
//! file walked, every byte uploaded, every caller served).

mod alloc;
mod auth;
mod compile;
mod generator;
mod media;
mod registry;
mod runtime;
mod server;
mod soak;
mod stats;
mod streaming;
mod walk;

use std::path::{Path, PathBuf};
use std::process::Command;

use stats::{Section, Table};

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

const SECTIONS: [&str; 8] = [
    "compile",
    "runtime",
    "walk",
    "generator",
    "auth",
    "media",
    "streaming",
    "soak",
];

struct Args {
    quick: bool,
    only: Vec<String>,
    out: Option<PathBuf>,
    /// Compile-section rounds (default 3; quick mode 1).
    rounds: Option<usize>,
    /// How long the chaos soak runs (default 300 s; quick mode 10 s).
    soak_seconds: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        only: SECTIONS.iter().map(|s| s.to_string()).collect(),
        out: None,
        rounds: None,
        soak_seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--only" => {
                let list = it.next().ok_or("--only needs a comma-separated list")?;
                args.only = list.split(',').map(str::to_string).collect();
                if let Some(bad) = args.only.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    return Err(format!("--only: unknown section {bad:?}; sections: {}", SECTIONS.join(", ")));
                }
            }
            "--out" => args.out = Some(it.next().ok_or("--out needs a path")?.into()),
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a number")?;
                args.rounds = Some(
                    n.parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or(format!("--rounds {n:?}: a positive number"))?,
                );
            }
            "--soak-seconds" => {
                let n = it.next().ok_or("--soak-seconds needs a number")?;
                args.soak_seconds = Some(
                    n.parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or(format!("--soak-seconds {n:?}: a positive number"))?,
                );
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: cargo run --release -- [--quick] [--only {}] [--rounds N] [--soak-seconds N] [--out FILE]",
                    SECTIONS.join(",")
                ))
            }
        }
    }
    Ok(args)
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or_else(
            || "?".into(),
            |kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0),
        );
    format!(
        "{cores} cores ({cpu}), {mem} RAM, {}, {}",
        command_output("rustc", &["--version"]),
        command_output("cargo", &["--version"])
    )
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if cfg!(debug_assertions) && !args.quick {
        eprintln!("warning: a debug build; figures are only meaningful with --release");
    }
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let scratch = bench.join("target/bench-scratch");
    let wants = |s: &str| args.only.iter().any(|o| o == s);
    let quick = args.quick;
    let mut sections: Vec<(&str, Section)> = Vec::new();
    if wants("compile") {
        eprintln!("compile time (A/B builds)…");
        sections.push((
            "1. Compile time",
            compile::run(quick, args.rounds, &bench, &scratch.join("compile")),
        ));
    }
    if wants("runtime") {
        eprintln!("runtime…");
        sections.push((
            "2. Runtime: `files.list`, 100 files per page",
            runtime::run(quick).await,
        ));
    }
    if wants("walk") {
        eprintln!("paginated walk…");
        sections.push((
            "2b. Runtime: peak memory of a paginated walk",
            walk::run(quick).await,
        ));
    }
    if wants("generator") {
        eprintln!("generator…");
        sections.push((
            "3. Generator: the whole pinned catalog",
            generator::run(quick, &bench),
        ));
    }
    if wants("auth") {
        eprintln!("auth…");
        sections.push(("4. Auth hot path", auth::run(quick).await));
    }
    if wants("media") {
        eprintln!("media…");
        sections.push((
            "5. Media: resumable upload",
            media::run(quick, &scratch.join("media")).await,
        ));
    }

    if wants("streaming") {
        eprintln!("streaming…");
        sections.push((
            "6. Streaming: a Gemini answer, piece by piece",
            streaming::run(quick).await,
        ));
    }

    if wants("soak") {
        eprintln!("chaos soak…");
        let section = soak::run(quick, args.soak_seconds).await;
        // Correctness, asserted in every mode: nothing lost, nothing hung.
        let broken: Vec<&stats::Goal> = section
            .goals
            .iter()
            .filter(|g| !g.met && !g.goal.contains("flat"))
            .collect();
        if !broken.is_empty() {
            eprintln!("{}", section.markdown);
            for goal in broken {
                eprintln!("FAILED: {}: {}", goal.goal, goal.result);
            }
            std::process::exit(1);
        }
        sections.push((
            "7. Chaos soak: faults injected into a mixed workload",
            section,
        ));
    }

    let complete = args.only.len() == SECTIONS.len();
    let command = if quick {
        "cd bench && cargo run --release -- --quick"
    } else if complete {
        "cd bench && cargo run --release"
    } else {
        "cd bench && cargo run --release -- --only …"
    };
    let mut report = format!(
        "# Benchmarks\n\n<!-- Written by the harness in bench/ (`{command}`); edit bench/analysis.md or \
         the harness, not this file. -->\n\nOne run of `{command}` on {}, {}. Medians with \
         (min–max) over alternating rounds. {}\n\n",
        command_output("date", &["-u", "+%Y-%m-%d"]),
        machine(),
        if quick {
            "**Quick mode: a few iterations, to prove the harness runs; these figures mean nothing.**"
        } else {
            "Every figure below comes from this one run."
        }
    );
    let mut goals = Table::new(&["goal", "this run", "met"]);
    for (_, s) in &sections {
        for g in &s.goals {
            goals.row(vec![
                g.goal.clone(),
                g.result.clone(),
                if g.met { "yes".into() } else { "**no**".into() },
            ]);
        }
    }
    report.push_str("## Against the goals\n\n");
    report.push_str(&goals.render());
    report.push('\n');
    for (title, s) in &sections {
        report.push_str(&format!("## {title}\n\n{}", s.markdown));
    }
    if let Ok(analysis) = std::fs::read_to_string(bench.join("analysis.md")) {
        report.push_str(&analysis);
    }
    let out = args.out.clone().unwrap_or_else(|| {
        if quick {
            bench.join("target/BENCHMARKS.quick.md")
        } else if complete {
            bench.join("../BENCHMARKS.md")
        } else {
            bench.join("target/BENCHMARKS.partial.md")
        }
    });
    if let Some(parent) = out.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(&out, &report).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
    println!("{report}");
    eprintln!("wrote {}", out.display());
}
