#!/usr/bin/env bash
# run-postgres.sh SCENARIO -- runs one accounting scenario (wedding,
# chinook) on the PostgreSQL server the libpq environment points at (inside
# pg_virtualenv, whose server finds the staged ferry), in a fresh database
# cross_SCENARIO, and prints the canonical comparison lines (see README.md)
# to stdout, sorted, tab-separated.  run-mariadb.sh does the same steps on
# MariaDB; scripts/cross-accounting.sh diffs the two outputs.
#
# FERRY_DATASETS: the shared datasets (default ../shared/datasets beside the
# repository).  The database is dropped at the end unless KEEP_DB=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 SCENARIO" >&2; exit 2; }
scen=$1
dir=$here/$scen
[ -d "$dir" ] || { echo "run-postgres.sh: no scenario $scen" >&2; exit 2; }
datasets=${FERRY_DATASETS:-$root/../shared/datasets}
db=cross_$scen
export LC_ALL=C PGCLIENTENCODING=UTF8

pg() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# rows: the rows of the statements on stdin, tab-separated, no header, NULL
# as NULL, as mariadb -N -B -r prints them
rows() { pg -At -F $'\t' -P null=NULL -P pager=off; }
# label LABEL...: the scenario and the labels in front of every line
label() { awk -v p="$scen"$'\t'"$(IFS=$'\t'; echo "$*")" '{ print p "\t" $0 }'; }
# ordinal: the line's number in front (the order migrate_all ran the phases in)
ordinal() { awk '{ print NR "\t" $0 }'; }
# phases: the phases in definition order, from the spec files NN_name.json
phases() { for f in "$dir"/[0-9]*_*.json; do n=${f##*/}; n=${n#*_}; echo "${n%.json}"; done; }
phase_id() { echo "SELECT id FROM ferry.phases WHERE name = '$1';" | rows; }

cols="phase, migrated, merged, rejected, filtered, skipped"
# migrate LABEL: migrate_all's rows (phase, migrated, merged, rejected,
# filtered, skipped: seconds differ by nature), numbered in its order
migrate() { echo "SELECT $cols FROM migrate_all();" | rows | ordinal | label "$1" migrate; }
# rejects LABEL...: phase, legacy key, reason, source row; the legacy key
# and the quarantined source row (JSON objects) as key=value pairs in key
# order: the JSON texts differ, jsonb orders keys by length first
# ({"track_id": 1, "playlist_id": 99} here, {"playlist_id": 99,
# "track_id": 1} on MariaDB)
pairs() {
  echo "(SELECT string_agg(key || '=' || COALESCE(value #>> '{}', 'NULL'), ', ' ORDER BY key COLLATE \"C\")
           FROM jsonb_each($1))"
}
rejects() {
  echo "SELECT r.phase, $(pairs r.legacy_key), r.reason, $(pairs r.source_row)
          FROM ferry.migration_rejects r;" | rows | label "$@" reject
}
validate() { echo "SELECT * FROM validate_migration_integrity();" | rows | label "$@" validate; }
# maps: every id map entry, legacy key part(s) -> new key
maps() {
  local p id cols
  for p in $(phases); do
    id=$(phase_id "$p")
    cols=$(echo "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
                  WHERE table_schema = 'ferry' AND table_name = 'map_$id' AND column_name LIKE 'legacy\\_%';" | rows)
    echo "SELECT $cols, new_key FROM ferry.map_$id;" | rows | label "$@" map "$p"
  done
}
# content: the target rows, column by column (JSON members one by one)
content() { rows <"$dir/postgres-content.sql" | label "$@" content; }

main() {
local p f
dropdb --if-exists "$db"
createdb -E UTF8 -T template0 "$db"
pg -c "CREATE EXTENSION ferry"
if [ "$scen" = chinook ]; then
  # the dataset's script makes its own database and connects to it: load
  # its tables into the schema chinook of ours instead
  { echo "CREATE SCHEMA chinook; SET search_path = chinook;"
    sed -e '/^DROP DATABASE/d' -e '/^CREATE DATABASE/d' -e '/^\\c /d' \
      "$datasets/chinook/postgres/Chinook_PostgreSql.sql"; } | pg >/dev/null
fi
pg -f "$dir/postgres.sql" >/dev/null
[ ! -f "$dir/dirty.sql" ] || pg -f "$dir/dirty.sql" >/dev/null
# the legacy rows both engines start from (the same SELECTs on both)
rows <"$dir/source.sql" | label source

# the spec file's bytes as a psql variable, quoted by psql
for f in "$dir"/[0-9]*_*.json; do
  p=${f##*/}; p=${p#*_}; p=${p%.json}
  echo "SELECT define_phase(:'name', :'spec');" | pg -v name="$p" -v spec="$(cat "$f")" >/dev/null
done

# the stored specs' checksums (SHA-1 of the canonical form): one spec file,
# so one checksum on both engines
echo "SELECT name, checksum FROM ferry.phases;" | rows | label spec_checksum

# run 1: migrate_phase for each phase in definition order, or migrate_all
if [ "$(cat "$dir/migrate")" = each ]; then
  for p in $(phases); do echo "SELECT $cols FROM migrate_phase('$p');"; done | rows | ordinal | label run1 migrate
else
  migrate run1
fi
# run 2: everything skipped, the rejects judged again
migrate run2
rejects
validate

# the same damage on both engines, validated, then undone
{ echo "BEGIN;"; cat "$dir/tamper.sql"; echo "SELECT * FROM validate_migration_integrity();"; echo "ROLLBACK;"; } |
  rows | label tampered validate

# the dirty rows put right; run 3 migrates what the rejects were waiting for
if [ -f "$dir/fix.sql" ]; then
  pg -f "$dir/fix.sql" >/dev/null
  migrate run3
  rejects fixed
  validate fixed
fi
maps
content

# rollback with cascade, each phase in definition order (the first takes
# its dependents with it; one already rolled back deletes nothing); the
# rows sorted, since siblings may go in another order on MariaDB; the target
# column is left out: it names the table as schema.table, and the schema is
# public on PostgreSQL and the database on MariaDB
for p in $(phases); do
  echo "SELECT phase, rows_deleted, rows_restored FROM rollback_migration('$p', cascade => true);"
done | rows | sort | label rollback
rejects after_rollback
echo "SELECT 'phases', count(*) FROM ferry.phases;" | rows | label after_rollback
for p in $(phases); do
  echo "SELECT '$p', count(*) FROM ferry.map_$(phase_id "$p");" | rows | label after_rollback map_entries
done
content after_rollback

for p in $(phases | tac); do echo "SELECT drop_phase('$p');"; done | pg >/dev/null
[ "${KEEP_DB:-0}" = 1 ] || dropdb "$db"
}

# every line sorted, so that both engines' outputs compare line by line
main | sort
