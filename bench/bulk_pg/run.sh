#!/bin/sh
# bench/bulk_pg: the roster import on PostgreSQL (`cxzy import` of ROWS generated rows, bulk-written
# with COPY) beside the limit measured in the same run: psql's \copy of the same CSV into a table
# with the same columns and the same kinds of index (no validation, no encryption, no audit); the
# ratio limit / cxzy (goal >= 0.5x). Then `cxzy demo --members DEMO_MEMBERS` timed on SQLite and on
# PostgreSQL (DEMO_MEMBERS=0 skips it), and beside the PostgreSQL demo its limit: every row the demo
# stored, dumped with COPY TO and loaded with one COPY FROM a table into tables made LIKE them
# (columns, defaults, checks, indexes) in one transaction; the ratio limit / demo (goal >= 0.5x).
# The ratio's demo runs on a database `cxzy migrate` has already brought to the schema, outside its
# timing, as the limit's tables are made (CREATE TABLE ... LIKE) outside the limit's: both figures
# are then the storing of the same rows into tables that exist. A user who runs `cxzy migrate` first
# and then `cxzy demo` waits that long. The demo's full time on a fresh empty database (the
# migrations included, what `cxzy demo` alone costs) is printed beside it, so both are visible.
# CXZY_BENCH_BEFORE=/path/to/older/cxzy times that build's PostgreSQL demo too, in the same run
# (on a database migrated by its own `cxzy migrate`, and the full time on a fresh one).
# A throwaway PostgreSQL is started on PORT (scripts/pg.sh).
# CXZY_BENCH_BIN runs another binary (an older build, for a before/after figure).
# Then bench/bulk_pg/primitives.sh: per-row INSERT, pipeline mode and COPY on the same table.
# ROWS=0 skips the import and the primitives (the demo alone).
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

if [ "$ROWS" -gt 0 ]; then
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
fi

if [ "$DEMO_MEMBERS" -gt 0 ]; then
  /usr/bin/time -f "%e" -o "$w/time3" "$bin" demo --db "$w/demo.db" --members "$DEMO_MEMBERS" > "$w/demo-sqlite.out" 2>&1
  # the full demo on a fresh empty database (the migrations inside its time), then dropped
  psql -q "$url" -c 'CREATE DATABASE demo_full'
  /usr/bin/time -f "%e" -o "$w/time8" "$bin" demo --db "$base/demo_full" --members "$DEMO_MEMBERS" > "$w/demo-full.out" 2>&1
  psql -q "$url" -c 'DROP DATABASE demo_full'
  # the demo the limit is set beside: the schema made first by `cxzy migrate`, outside the timing
  psql -q "$url" -c 'CREATE DATABASE demo'
  "$bin" migrate --db "$base/demo" >/dev/null
  /usr/bin/time -f "%e" -o "$w/time4" "$bin" demo --db "$base/demo" --members "$DEMO_MEMBERS" > "$w/demo-pg.out" 2>&1
  gs=$(grep -o '用时 [0-9.]* 秒' "$w/demo-sqlite.out" | grep -o '[0-9.]*'); gp=$(grep -o '用时 [0-9.]* 秒' "$w/demo-pg.out" | grep -o '[0-9.]*')
  before=""
  if [ -n "${CXZY_BENCH_BEFORE:-}" ]; then
    psql -q "$url" -c 'CREATE DATABASE demo_before_full'
    /usr/bin/time -f "%e" -o "$w/time9" "$CXZY_BENCH_BEFORE" demo --db "$base/demo_before_full" --members "$DEMO_MEMBERS" > "$w/demo-before-full.out" 2>&1
    psql -q "$url" -c 'DROP DATABASE demo_before_full'
    psql -q "$url" -c 'CREATE DATABASE demo_before'
    "$CXZY_BENCH_BEFORE" migrate --db "$base/demo_before" >/dev/null
    /usr/bin/time -f "%e" -o "$w/time6" "$CXZY_BENCH_BEFORE" demo --db "$base/demo_before" --members "$DEMO_MEMBERS" > "$w/demo-before.out" 2>&1
    before="  |  before (CXZY_BENCH_BEFORE) PostgreSQL $(cat "$w/time6") s migrated first, $(cat "$w/time9") s with the migrations"
    psql -q "$url" -c 'DROP DATABASE demo_before'
  fi
  # the limit: every table the demo filled, COPY TO a file, then one transaction of COPY FROM into
  # tables LIKE them (a partitioned table's copy is a plain table with the same indexes)
  tables=$(psql -At "$base/demo" -c "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")
  nrows=0 ntab=0
  : > "$w/limit.sql"
  echo 'CREATE SCHEMA lim;' > "$w/like.sql"
  for t in $tables; do
    psql -q "$base/demo" -c "\\copy (SELECT * FROM public.\"$t\") TO '$w/t-$t.txt'"
    n=$(wc -l < "$w/t-$t.txt")
    [ "$n" -gt 0 ] || continue
    nrows=$((nrows + n)) ntab=$((ntab + 1))
    echo "CREATE TABLE lim.\"$t\" (LIKE public.\"$t\" INCLUDING ALL);" >> "$w/like.sql"
    printf '%s\n' "\\copy lim.\"$t\" FROM '$w/t-$t.txt'" >> "$w/limit.sql"  # not echo: dash's echo reads \c
  done
  psql -q "$base/demo" -f "$w/like.sql"
  /usr/bin/time -f "%e" -o "$w/time7" psql -q -1 "$base/demo" -f "$w/limit.sql"
  lsecs=$(cat "$w/time7")
  echo "cxzy demo --members $DEMO_MEMBERS: SQLite $(cat "$w/time3") s (organisations and members ${gs} s)  |  PostgreSQL $(cat "$w/time4") s migrated first (organisations and members ${gp} s), $(cat "$w/time8") s with the migrations${before}  |  PostgreSQL/SQLite $(awk "BEGIN {printf \"%.2f\", $(cat "$w/time4") / $(cat "$w/time3")}")x"
  echo "demo on PostgreSQL beside its limit: $nrows rows in $ntab tables; cxzy demo $(cat "$w/time4") s on the migrated database ($(cat "$w/time8") s with the migrations)  |  limit: COPY of the same rows into tables LIKE them ${lsecs} s  |  limit/demo $(awk "BEGIN {printf \"%.2f\", $lsecs / $(cat "$w/time4")}")x (with the migrations $(awk "BEGIN {printf \"%.2f\", $lsecs / $(cat "$w/time8")}")x)  (goal >= 0.5x)"
fi
