#!/bin/sh
# bench/accounts: accounts for every member of a district in one action (`cxzy user bulk`, the same
# store call as the accounts page's button): MEMBERS members imported from a generated roster, then
# one bulk run (accounts, grants, sealed activation codes, one audit record each), timed; beside the
# limit measured in the same run: argon2id's own rate on this machine with every core busy, i.e.
# how long hashing one password per member would take instead.
# Usage: bench/accounts/run.sh BUILD_DIR [MEMBERS]
set -eu
BUILD=${1:-build}
MEMBERS=${2:-100000}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$BUILD/src/cxzy"
w=$(mktemp -d /tmp/cxzy-bench-accounts.XXXXXX)
trap 'rm -rf "$w"' EXIT

"$top/$BUILD/bench/gen_roster" "$MEMBERS" 2010 > "$w/roster.csv"
"$bin" demo --db "$w/cx.db" --key "$w/cx.key" --members "$MEMBERS" --orgs-only >/dev/null 2>&1
"$bin" import --db "$w/cx.db" --key "$w/cx.key" --org 1 "$w/roster.csv" >/dev/null
/usr/bin/time -f "%e %M" -o "$w/time" "$bin" user bulk --db "$w/cx.db" --key "$w/cx.key" --org 1 > "$w/out"
read -r secs kb < "$w/time"
made=$(grep -o '为 [0-9]* 名' "$w/out" | tr -dc 0-9)
cores=$(nproc)
rate=$("$top/$BUILD/bench/pwhash" 8 "$cores")
echo "bulk accounts: $made accounts in ${secs} s ($(awk "BEGIN {printf \"%.0f\", $made / $secs}")/s), peak $((kb / 1024)) MB  |  limit: argon2id ${rate} hashes/s on $cores cores = $(awk "BEGIN {printf \"%.0f\", $made / $rate}") s for one password each  |  goal < 60 s"
