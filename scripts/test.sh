#!/bin/sh
# test.sh: the whole suite. Unit tests in the normal and the ASan+UBSan build; the API tests
# against the running ASan+UBSan binary on SQLite and on a real PostgreSQL started here; the browser
# test against the normal build on both backends; every fuzz target over its corpus. Ends with one
# line "N passed, N failed".
#
# Why the API suite runs once per backend, with the sanitizer build only: it is the same code as
# the normal build, checked harder (every read out of bounds, use after free, leak and undefined
# behaviour stops the server and fails the file). A second run with the normal build cost 528 of
# the suite's 1,796 s (docs/BENCHMARKS.md, "Build and test"); what only it could catch is code
# that behaves differently once optimised, which is undefined behaviour, which UBSan reports. The
# normal build, the one that ships, is driven end to end by the browser tests on both backends and
# by `make check` (its API suite on SQLite).
set -u
BUILD=${1:-build}
ASAN=${2:-build-asan}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$(mktemp -d /tmp/cxzy-test.XXXXXX)
chmod 755 "$work"
pass=0
fail=0
failed_parts=""

pgdir="$work/pg"
pgport=$((20000 + $$ % 20000))
cleanup() {
  sh scripts/cluster.sh down "$work/bouncer" >/dev/null 2>&1
  sh scripts/pg.sh stop "$pgdir.replica" >/dev/null 2>&1
  sh scripts/pg.sh stop "$pgdir" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

count_cmocka() { # $1 = log of `meson test -v`; adds cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)."
  ok=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  ko=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  pass=$((pass + ok)); fail=$((fail + ko))
}
count_node() { # $1 = log; node --test's "# pass N" / "# fail N"
  ok=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$1" | tail -n 1)
  ko=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$1" | tail -n 1)
  pass=$((pass + ${ok:-0})); fail=$((fail + ${ko:-0}))
}
last=$(date +%s)
part() { # $1 = name, $2 = rc; with the seconds the part took
  now=$(date +%s); took=$((now - last)); last=$now
  if [ "$2" = 0 ]; then echo "== $1: ok (${took} s)"; else echo "== $1: FAILED (${took} s)"; failed_parts="$failed_parts $1"; fi
}

start=$(date +%s)
for b in "$BUILD" "$ASAN"; do
  log="$work/unit-$b.log"
  ASAN_OPTIONS=detect_leaks=1 meson test -C "$b" --suite unit -v >"$log" 2>&1
  rc=$?
  grep -E '^\[ *(RUN|  OK|FAILED|PASSED)|^ *[0-9]+/[0-9]+ |^(Ok|Fail):|ERROR|Sanitizer' "$log"
  count_cmocka "$log"
  part "unit ($b)" $rc
done

echo "== starting PostgreSQL on 127.0.0.1:$pgport"
pgurl=$(sh scripts/pg.sh start "$pgdir" "$pgport") || { echo "PostgreSQL did not start"; exit 1; }
pgbase=${pgurl%/*}
# a streaming replica of it, for the reads of `cxzy serve --db-read` (tests/api/replica.test.mjs)
replurl=$(sh scripts/pg.sh replica "$pgdir" "$pgdir.replica" $((pgport + 1))) || { echo "the PostgreSQL replica did not start"; exit 1; }
n=0
newdb() { # a fresh database for each run: $1 = sqlite|pg, $2 = a unique number
  n=$2
  if [ "$1" = pg ]; then
    psql -q "$pgurl" -c "CREATE DATABASE t$n" >/dev/null && echo "$pgbase/t$n"
  else
    echo "$work/t$n.db"
  fi
}

# the query-plan test on PostgreSQL too (meson's unit suite above ran it on SQLite)
n=$((n + 1)); db=$(newdb pg $n)
log="$work/plans-pg.log"
CXZY_TEST_DB="$db" "$top/$BUILD/tests/unit/test_plans" >"$log" 2>&1
rc=$?
cat "$log"
count_cmocka "$log"
part "plans (pg)" $rc

# the province-scale generator on PostgreSQL too (meson's unit suite above ran it on SQLite)
log="$work/gen-p3-pg.log"
CXZY_TEST_PG="$pgbase" sh bench/p3_pg/gen_test.sh "$top/$BUILD/src/cxzy" "$top/$BUILD/bench/gen_p3" >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
part "gen_p3 (pg)" $rc

# API files two at a time (each file has its own server and database: tests/lib.mjs freshDb), then
# the files that bound a latency alone (in parallel they would measure the load), as check.sh does.
jobs=${TEST_JOBS:-2}
alone="tests/api/import_concurrency.test.mjs"
rest=$(ls tests/api/*.test.mjs | grep -v -F -x "$alone")
b="$ASAN"
# One PgBouncer in transaction mode in front of the test PostgreSQL (every database under its own
# name): the cluster's instances connect through it (tests/lib.mjs, CXZY_TEST_PGBOUNCER),
# LISTEN/NOTIFY straight to the server.
bport=$((pgport + 20000))
sh scripts/cluster.sh --pg-port "$pgport" --bouncer-port "$bport" bouncer "$work/bouncer" >/dev/null \
  || { echo "PgBouncer did not start"; exit 1; }
bouncer="CXZY_TEST_PGBOUNCER=127.0.0.1:$bport"
# The PostgreSQL run is the cluster's: every server a test file starts is two instances of the
# binary on its database behind an nginx of its own (tests/lib.mjs, CXZY_CLUSTER=1), so the API
# suite passes once through nginx against two instances; the SQLite run stays one process.
for backend in sqlite pg; do
  n=$((n + 1)); tpl=$(newdb $backend $n)
  n=$((n + 1)); db=$(newdb $backend $n)
  log="$work/api-$b-$backend.log"
  cluster=""
  [ $backend = pg ] && cluster="CXZY_CLUSTER=1 $bouncer"
  replica=""; [ "$backend" = pg ] && replica="CXZY_TEST_REPLICA=${replurl%/*}"
  # the default demo district made once for this run; each test file gets a copy (tests/lib.mjs)
  demo=$(ASAN_OPTIONS=detect_leaks=1 sh scripts/demo-template.sh "$top/$b/src/cxzy" "$tpl" "$work/demo$n") || demo=""
  env $demo $cluster $replica CXZY_BIN="$top/$b/src/cxzy" CXZY_TEST_DB="$db" CXZY_TEST_DIR="$work" CXZY_BACKEND=$backend \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    node --test --test-concurrency="$jobs" --test-reporter=tap $rest >"$log" 2>&1
  rc=$?
  env $demo $cluster CXZY_BIN="$top/$b/src/cxzy" CXZY_TEST_DB="$db" CXZY_TEST_DIR="$work" CXZY_BACKEND=$backend \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    node --test --test-reporter=tap $alone >"$log.alone" 2>&1 || rc=1
  cat "$log" "$log.alone"
  count_node "$log"
  count_node "$log.alone"
  part "api ($b, $backend${cluster:+, two instances behind nginx})" $rc
done

for backend in sqlite pg; do
  n=$((n + 1)); tpl=$(newdb $backend $n)
  n=$((n + 1)); db=$(newdb $backend $n)
  log="$work/e2e-$backend.log"
  demo=$(sh scripts/demo-template.sh "$top/$BUILD/src/cxzy" "$tpl" "$work/demo$n") || demo=""
  env $demo CXZY_BIN="$top/$BUILD/src/cxzy" CXZY_TEST_DB="$db" CXZY_TEST_DIR="$work" CXZY_BACKEND=$backend \
    node --test --test-reporter=tap tests/e2e/ >"$log" 2>&1
  rc=$?
  cat "$log"
  count_node "$log"
  part "browser ($backend)" $rc
done

# Every parser's fuzz target for a few seconds over its committed corpus (clang, ASan + UBSan).
log="$work/fuzz.log"
sh scripts/fuzz.sh "${FUZZ_SECONDS:-5}" >"$log" 2>&1
rc=$?
cat "$log"
ok=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -n 1)
ko=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -n 1)
pass=$((pass + ${ok:-0})); fail=$((fail + ${ko:-0}))
part "fuzz" $rc

end=$(date +%s)
echo
echo "make test took $((end - start)) s"
[ -n "$failed_parts" ] && echo "failed parts:$failed_parts"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ -z "$failed_parts" ]
