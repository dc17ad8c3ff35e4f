#!/bin/sh
# bench/dashboard (P3): time per view of the roll-up dashboard (统计看板) on 1,000,000 members,
# 50,000 organisations and 10,000,000 ballots (SQLite). `cxzy init` makes the database and an
# office user at the root; BUILD/bench/gen_dashboard fills it by direct SQL and sets the roll-up
# counters with rollup_recount (checked by a second recount: no difference); `cxzy serve` then
# answers VIEWS views of the page (and of the JSON API) at the root, a town, a 党总支 and a
# branch, over one kept-alive connection each (curl), with the default period and with the
# generated year's quarter roll-ups (?period=2011). Prints median and p99 beside the target.
# The database lives under /tmp and is removed at the end (KEEP=1 keeps it and says where;
# REUSE=DIR measures again on a database kept that way, with the current build, without generating).
# Usage: bench/dashboard/run.sh BUILD_DIR [MEMBERS] [ORGS] [BALLOTS] [VIEWS]   (env PORT: the server's port)
set -eu
BUILD=${1:-build}
MEMBERS=${2:-1000000}
ORGS=${3:-50000}
BALLOTS=${4:-10000000}
VIEWS=${5:-200}
TARGET_MS=50
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
gen="$top/$BUILD/bench/gen_dashboard"
if [ -n "${REUSE:-}" ]; then w=$REUSE; KEEP=1; else w=$(mktemp -d /tmp/cxzy-bench-dash.XXXXXX); fi
chmod 755 "$w"
port=${PORT:-$((15000 + $$ % 5000))}
cleanup() {
  [ -f "$w/cxzy.pid" ] && kill "$(cat "$w/cxzy.pid")" 2>/dev/null
  sleep 0.2
  if [ "${KEEP:-0}" = 1 ]; then echo "database kept: $w/cx.db (key $w/cx.db.key, office login benchoffice / $(cat "$w/pw"))"
  else rm -rf "$w"; fi
}
trap cleanup EXIT INT TERM

if [ -z "${REUSE:-}" ]; then
  echo "disk before: $(df -h /tmp | awk 'NR == 2 {print $4 " free on " $6}')"
  echo "cxzy-bench-2026" > "$w/pw"
  "$bin" init --db "$w/cx.db" --root 基准市委 --admin benchoffice --password-file "$w/pw" >/dev/null 2>&1
  /usr/bin/time -f "generator: %e s wall, %M KB peak memory" "$gen" "$w/cx.db" "$w/cx.db.key" "$MEMBERS" "$ORGS" "$BALLOTS"
fi
echo "database: $(du -h "$w/cx.db" | cut -f1) ($(du -b "$w/cx.db" | cut -f1) bytes)"

"$bin" serve --db "$w/cx.db" --listen "127.0.0.1:$port" ${THREADS:+--threads $THREADS} > "$w/serve.log" 2>&1 &
echo $! > "$w/cxzy.pid"
for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/serve.log" && break; sleep 0.1; done
base="http://127.0.0.1:$port"
curl -sf -c "$w/jar" -H 'Content-Type: application/json' -d "{\"username\":\"benchoffice\",\"password\":\"$(cat "$w/pw")\"}" \
  "$base/api/v1/session" > /dev/null

# the figures must be the generated ones: every ballot counted once at the root
total=$(curl -sf -b "$w/jar" "$base/api/v1/orgs/1/dashboard" | sed -n 's/.*"total":{[^}]*"ballots_valid":\([0-9]*\),"ballots_invalid":\([0-9]*\).*/\1 \2/p')
set -- $total
echo "root dashboard: ${1:-?} valid + ${2:-?} invalid ballots = $(( ${1:-0} + ${2:-0} )) (generated: $BALLOTS)"
[ "$(( ${1:-0} + ${2:-0} ))" = "$BALLOTS" ] || { echo "the dashboard's ballot count is wrong"; exit 1; }

# ids from the generator's layout: 1 root, 2 the first town, 52 its first 党总支, 1052 the first branch
. "$top/bench/lib.sh"
views() { timed_gets "$1" "$base$2" "$VIEWS" "$w/jar" "$w" "$TARGET_MS" || exit 1; } # $1 = label, $2 = path
kids() { curl -sf -b "$w/jar" "$base/api/v1/orgs/$1/dashboard" | node -e 'let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => console.log(JSON.parse(s).children.length))'; }
for org in 1 2 52 1052; do
  case $org in 1) what="root";; 2) what="town";; 52) what="general branch";; *) what="branch";; esac
  n=$(kids $org)
  views "page $what ($n children)" "/orgs/$org/dashboard"
  views "API  $what ($n children)" "/api/v1/orgs/$org/dashboard"
  # the whole campaign over the generated year (four quarter rows per organisation shown)
  views "page $what, period 2011" "/orgs/$org/dashboard?period=2011"
  views "API  $what, period 2011" "/api/v1/orgs/$org/dashboard?period=2011"
done
