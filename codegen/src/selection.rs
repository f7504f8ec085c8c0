//! Which documents of a directory a whole-catalog command takes, and a
//! helper to work through them on every core.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;

/// Which documents to compile: the union of what is asked for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// These file stems (`compute.v1`).
    pub only: Vec<String>,
    /// Every document of the directory.
    pub all: bool,
    /// A sample picked by a seed.
    pub sample: Option<Sample>,
}

/// `count` documents picked by `seed` (a commit hash), at most `max_bytes`
/// of JSON beyond the first pick: a different, bounded sample for each
/// commit, covering the catalog over time.
#[derive(Debug, Clone)]
pub struct Sample {
    /// How many.
    pub count: usize,
    /// Any text; the same seed picks the same documents.
    pub seed: String,
    /// Budget of document bytes after the first pick.
    pub max_bytes: u64,
}

/// Runs `work` over `items` on all cores, preserving nothing but the results'
/// order of arrival (callers sort what they report).
pub fn par_for_each<T: Sync>(items: &[T], work: impl Fn(&T) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                work(item);
            });
        }
    });
}

/// The documents a selection names, as file stems.
pub fn select(dir: &Path, selection: &Selection) -> Result<Vec<String>, Error> {
    let files = gapi_discovery::pinned::list_documents(dir)
        .map_err(|e| Error::io(dir, e).hint("run `gapi-codegen sync`"))?;
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let all: Vec<String> = files.iter().map(stem).collect();
    if selection.all {
        return Ok(all);
    }
    let mut picked = BTreeSet::new();
    for name in &selection.only {
        if !all.contains(name) {
            return Err(Error::invalid(format!(
                "no document {name}.json in {} (names are file stems, like drive.v3)",
                dir.display()
            )));
        }
        picked.insert(name.clone());
    }
    if let Some(s) = &selection.sample {
        let sizes: Vec<u64> = files
            .iter()
            .map(|f| f.metadata().map_or(0, |m| m.len()))
            .collect();
        picked.extend(sample(&all, &sizes, s.count, &s.seed, s.max_bytes));
    }
    Ok(picked.into_iter().collect())
}

/// Picks up to `count` of `names` in an order fixed by `seed`: the first
/// always, later ones while their sizes fit in `max_bytes`.
fn sample(
    names: &[String],
    sizes: &[u64],
    count: usize,
    seed: &str,
    max_bytes: u64,
) -> Vec<String> {
    let mut rng = crate::rng::Rng::new(crate::rng::seed_of(seed), 0);
    let mut order: Vec<usize> = (0..names.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    let mut picked = Vec::new();
    let mut bytes = 0;
    for i in order {
        if picked.len() == count {
            break;
        }
        let size = sizes.get(i).copied().unwrap_or(0);
        if picked.is_empty() || bytes + size <= max_bytes {
            if !picked.is_empty() {
                bytes += size;
            }
            picked.push(names[i].clone());
        }
    }
    picked.sort();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_depends_on_the_seed_and_keeps_its_budget() {
        let names: Vec<String> = (0..100).map(|i| format!("api{i:02}.v1")).collect();
        let sizes: Vec<u64> = (0..100)
            .map(|i| if i % 10 == 0 { 5_000 } else { 100 })
            .collect();
        let a = sample(&names, &sizes, 10, "697a24e", 1_000);
        let b = sample(&names, &sizes, 10, "697a24e", 1_000);
        let c = sample(&names, &sizes, 10, "ed3620e", 1_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 10);
        let bytes = |s: &[String]| -> u64 {
            s.iter()
                .map(|n| sizes[names.iter().position(|m| m == n).unwrap_or(0)])
                .sum()
        };
        // Everything after the first pick fits the budget.
        assert!(bytes(&a) <= 1_000 + 5_000, "{a:?}");
    }
}
