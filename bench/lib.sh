# bench/lib.sh: shell functions shared by the benchmarks (sourced).

# open_round BASE DIR: the demo's office logs in (cookie jar in DIR) and opens a review round over
# the district inside the demo campaign's period, so that public ballots are accepted
open_round() {
  csrf=$(curl -sf -c "$2/jar" -H 'Content-Type: application/json' -d '{"username":"office","password":"cxzy-demo-2026"}' "$1/api/v1/session" |
    sed 's/.*"csrf":"\([0-9a-f]*\)".*/\1/')
  camp=$(curl -sf -b "$2/jar" "$1/api/v1/orgs/1/campaigns")
  cid=$(echo "$camp" | sed 's/.*"campaigns":\[{"id":\([0-9]*\).*/\1/')
  sd=$(echo "$camp" | sed 's/.*"start_date":"\([0-9-]*\)".*/\1/')
  ed=$(echo "$camp" | sed 's/.*"end_date":"\([0-9-]*\)".*/\1/')
  curl -sf -b "$2/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d "{\"campaign_id\":$cid,\"name\":\"基准测试轮次\",\"start_date\":\"$sd\",\"end_date\":\"$ed\",\"questions\":\"party3\"}" "$1/api/v1/orgs/1/rounds" >/dev/null
}

# ballot_lua FILE TOKENS TARGET [OFFSET [QUANTILES]]: a wrk script POSTing public ballots for member
# TARGET, each with its own device token from the file TOKENS (one a line, made by
# `ballot_bench tokens`), from line OFFSET on (wrk's 2 threads: odd lines for the first, even for
# the second); with QUANTILES, the run's latency quantiles (per mille, µs) go to that file after a
# line "requests N", so that several wrk processes can be merged
ballot_lua() {
  cat >"$1" <<LUA
local n = 0
local ids = 0
local tokens = {}
function setup(thread) ids = ids + 1; thread:set("tid", ids) end
function init(args) for line in io.lines("$2") do tokens[#tokens + 1] = line end end
function request()
  n = n + 1
  local body = string.format('{"target_kind":"member","target_id":$3,"answers":"111","device":"%s"}', tokens[(${4:-0} + 2 * (n - 1) + tid - 1) % #tokens + 1])
  return wrk.format("POST", "/api/v1/public/ballots", {["Content-Type"] = "application/json"}, body)
end
LUA
  [ -z "${5:-}" ] || cat >>"$1" <<LUA
function done(summary, latency, requests)
  local f = io.open("$5", "w")
  f:write(string.format("requests %d\n", summary.requests))
  for i = 1, 1000 do f:write(string.format("%d\n", latency:percentile(i / 10))) end
  f:close()
end
LUA
}

# free_ports FROM N: the first port P >= FROM such that P … P+N-1 are not listened on (127.0.0.1)
free_ports() {
  p=$1
  while ss -Htln | awk -v a="$p" -v n="$2" '{k = split($4, x, ":"); q = x[k] + 0; if (q >= a && q < a + n) f = 1} END {exit !f}'; do
    p=$((p + $2))
  done
  echo "$p"
}

# cluster ARGS…: scripts/cluster.sh on the bench's ports ($port for nginx, $app1 and $app2 for the
# instances, $PG_PORT and the two after it for the primary, the replica and PgBouncer) in $c
cluster() {
  sh "$top/scripts/cluster.sh" --port "$port" --app-ports "$app1,$app2" --pg-port "$PG_PORT" \
    --replica-port $((PG_PORT + 1)) --bouncer-port $((PG_PORT + 2)) "$@" "$c"
}

# static_nginx DIR PORT: nginx serving DIR/www as static files on 127.0.0.1:PORT (pid in DIR/nginx.pid)
static_nginx() {
  cat >"$1/nginx.conf" <<NGINX
worker_processes 2;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type "text/html; charset=utf-8";
  server { listen 127.0.0.1:$2; root $1/www; }
}
NGINX
  nginx -c "$1/nginx.conf" -p "$1"
  for i in $(seq 1 50); do [ -s "$1/nginx.pid" ] && break; sleep 0.1; done
}

# cluster_setup NAME FROM N: a temporary directory $w (/tmp/cxzy-bench-NAME.*) with the cluster in
# $c, and N free ports from about FROM: $port (nginx), $app1 and $app2 (the instances), and more after
cluster_setup() {
  w=$(mktemp -d "/tmp/cxzy-bench-$1.XXXXXX")
  chmod 755 "$w"
  c="$w/cluster"
  port=$(free_ports "$2" "$3")
  app1=$((port + 1)) app2=$((port + 2))
}

# ms_stats LABEL TARGET_MS: stdin holds one figure in ms a line; prints their median and p99
# beside the target ("met" when the p99 is within it)
ms_stats() {
  sort -n | awk -v label="$1" -v target="$2" '
    { v[NR] = $1 }
    END {
      med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      p = int(NR * 0.99 + 0.999999); if (p > NR) p = NR
      printf "%-34s median %7.2f ms   p99 %7.2f ms   (%d; target <= %d ms: %s)\n", label, med, v[p], NR, target, (v[p] <= target ? "met" : "NOT met")
    }'
}

# timed_gets LABEL URL N JAR DIR TARGET_MS: N GETs of URL over one kept-alive connection (curl
# with the cookie jar JAR; scratch files in DIR), their median and p99 by ms_stats; fails unless
# every answer is 200
timed_gets() {
  : > "$5/urls"
  i=0
  while [ $i -lt "$3" ]; do printf 'url = "%s"\noutput = /dev/null\n' "$2" >> "$5/urls"; i=$((i + 1)); done
  curl -s -b "$4" -K "$5/urls" -w '%{http_code} %{time_total}\n' > "$5/times"
  bad=$(awk '$1 != 200' "$5/times" | wc -l)
  [ "$bad" = 0 ] || { echo "$1: $bad answers were not 200"; return 1; }
  awk '{print $2 * 1000}' "$5/times" | ms_stats "$1" "$6"
}

# round_add WHO RPS P99 [ERRORS…]: one server's figures of a round appended to ${WHO}_rs and
# ${WHO}_ps (the errors wrk reported to ${WHO}_err) and to the round's $line
round_add() {
  eval "${1}_rs=\"\$${1}_rs $2\" ${1}_ps=\"\$${1}_ps $3\""
  line="$line $1 $2 req/s p99 $3 ms |"
  ra=$1
  shift 3
  [ $# = 0 ] || eval "${ra}_err=\"\$${ra}_err$*\""
}
