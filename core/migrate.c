/*
 * migrate.c -- the statements that create a phase's id map and migrate
 * its rows, set-based: one statement maps every pending source row, one
 * writes every target row of the run.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
fyp_index_name(fy_buf *b, const fy_meta *meta, fy_dialect d)
{
	char		name[48];

	snprintf(name, sizeof(name), "map_%ld_new_key", meta->phase_id);
	fy_buf_ident(b, d, name);
}

/* fyp_map_index adds the CREATE (or DROP) of the map's index on new_key. */
static bool
fyp_map_index(fy_plan *plan, const fy_meta *meta, fy_dialect d, bool create,
			  fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	if (create)
	{
		fy_buf_add(&b, "CREATE INDEX ");
		fyp_index_name(&b, meta, d);
		fy_buf_add(&b, " ON ");
		fy_buf_map_table(&b, meta, d);
		fy_buf_add(&b, " (new_key)");
	}
	else
	{
		fy_buf_add(&b, "DROP INDEX ");
		fy_buf_ident(&b, d, meta->catalog_schema);
		fy_buf_add(&b, ".");
		fyp_index_name(&b, meta, d);
	}
	return fyp_add(plan, FY_ROLE_DDL, &b, err);
}

/*
 * fy_plan_map_bulk (PostgreSQL): a run that starts with an empty map drops
 * the map's new_key index before it writes (before) and builds it again
 * after (sorted, in one pass, instead of a random B-tree insertion per row
 * competing with the target's own), then gathers the map's statistics, so
 * the phases that ref it are planned for its real size.
 */
fy_plan *
fy_plan_map_bulk(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				 bool after, fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;
	bool		ok;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	if (d != FY_POSTGRES)
		return fyp_finish(plan, true);
	ok = fyp_map_index(plan, meta, d, after, err);
	if (ok && after)
	{
		fy_buf_init(&b);
		fy_buf_add(&b, "ANALYZE ");
		fy_buf_map_table(&b, meta, d);
		ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
	}
	return fyp_finish(plan, ok);
}

/*
 * fyp_dialect_can refuses, by name, what a dialect cannot carry out yet, at
 * define time as at run time, so a spec never means less than it says.
 */
bool
fyp_dialect_can(const fy_phase *ph, fy_dialect d, fy_error *err)
{
	if (d != FY_MARIADB || ph->keygen != FY_KEY_DEFAULT || (ph->legacy_column && ph->nmerge_on == 0))
		return true;
	return fy_fail(err, FY_ERR_NOT_SUPPORTED,
				   "phase \"%s\": \"generate\": \"default\" needs a \"legacy_column\" (to find the keys AUTO_INCREMENT drew) and no \"merge_on\" on MariaDB yet",
				   ph->name);
}

/*
 * fyp_my_bound_cast: what a key bound's text is cast to on MariaDB, whose
 * CAST knows only a few target types (not the column's own spelling):
 * "" for a character-like type, whose bound stays a coercible literal so
 * that the column's collation compares; NULL for a type whose text does not
 * give the value back exactly (binary strings, FLOAT), which cannot bound a
 * batch.
 */
static const char *
fyp_my_bound_cast(const char *type, char *buf, size_t size)
{
	static const char *const ints[] = {"tinyint", "smallint", "mediumint", "bigint", "int", "year"};
	static const char *const refused[] = {"float", "double", "real", "binary", "varbinary",
	"tinyblob", "blob", "mediumblob", "longblob", "bit", "geometry", "point", "linestring",
	"polygon", "multi", "geometrycollection"};
	size_t		len;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strncasecmp(type, refused[i], strlen(refused[i])) == 0)
			return NULL;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (strncasecmp(type, ints[i], strlen(ints[i])) == 0)
			return strstr(type, "unsigned") ? "UNSIGNED" : "SIGNED";
	if (strncasecmp(type, "decimal", 7) == 0 || strncasecmp(type, "numeric", 7) == 0)
	{
		len = strcspn(type, ")");
		if (type[len] == ')' && strchr(type, '(') != NULL)
			snprintf(buf, size, "DECIMAL%.*s", (int) (len - strcspn(type, "(") + 1),
					 type + strcspn(type, "("));
		else
			snprintf(buf, size, "DECIMAL(65,30)");
		return buf;
	}
	if (strncasecmp(type, "datetime", 8) == 0 || strncasecmp(type, "timestamp", 9) == 0)
		return "DATETIME(6)";
	if (strncasecmp(type, "date", 4) == 0)
		return "DATE";
	if (strncasecmp(type, "time", 4) == 0)
		return "TIME(6)";
	return "";
}

/*
 * fyp_batch_keys refuses, by column, a source key that cannot bound the
 * batches of a batched run on MariaDB (fyp_my_bound_cast).
 */
static bool
fyp_batch_keys(const fy_phase *ph, const fy_meta *meta, fy_dialect d, fy_error *err)
{
	char		buf[64];

	if (d != FY_MARIADB)
		return true;
	for (int i = 0; i < ph->nkeys; i++)
	{
		const char *type = fy_meta_column(&meta->source, ph->source_key[i])->type;

		if (fyp_my_bound_cast(type, buf, sizeof(buf)) == NULL)
			return fy_fail(err, FY_ERR_NOT_SUPPORTED,
						   "phase \"%s\": source key column \"%s\" is %s, which cannot bound the batches of a batched run on MariaDB",
						   ph->name, ph->source_key[i], type);
	}
	return true;
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

	if (!fy_plan_check(ph, meta, err) || !fyp_dialect_can(ph, d, err) ||
		(plan = fyp_new(err)) == NULL)
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
	fy_buf_addf(&b, "%s NOT NULL, run_id bigint NOT NULL, row_hash bigint, PRIMARY KEY (",
				fy_meta_column(&meta->target, ph->target_key)->type);
	for (int i = 0; i < ph->nkeys; i++)
	{
		if (i > 0)
			fy_buf_add(&b, ", ");
		fyp_map_col(&b, d, "", i + 1);
	}
	fy_buf_add(&b, d == FY_MARIADB ? ")) ENGINE=InnoDB" : "))");
	ok = fyp_add(plan, FY_ROLE_DDL, &b, err) && fyp_map_index(plan, meta, d, true, err);
	if (ok && ph->update)
	{
		/* the journal is typed like the target: before-images restore exactly */
		fy_buf_add(&b, "CREATE TABLE ");
		fy_buf_journal_table(&b, meta, d);
		fy_buf_add(&b, d == FY_MARIADB ? " ENGINE=InnoDB AS SELECT " : " AS SELECT ");
		fyp_col(&b, d, "t", ph->target_key);
		for (int i = 0; i < ph->ncolumns; i++)
		{
			fy_buf_add(&b, ", ");
			fyp_col(&b, d, "t", ph->columns[i].target);
		}
		fy_buf_add(&b, d == FY_POSTGRES ? ", 0::bigint AS run_id FROM " : ", CAST(0 AS SIGNED) AS run_id FROM ");
		fyp_target(&b, meta, d);
		fy_buf_add(&b, d == FY_POSTGRES ? " AS t WITH NO DATA" : " AS t LIMIT 0");
		ok = fyp_add(plan, FY_ROLE_DDL, &b, err);
	}
	return fyp_finish(plan, ok);
}

/* fyp_probe_one adds the probe of one piece of SQL, labelled. */
static bool
fyp_probe_one(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, const char *select, const char *tail,
			  const char *label, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_addf(&b, "SELECT %s FROM ", select);
	fyp_source(&b, ph, meta, d, "s");
	fy_buf_addf(&b, "%s LIMIT 0", tail);
	if (!fyp_add(plan, FY_ROLE_PROBE, &b, err))
		return false;
	plan->stmts[plan->nstmts - 1].label = fy_arena_strdup(plan->arena, label);
	return true;
}

/* fyp_probe_expr probes the sql forms inside one column's expression. */
static bool
fyp_probe_expr(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, const fy_expr *e, const char *label, fy_error *err)
{
	switch (e->kind)
	{
		case FY_EXPR_SQL:
			{
				fy_buf		sel;
				bool		ok;

				fy_buf_init(&sel);
				fy_buf_addf(&sel, "(%s)", e->text);
				ok = !sel.oom && fyp_probe_one(plan, ph, meta, d, sel.data, "", label, err);
				fy_buf_free(&sel);
				return ok;
			}
		case FY_EXPR_MAP:
		case FY_EXPR_CONVERT:
		case FY_EXPR_RESTRUCTURE:
			return fyp_probe_expr(plan, ph, meta, d, e->from, label, err);
		case FY_EXPR_JSON:
			for (int i = 0; i < e->nmembers; i++)
				if (!fyp_probe_expr(plan, ph, meta, d, e->members[i].value, label, err))
					return false;
			return true;
		default:
			return true;
	}
}

fy_plan *
fy_plan_probe(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			  fy_error *err)
{
	fy_plan    *plan;
	bool		ok = true;
	char		label[200];

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	for (int i = 0; i < ph->ncolumns && ok; i++)
	{
		snprintf(label, sizeof(label), "column \"%s\"", ph->columns[i].target);
		ok = fyp_probe_expr(plan, ph, meta, d, ph->columns[i].expr, label, err);
	}
	if (ok && ph->where)
	{
		fy_buf		tail;

		fy_buf_init(&tail);
		fy_buf_addf(&tail, " WHERE (%s)", ph->where);
		ok = !tail.oom && fyp_probe_one(plan, ph, meta, d, "1", tail.data, "\"where\"", err);
		fy_buf_free(&tail);
	}
	if (ok && ph->merge_order)
	{
		fy_buf		tail;

		fy_buf_init(&tail);
		fy_buf_addf(&tail, " ORDER BY %s", ph->merge_order);
		ok = !tail.oom && fyp_probe_one(plan, ph, meta, d, "1", tail.data, "\"merge_order\"", err);
		fy_buf_free(&tail);
	}
	for (int i = 0; i < ph->naggregates && ok; i++)
	{
		const fy_aggregate *a = &ph->aggregates[i];
		fy_buf		b;

		snprintf(label, sizeof(label), "aggregate \"%s\"", a->name);
		fy_buf_init(&b);
		fy_buf_addf(&b, "SELECT %s, (%s) FROM ", a->per_source ? a->per_source : "1", a->source);
		fyp_source(&b, ph, meta, d, "s");
		fy_buf_add(&b, " GROUP BY 1 LIMIT 0");
		ok = fyp_add(plan, FY_ROLE_PROBE, &b, err);
		if (ok)
		{
			plan->stmts[plan->nstmts - 1].label = fy_arena_strdup(plan->arena, label);
			fy_buf_addf(&b, "SELECT %s, (%s) FROM ", a->per_target ? a->per_target : "1", a->target);
			fyp_target(&b, meta, d);
			fy_buf_add(&b, " AS t GROUP BY 1 LIMIT 0");
			ok = fyp_add(plan, FY_ROLE_PROBE, &b, err);
			if (ok)
				plan->stmts[plan->nstmts - 1].label = fy_arena_strdup(plan->arena, label);
		}
	}
	for (int i = 0; i < ph->nchecks && ok; i++)
	{
		fy_buf		b;

		snprintf(label, sizeof(label), "check \"%s\"", ph->checks[i].name);
		fy_buf_init(&b);
		fy_buf_addf(&b, "SELECT (%s) LIMIT 0", ph->checks[i].sql);
		ok = fyp_add(plan, FY_ROLE_PROBE, &b, err);
		if (ok)
			plan->stmts[plan->nstmts - 1].label = fy_arena_strdup(plan->arena, label);
	}
	return fyp_finish(plan, ok);
}

fy_plan *
fy_plan_drop(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			 fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;

	if ((plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	fy_buf_add(&b, "DROP TABLE IF EXISTS ");
	fy_buf_map_table(&b, meta, d);
	if (ph->update)
	{
		fy_buf_add(&b, ", ");
		fy_buf_journal_table(&b, meta, d);
	}
	return fyp_finish(plan, fyp_add(plan, FY_ROLE_DDL, &b, err) &&
					  fyp_plan_clear_rejects(plan, meta, d, err));
}

/*
 * fyp_drawn_key: MariaDB's AUTO_INCREMENT has no expression to draw a key
 * with in a SELECT: the INSERT draws it, and the map is filled afterwards
 * from the rows' legacy_column.
 */
static bool
fyp_drawn_key(const fy_phase *ph, fy_dialect d)
{
	return d == FY_MARIADB && ph->keygen == FY_KEY_DEFAULT;
}

/* fyp_insert_target: INSERT INTO target (key, legacy column, columns...) */
static void
fyp_insert_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d)
{
	fy_buf_add(b, "INSERT INTO ");
	fyp_target(b, meta, d);
	fy_buf_add(b, " (");
	if (fyp_drawn_key(ph, d))
		fy_buf_ident(b, d, ph->legacy_column);	/* the key is drawn by the INSERT */
	else
	{
		fy_buf_ident(b, d, ph->target_key);
		if (ph->legacy_column)
		{
			fy_buf_add(b, ", ");
			fy_buf_ident(b, d, ph->legacy_column);
		}
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, ", ");
		fy_buf_ident(b, d, ph->columns[i].target);
	}
	fy_buf_add(b, ")");
	/* a key taken from an identity column's sequence goes in as given */
	if (ph->keygen == FY_KEY_DEFAULT && d == FY_POSTGRES)
		fy_buf_add(b, " OVERRIDING SYSTEM VALUE");
}

/* fyp_refs collects the REF expressions of a phase, by ref_index. */
void
fyp_refs(const fy_expr *e, const fy_expr **out)
{
	if (e->kind == FY_EXPR_REF)
		out[e->ref_index - 1] = e;
	else if (e->kind == FY_EXPR_MAP)
		fyp_refs(e->from, out);
	else if (e->kind == FY_EXPR_JSON)
		for (int i = 0; i < e->nmembers; i++)
			fyp_refs(e->members[i].value, out);
}

/*
 * fyp_ref_target: the target column whose value the REF expression ref
 * gives, so that a reject names it (two columns may refer to one phase).
 */
static const char *
fyp_ref_target(const fy_phase *ph, const fy_expr *ref)
{
	for (int i = 0; i < ph->ncolumns && ph->nrefs <= 64; i++)
	{
		const fy_expr *found[64] = {0};

		fyp_refs(ph->columns[i].expr, found);
		if (found[ref->ref_index - 1] == ref)
			return ph->columns[i].target;
	}
	return "?";
}

/*
 * fyp_pending_with_refs: the unmapped source rows that pass the where,
 * each with the new keys its REF columns resolve to (ferry_ref_N, NULL when
 * the referenced phase never mapped the value).  The where sees only the
 * source row.
 */
/*
 * fyp_bound: a key bound, the text cast to the key column's type.  On
 * MariaDB the text is a hex literal (no session setting changes its
 * meaning) introduced as utf8mb4, coercible, so a character key compares
 * in its column's collation, as ORDER BY sorts it.
 */
static void
fyp_bound(fy_buf *b, fy_dialect d, const char *type, const char *value)
{
	char		buf[64];
	const char *cast;

	if (d == FY_POSTGRES)
	{
		fy_buf_add(b, "CAST(");
		fy_buf_literal(b, d, value);
		fy_buf_addf(b, " AS %s)", type);
		return;
	}
	cast = fyp_my_bound_cast(type, buf, sizeof(buf));
	fy_buf_add(b, cast && *cast ? "CAST(_utf8mb4 X'" : "_utf8mb4 X'");
	for (const char *p = value; *p; p++)
		fy_buf_addf(b, "%02X", (unsigned char) *p);
	fy_buf_add(b, "'");
	if (cast && *cast)
		fy_buf_addf(b, " AS %s)", cast);
}

/* Where a key range finds the key parts of its rows. */
typedef enum fyp_keyform
{
	FYP_KEY_SOURCE,				/* the source columns, alias."id" */
	FYP_KEY_MAP,				/* the map's legacy columns, alias.legacy_N */
	FYP_KEY_VALUES				/* a fyp_values row's alias.ferry_key_N */
} fyp_keyform;

/* fyp_range_col: key part i of a key range's rows, in the given form. */
static void
fyp_range_col(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *alias,
			  fyp_keyform form, int i)
{
	if (form == FYP_KEY_MAP)
		fyp_map_col(b, d, alias, i + 1);
	else if (form == FYP_KEY_VALUES)
		fy_buf_addf(b, "%s.ferry_key_%d", alias, i + 1);
	else
		fyp_col(b, d, alias, ph->source_key[i]);
}

/*
 * fyp_key_range_of restricts alias to a slice of the source key.  A bound's
 * text is cast to the key column's own type, so the comparison uses the
 * key's index and order.  A slice never holds a key with a NULL part (a
 * row comparison with NULL is not true); without bounds it says so itself.
 */
static void
fyp_key_range_of(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				 fy_dialect d, const fy_keyrange *range, const char *alias,
				 fyp_keyform form)
{
	const char *const *bounds[2] = {range->lo, range->hi};
	const char *ops[2] = {" > ", " <= "};
	bool		first = true;

	if (range->row != NULL)
	{
		/* NULL-safe: a row whose key has a NULL part is still that row */
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? " AND " : "(");
			fyp_range_col(b, ph, d, alias, form, i);
			fy_buf_addf(b, " <=> %s.", range->row);
			fy_buf_ident(b, d, ph->source_key[i]);
		}
		fy_buf_add(b, ")");
		return;
	}
	if (range->nulls)
	{
		fy_buf_add(b, "(");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? " OR " : "");
			fyp_range_col(b, ph, d, alias, form, i);
			fy_buf_add(b, " IS NULL");
		}
		fy_buf_add(b, ")");
		return;
	}
	for (int k = 0; k < 2; k++)
	{
		if (bounds[k] == NULL)
			continue;
		fy_buf_add(b, first ? "(" : " AND (");
		first = false;
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fyp_range_col(b, ph, d, alias, form, i);
		}
		fy_buf_addf(b, ")%s(", ops[k]);
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fyp_bound(b, d, fy_meta_column(&meta->source, ph->source_key[i])->type,
					  bounds[k][i]);
		}
		fy_buf_add(b, ")");
	}
	if (first)
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? " AND " : "");
			fyp_range_col(b, ph, d, alias, form, i);
			fy_buf_add(b, " IS NOT NULL");
		}
}

/* fyp_key_range restricts source alias s to a slice of its key. */
void
fyp_key_range(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, const fy_keyrange *range)
{
	fyp_key_range_of(b, ph, meta, d, range, "s", FYP_KEY_SOURCE);
}

static void fyp_pending_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
						   fy_dialect d, const fy_expr **refs,
						   const fy_keyrange *range);

void
fyp_pending_with_refs(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					  fy_dialect d, const fy_expr **refs)
{
	fyp_pending_in(b, ph, meta, d, refs, NULL);
}

/*
 * fyp_base_in writes the source rows a statement works on, with their refs
 * resolved: those passing the where, and unmapped ones only when pending;
 * range narrows them to a slice of the key, groups (a query of merge group
 * ids) to the members of those groups.
 */
static void
fyp_base_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			const fy_expr **refs, const fy_keyrange *range, bool pending,
			const char *groups)
{
	if (ph->nrefs > 0)
	{
		fy_buf_add(b, "(SELECT s.*");
		for (int i = 0; i < ph->nrefs; i++)
			fy_buf_addf(b, ", r%d.new_key AS ferry_ref_%d", i + 1, i + 1);
		fy_buf_add(b, " FROM ");
	}
	fy_buf_add(b, "(SELECT s.* FROM ");
	fyp_source(b, ph, meta, d, "s");
	fy_buf_add(b, " WHERE ");
	if (pending)
	{
		fy_buf_add(b, "NOT EXISTS (SELECT 1 FROM ");
		fy_buf_map_table(b, meta, d);
		fy_buf_add(b, " AS m WHERE ");
		fyp_key_join(b, ph, d, "m", "s");
		fy_buf_add(b, ")");
	}
	else
		fy_buf_add(b, "TRUE");
	if (ph->where)
		fy_buf_addf(b, " AND (%s)", ph->where);
	if (range != NULL)
	{
		fy_buf_add(b, " AND ");
		fyp_key_range(b, ph, meta, d, range);
	}
	if (groups != NULL)
	{
		fy_buf_add(b, " AND ");
		fyp_group_id(b, ph, d, "s");
		fy_buf_addf(b, " IN (%s)", groups);
	}
	fy_buf_add(b, ") AS s");
	for (int i = 0; i < ph->nrefs; i++)
	{
		fy_meta		refmeta = *meta;
		char		alias[16];

		refmeta.phase_id = fy_meta_ref(meta, refs[i]->ref)->phase_id;
		snprintf(alias, sizeof(alias), "r%d", i + 1);
		fy_buf_add(b, " LEFT JOIN ");
		fy_buf_map_table(b, &refmeta, d);
		fy_buf_addf(b, " AS %s ON ", alias);
		for (int k = 0; k < refs[i]->nref_cols; k++)
		{
			if (k > 0)
				fy_buf_add(b, " AND ");
			fyp_map_col(b, d, alias, k + 1);
			fy_buf_add(b, " = ");
			fyp_col(b, d, "s", refs[i]->ref_cols[k]);
		}
	}
	if (ph->nrefs > 0)
		fy_buf_add(b, ") AS s");
}

/* fyp_pending_in: the pending rows, in one slice of the key if given. */
static void
fyp_pending_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, const fy_expr **refs, const fy_keyrange *range)
{
	fyp_base_in(b, ph, meta, d, refs, range, true, NULL);
}

/* fyp_base: fyp_base_in as a string. */
char *
fyp_base(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
		 const fy_expr **refs, const fy_keyrange *range, bool pending,
		 const char *groups)
{
	fy_buf		b;

	fy_buf_init(&b);
	fyp_base_in(&b, ph, meta, d, refs, range, pending, groups);
	return b.data;
}

/* fyp_ref_missing: the row holds a value that the referenced phase never mapped. */
void
fyp_ref_missing(fy_buf *b, const fy_expr *ref, fy_dialect d)
{
	fy_buf_add(b, "(");
	for (int k = 0; k < ref->nref_cols; k++)
	{
		fyp_col(b, d, "s", ref->ref_cols[k]);
		fy_buf_add(b, " IS NOT NULL AND ");
	}
	fy_buf_addf(b, "s.ferry_ref_%d IS NULL)", ref->ref_index);
}

/*
 * fyp_plan_ref_asserts: for a ref with "on_missing": "error", a statement
 * that counts the rows it would refuse, run before anything is written.
 */
static bool
fyp_plan_ref_asserts(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					 fy_dialect d, const fy_expr **refs,
					 const fy_keyrange *range, fy_error *err)
{
	for (int i = 0; i < ph->nrefs; i++)
	{
		fy_buf		b;

		if (refs[i]->on_missing != FY_MISSING_ERROR)
			continue;
		fy_buf_init(&b);
		fy_buf_add(&b, "SELECT ");
		fyp_sample_keys(&b, ph, d);
		fy_buf_add(&b, " FROM ");
		fyp_pending_in(&b, ph, meta, d, refs, range);
		fy_buf_add(&b, " WHERE ");
		fyp_ref_missing(&b, refs[i], d);
		if (!fyp_add_check(plan, &b, ph->nkeys, d, "ref_missing", "ERROR",
						   refs[i]->text, refs[i]->ref, err))
			return false;
	}
	return true;
}

/*
 * fy_assert_verdict words the refusal of a guard statement, one text for
 * both engines: phases a run depends on that never ran, target rows a
 * rollback would undo that were changed since (fy_plan_drift, its label
 * the call that forces it), or source rows whose "on_missing": "error"
 * ref finds nothing (the statement's finding names the referenced phase).
 */
bool
fy_assert_verdict(const char *phase, const fy_stmt *st, int64_t failures,
				  const char *sample, fy_error *err)
{
	if (failures <= 0 || st->severity == NULL || strcmp(st->severity, "ERROR") != 0)
		return true;
	if (st->check != NULL && strcmp(st->check, "dependencies") == 0)
	{
		fy_fail(err, FY_ERR_PHASE_STATE, "phase \"%s\" depends on phases not migrated yet: %s",
				phase, sample ? sample : "?");
		fy_hint(err, "Migrate them first, or run migrate_all() to run every phase in dependency order.");
		return false;
	}
	if (st->check != NULL && strcmp(st->check, "content_unchanged") == 0)
	{
		fy_fail(err, FY_ERR_PHASE_STATE, "phase \"%s\": %lld %s", phase,
				(long long) failures, st->finding ? st->finding : "?");
		fy_detail(err, "Their legacy keys begin: %s.", sample ? sample : "?");
		fy_hint(err, "Rolling back would lose those changes; %s does it anyway.",
				st->label ? st->label : "forcing it");
		return false;
	}
	fy_fail(err, FY_ERR_FOREIGN_KEY,
			"phase \"%s\": column \"%s\": %lld source rows hold a legacy key that phase \"%s\" never migrated",
			phase, st->label ? st->label : "?", (long long) failures,
			st->finding ? st->finding : "?");
	fy_detail(err, "Their legacy keys begin: %s.", sample ? sample : "?");
	fy_hint(err, "The column says \"on_missing\": \"error\"; use \"reject\" to quarantine such rows or \"null\" to migrate them without the reference.");
	return false;
}

/* fyp_update_target: UPDATE target AS t SET col = <alias's value>, ... */
void
fyp_update_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *alias, bool safe);

/* fyp_explicit: constants and mapped values reach the target by an explicit CAST. */
static bool
fyp_explicit(const fy_column *col)
{
	return col->expr->kind == FY_EXPR_CONST || col->expr->kind == FY_EXPR_MAP;
}

/*
 * fyp_notnull_reason adds the WHEN of column i to a reason CASE: its value
 * in row alias is NULL and the target column is NOT NULL.
 */
static void
fyp_notnull_reason(fy_buf *b, const fy_meta *meta, fy_dialect d,
				   const fy_column *col, const char *alias, int i,
				   const char *what)
{
	const fy_colmeta *t = fy_meta_column(&meta->target, col->target);
	fy_buf		r;

	if (t == NULL || !t->notnull)
		return;
	fy_buf_init(&r);
	fy_buf_addf(&r, "column \"%s\" is NOT NULL in the target, %s", t->name, what);
	fy_buf_addf(b, " WHEN %s.ferry_c_%d IS NULL THEN ", alias, i + 1);
	fy_buf_literal(b, d, r.oom ? "?" : r.data);
	fy_buf_free(&r);
}

/*
 * fyp_fold_key writes the object key an object_agg column takes from row
 * alias: the key column as text, compared bytewise on both engines, as the
 * keys of a JSON object are.
 */
static void
fyp_fold_key(fy_buf *b, fy_dialect d, const char *alias, const fy_column *col)
{
	fy_buf_add(b, d == FY_POSTGRES ? "CAST(" : "CONVERT(");
	fyp_col(b, d, alias, col->merge_key);
	fy_buf_add(b, d == FY_POSTGRES ? " AS text) COLLATE \"C\"" : " USING utf8mb4) COLLATE utf8mb4_bin");
}

/*
 * fyp_fold_reasons adds the WHENs of an object_agg column i to row v's
 * reason CASE: a NULL key cannot name a member; a key that an earlier
 * pending row of the group (in merge_order) has, or that the group's object
 * already holds from a row mapped earlier (an earlier run or batch: a match
 * in fyp_fold_mapped's join), would overwrite or repeat a member, so the row
 * is quarantined instead: the first row keeps the key, whether the rows
 * come in one run or in batches.  Only a merge run's pending rows are
 * judged so (sync refuses object_agg).
 */
static void
fyp_fold_reasons(fy_buf *b, const fy_phase *ph, fy_dialect d, int i)
{
	const fy_column *col = &ph->columns[i];
	fy_buf		r;

	fy_buf_init(&r);
	fy_buf_addf(&r, "column \"%s\": its object key \"%s\" is NULL", col->target, col->merge_key);
	fy_buf_addf(b, " WHEN v.ferry_k_%d IS NULL THEN ", i + 1);
	fy_buf_literal(b, d, r.oom ? "?" : r.data);
	fy_buf_free(&r);
	fy_buf_addf(&r, "column \"%s\": an earlier row of its group (in merge_order) has this \"%s\"",
				col->target, col->merge_key);
	fy_buf_addf(b, " WHEN row_number() OVER (PARTITION BY v.ferry_gid, v.ferry_k_%d ORDER BY v.ferry_ord) > 1 THEN ",
				i + 1);
	fy_buf_literal(b, d, r.oom ? "?" : r.data);
	fy_buf_free(&r);
	fy_buf_addf(&r, "column \"%s\": its group's object already has this \"%s\" (from a row migrated earlier)",
				col->target, col->merge_key);
	fy_buf_addf(b, " WHEN ferry_had_%d.ferry_gid IS NOT NULL THEN ", i + 1);
	fy_buf_literal(b, d, r.oom ? "?" : r.data);
	fy_buf_free(&r);
}

/*
 * fyp_fold_mapped joins row v to the (group, key) pairs of object_agg
 * column i that rows mapped earlier hold, as ferry_had_i: a join, hashed
 * or keyed by the engine, where an IN (subquery) in the reason was run
 * again per row on PostgreSQL once the map outgrew work_mem.
 */
static void
fyp_fold_mapped(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, int i)
{
	fy_buf_add(b, " LEFT JOIN (SELECT DISTINCT ");
	fyp_group_id(b, ph, d, "s");
	fy_buf_add(b, " AS ferry_gid, ");
	fyp_fold_key(b, d, "s", &ph->columns[i]);
	fy_buf_add(b, " AS ferry_k FROM ");
	fy_buf_map_table(b, meta, d);
	fy_buf_add(b, " AS m JOIN ");
	fyp_source(b, ph, meta, d, "s");
	fy_buf_add(b, " ON ");
	fyp_key_join(b, ph, d, "m", "s");
	fy_buf_addf(b, ") AS ferry_had_%d ON ferry_had_%d.ferry_gid = v.ferry_gid AND ferry_had_%d.ferry_k = v.ferry_k_%d",
				i + 1, i + 1, i + 1, i + 1);
}

/*
 * fyp_my_misfit writes, for MariaDB, a condition true when value (a SQL
 * expression) would not fit target column type -- longer than a (var)char
 * or (var)binary, outside an integer type's range or a decimal's
 * precision (after the rounding the column does), not one of an enum's
 * values -- and returns whether the type has such a limit.  MariaDB has no
 * value_fits: strict mode would fail the whole run on the first such value.
 */
static bool
fyp_my_misfit(fy_buf *b, const char *type, const char *value)
{
	static const struct
	{
		const char *name;
		const char *lo;
		const char *hi;
		const char *uhi;
	}			ints[] = {
		{"tinyint", "-128", "127", "255"},
		{"smallint", "-32768", "32767", "65535"},
		{"mediumint", "-8388608", "8388607", "16777215"},
		{"int", "-2147483648", "2147483647", "4294967295"},
		{"bigint", "-9223372036854775808", "9223372036854775807", "18446744073709551615"},
	};
	bool		uns = strstr(type, "unsigned") != NULL || strstr(type, "zerofill") != NULL;
	const char *paren = strchr(type, '(');
	size_t		word = paren ? (size_t) (paren - type) : strcspn(type, " ");
	long		n = paren ? strtol(paren + 1, NULL, 10) : 0;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (strlen(ints[i].name) == word && strncmp(type, ints[i].name, word) == 0)
		{
			fy_buf_addf(b, "ROUND(%s) NOT BETWEEN %s AND %s", value,
						uns ? "0" : ints[i].lo, uns ? ints[i].uhi : ints[i].hi);
			return true;
		}
	if (word == 4 && strncmp(type, "enum", 4) == 0 && type[strlen(type) - 1] == ')')
	{
		/* the type's own list of quoted values is a list of SQL literals */
		fy_buf_addf(b, "%s NOT IN %s", value, paren);
		return true;
	}
	if (paren == NULL || n <= 0)
		return false;
	if ((word == 7 && strncmp(type, "varchar", 7) == 0) || (word == 4 && strncmp(type, "char", 4) == 0))
	{
		fy_buf_addf(b, "CHAR_LENGTH(%s) > %ld", value, n);
		return true;
	}
	if ((word == 9 && strncmp(type, "varbinary", 9) == 0) || (word == 6 && strncmp(type, "binary", 6) == 0))
	{
		fy_buf_addf(b, "OCTET_LENGTH(%s) > %ld", value, n);
		return true;
	}
	if ((word == 7 && strncmp(type, "decimal", 7) == 0) || (word == 7 && strncmp(type, "numeric", 7) == 0))
	{
		const char *comma = strchr(paren, ',');
		long		scale = comma ? strtol(comma + 1, NULL, 10) : 0;

		if (n > 65 || scale < 0 || scale > n)
			return false;
		fy_buf_addf(b, "ABS(ROUND(%s, %ld)) >= 1", value, scale);
		for (long i = 0; i < n - scale; i++)
			fy_buf_add(b, "0");
		if (uns)
			fy_buf_addf(b, " OR %s < 0", value);
		return true;
	}
	return false;
}

/*
 * fyp_reason: why row v cannot be migrated, or NULL: a NULL key, a
 * "reject" ref that found nothing, (notnull) a NULL for a NOT NULL
 * target column and, on MariaDB unless "on_error" is "abort", a value its
 * column's type will not take (fyp_my_misfit).  A merge phase judges NOT
 * NULL (and fit) on the merged value instead.  guard, if given, is a
 * condition on v outside which the reason is NULL at once: MariaDB merges
 * the derived tables and tests the statement's "ferry_reason IS [NOT]
 * NULL" before the batch's key range, so without it every column's value
 * would be computed for every source row the scan reads, in every batch.
 */
static void
fyp_reason_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			  const fy_expr **refs, bool notnull, bool safe, const char *guard)
{
	fy_buf_add(b, "CASE ");
	if (guard)
		fy_buf_addf(b, "WHEN NOT (%s) THEN NULL ", guard);
	fy_buf_add(b, "WHEN ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(b, "%sv.ferry_key_%d IS NULL", i ? " OR " : "", i + 1);
	fy_buf_add(b, " THEN 'source key is NULL'");
	for (int i = 0; i < ph->nrefs; i++)
		if (refs[i]->on_missing == FY_MISSING_REJECT)
		{
			fy_buf		r;

			fy_buf_init(&r);
			fy_buf_addf(&r, "column \"%s\": ref: no row of phase \"%s\" has this legacy key",
						fyp_ref_target(ph, refs[i]), refs[i]->ref);
			fy_buf_addf(b, " WHEN v.ferry_miss_%d THEN ", i + 1);
			fy_buf_literal(b, d, r.oom ? "?" : r.data);
			fy_buf_free(&r);
		}
	for (int i = 0; i < ph->ncolumns; i++)
		if (fyp_can_reject(ph->columns[i].expr))
		{
			fy_buf		r;

			fy_buf_init(&r);
			fy_buf_addf(&r, "column \"%s\": ", ph->columns[i].target);
			fy_buf_addf(b, " WHEN v.ferry_e_%d IS NOT NULL THEN %s(", i + 1,
						d == FY_POSTGRES ? "" : "CONCAT");
			fy_buf_literal(b, d, r.oom ? "?" : r.data);
			fy_buf_addf(b, d == FY_POSTGRES ? " || v.ferry_e_%d)" : ", v.ferry_e_%d)", i + 1);
			fy_buf_free(&r);
		}
	for (int i = 0; i < ph->ncolumns; i++)
		if (ph->columns[i].merge_key)
			fyp_fold_reasons(b, ph, d, i);
	for (int i = 0; i < ph->ncolumns && notnull; i++)
		fyp_notnull_reason(b, meta, d, &ph->columns[i], "v", i, "its value is NULL");
	for (int i = 0; i < ph->ncolumns && notnull && d == FY_MARIADB && !ph->abort_on_error; i++)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);
		char		value[32];
		fy_buf		r;

		if (t == NULL)
			continue;
		snprintf(value, sizeof(value), "v.ferry_c_%d", i + 1);
		fy_buf_init(&r);
		if (fyp_my_misfit(&r, t->type, value) && !r.oom)
		{
			fy_buf_addf(b, " WHEN %s THEN ", r.data);
			fy_buf_free(&r);
			fy_buf_addf(&r, "column \"%s\": the value does not fit type %s", t->name, t->type);
			fy_buf_literal(b, d, r.oom ? "?" : r.data);
		}
		b->oom |= r.oom;
		fy_buf_free(&r);
	}
	for (int i = 0; i < ph->ncolumns && safe; i++)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);
		fy_buf		r;

		/* an object_agg column's row value is a member, not the stored value */
		if (t == NULL || ph->columns[i].merge_key)
			continue;
		fy_buf_init(&r);
		fy_buf_addf(&r, "column \"%s\": the value does not fit type %s", t->name, t->type);
		fy_buf_add(b, " WHEN NOT ");
		fy_buf_ident(b, d, meta->catalog_schema);
		fy_buf_addf(b, ".value_fits(v.ferry_c_%d, ", i + 1);
		fy_buf_literal(b, d, t->type);
		fy_buf_addf(b, ", %s) THEN ", fyp_explicit(&ph->columns[i]) ? "TRUE" : "FALSE");
		fy_buf_literal(b, d, r.oom ? "?" : r.data);
		fy_buf_free(&r);
	}
	fy_buf_add(b, " END");
}

void
fyp_reason(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
		   const fy_expr **refs, bool notnull, bool safe)
{
	fyp_reason_in(b, ph, meta, d, refs, notnull, safe, NULL);
}

/*
 * fyp_out writes the value of column i as the statement stores it: in safe
 * mode a constant or mapped value is cast only here, after value_fits
 * judged it, so a value that does not fit is a reject, not an error.
 */
static void
fyp_out(fy_buf *b, const fy_phase *ph, const fy_meta *meta, const char *alias,
		int i, bool safe)
{
	const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);

	if (safe && t != NULL && fyp_explicit(&ph->columns[i]))
		fy_buf_addf(b, "CAST(%s.ferry_c_%d AS %s)", alias, i + 1, fy_cast_type(t));
	else
		fy_buf_addf(b, "%s.ferry_c_%d", alias, i + 1);
}

/*
 * fyp_update_columns: UPDATE target AS t SET each column the phase sets to
 * the value alias holds for it: the computed value (ferry_c_N), or by_name
 * the column of the same name (a journal's before-image).
 */
static void
fyp_update_columns(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, const char *alias, bool safe, bool by_name)
{
	fy_buf_add(b, "UPDATE ");
	fyp_target(b, meta, d);
	fy_buf_add(b, " AS t SET ");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, i ? ", " : "");
		fy_buf_ident(b, d, ph->columns[i].target);
		fy_buf_add(b, " = ");
		if (by_name)
			fyp_col(b, d, alias, ph->columns[i].target);
		else
			fyp_out(b, ph, meta, alias, i, safe);
	}
}

void
fyp_update_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *alias, bool safe)
{
	fyp_update_columns(b, ph, meta, d, alias, safe, false);
}

/*
 * fyp_restore_from: an update phase's columns set back to their
 * before-images, FROM the journal AS j (the caller adds which rows).
 */
void
fyp_restore_from(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d)
{
	fyp_update_columns(b, ph, meta, d, "j", false, true);
	fy_buf_add(b, " FROM ");
	fy_buf_journal_table(b, meta, d);
	fy_buf_add(b, " AS j");
}

/*
 * fyp_values: one row per pending source row with everything a run needs
 * of it -- keys, new key, column values, ref misses, for merges its group
 * and its place in merge_order -- and the row itself, for the rejects.
 * base is the FROM item of the source rows (pending ones, or for a merge
 * recompute every row of the groups concerned).
 */
void
fyp_values(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
		   const fy_expr **refs, const char *base, bool safe)
{
	fy_buf_add(b, "SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_col(b, d, "s", ph->source_key[i]);
		fy_buf_addf(b, " AS ferry_key_%d, ", i + 1);
	}
	fyp_new_key(b, ph, meta, d, "s");
	fy_buf_add(b, " AS ferry_new_key");
	if (ph->update)
		fy_buf_add(b, ", s.ferry_target");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, ", ");
		fyp_expr(b, meta, ph->columns[i].expr, d, "s",
				 safe ? NULL : fy_meta_column(&meta->target, ph->columns[i].target));
		fy_buf_addf(b, " AS ferry_c_%d", i + 1);
	}
	for (int i = 0; i < ph->nrefs; i++)
	{
		fy_buf_add(b, ", ");
		fyp_ref_missing(b, refs[i], d);
		fy_buf_addf(b, " AS ferry_miss_%d", i + 1);
	}
	for (int i = 0; i < ph->ncolumns; i++)
		if (fyp_can_reject(ph->columns[i].expr))
		{
			fy_buf_add(b, ", ");
			fyp_error_call(b, meta, ph->columns[i].expr, d, "s");
			fy_buf_addf(b, " AS ferry_e_%d", i + 1);
		}
	for (int i = 0; i < ph->ncolumns; i++)
		if (ph->columns[i].merge_key)
		{
			fy_buf_add(b, ", ");
			fyp_fold_key(b, d, "s", &ph->columns[i]);
			fy_buf_addf(b, " AS ferry_k_%d", i + 1);
		}
	if (ph->nmerge_on > 0)
	{
		fy_buf_add(b, ", ");
		fyp_group_id(b, ph, d, "s");
		fy_buf_add(b, " AS ferry_gid, row_number() OVER (ORDER BY ");
		if (ph->merge_order)
			fy_buf_addf(b, "%s, ", ph->merge_order);
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fyp_col(b, d, "s", ph->source_key[i]);
		}
		fy_buf_add(b, ") AS ferry_ord");
	}
	if (d == FY_POSTGRES)
		fy_buf_add(b, ", s AS ferry_src");
	else
	{
		fy_buf_add(b, ", JSON_OBJECT(");
		for (int i = 0; i < meta->source.ncols; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			fy_buf_literal(b, d, meta->source.cols[i].name);
			fy_buf_add(b, ", ");
			fyp_col(b, d, "s", meta->source.cols[i].name);
		}
		fy_buf_add(b, ") AS ferry_src");
	}
	fy_buf_addf(b, " FROM %s", base);
}

/* fyp_rejects_insert quarantines the rows of from (a CTE) whose ferry_reason is set. */
void
fyp_rejects_insert(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, long run_id, const char *from)
{
	fy_buf_add(b, "INSERT INTO ");
	fy_buf_ident(b, d, meta->catalog_schema);
	fy_buf_add(b, ".migration_rejects (phase_id, phase, run_id, legacy_key, reason, source_row) SELECT ");
	fy_buf_addf(b, "%ld, ", meta->phase_id);
	fy_buf_literal(b, d, ph->name);
	fy_buf_addf(b, ", %ld, %s(", run_id, d == FY_POSTGRES ? "jsonb_build_object" : "JSON_OBJECT");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, i ? ", " : "");
		fy_buf_literal(b, d, ph->source_key[i]);
		fy_buf_addf(b, ", ferry_key_%d", i + 1);
	}
	if (d != FY_POSTGRES)
	{
		fy_buf_addf(b, "), ferry_reason, ferry_src FROM %s WHERE ferry_reason IS NOT NULL", from);
		return;
	}
	fy_buf_add(b, "), ferry_reason, to_jsonb(ferry_src)");
	for (int i = 0; i < ph->nrefs; i++)
		fy_buf_addf(b, " - 'ferry_ref_%d'", i + 1);
	if (ph->update)
		fy_buf_add(b, " - 'ferry_target'");
	fy_buf_addf(b, " FROM %s WHERE ferry_reason IS NOT NULL RETURNING 1", from);
}

/*
 * fyp_hash_expr: the content hash of the target row as written -- the
 * values of the spec's columns in spec order, each cast to its target
 * column's type -- kept in the map for drift detection.  The same
 * expression over the target row today tells whether it changed.  On
 * PostgreSQL it hashes the typed values (content_hash); text_form is the
 * hash of the row's text that ferry 0.1 kept.  On MariaDB it is the UDF
 * ferry_content_hash over the stored row (alias t): its CAST knows too few
 * types to give a value its column's type before it is stored.
 */
static void
fyp_hash_expr(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			  const char *alias, bool text_form)
{
	text_form = d == FY_POSTGRES && (text_form || meta->text_hash);
	if (d == FY_MARIADB)
	{
		fy_buf_add(b, "ferry_content_hash(");
		for (int i = 0; i < ph->ncolumns; i++)
		{
			fy_buf_add(b, i ? ", " : "");
			if (alias[0] == '\0')
				fy_buf_addf(b, "ferry_c_%d", i + 1);
			else
				fyp_col(b, d, alias, ph->columns[i].target);
		}
		fy_buf_add(b, ")");
		return;
	}
	fy_buf_ident(b, d, meta->catalog_schema);
	fy_buf_add(b, text_form ? ".row_hash(ROW(" : ".content_hash(ROW(");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_colmeta *t = fy_meta_column(&meta->target, ph->columns[i].target);

		fy_buf_add(b, i ? ", " : "");
		if (alias[0] == '\0')
			fy_buf_addf(b, "CAST(ferry_c_%d AS %s)", i + 1, t ? t->type : "text");
		else
			fyp_col(b, d, alias, ph->columns[i].target);
	}
	fy_buf_add(b, text_form ? ")::text)" : "))");
}

void
fyp_row_hash(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			 const char *alias)
{
	fyp_hash_expr(b, ph, meta, d, alias, false);
}

/*
 * fy_plan_rehash (PostgreSQL): a map written by ferry 0.1 holds the hash of
 * each row's text.  Every entry whose target row still has that hash gets
 * the content hash instead; an entry whose row had drifted keeps the old
 * one, which matches no content hash, so the drift is still reported.
 */
fy_plan *
fy_plan_rehash(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			   fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;

	if (!fy_plan_check(ph, meta, err) || (plan = fyp_new(err)) == NULL)
		return NULL;
	if (d != FY_POSTGRES || ph->ncolumns == 0)
		return fyp_finish(plan, true);
	fy_buf_init(&b);
	fy_buf_add(&b, "UPDATE ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m SET row_hash = ");
	fyp_hash_expr(&b, ph, meta, d, "t", false);
	fy_buf_add(&b, " FROM ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t WHERE ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = m.new_key AND m.row_hash = ");
	fyp_hash_expr(&b, ph, meta, d, "t", true);
	return fyp_finish(plan, fyp_add(plan, FY_ROLE_MAP, &b, err));
}

/*
 * fyp_plan_hash (MariaDB): the content hash of every target row this run
 * (in a batch: this batch) wrote, kept in its map entry, read back from
 * the stored row as validation and the drift guard read it later.  Merge
 * phases keep none, as on PostgreSQL: a later run rewrites their groups.
 * run_id -1: the entries of range whatever run mapped them (a sync trigger
 * rewrites a row another run mapped).
 */
bool
fyp_plan_hash(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, long run_id, const fy_keyrange *range, fy_error *err)
{
	fy_buf		b;

	if (d != FY_MARIADB || ph->ncolumns == 0 || ph->nmerge_on > 0 ||
		(range != NULL && range->nulls))
		return true;
	fy_buf_init(&b);
	fy_buf_add(&b, "UPDATE ");
	fyp_map_join_target(&b, ph, meta, d, "JOIN");
	fy_buf_add(&b, " SET m.row_hash = ");
	fyp_hash_expr(&b, ph, meta, d, "t", false);
	if (run_id >= 0)
		fy_buf_addf(&b, " WHERE m.run_id = %ld", run_id);
	else
		fy_buf_add(&b, " WHERE TRUE");
	if (range != NULL)
	{
		fy_buf_add(&b, " AND ");
		fyp_key_range_of(&b, ph, meta, d, range, "m", FYP_KEY_MAP);
	}
	return fyp_add(plan, FY_ROLE_HASH, &b, err);
}

/* fyp_map_insert maps the rows of select (keys as ferry_key_N, new key). */
void
fyp_map_insert(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, long run_id, const char *newkey, const char *from,
			   bool hash)
{
	fy_buf_add(b, "INSERT INTO ");
	fy_buf_map_table(b, meta, d);
	fy_buf_add(b, " (");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fyp_map_col(b, d, "", i + 1);
		fy_buf_add(b, ", ");
	}
	fy_buf_add(b, "new_key, run_id, row_hash) SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(b, "ferry_key_%d, ", i + 1);
	fy_buf_addf(b, "%s, %ld, ", newkey, run_id);
	if (hash)
		fyp_row_hash(b, ph, meta, d, "");
	else
		fy_buf_add(b, "NULL");
	fy_buf_addf(b, " FROM %s%s", from, d == FY_POSTGRES ? " RETURNING 1" : "");
}

/* fyp_pending_base: the FROM item of the pending rows, as text. */
static char *
fyp_pending_base(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				 const fy_expr **refs, const fy_keyrange *range)
{
	return fyp_base(ph, meta, d, refs, range, true, NULL);
}

/* fyp_cand: the pending rows' values, each with why it cannot be migrated or NULL. */
static void
fyp_cand(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
		 const fy_expr **refs, const char *base, bool notnull, bool safe,
		 const char *guard)
{
	fy_buf_add(b, "SELECT v.*, ");
	fyp_reason_in(b, ph, meta, d, refs, notnull, safe, guard);
	fy_buf_add(b, " AS ferry_reason FROM (");
	fyp_values(b, ph, meta, d, refs, base ? base : "", safe);
	fy_buf_add(b, ") AS v");
	for (int i = 0; i < ph->ncolumns; i++)
		if (ph->columns[i].merge_key)
			fyp_fold_mapped(b, ph, meta, d, i);
}

/*
 * fyp_plan_steps (MariaDB, which has no data-modifying CTEs): the rows a
 * run cannot migrate are quarantined, the others mapped, then the target
 * rows are written from the rows this run mapped, their refs resolved
 * again.  The first two statements judge the same pending rows alike.  In
 * a batch (range) every statement reads only the batch's slice of the key:
 * the rows earlier batches of the run mapped are not written again.
 */
/*
 * fyp_plan_drawn_steps (MariaDB, AUTO_INCREMENT keys): the accepted rows
 * are written first, the INSERT drawing their keys, then mapped through
 * the legacy_column that carries each one's legacy key.  A target row the
 * application wrote with the same legacy key would map twice: the map's
 * primary key refuses the run rather than guess.
 */
static bool
fyp_plan_drawn_steps(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					 fy_dialect d, long run_id, const fy_expr **refs,
					 const char *base, const char *guard, fy_error *err)
{
	fy_buf		b;
	fy_buf		from;
	bool		ok;

	fy_buf_init(&b);
	fyp_insert_target(&b, ph, meta, d);
	fy_buf_add(&b, " SELECT c.ferry_key_1");
	for (int i = 0; i < ph->ncolumns; i++)
		fy_buf_addf(&b, ", c.ferry_c_%d", i + 1);
	fy_buf_add(&b, " FROM (");
	fyp_cand(&b, ph, meta, d, refs, base, true, false, guard);
	fy_buf_add(&b, ") AS c WHERE c.ferry_reason IS NULL");
	if (!fyp_add(plan, FY_ROLE_INSERT, &b, err))
		return false;
	fy_buf_init(&from);
	fy_buf_add(&from, "(SELECT c.ferry_key_1, ");
	fyp_col(&from, d, "t", ph->target_key);
	fy_buf_add(&from, " AS ferry_drawn FROM (");
	fyp_cand(&from, ph, meta, d, refs, base, true, false, guard);
	fy_buf_add(&from, ") AS c JOIN ");
	fyp_target(&from, meta, d);
	fy_buf_add(&from, " AS t ON ");
	fyp_col(&from, d, "t", ph->legacy_column);
	fy_buf_add(&from, " = c.ferry_key_1 WHERE c.ferry_reason IS NULL) AS r");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_drawn", from.oom ? "" : from.data, false);
	ok = !from.oom && fyp_add(plan, FY_ROLE_MAP, &b, err);
	if (from.oom)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	fy_buf_free(&from);
	fy_buf_free(&b);
	return ok;
}

static void fyp_update_cand_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							   fy_dialect d, const fy_expr **refs, const char *base,
							   bool safe, const char *guard);

/*
 * fyp_journal_insert: INSERT INTO the journal the before-image of the
 * target rows t of the run, up to the JOIN whose other side and condition
 * the caller adds (the run's candidates on PostgreSQL, its map entries on
 * MariaDB).
 */
static void
fyp_journal_insert(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, long run_id)
{
	fy_buf_add(b, "INSERT INTO ");
	fy_buf_journal_table(b, meta, d);
	fy_buf_add(b, " SELECT ");
	fyp_col(b, d, "t", ph->target_key);
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, ", ");
		fyp_col(b, d, "t", ph->columns[i].target);
	}
	fy_buf_addf(b, ", %ld FROM ", run_id);
	fyp_target(b, meta, d);
	fy_buf_add(b, " AS t JOIN ");
}

/*
 * fyp_plan_update_write (MariaDB, kind "update"): the rows this run mapped
 * (in a batch: the batch's) have their before-images journaled, then the
 * UPDATE sets them from their source rows (all).  The journal's INSERT is
 * what counts the rows written ("insert"): MariaDB's ROW_COUNT of an
 * UPDATE leaves out rows set to the values they had.
 */
static bool
fyp_plan_update_write(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					  fy_dialect d, long run_id, const fy_keyrange *range,
					  const char *all, fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fyp_journal_insert(&b, ph, meta, d, run_id);
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_addf(&b, " = m.new_key WHERE m.run_id = %ld", run_id);
	if (range != NULL)
	{
		fy_buf_add(&b, " AND ");
		fyp_key_range_of(&b, ph, meta, d, range, "m", FYP_KEY_MAP);
	}
	if (!fyp_add(plan, FY_ROLE_INSERT, &b, err))
		return false;
	/* the values are computed in the derived table, where a spec's sql names only source columns */
	fy_buf_add(&b, "UPDATE ");
	fyp_target(&b, meta, d);
	fy_buf_add(&b, " AS t JOIN (SELECT m.new_key AS ferry_new_key");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_expr(&b, meta, ph->columns[i].expr, d, "s",
				 fy_meta_column(&meta->target, ph->columns[i].target));
		fy_buf_addf(&b, " AS ferry_c_%d", i + 1);
	}
	fy_buf_addf(&b, " FROM %s JOIN ", all);
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fyp_key_join(&b, ph, d, "m", "s");
	fy_buf_addf(&b, " WHERE m.run_id = %ld) AS c ON ", run_id);
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = c.ferry_new_key SET ");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, i ? ", " : "");
		fyp_col(&b, d, "t", ph->columns[i].target);
		fy_buf_addf(&b, " = c.ferry_c_%d", i + 1);
	}
	return fyp_add(plan, FY_ROLE_UPDATE, &b, err);
}

static bool
fyp_plan_steps(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
			   fy_dialect d, long run_id, const fy_expr **refs,
			   const fy_keyrange *range, fy_error *err)
{
	fy_buf		b;
	fy_buf		cand;
	fy_buf		guard;
	char	   *base = fyp_pending_base(ph, meta, d, refs, range);
	char	   *all = fyp_base(ph, meta, d, refs, range, false, NULL);
	bool		ok = false;

	fy_buf_init(&guard);
	if (range != NULL)
		fyp_key_range_of(&guard, ph, meta, d, range, "v", FYP_KEY_VALUES);
	fy_buf_init(&cand);
	fy_buf_add(&cand, "(");
	if (ph->update)
		fyp_update_cand_in(&cand, ph, meta, d, refs, base, false, guard.data);
	else
		fyp_cand(&cand, ph, meta, d, refs, base, true, false, guard.data);
	fy_buf_add(&cand, ") AS ferry_cand");
	if (cand.oom || guard.oom || base == NULL || all == NULL)
	{
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
		goto done;
	}
	fy_buf_init(&b);
	fyp_rejects_insert(&b, ph, meta, d, run_id, cand.data);
	if (!fyp_add(plan, FY_ROLE_REJECT, &b, err))
		goto done;
	if (fyp_drawn_key(ph, d))
	{
		ok = fyp_plan_drawn_steps(plan, ph, meta, d, run_id, refs, base, guard.data, err);
		goto done;
	}
	fy_buf_add(&cand, " WHERE ferry_reason IS NULL");
	fyp_map_insert(&b, ph, meta, d, run_id, ph->update ? "ferry_target" : "ferry_new_key",
				   cand.oom ? "" : cand.data, false);
	if (!fyp_add(plan, FY_ROLE_MAP, &b, err))
		goto done;
	if (ph->update)
	{
		ok = fyp_plan_update_write(plan, ph, meta, d, run_id, range, all, err);
		goto done;
	}
	fyp_insert_target(&b, ph, meta, d);
	fy_buf_add(&b, " SELECT s.ferry_new_key");
	if (ph->legacy_column)
	{
		fy_buf_add(&b, ", ");
		fyp_col(&b, d, "s", ph->source_key[0]);
	}
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_expr(&b, meta, ph->columns[i].expr, d, "s",
				 fy_meta_column(&meta->target, ph->columns[i].target));
	}
	fy_buf_addf(&b, " FROM (SELECT s.*, m.new_key AS ferry_new_key FROM %s JOIN ", all);
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m ON ");
	fyp_key_join(&b, ph, d, "m", "s");
	fy_buf_addf(&b, " WHERE m.run_id = %ld) AS s", run_id);
	ok = fyp_add(plan, FY_ROLE_INSERT, &b, err);
done:
	fy_buf_free(&cand);
	fy_buf_free(&guard);
	fy_release(base);
	fy_release(all);
	return ok;
}

/*
 * fyp_plan_one_statement (PostgreSQL): one statement computes every pending
 * row once and from that one set quarantines the rejects, fills the map and
 * writes the target rows.
 */
static bool
fyp_plan_one_statement(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					   fy_dialect d, long run_id, const fy_expr **refs,
					   const fy_keyrange *range, bool safe,
						 fy_error *err)
{
	fy_buf		b;
	char	   *base = fyp_pending_base(ph, meta, d, refs, range);

	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_cand AS MATERIALIZED (");
	fyp_cand(&b, ph, meta, d, refs, base, true, safe, NULL);
	fy_buf_add(&b, "), ferry_rejected AS (");
	fyp_rejects_insert(&b, ph, meta, d, run_id, "ferry_cand");
	fy_buf_add(&b, "), ferry_mapped AS (");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_new_key",
				   "ferry_cand WHERE ferry_reason IS NULL", ph->ncolumns > 0);
	fy_buf_add(&b, "), ferry_written AS (");
	fyp_insert_target(&b, ph, meta, d);
	fy_buf_add(&b, " SELECT c.ferry_new_key");
	if (ph->legacy_column)
		fy_buf_add(&b, ", c.ferry_key_1");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, ", ");
		fyp_out(&b, ph, meta, "c", i, safe);
	}
	fy_buf_add(&b, " FROM ferry_cand AS c WHERE c.ferry_reason IS NULL RETURNING 1)");
	fy_buf_add(&b, " SELECT (SELECT count(*) FROM ferry_mapped) AS mapped,"
			   " (SELECT count(*) FROM ferry_written) AS written,"
			   " (SELECT count(*) FROM ferry_rejected) AS rejected");
	fy_release(base);
	return fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
}

/*
 * fyp_ordered: whether a merge rule takes one row's value in merge_order;
 * MariaDB has no ordered aggregate, so there it is a window value first.
 */
static bool
fyp_ordered(fy_merge merge)
{
	return merge == FY_MERGE_FIRST || merge == FY_MERGE_NONE ||
		merge == FY_MERGE_LAST || merge == FY_MERGE_FIRST_NON_NULL;
}

/* fyp_merged_value: how a group makes the value of column i from its rows o. */
static void
fyp_merged_value(fy_buf *b, const fy_column *col, int i, fy_dialect d)
{
	if (d == FY_MARIADB && fyp_ordered(col->merge))
	{
		fy_buf_addf(b, "MIN(o.ferry_w_%d)", i + 1);
		return;
	}
	switch (col->merge)
	{
		case FY_MERGE_MIN:
			fy_buf_addf(b, "min(o.ferry_c_%d)", i + 1);
			break;
		case FY_MERGE_MAX:
			fy_buf_addf(b, "max(o.ferry_c_%d)", i + 1);
			break;
		case FY_MERGE_SUM:
			fy_buf_addf(b, "sum(o.ferry_c_%d)", i + 1);
			break;
		case FY_MERGE_COUNT:
			fy_buf_addf(b, "count(o.ferry_c_%d)", i + 1);
			break;
		case FY_MERGE_OBJECT_AGG:
			fy_buf_addf(b, "%s(o.ferry_k_%d, o.ferry_c_%d)",
						d == FY_POSTGRES ? "jsonb_object_agg" : "JSON_OBJECTAGG", i + 1, i + 1);
			break;
		case FY_MERGE_LAST:
			fy_buf_addf(b, "(array_agg(o.ferry_c_%d ORDER BY o.ferry_ord DESC))[1]", i + 1);
			break;
		case FY_MERGE_FIRST_NON_NULL:
			fy_buf_addf(b, "(array_agg(o.ferry_c_%d ORDER BY o.ferry_ord) FILTER (WHERE o.ferry_c_%d IS NOT NULL))[1]",
						i + 1, i + 1);
			break;
		case FY_MERGE_FIRST:
		case FY_MERGE_NONE:
			fy_buf_addf(b, "(array_agg(o.ferry_c_%d ORDER BY o.ferry_ord))[1]", i + 1);
			break;
	}
}

/*
 * fyp_groups: the merged groups of the rows of from, one row each, grouped
 * by column by (ferry_gid, or on MariaDB also the map's key), named
 * ferry_gid.  On MariaDB the ordered rules read a FIRST_VALUE window over
 * the group, the same in each of its rows.
 */
void
fyp_groups(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *from,
		   const char *by)
{
	if (d == FY_POSTGRES)
		fy_buf_addf(b, "SELECT o.%s AS ferry_gid, (array_agg(o.ferry_new_key ORDER BY o.ferry_ord))[1] AS ferry_first_key", by);
	else
		fy_buf_addf(b, "SELECT o.%s AS ferry_gid, MIN(o.ferry_fk) AS ferry_first_key", by);
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, ", ");
		fyp_merged_value(b, &ph->columns[i], i, d);
		fy_buf_addf(b, " AS ferry_c_%d", i + 1);
	}
	if (d == FY_POSTGRES)
	{
		fy_buf_addf(b, " FROM %s AS o GROUP BY o.%s", from, by);
		return;
	}
	fy_buf_addf(b, " FROM (SELECT w.*, FIRST_VALUE(w.ferry_new_key) OVER (PARTITION BY w.%s ORDER BY w.ferry_ord) AS ferry_fk", by);
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_merge	m = ph->columns[i].merge;

		if (!fyp_ordered(m))
			continue;
		fy_buf_addf(b, ", FIRST_VALUE(w.ferry_c_%d) OVER (PARTITION BY w.%s ORDER BY ", i + 1, by);
		if (m == FY_MERGE_FIRST_NON_NULL)
			fy_buf_addf(b, "w.ferry_c_%d IS NULL, ", i + 1);
		fy_buf_addf(b, "w.ferry_ord%s) AS ferry_w_%d", m == FY_MERGE_LAST ? " DESC" : "", i + 1);
	}
	fy_buf_addf(b, " FROM %s AS w) AS o GROUP BY o.%s", from, by);
}

/*
 * fyp_insert_groups writes the target rows of the groups of CTE
 * ferry_groups that have none yet (NOT ferry_exists), keyed by their
 * column key; the caller may narrow the WHERE.
 */
void
fyp_insert_groups(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				  fy_dialect d, const char *key, bool safe)
{
	fyp_insert_target(b, ph, meta, d);
	fy_buf_addf(b, " SELECT g.%s", key);
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(b, ", ");
		fyp_out(b, ph, meta, "g", i, safe);
	}
	fy_buf_add(b, " FROM ferry_groups AS g WHERE NOT g.ferry_exists");
}

/*
 * fyp_plan_merge_statement (PostgreSQL, merge_on): the pending rows are
 * grouped; a group that already has a target row (from an earlier run or
 * batch) joins it, and that row is recomputed from all of its source rows;
 * a new group writes one row; every legacy key of a group maps to the
 * group's row.  A merged value that is NULL for a NOT NULL column rejects
 * the rows of its group.  written counts new target rows; the glue reports
 * mapped - written as merged.
 */
static bool
fyp_plan_merge_statement(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
						 fy_dialect d, long run_id, const fy_expr **refs,
						 const fy_keyrange *range, bool safe,
						 fy_error *err)
{
	fy_buf		b;
	fy_buf		sub;
	char	   *base = fyp_pending_base(ph, meta, d, refs, range);
	char	   *members;
	bool		ok;

	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_cand AS MATERIALIZED (");
	fyp_cand(&b, ph, meta, d, refs, base, false, safe, NULL);
	fy_buf_add(&b, ")");

	/* the groups of this run that already have a target row, with its key */
	fy_buf_add(&b, ", ferry_known AS (SELECT DISTINCT ON (1) ");
	fyp_group_id(&b, ph, d, "s");
	fy_buf_add(&b, " AS ferry_gid, m.new_key FROM ");
	fy_buf_map_table(&b, meta, d);
	fy_buf_add(&b, " AS m JOIN ");
	fyp_source(&b, ph, meta, d, "s");
	fy_buf_add(&b, " ON ");
	fyp_key_join(&b, ph, d, "m", "s");
	fy_buf_add(&b, " WHERE ");
	fyp_group_id(&b, ph, d, "s");
	fy_buf_add(&b, " IN (SELECT ferry_gid FROM ferry_cand) ORDER BY 1)");

	/* the pending groups: merged values, key, NOT NULL verdict */
	fy_buf_add(&b, ", ferry_groups AS MATERIALIZED (SELECT g.*, COALESCE(k.new_key, g.ferry_first_key) AS ferry_new_key,"
			   " k.new_key IS NOT NULL AS ferry_exists, CASE WHEN FALSE THEN NULL");
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_notnull_reason(&b, meta, d, &ph->columns[i], "g", i, "the merged value is NULL");
	fy_buf_add(&b, " END AS ferry_greason FROM (");
	fyp_groups(&b, ph, d, "(SELECT * FROM ferry_cand WHERE ferry_reason IS NULL)", "ferry_gid");
	fy_buf_add(&b, ") AS g LEFT JOIN ferry_known AS k USING (ferry_gid))");

	/* rows rejected alone, or with their group */
	fy_buf_init(&sub);
	fy_buf_add(&sub, "(SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, "c.ferry_key_%d, ", i + 1);
	fy_buf_add(&sub, "c.ferry_src, COALESCE(c.ferry_reason, g.ferry_greason) AS ferry_reason"
			   " FROM ferry_cand AS c LEFT JOIN ferry_groups AS g ON g.ferry_gid = c.ferry_gid AND c.ferry_reason IS NULL) AS r");
	fy_buf_add(&b, ", ferry_rejected AS (");
	fyp_rejects_insert(&b, ph, meta, d, run_id, sub.oom ? "" : sub.data);
	fy_buf_free(&sub);

	/* every legacy key of an accepted group maps to the group's row */
	fy_buf_add(&sub, "(SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, "c.ferry_key_%d, ", i + 1);
	fy_buf_add(&sub, "g.ferry_new_key AS ferry_group_key FROM ferry_cand AS c JOIN ferry_groups AS g USING (ferry_gid)"
			   " WHERE c.ferry_reason IS NULL AND g.ferry_greason IS NULL) AS r");
	fy_buf_add(&b, "), ferry_mapped AS (");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_group_key", sub.oom ? "" : sub.data, false);
	fy_buf_free(&sub);

	/* new groups: one target row each */
	fy_buf_add(&b, "), ferry_written AS (");
	fyp_insert_groups(&b, ph, meta, d, "ferry_new_key", safe);
	fy_buf_add(&b, " AND g.ferry_greason IS NULL RETURNING 1)");

	/*
	 * known groups: recompute their row from every source row they now
	 * hold, the ones mapped earlier and the accepted ones of this run
	 */
	members = fyp_base(ph, meta, d, refs, NULL, false,
					   "SELECT ferry_gid FROM ferry_groups WHERE ferry_exists AND ferry_greason IS NULL");
	fy_buf_add(&sub, "(SELECT w.* FROM (");
	fyp_values(&sub, ph, meta, d, refs, members ? members : "", safe);
	fy_buf_add(&sub, ") AS w WHERE EXISTS (SELECT 1 FROM ");
	fy_buf_map_table(&sub, meta, d);
	fy_buf_add(&sub, " AS m WHERE ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, "%sm.\"legacy_%d\" = w.ferry_key_%d", i ? " AND " : "", i + 1, i + 1);
	fy_buf_add(&sub, ") OR EXISTS (SELECT 1 FROM ferry_cand AS c WHERE c.ferry_reason IS NULL");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, " AND c.ferry_key_%d = w.ferry_key_%d", i + 1, i + 1);
	fy_buf_add(&sub, "))");
	fy_buf_add(&b, ", ferry_updated AS (");
	fyp_update_target(&b, ph, meta, d, "x", safe);
	fy_buf_add(&b, " FROM (");
	fyp_groups(&b, ph, d, sub.oom ? "" : sub.data, "ferry_gid");
	fy_buf_free(&sub);
	fy_buf_add(&b, ") AS x JOIN ferry_known AS k USING (ferry_gid) WHERE ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = k.new_key RETURNING 1)");

	fy_buf_add(&b, " SELECT (SELECT count(*) FROM ferry_mapped) AS mapped,"
			   " (SELECT count(*) FROM ferry_written) AS written,"
			   " (SELECT count(*) FROM ferry_rejected) AS rejected,"
			   " (SELECT count(*) FROM ferry_updated) AS updated");
	fy_release(base);
	fy_release(members);
	ok = ph->ncolumns > 0 ? fyp_add(plan, FY_ROLE_MIGRATE, &b, err) :
		fy_fail(err, FY_ERR_INVALID_SPEC, "phase \"%s\": a merge_on phase needs columns", ph->name);
	if (!ok)
		fy_buf_free(&b);
	return ok;
}

/*
 * fyp_my_groups (MariaDB): the groups of the pending rows that pass alone,
 * with the target key each gets (the one its earlier rows were mapped to,
 * or its first row's new key) and why the whole group is rejected (a merged
 * NULL for a NOT NULL column), as a FROM item g.
 */
static void
fyp_my_groups(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
			  fy_dialect d, const char *cand)
{
	fy_buf		from;

	fy_buf_init(&from);
	fy_buf_addf(&from, "(SELECT * FROM %s WHERE c.ferry_reason IS NULL)", cand);
	fy_buf_add(b, "(SELECT g.*, COALESCE(k.new_key, g.ferry_first_key) AS ferry_group_key,"
			   " CASE WHEN FALSE THEN NULL");
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_notnull_reason(b, meta, d, &ph->columns[i], "g", i, "the merged value is NULL");
	fy_buf_add(b, " END AS ferry_greason FROM (");
	fyp_groups(b, ph, d, from.oom ? "" : from.data, "ferry_gid");
	fy_buf_add(b, ") AS g LEFT JOIN (SELECT ");
	fyp_group_id(b, ph, d, "s");
	fy_buf_add(b, " AS ferry_gid, MIN(m.new_key) AS new_key FROM ");
	fy_buf_map_table(b, meta, d);
	fy_buf_add(b, " AS m JOIN ");
	fyp_source(b, ph, meta, d, "s");
	fy_buf_add(b, " ON ");
	fyp_key_join(b, ph, d, "m", "s");
	fy_buf_add(b, " GROUP BY 1) AS k ON k.ferry_gid = g.ferry_gid) AS g");
	fy_buf_free(&from);
}

/*
 * fyp_my_recompute (MariaDB, merge_on): the groups of the source rows of
 * members (a FROM item) recomputed from their mapped rows, each under the
 * key its rows are mapped to: UPDATE the groups that have a target row,
 * INSERT the others.  migrate's merge steps run it for the groups a run
 * touched, sync for the group a row left.
 */
bool
fyp_my_recompute(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
				 fy_dialect d, const fy_expr **refs, const char *members,
				 fy_error *err)
{
	fy_buf		sub;
	fy_buf		groups;
	fy_buf		b;
	bool		ok;

	fy_buf_init(&sub);
	fy_buf_add(&sub, "(SELECT v.*, m.new_key AS ferry_gkey FROM (");
	fyp_values(&sub, ph, meta, d, refs, members, false);
	fy_buf_add(&sub, ") AS v JOIN ");
	fy_buf_map_table(&sub, meta, d);
	fy_buf_add(&sub, " AS m ON ");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(&sub, i ? " AND " : "");
		fyp_map_col(&sub, d, "m", i + 1);
		fy_buf_addf(&sub, " = v.ferry_key_%d", i + 1);
	}
	fy_buf_add(&sub, ")");
	fy_buf_init(&groups);
	fy_buf_add(&groups, "(");
	fyp_groups(&groups, ph, d, sub.oom ? "" : sub.data, "ferry_gkey");
	fy_buf_add(&groups, ") AS x");
	fy_buf_free(&sub);
	if (groups.oom)
	{
		fy_buf_free(&groups);
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	}
	fy_buf_init(&b);
	fy_buf_add(&b, "UPDATE ");
	fyp_target(&b, meta, d);
	fy_buf_addf(&b, " AS t JOIN %s ON ", groups.data);
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = x.ferry_gid SET ");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		fy_buf_add(&b, i ? ", " : "");
		fyp_col(&b, d, "t", ph->columns[i].target);
		fy_buf_addf(&b, " = x.ferry_c_%d", i + 1);
	}
	ok = fyp_add(plan, FY_ROLE_UPDATE, &b, err);
	if (ok)
	{
		fyp_insert_target(&b, ph, meta, d);
		fy_buf_add(&b, " SELECT x.ferry_gid");
		for (int i = 0; i < ph->ncolumns; i++)
			fy_buf_addf(&b, ", x.ferry_c_%d", i + 1);
		fy_buf_addf(&b, " FROM %s WHERE NOT EXISTS (SELECT 1 FROM ", groups.data);
		fyp_target(&b, meta, d);
		fy_buf_add(&b, " AS t WHERE ");
		fyp_col(&b, d, "t", ph->target_key);
		fy_buf_add(&b, " = x.ferry_gid)");
		ok = fyp_add(plan, FY_ROLE_INSERT, &b, err);
	}
	fy_buf_free(&groups);
	return ok;
}

/*
 * fyp_plan_merge_steps (MariaDB, merge_on): quarantine the rows rejected
 * alone or with their group, map every accepted row to its group's key,
 * then recompute each group this run touched from all of its mapped rows:
 * UPDATE the ones that have a target row, INSERT the others.  Each
 * statement computes what it needs within itself, so a random new key is
 * drawn once, by the map statement.  A batch (range) judges the pending
 * rows of its slice and recomputes the groups they joined, whatever slice
 * the groups' other rows are in.
 */
static bool
fyp_plan_merge_steps(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
					 fy_dialect d, long run_id, const fy_expr **refs,
					 const fy_keyrange *range, fy_error *err)
{
	fy_buf		b;
	fy_buf		cand;
	fy_buf		sub;
	char	   *base = fyp_pending_base(ph, meta, d, refs, range);
	char	   *members;
	bool		ok = false;

	fy_buf_init(&cand);
	fy_buf_add(&cand, "(");
	fyp_cand(&cand, ph, meta, d, refs, base, false, false, NULL);
	fy_buf_add(&cand, ") AS c");
	fy_buf_init(&sub);
	fy_buf_add(&sub, "SELECT ");
	fyp_group_id(&sub, ph, d, "s");
	fy_buf_add(&sub, " FROM ");
	fy_buf_map_table(&sub, meta, d);
	fy_buf_add(&sub, " AS mm JOIN ");
	fyp_source(&sub, ph, meta, d, "s");
	fy_buf_add(&sub, " ON ");
	fyp_key_join(&sub, ph, d, "mm", "s");
	fy_buf_addf(&sub, " WHERE mm.run_id = %ld", run_id);
	if (range != NULL)
	{
		/* the groups this batch touched, not every group of the run */
		fy_buf_add(&sub, " AND ");
		fyp_key_range(&sub, ph, meta, d, range);
	}
	members = sub.oom ? NULL : fyp_base(ph, meta, d, refs, NULL, false, sub.data);
	fy_buf_free(&sub);
	if (cand.oom || base == NULL || members == NULL || ph->ncolumns == 0)
	{
		if (ph->ncolumns == 0)
			fy_fail(err, FY_ERR_INVALID_SPEC, "phase \"%s\": a merge_on phase needs columns", ph->name);
		else
			fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
		goto done;
	}

	/* rows rejected alone, or with their group */
	fy_buf_init(&b);
	fy_buf_add(&sub, "(SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, "c.ferry_key_%d, ", i + 1);
	fy_buf_addf(&sub, "c.ferry_src, COALESCE(c.ferry_reason, g.ferry_greason) AS ferry_reason FROM %s LEFT JOIN ",
				cand.data);
	fyp_my_groups(&sub, ph, meta, d, cand.data);
	fy_buf_add(&sub, " ON g.ferry_gid = c.ferry_gid AND c.ferry_reason IS NULL) AS r");
	fyp_rejects_insert(&b, ph, meta, d, run_id, sub.oom ? "" : sub.data);
	fy_buf_free(&sub);
	if (!fyp_add(plan, FY_ROLE_REJECT, &b, err))
		goto done;

	/* every legacy key of an accepted group maps to the group's row */
	fy_buf_add(&sub, "(SELECT ");
	for (int i = 0; i < ph->nkeys; i++)
		fy_buf_addf(&sub, "c.ferry_key_%d, ", i + 1);
	fy_buf_addf(&sub, "g.ferry_group_key FROM %s JOIN ", cand.data);
	fyp_my_groups(&sub, ph, meta, d, cand.data);
	fy_buf_add(&sub, " ON g.ferry_gid = c.ferry_gid WHERE c.ferry_reason IS NULL AND g.ferry_greason IS NULL) AS r");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_group_key", sub.oom ? "" : sub.data, false);
	fy_buf_free(&sub);
	if (!fyp_add(plan, FY_ROLE_MAP, &b, err))
		goto done;

	/* the groups this run touched, from all of their mapped rows */
	ok = fyp_my_recompute(plan, ph, meta, d, refs, members, err);
done:
	fy_buf_free(&cand);
	fy_release(base);
	fy_release(members);
	return ok;
}

/*
 * fyp_update_cand (kind "update"): the values and verdict of the source
 * rows of base (a FROM item), each with the key of its target row if there
 * is one (ferry_target); a row with none is rejected.
 */
static void
fyp_update_cand_in(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				   fy_dialect d, const fy_expr **refs, const char *base, bool safe,
				   const char *guard)
{
	fy_buf		from;

	fy_buf_init(&from);
	fy_buf_addf(&from, "(SELECT s.*, t.");
	fy_buf_ident(&from, d, ph->target_key);
	fy_buf_addf(&from, " AS ferry_target FROM %s LEFT JOIN ", base ? base : "");
	fyp_target(&from, meta, d);
	fy_buf_add(&from, " AS t ON ");
	fyp_col(&from, d, "t", ph->target_key);
	fy_buf_add(&from, " = ");
	fyp_col(&from, d, "s", ph->source_key[0]);
	fy_buf_add(&from, ") AS s");
	fy_buf_add(b, "SELECT v.*, CASE WHEN v.ferry_target IS NULL"
			   " AND v.ferry_key_1 IS NOT NULL THEN 'no target row has this key' ELSE ");
	fyp_reason_in(b, ph, meta, d, refs, true, safe, guard);
	fy_buf_add(b, " END AS ferry_reason FROM (");
	fyp_values(b, ph, meta, d, refs, from.oom ? "" : from.data, safe);
	b->oom |= from.oom;
	fy_buf_free(&from);
	fy_buf_add(b, ") AS v");
}

void
fyp_update_cand(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
				fy_dialect d, const fy_expr **refs, const char *base, bool safe)
{
	fyp_update_cand_in(b, ph, meta, d, refs, base, safe, NULL);
}

/*
 * fyp_plan_update_statement (PostgreSQL, kind "update"): each pending source
 * row sets columns of the target row whose target_key equals its key.  The
 * before-image of every set column goes to the phase's journal in the same
 * statement (data-modifying CTEs all read the statement's snapshot, so the
 * journal sees the values the UPDATE replaces); a row with no target row is
 * rejected.
 */
static bool
fyp_plan_update_statement(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
						  fy_dialect d, long run_id, const fy_expr **refs,
						  const fy_keyrange *range, bool safe,
						 fy_error *err)
{
	fy_buf		b;
	char	   *pending = fyp_pending_base(ph, meta, d, refs, range);

	fy_buf_init(&b);
	fy_buf_add(&b, "WITH ferry_cand AS MATERIALIZED (");
	fyp_update_cand(&b, ph, meta, d, refs, pending, safe);
	fy_release(pending);
	fy_buf_add(&b, ")");
	fy_buf_add(&b, ", ferry_rejected AS (");
	fyp_rejects_insert(&b, ph, meta, d, run_id, "ferry_cand");
	fy_buf_add(&b, "), ferry_journal AS (");
	fyp_journal_insert(&b, ph, meta, d, run_id);
	fy_buf_add(&b, "ferry_cand AS c ON ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = c.ferry_target WHERE c.ferry_reason IS NULL RETURNING 1), ferry_mapped AS (");
	fyp_map_insert(&b, ph, meta, d, run_id, "ferry_target",
				   "ferry_cand WHERE ferry_reason IS NULL", true);
	fy_buf_add(&b, "), ferry_written AS (");
	fyp_update_target(&b, ph, meta, d, "c", safe);
	fy_buf_add(&b, " FROM ferry_cand AS c WHERE ");
	fyp_col(&b, d, "t", ph->target_key);
	fy_buf_add(&b, " = c.ferry_target AND c.ferry_reason IS NULL RETURNING 1)");
	fy_buf_add(&b, " SELECT (SELECT count(*) FROM ferry_mapped) AS mapped,"
			   " (SELECT count(*) FROM ferry_written) AS written,"
			   " (SELECT count(*) FROM ferry_rejected) AS rejected,"
			   " (SELECT count(*) FROM ferry_journal) AS journaled");
	return fyp_add(plan, FY_ROLE_MIGRATE, &b, err);
}

fy_plan *
fy_plan_migrate(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				long run_id, fy_error *err)
{
	return fy_plan_migrate_range(ph, meta, d, run_id, NULL, false, err);
}

fy_plan *
fy_plan_migrate_range(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
					  long run_id, const fy_keyrange *range, bool safe,
					  fy_error *err)
{
	const fy_expr *refs[64] = {0};
	fy_plan    *plan;
	bool		ok;

	if (!fy_plan_check(ph, meta, err))
		return NULL;
	if (!fyp_dialect_can(ph, d, err) || (range != NULL && range->row == NULL && !fyp_batch_keys(ph, meta, d, err)) ||
		(plan = fyp_new(err)) == NULL)
		return NULL;
	if (ph->nrefs > 64)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "phase \"%s\": more than 64 ref columns", ph->name);
		return fyp_finish(plan, false);
	}
	for (int i = 0; i < ph->ncolumns; i++)
		fyp_refs(ph->columns[i].expr, refs);
	/* MariaDB's procedure runs the dependency guard as the plan's first statement */
	ok = (d == FY_POSTGRES || fyp_plan_dependencies(plan, ph, meta, d, err)) &&
		fyp_plan_ref_asserts(plan, ph, meta, d, refs, range, err) &&
		fyp_plan_clear_rejects(plan, meta, d, err);
	if (d == FY_POSTGRES)
		ok = ok &&
			(ph->update ?
			 fyp_plan_update_statement(plan, ph, meta, d, run_id, refs, range, safe, err) :
			 ph->nmerge_on > 0 ?
			 fyp_plan_merge_statement(plan, ph, meta, d, run_id, refs, range, safe, err) :
			 fyp_plan_one_statement(plan, ph, meta, d, run_id, refs, range, safe, err));
	else
		ok = ok && (ph->nmerge_on > 0 ?
					fyp_plan_merge_steps(plan, ph, meta, d, run_id, refs, range, err) :
					fyp_plan_steps(plan, ph, meta, d, run_id, refs, range, err)) &&
			fyp_plan_hash(plan, ph, meta, d, run_id, range, err);
	return fyp_finish(plan, ok && fyp_plan_count(plan, ph, meta, d, run_id, err));
}

/*
 * fy_plan_keyscan: LAST orders the keys descending and takes the first;
 * NTH takes the n-th ascending, which bounds a batch of n rows; COUNT sizes
 * the whole run for its progress reports.  On MariaDB a key comes back as
 * one column, ferry_key, a JSON array of its parts as text, since a
 * procedure can only read a result into variables it names beforehand.
 */
fy_plan *
fy_plan_keyscan(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
				const fy_keyrange *range, fy_scan scan, long n, fy_error *err)
{
	fy_plan    *plan;
	fy_buf		b;

	if (!fy_plan_check(ph, meta, err) || !fyp_batch_keys(ph, meta, d, err) ||
		(plan = fyp_new(err)) == NULL)
		return NULL;
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	if (scan == FY_SCAN_COUNT)
		fy_buf_add(&b, d == FY_MARIADB ? "count(*) AS ferry_key" : "count(*)");
	else
	{
		fy_buf_add(&b, d == FY_MARIADB ? "JSON_ARRAY(" : "");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(&b, i ? ", " : "");
			if (d == FY_MARIADB)
				fy_buf_add(&b, "CAST(");
			fyp_col(&b, d, "s", ph->source_key[i]);
			if (d == FY_MARIADB)
				fy_buf_add(&b, " AS CHAR CHARACTER SET utf8mb4)");
		}
		fy_buf_add(&b, d == FY_MARIADB ? ") AS ferry_key" : "");
	}
	fy_buf_add(&b, " FROM ");
	fyp_source(&b, ph, meta, d, "s");
	if (range != NULL)
	{
		fy_buf_add(&b, " WHERE ");
		fyp_key_range(&b, ph, meta, d, range);
	}
	if (scan != FY_SCAN_COUNT)
	{
		fy_buf_add(&b, " ORDER BY ");
		for (int i = 0; i < ph->nkeys; i++)
		{
			fy_buf_add(&b, i ? ", " : "");
			fyp_col(&b, d, "s", ph->source_key[i]);
			fy_buf_add(&b, scan == FY_SCAN_LAST ? " DESC" : "");
		}
		if (scan == FY_SCAN_LAST)
			fy_buf_add(&b, " LIMIT 1");
		else
			fy_buf_addf(&b, " LIMIT 1 OFFSET %ld", n > 1 ? n - 1 : 0);
	}
	return fyp_finish(plan, fyp_add(plan, FY_ROLE_COUNT, &b, err));
}
