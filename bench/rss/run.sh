#!/bin/sh
# bench/rss: the server's memory (P5: idle <= 32 MB, under load <= 128 MB). Starts cxzy serve on a
# demo database, records idle RSS (/proc/PID/status VmRSS), runs a bounded mixed load on 127.0.0.1
# (public cards and boards, public ballots, logins, staff pages, public feedback posts; bench/rss/load.mjs)
# while sampling VmRSS and VmHWM, and prints idle, peak and the trend over the second half.
# Usage: bench/rss/run.sh BUILD_DIR [SECONDS] [CLIENTS] [MEMBERS]   (default 120 s, 16 clients, 300 members;
#        the figures in docs/BENCHMARKS.md are from 600 s). Env: THREADS, SERVE_ARGS (extra serve options).
set -eu
BUILD=${1:-build}
SECS=${2:-120}
CLIENTS=${3:-16}
MEMBERS=${4:-300}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
w=$(mktemp -d /tmp/cxzy-bench-rss.XXXXXX)
port=$((30000 + $$ % 10000))
cleanup() {
  [ -f "$w/cxzy.pid" ] && kill "$(cat "$w/cxzy.pid")" 2>/dev/null
  rm -rf "$w"
}
trap cleanup EXIT INT TERM

. "$top/scripts/demo-server.sh"
# per-address ballot limits and burst holds off: the load's ballots come from many loopback
# addresses and should all be stored, as a busy evening's would
demo_server "$bin" "$w" "$port" "$MEMBERS" --ballot-limit 0 --burst-target 0 --burst-net 0 ${THREADS:+--threads $THREADS} ${SERVE_ARGS:-}
export MEMBERS ORGS
ORGS=$(sqlite3 "$w/cx.db" 'SELECT max(id) FROM org')
node "$top/bench/rss/load.mjs" "http://127.0.0.1:$port" "$(cat "$w/cxzy.pid")" "$SECS" "$CLIENTS" "$((SECS / 40 > 2 ? SECS / 40 : 2))"
