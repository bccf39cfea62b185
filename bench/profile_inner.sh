#!/usr/bin/env bash
# profile_inner.sh -- runs inside pg_virtualenv (bench/profile.sh starts it). Loads the data at
# PROF_ROWS and, for each ferry phase in turn: EXPLAIN (ANALYZE, BUFFERS) of the phase's migrate
# statement (from its dry run) in a rolled-back transaction, then migrate_phase itself under
# `perf record --call-graph dwarf` of the backend, then perf report. Output in PROF_OUT.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
SQL=$BENCH/sql
: "${PROF_ROWS:?}" "${PROF_OUT:?}"
DB=ferrybench
n=$PROF_ROWS
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
P() { psql -X -q -d "$DB" -v ON_ERROR_STOP=1 -v n="$n" -v first=false -v run=0 "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
P -f "$SQL/schema.sql"
log "loading $n invitations, $((3 * n)) guests"
P -f "$SQL/load.sql"
P -f "$SQL/reset.sql"

for phase in wedding_data wedding_guests; do
  P -At -c "SELECT statements FROM migrate_phase('$phase', dry_run => true)" > "$PROF_OUT/statements-$phase.sql"
  stmt=$(grep -m1 '^WITH ferry_cand' "$PROF_OUT/statements-$phase.sql")
  log "EXPLAIN ANALYZE of the $phase migrate statement (rolled back)"
  { echo "BEGIN;"; echo "EXPLAIN (ANALYZE, BUFFERS) $stmt"; echo "ROLLBACK;"; } | P > "$PROF_OUT/explain-$phase.txt" 2>&1 || true
  P -c "VACUUM ANALYZE events, event_participants" -c "CHECKPOINT"
  log "perf record of the backend during migrate_phase('$phase')"
  P -At -v phase="$phase" -v out="$PROF_OUT/perf-$phase.data" -v plog="$PROF_OUT/perf-$phase.log" <<'SQL' >> "$PROF_OUT/runs.txt"
SELECT pg_backend_pid() AS pid \gset
\set perfpid `perf record -F 499 --call-graph dwarf,16384 -p :pid -o :out >:plog 2>&1 & echo $!`
\set w `sleep 2`
SELECT format('migrate_phase(%s): migrated %s, rejected %s, filtered %s, %s s (under perf)', phase, migrated, rejected, filtered, seconds)
FROM migrate_phase(:'phase');
\set stop `kill -INT :perfpid; while kill -0 :perfpid 2>/dev/null; do sleep 0.2; done`
SQL
  P -c "CHECKPOINT"
done
for phase in wedding_data wedding_guests; do
  log "perf report for $phase"
  perf report -i "$PROF_OUT/perf-$phase.data" --stdio --no-children --sort symbol --percent-limit 0.7 -g none \
    > "$PROF_OUT/report-self-$phase.txt" 2>/dev/null || true
  perf report -i "$PROF_OUT/perf-$phase.data" --stdio --children --sort symbol --percent-limit 2 -g none \
    > "$PROF_OUT/report-children-$phase.txt" 2>/dev/null || true
done
