/*
 * validate.c -- the statements that prove a phase: row accounting.
 */
#include "plan.h"

#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

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
	fy_buf_add(&b, ph->nmerge_on > 0 ? "count(m.run_id) - count(DISTINCT m.new_key)" : "0");
	fy_buf_add(&b, " AS merged, ");
	if (ph->where)
		fy_buf_add(&b, "COALESCE(sum(CASE WHEN m.run_id IS NULL AND NOT COALESCE(s.ferry_pass, FALSE) THEN 1 ELSE 0 END), 0)");
	else
		fy_buf_add(&b, "0");
	fy_buf_addf(&b, " AS filtered, COALESCE(sum(CASE WHEN m.run_id = %ld THEN 1 ELSE 0 END), 0) AS this_run, ", run_id);
	fy_buf_add(&b, "(SELECT count(*) FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_addf(&b, ".migration_rejects AS r WHERE r.phase_id = %ld) AS rejected, ", meta->phase_id);
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

/*
 * fy_accounting_checks: every source row must be migrated (into a row of
 * its own, or merged into another's), filtered or rejected; a row that is none of these is a FAIL (new rows not migrated
 * yet, or a phase not run).  Quarantined rows are accounted for but WARN,
 * and a map entry whose source row was deleted later is a WARN, so nothing
 * that happened to the data after the run goes unseen.
 */
int
fy_accounting_checks(const char *phase, const fy_counts *c, fy_check *out)
{
	int64_t		missing = c->source_rows - c->migrated - c->filtered - c->rejected;
	int			n;

	out[0].name = "row_accounting";
	out[0].status = missing == 0 ? "PASS" : "FAIL";
	n = snprintf(out[0].details, sizeof(out[0].details),
				 "source %" PRId64 " = migrated %" PRId64 " + merged %" PRId64
				 " + filtered %" PRId64 " + rejected %" PRId64,
				 c->source_rows, c->migrated - c->merged, c->merged, c->filtered,
				 c->rejected);
	if (missing != 0 && n > 0 && (size_t) n < sizeof(out[0].details))
		snprintf(out[0].details + n, sizeof(out[0].details) - (size_t) n,
				 missing > 0 ?
				 " + %" PRId64 " neither migrated, filtered nor rejected (run migrate_phase('%s'))" :
				 " - %" PRId64 " rejected rows whose source row is gone (run migrate_phase('%s'))",
				 missing > 0 ? missing : -missing, phase);
	out[1].name = "rejected_rows";
	out[1].status = c->rejected == 0 ? "PASS" : "WARN";
	if (c->rejected == 0)
		snprintf(out[1].details, sizeof(out[1].details), "no rows quarantined");
	else
		snprintf(out[1].details, sizeof(out[1].details),
				 "%" PRId64 " rows quarantined in migration_rejects with their reason", c->rejected);
	out[2].name = "source_rows_gone";
	out[2].status = c->orphans == 0 ? "PASS" : "WARN";
	if (c->orphans == 0)
		snprintf(out[2].details, sizeof(out[2].details),
				 "every map entry has its source row");
	else
		snprintf(out[2].details, sizeof(out[2].details),
				 "%" PRId64 " map entries point at source rows deleted since they were migrated",
				 c->orphans);
	return FY_ACCOUNTING_CHECKS;
}

char *
fy_checks_json(const char *phase, const fy_check *checks, int n)
{
	cJSON	   *arr = cJSON_CreateArray();
	char	   *out;

	for (int i = 0; i < n; i++)
	{
		cJSON	   *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "phase", phase);
		cJSON_AddStringToObject(o, "check_name", checks[i].name);
		cJSON_AddStringToObject(o, "status", checks[i].status);
		cJSON_AddStringToObject(o, "details", checks[i].details);
		cJSON_AddItemToArray(arr, o);
	}
	out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return out;
}

/*
 * fy_plan_integrity: one COUNT statement over the map and the target:
 * missing_targets (map entries whose target row is gone) and changed
 * (target rows whose content hash differs from the one the map kept when
 * the row was written: drift).  Rows ferry did not write whole (merge and
 * update phases) keep no hash and are not compared.
 */
fy_plan *
fy_plan_integrity(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				  fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT (SELECT count(*) FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m WHERE NOT EXISTS (SELECT 1 FROM ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t WHERE ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key)) AS missing_targets, ");
	if (d == FY_POSTGRES && ph->ncolumns > 0)
	{
		fy_buf_add(&b, "(SELECT count(*) FROM ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " AS m JOIN ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t ON ");
		fyp_col(&b, d, "t", ph->target_key);
		fy_buf_add(&b, " = m.new_key WHERE m.row_hash IS NOT NULL AND m.row_hash <> ");
		fyp_row_hash(&b, ph, meta, d, "t");
		fy_buf_add(&b, ") AS changed");
	}
	else
		fy_buf_add(&b, "0 AS changed");
	return fyp_finish(plan, fyp_add(plan, FY_ROLE_COUNT, &b, err));
}

int
fy_integrity_checks(const char *phase, int64_t missing_targets, int64_t changed,
					fy_check *out)
{
	(void) phase;
	out[0].name = "target_rows_present";
	out[0].status = missing_targets == 0 ? "PASS" : "FAIL";
	if (missing_targets == 0)
		snprintf(out[0].details, sizeof(out[0].details), "every map entry has its target row");
	else
		snprintf(out[0].details, sizeof(out[0].details),
				 "%" PRId64 " map entries point at target rows that are gone", missing_targets);
	out[1].name = "content_unchanged";
	out[1].status = changed == 0 ? "PASS" : "WARN";
	if (changed == 0)
		snprintf(out[1].details, sizeof(out[1].details),
				 "every target row still holds what the migration wrote");
	else
		snprintf(out[1].details, sizeof(out[1].details),
				 "%" PRId64 " target rows were changed after the migration wrote them", changed);
	return FY_INTEGRITY_CHECKS;
}
