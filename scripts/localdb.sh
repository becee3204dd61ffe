#!/usr/bin/env bash
# The private PostGIS cluster under instance/: start it (idempotent), stop it, create a
# database in it. Used by `make run` / `make test` when DATABASE_URL is unset.
#
# By default it listens on a Unix socket inside instance/ only (no TCP port), so two
# checkouts, CI runs and a system PostgreSQL never meet; LOCALDB_PORT=N adds TCP on
# 127.0.0.1:N (password in instance/db_password). A checkout too deep for a Unix socket path
# (107 bytes) gets its socket folder in /tmp (named after the checkout), said on start.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system
# user (and the web user of scripts/serve.sh may use its socket); otherwise it belongs to
# whoever runs make.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
INSTANCE="$ROOT/instance"
PGDATA="$INSTANCE/pgdata"
LOGDIR="$INSTANCE/pglog"
PGBIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}"
DBUSER=codi
URLFILE="$INSTANCE/database_url"
UNIX_PATH_MAX=107
TCP_PORT="${LOCALDB_PORT:-}"
PGPORT="${TCP_PORT:-5432}"   # without TCP the port only names the socket file (.s.PGSQL.5432)

die() { echo "localdb: $*" >&2; exit 1; }
[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 not found (install the Debian packages postgresql-15 and postgresql-15-postgis-3)"
[ -z "$TCP_PORT" ] || [[ "$TCP_PORT" =~ ^[0-9]+$ ]] || die "LOCALDB_PORT must be a port number"

socket_dir() {  # instance/pgsock, or /tmp/codi-pg-<hash> when that path is too long for a socket
  local dir="$INSTANCE/pgsock"
  if [ $(( ${#dir} + ${#PGPORT} + 10 )) -gt $UNIX_PATH_MAX ]; then
    dir="/tmp/codi-pg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
  fi
  echo "$dir"
}
SOCKDIR=$(socket_dir)

if [ "$(id -u)" = 0 ]; then
  OWNER=postgres
  as_owner() { runuser -u "$OWNER" -- "$@"; }
  WEB_GROUP=$(id -gn "$(bash "$ROOT/scripts/web-user.sh")")   # scripts/serve.sh runs the server as this user
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
  WEB_GROUP=
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

# the running postmaster's port, socket folder and listen address (postmaster.pid lines 4-6)
live() { sed -n "$1p" "$PGDATA/postmaster.pid" 2>/dev/null; }

psql_owner() {
  as_owner "$PGBIN/psql" -h "$(live 5)" -p "$(live 4)" -U "$DBUSER" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

init() {
  [ -f "$PGDATA/PG_VERSION" ] && return 0
  local pw; pw=$(password)
  mkdir -p "$PGDATA" "$LOGDIR"
  chown "$OWNER" "$PGDATA" "$LOGDIR"
  chmod 700 "$PGDATA"
  local pwfile; pwfile=$(mktemp); printf '%s' "$pw" > "$pwfile"; chown "$OWNER" "$pwfile"
  as_owner "$PGBIN/initdb" -D "$PGDATA" -U "$DBUSER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$INSTANCE/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$INSTANCE/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  # the socket folder is private to the owner (and the web user's group), so local trust
  # reaches no one else
  { echo "local all all trust"; echo "host all all 127.0.0.1/32 scram-sha-256"; echo "host all all ::1/128 scram-sha-256"; } > "$PGDATA/pg_hba.conf"
  chmod 600 "$PGDATA/pg_hba.conf"; chown "$OWNER" "$PGDATA/pg_hba.conf"
}

running() { [ -f "$PGDATA/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

start() {
  init
  if ! running; then
    mkdir -p "$SOCKDIR"
    chown "$OWNER" "$SOCKDIR"
    local options=(-p "$PGPORT" -k "$SOCKDIR" -c "listen_addresses=${TCP_PORT:+127.0.0.1}")
    if [ -n "$WEB_GROUP" ]; then
      # the folder (owner and the web user's group only) guards the socket inside it
      chgrp "$WEB_GROUP" "$SOCKDIR"; chmod 750 "$SOCKDIR"
      options+=(-c unix_socket_permissions=0777)
    else
      chmod 700 "$SOCKDIR"
      options+=(-c unix_socket_permissions=0700)
    fi
    [ "$SOCKDIR" = "$INSTANCE/pgsock" ] || echo "localdb: checkout path too long for a Unix socket: socket in $SOCKDIR" >&2
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGDIR/postgres.log" -w -t 60 -o "${options[*]}" start >/dev/null \
      || { tail -20 "$LOGDIR/postgres.log" >&2
           die "could not start the cluster${TCP_PORT:+ (port $TCP_PORT busy? choose another LOCALDB_PORT, or unset it for a Unix socket only)}"; }
  fi
  createdb codi
  write_url
}

write_url() {  # the URL of the cluster as it runs now (started by this or an earlier version)
  local port sock listen
  port=$(live 4); sock=$(live 5); listen=$(live 6 | tr -d ' ')
  if [ -n "$listen" ]; then
    (umask 077; echo "postgresql+psycopg://$DBUSER:$(password)@127.0.0.1:$port/codi" > "$URLFILE")
  else
    local query="host=$sock"
    [ "$port" = 5432 ] || query="$query&port=$port"
    (umask 077; echo "postgresql+psycopg://$DBUSER@/codi?$query" > "$URLFILE")
  fi
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
  running) running ;;
  createdb) start; createdb "$2" ;;
  url) if [ -n "${2:-}" ]; then sed -E "s#/codi(\?|\$)#/$2\1#" "$URLFILE"; else cat "$URLFILE"; fi ;;  # url [NAME]
  *) die "usage: $0 start|stop|running|createdb NAME|url [NAME]" ;;
esac
