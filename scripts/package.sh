#!/usr/bin/env bash
# Packs every publishable crate as crates.io would receive it and verifies
# that each .crate builds on its own (cargo builds them against each other
# through a local registry). Generated crates carry their pinned discovery
# document: `gapi-codegen vendor` copies it in (hash-checked) just for the
# packing, and it is removed afterwards; documents are never committed.
#
# --allow-dirty: the copied documents are git-ignored files that cargo counts
# as uncommitted. Other uncommitted changes are packed too (this is a test of
# the packages); before a real `cargo publish`, commit first: this script
# names what is uncommitted.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "package.sh: note: packing uncommitted changes (commit before publishing):" >&2
  git status --short --untracked-files=no >&2
fi
# Our crates, packed, are built against each other from a temporary local
# registry, and cargo treats registry crates as immutable: it reuses an
# unpacked copy ($CARGO_HOME/registry/src/-HASH/, local registries start
# with "-") and a compiled unit of the same name and version from an earlier
# run (their sources carry cargo's fixed 2006 timestamp, so they never look
# newer). A verify could then build today's gapi-auth against yesterday's
# gapi-credentials. So: remove the unpacked copies now, and every gapi unit
# compiled during this run when it ends.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/gapi-*
trap 'rm -f generated/*/*.json' EXIT
cargo run -q -p gapi-codegen -- vendor generated/*/
mkdir -p target/package
started=target/package/.started
touch "$started"
trap 'rm -f generated/*/*.json; find target/debug/.fingerprint -maxdepth 1 -name "gapi-*" -newer "$started" -exec rm -rf {} + 2>/dev/null || true' EXIT
cargo package --workspace --allow-dirty \
  --exclude gapi-examples --exclude gapi-sink-v1 --exclude gapi-compute-v1 "$@"
ls -1 target/package/*.crate
