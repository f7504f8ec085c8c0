//! The README's Rust is real code: every block is compiled as a doc test of
//! this crate (`ReadmeDoctests` in `src/lib.rs`), which skips `ignore`d
//! blocks and blocks in another language, so this test keeps every Rust
//! block compiled, and the blocks a stranger copies into files
//! (`<!-- readme-file: PATH -->`, used by `scripts/outside.sh` and
//! `scripts/registry.sh`) present.

#![allow(clippy::unwrap_used)]

/// The opening fences of the README's code blocks: (line, info string).
fn fences(readme: &str) -> Vec<(usize, String)> {
    let mut open = false;
    let mut out = Vec::new();
    for (n, line) in readme.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            if !open {
                out.push((n + 1, info.trim().to_string()));
            }
            open = !open;
        }
    }
    out
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

#[test]
fn every_rust_block_is_compiled() {
    let readme = readme();
    for (line, info) in fences(&readme) {
        // rustdoc compiles a fence with no language as Rust; say which.
        assert!(
            !info.is_empty(),
            "README.md:{line}: a code block needs a language"
        );
        if info.starts_with("rust") {
            assert!(
                info == "rust" || info == "rust,no_run",
                "README.md:{line}: ```{info} is not compiled (use rust or rust,no_run)"
            );
        }
    }
}

#[test]
fn the_files_a_stranger_copies_are_marked() {
    let readme = readme();
    let lines: Vec<&str> = readme.lines().collect();
    for path in ["src/main.rs", "tests/emulator.rs", "tests/mock.rs"] {
        let marker = format!("<!-- readme-file: {path} -->");
        let at = lines
            .iter()
            .position(|l| *l == marker)
            .unwrap_or_else(|| panic!("README.md has no {marker}"));
        assert!(
            lines.get(at + 1).is_some_and(|l| l.starts_with("```rust")),
            "README.md:{}: {marker} must be followed by a Rust block",
            at + 1
        );
    }
}
