#!/usr/bin/env bash
# The main job on a fresh machine, offline after the first download:
# 1. fetch the pinned discovery documents (PyPI, hash-checked);
# 2. run the whole user story against the local Google emulator
#    (sign in, Drive, Gemini, userinfo, BigQuery, the cached second run);
# 3. parse the whole catalog strictly and generate a client for all 611 documents.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p gapi-codegen -- sync
./scripts/demo.sh
cargo run -q -p gapi-codegen -- catalog parse --strict
cargo run -q -p gapi-codegen -- catalog generate "$@"
