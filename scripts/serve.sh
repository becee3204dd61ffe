#!/usr/bin/env bash
# `make run`: start the service's processes, and stop them all together (Ctrl-C, TERM, or
# when any one of them stops). See README "Serving".
#
#   nginx    127.0.0.1:$PORT: reads each request whole (headers and body) and buffers each
#            answer, so slow or idle clients cost it a socket, never a gunicorn worker
#   gunicorn unix socket in instance/run/ (gunicorn.conf.py): the sync workers see only
#            complete requests
#
# A further process (a job worker, say) is one more line: `start NAME COMMAND...`, below.
# As root the processes run as the system user $WEB_USER (default codi, created if missing):
# the server never runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-5000}
BIN=$ROOT/.venv/bin
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
UNIX_PATH_MAX=107

say() { echo "make run: $*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$NGINX" ] || die "nginx not found (install the Debian package nginx: make run does it as root)"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "port $PORT is already in use on 127.0.0.1 (another server?): stop it, or choose another with PORT=5001 make run"
fi
[ "${1:-}" = check ] && exit 0   # `make run` asks first, before the set-up

# runtime files: instance/run/, or a private folder in /tmp when the checkout is too deep
# for a Unix socket path
RUN=$ROOT/instance/run
if [ $(( ${#RUN} + 16 )) -gt $UNIX_PATH_MAX ]; then
  RUN=/tmp/codi-run-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)
  say "checkout path too long for Unix sockets: runtime files in $RUN"
fi
mkdir -p "$RUN/nginx" "$ROOT/instance/uploads"
chmod 700 "$RUN"
if [ -s "$RUN/serve.pid" ] && kill -0 "$(cat "$RUN/serve.pid")" 2>/dev/null; then
  die "already serving from this checkout (pid $(cat "$RUN/serve.pid")): stop it first (Ctrl-C, or kill $(cat "$RUN/serve.pid"))"
fi
echo $$ > "$RUN/serve.pid"

if [ "$(id -u)" = 0 ]; then
  WEB_USER=$(bash scripts/web-user.sh)
  # the server reads the code and writes only uploads and its runtime files
  d="$ROOT"; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
  chmod 711 "$ROOT/instance"
  chown -R "$WEB_USER:" "$RUN" "$ROOT/instance/uploads"
  AS_WEB=(setpriv "--reuid=$WEB_USER" "--regid=$WEB_USER" --init-groups --)
  export HOME="$RUN"
else
  AS_WEB=()
fi

# settings the server reads from instance/ as root are handed over in its environment
if [ -z "${DATABASE_URL:-}" ]; then
  [ -s instance/database_url ] || die "no database: run 'make run' (it starts the private cluster) or set DATABASE_URL"
  DATABASE_URL=$(cat instance/database_url)
fi
export DATABASE_URL
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s instance/secret_key ] || "$BIN/python" -c "from app.config import Config; Config()"
  SECRET_KEY=$(cat instance/secret_key)
fi
export SECRET_KEY
# nginx is one more proxy hop: the app trusts its X-Forwarded-* on top of the operator's own
export TRUST_PROXY_HOPS=$(( ${TRUST_PROXY_HOPS:-0} + 1 ))
MAX_UPLOAD_MB=${MAX_UPLOAD_MB:-50}

sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@MAX_BODY@|$((MAX_UPLOAD_MB + 1))m|g" scripts/nginx.conf.in > "$RUN/nginx.conf"
[ "$(id -u)" = 0 ] && chown -R "$WEB_USER:" "$RUN"

pids=()
start() {  # NAME COMMAND...: run COMMAND (as the web user) in the background, stopped with the rest
  local name=$1; shift
  "${AS_WEB[@]}" "$@" &   # a simple command: $! is the process itself, not a subshell
  pids+=("$!")
  say "$name started (pid $!)"
}
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  rm -f "$RUN/web.sock" "$RUN/serve.pid"
  say "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

rm -f "$RUN/web.sock"
start gunicorn "$BIN/gunicorn" --config gunicorn.conf.py --bind "unix:$RUN/web.sock" \
  --control-socket "$RUN/gunicorn.ctl" "app:create_app()"
for _ in $(seq 1 300); do [ -S "$RUN/web.sock" ] && break; sleep 0.1; done
[ -S "$RUN/web.sock" ] || die "gunicorn did not start (see above)"
start nginx "$NGINX" -p "$RUN/nginx" -e stderr -c "$RUN/nginx.conf"
# long imports and exports (README "Background jobs"); more workers may run on other hosts
start "job worker" "$BIN/flask" --app app jobs worker
say "serving http://127.0.0.1:$PORT (nginx in front of gunicorn on $RUN/web.sock); Ctrl-C stops all"

# any process that ends stops the others (a second nginx on a taken port, a crash...)
wait -n || true
say "a process ended: stopping the others"
exit 1
