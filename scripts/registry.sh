#!/usr/bin/env bash
# The release, end to end, through a real cargo registry on 127.0.0.1:
#
#   1. cargo-http-registry (crates.io; a test server only, never linked) is
#      installed under target/tools and started on a free port, with its
#      index in $GAPI_REGISTRY_WORK/index (default target/registry);
#   2. gapi's own crates are published to it with `cargo publish` (each
#      verified: built from its packaged sources): credentials, runtime,
#      auth, discovery, codegen, emulator, cli. Their manifests name the
#      registry on each internal dependency (a staging copy of the
#      workspace, rewritten; crates.io would refuse such a package, so the
#      committed manifests stay as they are);
#   3. `gapi-codegen release` writes the generated crates' packages
#      (pre-generated sources, README, CHANGELOG) and they are published:
#      the four core crates verified; the rest of a sample or of the whole
#      catalog without verification (their identical sources are compiled
#      by `catalog check`, which is how the whole catalog is checked);
#   4. a stranger (fresh HOME, no checkout, no Python) follows the README:
#      `cargo add gapi-drive-v3 gapi-auth --registry gapi`, builds, checks
#      that its dependency tree holds no generator, installs gapi-emulator
#      from the registry, and runs the README's first call against it; then
#      `cargo install gapi-cli --registry gapi` and one `gapi` call.
#
# Usage:
#   scripts/registry.sh                # core crates + CI's sample (hard ten + ten by $GAPI_SAMPLE_SEED)
#   scripts/registry.sh --all          # every API of the pinned catalog (timed; see README "Releasing")
#   scripts/registry.sh --only A,B     # the core crates + these documents
#   scripts/registry.sh --core         # gapi's crates and the four core generated crates, nothing else
#   scripts/registry.sh --serve        # --core, then keep the registry running
#
# The benchmark harness builds its apps from this registry: it reuses one
# published from the same clean commit (the marker file `published-from`),
# else runs --core first.
#
# Needs the pinned documents (`gapi-codegen sync`). Leaves the registry's
# index and packages in $GAPI_REGISTRY_WORK for inspection.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
step() { printf '\n=== [%s] registry: %s\n' "$(date +%T)" "$*"; }

mode=sample
only=""
case "${1:-}" in
  --all) mode=all ;;
  --only) mode=only; only=${2:?--only needs a list of documents} ;;
  --serve) mode=serve ;;
  --core) mode=core ;;
  "") ;;
  *) echo "usage: $0 [--all | --only A,B | --core | --serve]" >&2; exit 2 ;;
esac

work=${GAPI_REGISTRY_WORK:-$repo/target/registry}
tools=$repo/target/tools
registry_name=gapi
core_docs=drive.v3,bigquery.v2,oauth2.v2,generativelanguage.v1beta
core_crates=(gapi-drive-v3 gapi-bigquery-v2 gapi-oauth2-v2 gapi-generativelanguage-v1beta)
hard_docs=compute.v1,aiplatform.v1,discoveryengine.v1,dialogflow.v3,healthcare.v1,walletobjects.v1,gmail.v1,storage.v1,youtube.v3,deploymentmanager.v2
seed=${GAPI_SAMPLE_SEED:-$(git rev-parse HEAD 2>/dev/null || date +%F)}

server_pid=""
emulator_pid=""
cleanup() {
  for pid in "$emulator_pid" "$server_pid"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT

step "cargo-http-registry (the registry server)"
if [ ! -x "$tools/bin/cargo-http-registry" ]; then
  cargo install --quiet --locked cargo-http-registry --version 0.1.8 --root "$tools"
fi

step "a fresh registry on 127.0.0.1"
rm -rf "$work"
mkdir -p "$work"
# Cargo takes a registry's packages to be immutable: a copy unpacked or
# downloaded by an earlier run (same version, older sources) would be used
# again. Registries on the file system are kept under names that start with
# "-" (crates.io's never does): forget them.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/{src,cache,index}/-*
# A free port: the server exits at once when its port is taken; try another.
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  "$tools/bin/cargo-http-registry" --addr "127.0.0.1:$port" "$work/index" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    [ -f "$work/index/config.json" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break 2
    sleep 0.1
  done
  kill "$server_pid" 2>/dev/null || true
  server_pid=""
done
[ -n "$server_pid" ] || { echo "the registry did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "serving on 127.0.0.1:$port, index $work/index"
# Cargo reads the index from the file system (its HTTP git endpoint is refused by
# cargo's built-in git); any token is accepted.
index_url="file://$work/index"
export CARGO_REGISTRIES_GAPI_INDEX="$index_url"
export CARGO_REGISTRIES_GAPI_TOKEN=local
export CARGO_NET_GIT_FETCH_WITH_CLI=true

step "gapi's crates: a staging copy whose internal dependencies name the registry"
stage="$work/stage"
mkdir -p "$stage"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$stage"
sed -i "s/^\(gapi-[a-z0-9-]* = { \)/\1registry = \"$registry_name\", /" "$stage/Cargo.toml"
grep -q "^gapi-runtime = { registry = \"$registry_name\"" "$stage/Cargo.toml" \
  || { echo "could not rewrite the staging manifest" >&2; exit 1; }

step "cargo publish: credentials, runtime, auth, discovery, codegen, emulator, cli (verified)"
started=$(date +%s)
(cd "$stage" && CARGO_TARGET_DIR="$work/target" cargo publish --quiet --registry "$registry_name" \
  -p gapi-credentials -p gapi-runtime -p gapi-auth -p gapi-discovery -p gapi-codegen \
  -p gapi-emulator -p gapi-cli)
echo "published gapi's crates in $(( $(date +%s) - started )) s"

step "gapi-codegen release: the generated crates' packages"
case "$mode" in
  all) selection=(--all) ;;
  only) selection=(--only "$core_docs,$only") ;;
  serve | core) selection=(--only "$core_docs") ;;
  sample) selection=(--only "$core_docs,$hard_docs" --sample 10 --seed "$seed") ;;
esac
started=$(date +%s)
release="$work/release"
cargo run -q -p gapi-codegen -- release --out "$release" "${selection[@]}" \
  --runtime-dep "registry:$registry_name" | tee "$work/release.log" | tail -4
echo "released in $(( $(date +%s) - started )) s"

step "cargo publish: the generated crates"
packages=()
for dir in "$release"/gapi-*/; do packages+=("$(basename "$dir")"); done
{
  echo "[workspace]"
  echo "resolver = \"2\""
  printf 'members = ['; printf '"%s", ' "${packages[@]}"; echo ']'
} >"$release/Cargo.toml"
started=$(date +%s)
core_args=()
for c in "${core_crates[@]}"; do core_args+=(-p "$c"); done
(cd "$release" && CARGO_TARGET_DIR="$work/target" cargo publish --quiet --registry "$registry_name" "${core_args[@]}")
rest_args=()
for p in "${packages[@]}"; do
  case " ${core_crates[*]} " in *" $p "*) ;; *) rest_args+=(-p "$p") ;; esac
done
if [ ${#rest_args[@]} -gt 0 ]; then
  (cd "$release" && CARGO_TARGET_DIR="$work/target" cargo publish --quiet --no-verify \
    --registry "$registry_name" "${rest_args[@]}")
fi
published=$(find "$work/index" -path "$work/index/.git" -prune -o -type f -name '*.crate' -print | wc -l)
echo "published ${#packages[@]} generated crates in $(( $(date +%s) - started )) s; the registry holds $published packages"
grep '^largest' "$work/release.log" || true

# What was published, for reuse by the benchmark harness: the commit, when
# the tree holds nothing uncommitted.
if [ -z "$(git status --porcelain --untracked-files=no)" ]; then
  git rev-parse HEAD >"$work/published-from"
fi
if [ "$mode" = core ]; then
  echo "registry index in $work/index (start cargo-http-registry on it to serve the packages)"
  exit 0
fi
if [ "$mode" = serve ]; then
  echo "registry running on 127.0.0.1:$port; use it with"
  echo "  CARGO_REGISTRIES_GAPI_INDEX=$index_url cargo add gapi-drive-v3 --registry gapi"
  wait "$server_pid"
fi

step "a stranger: fresh HOME, no checkout, the README's install route"
# Outside the repository, so that cargo does not take the app for a member of
# gapi's workspace.
outside=$(mktemp -d "${TMPDIR:-/tmp}/gapi-registry.XXXXXX")
trap 'cleanup; rm -rf "$outside"' EXIT
# shellcheck source=lib/stranger.sh
. "$repo/scripts/lib/stranger.sh"
make_stranger "$outside"
home=$stranger_home
cat >"$home/.cargo/config.toml" <<EOF
[registries]
gapi = { index = "$index_url" }

[net]
git-fetch-with-cli = true
EOF
stranger_env=(CARGO_TARGET_DIR="$work/stranger-target")

app="$outside/drive-app"
stranger cargo new --quiet --bin --vcs none "$app"
(cd "$app" && stranger cargo add --quiet gapi-drive-v3 gapi-auth --registry gapi \
  && stranger cargo add --quiet tokio --features macros,rt-multi-thread)
# The README's first call, word for word (its block marked readme-file: src/main.rs).
# shellcheck source=lib/readme.sh
. "$repo/scripts/lib/readme.sh"
readme_file src/main.rs >"$app/src/main.rs"
tree=$(cd "$app" && stranger cargo tree --quiet -e normal,build --prefix none)
for forbidden in gapi-codegen gapi-discovery prettyplease zip sha2; do
  if echo "$tree" | grep -q "^$forbidden v"; then
    echo "the app's build compiles $forbidden:" >&2
    echo "$tree" | sort -u >&2
    exit 1
  fi
done
echo "$tree" | grep -q "^gapi-drive-v3 v1\." \
  || { echo "gapi-drive-v3 did not come from the registry" >&2; echo "$tree" >&2; exit 1; }
echo "no gapi-codegen, gapi-discovery, prettyplease, zip or sha2 in the app's tree ($(echo "$tree" | sort -u | wc -l) crates)"
started=$(date +%s)
(cd "$app" && stranger cargo build --quiet)
echo "the app built in $(( $(date +%s) - started )) s"

step "cargo install gapi-emulator --registry gapi; the README's first call against it"
stranger cargo install --quiet gapi-emulator --registry gapi
emu_port=$((20000 + RANDOM % 20000))
stranger_in_background "$home/.cargo/bin/gapi-emulator" --port "$emu_port" --signed-in-user "$app" >"$work/emulator.log" 2>&1
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -f "$app/token.json" ] && break
  sleep 0.1
done
# As the README says: GAPI_EMULATOR_HOST sends the unmodified app to the emulator.
names=$(cd "$app" && stranger_env+=(GAPI_EMULATOR_HOST="127.0.0.1:$emu_port") \
  && stranger "$work/stranger-target/debug/drive-app")
echo "$names"
[ "$(echo "$names" | wc -l)" = 5 ] || { echo "expected five file names" >&2; cat "$work/emulator.log" >&2; exit 1; }

step "cargo install gapi-cli --registry gapi; one call"
stranger cargo install --quiet gapi-cli --registry gapi
(cd "$outside" && stranger "$home/.cargo/bin/gapi" apis sync) | grep -q "^611 documents verified" \
  || { echo "gapi apis sync did not verify 611 documents" >&2; exit 1; }
models=$(cd "$outside" && stranger "$home/.cargo/bin/gapi" generativelanguage v1beta models list \
  --root-url "http://127.0.0.1:$emu_port/" --api-key stranger-key --page-all)
echo "$models" | grep -q '"name":"models/gemini-2.5-flash"' \
  || { echo "gapi models list did not reach the emulator:" >&2; echo "$models" >&2; exit 1; }
echo "gapi: $(echo "$models" | wc -l) models"

step "the registry route works end to end"
