/*
 * preflight.c (pg_extension) -- preflight(name): what migrate_phase would
 * find wrong with a phase, before any write; and ferry.value_fits, the
 * cast test its casts check runs.
 *
 * preflight writes nothing: the phase is read without a row lock, every
 * step runs in an internal subtransaction that is always rolled back (so
 * even a volatile function in a spec's sql expression leaves no trace,
 * sequences excepted), and every check statement runs read-only.
 */
#include "ferry.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

PG_FUNCTION_INFO_V1(preflight);
PG_FUNCTION_INFO_V1(value_fits);

/*
 * fpg_swallowed: the errors preflight reports as a finding rather than
 * raising.  Cancels, shutdowns, resource exhaustion, serialization
 * failures, transaction-state errors (a read-only transaction refusing a
 * lock) and internal errors are the caller's business and propagate; so
 * is a missing privilege (42501), which raises as it would from
 * migrate_phase rather than turn into a finding that looks checked.
 */
static bool
fpg_swallowed(const ErrorData *edata)
{
	int			class = ERRCODE_TO_CATEGORY(edata->sqlerrcode);

	return class != ERRCODE_TO_CATEGORY(ERRCODE_QUERY_CANCELED) &&	/* 57 */
		class != ERRCODE_TO_CATEGORY(ERRCODE_OUT_OF_MEMORY) &&	/* 53 */
		class != ERRCODE_TO_CATEGORY(ERRCODE_IO_ERROR) &&	/* 58 */
		class != ERRCODE_TO_CATEGORY(ERRCODE_T_R_SERIALIZATION_FAILURE) &&	/* 40 */
		class != ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR) &&	/* XX */
		class != ERRCODE_TO_CATEGORY(ERRCODE_INVALID_TRANSACTION_STATE) &&	/* 25 */
		class != ERRCODE_TO_CATEGORY(ERRCODE_PROGRAM_LIMIT_EXCEEDED) &&	/* 54 */
		edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE;
}

typedef void (*fpg_step) (void *arg);

/*
 * fpg_try_rolled_back runs step inside an internal subtransaction (the
 * pattern plpgsql's exception blocks use) and always rolls it back: what
 * the step wrote, locked or raised is undone, and what it computed
 * survives in the caller's memory context.  Returns the error the step
 * raised, or NULL; an error fpg_swallowed refuses is raised again.
 */
static ErrorData *
fpg_try_rolled_back(fpg_step step, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		step(arg);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	if (edata != NULL && !fpg_swallowed(edata))
		ReThrowError(edata);
	return edata;
}

/* ---------------------------------------------------------- the phase */

typedef struct fpg_preflight
{
	fpg_phase	ph;
	/* per statement: what it found */
	int64	   *failures;
	char	  **samples;
	char	  **errors;
	int			current;
	const fy_plan *plan;
} fpg_preflight;

/*
 * fpg_preflight_uniques gives the core the target's unique indexes on
 * plain columns, without a predicate (a partial index binds only some
 * rows), key columns only (not INCLUDE), in index column order.
 */
static void
fpg_preflight_uniques(fy_meta *meta)
{
	Datum		args[2] = {CStringGetTextDatum(meta->target.schema),
	CStringGetTextDatum(meta->target.name)};
	Oid			types[2] = {TEXTOID, TEXTOID};
	SPITupleTable *tt;
	uint64		n;
	const char **cols;
	int			ncols = 0;

	if (SPI_execute_with_args("SELECT c.relname::text, a.attname::text"
							  " FROM pg_catalog.pg_index i"
							  " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
							  " JOIN pg_catalog.pg_class r ON r.oid = i.indrelid"
							  " JOIN pg_catalog.pg_namespace ns ON ns.oid = r.relnamespace"
							  " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
							  " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
							  " WHERE ns.nspname = $1 AND r.relname = $2 AND i.indisunique AND i.indisvalid"
							  " AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts"
							  " ORDER BY c.relname, k.ord",
							  2, types, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read the target's unique indexes");
	tt = SPI_tuptable;
	n = SPI_processed;
	cols = palloc(sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		char	   *index = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);

		cols[ncols++] = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
		if (i + 1 == n || strcmp(index, SPI_getvalue(tt->vals[i + 1], tt->tupdesc, 1)) != 0)
		{
			if (!fy_meta_add_unique(meta, index, cols, ncols))
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			ncols = 0;
		}
	}
}

/* fpg_preflight_resolve: the step that may fail on a changed schema. */
static void
fpg_preflight_resolve(void *arg)
{
	fpg_preflight *pf = arg;

	pf->ph.meta = fpg_resolve(pf->ph.phase, pf->ph.id);
	fpg_preflight_uniques(pf->ph.meta);
}

/*
 * fpg_preflight_run_one runs the current check statement read-only and
 * keeps its count and sample; a failure is kept by the caller instead.
 */
static void
fpg_preflight_run_one(void *arg)
{
	fpg_preflight *pf = arg;
	const fy_stmt *st = &pf->plan->stmts[pf->current];

	if (SPI_execute(st->sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: a preflight statement is not a SELECT");
	pf->failures[pf->current] = fpg_count_value(1);
	pf->samples[pf->current] = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
}

/* What fpg_preflight_row needs to put a row of the report. */
typedef struct fpg_preflight_out
{
	ReturnSetInfo *rsinfo;
	const char *phase;
} fpg_preflight_out;

/* fpg_preflight_row: one row of the report (fy_preflight_report's emit). */
static void
fpg_preflight_row(void *ctx, const fy_check *c, bool has_rows, int64_t rows,
				  const char *sample)
{
	fpg_preflight_out *out = ctx;
	Datum		values[6];
	bool		nulls[6] = {0};

	values[0] = CStringGetTextDatum(out->phase);
	values[1] = CStringGetTextDatum(c->name);
	values[2] = CStringGetTextDatum(c->status);
	values[3] = Int64GetDatum(rows);
	nulls[3] = !has_rows;
	values[4] = CStringGetTextDatum(c->details);
	nulls[5] = sample == NULL;
	values[5] = sample ? CStringGetTextDatum(sample) : (Datum) 0;
	tuplestore_putvalues(out->rsinfo->setResult, out->rsinfo->setDesc, values, nulls);
}

/*
 * fpg_preflight_phase reports every check of a phase in the core's order
 * (fy_preflight_report): each finding as a row, one OK row for a check
 * that finds nothing, an ERROR row for a check whose statement failed
 * (migrate_phase would most likely fail the same way), and when the
 * phase's relations do not resolve, that as the relations ERROR and every
 * other check as not checked.
 */
static void
fpg_preflight_phase(ReturnSetInfo *rsinfo, const char *name)
{
	fpg_preflight pf = {0};
	fpg_preflight_out out = {rsinfo, name};
	ErrorData  *edata;
	fy_error	err = {0};
	fy_plan    *plan;

	fpg_load(name, &pf.ph, 0);	/* no row lock: preflight works read-only */
	edata = fpg_try_rolled_back(fpg_preflight_resolve, &pf);
	if (edata != NULL)
	{
		fy_preflight_report(FY_POSTGRES, NULL, NULL, NULL, NULL, edata->message,
							fpg_preflight_row, &out);
		return;
	}
	plan = fy_plan_preflight(pf.ph.phase, pf.ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	pf.plan = plan;
	pf.failures = palloc0(sizeof(int64) * (plan->nstmts + 1));
	pf.samples = palloc0(sizeof(char *) * (plan->nstmts + 1));
	pf.errors = palloc0(sizeof(char *) * (plan->nstmts + 1));
	for (pf.current = 0; pf.current < plan->nstmts; pf.current++)
	{
		edata = fpg_try_rolled_back(fpg_preflight_run_one, &pf);
		if (edata != NULL)
			pf.errors[pf.current] = edata->message;
	}
	fy_preflight_report(FY_POSTGRES, plan, pf.failures, (const char *const *) pf.samples,
						(const char *const *) pf.errors, NULL, fpg_preflight_row, &out);
	fy_plan_free(plan);
}

/* preflight(name): the report; see fpg_preflight_phase. */
Datum
preflight(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_preflight_phase((ReturnSetInfo *) fcinfo->resultinfo, name);
	SPI_finish();
	return (Datum) 0;
}

/* ------------------------------------------------------------ value_fits */

/*
 * The conversion of one (source type, target type, explicit) triple,
 * prepared once per call site: the coercion the INSERT would apply,
 * built over a placeholder (a CaseTestExpr, which reads its value from
 * the expression context) and compiled.
 */
typedef struct fpg_fits
{
	Oid			source;
	char	   *type_name;
	bool		explicit_cast;
	bool		always;			/* no conversion: every value fits */
	bool		never;			/* no conversion path: no value fits */
	ExprState  *state;
	ExprContext *econtext;
} fpg_fits;

/*
 * fpg_fits_prepare builds the conversion with coerce_to_target_type, the
 * function the parser uses for an INSERT's values (assignment), or for a
 * CAST (explicit) -- so a value fits exactly when the run would take it,
 * typmods included (varchar(10), numeric(5,2)) and domain constraints too.
 */
static fpg_fits *
fpg_fits_prepare(FunctionCallInfo fcinfo, Oid source, const char *type_name,
				 bool explicit_cast)
{
	fpg_fits   *f = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	CaseTestExpr *placeholder;
	Node	   *expr;
	Oid			target;
	int32		typmod;

	if (f != NULL && f->source == source && f->explicit_cast == explicit_cast &&
		strcmp(f->type_name, type_name) == 0)
		return f;
	/* the entry is built aside and cached only when complete */
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (f != NULL)
	{
		fcinfo->flinfo->fn_extra = NULL;
		if (f->econtext)
			FreeExprContext(f->econtext, true);
	}
	f = palloc0(sizeof(fpg_fits));
	parseTypeString(type_name, &target, &typmod, false);
	placeholder = makeNode(CaseTestExpr);
	placeholder->typeId = source;
	placeholder->typeMod = -1;
	placeholder->collation = get_typcollation(source);
	if (explicit_cast)
	{
		/*
		 * The run casts to the unmodified type and the INSERT applies the
		 * modifier by assignment, which raises where a cast would truncate
		 * (fy_cast_type): judge the two steps the same way.
		 */
		expr = coerce_to_target_type(NULL, (Node *) placeholder, source, target, -1,
									 COERCION_EXPLICIT, COERCE_EXPLICIT_CAST, -1);
		if (expr != NULL && typmod >= 0)
			expr = coerce_to_target_type(NULL, expr, target, target, typmod,
										 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	}
	else
		expr = coerce_to_target_type(NULL, (Node *) placeholder, source, target, typmod,
									 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
		f->never = true;
	else if (expr == (Node *) placeholder ||
			 (IsA(expr, RelabelType) && ((RelabelType *) expr)->arg == (Expr *) placeholder))
		f->always = true;
	else
	{
		ParseState *pstate = make_parsestate(NULL);

		assign_expr_collations(pstate, expr);
		free_parsestate(pstate);
		fix_opfuncids(expr);
		f->state = ExecInitExpr((Expr *) expr, NULL);
		f->econtext = CreateStandaloneExprContext();
	}
	f->source = source;
	f->type_name = pstrdup(type_name);
	f->explicit_cast = explicit_cast;
	fcinfo->flinfo->fn_extra = f;
	MemoryContextSwitchTo(old);
	return f;
}

/*
 * value_fits(value anyelement, type_name text, explicit_cast boolean):
 * whether the target type takes value, converted as the run would convert
 * it.  PostgreSQL 15 has no pg_input_is_valid, so the conversion runs in an
 * internal subtransaction and a data exception (class 22) or a domain's
 * constraint (class 23) means false; any other error propagates.  STRICT:
 * a NULL fits any type (NOT NULL is its own check).
 */
Datum
value_fits(PG_FUNCTION_ARGS)
{
	Oid			source = get_fn_expr_argtype(fcinfo->flinfo, 0);
	char	   *type_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	fpg_fits   *f = fpg_fits_prepare(fcinfo, source, type_name, PG_GETARG_BOOL(2));
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		fits = true;
	ErrorData  *edata = NULL;

	if (f->always)
		PG_RETURN_BOOL(true);
	if (f->never)
		PG_RETURN_BOOL(false);
	f->econtext->caseValue_datum = PG_GETARG_DATUM(0);
	f->econtext->caseValue_isNull = false;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		bool		isnull;

		(void) ExecEvalExprSwitchContext(f->state, f->econtext, &isnull);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		edata = fpg_subxact_error(cxt, owner);
		fits = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	ResetExprContext(f->econtext);
	if (edata != NULL)
	{
		int			class = ERRCODE_TO_CATEGORY(edata->sqlerrcode);

		if (class != ERRCODE_TO_CATEGORY(ERRCODE_DATA_EXCEPTION) &&
			class != ERRCODE_TO_CATEGORY(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION))
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_RETURN_BOOL(fits);
}
