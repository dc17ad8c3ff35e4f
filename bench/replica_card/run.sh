#!/bin/sh
# bench/replica_card (issue 20): the public member card (/p/card/:id) at random ids over the demo's
# members, served by one `cxzy serve` reading from the streaming replica (--db-read) and by one
# reading from the primary (the same options without --db-read), beside nginx serving the same
# pages as static files, in the same run (wrk on 127.0.0.1, CONNECTIONS connections, SECONDS each,
# ROUNDS rounds taking turns so that all three meet the same moments of a shared machine; the
# figures are the medians of the rounds). The cluster is scripts/cluster.sh's (primary, replica,
# PgBouncer, two instances, nginx) in a temporary directory, its demo made with MEMBERS members;
# the replica's line is the cluster's first instance, straight to its port; the primary's is a
# third instance started here beside it. Every member's card is fetched once from each instance
# (the primary's copies are nginx's static files), so both page caches start alike. Also printed:
# the transactions each PostgreSQL committed per request during each instance's runs (the replica
# did the reading, or the primary did).
# Usage: bench/replica_card/run.sh BUILD_DIR [MEMBERS] [SECONDS] [CONNECTIONS]
#   env: PG_PORT=55591 (the replica PG_PORT+1, PgBouncer PG_PORT+2), ROUNDS=3
set -eu
BUILD=${1:-build}
MEMBERS=${2:-3000}
SECS=${3:-10}
CONNS=${4:-64}
ROUNDS=${ROUNDS:-3}
PG_PORT=${PG_PORT:-55591}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
. "$top/bench/lib.sh"
cluster_setup replica-card $((35000 + $$ % 5000)) 5
papp=$((port + 3)) nport=$((port + 4))
cleanup() {
  for p in papp nginx; do [ -f "$w/$p.pid" ] && kill "$(cat "$w/$p.pid")" 2>/dev/null; done
  cluster down >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT INT TERM
primary="postgresql://cxzy@127.0.0.1:$PG_PORT/cxzy"
replica="postgresql://cxzy@127.0.0.1:$((PG_PORT + 1))/cxzy"

CXZY_BIN="$bin" CXZY_CLUSTER_DEMO_ARGS="--members $MEMBERS" cluster up >"$w/up.log" 2>&1 || { cat "$w/up.log" >&2; exit 1; }
# the primary's instance: the cluster's instance options without --db-read
CXZY_DB="postgresql://cxzy@127.0.0.1:$((PG_PORT + 2))/cxzy" CXZY_KEY="$c/cxzy.key" "$bin" serve --listen "127.0.0.1:$papp" \
  --max-connections-per-address 4096 --pgbouncer --db-listen "$primary" --db-pool 8 >"$w/papp.log" 2>&1 &
echo $! >"$w/papp.pid"
for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/papp.log" && break; sleep 0.1; done

# every member's card, once, as static files for nginx (one curl, keep-alive)
psql -X -q -t -A "$primary" -c "SELECT id FROM member ORDER BY id" >"$w/ids.txt"
mkdir -p "$w/www/p/card"
awk -v b="http://127.0.0.1:$papp" -v d="$w/www/p/card" '{printf "url = \"%s/p/card/%s\"\noutput = \"%s/%s\"\n", b, $1, d, $1}' "$w/ids.txt" >"$w/curl.cfg"
curl -sf -K "$w/curl.cfg"
# and once from the replica's instance, so both instances' page caches start alike
awk -v b="http://127.0.0.1:$app1" '{printf "url = \"%s/p/card/%s\"\noutput = \"/dev/null\"\n", b, $1}' "$w/ids.txt" | curl -sf -K -
n=$(wc -l <"$w/ids.txt")
bytes=$(cat "$w"/www/p/card/* | wc -c)
static_nginx "$w" "$nport"
cat >"$w/card.lua" <<LUA
local ids = {}
function init(args) for l in io.lines("$w/ids.txt") do ids[#ids + 1] = l end; math.randomseed(os.time() * 1000 + #args + math.floor(os.clock() * 1e6)) end
function request() return wrk.format("GET", "/p/card/" .. ids[math.random(#ids)]) end
LUA

commits() { psql -X -q -t -A "$1" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'cxzy'"; }
# run PORT → "req/s p99ms requests primary-transactions replica-transactions [errors]"
run() {
  p0=$(commits "$primary") r0=$(commits "$replica")
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$w/card.lua" "http://127.0.0.1:$1" >"$w/wrk.txt" 2>&1
  p1=$(commits "$primary") r1=$(commits "$replica")
  rps=$(awk '/^Requests\/sec/ {print $2}' "$w/wrk.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$w/wrk.txt")
  reqs=$(awk '/requests in/ {print $1}' "$w/wrk.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$w/wrk.txt" | tr '\n' ' ')
  echo "$rps $p99 $reqs $((p1 - p0)) $((r1 - r0)) $errs"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "replica_card: $n members' cards ($bytes bytes in all), random ids, $CONNS connections, ${SECS} s, $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for who in replica primary nginx; do eval "${who}_rs='' ${who}_ps='' ${who}_reqs=0 ${who}_pt=0 ${who}_rt=0 ${who}_err=''"; done
for k in $(seq 1 "$ROUNDS"); do
  line="  round $k:"
  for who in replica primary nginx; do
    case $who in replica) p=$app1 ;; primary) p=$papp ;; nginx) p=$nport ;; esac
    set -- $(run "$p")
    eval "${who}_reqs=\$((${who}_reqs + $3)) ${who}_pt=\$((${who}_pt + $4)) ${who}_rt=\$((${who}_rt + $5))"
    rs=$1 ps=$2
    shift 5
    round_add "$who" "$rs" "$ps" "$@"
  done
  echo "${line% |}"
done
nr=$(echo $nginx_rs | median) np=$(echo $nginx_ps | median)
for who in replica primary; do
  eval "rs=\$${who}_rs ps=\$${who}_ps reqs=\$${who}_reqs pt=\$${who}_pt rt=\$${who}_rt err=\$${who}_err"
  r=$(echo $rs | median) p=$(echo $ps | median)
  echo "card from the $who ($([ $who = replica ] && echo "--db-read" || echo "no --db-read")), median of $ROUNDS: $r req/s, p99 $p ms${err:+ [$err]}  |  limit: nginx, the same pages as files, $nr req/s, p99 $np ms  |  ratio $(awk "BEGIN {printf \"%.2f\", $r / $nr}")x"
  echo "    (transactions per request: primary $(awk "BEGIN {printf \"%.3f\", $pt / ($reqs ? $reqs : 1)}"), replica $(awk "BEGIN {printf \"%.3f\", $rt / ($reqs ? $reqs : 1)}"))"
done
