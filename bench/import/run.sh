#!/bin/sh
# bench/import: import a 1,000,000-row roster CSV with `cxzy import` (wall time, peak memory)
# beside the limit measured in the same run: the sqlite3 shell's .import of the same CSV into a
# table with the same columns and the same kinds of index (no validation, no encryption).
# ROUNDS rounds (default 3), the two taking turns (which one goes first alternates from round to
# round, so neither always runs on the other's warm page cache); every round is printed with its
# ratio, then the medians of the times and of the rounds' ratios beside the goal (<= 1.2x,
# <= 256 MB), and the load average before and after. On a shared machine the ratio of one round
# (two runs a few seconds apart) says more than the ratio of the medians, and the processor time
# (user + system, printed as cpu) more than either: it does not count the waits for other work.
# BEFORE=/path/to/an/older/cxzy adds that binary to every round (before and after in one run).
# KEEP=DIR keeps the CSV and the organisation tree in DIR and uses them again on the next run with
# the same DIR (the tree of a 1,000,000-member district takes minutes to make).
# Usage: bench/import/run.sh BUILD_DIR [ROWS [ROUNDS]]
set -eu
BUILD=${1:-build}
ROWS=${2:-1000000}
ROUNDS=${3:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
gen="$top/$BUILD/bench/gen_roster"
if [ -n "${KEEP:-}" ]; then
  w=$KEEP
  mkdir -p "$w"
  trap 'rm -f "$w"/cx.db* "$w"/raw.db*' EXIT
else
  w=$(mktemp -d /tmp/cxzy-bench-import.XXXXXX)
  trap 'rm -rf "$w"' EXIT
fi
load0=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$(cat "$w/made" 2>/dev/null)" != "$ROWS" ]; then
  rm -f "$w/made" "$w"/base.db*
  "$gen" "$ROWS" 2010 > "$w/roster.csv"
  "$bin" demo --db "$w/base.db" --members "$ROWS" --orgs-only >/dev/null 2>&1
  echo "$ROWS" > "$w/made"
fi
size=$(du -m "$w/roster.csv" | cut -f1)

# The limit: raw SQLite import of the same rows (WAL, one transaction, unique index on the id
# column and an index on (org, name) as cxzy keeps).
cat > "$w/raw.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE r (name, sex, ethnicity, birth_date, idcard, phone, joined_date, full_date, education, post, duties, status, org);
CREATE UNIQUE INDEX r_id ON r(idcard);
CREATE INDEX r_org ON r(org, name);
.mode csv
.import --skip 1 $w/roster.csv r
SQL

# cxzy_round NAME BINARY: one import into a fresh copy of the organisation tree; appends
# "seconds kilobytes cpu-seconds" to $w/NAME
cxzy_round() {
  rm -f "$w/cx.db" "$w/cx.db-wal" "$w/cx.db-shm"
  cp "$w/base.db" "$w/cx.db"
  cp "$w/base.db.key" "$w/cx.db.key"
  /usr/bin/time -f "%e %M %U %S" -o "$w/time" "$2" import --db "$w/cx.db" --org 1 "$w/roster.csv" > "$w/out"
  grep -q "已导入 $ROWS 名党员" "$w/out" || { cat "$w/out"; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$w/time" >> "$w/$1"
}
limit_round() {
  rm -f "$w/raw.db" "$w/raw.db-wal" "$w/raw.db-shm"
  /usr/bin/time -f "%e %M %U %S" -o "$w/time" sqlite3 "$w/raw.db" < "$w/raw.sql" >/dev/null
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$w/time" >> "$w/limit"
}
: > "$w/after"
: > "$w/limit"
: > "$w/before"
: > "$w/ratio"
: > "$w/bratio"
for i in $(seq 1 "$ROUNDS"); do
  if [ $((i % 2)) -eq 1 ]; then
    cxzy_round after "$bin"
    limit_round
  else
    limit_round
    cxzy_round after "$bin"
  fi
  [ -z "${BEFORE:-}" ] || { cxzy_round before "$BEFORE"; awk "BEGIN {printf \"%.3f\\n\", $(sed -n "${i}p" "$w/before" | cut -d' ' -f1) / $(sed -n "${i}p" "$w/limit" | cut -d' ' -f1)}" >> "$w/bratio"; }
  a=$(sed -n "${i}p" "$w/after" | cut -d' ' -f1)
  l=$(sed -n "${i}p" "$w/limit" | cut -d' ' -f1)
  awk "BEGIN {printf \"%.3f\\n\", $a / $l}" >> "$w/ratio"
  printf 'round %d: cxzy import %s s (%s MB, cpu %s s)  limit %s s (cpu %s s)  ratio %s%s\n' "$i" "$a" \
    "$(($(sed -n "${i}p" "$w/after" | cut -d' ' -f2) / 1024))" "$(sed -n "${i}p" "$w/after" | cut -d' ' -f3)" "$l" \
    "$(sed -n "${i}p" "$w/limit" | cut -d' ' -f3)" "$(sed -n "${i}p" "$w/ratio")" \
    "$([ -z "${BEFORE:-}" ] || echo "  before: $(sed -n "${i}p" "$w/before" | cut -d' ' -f1) s ($(($(sed -n "${i}p" "$w/before" | cut -d' ' -f2) / 1024)) MB, cpu $(sed -n "${i}p" "$w/before" | cut -d' ' -f3) s)")"
done
# median FILE COLUMN: the median of that column (the lower middle for an even count)
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
peak() { cut -d' ' -f2 "$1" | sort -n | tail -n 1; }
secs=$(median "$w/after" 1)
rsecs=$(median "$w/limit" 1)
cpu=$(median "$w/after" 3)
rcpu=$(median "$w/limit" 3)
echo "roster import: $ROWS rows (${size} MB CSV), median of $ROUNDS rounds: cxzy import ${secs} s, peak $(($(peak "$w/after") / 1024)) MB  |  limit: sqlite3 .import ${rsecs} s, peak $(($(peak "$w/limit") / 1024)) MB  |  ratio $(median "$w/ratio" 1)x (median of the rounds; of the medians $(awk "BEGIN {printf \"%.2f\", $secs / $rsecs}")x)  (goal <= 1.2x, <= 256 MB)"
echo "processor time (user + system), medians: cxzy import ${cpu} s, limit ${rcpu} s, ratio $(awk "BEGIN {printf \"%.2f\", $cpu / $rcpu}")x"
[ -z "${BEFORE:-}" ] || echo "before ($BEFORE): median ${bsecs:=$(median "$w/before" 1)} s, peak $(($(peak "$w/before") / 1024)) MB, ratio $(median "$w/bratio" 1)x (median of the rounds); cpu $(median "$w/before" 3) s, ratio $(awk "BEGIN {printf \"%.2f\", $(median "$w/before" 3) / $rcpu}")x"
echo "load average: $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after ($(nproc) cores)"
