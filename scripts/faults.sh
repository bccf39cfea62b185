#!/usr/bin/env bash
# faults.sh [pg|mariadb]... -- ferry's fault suite (tests/faults/): kill -9
# of the server in the middle of a batched migration, a migration, a
# rollback and a sync, checked after crash recovery, and runs that compete
# (the same phase twice, two phases on one target, an application writing
# into the source), on PostgreSQL 15 and MariaDB 10.11.
#
# Builds what it needs (the extension, staged into a temporary directory;
# mariadb_plugin/ferry.so), runs the two engines' suites side by side on
# throwaway servers of their own, prints every "ok NAME" / "FAILED NAME"
# line, then "faults: N passed, N failed"; exits non-zero on any failure.
# STAGE=dir reuses a `make install DESTDIR=dir` tree instead of building.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG
engines=("$@")
[ ${#engines[@]} -eq 0 ] && engines=(pg mariadb)

work=$(mktemp -d /tmp/ferry-faults.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
failed_setup=0

run_pg() {
    local stage=${STAGE:-}
    if [ -z "$stage" ]; then
        stage="$work/stage"
        if ! { make -s PG_CONFIG="$PG_CONFIG" && make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$stage"; } \
                >"$work/pg-build.log" 2>&1; then
            cat "$work/pg-build.log"
            echo "FAILED pg: building the extension"
            return 1
        fi
        chmod -R a+rX "$stage"
    fi
    bash tests/faults/pg.sh "$stage" "$work/pg"
}

run_mariadb() {
    if ! make -C mariadb_plugin >"$work/mariadb-build.log" 2>&1; then
        cat "$work/mariadb-build.log"
        echo "FAILED mariadb: building the plugin"
        return 1
    fi
    bash tests/faults/mariadb.sh "$work/mariadb"
}

pids=()
for engine in "${engines[@]}"; do
    case "$engine" in
        pg|mariadb) { "run_$engine" >"$work/$engine.log" 2>&1; echo $? >"$work/$engine.rc"; } &
                    pids+=($!) ;;
        *) echo "FAILED faults: no engine '$engine' (pg, mariadb)"; failed_setup=1 ;;
    esac
done
for pid in "${pids[@]}"; do
    wait "$pid"
done

passed=0
failed=$failed_setup
for engine in "${engines[@]}"; do
    log="$work/$engine.log"
    [ -f "$log" ] || continue
    echo "--- $engine"
    # each check's line, and whatever else the suite printed (errors)
    sed -e 's/^ok /ok '"$engine"': /' -e 's/^FAILED /FAILED '"$engine"': /' "$log"
    ok=$(grep -c '^ok ' "$log")
    bad=$(grep -c '^FAILED ' "$log")
    # a suite that died before its first check, or failed without a
    # FAILED line, fails
    if [ "$bad" -eq 0 ] && { [ "$ok" -eq 0 ] || [ "$(cat "$work/$engine.rc")" != 0 ]; }; then
        echo "FAILED $engine: the suite ended early (exit $(cat "$work/$engine.rc"))"
        bad=1
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
done
echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
