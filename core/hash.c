/*
 * hash.c -- the content hash of typed values that MariaDB keeps in id maps
 * (the ferry_content_hash UDF), for drift detection: validation's
 * content_unchanged and rollback's drift guard compare it with the same
 * hash of the target row today.  PostgreSQL's content_hash combines its
 * own server's hash_bytes_extended instead; neither is ever compared with
 * the other engine's number.
 */
#include <string.h>

#include "ferry.h"

#define FY_HASH_MUL UINT64_C(0x9e3779b97f4a7c15)

/* fy_hash_mix: MurmurHash3's 64-bit finalizer, so every input bit reaches every output bit. */
static uint64_t
fy_hash_mix(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

/*
 * fy_hash_bytes hashes one value's bytes, eight at a time, seeded by the
 * value's kind and closed by its length, so "ab" as text and as a number
 * never collide by construction, nor "a" + "b" with "ab" + "".
 */
static uint64_t
fy_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t	h = fy_hash_mix(seed + FY_HASH_MUL);
	size_t		n = len;

	while (n >= 8)
	{
		uint64_t	k;

		memcpy(&k, p, 8);
		h = (h ^ fy_hash_mix(k)) * FY_HASH_MUL;
		p += 8;
		n -= 8;
	}
	if (n > 0)
	{
		uint64_t	k = 0;

		memcpy(&k, p, n);
		h = (h ^ fy_hash_mix(k)) * FY_HASH_MUL;
	}
	return fy_hash_mix(h ^ (uint64_t) len);
}

uint64_t
fy_content_hash_start(void)
{
	return UINT64_C(0x66657279);	/* "fery", as PostgreSQL's starts */
}

/*
 * fy_content_hash_add folds the next value of a row into h, in column
 * order: a NULL, an integer (8 bytes), a double (8 bytes) or the bytes of
 * a string or decimal as the server gives them.
 */
uint64_t
fy_content_hash_add(uint64_t h, fy_hash_kind kind, const void *data, size_t len)
{
	uint64_t	one;

	if (kind == FY_HASH_NULL || data == NULL)
		one = FY_HASH_MUL;
	else
		one = fy_hash_bytes(data, len, (uint64_t) kind);
	return fy_hash_mix(h ^ (one + FY_HASH_MUL + (h << 6) + (h >> 2)));
}
