#!/bin/sh
# bench/bulk_pg: the roster import on PostgreSQL (`cxzy import` of ROWS generated rows, bulk-written
# with COPY) beside the limit measured in the same run: psql's \copy of the same CSV into a table
# with the same columns and the same kinds of index (no validation, no encryption, no audit); the
# ratio limit / cxzy (goal >= 0.5x). Then `cxzy demo --members DEMO_MEMBERS` timed on SQLite and on
# PostgreSQL (DEMO_MEMBERS=0 skips it). A throwaway PostgreSQL is started on PORT (scripts/pg.sh).
# CXZY_BENCH_BIN runs another binary (an older build, for a before/after figure).
# Then bench/bulk_pg/primitives.sh: per-row INSERT, pipeline mode and COPY on the same table.
# Usage: bench/bulk_pg/run.sh BUILD_DIR [ROWS]   (env: PORT=55590 DEMO_MEMBERS=100000 PRIM_ROWS=20000)
set -eu
BUILD=${1:-build}
ROWS=${2:-100000}
PORT=${PORT:-55590}
DEMO_MEMBERS=${DEMO_MEMBERS:-100000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CXZY_BENCH_BIN:-"$top/$BUILD/src/cxzy"}
gen="$top/$BUILD/bench/gen_roster"
w=$(mktemp -d /tmp/cxzy-bench-bulk.XXXXXX)
chmod 755 "$w"
url=$(sh "$top/scripts/pg.sh" start "$w/pg" "$PORT" | tail -n 1)
base=${url%/*}
trap 'sh "$top/scripts/pg.sh" stop "$w/pg" >/dev/null 2>&1 || true; rm -rf "$w"' EXIT
export CXZY_KEY="$w/cx.key"

"$gen" "$ROWS" 2010 > "$w/roster.csv"
chmod 644 "$w/roster.csv"
size=$(du -m "$w/roster.csv" | cut -f1)
psql -q "$url" -c 'CREATE DATABASE imp'
"$bin" demo --db "$base/imp" --members "$ROWS" --orgs-only >/dev/null 2>&1
/usr/bin/time -f "%e %M" -o "$w/time" "$bin" import --db "$base/imp" --org 1 "$w/roster.csv" > "$w/out"
read -r secs kb < "$w/time"
tail -n 1 "$w/out"

# The limit: PostgreSQL's own COPY of the same rows, one transaction, a unique index on the id
# column and an index on (org, name) as cxzy keeps.
psql -q "$url" -c 'CREATE DATABASE raw'
psql -q "$base/raw" -c 'CREATE TABLE r (name text, sex text, ethnicity text, birth_date text, idcard text, phone text,
  joined_date text, full_date text, education text, post text, duties text, status text, org text);
  CREATE UNIQUE INDEX r_id ON r(idcard); CREATE INDEX r_org ON r(org, name);'
/usr/bin/time -f "%e" -o "$w/time2" psql -q "$base/raw" -c "\\copy r FROM '$w/roster.csv' WITH (FORMAT csv, HEADER true)"
rsecs=$(cat "$w/time2")

# The second limit: COPY of the rows as cxzy stored them (encrypted 身份证号 and phone, keyed
# hashes, masks) into a table made LIKE member (its columns, defaults, checks and indexes) with
# member's foreign key to org: storage of the same bytes, without cxzy's parsing, validation,
# encryption, roll lookups, tallies and audit.
cols="part, org_id, name, sex, ethnicity, birth_year, idcard_enc, idcard_hash, idcard_mask, phone_enc, phone_hash, phone_mask, joined_date, full_date, education, post, duties, status, created_at, updated_at"
psql -q "$base/imp" -c "\\copy (SELECT $cols FROM member) TO '$w/stored.txt'"
psql -q "$base/imp" -c 'CREATE TABLE r (LIKE member INCLUDING ALL); ALTER TABLE r ADD FOREIGN KEY (org_id) REFERENCES org(id)'
/usr/bin/time -f "%e" -o "$w/time5" psql -q "$base/imp" -c "\\copy r ($cols) FROM '$w/stored.txt'"
ssecs=$(cat "$w/time5")
printf '%s\n' "roster import on PostgreSQL: $ROWS rows (${size} MB CSV): cxzy import ${secs} s, peak $((kb / 1024)) MB  |  limit: psql copy of the CSV ${rsecs} s, of the stored rows into a table LIKE member ${ssecs} s  |  limit/cxzy $(awk "BEGIN {printf \"%.2f\", $rsecs / $secs}")x and $(awk "BEGIN {printf \"%.2f\", $ssecs / $secs}")x  (goal >= 0.5x)"

# the primitives beside each other (per-row INSERT, pipeline mode, COPY) on the imported database
sh "$top/bench/bulk_pg/primitives.sh" "$base/imp" "${PRIM_ROWS:-20000}"

if [ "$DEMO_MEMBERS" -gt 0 ]; then
  /usr/bin/time -f "%e" -o "$w/time3" "$bin" demo --db "$w/demo.db" --members "$DEMO_MEMBERS" > "$w/demo-sqlite.out" 2>&1
  psql -q "$url" -c 'CREATE DATABASE demo'
  /usr/bin/time -f "%e" -o "$w/time4" "$bin" demo --db "$base/demo" --members "$DEMO_MEMBERS" > "$w/demo-pg.out" 2>&1
  gs=$(grep -o '用时 [0-9.]* 秒' "$w/demo-sqlite.out" | grep -o '[0-9.]*'); gp=$(grep -o '用时 [0-9.]* 秒' "$w/demo-pg.out" | grep -o '[0-9.]*')
  echo "cxzy demo --members $DEMO_MEMBERS: SQLite $(cat "$w/time3") s (organisations and members ${gs} s)  |  PostgreSQL $(cat "$w/time4") s (organisations and members ${gp} s)  |  PostgreSQL/SQLite $(awk "BEGIN {printf \"%.2f\", $(cat "$w/time4") / $(cat "$w/time3")}")x"
fi
