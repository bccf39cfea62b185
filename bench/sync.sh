#!/usr/bin/env bash
# sync.sh [--rows N] [--runs R] -- the write overhead of start_sync on the legacy table (PostgreSQL 15).
#
# Five set-ups of the same legacy table, each on fresh tables with N rows migrated by the same
# phase: no sync; ferry's sync (start_sync: statement-level triggers, C); a hand-written PL/pgSQL
# per-row trigger doing the same work (the seed 004 / pgroll approach: target row, id map row with
# a content hash; an update recomputes both); the best a DBA could write by hand, a statement-level
# PL/pgSQL trigger over the transition table doing the same writes in two set-based statements
# (no rejects, no run log); and the target's share alone, that statement-level trigger writing
# only the target rows (no id map): what any sync pays before it keeps a map. Three pgbench custom
# scripts, one client: a single-row INSERT, a single-row UPDATE and a 1,000-row INSERT ... SELECT.
# The set-ups (one database each) take turns within every run; prints the median latency of R runs
# per script and set-up and the median of the runs' ratios, and writes bench/results/<date>-sync.md.
# Builds the tree into a staging directory and runs on its own throwaway cluster
# (scripts/pg-run.sh). The machine may be shared: compare the ratios of one run, not the times.
#
# The whole script is one function (bash reads it completely before running it), so editing the
# tree while it runs changes nothing.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=100000
RUNS=3
while [ $# -gt 0 ]; do
  case $1 in
    --rows) ROWS=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --inner) INNER=1; shift ;;
    *) echo "sync.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $ROWS =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "sync.sh: --rows and --runs take positive integers" >&2; exit 2; }

if [ -z "${INNER:-}" ]; then
  work=$(mktemp -d /tmp/ferry-bench-sync.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  make -s >/dev/null && make -s install DESTDIR="$work/stage" >/dev/null
  chmod -R a+rX "$work"
  out=bench/results/$(date -u +%Y-%m-%d)-sync.md
  commit=$(git rev-parse --short HEAD)
  [ -z "$(git status --porcelain -- core pg_extension)" ] || commit="$commit + uncommitted changes"
  {
    echo "# sync write overhead, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
    echo
    echo "PostgreSQL 15, one pgbench client, $ROWS legacy rows migrated before each set-up, median of $RUNS runs"
    echo "(bench/sync.sh). $(nproc) cores, shared with other work while it ran (load average at the"
    echo "start: $(cut -d' ' -f1-3 /proc/loadavg)): the times move with the load; the ratios are taken within the run."
    echo
    bash scripts/pg-run.sh "$work/stage" bash bench/sync.sh --inner --rows "$ROWS" --runs "$RUNS"
  } | tee "$out"
  echo "written: $out" >&2
  exit 0
fi

# ---- inside the throwaway cluster
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
scripts=$(mktemp -d /tmp/ferry-bench-sync-scripts.XXXXXX)
chmod 755 "$scripts"
trap 'rm -rf "$scripts"' EXIT
cat >"$scripts/insert1.sql" <<'EOF'
INSERT INTO invitations SELECT nextval('bench_ids'), 'Ani & Budi', 'p', 'Hall', 'Jakarta', 150000;
EOF
cat >"$scripts/update1.sql" <<EOF
\set id random(1, $ROWS)
UPDATE invitations SET city = 'City ' || :id, budget_cents = budget_cents + 1 WHERE id = :id;
EOF
cat >"$scripts/insert1000.sql" <<'EOF'
INSERT INTO invitations SELECT nextval('bench_ids'), 'Couple ' || g, CASE WHEN g % 2 = 0 THEN 'p' ELSE 'd' END,
  'Hall ' || g % 10, 'City', g FROM generate_series(1, 1000) g;
EOF
chmod 644 "$scripts"/*.sql

setup() {  # $1: one of $MODES, in database bench_$1
  createdb "bench_$1"
  export PGDATABASE=bench_$1
  psql >/dev/null <<EOF
CREATE EXTENSION ferry;
CREATE TABLE invitations (id bigint PRIMARY KEY, couple text, status text, venue text, city text, budget_cents bigint);
CREATE TABLE events (id uuid PRIMARY KEY, title text NOT NULL, status text, location jsonb, budget numeric,
                     legacy_id bigint UNIQUE);
INSERT INTO invitations SELECT g, 'Couple ' || g, CASE WHEN g % 2 = 0 THEN 'p' ELSE 'd' END, 'Hall ' || g % 10,
  'City ' || g % 100, g * 10 FROM generate_series(1, $ROWS) g;
CREATE SEQUENCE bench_ids START $((ROWS + 1));
SELECT define_phase('invites', '{"source": "invitations", "target": "events", "legacy_column": "legacy_id",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "columns": {"title": "couple", "status": {"from": "status", "map": {"p": "published", "d": "draft"}},
              "location": {"json": {"venue": "venue", "city": "city"}},
              "budget": {"from": "budget_cents", "convert": "cents_to_decimal"}}}');
SELECT migrated FROM migrate_phase('invites');
VACUUM ANALYZE;
EOF
  case $1 in
    ferry) psql -c "SELECT start_sync('invites')" >/dev/null ;;
    plpgsql) psql >/dev/null <<'EOF'
-- what seed 004 and pgroll write by hand: one trigger call per row, the
-- same target row and an id map row with a content hash
CREATE TABLE plpgsql_map (legacy_id bigint PRIMARY KEY, new_id uuid NOT NULL, row_hash text);
INSERT INTO plpgsql_map SELECT legacy_id, id, md5(ROW(title, status, location, budget)::text) FROM events;
CREATE FUNCTION plpgsql_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
  v_title text := NEW.couple;
  v_status text := CASE NEW.status WHEN 'p' THEN 'published' WHEN 'd' THEN 'draft' ELSE NEW.status END;
  v_location jsonb := jsonb_build_object('venue', NEW.venue, 'city', NEW.city);
  v_budget numeric := NEW.budget_cents / 100.0;
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_id := uuid_v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', NEW.id::text);
    INSERT INTO events (id, title, status, location, budget, legacy_id)
    VALUES (v_id, v_title, v_status, v_location, v_budget, NEW.id);
    INSERT INTO plpgsql_map VALUES (NEW.id, v_id, md5(ROW(v_title, v_status, v_location, v_budget)::text));
  ELSE
    UPDATE events SET title = v_title, status = v_status, location = v_location, budget = v_budget
    WHERE legacy_id = NEW.id;
    UPDATE plpgsql_map SET row_hash = md5(ROW(v_title, v_status, v_location, v_budget)::text) WHERE legacy_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER plpgsql_sync AFTER INSERT OR UPDATE ON invitations FOR EACH ROW EXECUTE FUNCTION plpgsql_sync();
EOF
    ;;
    setbased|target) psql >/dev/null <<EOF
-- one set-based statement per firing over the transition table; "target" writes the target rows
-- only, "setbased" also the id map row with ferry's content hash (as ferry's sync does)
CREATE TABLE set_map (legacy_id bigint PRIMARY KEY, new_id uuid NOT NULL UNIQUE, row_hash bigint);
INSERT INTO set_map SELECT legacy_id, id, ferry.content_hash(ROW(title, status, location, budget)) FROM events;
CREATE FUNCTION set_insert() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  WITH ins AS (
    INSERT INTO events (id, title, status, location, budget, legacy_id)
    SELECT uuid_v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', n.id::text), n.couple,
           CASE n.status WHEN 'p' THEN 'published' WHEN 'd' THEN 'draft' ELSE n.status END,
           jsonb_build_object('venue', n.venue, 'city', n.city), n.budget_cents / 100.0, n.id
    FROM new_rows n RETURNING *)
  INSERT INTO set_map SELECT legacy_id, id, ferry.content_hash(ROW(title, status, location, budget))
  FROM ins WHERE '$1' = 'setbased';
  RETURN NULL;
END \$\$;
CREATE FUNCTION set_update() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  WITH upd AS (
    UPDATE events e SET title = n.couple,
           status = CASE n.status WHEN 'p' THEN 'published' WHEN 'd' THEN 'draft' ELSE n.status END,
           location = jsonb_build_object('venue', n.venue, 'city', n.city), budget = n.budget_cents / 100.0
    FROM new_rows n WHERE e.legacy_id = n.id RETURNING e.*)
  UPDATE set_map m SET row_hash = ferry.content_hash(ROW(u.title, u.status, u.location, u.budget))
  FROM upd u WHERE m.legacy_id = u.legacy_id AND '$1' = 'setbased';
  RETURN NULL;
END \$\$;
CREATE TRIGGER set_insert AFTER INSERT ON invitations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION set_insert();
CREATE TRIGGER set_update AFTER UPDATE ON invitations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION set_update();
EOF
    ;;
  esac
}
MODES="none ferry plpgsql setbased target"

latency() {  # $1: mode, $2: script, $3: transactions -> latency average in ms
  pgbench -n -c 1 -t "$3" -f "$scripts/$2" "bench_$1" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

for mode in $MODES; do
  setup "$mode"
done
# the set-ups take turns in every run, so they see the same load
declare -A ms
for run in $(seq 1 "$RUNS"); do
  for w in insert1:1000 update1:1000 insert1000:10; do
    for mode in $MODES; do
      ms[$mode,${w%%:*},$run]=$(latency "$mode" "${w%%:*}.sql" "${w#*:}")
    done
  done
done
for mode in ferry plpgsql setbased target; do
  # the synced rows are the rows of the set-up: every legacy row has its target row
  [ "$(psql -d "bench_$mode" -Atc "SELECT count(*) FROM invitations i LEFT JOIN events e ON e.legacy_id = i.id WHERE e.id IS NULL")" = 0 ] ||
    { echo "sync.sh: $mode left legacy rows without a target row" >&2; exit 1; }
done
for mode in $MODES; do
  dropdb "bench_$mode"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# each ratio is taken within a run (its set-ups ran side by side), then the median over the runs
median_ratio() {  # $1 $2: modes, $3: workload
  local r=() run
  for run in $(seq 1 "$RUNS"); do r+=("$(ratio "${ms[$1,$3,$run]}" "${ms[$2,$3,$run]}")"); done
  echo "$(median "${r[@]}")x"
}
echo "| workload (latency per statement, ms, median) | no sync | ferry sync | PL/pgSQL per-row | hand-written set-based | target rows only | ferry / no sync | ferry / PL/pgSQL | ferry / set-based | target only / no sync |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for w in insert1 update1 insert1000; do
  case $w in
    insert1) name="single-row INSERT (1,000 per run)" ;;
    update1) name="single-row UPDATE (1,000 per run)" ;;
    insert1000) name="1,000-row INSERT ... SELECT (10 per run)" ;;
  esac
  line="| $name"
  for mode in $MODES; do
    l=()
    for run in $(seq 1 "$RUNS"); do l+=("${ms[$mode,$w,$run]}"); done
    line+=" | $(median "${l[@]}")"
  done
  echo "$line | $(median_ratio ferry none $w) | $(median_ratio ferry plpgsql $w) | $(median_ratio ferry setbased $w) | $(median_ratio target none $w) |"
done
}
main "$@"
