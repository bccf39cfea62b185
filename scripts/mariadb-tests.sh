#!/usr/bin/env bash
# mariadb-tests.sh [--record] [NAME...]
#
# Builds mariadb_plugin/ferry.so, starts a throwaway MariaDB server in a
# temporary directory (scripts/mariadb-server.sh, which also loads
# install.sql), runs every tests/mariadb/t/NAME.test with mariadb-test
# against tests/mariadb/r/NAME.result, and stops the server whatever
# happens.  Prints "ok NAME" or "FAILED NAME" with the diff, and ends with
# the line "mariadb: N passed, N failed"; exits non-zero on any failure.
#
# --record rewrites the .result files from this run instead of comparing;
# read every recorded line before committing it.  NAME... limits the run.
#
# The tests reach the server through two environment variables:
#   FERRY_MYSQL   a mariadb client command line for the test server
#   FERRY_PLUGIN  the mariadb_plugin directory (procedures.sql is loaded
#                 from there into each test's database)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tdir="$here/tests/mariadb"
record=0
names=()
for arg in "$@"; do
    case "$arg" in
        --record) record=1 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) names+=("$arg") ;;
    esac
done

passed=0
failed=0

finish() {
    echo "mariadb: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

for tool in mariadb-test mariadbd mariadb-install-db mariadb make cc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAILED setup: '$tool' not found (apt-get install -y mariadb-server mariadb-client mariadb-test libmariadb-dev libcjson-dev build-essential)"
        failed=$((failed + 1))
        finish
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-mariadb.XXXXXX")
cleanup() {
    "$here/scripts/mariadb-server.sh" stop "$work/server" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! make -C "$here/mariadb_plugin" >"$work/build.log" 2>&1; then
    echo "FAILED build"
    cat "$work/build.log"
    failed=$((failed + 1))
    finish
fi

if ! "$here/scripts/mariadb-server.sh" start "$work/server" >"$work/server.log" 2>&1; then
    echo "FAILED server"
    cat "$work/server.log"
    failed=$((failed + 1))
    finish
fi

export FERRY_MYSQL="mariadb --no-defaults --socket=$work/server/sock -uroot"
export FERRY_PLUGIN="$here/mariadb_plugin"

if [ ${#names[@]} -eq 0 ]; then
    for t in "$tdir"/t/*.test; do
        [ -e "$t" ] || continue
        n=$(basename "$t" .test)
        names+=("$n")
    done
fi

mkdir -p "$work/mtr"
for n in "${names[@]}"; do
    t="$tdir/t/$n.test"
    r="$tdir/r/$n.result"
    out="$work/mtr/$n.out"
    if [ ! -f "$t" ]; then
        echo "FAILED $n (no such test: $t)"
        failed=$((failed + 1))
        continue
    fi
    args=(--no-defaults --socket="$work/server/sock" --user=root
          --tmpdir="$work/mtr" --logdir="$work/mtr"
          --test-file="$t" --result-file="$r")
    if [ "$record" -eq 1 ]; then
        mkdir -p "$tdir/r"
        if mariadb-test "${args[@]}" --record >"$out" 2>&1; then
            echo "ok $n (recorded)"
            passed=$((passed + 1))
        else
            echo "FAILED $n (record)"
            cat "$out"
            failed=$((failed + 1))
        fi
        continue
    fi
    if [ ! -f "$r" ]; then
        echo "FAILED $n (no result file $r; record it with --record)"
        failed=$((failed + 1))
        continue
    fi
    rm -f "$work/mtr/$n.reject" "$tdir/r/$n.reject"
    if mariadb-test "${args[@]}" >"$out" 2>&1; then
        echo "ok $n"
        passed=$((passed + 1))
    else
        echo "FAILED $n"
        reject=""
        for f in "$work/mtr/$n.reject" "$tdir/r/$n.reject"; do
            [ -f "$f" ] && reject=$f
        done
        if [ -n "$reject" ]; then
            # mariadb-test prints the same diff; show it once, then its verdict.
            diff -u "$r" "$reject" || true
            rm -f "$tdir/r/$n.reject"
            tail -n 2 "$out"
        else
            cat "$out"
        fi
        failed=$((failed + 1))
    fi
done

finish
