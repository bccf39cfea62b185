/*
 * preflight.c -- the statements of preflight: what migrate_phase would
 * find wrong with a phase's pending rows, counted before anything is
 * written.  Each check is one set-based, read-only statement over the same
 * pending rows migrate computes (fyp_pending_with_refs), with the values
 * computed by the same expressions (fyp_expr), so a check finds exactly
 * what the run would trip over.
 */
#include "plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>


#define FYPF_MAX_REFS 64		/* as fy_plan_migrate */

static const char *const fypf_checks[] = {
	"relations", "null_keys", "duplicate_keys", "refs", "not_null",
	"casts", "uniqueness", "dependencies"
};

/*
 * fy_preflight_checks: casts is PostgreSQL-only -- testing a value against
 * a type without raising needs the type's input function run inside a
 * subtransaction (ferry.value_fits), which a MariaDB UDF cannot do.
 */
int
fy_preflight_checks(fy_dialect d, const char **names)
{
	int			n = 0;

	for (int i = 0; i < FY_PREFLIGHT_MAX_CHECKS; i++)
		if (d == FY_POSTGRES || strcmp(fypf_checks[i], "casts") != 0)
			names[n++] = fypf_checks[i];
	return n;
}

/* fy_meta_add_unique lives here: only preflight reads unique indexes. */
bool
fy_meta_add_unique(fy_meta *meta, const char *name, const char *const *cols,
				   int ncols)
{
	fy_unique  *u;

	if (meta->nuniques == 0 || (meta->nuniques & (meta->nuniques - 1)) == 0)
	{
		size_t		cap = meta->nuniques ? (size_t) meta->nuniques * 2 : 4;
		fy_unique  *us = fy_arena_alloc(meta->arena, sizeof(fy_unique) * cap);

		if (us == NULL)
			return false;
		if (meta->nuniques)
			memcpy(us, meta->uniques, sizeof(fy_unique) * (size_t) meta->nuniques);
		meta->uniques = us;
	}
	u = &meta->uniques[meta->nuniques];
	u->name = fy_arena_strdup(meta->arena, name);
	u->cols = fy_arena_alloc(meta->arena, sizeof(char *) * (size_t) (ncols > 0 ? ncols : 1));
	if (u->name == NULL || u->cols == NULL)
		return false;
	for (int i = 0; i < ncols; i++)
		if ((u->cols[i] = fy_arena_strdup(meta->arena, cols[i])) == NULL)
			return false;
	u->ncols = ncols;
	meta->nuniques++;
	return true;
}

/* ------------------------------------------------------------ statements */

/* fypf_select_pending: "SELECT <keys> FROM <pending rows with refs> AS s" */
static void
fypf_select_pending(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					fy_dialect d, const fy_expr **refs)
{
	fy_buf_add(b, "SELECT ");
	fyp_sample_keys(b, ph, d);
	fy_buf_add(b, " FROM ");
	fyp_pending_with_refs(b, ph, meta, d, refs);
}

/* fypf_key_list: the source key's columns, for messages: "id" or "(a, b)" */
static void
fypf_key_list(fy_buf *b, const fy_phase *ph)
{
	if (ph->nkeys > 1)
		fy_buf_add(b, "(");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(b, "%s\"%s\"", i ? ", " : "", ph->source_key[i]);
	if (ph->nkeys > 1)
		fy_buf_add(b, ")");
}

/*
 * null_keys: migrate rejects a row whose key has a NULL part.  Such a key
 * names no row, so the sample spells the NULL parts of a composite key and
 * is empty for a one-column key.
 */
static bool
fypf_null_keys(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, const fy_expr **refs, fy_error *err)
{
	fy_buf		b;
	fy_buf		f;

	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	if (ph->nkeys == 1)
		fy_buf_add(&b, d == FY_POSTGRES ? "CAST(NULL AS text)" : "CAST(NULL AS CHAR)");
	else
	{
		fy_buf_add(&b, d == FY_POSTGRES ? "concat_ws('/'" : "CONCAT_WS('/'");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(&b, ", COALESCE(");
			if (d == FY_MARIADB)
				fy_buf_add(&b, "CAST(");
			fyp_col(&b, d, "s", ph->source_key[i]);
			fy_buf_add(&b, d == FY_POSTGRES ? "::text" : " AS CHAR)");
			fy_buf_add(&b, ", 'NULL')");
		}
		fy_buf_add(&b, ")");
	}
	fy_buf_add(&b, " AS ferry_k");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_col(&b, d, "s", ph->source_key[i]);
		fy_buf_addf(&b, " AS ferry_o_%d", i + 1);
	}
	fy_buf_add(&b, " FROM ");
	fyp_pending_with_refs(&b, ph, meta, d, refs);
	fy_buf_add(&b, " WHERE ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&b, i ? " OR " : "");
		fyp_col(&b, d, "s", ph->source_key[i]);
		fy_buf_add(&b, " IS NULL");
	}
	fy_buf_init(&f);
	fy_buf_add(&f, "with a NULL in the source key ");
	fypf_key_list(&f, ph);
	fy_buf_add(&f, ": migrate_phase would reject them");
	return fyp_add_check_worded(plan, &b, ph->nkeys, d, "null_keys", "WARN", NULL, &f, err);
}

/* duplicate_keys: the id map takes one row per legacy key; a second fails the run. */
static bool
fypf_duplicate_keys(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					fy_dialect d, const fy_expr **refs, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fypf_select_pending(&b, ph, meta, d, refs);
	fy_buf_add(&b, " WHERE ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&b, i ? " AND " : "");
		fyp_col(&b, d, "s", ph->source_key[i]);
		fy_buf_add(&b, " IS NOT NULL");
	}
	fy_buf_add(&b, " GROUP BY ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&b, i ? ", " : "");
		fyp_col(&b, d, "s", ph->source_key[i]);
	}
	fy_buf_add(&b, " HAVING count(*) > 1");
	return fyp_add_check(plan, &b, ph->nkeys, d, "duplicate_keys", "ERROR", NULL,
					"held by more than one pending row: migrate_phase would fail (the id map takes one row per legacy key)",
					err);
}

/* refs: what the run does with a value the referenced phase never mapped. */
static bool
fypf_refs(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
		  fy_dialect d, const fy_expr **refs, fy_error *err)
{
	for (int i = 0; i < ph->nrefs; i++)
	{
		const fy_expr *r = refs[i];
		fy_buf		b;
		fy_buf		f;

		fy_buf_init(&b);
		fypf_select_pending(&b, ph, meta, d, refs);
		fy_buf_add(&b, " WHERE ");
		fyp_ref_missing(&b, r, d);
		fy_buf_init(&f);
		fy_buf_add(&f, "holding a legacy key in ");
		for (int k = 0; k < r->nref_cols; k++)
			fy_buf_addf(&f, "%s\"%s\"", k ? ", " : "", r->ref_cols[k]);
		fy_buf_addf(&f, " that phase \"%s\" never mapped: ", r->ref);
		switch (r->on_missing)
		{
			case FY_MISSING_REJECT:
				fy_buf_add(&f, "migrate_phase would reject them (on_missing reject)");
				break;
			case FY_MISSING_NULL:
				fy_buf_add(&f, "migrate_phase would migrate them with NULL there (on_missing null)");
				break;
			case FY_MISSING_ERROR:
				fy_buf_add(&f, "migrate_phase would refuse the run (on_missing error)");
				break;
		}
		if (!fyp_add_check_worded(plan, &b, ph->nkeys, d, "refs",
							 r->on_missing == FY_MISSING_ERROR ? "ERROR" : "WARN",
							 r->text, &f, err))
			return false;
	}
	return true;
}

/* not_null: a NULL computed for a NOT NULL target column rejects the row. */
static bool
fypf_not_null(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, const fy_expr **refs, fy_error *err)
{
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);
		fy_buf		b;

		/* an object_agg column's row value is a member: a NULL one is JSON null */
		if (t == NULL || !t->notnull || ph->columns[i].merge_key)
			continue;
		fy_buf_init(&b);
		fypf_select_pending(&b, ph, meta, d, refs);
		fy_buf_add(&b, " WHERE (");
		fyp_expr(&b, meta, ph->columns[i].expr, d, "s", t);
		fy_buf_add(&b, ") IS NULL");
		if (!fyp_add_check(plan, &b, ph->nkeys, d, "not_null", "WARN", t->name,
					  "whose value would be NULL in this NOT NULL column: migrate_phase would reject them",
					  err))
			return false;
	}
	return true;
}

/*
 * fypf_cast_one: the rows whose value for target column t the column's
 * type will not take, by ferry.value_fits, which converts a value the way
 * the run will (an assignment, or an explicit CAST where fyp_expr writes
 * one) inside a subtransaction.  value is rendered without fyp_expr's CAST,
 * which would raise on the first bad value instead of counting them.
 */
static bool
fypf_cast_one(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, const fy_expr **refs, const fy_colmeta *t,
			  const fy_expr *e, const char *key_col, fy_error *err)
{
	fy_buf		b;
	fy_buf		f;
	bool		explicit_cast = e != NULL &&
		(e->kind == FY_EXPR_CONST || e->kind == FY_EXPR_MAP);

	fy_buf_init(&b);
	fypf_select_pending(&b, ph, meta, d, refs);
	fy_buf_add(&b, " WHERE NOT ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_add(&b, ".value_fits(");
	if (e != NULL)
		fyp_expr(&b, meta, e, d, "s", NULL);
	else
		fyp_col(&b, d, "s", key_col);
	fy_buf_add(&b, ", ");
	fy_buf_literal(&b, d, t->type);
	fy_buf_addf(&b, ", %s)", explicit_cast ? "TRUE" : "FALSE");
	/* a column's value that does not fit is a reject, unless on_error is abort; a key's fails the run */
	fy_buf_init(&f);
	fy_buf_addf(&f, "whose value type %s does not accept: %s", t->type,
				e == NULL || ph->abort_on_error ? "migrate_phase would fail" :
				"migrate_phase would reject them (on_error reject)");
	return fyp_add_check_worded(plan, &b, ph->nkeys, d, "casts",
								e == NULL || ph->abort_on_error ? "ERROR" : "WARN", t->name, &f, err);
}

/*
 * casts (PostgreSQL): every column whose value's type may differ from the
 * target column's.  A source column of the very same type is skipped here;
 * for computed values the type is known only when the statement runs, and
 * value_fits returns at once when nothing needs converting.
 */
static bool
fypf_casts(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
		   fy_dialect d, const fy_expr **refs, fy_error *err)
{
	const fy_colmeta *k0 = fy_meta_column(&meta->source, ph->source_key[0]);

	if (d != FY_POSTGRES)
		return true;
	/* the legacy key itself, when it goes into the target as it is */
	if (ph->keygen == FY_KEY_KEEP)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->target_key);

		if (t && k0 && strcmp(t->type, k0->type) != 0 &&
			!fypf_cast_one(plan, ph, meta, d, refs, t, NULL, ph->source_key[0], err))
			return false;
	}
	if (ph->legacy_column)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->legacy_column);

		if (t && k0 && strcmp(t->type, k0->type) != 0 &&
			!fypf_cast_one(plan, ph, meta, d, refs, t, NULL, ph->source_key[0], err))
			return false;
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_expr *e = ph->columns[i].expr;
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);

		/* an object_agg column's row value is a member, not the column's value */
		if (t == NULL || ph->columns[i].merge_key)
			continue;
		if (e->kind == FY_EXPR_COLUMN)
		{
			const fy_colmeta *s = fy_meta_column(&meta->source, e->text);

			if (s != NULL && strcmp(s->type, t->type) == 0)
				continue;
		}
		if (!fypf_cast_one(plan, ph, meta, d, refs, t, e, NULL, err))
			return false;
	}
	return true;
}

/*
 * fypf_unique_value writes the value the run gives target column col, as
 * the target's type (PostgreSQL compares in that type, as the index does),
 * or returns false when the spec does not fill it -- or fills it with a
 * random key, which no check can predict.
 */
static bool
fypf_unique_value(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *col)
{
	const fy_colmeta *t = fy_meta_column(&meta->target, col);
	size_t		mark = b->len;
	bool		found = false;

	if (t == NULL)
		return false;
	if (d == FY_POSTGRES)
		fy_buf_add(b, "CAST((");
	if (strcmp(col, ph->target_key) == 0)
	{
		if (ph->keygen != FY_KEY_UUID_V5 && ph->keygen != FY_KEY_KEEP)
			goto none;
		fyp_new_key(b, ph, meta, d, "s");
		found = true;
	}
	else if (ph->legacy_column && strcmp(col, ph->legacy_column) == 0)
	{
		fyp_col(b, d, "s", ph->source_key[0]);
		found = true;
	}
	else
		for (int i = 0; i < ph->ncolumns && !found; i++)
			if (strcmp(ph->columns[i].target, col) == 0)
			{
				fyp_expr(b, meta, ph->columns[i].expr, d, "s", t);
				found = true;
			}
	if (!found)
		goto none;
	if (d == FY_POSTGRES)
		fy_buf_addf(b, ") AS %s)", t->type);
	return true;
none:
	b->len = mark;
	if (b->data)
		b->data[mark] = '\0';
	return false;
}

/*
 * fypf_unique_rows: the pending rows as the target will get them, with
 * their values for a unique index (vals: ", <value> AS ferry_u_1, ...").
 * A merge_on phase writes one row per merge group, so there each group
 * counts once, judged by its first row in key order: the rows of one group
 * share their new key and must not count as duplicates of each other.
 * (Merge rules other than the merge_on columns may change a value.)
 */
static void
fypf_unique_rows(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				 fy_dialect d, const fy_expr **refs, const char *vals)
{
	if (ph->nmerge_on > 0 && d == FY_POSTGRES)
		fy_buf_add(b, "(SELECT DISTINCT ON (w0.ferry_gid) w0.* FROM ");
	else if (ph->nmerge_on > 0)
		fy_buf_add(b, "(SELECT w0.* FROM ");
	fy_buf_add(b, "(SELECT ");
	fyp_sample_keys(b, ph, d);
	fy_buf_add(b, vals ? vals : "");
	if (ph->nmerge_on > 0)
	{
		fy_buf_add(b, ", ");
		fyp_group_id(b, ph, d, "s");
		fy_buf_add(b, " AS ferry_gid");
	}
	if (ph->nmerge_on > 0 && d == FY_MARIADB)
	{
		/* MariaDB has no DISTINCT ON: the group's first row by number */
		fy_buf_add(b, ", ROW_NUMBER() OVER (PARTITION BY ");
		fyp_group_id(b, ph, d, "s");
		fy_buf_add(b, " ORDER BY ");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fyp_col(b, d, "s", ph->source_key[i]);
		}
		fy_buf_add(b, ") AS ferry_rn");
	}
	fy_buf_add(b, " FROM ");
	fyp_pending_with_refs(b, ph, meta, d, refs);
	fy_buf_add(b, ")");
	if (ph->nmerge_on > 0 && d == FY_POSTGRES)
	{
		fy_buf_add(b, " AS w0 ORDER BY w0.ferry_gid");
		for (int i = 0; i < ph->nkeys; i++)
			fy_buf_addf(b, ", w0.ferry_o_%d", i + 1);
		fy_buf_add(b, ")");
	}
	else if (ph->nmerge_on > 0)
		fy_buf_add(b, " AS w0 WHERE w0.ferry_rn = 1)");
}

/*
 * uniqueness: for each unique index whose columns the spec fills, the
 * pending rows that share their values with another pending row, and those
 * whose values the target already holds.  A row with a NULL in the index's
 * columns never conflicts (NULLs are distinct).
 */
static bool
fypf_uniqueness(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, const fy_expr **refs, fy_error *err)
{
	for (int u = 0; u < meta->nuniques; u++)
	{
		const fy_unique *ix = &meta->uniques[u];
		fy_buf		vals;
		fy_buf		cols;
		fy_buf		b;
		fy_buf		f;
		bool		usable = ix->ncols > 0;

		fy_buf_init(&vals);
		fy_buf_init(&cols);
		for (int c = 0; c < ix->ncols && usable; c++)
		{
			fy_buf_add(&vals, ", ");
			usable = fypf_unique_value(&vals, ph, meta, d, ix->cols[c]);
			fy_buf_addf(&vals, " AS ferry_u_%d", c + 1);
			fy_buf_addf(&cols, "%s\"%s\"", c ? ", " : "", ix->cols[c]);
		}
		if (!usable)
		{
			fy_buf_free(&vals);
			fy_buf_free(&cols);
			continue;
		}

		/* duplicates among the pending rows */
		fy_buf_init(&b);
		fy_buf_add(&b, "SELECT v.ferry_k");
		for (int i = 0; i < ph->nkeys; i++)
			fy_buf_addf(&b, ", v.ferry_o_%d", i + 1);
		fy_buf_add(&b, " FROM (SELECT w.*, count(*) OVER (PARTITION BY ");
		for (int c = 0; c < ix->ncols; c++)
			fy_buf_addf(&b, "%sw.ferry_u_%d", c ? ", " : "", c + 1);
		fy_buf_add(&b, ") AS ferry_n FROM ");
		fypf_unique_rows(&b, ph, meta, d, refs, vals.data);
		fy_buf_add(&b, " AS w) AS v WHERE v.ferry_n > 1");
		for (int c = 0; c < ix->ncols; c++)
			fy_buf_addf(&b, " AND v.ferry_u_%d IS NOT NULL", c + 1);
		fy_buf_init(&f);
		fy_buf_addf(&f, "sharing their (%s) with another pending row: migrate_phase would fail",
					cols.data ? cols.data : "");
		if (!fyp_add_check_worded(plan, &b, ph->nkeys, d, "uniqueness", "ERROR", ix->name, &f, err))
			goto fail;

		/* collisions with the rows already in the target */
		fy_buf_init(&b);
		fy_buf_add(&b, "SELECT w.ferry_k");
		for (int i = 0; i < ph->nkeys; i++)
			fy_buf_addf(&b, ", w.ferry_o_%d", i + 1);
		fy_buf_add(&b, " FROM ");
		fypf_unique_rows(&b, ph, meta, d, refs, vals.data);
		fy_buf_add(&b, " AS w WHERE EXISTS (SELECT 1 FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t WHERE ");
		for (int c = 0; c < ix->ncols; c++)
		{
			fy_buf_add(&b, c ? " AND " : "");
			fyp_col(&b, d, "t", ix->cols[c]);
			fy_buf_addf(&b, " = w.ferry_u_%d", c + 1);
		}
		if (ph->nmerge_on > 0)
		{
			/* a catch-up run recomputes its groups' own rows in place */
			fy_buf_add(&b, " AND NOT EXISTS (SELECT 1 FROM ");
			fy_buf_map_table(&b, meta, d);
			fy_buf_add(&b, " AS m WHERE m.new_key = ");
			fyp_col(&b, d, "t", ph->target_key);
			fy_buf_add(&b, ")");
		}
		fy_buf_add(&b, ")");
		fy_buf_init(&f);
		fy_buf_addf(&f, "whose (%s) a target row already holds: migrate_phase would fail",
					cols.data ? cols.data : "");
		if (!fyp_add_check_worded(plan, &b, ph->nkeys, d, "uniqueness", "ERROR", ix->name, &f, err))
			goto fail;
		fy_buf_free(&vals);
		fy_buf_free(&cols);
		continue;
fail:
		fy_buf_free(&vals);
		fy_buf_free(&cols);
		return false;
	}
	return true;
}

/*
 * dependencies: the phases this one depends on that have no completed
 * migrate run (the rule migrate_phase applies); the sample names them.
 * MariaDB keeps phases per database, so there the log is read for the
 * current one.
 */
bool
fyp_plan_dependencies(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, fy_error *err)
{
	fy_buf		b;

	if (ph->ndepends == 0)
		return true;
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT dep.ferry_k, dep.ferry_o_1 FROM (");
	for (int i = 0; i < ph->ndepends; i++)
	{
		const fy_refmeta *r = fy_meta_ref(meta, ph->depends_on[i]);

		fy_buf_add(&b, i ? " UNION ALL SELECT " : "SELECT ");
		fy_buf_literal(&b, d, ph->depends_on[i]);
		fy_buf_addf(&b, i ? ", %d, %ld" : " AS ferry_k, %d AS ferry_o_1, %ld AS ferry_id",
					i + 1, r ? r->phase_id : 0L);
	}
	fy_buf_add(&b, ") AS dep WHERE NOT EXISTS (SELECT 1 FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	/* PostgreSQL logs the phase id, so a phase defined anew starts afresh */
	fy_buf_add(&b, d == FY_POSTGRES ? ".migration_log AS l WHERE l.phase_id = dep.ferry_id" :
			   ".migration_log AS l WHERE l.phase = dep.ferry_k AND l.db = DATABASE()");
	fy_buf_add(&b, " AND l.operation = 'migrate' AND l.status = 'completed')");
	return fyp_add_check(plan, &b, 1, d, "dependencies", "ERROR", NULL,
					"not migrated yet among those it depends on: migrate_phase would refuse to run",
					err);
}

fy_plan *
fy_plan_dependencies(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
					 fy_error *err)
{
	fy_plan    *plan = fyp_new(err);

	if (plan == NULL)
		return NULL;
	return fyp_finish(plan, fyp_plan_dependencies(plan, ph, meta, d, err));
}

fy_plan *
fy_plan_preflight(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				  fy_error *err)
{
	const fy_expr *refs[FYPF_MAX_REFS] = {0};
	fy_plan    *plan;
	bool		ok;

	if (!fy_plan_check(ph, meta, err))
		return NULL;
	if (ph->nrefs > FYPF_MAX_REFS)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": more than %d ref columns",
				ph->name, FYPF_MAX_REFS);
		return NULL;
	}
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	for (int i = 0; i < ph->nrefs; i++)
		if (refs[i] == NULL || fy_meta_ref(meta, refs[i]->ref) == NULL)
		{
			fy_fail(err, FY_ERR_INTERNAL, "phase \"%s\": ref %d is not resolved", ph->name, i + 1);
			return NULL;
		}
	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	ok = fypf_null_keys(plan, ph, meta, d, refs, err) &&
		fypf_duplicate_keys(plan, ph, meta, d, refs, err) &&
		fypf_refs(plan, ph, meta, d, refs, err) &&
		fypf_not_null(plan, ph, meta, d, refs, err) &&
		fypf_casts(plan, ph, meta, d, refs, err) &&
		fypf_uniqueness(plan, ph, meta, d, refs, err) &&
		fyp_plan_dependencies(plan, ph, meta, d, err);
	return fyp_finish(plan, ok);
}

/* -------------------------------------------------------------- verdicts */

static const char *const fypf_ok_words[] = {
	"the source and target tables and every column the spec names exist",
	"no pending row has a NULL in its source key",
	"no two pending rows share a source key",
	"every ref of the pending rows resolves through its phase's id map",
	"no NOT NULL target column would get NULL",
	"every value fits its target column's type",
	"no pending row would violate a unique index of the target",
	"every phase it depends on has been migrated"
};

static int
fypf_check_index(const char *check)
{
	for (int i = 0; i < FY_PREFLIGHT_MAX_CHECKS; i++)
		if (strcmp(fypf_checks[i], check) == 0)
			return i;
	return -1;
}

/* fypf_name: the check's name as a static string, for fy_check.name. */
static const char *
fypf_name(const char *check)
{
	int			i = fypf_check_index(check);

	return i < 0 ? "unknown" : fypf_checks[i];
}

void
fy_preflight_ok(const char *check, fy_check *out)
{
	int			i = fypf_check_index(check);

	out->name = fypf_name(check);
	out->status = "OK";
	snprintf(out->details, sizeof(out->details), "%s", i < 0 ? "" : fypf_ok_words[i]);
}

/*
 * fy_preflight_finding: "<subject>: <n> <unit>s <finding>", the unit being
 * what the statement counts -- pending rows, source keys, or phases.
 */
void
fy_preflight_finding(const fy_stmt *st, int64_t failures, fy_check *out)
{
	const char *unit = "pending row";
	char		subject[160] = "";

	out->name = fypf_name(st->check ? st->check : "");
	out->status = st->severity ? st->severity : "ERROR";
	if (strcmp(out->name, "duplicate_keys") == 0)
		unit = "source key";
	else if (strcmp(out->name, "dependencies") == 0)
		unit = "phase";
	if (st->label != NULL)
		snprintf(subject, sizeof(subject), "%s \"%s\": ",
				 strcmp(out->name, "uniqueness") == 0 ? "unique index" : "column",
				 st->label);
	snprintf(out->details, sizeof(out->details), "%s%" PRId64 " %s%s %s",
			 subject, failures, unit, failures == 1 ? "" : "s",
			 st->finding ? st->finding : "");
}

void
fy_preflight_failed(const char *check, const char *message, fy_check *out)
{
	out->name = fypf_name(check);
	if (message == NULL)
	{
		out->status = "WARN";
		snprintf(out->details, sizeof(out->details),
				 "not checked: the phase's relations do not resolve");
	}
	else
	{
		out->status = "ERROR";
		snprintf(out->details, sizeof(out->details), "%s%s",
				 strcmp(out->name, "relations") == 0 ? "" : "could not check: ",
				 message);
	}
}

void
fy_preflight_report(fy_dialect d, const fy_plan *plan, const int64_t *failures,
					const char *const *samples, const char *const *errors,
					const char *relations_error, fy_preflight_emit emit, void *ctx)
{
	const char *checks[FY_PREFLIGHT_MAX_CHECKS];
	int			nchecks = fy_preflight_checks(d, checks);
	fy_check	c;

	if (relations_error != NULL)
	{
		for (int i = 0; i < nchecks; i++)
		{
			fy_preflight_failed(checks[i], i == 0 ? relations_error : NULL, &c);
			emit(ctx, &c, false, 0, NULL);
		}
		return;
	}
	fy_preflight_ok("relations", &c);
	emit(ctx, &c, true, 0, NULL);
	for (int k = 1; k < nchecks; k++)
	{
		bool		found = false;

		for (int i = 0; plan != NULL && i < plan->nstmts; i++)
		{
			const fy_stmt *st = &plan->stmts[i];

			if (st->check == NULL || strcmp(st->check, checks[k]) != 0)
				continue;
			if (errors[i] != NULL)
			{
				char		msg[sizeof(c.details)];

				if (st->label)
					snprintf(msg, sizeof(msg), "\"%s\": %s", st->label, errors[i]);
				else
					snprintf(msg, sizeof(msg), "%s", errors[i]);
				fy_preflight_failed(checks[k], msg, &c);
				emit(ctx, &c, false, 0, NULL);
				found = true;
			}
			else if (failures[i] > 0)
			{
				fy_preflight_finding(st, failures[i], &c);
				emit(ctx, &c, true, failures[i], samples[i]);
				found = true;
			}
		}
		if (!found)
		{
			fy_preflight_ok(checks[k], &c);
			emit(ctx, &c, true, 0, NULL);
		}
	}
}
