#!/usr/bin/env bash
# The whole story offline: start the local Google emulator, sign in through
# the installed-app flow (the emulator's auto-consent), cache token.json, list
# the five newest Drive files, list Gemini models with an API key (also with
# the `gapi` command line), stream a
# Gemini answer, show
# userinfo, run a paged BigQuery query; then list Drive files again, which
# signs in from the cached token. Fails if any step does not say what it should.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p gapi-emulator -p gapi-examples -p gapi-cli
docs=$(cd "${GAPI_DISCOVERY_DIR:-discovery/cache}" && pwd)
work=$(mktemp -d)
log="$work/emulator.log"
# --signed-in-user: the person behind the ADC step below, signed in as
# `gcloud auth application-default login` signs in (scope cloud-platform).
target/debug/gapi-emulator --port 0 --auto-consent \
  --signed-in-user "$work/gcloud" --scopes https://www.googleapis.com/auth/cloud-platform > "$log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q "gapi emulator on" "$log" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^gapi emulator on //p' "$log")
[ -n "$url" ] || { echo "the emulator did not start:"; cat "$log"; exit 1; }
echo "== emulator at $url"

export GAPI_EMULATOR="$url" GEMINI_API_KEY="demo-key" GOOGLE_CLOUD_PROJECT="demo-project"
bin="$PWD/target/debug"
cd "$work"
expect() { # expect PATTERN COMMAND...: run, show, and require PATTERN in the output
  local pattern=$1; shift
  local out
  out=$("$@" 2>&1) || { echo "$out"; echo "FAILED: $*"; exit 1; }
  echo "$out"
  grep -q -- "$pattern" <<<"$out" || { echo "FAILED: '$pattern' not in the output of $*"; exit 1; }
}
echo "== drive_list (first run: signs in)";  expect "signed in through the browser" "$bin/drive_list"
[ -f token.json ] || { echo "FAILED: token.json was not written"; exit 1; }
echo "== gemini_models (API key)";          expect "models/gemini-2.5-flash" "$bin/gemini_models"
echo "== gapi (the command line): Gemini models, every page, one per line"
expect '"name":"models/gemini-2.5-flash"' env GAPI_DISCOVERY_DIR="$docs" "$bin/gapi" generativelanguage v1beta models list --root-url "$url" --api-key demo-key --page-all
echo "== gapi --dry-run: the request, not sent"
expect "GET ${url}drive/v3/files?" env GAPI_DISCOVERY_DIR="$docs" "$bin/gapi" drive v3 files list --root-url "$url" --page-size 5 --dry-run
echo "== gemini_models --oauth (generative-language.retriever scope)"; expect "models/gemma-3-27b-it" "$bin/gemini_models" --oauth
echo "== gemini_chat (a streamed answer, printed as it arrives)"; expect "pieces streamed from gemini-2.5-flash" "$bin/gemini_chat" "tell me about lighthouses"
echo "== gemini_chat --oauth"; expect "You said: hello there" "$bin/gemini_chat" --oauth hello there
echo "== gemini_tools (a chat whose model calls a function of yours)"; expect "get_weather returned" "$bin/gemini_tools" "What is the weather in Lisbon?"
echo "== gemini_file (upload a file, ask about it, delete it)"; expect "first line: \"Keeper's log." "$bin/gemini_file"
echo "== remote_notebook (paste the redirect address back)"
coproc NOTEBOOK { "$bin/remote_notebook" 2>&1; }
auth_url=""
while IFS= read -r -t 30 line <&"${NOTEBOOK[0]}"; do
  echo "$line"
  case "$line" in *"authorize this application: "*) auth_url=${line#*authorize this application: }; break ;; esac
done
[ -n "$auth_url" ] || { echo "FAILED: remote_notebook printed no URL"; exit 1; }
# The person approves elsewhere; the browser ends on http://localhost:1/?code=… (unreachable), which they paste.
landed=$(python3 - "$auth_url" <<'PY'
import sys, urllib.request
class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
try:
    urllib.request.build_opener(Stop).open(sys.argv[1])
except urllib.error.HTTPError as e:
    print(e.headers["Location"])
PY
)
echo "$landed" >&"${NOTEBOOK[1]}"
notebook_out=$(cat <&"${NOTEBOOK[0]}")
echo "$notebook_out"
grep -q "token cached in token-remote.json" <<<"$notebook_out" || { echo "FAILED: remote_notebook did not sign in"; exit 1; }
echo "== userinfo";                          expect "signed in as Ada Lovelace <ada@example.com>" "$bin/userinfo"
echo "== bigquery_query";                    expect "25 rows" "$bin/bigquery_query"
echo "== service_account (JWT bearer grant)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
python3 - "$url" <<'PY'
import json, sys
key = open("key.pem").read()
json.dump({"type": "service_account", "project_id": "demo-project", "private_key_id": "demo-key-1",
           "private_key": key, "client_email": "robot@demo-project.iam.gserviceaccount.com",
           "client_id": "1", "token_uri": sys.argv[1] + "token"}, open("sa.json", "w"))
PY
expect "acting as robot@demo-project.iam.gserviceaccount.com" "$bin/service_account" sa.json
echo "== adc (GOOGLE_APPLICATION_CREDENTIALS → an authorized_user file)"
python3 -c 'import json; t = json.load(open("gcloud/token.json")); t["type"] = "authorized_user"; json.dump(t, open("adc.json", "w"))'
GOOGLE_APPLICATION_CREDENTIALS="$work/adc.json" expect "demo-project:analytics" "$bin/adc"
echo "== drive_transfer (24 MiB up and down, progress bars, tracing spans)"
GAPI_TRACE=1 GAPI_TOKEN_FILE=token-transfer.json "$bin/drive_transfer" 24 > transfer.out 2> transfer.log || { cat transfer.out transfer.log; echo "FAILED: drive_transfer"; exit 1; }
cat transfer.out
grep -q "the bytes match" transfer.out || { echo "FAILED: drive_transfer did not check the bytes"; exit 1; }
grep -q 'gapi.call{method="drive.files.get"' transfer.log || { echo "FAILED: no tracing span for the download"; cat transfer.log; exit 1; }
! grep -q "ya29\.\|Bearer " transfer.log || { echo "FAILED: a token reached the log"; exit 1; }
echo "== drive_list (second run: cached)";  expect "signed in from the cached token" "$bin/drive_list"
echo "== demo passed"
