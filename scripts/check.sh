#!/bin/sh
# check.sh: the quick check for contributors (`make check`): the unit tests and the API suite once,
# on SQLite, against the normal build, the test files in parallel. About a minute or two; `make
# test` (scripts/test.sh) stays the whole suite (ASan build, PostgreSQL, browser, fuzz).
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$(mktemp -d /tmp/cxzy-check.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
jobs=${CHECK_JOBS:-$(nproc)}
meson test -C "$BUILD" --suite unit --print-errorlogs >"$work/unit.log" 2>&1
unit=$?
tail -n 6 "$work/unit.log"
# files that bound a latency run alone after the others (in parallel they would measure the load)
alone="tests/api/import_concurrency.test.mjs"
rest=$(ls tests/api/*.test.mjs | grep -v -F -x "$alone")
# the default demo district made once; each test file gets a copy (tests/lib.mjs)
demo=$(sh scripts/demo-template.sh "$top/$BUILD/src/cxzy" "$work/demo.db" "$work/demo") || demo=""
env $demo CXZY_BIN="$top/$BUILD/src/cxzy" CXZY_TEST_DIR="$work" CXZY_BACKEND=sqlite \
  node --test --test-concurrency="$jobs" --test-reporter=dot $rest >"$work/api.log" 2>&1
api=$?
env $demo CXZY_BIN="$top/$BUILD/src/cxzy" CXZY_TEST_DIR="$work" CXZY_BACKEND=sqlite \
  node --test --test-reporter=dot $alone >>"$work/api.log" 2>&1 || api=1
tail -n 40 "$work/api.log" | grep -v '^$'
echo "== unit: $([ $unit = 0 ] && echo ok || echo FAILED), api (sqlite): $([ $api = 0 ] && echo ok || echo FAILED)"
[ $unit = 0 ] && [ $api = 0 ]
