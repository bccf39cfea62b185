/*
 * plan.c -- the planner's common ground: plans, checks against metadata,
 * and the SQL fragments every operation shares (relations, keys, column
 * expressions), written once for both dialects.
 */
#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

const char *
fy_role_name(fy_role role)
{
	switch (role)
	{
		case FY_ROLE_DDL:
			return "ddl";
		case FY_ROLE_MAP:
			return "map";
		case FY_ROLE_INSERT:
			return "insert";
		case FY_ROLE_COUNT:
			return "count";
		case FY_ROLE_DELETE_TARGET:
			return "delete_target";
		case FY_ROLE_DELETE_MAP:
			return "delete_map";
		case FY_ROLE_CLEAR_REJECTS:
			return "clear_rejects";
		case FY_ROLE_REJECT:
			return "reject";
		case FY_ROLE_UPDATE:
			return "update";
		case FY_ROLE_ASSERT:
			return "assert";
		case FY_ROLE_MIGRATE:
			return "migrate";
		case FY_ROLE_RESTORE:
			return "restore";
		case FY_ROLE_PROBE:
			return "probe";
		case FY_ROLE_HASH:
			return "hash";
	}
	return "unknown";
}

fy_plan *
fyp_new(fy_error *err)
{
	fy_arena   *arena = fy_arena_new();
	fy_plan    *plan = arena ? fy_arena_alloc(arena, sizeof(fy_plan)) : NULL;

	if (plan == NULL)
	{
		fy_arena_free(arena);
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	plan->arena = arena;
	return plan;
}

/*
 * fyp_add moves a finished statement into the plan and resets the buffer;
 * a buffer that ran out of memory fails the plan here, once.
 */
bool
fyp_add(fy_plan *plan, fy_role role, fy_buf *b, fy_error *err)
{
	char	   *sql;

	if (b->oom || b->data == NULL)
	{
		fy_buf_free(b);
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	}
	if (plan->nstmts == plan->cap)
	{
		int			cap = plan->cap ? plan->cap * 2 : 4;
		fy_stmt    *s = fy_arena_alloc(plan->arena, sizeof(fy_stmt) * (size_t) cap);

		if (s == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		if (plan->nstmts)
			memcpy(s, plan->stmts, sizeof(fy_stmt) * (size_t) plan->nstmts);
		plan->stmts = s;
		plan->cap = cap;
	}
	sql = fy_arena_strdup(plan->arena, b->data);
	fy_buf_free(b);
	if (sql == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	plan->stmts[plan->nstmts].role = role;
	plan->stmts[plan->nstmts].sql = sql;
	plan->nstmts++;
	return true;
}

/* fyp_finish frees a plan that failed, so callers have one exit path. */
fy_plan *
fyp_finish(fy_plan *plan, bool ok)
{
	if (ok)
		return plan;
	fy_plan_free(plan);
	return NULL;
}

void
fy_plan_free(fy_plan *plan)
{
	if (plan != NULL)
		fy_arena_free(plan->arena);
}

char *
fy_plan_json(const fy_plan *plan)
{
	cJSON	   *root = cJSON_CreateObject();
	cJSON	   *arr = cJSON_AddArrayToObject(root, "statements");
	char	   *out;

	for (int i = 0; i < plan->nstmts; i++)
	{
		cJSON	   *s = cJSON_CreateObject();

		const fy_stmt *st = &plan->stmts[i];

		cJSON_AddStringToObject(s, "role", fy_role_name(st->role));
		cJSON_AddStringToObject(s, "sql", st->sql);
		/* check statements carry what their verdict is worded from */
		if (st->check)
		{
			cJSON_AddStringToObject(s, "check", st->check);
			cJSON_AddStringToObject(s, "severity", st->severity ? st->severity : "FAIL");
			cJSON_AddStringToObject(s, "finding", st->finding ? st->finding : "");
		}
		if (st->label)
			cJSON_AddStringToObject(s, "label", st->label);
		cJSON_AddItemToArray(arr, s);
	}
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/*
 * fyp_plan_clear_rejects: a phase's rejects are re-judged by every run,
 * and go with its rollback and its drop.
 */
bool
fyp_plan_clear_rejects(fy_plan *plan, const fy_meta *meta, fy_dialect d,
					   fy_error *err)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "DELETE FROM ");
	fy_buf_ident(&b, d, meta->catalog_schema);
	fy_buf_addf(&b, ".migration_rejects WHERE phase_id = %ld", meta->phase_id);
	return fyp_add(plan, FY_ROLE_CLEAR_REJECTS, &b, err);
}

/* ------------------------------------------------------- check statements */

/* fyp_sample_keys: the sample key (as fyp_key_text) and the key parts to order by. */
void
fyp_sample_keys(fy_buf *b, const fy_phase *ph, fy_dialect d)
{
	fyp_key_text(b, ph, d, "s");
	fy_buf_add(b, " AS ferry_k");
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, ", ");
		fyp_col(b, d, "s", ph->source_key[i]);
		fy_buf_addf(b, " AS ferry_o_%d", i + 1);
	}
}

/*
 * fyp_add_check wraps inner -- a SELECT of the failing rows as (ferry_k,
 * ferry_o_1..nord) -- into the statement's one row (failures, sample),
 * the sample being the first keys in key order.  PostgreSQL's string_agg
 * has no LIMIT, so the rows go through a CTE read twice (count, and the
 * top 10 by a bounded sort) rather than aggregating every key in memory.
 */
bool
fyp_add_check(fy_plan *plan, fy_buf *inner, int nord, fy_dialect d,
		 const char *check, const char *severity, const char *label,
		 const char *finding, fy_error *err)
{
	fy_buf		b;
	fy_buf		order;
	fy_stmt    *st;

	fy_buf_init(&b);
	fy_buf_init(&order);
	for (int i = 0; i < nord; i++)
		fy_buf_addf(&order, "%sferry_o_%d", i ? ", " : "", i + 1);
	if (inner->oom || order.oom)
		b.oom = true;
	else if (d == FY_POSTGRES)
		fy_buf_addf(&b, "WITH ferry_f AS (%s) SELECT (SELECT count(*) FROM ferry_f) AS failures, "
					"(SELECT string_agg(ferry_k, ', ' ORDER BY %s) FROM "
					"(SELECT * FROM ferry_f ORDER BY %s LIMIT %d) AS ferry_f10) AS sample",
					inner->data, order.data, order.data, FYP_SAMPLE);
	else
		fy_buf_addf(&b, "SELECT count(*) AS failures, GROUP_CONCAT(ferry_k ORDER BY %s "
					"SEPARATOR ', ' LIMIT %d) AS sample FROM (%s) AS ferry_f",
					order.data, FYP_SAMPLE, inner->data);
	fy_buf_free(inner);
	fy_buf_free(&order);
	if (!fyp_add(plan, FY_ROLE_ASSERT, &b, err))
		return false;
	st = &plan->stmts[plan->nstmts - 1];
	st->check = check;
	st->severity = severity;
	st->label = label ? fy_arena_strdup(plan->arena, label) : NULL;
	st->finding = fy_arena_strdup(plan->arena, finding);
	if ((label && st->label == NULL) || st->finding == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	return true;
}

/* fyp_add_check_worded: fyp_add_check with a finding built in a buffer, freed here. */
bool
fyp_add_check_worded(fy_plan *plan, fy_buf *inner, int nord, fy_dialect d,
				const char *check, const char *severity, const char *label,
				fy_buf *finding, fy_error *err)
{
	bool		ok;

	if (finding->oom || finding->data == NULL)
	{
		fy_buf_free(inner);
		ok = fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory while planning");
	}
	else
		ok = fyp_add_check(plan, inner, nord, d, check, severity, label, finding->data, err);
	fy_buf_free(finding);
	return ok;
}

/* ------------------------------------------------------------- fragments */

void
fyp_qualified(fy_buf *b, fy_dialect d, const char *schema, const char *name)
{
	if (schema != NULL)
	{
		fy_buf_ident(b, d, schema);
		fy_buf_add(b, ".");
	}
	fy_buf_ident(b, d, name);
}

void
fy_buf_map_table(fy_buf *b, const fy_meta *meta, fy_dialect d)
{
	char		name[32];

	snprintf(name, sizeof(name), "map_%ld", meta->phase_id);
	fyp_qualified(b, d, meta->map_schema ? meta->map_schema : meta->catalog_schema, name);
}

void
fy_buf_journal_table(fy_buf *b, const fy_meta *meta, fy_dialect d)
{
	char		name[32];

	snprintf(name, sizeof(name), "journal_%ld", meta->phase_id);
	fyp_qualified(b, d, meta->map_schema ? meta->map_schema : meta->catalog_schema, name);
}

void
fyp_target(fy_buf *b, const fy_meta *meta, fy_dialect d)
{
	fyp_qualified(b, d, meta->target.schema, meta->target.name);
}

/*
 * fyp_map_join_target: "<map> AS m <join> <target> AS t ON t.key =
 * m.new_key", the pairing of a phase's map entries with the target rows
 * they name that MariaDB's multi-table UPDATE and DELETE start from.
 */
void
fyp_map_join_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					fy_dialect d, const char *join)
{
	fy_buf_map_table(b, meta, d);
	fy_buf_addf(b, " AS m %s ", join);
	fyp_target(b, meta, d);
	fy_buf_add(b, " AS t ON ");
	fyp_col(b, d, "t", ph->target_key);
	fy_buf_add(b, " = m.new_key");
}

/* fyp_source writes the source as a FROM item under alias. */
void
fyp_source(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
		   const char *alias)
{
	if (ph->source_query)
		fy_buf_addf(b, "(%s)", ph->source_query);
	else
		fyp_qualified(b, d, meta->source.schema, meta->source.name);
	fy_buf_addf(b, " AS %s", alias);
}

/* fyp_col writes alias.col, or the bare column when alias is empty. */
void
fyp_col(fy_buf *b, fy_dialect d, const char *alias, const char *col)
{
	if (alias[0] != '\0')
		fy_buf_addf(b, "%s.", alias);
	fy_buf_ident(b, d, col);
}

/* fyp_map_col names the i-th legacy key column of the map (1-based). */
void
fyp_map_col(fy_buf *b, fy_dialect d, const char *alias, int i)
{
	char		name[32];

	snprintf(name, sizeof(name), "legacy_%d", i);
	fyp_col(b, d, alias, name);
}

/* fyp_key_join: map.legacy_i = source.key_i for every key column. */
void
fyp_key_join(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *map,
			 const char *src)
{
	for (int i = 0; i < ph->nkeys; i++)
	{
		if (i > 0)
			fy_buf_add(b, " AND ");
		fyp_map_col(b, d, map, i + 1);
		fy_buf_add(b, " = ");
		fyp_col(b, d, src, ph->source_key[i]);
	}
}

/*
 * fyp_cols_text: columns as one text, joined by '/', NULL when any part is
 * NULL.  Integers print the same on both engines, so a name hashed from it
 * gives the same UUID on both.
 */
void
fyp_cols_text(fy_buf *b, const char *const *cols, int n, fy_dialect d,
			  const char *src)
{
	if (d == FY_MARIADB)
		fy_buf_add(b, n > 1 ? "CONCAT(" : "CAST(");
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			fy_buf_add(b, d == FY_MARIADB ? ", '/', " : " || '/' || ");
		fyp_col(b, d, src, cols[i]);
		if (d == FY_POSTGRES)
			fy_buf_add(b, "::text");
	}
	if (d == FY_MARIADB)
		fy_buf_add(b, n > 1 ? ")" : " AS CHAR)");
}

/* fyp_key_text is the legacy key as text, the name hashed into a v5 key. */
void
fyp_key_text(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *src)
{
	fyp_cols_text(b, ph->source_key, ph->nkeys, d, src);
}

/*
 * fyp_group_id names the merge group of source row src as one text, for
 * equality joins: the merge_on values, or, when one of them is NULL, the
 * row's own key (a row with an unknown phone merges with nobody).  On
 * MariaDB the two arrays may carry columns of different collations, which
 * leaves the text with none; it is compared bytewise, as jsonb is.
 */
void
fyp_group_id(fy_buf *b, const fy_phase *ph, fy_dialect d, const char *src)
{
	const char *array = d == FY_POSTGRES ? "jsonb_build_array" : "JSON_ARRAY";
	const char *text = d == FY_POSTGRES ? "::text" : "";

	fy_buf_add(b, d == FY_POSTGRES ? "CASE WHEN " : "(CASE WHEN ");
	for (int i = 0; i < ph->nmerge_on; i++)
	{
		fy_buf_add(b, i ? " OR " : "");
		fyp_col(b, d, src, ph->merge_on[i]);
		fy_buf_add(b, " IS NULL");
	}
	fy_buf_addf(b, " THEN %s('k'", array);
	for (int i = 0; i < ph->nkeys; i++)
	{
		fy_buf_add(b, ", ");
		fyp_col(b, d, src, ph->source_key[i]);
	}
	fy_buf_addf(b, ")%s ELSE %s('g'", text, array);
	for (int i = 0; i < ph->nmerge_on; i++)
	{
		fy_buf_add(b, ", ");
		fyp_col(b, d, src, ph->merge_on[i]);
	}
	fy_buf_addf(b, ")%s END", text);
	if (d == FY_MARIADB)
		fy_buf_add(b, ") COLLATE utf8mb4_bin");
}

static void
fyp_func(fy_buf *b, const fy_meta *meta, fy_dialect d, const char *name)
{
	if (d == FY_POSTGRES && meta->func_schema != NULL)
	{
		fy_buf_ident(b, d, meta->func_schema);
		fy_buf_add(b, ".");
	}
	fy_buf_add(b, name);
}

/*
 * fyp_new_key is the expression generating a new key for source row src.
 * MariaDB gives every UDF result the binary character set, and its UUID
 * type reads a binary string as 16 raw bytes, so there the text form of a
 * generated UUID is converted to a character string first.
 */
void
fyp_new_key(fy_buf *b, const fy_phase *ph, const fy_meta *meta, fy_dialect d,
			const char *src)
{
	bool		udf = d == FY_MARIADB &&
		(ph->keygen == FY_KEY_UUID_V5 || ph->keygen == FY_KEY_UUID_V4 ||
		 ph->keygen == FY_KEY_UUID_V7);

	if (udf)
		fy_buf_add(b, "CONVERT(");
	switch (ph->keygen)
	{
		case FY_KEY_UUID_V5:
			{
				fy_uuid		ns;
				char		text[37];

				fy_uuid_phase_namespace(ph->name, &ns);
				fy_uuid_format(&ns, text);
				fyp_func(b, meta, d, "uuid_v5");
				fy_buf_addf(b, d == FY_POSTGRES ? "('%s'::uuid, " : "('%s', ", text);
				if (ph->nmerge_on > 0)
				{
					/* a merged row is named by its group, a lone row by its key */
					fy_buf_add(b, d == FY_POSTGRES ? "COALESCE('merge/' || " : "COALESCE(CONCAT('merge/', ");
					fyp_cols_text(b, ph->merge_on, ph->nmerge_on, d, src);
					fy_buf_add(b, d == FY_POSTGRES ? ", " : "), ");
					fyp_key_text(b, ph, d, src);
					fy_buf_add(b, ")");
				}
				else
					fyp_key_text(b, ph, d, src);
				fy_buf_add(b, ")");
				break;
			}
		case FY_KEY_UUID_V4:
			if (d == FY_POSTGRES)
				fy_buf_add(b, "pg_catalog.gen_random_uuid()");
			else
				fy_buf_add(b, "uuid_v4()");
			break;
		case FY_KEY_UUID_V7:
			fyp_func(b, meta, d, "uuid_v7");
			fy_buf_add(b, "()");
			break;
		case FY_KEY_KEEP:
			fyp_col(b, d, src, ph->source_key[0]);
			break;
		case FY_KEY_DEFAULT:
			/* evaluated in the SELECT, once per row, as the INSERT would; */
			/* MariaDB's AUTO_INCREMENT is drawn by the INSERT itself */
			fy_buf_addf(b, "(%s)", meta->key_default && d == FY_POSTGRES ? meta->key_default : "NULL");
			break;
	}
	if (udf)
		fy_buf_add(b, " USING utf8mb4)");
}

/* ------------------------------------------------------------ expressions */

/*
 * fyp_const writes a JSON scalar (or a whole JSON value) as SQL.  Inside a
 * JSON object on MariaDB, booleans and nested JSON go through JSON_EXTRACT
 * so they stay JSON true/false/objects rather than 1/0/strings.
 */
static void
fyp_const(fy_buf *b, fy_dialect d, const cJSON *v, bool in_json)
{
	if (cJSON_IsNull(v))
		fy_buf_add(b, "NULL");
	else if (cJSON_IsString(v))
		fy_buf_literal(b, d, v->valuestring);
	else if (cJSON_IsNumber(v) && v->valuestring != NULL)
		fy_buf_add(b, v->valuestring);	/* as written (fy_json_keep_numbers) */
	else if (cJSON_IsNumber(v))
	{
		double		x = v->valuedouble;

		if (x == floor(x) && fabs(x) < 9007199254740992.0)
			fy_buf_addf(b, "%.0f", x);
		else
			fy_buf_addf(b, "%.17g", x);
	}
	else if (cJSON_IsBool(v) && !(d == FY_MARIADB && in_json))
		fy_buf_add(b, cJSON_IsTrue(v) ? "TRUE" : "FALSE");
	else
	{
		char	   *text = cJSON_PrintUnformatted(v);

		if (text == NULL)
		{
			b->oom = true;
			return;
		}
		if (d == FY_MARIADB)
			fy_buf_add(b, "JSON_EXTRACT(");
		fy_buf_literal(b, d, text);
		fy_buf_add(b, d == FY_POSTGRES ? "::jsonb" : ", '$')");
		fy_release(text);
	}
}

/*
 * PostgreSQL functions take at most 100 arguments: 50 members a call,
 * joined with jsonb's ||.  MariaDB's JSON_OBJECT has no such limit.
 */
#define FY_JSON_CHUNK 50

static void fyp_convert(fy_buf *b, const fy_meta *meta, const fy_expr *e,
						fy_dialect d, const char *src);
static void fyp_expr_in(fy_buf *b, const fy_meta *meta, const fy_expr *e,
						fy_dialect d, const char *src, bool in_json);

/*
 * fyp_text_call: fn(value as text, e's text) -- the format of a PARSE
 * expression, the spec of a RESTRUCTURE one.
 */
static void
fyp_text_call(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d,
			  const char *src, const char *fn)
{
	fyp_func(b, meta, d, fn);
	fy_buf_add(b, d == FY_POSTGRES ? "(CAST((" : "((");
	fyp_expr_in(b, meta, e->from, d, src, false);
	fy_buf_add(b, d == FY_POSTGRES ? ") AS text), " : "), ");
	fy_buf_literal(b, d, e->text);
	fy_buf_add(b, ")");
}

/* fyp_keys_case: a keys_to_* conversion, which reads its value as JSON. */
static bool
fyp_keys_case(const fy_expr *e)
{
	return e->kind == FY_EXPR_CONVERT && e->convert >= FY_CONV_KEYS_TO_SNAKE;
}

/* fyp_can_reject: e, or a member of its json object at any depth, can fail to read. */
bool
fyp_can_reject(const fy_expr *e)
{
	for (int i = 0; e->kind == FY_EXPR_JSON && i < e->nmembers; i++)
		if (fyp_can_reject(e->members[i].value))
			return true;
	return e->kind == FY_EXPR_PARSE || e->kind == FY_EXPR_RESTRUCTURE || fyp_keys_case(e);
}

/* fyp_error_call: for a json object, the first reason of its members. */
void
fyp_error_call(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d,
			   const char *src)
{
	bool		first = true;

	if (fyp_keys_case(e))
	{
		/*
		 * json_keys_case gives NULL for a value that is not JSON on MariaDB,
		 * where a UDF cannot raise for one row; PostgreSQL's cast to jsonb
		 * raises instead, so nothing is rejected there.
		 */
		static const char *const style[] = {"snake", "pascal", "camel"};

		if (d == FY_POSTGRES)
		{
			fy_buf_add(b, "CAST(NULL AS text)");
			return;
		}
		/* the same conversion as a restructure spec says why it fails */
		fyp_func(b, meta, d, "json_restructure_error");
		fy_buf_add(b, "((");
		fyp_expr_in(b, meta, e->from, d, src, false);
		fy_buf_addf(b, "), '[{\"op\": \"key_case\", \"to\": \"%s\"}]')",
					style[e->convert - FY_CONV_KEYS_TO_SNAKE]);
		return;
	}
	if (e->kind != FY_EXPR_JSON)
	{
		fyp_text_call(b, meta, e, d, src,
					  e->kind == FY_EXPR_PARSE ? "legacy_to_json_error" : "json_restructure_error");
		return;
	}
	fy_buf_add(b, "COALESCE(");
	for (int i = 0; i < e->nmembers; i++)
		if (fyp_can_reject(e->members[i].value))
		{
			fy_buf_add(b, first ? "" : ", ");
			fyp_error_call(b, meta, e->members[i].value, d, src);
			first = false;
		}
	fy_buf_add(b, ")");
}

/*
 * fyp_read_call: the value of a PARSE or RESTRUCTURE expression.  On
 * PostgreSQL, where the functions raise, only for a value fyp_error_call
 * finds nothing wrong with; on MariaDB the UDF gives NULL for the others.
 */
static void
fyp_read_call(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d,
			  const char *src)
{
	if (d == FY_POSTGRES)
	{
		fy_buf_add(b, "CASE WHEN ");
		fyp_error_call(b, meta, e, d, src);
		fy_buf_add(b, " IS NULL THEN ");
	}
	if (e->kind == FY_EXPR_PARSE)
		fyp_text_call(b, meta, e, d, src, "legacy_to_json");
	else
	{
		/* MariaDB: the UDF takes and gives JSON text */
		fyp_func(b, meta, d, "json_restructure");
		fy_buf_add(b, "((");
		fyp_expr_in(b, meta, e->from, d, src, false);
		fy_buf_add(b, d == FY_POSTGRES ? ")::jsonb, " : "), ");
		fy_buf_literal(b, d, e->text);
		fy_buf_add(b, d == FY_POSTGRES ? "::jsonb)" : ")");
	}
	if (d == FY_POSTGRES)
		fy_buf_add(b, " END");
}

/* fyp_json_udf: e is a ferry UDF's JSON text on MariaDB (restructure, keys_to_*). */
static bool
fyp_json_udf(const fy_expr *e)
{
	return e->kind == FY_EXPR_RESTRUCTURE ||
		(e->kind == FY_EXPR_CONVERT && e->convert >= FY_CONV_KEYS_TO_SNAKE);
}

static void
fyp_expr_in(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d, const char *src,
			bool in_json)
{
	switch (e->kind)
	{
		case FY_EXPR_COLUMN:
			fyp_col(b, d, src, e->text);
			break;
		case FY_EXPR_SQL:
			fy_buf_addf(b, "(%s)", e->text);
			break;
		case FY_EXPR_CONST:
			fyp_const(b, d, e->value, in_json);
			break;
		case FY_EXPR_JSON:
			if (e->nmembers == 0)
			{
				fy_buf_add(b, d == FY_POSTGRES ? "'{}'::jsonb" : "JSON_OBJECT()");
				break;
			}
			for (int i = 0; i < e->nmembers; i++)
			{
				if (i == 0 || (d == FY_POSTGRES && i % FY_JSON_CHUNK == 0))
				{
					if (i > 0)
						fy_buf_add(b, ") || ");
					fy_buf_add(b, d == FY_POSTGRES ? "jsonb_build_object(" : "JSON_OBJECT(");
				}
				else
					fy_buf_add(b, ", ");
				fy_buf_literal(b, d, e->members[i].key);
				fy_buf_add(b, ", ");
				if (d == FY_MARIADB && fyp_json_udf(e->members[i].value))
				{
					/* JSON_OBJECT would quote a UDF's JSON text: read it as JSON */
					fy_buf_add(b, "JSON_EXTRACT(CONVERT(");
					fyp_expr_in(b, meta, e->members[i].value, d, src, true);
					fy_buf_add(b, " USING utf8mb4), '$')");
				}
				else
					fyp_expr_in(b, meta, e->members[i].value, d, src, true);
			}
			fy_buf_add(b, ")");
			break;
		case FY_EXPR_REF:
			fy_buf_addf(b, "%s.ferry_ref_%d", src, e->ref_index);
			break;
		case FY_EXPR_CONVERT:
			fyp_convert(b, meta, e, d, src);
			break;
		case FY_EXPR_PARSE:
		case FY_EXPR_RESTRUCTURE:
			/* a value that does not read is NULL here, and the row's reason */
			fyp_read_call(b, meta, e, d, src);
			break;
		case FY_EXPR_MAP:
			/* exact matches on MariaDB too, not by the column's collation */
			fy_buf_add(b, d == FY_POSTGRES ? "CASE " : "CASE CAST((");
			fyp_expr_in(b, meta, e->from, d, src, false);
			fy_buf_add(b, d == FY_POSTGRES ? "" : ") AS BINARY)");
			for (int i = 0; i < e->nmappings; i++)
			{
				fy_buf_add(b, " WHEN ");
				fy_buf_literal(b, d, e->mappings[i].from);
				fy_buf_add(b, " THEN ");
				fyp_const(b, d, e->mappings[i].to, in_json);
			}
			fy_buf_add(b, " ELSE ");
			if (e->value != NULL)
				fyp_const(b, d, e->value, in_json);
			else
				fyp_expr_in(b, meta, e->from, d, src, in_json);
			fy_buf_add(b, " END");
			break;
	}
}

/*
 * fyp_convert writes a built-in conversion in the dialect's own functions;
 * each has an exact inverse (fy_convert_inverse), so a round trip can be
 * checked.
 */
static void
fyp_convert(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d,
			const char *src)
{
	bool		pg = d == FY_POSTGRES;
	static const char *const pg_sql[][2] = {
		{"to_timestamp(", ")"},
		{"extract(epoch FROM ", ")"},
		{"((", ")::numeric / 100)"},
		{"round((", ") * 100)::bigint"},
		{"", ""},					/* flag_to_deleted_at: below */
		{"((", ") IS NOT NULL)"},
		{".json_keys_case((", ")::jsonb, 'snake')"},
		{".json_keys_case((", ")::jsonb, 'pascal')"},
		{".json_keys_case((", ")::jsonb, 'camel')"},
	};
	static const char *const my_sql[][2] = {
		{"FROM_UNIXTIME(", ")"},
		{"UNIX_TIMESTAMP(", ")"},
		{"(CAST(", " AS DECIMAL(65,4)) / 100)"},
		{"CAST(ROUND((", ") * 100) AS SIGNED)"},
		{"", ""},
		{"((", ") IS NOT NULL)"},
		{"json_keys_case((", "), 'snake')"},
		{"json_keys_case((", "), 'pascal')"},
		{"json_keys_case((", "), 'camel')"},
	};

	if (e->convert == FY_CONV_FLAG_TO_DELETED_AT)
	{
		/* a flag of any type: 1, true, 't', 'Y' are set; 0, false, NULL are not */
		fy_buf_add(b, pg ? "CASE WHEN lower((" : "CASE WHEN LOWER(CAST(");
		fyp_expr_in(b, meta, e->from, d, src, false);
		fy_buf_add(b, pg ? ")::text)" : " AS CHAR))");
		fy_buf_add(b, " NOT IN ('0', 'false', 'f', 'no', 'n', 'off', '') THEN ");
		if (e->at)
			fyp_col(b, d, src, e->at);
		else
			fy_buf_add(b, "CURRENT_TIMESTAMP");
		fy_buf_add(b, " END");
		return;
	}
	if (pg && e->convert >= FY_CONV_KEYS_TO_SNAKE)
		fy_buf_ident(b, d, meta->catalog_schema);
	fy_buf_add(b, (pg ? pg_sql : my_sql)[e->convert][0]);
	fyp_expr_in(b, meta, e->from, d, src, false);
	fy_buf_add(b, (pg ? pg_sql : my_sql)[e->convert][1]);
}

/*
 * fyp_expr writes the value of one target column.  On PostgreSQL a constant
 * or a mapped value is cast to the target column's type, since a bare
 * literal would otherwise resolve to text (an enum or a date column would
 * refuse it); other forms keep their own type and the INSERT's assignment
 * rules apply on both engines.
 */
void
fyp_expr(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d, const char *src,
		 const fy_colmeta *target)
{
	bool		cast = d == FY_POSTGRES && target != NULL &&
		(e->kind == FY_EXPR_CONST || e->kind == FY_EXPR_MAP);

	if (cast)
		fy_buf_add(b, "CAST(");
	fyp_expr_in(b, meta, e, d, src, false);
	if (cast)
		fy_buf_addf(b, " AS %s)", fy_cast_type(target));
}

/* ----------------------------------------------------------------- checks */

static void
fyp_relname_text(char *out, size_t n, const fy_relmeta *rel)
{
	if (rel->schema)
		snprintf(out, n, "%s.%s", rel->schema, rel->name);
	else
		snprintf(out, n, "%s", rel->name ? rel->name : "(query)");
}

static bool
fyp_need_column(const fy_phase *ph, const fy_relmeta *rel, const char *col,
				const char *role, const char *what, fy_error *err)
{
	char		rel_text[300];

	if (fy_meta_column(rel, col) != NULL)
		return true;
	fyp_relname_text(rel_text, sizeof(rel_text), rel);
	fy_fail(err, FY_ERR_UNDEFINED_COLUMN,
			"phase \"%s\": %s column \"%s\"%s does not exist in %s \"%s\"",
			ph->name, role, col, what, role, rel_text);
	if (rel->ncols > 0)
	{
		fy_buf		b;

		fy_buf_init(&b);
		for (int i = 0; i < rel->ncols && i < 20; i++)
			fy_buf_addf(&b, "%s%s", i ? ", " : "", rel->cols[i].name);
		if (!b.oom)
			fy_hint(err, "Columns of %s: %s%s", rel_text, b.data,
					rel->ncols > 20 ? ", ..." : "");
		fy_buf_free(&b);
	}
	return false;
}

static bool
fyp_check_expr(const fy_phase *ph, const fy_meta *meta, const fy_expr *e,
			   const char *target, fy_error *err)
{
	char		what[200];

	switch (e->kind)
	{
		case FY_EXPR_COLUMN:
			snprintf(what, sizeof(what), " (for target column \"%s\")", target);
			return fyp_need_column(ph, &meta->source, e->text, "source", what, err);
		case FY_EXPR_JSON:
			for (int i = 0; i < e->nmembers; i++)
				if (!fyp_check_expr(ph, meta, e->members[i].value, target, err))
					return false;
			return true;
		case FY_EXPR_MAP:
			return fyp_check_expr(ph, meta, e->from, target, err);
		case FY_EXPR_RESTRUCTURE:
		case FY_EXPR_PARSE:
			return fyp_check_expr(ph, meta, e->from, target, err);
		case FY_EXPR_CONVERT:
			snprintf(what, sizeof(what), " (\"at\" of target column \"%s\")", target);
			return fyp_check_expr(ph, meta, e->from, target, err) &&
				(e->at == NULL || fyp_need_column(ph, &meta->source, e->at, "source", what, err));
		case FY_EXPR_REF:
			{
				const fy_refmeta *r = fy_meta_ref(meta, e->ref);

				snprintf(what, sizeof(what), " (for target column \"%s\")", target);
				for (int i = 0; i < e->nref_cols; i++)
					if (!fyp_need_column(ph, &meta->source, e->ref_cols[i], "source", what, err))
						return false;
				if (r == NULL)
				{
					fy_fail(err, FY_ERR_UNDEFINED_PHASE,
							"phase \"%s\": column \"%s\" refers to phase \"%s\", which does not exist",
							ph->name, target, e->ref);
					fy_hint(err, "Define phase \"%s\" first.", e->ref);
					return false;
				}
				if (r->nkeys != e->nref_cols)
				{
					fy_fail(err, FY_ERR_INVALID_SPEC,
							"phase \"%s\": column \"%s\" gives %d column(s) in \"from\" but phase \"%s\" has a %d-column source key",
							ph->name, target, e->nref_cols, e->ref, r->nkeys);
					return false;
				}
				return true;
			}
		case FY_EXPR_SQL:
		case FY_EXPR_CONST:
			break;
	}
	return true;
}

/*
 * fyp_spec_fills reports whether ferry writes target column col: a NOT NULL
 * column without a default that nothing fills would fail every row.
 */
static bool
fyp_spec_fills(const fy_phase *ph, const char *col)
{
	if (strcmp(col, ph->target_key) == 0 ||
		(ph->legacy_column && strcmp(col, ph->legacy_column) == 0))
		return true;
	for (int i = 0; i < ph->ncolumns; i++)
		if (strcmp(ph->columns[i].target, col) == 0)
			return true;
	return false;
}

bool
fy_plan_check(const fy_phase *ph, const fy_meta *meta, fy_error *err)
{
	if (meta->catalog_schema == NULL || meta->phase_id <= 0)
		return fy_fail(err, FY_ERR_INTERNAL, "metadata without catalog schema or phase id");
	if (meta->target.name == NULL)
		return fy_fail(err, FY_ERR_UNDEFINED_TABLE,
					   "phase \"%s\": target table is not resolved", ph->name);
	if (ph->source_query == NULL && meta->source.name == NULL)
		return fy_fail(err, FY_ERR_UNDEFINED_TABLE,
					   "phase \"%s\": source table is not resolved", ph->name);
	for (int i = 0; i < ph->nkeys; i++)
		if (!fyp_need_column(ph, &meta->source, ph->source_key[i], "source",
							 " (source_key)", err))
			return false;
	if (!fyp_need_column(ph, &meta->target, ph->target_key, "target",
						 " (target_key)", err))
		return false;
	if (ph->keygen == FY_KEY_DEFAULT && meta->key_default == NULL)
		return fy_fail(err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": target key column \"%s\" has no default to generate keys with",
					   ph->name, ph->target_key);
	if (ph->legacy_column &&
		!fyp_need_column(ph, &meta->target, ph->legacy_column, "target",
						 " (legacy_column)", err))
		return false;
	if (ph->deleted_column &&
		!fyp_need_column(ph, &meta->target, ph->deleted_column, "target",
						 " (on_source_delete)", err))
		return false;
	for (int i = 0; i < ph->ncolumns; i++)
	{
		if (!fyp_need_column(ph, &meta->target, ph->columns[i].target, "target",
							 "", err) ||
			!fyp_check_expr(ph, meta, ph->columns[i].expr,
							ph->columns[i].target, err))
			return false;
		if (ph->columns[i].merge_key)
		{
			char		what[200];

			snprintf(what, sizeof(what), " (\"key\" of target column \"%s\")", ph->columns[i].target);
			if (!fyp_need_column(ph, &meta->source, ph->columns[i].merge_key, "source", what, err))
				return false;
		}
	}
	for (int i = 0; i < ph->nmerge_on; i++)
		if (!fyp_need_column(ph, &meta->source, ph->merge_on[i], "source",
							 " (merge_on)", err))
			return false;
	for (int i = 0; i < ph->nrequired; i++)
		if (!fyp_need_column(ph, &meta->target, ph->required[i], "target",
							 " (required)", err))
			return false;
	for (int i = 0; i < ph->nunique; i++)
		for (int k = 0; k < ph->unique[i].ncols; k++)
			if (!fyp_need_column(ph, &meta->target, ph->unique[i].cols[k], "target",
								 " (unique)", err))
				return false;
	for (int i = 0; i < meta->target.ncols; i++)
	{
		const fy_colmeta *c = &meta->target.cols[i];

		if (c->notnull && !c->hasdefault && !ph->update && !fyp_spec_fills(ph, c->name))
		{
			fy_fail(err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": target column \"%s\" is NOT NULL without a default, and the spec gives it no value",
					ph->name, c->name);
			fy_hint(err, "Add \"%s\" to \"columns\".", c->name);
			return false;
		}
	}
	return true;
}
