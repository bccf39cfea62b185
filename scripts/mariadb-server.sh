#!/usr/bin/env bash
# mariadb-server.sh start|stop DIR
#
# A throwaway MariaDB server for ferry's tests, living entirely in DIR:
# data in DIR/data, socket DIR/sock, log DIR/error.log, and the PID of the
# mariadbd we started in DIR/mariadbd.pid.  The server loads UDFs from
# mariadb_plugin/ of this repository (build it first), and `start` runs
# mariadb_plugin/install.sql, so the catalog and the UDFs are in place.
# `stop` kills exactly the PID we saved, never a process found by name.
#
# It runs as root (CI) or as any user owning DIR; no TTY is needed.  It
# does not install packages: scripts/test.sh does that for every suite.
#
# Two environment variables serve scripts/mariadb-tests.sh --sanitize:
#   FERRY_PLUGIN_DIR        another directory holding ferry.so and install.sql
#   FERRY_MARIADBD_PRELOAD  an LD_PRELOAD for mariadbd alone (the ASan runtime)
# and one serves the benchmarks (bench/), which need a bigger buffer pool:
#   FERRY_MARIADBD_OPTS     extra mariadbd options, after the ones below, so
#                           they win (--innodb-buffer-pool-size=1G)
# and one serves scripts/valgrind-mariadb.sh:
#   FERRY_MARIADBD_WRAPPER  a command that mariadbd runs under ("valgrind
#                           --log-file=..."); the server then gets 10 minutes
#                           to start instead of 1
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
plugin_dir=${FERRY_PLUGIN_DIR:-$here/mariadb_plugin}

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "mariadb-server.sh: '$1' not found; install mariadb-server and mariadb-client (apt-get install -y mariadb-server mariadb-client)" >&2
        exit 1
    }
}

start() {
    need mariadbd
    need mariadb-install-db
    need mariadb-admin
    need mariadb
    if [ ! -f "$plugin_dir/ferry.so" ]; then
        echo "mariadb-server.sh: $plugin_dir/ferry.so missing; run make -C mariadb_plugin" >&2
        exit 1
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/mariadbd.pid" ] && kill -0 "$(cat "$dir/mariadbd.pid")" 2>/dev/null; then
        echo "mariadb-server.sh: a server is already running for $dir (pid $(cat "$dir/mariadbd.pid"))" >&2
        exit 1
    fi
    local user
    user=$(id -un)
    # a private tmpdir: servers started at the same moment name their
    # temporary tables alike, and in a shared /tmp one removes the other's
    mkdir -p "$dir/tmp"
    if [ ! -d "$dir/data/mysql" ]; then
        mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
            --tmpdir="$dir/tmp" --auth-root-authentication-method=normal --skip-test-db \
            >"$dir/install-db.log" 2>&1 || {
                echo "mariadb-server.sh: mariadb-install-db failed:" >&2
                cat "$dir/install-db.log" >&2
                exit 1
            }
    fi
    # --no-defaults must come first.  utf8mb4 as the server default, as a
    # Debian install configures it (the compiled-in default is latin1).
    # shellcheck disable=SC2086
    env ${FERRY_MARIADBD_PRELOAD:+LD_PRELOAD="$FERRY_MARIADBD_PRELOAD"} \
    ${FERRY_MARIADBD_WRAPPER:-} mariadbd --no-defaults --user="$user" --datadir="$dir/data" \
        --socket="$dir/sock" --skip-networking --plugin-dir="$plugin_dir" --tmpdir="$dir/tmp" \
        --pid-file="$dir/server.pid" --log-error="$dir/error.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --innodb-buffer-pool-size=64M --skip-log-bin ${FERRY_MARIADBD_OPTS:-} \
        </dev/null >/dev/null 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/mariadbd.pid"
    local i tries=120
    [ -n "${FERRY_MARIADBD_WRAPPER:-}" ] && tries=1200
    for i in $(seq 1 "$tries"); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "mariadb-server.sh: mariadbd exited during startup:" >&2
            tail -n 30 "$dir/error.log" >&2 || true
            rm -f "$dir/mariadbd.pid"
            exit 1
        fi
        if mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
            break
        fi
        sleep 0.5
    done
    if ! mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
        echo "mariadb-server.sh: server not ready after $((tries / 2))s" >&2
        tail -n 30 "$dir/error.log" >&2 || true
        stop
        exit 1
    fi
    mariadb --no-defaults --socket="$dir/sock" -uroot <"$plugin_dir/install.sql" || {
        echo "mariadb-server.sh: install.sql failed" >&2
        stop
        exit 1
    }
    echo "mariadb-server.sh: started pid $pid, socket $dir/sock"
}

stop() {
    [ -f "$dir/mariadbd.pid" ] || return 0
    local pid
    pid=$(cat "$dir/mariadbd.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 120); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "mariadb-server.sh: pid $pid did not stop in 60s; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
            sleep 1
        fi
    fi
    rm -f "$dir/mariadbd.pid"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
