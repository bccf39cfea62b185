/*
 * uuid.c -- uuid_v4(), uuid_v5(ns, name), uuid_v7() as MariaDB UDFs.
 *
 * They return the 36-character text form, which MariaDB's UUID type and
 * any CHAR(36) column accept.  The planner's MariaDB statements call
 * uuid_v5() to derive a phase's keys, so this is the same function that
 * PostgreSQL's ferry.uuid_v5 is: same namespace, same bytes, same UUID.
 */
#include <stdio.h>
#include <string.h>

#include "ferry_mariadb.h"

#define UUID_TEXT_LENGTH 36

static const fym_argdef uuid_v5_args[] = {
	{"namespace", FYM_TEXT},
	{"name", FYM_TEXT},
};

static const fym_udf uuid_v4_udf = {"uuid_v4", NULL, 0, UUID_TEXT_LENGTH};
static const fym_udf uuid_v5_udf = {"uuid_v5", uuid_v5_args, 2, UUID_TEXT_LENGTH};
static const fym_udf uuid_v7_udf = {"uuid_v7", NULL, 0, UUID_TEXT_LENGTH};

my_bool		uuid_v4_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		uuid_v4_deinit(UDF_INIT *initid);
char	   *uuid_v4(UDF_INIT *initid, UDF_ARGS *args, char *result,
					unsigned long *length, char *is_null, char *error);
my_bool		uuid_v5_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		uuid_v5_deinit(UDF_INIT *initid);
char	   *uuid_v5(UDF_INIT *initid, UDF_ARGS *args, char *result,
					unsigned long *length, char *is_null, char *error);
my_bool		uuid_v7_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		uuid_v7_deinit(UDF_INIT *initid);
char	   *uuid_v7(UDF_INIT *initid, UDF_ARGS *args, char *result,
					unsigned long *length, char *is_null, char *error);

/*
 * uuid_namespace: the namespace argument as a UUID.  The argument is text
 * of any length from anyone, so it is measured before it is copied into
 * the terminated buffer fy_uuid_parse needs.
 */
static bool
uuid_namespace(const char *text, unsigned long len, fy_uuid *out)
{
	char		buf[UUID_TEXT_LENGTH + 8];

	if (text == NULL || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return fy_uuid_parse(buf, out);
}

/*
 * uuid_result: the text form goes into the server's own result buffer
 * (at least 255 bytes), so these UDFs allocate nothing per row.
 */
static char *
uuid_result(const fy_uuid *u, char *result, unsigned long *length)
{
	char		text[UUID_TEXT_LENGTH + 1];

	fy_uuid_format(u, text);
	memcpy(result, text, UUID_TEXT_LENGTH);
	*length = UUID_TEXT_LENGTH;
	return result;
}

/* uuid_v4_init: no arguments; the value changes per row, so never constant. */
my_bool
uuid_v4_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&uuid_v4_udf, initid, args, message);
}

void
uuid_v4_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* uuid_v4: NULL when the system has no randomness to give, never a weak UUID. */
char *
uuid_v4(UDF_INIT *initid, UDF_ARGS *args, char *result,
		unsigned long *length, char *is_null, char *error)
{
	fy_uuid		u;

	(void) initid;
	(void) args;
	(void) error;
	if (!fy_uuid_v4(&u))
	{
		*is_null = 1;
		return NULL;
	}
	return uuid_result(&u, result, length);
}

/*
 * uuid_v5_init: a constant namespace is checked here, so that a typo in a
 * literal is an error with a message rather than a column of NULLs.
 */
my_bool
uuid_v5_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_uuid		ns;

	if (fym_init(&uuid_v5_udf, initid, args, message))
		return 1;
	if (args->args[0] != NULL &&
		!uuid_namespace(args->args[0], args->lengths[0], &ns))
	{
		snprintf(message, MYSQL_ERRMSG_SIZE,
				 "uuid_v5: namespace is not a UUID");
		return 1;
	}
	return 0;
}

void
uuid_v5_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * uuid_v5: SQL NULL in, NULL out, as for any SQL function; a namespace
 * that is not a UUID (only possible for a non-constant one) gives NULL.
 */
char *
uuid_v5(UDF_INIT *initid, UDF_ARGS *args, char *result,
		unsigned long *length, char *is_null, char *error)
{
	fy_uuid		ns;
	fy_uuid		u;

	(void) initid;
	(void) error;
	if (args->args[0] == NULL || args->args[1] == NULL ||
		!uuid_namespace(args->args[0], args->lengths[0], &ns))
	{
		*is_null = 1;
		return NULL;
	}
	fy_uuid_v5(&ns, args->args[1], args->lengths[1], &u);
	return uuid_result(&u, result, length);
}

/* uuid_v7_init: like uuid_v4_init; v7 values also order by creation time. */
my_bool
uuid_v7_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&uuid_v7_udf, initid, args, message);
}

void
uuid_v7_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* uuid_v7: NULL when no randomness is available, as uuid_v4. */
char *
uuid_v7(UDF_INIT *initid, UDF_ARGS *args, char *result,
		unsigned long *length, char *is_null, char *error)
{
	fy_uuid		u;

	(void) initid;
	(void) args;
	(void) error;
	if (!fy_uuid_v7(&u))
	{
		*is_null = 1;
		return NULL;
	}
	return uuid_result(&u, result, length);
}
