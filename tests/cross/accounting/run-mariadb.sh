#!/usr/bin/env bash
# run-mariadb.sh SOCKET SCENARIO -- runs one accounting scenario (wedding,
# chinook) on a running MariaDB that has ferry's UDFs and catalog
# (scripts/mariadb-server.sh start DIR; SOCKET is DIR/sock), in a fresh
# database cross_SCENARIO, and prints the canonical comparison lines (see
# README.md) to stdout, sorted, tab-separated.  run-postgres.sh does the same
# steps on PostgreSQL; scripts/cross-accounting.sh diffs the two outputs.
#
# FERRY_DATASETS: the shared datasets (default ../shared/datasets beside the
# repository).  The database is dropped at the end unless KEEP_DB=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 SOCKET SCENARIO" >&2; exit 2; }
sock=$1
scen=$2
dir=$here/$scen
[ -d "$dir" ] || { echo "run-mariadb.sh: no scenario $scen" >&2; exit 2; }
datasets=${FERRY_DATASETS:-$root/../shared/datasets}
db=cross_$scen
export LC_ALL=C

my() { mariadb --no-defaults --socket="$sock" -uroot --default-character-set=utf8mb4 "$@"; }
# rows: the rows of the statements on stdin, tab-separated, no header, NULL
# as NULL, nothing escaped (-r), as psql -At -F TAB -P null=NULL prints them
rows() { my -N -B -r "$db"; }
# label LABEL...: the scenario and the labels in front of every line
label() { awk -v p="$scen"$'\t'"$(IFS=$'\t'; echo "$*")" '{ print p "\t" $0 }'; }
# ordinal: the line's number in front (the order migrate_all ran the phases in)
ordinal() { awk '{ print NR "\t" $0 }'; }
# phases: the phases in definition order, from the spec files NN_name.json
phases() { for f in "$dir"/[0-9]*_*.json; do n=${f##*/}; n=${n#*_}; echo "${n%.json}"; done; }
phase_id() { echo "SELECT id FROM ferry.phases WHERE db = DATABASE() AND name = '$1';" | rows; }
# literal FILE: the file's text as the body of a string literal (the
# session's sql_mode keeps backslash escapes: backslashes and quotes doubled)
literal() { sed -e 's/\\/\\\\/g' -e "s/'/''/g" "$1"; }

# migrate LABEL: migrate_all's rows (phase, migrated, merged, rejected,
# filtered, skipped: seconds differ by nature), numbered in its order
migrate() { echo "CALL migrate_all();" | rows | cut -f1-6 | ordinal | label "$1" migrate; }
# rejects LABEL...: phase, legacy key, reason, source row; the legacy key
# and the quarantined source row (JSON objects) as key=value pairs in key
# order: the JSON texts differ, PostgreSQL's jsonb orders keys by length
# first ({"track_id": 1, "playlist_id": 99} there, {"playlist_id": 99,
# "track_id": 1} here)
pairs() {
  echo "(SELECT GROUP_CONCAT(CONCAT(j.k, '=', COALESCE(JSON_VALUE($1, CONCAT('\$.\"', j.k, '\"')), 'NULL'))
                             ORDER BY j.k SEPARATOR ', ')
           FROM JSON_TABLE(JSON_KEYS($1), '\$[*]' COLUMNS (k VARCHAR(64) PATH '\$')) AS j)"
}
rejects() {
  echo "SET SESSION group_concat_max_len = 1048576;
        SELECT r.phase, $(pairs r.legacy_key), r.reason, $(pairs r.source_row)
          FROM ferry.migration_rejects r JOIN ferry.phases p ON p.id = r.phase_id
         WHERE p.db = DATABASE();" | rows | label "$@" reject
}
validate() { echo "CALL validate_migration_integrity(NULL);" | rows | label "$@" validate; }
# maps: every id map entry, legacy key part(s) -> new key
maps() {
  local p id cols
  for p in $(phases); do
    id=$(phase_id "$p")
    cols=$(echo "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
                  WHERE table_schema = 'ferry_catalog' AND table_name = 'map_$id' AND column_name LIKE 'legacy\\_%';" | rows)
    echo "SELECT $cols, new_key FROM ferry_catalog.map_$id;" | rows | label "$@" map "$p"
  done
}
# content: the target rows, column by column (JSON members one by one)
content() { rows <"$dir/mariadb-content.sql" | label "$@" content; }

main() {
# a database dropped with its phases leaves their catalog rows and id maps
# behind (README, Caveats), and define_phase of the same spec would then be
# a no-op over a full map: clear what an interrupted earlier run left
local id p f
for id in $(my -N -B -e "SELECT id FROM ferry.phases WHERE db = '$db'"); do
  my -e "DROP TABLE IF EXISTS ferry_catalog.map_$id; DELETE FROM ferry.migration_rejects WHERE phase_id = $id;
         DELETE FROM ferry.migration_log WHERE db = '$db'; DELETE FROM ferry.phases WHERE id = $id"
done
my -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\`"
my "$db" <"$root/mariadb_plugin/procedures.sql"
if [ "$scen" = chinook ]; then
  # the dataset writes four track names with "\ " (PostgreSQL's file has
  # the same bytes); MariaDB's default backslash escapes would drop those
  # backslashes, so the two engines would start from different data
  { echo "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');"
    cat "$datasets/chinook/mysql/Chinook_MySql.sql"; } | my
fi
my "$db" <"$dir/mariadb.sql"
[ ! -f "$dir/dirty.sql" ] || my "$db" <"$dir/dirty.sql"
# the legacy rows both engines start from (the same SELECTs on both)
rows <"$dir/source.sql" | label source

for f in "$dir"/[0-9]*_*.json; do
  p=${f##*/}; p=${p#*_}; p=${p%.json}
  printf "CALL define_phase('%s', '%s');\n" "$p" "$(literal "$f")"
done | my "$db"

# the stored specs' checksums (SHA-1 of the canonical form): one spec file,
# so one checksum on both engines
echo "SELECT name, checksum FROM ferry.phases WHERE db = DATABASE();" | rows | label spec_checksum

# run 1: migrate_phase for each phase in definition order, or migrate_all
if [ "$(cat "$dir/migrate")" = each ]; then
  for p in $(phases); do echo "CALL migrate_phase('$p');"; done | rows | cut -f1-6 | ordinal | label run1 migrate
else
  migrate run1
fi
# run 2: everything skipped, the rejects judged again
migrate run2
rejects
validate

# the same damage on both engines, validated, then undone
{ echo "START TRANSACTION;"; cat "$dir/tamper.sql"; echo "CALL validate_migration_integrity(NULL);"; echo "ROLLBACK;"; } |
  rows | label tampered validate

# the dirty rows put right; run 3 migrates what the rejects were waiting for
if [ -f "$dir/fix.sql" ]; then
  my "$db" <"$dir/fix.sql"
  migrate run3
  rejects fixed
  validate fixed
fi
maps
content

# rollback with cascade, each phase in definition order, as on PostgreSQL
# (run-postgres.sh says why the rows are sorted and the target left out)
for p in $(phases); do echo "CALL rollback_migration_ex('$p', TRUE, FALSE);"; done |
  rows | cut -f1,3,4 | sort | label rollback
rejects after_rollback
echo "SELECT 'phases', count(*) FROM ferry.phases WHERE db = DATABASE();" | rows | label after_rollback
for p in $(phases); do
  echo "SELECT '$p', count(*) FROM ferry_catalog.map_$(phase_id "$p");" | rows | label after_rollback map_entries
done
content after_rollback

# dropping the database would leave the phases behind (README, Caveats)
for p in $(phases | tac); do echo "CALL drop_phase('$p');"; done | my "$db"
[ "${KEEP_DB:-0}" = 1 ] || my -e "DROP DATABASE \`$db\`"
}

# every line sorted, so that both engines' outputs compare line by line
main | sort
