#!/bin/sh
# apt-install.sh PACKAGE...: installs the Debian packages that are not installed yet (apt-get update
# first, non-interactive); runs as root with no standard input (CI), or via sudo.
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
echo "apt-install: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q </dev/null
$SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
