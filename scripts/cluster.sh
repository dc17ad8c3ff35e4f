#!/bin/sh
# cluster.sh: several cxzy instances on one machine, on 127.0.0.1, as a province would run them on
# several: a PostgreSQL primary and a streaming replica, PgBouncer (transaction mode) in front of
# the primary, two `cxzy serve` instances and nginx in front of those on one port.
#   scripts/cluster.sh up [DIR]      starts what is not running; the demo district is made once
#   scripts/cluster.sh status [DIR]  what runs, the address and the demo logins
#   scripts/cluster.sh down [DIR]    stops all of it, in reverse order (data kept; rm -rf DIR to start anew)
#   scripts/cluster.sh bouncer DIR   only PgBouncer, in front of a PostgreSQL already on --pg-port
#                                    (scripts/test.sh's, for the per-file databases); down DIR stops it
# DIR: default /tmp/cxzy-cluster (or CXZY_CLUSTER_DIR). Ports, by option before the command or by
# environment (defaults in brackets):
#   --port N          CXZY_CLUSTER_PORT          nginx, the site's address              [8090]
#   --app-ports A,B   CXZY_CLUSTER_APP_PORTS     the two instances                      [8091,8092]
#   --pg-port N       CXZY_CLUSTER_PG_PORT       PostgreSQL primary                     [55440]
#   --replica-port N  CXZY_CLUSTER_REPLICA_PORT  PostgreSQL streaming replica           [55441]
#   --bouncer-port N  CXZY_CLUSTER_BOUNCER_PORT  PgBouncer                              [55442]
#   --db-pool N       CXZY_CLUSTER_DB_POOL       connections each instance keeps        [8]
# The binary: CXZY_BIN (default build/src/cxzy). More options for both instances' `cxzy serve`:
# CXZY_CLUSTER_SERVE_ARGS; for the demo made once: CXZY_CLUSTER_DEMO_ARGS (e.g. "--members 20000"). Runs as a user or as root (then PostgreSQL and
# PgBouncer run as the postgres user, nginx's workers as nobody). Everything they write is in DIR:
# data, logs (*.log), pid files (*.pid), the key file cxzy.key.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PORT=${CXZY_CLUSTER_PORT:-8090}
APP_PORTS=${CXZY_CLUSTER_APP_PORTS:-8091,8092}
PG_PORT=${CXZY_CLUSTER_PG_PORT:-55440}
REPLICA_PORT=${CXZY_CLUSTER_REPLICA_PORT:-55441}
BOUNCER_PORT=${CXZY_CLUSTER_BOUNCER_PORT:-55442}
DB_POOL=${CXZY_CLUSTER_DB_POOL:-8}
BIN=${CXZY_BIN:-$top/build/src/cxzy}
usage() { echo "usage: cluster.sh [--port N] [--app-ports A,B] [--pg-port N] [--replica-port N] [--bouncer-port N] [--db-pool N] up|down|status|bouncer [DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
  --port) PORT=$2; shift 2 ;;
  --app-ports) APP_PORTS=$2; shift 2 ;;
  --pg-port) PG_PORT=$2; shift 2 ;;
  --replica-port) REPLICA_PORT=$2; shift 2 ;;
  --bouncer-port) BOUNCER_PORT=$2; shift 2 ;;
  --db-pool) DB_POOL=$2; shift 2 ;;
  -*) usage ;;
  *) break ;;
  esac
done
[ $# -ge 1 ] || usage
cmd=$1
DIR=${2:-${CXZY_CLUSTER_DIR:-/tmp/cxzy-cluster}}
case "$DIR" in /*) ;; *) DIR=$(pwd)/$DIR ;; esac
for p in $PORT $PG_PORT $REPLICA_PORT $BOUNCER_PORT $DB_POOL $(echo "$APP_PORTS" | tr , ' '); do
  case "$p" in ''|*[!0-9]*) echo "cluster.sh: not a number: $p" >&2; exit 2 ;; esac
done
APP1=${APP_PORTS%%,*}
APP2=${APP_PORTS#*,}
[ "$APP1" != "$APP2" ] || { echo "cluster.sh: --app-ports wants two ports, A,B" >&2; exit 2; }
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
PRIMARY="postgresql://cxzy@127.0.0.1:$PG_PORT/cxzy"
REPLICA="postgresql://cxzy@127.0.0.1:$REPLICA_PORT/cxzy"
BOUNCED="postgresql://cxzy@127.0.0.1:$BOUNCER_PORT/cxzy"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

as_pg() { if [ $ROOT = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# alive NAME: the process in DIR/NAME.pid runs
alive() { [ -s "$DIR/$1.pid" ] && kill -0 "$(head -n 1 "$DIR/$1.pid")" 2>/dev/null; }
pg_alive() { [ -s "$1/data/postmaster.pid" ] && kill -0 "$(head -n 1 "$1/data/postmaster.pid")" 2>/dev/null; }
# wait_for WHAT CMD…: runs CMD until it succeeds, at most 30 s
wait_for() {
  what=$1; shift
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 300 ] || { echo "cluster.sh: $what did not come up" >&2; return 1; }
    sleep 0.1
  done
}

start_primary() {
  if pg_alive "$DIR/pg"; then return; fi
  if [ -d "$DIR/pg/data" ]; then sh "$top/scripts/pg.sh" resume "$DIR/pg" "$PG_PORT"
  else sh "$top/scripts/pg.sh" start "$DIR/pg" "$PG_PORT" >/dev/null
  fi
}

start_replica() {
  if pg_alive "$DIR/replica"; then return; fi
  if [ -d "$DIR/replica/data" ]; then sh "$top/scripts/pg.sh" resume "$DIR/replica" "$REPLICA_PORT"
  else sh "$top/scripts/pg.sh" replica "$DIR/pg" "$DIR/replica" "$REPLICA_PORT" >/dev/null
  fi
}

start_bouncer() {
  alive pgbouncer && return
  b="$DIR/pgbouncer"
  mkdir -p "$b"
  # every database of the primary under its own name; the cluster's role trusted as on the primary
  cat >"$b/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $b/users.txt
; the console (psql …/pgbouncer): KILL db drops a database's server connections, e.g. before
; cxzy key rotate, which refuses while any other session is connected (RESUME db afterwards)
admin_users = cxzy
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 10
; all databases together stay below PostgreSQL's max_connections (100), leaving room for the
; instances' direct LISTEN connections and psql; idle server connections of a database no longer
; used (the test run makes one per file) are closed soon
max_user_connections = 50
server_idle_timeout = 10
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $b/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF
  echo '"cxzy" ""' >"$b/users.txt"
  rm -f "$DIR/pgbouncer.pid"
  # PgBouncer refuses to run as root: as root it runs as postgres, which writes its pid file in DIR
  if [ $ROOT = 1 ]; then chown -R postgres "$b"; chown postgres "$DIR"; fi
  as_pg "$PGBOUNCER" -d -q "$b/pgbouncer.ini" || { cat "$b/pgbouncer.log" >&2; return 1; }
  wait_for PgBouncer alive pgbouncer
}

make_demo() {
  n=$(psql -X -q -t -A "$PRIMARY" -c "SELECT count(*) FROM org" 2>/dev/null || echo 0)
  if [ "${n:-0}" != 0 ]; then return; fi
  echo "  making the demo district (once)"
  CXZY_DB=$PRIMARY CXZY_KEY=$DIR/cxzy.key "$BIN" demo ${CXZY_CLUSTER_DEMO_ARGS:-} >"$DIR/demo.out" 2>&1 || { cat "$DIR/demo.out" >&2; return 1; }
}

# start_app NAME PORT
start_app() {
  alive "$1" && return
  set -- "$1" "$2" --listen "127.0.0.1:$2" --public-url "http://127.0.0.1:$PORT" \
    --max-connections-per-address 4096 --log "$DIR/$1.log"
  # the connection options: the pool, PgBouncer in transaction mode (unnamed statements),
  # LISTEN/NOTIFY straight to the primary, reads from the replica (from the primary while it is
  # down or behind), and nginx's X-Forwarded-For believed
  db=$BOUNCED
  set -- "$@" --pgbouncer --db-listen "$PRIMARY" --db-pool "$DB_POOL" --db-read "$REPLICA" --trusted-proxy 127.0.0.1 ${CXZY_CLUSTER_SERVE_ARGS:-}
  name=$1; shift 2
  : >"$DIR/$name.out"
  CXZY_DB=$db CXZY_KEY=$DIR/cxzy.key nohup "$BIN" serve "$@" >"$DIR/$name.out" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
  wait_for "$name" grep -q 'cxzy 已启动' "$DIR/$name.out" || { cat "$DIR/$name.out" >&2; return 1; }
}

start_nginx() {
  alive nginx && return
  n="$DIR/nginx"
  mkdir -p "$n/tmp"
  user=""
  if [ $ROOT = 1 ]; then user="user nobody nogroup;"; chown -R nobody "$n/tmp"; fi
  # round robin; a request an instance cannot take (refused, reset before an answer) goes to the
  # other one, so one instance lost is not noticed; the client's address in X-Forwarded-For. Each
  # worker keeps up to 128 idle connections to the instances: fewer than the requests it has in
  # flight (a ballot waits for its group commit) and every request past them opens and closes one
  cat >"$n/nginx.conf" <<EOF
$user
worker_processes 2;
pid $DIR/nginx.pid;
error_log $DIR/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $n/tmp/body;
  proxy_temp_path $n/tmp/proxy;
  fastcgi_temp_path $n/tmp/fastcgi;
  uwsgi_temp_path $n/tmp/uwsgi;
  scgi_temp_path $n/tmp/scgi;
  client_max_body_size 64m;
  upstream cxzy {
    server 127.0.0.1:$APP1 max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$APP2 max_fails=1 fail_timeout=10s;
    keepalive 128;
    keepalive_timeout 20s;
  }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://cxzy;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout http_502;
      proxy_request_buffering off;
      proxy_ignore_client_abort on;
    }
    location = /metrics { return 404; }
  }
}
EOF
  "$NGINX" -p "$n" -c "$n/nginx.conf" -e "$DIR/nginx.log" || { cat "$DIR/nginx.log" >&2; return 1; }
  wait_for nginx alive nginx
}

# stop_pid NAME: TERM, then wait for it to go (at most 30 s)
stop_pid() {
  if alive "$1"; then
    pid=$(head -n 1 "$DIR/$1.pid")
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    echo "  stopped $1"
  fi
  rm -f "$DIR/$1.pid"
}

status() {
  any=0
  for x in pg replica; do
    if pg_alive "$DIR/$x"; then echo "  postgresql $x: running"; any=1; fi
  done
  for x in pgbouncer app1 app2 nginx; do
    if alive $x; then echo "  $x: running (pid $(head -n 1 "$DIR/$x.pid"))"; any=1
    elif [ -e "$DIR/$x.pid" ]; then echo "  $x: NOT running (stale pid file)"; fi
  done
  [ $any = 1 ]
}

all_up() {
  pg_alive "$DIR/pg" && alive pgbouncer && alive app1 && alive app2 && alive nginx &&
    pg_alive "$DIR/replica"
}

tell() {
  echo "cxzy cluster in $DIR:"
  status || true
  echo "site:      http://127.0.0.1:$PORT/   (instances http://127.0.0.1:$APP1/ and http://127.0.0.1:$APP2/)"
  echo "primary:   $PRIMARY"
  pg_alive "$DIR/replica" && echo "replica:   $REPLICA"
  echo "pgbouncer: $BOUNCED"
  if [ -s "$DIR/demo.out" ]; then sed -n '/^演示账号/,/^  secretary2/p' "$DIR/demo.out"; fi
}

case "$cmd" in
up)
  [ -x "$BIN" ] || { echo "cluster.sh: no cxzy binary at $BIN (ninja -C build, or CXZY_BIN)" >&2; exit 1; }
  if all_up; then echo "already up"; tell; exit 0; fi
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  echo "starting the cluster in $DIR"
  start_primary
  start_replica
  start_bouncer
  make_demo
  start_app app1 "$APP1"
  start_app app2 "$APP2"
  start_nginx
  tell
  ;;
bouncer)
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  start_bouncer
  echo "$BOUNCED"
  ;;
status)
  if [ -d "$DIR" ] && status; then tell; else echo "not running ($DIR)"; exit 3; fi
  ;;
down)
  [ -d "$DIR" ] || { echo "not running ($DIR)"; exit 0; }
  stop_pid nginx
  stop_pid app2
  stop_pid app1
  stop_pid pgbouncer
  for x in replica pg; do
    if pg_alive "$DIR/$x"; then sh "$top/scripts/pg.sh" halt "$DIR/$x" && echo "  stopped postgresql $x"; fi
  done
  echo "down (data kept in $DIR; remove it to start anew)"
  ;;
*) usage ;;
esac
