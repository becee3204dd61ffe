#!/usr/bin/env bash
# Every benchmark at 100,000 generated cases, one after another, then bench/RESULTS.md:
# the machine, versions and date, a table per benchmark (from bench/out/<name>.md), and the
# profiling notes kept in bench/profiling.md. The database codi_bench is made once here.
# Usage: bash bench/run_all.sh        (about 20 minutes; needs the local cluster or DATABASE_URL)
set -uo pipefail
. "$(dirname "$0")/common.sh"
set +e
trap 'for p in 5100 5101 5103 5104 5106 5108 5109; do bench_stop $p; done' EXIT
BENCHES=(geojson_api export_shp derive_admin ogc_items map_page load slow_clients print as_of land)
# BENCH_ONLY="ogc_items load": run only those again; the other tables keep their last output
read -r -a RUN <<< "${BENCH_ONLY:-${BENCHES[*]}}"
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
# the tables not run this time come from the last RESULTS.md (bench/out/ is not kept in git):
# each table sits between <!-- bench:NAME --> markers there
PREVIOUS=$(mktemp); cp bench/RESULTS.md "$PREVIOUS" 2>/dev/null || : > "$PREVIOUS"
previous() {  # NAME: that table as the last RESULTS.md had it, or nothing
  awk -v m="<!-- bench:$1 -->" '$0 == m {on=1; next} /^<!-- bench:/ {on=0} on' "$PREVIOUS"
}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== database codi_bench with 100,000 generated cases" >&2
bench_db codi_bench 100000 > bench/out/bench_db.log 2>&1 || { cat bench/out/bench_db.log >&2; exit 1; }
export BENCH_DB_READY=1 BENCH_DB=codi_bench BENCH_CASES=100000

failed=()
for name in "${RUN[@]}"; do
  rm -f "bench/out/$name.md"
  echo "== $name" >&2
  if [ -f "bench/$name.sh" ]; then cmd=(bash "bench/$name.sh"); else cmd=("$BIN/python" "bench/$name.py"); fi  # a .sh drives its .py
  "${cmd[@]}" > "bench/out/$name.log" 2>&1 || failed+=("$name")
  [ -f "bench/out/$name.md" ] || failed+=("$name")
done

version() { "$@" 2>/dev/null | head -1 || echo "?"; }
pkg() { $BIN/python -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "?"; }
pg=$(echo "$DATABASE_URL" | sed 's/+psycopg//')
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bash bench/run_all.sh\` (see bench/README.md); every figure below comes from that run."
  echo
  echo "- **Date**: $STARTED (to $(date -u '+%H:%M UTC'))${BENCH_ONLY:+; this run: $BENCH_ONLY, the other tables from an earlier run (each table gives its own time)}"
  echo "- **Machine**: $(bench_machine); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- **Load average** (1, 5, 15 min) at the start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg). Other work may share the machine: each table says the load while it ran."
  echo "- **Versions**: $(version ogr2ogr --version | cut -d, -f1) (ogr2ogr), pyogrio $(pkg pyogrio), Flask $(pkg flask), SQLAlchemy $(pkg sqlalchemy), psycopg $(pkg psycopg), gunicorn $(pkg gunicorn), folium $(pkg folium), Playwright $(pkg playwright), $(version chromium --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), pygeoapi $(bench/.venv-pygeoapi/bin/python -c 'import pygeoapi; print(pygeoapi.__version__)' 2>/dev/null || echo 'not installed')"
  echo "- **Data**: database codi_bench: the sample data plus $(psql -Atq "$pg" -c "SELECT count(*) FROM land_cases WHERE code LIKE 'LC-G%'") cases from \`flask demo generate --seed 1\`, $(psql -Atq "$pg" -c 'SELECT count(*) FROM land_cases WHERE deleted_at IS NULL') live cases in all."
  echo "- **Server**: gunicorn with gunicorn.conf.py ($(bench_gunicorn)), bound to 127.0.0.1."
  [ ${#failed[@]} -eq 0 ] || echo "- **Failed**: ${failed[*]} (see bench/out/<name>.log)"
  echo
  for name in "${BENCHES[@]}"; do
    echo "<!-- bench:$name -->"
    if [ -f "bench/out/$name.md" ]; then cat "bench/out/$name.md"; echo
    elif [ -n "$(previous "$name")" ]; then previous "$name"
    else echo "## $name: failed, see bench/out/$name.log"; echo; fi
  done
  echo "<!-- bench:profiling -->"
  cat bench/profiling.md
} > bench/RESULTS.md
echo "written to bench/RESULTS.md${failed:+ (failed: ${failed[*]})}" >&2
