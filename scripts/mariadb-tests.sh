#!/usr/bin/env bash
# mariadb-tests.sh [--record] [--sanitize] [NAME...]
#
# Builds mariadb_plugin/ferry.so, starts a throwaway MariaDB server in a
# temporary directory (scripts/mariadb-server.sh, which also loads
# install.sql), runs every tests/mariadb/t/NAME.test with mariadb-test
# against tests/mariadb/r/NAME.result, then every test of the security
# suite, tests/security/mariadb/NAME.test against NAME.result beside it,
# and stops the server whatever happens.  Prints "ok NAME" or "FAILED NAME" with the diff, and ends with
# the line "mariadb: N passed, N failed"; exits non-zero on any failure.
#
# --record rewrites the .result files from this run instead of comparing;
# read every recorded line before committing it.  NAME... limits the run.
#
# --sanitize runs the same tests against a ferry.so built (in the temporary
# directory; the normal build is left alone) with -fsanitize=address,undefined,
# loaded by a mariadbd with the ASan runtime preloaded: a memory error or
# undefined behaviour in a UDF stops the server, and any sanitizer report in
# its log fails the run.  It then runs tests/mariadb/udf_harness.c, which
# calls every UDF as the server does with bad arguments but gives each value
# a heap block of its own, so that ASan also sees reads past a value that the
# server's arena would hide (and leaks); "ok udf_harness" or "FAILED".
#
# The tests reach the server through two environment variables:
#   FERRY_MYSQL   a mariadb client command line for the test server
#   FERRY_PLUGIN  the mariadb_plugin directory (procedures.sql is loaded
#                 from there into each test's database)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tdir="$here/tests/mariadb"
sdir="$here/tests/security/mariadb"
record=0
sanitize=0
names=()
for arg in "$@"; do
    case "$arg" in
        --record) record=1 ;;
        --sanitize) sanitize=1 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
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

if [ "$sanitize" -eq 1 ]; then
    # CFLAGS on make's command line replaces the Makefile's own, -Werror
    # included: GCC warns falsely under the sanitizers.
    san="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    mkdir -p "$work/asan/core" "$work/asan/mariadb_plugin"
    cp "$here"/core/*.c "$here"/core/*.h "$work/asan/core/"
    cp "$here"/mariadb_plugin/*.c "$here"/mariadb_plugin/*.h "$here"/mariadb_plugin/*.sql \
       "$here/mariadb_plugin/Makefile" "$work/asan/mariadb_plugin/"
    if ! make -C "$work/asan/mariadb_plugin" CFLAGS="-std=gnu11 -fPIC -Wall $san" \
            LDFLAGS="-fsanitize=address,undefined" >>"$work/build.log" 2>&1 ||
       ! cc -std=gnu11 -Wall -Wextra -Werror $san $(mariadb_config --include) \
            -o "$work/asan/udf_harness" "$tdir/udf_harness.c" -ldl >>"$work/build.log" 2>&1; then
        echo "FAILED build (--sanitize)"
        cat "$work/build.log"
        failed=$((failed + 1))
        finish
    fi
    export FERRY_PLUGIN_DIR="$work/asan/mariadb_plugin"
    FERRY_MARIADBD_PRELOAD=$(ldd "$FERRY_PLUGIN_DIR/ferry.so" | awk '/libasan/ { print $3 }')
    export FERRY_MARIADBD_PRELOAD
    # The server's own allocations are not ours to judge: no leak report.
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
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
    for t in "$tdir"/t/*.test "$sdir"/*.test; do
        [ -e "$t" ] || continue
        n=$(basename "$t" .test)
        names+=("$n")
    done
fi

mkdir -p "$work/mtr"
for n in "${names[@]}"; do
    # a security test keeps its result beside it
    if [ -f "$sdir/$n.test" ]; then
        t="$sdir/$n.test"
        r="$sdir/$n.result"
    else
        t="$tdir/t/$n.test"
        r="$tdir/r/$n.result"
    fi
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
        mkdir -p "$(dirname "$r")"
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
    rm -f "$work/mtr/$n.reject" "${r%.result}.reject"
    if mariadb-test "${args[@]}" >"$out" 2>&1; then
        echo "ok $n"
        passed=$((passed + 1))
    else
        echo "FAILED $n"
        reject=""
        for f in "$work/mtr/$n.reject" "${r%.result}.reject"; do
            [ -f "$f" ] && reject=$f
        done
        if [ -n "$reject" ]; then
            # mariadb-test prints the same diff; show it once, then its verdict.
            diff -u "$r" "$reject" || true
            rm -f "${r%.result}.reject"
            tail -n 2 "$out"
        else
            cat "$out"
        fi
        # a test that took the server down: its log says how, and the
        # tests after it would only fail to connect
        sleep 1
        if ! mariadb-admin --no-defaults --socket="$work/server/sock" -uroot ping >/dev/null 2>&1; then
            echo "the server died; the end of its log:"
            tail -n 60 "$work/server/error.log"
            failed=$((failed + 1))
            break
        fi
        failed=$((failed + 1))
    fi
done

if [ "$sanitize" -eq 1 ]; then
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$work/server/error.log"; then
        echo "FAILED sanitizer (reports in the server's log):"
        grep -A 30 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$work/server/error.log"
        failed=$((failed + 1))
    fi
    if ASAN_OPTIONS=detect_leaks=1 "$work/asan/udf_harness" "$FERRY_PLUGIN_DIR/ferry.so" \
            "$here/mariadb_plugin/install.sql" >"$work/harness.log" 2>&1; then
        echo "ok udf_harness ($(tail -n 1 "$work/harness.log"))"
        passed=$((passed + 1))
    else
        echo "FAILED udf_harness"
        cat "$work/harness.log"
        failed=$((failed + 1))
    fi
fi

finish
