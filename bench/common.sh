#!/usr/bin/env bash
# Shared set-up for the benchmarks: a database of their own, filled with sample data
# or N generated cases, and a gunicorn server with the default settings.
# Source it: `. bench/common.sh`; then `bench_db NAME CASES`, `bench_serve PORT`, `bench_stop`.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$BENCH_ROOT"
mkdir -p bench/out
BIN=.venv/bin
export FLASK_APP=app
# the local cluster unless the caller named a server; remembered before bench_db exports its own URL
BENCH_LOCAL=${BENCH_LOCAL:-$([ -z "${DATABASE_URL:-}" ] && echo 1 || echo 0)}
BENCH_BASE_URL=${BENCH_BASE_URL:-${DATABASE_URL:-$(bash scripts/localdb.sh url)}}
export BENCH_LOCAL BENCH_BASE_URL

bench_url_for() {  # database URL for database NAME in the local cluster (or beside DATABASE_URL)
  # (a Unix-socket URL keeps its ?host=... after the name)
  $BIN/python -c 'import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).set(database=sys.argv[2]).render_as_string(hide_password=False))' "$BENCH_BASE_URL" "$1"
}

bench_db() {  # NAME CASES: create, migrate, load reference data, sample data and CASES generated cases
  local name=$1 cases=${2:-0}
  if [ "$BENCH_LOCAL" = 1 ]; then bash scripts/localdb.sh createdb "$name"; fi
  export DATABASE_URL=$(bench_url_for "$name")
  $BIN/flask db upgrade heads >/dev/null
  $BIN/flask setup
  local psql_url have
  psql_url=$(echo "$DATABASE_URL" | sed 's/+psycopg//')
  have=$(psql -Atq "$psql_url" -c "SELECT count(*) FROM land_cases WHERE code LIKE 'LC-G%'")
  if [ "$cases" -gt 0 ] && [ "$have" -lt "$cases" ]; then
    $BIN/flask demo generate --cases $((cases - have)) --seed 1
  fi
  psql -q "$psql_url" -c "VACUUM ANALYZE" >/dev/null
}

bench_user() {  # ROLE: an account for the benchmark; prints its API token
  local email="bench-$1@example.org"
  echo "bench password 1" | $BIN/flask users create "$email" --role "$1" >/dev/null 2>&1 || true
  $BIN/flask users token "$email" --label bench
}

bench_serve() {  # PORT [extra gunicorn args]: gunicorn with the project's default settings (gunicorn.conf.py)
  local port=$1; shift
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is already in use" >&2; return 1; fi
  $BIN/gunicorn --config gunicorn.conf.py --bind "127.0.0.1:$port" --access-logfile /dev/null \
    --error-logfile "bench/out/gunicorn-$port.log" --daemon --pid "/tmp/bench-gunicorn-$port.pid" "$@" "app:create_app()"
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "server did not start (see bench/out/gunicorn-$port.log)" >&2; return 1
}

bench_stop() {  # PORT: stop the server bench_serve started there, and wait until it is gone
  local pidfile="/tmp/bench-gunicorn-$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$pidfile"
}

bench_gunicorn() {  # the settings gunicorn.conf.py gives on this machine, in words
  $BIN/python -c "import runpy; c = runpy.run_path('gunicorn.conf.py'); print(f\"{c['worker_class']}, {c['workers']} workers x {c['threads']} threads, timeout {c['timeout']} s, max_requests {c['max_requests']}\")"
}

bench_machine() {  # one line describing the machine and versions, for RESULTS.md
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), Python $($BIN/python -V 2>&1 | cut -d' ' -f2), $(psql --version | cut -d' ' -f3 | sed 's/^/PostgreSQL /'), PostGIS $(psql -Atq "$(echo "$DATABASE_URL" | sed 's/+psycopg//')" -c 'SELECT postgis_lib_version()')"
}
