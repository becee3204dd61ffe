#!/usr/bin/env bash
# Export benchmark (issues 6 and 7): every case of the benchmark database (100,000 generated + the
# sample) exported as a shapefile zip through the API (gunicorn, Bearer token, whole zip received),
# against ogr2ogr writing the same columns with the same short names straight from PostGIS (PG:),
# then zip (the API zips its five files too). Target: API within 1.5x ogr2ogr + zip.
# Usage: bash bench/export_shp.sh [RUNS=5]   -> bench/out/export_shp.md (also printed)
set -euo pipefail
. "$(dirname "$0")/common.sh"
RUNS=${1:-5}
PORT=5106
DB=${BENCH_DB:-codi_bench}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
OUT=bench/out/export; rm -rf "$OUT"; mkdir -p "$OUT"
if [ "${BENCH_DB_READY:-}" = 1 ]; then export DATABASE_URL=$(bench_url_for "$DB"); else bench_db "$DB" "${BENCH_CASES:-100000}" >/dev/null; fi
token=$(bench_user land_team)
bench_serve $PORT
trap 'bench_stop $PORT' EXIT
pg=$(echo "$DATABASE_URL" | sed 's/+psycopg//')
rows=$(psql -Atq "$pg" -c "SELECT count(*) FROM land_cases WHERE deleted_at IS NULL")
sql=$($BIN/python -c "
from gis.fields import CASE_FIELDS, visible_fields
cols = ', '.join(f'{f.name} AS {f.shp}' for f in visible_fields(CASE_FIELDS, with_sensitive=False))
print(f'SELECT {cols}, geom FROM land_cases WHERE deleted_at IS NULL ORDER BY id')")

# warm every worker (the first export in a worker loads GDAL)
for _ in $(seq 1 8); do
  curl -sf -H "Authorization: Bearer $token" -o /dev/null "http://127.0.0.1:$PORT/api/v1/export/cases?format=shp&q=warm-up"
done
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
api_times=(); ogr_times=(); ogrzip_times=()
for _ in $(seq 1 "$RUNS"); do  # alternately, so that both see the same background load
  t0=$(now)
  curl -sf -H "Authorization: Bearer $token" -o "$OUT/api.zip" "http://127.0.0.1:$PORT/api/v1/export/cases?format=shp"
  t1=$(now); api_times+=("$(echo "$t1 - $t0" | bc)")
  rm -rf "$OUT/ogr" "$OUT/ogr.zip"; mkdir -p "$OUT/ogr"
  t0=$(now)
  ogr2ogr -f "ESRI Shapefile" "$OUT/ogr/cases.shp" "PG:$pg" -sql "$sql" -lco ENCODING=UTF-8 -nln cases 2>/dev/null
  t1=$(now); ogr_times+=("$(echo "$t1 - $t0" | bc)")
  (cd "$OUT/ogr" && zip -q -1 ../ogr.zip cases.*)
  t2=$(now); ogrzip_times+=("$(echo "$t2 - $t0" | bc)")
done
api=$(printf '%s\n' "${api_times[@]}" | median)
ogr=$(printf '%s\n' "${ogr_times[@]}" | median)
ogrzip=$(printf '%s\n' "${ogrzip_times[@]}" | median)
ratio=$(echo "$api / $ogrzip" | bc -l)
met=$(echo "$ratio <= 1.5" | bc -l | sed 's/1/yes/; s/0/**no**/')
api_mb=$(stat -c %s "$OUT/api.zip" | awk '{printf "%.1f", $1 / 1e6}')
ogr_mb=$(stat -c %s "$OUT/ogr.zip" | awk '{printf "%.1f", $1 / 1e6}')
{
  echo "## 2. Shapefile export of every case vs ogr2ogr from PostGIS"
  echo
  echo "_$(date -u '+%Y-%m-%d %H:%M UTC'); load average (1, 5, 15 min) $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end_"
  echo
  echo "| measured | median | floor (median, same run) | ratio | target | met | runs |"
  echo "|---|---|---|---|---|---|---|"
  printf "| GET /api/v1/export/cases?format=shp, %s rows, whole zip received (%s MB) | %.1f s | ogr2ogr + zip -1: %.1f s (ogr2ogr alone %.1f s; zip %s MB) | %.2f | <= 1.5x | %s | %s |\n" \
    "$rows" "$api_mb" "$api" "$ogrzip" "$ogr" "$ogr_mb" "$ratio" "$met" "$RUNS"
  echo
  echo "- API runs (s): ${api_times[*]}; ogr2ogr + zip runs (s): ${ogrzip_times[*]}"
  echo "- ogr2ogr: \`-f \"ESRI Shapefile\" PG:... -sql \"SELECT <the same visible fields AS their shapefile names>, geom FROM land_cases WHERE deleted_at IS NULL ORDER BY id\" -lco ENCODING=UTF-8\`; the API also writes a fields.csv and sizes its text fields to the longest value."
} | tee bench/out/export_shp.md
