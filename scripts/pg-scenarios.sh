#!/usr/bin/env bash
# pg-scenarios.sh -- runs inside a throwaway cluster (scripts/test.sh starts it with pg-run.sh):
# every tests/scenarios/*.sql in a fresh database, as a DBA would run a
# migration file: psql -v ON_ERROR_STOP=1 -f.  Prints "ok NAME" or
# "FAILED NAME" with the end of its output.
set -u
cd "$(dirname "$0")/.."
for f in tests/scenarios/*.sql; do
  name=$(basename "$f" .sql)
  createdb "$name" || { echo "FAILED $name"; continue; }
  if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$name" -f "$f" 2>&1); then
    echo "ok $name"
  else
    echo "$out" | tail -15
    echo "FAILED $name"
  fi
  dropdb "$name"
done
