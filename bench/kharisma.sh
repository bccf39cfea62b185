#!/usr/bin/env bash
# kharisma.sh [--n N] [--runs R] [--buffer-pool SIZE] -- benchmark ferry against seed 000's own SQL
# on MariaDB 10.11: N transactions per service (3N in all, N/10 customers per service; default 300000).
#
# Installs what is missing (scripts/deps.sh), builds mariadb_plugin/ from the tree, starts its own
# throwaway server (scripts/mariadb-server.sh, stopped again on every exit path) and, on the same
# generated legacy data (bench/kharisma/legacy.sql), runs R times: the seed's migration
# (hand_migrate.sql) and its verification (hand_validate.sql), then ferry's four phases
# (ferry_define.sql; CALL migrate_all(), validate_migration_integrity(NULL), rollback_migration of
# each phase, dependents first). The seed has no rollback to compare with (its plan switches the
# application back to the old database). In the first run, bench/kharisma/compare.sql checks that
# both wrote the same rows. Prints the report and writes it to bench/results/<date>-kharisma-<N>.md.
# Exit 1 when the rows differ. As root, no TTY needed.
#
# The whole script is one function (bash reads it completely before running it).
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
N=300000
RUNS=3
POOL=1G
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --n) N=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --buffer-pool) POOL=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "kharisma.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ $N =~ ^[1-9][0-9]*$ ]] && [ "$N" -le 999999 ] ||
  { echo "kharisma.sh: --n takes 1..999999 (the seed's LPAD(id, 6, '0') truncates longer ids)" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "kharisma.sh: --runs takes a positive integer" >&2; exit 2; }
[[ $POOL =~ ^[0-9]+[KMG]?$ ]] || { echo "kharisma.sh: --buffer-pool takes a size (1G)" >&2; exit 2; }

ROOT=$PWD
K=$ROOT/bench/kharisma
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

bash scripts/deps.sh
make -s -C mariadb_plugin >/dev/null
COMMIT=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- core mariadb_plugin)" ] || COMMIT="$COMMIT + uncommitted changes in core/ or mariadb_plugin/"
WORK=$(mktemp -d /tmp/ferry-bench-kharisma.XXXXXX)
trap 'bash "$ROOT/scripts/mariadb-server.sh" stop "$WORK/srv" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
OPTS="--innodb-buffer-pool-size=$POOL"
FERRY_MARIADBD_OPTS=$OPTS bash scripts/mariadb-server.sh start "$WORK/srv" >/dev/null
my() { mariadb --no-defaults --socket="$WORK/srv/sock" -uroot "$@"; }
log "MariaDB $(my -N -e 'SELECT VERSION()') with $OPTS; ferry at $COMMIT; n = $N ($((3 * N)) transactions), $RUNS runs"

log "generating the legacy data"
my -e "SET @n = $N; SOURCE $K/legacy.sql;" > /dev/null
ORDERS=$((3 * N))
for run in $(seq 1 "$RUNS"); do
  log "run $run/$RUNS: the seed's SQL"
  my < "$K/hand_schema.sql"
  timed "seed migrate $run" my kharisma_db_new < "$K/hand_migrate.sql"
  timed "seed validate $run" my kharisma_db_new < "$K/hand_validate.sql"

  log "run $run/$RUNS: ferry"
  my -e "DROP DATABASE IF EXISTS kharisma_ferry; CREATE DATABASE kharisma_ferry CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  my kharisma_ferry < mariadb_plugin/procedures.sql
  my kharisma_ferry < "$K/ferry_schema.sql"
  my kharisma_ferry < "$K/ferry_define.sql" > /dev/null
  timed "ferry migrate $run" my kharisma_ferry -e 'CALL migrate_all()'
  if [ "$run" = 1 ]; then
    my -N < "$K/compare.sql" > "$WORK/compare.txt"
    sed 's/^/    /' "$WORK/compare.txt" >&2
  fi
  timed "ferry validate $run" my kharisma_ferry -e 'CALL validate_migration_integrity(NULL)'
  timed "ferry rollback $run" my kharisma_ferry -e "CALL rollback_migration('payments'); CALL rollback_migration('orders');
    CALL rollback_migration('customers'); CALL rollback_migration('users')"
  left=$(my -N kharisma_ferry -e "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM users) - 1")
  [ "$left" = 0 ] || { echo "kharisma.sh: ferry's rollback left $left rows" >&2; exit 1; }
  my kharisma_ferry -e "CALL drop_phase('payments'); CALL drop_phase('orders'); CALL drop_phase('customers'); CALL drop_phase('users')"
  my -e "DROP DATABASE kharisma_ferry; DROP DATABASE kharisma_db_new"
done

# the report: median per competitor and operation, rows/s over the 3N legacy transactions
SM=$(bench_median seed migrate); SV=$(bench_median seed validate)
FM=$(bench_median ferry migrate); FV=$(bench_median ferry validate); FR=$(bench_median ferry rollback)
DATE=$(date -u +%Y-%m-%d)
mkdir -p bench/results
OUT=bench/results/$DATE-kharisma-$N.md
{
  echo "# ferry vs seed 000's own SQL, MariaDB: $ORDERS transactions"
  echo
  echo "\`bench/kharisma.sh --n $N --runs $RUNS --buffer-pool $POOL\`, finished $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "## Machine and versions"
  echo
  bench_machine
  echo "- ferry: commit $COMMIT"
  echo "- MariaDB: $(my -N -e 'SELECT VERSION()'), throwaway server of scripts/mariadb-server.sh with \`$OPTS\`; settings:"
  my -N -e "SELECT CONCAT('  - ', VARIABLE_NAME, ' = ', VARIABLE_VALUE) FROM information_schema.GLOBAL_VARIABLES
            WHERE VARIABLE_NAME IN ('INNODB_BUFFER_POOL_SIZE', 'INNODB_LOG_FILE_SIZE', 'INNODB_FLUSH_LOG_AT_TRX_COMMIT',
              'LOG_BIN', 'TMP_TABLE_SIZE', 'MAX_HEAP_TABLE_SIZE', 'JOIN_BUFFER_SIZE', 'SORT_BUFFER_SIZE', 'OPTIMIZER_SWITCH')
            ORDER BY VARIABLE_NAME" | sed 's/optimizer_switch = .*/optimizer_switch = (default)/I'
  echo "- data: bench/kharisma/legacy.sql (the generator of ../shared/bench/kharisma_baseline.sql), n = $N: $ORDERS transactions, $((3 * (N / 10 > 10 ? N / 10 : 10))) customer rows (2% without a phone), 40 employees"
  echo "- each run: the seed's schema created afresh, its migration, its verification; then ferry's database created afresh (procedures, tables, phases defined), migrate_all, validate, rollback; both targets dropped"
  echo
  echo "## Results (median of $RUNS runs; rows/s over the $ORDERS legacy transactions)"
  echo
  echo "| operation | seed's SQL s | ferry s | seed rows/s | ferry rows/s | ferry / seed | target | all runs (seed; ferry) |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| migrate | $(fmt "$SM") | $(fmt "$FM") | $(echo "$ORDERS / $SM" | bc) | $(echo "$ORDERS / $FM" | bc) | $(fmt "$(echo "$FM / $SM" | bc -l)")x | <= 1.0x | $(bench_runs seed migrate); $(bench_runs ferry migrate) |"
  echo "| validate | $(fmt "$SV") | $(fmt "$FV") | $(echo "$ORDERS / $SV" | bc) | $(echo "$ORDERS / $FV" | bc) | $(fmt "$(echo "$FV / $SV" | bc -l)")x | ferry validate <= 0.3x ferry migrate: $(fmt "$(echo "$FV / $FM" | bc -l)")x | $(bench_runs seed validate); $(bench_runs ferry validate) |"
  echo "| rollback | (none in the seed) | $(fmt "$FR") | | $(echo "$ORDERS / $FR" | bc) | | ferry rollback <= 0.5x ferry migrate: $(fmt "$(echo "$FR / $FM" | bc -l)")x | $(bench_runs ferry rollback) |"
  echo
  echo "The seed's verification is its steps 4.1-4.3 (counts, orphans, uniqueness, prices, business rules: they print,"
  echo "they assert nothing). ferry's validation is every check of the four phases: row accounting, map completeness,"
  echo "references, required, unique, the declared aggregates, the content round trip and the seed's checks as custom checks."
  echo
  echo "## Same rows (run 1)"
  echo
  sed 's/^/    /' "$WORK/compare.txt"
  echo
  echo "## ferry's migrate_all output (run 1)"
  echo
  sed 's/^/    /' "$WORK/out-ferry-migrate-1.txt"
} > "$OUT"
echo
cat "$OUT"
echo
echo "written: $OUT"
if ! tail -1 "$WORK/compare.txt" | grep -q '^OK'; then
  echo "*** MISMATCH: ferry and the seed's SQL wrote different rows; see the check lines ***" >&2
  exit 1
fi
}
main "$@"; exit
