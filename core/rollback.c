/*
 * rollback.c -- the statements that undo a phase: exactly the target rows
 * its map names, then the map and the phase's rejects.  Rows the application wrote later carry no
 * map entry and are never touched.
 */
#include "plan.h"

/*
 * fyp_restore_join: MariaDB's multi-table UPDATE (no FROM): every journaled
 * target row's columns set back from its journal row.
 */
static void
fyp_restore_join(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d)
{
	fy_buf_add(b, "UPDATE ");
	fyp_target(b, meta, d);
	fy_buf_add(b, " AS t JOIN ");
	fy_buf_journal_table(b, meta, d);
	fy_buf_add(b, " AS j ON ");
	fyp_col(b, d, "t", ph->target_key);
	fy_buf_add(b, " = ");
	fyp_col(b, d, "j", ph->target_key);
	fy_buf_add(b, " SET ");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, i ? ", " : "");
		fyp_col(b, d, "t", ph->columns[i].target);
		fy_buf_add(b, " = ");
		fyp_col(b, d, "j", ph->columns[i].target);
	}
}

/*
 * fyp_plan_restore undoes an update phase: every journaled target row gets
 * back the exact values it had (the journal is typed like the target),
 * then the journal, the map and the rejects are emptied.
 */
static bool
fyp_plan_restore(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				 fy_dialect d, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	if (d == FY_POSTGRES)
	{
		fyp_restore_from(&b, ph, meta, d);
		fy_buf_add(&b, " WHERE ");
		fyp_col(&b, d, "t", ph->target_key);
		fy_buf_add(&b, " = ");
		fyp_col(&b, d, "j", ph->target_key);
	}
	else
		fyp_restore_join(&b, ph, meta, d);
	if (!fyp_add(plan, FY_ROLE_RESTORE, &b, err))
		return false;
	fy_buf_add(&b, "DELETE FROM ");
	fy_buf_journal_table(&b, meta, d);
	if (!fyp_add(plan, FY_ROLE_DELETE_MAP, &b, err))
		return false;
	fy_buf_add(&b, "DELETE FROM ");
	fy_buf_map_table(&b, meta, d);
	return fyp_add(plan, FY_ROLE_DELETE_MAP, &b, err) &&
		fyp_plan_clear_rejects(plan, meta, d, err);
}

fy_plan *
fy_plan_rollback(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				 fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;
	bool		ok;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	if (ph->update)
		return fyp_finish(plan, fyp_plan_restore(plan, ph, meta, d, err));
	if (d == FY_POSTGRES)
	{
		fy_buf_add(&b, "DELETE FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t USING ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m WHERE ");
	}
	else
	{
		fy_buf_add(&b, "DELETE t FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t JOIN ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m ON ");
	}
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key");
	ok = fyp_add(plan, FY_ROLE_DELETE_TARGET, &b, err);
	if (ok)
	{
		fy_buf_add(&b, "DELETE FROM ");
		fy_buf_map_table(&b, meta, d);
		ok = fyp_add(plan, FY_ROLE_DELETE_MAP, &b, err) &&
			fyp_plan_clear_rejects(plan, meta, d, err);
	}
	return fyp_finish(plan, ok);
}
