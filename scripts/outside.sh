#!/usr/bin/env bash
# Uses gapi as a stranger would, outside this repository, following the
# README's Install, "Add an API outside this repository" and "Test your code
# against the emulator" sections literally:
#
#   - a fresh HOME (so the per-user document cache starts empty), a PATH with
#     no Python on it, no GAPI_* or other variables (env -i);
#   - `cargo install --locked --git <repo> gapi-codegen`, then `gapi-codegen sync`
#     (the pinned documents over HTTPS from PyPI, into ~/.cache/gapi/discovery);
#   - `cargo install --locked --git <repo> gapi-cli`: `gapi apis sync` finds
#     them verified, and a call reaches the emulator with an API key;
#   - an application with git dependencies on gapi-drive-v3 and gapi-auth
#     whose Rust files are the README's blocks, copied as they are: it builds,
#     runs the README's first call against the emulator (its binary, with a
#     user signed in for it, reached through GAPI_EMULATOR_HOST), and passes
#     the README's emulator and mock tests;
#   - an API-key-only Gemini application whose dependency tree holds no
#     sign-in flow;
#   - `gapi-codegen new-crate tasks v1 --out …` and `generate … --out …` with
#     `--runtime-dep git:<repo>`: both crates build where they land.
#
# The repository is used through git (`file://` + the committed HEAD), as a
# user's `git = "…"` would; commit before running it. Downloads of crates are
# shared with your own ~/.cargo/registry (a cache, nothing gapi-specific).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n=== [%s] outside: %s\n' "$(date +%T)" "$*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gapi-outside.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=lib/stranger.sh
. "$repo/scripts/lib/stranger.sh"
make_stranger "$work"
home=$stranger_home
if stranger /bin/sh -c 'command -v python3 || command -v python' >/dev/null; then
  echo "outside.sh: python is still on the stranger's PATH" >&2
  exit 1
fi

git_url="file://$repo"
step "cargo install --locked --git $git_url gapi-codegen"
stranger cargo install --quiet --locked --git "$git_url" gapi-codegen

step "gapi-codegen sync (no Python, fresh HOME)"
mkdir -p "$work/app"
(cd "$work/app" && stranger gapi-codegen sync)
cache="$home/.cache/gapi/discovery"
count=$(find "$cache" -maxdepth 1 -name '*.json' | wc -l)
[ "$count" = 611 ] || { echo "expected 611 documents in $cache, found $count" >&2; exit 1; }

target="$work/target"
step "an application with git dependencies: build, run the README's first call, test"
# The manifest is ours (the README's git route, filled in); the Rust files are
# the README's own blocks, word for word: its first call as src/main.rs, its
# emulator and mock tests as tests/*.rs.
# shellcheck source=lib/readme.sh
. "$repo/scripts/lib/readme.sh"
sed "s|@GAPI_GIT@|$git_url|g" "$repo/scripts/outside/drive-app/Cargo.toml.in" > "$work/app/Cargo.toml"
mkdir -p "$work/app/src" "$work/app/tests"
readme_file src/main.rs >"$work/app/src/main.rs"
readme_file tests/emulator.rs >"$work/app/tests/emulator.rs"
readme_file tests/mock.rs >"$work/app/tests/mock.rs"
(cd "$work/app" && stranger cargo build --quiet --target-dir "$target")
cargo build --quiet -p gapi-emulator --manifest-path "$repo/Cargo.toml"
port=$((20000 + RANDOM % 20000))
"$repo/target/debug/gapi-emulator" --port "$port" --signed-in-user "$work/app" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -f "$work/app/token.json" ] && break
  sleep 0.1
done
# As the README says: GAPI_EMULATOR_HOST sends the unmodified app to the emulator.
names=$(cd "$work/app" && stranger_env+=(GAPI_EMULATOR_HOST="127.0.0.1:$port") \
  && stranger "$target/debug/drive-app")
echo "$names"
[ "$(echo "$names" | wc -l)" = 5 ] || { echo "expected five file names" >&2; cat "$work/emulator.log" >&2; exit 1; }
(cd "$work/app" && stranger cargo test --quiet --target-dir "$target")

step "cargo install gapi-cli: the gapi command, its documents, a call to the emulator"
stranger cargo install --quiet --locked --git "$git_url" gapi-cli
(cd "$work" && stranger gapi apis sync) | grep -q "^611 documents verified" \
  || { echo "gapi apis sync did not verify 611 documents" >&2; exit 1; }
(cd "$work" && stranger gapi apis list drive) | grep -q "^drive  *v3 " \
  || { echo "gapi apis list does not show drive v3" >&2; exit 1; }
models=$(cd "$work" && stranger gapi generativelanguage v1beta models list \
  --root-url "http://127.0.0.1:$port/" --api-key stranger-key --page-all)
echo "$models" | grep -q '"name":"models/gemini-2.5-flash"' \
  || { echo "gapi models list did not reach the emulator:" >&2; echo "$models" >&2; exit 1; }
echo "gapi: $(echo "$models" | wc -l) models, one per line"

step "an API-key-only application compiles no sign-in flow"
mkdir -p "$work/gemini"
cp -r "$repo/scripts/outside/gemini-app/." "$work/gemini/"
sed "s|@GAPI_GIT@|$git_url|g" "$work/gemini/Cargo.toml.in" > "$work/gemini/Cargo.toml"
tree=$(cd "$work/gemini" && stranger cargo tree --quiet -e normal,build --prefix none)
for forbidden in gapi-auth oauth2 webbrowser prettyplease zip clap; do
  if echo "$tree" | grep -q "^$forbidden v"; then
    echo "the Gemini API-key app depends on $forbidden:" >&2
    echo "$tree" | sort -u >&2
    exit 1
  fi
done
echo "no gapi-auth, oauth2, webbrowser, prettyplease, zip or clap in its tree"
(cd "$work/gemini" && stranger cargo build --quiet --target-dir "$target")

step "new-crate and generate outside the repository, with --runtime-dep git:"
(cd "$work" && stranger gapi-codegen new-crate tasks v1 --out "$work/tasks-build" --runtime-dep "git:$git_url")
(cd "$work/tasks-build" && stranger cargo build --quiet --target-dir "$target")
(cd "$work" && stranger gapi-codegen generate "$cache/tasks.v1.json" --out "$work/tasks-src" --runtime-dep "git:$git_url")
(cd "$work/tasks-src" && stranger cargo build --quiet --target-dir "$target")

step "all of it worked outside the repository"
