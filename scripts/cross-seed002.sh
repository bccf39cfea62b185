#!/usr/bin/env bash
# cross-seed002.sh -- seed 002 across engines: the legacy ordermys schema in
# a throwaway MariaDB, read by PostgreSQL through mysql_fdw and migrated by
# ferry's phases (tests/cross/seed002_migration.sql).  Prints
# "ok seed002_cross", or "FAILED seed002_cross" after the end of the output.
#
#   bash scripts/cross-seed002.sh           self-contained: builds ferry,
#                                           stages it and runs itself in a
#                                           throwaway cluster (scripts/pg-run.sh)
#   bash scripts/cross-seed002.sh --inside  inside a cluster (pg-run.sh) whose
#                                           server already finds ferry
#                                           (scripts/test.sh does this)
#
# SEED002_LOG=FILE keeps the whole output in FILE.
#
# Needs mariadb-server, mariadb-client and postgresql-15-mysql-fdw
# (scripts/deps.sh installs them).  The MariaDB server it starts is stopped
# by its saved PID on every exit path, never by name.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=seed002_cross

if [ "${1:-}" != "--inside" ]; then
  PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  stage=$(mktemp -d /tmp/ferry-seed002-stage.XXXXXX)
  trap 'rm -rf "$stage"' EXIT
  make -s PG_CONFIG="$PG_CONFIG" >/dev/null
  make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$stage" >/dev/null
  # the cluster's server runs as postgres and must read the staged files
  chmod 755 "$stage"
  chmod -R a+rX "$stage"
  # not exec: the EXIT trap must still remove the stage afterwards
  bash scripts/pg-run.sh "$stage" bash "$0" --inside
  exit $?
fi

work=$(mktemp -d /tmp/ferry-seed002.XXXXXX)
log=$work/output.log
pidfile=$work/mariadbd.pid

stop_mariadb() {
  [ -f "$pidfile" ] || return 0
  local pid _
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    # a server that ignores TERM for a minute is hung, not shutting down
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile"
}
cleanup() {
  stop_mariadb
  # SEED002_LOG=FILE keeps the whole output (psql, MariaDB) for a look afterwards
  if [ -n "${SEED002_LOG:-}" ]; then cp "$log" "$SEED002_LOG" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  # the end of the output is what tells why; the whole log dies with $work
  tail -n 40 "$log" 2>/dev/null || true
  echo "FAILED $NAME${1:+: $1}"
  exit 1
}

my() { mariadb --no-defaults --socket="$work/sock" -uroot "$@"; }

# mysql_fdw speaks TCP only, so the server listens on 127.0.0.1 (never on a
# public address).  The port is derived from our PID to keep parallel runs
# apart; if it is taken anyway, mariadbd exits at once and the next one is tried.
# a private tmpdir: servers started at the same moment name their temporary
# tables alike, and in a shared /tmp one removes the other's
mkdir -p "$work/tmp"
mariadb-install-db --no-defaults --user=root --datadir="$work/data" --tmpdir="$work/tmp" \
  --auth-root-authentication-method=normal --skip-test-db >"$log" 2>&1 ||
  fail "mariadb-install-db"
port=
for attempt in 0 1 2 3 4; do
  try=$((20000 + ($$ * 7 + attempt * 1013) % 30000))
  # --skip-name-resolve: the fdw connection is then seen as coming from
  # 127.0.0.1, the host its account is granted to (not as 'localhost')
  mariadbd --no-defaults --user=root --datadir="$work/data" --socket="$work/sock" --tmpdir="$work/tmp" \
    --bind-address=127.0.0.1 --port="$try" --skip-name-resolve \
    --pid-file="$work/server.pid" --log-error="$work/error.log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=64M --skip-log-bin \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    if mariadb-admin --no-defaults --socket="$work/sock" -uroot ping >/dev/null 2>&1; then
      port=$try
      break
    fi
    sleep 0.5
  done
  [ -n "$port" ] && break
  stop_mariadb
done
if [ -z "$port" ]; then
  cat "$work/error.log" >>"$log" 2>/dev/null || true
  fail "MariaDB did not start"
fi

# the legacy data, then a read-only account for the foreign server
my <tests/cross/seed002_legacy_mysql.sql >>"$log" 2>&1 || fail "loading the legacy schema"
password=$(head -c 24 /dev/urandom | md5sum | cut -c1-24)
my -e "CREATE USER 'ferry_fdw'@'127.0.0.1' IDENTIFIED BY '$password';
       GRANT SELECT ON ordermys.* TO 'ferry_fdw'@'127.0.0.1';" >>"$log" 2>&1 ||
  fail "creating the fdw account"

# MariaDB's own checksums, before and after: the source must come out
# untouched, whatever PostgreSQL saw through the fdw
checksums() {
  my -N -e "CHECKSUM TABLE ordermys.Credentials, ordermys.Factories, ordermys.Brands, ordermys.Saddles,
            ordermys.Fitters, ordermys.Customers, ordermys.Statuses, ordermys.Orders, ordermys.OrdersInfo EXTENDED"
}
checksums >"$work/checksum.before" 2>>"$log" || fail "checksumming the legacy tables"

createdb "$NAME" >>"$log" 2>&1 || fail "createdb"
if ! psql -X -v ON_ERROR_STOP=1 -d "$NAME" \
     -v mysql_host=127.0.0.1 -v mysql_port="$port" -v mysql_user=ferry_fdw \
     -v mysql_password="$password" -v mysql_db=ordermys \
     -f tests/cross/seed002_migration.sql >>"$log" 2>&1; then
  dropdb "$NAME" >/dev/null 2>&1 || true
  fail
fi
dropdb "$NAME" >>"$log" 2>&1 || true

checksums >"$work/checksum.after" 2>>"$log" || fail "checksumming the legacy tables"
if ! diff "$work/checksum.before" "$work/checksum.after" >>"$log" 2>&1; then
  fail "the legacy tables changed in MariaDB"
fi
grep -q '^seed002: ok$' "$log" || fail "the migration file did not reach its end"
# the figures, for the log of scripts/test.sh
sed -n "/^seed002: migrate_all()/,/^(/p" "$log"
echo "ok $NAME"
