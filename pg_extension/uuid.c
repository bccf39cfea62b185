/*
 * uuid.c (pg_extension) -- uuid_v5 and uuid_v7.
 */
#include "ferry.h"

#include "utils/builtins.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(uuid_v5);
PG_FUNCTION_INFO_V1(uuid_v7);

/* uuid_v5 is deterministic: the same legacy key gets the same new key anywhere. */
Datum
uuid_v5(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *ns = PG_GETARG_UUID_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	pg_uuid_t  *out = palloc(sizeof(pg_uuid_t));
	fy_uuid		u;

	memcpy(u.b, ns->data, 16);
	fy_uuid_v5(&u, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), &u);
	memcpy(out->data, u.b, 16);
	PG_RETURN_UUID_P(out);
}

Datum
uuid_v7(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *out = palloc(sizeof(pg_uuid_t));
	fy_uuid		u;

	if (!fy_uuid_v7(&u))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for uuid_v7")));
	memcpy(out->data, u.b, 16);
	PG_RETURN_UUID_P(out);
}
