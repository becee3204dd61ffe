#!/usr/bin/env bash
# As root: make sure the unprivileged system user that runs the web server exists (WEB_USER,
# default codi) and print its name. scripts/serve.sh runs nginx and gunicorn as it;
# scripts/localdb.sh opens the cluster's socket to its group.
set -euo pipefail
WEB_USER=${WEB_USER:-codi}
if ! id -u "$WEB_USER" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$WEB_USER"
fi
echo "$WEB_USER"
