#!/usr/bin/env bash
# Packs every publishable crate as crates.io would receive it and verifies
# that each .crate builds on its own (cargo builds them against each other
# through a local registry). Generated crates carry their pinned discovery
# document: `gapi-codegen vendor` copies it in (hash-checked) just for the
# packing, and it is removed afterwards; documents are never committed.
#
# --allow-dirty: the copied documents are git-ignored files that cargo counts
# as uncommitted; nothing else may be, which is checked first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "package.sh: commit your changes first; cargo would pack them unrecorded" >&2
  git status --short --untracked-files=no >&2
  exit 1
fi
trap 'rm -f generated/*/*.json' EXIT
cargo run -q -p gapi-codegen -- vendor generated/*/
cargo package --workspace --allow-dirty \
  --exclude gapi-examples --exclude gapi-sink-v1 "$@"
ls -1 target/package/*.crate
