//! A seeded mutation fuzzer on stable Rust, for the parsers of what the
//! network and users hand gapi: batch answers, streamed answers, error
//! bodies, `Range` headers (gapi-runtime); token endpoint answers and the
//! files a user points gapi at (gapi-auth). The generator has its own
//! (`gapi-codegen fuzz`); this one runs inside each crate's tests, where the
//! parsers are reachable without widening their public API.
//!
//! A target takes bytes and returns `Err(why)` when an oracle fails (the
//! parser accepted something malformed, or two ways of reading the same
//! input disagree). A **finding** is such an error, a panic, or an input
//! that took longer than [`SLOW`] (a hang: every input is at most
//! [`Fuzz::max_len`] bytes, so a linear parser needs microseconds). Inputs
//! come from the target's seeds, mutated: bytes flipped, set to JSON and
//! HTTP punctuation, tokens from the target's dictionary inserted, ranges
//! deleted, repeated or spliced from another seed.
//!
//! The number of runs and the seed come from the environment, so CI runs a
//! short seeded pass and a long run is one command:
//!
//! ```text
//! GAPI_FUZZ_SECONDS=600 GAPI_FUZZ_SEED=long-1 cargo test --release -p gapi-runtime --lib fuzz -- --nocapture
//! ```
//!
//! Findings are written to `target/fuzz-findings/` (the input as it was),
//! and fail the test.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// An input slower than this is a finding (a hang).
pub const SLOW: Duration = Duration::from_secs(2);

/// xorshift64*: small, seeded, good enough to pick mutations.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded by `seed`'s text (FNV-1a).
    pub fn new(seed: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes every parser here should meet often: JSON and HTTP punctuation.
const INTERESTING: &[u8] = b"{}[]\",:\\\r\n -0123456789/=;\x00\xff";

/// A fuzzing run's settings.
#[derive(Debug, Clone)]
pub struct Fuzz {
    /// Seeds the run.
    pub seed: String,
    /// Inputs to try (per target), unless `seconds` is set.
    pub runs: u64,
    /// Run for this long instead (per target).
    pub seconds: Option<f64>,
    /// The longest input made.
    pub max_len: usize,
}

/// What one target's run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The target.
    pub target: String,
    /// Inputs run.
    pub executions: u64,
    /// Inputs that passed the target's oracles (`Ok`).
    pub accepted: u64,
    /// The slowest input, and its length.
    pub slowest: (Duration, usize),
    /// One line per finding, with where its input was written.
    pub findings: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fuzz {}: {} executions ({} passed every oracle), slowest {:.1} ms ({} bytes), {} findings",
            self.target,
            self.executions,
            self.accepted,
            self.slowest.0.as_secs_f64() * 1e3,
            self.slowest.1,
            self.findings.len()
        )
    }
}

impl Fuzz {
    /// Settings from `GAPI_FUZZ_SEED` (default `ci`), `GAPI_FUZZ_RUNS`
    /// (default `runs`) and `GAPI_FUZZ_SECONDS` (unset: count runs).
    pub fn from_env(runs: u64) -> Fuzz {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Fuzz {
            seed: var("GAPI_FUZZ_SEED").unwrap_or_else(|| "ci".into()),
            runs: var("GAPI_FUZZ_RUNS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(runs),
            seconds: var("GAPI_FUZZ_SECONDS").and_then(|v| v.parse().ok()),
            max_len: 64 * 1024,
        }
    }

    /// Runs `target` on mutations of `seeds` (with `dictionary` tokens),
    /// prints the report, and returns it.
    pub fn run(
        &self,
        name: &str,
        seeds: &[Vec<u8>],
        dictionary: &[&[u8]],
        target: impl Fn(&[u8]) -> Result<(), String>,
    ) -> Report {
        let mut rng = Rng::new(&format!("{}/{name}", self.seed));
        let mut report = Report {
            target: name.to_string(),
            ..Report::default()
        };
        let started = Instant::now();
        let done = |report: &Report| match self.seconds {
            Some(s) => started.elapsed().as_secs_f64() >= s,
            None => report.executions >= self.runs,
        };
        let empty = [Vec::new()];
        let seeds = if seeds.is_empty() { &empty[..] } else { seeds };
        while !done(&report) {
            let input = if report.executions < seeds.len() as u64 {
                seeds[report.executions as usize].clone()
            } else {
                self.mutate(&mut rng, seeds, dictionary)
            };
            let at = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
            let took = at.elapsed();
            report.executions += 1;
            if took > report.slowest.0 {
                report.slowest = (took, input.len());
            }
            let finding = match outcome {
                Ok(Ok(())) => {
                    report.accepted += 1;
                    None
                }
                Ok(Err(why)) => Some(why),
                Err(panic) => Some(format!("panic: {}", panic_message(&*panic))),
            };
            let finding =
                finding.or_else(|| (took > SLOW).then(|| format!("hang: {} ms", took.as_millis())));
            if let Some(why) = finding {
                let file = save(name, report.findings.len(), &input);
                report.findings.push(format!("{why} (input: {file})"));
                if report.findings.len() >= 20 {
                    break;
                }
            }
        }
        println!("{report}");
        for finding in &report.findings {
            println!("  {finding}");
        }
        report
    }

    fn mutate(&self, rng: &mut Rng, seeds: &[Vec<u8>], dictionary: &[&[u8]]) -> Vec<u8> {
        let mut input = rng.pick(seeds).clone();
        for _ in 0..1 + rng.below(8) {
            let len = input.len();
            let at = rng.below(len + 1);
            match rng.below(8) {
                0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
                1 if len > 0 => input[at.min(len - 1)] = *rng.pick(INTERESTING),
                2 if !dictionary.is_empty() => {
                    let token = rng.pick(dictionary);
                    input.splice(at..at, token.iter().copied());
                }
                3 if len > 0 => {
                    let end = (at + 1 + rng.below(16)).min(len);
                    input.drain(at.min(len - 1)..end);
                }
                4 if len > 0 => {
                    // Repeat a range many times: long runs of one shape.
                    let start = at.min(len - 1);
                    let end = (start + 1 + rng.below(32)).min(len);
                    let piece = input[start..end].to_vec();
                    let most = if rng.one_in(8) { 4096 } else { 16 };
                    for _ in 0..rng.below(most) {
                        input.splice(end..end, piece.iter().copied());
                    }
                }
                5 => input.truncate(at),
                6 => {
                    let other = rng.pick(seeds);
                    let from = rng.below(other.len() + 1);
                    input.splice(at..at, other[from..].iter().copied());
                }
                _ => input.insert(at, *rng.pick(INTERESTING)),
            }
            input.truncate(self.max_len);
        }
        input
    }
}

/// Cuts `input` into pieces at random places (a network delivering it in
/// chunks), the same way for the same `salt`.
pub fn chunks(input: &[u8], salt: u64) -> Vec<&[u8]> {
    let mut rng = Rng(salt | 1);
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let most = if rng.one_in(4) { rest.len() } else { 64 };
        let take = 1 + rng.below(most);
        let (piece, tail) = rest.split_at(take.min(rest.len()));
        out.push(piece);
        rest = tail;
    }
    out
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".into())
}

/// Writes a finding's input under `target/fuzz-findings/`; returns its path.
fn save(target: &str, n: usize, input: &[u8]) -> String {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("fuzz-findings");
    let path = dir.join(format!("{target}-{n}.bin"));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("not saved: {e}"),
    }
}

/// Fails (panics) with every finding of `reports`.
pub fn assert_no_findings(reports: &[Report]) {
    let findings: Vec<String> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| format!("{}: {f}", r.target)))
        .collect();
    assert!(
        findings.is_empty(),
        "fuzz findings:\n{}",
        findings.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_of_each_kind_is_reported() {
        let fuzz = Fuzz {
            seed: "t".into(),
            runs: 200,
            seconds: None,
            max_len: 256,
        };
        let report = fuzz.run("self-test", &[b"abc".to_vec()], &[b"X"], |input| {
            if input.contains(&b'X') {
                return Err("saw X".into());
            }
            assert!(!input.contains(&b'{'), "saw a brace");
            Ok(())
        });
        assert!(report.findings.iter().any(|f| f.starts_with("saw X")));
        assert!(report
            .findings
            .iter()
            .any(|f| f.starts_with("panic: saw a brace")));
        let pieces = chunks(b"hello world", 7);
        assert_eq!(pieces.concat(), b"hello world");
    }
}
