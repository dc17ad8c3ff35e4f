#!/bin/sh
# bench/audit_parts (issue 20): audit appends a second on PostgreSQL with writers in one province,
# in two, and (the limit) each in its own (appends.c). A throwaway PostgreSQL is started on PORT
# (scripts/pg.sh: the test settings, fsync off, so the figures are the chain head's lock's).
# Usage: bench/audit_parts/run.sh BUILD_DIR [THREADS] [SECONDS]   (env: PORT=55596)
set -eu
BUILD=${1:-build}
THREADS=${2:-8}
SECS=${3:-10}
PORT=${PORT:-55596}
top=$(cd "$(dirname "$0")/../.." && pwd)
w=$(mktemp -d /tmp/cxzy-bench-audit.XXXXXX)
chmod 755 "$w"
url=$(sh "$top/scripts/pg.sh" start "$w/pg" "$PORT" | tail -n 1)
trap 'sh "$top/scripts/pg.sh" stop "$w/pg" >/dev/null 2>&1 || true; rm -rf "$w"' EXIT
psql -q "$url" -c 'CREATE DATABASE ab'
(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$w/cx.key"; echo >> "$w/cx.key")
"$top/$BUILD/bench/audit_parts" "${url%/*}/ab" "$w/cx.key" "$THREADS" "$SECS"
