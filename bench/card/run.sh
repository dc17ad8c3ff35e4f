#!/bin/sh
# bench/card: throughput and p99 latency of the public member card (/p/card/:id), beside nginx
# serving the same response bytes as static files in the same run, on a demo database of MEMBERS
# members (default 100,000). Two parts, each ROUNDS rounds (default 3) of SECONDS, the servers
# taking turns so that they meet the same moments of a shared machine; medians are printed with
# the ratio, and each server's RSS (VmRSS; nginx: master and workers) after its last round.
# - one card (member 1's) at 64 and 256 connections: the page cache's hits;
# - random ids over the first CARDS members (default 20,000: QR codes scanned over a district) at
#   256 connections: cxzy as started (its page cache as bounded by PAGE_CACHE, default the serve
#   default), a second cxzy with `--page-cache 0` (every request renders: the miss path on its own),
#   and nginx serving every one of those cards as a file (fetched once from cxzy beforehand).
# Usage: bench/card/run.sh BUILD_DIR [MEMBERS] [SECONDS]
#   env: ROUNDS=3, THREADS (serve --threads), PARTS="one random", CARDS=20000,
#        PAGE_CACHE (serve --page-cache MB), DB_CACHE (serve --db-cache MB), PORT (first of 3 ports)
set -eu
BUILD=${1:-build}
MEMBERS=${2:-100000}
SECS=${3:-10}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-one random}
CARDS=${CARDS:-20000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
. "$top/bench/lib.sh"
w=$(mktemp -d /tmp/cxzy-bench-card.XXXXXX)
chmod 755 "$w"
cport=$(free_ports "${PORT:-$((20000 + $$ % 10000))}" 3); nport=$((cport + 1)) mport=$((cport + 2))
cleanup() {
  for p in cxzy miss nginx; do [ -f "$w/$p.pid" ] && kill "$(cat "$w/$p.pid")" 2>/dev/null; done
  sleep 0.2; rm -rf "$w"
}
trap cleanup EXIT INT TERM

# serve NAME PORT [OPTIONS…]: cxzy serve on the bench's database, pid in $w/NAME.pid
serve() {
  sn=$1 sp=$2; shift 2
  "$bin" serve --db "$w/cx.db" --listen "127.0.0.1:$sp" ${THREADS:+--threads $THREADS} "$@" > "$w/$sn.log" 2>&1 &
  echo $! > "$w/$sn.pid"
  for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/$sn.log" 2>/dev/null && break; sleep 0.1; done
}
# rss NAME: the resident memory of that process in MB (nginx: its master and workers)
rss() {
  pid=$(cat "$w/$1.pid")
  { echo "$pid"; [ "$1" != nginx ] || ps -o pid= --ppid "$pid"; } |
    while read -r q; do awk '/^VmRSS/ {print $2}' "/proc/$q/status"; done | awk '{s += $1} END {printf "%.0f", s / 1024}'
}
"$bin" demo --db "$w/cx.db" --members "$MEMBERS" >/dev/null 2>&1
"$bin" serve --help | grep -q -- --page-cache && new=1 || new=0
opts=""   # a build from before the option had a page cache of 4,096 slots and SQLite's 64 MB a connection
[ "$new" = 0 ] || opts="${PAGE_CACHE:+--page-cache $PAGE_CACHE} ${DB_CACHE:+--db-cache $DB_CACHE}"
serve cxzy "$cport" $opts
url="/p/card/1"   # the demo's first member: a card with pledges and progress entries
curl -sf "http://127.0.0.1:$cport$url" -o "$w/card.html"
mkdir -p "$w/www/p/card" && cp "$w/card.html" "$w/www/p/card/1"
static_nginx "$w" "$nport"
bytes=$(wc -c < "$w/card.html")

run() { # $1 = port, $2 = connections, [$3 = wrk script] → "rps p99ms"
  wrk -t2 -c"$2" -d"${SECS}s" --latency ${3:+-s "$3"} "http://127.0.0.1:$1$url" > "$w/wrk.txt" 2>&1
  rps=$(awk '/^Requests\/sec/ {print $2}' "$w/wrk.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$w/wrk.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$w/wrk.txt" | tr '\n' ' ')
  echo "$rps $p99 $errs"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
last() { echo "$1" | awk '{print $NF}'; }
echo "card: $MEMBERS members, ${SECS} s rounds, $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"

case " $PARTS " in *" one "*)
for c in 64 256; do
  crs=""; cps=""; nrs=""; nps=""; cerr=""
  for k in $(seq 1 "$ROUNDS"); do
    set -- $(run "$cport" "$c"); crs="$crs $1"; cps="$cps $2"; shift 2; cerr="$cerr$*"
    set -- $(run "$nport" "$c"); nrs="$nrs $1"; nps="$nps $2"
    echo "  round $k, $c connections: cxzy $(last "$crs") req/s p99 $(last "$cps") ms | nginx $(last "$nrs") req/s p99 $(last "$nps") ms"
  done
  crps=$(echo "$crs" | median); cp99=$(echo "$cps" | median); nrps=$(echo "$nrs" | median); np99=$(echo "$nps" | median)
  echo "card ($bytes bytes, $MEMBERS members), $c connections, median of $ROUNDS: cxzy $crps req/s, p99 ${cp99} ms ${cerr:+[$cerr]} |  limit: nginx same bytes $nrps req/s, p99 ${np99} ms  |  ratio $(awk "BEGIN {printf \"%.2f\", $crps / $nrps}")x  (target >= 0.6x, p99 <= 10 ms at 256)"
done
echo "  RSS after these rounds: cxzy $(rss cxzy) MB, nginx $(rss nginx) MB"
;; esac

case " $PARTS " in *" random "*)
# the random cards: the first CARDS active members, each card fetched once from cxzy as nginx's file
sqlite3 "$w/cx.db" "SELECT id FROM member WHERE active = 1 ORDER BY id LIMIT $CARDS" > "$w/ids.txt"
n=$(wc -l < "$w/ids.txt")
awk -v b="http://127.0.0.1:$cport" -v d="$w/www/p/card" '{printf "url = \"%s/p/card/%s\"\noutput = \"%s/%s\"\n", b, $1, d, $1}' "$w/ids.txt" > "$w/curl.cfg"
curl -sf -K "$w/curl.cfg"
all=$(find "$w/www/p/card" -type f -exec cat {} + | wc -c)
cat > "$w/random.lua" <<LUA
local ids = {}
function init(args) for l in io.lines("$w/ids.txt") do ids[#ids + 1] = l end; math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000) end
function request() return wrk.format("GET", "/p/card/" .. ids[math.random(#ids)]) end
LUA
if [ "$new" = 1 ]; then serve miss "$mport" --page-cache 0 ${DB_CACHE:+--db-cache "$DB_CACHE"}; who="cxzy miss nginx"; else who="cxzy nginx"; fi
for x in $who; do eval "${x}_rs='' ${x}_ps='' ${x}_err=''"; done
c=256
for k in $(seq 1 "$ROUNDS"); do
  line="  round $k, random ids, $c connections:"
  for x in $who; do
    case $x in cxzy) p=$cport ;; miss) p=$mport ;; nginx) p=$nport ;; esac
    round_add "$x" $(run "$p" "$c" "$w/random.lua")
  done
  echo "${line% |}"
done
nr=$(echo $nginx_rs | median) np=$(echo $nginx_ps | median)
for x in $who; do
  [ "$x" != nginx ] || continue
  eval "rs=\$${x}_rs ps=\$${x}_ps err=\$${x}_err"
  r=$(echo $rs | median) p=$(echo $ps | median)
  label=$([ "$x" = cxzy ] && echo "cxzy${PAGE_CACHE:+ --page-cache $PAGE_CACHE}" || echo "cxzy --page-cache 0 (every card rendered)")
  echo "random card over $n members ($all bytes of cards), $c connections, median of $ROUNDS: $label $r req/s, p99 $p ms, RSS $(rss "$x") MB${err:+ [$err]}  |  limit: nginx, the same pages as files, $nr req/s, p99 $np ms, RSS $(rss nginx) MB  |  ratio $(awk "BEGIN {printf \"%.2f\", $r / $nr}")x$([ "$x" = cxzy ] && echo "  (target >= 0.8x, p99 <= 10 ms)")"
done
;; esac
