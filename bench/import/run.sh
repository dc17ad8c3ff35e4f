#!/bin/sh
# bench/import: import a 1,000,000-row roster CSV with `cxzy import` (wall time, peak memory)
# beside the limit measured in the same run: the sqlite3 shell's .import of the same CSV into a
# table with the same columns and the same kinds of index (no validation, no encryption).
# Usage: bench/import/run.sh BUILD_DIR [ROWS]
set -eu
BUILD=${1:-build}
ROWS=${2:-1000000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
gen="$top/$BUILD/bench/gen_roster"
w=$(mktemp -d /tmp/cxzy-bench-import.XXXXXX)
trap 'rm -rf "$w"' EXIT

"$gen" "$ROWS" 2010 > "$w/roster.csv"
size=$(du -m "$w/roster.csv" | cut -f1)
"$bin" demo --db "$w/cx.db" --members "$ROWS" --orgs-only >/dev/null 2>&1

/usr/bin/time -f "%e %M" -o "$w/time" "$bin" import --db "$w/cx.db" --org 1 "$w/roster.csv" > "$w/out"
read -r secs kb < "$w/time"
tail -n 1 "$w/out"

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
/usr/bin/time -f "%e %M" -o "$w/time2" sqlite3 "$w/raw.db" < "$w/raw.sql" >/dev/null
read -r rsecs rkb < "$w/time2"

echo "roster import: $ROWS rows (${size} MB CSV): cxzy import ${secs} s, peak $((kb / 1024)) MB  |  limit: sqlite3 .import ${rsecs} s, peak $((rkb / 1024)) MB  |  ratio $(awk "BEGIN {printf \"%.2f\", $secs / $rsecs}")x  (target <= 20 s, <= 256 MB)"
