#!/bin/sh
# fuzz.sh: builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan, in build-fuzz)
# and runs each for SECONDS over a scratch copy of its committed corpus (tests/fuzz/corpus/NAME,
# left unchanged). `make fuzz` runs them for a minute each; `make test` for a few seconds each.
# A crash leaves its input in build-fuzz/crash-* and makes this script exit 1: add that input to
# the corpus as a regression seed once the bug is fixed. Ends with "N passed, N failed".
set -u
SECONDS_EACH=${1:-60}
B=${2:-build-fuzz}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ ! -f "$B/build.ninja" ]; then
  CC=clang meson setup "$B" --buildtype=debugoptimized -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >"$B.setup.log" 2>&1 || { cat "$B.setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
targets="text tabfile tmpl form json http bank" # bank: the question bank parser (issue 18)
# the request targets (form, json, http) make their demo database with this build's cxzy
ninja -C "$B" src/cxzy $(for t in $targets; do printf 'tests/fuzz/fuzz_%s ' "$t"; done) >"$B.build.log" 2>&1 ||
  { tail -30 "$B.build.log"; echo "0 passed, 1 failed"; exit 1; }
pass=0
fail=0
for t in $targets; do
  work=$(mktemp -d /tmp/cxzy-fuzz-$t.XXXXXX)
  cp tests/fuzz/corpus/$t/* "$work/"
  if (cd "$B" && ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz_$t -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$work" >"fuzz_$t.log" 2>&1); then
    echo "ok fuzz_$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/fuzz_$t.log" | grep -o '[0-9]*$') runs in $SECONDS_EACH s, no crash"
    pass=$((pass + 1))
  else
    echo "not ok fuzz_$t: see $B/fuzz_$t.log"
    tail -40 "$B/fuzz_$t.log"
    fail=$((fail + 1))
  fi
  rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
