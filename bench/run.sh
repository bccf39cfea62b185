#!/usr/bin/env bash
# run.sh [--rows N[,N...]] [--runs R] [--timeout S] [--skip batched,validate,rollback] [--tag T] --
# benchmark ferry against seed 001's hand-written SQL and the floor (UNLOGGED CREATE TABLE AS), PostgreSQL 15.
#
# Installs what is missing (scripts/deps.sh), builds the extension from a snapshot of the tree,
# stages it, starts its own throwaway cluster with scripts/pg-server.sh (stopped again at the end,
# so several runs and test runs can share the machine) and runs bench/pg_inner.sh against it. Prints the results and writes them to
# bench/results/<date>-pg-<rows>[-<tag>].md. As root, no TTY needed. Exit 1 when ferry and the
# hand-written SQL wrote different rows.
#
# The whole script is one function (bash reads it completely before running it) and the
# benchmark runs from a copy of bench/, so editing the tree while it runs changes nothing.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROWS=100000
RUNS=3
TIMEOUT=120
TAG=
SKIP=
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rows) ROWS=${2:?}; shift 2 ;;
    --rows=*) ROWS=${1#*=}; shift ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --timeout=*) TIMEOUT=${1#*=}; shift ;;
    --skip) SKIP=${2:?}; shift 2 ;;
    --skip=*) SKIP=${1#*=}; shift ;;
    --tag) TAG=${2:?}; shift 2 ;;
    --tag=*) TAG=${1#*=}; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ $ROWS =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "run.sh: --rows takes N[,N...]" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs takes a positive integer" >&2; exit 2; }
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --timeout takes seconds" >&2; exit 2; }
[[ $SKIP =~ ^((batched|validate|rollback)(,|$))*$ ]] || { echo "run.sh: --skip takes a comma list of batched, validate, rollback" >&2; exit 2; }
[[ $TAG =~ ^[a-z0-9-]*$ ]] || { echo "run.sh: --tag takes [a-z0-9-]" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bash scripts/deps.sh
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
WORK=$(mktemp -d /tmp/ferry-bench.XXXXXX)
chmod 755 "$WORK"
PGDIR=$WORK/pg
trap 'bash scripts/pg-server.sh stop "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# Build from a snapshot of the tree: core/ and pg_extension/ may be edited while the benchmark
# runs. A tree that does not build (an edit in progress) is retried every minute, 10 times.
build() {
  rm -rf "$WORK/src" "$WORK/stage"
  mkdir -p "$WORK/src"
  cp -r Makefile ./*.control core pg_extension bench "$WORK/src/"
  find "$WORK/src" \( -name '*.o' -o -name '*.bc' -o -name '*.so' \) -delete
  COMMIT=$(git rev-parse --short HEAD)
  if [ -n "$(git status --porcelain -- core pg_extension Makefile ./*.control)" ]; then
    COMMIT="$COMMIT + uncommitted changes in core/ or pg_extension/"
  fi
  make -s -C "$WORK/src" PG_CONFIG=$PG_CONFIG >"$WORK/build.log" 2>&1 &&
    make -s -C "$WORK/src" PG_CONFIG=$PG_CONFIG install DESTDIR="$WORK/stage" >>"$WORK/build.log" 2>&1
}
for attempt in $(seq 1 10); do
  if build; then break; fi
  [ "$attempt" = 10 ] && { cat "$WORK/build.log" >&2; echo "run.sh: the extension does not build" >&2; exit 1; }
  log "the tree does not build now (attempt $attempt); retrying in 60 s"
  sleep 60
done
chmod -R a+rX "$WORK/stage"
log "built ferry at $COMMIT"

SETTINGS="shared_buffers=256MB work_mem=64MB max_wal_size=4GB"
mkdir -p "$WORK/out"
chmod 777 "$WORK/out"
DATE=$(date -u +%Y-%m-%d)
START=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "scripts/pg-server.sh with $SETTINGS: rows $ROWS, $RUNS runs, rollback timeout $TIMEOUT s"
eval "$(PG_SERVER_SETTINGS=$SETTINGS bash scripts/pg-server.sh start "$PGDIR" "$WORK/stage")"
BENCH_ROWS=$ROWS BENCH_RUNS=$RUNS BENCH_TIMEOUT=$TIMEOUT BENCH_SKIP=$SKIP BENCH_OUT=$WORK/out \
  bash "$WORK/src/bench/pg_inner.sh" 2>&1 | tee "$WORK/inner.log" | grep --line-buffered '^\(\[\|    \)' >&2 || true
grep -q '^BENCH DONE' "$WORK/out/done" 2>/dev/null || {
  tail -40 "$WORK/inner.log" >&2; echo "run.sh: the benchmark failed" >&2; exit 1; }

mkdir -p bench/results
OUT=bench/results/$DATE-pg-${ROWS//,/_}${TAG:+-$TAG}.md
{
  echo "# ferry vs hand-written SQL, PostgreSQL: ${ROWS//,/, } invitations"
  echo
  echo "\`bench/run.sh --rows $ROWS --runs $RUNS --timeout $TIMEOUT${SKIP:+ --skip $SKIP}${TAG:+ --tag $TAG}\`, started $START, finished $(date -u '+%H:%M UTC')."
  echo
  echo "## Machine and versions"
  echo
  echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) memory, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- load average (1, 5, 15 min) at the start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: a load above 2 means other jobs ran beside this one)"
  [ -z "$SKIP" ] || echo "- left out (\`--skip\`): ${SKIP//,/, }"
  echo "- ferry: commit $COMMIT"
  sed -n 's/^version: /- PostgreSQL: /p; s/^ferry extension version: /- ferry extension version: /p' "$WORK/out/server.txt"
  echo "- throwaway cluster: \`scripts/pg-server.sh\` (initdb defaults, fsync on) with \`PG_SERVER_SETTINGS=\"$SETTINGS\"\`, everything else default:"
  sed -n 's/^setting: /  - /p' "$WORK/out/server.txt"
  echo "- every competitor starts from the same state: empty targets (TRUNCATE), ferry's phases rolled back, dropped and defined again, CHECKPOINT"
  echo "- rollbacks run under statement_timeout = $TIMEOUT s"
  echo
  cat "$WORK/out/report.md"
} > "$OUT"
echo
cat "$OUT"
echo
echo "written: $OUT"
if [ -e "$WORK/out/MISMATCH" ]; then
  echo "*** MISMATCH: ferry and the hand-written SQL wrote different rows; see the check lines above ***" >&2
  exit 1
fi
}
main "$@"; exit
