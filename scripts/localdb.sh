#!/usr/bin/env bash
# The private PostGIS cluster under instance/: start it (idempotent), stop it,
# create a database in it. Used by `make run` / `make test` when DATABASE_URL is unset.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` system user; otherwise it belongs to whoever runs make.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
INSTANCE="$ROOT/instance"
PGDATA="$INSTANCE/pgdata"
SOCKDIR="$INSTANCE/pgsock"
LOGDIR="$INSTANCE/pglog"
PGPORT="${LOCALDB_PORT:-54329}"
PGBIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}"
DBUSER=codi
URLFILE="$INSTANCE/database_url"

die() { echo "localdb: $*" >&2; exit 1; }
[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 not found (install the Debian packages postgresql-15 and postgresql-15-postgis-3)"

if [ "$(id -u)" = 0 ]; then
  OWNER=postgres
  as_owner() { runuser -u "$OWNER" -- "$@"; }
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
fi

mkdir -p "$INSTANCE"
chmod 700 "$INSTANCE"
if [ "$OWNER" != "$(id -un)" ]; then
  # the cluster owner must reach instance/ (and every folder above it)
  chmod 711 "$INSTANCE"
  d="$ROOT"; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
fi

password() {
  if [ ! -s "$INSTANCE/db_password" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$INSTANCE/db_password")
  fi
  cat "$INSTANCE/db_password"
}

psql_owner() { as_owner "$PGBIN/psql" -h "$SOCKDIR" -p "$PGPORT" -U "$DBUSER" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

init() {
  [ -f "$PGDATA/PG_VERSION" ] && return 0
  local pw; pw=$(password)
  mkdir -p "$PGDATA" "$SOCKDIR" "$LOGDIR"
  chown "$OWNER" "$PGDATA" "$SOCKDIR" "$LOGDIR"
  chmod 700 "$PGDATA"
  local pwfile; pwfile=$(mktemp); printf '%s' "$pw" > "$pwfile"; chown "$OWNER" "$pwfile"
  as_owner "$PGBIN/initdb" -D "$PGDATA" -U "$DBUSER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$INSTANCE/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$INSTANCE/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  # the socket folder is private to the owner, so local trust reaches no one else
  { echo "local all all trust"; echo "host all all 127.0.0.1/32 scram-sha-256"; echo "host all all ::1/128 scram-sha-256"; } > "$PGDATA/pg_hba.conf"
  chmod 600 "$PGDATA/pg_hba.conf"; chown "$OWNER" "$PGDATA/pg_hba.conf"
}

running() { as_owner "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

start() {
  init
  if ! running; then
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGDIR/postgres.log" -w -t 60 \
      -o "-p $PGPORT -k $SOCKDIR -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700" start >/dev/null \
      || { tail -20 "$LOGDIR/postgres.log" >&2; die "could not start the cluster (port $PGPORT busy? set LOCALDB_PORT)"; }
  fi
  createdb codi
  (umask 077; echo "postgresql+psycopg://$DBUSER:$(password)@127.0.0.1:$PGPORT/codi" > "$URLFILE")
}

createdb() {
  local name=$1
  if [ "$(psql_owner -c "SELECT 1 FROM pg_database WHERE datname='$name'")" != 1 ]; then
    psql_owner -c "CREATE DATABASE \"$name\""
  fi
}

stop() { running && as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true; }

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  createdb) start; createdb "$2" ;;
  url) cat "$URLFILE" ;;
  *) die "usage: $0 start|stop|createdb NAME|url" ;;
esac
