/*
 * sync.c -- live sync and compatibility views: the statements that keep a
 * phase's target current while the application still writes to the legacy
 * table, and the view that shows the legacy shape over the target.
 *
 * Sync reuses the migrate planner: the rows a statement inserted (or
 * changed into rows the phase has not mapped) are migrated by
 * fy_plan_migrate_range with the statement's transition table standing in
 * for the source (fy_meta_rows), so a synced row is the row migrate_phase
 * would write.  What migrate never does -- change or take out rows it
 * mapped -- is planned here, from migrate's own fragments.
 */
#include "plan.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

bool
fy_sync_check(const fy_phase *ph, fy_error *err)
{
	if (ph->source_query)
		return fy_fail(err, FY_ERR_NOT_SUPPORTED,
					   "phase \"%s\": sync needs a table source; a query source has no table to put triggers on",
					   ph->name);
	if (ph->update && ph->on_source_delete == FY_DELETE_SOFT)
		return fy_fail(err, FY_ERR_NOT_SUPPORTED,
					   "phase \"%s\": \"on_source_delete\": \"soft\" marks rows a phase wrote; an update phase wrote none (use delete or keep)",
					   ph->name);
	for (int i = 0; i < ph->ncolumns; i++)
		if (ph->columns[i].merge == FY_MERGE_OBJECT_AGG)
			return fy_fail(err, FY_ERR_NOT_SUPPORTED,
						   "phase \"%s\": sync of column \"%s\" (merge rule \"object_agg\") is not supported yet",
						   ph->name, ph->columns[i].target);
	return true;
}

fy_meta
fy_meta_rows(const fy_meta *meta, const char *rows)
{
	fy_meta		m = *meta;

	m.source.schema = NULL;
	m.source.name = rows;
	return m;
}

/* fys_match: map.legacy_i = keys.ferry_key_i for every key part. */
static void
fys_match(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *map,
		  const char *keys)
{
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, i ? " AND " : "");
		fyp_map_col(b, d, map, i + 1);
		fy_buf_addf(b, " = %s.ferry_key_%d", keys, i + 1);
	}
}

/* fys_keys: SELECT the key of every row of rel as ferry_key_1..n. */
static void
fys_keys(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *rel)
{
	fy_buf_add(b, "SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, i ? ", " : "");
		fyp_col(b, d, "s", ph->source_key[i]);
		fy_buf_addf(b, " AS ferry_key_%d", i + 1);
	}
	fy_buf_add(b, " FROM ");
	fy_buf_ident(b, d, rel);
	fy_buf_add(b, " AS s");
}

/*
 * fys_clear_rejects forgets the rejects of the keys a statement (PostgreSQL:
 * rels are its transition tables) or a row (MariaDB: rels are the
 * trigger's NEW and OLD) touched: their rows are judged again, or are gone.
 * The legacy key is built as the reject stored it (the index on (phase_id,
 * legacy_key) finds them).
 */
static bool
fys_clear_rejects(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *const *rels, int nrels,
				  fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "DELETE FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_addf(&b, ".migration_rejects WHERE phase_id = %ld AND legacy_key IN (", meta->phase_id);
	for (int r = 0; r < nrels; r++)
	{
		if (d == FY_POSTGRES)
			fy_buf_add(&b, r ? " UNION ALL SELECT jsonb_build_object(" : "SELECT jsonb_build_object(");
		else
			fy_buf_add(&b, r ? ", JSON_OBJECT(" : "JSON_OBJECT(");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(&b, i ? ", " : "");
			fy_buf_literal(&b, d, ph->source_key[i]);
			fy_buf_add(&b, ", ");
			fyp_col(&b, d, d == FY_POSTGRES ? "s" : rels[r], ph->source_key[i]);
		}
		fy_buf_add(&b, ")");
		if (d == FY_POSTGRES)
		{
			fy_buf_add(&b, " FROM ");
			fy_buf_ident(&b, d, rels[r]);
			fy_buf_add(&b, " AS s");
		}
	}
	fy_buf_add(&b, ")");
	return fyp_add(plan, FY_ROLE_CLEAR_REJECTS, &b, err);
}

/* fys_deleted_is_flag: the soft-delete column is a boolean (set TRUE), not a time. */
static bool
fys_deleted_is_flag(const fy_phase *ph, const fy_meta *meta)
{
	const fy_colmeta *c = fy_meta_column(&meta->target, ph->deleted_column);

	return c != NULL && (strcmp(c->type, "boolean") == 0 || strcmp(c->type, "tinyint(1)") == 0);
}

/*
 * fys_remove_targets: what on_source_delete does to the target rows whose
 * keys are alias.new_key of from (a FROM item): delete them, mark them
 * (soft: the deleted column, once), or keep them (an empty statement).
 */
static void
fys_remove_targets(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, const char *from, const char *alias)
{
	switch (ph->on_source_delete)
	{
		case FY_DELETE_DELETE:
			fy_buf_add(b, "DELETE FROM ");
			fyp_target(b, meta, d);
			fy_buf_addf(b, " AS t USING %s WHERE ", from);
			fyp_col(b, d, "t", ph->target_key);
			fy_buf_addf(b, " = %s.new_key RETURNING 1", alias);
			break;
		case FY_DELETE_SOFT:
			fy_buf_add(b, "UPDATE ");
			fyp_target(b, meta, d);
			fy_buf_add(b, " AS t SET ");
			fy_buf_ident(b, d, ph->deleted_column);
			fy_buf_add(b, fys_deleted_is_flag(ph, meta) ? " = TRUE FROM " : " = CURRENT_TIMESTAMP FROM ");
			fy_buf_addf(b, "%s WHERE ", from);
			fyp_col(b, d, "t", ph->target_key);
			fy_buf_addf(b, " = %s.new_key AND ", alias);
			fyp_col(b, d, "t", ph->deleted_column);
			fy_buf_add(b, fys_deleted_is_flag(ph, meta) ? " IS NOT TRUE RETURNING 1" : " IS NULL RETURNING 1");
			break;
		case FY_DELETE_KEEP:
			fy_buf_add(b, "SELECT 1 WHERE FALSE");
			break;
	}
}

/*
 * fys_removal adds the CTEs ferry_unmapped and ferry_removed that take the
 * rows of CTE gone (keys leaving the phase) out by on_source_delete:
 * delete drops their map entries and their target rows; soft marks the
 * target rows and keeps the map (the row stays accounted as migrated);
 * keep leaves both.  refused (or NULL) are keys unmapped whatever the mode:
 * rows a ref with "on_missing": "error" no longer resolves, so that the
 * migrate that follows refuses them loudly.
 */
static void
fys_removal(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			const char *gone, const char *refused)
{
	const char *unmap = ph->on_source_delete == FY_DELETE_DELETE ? gone : refused;

	fy_buf_add(b, ", ferry_unmapped AS (");
	if (unmap)
	{
		fy_buf_add(b, "DELETE FROM ");
		fy_buf_map_table(b, meta, d);
		fy_buf_addf(b, " AS m USING %s AS g WHERE ", unmap);
		fys_match(b, ph, d, "m", "g");
		fy_buf_add(b, " RETURNING m.new_key");
	}
	else
		fy_buf_add(b, "SELECT 1 WHERE FALSE");
	fy_buf_add(b, "), ferry_removed AS (");
	if (ph->update)
	{
		/* an update phase undoes its change: the before-image back, the journal entry gone */
		fyp_restore_from(b, ph, meta, d);
		fy_buf_add(b, " JOIN ferry_unmapped AS u ON ");
		fyp_col(b, d, "j", ph->target_key);
		fy_buf_add(b, " = u.new_key WHERE ");
		fyp_col(b, d, "t", ph->target_key);
		fy_buf_add(b, " = ");
		fyp_col(b, d, "j", ph->target_key);
		fy_buf_add(b, " RETURNING 1), ferry_unjournaled AS (DELETE FROM ");
		fy_buf_journal_table(b, meta, d);
		fy_buf_add(b, " AS j USING ferry_unmapped AS u WHERE ");
		fyp_col(b, d, "j", ph->target_key);
		fy_buf_add(b, " = u.new_key RETURNING 1");
	}
	else if (ph->on_source_delete == FY_DELETE_DELETE)
		fys_remove_targets(b, ph, meta, d, "ferry_unmapped AS u", "u");
	else
	{
		fy_buf		from;

		fy_buf_init(&from);
		fy_buf_map_table(&from, meta, d);
		fy_buf_addf(&from, " AS m JOIN %s AS g ON ", gone);
		fys_match(&from, ph, d, "m", "g");
		fys_remove_targets(b, ph, meta, d, from.oom ? "" : from.data, "m");
		b->oom |= from.oom;
		fy_buf_free(&from);
	}
	fy_buf_add(b, ")");
}

/* fys_counts: the one row of a sync statement. */
static void
fys_counts(fy_buf *b, bool updated)
{
	fy_buf_add(b, " SELECT (SELECT count(*) FROM ferry_removed) AS removed,"
			   " (SELECT count(*) FROM ferry_unmapped) AS unmapped, ");
	fy_buf_add(b, updated ? "(SELECT count(*) FROM ferry_updated) AS updated" : "0 AS updated");
}

/* fys_sets_deleted: the spec itself fills the soft-delete column. */
static bool
fys_sets_deleted(const fy_phase *ph)
{
	for (int i = 0; i < ph->ncolumns; i++)
		if (strcmp(ph->columns[i].target, ph->deleted_column) == 0)
			return true;
	return false;
}

/* fys_update_target: migrate's in-place UPDATE, reviving a soft-deleted row. */
static void
fys_update_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *alias, bool safe)
{
	fyp_update_target(b, ph, meta, d, alias, safe);
	if (ph->on_source_delete == FY_DELETE_SOFT && !fys_sets_deleted(ph))
	{
		fy_buf_add(b, ", ");
		fy_buf_ident(b, d, ph->deleted_column);
		fy_buf_add(b, fys_deleted_is_flag(ph, meta) ? " = FALSE" : " = NULL");
	}
}

/*
 * fys_plan_changes: the rows of new_rows computed as migrate computes them
 * (fyp_values, fyp_reason); those still mapped and valid update their
 * target row in place -- same key, the map's row_hash refreshed as migrate
 * would hash them, a soft-deleted row revived -- and every other key of the
 * statement (old_rows and new_rows) leaves the phase by fys_removal.  Rows
 * that are unmapped then (new, rejected or filtered before, just taken
 * out) are the following migrate's.
 */
static bool
fys_plan_changes(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				 fy_dialect d, const char *new_rows, const char *old_rows,
				 bool safe, fy_error *err)
{
	const fy_expr *refs[64] = {0};
	fy_meta		rows = fy_meta_rows(meta, new_rows);
	char	   *base;
	fy_buf		b;
	bool		error_refs = false;

	if (ph->nrefs > 64)
		return fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": more than 64 ref columns", ph->name);
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	base = fyp_base(ph, &rows, d, refs, NULL, false, NULL);
	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_cand AS MATERIALIZED (");
	if (ph->update)
		fyp_update_cand(&b, ph, &rows, d, refs, base, safe);
	else
	{
		fy_buf_add(&b, "SELECT v.*, ");
		fyp_reason(&b, ph, meta, d, refs, true, safe);
		fy_buf_add(&b, " AS ferry_reason FROM (");
		fyp_values(&b, ph, &rows, d, refs, base ? base : "", safe);
		fy_buf_add(&b, ") AS v");
	}
	fy_release(base);
	fy_buf_add(&b, "), ferry_valid AS (SELECT * FROM ferry_cand WHERE ferry_reason IS NULL");
	for (int i = 0; i < ph->nrefs; i++)
		if (refs[i]->on_missing == FY_MISSING_ERROR)
		{
			fy_buf_addf(&b, " AND NOT ferry_miss_%d", i + 1);
			error_refs = true;
		}
	fy_buf_add(&b, "), ferry_gone AS (");
	fys_keys(&b, ph, d, new_rows);
	if (old_rows)
	{
		fy_buf_add(&b, " UNION ");
		fys_keys(&b, ph, d, old_rows);
	}
	fy_buf_add(&b, " EXCEPT SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&b, "%sferry_key_%d", i ? ", " : "", i + 1);
	fy_buf_add(&b, " FROM ferry_valid)");
	if (error_refs && ph->on_source_delete != FY_DELETE_DELETE)
	{
		fy_buf_add(&b, ", ferry_refused AS (SELECT * FROM ferry_cand WHERE FALSE");
		for (int i = 0; i < ph->nrefs; i++)
			if (refs[i]->on_missing == FY_MISSING_ERROR)
				fy_buf_addf(&b, " OR ferry_miss_%d", i + 1);
		fy_buf_add(&b, ")");
	}
	fys_removal(&b, ph, meta, d, "ferry_gone",
				error_refs && ph->on_source_delete != FY_DELETE_DELETE ? "ferry_refused" : NULL);
	if (ph->ncolumns > 0)
	{
		fy_buf_add(&b, ", ferry_updated AS (");
		fys_update_target(&b, ph, meta, d, "c", safe);
		fy_buf_add(&b, " FROM ferry_valid AS c JOIN ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m ON ");
		fys_match(&b, ph, d, "m", "c");
		fy_buf_add(&b, " WHERE ");
		fyp_col(&b, d, "t", ph->target_key);
		fy_buf_add(&b, " = m.new_key RETURNING 1), ferry_hashed AS (UPDATE ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m SET row_hash = ");
		fyp_row_hash(&b, ph, meta, d, "");
		fy_buf_add(&b, " FROM ferry_valid AS c WHERE ");
		fys_match(&b, ph, d, "m", "c");
		fy_buf_add(&b, " RETURNING 1)");
	}
	fys_counts(&b, ph->ncolumns > 0);
	return fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
}

/* fys_gids: SELECT the merge group id of every row of rel as ferry_gid. */
static void
fys_gids(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *rel)
{
	fy_buf_add(b, "SELECT ");
	fyp_group_id(b, ph, d, "s");
	fy_buf_add(b, " AS ferry_gid FROM ");
	fy_buf_ident(b, d, rel);
	fy_buf_add(b, " AS s");
}

/*
 * fys_plan_merge (merge_on phases, every event): the groups a statement
 * touched -- those its old and new rows were and are in -- are recomputed
 * from the source table as migrate_phase's merge recomputes a known group:
 * from their members that stay mapped and the statement's rows that pass
 * now.  A group keeps its target row (the key its untouched members, or
 * else its touched ones, were mapped to), a new group writes one, the
 * touched keys are mapped to their group's row (moved when their group
 * changed), rejected ones quarantined, and a target row no group holds any
 * more follows on_source_delete (under soft and keep its rows stay mapped
 * to it, as deleted rows do in other phases).  A merged value the target
 * refuses (NULL in a NOT NULL column) fails the statement.
 */
static bool
fys_plan_merge(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, const char *new_rows, const char *old_rows,
			   long run_id, bool safe, fy_error *err)
{
	const fy_expr *refs[64] = {0};
	const char *rels[2];
	int			nrels = 0;
	char	   *base;
	fy_buf		b;

	if (ph->nrefs > 64)
		return fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": more than 64 ref columns", ph->name);
	if (ph->ncolumns == 0)
		return fy_fail(err, FY_ERR_INVALID_SPEC, "phase \"%s\": a merge_on phase needs columns", ph->name);
	if (new_rows)
		rels[nrels++] = new_rows;
	if (old_rows)
		rels[nrels++] = old_rows;
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	base = fyp_base(ph, meta, d, refs, NULL, false, "SELECT ferry_gid FROM ferry_g");
	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_touched AS (");
	for (int r = 0; r < nrels; r++)
	{
		fy_buf_add(&b, r ? " UNION " : "");
		fys_keys(&b, ph, d, rels[r]);
	}
	fy_buf_add(&b, "), ferry_g AS (");
	for (int r = 0; r < nrels; r++)
	{
		fy_buf_add(&b, r ? " UNION " : "");
		fys_gids(&b, ph, d, rels[r]);
	}
	/* the members of those groups in the source now, judged */
	fy_buf_add(&b, "), ferry_cand AS MATERIALIZED (SELECT v.*, ");
	fyp_reason(&b, ph, meta, d, refs, false, safe);
	fy_buf_add(&b, " AS ferry_reason, EXISTS (SELECT 1 FROM ferry_touched AS k WHERE ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&b, "%sk.ferry_key_%d = v.ferry_key_%d", i ? " AND " : "", i + 1, i + 1);
	fy_buf_add(&b, ") AS ferry_touched, m.new_key AS ferry_mapped FROM (");
	fyp_values(&b, ph, meta, d, refs, base ? base : "", safe);
	fy_release(base);
	fy_buf_add(&b, ") AS v LEFT JOIN ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fys_match(&b, ph, d, "m", "v");
	fy_buf_add(&b, "), ferry_members AS (SELECT * FROM ferry_cand WHERE CASE WHEN ferry_touched"
			   " THEN ferry_reason IS NULL ELSE ferry_mapped IS NOT NULL END)");
	/* the target row each group has: its untouched members', else its old rows' */
	fy_buf_add(&b, ", ferry_known AS (SELECT DISTINCT ON (ferry_gid) ferry_gid, new_key FROM ("
			   "SELECT ferry_gid, ferry_mapped AS new_key, 0 AS ferry_p FROM ferry_cand"
			   " WHERE NOT ferry_touched AND ferry_mapped IS NOT NULL");
	if (old_rows)
	{
		fy_buf_add(&b, " UNION ALL SELECT ");
		fyp_group_id(&b, ph, d, "s");
		fy_buf_add(&b, ", m.new_key, 1 FROM ");
		fy_buf_ident(&b, d, old_rows);
		fy_buf_add(&b, " AS s JOIN ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m ON ");
		fyp_key_join(&b, ph, d, "m", "s");
	}
	fy_buf_add(&b, ") AS k ORDER BY ferry_gid, ferry_p)");
	fy_buf_add(&b, ", ferry_groups AS MATERIALIZED (SELECT g.*, COALESCE(k.new_key, g.ferry_first_key) AS ferry_group_key,"
			   " k.new_key IS NOT NULL AS ferry_exists FROM (");
	fyp_groups(&b, ph, d, "ferry_members", "ferry_gid");
	fy_buf_add(&b, ") AS g LEFT JOIN ferry_known AS k USING (ferry_gid))");
	fy_buf_add(&b, ", ferry_placed AS (SELECT c.*, g.ferry_group_key FROM ferry_members AS c"
			   " JOIN ferry_groups AS g USING (ferry_gid) WHERE c.ferry_touched)");
	fy_buf_add(&b, ", ferry_gone_rows AS (SELECT DISTINCT m.new_key FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m JOIN ferry_touched AS k ON ");
	fys_match(&b, ph, d, "m", "k");
	fy_buf_add(&b, " WHERE m.new_key NOT IN (SELECT ferry_group_key FROM ferry_groups))");
	/* the touched keys: moved, newly mapped, or out */
	fy_buf_add(&b, ", ferry_remapped AS (UPDATE ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_addf(&b, " AS m SET new_key = p.ferry_group_key, run_id = %ld FROM ferry_placed AS p WHERE ", run_id);
	fys_match(&b, ph, d, "m", "p");
	fy_buf_add(&b, " AND m.new_key <> p.ferry_group_key RETURNING 1), ferry_mapped AS (");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_group_key",
				   "(SELECT * FROM ferry_placed WHERE ferry_mapped IS NULL) AS r", false);
	fy_buf_add(&b, "), ferry_unmapped AS (DELETE FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m USING ferry_touched AS k WHERE ");
	fys_match(&b, ph, d, "m", "k");
	fy_buf_add(&b, " AND NOT EXISTS (SELECT 1 FROM ferry_placed AS p WHERE ");
	fys_match(&b, ph, d, "m", "p");
	fy_buf_add(&b, ")");
	if (ph->on_source_delete != FY_DELETE_DELETE)
	{
		fy_buf_add(&b, " AND (m.new_key NOT IN (SELECT new_key FROM ferry_gone_rows)"
				   " OR EXISTS (SELECT 1 FROM ferry_cand AS c WHERE c.ferry_reason IS NOT NULL AND ");
		fys_match(&b, ph, d, "m", "c");
		fy_buf_add(&b, "))");
	}
	fy_buf_add(&b, " RETURNING m.new_key), ferry_rejected AS (");
	fyp_rejects_insert(&b, ph, meta, d, run_id, "(SELECT * FROM ferry_cand WHERE ferry_touched) AS r");
	/* the groups' rows: new ones written, known ones recomputed in place */
	fy_buf_add(&b, "), ferry_written AS (");
	fyp_insert_groups(&b, ph, meta, d, "ferry_group_key", safe);
	fy_buf_add(&b, " RETURNING 1), ferry_updated AS (");
	fys_update_target(&b, ph, meta, d, "x", safe);
	fy_buf_add(&b, " FROM ferry_groups AS x WHERE x.ferry_exists AND ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = x.ferry_group_key RETURNING 1), ferry_removed AS (");
	fys_remove_targets(&b, ph, meta, d, "ferry_gone_rows AS u", "u");
	fy_buf_add(&b, ")");
	fys_counts(&b, true);
	return fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
}

/* fys_plan_delete: the deleted rows leave the phase by fys_removal. */
static bool
fys_plan_delete(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, const char *old_rows, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_gone AS (");
	fys_keys(&b, ph, d, old_rows);
	fy_buf_add(&b, ")");
	fys_removal(&b, ph, meta, d, "ferry_gone", NULL);
	fys_counts(&b, false);
	return fyp_add(plan, FY_ROLE_DELETE_TARGET, &b, err);
}

/* ------------------------------------------- MariaDB: per-row triggers */

/*
 * MariaDB has no statement-level triggers and no dynamic SQL in a trigger,
 * so sync there is three per-row AFTER triggers whose bodies are static SQL
 * planned here: migrate's own statements with the source read narrowed to
 * the trigger's row (fy_keyrange.row), and what migrate never does --
 * change or take out a row it mapped -- written for that one key.  A
 * trigger may read the table it fires on and write every other table, and
 * an error in it fails the application's statement as a whole.
 */

static const char *const fys_my_events[] = {"INSERT", "UPDATE", "DELETE"};
static const char *const fys_my_event_names[] = {"insert", "update", "delete"};

/* fys_my_key_is: map alias m's legacy key is the trigger row's key (NULL-safe). */
static void
fys_my_key_is(fy_buf *b, const fy_phase *ph, const char *map, const char *row)
{
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, i ? " AND " : "");
		fyp_map_col(b, FY_MARIADB, map, i + 1);
		fy_buf_addf(b, " <=> %s.", row);
		fy_buf_ident(b, FY_MARIADB, ph->source_key[i]);
	}
}

/*
 * fys_my_cand: the source row with the trigger row's key, its values and
 * verdict computed as migrate computes them (fyp_values, fyp_reason), as
 * the FROM item c; no row when the where filters it or the key is gone.
 */
static void
fys_my_cand(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			const fy_expr **refs, const char *row)
{
	fy_keyrange at = {.row = row};
	char	   *base = fyp_base(ph, meta, FY_MARIADB, refs, &at, false, NULL);

	fy_buf_add(b, "(SELECT v.*, ");
	fyp_reason(b, ph, meta, FY_MARIADB, refs, true, false);
	fy_buf_add(b, " AS ferry_reason FROM (");
	fyp_values(b, ph, meta, FY_MARIADB, refs, base ? base : "", false);
	fy_buf_add(b, ") AS v) AS c");
	b->oom |= base == NULL;
	fy_release(base);
}

/*
 * fys_my_refused: for each ref with "on_missing": "error", the error the
 * trigger raises when the row's value finds nothing: the application's
 * statement fails, nothing of it is written.  The text is the one
 * migrate_phase refuses with (fy_assert_verdict).
 */
static void
fys_my_refused(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			   const fy_expr **refs, const char *row)
{
	fy_keyrange at = {.row = row};

	for (int i = 0; i < ph->nrefs; i++)
	{
		fy_stmt		st = {.label = refs[i]->text, .severity = "ERROR", .finding = refs[i]->ref};
		fy_error	verdict = {0};
		char	   *base;

		if (refs[i]->on_missing != FY_MISSING_ERROR)
			continue;
		base = fyp_base(ph, meta, FY_MARIADB, refs, &at, false, NULL);
		fy_assert_verdict(ph->name, &st, 1, "the row being written", &verdict);
		fy_buf_addf(b, "IF EXISTS (SELECT 1 FROM %s WHERE ", base ? base : "");
		fyp_ref_missing(b, refs[i], FY_MARIADB);
		/* SIGNAL takes a literal or a variable, not an expression */
		fy_buf_add(b, ") THEN BEGIN DECLARE ferry_msg TEXT DEFAULT ");
		fy_buf_literal(b, FY_MARIADB, verdict.message);
		fy_buf_addf(b, "; SIGNAL SQLSTATE '%s' SET MESSAGE_TEXT = ferry_msg; END; END IF",
					fy_sqlstate(verdict.code));
		b->oom |= base == NULL;
		fy_release(base);
	}
}

/* fys_my_add: one statement of a trigger body. */
static bool
fys_my_add(fy_plan *plan, fy_role role, fy_buf *b, fy_error *err)
{
	return b->len == 0 ? (fy_buf_free(b), true) : fyp_add(plan, role, b, err);
}

/*
 * fys_my_remove: what on_source_delete does to the target row the trigger
 * row's key is mapped to: delete takes the row and the key's map entry
 * out; soft marks the row (once) and keeps the entry, so the row stays
 * accounted as migrated; keep leaves both.  unless (a FROM item c, or
 * NULL) spares the key when it still has a row the phase accepts.
 */
static void
fys_my_remove(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			  const char *row, const char *unless)
{
	const fy_dialect d = FY_MARIADB;
	bool		flag = ph->on_source_delete == FY_DELETE_SOFT && fys_deleted_is_flag(ph, meta);

	if (ph->on_source_delete == FY_DELETE_KEEP)
		return;
	if (ph->on_source_delete == FY_DELETE_DELETE)
	{
		fy_buf_add(b, "DELETE t, m FROM ");
		fyp_map_join_target(b, ph, meta, d, "LEFT JOIN");
	}
	else
	{
		fy_buf_add(b, "UPDATE ");
		fyp_map_join_target(b, ph, meta, d, "JOIN");
	}
	fy_buf_add(b, " ");
	if (ph->on_source_delete == FY_DELETE_SOFT)
	{
		fy_buf_add(b, "SET ");
		fyp_col(b, d, "t", ph->deleted_column);
		fy_buf_add(b, flag ? " = TRUE " : " = CURRENT_TIMESTAMP ");
	}
	fy_buf_add(b, "WHERE ");
	fys_my_key_is(b, ph, "m", row);
	if (ph->on_source_delete == FY_DELETE_SOFT)
	{
		fy_buf_add(b, " AND ");
		fyp_col(b, d, "t", ph->deleted_column);
		fy_buf_add(b, flag ? " IS NOT TRUE" : " IS NULL");
	}
	if (unless)
		fy_buf_addf(b, " AND NOT EXISTS (SELECT 1 FROM %s WHERE c.ferry_reason IS NULL)", unless);
}

/*
 * fys_my_update: the trigger row's target row, when its key is mapped and
 * the phase accepts the row now, recomputed in place: same key, the
 * values migrate would write, a soft-deleted row revived.
 */
static void
fys_my_update(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			  const char *cand)
{
	const fy_dialect d = FY_MARIADB;

	fy_buf_add(b, "UPDATE ");
	fyp_map_join_target(b, ph, meta, d, "JOIN");
	fy_buf_addf(b, " JOIN %s ON ", cand);
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, i ? " AND " : "");
		fyp_map_col(b, d, "m", i + 1);
		fy_buf_addf(b, " <=> c.ferry_key_%d", i + 1);
	}
	fy_buf_add(b, " SET ");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, i ? ", " : "");
		fyp_col(b, d, "t", ph->columns[i].target);
		fy_buf_addf(b, " = c.ferry_c_%d", i + 1);
	}
	if (ph->on_source_delete == FY_DELETE_SOFT && !fys_sets_deleted(ph))
	{
		fy_buf_add(b, ph->ncolumns ? ", " : "");
		fyp_col(b, d, "t", ph->deleted_column);
		fy_buf_add(b, fys_deleted_is_flag(ph, meta) ? " = FALSE" : " = NULL");
	}
	fy_buf_add(b, " WHERE c.ferry_reason IS NULL");
}

/*
 * fys_my_pending: migrate's own statements for the trigger row's key
 * (quarantine, map, write), run only when the key is unmapped: a mapped
 * key was recomputed in place.  Their guards and counts are migrate's
 * run's, not a row's, and are left out.
 */
static bool
fys_my_pending(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   const char *row, long run_id, fy_error *err)
{
	fy_keyrange at = {.row = row};
	fy_plan    *mig = fy_plan_migrate_range(ph, meta, FY_MARIADB, run_id, &at, false, err);
	fy_buf		b;
	bool		ok;

	if (mig == NULL)
		return false;
	fy_buf_init(&b);
	fy_buf_add(&b, "IF NOT EXISTS (SELECT 1 FROM ");
	fy_buf_map_table(&b, meta, FY_MARIADB);
	fy_buf_add(&b, " AS m WHERE ");
	fys_my_key_is(&b, ph, "m", row);
	fy_buf_add(&b, ") THEN ");
	for (int i = 0; i < mig->nstmts; i++)
	{
		fy_role		role = mig->stmts[i].role;

		if (role == FY_ROLE_REJECT || role == FY_ROLE_MAP || role == FY_ROLE_INSERT ||
			role == FY_ROLE_UPDATE)
			fy_buf_addf(&b, "%s; ", mig->stmts[i].sql);
	}
	fy_buf_add(&b, "END IF");
	fy_plan_free(mig);
	ok = fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
	return ok;
}

/*
 * fys_my_still_held: some mapped row of the group ferry_group still has its
 * source row (the map entries of deleted rows kept under soft and keep do
 * not hold a group).
 */
static void
fys_my_still_held(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  const char *map)
{
	fy_buf_add(b, "EXISTS (SELECT 1 FROM ");
	fy_buf_map_table(b, meta, FY_MARIADB);
	fy_buf_addf(b, " AS %s JOIN ", map);
	fyp_source(b, ph, meta, FY_MARIADB, "s");
	fy_buf_add(b, " ON ");
	fyp_key_join(b, ph, FY_MARIADB, map, "s");
	fy_buf_addf(b, " WHERE %s.new_key = ferry_group)", map);
}

/*
 * fys_my_leave (merge_on): the trigger row's key leaves the group it was
 * mapped to (ferry_group, a variable of its own block): its map entry goes
 * -- a deleted row that was its group's last keeps it under soft and keep,
 * so the row kept stays the phase's, as on PostgreSQL -- the group is
 * recomputed from the rows it still has (fyp_my_recompute, migrate's own
 * statements), and a group left with none follows on_source_delete.  The
 * row's new group, if any, is migrate's afterwards.
 */
static bool
fys_my_leave(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			 const fy_expr **refs, const char *row, bool deleted, fy_error *err)
{
	const fy_dialect d = FY_MARIADB;
	const fy_colmeta *key = fy_meta_column(&meta->target, ph->target_key);
	fy_plan    *group;
	fy_buf		sub;
	fy_buf		b;
	char	   *members;
	bool		keep_last = deleted && ph->on_source_delete != FY_DELETE_DELETE;
	bool		ok;

	if (key == NULL)
		return fy_fail(err, FY_ERR_UNDEFINED_COLUMN, "phase \"%s\": target key \"%s\" not found",
					   ph->name, ph->target_key);
	if ((group = fyp_new(err)) == NULL)
		return false;
	fy_buf_init(&sub);
	fy_buf_add(&sub, "SELECT ");
	fyp_group_id(&sub, ph, d, row);
	members = sub.oom ? NULL : fyp_base(ph, meta, d, refs, NULL, false, sub.data);
	fy_buf_free(&sub);
	ok = members != NULL ? fyp_my_recompute(group, ph, meta, d, refs, members, err) :
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	fy_release(members);

	fy_buf_init(&b);
	fy_buf_addf(&b, "BEGIN DECLARE ferry_group %s DEFAULT (SELECT m.new_key FROM ", key->type);
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m WHERE ");
	fys_my_key_is(&b, ph, "m", row);
	/* a DELETE may not read the map it deletes from: asked beforehand */
	fy_buf_add(&b, "); DECLARE ferry_held BOOLEAN DEFAULT ");
	if (keep_last)
		fys_my_still_held(&b, ph, meta, "o");
	else
		fy_buf_add(&b, "TRUE");
	fy_buf_add(&b, "; DELETE m FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m WHERE ");
	fys_my_key_is(&b, ph, "m", row);
	fy_buf_add(&b, " AND ferry_held; ");
	for (int i = 0; ok && i < group->nstmts; i++)
		fy_buf_addf(&b, "%s; ", group->stmts[i].sql);
	if (ph->on_source_delete != FY_DELETE_KEEP)
	{
		bool		soft = ph->on_source_delete == FY_DELETE_SOFT;
		bool		flag = soft && fys_deleted_is_flag(ph, meta);

		fy_buf_add(&b, soft ? "UPDATE " : "DELETE t FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t ");
		if (soft)
		{
			fy_buf_add(&b, "SET ");
			fyp_col(&b, d, "t", ph->deleted_column);
			fy_buf_add(&b, flag ? " = TRUE " : " = CURRENT_TIMESTAMP ");
		}
		fy_buf_add(&b, "WHERE ");
		fyp_col(&b, d, "t", ph->target_key);
		fy_buf_add(&b, " = ferry_group AND NOT ");
		fys_my_still_held(&b, ph, meta, "o");
		if (soft)
		{
			fy_buf_add(&b, " AND ");
			fyp_col(&b, d, "t", ph->deleted_column);
			fy_buf_add(&b, flag ? " IS NOT TRUE" : " IS NULL");
		}
		fy_buf_add(&b, "; ");
	}
	fy_buf_add(&b, "END");
	fy_plan_free(group);
	if (!ok)
	{
		fy_buf_free(&b);
		return false;
	}
	return fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
}

/* fys_my_revive (soft): the row's target row, written again, is not deleted. */
static bool
fys_my_revive(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  const char *row, fy_error *err)
{
	fy_buf		b;

	if (ph->on_source_delete != FY_DELETE_SOFT || fys_sets_deleted(ph))
		return true;
	fy_buf_init(&b);
	fy_buf_add(&b, "UPDATE ");
	fyp_map_join_target(&b, ph, meta, FY_MARIADB, "JOIN");
	fy_buf_add(&b, " SET ");
	fyp_col(&b, FY_MARIADB, "t", ph->deleted_column);
	fy_buf_add(&b, fys_deleted_is_flag(ph, meta) ? " = FALSE WHERE " : " = NULL WHERE ");
	fys_my_key_is(&b, ph, "m", row);
	return fyp_add(plan, FY_ROLE_UPDATE, &b, err);
}

/*
 * fys_my_plan_sync: the statements of one trigger's body (new_rows and
 * old_rows are the trigger's row names, NEW and OLD): a refused ref first,
 * before anything is written; the key's rejects forgotten; an updated row
 * whose old key left the phase (key changed, filtered, rejected now) taken
 * out by on_source_delete, a deleted row too; a mapped row recomputed in
 * place; an unmapped one migrated (run_id: the sync's log row).
 */
static fy_plan *
fys_my_plan_sync(const fy_phase *ph, const fy_meta *meta, fy_sync_event ev,
				 const char *new_rows, const char *old_rows, long run_id,
				 fy_error *err)
{
	const fy_expr *refs[64] = {0};
	const char *rows[2];
	int			nrows = 0;
	fy_plan    *plan;
	fy_buf		b;
	fy_buf		cand;
	bool		ok;

	if (ph->update)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": sync of an update phase is not supported on MariaDB yet",
				ph->name);
		return NULL;
	}
	/* what migrate cannot carry there, sync cannot either: refused before any planning */
	if (!fyp_dialect_can(ph, FY_MARIADB, err))
		return NULL;
	if (ph->nmerge_on > 0 && ph->ncolumns == 0)
	{
		fy_fail(err, FY_ERR_INVALID_SPEC, "phase \"%s\": a merge_on phase needs columns", ph->name);
		return NULL;
	}
	if (ph->nrefs > 64)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": more than 64 ref columns", ph->name);
		return NULL;
	}
	if ((ev != FY_SYNC_DELETE && new_rows == NULL) || (ev != FY_SYNC_INSERT && old_rows == NULL))
	{
		fy_fail(err, FY_ERR_INTERNAL, "phase \"%s\": sync of this event needs its trigger rows", ph->name);
		return NULL;
	}
	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	if (ev != FY_SYNC_DELETE)
		rows[nrows++] = new_rows;
	if (ev != FY_SYNC_INSERT)
		rows[nrows++] = old_rows;

	fy_buf_init(&b);
	if (ev != FY_SYNC_DELETE)
		fys_my_refused(&b, ph, meta, refs, new_rows);
	ok = fys_my_add(plan, FY_ROLE_ASSERT, &b, err) &&
		fys_clear_rejects(plan, ph, meta, FY_MARIADB, rows, nrows, err);
	if (ph->nmerge_on > 0)
	{
		/* every key the row had or has leaves its group, then joins one */
		for (int r = nrows - 1; ok && r >= 0; r--)
			ok = fys_my_leave(plan, ph, meta, refs, rows[r], ev == FY_SYNC_DELETE, err);
		if (ok && ev != FY_SYNC_DELETE)
			ok = fys_my_pending(plan, ph, meta, new_rows, run_id, err) &&
				fys_my_revive(plan, ph, meta, new_rows, err);
		return fyp_finish(plan, ok);
	}
	if (ok && ev != FY_SYNC_INSERT)
	{
		fy_buf_init(&cand);
		if (ev == FY_SYNC_UPDATE)
			fys_my_cand(&cand, ph, meta, refs, old_rows);
		fy_buf_init(&b);
		fys_my_remove(&b, ph, meta, old_rows, ev == FY_SYNC_UPDATE ? cand.data : NULL);
		b.oom |= cand.oom;
		fy_buf_free(&cand);
		ok = fys_my_add(plan, FY_ROLE_DELETE_TARGET, &b, err);
	}
	if (ok && ev != FY_SYNC_DELETE && ph->ncolumns > 0)
	{
		fy_buf_init(&cand);
		fys_my_cand(&cand, ph, meta, refs, new_rows);
		fy_buf_init(&b);
		fys_my_update(&b, ph, meta, cand.oom ? "" : cand.data);
		b.oom |= cand.oom;
		fy_buf_free(&cand);
		ok = fyp_add(plan, FY_ROLE_UPDATE, &b, err);
	}
	if (ok && ev != FY_SYNC_DELETE)
		ok = fys_my_pending(plan, ph, meta, new_rows, run_id, err);
	/* the rows written, or marked soft-deleted, keep their content hash current as migrate's do */
	for (int r = 0; ok && r < nrows; r++)
	{
		fy_keyrange at = {.row = rows[r]};

		if (rows[r] == new_rows || ph->on_source_delete == FY_DELETE_SOFT)
			ok = fyp_plan_hash(plan, ph, meta, FY_MARIADB, -1, &at, err);
	}
	return fyp_finish(plan, ok);
}

/* fys_my_trigger_name: ferry_sync_<phase id>_<event>, in the source's database. */
static void
fys_my_trigger_name(fy_buf *b, const fy_meta *meta, fy_sync_event ev)
{
	char		name[64];

	snprintf(name, sizeof(name), "ferry_sync_%ld_%s", meta->phase_id, fys_my_event_names[ev]);
	fyp_qualified(b, FY_MARIADB, meta->source.schema, name);
}

fy_plan *
fy_plan_sync_triggers(const fy_phase *ph, const fy_meta *meta, long run_id,
					  fy_error *err)
{
	fy_plan    *plan;
	bool		ok = true;

	if (!fy_plan_check(ph, meta, err) || !fy_sync_check(ph, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	for (int ev = FY_SYNC_INSERT; ok && ev <= FY_SYNC_DELETE; ev++)
	{
		fy_plan    *body = fy_plan_sync(ph, meta, FY_MARIADB, (fy_sync_event) ev, "NEW", "OLD",
										run_id, false, err);
		fy_buf		b;

		if (body == NULL)
			return fyp_finish(plan, false);
		fy_buf_init(&b);
		fy_buf_add(&b, "DROP TRIGGER IF EXISTS ");
		fys_my_trigger_name(&b, meta, (fy_sync_event) ev);
		ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
		fy_buf_init(&b);
		fy_buf_add(&b, "CREATE TRIGGER ");
		fys_my_trigger_name(&b, meta, (fy_sync_event) ev);
		fy_buf_addf(&b, " AFTER %s ON ", fys_my_events[ev]);
		fyp_qualified(&b, FY_MARIADB, meta->source.schema, meta->source.name);
		/*
		 * The phase's row first: its lock, held to the writer's commit,
		 * queues the phase's firings before they read the id map.  Read
		 * after it, two writers appending keys both took the gap lock at
		 * the end of the map's key range and deadlocked on their inserts
		 * (tests/faults/mariadb.sh, 4 writers).
		 */
		fy_buf_add(&b, " FOR EACH ROW BEGIN UPDATE ");
		fy_buf_ident(&b, FY_MARIADB, meta->catalog_schema);
		fy_buf_addf(&b, ".phases SET last_synced_at = NOW(6) WHERE id = %ld; ", meta->phase_id);
		for (int i = 0; i < body->nstmts; i++)
			fy_buf_addf(&b, "%s; ", body->stmts[i].sql);
		fy_buf_add(&b, "END");
		fy_plan_free(body);
		ok = ok && fyp_add(plan, FY_ROLE_DDL, &b, err);
	}
	return fyp_finish(plan, ok);
}

fy_plan *
fy_plan_sync(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			 fy_sync_event ev, const char *new_rows, const char *old_rows,
			 long run_id, bool safe, fy_error *err)
{
	fy_plan    *plan;
	const char *rels[2];
	int			nrels = 0;
	bool		ok;

	if (!fy_plan_check(ph, meta, err) || !fy_sync_check(ph, err))
		return NULL;
	if (d == FY_MARIADB)
		return fys_my_plan_sync(ph, meta, ev, new_rows, old_rows, run_id, err);
	if ((ev != FY_SYNC_DELETE && new_rows == NULL) || (ev != FY_SYNC_INSERT && old_rows == NULL))
	{
		fy_fail(err, FY_ERR_INTERNAL, "phase \"%s\": sync of this event needs its transition tables", ph->name);
		return NULL;
	}
	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	if (ev != FY_SYNC_DELETE)
		rels[nrels++] = new_rows;
	if (ev != FY_SYNC_INSERT)
		rels[nrels++] = old_rows;
	ok = fys_clear_rejects(plan, ph, meta, d, rels, nrels, err);
	if (ok && ph->nmerge_on > 0)
		ok = fys_plan_merge(plan, ph, meta, d, ev == FY_SYNC_DELETE ? NULL : new_rows,
							ev == FY_SYNC_INSERT ? NULL : old_rows, run_id, safe, err);
	else if (ok && ev == FY_SYNC_DELETE)
		ok = fys_plan_delete(plan, ph, meta, d, old_rows, err);
	else if (ok && (ev == FY_SYNC_UPDATE || ph->on_source_delete != FY_DELETE_DELETE))
		/* an insert may bring back a key whose target row was kept */
		ok = fys_plan_changes(plan, ph, meta, d, new_rows,
							  ev == FY_SYNC_UPDATE ? old_rows : NULL, safe, err);
	return fyp_finish(plan, ok);
}

/* ---------------------------------------------------- compatibility view */

/* How one legacy column comes back from the target, or why it does not. */
typedef struct fys_back
{
	char	   *sql;			/* the value, cast to the column's type */
	const char *from;			/* the target column it comes from (NULL: the map) */
	const char *how;			/* the form inverted */
	const char *why;			/* no way back: the reason */
} fys_back;

typedef struct fys_view
{
	const fy_phase *ph;
	const fy_meta *meta;
	fy_dialect	d;
	fy_arena   *arena;
	fys_back   *back;			/* one per source column */
	const char *target;			/* the target column being walked (NULL: keys) */
	const char *how;			/* the form that filled it */
	bool		oom;
} fys_view;

static bool
fys_is_json_type(const char *type)
{
	return strcmp(type, "json") == 0 || strcmp(type, "jsonb") == 0;
}

/*
 * fys_found records value (SQL over target row t; jsonb when json) as the
 * way back of source column col, cast to its type, unless one was found
 * before (keys first, then the spec's columns in order).
 */
static void
fys_found(fys_view *v, const char *col, const char *value, bool json)
{
	for (int i = 0; i < v->meta->source.ncols; i++)
	{
		const fy_colmeta *c = &v->meta->source.cols[i];
		fy_buf		b;

		if (strcmp(c->name, col) != 0 || v->back[i].sql != NULL)
			continue;
		fy_buf_init(&b);
		if (v->d == FY_MARIADB)
			/* CAST knows few types there: the value as the target holds it */
			fy_buf_addf(&b, json ? "JSON_VALUE(%s, '$')" : "%s", value);
		else if (json && !fys_is_json_type(c->type))
			fy_buf_addf(&b, "CAST((%s) #>> '{}' AS %s)", value, c->type);
		else if (json)
			/* the json form wrote a SQL NULL member as JSON null */
			fy_buf_addf(&b, "CAST(NULLIF(%s, 'null'::jsonb) AS %s)", value, c->type);
		else
			fy_buf_addf(&b, "CAST(%s AS %s)", value, c->type);
		v->back[i].sql = b.oom ? NULL : fy_arena_strdup(v->arena, b.data);
		v->back[i].from = v->target;
		v->back[i].how = v->how;
		v->oom |= b.oom || v->back[i].sql == NULL;
		fy_buf_free(&b);
	}
}

/* fys_mentions: text names col as a word of its own (a guess: SQL is not parsed). */
static bool
fys_mentions(const char *text, const char *col)
{
	size_t		n = strlen(col);

	for (const char *p = text; n > 0 && (p = strstr(p, col)) != NULL; p++)
	{
		bool		before = p > text && (isalnum((unsigned char) p[-1]) || p[-1] == '_');
		bool		after = isalnum((unsigned char) p[n]) || p[n] == '_';

		if (!before && !after)
			return true;
	}
	return false;
}

/* fys_why records why the source columns under e have no way back. */
static void
fys_why(fys_view *v, const fy_expr *e, const char *why)
{
	if (e->kind == FY_EXPR_SQL)
	{
		for (int i = 0; i < v->meta->source.ncols; i++)
			if (fys_mentions(e->text, v->meta->source.cols[i].name) && v->back[i].why == NULL)
				v->back[i].why = fy_arena_strdup(v->arena, why);
	}
	else if (e->kind == FY_EXPR_COLUMN)
	{
		for (int i = 0; i < v->meta->source.ncols; i++)
			if (strcmp(v->meta->source.cols[i].name, e->text) == 0 && v->back[i].why == NULL)
				v->back[i].why = fy_arena_strdup(v->arena, why);
	}
	else if (e->from != NULL)
		fys_why(v, e->from, why);
	else if (e->kind == FY_EXPR_JSON)
		for (int i = 0; i < e->nmembers; i++)
			fys_why(v, e->members[i].value, why);
}

/* fys_scalar_text: a mapped-to JSON scalar as the text its target value prints as. */
static bool
fys_scalar_text(fy_buf *b, fy_dialect d, const cJSON *to)
{
	char		num[64];

	if (cJSON_IsString(to))
		fy_buf_literal(b, d, to->valuestring);
	else if (cJSON_IsBool(to))
		fy_buf_literal(b, d, cJSON_IsTrue(to) ? "true" : "false");
	else if (cJSON_IsNumber(to))
	{
		double		x = to->valuedouble;

		/* printed as fyp_const prints it, so it reads as the target's text */
		snprintf(num, sizeof(num), x == floor(x) && fabs(x) < 9007199254740992.0 ? "%.0f" : "%.17g", x);
		fy_buf_literal(b, d, num);
	}
	else
		return false;
	return true;
}

/* fys_my_member_path: the MariaDB JSON path of one member, '$."key"'. */
static void
fys_my_member_path(fy_buf *b, const char *key)
{
	fy_buf		path;

	fy_buf_init(&path);
	fy_buf_add(&path, "$.\"");
	for (const char *p = key; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			fy_buf_add(&path, "\\");
		fy_buf_addn(&path, p, 1);
	}
	fy_buf_add(&path, "\"");
	fy_buf_literal(b, FY_MARIADB, path.oom ? "" : path.data);
	b->oom |= path.oom;
	fy_buf_free(&path);
}

/*
 * fys_invert walks the expression e that made the target column's value
 * (value: SQL over target row t giving what e gave; jsonb when json) down
 * to the source columns it read, undoing each form on the way.
 */
static void
fys_invert(fys_view *v, const fy_expr *e, const char *value, bool json)
{
	fy_buf		b;

	fy_buf_init(&b);
	switch (e->kind)
	{
		case FY_EXPR_COLUMN:
			fys_found(v, e->text, value, json);
			break;
		case FY_EXPR_JSON:
			for (int i = 0; i < e->nmembers; i++)
			{
				if (v->d == FY_MARIADB)
				{
					fy_buf_addf(&b, "JSON_EXTRACT(%s, ", value);
					fys_my_member_path(&b, e->members[i].key);
					fy_buf_add(&b, ")");
				}
				else
				{
					fy_buf_addf(&b, json ? "(%s) -> " : "CAST(%s AS jsonb) -> ", value);
					fy_buf_literal(&b, v->d, e->members[i].key);
				}
				if (!b.oom)
					fys_invert(v, e->members[i].value, b.data, true);
				fy_buf_free(&b);
				fy_buf_init(&b);
			}
			break;
		case FY_EXPR_MAP:
			{
				fy_buf		text;
				const cJSON *seen[256];
				int			nseen = 0;

				fy_buf_init(&text);
				if (v->d == FY_MARIADB)
				{
					/* compared as bytes, as migrate's CASE compares */
					fy_buf_addf(&text, json ? "JSON_VALUE(%s, '$')" : "CONVERT(%s USING utf8mb4)", value);
					fy_buf_addf(&b, "CASE CAST(%s AS BINARY)", text.oom ? "" : text.data);
				}
				else
				{
					fy_buf_addf(&text, json ? "(%s) #>> '{}'" : "CAST(%s AS text)", value);
					fy_buf_addf(&b, "CASE %s", text.oom ? "" : text.data);
				}
				/* a to-value mapped from several values comes back as the first */
				for (int i = 0; i < e->nmappings; i++)
				{
					bool		dup = false;

					for (int k = 0; k < nseen; k++)
						dup |= cJSON_Compare(seen[k], e->mappings[i].to, true);
					if (dup || nseen == 256)
						continue;
					seen[nseen++] = e->mappings[i].to;
					fy_buf_add(&b, " WHEN ");
					if (!fys_scalar_text(&b, v->d, e->mappings[i].to))
						fy_buf_add(&b, "NULL");
					fy_buf_add(&b, " THEN ");
					fy_buf_literal(&b, v->d, e->mappings[i].from);
				}
				/* without a default an unmapped value passed through; with one it is lost */
				fy_buf_addf(&b, " ELSE %s END", e->value ? "NULL" : (text.oom ? "" : text.data));
				fy_buf_free(&text);
				if (!b.oom)
					fys_invert(v, e->from, b.data, false);
				break;
			}
		case FY_EXPR_CONVERT:
		case FY_EXPR_RESTRUCTURE:
			{
				fy_expr		inner = {.kind = FY_EXPR_SQL, .text = value};
				fy_expr		inv = {.kind = e->kind, .from = &inner};
				fy_error	err = {0};
				char	   *spec = NULL;

				if (json)
				{
					fys_why(v, e, "a conversion inside a JSON member has no inverse here");
					break;
				}
				if (e->kind == FY_EXPR_CONVERT)
					inv.convert = fy_convert_inverse(e->convert);
				else if ((spec = fy_json_restructure_inverse(e->text, &err)) == NULL)
				{
					fys_why(v, e, err.message);
					break;
				}
				inv.text = spec;
				fyp_expr(&b, v->meta, &inv, v->d, "t", NULL);
				if (!b.oom)
					fys_invert(v, e->from, b.data, false);
				fy_release(spec);
				break;
			}
		case FY_EXPR_REF:
			{
				const fy_refmeta *r = fy_meta_ref(v->meta, e->ref);
				fy_meta		refmeta = *v->meta;

				if (r == NULL || json)
					break;
				refmeta.phase_id = r->phase_id;
				for (int k = 0; k < e->nref_cols; k++)
				{
					fy_buf_add(&b, "(SELECT ");
					fyp_map_col(&b, v->d, "r", k + 1);
					fy_buf_add(&b, " FROM ");
					fy_buf_map_table(&b, &refmeta, v->d);
					fy_buf_addf(&b, " AS r WHERE r.new_key = %s)", value);
					if (!b.oom)
						fys_found(v, e->ref_cols[k], b.data, false);
					fy_buf_free(&b);
					fy_buf_init(&b);
				}
				break;
			}
		case FY_EXPR_SQL:
			fys_why(v, e, "used only in a sql expression, which has no inverse");
			break;
		case FY_EXPR_PARSE:
			fys_why(v, e, "parsed from a legacy text format, which is not written back");
			break;
		case FY_EXPR_CONST:
			break;
	}
	v->oom |= b.oom;
	fy_buf_free(&b);
}

/* fys_form_name names a column form in a comment: what was undone. */
static const char *
fys_form_name(fy_exprkind kind)
{
	switch (kind)
	{
		case FY_EXPR_MAP:
			return "map, reversed";
		case FY_EXPR_JSON:
			return "json member";
		case FY_EXPR_REF:
			return "ref, through the referenced phase's id map";
		case FY_EXPR_CONVERT:
			return "convert, inverse conversion";
		case FY_EXPR_RESTRUCTURE:
			return "restructure, inverse spec";
		default:
			return "column";
	}
}

/*
 * fys_comment: COMMENT ON COLUMN view.col IS 'ferry: ...'; on MariaDB, whose
 * views have no column comments, SELECT col, 'ferry: ...' for the procedure
 * to show.
 */
static bool
fys_comment(fy_plan *plan, fy_dialect d, const fy_relname *view,
			const fy_colmeta *col, const fys_back *back, fy_error *err)
{
	fy_buf		b;
	fy_buf		text;
	fy_stmt    *st;

	fy_buf_init(&text);
	if (back->sql)
		fy_buf_addf(&text, back->from ? "ferry: from target column \"%s\" (%s)" : "ferry: %s%s",
					back->from ? back->from : "", back->how);
	else
		fy_buf_addf(&text, "ferry: NULL, not computed back from the target: %s",
					back->why ? back->why : "no target column holds it in a form that has an inverse");
	fy_buf_init(&b);
	if (d == FY_MARIADB)
	{
		/* no comments on a view's columns there: the procedure shows these */
		fy_buf_add(&b, "SELECT ");
		fy_buf_literal(&b, d, col->name);
		fy_buf_add(&b, " AS column_name, ");
		fy_buf_literal(&b, d, text.oom ? "" : text.data);
		fy_buf_add(&b, " AS comes_from");
	}
	else
	{
		fy_buf_add(&b, "COMMENT ON COLUMN ");
		if (view->schema)
		{
			fy_buf_ident(&b, d, view->schema);
			fy_buf_add(&b, ".");
		}
		fy_buf_ident(&b, d, view->name);
		fy_buf_add(&b, ".");
		fy_buf_ident(&b, d, col->name);
		fy_buf_add(&b, " IS ");
		fy_buf_literal(&b, d, text.oom ? "" : text.data);
	}
	fy_buf_free(&text);
	if (!fyp_add(plan, d == FY_MARIADB ? FY_ROLE_PROBE : FY_ROLE_DDL, &b, err))
		return false;
	if (back->sql == NULL)
	{
		st = &plan->stmts[plan->nstmts - 1];
		st->check = "left_out";
		st->label = fy_arena_strdup(plan->arena, col->name);
		st->finding = fy_arena_strdup(plan->arena, back->why ? back->why : "no target column holds it in a form that has an inverse");
	}
	return true;
}

fy_plan *
fy_plan_compat_view(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
					const char *view_text, fy_error *err)
{
	fy_plan    *plan;
	fys_view	v = {0};
	fy_relname	view;
	fy_buf		b;
	bool		ok = true;

	if (!fy_plan_check(ph, meta, err))
		return NULL;
	if (ph->nmerge_on > 0 || ph->update)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": %s", ph->name,
				ph->update ? "an update phase has no rows of its own to show in the legacy shape" :
				"a merged row has no one source row to show in the legacy shape");
		return NULL;
	}
	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	v.ph = ph;
	v.meta = meta;
	v.d = d;
	v.arena = plan->arena;
	if (!fy_relname_parse(plan->arena, view_text, &view, err) ||
		(v.back = fy_arena_alloc(plan->arena, sizeof(fys_back) * (size_t) (meta->source.ncols + 1))) == NULL)
		return fyp_finish(plan, ok = false);
	memset(v.back, 0, sizeof(fys_back) * (size_t) (meta->source.ncols + 1));

	/* the legacy key from the map, then each column through its inverse */
	v.target = NULL;
	v.how = "the legacy key, from the id map";
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf		m;

		fy_buf_init(&m);
		fyp_map_col(&m, d, "m", i + 1);
		if (!m.oom)
			fys_found(&v, ph->source_key[i], m.data, false);
		v.oom |= m.oom;
		fy_buf_free(&m);
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf		t;

		fy_buf_init(&t);
		fyp_col(&t, d, "t", ph->columns[i].target);
		v.target = ph->columns[i].target;
		v.how = fys_form_name(ph->columns[i].expr->kind);
		if (!t.oom)
			fys_invert(&v, ph->columns[i].expr, t.data, false);
		v.oom |= t.oom;
		fy_buf_free(&t);
	}

	for (int i = 0; ph->where && i < meta->source.ncols; i++)
		if (v.back[i].why == NULL && fys_mentions(ph->where, meta->source.cols[i].name))
			v.back[i].why = "read only by the where, which has no inverse";

	fy_buf_init(&b);
	fy_buf_add(&b, "CREATE VIEW ");
	if (view.schema)
	{
		fy_buf_ident(&b, d, view.schema);
		fy_buf_add(&b, ".");
	}
	fy_buf_ident(&b, d, view.name);
	fy_buf_add(&b, " AS SELECT ");
	for (int i = 0; i < meta->source.ncols; i++)
	{
		const fy_colmeta *c = &meta->source.cols[i];

		fy_buf_add(&b, i ? ", " : "");
		if (v.back[i].sql)
			fy_buf_add(&b, v.back[i].sql);
		else if (d == FY_MARIADB)
			fy_buf_add(&b, "NULL");
		else
			fy_buf_addf(&b, "CAST(NULL AS %s)", c->type);
		fy_buf_add(&b, " AS ");
		fy_buf_ident(&b, d, c->name);
	}
	fy_buf_add(&b, " FROM ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t JOIN ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON m.new_key = ");
	fyp_col(&b, d, "t", ph->target_key);
	if (v.oom)
		b.oom = true;
	ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
	for (int i = 0; ok && i < meta->source.ncols; i++)
		ok = fys_comment(plan, d, &view, &meta->source.cols[i], &v.back[i], err);
	return fyp_finish(plan, ok);
}
