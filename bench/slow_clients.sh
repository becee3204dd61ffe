#!/usr/bin/env bash
# Slow clients (issue 16, point 1): 20 connections trickling a request at 1 byte a second and
# 10 idle ones, while a healthy client asks /healthz every 0.25 s; then wrk at 32 connections
# on the case API. Against gunicorn alone (what `make run` served before) and against the
# server `make run` starts now (scripts/serve.sh: nginx in front of gunicorn on a Unix socket).
# Target: worst healthy request under 1 s with the slow clients; wrk p99 < 1 s, no errors.
# Usage: bash bench/slow_clients.sh [SECONDS=30] [WRK_DURATION=20s]  -> bench/out/slow_clients.md
set -euo pipefail
. "$(dirname "$0")/common.sh"
SECONDS_SLOW=${1:-30}
DURATION=${2:-20s}
read -r PORT_ALONE PORT_FRONT <<< "${SLOW_PORTS:-5108 5109}"
OUT=bench/out; mkdir -p "$OUT"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
command -v wrk >/dev/null || bash scripts/system-packages.sh wrk
if [ "${BENCH_DB_READY:-}" = 1 ]; then export DATABASE_URL=$(bench_url_for "${BENCH_DB:-codi_bench_sample}")
else bench_db codi_bench_sample 0 >/dev/null; fi
token=$(bench_user land_team)
api="/api/v1/cases?limit=100&region=south"

wait_healthy() {
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.2; done
  echo "no answer on port $1" >&2; return 1
}
slow() {  # LABEL PORT
  $BIN/python bench/slow_clients.py "http://127.0.0.1:$2" --seconds "$SECONDS_SLOW" --label "$1" >> "$OUT/slow-rows.md"
}
load() {  # LABEL PORT ROUND
  wrk -t2 -c32 -d"$DURATION" --timeout 10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$2$api" \
    > "$OUT/wrk-slow-$2-$3.txt" 2>&1
  $BIN/python bench/wrk_summary.py "$1" "api, round $3" "$api" "$OUT/wrk-slow-$2-$3.txt" >> "$OUT/slow-wrk-rows.md"
}

: > "$OUT/slow-rows.md"; : > "$OUT/slow-wrk-rows.md"
# both servers up at once, measured in turns, so that both meet the same machine load
ALONE="gunicorn alone (sync workers on TCP)"
FRONT="make run: nginx + gunicorn (unix socket)"
bench_serve "$PORT_ALONE"
PORT=$PORT_FRONT setsid bash scripts/serve.sh > "$OUT/serve-$PORT_FRONT.log" 2>&1 &
serve_pid=$!
trap 'bench_stop $PORT_ALONE; kill -TERM $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null || true' EXIT
wait_healthy "$PORT_FRONT"
slow "$ALONE" "$PORT_ALONE"
sleep 5  # the stalled workers of the first server finish with the slow clients
slow "$FRONT" "$PORT_FRONT"
for round in 1 2; do
  load "$ALONE" "$PORT_ALONE" "$round"
  load "$FRONT" "$PORT_FRONT" "$round"
done
bench_stop "$PORT_ALONE"
kill -TERM $serve_pid; wait $serve_pid 2>/dev/null || true
trap - EXIT

{
  echo "## 7. Slow and idle clients, and load through the default server"
  echo
  echo "_$(date -u '+%Y-%m-%d %H:%M UTC'); load average (1, 5, 15 min) $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end_"
  echo
  echo "| server | clients | healthy requests | median | worst | failed | still connected at the end | met (worst < 1 s) |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$OUT/slow-rows.md"
  echo
  echo "| server | target | path | req/s | p50 | p99 | errors (non-2xx + socket) | met (p99 < 1 s, 0 errors) |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$OUT/slow-wrk-rows.md"
  echo
  echo "- Slow clients: half send their headers at 1 byte/s, half a multipart body to /api/v1/imports/cases at 1 byte/s; idle ones connect and send nothing; healthy: GET /healthz every 0.25 s on a new connection (timeout 60 s), for ${SECONDS_SLOW} s."
  echo "- gunicorn: $(bench_gunicorn). nginx (scripts/nginx.conf.in) closes a connection whose headers are not complete in 15 s or idle for 15 s, and a body that pauses 30 s; a body that keeps trickling stays connected but never reaches a worker until it is whole."
  echo "- wrk -t2 -c32 -d$DURATION --timeout 10s (a slower answer counts as latency, not as a socket error) in turns, alone / front / alone / front, on the same $(nproc)-core machine, Bearer token of a land_team account, database ${BENCH_DB:-codi_bench_sample} ($(psql -Atq "$(echo "$DATABASE_URL" | sed 's/+psycopg//')" -c 'SELECT count(*) FROM land_cases WHERE deleted_at IS NULL') live cases). Both servers run one after the other under the same conditions: compare the two rows; the absolute figures depend on what else the machine runs (load average above)."
} | tee "$OUT/slow_clients.md"
