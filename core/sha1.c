/*
 * sha1.c -- SHA-1 (FIPS 180-4), needed for UUID v5 and spec checksums.
 * Not used for anything that needs collision resistance.
 */
#include "ferry.h"

#include <string.h>

#define FY_ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* fy_sha1_block mixes one 64-byte block into the state. */
static void
fy_sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t	w[80];
	uint32_t	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	int			i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
			(uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = FY_ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++)
	{
		uint32_t	f, k, t;

		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5A827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ED9EBA1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
		else
			f = b ^ c ^ d, k = 0xCA62C1D6;
		t = FY_ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = FY_ROL(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
fy_sha1_init(fy_sha1_ctx *ctx)
{
	static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE,
	0x10325476, 0xC3D2E1F0};

	memcpy(ctx->h, iv, sizeof(iv));
	ctx->len = 0;
}

void
fy_sha1_update(fy_sha1_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0)
	{
		size_t		used = (size_t) (ctx->len % 64);
		size_t		take = 64 - used < len ? 64 - used : len;

		memcpy(ctx->block + used, p, take);
		ctx->len += take;
		p += take;
		len -= take;
		if (used + take == 64)
			fy_sha1_block(ctx->h, ctx->block);
	}
}

void
fy_sha1_final(fy_sha1_ctx *ctx, uint8_t out[20])
{
	uint64_t	bits = ctx->len * 8;
	uint8_t		pad[72];
	size_t		used = (size_t) (ctx->len % 64);
	size_t		padlen = used < 56 ? 56 - used : 120 - used;
	int			i;

	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[padlen + 7 - i] = (uint8_t) (bits >> (8 * i));
	fy_sha1_update(ctx, pad, padlen + 8);
	for (i = 0; i < 20; i++)
		out[i] = (uint8_t) (ctx->h[i / 4] >> (24 - 8 * (i % 4)));
}

void
fy_sha1(const void *data, size_t len, uint8_t out[20])
{
	fy_sha1_ctx ctx;

	fy_sha1_init(&ctx);
	fy_sha1_update(&ctx, data, len);
	fy_sha1_final(&ctx, out);
}

/*
 * fy_row_hash: the content hash of a row as the engine renders it in text,
 * stored in the id map at migration time so a later change of the row can
 * be told (drift).  The first 64 bits of its SHA-1, as a signed bigint.
 */
int64_t
fy_row_hash(const void *data, size_t len)
{
	uint8_t		d[20];
	uint64_t	h = 0;

	fy_sha1(data, len, d);
	for (int i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return (int64_t) h;
}
