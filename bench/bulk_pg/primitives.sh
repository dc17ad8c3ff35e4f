#!/bin/sh
# bench/bulk_pg/primitives.sh: the three ways to send many member rows to PostgreSQL, measured on
# the same table (cxzy's member table, its indexes and checks) in one run: one INSERT … ON CONFLICT
# DO NOTHING a round trip (the import before COPY), the same INSERTs in libpq pipeline mode
# (pgbench's \startpipeline, transactions of 1,000), and COPY of as many rows (psql's \copy).
# Values are computed by the server (sha256 of random()) the same way in all three.
# Usage: bench/bulk_pg/primitives.sh URL [ROWS]   (URL: a cxzy database with organisation 1; the
# rows go into a copy of it, CREATE DATABASE … TEMPLATE, dropped afterwards)
set -eu
url=$1
ROWS=${2:-20000}
tx=$((ROWS / 1000))
base=${url%/*}
w=$(mktemp -d /tmp/cxzy-bench-prim.XXXXXX)
chmod 755 "$w"
trap 'psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS prim" >/dev/null 2>&1 || true; rm -rf "$w"' EXIT
psql -q "$base/postgres" -c "CREATE DATABASE prim TEMPLATE ${url##*/}"
cols="part, org_id, name, sex, ethnicity, birth_year, idcard_enc, idcard_hash, idcard_mask, phone_enc, phone_hash, phone_mask, joined_date, full_date, education, post, duties, status, created_at, updated_at"
vals="0, 1, '某某某', '男', '汉族', 1980, decode(repeat('ab', 58), 'hex'), sha256(random()::text::bytea), '110101********1234', decode(repeat('cd', 51), 'hex'), sha256(random()::text::bytea), '139****1234', '2001-07-01', '2002-07-01', '本科', '职员', '主持支部工作，抓好党员教育管理', 'full', 0, 0"
ins="INSERT INTO member ($cols) VALUES ($vals) ON CONFLICT DO NOTHING;"
{ echo 'BEGIN;'; i=0; while [ $i -lt 1000 ]; do echo "$ins"; i=$((i + 1)); done; echo 'COMMIT;'; } > "$w/row.sql"
{ echo 'BEGIN;'; printf '%s\n' '\startpipeline'; i=0; while [ $i -lt 1000 ]; do echo "$ins"; i=$((i + 1)); done; printf '%s\n' '\endpipeline'; echo 'COMMIT;'; } > "$w/pipe.sql"
/usr/bin/time -f "%e" -o "$w/t1" pgbench -n -M prepared -t "$tx" -c 1 -f "$w/row.sql" "$base/prim" >/dev/null
/usr/bin/time -f "%e" -o "$w/t2" pgbench -n -M prepared -t "$tx" -c 1 -f "$w/pipe.sql" "$base/prim" >/dev/null
psql -q "$base/prim" -c "\\copy (SELECT $vals FROM generate_series(1, $((tx * 1000)))) TO '$w/rows.txt'"
/usr/bin/time -f "%e" -o "$w/t3" psql -q "$base/prim" -c "\\copy member ($cols) FROM '$w/rows.txt'"
printf '%s\n' "member rows to PostgreSQL, $((tx * 1000)) rows: one INSERT a round trip $(cat "$w/t1") s  |  pipeline mode $(cat "$w/t2") s  |  COPY $(cat "$w/t3") s"
