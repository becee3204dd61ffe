#!/usr/bin/env bash
# Load test (issue 8): wrk for DURATION (60 s) at 32 connections against the case API,
# a region map and a share link, with the sample data and with 100,000 generated cases,
# each against gunicorn with the defaults of gunicorn.conf.py.
# The share-link rate limit (SHARE_RATE_LIMIT, 120 a minute per client address, against token
# guessing) would answer wrk's single address with 429 after 120 requests: this run lifts it
# so that the capacity is measured; the limiter's counter is still written on every request.
# Usage: bash bench/load.sh [DURATION=60s]   -> bench/out/load.md (also printed)
set -euo pipefail
. "$(dirname "$0")/common.sh"
DURATION=${1:-60s}
PORT=5100
OUT=bench/out; mkdir -p "$OUT"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
command -v wrk >/dev/null || bash scripts/system-packages.sh wrk
export SHARE_RATE_LIMIT="1000000 per minute"

run_set() {  # LABEL DBNAME CASES
  local label=$1 token policy share cookie csrf session
  if [ "$3" -gt 0 ] && [ "${BENCH_DB_READY:-}" = 1 ]; then export DATABASE_URL=$(bench_url_for "$2")
  else bench_db "$2" "$3" >/dev/null; fi
  token=$(bench_user land_team)
  policy=$(bench_user policy)
  bench_serve $PORT
  trap "bench_stop $PORT" EXIT
  share=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/share-links" -H "Authorization: Bearer $policy" \
          -H 'Content-Type: application/json' \
          -d '{"region": "south", "expires_in_days": 7, "label": "load test"}' \
          | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["url"])')
  cookie=$(mktemp)
  # the map page needs a session: sign in once through the form
  curl -sf -c "$cookie" -b "$cookie" "http://127.0.0.1:$PORT/login" -o "$OUT/login.html"
  csrf=$(grep -o 'name="csrf_token" type="hidden" value="[^"]*"' "$OUT/login.html" | sed 's/.*value="//; s/"$//')
  curl -sf -c "$cookie" -b "$cookie" -o /dev/null "http://127.0.0.1:$PORT/login" \
       --data-urlencode "email=bench-land_team@example.org" --data-urlencode "password=bench password 1" \
       --data-urlencode "csrf_token=$csrf"
  session=$(awk '$6 == "session" {print $7}' "$cookie")
  rm -f "$cookie" "$OUT/login.html"
  [ -n "$session" ] || { echo "could not sign in" >&2; return 1; }
  for target in "api|/api/v1/cases?limit=100&region=south|Authorization: Bearer $token" \
                "map|/map/south|Cookie: session=$session" \
                "share|${share#http://127.0.0.1:$PORT}|X-Bench: 1"; do
    IFS='|' read -r name path header <<< "$target"
    # every target must answer 200 before it is loaded
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "http://127.0.0.1:$PORT$path")
    [ "$code" = 200 ] || { echo "$name: $path answered $code" >&2; return 1; }
    wrk -t2 -c32 -d"$DURATION" --latency -H "$header" "http://127.0.0.1:$PORT$path" > "$OUT/wrk-$label-$name.txt" 2>&1
    $BIN/python bench/wrk_summary.py "$label" "$name" "$path" "$OUT/wrk-$label-$name.txt" >> "$OUT/load-rows.md"
  done
  bench_stop $PORT
  trap - EXIT
}

: > "$OUT/load-rows.md"
run_set "sample (300 cases)" codi_bench_sample 0
run_set "100,000 generated" "${BENCH_DB:-codi_bench}" "${BENCH_CASES:-100000}"
{
  echo "## 6. Load: wrk, 32 connections, $DURATION per target"
  echo
  echo "_$(date -u '+%Y-%m-%d %H:%M UTC'); load average (1, 5, 15 min) $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end_"
  echo
  echo "| data | target | path | req/s | p50 | p99 | errors (non-2xx + socket) | met (p99 < 1 s, 0 errors) |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$OUT/load-rows.md"
  echo
  echo "- gunicorn.conf.py defaults: $(bench_gunicorn); wrk -t2 -c32 on the same $(nproc)-core machine."
  echo "- api: Bearer token (land_team); map: the session cookie of a form sign-in; share: a link to the South made by a policy account, no credentials."
  echo "- SHARE_RATE_LIMIT lifted for this run (see bench/load.sh); with the default 120 a minute per address, wrk's single address gets 429 after 120 requests, as designed."
} | tee "$OUT/load.md"
