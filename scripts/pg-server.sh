#!/usr/bin/env bash
# pg-server.sh start|stop|kill|restart DIR [STAGE]
#
# A throwaway PostgreSQL 15 cluster living entirely in DIR: data in
# DIR/data, the Unix socket in DIR (no TCP), log DIR/log.  Unlike
# pg_virtualenv it can be killed with SIGKILL and started again on the same
# data, which the fault tests need, and several can run at once: each has
# its own socket directory, so they all use port 5432 without clashing.
#
# STAGE is a `make install DESTDIR=STAGE` tree; the server finds ferry there
# through extension_destdir.  `start` prints the environment to use:
#     eval "$(bash scripts/pg-server.sh start DIR STAGE)"; psql -c 'select 1'
# `kill` sends SIGKILL to the postmaster (a crash, as kill -9 in production);
# `restart` starts it again, which runs crash recovery.  `stop` stops the
# postmaster whose PID the cluster recorded, never a process found by name.
#
# PG_SERVER_SETTINGS="shared_buffers=256MB work_mem=64MB" adds settings to a
# new cluster's postgresql.conf (benchmarks state theirs this way).
#
# As root the cluster runs as the postgres user (PostgreSQL refuses root).
set -euo pipefail

PGBIN=${PGBIN:-$(${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} --bindir)}

usage() {
    echo "usage: $0 start|stop|kill|restart DIR [STAGE]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
stage=${3:-}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

env_lines() {
    echo "export PGHOST='$dir' PGPORT=5432 PGUSER=postgres PGDATABASE=postgres"
}

launch() {
    as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -l '$dir/log' -w -t 120 start >/dev/null" || {
        echo "pg-server.sh: the server did not start:" >&2
        tail -n 30 "$dir/log" >&2 || true
        exit 1
    }
}

start() {
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir"
    fi
    chmod 755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "'$PGBIN/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" || {
            echo "pg-server.sh: initdb failed:" >&2
            cat "$dir/initdb.log" >&2
            exit 1
        }
        {
            echo "listen_addresses = ''"
            echo "unix_socket_directories = '$dir'"
            echo "port = 5432"
            echo "fsync = on"
            [ -n "$stage" ] && echo "extension_destdir = '$stage'"
            for setting in ${PG_SERVER_SETTINGS:-}; do
                echo "${setting%%=*} = '${setting#*=}'"
            done
        } >>"$dir/data/postgresql.conf"
    fi
    launch
    env_lines
}

postmaster_pid() {
    head -1 "$dir/data/postmaster.pid" 2>/dev/null || true
}

case "$cmd" in
    start) start ;;
    restart) launch; env_lines ;;
    kill)
        pid=$(postmaster_pid)
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        # wait for it to be gone; its backends notice and exit on their own
        for _ in $(seq 1 100); do
            [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        ;;
    stop)
        if [ -f "$dir/data/postmaster.pid" ]; then
            as_owner "'$PGBIN/pg_ctl' -D '$dir/data' -m fast -w -t 60 stop >/dev/null" || {
                pid=$(postmaster_pid)
                [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
            }
        fi
        ;;
    *) usage ;;
esac
