#!/usr/bin/env bash
# mariadb.sh DIR -- ferry's crash and concurrency tests on MariaDB 10.11.
#
# Starts a server in DIR (scripts/mariadb-server.sh; build mariadb_plugin
# first), kills mariadbd with SIGKILL (the PID the script saved) in the
# middle of ferry's work, starts it again on the same data (InnoDB crash
# recovery) and checks what survived.  Each scenario has a database of its
# own.  Prints "ok NAME" / "FAILED NAME: ..." per check; exits non-zero on
# any failure.  The server is stopped, by its PID, whatever happens.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$here/tests/faults/lib.sh"
case "${1:-}" in -*|"") echo "usage: mariadb.sh DIR" >&2; exit 2 ;; esac
[ $# -eq 1 ] || { echo "usage: mariadb.sh DIR" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
ROWS=${FAULTS_ROWS:-200000}
server="$here/scripts/mariadb-server.sh"
client=(mariadb --no-defaults --socket="$dir/sock" -uroot)

bash "$server" start "$dir" >"$dir/start.log" 2>&1 || { cat "$dir/start.log"; exit 1; }
trap 'bash "$server" stop "$dir" >/dev/null 2>&1' EXIT

# q DB SQL: the result rows, tab-separated columns turned into |
q() { "${client[@]}" -N -B -e "$2" "$1" | tr '\t' '|'; }

# crash: SIGKILL to mariadbd, then the same server again on its data
crash() {
    local pid
    pid=$(cat "$dir/mariadbd.pid")
    kill -9 "$pid"
    wait_gone 30 "$pid"
    bash "$server" start "$dir" >"$dir/start.log" 2>&1 || cat "$dir/start.log"
}

# setup DB [ROWS]: a source, its target, phase p (uuid_v5 keys, the legacy
# key kept in dst.legacy_id), in a database with ferry's procedures.
setup() {
    "${client[@]}" -e "CREATE DATABASE $1"
    "${client[@]}" "$1" <"$here/mariadb_plugin/procedures.sql"
    "${client[@]}" "$1" <<SQL
CREATE TABLE src (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40), amount INT) ENGINE = InnoDB;
INSERT INTO src SELECT seq, CONCAT('n', seq), seq % 1000 FROM seq_1_to_$ROWS;
CREATE TABLE dst (id UUID PRIMARY KEY, name VARCHAR(40), amount INT, legacy_id BIGINT) ENGINE = InnoDB;
CALL define_phase('p', '{"source": "src", "target": "dst",
  "target_key": {"column": "id", "generate": "uuid_v5"}, "legacy_column": "legacy_id",
  "columns": {"name": "name", "amount": "amount"}}');
SQL
}

# slow DB on|off: the row with key 150000 sleeps while it is written or
# deleted, so that a kill lands in the middle of a statement.
slow() {
    if [ "$2" = on ]; then
        q "$1" "CREATE TRIGGER slow_insert BEFORE INSERT ON dst FOR EACH ROW
                  SET @slept = IF(NEW.legacy_id = 150000, SLEEP(60), 0)"
        q "$1" "CREATE TRIGGER slow_delete BEFORE DELETE ON dst FOR EACH ROW
                  SET @slept = IF(OLD.legacy_id = 150000, SLEEP(60), 0)"
    else
        q "$1" "DROP TRIGGER slow_insert"
        q "$1" "DROP TRIGGER slow_delete"
    fi
}

# sleeping DB: a statement of DB sleeps in a slow trigger
sleeping() {
    [ "$(q information_schema "SELECT count(*) FROM processlist WHERE db = '$1' AND state = 'User sleep'")" = 1 ]
}

# map_rows DB: the rows of phase p's id map
map_rows() {
    q "$1" "SELECT count(*) FROM ferry_catalog.map_$(q "$1" "SELECT id FROM ferry.phases WHERE db = '$1' AND name = 'p'")"
}

# exact DB NAME: every source row has exactly one target row and one map
# entry and nothing else is there, and validation has no FAIL.
exact() {
    local db=$1 name=$2
    expect "$name: target rows = map rows = source rows" \
        "$(q "$db" "SELECT count(*) FROM src")|$(q "$db" "SELECT count(*) FROM src")" \
        "$(q "$db" "SELECT count(*) FROM dst")|$(map_rows "$db")"
    expect "$name: 0 gaps, 0 duplicates, 0 strays" "0|0|0" \
        "$(q "$db" "SELECT (SELECT count(*) FROM src s WHERE NOT EXISTS (SELECT 1 FROM dst d WHERE d.legacy_id = s.id)),
                           (SELECT count(*) - count(DISTINCT legacy_id) FROM dst),
                           (SELECT count(*) FROM dst d WHERE NOT EXISTS (SELECT 1 FROM src s WHERE s.id = d.legacy_id))")"
    "${client[@]}" -N -B -e "CALL validate_migration_integrity('p')" "$db" >"$dir/validate.out" 2>&1
    expect "$name: validate_migration_integrity has no FAIL" "0" \
        "$(grep -c 'FAIL' "$dir/validate.out")"
}

# ---------------------------------------------------------------------------
# 1. kill -9 of mariadbd during CALL migrate_phase (one transaction): all
#    or nothing; and meanwhile a second session is refused at once
setup migrate
slow migrate on
"${client[@]}" migrate -e "CALL migrate_phase('p')" >"$dir/migrate.out" 2>&1 &
first=$!
expect_true "migrate: the run reached row 150000" "not in 60 s" wait_for 60 sleeping migrate
start=$SECONDS
"${client[@]}" migrate -e "CALL migrate_phase('p')" >"$dir/second.out" 2>&1
expect "same phase, second session: refused at once, by name" \
    "ERROR 1644 (55P03) at line 1: phase \"p\" is already being worked on by another session HINT: Wait for the other session to finish, then run it again.|0" \
    "$(grep '^ERROR' "$dir/second.out")|$((SECONDS - start))"
"${client[@]}" migrate -e "CALL rollback_migration('p')" >"$dir/second.out" 2>&1
expect "same phase, second session: rollback refused too" \
    "ERROR 1644 (55P03) at line 1: phase \"p\" is already being worked on by another session HINT: Wait for the other session to finish, then run it again." \
    "$(grep '^ERROR' "$dir/second.out")"
crash
wait "$first"
expect "migrate: nothing of the killed run remains (target, map, log)" "0|0|0" \
    "$(q migrate "SELECT (SELECT count(*) FROM dst), $(map_rows migrate), (SELECT count(*) FROM ferry.migration_log WHERE db = 'migrate')")"
slow migrate off
expect "migrate: run again, it migrates every row" "p|$ROWS|0" \
    "$(q migrate "CALL migrate_phase('p')" | cut -d'|' -f1,2,4)"
exact migrate migrate

# ---------------------------------------------------------------------------
# 2. kill -9 of mariadbd during rollback_migration: all or nothing
setup rollback
q rollback "CALL migrate_phase('p')" >/dev/null
checksum=$(q rollback "CHECKSUM TABLE src")
slow rollback on
"${client[@]}" rollback -e "CALL rollback_migration('p')" >"$dir/rollback.out" 2>&1 &
first=$!
expect_true "rollback: the kill lands in the middle of its delete" "not in 60 s" wait_for 60 sleeping rollback
crash
wait "$first"
expect "rollback: nothing of the interrupted rollback remains (target, map, log)" \
    "$ROWS|$ROWS|migrate:completed" \
    "$(q rollback "SELECT (SELECT count(*) FROM dst), $(map_rows rollback),
                          (SELECT group_concat(operation, ':', status) FROM ferry.migration_log WHERE db = 'rollback')")"
slow rollback off
expect "rollback: run again, it removes every row" "p|$ROWS" \
    "$(q rollback "CALL rollback_migration('p')" | cut -d'|' -f1,3)"
expect "rollback: all of it; the source is untouched" "0|0|$checksum" \
    "$(q rollback "SELECT count(*) FROM dst")|$(map_rows rollback)|$(q rollback "CHECKSUM TABLE src")"

# ---------------------------------------------------------------------------
# 3. kill -9 of mariadbd during CALL migrate_phase_batched: the committed
#    batches stay, the open one leaves nothing, the next run marks the dead
#    one failed and resumes with 0 gaps and 0 duplicates.  (A tree without
#    MariaDB batched runs says so and skips this.)
if grep -q 'CREATE PROCEDURE migrate_phase_batched' "$here/mariadb_plugin/procedures.sql"; then
    setup batched
    "${client[@]}" batched -e "CALL migrate_phase_batched('p', 2000)" >"$dir/batched.out" 2>&1 &
    first=$!
    committed() {
        [ "$(q batched "SELECT coalesce(max(\`rows\`), 0) >= 20000 FROM ferry.migration_log
                         WHERE db = 'batched' AND status = 'started'")" = 1 ]
    }
    expect_true "batched: some batches committed before the kill" "none in 60 s" wait_for 60 committed
    crash
    wait "$first"
    logged=$(q batched "SELECT \`rows\` FROM ferry.migration_log WHERE db = 'batched' AND status = 'started'")
    expect "batched: 0 partial batches (target rows = map rows = rows of committed batches)" \
        "$logged|$logged" "$(q batched "SELECT count(*) FROM dst")|$(map_rows batched)"
    expect "batched: the run stopped in the middle" "1" \
        "$(q batched "SELECT count(*) BETWEEN 1 AND $ROWS - 1 FROM dst")"
    # a started run whose lock is free is interrupted, as on PostgreSQL
    expect "batched: migration_status shows the dead run as interrupted" \
        "interrupted|started|interrupted after $logged rows: no session holds the phase (it was cancelled, or its session or the server died)" \
        "$(q batched "CALL migration_status()" | cut -d'|' -f4,9,11)"
    "${client[@]}" batched -e "CALL migrate_phase_batched('p', 2000)" >"$dir/batched2.out" 2>&1
    expect "batched: the resumed run ends" "0" "$?"
    expect "batched: the run log shows the interrupted run as failed" \
        "failed|$logged
completed|$((ROWS - logged))" \
        "$(q batched "SELECT status, \`rows\` FROM ferry.migration_log WHERE db = 'batched' ORDER BY id")"
    exact batched batched
else
    echo "skip batched: this tree has no CALL migrate_phase_batched on MariaDB"
fi

# ---------------------------------------------------------------------------
# 4. kill -9 of mariadbd during sync, while the application inserts (single
#    rows and 5-row statements, mariadb-slap): the per-row triggers write in
#    the application's transaction, so every committed source row has its
#    target row and map entry, and no target row lost its source row
setup sync
q sync "CALL start_sync('p')" >/dev/null
q sync "CALL migrate_phase('p')" >/dev/null
mariadb-slap --no-defaults --socket="$dir/sock" -uroot --create-schema=sync \
    --query="INSERT INTO src (name, amount) VALUES ('app', 1);INSERT INTO src (name, amount) SELECT 'app batch', seq FROM seq_1_to_5" \
    --delimiter=";" --concurrency=4 --number-of-queries=1000000 --no-drop >"$dir/slap.out" 2>&1 &
writer=$!
grown() { [ "$(q sync "SELECT count(*) >= $ROWS + 3000 FROM src")" = 1 ]; }
expect_true "sync: the application inserted rows before the crash" "not in 60 s" wait_for 60 grown
crash
wait "$writer"
expect "sync: every committed source row has its synced target row, none without" \
    "0|0" "$(q sync "SELECT (SELECT count(*) FROM src s WHERE NOT EXISTS (SELECT 1 FROM dst d WHERE d.legacy_id = s.id)),
                          (SELECT count(*) FROM dst d WHERE NOT EXISTS (SELECT 1 FROM src s WHERE s.id = d.legacy_id))")"
q sync "INSERT INTO src (name, amount) VALUES ('after the crash', 2)" >/dev/null
expect "sync: still on after the restart" "1" \
    "$(q sync "SELECT count(*) FROM dst WHERE name = 'after the crash'")"
exact sync sync
q sync "CALL stop_sync('p')" >/dev/null

# ---------------------------------------------------------------------------
# The concurrency tests need no 200k rows: 50k keep the suite fast.
ROWS=${FAULTS_CONCURRENT_ROWS:-50000}

# ---------------------------------------------------------------------------
# 5. two phases write one target table at the same time
"${client[@]}" -e "CREATE DATABASE twophases"
"${client[@]}" twophases <"$here/mariadb_plugin/procedures.sql"
"${client[@]}" twophases <<SQL
CREATE TABLE src_a (id BIGINT PRIMARY KEY, name VARCHAR(40)) ENGINE = InnoDB;
CREATE TABLE src_b (id BIGINT PRIMARY KEY, name VARCHAR(40)) ENGINE = InnoDB;
INSERT INTO src_a SELECT seq, CONCAT('a', seq) FROM seq_1_to_$((ROWS / 2));
INSERT INTO src_b SELECT seq, CONCAT('b', seq) FROM seq_1_to_$((ROWS / 2));
CREATE TABLE dst (id UUID PRIMARY KEY, name VARCHAR(40), legacy_a BIGINT, legacy_b BIGINT, origin CHAR(1)) ENGINE = InnoDB;
CALL define_phase('a', '{"source": "src_a", "target": "dst", "target_key": {"column": "id", "generate": "uuid_v5"},
  "legacy_column": "legacy_a", "columns": {"name": "name", "origin": {"const": "a"}}}');
CALL define_phase('b', '{"source": "src_b", "target": "dst", "target_key": {"column": "id", "generate": "uuid_v5"},
  "legacy_column": "legacy_b", "columns": {"name": "name", "origin": {"const": "b"}}}');
SQL
"${client[@]}" twophases -e "CALL migrate_phase('a')" >"$dir/a.out" 2>&1 &
pa=$!
"${client[@]}" twophases -e "CALL migrate_phase('b')" >"$dir/b.out" 2>&1 &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
expect "two phases, one target: both runs succeed" "0 0" "$ra $rb$(grep -h ERROR "$dir/a.out" "$dir/b.out" | sed 's/^/ /')"
if [ "$ra $rb" != "0 0" ]; then
    "${client[@]}" -e "SHOW ENGINE INNODB STATUS\G" | sed -n '/LATEST DETECTED DEADLOCK/,/^TRANSACTIONS$/p' | cut -c1-400
fi
expect "two phases, one target: every row of both sources is there once" \
    "a|$((ROWS / 2))|$((ROWS / 2))
b|$((ROWS / 2))|$((ROWS / 2))" \
    "$(q twophases "SELECT origin, count(*), count(DISTINCT coalesce(legacy_a, legacy_b)) FROM dst GROUP BY origin ORDER BY origin")"
"${client[@]}" -N -B -e "CALL validate_migration_integrity(NULL)" twophases >"$dir/validate.out" 2>&1
expect "two phases, one target: validation has no FAIL" "0" "$(grep -c 'FAIL' "$dir/validate.out")"

# ---------------------------------------------------------------------------
# 6. migrate_phase while the application inserts into the source
#    (mariadb-slap); the catch-up run after it takes what the first did not
#    see: no inserted row is lost
setup writer
mariadb-slap --no-defaults --socket="$dir/sock" -uroot --create-schema=writer \
    --query="INSERT INTO src (name, amount) VALUES ('app', 1)" \
    --concurrency=2 --number-of-queries=1000000 --no-drop >"$dir/slap.out" 2>&1 &
writer=$!
wait_for 30 sh -c "[ \"\$(${client[*]} -N -B -e 'SELECT count(*) > $ROWS + 200 FROM src' writer)\" = 1 ]"
"${client[@]}" -N -B -e "CALL migrate_phase('p')" writer >"$dir/first.out" 2>&1
first=$(cut -f2 "$dir/first.out")
sleep 1
kill -TERM "$writer" 2>/dev/null
wait "$writer"
during=$(q writer "SELECT count(*) - $ROWS FROM src")
expect_true "writer: the first run succeeded" "$(cat "$dir/first.out")" test -n "$first" -a "$first" -eq "$first" 2>/dev/null
expect_true "writer: the application inserted rows while the run ran" "only $during rows" \
    test "$during" -gt 200
catchup=$(q writer "CALL migrate_phase('p')" | cut -d'|' -f2)
expect "writer: first run + catch-up = every source row" "$((ROWS + during))" "$((first + catchup))"
exact writer writer

[ "$FAULTS_FAILED" -eq 0 ]
