#!/bin/sh
# demo-template.sh BIN DB PREFIX: makes the demo district of 300 members once for a test run, on
# DB (a SQLite file or an empty PostgreSQL database), with the key file PREFIX.key and what the
# demo printed in PREFIX.out, and prints the environment that hands it to tests/lib.mjs: a test
# asking for the default demo then gets a copy (a file copy, or CREATE DATABASE … TEMPLATE) in
# milliseconds instead of running the demo (about a second, three with ASan) again.
set -u
CXZY_DB="$2" CXZY_KEY="$3.key" "$1" demo --members 300 >"$3.out" 2>&1 || { cat "$3.out" >&2; exit 1; }
echo "CXZY_DEMO_DB=$2 CXZY_DEMO_KEY=$3.key CXZY_DEMO_OUT=$3.out"
