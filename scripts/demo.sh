#!/usr/bin/env bash
# demo.sh [pg|mariadb|both] -- the wedding migration of seed 001 on a
# throwaway server: load the legacy schema, migrate with ferry from a plain
# SQL file, validate, roll back, and show that the data is back as it was
# (a checksum of every legacy table and the target row counts, before and
# after).  Installs what is missing, starts and stops its own servers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENGINE=${1:-both}
EX=examples/wedding

banner() { printf '\n== %s\n' "$*"; }

# compare BEFORE AFTER: the checksum line must not change
compare() {
  echo "before: $1"
  echo "after:  $2"
  if [ "$1" != "$2" ]; then
    echo "FAIL: the data is not as it was" >&2
    return 1
  fi
  echo "PASS: after rollback the legacy tables and the targets are exactly as before"
}

pg_session() {
  local P="psql -X -v ON_ERROR_STOP=1 -q"
  banner "PostgreSQL: load the legacy schema ($EX/postgres/legacy.sql)"
  $P -f $EX/postgres/legacy.sql
  local before after fails
  before=$($P -At -F ' ' -f $EX/postgres/checksum.sql)
  banner "PostgreSQL: migrate ($EX/postgres/migrate.sql)"
  $P -P pager=off -f $EX/postgres/migrate.sql
  fails=$($P -At -c "SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL'")
  [ "$fails" = 0 ] || { echo "FAIL: validation reported $fails failures" >&2; return 1; }
  echo "PASS: validation has no FAIL"
  banner "PostgreSQL: roll back ($EX/postgres/rollback.sql)"
  $P -P pager=off -f $EX/postgres/rollback.sql
  after=$($P -At -F ' ' -f $EX/postgres/checksum.sql)
  compare "$before" "$after"
}

run_pg() {
  local PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config stage
  stage=$(mktemp -d /tmp/ferry-demo-pg.XXXXXX)
  chmod 755 "$stage"
  make -s PG_CONFIG=$PG_CONFIG >/dev/null
  make -s PG_CONFIG=$PG_CONFIG install DESTDIR="$stage" >/dev/null
  chmod -R a+rX "$stage"
  banner "PostgreSQL 15: throwaway cluster (scripts/pg-run.sh)"
  local rc=0
  bash scripts/pg-run.sh "$stage" bash "$0" --pg-session || rc=$?
  rm -rf "$stage"
  return $rc
}

mariadb_session() {
  local M="mariadb --no-defaults --socket=$1/sock -uroot" before after fails
  $M -e "CREATE DATABASE wedding"
  $M wedding < mariadb_plugin/procedures.sql
  banner "MariaDB: load the legacy schema ($EX/mariadb/legacy.sql)"
  $M wedding < $EX/mariadb/legacy.sql
  before=$($M -N -B wedding < $EX/mariadb/checksum.sql | tr '\t' ' ')
  banner "MariaDB: migrate ($EX/mariadb/migrate.sql)"
  $M -t wedding < $EX/mariadb/migrate.sql
  fails=$($M -N -B wedding -e "CALL validate_migration_integrity(NULL)" | awk -F'\t' '$3 == "FAIL"' | wc -l)
  [ "$fails" = 0 ] || { echo "FAIL: validation reported $fails failures" >&2; return 1; }
  echo "PASS: validation has no FAIL"
  banner "MariaDB: roll back ($EX/mariadb/rollback.sql)"
  $M -t wedding < $EX/mariadb/rollback.sql
  after=$($M -N -B wedding < $EX/mariadb/checksum.sql | tr '\t' ' ')
  compare "$before" "$after"
}

run_mariadb() {
  local dir rc=0
  dir=$(mktemp -d /tmp/ferry-demo-mariadb.XXXXXX)
  make -s -C mariadb_plugin >/dev/null
  banner "MariaDB 10.11: throwaway server"
  bash scripts/mariadb-server.sh start "$dir"
  # a process of its own, so that set -e holds inside the session
  bash "$0" --mariadb-session "$dir" || rc=$?
  bash scripts/mariadb-server.sh stop "$dir"
  rm -rf "$dir"
  return $rc
}

case "$ENGINE" in
  --pg-session) pg_session; exit ;;
  --mariadb-session) mariadb_session "$2"; exit ;;
esac
bash scripts/deps.sh
case "$ENGINE" in
  pg) run_pg ;;
  mariadb) run_mariadb ;;
  both) run_pg; run_mariadb ;;
  *) echo "usage: $0 [pg|mariadb|both]" >&2; exit 2 ;;
esac
banner "demo finished"
