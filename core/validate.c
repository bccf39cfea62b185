/*
 * validate.c -- the statements that prove a phase: row accounting.
 */
#include "plan.h"

/*
 * fyp_plan_count: one pass over the source joined to the map gives every
 * number of the accounting, so the books are read in one snapshot.  The
 * where is evaluated in a derived table with only the source row in scope.
 */
bool
fyp_plan_count(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, long run_id, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT count(*) AS source_rows, count(m.run_id) AS migrated, ");
	if (ph->where)
		fy_buf_add(&b, "COALESCE(sum(CASE WHEN m.run_id IS NULL AND NOT COALESCE(s.ferry_pass, FALSE) THEN 1 ELSE 0 END), 0)");
	else
		fy_buf_add(&b, "0");
	fy_buf_addf(&b, " AS filtered, COALESCE(sum(CASE WHEN m.run_id = %ld THEN 1 ELSE 0 END), 0) AS this_run, ", run_id);
	fy_buf_add(&b, "(SELECT count(*) FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS o WHERE NOT EXISTS (SELECT 1 FROM ");
	fyp_source(&b, ph, meta, d, "os");
	fy_buf_add(&b, " WHERE ");
	fyp_key_join(&b, ph, d, "o", "os");
	fy_buf_add(&b, ")) AS orphans FROM ");
	if (ph->where)
	{
		fy_buf_addf(&b, "(SELECT s.*, (%s) AS ferry_pass FROM ", ph->where);
		fyp_source(&b, ph, meta, d, "s");
		fy_buf_add(&b, ") AS s");
	}
	else
		fyp_source(&b, ph, meta, d, "s");
	fy_buf_add(&b, " LEFT JOIN ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fyp_key_join(&b, ph, d, "m", "s");
	return fyp_add(plan, FY_ROLE_COUNT, &b, err);
}

fy_plan *
fy_plan_accounting(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				   long run_id, fy_error *err)
{
	fy_plan    *plan;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	return fyp_finish(plan, fyp_plan_count(plan, ph, meta, d, run_id, err));
}
