/*
 * meta.c -- what an engine resolved about a phase's relations.
 *
 * PostgreSQL fills an fy_meta from its catalog directly; MariaDB's
 * procedures read information_schema and hand it over as JSON.
 */
#include "ferry.h"

#include <string.h>

#include <cjson/cJSON.h>

fy_meta *
fy_meta_new(void)
{
	fy_arena   *arena = fy_arena_new();
	fy_meta    *meta;

	if (arena == NULL)
		return NULL;
	meta = fy_arena_alloc(arena, sizeof(fy_meta));
	if (meta == NULL)
	{
		fy_arena_free(arena);
		return NULL;
	}
	meta->arena = arena;
	return meta;
}

void
fy_meta_free(fy_meta *meta)
{
	if (meta != NULL)
		fy_arena_free(meta->arena);
}

/* fy_meta_add_column grows the column array by doubling (capacity = 2^k). */
fy_colmeta *
fy_meta_add_column(fy_meta *meta, fy_relmeta *rel, const char *name,
				   const char *type, bool notnull, bool hasdefault)
{
	fy_colmeta *c;

	if (rel->ncols == 0 || (rel->ncols & (rel->ncols - 1)) == 0)
	{
		size_t		cap = rel->ncols ? (size_t) rel->ncols * 2 : 8;
		fy_colmeta *cols = fy_arena_alloc(meta->arena, sizeof(fy_colmeta) * cap);

		if (cols == NULL)
			return NULL;
		if (rel->ncols)
			memcpy(cols, rel->cols, sizeof(fy_colmeta) * (size_t) rel->ncols);
		rel->cols = cols;
	}
	c = &rel->cols[rel->ncols];
	c->name = fy_arena_strdup(meta->arena, name);
	c->type = fy_arena_strdup(meta->arena, type);
	c->notnull = notnull;
	c->hasdefault = hasdefault;
	c->cast_type = NULL;
	if (c->name == NULL || c->type == NULL)
		return NULL;
	rel->ncols++;
	return c;
}

const fy_colmeta *
fy_meta_column(const fy_relmeta *rel, const char *name)
{
	for (int i = 0; i < rel->ncols; i++)
		if (strcmp(rel->cols[i].name, name) == 0)
			return &rel->cols[i];
	return NULL;
}

/*
 * fy_cast_type: the type a planned CAST names, which on PostgreSQL leaves out
 * a modifier that an explicit cast would truncate to (fy_colmeta.cast_type).
 */
const char *
fy_cast_type(const fy_colmeta *c)
{
	return c->cast_type ? c->cast_type : c->type;
}

bool
fy_meta_add_ref(fy_meta *meta, const char *phase, long phase_id, int nkeys)
{
	fy_refmeta *refs = fy_arena_alloc(meta->arena, sizeof(fy_refmeta) * (size_t) (meta->nrefs + 1));

	if (refs == NULL)
		return false;
	if (meta->nrefs)
		memcpy(refs, meta->refs, sizeof(fy_refmeta) * (size_t) meta->nrefs);
	refs[meta->nrefs].phase = fy_arena_strdup(meta->arena, phase);
	refs[meta->nrefs].phase_id = phase_id;
	refs[meta->nrefs].nkeys = nkeys;
	meta->refs = refs;
	meta->nrefs++;
	return refs[meta->nrefs - 1].phase != NULL;
}

const fy_refmeta *
fy_meta_ref(const fy_meta *meta, const char *phase)
{
	for (int i = 0; i < meta->nrefs; i++)
		if (strcmp(meta->refs[i].phase, phase) == 0)
			return &meta->refs[i];
	return NULL;
}

static const char *
fy_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
fy_meta_rel(fy_meta *meta, fy_relmeta *rel, const cJSON *o, const char *what,
			fy_error *err)
{
	const cJSON *cols;
	const cJSON *c;

	if (!cJSON_IsObject(o))
		return fy_fail(err, FY_ERR_INVALID_JSON, "metadata: \"%s\" must be an object", what);
	rel->schema = fy_arena_strdup(meta->arena, fy_json_str(o, "schema"));
	rel->name = fy_arena_strdup(meta->arena, fy_json_str(o, "name"));
	cols = cJSON_GetObjectItemCaseSensitive(o, "columns");
	if (!cJSON_IsArray(cols))
		return fy_fail(err, FY_ERR_INVALID_JSON,
					   "metadata: \"%s\" needs a \"columns\" array", what);
	cJSON_ArrayForEach(c, cols)
	{
		const char *name = fy_json_str(c, "name");
		const char *type = fy_json_str(c, "type");

		if (name == NULL || type == NULL)
			return fy_fail(err, FY_ERR_INVALID_JSON,
						   "metadata: every column of \"%s\" needs \"name\" and \"type\"", what);
		if (fy_meta_add_column(meta, rel, name, type,
							   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "notnull")),
							   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "hasdefault"))) == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	}
	return true;
}

/*
 * fy_meta_count: a positive whole number up to max, or 0; the range is
 * checked before the conversion, which is undefined outside long's.
 */
static long
fy_meta_count(const cJSON *v, long max)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= (double) max))
		return 0;
	return (long) v->valuedouble;
}

/*
 * fy_meta_uniques: the target's unique indexes, for preflight, as
 * [{"name": "...", "columns": ["a", "b"]}, ...] (absent: none).
 */
static void
fy_meta_uniques(fy_meta *meta, const cJSON *list, fy_error *err)
{
	const cJSON *u;

	cJSON_ArrayForEach(u, list)
	{
		const cJSON *cols = cJSON_GetObjectItemCaseSensitive(u, "columns");
		const char *names[64];
		int			n = 0;
		const cJSON *c;

		if (fy_json_str(u, "name") == NULL || !cJSON_IsArray(cols) ||
			cJSON_GetArraySize(cols) < 1 || cJSON_GetArraySize(cols) > 64)
		{
			fy_fail(err, FY_ERR_INVALID_JSON,
					"metadata: every entry of \"uniques\" needs \"name\" and 1 to 64 \"columns\"");
			return;
		}
		cJSON_ArrayForEach(c, cols)
		{
			if (!cJSON_IsString(c))
			{
				fy_fail(err, FY_ERR_INVALID_JSON,
						"metadata: the \"columns\" of a unique index must be names");
				return;
			}
			names[n++] = c->valuestring;
		}
		if (!fy_meta_add_unique(meta, fy_json_str(u, "name"), names, n))
		{
			fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			return;
		}
	}
}

fy_meta *
fy_meta_parse(const char *json, fy_error *err)
{
	cJSON	   *doc;
	fy_meta    *meta;
	const cJSON *id;

	if (json == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "metadata must not be NULL");
		return NULL;
	}
	doc = cJSON_Parse(json);
	if (doc == NULL)
	{
		fy_fail(err, FY_ERR_INVALID_JSON, "metadata is not valid JSON");
		return NULL;
	}
	meta = fy_meta_new();
	if (meta == NULL)
	{
		cJSON_Delete(doc);
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	meta->catalog_schema = fy_arena_strdup(meta->arena, fy_json_str(doc, "catalog_schema"));
	meta->map_schema = fy_arena_strdup(meta->arena, fy_json_str(doc, "map_schema"));
	meta->func_schema = fy_arena_strdup(meta->arena, fy_json_str(doc, "func_schema"));
	meta->key_default = fy_arena_strdup(meta->arena, fy_json_str(doc, "key_default"));
	id = cJSON_GetObjectItemCaseSensitive(doc, "phase_id");
	meta->phase_id = fy_meta_count(id, 1L << 53);
	if (meta->catalog_schema == NULL || meta->phase_id <= 0)
		fy_fail(err, FY_ERR_INVALID_JSON,
				"metadata needs \"catalog_schema\" and a positive \"phase_id\"");
	else if (fy_meta_rel(meta, &meta->source, cJSON_GetObjectItemCaseSensitive(doc, "source"), "source", err) &&
			 fy_meta_rel(meta, &meta->target, cJSON_GetObjectItemCaseSensitive(doc, "target"), "target", err))
	{
		const cJSON *r;

		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "refs"))
		{
			const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r, "phase_id");
			const cJSON *rk = cJSON_GetObjectItemCaseSensitive(r, "nkeys");

			if (fy_json_str(r, "phase") == NULL || fy_meta_count(rid, 1L << 53) <= 0 ||
				fy_meta_count(rk, 64) <= 0)
			{
				fy_fail(err, FY_ERR_INVALID_JSON,
						"metadata: every entry of \"refs\" needs \"phase\", \"phase_id\" and \"nkeys\"");
				break;
			}
			if (!fy_meta_add_ref(meta, fy_json_str(r, "phase"), (long) rid->valuedouble,
								 (int) rk->valuedouble))
			{
				fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
				break;
			}
			/* its target, when it resolves, for validating references */
			meta->refs[meta->nrefs - 1].target_schema =
				fy_arena_strdup(meta->arena, fy_json_str(r, "target_schema"));
			meta->refs[meta->nrefs - 1].target_name =
				fy_arena_strdup(meta->arena, fy_json_str(r, "target_name"));
			meta->refs[meta->nrefs - 1].target_key =
				fy_arena_strdup(meta->arena, fy_json_str(r, "target_key"));
		}
	}
	if (err->code == FY_OK)
		fy_meta_uniques(meta, cJSON_GetObjectItemCaseSensitive(doc, "uniques"), err);
	cJSON_Delete(doc);
	if (err->code != FY_OK)
	{
		fy_meta_free(meta);
		return NULL;
	}
	return meta;
}

/* A parsed key range and the arena that holds it (range first: freed by it). */
typedef struct fy_keyrange_owned
{
	fy_keyrange range;
	fy_arena   *arena;
} fy_keyrange_owned;

/* fy_keyrange_bound: one bound, an array of nkeys strings, or JSON null for none. */
static bool
fy_keyrange_bound(fy_arena *arena, const cJSON *v, const char *which, int nkeys,
				  const char *const **out, fy_error *err)
{
	const char **parts;
	const cJSON *p;
	int			i = 0;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != nkeys)
		return fy_fail(err, FY_ERR_INVALID_JSON,
					   "key range: \"%s\" must be an array of %d key value%s",
					   which, nkeys, nkeys == 1 ? "" : "s");
	if ((parts = fy_arena_alloc(arena, sizeof(char *) * (size_t) nkeys)) == NULL)
		return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	cJSON_ArrayForEach(p, v)
	{
		if (!cJSON_IsString(p))
			return fy_fail(err, FY_ERR_INVALID_JSON,
						   "key range: the values of \"%s\" must be strings", which);
		if ((parts[i++] = fy_arena_strdup(arena, p->valuestring)) == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = parts;
	return true;
}

fy_keyrange *
fy_keyrange_parse(const char *json, int nkeys, fy_error *err)
{
	cJSON	   *doc;
	fy_arena   *arena;
	fy_keyrange_owned *owned;
	bool		ok;

	if (json == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "key range must not be NULL");
		return NULL;
	}
	if ((doc = cJSON_Parse(json)) == NULL || !cJSON_IsObject(doc))
	{
		cJSON_Delete(doc);
		fy_fail(err, FY_ERR_INVALID_JSON, "key range is not a JSON object");
		return NULL;
	}
	arena = fy_arena_new();
	owned = arena ? fy_arena_alloc(arena, sizeof(*owned)) : NULL;
	if (owned == NULL)
		ok = fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	else
	{
		owned->arena = arena;
		owned->range.nulls = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "nulls"));
		ok = fy_keyrange_bound(arena, cJSON_GetObjectItemCaseSensitive(doc, "lo"), "lo",
							   nkeys, &owned->range.lo, err) &&
			fy_keyrange_bound(arena, cJSON_GetObjectItemCaseSensitive(doc, "hi"), "hi",
							  nkeys, &owned->range.hi, err);
	}
	cJSON_Delete(doc);
	if (!ok)
	{
		fy_arena_free(arena);
		return NULL;
	}
	return &owned->range;
}

/* fy_keyrange_free: a range of fy_keyrange_parse, with everything it holds. */
void
fy_keyrange_free(fy_keyrange *range)
{
	if (range != NULL)
		fy_arena_free(((fy_keyrange_owned *) range)->arena);
}
