#!/bin/sh
# gen_test.sh CXZY GEN_P3: bench/p3_pg's generator is deterministic and its records agree with
# `cxzy recount`. A small tree (2 cities, 2 districts each, 3 towns each) is generated twice with
# one seed and once with another, on SQLite, and on PostgreSQL too when CXZY_TEST_PG names a server
# (postgresql://user@host:port; databases gen_p3_a, _b, _c are made there). The same seed must
# give the same rows (a digest of every generated table), another seed other ballots; after
# `cxzy recount --round R --fix`, `cxzy recount --round R` must find no difference and the root's
# roll-up must count every ballot.
set -u
bin=$1 gen=$2
w=$(mktemp -d /tmp/cxzy-gen-p3.XXXXXX)
trap 'rm -rf "$w"' EXIT
export CXZY_KEY="$w/cx.key"
echo "cxzy-bench-2026" > "$w/pw"
fail=0
# the rows of every table the generator writes, as text, in a stable order (ids included)
DIGEST="SELECT id, parent_id, path, depth, name, type, sector FROM org ORDER BY id;
SELECT id, org_id, name, sex, birth_year, idcard_mask FROM member ORDER BY id;
SELECT round_id, target_kind, target_id, org_id, channel, answers, valid, invalid_reason, day FROM ballot ORDER BY id;
SELECT round_id, kind, target_member_id, target_org_id, levels FROM review ORDER BY id;
SELECT target_id, org_id FROM leader_charge ORDER BY id;
SELECT target_id, org_id, level FROM commentary ORDER BY id;"
gen_one() { # $1 = database URL or file, $2 = seed, $3 = name; prints the digest into $w/$3
  "$bin" init --db "$1" --root 测试省委 --admin genoffice --password-file "$w/pw" > /dev/null 2>&1 || { echo "$3: init failed"; return 1; }
  "$gen" "$1" "$CXZY_KEY" 3000 300 30000 "$2" 2 2 3 > "$w/$3.out" 2>&1 || { cat "$w/$3.out"; echo "$3: generator failed"; return 1; }
  round=$(sed -n 's/^round //p' "$w/$3.out")
  case $1 in postgresql:*) echo "$DIGEST" | psql -qAt "$1" > "$w/$3.rows";; *) echo "$DIGEST" | sqlite3 "$1" > "$w/$3.rows";; esac
  "$bin" recount --db "$1" --round "$round" --fix > /dev/null 2>&1
  "$bin" recount --db "$1" --round "$round" > "$w/$3.check" 2>&1 || { tail -n 5 "$w/$3.check"; echo "$3: recount after --fix found differences"; return 1; }
  q="SELECT ballots_valid + ballots_invalid FROM rollup WHERE round_id = $round AND org_id = 1"
  case $1 in postgresql:*) got=$(psql -qAt "$1" -c "$q");; *) got=$(sqlite3 "$1" "$q");; esac
  [ "$got" = 30000 ] || { echo "$3: the root's roll-up counts $got ballots, not 30000"; return 1; }
  echo "$3: $(wc -l < "$w/$3.rows") rows, recount agrees, root roll-up 30000 ballots"
}
compare() { # $1 $2 $3: same seed, same seed, other seed
  cmp -s "$w/$1.rows" "$w/$2.rows" || { echo "$1 / $2: the same seed gave different rows"; fail=1; }
  cmp -s "$w/$1.rows" "$w/$3.rows" && { echo "$1 / $3: another seed gave the same rows"; fail=1; }
  return 0
}
gen_one "$w/a.db" 7 sa && gen_one "$w/b.db" 7 sb && gen_one "$w/c.db" 8 sc && compare sa sb sc || fail=1
if [ -n "${CXZY_TEST_PG:-}" ]; then
  for x in a b c; do psql -q "$CXZY_TEST_PG/postgres" -c "DROP DATABASE IF EXISTS gen_p3_$x" -c "CREATE DATABASE gen_p3_$x" || fail=1; done
  gen_one "$CXZY_TEST_PG/gen_p3_a" 7 pa && gen_one "$CXZY_TEST_PG/gen_p3_b" 7 pb && gen_one "$CXZY_TEST_PG/gen_p3_c" 8 pc && compare pa pb pc || fail=1
  cmp -s "$w/sa.rows" "$w/pa.rows" || { echo "SQLite and PostgreSQL: the same seed gave different rows"; fail=1; }
  for x in a b c; do psql -q "$CXZY_TEST_PG/postgres" -c "DROP DATABASE gen_p3_$x"; done
fi
[ $fail = 0 ] && echo "ok: the generator is deterministic and agrees with cxzy recount"
exit $fail
