#!/bin/sh
# bench/card: throughput and p99 latency of the public member card (/p/card/:id) at 64 and 256
# connections (wrk, 127.0.0.1, SECONDS each, ROUNDS times), beside nginx serving the same response bytes as a static
# file in the same run, on a demo database of 100,000 members. Prints the ratio.
# Usage: bench/card/run.sh BUILD_DIR [MEMBERS] [SECONDS]
set -eu
BUILD=${1:-build}
MEMBERS=${2:-100000}
SECS=${3:-10}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
w=$(mktemp -d /tmp/cxzy-bench-card.XXXXXX)
chmod 755 "$w"
cport=$((20000 + $$ % 10000)); nport=$((cport + 1))
cleanup() {
  [ -f "$w/cxzy.pid" ] && kill "$(cat "$w/cxzy.pid")" 2>/dev/null
  [ -f "$w/nginx.pid" ] && kill "$(cat "$w/nginx.pid")" 2>/dev/null
  sleep 0.2; rm -rf "$w"
}
trap cleanup EXIT INT TERM

"$bin" demo --db "$w/cx.db" --members "$MEMBERS" >/dev/null
"$bin" serve --db "$w/cx.db" --listen "127.0.0.1:$cport" ${THREADS:+--threads $THREADS} > "$w/serve.log" 2>&1 &
echo $! > "$w/cxzy.pid"
for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/serve.log" && break; sleep 0.1; done
url="/p/card/1"   # the demo's first member: a card with pledges and progress entries
curl -sf "http://127.0.0.1:$cport$url" -o "$w/card.html"
mkdir -p "$w/www/p/card" && cp "$w/card.html" "$w/www/p/card/1"
. "$top/bench/lib.sh"
static_nginx "$w" "$nport"
bytes=$(wc -c < "$w/card.html")

run() { # $1 = port, $2 = connections → "rps p99ms"
  wrk -t2 -c"$2" -d"${SECS}s" --latency "http://127.0.0.1:$1$url" > "$w/wrk.txt" 2>&1
  rps=$(awk '/^Requests\/sec/ {print $2}' "$w/wrk.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$w/wrk.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$w/wrk.txt" | tr '\n' ' ')
  echo "$rps $p99 $errs"
}
# ROUNDS rounds (default 3) at each connection count, cxzy and nginx taking turns, so that both
# meet the same moments of a shared machine; the figures printed are the medians of the rounds.
ROUNDS=${ROUNDS:-3}
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for c in 64 256; do
  crs=""; cps=""; nrs=""; nps=""; cerr=""
  for k in $(seq 1 "$ROUNDS"); do
    set -- $(run "$cport" "$c"); crs="$crs $1"; cps="$cps $2"; shift 2; cerr="$cerr$*"
    set -- $(run "$nport" "$c"); nrs="$nrs $1"; nps="$nps $2"
    echo "  round $k, $c connections: cxzy $(echo $crs | awk '{print $NF}') req/s p99 $(echo $cps | awk '{print $NF}') ms | nginx $(echo $nrs | awk '{print $NF}') req/s p99 $(echo $nps | awk '{print $NF}') ms"
  done
  crps=$(echo "$crs" | median); cp99=$(echo "$cps" | median); nrps=$(echo "$nrs" | median); np99=$(echo "$nps" | median)
  echo "card ($bytes bytes, $MEMBERS members), $c connections, median of $ROUNDS: cxzy $crps req/s, p99 ${cp99} ms ${cerr:+[$cerr]} |  limit: nginx same bytes $nrps req/s, p99 ${np99} ms  |  ratio $(awk "BEGIN {printf \"%.2f\", $crps / $nrps}")x  (target >= 0.6x, p99 <= 10 ms at 256)"
done
