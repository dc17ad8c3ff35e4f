#!/bin/sh
# bench/recount_pg: `cxzy recount --round R` on PostgreSQL at a smaller province (MEMBERS members,
# ORGS organisations, BALLOTS ballots made by bench/p3_pg's generator with COPY), beside the limit
# measured in the same run on the same data.
#  1. A throwaway PostgreSQL on PORT (scripts/pg.sh); `cxzy init`; BUILD/bench/gen_p3; a first
#     `cxzy recount --round R --fix` makes the grades and every counter (timed, not compared).
#  2. For each binary (CXZY_BENCH_BEFORE first when it names an older build, then this one): the
#     round's roll-up rows and the tallies deleted (and vacuumed), then `cxzy recount --round R
#     --fix` rebuilds them (wall time and peak RSS), then `cxzy recount --round R` checks (wall time,
#     peak RSS; it must answer 无差异).
#  3. The limit: the ballot aggregate query of the recount alone (its rows sent to the client and
#     dropped: `COPY (query) TO STDOUT`), plus a plain COPY of the same roll-up and tally rows (as
#     the recount stored them) into tables made LIKE them (INCLUDING ALL). Printed: limit / recount
#     --fix (goal >= 0.5x).
# Usage: bench/recount_pg/run.sh BUILD_DIR [MEMBERS] [ORGS] [BALLOTS]   (env: PORT=55620; CXZY_BENCH_BIN
# runs another cxzy as "this one"; CXZY_BENCH_BEFORE an older one beside it)
set -eu
BUILD=${1:-build}
MEMBERS=${2:-500000}
ORGS=${3:-25000}
BALLOTS=${4:-5000000}
PORT=${PORT:-55620}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CXZY_BENCH_BIN:-"$top/$BUILD/src/cxzy"}
gen="$top/$BUILD/bench/gen_p3"
w=$(mktemp -d /tmp/cxzy-bench-recount.XXXXXX)
chmod 755 "$w"
trap 'sh "$top/scripts/pg.sh" stop "$w/pg" >/dev/null 2>&1 || true; rm -rf "$w"' EXIT INT TERM
export CXZY_KEY="$w/cx.key"
url="postgresql://cxzy@127.0.0.1:$PORT/rc"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
sh "$top/scripts/pg.sh" start "$w/pg" "$PORT" > /dev/null
psql -q "postgresql://cxzy@127.0.0.1:$PORT/cxzy" -c 'CREATE DATABASE rc'
echo "cxzy-bench-2026" > "$w/pw"
"$bin" init --db "$url" --root 基准省委 --admin benchoffice --password-file "$w/pw" > /dev/null 2>&1
/usr/bin/time -f "generator: %e s" "$gen" "$url" "$CXZY_KEY" "$MEMBERS" "$ORGS" "$BALLOTS" > "$w/gen.out" 2> "$w/gen.time" \
  || { cat "$w/gen.out" "$w/gen.time"; exit 1; }
round=$(sed -n 's/^round //p' "$w/gen.out")
psql -qAt "$url" -c "VACUUM ANALYZE"
echo "data: $ORGS organisations, $MEMBERS members, $BALLOTS ballots; $(tail -n 1 "$w/gen.time")"

run() { # $1 = label, $2 = the highest exit code that is not a failure, then the command: prints wall time and peak RSS
  label=$1 okrc=$2; shift 2
  rc=0
  /usr/bin/time -f "%e %M" -o "$w/time" "$@" > "$w/step.out" 2>&1 || rc=$?
  [ "$rc" -le "$okrc" ] || { tail -n 20 "$w/step.out"; echo "$label: failed (exit $rc)"; exit 1; }
  set -- $(tail -n 1 "$w/time") # (after "Command exited with non-zero status 1" when it did)
  secs=$1 kb=$2
  printf '%-52s %8.2f s  peak %5d MB  (%s)\n' "$label" "$secs" "$((kb / 1024))" "$(tail -n 1 "$w/step.out")"
}
run "first recount --fix (grades and counters)" 1 "$bin" recount --db "$url" --round "$round" --fix
clear_rollups() {
  psql -qAt "$url" -c "DELETE FROM rollup WHERE round_id = $round" -c "DELETE FROM org_tally"
  psql -qAt "$url" -c "VACUUM ANALYZE rollup, org_tally"
}
measure() { # $1 = label, $2 = binary
  clear_rollups
  run "$1: recount --fix (roll-ups rebuilt)" 1 "$2" recount --db "$url" --round "$round" --fix
  fix_secs=$secs
  run "$1: recount (check)" 0 "$2" recount --db "$url" --round "$round"
  grep -q '^无差异$' "$w/step.out" || { echo "$1: recount found differences after --fix"; exit 1; }
}
if [ -n "${CXZY_BENCH_BEFORE:-}" ]; then
  measure "before" "$CXZY_BENCH_BEFORE"
  before_fix=$fix_secs
fi
measure "this build" "$bin"

# The limit: the ballot aggregate as recount runs it (rollup.c count_raw), its rows sent and dropped
on_post="CASE WHEN ballot.target_kind = 'window' AND EXISTS (SELECT 1 FROM service_window pw WHERE pw.id = ballot.target_id AND pw.kind <> 'window') THEN 1 ELSE 0 END"
agg="SELECT org_id, valid, verified, hold, channel, answers, count(*), $on_post FROM ballot WHERE round_id = $round AND late = 0
  GROUP BY org_id, valid, verified, hold, channel, answers, $on_post"
/usr/bin/time -f "%e" -o "$w/agg.time" sh -c "psql -qAt '$url' -c \"COPY ($agg) TO STDOUT\" | wc -l > '$w/agg.rows'"
agg_secs=$(cat "$w/agg.time")
# a plain COPY of the stored roll-up and tally rows into tables LIKE them
psql -qAt "$url" -c "COPY (SELECT * FROM rollup WHERE round_id = $round) TO STDOUT" > "$w/rollup.txt"
psql -qAt "$url" -c "COPY (SELECT * FROM org_tally) TO STDOUT" > "$w/tally.txt"
psql -qAt "$url" -c "CREATE TABLE r_rollup (LIKE rollup INCLUDING ALL)" -c "CREATE TABLE r_tally (LIKE org_tally INCLUDING ALL)"
/usr/bin/time -f "%e" -o "$w/copy.time" sh -c "psql -qAt '$url' -c '\\copy r_rollup FROM $w/rollup.txt' -c '\\copy r_tally FROM $w/tally.txt'"
copy_secs=$(cat "$w/copy.time")
limit=$(awk "BEGIN {print $agg_secs + $copy_secs}")
printf 'limit: the ballot aggregate alone %s s (%s groups) + COPY of %s roll-up and %s tally rows %s s = %s s\n' "$agg_secs" \
  "$(cat "$w/agg.rows")" "$(wc -l < "$w/rollup.txt")" "$(wc -l < "$w/tally.txt")" "$copy_secs" "$limit"
[ -n "${before_fix:-}" ] && echo "before: limit/recount --fix $(awk "BEGIN {printf \"%.2f\", $limit / $before_fix}")x"
echo "this build: limit/recount --fix $(awk "BEGIN {printf \"%.2f\", $limit / $fix_secs}")x  (goal >= 0.5x)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
