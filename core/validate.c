/*
 * validate.c -- the statements that prove a phase: row accounting.
 */
#include "plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/*
 * fyp_orphans: the map entries whose source row is gone.  PostgreSQL
 * probes the source per entry (a hashed anti-join).  MariaDB counts the
 * entries the count's own pass matched instead: its probe of a
 * materialized source view (a UNION ALL or GROUP BY view) gets a key only
 * when the comparison uses the view column's collation, which the map's
 * utf8mb4_bin does not, so the probe scanned the whole view per entry.
 * The source keys are unique (a run with duplicates fails), and DISTINCT
 * keeps a duplicate that appeared later from hiding an orphan.
 */
static void
fyp_orphans(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d)
{
	fy_buf_add(b, "(SELECT count(*) FROM ");
	fy_buf_map_table(b, meta, d);
	if (d == FY_MARIADB)
	{
		fy_buf_add(b, ") - count(DISTINCT ");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fyp_map_col(b, d, "m", i + 1);
		}
		fy_buf_add(b, ")");
		return;
	}
	fy_buf_add(b, " AS o WHERE NOT EXISTS (SELECT 1 FROM ");
	fyp_source(b, ph, meta, d, "os");
	fy_buf_add(b, " WHERE ");
	fyp_key_join(b, ph, d, "o", "os");
	fy_buf_add(b, "))");
}

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
	fyp_orphans(&b, ph, meta, d);
	fy_buf_add(&b, " AS orphans FROM ");
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
	out[1].name = "source_rows_gone";
	out[1].status = c->orphans == 0 ? "PASS" : "WARN";
	if (c->orphans == 0)
		snprintf(out[1].details, sizeof(out[1].details),
				 "every map entry has its source row");
	else
		snprintf(out[1].details, sizeof(out[1].details),
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

/* ------------------------------------------------ the validation checks */

/* fypv_map_keys: a map row's legacy key as the sample, and its parts to order by. */
static void
fypv_map_keys(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *alias)
{
	const char *cols[16] = {0};
	int			n = ph->nkeys < 16 ? ph->nkeys : 16;
	char		names[16][24];	/* room for any int: gcc -fsanitize warns otherwise */

	for (int i = 0; i < n; i++)
	{
		snprintf(names[i], sizeof(names[i]), "legacy_%d", i + 1);
		cols[i] = names[i];
	}
	fyp_cols_text(b, cols, n, d, alias);
	fy_buf_add(b, " AS ferry_k");
	for (int i = 0; i < n; i++)
	{
		fy_buf_add(b, ", ");
		fyp_map_col(b, d, alias, i + 1);
		fy_buf_addf(b, " AS ferry_o_%d", i + 1);
	}
}

/* fypv_target_keys: a target row's key as the sample. */
static void
fypv_target_keys(fy_buf *b, const fy_phase *ph, fy_dialect d)
{
	fyp_cols_text(b, &ph->target_key, 1, d, "t");
	fy_buf_add(b, " AS ferry_k, ");
	fyp_col(b, d, "t", ph->target_key);
	fy_buf_add(b, " AS ferry_o_1");
}

/* fypv_ours: target row t is one this phase wrote (or updated). */
static void
fypv_ours(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d)
{
	fy_buf_add(b, "EXISTS (SELECT 1 FROM ");
	fy_buf_map_table(b, meta, d);
	fy_buf_add(b, " AS m WHERE m.new_key = ");
	fyp_col(b, d, "t", ph->target_key);
	fy_buf_add(b, ")");
}

/* fypv_textual: a MariaDB column type that holds text (compared by collation). */
static bool
fypv_textual(const char *type)
{
	static const char *const text[] = {"char", "varchar", "tinytext", "text", "mediumtext",
	"longtext", "enum", "set"};

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
	{
		size_t		n = strlen(text[i]);

		if (strncmp(type, text[i], n) == 0 && (type[n] == '\0' || type[n] == '('))
			return true;
	}
	return false;
}

/* fypv_distinct: a IS DISTINCT FROM b, in the dialect. */
static void
fypv_distinct(fy_buf *b, fy_dialect d, const char *a, const char *c)
{
	if (d == FY_POSTGRES)
		fy_buf_addf(b, "(%s) IS DISTINCT FROM (%s)", a, c);
	else
		fy_buf_addf(b, "NOT ((%s) <=> (%s))", a, c);
}

static bool
fypv_target_rows_present(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
						 fy_dialect d, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	fypv_map_keys(&b, ph, d, "m");
	fy_buf_add(&b, " FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m WHERE NOT EXISTS (SELECT 1 FROM ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t WHERE ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key)");
	return fyp_add_check(plan, &b, ph->nkeys, d, "target_rows_present", "FAIL", NULL,
						 "map entries point at target rows that are gone", err);
}

static bool
fypv_legacy_unique(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, fy_error *err)
{
	fy_buf		b;

	if (ph->legacy_column == NULL)
		return true;
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	fyp_cols_text(&b, &ph->legacy_column, 1, d, "t");
	fy_buf_add(&b, " AS ferry_k, ");
	fyp_col(&b, d, "t", ph->legacy_column);
	fy_buf_add(&b, " AS ferry_o_1 FROM ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t WHERE ");
	fyp_col(&b, d, "t", ph->legacy_column);
	fy_buf_add(&b, " IS NOT NULL GROUP BY ");
	fyp_col(&b, d, "t", ph->legacy_column);
	fy_buf_add(&b, " HAVING count(*) > 1");
	return fyp_add_check(plan, &b, 1, d, "legacy_keys_once", "FAIL", ph->legacy_column,
						 "legacy keys carried by more than one target row", err);
}

/* fypv_references: every ref column of the phase's rows points at a row. */
static bool
fypv_references(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, fy_error *err)
{
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_expr *e = ph->columns[i].expr;
		const fy_refmeta *r;
		fy_buf		b;
		fy_buf		f;

		if (e->kind != FY_EXPR_REF || (r = fy_meta_ref(meta, e->ref)) == NULL)
			continue;
		fy_buf_init(&b);
		fy_buf_init(&f);
		fy_buf_addf(&f, "target rows whose reference points at no row of phase \"%s\"", e->ref);
		if (r->target_name == NULL)
		{
			fy_buf_add(&b, "SELECT ");
			fy_buf_literal(&b, d, "the target table of that phase does not resolve");
			fy_buf_add(&b, " AS ferry_k, 1 AS ferry_o_1");
		}
		else
		{
			fy_buf_add(&b, "SELECT ");
			fypv_target_keys(&b, ph, d);
			fy_buf_add(&b, " FROM ");
			fyp_target(&b, meta, d);
			fy_buf_add(&b, " AS t WHERE ");
			fypv_ours(&b, ph, meta, d);
			fy_buf_add(&b, " AND ");
			fyp_col(&b, d, "t", ph->columns[i].target);
			fy_buf_add(&b, " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ");
			fy_buf_ident(&b, d, r->target_schema);
			fy_buf_add(&b, ".");
			fy_buf_ident(&b, d, r->target_name);
			fy_buf_add(&b, " AS r WHERE ");
			fyp_col(&b, d, "r", r->target_key);
			fy_buf_add(&b, " = ");
			fyp_col(&b, d, "t", ph->columns[i].target);
			fy_buf_add(&b, ")");
		}
		if (!fyp_add_check_worded(plan, &b, 1, d, "references", "FAIL",
								  ph->columns[i].target, &f, err))
			return false;
	}
	return true;
}

static bool
fypv_required(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, fy_error *err)
{
	for (int i = 0; i < ph->nrequired; i++)
	{
		fy_buf		b;

		fy_buf_init(&b);
		fy_buf_add(&b, "SELECT ");
		fypv_target_keys(&b, ph, d);
		fy_buf_add(&b, " FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t WHERE ");
		fyp_col(&b, d, "t", ph->required[i]);
		fy_buf_add(&b, " IS NULL AND ");
		fypv_ours(&b, ph, meta, d);
		if (!fyp_add_check(plan, &b, 1, d, "required", "FAIL", ph->required[i],
						   "target rows of the phase are NULL there", err))
			return false;
	}
	return true;
}

static bool
fypv_unique(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			fy_dialect d, fy_error *err)
{
	for (int i = 0; i < ph->nunique; i++)
	{
		const fy_colset *u = &ph->unique[i];
		fy_buf		b;
		fy_buf		label;

		fy_buf_init(&b);
		fy_buf_init(&label);
		fy_buf_add(&b, "SELECT ");
		fyp_cols_text(&b, u->cols, u->ncols, d, "t");
		fy_buf_add(&b, " AS ferry_k");
		for (int k = 0; k < u->ncols; k++)
		{
			fy_buf_add(&b, ", ");
			fyp_col(&b, d, "t", u->cols[k]);
			fy_buf_addf(&b, " AS ferry_o_%d", k + 1);
			fy_buf_addf(&label, "%s%s", k ? ", " : "", u->cols[k]);
		}
		fy_buf_add(&b, " FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t WHERE ");
		for (int k = 0; k < u->ncols; k++)
		{
			fy_buf_add(&b, k ? " AND " : "");
			fyp_col(&b, d, "t", u->cols[k]);
			fy_buf_add(&b, " IS NOT NULL");
		}
		fy_buf_add(&b, " GROUP BY ");
		for (int k = 0; k < u->ncols; k++)
		{
			fy_buf_add(&b, k ? ", " : "");
			fyp_col(&b, d, "t", u->cols[k]);
		}
		fy_buf_add(&b, " HAVING count(*) > 1");
		if (label.oom ||
			!fyp_add_check(plan, &b, u->ncols, d, "unique", "FAIL", label.data,
						   "values held by more than one target row", err))
		{
			fy_buf_free(&label);
			return label.oom ? fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory") : false;
		}
		fy_buf_free(&label);
	}
	return true;
}

/*
 * fypv_aggregates: each declared equality, source side over the migrated
 * source rows, target side over the phase's target rows, per group when
 * declared; a group on one side only, or with another value, fails.
 */
static bool
fypv_aggregates(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, fy_error *err)
{
	for (int i = 0; i < ph->naggregates; i++)
	{
		const fy_aggregate *a = &ph->aggregates[i];
		fy_buf		b;

		fy_buf		x;
		fy_buf		y;

		/* x: the source side over the migrated source rows; y: the target side */
		fy_buf_init(&x);
		fy_buf_addf(&x, "(SELECT %s AS g, (%s) AS v FROM (SELECT s.* FROM ",
					a->per_source ? a->per_source : "1", a->source);
		fyp_source(&x, ph, meta, d, "s");
		fy_buf_add(&x, " WHERE EXISTS (SELECT 1 FROM ");
		fy_buf_map_table(&x, meta, d);
		fy_buf_add(&x, " AS m WHERE ");
		fyp_key_join(&x, ph, d, "m", "s");
		fy_buf_add(&x, ")) AS s GROUP BY 1)");
		fy_buf_init(&y);
		fy_buf_addf(&y, "(SELECT %s AS g, (%s) AS v FROM ",
					a->per_target ? a->per_target : "1", a->target);
		fyp_target(&y, meta, d);
		fy_buf_add(&y, " AS t WHERE ");
		fypv_ours(&y, ph, meta, d);
		fy_buf_add(&y, " GROUP BY 1)");
		fy_buf_init(&b);
		if (x.oom || y.oom)
			b.oom = true;
		else if (d == FY_POSTGRES)
			fy_buf_addf(&b, "SELECT COALESCE(CAST(x.g AS text), CAST(y.g AS text)) AS ferry_k, "
						"COALESCE(x.g, y.g) AS ferry_o_1 FROM %s AS x FULL JOIN %s AS y ON x.g = y.g "
						"WHERE (x.v) IS DISTINCT FROM (y.v)", x.data, y.data);
		else
			/* MariaDB has no FULL JOIN: both sides' groups, the other side's missing */
			fy_buf_addf(&b, "SELECT CAST(x.g AS CHAR) AS ferry_k, x.g AS ferry_o_1 FROM %s AS x "
						"LEFT JOIN %s AS y ON x.g = y.g WHERE NOT ((x.v) <=> (y.v)) "
						"UNION ALL SELECT CAST(y.g AS CHAR), y.g FROM %s AS y LEFT JOIN %s AS x "
						"ON x.g = y.g WHERE x.g IS NULL", x.data, y.data, y.data, x.data);
		fy_buf_free(&x);
		fy_buf_free(&y);
		if (!fyp_add_check(plan, &b, 1, d, "aggregates", "FAIL", a->name,
						   a->per_source ? "groups whose source and target aggregates differ" :
						   "totals that differ between source and target", err))
			return false;
	}
	return true;
}

static bool
fypv_custom(fy_plan *plan, const fy_phase *ph, fy_dialect d, fy_error *err)
{
	for (int i = 0; i < ph->nchecks; i++)
	{
		fy_buf		b;

		fy_buf_init(&b);
		fy_buf_add(&b, "SELECT 'false' AS ferry_k, 1 AS ferry_o_1 FROM (SELECT 1 AS one) AS ferry_one WHERE NOT COALESCE((");
		fy_buf_add(&b, ph->checks[i].sql);
		fy_buf_add(&b, "), FALSE)");
		if (!fyp_add_check(plan, &b, 1, d, "checks", "FAIL", ph->checks[i].name,
						   "check of the spec that is not true", err))
			return false;
	}
	return true;
}

/*
 * fypv_roundtrip: every migrated row computed again from its source row
 * through the spec and compared with the target row, column by column;
 * the sample names the key and the first column that differs.  The values
 * are computed in a derived table where only the source row is in scope,
 * as in the run.  A flag_to_deleted_at without "at" is compared by whether
 * it is set (its time is the transaction's).  Merge phases are proved by
 * their aggregates instead: a merged row has no one source row.
 */
static bool
fypv_roundtrip(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, fy_error *err)
{
	const fy_expr *refs[64] = {0};
	const char *keys[16] = {0};
	char		names[16][24];
	fy_buf		b;
	char	   *base;
	bool		pg = d == FY_POSTGRES;

	if (ph->nmerge_on > 0 || ph->nrefs > 64 || ph->nkeys > 16)
		return true;
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	for (int i = 0; i < ph->nkeys; i++)
	{
		snprintf(names[i], sizeof(names[i]), "ferry_key_%d", i + 1);
		keys[i] = names[i];
	}
	base = fyp_base(ph, meta, d, refs, NULL, false, NULL);
	fy_buf_init(&b);
	fy_buf_add(&b, pg ? "SELECT z.ferry_k0 || ' (' || z.ferry_col || ')' AS ferry_k" :
			   "SELECT CONCAT(z.ferry_k0, ' (', z.ferry_col, ')') AS ferry_k");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&b, ", z.ferry_key_%d AS ferry_o_%d", i + 1, i + 1);
	fy_buf_add(&b, " FROM (SELECT v.*, ");
	fyp_cols_text(&b, keys, ph->nkeys, d, "v");
	fy_buf_add(&b, " AS ferry_k0, CASE");
	if (ph->legacy_column)
	{
		fy_buf		t;

		fy_buf_init(&t);
		fyp_col(&t, d, "t", ph->legacy_column);
		fy_buf_add(&b, " WHEN ");
		fypv_distinct(&b, d, t.oom ? "" : t.data, "v.ferry_key_1");
		fy_buf_add(&b, " THEN ");
		fy_buf_literal(&b, d, ph->legacy_column);
		fy_buf_free(&t);
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_column *c = &ph->columns[i];
		const fy_colmeta *t = fy_meta_column(&meta->target, c->target);
		bool		as_jsonb = pg && t && strcmp(t->type, "json") == 0;
		bool		set_only = c->expr->kind == FY_EXPR_CONVERT &&
			c->expr->convert == FY_CONV_FLAG_TO_DELETED_AT && c->expr->at == NULL;
		fy_buf		now;
		fy_buf		then;

		fy_buf_init(&now);
		fy_buf_init(&then);
		fyp_col(&now, d, "t", c->target);
		if (set_only)
		{
			fy_buf_addf(&then, "v.ferry_c_%d IS NULL", i + 1);
			fy_buf_add(&now, " IS NULL");
		}
		else
		{
			/*
			 * MariaDB's CAST takes no column types: its comparison converts.
			 * Text compares bytewise there, as the value was written, and so
			 * whatever the collations of the source and target columns.
			 */
			if (pg)
				fy_buf_addf(&then, "CAST(v.ferry_c_%d AS %s)%s", i + 1, t ? t->type : "text",
							as_jsonb ? "::jsonb" : "");
			else if (t && fypv_textual(t->type))
			{
				fy_buf_addf(&then, "CONVERT(v.ferry_c_%d USING utf8mb4) COLLATE utf8mb4_bin", i + 1);
				fy_buf_free(&now);
				fy_buf_add(&now, "CONVERT(");
				fyp_col(&now, d, "t", c->target);
				fy_buf_add(&now, " USING utf8mb4) COLLATE utf8mb4_bin");
			}
			else
				fy_buf_addf(&then, "v.ferry_c_%d", i + 1);
			if (as_jsonb)
				fy_buf_add(&now, "::jsonb");
		}
		fy_buf_add(&b, " WHEN ");
		fypv_distinct(&b, d, then.oom ? "" : then.data, now.oom ? "" : now.data);
		fy_buf_add(&b, " THEN ");
		fy_buf_literal(&b, d, c->target);
		fy_buf_free(&now);
		fy_buf_free(&then);
	}
	fy_buf_add(&b, " END AS ferry_col FROM (SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_col(&b, d, "s", ph->source_key[i]);
		fy_buf_addf(&b, " AS ferry_key_%d, ", i + 1);
	}
	fy_buf_add(&b, "1 AS ferry_one");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_expr(&b, meta, ph->columns[i].expr, d, "s", NULL);
		fy_buf_addf(&b, " AS ferry_c_%d", i + 1);
	}
	fy_buf_addf(&b, " FROM %s) AS v JOIN ", base ? base : "");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&b, i ? " AND " : "");
		fyp_map_col(&b, d, "m", i + 1);
		fy_buf_addf(&b, " = v.ferry_key_%d", i + 1);
	}
	fy_buf_add(&b, " JOIN ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t ON ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key) AS z WHERE z.ferry_col IS NOT NULL");
	fy_release(base);
	return fyp_add_check(plan, &b, ph->nkeys, d, "content_roundtrip", "FAIL", NULL,
						 "target rows differ from what their source row gives now", err);
}

/* fypv_drift: rows whose content hash differs from the one kept. */
static bool
fypv_drift(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
		   fy_dialect d, fy_error *err)
{
	fy_buf		b;

	if (ph->ncolumns == 0)
		return true;
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	fypv_map_keys(&b, ph, d, "m");
	fy_buf_add(&b, " FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m JOIN ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t ON ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key WHERE m.row_hash IS NOT NULL AND m.row_hash <> ");
	fyp_row_hash(&b, ph, meta, d, "t");
	return fyp_add_check(plan, &b, ph->nkeys, d, "content_unchanged", "WARN", NULL,
						 "target rows were changed after the migration wrote them", err);
}

/* fypv_rejects: the phase's quarantined rows, their reasons grouped. */
static bool
fypv_rejects(fy_plan *plan, const fy_meta *meta, fy_dialect d, fy_error *err)
{
	fy_buf		b;
	fy_stmt    *st;

	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT (SELECT count(*) FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_addf(&b, ".migration_rejects WHERE phase_id = %ld) AS failures, (SELECT ", meta->phase_id);
	fy_buf_add(&b, d == FY_POSTGRES ?
			   "string_agg(g.reason || ': ' || g.n, '; ' ORDER BY g.n DESC, g.reason)" :
			   "GROUP_CONCAT(CONCAT(g.reason, ': ', g.n) ORDER BY g.n DESC, g.reason SEPARATOR '; ')");
	fy_buf_add(&b, " FROM (SELECT reason, count(*) AS n FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_addf(&b, ".migration_rejects WHERE phase_id = %ld GROUP BY reason) AS g) AS sample",
				meta->phase_id);
	if (!fyp_add(plan, FY_ROLE_ASSERT, &b, err))
		return false;
	st = &plan->stmts[plan->nstmts - 1];
	st->check = "rejected_rows";
	st->severity = "WARN";
	st->finding = "rows quarantined in migration_rejects";
	return true;
}

/*
 * fy_plan_drift: validation's content_unchanged check as rollback's guard
 * (severity ERROR: fy_assert_verdict refuses), its label the call that
 * forces the rollback on the dialect, for the hint.
 */
fy_plan *
fy_plan_drift(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			  fy_error *err)
{
	fy_plan    *plan;
	fy_stmt    *st;
	fy_buf		force;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	if (!fypv_drift(plan, ph, meta, d, err) || plan->nstmts == 0)
		return fyp_finish(plan, plan->nstmts == 0);
	st = &plan->stmts[0];
	st->severity = "ERROR";
	fy_buf_init(&force);
	fy_buf_add(&force, d == FY_POSTGRES ? "rollback_migration(" : "CALL rollback_migration_ex(");
	fy_buf_literal(&force, d, ph->name);
	fy_buf_add(&force, d == FY_POSTGRES ? ", force => true)" : ", FALSE, TRUE)");
	st->label = force.oom ? NULL : fy_arena_strdup(plan->arena, force.data);
	fy_buf_free(&force);
	if (st->label == NULL)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	return fyp_finish(plan, st->label != NULL);
}

fy_plan *
fy_plan_validate(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				 fy_error *err)
{
	fy_plan    *plan;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	return fyp_finish(plan,
					  fypv_rejects(plan, meta, d, err) &&
					  fypv_target_rows_present(plan, ph, meta, d, err) &&
					  fypv_legacy_unique(plan, ph, meta, d, err) &&
					  fypv_references(plan, ph, meta, d, err) &&
					  fypv_required(plan, ph, meta, d, err) &&
					  fypv_unique(plan, ph, meta, d, err) &&
					  fypv_aggregates(plan, ph, meta, d, err) &&
					  fypv_roundtrip(plan, ph, meta, d, err) &&
					  fypv_drift(plan, ph, meta, d, err) &&
					  fypv_custom(plan, ph, d, err));
}

/*
 * fy_validate_verdict words one check statement's result: PASS when it
 * found nothing, else the statement's severity, with the count.
 */
void
fy_validate_verdict(const fy_stmt *st, int64_t failures, fy_check *out)
{
	char		subject[200] = "";

	out->name = st->check;
	out->status = failures == 0 ? "PASS" : st->severity;
	if (st->label)
		snprintf(subject, sizeof(subject), "%s: ", st->label);
	snprintf(out->details, sizeof(out->details), "%s%" PRId64 " %s", subject, failures,
			 st->finding ? st->finding : "");
}

/*
 * fy_verdict_json words a check statement's result as a one-element JSON
 * array of {phase, check_name, status, details, sample}, for the MariaDB
 * procedures that collect verdicts as JSON; a guard statement that found
 * rows gives the error to raise instead (fy_assert_verdict).
 */
char *
fy_verdict_json(const char *phase, const fy_stmt *st, int64_t failures,
				const char *sample)
{
	fy_check	c;
	fy_error	err = {0};
	cJSON	   *arr;
	cJSON	   *o;
	char	   *out;

	if (!fy_assert_verdict(phase, st, failures, sample, &err))
		return fy_error_json(&err);
	arr = cJSON_CreateArray();
	o = cJSON_CreateObject();
	fy_validate_verdict(st, failures, &c);
	cJSON_AddStringToObject(o, "phase", phase);
	cJSON_AddStringToObject(o, "check_name", c.name);
	cJSON_AddStringToObject(o, "status", c.status);
	cJSON_AddStringToObject(o, "details", c.details);
	if (failures > 0 && sample)
		cJSON_AddStringToObject(o, "sample", sample);
	else
		cJSON_AddNullToObject(o, "sample");
	cJSON_AddItemToArray(arr, o);
	out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return out;
}
