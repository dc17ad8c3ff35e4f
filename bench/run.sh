#!/bin/sh
# bench/run.sh: every benchmark, each printing its figure beside the limit measured in the same run.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
ninja -C "$BUILD" >/dev/null
for b in bench/*/run.sh; do
  echo "== $b"
  sh "$b" "$BUILD"
done
