#!/bin/sh
# bench/pgbouncer_stmt (issue 20): what the lock timeout costs a statement outside a transaction
# under --pgbouncer (stmt.c): the bare statement (the limit), the pipeline --pgbouncer sends, and
# BEGIN/SET LOCAL/statement/COMMIT. A throwaway PostgreSQL on PORT and PgBouncer (transaction
# mode, scripts/cluster.sh's settings) on PORT+1.
# Usage: bench/pgbouncer_stmt/run.sh BUILD_DIR [N] [ROUNDS]   (env: PORT=55597)
set -eu
BUILD=${1:-build}
N=${2:-2000}
ROUNDS=${3:-5}
PORT=${PORT:-55597}
top=$(cd "$(dirname "$0")/../.." && pwd)
w=$(mktemp -d /tmp/cxzy-bench-pgb.XXXXXX)
chmod 755 "$w"
sh "$top/scripts/pg.sh" start "$w/pg" "$PORT" >/dev/null
trap 'sh "$top/scripts/cluster.sh" down "$w/b" >/dev/null 2>&1 || true; sh "$top/scripts/pg.sh" stop "$w/pg" >/dev/null 2>&1 || true; rm -rf "$w"' EXIT
burl=$(sh "$top/scripts/cluster.sh" --pg-port "$PORT" --bouncer-port $((PORT + 1)) bouncer "$w/b" | tail -n 1)
"$top/$BUILD/bench/pgbouncer_stmt" "$burl" "$N" "$ROUNDS"
