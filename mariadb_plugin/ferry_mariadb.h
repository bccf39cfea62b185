/*
 * ferry_mariadb.h -- what the MariaDB UDF files share (mariadb_plugin/ferry.c).
 *
 * The UDFs only compute: they never open a connection or run SQL.  The
 * stored procedures of procedures.sql run what the planning UDFs return,
 * with the caller's rights.
 */
#ifndef FERRY_MARIADB_H
#define FERRY_MARIADB_H

/*
 * The UDF structures come from the client library's <mysql.h>.  Its
 * UDF_INIT declares max_length as unsigned int where the server has
 * unsigned long; the members before and after line up on every ABI we
 * build for (LP64, little-endian: the low half of the server's field), and
 * we only ever store values below 2^32 in it.
 */
#include <mysql.h>
#include <stdbool.h>

#include "../core/ferry.h"

/* The biggest text argument accepted (a spec, metadata); larger is an error. */
#define FYM_MAX_TEXT ((unsigned long) 64 * 1024 * 1024)

/* What an argument of a UDF must be; the server converts to it before the call. */
typedef enum fym_argkind
{
	FYM_TEXT,
	FYM_INT
} fym_argkind;

typedef struct fym_argdef
{
	const char *name;
	fym_argkind kind;
} fym_argdef;

/*
 * What a UDF is: its SQL name and arguments.  One per UDF, static, so the
 * checks, messages and conversions are written once, here.
 */
typedef struct fym_udf
{
	const char *name;
	const fym_argdef *args;
	unsigned	nargs;
	unsigned	max_length;		/* of the result */
} fym_udf;

/* The result size the planning UDFs declare: a LONGTEXT-sized string. */
#define FYM_JSON_LENGTH (16U * 1024 * 1024)

extern void fym_setup(void);
extern my_bool fym_init(const fym_udf *udf, UDF_INIT *initid, UDF_ARGS *args,
						char *message);
extern void fym_deinit(UDF_INIT *initid);
extern my_bool fym_refuse(const fym_udf *udf, const fy_error *err, char *message);

extern bool fym_text(const fym_udf *udf, UDF_ARGS *args, unsigned i,
					 char **out, fy_error *err);
extern bool fym_int(const fym_udf *udf, UDF_ARGS *args, unsigned i,
					long *out, fy_error *err);

extern char *fym_result(UDF_INIT *initid, char *text, unsigned long *length,
						char *is_null);
extern char *fym_reason_result(UDF_INIT *initid, const fy_error *err,
							   unsigned long *length, char *is_null);
extern char *fym_error_result(UDF_INIT *initid, const fy_error *err,
							  unsigned long *length, char *is_null);

/*
 * What a planning UDF takes after (name, spec, meta), found by argument
 * name: "run_id" (INT), "range" (a fy_keyrange as JSON), "scan" ('last',
 * 'nth' or 'count'), "n" (INT) and "view" (TEXT).  What a UDF does not take is 0 or NULL.
 */
typedef struct fym_plan_in
{
	long		run_id;
	const fy_keyrange *range;
	fy_scan		scan;
	long		n;
	char	   *view;			/* "view": a view's name (create_compat_view) */
} fym_plan_in;

/*
 * A planner with the argument list every planning UDF shares; the UDF
 * files adapt the core's fy_plan_* functions to it.
 */
typedef fy_plan *(*fym_planner) (const fy_phase *phase, const fy_meta *meta,
								 const fym_plan_in *in, fy_error *err);

extern char *fym_plan(const fym_udf *udf, fym_planner planner,
					  UDF_INIT *initid, UDF_ARGS *args,
					  unsigned long *length, char *is_null);

/* The argument lists of the planning UDFs: (name, spec, meta[, run_id]). */
extern const fym_argdef fym_plan_args[4];

#endif							/* FERRY_MARIADB_H */
