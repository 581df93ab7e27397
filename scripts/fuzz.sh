#!/usr/bin/env bash
# Property-based fuzzing of the HTTP API from its own OpenAPI document, with schemathesis.
#
#   scripts/fuzz.sh [--short] [--postgres URL]
#
# Starts the service on a fresh database (SQLite in a temporary directory, or a fresh database on
# the PostgreSQL server at URL), creates a bureau administrator and a system administrator, and
# lets schemathesis generate valid and invalid requests for every operation, once anonymously and
# once with each token. Checks: no 5xx, status codes, content types and bodies as documented, and
# that a request valid by the document is not refused as invalid (positive data acceptance).
# --short bounds each pass to a time budget for CI (about a minute in all); without it the run is
# the long one, by hand. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=long
postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --short) mode=short ;;
    --postgres) postgres="$2"; shift ;;
    *) echo "usage: scripts/fuzz.sh [--short] [--postgres URL]" >&2; exit 2 ;;
  esac
  shift
done

target="${CARGO_TARGET_DIR:-target}"
venv="$target/fuzz-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis==4.32.5'
fi
cargo build -q --bin xiaobao
bin="$target/debug/xiaobao"

work=$(mktemp -d)
port=18484
if [ -n "$postgres" ]; then
  db="xiaobao_fuzz"
  psql "$postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="${postgres%/*}/$db"
else
  export DATABASE_URL="sqlite://$work/fuzz.db?mode=rwc"
fi
export PORT=$port XIAOBAO_HOST=127.0.0.1 RUST_LOG=warn XIAOBAO_WORKERS=false

server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
  if [ -n "$postgres" ]; then psql "$postgres" -qc "DROP DATABASE IF EXISTS xiaobao_fuzz" >/dev/null || true; fi
}
trap cleanup EXIT

password="fuzz-$(date +%s)-password"
XIAOBAO_NEW_PASSWORD="$password" "$bin" create-user --username fuzz-admin --role bureau_admin --bureau 330421 >/dev/null
XIAOBAO_NEW_PASSWORD="$password" "$bin" create-user --username fuzz-root --role system_admin >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
token() {
  curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
admin=$(token fuzz-admin)
root=$(token fuzz-root)
curl -fs "$base/api/v1/openapi.json" >"$work/openapi.json"

if [ "$mode" = short ]; then
  # A fixed seed: CI's short run is the same run every time, so it fails only for a change in
  # the service or the document; the long run by hand explores afresh.
  budget=(--max-time 20 --max-examples 10 --seed 20261203)
else
  budget=(--max-examples 300)
fi
# NUL characters are refused everywhere (400/422, see "Hostile input"), so valid data has none.
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance
# The fuzzer signs in with the tokens given; left alone it would look for a sign-up operation.
# A request valid by the document may still be refused for the state of things, never as malformed:
# the statuses below are those refusals. Not listed, so a failure for valid data: 400 (malformed),
# 413/415 (body), 422 (invalid: the document allowed what the service refuses, a bug of one or the
# other) and 5xx but 503.
cat >"$work/schemathesis.toml" <<'TOML'
[auth]
auto-signup = false

[checks.positive_data_acceptance]
expected-statuses = [
  "2xx",
  "3xx",
  "401", # no or an expired token: the fuzzer calls every operation anonymously too
  "403", # a role or a jurisdiction that may not do this, or a wrong access secret
  "404", # an id that does not exist (generated ids rarely do), or a case outside the caller's scope
  "409", # the case, offer, transfer, … is not in a state that allows it, or a duplicate
  "410", # gone: an expired confirmation code
  "429", # throttled: logins and tracking look-ups per address
  "503", # the database is unavailable
]
TOML
# Known gaps: rules a JSON schema cannot state (check characters, the numbering plan, one field
# depending on another, codes and ids that must exist, a parameter the caller's role requires),
# so a request valid by the document can still be refused 422 there. Each operation is listed
# with its rule; for these alone 422 is tolerated by positive_data_acceptance, every other check
# (and every other status) still applies. Remove a line once the document or the service agrees.
known_gaps=(
  "GET /api/v1/calendar/add-working-days|a year with no working-day schedule loaded"
  "GET /api/v1/calendar/days/{date}|a year with no working-day schedule loaded"
  "PUT /api/v1/calendar/years/{year}|the body's year must be the path's"
  "GET /api/v1/public/businesses/{uscc}/complaints|the USCC check character (GB 32100)"
  "POST /api/v1/businesses|the USCC check character; division codes that exist"
  "POST /api/v1/zone/return-brands|the USCC check character"
  "PUT /api/v1/zone/return-brands/{id}|the USCC check character"
  "POST /api/v1/complaints|representatives of a joint complaint, id_type with id_number, the phone numbering plan, codes that exist"
  "POST /api/v1/stations/{id}/complaints|as POST /api/v1/complaints"
  "POST /api/v1/reports|division_code unless the address names a place, id_type with id_number, the phone numbering plan"
  "POST /api/v1/businesses/{id}/odr/apply|the phone numbering plan"
  "POST /api/v1/stations|town codes that exist"
  "PUT /api/v1/stations/{id}/towns|town codes that exist"
  "PUT /api/v1/stations/{id}/name|single-line text: no control characters"
  "GET /api/v1/zone/cases|one of the five pilot towns"
  "POST /api/v1/incidents|receipt numbers of existing cases"
  "POST /api/v1/urgent-queue/{id}/handover|a member of the bureau on duty"
  "POST /api/v1/bureaus/{code}/duty-roster|a member of the bureau; ends_at after starts_at"
  "POST /api/v1/cases/{id}/leads|act_on (to be looked into)"
  "POST /api/v1/users|e-mail addresses the generator makes that the validator refuses"
  "PATCH /api/v1/users/{id}|a mediator needs a station of the account's bureau; only bureau staff change role"
  "GET /api/v1/audit|case_id required for a bureau admin"
  "GET /api/v1/oversight/alerts|bureau_code required for a system admin"
  "GET /api/v1/oversight/ranking|bureau_code required for a system admin"
  "GET /api/v1/statistics|bureau_code required for a system admin"
  "GET /api/v1/statistics.csv|bureau_code required for a system admin"
  "GET /api/v1/odr/suspension-candidates|to on or after from, within a year"
  "GET /api/v1/odr/businesses/{id}/performance|to on or after from, within a year"
  "POST /api/v1/auth/password|the current password must be the account's"
  "PUT /api/v1/bureaus/{code}|single-line text: no control characters"
  "PUT /api/v1/bureaus/{code}/document-prefix|single-line text: no control characters"
  "POST /api/v1/reports/{id}/reporter-notice|single-line text: no control characters"
  "POST /api/v1/cases/{id}/delegation|single-line text: no control characters"
  "PUT /api/v1/cases/{id}/respondent-contact|single-line text: no control characters"
  "POST /api/v1/cases/{id}/sessions|single-line text: no control characters"
  "POST /api/v1/cases/{id}/sessions/{session_id}/record|single-line text: no control characters"
  "POST /api/v1/incidents/{id}/sessions|single-line text: no control characters"
  "POST /api/v1/track/{receipt_number}/evidence|a file is a JPEG, PNG, WebP, HEIC or PDF by its content"
  "POST /api/v1/cases/{id}/evidence|a file is a JPEG, PNG, WebP, HEIC or PDF by its content"
  "POST /api/v1/cases/{id}/return-visit|visited_on neither in the future nor before the case closed"
)
for gap in "${known_gaps[@]}"; do
  printf '\n# %s\n[[operations]]\ninclude-name = "%s"\nchecks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "422", "429", "503"]\n' \
    "${gap#*|}" "${gap%%|*}" >>"$work/schemathesis.toml"
done

status=0
for who in anonymous admin root; do
  auth=()
  case "$who" in
    admin) auth=(-H "Authorization: Bearer $admin") ;;
    root) auth=(-H "Authorization: Bearer $root") ;;
  esac
  echo "== schemathesis as $who ($mode)"
  # Logging in and out would throttle or revoke the fuzzer's own token; the login operation is
  # fuzzed in the anonymous pass only.
  # Checking a 调解书 by uploading its PDF takes application/pdf, which schemathesis cannot
  # generate; tests/api/mediation.rs covers it.
  exclude=(--exclude-name 'POST /api/v1/agreements/{number}/verify')
  [ "$who" = anonymous ] || exclude+=(--exclude-path /api/v1/auth/login --exclude-path /api/v1/auth/logout)
  started=$(date +%s)
  if ! "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$work/openapi.json" \
      --url "$base" --checks "$checks" --workers 1 --no-color --warnings off \
      --generation-database none --generation-allow-x00 false "${budget[@]}" "${auth[@]}" "${exclude[@]}"; then
    status=1
  fi
  echo "   $who pass: $(( $(date +%s) - started )) s"
done
if grep -q "request failed" "$work/server.log"; then
  echo "the server logged internal errors:" >&2
  grep "request failed" "$work/server.log" | sort | uniq -c | sort -rn | head -20 >&2
  status=1
fi
exit $status
