#!/bin/sh
# pg.sh: start or stop a throwaway PostgreSQL server on 127.0.0.1 in a temporary directory.
#   scripts/pg.sh start DIR PORT   → prints the connection URL; database "cxzy" created
#   scripts/pg.sh stop DIR
#   scripts/pg.sh halt DIR / resume DIR PORT  → stops / starts the server, keeping its data
#                                               (tests of a database that goes away)
#   scripts/pg.sh replica PRIMARY_DIR DIR PORT → a streaming replica (hot standby) of the server
#                                               started in PRIMARY_DIR, copied with pg_basebackup -R;
#                                               prints its URL; stop, halt and resume work on DIR
# initdb refuses to run as root, so as root it runs as the postgres user (runuser).
# The servers run with fsync, synchronous_commit and full_page_writes off (tests); CXZY_PG_DURABLE=1
# keeps PostgreSQL's durable defaults (benchmarks of durable writes).
set -eu
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${CXZY_PG_DURABLE:-0}" = 1 ] && fast=""
run() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $1 -k $dir $fast" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
}
case "$cmd" in
start)
  port=$3
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bindir/initdb" -D "$dir/data" -U cxzy -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  run "$port"
  as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U cxzy cxzy
  echo "postgresql://cxzy@127.0.0.1:$port/cxzy"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
replica)
  # initdb's pg_hba.conf lets 127.0.0.1 connect for replication (trust, as above), and the
  # defaults are wal_level replica and 10 WAL senders: a primary started here needs nothing more
  pdir=$2 dir=$3 port=$4
  pport=$(sed -n 4p "$pdir/data/postmaster.pid" 2>/dev/null) || true
  [ -n "$pport" ] || { echo "pg.sh: no server running in $pdir" >&2; exit 1; }
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$pport" -U cxzy -D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log" >&2; exit 1; }
  run "$port"
  echo "postgresql://cxzy@127.0.0.1:$port/cxzy"
  ;;
halt) as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
resume) run "$3" ;;
*) echo "usage: pg.sh start DIR PORT | replica PRIMARY_DIR DIR PORT | stop DIR | halt DIR | resume DIR PORT" >&2; exit 2 ;;
esac
