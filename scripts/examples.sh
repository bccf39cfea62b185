#!/usr/bin/env bash
# examples.sh [pg|mariadb|both] -- runs ferry with the tools DBAs already
# use, on throwaway servers, and prints one "ok NAME" or "FAILED NAME" line
# per check (scripts/test.sh counts them); exits non-zero on any FAILED.
#
# PostgreSQL (a cluster of scripts/pg-run.sh):
#   sqitch      examples/sqitch-wedding: sqitch deploy, verify, revert; the
#               legacy tables and the targets are as before (checksums)
#   flyway      examples/flyway-style: V1__..V5__ files in version order,
#               each with psql -v ON_ERROR_STOP=1 (flyway_migrate below)
#   flyway-stop the same plus late-rows/V3_1__late_rows.sql: V4's
#               assert_migration_integrity raises, the run stops non-zero
#               and V5 never runs
#   pgtap       pg_prove runs examples/pgtap/test_wedding.sql (passes) and
#               tests/pgtap/failing.sql (each assertion "not ok")
#   pg_dump     a database with ferry phases, dumped and restored: the
#               catalog and the id maps come back, and rollback works there
#   upgraded    the whole pg_regress suite with every CREATE EXTENSION ferry
#               made an install of 0.1 followed by ALTER EXTENSION ferry UPDATE
#   dist        make dist's archive builds and installs on its own, for the
#               PG_CONFIG given, and has both extensions and META.json
# MariaDB (scripts/mariadb-server.sh):
#   sqitch      the same Sqitch project through Sqitch's mysql engine
#   install     install.sql run again upgrades in place and keeps the
#               catalog; uninstall.sql leaves no ferry routine, UDF or
#               catalog behind, and install.sql works again after it
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENGINE=${1:-both}
STATUS=0

# check NAME COMMAND...: one line for the test command to count
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok $name"
  else
    echo "FAILED $name"
    STATUS=1
  fi
}

# same A B: two checksum lines must be equal
same() {
  [ "$1" = "$2" ] && return 0
  echo "  before: $1"
  echo "  after:  $2"
  return 1
}

# flyway_migrate DB DIR...: every V<version>__<name>.sql of the DIRs, in
# version order (V3_1 between V3 and V4, as Flyway orders them), each run
# by psql in one transaction with ON_ERROR_STOP; the first failure stops
# the run with a non-zero status, as Flyway stops.
flyway_migrate() {
  local db=$1 f
  shift
  for f in $(for d in "$@"; do ls "$d"/V*__*.sql; done |
             awk -F/ '{ v = $NF; sub(/^V/, "", v); sub(/__.*/, "", v); gsub(/_/, ".", v); print v "\t" $0 }' |
             sort -V | cut -f2); do
    echo "  applying $(basename "$f")"
    if ! psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$f"; then
      echo "  stopped at $(basename "$f")"
      return 1
    fi
  done
}

pg_sum() {
  psql -X -q -At -F ' ' -d "$1" -f examples/wedding/postgres/checksum.sql
}

pg_sqitch() {
  local before after
  createdb sqitch_pg
  psql -X -q -v ON_ERROR_STOP=1 -d sqitch_pg -f examples/wedding/postgres/legacy.sql 2>/dev/null
  before=$(pg_sum sqitch_pg)
  (cd examples/sqitch-wedding && sqitch deploy db:pg:sqitch_pg) || return 1
  [ "$(psql -X -At -d sqitch_pg -c 'SELECT count(*) FROM events')" = 1960 ] || return 1
  (cd examples/sqitch-wedding && sqitch verify db:pg:sqitch_pg) || return 1
  (cd examples/sqitch-wedding && sqitch revert -y db:pg:sqitch_pg) || return 1
  after=$(pg_sum sqitch_pg)
  same "$before" "$after"
}

pg_flyway() {
  createdb flyway
  flyway_migrate flyway examples/flyway-style >"$WORK/flyway.log" 2>&1
  local rc=$?
  cat "$WORK/flyway.log"
  [ $rc -eq 0 ] && grep -q '^ ## wedding_guests: `wedding_guests` -> `event_participants`, migrated' "$WORK/flyway.log"
}

pg_flyway_stop() {
  createdb flyway_late
  if flyway_migrate flyway_late examples/flyway-style examples/flyway-style/late-rows >"$WORK/late.log" 2>&1; then
    cat "$WORK/late.log"
    echo "  the run went on past a failing validation"
    return 1
  fi
  cat "$WORK/late.log"
  grep -q 'stopped at V4__verify.sql' "$WORK/late.log" &&
    grep -q 'ERROR:  migration integrity: 1 check failed' "$WORK/late.log" &&
    ! grep -q 'applying V5__report.sql' "$WORK/late.log"
}

pg_pgtap_pass() {
  pg_prove -d flyway examples/pgtap/test_wedding.sql
}

pg_pgtap_fail() {
  local rc
  pg_prove -v -d flyway tests/pgtap/failing.sql >"$WORK/tap.log" 2>&1
  rc=$?
  sed 's/^/  /' "$WORK/tap.log"
  [ $rc -ne 0 ] && [ "$(grep -c '^not ok ' "$WORK/tap.log")" = 4 ] &&
    grep -q 'wedding_data: target_rows_present: 1 map entries point at target rows that are gone' "$WORK/tap.log"
}

# the catalog as text: phases, log, rejects and every id map entry
pg_catalog_text() {
  psql -X -q -At -d "$1" -c "SELECT id, name, spec, checksum FROM ferry.phases ORDER BY id" \
    -c "SELECT id, phase_id, operation, status, rows FROM ferry.migration_log ORDER BY id" \
    -c "SELECT id, phase_id, legacy_key, reason FROM ferry.migration_rejects ORDER BY id" \
    -c "SELECT phase, legacy_id, new_id, run_id FROM id_mappings ORDER BY 1, 2"
}

pg_dump_restore() {
  local before after
  pg_dump -d flyway >"$WORK/flyway.dump" || return 1
  createdb restored
  psql -X -q -v ON_ERROR_STOP=1 -d restored -f "$WORK/flyway.dump" >/dev/null || return 1
  before=$(pg_catalog_text flyway | md5sum)
  after=$(pg_catalog_text restored | md5sum)
  same "$before" "$after" || return 1
  [ "$(pg_catalog_text restored | wc -l)" -gt 7800 ] || return 1
  # the restored catalog works: it validates, rolls back exactly, and new
  # ids do not clash with restored ones (the sequences came back too)
  psql -X -q -v ON_ERROR_STOP=1 -d restored \
    -c "SELECT assert_migration_integrity()" \
    -c "SELECT * FROM rollback_migration('wedding_data', cascade => true)" \
    -c "CREATE TABLE again_t (id uuid PRIMARY KEY, name text)" \
    -c "SELECT define_phase('again', '{\"source\": \"wedding_guests\", \"target\": \"again_t\", \"columns\": {\"name\": \"guest_name\"}}')" \
    >/dev/null || return 1
  [ "$(psql -X -At -d restored -c "SELECT count(*) FROM events") $(psql -X -At -d restored -c "SELECT id > 2 FROM ferry.phases WHERE name = 'again'")" = "0 t" ] || return 1
  same "$(pg_sum flyway | cut -d' ' -f1-2)" "$(pg_sum restored | cut -d' ' -f1-2)"
}

# the regression suite and the security suite (tests/security/pg) on
# upgraded installs: sql/ and expected/ copied with the one line changed in
# both, so any other difference is a failure
pg_suite_upgraded() {
  local dir=$WORK/upgraded f
  mkdir -p "$dir/sql" "$dir/expected"
  for f in sql/*.sql expected/*.out tests/security/pg/sql/*.sql tests/security/pg/expected/*.out; do
    sed "s/^CREATE EXTENSION ferry;\$/CREATE EXTENSION ferry VERSION '0.1'; ALTER EXTENSION ferry UPDATE;/" \
      "$f" >"$dir/${f#tests/security/pg/}"
  done
  make -s installcheck REGRESS_OPTS="--load-extension=plpgsql --inputdir=$dir --outputdir=$dir" \
    REGRESS="$(cd "$dir/sql" && ls *.sql | sed 's/\.sql$//' | tr '\n' ' ')" \
    >"$dir/log" 2>&1
  local rc=$?
  grep -E '\.\.\. ' "$dir/log" | grep -v '\.\.\. ok' | sed 's/^/  /'
  [ -f "$dir/regression.diffs" ] && head -40 "$dir/regression.diffs"
  [ $rc -eq 0 ] && grep -q 'All [0-9]* tests passed' "$dir/log"
}

pg_inside() {
  WORK=$(mktemp -d)
  check "pg sqitch deploy/verify/revert leaves the data as it was" pg_sqitch
  check "pg flyway-style V1..V5 in order" pg_flyway
  check "pg flyway-style: a failing validation stops the run" pg_flyway_stop
  check "pg pgtap: pg_prove passes examples/pgtap/test_wedding.sql" pg_pgtap_pass
  check "pg pgtap: failing assertions are reported as not ok" pg_pgtap_fail
  check "pg pg_dump | restore keeps the ferry catalog" pg_dump_restore
  check "pg the regression suite on installs upgraded from 0.1" pg_suite_upgraded
  rm -rf "$WORK"
  return $STATUS
}

pg_dist() {
  local pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} tmp src rc=0
  tmp=$(mktemp -d /tmp/ferry-dist.XXXXXX)
  rm -f ferry-*.zip ferry-*.tar.gz
  make -s dist >/dev/null && tar -xzf ferry-*.tar.gz -C "$tmp" && [ -s "$(ls ferry-*.zip)" ] || rc=1
  src=$(echo "$tmp"/ferry-*)
  [ $rc = 0 ] && make -s -C "$src" PG_CONFIG="$pg_config" >/dev/null 2>&1 &&
    make -s -C "$src" PG_CONFIG="$pg_config" install DESTDIR="$tmp/stage" >/dev/null 2>&1 &&
    [ -f "$tmp/stage$($pg_config --pkglibdir)/ferry.so" ] &&
    [ -f "$tmp/stage$($pg_config --sharedir)/extension/ferry_tap.control" ] &&
    [ -f "$src/META.json" ] || rc=1
  rm -rf "$tmp" ferry-*.zip ferry-*.tar.gz
  return $rc
}

run_pg() {
  local pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} stage rc=0
  stage=$(mktemp -d /tmp/ferry-examples-pg.XXXXXX)
  chmod 755 "$stage"
  if ! { make -s PG_CONFIG="$pg_config" >/dev/null &&
         make -s PG_CONFIG="$pg_config" install DESTDIR="$stage" >/dev/null; }; then
    echo "FAILED pg build"
    rm -rf "$stage"
    return 1
  fi
  chmod -R a+rX "$stage"
  bash scripts/pg-run.sh "$stage" bash "$0" --pg-inside || rc=$?
  rm -rf "$stage"
  check "make dist: the archive builds and installs for PG_CONFIG=$pg_config" pg_dist
  return $((rc | STATUS))
}

my_sum() {
  $M -N -B wedding < examples/wedding/mariadb/checksum.sql | tr '\t' ' '
}

my_sqitch() {
  local before after target="db:mysql://root@localhost/wedding?mysql_socket=$DIR/sock"
  $M -e "CREATE DATABASE wedding" || return 1
  $M wedding < mariadb_plugin/procedures.sql || return 1
  $M wedding < examples/wedding/mariadb/legacy.sql || return 1
  before=$(my_sum)
  (cd examples/sqitch-wedding && sqitch deploy "$target") || return 1
  [ "$($M -N -B wedding -e 'SELECT COUNT(*) FROM events')" = 1960 ] || return 1
  (cd examples/sqitch-wedding && sqitch verify "$target") || return 1
  (cd examples/sqitch-wedding && sqitch revert -y "$target") || return 1
  after=$(my_sum)
  same "$before" "$after"
}

# the ferry objects of the server: routines in wedding, UDFs, catalog
my_objects() {
  $M -N -B -e "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'wedding';
               SELECT COUNT(*) FROM mysql.func WHERE dl = 'ferry.so';
               SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'ferry'" | tr '\n' ' '
}

my_install() {
  local before after
  # a phase in the catalog that must survive reinstalling
  $M wedding -e "CREATE TABLE kept_t (id UUID PRIMARY KEY, name TEXT);
                 CALL define_phase('kept', '{\"source\": \"wedding_guests\", \"target\": \"kept_t\",
                                             \"columns\": {\"name\": \"guest_name\"}}')" >/dev/null || return 1
  before=$($M -N -B -e "SELECT id, name, checksum FROM ferry.phases; SELECT * FROM ferry.catalog_version")
  $M < mariadb_plugin/install.sql || return 1
  $M < mariadb_plugin/install.sql || return 1
  $M wedding < mariadb_plugin/procedures.sql || return 1
  after=$($M -N -B -e "SELECT id, name, checksum FROM ferry.phases; SELECT * FROM ferry.catalog_version")
  same "$before" "$after" || return 1
  $M wedding -e "CALL drop_phase('kept')" || return 1
  $M wedding < mariadb_plugin/uninstall.sql || return 1
  same "0 0 0 " "$(my_objects)" || return 1
  $M < mariadb_plugin/install.sql && $M wedding < mariadb_plugin/procedures.sql || return 1
  [ "$($M -N -B wedding -e "CALL migration_status()" | wc -l)" = 0 ]
}

run_mariadb() {
  local rc=0
  DIR=$(mktemp -d /tmp/ferry-examples-mariadb.XXXXXX)
  make -s -C mariadb_plugin >/dev/null || { echo "FAILED mariadb build"; return 1; }
  bash scripts/mariadb-server.sh start "$DIR" >/dev/null || { echo "FAILED mariadb server"; return 1; }
  M="mariadb --no-defaults --socket=$DIR/sock -uroot"
  export MYSQL_UNIX_PORT=$DIR/sock     # the mariadb client Sqitch runs
  check "mariadb sqitch deploy/verify/revert leaves the data as it was" my_sqitch
  check "mariadb install.sql twice keeps the catalog; uninstall.sql removes everything" my_install
  bash scripts/mariadb-server.sh stop "$DIR" >/dev/null
  rm -rf "$DIR"
  return $STATUS
}

case "$ENGINE" in
  --pg-inside) pg_inside; exit ;;
esac
bash scripts/deps.sh || exit 1
case "$ENGINE" in
  pg) run_pg || STATUS=1 ;;
  mariadb) run_mariadb || STATUS=1 ;;
  both) run_pg || STATUS=1; run_mariadb || STATUS=1 ;;
  *) echo "usage: $0 [pg|mariadb|both]" >&2; exit 2 ;;
esac
exit $STATUS
