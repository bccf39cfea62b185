#!/usr/bin/env bash
# mariadb-scenarios.sh [NAME...]
#
# The seed scenarios on MariaDB as plain SQL files, as a DBA would run a
# migration file with the mariadb client: every tests/scenarios_mariadb/*.sql
# (or only NAME...) runs in a fresh database named after the file, which
# holds ferry's procedures (mariadb_plugin/procedures.sql) and becomes the
# migration's target database.  The client stops at the first error, so a
# failed assertion (SIGNAL) or any ferry error fails the file.
#
# Starts a throwaway server (scripts/mariadb-server.sh, which loads
# install.sql) in a temporary directory and stops it on every exit path.
# Builds mariadb_plugin/ferry.so first only when make says it is stale.
# Prints "ok NAME" or "FAILED NAME" (with the end of its output) per file and
# ends with "mariadb scenarios: N passed, N failed"; non-zero exit on any
# failure.  FERRY_SCENARIO_VERBOSE=1 prints every file's whole output.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sdir="$here/tests/scenarios_mariadb"
passed=0
failed=0
work=""

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$work" ]; then
        "$here/scripts/mariadb-server.sh" stop "$work/server" >/dev/null 2>&1 || true
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

finish() {
    echo "mariadb scenarios: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

for tool in mariadbd mariadb-install-db mariadb-admin mariadb make; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAILED setup: '$tool' not found (apt-get install -y mariadb-server mariadb-client libmariadb-dev libcjson-dev build-essential)"
        failed=$((failed + 1))
        finish
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-mariadb-scen.XXXXXX")

# build only if needed: `make -q` answers whether ferry.so is up to date
if ! make -q -C "$here/mariadb_plugin" >/dev/null 2>&1; then
    if ! make -C "$here/mariadb_plugin" >"$work/build.log" 2>&1; then
        echo "FAILED build"
        cat "$work/build.log"
        failed=$((failed + 1))
        finish
    fi
fi

if ! "$here/scripts/mariadb-server.sh" start "$work/server" >"$work/server.log" 2>&1; then
    echo "FAILED server"
    cat "$work/server.log"
    failed=$((failed + 1))
    finish
fi

client=(mariadb --no-defaults --socket="$work/server/sock" -uroot)

files=()
if [ $# -gt 0 ]; then
    for n in "$@"; do files+=("$sdir/${n%.sql}.sql"); done
else
    for f in "$sdir"/*.sql; do [ -e "$f" ] && files+=("$f"); done
fi

for f in "${files[@]}"; do
    name=$(basename "$f" .sql)
    out="$work/$name.out"
    if [ ! -f "$f" ]; then
        echo "FAILED $name (no such file: $f)"
        failed=$((failed + 1))
        continue
    fi
    SECONDS=0
    if "${client[@]}" -e "DROP DATABASE IF EXISTS \`$name\`; CREATE DATABASE \`$name\`" >"$out" 2>&1 &&
       "${client[@]}" "$name" <"$here/mariadb_plugin/procedures.sql" >>"$out" 2>&1 &&
       "${client[@]}" --table "$name" <"$f" >>"$out" 2>&1; then
        [ "${FERRY_SCENARIO_VERBOSE:-0}" = 1 ] && cat "$out"
        echo "ok $name (${SECONDS}s)"
        passed=$((passed + 1))
    else
        tail -n 25 "$out"
        echo "FAILED $name"
        failed=$((failed + 1))
    fi
done

finish
