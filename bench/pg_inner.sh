#!/usr/bin/env bash
# pg_inner.sh -- the PostgreSQL benchmark proper. Runs inside the throwaway cluster that
# bench/run.sh starts with scripts/pg-server.sh (PGHOST/PGPORT/PGUSER come from there); not meant to be
# called by hand. Environment: BENCH_ROWS (comma list), BENCH_RUNS, BENCH_TIMEOUT (s), BENCH_OUT
# (directory for report.md), BENCH_SKIP (comma list of batched, validate, rollback: steps left out).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
SQL=$BENCH/sql
: "${BENCH_ROWS:?}" "${BENCH_RUNS:?}" "${BENCH_OUT:?}"
TIMEOUT=${BENCH_TIMEOUT:-120}
SKIP=",${BENCH_SKIP:-},"
skipped() { [[ $SKIP == *",$1,"* ]]; }
DB=ferrybench
RSSFILE=$BENCH_OUT/rss.$$

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# psql on the benchmark database with the current size/run as variables; "psql_ok" stops at the
# first error, "psql_guarded" does not (the statement_timeout-guarded rollbacks record their error).
psql_vars() {
  psql -X -q -d "$DB" -v n="${n:-0}" -v run="${run:-0}" -v first="${first:-false}" \
    -v timeout_ms="$((TIMEOUT * 1000))" -v timeout_s="$TIMEOUT" -v benchdir="$BENCH" -v rssfile="$RSSFILE" "$@"
}
psql_ok() { psql_vars -v ON_ERROR_STOP=1 "$@"; }
psql_guarded() { psql_vars -v ON_ERROR_STOP=0 "$@" 2>&1 | grep -v -e '^$' -e '^CONTEXT' | sed 's/^/    /' >&2 || true; }
# a guarded rollback that did not finish in an earlier run of this size is not repeated
timed_out() {
  [ "$(psql_ok -At -c "SELECT count(*) FROM bench.timings WHERE size = $n AND competitor = '$1' AND op = 'rollback' AND status <> 'ok'")" != 0 ]
}

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql_ok -f "$SQL/schema.sql"
psql_ok -At > "$BENCH_OUT/server.txt" <<'SQL'
SELECT 'version: ' || version();
SELECT 'ferry extension version: ' || default_version FROM pg_available_extensions WHERE name = 'ferry';
SELECT 'setting: ' || name || ' = ' || setting || coalesce(' ' || unit, '') FROM pg_settings
WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', 'checkpoint_timeout',
               'synchronous_commit', 'fsync', 'wal_level', 'autovacuum', 'jit', 'max_parallel_workers_per_gather',
               'effective_cache_size', 'random_page_cost')
ORDER BY name;
SQL

# the durations of one run, for the log
run_summary() {
  psql_ok -At -F ' ' -c "SELECT competitor || ' ' || op || ' ' || string_agg(step || '=' || round(seconds, 2) || CASE WHEN status <> 'ok' THEN '(' || status || ')' ELSE '' END, ' ' ORDER BY ord)
    FROM bench.timings WHERE size = $n AND run = $run GROUP BY competitor, op ORDER BY min(ctid)" | sed 's/^/    /' >&2
}

for n in ${BENCH_ROWS//,/ }; do
  run=0 first=false
  log "size $n: generating $n invitations and $((3 * n)) guests"
  psql_ok -f "$SQL/load.sql"
  psql_ok -f "$SQL/reset.sql"
  for run in $(seq 1 "$BENCH_RUNS"); do
    first=false; [ "$run" = 1 ] && first=true
    log "size $n run $run/$BENCH_RUNS: floor"
    psql_ok -f "$SQL/floor.sql"
    psql_ok -f "$SQL/reset.sql"

    log "size $n run $run/$BENCH_RUNS: hand-written migrate, validate, rollback"
    psql_ok -f "$SQL/hand_migrate.sql"
    if $first; then psql_ok -v side=hand -v is_hand=true -f "$SQL/fingerprint.sql"; fi
    skipped validate || psql_ok -f "$SQL/hand_validate.sql"
    if skipped rollback; then :
    elif timed_out hand; then log "  hand-written rollback: did not finish in run 1, not repeated"
    else psql_guarded -f "$SQL/hand_rollback.sql"; fi
    psql_ok -f "$SQL/reset.sql"

    log "size $n run $run/$BENCH_RUNS: ferry migrate_phase, validate, rollback"
    psql_ok -f "$SQL/ferry_migrate.sql"
    if $first; then psql_ok -v side=ferry -v is_hand=false -f "$SQL/fingerprint.sql"; fi
    skipped validate || psql_ok -f "$SQL/ferry_validate.sql"
    if skipped rollback; then :
    elif timed_out ferry; then log "  ferry rollback: did not finish in run 1, not repeated"
    else psql_guarded -f "$SQL/ferry_rollback.sql"; fi
    psql_ok -f "$SQL/reset.sql"

    if ! skipped batched; then
      log "size $n run $run/$BENCH_RUNS: ferry migrate_phase_batched"
      psql_ok -f "$SQL/ferry_batched.sql"
      if $first; then psql_ok -v side=batched -v is_hand=false -f "$SQL/fingerprint.sql"; fi
      psql_ok -f "$SQL/reset.sql"
    fi
    run_summary
  done
  psql_ok -f "$SQL/compare.sql"
  psql_ok -At -c "SELECT line FROM bench.info WHERE size = $n AND section = 'check' ORDER BY ord" | sed 's/^/    /' >&2
done
psql_ok -At -f "$SQL/report.sql" > "$BENCH_OUT/report.md"
if psql_ok -At -c "SELECT 1 FROM bench.info WHERE section = 'check' AND line LIKE 'MISMATCH%' LIMIT 1" | grep -q 1; then
  echo mismatch > "$BENCH_OUT/MISMATCH"
fi
echo "BENCH DONE" > "$BENCH_OUT/done"
