#!/usr/bin/env bash
# Install the named Debian packages when missing: as root with apt-get, otherwise
# print the exact command for an administrator and stop.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Ask an administrator to run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
