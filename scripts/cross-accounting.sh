#!/usr/bin/env bash
# cross-accounting.sh -- identical accounting on both engines (issue 7): the
# same migration (tests/cross/accounting: the wedding example and one built
# from ../shared/datasets/chinook, specs read from one JSON file each) runs
# on a throwaway MariaDB and on PostgreSQL; per phase the migrated / merged
# / rejected / filtered / skipped counts of two runs, the rejects' (phase,
# legacy key, reason) multiset, the validation results, the id maps, the
# target rows, validation after the same damage, and rollback must be the
# same, line for line.  Prints "ok cross_accounting", or the diff and
# "FAILED cross_accounting".
#
#   bash scripts/cross-accounting.sh           self-contained: builds ferry
#                                              for both engines, stages the
#                                              PostgreSQL one and runs itself
#                                              in a throwaway cluster
#   bash scripts/cross-accounting.sh --inside  inside a cluster (pg-run.sh) whose
#                                              server already finds ferry
#                                              (scripts/test.sh does this)
#
# CROSS_ACCOUNTING_KEEP=DIR keeps both engines' outputs (and the MariaDB
# log) in DIR.  The MariaDB server it starts is stopped by its saved PID
# (scripts/mariadb-server.sh stop) on every exit path, never by name.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=cross_accounting
SCENARIOS="wedding chinook"

if [ "${1:-}" != "--inside" ]; then
  PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
  stage=$(mktemp -d /tmp/ferry-xacc-stage.XXXXXX)
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

work=$(mktemp -d /tmp/ferry-xacc.XXXXXX)
log=$work/output.log
: >"$log"

cleanup() {
  # scripts/mariadb-server.sh stop kills exactly the PID saved in
  # $work/mariadb/mariadbd.pid, and nothing when there is none
  bash scripts/mariadb-server.sh stop "$work/mariadb" >>"$log" 2>&1 || true
  if [ -n "${CROSS_ACCOUNTING_KEEP:-}" ]; then
    mkdir -p "$CROSS_ACCOUNTING_KEEP"
    cp "$work"/*.out "$log" "$CROSS_ACCOUNTING_KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  tail -n 40 "$log" 2>/dev/null || true
  echo "FAILED $NAME${1:+: $1}"
  exit 1
}

# the chinook scenario loads the dataset on both engines: a copy of it is
# kept in tests/data (MIT, unchanged), so a clone alone runs this test
datasets=${FERRY_DATASETS:-$PWD/tests/data}
for f in mysql/Chinook_MySql.sql postgres/Chinook_PostgreSql.sql; do
  [ -r "$datasets/chinook/$f" ] || fail "$datasets/chinook/$f not found (FERRY_DATASETS names the datasets folder)"
done
export FERRY_DATASETS=$datasets

# MariaDB's UDFs come from mariadb_plugin/ferry.so (a no-op when it is up to date)
make -s -C mariadb_plugin >>"$log" 2>&1 || fail "building the MariaDB plugin"
bash scripts/mariadb-server.sh start "$work/mariadb" >>"$log" 2>&1 || fail "MariaDB did not start"

for s in $SCENARIOS; do
  tests/cross/accounting/run-mariadb.sh "$work/mariadb/sock" "$s" >>"$work/mariadb.out" 2>>"$log" ||
    fail "the $s scenario on MariaDB"
  tests/cross/accounting/run-postgres.sh "$s" >>"$work/postgres.out" 2>>"$log" ||
    fail "the $s scenario on PostgreSQL"
done

cp "$work/postgres.out" "$work/postgres.cmp"
cp "$work/mariadb.out" "$work/mariadb.cmp"
if ! diff -u --label postgres --label mariadb "$work/postgres.cmp" "$work/mariadb.cmp" >"$work/diff"; then
  head -n 200 "$work/diff"
  echo "($(grep -c '^[-+][a-z]' "$work/diff") differing lines; CROSS_ACCOUNTING_KEEP=DIR keeps both outputs)"
  echo "FAILED $NAME: the engines disagree"
  exit 1
fi
# an empty output would compare equal: make sure every part is there
for s in $SCENARIOS; do
  for part in source spec_checksum run1 run2 run3 reject validate tampered fixed map content rollback after_rollback; do
    grep -q -P "^$s\t$part\t" "$work/postgres.cmp" || fail "no $part lines for $s"
  done
done

# the figures, for the log of scripts/test.sh
echo "compared $(wc -l <"$work/postgres.cmp") lines per engine; run 1 (phase, migrated, merged, rejected, filtered, skipped):"
grep -P '^[a-z]+\trun1\tmigrate\t' "$work/postgres.cmp" | cut -f1,5- | sed 's/^/  /'
echo "rejects (count, scenario, phase, reason):"
grep -P '^[a-z]+\treject\t' "$work/postgres.cmp" | cut -f1,3,5 | sort | uniq -c | sed 's/^ */  /'
echo "validation (count, scenario, status):"
grep -P '^[a-z]+\tvalidate\t' "$work/postgres.cmp" | cut -f1,5 | sort | uniq -c | sed 's/^ */  /'
echo "ok $NAME"
