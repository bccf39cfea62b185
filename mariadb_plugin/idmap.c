/*
 * idmap.c -- ferry_content_hash(value, ...) as a MariaDB UDF: the content
 * hash an id map keeps per migrated row (row_hash), as PostgreSQL's
 * ferry.content_hash does there.
 *
 * migrate_phase's plan sets it from the target rows it just wrote, and
 * validation (content_unchanged) and rollback's drift guard compare it with
 * the same call over the target rows today: both hash the stored columns,
 * so a row nobody touched always hashes alike.
 */
#include <stdio.h>

#include "ferry_mariadb.h"

my_bool		ferry_content_hash_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_content_hash_deinit(UDF_INIT *initid);
long long	ferry_content_hash(UDF_INIT *initid, UDF_ARGS *args, char *is_null,
							   char *error);

/*
 * ferry_content_hash_init: any number of values of any type but none; each
 * keeps the type the server gives it (integer, double, decimal or string),
 * any other is asked for as a string.
 */
my_bool
ferry_content_hash_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	if (args->arg_count == 0)
	{
		snprintf(message, MYSQL_ERRMSG_SIZE, "ferry_content_hash takes one value or more, not none");
		return 1;
	}
	for (unsigned i = 0; i < args->arg_count; i++)
		if (args->arg_type[i] != INT_RESULT && args->arg_type[i] != REAL_RESULT &&
			args->arg_type[i] != DECIMAL_RESULT)
			args->arg_type[i] = STRING_RESULT;
	initid->maybe_null = 0;
	initid->const_item = 0;
	initid->ptr = NULL;
	return 0;
}

void
ferry_content_hash_deinit(UDF_INIT *initid)
{
	(void) initid;
}

/*
 * ferry_content_hash: the values' kinds take part, so a column whose type
 * changed reads as changed; a NULL differs from every value.
 */
long long
ferry_content_hash(UDF_INIT *initid, UDF_ARGS *args, char *is_null, char *error)
{
	uint64_t	h = fy_content_hash_start();

	(void) initid;
	*is_null = 0;
	*error = 0;
	for (unsigned i = 0; i < args->arg_count; i++)
	{
		const char *v = args->args[i];

		if (v == NULL)
			h = fy_content_hash_add(h, FY_HASH_NULL, NULL, 0);
		else if (args->arg_type[i] == INT_RESULT)
			h = fy_content_hash_add(h, FY_HASH_INT, v, sizeof(long long));
		else if (args->arg_type[i] == REAL_RESULT)
			h = fy_content_hash_add(h, FY_HASH_REAL, v, sizeof(double));
		else
			h = fy_content_hash_add(h, FY_HASH_TEXT, v, args->lengths[i]);
	}
	return (long long) h;
}
