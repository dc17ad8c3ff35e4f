#!/bin/sh
# bench/ballots (P2): durable ballots per second over HTTP — many concurrent clients (wrk, with a
# Lua script giving every request its own server-signed device token, made beforehand with the
# server's key by ballot_bench tokens, so every ballot is stored valid) POSTing
# /api/v1/public/ballots on 127.0.0.1, each answered only after its group commit is on disk —
# beside the limit: the same ballots written in process through the same store code and the same
# group-commit writer (SQLite synchronous=FULL), from as many concurrent callers, in the same run.
# Bounded by time (SECONDS each) and, in process, by count. Prints both figures and the ratio.
# Then the storage limit: plain SQLite inserting ballot-shaped rows, 64 one-row INSERTs a
# transaction, WAL and synchronous=FULL, into a copy of the ballot table with its indexes.
# Usage: bench/ballots/run.sh BUILD_DIR [CLIENTS] [SECONDS] [THREADS]   (env PERF=FILE: perf record of the server)
set -eu
BUILD=${1:-build}
CLIENTS=${2:-64}
SECS=${3:-10}
THREADS=${4:-$CLIENTS}   # server threads: each waits for its ballot's commit
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
inproc="$top/$BUILD/bench/ballot_bench"
w=$(mktemp -d /tmp/cxzy-bench-ballots.XXXXXX)
port=$((10000 + $$ % 5000))
cleanup() {
  [ -f "$w/cxzy.pid" ] && kill "$(cat "$w/cxzy.pid")" 2>/dev/null
  sleep 0.2; rm -rf "$w"
}
trap cleanup EXIT INT TERM
export CXZY_DB="$w/cx.db" CXZY_KEY="$w/cx.key"

"$bin" demo --members 1000 >/dev/null
"$bin" serve --listen "127.0.0.1:$port" --threads "$THREADS" --ballot-limit 0 --burst-target 0 --burst-net 0 > "$w/serve.log" 2>&1 &
echo $! > "$w/cxzy.pid"
for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/serve.log" && break; sleep 0.1; done
base="http://127.0.0.1:$port"
. "$top/bench/lib.sh"
open_round "$base" "$w" # the office opens a round over the district
target=1
TOKENS=${TOKENS:-600000} # more than the run sends: a token used twice is a 409 (shown as Non-2xx)
"$inproc" tokens "$w/cx.key" "$TOKENS" > "$w/tokens.txt"
warm=$(curl -sf "$base/api/v1/public/rating?target_kind=member&target_id=$target" | sed 's/.*"device":"\([0-9a-f.]*\)".*/\1/')
curl -sf -H 'Content-Type: application/json' -d "{\"target_kind\":\"member\",\"target_id\":$target,\"answers\":\"111\",\"device\":\"$warm\"}" \
  "$base/api/v1/public/ballots" > /dev/null

ballot_lua "$w/ballot.lua" "$w/tokens.txt" "$target"
# PERF=FILE: perf record of the server during the HTTP run (read with perf report -i FILE)
perf_pid=""
[ -n "${PERF:-}" ] && { perf record -q -g -o "$PERF" -p "$(cat "$w/cxzy.pid")" -- sleep "$SECS" >/dev/null 2>&1 & perf_pid=$!; }
wrk -t2 -c"$CLIENTS" -d"${SECS}s" --latency -s "$w/ballot.lua" "$base" > "$w/wrk.txt" 2>&1
http=$(awk '/^Requests\/sec/ {print $2}' "$w/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$w/wrk.txt")
errs=$(awk '/Non-2xx|Socket errors/ {print}' "$w/wrk.txt" | tr '\n' ' ')
[ -n "$perf_pid" ] && wait "$perf_pid"
awk '/^VmRSS/ {printf "rss %.0f\n", $2 / 1024}' "/proc/$(cat "$w/cxzy.pid")/status" > "$w/rss"
kill "$(cat "$w/cxzy.pid")"; rm -f "$w/cxzy.pid"; sleep 0.3
# every acknowledged ballot is in the table
stored=$(sqlite3 "$w/cx.db" "SELECT count(*) FROM ballot WHERE valid = 1")
set -- $("$inproc" "$w/cx.db" "$w/cx.key" "$target" "$CLIENTS" "$SECS" 10000000)
inrate=$4 inn=$2 ins=$3
set -- $("$inproc" raw "$w/cx.db" "$SECS" 64)
rawrate=$4
rss=$(awk '{print $2}' "$w/rss" 2>/dev/null || echo "?")
echo "ballots over HTTP ($CLIENTS clients, $THREADS server threads, ${SECS} s, durable group commit): $http ballots/s, p99 $p99 ${errs:+[$errs]} ($stored valid ballots stored; server RSS $rss MB at the end)"
echo "in process, same store code and writer, $CLIENTS callers: $inrate ballots/s ($inn in $ins s); ratio HTTP / in process $(awk "BEGIN {printf \"%.2f\", $http / $inrate}")x"
echo "limit: raw SQLite (WAL, synchronous=FULL), one-row INSERTs into a copy of the ballot table with its indexes, 64 a transaction: $rawrate rows/s ($2 in $3 s)"
echo "ratio HTTP / raw SQLite $(awk "BEGIN {printf \"%.2f\", $http / $rawrate}")x  (goal >= 0.3x)"
