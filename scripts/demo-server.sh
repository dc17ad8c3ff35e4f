# demo-server.sh, sourced by scripts and benchmarks that need a demo server (scan.sh, bench/rss):
# demo_server BIN DIR PORT MEMBERS [SERVE OPTION...] creates a demo database of MEMBERS members in
# DIR and serves it on 127.0.0.1:PORT (pid in DIR/cxzy.pid, access and error log in DIR/serve.log);
# returns once /healthz answers, or fails after 20 s showing what the server said.
demo_server() {
  _bin=$1 _dir=$2 _port=$3 _members=$4
  shift 4
  "$_bin" demo --db "$_dir/cx.db" --members "$_members" > "$_dir/demo.log"
  "$_bin" serve --db "$_dir/cx.db" --listen "127.0.0.1:$_port" --log "$_dir/serve.log" "$@" > "$_dir/serve.out" 2>&1 &
  echo $! > "$_dir/cxzy.pid"
  _deadline=$(($(date +%s) + 20))
  until curl -sf "http://127.0.0.1:$_port/healthz" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$_deadline" ] || { echo "demo_server: the server did not start:"; cat "$_dir/serve.out"; return 1; }
    sleep 0.2
  done
}
