/*
 * fuzz_plan.c -- libFuzzer: the planner (spec + metadata -> SQL) on both
 * dialects, with hostile names.
 *
 * The input chooses the shape of a phase (key generation, composite keys,
 * column forms, merge_on, refs, update, sync) and the bytes of every name in
 * it: schemas, tables, columns, the phase, the referenced phase, json member
 * keys, mapped values, the compat view, the key range of a batch.  Each name
 * is built from the input's bytes with a DEL byte (0x7F) before every one of
 * them, and the planner itself never writes a DEL.  So a name's byte that
 * lands in the SQL outside a quoted identifier or a string literal comes
 * with a DEL beside it.
 *
 * Every statement of every plan (define, probe, drop, migrate in one go and
 * by key range, fast and safe, key scans, accounting, rollback, validate,
 * drift, dependencies, preflight, sync for each event, MariaDB's sync
 * triggers and a batch narrowed to a trigger's row, compat view) is then
 * read as its dialect's lexer would read it -- quoted identifiers ("" or ``
 * doubled), string literals ('' doubled; backslash escapes in E'' on
 * PostgreSQL and in every literal on MariaDB, whose procedures run without
 * NO_BACKSLASH_ESCAPES; "..." is a string on MariaDB) -- and must have no
 * DEL outside them, no unterminated quote, no ';' (a second statement; a
 * MariaDB compound statement has its own) and no comment outside them.  A plan that is refused must say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry.h"

#define FZ_DEL '\x7F'
#define FZ_MAXNAME 12			/* input bytes per name: phase names <= 63 */

typedef struct fz
{
	const uint8_t *p;
	size_t		n;
	int			names;			/* names made so far, for a unique suffix */
	char	   *made[128];		/* to free */
} fz;

static unsigned
fz_byte(fz *z)
{
	if (z->n == 0)
		return 0;
	z->n--;
	return *z->p++;
}

/*
 * fz_name: the next name, from input bytes up to 0xFF (NUL dropped), each
 * after a DEL, ending in DEL and a letter of its own so that no two names
 * are equal.
 */
static const char *
fz_name(fz *z)
{
	char	   *s = malloc(FZ_MAXNAME * 2 + 3);
	size_t		len = 0;

	if (s == NULL || z->names >= 128)
		abort();
	for (int i = 0; i < FZ_MAXNAME && z->n > 0 && *z->p != 0xFF; i++)
	{
		unsigned	c = fz_byte(z);

		if (c != 0)
		{
			s[len++] = FZ_DEL;
			s[len++] = (char) c;
		}
	}
	if (z->n > 0)
		fz_byte(z);				/* the 0xFF */
	s[len++] = FZ_DEL;
	s[len++] = (char) ('A' + z->names % 26);
	s[len] = '\0';
	z->made[z->names++] = s;
	return s;
}

/* fz_relname: schema.table in a spec's syntax, both parts quoted. */
static char *
fz_relname(const char *schema, const char *name)
{
	char	   *out = malloc(strlen(schema) * 2 + strlen(name) * 2 + 6);
	char	   *o = out;
	const char *parts[2] = {schema, name};

	if (out == NULL)
		abort();
	for (int k = 0; k < 2; k++)
	{
		if (k == 1)
			*o++ = '.';
		*o++ = '"';
		for (const char *p = parts[k]; *p; p++)
		{
			if (*p == '"')
				*o++ = '"';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o = '\0';
	return out;
}

/* fz_quoted: from p at an opening quote q to just past its closing one. */
static const char *
fz_quoted(const char *p, char q, int backslash)
{
	for (p++;; p++)
	{
		if (*p == '\0')
			abort();			/* unterminated */
		if (backslash && *p == '\\')
		{
			if (*++p == '\0')
				abort();
		}
		else if (*p == q)
		{
			if (p[1] != q)
				return p + 1;
			p++;
		}
	}
}

/*
 * fz_check_sql: nothing of a name outside quotes, one statement, no comment.
 * A MariaDB compound statement (a sync trigger, a trigger body's block)
 * separates its inner statements by ';': still one statement to the server.
 */
static void
fz_check_sql(const char *sql, fy_dialect d)
{
	const char *p = sql;
	char		ident = d == FY_POSTGRES ? '"' : '`';
	int			compound = d == FY_MARIADB &&
		(strncmp(sql, "CREATE TRIGGER ", 15) == 0 || strncmp(sql, "BEGIN ", 6) == 0 ||
		 strncmp(sql, "IF ", 3) == 0);

	while (*p)
	{
		if (*p == FZ_DEL || (*p == ';' && !compound) || (*p == '-' && p[1] == '-') ||
			(*p == '/' && p[1] == '*') || (d == FY_MARIADB && *p == '#'))
		{
			fprintf(stderr, "fuzz_plan: unquoted at byte %zu of: %s\n",
					(size_t) (p - sql), sql);
			abort();
		}
		if (*p == ident)
			p = fz_quoted(p, ident, 0);
		else if (*p == '\'')
			p = fz_quoted(p, '\'', d == FY_MARIADB ||
						  (p > sql && (p[-1] == 'E' || p[-1] == 'e')));
		else if (d == FY_MARIADB && *p == '"')
			p = fz_quoted(p, '"', 1);
		else
			p++;
	}
}

/* fz_plan: a plan's statements pass fz_check_sql, a refusal says why. */
static void
fz_plan(fy_plan *plan, const fy_error *err, fy_dialect d)
{
	if (plan == NULL)
	{
		if (err->code == FY_OK || err->message[0] == '\0')
			abort();
		return;
	}
	for (int i = 0; i < plan->nstmts; i++)
		fz_check_sql(plan->stmts[i].sql, d);
	fy_plan_free(plan);
}

static const char *const fz_pg_types[] = {"text", "bigint", "integer", "jsonb", "uuid",
	"timestamp with time zone", "numeric", "boolean", "character varying(10)"};
static const char *const fz_my_types[] = {"text", "bigint", "int", "json", "char(36)",
	"datetime", "decimal(10,2)", "tinyint(1)", "varchar(10)"};

static void
fz_add_col(cJSON *cols, const char *name, const char *type, unsigned bits)
{
	cJSON	   *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddBoolToObject(c, "notnull", bits & 1);
	cJSON_AddBoolToObject(c, "hasdefault", (bits & 2) != 0);
	cJSON_AddItemToArray(cols, c);
}

static cJSON *
fz_rel(const char *schema, const char *name)
{
	cJSON	   *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "schema", schema);
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddItemToObject(r, "columns", cJSON_CreateArray());
	return r;
}

/*
 * The type index of a target column filled by a form: 0 text, 1 bigint,
 * 3 json, 4 uuid, 5 timestamp, 6 numeric.
 */
static const int fz_form_type[] = {0, 0, 0, 0, 3, 4, 5, 3, 3};
static const char *const fz_converts[] = {"epoch_to_timestamp", "timestamp_to_epoch",
	"cents_to_decimal", "decimal_to_cents", "flag_to_deleted_at", "deleted_at_to_flag",
"keys_to_snake_case", "keys_to_pascal_case", "keys_to_camel_case"};
static const char *const fz_merges[] = {"min", "max", "first", "last",
"first_non_null", "sum", "count"};
static const char *const fz_generate[] = {"uuid_v5", "uuid_v4", "uuid_v7", "keep", "default"};
static const char *const fz_missing[] = {"reject", "null", "error"};
static const char *const fz_formats[] = {"json", "php", "query", "kv", "kv:&:="};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz			z = {data, size, 0, {0}};
	unsigned	shape = fz_byte(&z) | fz_byte(&z) << 8 | fz_byte(&z) << 16;
	int			ncols = (int) fz_byte(&z) % 7;
	int			nkeys = (shape & 1) ? 2 : 1;
	int			keygen = (int) (shape >> 1) % 5;
	int			legacy = (shape & 8) != 0;
	int			merge = (shape & 16) != 0;
	int			update = (shape & 32) != 0;
	int			soft = (shape & 64) != 0;
	const char *cat = fz_name(&z),
			   *fun = fz_name(&z),
			   *ss = fz_name(&z),
			   *sn = fz_name(&z),
			   *ts = fz_name(&z),
			   *tn = fz_name(&z),
			   *phase = fz_name(&z),
			   *refphase = fz_name(&z),
			   *tkey = fz_name(&z),
			   *lcol = fz_name(&z),
			   *mcol = fz_name(&z);
	const char *keys[2] = {fz_name(&z), fz_name(&z)};
	const char *lo[2] = {fz_name(&z), fz_name(&z)};
	const char *hi[2] = {fz_name(&z), fz_name(&z)};
	const char *view = fz_name(&z);
	cJSON	   *spec = cJSON_CreateObject();
	cJSON	   *columns = cJSON_CreateObject();
	cJSON	   *metas[2];
	char	   *rel;
	char	   *spec_text;

	/* the spec */
	rel = fz_relname(ss, sn);
	cJSON_AddStringToObject(spec, "source", rel);
	free(rel);
	rel = fz_relname(ts, tn);
	cJSON_AddStringToObject(spec, "target", rel);
	free(rel);
	cJSON_AddItemToObject(spec, "source_key", cJSON_CreateStringArray(keys, nkeys));
	{
		cJSON	   *tk = cJSON_CreateObject();

		cJSON_AddStringToObject(tk, "column", tkey);
		cJSON_AddStringToObject(tk, "generate", fz_generate[keygen]);
		cJSON_AddItemToObject(spec, "target_key", tk);
	}
	if (legacy)
		cJSON_AddStringToObject(spec, "legacy_column", lcol);
	if (merge)
		cJSON_AddItemToObject(spec, "merge_on", cJSON_CreateStringArray(&mcol, 1));
	if (update)
		cJSON_AddStringToObject(spec, "kind", "update");
	if (soft)
	{
		cJSON	   *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "soft", lcol);
		cJSON_AddItemToObject(spec, "on_source_delete", s);
	}
	if (shape & 128)
		cJSON_AddItemToObject(spec, "depends_on", cJSON_CreateStringArray(&refphase, 1));

	/* the metadata, one per dialect: the same names, each engine's types */
	for (int m = 0; m < 2; m++)
	{
		const char *const *types = m == 0 ? fz_pg_types : fz_my_types;
		cJSON	   *meta = cJSON_CreateObject();
		cJSON	   *src = fz_rel(ss, sn);
		cJSON	   *tgt = fz_rel(ts, tn);
		cJSON	   *refs = cJSON_CreateArray();
		cJSON	   *ref = cJSON_CreateObject();

		cJSON_AddStringToObject(meta, "catalog_schema", cat);
		if (m == 0)
			cJSON_AddStringToObject(meta, "func_schema", fun);
		cJSON_AddNumberToObject(meta, "phase_id", 1 + (shape >> 8) % 50);
		if (keygen == 4 && m == 1)
			cJSON_AddStringToObject(meta, "key_default", "AUTO_INCREMENT");
		for (int k = 0; k < nkeys; k++)
			fz_add_col(cJSON_GetObjectItem(src, "columns"), keys[k],
					   types[(shape >> (10 + k)) & 1], 1);
		fz_add_col(cJSON_GetObjectItem(src, "columns"), mcol, types[0], 0);
		fz_add_col(cJSON_GetObjectItem(tgt, "columns"), tkey,
				   types[keygen == 3 ? 1 : keygen == 4 ? 1 : 4], keygen == 4 ? 3 : 1);
		fz_add_col(cJSON_GetObjectItem(tgt, "columns"), lcol,
				   types[soft ? 5 : 1], 0);
		cJSON_AddStringToObject(ref, "phase", refphase);
		cJSON_AddNumberToObject(ref, "phase_id", 99);
		cJSON_AddNumberToObject(ref, "nkeys", 1);
		cJSON_AddStringToObject(ref, "target_schema", ts);
		cJSON_AddStringToObject(ref, "target_name", refphase);
		cJSON_AddStringToObject(ref, "target_key", tkey);
		cJSON_AddItemToArray(refs, ref);
		cJSON_AddItemToObject(meta, "source", src);
		cJSON_AddItemToObject(meta, "target", tgt);
		cJSON_AddItemToObject(meta, "refs", refs);
		metas[m] = meta;
	}

	/* the columns: each a form over a source column of its own */
	for (int i = 0; i < ncols; i++)
	{
		unsigned	b = fz_byte(&z);
		int			form = (int) (b % 9);
		const char *target = fz_name(&z),
				   *from = fz_name(&z),
				   *a = fz_name(&z),
				   *c = fz_name(&z);
		cJSON	   *col = cJSON_CreateObject();

		for (int m = 0; m < 2; m++)
		{
			const char *const *types = m == 0 ? fz_pg_types : fz_my_types;

			fz_add_col(cJSON_GetObjectItem(cJSON_GetObjectItem(metas[m], "source"), "columns"),
					   from, types[(b >> 4) % 9], 0);
			fz_add_col(cJSON_GetObjectItem(cJSON_GetObjectItem(metas[m], "target"), "columns"),
					   target, types[fz_form_type[form]], b >> 7);
		}
		switch (form)
		{
			case 0:
				cJSON_Delete(col);
				col = cJSON_CreateString(from);
				break;
			case 1:
				cJSON_AddStringToObject(col, "from", from);
				break;
			case 2:
				cJSON_AddStringToObject(col, "const", a);
				break;
			case 3:
				{
					cJSON	   *map = cJSON_CreateObject();

					cJSON_AddStringToObject(map, a, c);
					cJSON_AddStringToObject(col, "from", from);
					cJSON_AddItemToObject(col, "map", map);
					cJSON_AddStringToObject(col, "default", target);
					break;
				}
			case 4:
				{
					cJSON	   *json = cJSON_CreateObject();
					cJSON	   *k = cJSON_CreateObject();

					cJSON_AddStringToObject(json, a, from);
					cJSON_AddStringToObject(k, "const", target);
					cJSON_AddItemToObject(json, c, k);
					cJSON_AddItemToObject(col, "json", json);
					break;
				}
			case 5:
				cJSON_AddStringToObject(col, "from", from);
				cJSON_AddStringToObject(col, "ref", refphase);
				cJSON_AddStringToObject(col, "on_missing", fz_missing[(b >> 4) % 3]);
				break;
			case 6:
				cJSON_AddStringToObject(col, "from", from);
				cJSON_AddStringToObject(col, "convert", fz_converts[(b >> 4) % 9]);
				if ((b >> 4) % 9 == 4)
					cJSON_AddStringToObject(col, "at", mcol);
				break;
			case 7:
				{
					cJSON	   *ops = cJSON_CreateArray();
					cJSON	   *op = cJSON_CreateObject();

					cJSON_AddStringToObject(op, "op", "rename");
					cJSON_AddStringToObject(op, "from", a);
					cJSON_AddStringToObject(op, "to", c);
					cJSON_AddItemToArray(ops, op);
					cJSON_AddStringToObject(col, "from", from);
					cJSON_AddItemToObject(col, "restructure", ops);
					break;
				}
			case 8:
				cJSON_AddStringToObject(col, "from", from);
				cJSON_AddStringToObject(col, "parse", fz_formats[(b >> 4) % 5]);
				break;
		}
		if (merge && form != 0 && form != 2)
			cJSON_AddStringToObject(col, "merge", fz_merges[(b >> 4) % 7]);
		cJSON_AddItemToObject(columns, target, col);
		if (i == 0)
		{
			cJSON_AddItemToObject(spec, "required", cJSON_CreateStringArray(&target, 1));
			cJSON_AddItemToObject(spec, "unique", cJSON_CreateStringArray(&target, 1));
		}
	}
	cJSON_AddItemToObject(spec, "columns", columns);
	spec_text = cJSON_PrintUnformatted(spec);

	for (int m = 0; m < 2; m++)
	{
		fy_dialect	d = m == 0 ? FY_POSTGRES : FY_MARIADB;
		char	   *meta_text = cJSON_PrintUnformatted(metas[m]);
		fy_error	err = {0};
		fy_phase   *ph = fy_phase_parse(phase, spec_text, &err);
		fy_meta    *meta = ph ? fy_meta_parse(meta_text, &err) : NULL;

		if (meta == NULL)
		{
			if (err.code == FY_OK || err.message[0] == '\0')
				abort();
		}
		else
		{
			fy_keyrange range = {lo, hi, (shape >> 12) & 1, NULL};
			fy_keyrange from_lo = {lo, NULL, false, NULL};
			fy_keyrange at_row = {NULL, NULL, false, "NEW"};

#define FZ(call) do { fy_error e = {0}; fz_plan(call, &e, d); } while (0)
			FZ(fy_plan_define(ph, meta, d, &e));
			FZ(fy_plan_probe(ph, meta, d, &e));
			FZ(fy_plan_drop(ph, meta, d, &e));
			FZ(fy_plan_migrate(ph, meta, d, 42, &e));
			FZ(fy_plan_migrate_range(ph, meta, d, 42, &range, (shape >> 13) & 1, &e));
			FZ(fy_plan_migrate_range(ph, meta, d, 42, &from_lo, true, &e));
			FZ(fy_plan_keyscan(ph, meta, d, &range, (fy_scan) ((shape >> 14) % 3), 1000, &e));
			FZ(fy_plan_accounting(ph, meta, d, 42, &e));
			FZ(fy_plan_rollback(ph, meta, d, &e));
			FZ(fy_plan_validate(ph, meta, d, &e));
			FZ(fy_plan_drift(ph, meta, d, &e));
			FZ(fy_plan_dependencies(ph, meta, d, &e));
			FZ(fy_plan_preflight(ph, meta, d, &e));
			FZ(fy_plan_sync(ph, meta, d, FY_SYNC_INSERT, "new_rows", NULL, 42, false, &e));
			FZ(fy_plan_sync(ph, meta, d, FY_SYNC_UPDATE, "new_rows", "old_rows", 42, true, &e));
			FZ(fy_plan_sync(ph, meta, d, FY_SYNC_DELETE, NULL, "old_rows", 42, false, &e));
			if (d == FY_MARIADB)
			{
				FZ(fy_plan_migrate_range(ph, meta, d, 42, &at_row, false, &e));
				FZ(fy_plan_sync_triggers(ph, meta, 42, &e));
			}
			rel = fz_relname(ss, view);
			FZ(fy_plan_compat_view(ph, meta, d, rel, &e));
			free(rel);
#undef FZ
			fy_meta_free(meta);
		}
		if (ph)
			fy_phase_free(ph);
		cJSON_free(meta_text);
		cJSON_Delete(metas[m]);
	}
	cJSON_free(spec_text);
	cJSON_Delete(spec);
	for (int i = 0; i < z.names; i++)
		free(z.made[i]);
	return 0;
}
