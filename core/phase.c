/*
 * phase.c -- a phase spec (JSON) parsed and validated into an fy_phase.
 *
 * The spec is the user-facing contract of DESIGN.md.  Every key is checked:
 * an unknown one is refused with the closest known key as a hint, and a
 * documented key that this version cannot carry out yet is refused by name
 * rather than ignored, so a spec never means less than it says.
 */
#include "ferry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

typedef struct fy_keyinfo
{
	const char *key;
	bool		supported;
} fy_keyinfo;

static const fy_keyinfo fy_phase_keys[] = {
	{"source", true}, {"source_key", true}, {"target", true},
	{"target_key", true}, {"legacy_column", true}, {"columns", true},
	{"where", true}, {"kind", true}, {"depends_on", true}, {"checks", true},
	{"merge_on", true}, {"merge_order", true}, {"on_error", true},
	{"aggregates", true}, {"required", true}, {"unique", true},
	{"on_source_delete", true}, {NULL, false}
};

static const fy_keyinfo fy_column_keys[] = {
	{"from", true}, {"sql", true}, {"const", true}, {"json", true},
	{"map", true}, {"default", true}, {"ref", true}, {"on_missing", true},
	{"restructure", true}, {"convert", true}, {"at", true}, {"merge", true},
	{"key", true}, {"parse", true}, {NULL, false}
};

static const fy_keyinfo fy_target_key_keys[] = {
	{"column", true}, {"generate", true}, {NULL, false}
};

/* fy_distance is the edit distance, for "did you mean" hints. */
static int
fy_distance(const char *a, const char *b)
{
	int			la = (int) strlen(a), lb = (int) strlen(b);
	int			row[64];

	if (la > 63 || lb > 63)
		return 99;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++)
	{
		int			prev = row[0];

		row[0] = i;
		for (int j = 1; j <= lb; j++)
		{
			int			cur = row[j];
			int			best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * fy_check_keys refuses unknown and not-yet-supported keys of one object;
 * where names the object in the message ("spec", "column \"title\"").
 */
static bool
fy_check_keys(const cJSON *obj, const fy_keyinfo *known, const char *phase,
			  const char *where, fy_error *err)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, obj)
	{
		const fy_keyinfo *k;
		const char *best = NULL;
		int			bestd = 4;

		for (k = known; k->key; k++)
		{
			int			d;

			if (strcmp(k->key, item->string) == 0)
				break;
			d = fy_distance(k->key, item->string);
			if (d < bestd)
				bestd = d, best = k->key;
		}
		if (k->key == NULL)
		{
			fy_fail(err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": unknown key \"%s\" in %s",
					phase, item->string, where);
			if (best)
				fy_hint(err, "Did you mean \"%s\"?", best);
			return false;
		}
		if (!k->supported)
		{
			fy_fail(err, FY_ERR_NOT_SUPPORTED,
					"phase \"%s\": key \"%s\" in %s is not supported by ferry %s yet",
					phase, item->string, where, FERRY_VERSION);
			fy_hint(err, "Remove the key; this version would not carry it out.");
			return false;
		}
	}
	return true;
}

typedef struct fy_parse
{
	fy_phase   *phase;
	fy_error   *err;
	int			depcap;			/* room in phase->depends_on */
} fy_parse;

static const char *
fy_string_field(fy_parse *ps, const cJSON *obj, const char *key,
				const char *where, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL || cJSON_IsNull(v))
	{
		if (required)
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": %s needs \"%s\"", ps->phase->name, where, key);
		return NULL;
	}
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"%s\" in %s must be a non-empty string",
				ps->phase->name, key, where);
		return NULL;
	}
	return v->valuestring;
}

static fy_expr *fy_parse_expr(fy_parse *ps, const cJSON *v, const char *col,
							  bool in_json);

/* fy_parse_members reads a "json" object: member -> column form. */
static bool
fy_parse_members(fy_parse *ps, fy_expr *e, const cJSON *obj, const char *col)
{
	const cJSON *m;
	int			i = 0;

	if (!cJSON_IsObject(obj))
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": \"json\" of column \"%s\" must be an object",
					   ps->phase->name, col);
	e->kind = FY_EXPR_JSON;
	e->nmembers = cJSON_GetArraySize(obj);
	e->members = fy_arena_alloc(ps->phase->arena,
								sizeof(fy_member) * (size_t) (e->nmembers + 1));
	if (e->members == NULL)
		return fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	cJSON_ArrayForEach(m, obj)
	{
		e->members[i].key = m->string;
		e->members[i].value = fy_parse_expr(ps, m, col, true);
		if (e->members[i].value == NULL)
			return false;
		i++;
	}
	return true;
}

static const char **fy_parse_names(fy_parse *ps, const cJSON *v,
									const char *key, int *n);

/*
 * fy_too_many refuses a list longer than any table is wide: no engine
 * could run it, and the lists are checked pairwise.
 */
static const char **
fy_too_many(fy_parse *ps, const char *key, int n)
{
	fy_fail(ps->err, FY_ERR_INVALID_SPEC,
			"phase \"%s\": \"%s\" lists %d names; at most %d are allowed",
			ps->phase->name, key, n, FY_MAX_COLUMNS);
	fy_hint(ps->err, "No table on either engine has more than %d columns.", FY_MAX_COLUMNS);
	return NULL;
}

/* fy_add_dependency records a phase this one depends on, once. */
static bool
fy_add_dependency(fy_parse *ps, const char *name)
{
	fy_phase   *ph = ps->phase;
	const char **deps;

	for (int i = 0; i < ph->ndepends; i++)
		if (strcmp(ph->depends_on[i], name) == 0)
			return true;
	if (strcmp(name, ph->name) == 0)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\" cannot depend on itself", ph->name);
	if (ph->ndepends == ps->depcap)
	{
		/* doubling: the arena keeps every copy, so growing by one was n^2 */
		ps->depcap = ps->depcap ? ps->depcap * 2 : 8;
		deps = fy_arena_alloc(ph->arena, sizeof(char *) * (size_t) ps->depcap);
		if (deps == NULL)
			return fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		if (ph->ndepends)
			memcpy(deps, ph->depends_on, sizeof(char *) * (size_t) ph->ndepends);
		ph->depends_on = deps;
	}
	ph->depends_on[ph->ndepends++] = name;
	return true;
}

/*
 * fy_parse_ref reads {"from": col or [cols], "ref": phase, "on_missing":
 * "reject" | "null" | "error"}: the value is the new key that the
 * referenced phase gave the legacy row, which makes that phase a
 * dependency of this one.
 */
static bool
fy_parse_ref(fy_parse *ps, fy_expr *e, const cJSON *v, const char *col)
{
	fy_phase   *ph = ps->phase;
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(v, "from");
	const char *om;
	char		where[200];

	snprintf(where, sizeof(where), "column \"%s\"", col);
	if (cJSON_GetObjectItemCaseSensitive(v, "ref") == NULL)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": column \"%s\" has \"on_missing\" without \"ref\"",
					   ph->name, col);
	if (from == NULL || cJSON_GetObjectItemCaseSensitive(v, "map") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "default") != NULL)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": \"ref\" of column \"%s\" needs \"from\" (the source column or columns holding the legacy key) and no \"map\"",
					   ph->name, col);
	e->kind = FY_EXPR_REF;
	e->text = col;
	e->ref = fy_string_field(ps, v, "ref", where, true);
	if (e->ref == NULL)
		return false;
	e->ref_cols = fy_parse_names(ps, from, "from", &e->nref_cols);
	if (e->ref_cols == NULL)
		return false;
	e->on_missing = FY_MISSING_REJECT;
	if (cJSON_GetObjectItemCaseSensitive(v, "on_missing") != NULL)
	{
		om = fy_string_field(ps, v, "on_missing", where, true);
		if (om == NULL)
			return false;
		if (strcmp(om, "null") == 0)
			e->on_missing = FY_MISSING_NULL;
		else if (strcmp(om, "error") == 0)
			e->on_missing = FY_MISSING_ERROR;
		else if (strcmp(om, "reject") != 0)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"on_missing\" of column \"%s\" must be \"reject\", \"null\" or \"error\"",
					ph->name, col);
			return false;
		}
	}
	e->ref_index = ++ph->nrefs;
	return fy_add_dependency(ps, e->ref);
}

/*
 * fy_parse_convert wraps the column's value (from or sql) in a built-in
 * conversion: {"from": "CreatedAt", "convert": "epoch_to_timestamp"}.
 */
static fy_expr *
fy_parse_convert(fy_parse *ps, fy_expr *inner, const cJSON *v, const char *col)
{
	fy_phase   *ph = ps->phase;
	fy_expr    *e;
	const char *name;
	char		where[200];

	snprintf(where, sizeof(where), "column \"%s\"", col);
	if ((inner->kind != FY_EXPR_COLUMN && inner->kind != FY_EXPR_SQL) ||
		cJSON_GetObjectItemCaseSensitive(v, "map") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "default") != NULL)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"convert\" of column \"%s\" needs \"from\" or \"sql\" and no \"map\"",
				ph->name, col);
		return NULL;
	}
	name = fy_string_field(ps, v, "convert", where, true);
	if (name == NULL)
		return NULL;
	e = fy_arena_alloc(ph->arena, sizeof(fy_expr));
	if (e == NULL)
	{
		fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	e->kind = FY_EXPR_CONVERT;
	e->from = inner;
	if (!fy_convert_parse(name, &e->convert))
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": unknown conversion \"%s\" for column \"%s\"", ph->name, name, col);
		fy_hint(ps->err, "Use epoch_to_timestamp, timestamp_to_epoch, cents_to_decimal, decimal_to_cents, "
				"flag_to_deleted_at, deleted_at_to_flag, keys_to_snake_case, keys_to_pascal_case or keys_to_camel_case.");
		return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(v, "at") != NULL)
	{
		if (e->convert != FY_CONV_FLAG_TO_DELETED_AT)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"at\" of column \"%s\" goes only with flag_to_deleted_at",
					ph->name, col);
			return NULL;
		}
		if ((e->at = fy_string_field(ps, v, "at", where, true)) == NULL)
			return NULL;
	}
	return e;
}

/*
 * fy_parse_restructure wraps the column's value in json_restructure:
 * {"from": "OrderData", "restructure": [{"op": "key_case", ...}]}.
 */
static fy_expr *
fy_parse_restructure(fy_parse *ps, fy_expr *inner, const cJSON *v, const char *col)
{
	fy_phase   *ph = ps->phase;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(v, "restructure");
	fy_expr    *e;
	fy_error	inner_err = {0};
	char	   *text;

	if ((inner->kind != FY_EXPR_COLUMN && inner->kind != FY_EXPR_SQL) ||
		cJSON_GetObjectItemCaseSensitive(v, "map") != NULL)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"restructure\" of column \"%s\" needs \"from\" or \"sql\" and no \"map\"",
				ph->name, col);
		return NULL;
	}
	if (!fy_restructure_check(spec, &inner_err))
	{
		fy_fail(ps->err, inner_err.code, "phase \"%s\": column \"%s\": %s", ph->name, col,
				inner_err.message);
		return NULL;
	}
	e = fy_arena_alloc(ph->arena, sizeof(fy_expr));
	text = cJSON_PrintUnformatted(spec);
	if (e == NULL || text == NULL || (e->text = fy_arena_strdup(ph->arena, text)) == NULL)
	{
		fy_release(text);
		fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	fy_release(text);
	e->kind = FY_EXPR_RESTRUCTURE;
	e->from = inner;
	return e;
}

/*
 * fy_parse_legacy reads a text column stored in a legacy format into JSON:
 * {"from": "OrderData", "parse": "php"}.  A value that does not read is
 * rejected with the parser's reason, so the format is checked here.
 */
static fy_expr *
fy_parse_legacy(fy_parse *ps, fy_expr *inner, const cJSON *v, const char *col)
{
	fy_phase   *ph = ps->phase;
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(v, "parse");
	fy_error	inner_err = {0};
	fy_expr    *e;

	if ((inner->kind != FY_EXPR_COLUMN && inner->kind != FY_EXPR_SQL) ||
		cJSON_GetObjectItemCaseSensitive(v, "map") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "convert") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "restructure") != NULL)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"parse\" of column \"%s\" needs \"from\" or \"sql\" and no \"map\", \"convert\" or \"restructure\"",
				ph->name, col);
		return NULL;
	}
	if (!cJSON_IsString(format))
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"parse\" of column \"%s\" must be a format name", ph->name, col);
		fy_hint(ps->err, "Use \"json\", \"php\", \"query\", \"kv\" or \"kv:<pair separator>:<key separator>\".");
		return NULL;
	}
	/* an empty document shows whether the format is one */
	fy_release(fy_legacy_to_json("", 0, format->valuestring, &inner_err));
	if (inner_err.code == FY_ERR_INVALID_SPEC)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC, "phase \"%s\": column \"%s\": %s", ph->name, col,
				inner_err.message);
		return NULL;
	}
	e = fy_arena_alloc(ph->arena, sizeof(fy_expr));
	if (e == NULL || (e->text = fy_arena_strdup(ph->arena, format->valuestring)) == NULL)
	{
		fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	e->kind = FY_EXPR_PARSE;
	e->from = inner;
	return e;
}

/* fy_cmp_member orders object members by key, bytewise (qsort). */
static int
fy_cmp_member(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *) a)->string, (*(const cJSON *const *) b)->string);
}

static bool
fy_is_form_object(const cJSON *v)
{
	const fy_keyinfo *k;

	for (k = fy_column_keys; k->key; k++)
		if (cJSON_GetObjectItemCaseSensitive(v, k->key) != NULL)
			return true;
	return false;
}

/*
 * fy_parse_expr reads one column form.  Inside "json", an object that
 * carries no form key is a nested object, so {"json": {"a": {"b": "col"}}}
 * builds {"a": {"b": col}}; outside it such an object is a mistake.
 */
static fy_expr *
fy_parse_expr(fy_parse *ps, const cJSON *v, const char *col, bool in_json)
{
	fy_phase   *ph = ps->phase;
	fy_expr    *e = fy_arena_alloc(ph->arena, sizeof(fy_expr));
	const cJSON *x;
	int			forms = 0;

	if (e == NULL)
	{
		fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	if (cJSON_IsString(v))
	{
		if (v->valuestring[0] == '\0')
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": column \"%s\" names an empty source column",
					ph->name, col);
			return NULL;
		}
		e->kind = FY_EXPR_COLUMN;
		e->text = v->valuestring;
		return e;
	}
	if (!cJSON_IsObject(v))
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": column \"%s\" must be a source column name or an object",
				ph->name, col);
		fy_hint(ps->err, "Use {\"const\": ...} for a constant value.");
		return NULL;
	}
	if (in_json && !fy_is_form_object(v) && v->child != NULL)
		return fy_parse_members(ps, e, v, col) ? e : NULL;
	if (in_json && (cJSON_GetObjectItemCaseSensitive(v, "merge") != NULL ||
					cJSON_GetObjectItemCaseSensitive(v, "key") != NULL))
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": a \"merge\" rule (and its \"key\") belongs to column \"%s\" itself, not to a member of its \"json\"",
				ph->name, col);
		return NULL;
	}
	{
		char		where[200];

		snprintf(where, sizeof(where), "column \"%s\"", col);
		if (!fy_check_keys(v, fy_column_keys, ph->name, where, ps->err))
			return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(v, "ref") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "on_missing") != NULL)
		return fy_parse_ref(ps, e, v, col) ? e : NULL;
	forms = (cJSON_GetObjectItemCaseSensitive(v, "sql") != NULL) +
		(cJSON_GetObjectItemCaseSensitive(v, "const") != NULL) +
		(cJSON_GetObjectItemCaseSensitive(v, "json") != NULL) +
		(cJSON_GetObjectItemCaseSensitive(v, "from") != NULL);
	if (forms != 1)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": column \"%s\" must have exactly one of \"from\", \"sql\", \"const\", \"json\"",
				ph->name, col);
		return NULL;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(v, "const")) != NULL)
	{
		e->kind = FY_EXPR_CONST;
		e->value = x;
	}
	else if ((x = cJSON_GetObjectItemCaseSensitive(v, "json")) != NULL)
	{
		if (!fy_parse_members(ps, e, x, col))
			return NULL;
	}
	else
	{
		bool		is_sql = cJSON_GetObjectItemCaseSensitive(v, "sql") != NULL;

		e->kind = is_sql ? FY_EXPR_SQL : FY_EXPR_COLUMN;
		e->text = fy_string_field(ps, v, is_sql ? "sql" : "from", "a column", true);
		if (e->text == NULL)
			return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(v, "parse") != NULL && in_json)
	{
		/* a value that does not read rejects its row: a column's own reason */
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"parse\" in a \"json\" member of column \"%s\" is not supported",
				ph->name, col);
		fy_hint(ps->err, "Parse the value into a column of its own, or restructure the parsed document.");
		return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(v, "parse") != NULL)
		return fy_parse_legacy(ps, e, v, col);
	if (cJSON_GetObjectItemCaseSensitive(v, "convert") != NULL ||
		cJSON_GetObjectItemCaseSensitive(v, "at") != NULL)
		return fy_parse_convert(ps, e, v, col);
	if (cJSON_GetObjectItemCaseSensitive(v, "restructure") != NULL)
		return fy_parse_restructure(ps, e, v, col);
	x = cJSON_GetObjectItemCaseSensitive(v, "map");
	if (x == NULL && cJSON_GetObjectItemCaseSensitive(v, "default") != NULL)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": column \"%s\" has \"default\" without \"map\"",
				ph->name, col);
		return NULL;
	}
	if (x != NULL)
	{
		fy_expr    *mapped = e;
		const cJSON *m;
		int			i = 0;

		if (e->kind != FY_EXPR_COLUMN && e->kind != FY_EXPR_SQL)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"map\" of column \"%s\" needs \"from\" or \"sql\"",
					ph->name, col);
			return NULL;
		}
		if (!cJSON_IsObject(x) || x->child == NULL)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"map\" of column \"%s\" must be a non-empty object",
					ph->name, col);
			return NULL;
		}
		e = fy_arena_alloc(ph->arena, sizeof(fy_expr));
		if (e == NULL)
		{
			fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			return NULL;
		}
		e->kind = FY_EXPR_MAP;
		e->from = mapped;
		e->nmappings = cJSON_GetArraySize(x);
		if (e->nmappings > FY_MAX_MAPPINGS)
		{
			/* each mapping is an arm of a CASE the server plans and compiles */
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"map\" of column \"%s\" has %d entries; at most %d are allowed",
					ph->name, col, e->nmappings, FY_MAX_MAPPINGS);
			fy_hint(ps->err, "Join a lookup table in a \"sql\" expression instead.");
			return NULL;
		}
		e->mappings = fy_arena_alloc(ph->arena,
									 sizeof(fy_mapping) * (size_t) e->nmappings);
		if (e->mappings == NULL)
		{
			fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			return NULL;
		}
		cJSON_ArrayForEach(m, x)
		{
			if (cJSON_IsObject(m) || cJSON_IsArray(m))
			{
				fy_fail(ps->err, FY_ERR_INVALID_SPEC,
						"phase \"%s\": \"map\" of column \"%s\" maps \"%s\" to a non-scalar",
						ph->name, col, m->string);
				return NULL;
			}
			e->mappings[i].from = m->string;
			e->mappings[i].to = m;
			i++;
		}
		e->value = cJSON_GetObjectItemCaseSensitive(v, "default");
		if (e->value != NULL && (cJSON_IsObject((const cJSON *) e->value) ||
								 cJSON_IsArray((const cJSON *) e->value)))
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"default\" of column \"%s\" must be a scalar",
					ph->name, col);
			return NULL;
		}
	}
	return e;
}

/* fy_parse_names reads a string or an array of strings (keys). */
static const char **
fy_parse_names(fy_parse *ps, const cJSON *v, const char *key, int *n)
{
	const char **out;
	const cJSON *x;
	int			i = 0;

	if (cJSON_IsString(v))
	{
		*n = 1;
		out = fy_arena_alloc(ps->phase->arena, sizeof(char *));
		if (out != NULL)
			out[0] = v->valuestring;
	}
	else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > FY_MAX_COLUMNS)
		return fy_too_many(ps, key, cJSON_GetArraySize(v));
	else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0)
	{
		*n = cJSON_GetArraySize(v);
		out = fy_arena_alloc(ps->phase->arena, sizeof(char *) * (size_t) *n);
		if (out == NULL)
			goto oom;
		cJSON_ArrayForEach(x, v)
		{
			if (!cJSON_IsString(x) || x->valuestring[0] == '\0')
				goto bad;
			out[i++] = x->valuestring;
		}
	}
	else
		goto bad;
	if (out == NULL)
		goto oom;
	for (i = 0; i < *n; i++)
		if (out[i][0] == '\0')
			goto bad;
	return out;
bad:
	fy_fail(ps->err, FY_ERR_INVALID_SPEC,
			"phase \"%s\": \"%s\" must be a name or a non-empty array of names",
			ps->phase->name, key);
	return NULL;
oom:
	fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	return NULL;
}

static bool
fy_parse_target_key(fy_parse *ps, const cJSON *v)
{
	fy_phase   *ph = ps->phase;
	const char *gen = NULL;
	static const struct
	{
		const char *name;
		fy_keygen	kind;
	}			gens[] = {
		{"uuid_v5", FY_KEY_UUID_V5}, {"uuid_v4", FY_KEY_UUID_V4},
		{"uuid_v7", FY_KEY_UUID_V7}, {"keep", FY_KEY_KEEP},
		{"default", FY_KEY_DEFAULT}, {NULL, FY_KEY_UUID_V5}
	};

	ph->target_key = "id";
	ph->keygen = FY_KEY_UUID_V5;
	if (v == NULL)
		return true;
	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
	{
		ph->target_key = v->valuestring;
		return true;
	}
	if (!cJSON_IsObject(v))
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": \"target_key\" must be a column name or {\"column\": ..., \"generate\": ...}",
					   ph->name);
	if (!fy_check_keys(v, fy_target_key_keys, ph->name, "\"target_key\"", ps->err))
		return false;
	ph->target_key = fy_string_field(ps, v, "column", "\"target_key\"", true);
	if (ph->target_key == NULL)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(v, "generate") == NULL)
		return true;
	gen = fy_string_field(ps, v, "generate", "\"target_key\"", true);
	if (gen == NULL)
		return false;
	for (int i = 0; gens[i].name; i++)
		if (strcmp(gens[i].name, gen) == 0)
		{
			ph->keygen = gens[i].kind;
			return true;
		}
	fy_fail(ps->err, FY_ERR_INVALID_SPEC,
			"phase \"%s\": unknown key generator \"%s\" in \"target_key\"",
			ph->name, gen);
	fy_hint(ps->err, "Use \"uuid_v5\", \"uuid_v4\", \"uuid_v7\", \"keep\" or \"default\".");
	return false;
}

/* fy_parse_relname names the phase and the key in a bad relation name's error. */
static bool
fy_parse_relname(fy_parse *ps, const char *text, const char *key, fy_relname *out)
{
	fy_error	inner = {0};

	if (fy_relname_parse(ps->phase->arena, text, out, &inner))
		return true;
	return fy_fail(ps->err, inner.code, "phase \"%s\": \"%s\": %s",
				   ps->phase->name, key, inner.message);
}

static bool
fy_parse_source(fy_parse *ps, const cJSON *v)
{
	fy_phase   *ph = ps->phase;

	if (v == NULL)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": the spec needs \"source\"", ph->name);
	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
		return fy_parse_relname(ps, v->valuestring, "source", &ph->source);
	if (cJSON_IsObject(v))
	{
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(v, "query");

		if (cJSON_GetArraySize(v) == 1 && cJSON_IsString(q) &&
			q->valuestring[0] != '\0')
		{
			ph->source_query = q->valuestring;
			return true;
		}
	}
	return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				   "phase \"%s\": \"source\" must be a table name or {\"query\": \"SELECT ...\"}",
				   ph->name);
}

/*
 * fy_sort_keys orders object members by key, recursively, so that the
 * checksum of a spec does not depend on how an engine stores JSON
 * (PostgreSQL's jsonb reorders keys, MariaDB keeps the text).  It refuses
 * a key given twice in one object: cJSON would read the first and jsonb
 * keeps the last, so the two engines would run different phases.  A qsort
 * of the members keeps it O(n log n): any user may call the MariaDB UDFs,
 * and a spec of 80,000 keys must not hold a server thread for seconds.
 */
static bool
fy_sort_keys(cJSON *node, const char *phase, fy_error *err)
{
	cJSON	   *c;
	cJSON	  **members;
	int			n = 0;

	for (c = node->child; c; c = c->next, n++)
		if (!fy_sort_keys(c, phase, err))
			return false;
	if (!cJSON_IsObject(node) || n < 2)
		return true;
	members = fy_alloc(sizeof(cJSON *) * (size_t) n);
	if (members == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	n = 0;
	for (c = node->child; c; c = c->next)
		members[n++] = c;
	qsort(members, (size_t) n, sizeof(cJSON *), fy_cmp_member);
	for (int i = 1; i < n; i++)
		if (strcmp(members[i - 1]->string, members[i]->string) == 0)
		{
			fy_fail(err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": key \"%.200s\" appears twice in one object of the spec",
					phase, members[i]->string);
			fy_hint(err, "Give each key once; PostgreSQL would keep the last, MariaDB the first.");
			fy_release(members);
			return false;
		}
	/* relink; cJSON keeps the last element in child->prev */
	for (int i = 0; i < n; i++)
	{
		members[i]->prev = members[i > 0 ? i - 1 : n - 1];
		members[i]->next = i + 1 < n ? members[i + 1] : NULL;
	}
	node->child = members[0];
	fy_release(members);
	return true;
}

static bool
fy_checksum(fy_phase *ph, fy_error *err)
{
	char	   *text;
	uint8_t		digest[20];
	char	   *hex;

	cJSON	   *copy = cJSON_Duplicate((const cJSON *) ph->doc, true);

	if (copy == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	if (!fy_sort_keys(copy, ph->name, err))
	{
		cJSON_Delete(copy);
		return false;
	}
	text = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	if (text == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	ph->canonical = fy_arena_strdup(ph->arena, text);
	fy_sha1(text, strlen(text), digest);
	fy_release(text);
	hex = fy_arena_alloc(ph->arena, 41);
	if (hex == NULL || ph->canonical == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	ph->checksum = hex;
	return true;
}

/*
 * fy_parse_merge reads a column's "merge" rule, if it has one, and for
 * object_agg the source column whose values become the object's keys.
 */
static bool
fy_parse_merge(fy_parse *ps, fy_column *col, const cJSON *v)
{
	static const struct
	{
		const char *name;
		fy_merge	rule;
	}			rules[] = {
		{"min", FY_MERGE_MIN}, {"max", FY_MERGE_MAX}, {"first", FY_MERGE_FIRST},
		{"last", FY_MERGE_LAST}, {"first_non_null", FY_MERGE_FIRST_NON_NULL},
		{"sum", FY_MERGE_SUM}, {"count", FY_MERGE_COUNT},
		{"object_agg", FY_MERGE_OBJECT_AGG}, {NULL, FY_MERGE_NONE}
	};
	const char *rule = NULL;
	char		where[200];
	bool		has_key = cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "key") != NULL;

	col->merge = FY_MERGE_NONE;
	col->merge_key = NULL;
	snprintf(where, sizeof(where), "column \"%s\"", col->target);
	if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "merge") != NULL)
	{
		if ((rule = fy_string_field(ps, v, "merge", where, true)) == NULL)
			return false;
		for (int i = 0; rules[i].name; i++)
			if (strcmp(rules[i].name, rule) == 0)
				col->merge = rules[i].rule;
		if (col->merge == FY_MERGE_NONE)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": unknown merge rule \"%s\" for column \"%s\"",
					ps->phase->name, rule, col->target);
			fy_hint(ps->err, "Use min, max, first, last, first_non_null, sum, count or object_agg.");
			return false;
		}
	}
	if (has_key && col->merge != FY_MERGE_OBJECT_AGG)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": \"key\" of column \"%s\" goes only with \"merge\": \"object_agg\"",
					   ps->phase->name, col->target);
	if (col->merge != FY_MERGE_OBJECT_AGG)
		return true;
	if (!has_key)
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": merge rule \"object_agg\" of column \"%s\" needs a \"key\"",
				ps->phase->name, col->target);
		fy_hint(ps->err, "Name the source column whose values become the object's keys: "
				"{\"from\": \"births\", \"merge\": \"object_agg\", \"key\": \"year\"}.");
		return false;
	}
	col->merge_key = fy_string_field(ps, v, "key", where, true);
	return col->merge_key != NULL;
}

/*
 * fy_check_merge: with merge_on, every column must say how a group makes
 * its value, unless the value is the same in every row of the group (a
 * merge_on column, a constant); without merge_on, a merge rule means
 * nothing and is refused.
 */
static bool
fy_check_merge(fy_parse *ps, const cJSON *merge_on, const cJSON *merge_order)
{
	fy_phase   *ph = ps->phase;

	if (merge_on == NULL)
	{
		if (merge_order != NULL)
			return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
						   "phase \"%s\": \"merge_order\" needs \"merge_on\"", ph->name);
		for (int i = 0; i < ph->ncolumns; i++)
			if (ph->columns[i].merge != FY_MERGE_NONE)
				return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
							   "phase \"%s\": column \"%s\" has a merge rule but the spec has no \"merge_on\"",
							   ph->name, ph->columns[i].target);
		return true;
	}
	ph->merge_on = fy_parse_names(ps, merge_on, "merge_on", &ph->nmerge_on);
	if (ph->merge_on == NULL)
		return false;
	if (merge_order != NULL &&
		(ph->merge_order = fy_string_field(ps, ph->doc, "merge_order", "the spec", true)) == NULL)
		return false;
	if (ph->keygen == FY_KEY_KEEP || ph->legacy_column)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": a merge_on phase cannot use %s: a merged row has many legacy keys",
					   ph->name, ph->keygen == FY_KEY_KEEP ? "\"generate\": \"keep\"" : "\"legacy_column\"");
	for (int i = 0; i < ph->ncolumns; i++)
	{
		const fy_expr *e = ph->columns[i].expr;
		bool		same = e->kind == FY_EXPR_CONST;

		for (int k = 0; k < ph->nmerge_on && !same; k++)
			same = e->kind == FY_EXPR_COLUMN && strcmp(e->text, ph->merge_on[k]) == 0;
		if (!same && ph->columns[i].merge == FY_MERGE_NONE)
		{
			fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": column \"%s\" needs a merge rule: rows merged on %s may differ in it",
					ph->name, ph->columns[i].target, ph->merge_on[0]);
			fy_hint(ps->err, "Add \"merge\": \"first\" (or min, max, last, first_non_null, sum, count, object_agg).");
			return false;
		}
	}
	return true;
}

/*
 * fy_check_update: an update phase finds its target row by target_key ==
 * source_key and sets the listed columns; it makes no keys and keeps no
 * second legacy column, and it needs something to set.
 */
static bool
fy_check_update(fy_parse *ps, const cJSON *target_key)
{
	fy_phase   *ph = ps->phase;

	if (ph->nmerge_on > 0 || ph->legacy_column)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": an update phase takes no \"%s\"", ph->name,
					   ph->nmerge_on > 0 ? "merge_on" : "legacy_column");
	if (cJSON_IsObject(target_key) &&
		cJSON_GetObjectItemCaseSensitive(target_key, "generate") != NULL)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": an update phase generates no keys: \"target_key\" names the column that matches \"source_key\"",
					   ph->name);
	if (ph->nkeys != 1)
		return fy_fail(ps->err, FY_ERR_NOT_SUPPORTED,
					   "phase \"%s\": an update phase with a composite key is not supported yet", ph->name);
	if (ph->ncolumns == 0)
		return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
					   "phase \"%s\": an update phase needs \"columns\" to set", ph->name);
	ph->keygen = FY_KEY_KEEP;
	return true;
}

static const fy_keyinfo fy_aggregate_keys[] = {
	{"name", true}, {"source", true}, {"target", true}, {"per", true}, {NULL, false}
};
static const fy_keyinfo fy_per_keys[] = {
	{"source", true}, {"target", true}, {NULL, false}
};
static const fy_keyinfo fy_check_keys_list[] = {
	{"name", true}, {"sql", true}, {NULL, false}
};

/*
 * fy_parse_proofs reads what validation proves beyond the accounting:
 * "required" (target columns never NULL), "unique" (target column sets),
 * "aggregates" (equalities between source and target aggregates) and
 * "checks" (SQL that must be true).
 */
static bool
fy_parse_proofs(fy_parse *ps, const cJSON *doc)
{
	fy_phase   *ph = ps->phase;
	const cJSON *v;
	const cJSON *x;
	int			i;

	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "required")) != NULL &&
		(ph->required = fy_parse_names(ps, v, "required", &ph->nrequired)) == NULL)
		return false;
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "unique")) != NULL)
	{
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
			return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
						   "phase \"%s\": \"unique\" must be an array of column names or arrays of them",
						   ph->name);
		ph->unique = fy_arena_alloc(ph->arena, sizeof(fy_colset) * (size_t) cJSON_GetArraySize(v));
		if (ph->unique == NULL)
			return fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		cJSON_ArrayForEach(x, v)
		{
			fy_colset  *u = &ph->unique[ph->nunique++];

			if ((u->cols = fy_parse_names(ps, x, "unique", &u->ncols)) == NULL)
				return false;
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "aggregates")) != NULL)
	{
		if (!cJSON_IsArray(v))
			return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
						   "phase \"%s\": \"aggregates\" must be an array", ph->name);
		ph->aggregates = fy_arena_alloc(ph->arena, sizeof(fy_aggregate) * (size_t) (cJSON_GetArraySize(v) + 1));
		if (ph->aggregates == NULL)
			return fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		i = 0;
		cJSON_ArrayForEach(x, v)
		{
			fy_aggregate *a = &ph->aggregates[i++];
			const cJSON *per;

			if (!cJSON_IsObject(x))
				return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
							   "phase \"%s\": every entry of \"aggregates\" must be an object", ph->name);
			if (!fy_check_keys(x, fy_aggregate_keys, ph->name, "an aggregate", ps->err) ||
				(a->name = fy_string_field(ps, x, "name", "an aggregate", true)) == NULL ||
				(a->source = fy_string_field(ps, x, "source", "an aggregate", true)) == NULL ||
				(a->target = fy_string_field(ps, x, "target", "an aggregate", true)) == NULL)
				return false;
			if ((per = cJSON_GetObjectItemCaseSensitive(x, "per")) != NULL)
			{
				if (!cJSON_IsObject(per) ||
					!fy_check_keys(per, fy_per_keys, ph->name, "\"per\" of an aggregate", ps->err) ||
					(a->per_source = fy_string_field(ps, per, "source", "\"per\" of an aggregate", true)) == NULL ||
					(a->per_target = fy_string_field(ps, per, "target", "\"per\" of an aggregate", true)) == NULL)
					return false;
			}
		}
		ph->naggregates = i;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "checks")) != NULL)
	{
		if (!cJSON_IsArray(v))
			return fy_fail(ps->err, FY_ERR_INVALID_SPEC,
						   "phase \"%s\": \"checks\" must be an array", ph->name);
		ph->checks = fy_arena_alloc(ph->arena, sizeof(fy_custom_check) * (size_t) (cJSON_GetArraySize(v) + 1));
		if (ph->checks == NULL)
			return fy_fail(ps->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		i = 0;
		cJSON_ArrayForEach(x, v)
		{
			fy_custom_check *c = &ph->checks[i++];

			if (!cJSON_IsObject(x) ||
				!fy_check_keys(x, fy_check_keys_list, ph->name, "a check", ps->err) ||
				(c->name = fy_string_field(ps, x, "name", "a check", true)) == NULL ||
				(c->sql = fy_string_field(ps, x, "sql", "a check", true)) == NULL)
				return cJSON_IsObject(x) ? false :
					fy_fail(ps->err, FY_ERR_INVALID_SPEC,
							"phase \"%s\": every entry of \"checks\" must be an object", ph->name);
		}
		ph->nchecks = i;
	}
	return true;
}

/*
 * fy_parse_on_delete reads "on_source_delete": "delete", "keep", "soft"
 * (the target column "deleted_at") or {"soft": "column"}: what sync does to
 * the target row of a source row that is deleted.
 */
static bool
fy_parse_on_delete(fy_parse *ps, const cJSON *v)
{
	fy_phase   *ph = ps->phase;
	const cJSON *col = NULL;

	if (v == NULL)
		return true;
	if (cJSON_IsObject(v) && cJSON_GetArraySize(v) == 1 &&
		cJSON_IsString(col = cJSON_GetObjectItemCaseSensitive(v, "soft")) &&
		col->valuestring[0] != '\0')
	{
		ph->on_source_delete = FY_DELETE_SOFT;
		ph->deleted_column = col->valuestring;
	}
	else if (cJSON_IsString(v) && strcmp(v->valuestring, "soft") == 0)
	{
		ph->on_source_delete = FY_DELETE_SOFT;
		ph->deleted_column = "deleted_at";
	}
	else if (cJSON_IsString(v) && strcmp(v->valuestring, "keep") == 0)
		ph->on_source_delete = FY_DELETE_KEEP;
	else if (!(cJSON_IsString(v) && strcmp(v->valuestring, "delete") == 0))
	{
		fy_fail(ps->err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": \"on_source_delete\" must be \"delete\", \"keep\", \"soft\" or {\"soft\": \"column\"}",
				ph->name);
		return false;
	}
	return true;
}

static bool
fy_phase_name_ok(const char *name, fy_error *err)
{
	size_t		n;

	if (name == NULL)
		return fy_fail(err, FY_ERR_NULL_ARGUMENT, "phase name must not be NULL");
	n = strlen(name);
	if (n == 0 || n > 63)
		return fy_fail(err, FY_ERR_INVALID_SPEC,
					   "phase name must be 1 to 63 bytes long");
	for (const char *p = name; *p; p++)
		if ((unsigned char) *p < 0x20)
			return fy_fail(err, FY_ERR_INVALID_SPEC,
						   "phase name must not contain control characters");
	return true;
}

/* fy_parse_json reports the character position of a syntax error. */
static cJSON *
fy_parse_json(const char *text, const char *what, fy_error *err)
{
	const char *end = NULL;
	cJSON	   *doc = cJSON_ParseWithOpts(text, &end, true);

	if (doc == NULL)
	{
		size_t		pos = end && end >= text ? (size_t) (end - text) : 0;
		size_t		line = 1,
					col = 1;

		for (size_t i = 0; i < pos && text[i]; i++)
		{
			if (text[i] == '\n')
				line++, col = 1;
			else
				col++;
		}
		fy_fail(err, FY_ERR_INVALID_JSON,
				"%s is not valid JSON: syntax error at line %zu, column %zu (character %zu)",
				what, line, col, pos + 1);
		fy_detail(err, "near: %.40s", text + pos);
	}
	else if (!fy_json_keep_numbers(doc, text, end))
	{
		/* a constant is written as it was given: 0.1 is not 0.10000000000000001 */
		cJSON_Delete(doc);
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	return doc;
}

fy_phase *
fy_phase_parse(const char *name, const char *spec, fy_error *err)
{
	fy_phase   *ph;
	fy_parse	ps;
	cJSON	   *doc;
	const cJSON *v;
	char		what[128];

	if (!fy_phase_name_ok(name, err))
		return NULL;
	if (spec == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "spec of phase \"%s\" must not be NULL", name);
		return NULL;
	}
	snprintf(what, sizeof(what), "spec of phase \"%s\"", name);
	doc = fy_parse_json(spec, what, err);
	if (doc == NULL)
		return NULL;
	ph = NULL;
	{
		fy_arena   *arena = fy_arena_new();

		if (arena != NULL)
			ph = fy_arena_alloc(arena, sizeof(fy_phase));
		if (ph == NULL)
		{
			fy_arena_free(arena);
			cJSON_Delete(doc);
			fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			return NULL;
		}
		ph->arena = arena;
	}
	ph->doc = doc;
	ph->name = fy_arena_strdup(ph->arena, name);
	ps.phase = ph;
	ps.err = err;
	ps.depcap = 0;
	if (!cJSON_IsObject(doc))
	{
		fy_fail(err, FY_ERR_INVALID_SPEC,
				"spec of phase \"%s\" must be a JSON object", name);
		goto fail;
	}
	if (!fy_checksum(ph, err) ||
		!fy_check_keys(doc, fy_phase_keys, name, "the spec", err))
		goto fail;

	v = cJSON_GetObjectItemCaseSensitive(doc, "kind");
	if (v != NULL)
	{
		if (cJSON_IsString(v) && strcmp(v->valuestring, "update") == 0)
			ph->update = true;
		else if (!(cJSON_IsString(v) && strcmp(v->valuestring, "insert") == 0))
		{
			fy_fail(err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"kind\" must be \"insert\" or \"update\"", name);
			goto fail;
		}
	}
	if (!fy_parse_source(&ps, cJSON_GetObjectItemCaseSensitive(doc, "source")))
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(doc, "source_key");
	if (v == NULL)
	{
		static const char *default_key[] = {"id"};

		ph->source_key = default_key;
		ph->nkeys = 1;
	}
	else if ((ph->source_key = fy_parse_names(&ps, v, "source_key", &ph->nkeys)) == NULL)
		goto fail;
	{
		const char *target = fy_string_field(&ps, doc, "target", "the spec", true);

		if (target == NULL ||
			!fy_parse_relname(&ps, target, "target", &ph->target))
			goto fail;
	}
	if (!fy_parse_target_key(&ps, cJSON_GetObjectItemCaseSensitive(doc, "target_key")))
		goto fail;
	if (cJSON_GetObjectItemCaseSensitive(doc, "legacy_column") != NULL &&
		(ph->legacy_column = fy_string_field(&ps, doc, "legacy_column", "the spec", true)) == NULL)
		goto fail;
	if (cJSON_GetObjectItemCaseSensitive(doc, "where") != NULL &&
		(ph->where = fy_string_field(&ps, doc, "where", "the spec", true)) == NULL)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(doc, "on_error");
	if (v != NULL)
	{
		if (cJSON_IsString(v) && strcmp(v->valuestring, "abort") == 0)
			ph->abort_on_error = true;
		else if (!(cJSON_IsString(v) && strcmp(v->valuestring, "reject") == 0))
		{
			fy_fail(err, FY_ERR_INVALID_SPEC,
					"phase \"%s\": \"on_error\" must be \"reject\" or \"abort\"", name);
			goto fail;
		}
	}
	if (!fy_parse_on_delete(&ps, cJSON_GetObjectItemCaseSensitive(doc, "on_source_delete")))
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(doc, "depends_on");
	if (v != NULL)
	{
		int			n;
		const char **names = fy_parse_names(&ps, v, "depends_on", &n);

		if (names == NULL)
			goto fail;
		for (int i = 0; i < n; i++)
			if (!fy_add_dependency(&ps, names[i]))
				goto fail;
	}
	if ((ph->keygen == FY_KEY_KEEP || ph->legacy_column) && ph->nkeys != 1)
	{
		fy_fail(err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": %s needs a single-column \"source_key\"", name,
				ph->keygen == FY_KEY_KEEP ? "\"generate\": \"keep\"" : "\"legacy_column\"");
		goto fail;
	}

	v = cJSON_GetObjectItemCaseSensitive(doc, "columns");
	if (v == NULL || !cJSON_IsObject(v))
	{
		fy_fail(err, FY_ERR_INVALID_SPEC,
				"phase \"%s\": the spec needs \"columns\", an object of target column -> source",
				name);
		goto fail;
	}
	ph->ncolumns = cJSON_GetArraySize(v);
	if (ph->ncolumns > FY_MAX_COLUMNS)
	{
		fy_too_many(&ps, "columns", ph->ncolumns);
		goto fail;
	}
	ph->columns = fy_arena_alloc(ph->arena, sizeof(fy_column) * (size_t) (ph->ncolumns + 1));
	if (ph->columns == NULL)
	{
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		goto fail;
	}
	{
		const cJSON **sorted = fy_arena_alloc(ph->arena, sizeof(cJSON *) * (size_t) (ph->ncolumns + 1));
		const cJSON *c;
		int			i = 0;

		if (sorted == NULL)
		{
			fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			goto fail;
		}
		cJSON_ArrayForEach(c, v)
			sorted[i++] = c;
		/*
		 * Columns go in target-name order: each engine hands back the stored
		 * spec with its keys in its own order (jsonb sorts them by length),
		 * and plans, content hashes and samples must not depend on that.
		 */
		qsort(sorted, (size_t) ph->ncolumns, sizeof(cJSON *), fy_cmp_member);
		for (i = 0; i < ph->ncolumns; i++)
		{
			c = sorted[i];
			ph->columns[i].target = c->string;
			ph->columns[i].expr = fy_parse_expr(&ps, c, c->string, false);
			if (ph->columns[i].expr == NULL ||
				!fy_parse_merge(&ps, &ph->columns[i], c))
				goto fail;
			if (strcmp(c->string, ph->target_key) == 0 ||
				(ph->legacy_column && strcmp(c->string, ph->legacy_column) == 0))
			{
				fy_fail(err, FY_ERR_INVALID_SPEC,
						"phase \"%s\": column \"%s\" is filled by ferry (%s) and cannot be listed in \"columns\"",
						name, c->string,
						strcmp(c->string, ph->target_key) == 0 ? "target_key" : "legacy_column");
				goto fail;
			}
		}
	}
	if (!fy_check_merge(&ps, cJSON_GetObjectItemCaseSensitive(doc, "merge_on"),
						cJSON_GetObjectItemCaseSensitive(doc, "merge_order")))
		goto fail;
	if (ph->update && !fy_check_update(&ps, cJSON_GetObjectItemCaseSensitive(doc, "target_key")))
		goto fail;
	if (!fy_parse_proofs(&ps, doc))
		goto fail;
	return ph;
fail:
	fy_phase_free(ph);
	return NULL;
}

void
fy_phase_free(fy_phase *phase)
{
	if (phase == NULL)
		return;
	cJSON_Delete((cJSON *) phase->doc);
	fy_arena_free(phase->arena);
}

static cJSON *
fy_relname_json(const fy_relname *r)
{
	cJSON	   *o = cJSON_CreateObject();

	if (r->schema)
		cJSON_AddStringToObject(o, "schema", r->schema);
	else
		cJSON_AddNullToObject(o, "schema");
	cJSON_AddStringToObject(o, "name", r->name);
	return o;
}

char *
fy_phase_summary_json(const fy_phase *phase)
{
	cJSON	   *o = cJSON_CreateObject();
	char	   *out;

	cJSON_AddStringToObject(o, "name", phase->name);
	cJSON_AddStringToObject(o, "checksum", phase->checksum);
	cJSON_AddStringToObject(o, "spec", phase->canonical);
	if (phase->source_query)
	{
		cJSON_AddNullToObject(o, "source");
		cJSON_AddStringToObject(o, "source_query", phase->source_query);
	}
	else
	{
		cJSON_AddItemToObject(o, "source", fy_relname_json(&phase->source));
		cJSON_AddNullToObject(o, "source_query");
	}
	cJSON_AddItemToObject(o, "target", fy_relname_json(&phase->target));
	cJSON_AddStringToObject(o, "target_key", phase->target_key);
	cJSON_AddNumberToObject(o, "nkeys", phase->nkeys);
	/* cJSON makes no array of zero strings */
	cJSON_AddItemToObject(o, "depends_on", phase->ndepends == 0 ? cJSON_CreateArray() :
						  cJSON_CreateStringArray((const char *const *) phase->depends_on,
												  phase->ndepends));
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

typedef struct fy_named
{
	const char *name;
	int			i;
} fy_named;

/* fy_cmp_named orders phases by name, then by position (qsort, bsearch). */
static int
fy_cmp_named(const void *a, const void *b)
{
	const fy_named *x = a,
			   *y = b;
	int			c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* fy_find_node: the first phase of that name, by binary search, or -1. */
static int
fy_find_node(const fy_named *byname, int n, const char *name)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(byname[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(byname[lo].name, name) == 0 ? byname[lo].i : -1;
}

static bool
fy_cycle(const fy_depnode *nodes, const int *path, int depth, int j, fy_error *err)
{
	fy_buf		b;
	int			start = 0;

	while (path[start] != j)
		start++;
	fy_buf_init(&b);
	for (int k = start; k <= depth; k++)
		fy_buf_addf(&b, "%s -> ", nodes[path[k]].name);
	fy_buf_add(&b, nodes[j].name);
	fy_fail(err, FY_ERR_INVALID_SPEC, "phases depend on each other in a cycle: %s",
			b.oom ? "?" : b.data);
	fy_hint(err, "Remove one of these dependencies (a \"ref\" or \"depends_on\").");
	fy_buf_free(&b);
	return false;
}

/*
 * fy_dependency_order: a depth-first topological sort over the phases in
 * their given order, so independent phases keep the order they were
 * defined in.  The walk keeps its own stack (path, and next: the dependency
 * of each path node to look at next) rather than recursing, so a chain of
 * thousands of phases cannot overflow a server's stack.  state: 0
 * unvisited, 1 on the current path, 2 placed.
 */
bool
fy_dependency_order(const fy_depnode *nodes, int n, int *order, fy_error *err)
{
	size_t		cnt = (size_t) (n < 0 ? 0 : n) + 1;
	int		   *state = fy_alloc(sizeof(int) * cnt * 3);	/* then path, next */
	fy_named   *byname = fy_alloc(sizeof(fy_named) * cnt);
	int		   *path;
	int		   *next;
	int			placed = 0;
	bool		ok = true;

	if (state == NULL || byname == NULL)
	{
		fy_release(state);
		fy_release(byname);
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	}
	for (int i = 0; i < n; i++)
		byname[i] = (fy_named) {nodes[i].name, i};
	qsort(byname, (size_t) (n < 0 ? 0 : n), sizeof(fy_named), fy_cmp_named);
	memset(state, 0, sizeof(int) * cnt);
	path = state + cnt;
	next = path + cnt;
	for (int i = 0; i < n && ok; i++)
	{
		int			depth = 0;

		if (state[i] == 2)
			continue;
		state[i] = 1;
		path[0] = i;
		next[0] = 0;
		while (ok && depth >= 0)
		{
			const fy_depnode *v = &nodes[path[depth]];
			int			j;

			if (next[depth] == v->ndeps)
			{
				state[path[depth]] = 2;
				order[placed++] = path[depth--];
				continue;
			}
			j = fy_find_node(byname, n, v->deps[next[depth]++]);
			if (j < 0)
			{
				ok = fy_fail(err, FY_ERR_UNDEFINED_PHASE,
							 "phase \"%s\" depends on phase \"%s\", which does not exist",
							 v->name, v->deps[next[depth] - 1]);
				fy_hint(err, "Define phase \"%s\" first.", v->deps[next[depth] - 1]);
			}
			else if (state[j] == 1)
				ok = fy_cycle(nodes, path, depth, j, err);
			else if (state[j] == 0)
			{
				state[j] = 1;
				path[++depth] = j;
				next[depth] = 0;
			}
		}
	}
	fy_release(state);
	fy_release(byname);
	return ok;
}
