/*
 * idmap.c (pg_extension) -- map_id and legacy_id, and the helpers behind
 * the id_mappings and migration_status views.
 *
 * A phase's id map ferry.map_<id> holds legacy_1..legacy_n (typed like the
 * source key), new_key (typed like the target key) and run_id, keyed on the
 * legacy columns and indexed on new_key.  map_id and legacy_id are meant to
 * be called once per row of a set-based statement
 * (UPDATE orders SET event_id = map_id('wedding_data', o.wedding_id, NULL::uuid)),
 * so each call site keeps the phase it resolved and a prepared plan in
 * fn_extra: a row costs one index probe, not a catalog lookup and a parse.
 *
 * Everything runs with the caller's rights through SPI; nothing here
 * switches user.
 */
#include "ferry.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tstoreReceiver.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(map_id);
PG_FUNCTION_INFO_V1(legacy_id);
PG_FUNCTION_INFO_V1(id_map_entries);
PG_FUNCTION_INFO_V1(id_map_count);

/* What a phase's id map table looks like. */
typedef struct fpg_mapdesc
{
	int64		phase_id;
	int			nkeys;			/* legacy_1 .. legacy_nkeys */
	Oid		   *legacy_types;
	Oid			new_type;
} fpg_mapdesc;

/*
 * What one call site of map_id or legacy_id resolved, in fn_mcxt.  The
 * phase argument is usually a constant; when it changes from row to row
 * the cache is rebuilt for the new phase.
 */
typedef struct fpg_lookup
{
	char	   *phase;			/* the phase resolved, NULL until resolved */
	int64		phase_id;
	int			nkeys;
	int			nparams;
	bool		parts;			/* map_id: the key argument is an array of parts */
	Oid			argtype;		/* the key argument's type */
	Oid			elemtype;		/* its element type when parts */
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Oid			restype;		/* text, or the type of as_type */
	int16		reslen;
	bool		resbyval;
	SPIPlanPtr	plan;			/* saved with SPI_keepplan */
	MemoryContextCallback release;
} fpg_lookup;

typedef struct fpg_lookup_ctx
{
	const char *func;
	const char *phase;
} fpg_lookup_ctx;

/* fpg_map_ident writes "ferry"."map_<id>" with the core's quoting. */
static void
fpg_map_ident(fy_buf *b, int64 phase_id)
{
	fy_meta		m;

	memset(&m, 0, sizeof(m));
	m.catalog_schema = "ferry";
	m.phase_id = (long) phase_id;
	fy_buf_map_table(b, &m, FY_POSTGRES);
}

/* fpg_legacy_col writes the i-th (1-based) legacy column, quoted. */
static void
fpg_legacy_col(fy_buf *b, int i)
{
	char		name[32];

	snprintf(name, sizeof(name), "legacy_%d", i);
	fy_buf_ident(b, FY_POSTGRES, name);
}

/*
 * fpg_legacy_text writes the legacy key as text, parts joined with '/':
 * the same text a uuid_v5 key is made from, so id_mappings shows what
 * the keys were generated from.
 */
static void
fpg_legacy_text(fy_buf *b, int nkeys)
{
	for (int i = 1; i <= nkeys; i++)
	{
		if (i > 1)
			fy_buf_add(b, " || '/' || ");
		fpg_legacy_col(b, i);
		fy_buf_add(b, "::text");
	}
}

/* fpg_buf_done hands over a built statement; the core's builder only flags oom. */
static char *
fpg_buf_done(fy_buf *b)
{
	if (b->oom)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return b->data;
}

/*
 * fpg_map_describe reads the columns of a phase's map from its table,
 * not from the spec: the map is what lookups run against, and reading it
 * needs no spec parsing.  Resolving the name checks the caller's USAGE on
 * schema ferry; the caller's SELECT right is checked when the lookup runs.
 * Returns false for a missing map when missing_ok.
 */
static bool
fpg_map_describe(int64 phase_id, fpg_mapdesc *out, bool missing_ok)
{
	char		relname[32];
	Oid			relid;
	Relation	rel;
	TupleDesc	desc;

	snprintf(relname, sizeof(relname), "map_" INT64_FORMAT, phase_id);
	relid = RangeVarGetRelid(makeRangeVar("ferry", pstrdup(relname), -1),
							 AccessShareLock, true);
	if (!OidIsValid(relid))
	{
		if (missing_ok)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the id map ferry.%s of phase id " INT64_FORMAT " does not exist",
						relname, phase_id)));
	}
	rel = relation_open(relid, NoLock);
	desc = RelationGetDescr(rel);
	out->phase_id = phase_id;
	out->nkeys = 0;
	out->new_type = InvalidOid;
	out->legacy_types = palloc0(sizeof(Oid) * (desc->natts + 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		int			k;
		char		extra;

		if (att->attisdropped)
			continue;
		if (strcmp(NameStr(att->attname), "new_key") == 0)
			out->new_type = att->atttypid;
		else if (sscanf(NameStr(att->attname), "legacy_%d%c", &k, &extra) == 1 &&
				 k >= 1 && k <= desc->natts)
		{
			out->legacy_types[k - 1] = att->atttypid;
			out->nkeys = Max(out->nkeys, k);
		}
	}
	relation_close(rel, NoLock);
	for (int k = 0; k < out->nkeys; k++)
		if (!OidIsValid(out->legacy_types[k]))
			out->nkeys = 0;
	if (out->nkeys == 0 || !OidIsValid(out->new_type))
		elog(ERROR, "ferry: ferry.%s is not an id map (no legacy_N or new_key columns)", relname);
	return true;
}

/* fpg_phase_id finds a phase by name; an unknown phase is the caller's typo. */
static int64
fpg_phase_id(const char *phase)
{
	Datum		arg = CStringGetTextDatum(phase);
	Oid			type = TEXTOID;
	bool		isnull;

	if (SPI_execute_with_args("SELECT id FROM ferry.phases WHERE name = $1",
							  1, &type, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read ferry.phases");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("phase \"%.64s\" does not exist", phase),
				 errhint("Define it with define_phase('%.64s', spec); SELECT name FROM ferry.phases lists the phases.",
						 phase)));
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* fpg_lookup_release frees the saved plan when the call site goes away. */
static void
fpg_lookup_release(void *arg)
{
	fpg_lookup *lk = arg;

	if (lk->plan != NULL)
		SPI_freeplan(lk->plan);
	lk->plan = NULL;
}

/* fpg_lookup_errcontext names the function and phase: a cast error alone would not. */
static void
fpg_lookup_errcontext(void *arg)
{
	fpg_lookup_ctx *c = arg;

	errcontext("%s on phase \"%s\"", c->func, c->phase);
}

/*
 * fpg_map_id_sql: SELECT new_key::restype FROM map WHERE legacy_i = $i::type_i.
 * The parameter is cast to the column's type, without its typmod: the
 * index is then usable, and a varchar(3) column never matches a longer
 * key by truncating it.
 */
static void
fpg_map_id_sql(fy_buf *b, const fpg_mapdesc *md, fpg_lookup *lk, const char *phase)
{
	if (lk->parts)
		lk->nparams = md->nkeys;
	else if (md->nkeys > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("phase \"%s\" has a key of %d columns, but map_id got one %s value",
						phase, md->nkeys, format_type_be(lk->argtype)),
				 errhint("Pass the key's parts as an array, in the order of the phase's source_key: map_id('%s', ARRAY[...]).",
						 phase)));
	else
		lk->nparams = 1;
	fy_buf_add(b, "SELECT ");
	fy_buf_ident(b, FY_POSTGRES, "new_key");
	fy_buf_addf(b, "::%s FROM ", format_type_be_qualified(lk->restype));
	fpg_map_ident(b, md->phase_id);
	fy_buf_add(b, " WHERE ");
	for (int i = 1; i <= md->nkeys; i++)
	{
		if (i > 1)
			fy_buf_add(b, " AND ");
		fpg_legacy_col(b, i);
		fy_buf_addf(b, " = $%d::%s", i, format_type_be_qualified(md->legacy_types[i - 1]));
	}
}

/*
 * fpg_legacy_id_sql: SELECT legacy key FROM map WHERE new_key = $1::type
 * LIMIT 2 (two, so a new key that several legacy keys were merged into is
 * reported instead of answered at random).  The legacy key comes back as
 * restype: a one-column key cast to it; a composite key as an array of its
 * parts when restype is an array, else as text with the parts joined by '/'.
 */
static void
fpg_legacy_id_sql(fy_buf *b, const fpg_mapdesc *md, fpg_lookup *lk, const char *phase)
{
	Oid			elem = get_element_type(lk->restype);
	const char *res = format_type_be_qualified(lk->restype);
	char		category;
	bool		preferred;

	get_type_category_preferred(lk->restype, &category, &preferred);

	lk->nparams = 1;
	fy_buf_add(b, "SELECT ");
	if (OidIsValid(elem) && !OidIsValid(get_element_type(md->legacy_types[0])))
	{
		fy_buf_add(b, "ARRAY[");
		for (int i = 1; i <= md->nkeys; i++)
		{
			if (i > 1)
				fy_buf_add(b, ", ");
			fpg_legacy_col(b, i);
			fy_buf_addf(b, "::%s", format_type_be_qualified(elem));
		}
		fy_buf_addf(b, "]::%s", res);
	}
	else if (md->nkeys == 1)
	{
		fpg_legacy_col(b, 1);
		fy_buf_addf(b, "::%s", res);
	}
	else if (category == TYPCATEGORY_STRING)
	{
		fy_buf_add(b, "(");
		fpg_legacy_text(b, md->nkeys);
		fy_buf_addf(b, ")::%s", res);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("phase \"%s\" has a key of %d columns, which cannot be returned as one %s",
						phase, md->nkeys, format_type_be(lk->restype)),
				 errhint("Ask for an array of the parts (NULL::text[]) or for text, the parts joined with '/'.")));
	fy_buf_add(b, " FROM ");
	fpg_map_ident(b, md->phase_id);
	fy_buf_add(b, " WHERE ");
	fy_buf_ident(b, FY_POSTGRES, "new_key");
	fy_buf_addf(b, " = $1::%s LIMIT 2", format_type_be_qualified(md->new_type));
}

/*
 * fpg_lookup_prepare resolves the phase and prepares this call site's
 * lookup.  The old plan is freed first and lk->phase is set last, so an
 * error half-way leaves a cache that is simply rebuilt by the next call.
 */
static void
fpg_lookup_prepare(FunctionCallInfo fcinfo, fpg_lookup *lk, const char *phase,
				   bool to_new)
{
	fpg_mapdesc md;
	fy_buf		b;
	Oid		   *types;
	SPIPlanPtr	plan;

	if (lk->plan != NULL)
		SPI_freeplan(lk->plan);
	lk->plan = NULL;
	if (lk->phase != NULL)
		pfree(lk->phase);
	lk->phase = NULL;

	lk->argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	lk->restype = PG_NARGS() > 2 ? get_fn_expr_argtype(fcinfo->flinfo, 2) : TEXTOID;
	if (!OidIsValid(lk->argtype) || !OidIsValid(lk->restype))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s: could not determine the argument types", to_new ? "map_id" : "legacy_id")));
	get_typlenbyval(lk->restype, &lk->reslen, &lk->resbyval);

	SPI_connect();
	lk->phase_id = fpg_phase_id(phase);
	fpg_map_describe(lk->phase_id, &md, false);
	lk->nkeys = md.nkeys;
	lk->elemtype = get_element_type(lk->argtype);
	lk->parts = to_new && OidIsValid(lk->elemtype) &&
		!OidIsValid(get_element_type(md.legacy_types[0]));
	if (lk->parts)
		get_typlenbyvalalign(lk->elemtype, &lk->elmlen, &lk->elmbyval, &lk->elmalign);

	fy_buf_init(&b);
	if (to_new)
		fpg_map_id_sql(&b, &md, lk, phase);
	else
		fpg_legacy_id_sql(&b, &md, lk, phase);
	types = palloc(sizeof(Oid) * lk->nparams);
	for (int i = 0; i < lk->nparams; i++)
		types[i] = lk->parts ? lk->elemtype : lk->argtype;
	plan = SPI_prepare(fpg_buf_done(&b), lk->nparams, types);
	if (plan == NULL)
		elog(ERROR, "ferry: could not prepare the lookup: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	lk->plan = plan;
	SPI_finish();
	lk->phase = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, phase);
}

/*
 * fpg_lookup_call is map_id and legacy_id: one index probe through the call
 * site's prepared plan.  A NULL key, a key not in the map, or a composite
 * key with a NULL part gives NULL.  The probe reads with the calling
 * statement's snapshot (read_only), as a STABLE function should.
 */
static Datum
fpg_lookup_call(FunctionCallInfo fcinfo, bool to_new)
{
	const char *func = to_new ? "map_id" : "legacy_id";
	fpg_lookup *lk = fcinfo->flinfo->fn_extra;
	text	   *name;
	fpg_lookup_ctx ctx;
	ErrorContextCallback cb;
	Datum	   *values;
	char	   *nulls;
	Datum		result = (Datum) 0;
	bool		isnull = true;
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("phase name must not be NULL")));
	name = PG_GETARG_TEXT_PP(0);
	if (lk == NULL)
	{
		lk = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(fpg_lookup));
		lk->release.func = fpg_lookup_release;
		lk->release.arg = lk;
		MemoryContextRegisterResetCallback(fcinfo->flinfo->fn_mcxt, &lk->release);
		fcinfo->flinfo->fn_extra = lk;
	}
	ctx.func = func;
	ctx.phase = lk->phase;
	if (lk->phase == NULL ||
		strlen(lk->phase) != VARSIZE_ANY_EXHDR(name) ||
		memcmp(lk->phase, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) != 0)
		ctx.phase = text_to_cstring(name);
	cb.callback = fpg_lookup_errcontext;
	cb.arg = &ctx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	if (ctx.phase != lk->phase)
		fpg_lookup_prepare(fcinfo, lk, ctx.phase, to_new);
	if (PG_ARGISNULL(1))
	{
		error_context_stack = cb.previous;
		PG_RETURN_NULL();
	}
	values = palloc(sizeof(Datum) * lk->nparams);
	nulls = palloc(lk->nparams);
	if (lk->parts)
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *elemnulls;
		int			n;

		deconstruct_array(arr, lk->elemtype, lk->elmlen, lk->elmbyval, lk->elmalign,
						  &elems, &elemnulls, &n);
		if (n != lk->nkeys || ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("phase \"%s\" has a key of %d columns, but the array holds %d values",
							lk->phase, lk->nkeys, n),
					 errhint("Pass one value per source_key column, in the spec's order.")));
		for (int i = 0; i < n; i++)
		{
			if (elemnulls[i])
			{
				error_context_stack = cb.previous;
				PG_RETURN_NULL();
			}
			values[i] = elems[i];
			nulls[i] = ' ';
		}
	}
	else
	{
		values[0] = PG_GETARG_DATUM(1);
		nulls[0] = ' ';
	}

	SPI_connect();
	rc = SPI_execute_plan(lk->plan, values, nulls, true, 2);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "ferry: %s lookup failed: %s", func, SPI_result_code_string(rc));
	if (SPI_processed > 1)
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(lk->argtype, &out, &varlena);
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("phase \"%s\": new key %s maps back to more than one legacy key",
						lk->phase, OidOutputFunctionCall(out, values[0])),
				 errdetail("Several legacy rows were merged into this one."),
				 errhint("List them with SELECT legacy_id FROM id_mappings WHERE phase = '%s' AND new_id = '...'.",
						 lk->phase)));
	}
	if (SPI_processed == 1)
	{
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			result = SPI_datumTransfer(result, lk->resbyval, lk->reslen);
	}
	SPI_finish();
	error_context_stack = cb.previous;
	if (isnull)
		PG_RETURN_NULL();
	return result;
}

/*
 * map_id(phase, legacy_key [, as_type]) gives the new key a phase made of
 * a legacy key, so hand-written SQL can follow a migration without
 * joining the internal map table: as text, or typed like as_type.
 */
Datum
map_id(PG_FUNCTION_ARGS)
{
	return fpg_lookup_call(fcinfo, true);
}

/*
 * legacy_id(phase, new_key [, as_type]) is map_id backwards, for tracing a
 * new row to the legacy row it was made from.
 */
Datum
legacy_id(PG_FUNCTION_ARGS)
{
	return fpg_lookup_call(fcinfo, false);
}

/*
 * id_map_entries(phase_id) streams one phase's map as text (legacy key
 * parts joined with '/') for the id_mappings view: one SELECT for the whole
 * map, its rows sent straight into the result tuplestore (which spills to
 * disk) instead of being copied through SPI_tuptable.  The view calls it
 * once per phase, so a filter on the phase reads only that phase's map.
 * A map dropped meanwhile (drop_phase in another session) gives no rows,
 * so the view never fails for it.
 */
Datum
id_map_entries(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	fpg_mapdesc md;
	fy_buf		b;
	DestReceiver *dest;
	SPIExecuteOptions opt;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	SPI_connect();
	if (!fpg_map_describe(PG_GETARG_INT64(0), &md, true))
	{
		SPI_finish();
		return (Datum) 0;
	}
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT ");
	fpg_legacy_text(&b, md.nkeys);
	fy_buf_add(&b, ", ");
	fy_buf_ident(&b, FY_POSTGRES, "new_key");
	fy_buf_add(&b, "::text, ");
	fy_buf_ident(&b, FY_POSTGRES, "run_id");
	fy_buf_add(&b, " FROM ");
	fpg_map_ident(&b, md.phase_id);

	dest = CreateDestReceiver(DestTuplestore);
	SetTuplestoreDestReceiverParams(dest, rsinfo->setResult,
									rsinfo->econtext->ecxt_per_query_memory,
									false, rsinfo->setDesc,
									"ferry: the id map's columns do not match id_map_entries");
	memset(&opt, 0, sizeof(opt));
	opt.read_only = true;
	opt.dest = dest;
	rc = SPI_execute_extended(fpg_buf_done(&b), &opt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "ferry: reading ferry.map_" INT64_FORMAT " failed: %s",
			 md.phase_id, SPI_result_code_string(rc));
	dest->rDestroy(dest);
	SPI_finish();
	return (Datum) 0;
}

/*
 * id_map_count(phase_id) is the exact number of rows in a phase's map,
 * for migration_status (pg_class.reltuples is only an estimate).  NULL
 * when the map is gone.
 */
Datum
id_map_count(PG_FUNCTION_ARGS)
{
	fpg_mapdesc md;
	fy_buf		b;
	int64		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	SPI_connect();
	if (!fpg_map_describe(PG_GETARG_INT64(0), &md, true))
	{
		SPI_finish();
		PG_RETURN_NULL();
	}
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT count(*) FROM ");
	fpg_map_ident(&b, md.phase_id);
	if (SPI_execute(fpg_buf_done(&b), true, 1) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not count ferry.map_" INT64_FORMAT, md.phase_id);
	n = fpg_count_value(1);
	SPI_finish();
	PG_RETURN_INT64(n);
}

PG_FUNCTION_INFO_V1(row_hash);

/*
 * row_hash is the core's content hash of a row's text, so the hash kept in
 * an id map at migration time and the one of the target row today come
 * from the same function on every engine.
 */
Datum
row_hash(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT64(fy_row_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

PG_FUNCTION_INFO_V1(content_hash);

/* How content_hash reads one column of a row type. */
typedef enum fpg_hash_form
{
	FPG_HASH_BYVAL,				/* the datum itself */
	FPG_HASH_FIXED,				/* typlen bytes */
	FPG_HASH_VARLENA,			/* the detoasted bytes: a canonical form */
	FPG_HASH_TEXT				/* the output function's text */
} fpg_hash_form;

typedef struct fpg_hash_cache
{
	Oid			type;
	int32		typmod;
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	fpg_hash_form *form;
	FmgrInfo   *out;
} fpg_hash_cache;

/*
 * fpg_hash_varlena_canonical: the variable-length types whose stored bytes
 * are one per value as its text shows it (jsonb keys sorted and deduplicated,
 * numeric with its display scale), so hashing the bytes sees exactly the
 * changes the text would.  Others (arrays, composites, ranges, extension
 * types) are hashed in text, as ferry 0.1 hashed every column.
 */
static bool
fpg_hash_varlena_canonical(Oid type)
{
	switch (getBaseType(type))
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case BYTEAOID:
		case JSONOID:
		case JSONBOID:
		case NUMERICOID:
		case XMLOID:
			return true;
		default:
			return false;
	}
}

static fpg_hash_cache *
fpg_hash_setup(FunctionCallInfo fcinfo, Oid type, int32 typmod)
{
	fpg_hash_cache *c = fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (c != NULL && c->type == type && c->typmod == typmod)
		return c;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	c = palloc0(sizeof(*c));
	c->type = type;
	c->typmod = typmod;
	c->desc = lookup_rowtype_tupdesc_copy(type, typmod);
	c->values = palloc(sizeof(Datum) * Max(c->desc->natts, 1));
	c->nulls = palloc(sizeof(bool) * Max(c->desc->natts, 1));
	c->form = palloc(sizeof(fpg_hash_form) * Max(c->desc->natts, 1));
	c->out = palloc0(sizeof(FmgrInfo) * Max(c->desc->natts, 1));
	for (int i = 0; i < c->desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(c->desc, i);
		Oid			outfn;
		bool		varlena;

		if (a->attbyval)
			c->form[i] = FPG_HASH_BYVAL;
		else if (a->attlen > 0)
			c->form[i] = FPG_HASH_FIXED;
		else if (a->attlen == -1 && fpg_hash_varlena_canonical(a->atttypid))
			c->form[i] = FPG_HASH_VARLENA;
		else
		{
			c->form[i] = FPG_HASH_TEXT;
			getTypeOutputInfo(a->atttypid, &outfn, &varlena);
			fmgr_info_cxt(outfn, &c->out[i], fcinfo->flinfo->fn_mcxt);
		}
	}
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

/*
 * content_hash is the content hash PostgreSQL keeps in id maps for drift
 * detection: the typed values of a row hashed column by column, without
 * rendering them as text (which cost a fifth of a migration as SHA-1 of
 * ROW(...)::text).  NULL and every value contribute in column order, so
 * two rows hash alike only when every column has the same bytes.  It is
 * only ever compared with itself on the same server.
 */
Datum
content_hash(PG_FUNCTION_ARGS)
{
	HeapTupleHeader rec = PG_GETARG_HEAPTUPLEHEADER(0);
	fpg_hash_cache *c = fpg_hash_setup(fcinfo, HeapTupleHeaderGetTypeId(rec),
									   HeapTupleHeaderGetTypMod(rec));
	HeapTupleData tuple;
	uint64		h = UINT64CONST(0x66657279);	/* "fery" */

	tuple.t_len = HeapTupleHeaderGetDatumLength(rec);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = rec;
	heap_deform_tuple(&tuple, c->desc, c->values, c->nulls);
	for (int i = 0; i < c->desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(c->desc, i);
		Datum		v = c->values[i];
		uint64		one;

		if (c->nulls[i])
			one = UINT64CONST(0x9e3779b97f4a7c15);
		else if (c->form[i] == FPG_HASH_BYVAL)
			one = hash_bytes_extended((const unsigned char *) &v, sizeof(Datum), 1);
		else if (c->form[i] == FPG_HASH_FIXED)
			one = hash_bytes_extended((const unsigned char *) DatumGetPointer(v), a->attlen, 1);
		else if (c->form[i] == FPG_HASH_VARLENA)
		{
			struct varlena *p = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v));

			one = hash_bytes_extended((const unsigned char *) VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p), 1);
			if (p != (struct varlena *) DatumGetPointer(v))
				pfree(p);
		}
		else
		{
			char	   *t = OutputFunctionCall(&c->out[i], v);

			one = hash_bytes_extended((const unsigned char *) t, strlen(t), 1);
			pfree(t);
		}
		h = hash_combine64(h, one);
	}
	PG_RETURN_INT64((int64) h);
}

PG_FUNCTION_INFO_V1(rehash_content);

/*
 * rehash_content carries one phase's map over from ferry 0.1, whose
 * content hash was of the row's text (ALTER EXTENSION ferry UPDATE calls it
 * for every phase): without it every migrated row would look changed to
 * validation, rollback and sync.  Returns the entries rehashed.
 */
Datum
rehash_content(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase");
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	uint64		n = 0;

	SPI_connect();
	fpg_load(name, &ph, FPG_RESOLVE);
	plan = fy_plan_rehash(ph.phase, ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
		n += fpg_exec(&ph, &plan->stmts[i]);
	fy_plan_free(plan);
	SPI_finish();
	PG_RETURN_INT64((int64) n);
}
