#!/usr/bin/env bash
# json.sh [--rows N] [--runs R] -- issue 6's JSON benchmark: ferry's JSON against hand-written
# jsonb on PostgreSQL 15, and the core's json_restructure alone, outside any database.
#
# (a) seed 001's location + form_data built by a ferry phase spec vs jsonb_build_object;
# (b) json_restructure of a 10-key document (rename + nest + key_case) vs a hand-written jsonb
#     expression of the same document; (c) the core alone (bench/json_core.c), documents/s on
#     one core. Both sides' documents are checksummed (exit 1 when they differ).
# Builds from a snapshot of the tree, starts its own throwaway cluster (scripts/pg-server.sh,
# stopped at the end), median of R runs (default 3) at N rows (default 1000000: N invitations,
# 3N guests loaded by bench/sql/load.sql, N documents). Writes bench/results/<date>-json-<N>.md.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=1000000
RUNS=3
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rows) ROWS=${2:?}; shift 2 ;;
    --rows=*) ROWS=${1#*=}; shift ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    -h|--help) usage ;;
    *) echo "json.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || { echo "json.sh: --rows takes a positive integer" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "json.sh: --runs takes a positive integer" >&2; exit 2; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
WORK=$(mktemp -d /tmp/ferry-json-bench.XXXXXX)
chmod 755 "$WORK"
SERVER=$WORK/pg
cleanup() { [ -d "$SERVER" ] && bash scripts/pg-server.sh stop "$SERVER" || true; rm -rf "$WORK"; }
trap cleanup EXIT

# a snapshot of the tree, so that editing it while the benchmark runs changes nothing
mkdir -p "$WORK/src"
cp -r Makefile ./*.control core pg_extension bench scripts "$WORK/src/"
find "$WORK/src" \( -name '*.o' -o -name '*.bc' -o -name '*.so' \) -delete
COMMIT=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- core pg_extension bench/json*)" ] || COMMIT="$COMMIT + uncommitted changes"
SRC=$WORK/src
make -s -C "$SRC" PG_CONFIG=$PG_CONFIG >"$WORK/build.log" 2>&1 &&
  make -s -C "$SRC" PG_CONFIG=$PG_CONFIG install DESTDIR="$WORK/stage" >>"$WORK/build.log" 2>&1 ||
  { cat "$WORK/build.log" >&2; echo "json.sh: the extension does not build" >&2; exit 1; }
chmod -R a+rX "$WORK/stage"
CFLAGS_CORE="-std=gnu99 -O2 -Wall -Wextra -Werror"
cc $CFLAGS_CORE -I"$SRC/core" -o "$WORK/json_core" "$SRC/bench/json_core.c" "$SRC"/core/*.c -lcjson -lm
log "built ferry at $COMMIT"

# (c) the core alone, before the server starts
CORE_LINES=()
for run in $(seq 1 "$RUNS"); do
  line=$("$WORK/json_core" "$ROWS") || { echo "json.sh: json_core failed" >&2; exit 1; }
  log "core run $run/$RUNS: $line"
  CORE_LINES+=("$line")
done
median_field() { printf '%s\n' "${CORE_LINES[@]}" | awk -v f="$1" '{print $f}' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
CORE_MALLOC=$(median_field 6)
CORE_ARENA=$(median_field 10)

SETTINGS="shared_buffers=256MB work_mem=64MB max_wal_size=4GB"
log "starting a throwaway cluster ($SETTINGS)"
eval "$(PG_SERVER_SETTINGS=$SETTINGS bash scripts/pg-server.sh start "$SERVER" "$WORK/stage")"
DB=ferryjson
psql -X -q -d postgres -c "CREATE DATABASE $DB"
P=(psql -X -q -d "$DB" -v ON_ERROR_STOP=1 -v n="$ROWS")
log "loading seed 001's data ($ROWS invitations, $((3 * ROWS)) guests) and $ROWS documents"
"${P[@]}" -f "$SRC/bench/sql/schema.sql" -f "$SRC/bench/sql/load.sql" -f "$SRC/bench/sql/ferry_define.sql" \
  -f "$SRC/bench/json_setup.sql"
SPEC='[{"op": "rename", "from": "OrderID", "to": "OrderNumber"}, {"op": "nest", "keys": ["Street", "City", "Zip", "Country"], "into": "ShippingAddress"}, {"op": "key_case", "from": "pascal", "to": "snake"}]'
for run in $(seq 1 "$RUNS"); do
  first=false; [ "$run" = 1 ] && first=true
  log "run $run/$RUNS"
  "${P[@]}" -v run="$run" -v first=$first -v spec="$SPEC" -f "$SRC/bench/json.sql"
  "${P[@]}" -At -c "SELECT '    ' || kase || ' ' || competitor || ' ' || round(seconds, 2) FROM jb.t WHERE run = $run" >&2
done
VERSION=$("${P[@]}" -At -c 'SELECT version()')
PGSET=$("${P[@]}" -At -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'fsync', 'synchronous_commit', 'jit', 'max_parallel_workers_per_gather')")
REPORT=$("${P[@]}" -At -f "$SRC/bench/json_report.sql")

mkdir -p bench/results
OUT=bench/results/$(date -u +%Y-%m-%d)-json-$ROWS.md
{
  echo "# ferry's JSON vs hand-written jsonb, PostgreSQL: $ROWS rows"
  echo
  echo "\`bench/json.sh --rows $ROWS --runs $RUNS\`, $(date -u '+%Y-%m-%d %H:%M UTC'), median of $RUNS."
  echo
  echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r); shared with other work (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)): ratios are within one run, so still fair"
  echo "- ferry: commit $COMMIT; cJSON $(dpkg-query -W -f '${Version}' libcjson-dev 2>/dev/null || echo '?'); cc $(cc -dumpfullversion) $CFLAGS_CORE"
  echo "- $VERSION"
  echo "- throwaway cluster (scripts/pg-server.sh): $PGSET"
  echo "- (a) migration 009 of seed 001 into \`events\` (uuid PK, legacy_id index), hand-written vs migrate_phase of bench/sql/ferry_define.sql's \`wedding_data\`, each with and without the columns location + form_data; (b) UNLOGGED CREATE TABLE AS of $ROWS documents; each statement after a CHECKPOINT and from empty targets"
  echo
  echo "$REPORT"
  echo
  echo "(c) the core alone (bench/json_core.c: one core, CPU time, $ROWS documents as jsonb prints them, every result checked), median documents/s: $CORE_MALLOC with malloc, $CORE_ARENA with a per-document arena as PostgreSQL's row context (target >= 500000)"
  printf -- '- %s\n' "${CORE_LINES[@]}"
} >"$OUT"
cat "$OUT"
echo "written: $OUT"
if grep -q MISMATCH "$OUT"; then
  echo "*** MISMATCH: ferry and the hand-written SQL made different documents ***" >&2
  exit 1
fi
}
main "$@"; exit
