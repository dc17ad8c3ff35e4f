#!/bin/sh
# bench/cluster_ballots (issue 20): durable ballots per second over HTTP across two `cxzy serve`
# instances on one PostgreSQL, beside the limit measured on the same PostgreSQL in the same run:
# pgbench's durable one-row inserts into a table shaped like ballot (LIKE ballot INCLUDING ALL: its
# columns, checks and indexes) at the same number of clients.
# The cluster is scripts/cluster.sh's (primary, streaming replica, PgBouncer in transaction mode, two
# instances, nginx), started in a temporary directory with PostgreSQL's durable defaults (fsync on,
# synchronous_commit on, CXZY_PG_DURABLE=1) and the instances' ballot limits and burst checks off.
# The load is the one bench/ballots uses: wrk on 127.0.0.1, every request with its own server-signed
# device token (ballot_bench tokens), so every ballot is valid and answered only once its group
# commit is on disk. Four phases of SECONDS each, one after the other:
#   1. through nginx, CLIENTS connections;
#   2. straight to the two instances, CLIENTS/2 connections each, at the same time;
#   3. one instance alone, CLIENTS connections;
#   4. pgbench -c CLIENTS on the primary (-M prepared, one INSERT a transaction).
# p50/p99 of the split phase merge both wrk processes' latency quantiles (per mille, by requests).
# Then the ballots stored, the writer's batch sizes (/metrics), the commits and WAL fsyncs per
# ballot (pg_stat_database, pg_stat_wal) and the CPU time a ballot of the primary's backends (the
# requests' through PgBouncer apart from the ballot writers' own), the instances, PgBouncer and
# nginx (/proc) are printed as evidence of where the time goes.
# Usage: bench/cluster_ballots/run.sh BUILD_DIR [CLIENTS] [SECONDS]
#   env: PG_PORT=55591 (the replica PG_PORT+1, PgBouncer PG_PORT+2), DB_POOL=8 (cluster.sh's),
#        THREADS=CLIENTS (server threads per instance), TOKENS=800000,
#        PERF=DIR: during the first phase, `perf record -g` of the first instance and of its ballot
#        writer's backend into DIR/app.data and DIR/writer.data (read with `perf report -i`)
set -eu
BUILD=${1:-build}
CLIENTS=${2:-64}
SECS=${3:-20}
THREADS=${THREADS:-$CLIENTS}
PG_PORT=${PG_PORT:-55591}
DB_POOL=${DB_POOL:-8}
TOKENS=${TOKENS:-800000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
inproc="$top/$BUILD/bench/ballot_bench"
. "$top/bench/lib.sh"
cluster_setup cluster-ballots $((30000 + $$ % 5000)) 3
cleanup() { cluster down >/dev/null 2>&1 || true; rm -rf "$w"; }
trap cleanup EXIT INT TERM
primary="postgresql://cxzy@127.0.0.1:$PG_PORT/cxzy"

CXZY_PG_DURABLE=1 CXZY_BIN="$bin" CXZY_CLUSTER_DEMO_ARGS="--members 1000" \
  CXZY_CLUSTER_SERVE_ARGS="--threads $THREADS --ballot-limit 0 --burst-target 0 --burst-net 0" cluster --db-pool "$DB_POOL" up >"$w/up.log" 2>&1 ||
  { cat "$w/up.log" >&2; exit 1; }
psql -X -q -t -A "$primary" -c "SHOW fsync; SHOW synchronous_commit" | tr '\n' ' ' | grep -q '^on on ' ||
  { echo "cluster_ballots: PostgreSQL is not durable (fsync, synchronous_commit)" >&2; exit 1; }

# the office opens a round over the district (inside the demo campaign's period), through nginx
base="http://127.0.0.1:$port"
open_round "$base" "$w"
target=1
"$inproc" tokens "$c/cxzy.key" "$TOKENS" >"$w/tokens.txt"
chunk=$((TOKENS / 4)) # each wrk process its own quarter: a token used twice is a 409 (shown as Non-2xx)
for p in "$app1" "$app2"; do # one ballot each, so both instances have their statements and pools warm
  dev=$(curl -sf "http://127.0.0.1:$p/api/v1/public/rating?target_kind=member&target_id=$target" | sed 's/.*"device":"\([0-9a-f.]*\)".*/\1/')
  curl -sf -H 'Content-Type: application/json' -d "{\"target_kind\":\"member\",\"target_id\":$target,\"answers\":\"111\",\"device\":\"$dev\"}" \
    "http://127.0.0.1:$p/api/v1/public/ballots" >/dev/null
done

# load NAME PORT CONNECTIONS OFFSET: runs wrk (in the foreground)
load() {
  ballot_lua "$w/$1.lua" "$w/tokens.txt" "$target" "$4" "$w/$1.q"
  wrk -t2 -c"$3" -d"${SECS}s" -s "$w/$1.lua" "http://127.0.0.1:$2" >"$w/$1.txt" 2>&1
}
# rate NAME…: ballots/s over the wrk processes NAME… (run side by side); figures NAME…: the line
rate() { for n in "$@"; do awk '/^Requests\/sec/ {print $2}' "$w/$n.txt"; done | awk '{s += $1} END {printf "%.0f", s}'; }
figures() {
  errs=""
  for n in "$@"; do errs="$errs$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$w/$n.txt")"; done
  # every quantile stands for requests/1000 requests of its process: merge, sort, read p50 and p99
  pq=$(for n in "$@"; do awk 'NR == 1 {r = $2 / 1000; next} {print $1, r}' "$w/$n.q"; done | sort -g |
    awk '{v[NR] = $1; c[NR] = $2; t += $2} END {for (i = 1; i <= NR; i++) {s += c[i]; if (!a && s >= t * 0.5) a = v[i]; if (!b && s >= t * 0.99) b = v[i]}
      printf "p50 %.1f ms, p99 %.1f ms", a / 1000, b / 1000}')
  echo "$(rate "$@") ballots/s, $pq${errs:+ [$errs]}"
}
# snap: transactions committed in the database, WAL fsyncs, valid ballots; the writers' batches and ballots in them
snap() {
  psql -X -q -t -A "$primary" -c "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = 'cxzy'), (SELECT wal_sync FROM pg_stat_wal), (SELECT count(*) FROM ballot WHERE valid = 1)" | tr '|\n' '  '
  for p in "$app1" "$app2"; do
    curl -sf "http://127.0.0.1:$p/metrics" | awk '$1 == "cxzy_ballot_batch_size_sum" {s = $2} $1 == "cxzy_ballot_batch_size_count" {n = $2} END {printf " %d %d", s, n}'
  done
  echo
}
# cpu FILE: CPU ticks (/proc: user + system) of the cluster's processes now, "pid role ticks": the
# primary's backends by application_name (pg-requests: the pools' connections through PgBouncer,
# pg-writers: the ballot writers' own connections, pg-other), the instances, PgBouncer, nginx
cpu() {
  { psql -X -q -t -A -F' ' "$primary" -c "SELECT pid, application_name FROM pg_stat_activity WHERE backend_type = 'client backend'" |
      awk '{r = "other"; if ($0 ~ / cxzy serve ballot writer$/) r = "writers"; else if ($0 ~ / cxzy serve$/) r = "requests"; print $1, "pg-" r}'
    for x in app1 app2; do echo "$(head -n 1 "$c/$x.pid") cxzy"; done
    echo "$(head -n 1 "$c/pgbouncer.pid") pgbouncer"
    m=$(head -n 1 "$c/nginx.pid")
    for p in $m $(pgrep -P "$m"); do echo "$p nginx"; done
  } | while read -r pid role; do
    [ -r "/proc/$pid/stat" ] && echo "$pid $role $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')"
  done >"$1"
}
# cpu_per BEFORE_FILE N: CPU milliseconds a ballot since cpu BEFORE_FILE, by role, over N ballots
# (a process started since counts whole; one that ended is missed)
cpu_per() {
  cpu "$w/cpu.now"
  awk -v n="$2" -v hz="$(getconf CLK_TCK)" 'NR == FNR {a[$1] = $3; next} {s[$2] += $3 - ($1 in a ? a[$1] : 0)}
    END {if (n < 1) n = 1; for (r in s) s[r] = s[r] * 1000 / hz / n
      printf "CPU a ballot: PostgreSQL %.2f ms for the requests, %.2f ms for the writers, %.2f ms other; the instances %.2f ms; PgBouncer %.2f ms; nginx %.2f ms",
        s["pg-requests"], s["pg-writers"], s["pg-other"], s["cxzy"], s["pgbouncer"], s["nginx"]}' "$1" "$w/cpu.now"
}
# stored BEFORE: valid ballots stored since snap BEFORE
stored() { echo "$1 $(snap)" | awk '{print $10 - $3}'; }
# evidence BEFORE: what the phase since BEFORE cost the primary and the writers, per valid ballot stored
evidence() {
  echo "$1 $(snap)" | awk 'function per(s, n) {return n > 0 ? sprintf("%.1f", s / n) : "-"}
    {n = $10 - $3; if (n < 1) n = 1
     printf "%d valid ballots stored; per ballot on the primary %.2f transactions (reads included), %.2f WAL fsyncs; ballots a writer batch: %s and %s",
       n, ($8 - $1) / n, ($9 - $2) / n, per($11 - $4, $12 - $5), per($13 - $6, $14 - $7)}'
}

echo "cluster_ballots: $CLIENTS clients, $SECS s each, $THREADS server threads and --db-pool $DB_POOL per instance, PostgreSQL fsync on, synchronous_commit on; load average $(cut -d' ' -f1-3 /proc/loadavg)"
b=$(snap); cpu "$w/cpu0"
if [ -n "${PERF:-}" ]; then
  mkdir -p "$PERF"
  wpid=$(psql -X -q -t -A "$primary" -c "SELECT pid FROM pg_stat_activity WHERE application_name LIKE '%cxzy serve ballot writer' LIMIT 1")
  perf record -q -g -o "$PERF/app.data" -p "$(head -n 1 "$c/app1.pid")" -- sleep "$SECS" >/dev/null 2>&1 &
  perf record -q -g -o "$PERF/writer.data" -p "$wpid" -- sleep "$SECS" >/dev/null 2>&1 &
fi
load nginx "$port" "$CLIENTS" 0
wait
echo "  two instances through nginx:          $(figures nginx)"
echo "    ($(evidence "$b"))"
echo "    ($(cpu_per "$w/cpu0" "$(stored "$b")"))"
b=$(snap); cpu "$w/cpu0"
load split1 "$app1" $((CLIENTS / 2)) "$chunk" &
s1=$!
load split2 "$app2" $((CLIENTS - CLIENTS / 2)) $((2 * chunk))
wait "$s1"
echo "  two instances, half the clients each: $(figures split1 split2)"
echo "    ($(evidence "$b"))"
echo "    ($(cpu_per "$w/cpu0" "$(stored "$b")"))"
b=$(snap); cpu "$w/cpu0"; load single "$app1" "$CLIENTS" $((3 * chunk))
echo "  one instance alone:                   $(figures single)"
echo "    ($(evidence "$b"))"
echo "    ($(cpu_per "$w/cpu0" "$(stored "$b")"))"
vn=$(rate nginx) vs=$(rate split1 split2) v1=$(rate single)

# the limit: pgbench's durable one-row inserts into a table shaped like ballot, same clients
psql -X -q "$primary" -c "CREATE SCHEMA bench; CREATE TABLE bench.ballot (LIKE public.ballot INCLUDING ALL)"
rid=$(psql -X -q -t -A "$primary" -c "SELECT max(id) FROM review_round")
cat >"$w/insert.sql" <<SQL
INSERT INTO bench.ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, comment, reason, valid, invalid_reason, rater_key, day, late, verified)
VALUES ($rid, 'member', $target, 1, 'web', 'party3', '111', '', '', 1, '', decode(md5(random()::text) || md5(random()::text), 'hex'), to_char(now(), 'YYYY-MM-DD'), 0, 0);
SQL
b=$(snap)
(cd "$w" && pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECS" -l --log-prefix=pgb -f insert.sql "$primary" >"$w/pgbench.txt" 2>&1)
tps=$(awk '/^tps/ {printf "%.0f", $3}' "$w/pgbench.txt")
cat "$w"/pgb.* | awk '{print $3}' | sort -g |
  awk '{v[NR] = $1} END {a = int(NR * 0.5); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.1f %.1f", v[a] / 1000, v[b] / 1000}' >"$w/pq"
set -- $(cat "$w/pq")
rows=$(psql -X -q -t -A "$primary" -c "SELECT count(*) FROM bench.ballot")
fsyncs=$(echo "$b $(snap)" | awk '{print $9 - $2}')
echo "  limit: pgbench, $CLIENTS clients, durable one-row INSERTs into a table LIKE ballot: $tps inserts/s, p50 $1 ms, p99 $2 ms"
echo "    ($rows rows; per row on the primary $(awk "BEGIN {printf \"%.2f\", $fsyncs / ($rows ? $rows : 1)}") WAL fsyncs)"
echo "  ratio to the limit: through nginx $(awk "BEGIN {printf \"%.2f\", $vn / $tps}")x, split $(awk "BEGIN {printf \"%.2f\", $vs / $tps}")x, one instance $(awk "BEGIN {printf \"%.2f\", $v1 / $tps}")x  (goal >= 0.5x)"
