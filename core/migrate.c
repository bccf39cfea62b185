/*
 * migrate.c -- the statements that create a phase's id map and migrate
 * its rows, set-based: one statement maps every pending source row, one
 * writes every target row of the run.
 */
#include "plan.h"

#include <stdio.h>

static void
fyp_index_name(fy_buf *b, const fy_meta *meta, fy_dialect d)
{
	char		name[48];

	snprintf(name, sizeof(name), "map_%ld_new_key", meta->phase_id);
	fy_buf_ident(b, d, name);
}

/*
 * fy_plan_define: the map is typed like the keys it holds (legacy columns
 * like the source key, new_key like the target key), keyed on the legacy
 * key and indexed on the new key, so both lookups are index scans.
 */
fy_plan *
fy_plan_define(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			   fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;
	bool		ok;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	fy_buf_add(&b, "CREATE TABLE ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " (");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_map_col(&b, d, "", i + 1);
		fy_buf_addf(&b, " %s NOT NULL, ", fy_meta_column(&meta->source, ph->source_key[i])->type);
	}
	fy_buf_add(&b, "new_key ");
	fy_buf_addf(&b, "%s NOT NULL, run_id bigint NOT NULL, PRIMARY KEY (",
				fy_meta_column(&meta->target, ph->target_key)->type);
	for (int i = 0; i < ph->nkeys; i++)
	{
		if (i > 0)
			fy_buf_add(&b, ", ");
		fyp_map_col(&b, d, "", i + 1);
	}
	fy_buf_add(&b, d == FY_MARIADB ? ")) ENGINE=InnoDB" : "))");
	ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
	if (ok)
	{
		fy_buf_add(&b, "CREATE INDEX ");
		fyp_index_name(&b, meta, d);
		fy_buf_add(&b, " ON ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " (new_key)");
		ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
	}
	return fyp_finish(plan, ok);
}

fy_plan *
fy_plan_drop(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			 fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;

	(void) ph;
	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	fy_buf_add(&b, "DROP TABLE IF EXISTS ");
	fy_buf_map_table(&b, meta, d);
	return fyp_finish(plan, fyp_add(plan, FY_ROLE_DDL, &b, err));
}

/* fyp_plan_map: map every unmapped source row that passes the where. */
static bool
fyp_plan_map(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			 fy_dialect d, long run_id, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "INSERT INTO ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " (");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_map_col(&b, d, "", i + 1);
		fy_buf_add(&b, ", ");
	}
	fy_buf_add(&b, "new_key, run_id) SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_col(&b, d, "s", ph->source_key[i]);
		fy_buf_add(&b, ", ");
	}
	fyp_new_key(&b, ph, meta, d, "s");
	fy_buf_addf(&b, ", %ld FROM ", run_id);
	fyp_source(&b, ph, meta, d, "s");
	fy_buf_add(&b, " WHERE NOT EXISTS (SELECT 1 FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m WHERE ");
	fyp_key_join(&b, ph, d, "m", "s");
	fy_buf_add(&b, ")");
	if (ph->where)
		fy_buf_addf(&b, " AND (%s)", ph->where);
	return fyp_add(plan, FY_ROLE_MAP, &b, err);
}

/*
 * fyp_plan_insert: the target rows of this run, joined from the source and
 * the map rows tagged run_id.  The user's expressions see the source row
 * under alias s (a derived table), so a source column never collides with
 * the map's own column names.
 */
static bool
fyp_plan_insert(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, long run_id, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "INSERT INTO ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " (");
	fy_buf_ident(&b, d, ph->target_key);
	if (ph->legacy_column)
	{
		fy_buf_add(&b, ", ");
		fy_buf_ident(&b, d, ph->legacy_column);
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fy_buf_ident(&b, d, ph->columns[i].target);
	}
	fy_buf_add(&b, ") SELECT s.ferry_new_key");
	if (ph->legacy_column)
	{
		fy_buf_add(&b, ", ");
		fyp_col(&b, d, "s", ph->source_key[0]);
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_expr(&b, ph->columns[i].expr, d, "s",
				 fy_meta_column(&meta->target, ph->columns[i].target));
	}
	fy_buf_add(&b, " FROM (SELECT s.*, m.new_key AS ferry_new_key FROM ");
	fyp_source(&b, ph, meta, d, "s");
	fy_buf_add(&b, " JOIN ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fyp_key_join(&b, ph, d, "m", "s");
	fy_buf_addf(&b, " WHERE m.run_id = %ld) AS s", run_id);
	return fyp_add(plan, FY_ROLE_INSERT, &b, err);
}

fy_plan *
fy_plan_migrate(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				long run_id, fy_error *err)
{
	fy_plan    *plan;
	bool		ok;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	ok = fyp_plan_map(plan, ph, meta, d, run_id, err) &&
		fyp_plan_insert(plan, ph, meta, d, run_id, err) &&
		fyp_plan_count(plan, ph, meta, d, run_id, err);
	return fyp_finish(plan, ok);
}
