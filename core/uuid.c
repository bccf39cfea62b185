/*
 * uuid.c -- UUID v4, v5 (RFC 9562 section 5.5) and v7 (section 5.7).
 */
#include "ferry.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

/*
 * The namespace of ferry's phase keys: uuid_v5 of "urn:ferry:phase" in the
 * RFC 9562 URL namespace, 538d439a-576f-522c-be31-a97e102d0964.
 */
static const fy_uuid fy_ferry_namespace = {{
		0x53, 0x8d, 0x43, 0x9a, 0x57, 0x6f, 0x52, 0x2c,
		0xbe, 0x31, 0xa9, 0x7e, 0x10, 0x2d, 0x09, 0x64}};

static int
fy_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* fy_uuid_parse accepts the canonical 8-4-4-4-12 form, either case. */
bool
fy_uuid_parse(const char *text, fy_uuid *out)
{
	int			i = 0;
	const char *p = text;

	if (text == NULL || strlen(text) != 36)
		return false;
	while (*p)
	{
		int			hi, lo;

		if (p - text == 8 || p - text == 13 || p - text == 18 || p - text == 23)
		{
			if (*p++ != '-')
				return false;
			continue;
		}
		hi = fy_hexval(p[0]);
		lo = fy_hexval(p[1]);
		if (hi < 0 || lo < 0)
			return false;
		out->b[i++] = (uint8_t) (hi << 4 | lo);
		p += 2;
	}
	return i == 16;
}

void
fy_uuid_format(const fy_uuid *u, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	char	   *o = out;
	int			i;

	for (i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[u->b[i] >> 4];
		*o++ = hex[u->b[i] & 15];
	}
	*o = '\0';
}

static void
fy_uuid_set_version(fy_uuid *u, int version)
{
	u->b[6] = (uint8_t) ((u->b[6] & 0x0f) | (version << 4));
	u->b[8] = (uint8_t) ((u->b[8] & 0x3f) | 0x80);
}

void
fy_uuid_v5(const fy_uuid *ns, const char *name, size_t len, fy_uuid *out)
{
	fy_sha1_ctx ctx;
	uint8_t		digest[20];

	fy_sha1_init(&ctx);
	fy_sha1_update(&ctx, ns->b, 16);
	fy_sha1_update(&ctx, name, len);
	fy_sha1_final(&ctx, digest);
	memcpy(out->b, digest, 16);
	fy_uuid_set_version(out, 5);
}

bool
fy_uuid_v4(fy_uuid *out)
{
	if (getrandom(out->b, sizeof(out->b), 0) != (ssize_t) sizeof(out->b))
		return false;
	fy_uuid_set_version(out, 4);
	return true;
}

/*
 * fy_uuid_v7 puts the Unix time in milliseconds in the first 48 bits and
 * the sub-millisecond fraction in the next 12 (RFC 9562 method 3); the rest
 * is random.  Within a thread the 60-bit time part never repeats or goes
 * back: a clock too coarse to tell two calls apart (or stepped backwards)
 * gets the previous value plus one, so keys made in sequence sort in
 * sequence, as section 6.2 asks.
 */
bool
fy_uuid_v7_at(int64_t sec, long nsec, fy_uuid *out)
{
	static __thread uint64_t last;
	uint64_t	t;

	if (!fy_uuid_v4(out))
		return false;
	t = ((uint64_t) sec * 1000 + (uint64_t) nsec / 1000000) << 12 |
		((uint64_t) (nsec % 1000000) * 4096) / 1000000;
	if (t <= last)
		t = last + 1;
	last = t;
	for (int i = 0; i < 6; i++)
		out->b[i] = (uint8_t) (t >> (52 - 8 * i));
	out->b[6] = (uint8_t) ((t >> 8) & 0x0f);
	out->b[7] = (uint8_t) t;
	fy_uuid_set_version(out, 7);
	return true;
}

bool
fy_uuid_v7(fy_uuid *out)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return false;
	return fy_uuid_v7_at((int64_t) ts.tv_sec, ts.tv_nsec, out);
}

void
fy_uuid_phase_namespace(const char *phase, fy_uuid *out)
{
	fy_uuid_v5(&fy_ferry_namespace, phase, strlen(phase), out);
}
