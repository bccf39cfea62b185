#!/usr/bin/env bash
# profile.sh [--rows N] -- where ferry's migrate_phase spends its time, at N invitations
# (default 1000000). Same build, data, settings and phases as bench/run.sh; runs perf record
# (--call-graph dwarf) on the backend during each phase and EXPLAIN ANALYZE of each phase's
# statement. Writes bench/results/<date>-pg-profile-<N>/. As root; installs linux-perf if missing.
main() {
  set -euo pipefail
  cd "$(dirname "$0")/.."
  local ROWS=1000000
  while [ $# -gt 0 ]; do
    case $1 in
      --rows) ROWS=${2:?}; shift 2 ;;
      *) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  bash scripts/deps.sh
  command -v perf >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
  local PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
  WORK=$(mktemp -d /tmp/ferry-profile.XXXXXX)
  chmod 755 "$WORK"
  trap 'rm -rf "$WORK"' EXIT
  mkdir -p "$WORK/src"
  cp -r Makefile ./*.control core pg_extension bench "$WORK/src/"
  find "$WORK/src" \( -name '*.o' -o -name '*.bc' -o -name '*.so' \) -delete
  make -s -C "$WORK/src" PG_CONFIG=$PG_CONFIG >/dev/null
  make -s -C "$WORK/src" PG_CONFIG=$PG_CONFIG install DESTDIR="$WORK/stage" >/dev/null
  chmod -R a+rX "$WORK/stage"
  local OUT=bench/results/$(date -u +%Y-%m-%d)-pg-profile-$ROWS
  mkdir -p "$OUT"
  git rev-parse --short HEAD > "$OUT/commit.txt"
  git status --porcelain -- core pg_extension >> "$OUT/commit.txt"
  chmod 777 "$OUT"
  PROF_ROWS=$ROWS PROF_OUT=$PWD/$OUT pg_virtualenv -t -v 15 -o "extension_destdir=$WORK/stage" \
    -o shared_buffers=256MB -o work_mem=64MB -o max_wal_size=4GB bash "$WORK/src/bench/profile_inner.sh"
  rm -f "$OUT"/perf-*.data
  echo "written: $OUT"
}
main "$@"; exit
