#!/usr/bin/env bash
# babynames.sh [--engine pg|mariadb|both] [--runs R] [--rows N] -- the US baby names (1.69M rows) folded
# into one row per (name, sex) with a {year: births} JSON object: hand-written vs ferry, on each engine.
#
# Installs what is missing (scripts/deps.sh), builds ferry from the tree, starts its own throwaway
# servers (scripts/pg-server.sh with PG_SERVER_SETTINGS; scripts/mariadb-server.sh with a 1G buffer
# pool), loads ../shared/datasets/babynames (or its first N rows), and runs R times on each engine:
# the hand-written INSERT ... SELECT with jsonb_object_agg / JSON_OBJECTAGG (bench/babynames/*_hand.sql),
# then ferry's phase (*_define.sql: merge_on name, sex with the merge rule object_agg over the legacy
# rows) migrated, validated and rolled back. Run 1 checks that both wrote the same rows (count, births total, md5 in key order).
# Prints the report and writes it to bench/results/<date>-babynames.md. Exit 1 when the rows differ.
#
# The whole script is one function (bash reads it completely before running it).
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=both
RUNS=3
ROWS=
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --engine) ENGINE=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --rows) ROWS=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "babynames.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ $ENGINE =~ ^(pg|mariadb|both)$ ]] || { echo "babynames.sh: --engine takes pg, mariadb or both" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "babynames.sh: --runs takes a positive integer" >&2; exit 2; }
[ -z "$ROWS" ] || [[ $ROWS =~ ^[1-9][0-9]*$ ]] || { echo "babynames.sh: --rows takes a positive integer" >&2; exit 2; }

ROOT=$PWD
B=$ROOT/bench/babynames
DATA=${BABYNAMES_CSV_GZ:-$ROOT/../shared/datasets/babynames/babynames_us_1880_2010.csv.gz}
[ -f "$DATA" ] || DATA=/work/shared/datasets/babynames/babynames_us_1880_2010.csv.gz
PG_SETTINGS="shared_buffers=256MB work_mem=64MB max_wal_size=4GB"
MY_OPTS="--innodb-buffer-pool-size=1G"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

bash scripts/deps.sh
COMMIT=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- core pg_extension mariadb_plugin)" ] || COMMIT="$COMMIT + uncommitted changes"
WORK=$(mktemp -d /tmp/ferry-bench-babynames.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  bash "$ROOT/scripts/pg-server.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  bash "$ROOT/scripts/mariadb-server.sh" stop "$WORK/my" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
CSV=$WORK/babynames.csv
if [ -n "$ROWS" ]; then zcat "$DATA" | awk -v n="$((ROWS + 1))" 'NR <= n' > "$CSV"; else zcat "$DATA" > "$CSV"; fi
chmod a+r "$CSV"
LEGACY=$(($(wc -l < "$CSV") - 1))
log "babynames: $LEGACY legacy rows, $RUNS runs, engine $ENGINE; ferry at $COMMIT"

if [ "$ENGINE" != mariadb ]; then
  make -s >/dev/null
  make -s install DESTDIR="$WORK/stage" >/dev/null
  chmod -R a+rX "$WORK/stage"
  eval "$(PG_SERVER_SETTINGS=$PG_SETTINGS bash scripts/pg-server.sh start "$WORK/pg" "$WORK/stage")"
  pg() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
  log "PostgreSQL: loading"
  pg -v csv="$CSV" -f "$B/pg_setup.sql" > /dev/null
  PG_VERSION=$(pg -At -c 'SELECT version()')
  PG_SHOWN=$(pg -At -c "SELECT string_agg(name || ' = ' || setting || coalesce(' ' || unit, ''), ', ' ORDER BY name) FROM pg_settings
                        WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', 'jit', 'max_parallel_workers_per_gather')")
  for run in $(seq 1 "$RUNS"); do
    log "PostgreSQL run $run/$RUNS"
    pg -c 'TRUNCATE name_births' -c CHECKPOINT
    timed "pg hand migrate $run" pg -f "$B/pg_hand.sql"
    [ "$run" = 1 ] && pg -At -f "$B/pg_fingerprint.sql" > "$WORK/fp-pg-hand"
    pg -c 'TRUNCATE name_births' -c CHECKPOINT
    pg -f "$B/pg_define.sql" > /dev/null
    timed "pg ferry migrate $run" pg -c "SELECT * FROM migrate_phase('name_births')"
    [ "$run" = 1 ] && pg -At -f "$B/pg_fingerprint.sql" > "$WORK/fp-pg-ferry"
    timed "pg ferry validate $run" pg -c "SELECT * FROM validate_migration_integrity('name_births')"
    timed "pg ferry rollback $run" pg -c "SELECT * FROM rollback_migration('name_births')"
    pg -c "SELECT drop_phase('name_births')" > /dev/null
  done
  bash scripts/pg-server.sh stop "$WORK/pg"
fi

if [ "$ENGINE" != pg ]; then
  make -s -C mariadb_plugin >/dev/null
  FERRY_MARIADBD_OPTS=$MY_OPTS bash scripts/mariadb-server.sh start "$WORK/my" >/dev/null
  my() { mariadb --no-defaults --socket="$WORK/my/sock" -uroot --local-infile=1 babynames "$@"; }
  log "MariaDB: loading"
  mariadb --no-defaults --socket="$WORK/my/sock" -uroot -e 'CREATE DATABASE babynames'
  my < mariadb_plugin/procedures.sql
  my < "$B/mariadb_setup.sql"
  my -e "LOAD DATA LOCAL INFILE '$CSV' INTO TABLE baby_name FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n'
         IGNORE 1 LINES (year, name, sex, births); ANALYZE TABLE baby_name" > /dev/null
  MY_VERSION=$(my -N -e 'SELECT VERSION()')
  for run in $(seq 1 "$RUNS"); do
    log "MariaDB run $run/$RUNS"
    my -e 'TRUNCATE name_births'
    timed "mariadb hand migrate $run" my -e "SOURCE $B/mariadb_hand.sql"
    [ "$run" = 1 ] && my -N < "$B/mariadb_fingerprint.sql" > "$WORK/fp-mariadb-hand"
    my -e 'TRUNCATE name_births'
    my < "$B/mariadb_define.sql" > /dev/null
    timed "mariadb ferry migrate $run" my -e "CALL migrate_phase('name_births')"
    [ "$run" = 1 ] && my -N < "$B/mariadb_fingerprint.sql" > "$WORK/fp-mariadb-ferry"
    timed "mariadb ferry validate $run" my -e "CALL validate_migration_integrity('name_births')"
    timed "mariadb ferry rollback $run" my -e "CALL rollback_migration('name_births')"
    my -e "CALL drop_phase('name_births')"
  done
  bash scripts/mariadb-server.sh stop "$WORK/my"
fi

MISMATCH=
DATE=$(date -u +%Y-%m-%d)
mkdir -p bench/results
OUT=bench/results/$DATE-babynames${ROWS:+-$ROWS}.md
{
  echo "# babynames folded to one row per (name, sex) with {year: births}: hand-written vs ferry"
  echo
  echo "\`bench/babynames.sh --engine $ENGINE --runs $RUNS${ROWS:+ --rows $ROWS}\`, finished $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  bench_machine
  echo "- ferry: commit $COMMIT"
  echo "- data: $LEGACY legacy rows (../shared/datasets/babynames), loaded as ../shared/datasets/README.md does"
  [ "$ENGINE" = mariadb ] || echo "- PostgreSQL: $PG_VERSION; throwaway cluster of scripts/pg-server.sh, PG_SERVER_SETTINGS=\"$PG_SETTINGS\" ($PG_SHOWN)"
  [ "$ENGINE" = pg ] || echo "- MariaDB: $MY_VERSION; throwaway server of scripts/mariadb-server.sh, \`$MY_OPTS\`"
  echo "- each run: target TRUNCATEd (and CHECKPOINT on PostgreSQL), the hand-written fold; TRUNCATE again, ferry's phase defined, migrated, validated, rolled back, dropped"
  echo
  echo "| engine | hand-written s | ferry migrate s | hand rows/s | ferry rows/s | ferry / hand | ferry validate s (/ its migrate) | ferry rollback s (/ its migrate) | all runs (hand; ferry) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for e in pg mariadb; do
    [ "$ENGINE" = both ] || [ "$ENGINE" = "$e" ] || continue
    H=$(bench_median "$e" hand migrate); F=$(bench_median "$e" ferry migrate)
    V=$(bench_median "$e" ferry validate); R=$(bench_median "$e" ferry rollback)
    echo "| $e | $(fmt "$H") | $(fmt "$F") | $(echo "$LEGACY / $H" | bc) | $(echo "$LEGACY / $F" | bc) | $(fmt "$(echo "$F / $H" | bc -l)")x | $(fmt "$V") ($(fmt "$(echo "$V / $F" | bc -l)")x) | $(fmt "$R") ($(fmt "$(echo "$R / $F" | bc -l)")x) | $(bench_runs "$e" hand migrate); $(bench_runs "$e" ferry migrate) |"
  done
  echo
  echo "rows/s over the $LEGACY legacy rows. Same rows (run 1; count, births total, md5 of name/sex=births in key order):"
  echo
  for e in pg mariadb; do
    [ "$ENGINE" = both ] || [ "$ENGINE" = "$e" ] || continue
    if cmp -s "$WORK/fp-$e-hand" "$WORK/fp-$e-ferry"; then verdict=same; else verdict=MISMATCH; MISMATCH=1; fi
    echo "- $e: hand-written $(cat "$WORK/fp-$e-hand"); ferry $(cat "$WORK/fp-$e-ferry"): $verdict"
  done
  echo
  echo "ferry's migrate output (run 1):"
  echo
  for e in pg mariadb; do
    [ "$ENGINE" = both ] || [ "$ENGINE" = "$e" ] || continue
    sed 's/^/    /' "$WORK/out-$e-ferry-migrate-1.txt"
  done
} > "$OUT"
echo
cat "$OUT"
echo
echo "written: $OUT"
[ -z "$MISMATCH" ] || { echo "*** MISMATCH: ferry and the hand-written fold wrote different rows ***" >&2; exit 1; }
}
main "$@"; exit
