#!/bin/sh
# install-deps.sh: install every Debian package and npm module cxzy needs to build,
# run and test. Idempotent; runs as root with no standard input (CI), or via sudo.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config meson ninja-build
 libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev libcjson-dev libsodium-dev libssl-dev
 libxlsxwriter-dev libqrencode-dev libcmocka-dev libzip-dev libexpat1-dev
 postgresql chromium fonts-wqy-microhei nodejs npm wrk nginx-light curl ca-certificates util-linux
 clang libclang-rt-14-dev
 pgbouncer"

# nodejs may come from outside Debian's packaging (e.g. the machine image): accept a working node/npm.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  PKGS=$(echo $PKGS | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
sh scripts/apt-install.sh $PKGS

# Browser-side assets and browser-test modules from npm, pinned by package-lock.json.
if [ ! -d node_modules/echarts ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund </dev/null; else npm install --no-audit --no-fund </dev/null; fi
fi
