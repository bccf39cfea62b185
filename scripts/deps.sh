#!/usr/bin/env bash
# deps.sh -- install what building and testing ferry needs, when missing.
# Debian 12, as root, no TTY.  Safe to run again: it installs nothing that
# is already there.
set -euo pipefail

PACKAGES=(
  build-essential
  postgresql-15 postgresql-server-dev-15 postgresql-common
  libcjson-dev libcmocka-dev
  mariadb-server mariadb-client libmariadb-dev mariadb-test
  postgresql-15-mysql-fdw
  sqitch libdbd-pg-perl libdbd-mysql-perl
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ferry: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "ferry: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps apt from starting the distribution's own servers
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq "${missing[@]}" >/dev/null
