#!/bin/sh
# bench/p3_pg (P3 at province scale on PostgreSQL): the roll-up dashboard (统计看板) of the
# province root, a city, a district, a town and a branch, on MEMBERS members, ORGS organisations
# and BALLOTS ballots generated with COPY.
#  1. A throwaway PostgreSQL on PORT (scripts/pg.sh); `cxzy init`; BUILD/bench/gen_p3 writes the
#     tree (root → 16 cities → 10 districts each → 12 towns each → branches), the members, one
#     campaign and review round, the ballots, self-reviews, leader charges and commentary, all
#     through db_bulk (COPY), ids reserved with setval.
#  2. `cxzy recount --round R --fix` builds every roll-up counter from those records (timed), then
#     `cxzy recount --round R` checks them (timed; it must answer 无差异), then VACUUM ANALYZE.
#     Prints the rows and the database's size on disk.
#  3. Cold: PostgreSQL restarted (its shared buffers empty; the OS page cache is not dropped: the
#     machine is shared) and a new `cxzy serve`; the first answer of each view.
#  4. Warm: VIEWS requests of each view (page and JSON API) over one kept-alive connection (curl),
#     median and p99, beside the limit measured in the same run: pgbench running VIEWS times the
#     plain SELECT of the same roll-up rows (the organisation, its children and their rollup rows,
#     one connection, prepared), median and p99 from its per-transaction log. Target ≤ 50 ms.
# KEEP=1 keeps the server's data and says where; REUSE=DIR measures again on data kept that way
# (steps 3-4 only, with the current build). CXZY_BENCH_BIN runs another cxzy (an older build, for a
# before/after figure).
# Usage: bench/p3_pg/run.sh BUILD_DIR [MEMBERS] [ORGS] [BALLOTS] [VIEWS]   (env: PORT=55600, the server on PORT+1; KEEP; REUSE)
set -eu
BUILD=${1:-build}
MEMBERS=${2:-5000000}
ORGS=${3:-250000}
BALLOTS=${4:-50000000}
VIEWS=${5:-200}
PORT=${PORT:-55600}
TARGET_MS=50
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CXZY_BENCH_BIN:-"$top/$BUILD/src/cxzy"}
gen="$top/$BUILD/bench/gen_p3"
pgbench=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pgbench
if [ -n "${REUSE:-}" ]; then w=$REUSE; KEEP=1; else w=$(mktemp -d /tmp/cxzy-bench-p3.XXXXXX); fi
chmod 755 "$w"
hport=$((PORT + 1))
export CXZY_KEY="$w/cx.key"
cleanup() {
  [ -f "$w/cxzy.pid" ] && kill "$(cat "$w/cxzy.pid")" 2>/dev/null && rm -f "$w/cxzy.pid"
  if [ "${KEEP:-0}" = 1 ]; then
    sh "$top/scripts/pg.sh" halt "$w/pg" >/dev/null 2>&1 || true
    echo "data kept: $w (REUSE=$w sh bench/p3_pg/run.sh $BUILD …; remove with: sh scripts/pg.sh stop $w/pg; rm -rf $w)"
  else
    sh "$top/scripts/pg.sh" stop "$w/pg" >/dev/null 2>&1 || true
    rm -rf "$w"
  fi
}
trap cleanup EXIT INT TERM
url="postgresql://cxzy@127.0.0.1:$PORT/p3"
step() { # $1 = label, $2 = the highest exit code that is not a failure, then the command: runs it, prints its wall time
  label=$1 okrc=$2; shift 2
  rc=0
  /usr/bin/time -f "%e" -o "$w/time" "$@" > "$w/step.out" 2>&1 || rc=$?
  [ "$rc" -le "$okrc" ] || { tail -n 20 "$w/step.out"; echo "$label: failed"; exit 1; }
  echo "$label: $(tail -n 1 "$w/time") s"
}

if [ -z "${REUSE:-}" ]; then
  echo "disk before: $(df -h /tmp | awk 'NR == 2 {print $4 " free on " $6}')"
  sh "$top/scripts/pg.sh" start "$w/pg" "$PORT" > /dev/null
  psql -q "postgresql://cxzy@127.0.0.1:$PORT/cxzy" -c 'CREATE DATABASE p3'
  echo "cxzy-bench-2026" > "$w/pw"
  "$bin" init --db "$url" --root 基准省委 --admin benchoffice --password-file "$w/pw" > /dev/null 2>&1
  /usr/bin/time -f "generator: %e s wall, %M KB peak memory" "$gen" "$url" "$CXZY_KEY" "$MEMBERS" "$ORGS" "$BALLOTS" | tee "$w/gen.out"
  round=$(sed -n 's/^round //p' "$w/gen.out")
  echo "$round" > "$w/round"
  # exit code 1: differences found (every counter, at first) and fixed
  step "cxzy recount --round $round --fix (builds the roll-up counters)" 1 "$bin" recount --db "$url" --round "$round" --fix
  tail -n 1 "$w/step.out"
  step "cxzy recount --round $round (check)" 0 "$bin" recount --db "$url" --round "$round"
  tail -n 1 "$w/step.out"
  grep -q '^无差异$' "$w/step.out" || { echo "recount found differences after --fix"; exit 1; }
  step "VACUUM ANALYZE" 0 psql -q "$url" -c 'VACUUM ANALYZE'
else
  sh "$top/scripts/pg.sh" resume "$w/pg" "$PORT" > /dev/null 2>&1 || true
  round=$(cat "$w/round")
fi
psql -qAt "$url" -c "SELECT 'rows: ' || (SELECT count(*) FROM org) || ' organisations, ' || (SELECT count(*) FROM member) || ' members, '
  || (SELECT count(*) FROM ballot) || ' ballots, ' || (SELECT count(*) FROM review) || ' reviews, ' || (SELECT count(*) FROM rollup)
  || ' rollup rows; database ' || pg_size_pretty(pg_database_size('p3')) || ' (ballot table with indexes '
  || pg_size_pretty(pg_total_relation_size('ballot') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
       WHERE inhparent = 'ballot'::regclass), 0)::bigint) || ', its partitions included)'"
echo "data directory: $(du -sh "$w/pg/data" | cut -f1)"

# cold: PostgreSQL restarted, a new server
sh "$top/scripts/pg.sh" halt "$w/pg"
sh "$top/scripts/pg.sh" resume "$w/pg" "$PORT"
"$bin" serve --db "$url" --listen "127.0.0.1:$hport" ${THREADS:+--threads $THREADS} > "$w/serve.log" 2>&1 &
echo $! > "$w/cxzy.pid"
for i in $(seq 1 100); do grep -q "cxzy 已启动" "$w/serve.log" && break; sleep 0.1; done
base="http://127.0.0.1:$hport"
curl -sf -c "$w/jar" -H 'Content-Type: application/json' -d "{\"username\":\"benchoffice\",\"password\":\"$(cat "$w/pw")\"}" \
  "$base/api/v1/session" > /dev/null

# the views: the first organisation at each depth (ids from the generator's layout)
orgs=$(psql -qAt "$url" -c 'SELECT min(id) FROM org GROUP BY depth ORDER BY depth' | tr '\n' ' ')
label() { case $1 in 0) echo "province";; 1) echo "city";; 2) echo "district";; 3) echo "town";; *) echo "branch";; esac; }

# every ballot counted once at the root
total=$(curl -sf -b "$w/jar" "$base/api/v1/orgs/1/dashboard" | sed -n 's/.*"total":{[^}]*"ballots_valid":\([0-9]*\),"ballots_invalid":\([0-9]*\).*/\1 \2/p')
set -- $total
stored=$(psql -qAt "$url" -c 'SELECT count(*) FROM ballot')
echo "root dashboard: ${1:-?} valid + ${2:-?} invalid ballots = $(( ${1:-0} + ${2:-0} )) (in the ballot table: $stored)"
[ "$(( ${1:-0} + ${2:-0} ))" = "$stored" ] || { echo "the dashboard's ballot count is wrong"; exit 1; }

depth=0
for org in $orgs; do
  curl -s -b "$w/jar" -o /dev/null -w '%{http_code} %{time_total}\n' "$base/orgs/$org/dashboard" > "$w/cold"
  read -r code secs < "$w/cold"
  printf '%-34s %8.2f ms (first answer after the restarts, HTTP %s)\n' "cold page $(label $depth) ($org)" "$(awk "BEGIN {print $secs * 1000}")" "$code"
  depth=$((depth + 1))
done

. "$top/bench/lib.sh"
views() { timed_gets "$1" "$base$2" "$VIEWS" "$w/jar" "$w" "$TARGET_MS" || exit 1; } # $1 = label, $2 = path
limit() { # $1 = label, $2 = org id: pgbench runs the plain roll-up SELECT VIEWS times
  cat > "$w/limit.sql" <<EOF
SELECT o.id, o.name, u.* FROM org o LEFT JOIN rollup u ON u.round_id = $round AND u.org_id = o.id WHERE o.id = $2 OR (o.parent_id = $2 AND o.active = 1) ORDER BY o.name;
EOF
  rm -f "$w"/pgbench_log.*
  (cd "$w" && "$pgbench" -n -M prepared -c 1 -t "$VIEWS" -f limit.sql -l --log-prefix=pgbench_log "$url" > /dev/null 2>&1) \
    || { echo "$1: pgbench failed"; exit 1; }
  awk '{print $3 / 1000}' "$w"/pgbench_log.* | ms_stats "$1" "$TARGET_MS"
}
depth=0
for org in $orgs; do
  n=$(psql -qAt "$url" -c "SELECT count(*) FROM org WHERE parent_id = $org")
  what="$(label $depth) ($n children)"
  views "page $what" "/orgs/$org/dashboard"
  views "API  $what" "/api/v1/orgs/$org/dashboard"
  limit "limit: SELECT of its rollup rows" "$org"
  depth=$((depth + 1))
done
