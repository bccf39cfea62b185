/*
 * json.c -- JSON reshaping in the core: key case conversion for now (the
 * "keys" conversions of a column, seed 002's PascalCase -> snake_case).
 */
#include "ferry.h"

#include <ctype.h>
#include <string.h>

#include <cjson/cJSON.h>

bool
fy_case_parse(const char *name, fy_case *out)
{
	static const struct
	{
		const char *name;
		fy_case		c;
	}			styles[] = {
		{"snake", FY_CASE_SNAKE}, {"pascal", FY_CASE_PASCAL}, {"camel", FY_CASE_CAMEL},
		{NULL, FY_CASE_SNAKE}
	};

	for (int i = 0; name != NULL && styles[i].name; i++)
		if (strcmp(styles[i].name, name) == 0)
		{
			*out = styles[i].c;
			return true;
		}
	return false;
}

/*
 * fy_key_case converts one key.  To snake_case, a word starts at an upper
 * case letter after a lower case letter or digit, and at the last upper
 * case letter of a run followed by a lower case one, so "OrderID" becomes
 * "order_id" and "HTTPServer" "http_server".  From snake_case, every part
 * after an underscore starts upper case (and the first one too for
 * PascalCase).  Only ASCII letters change case.
 */
void
fy_key_case(fy_buf *b, const char *key, fy_case style)
{
	size_t		n = strlen(key);

	if (style == FY_CASE_SNAKE)
	{
		for (size_t i = 0; i < n; i++)
		{
			unsigned char c = (unsigned char) key[i];

			if (isupper(c) && i > 0 && key[i - 1] != '_')
			{
				unsigned char p = (unsigned char) key[i - 1];
				unsigned char nx = i + 1 < n ? (unsigned char) key[i + 1] : 0;

				if (islower(p) || isdigit(p) || (isupper(p) && islower(nx)))
					fy_buf_add(b, "_");
			}
			if (isupper(c))
				c = (unsigned char) tolower(c);
			fy_buf_addn(b, (const char *) &c, 1);
		}
		return;
	}
	{
		bool		up = style == FY_CASE_PASCAL;

		for (size_t i = 0; i < n; i++)
		{
			unsigned char c = (unsigned char) key[i];

			if (c == '_' && i + 1 < n && i > 0)
			{
				up = true;
				continue;
			}
			if (up && islower(c))
				c = (unsigned char) toupper(c);
			up = false;
			fy_buf_addn(b, (const char *) &c, 1);
		}
	}
}

/*
 * fy_json_keys_case converts every object key of a document, at any depth.
 * Two keys of one object that convert to the same key ("userId" and
 * "user_id") would lose a value: that is an error naming both, found
 * before any key of the object changes.
 */
bool
fy_json_keys_case(void *doc, fy_case style, fy_error *err)
{
	cJSON	   *node = doc;
	cJSON	   *c;
	int			n = 0;
	char	  **keys;
	bool		ok = true;

	if (node == NULL)
		return true;
	if (cJSON_IsObject(node) && node->child != NULL)
	{
		n = cJSON_GetArraySize(node);
		keys = fy_alloc(sizeof(char *) * (size_t) n);
		if (keys == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		n = 0;
		for (c = node->child; c != NULL && ok; c = c->next)
		{
			fy_buf		b;

			fy_buf_init(&b);
			fy_key_case(&b, c->string, style);
			fy_buf_add(&b, "");
			if (b.oom)
				ok = fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			keys[n] = b.data;
			for (int k = 0; k < n && ok; k++)
				if (strcmp(keys[k], keys[n]) == 0)
				{
					cJSON	   *first = node->child;

					for (int j = 0; j < k; j++)
						first = first->next;
					ok = fy_fail(err, FY_ERR_INVALID_SPEC,
								 "keys \"%s\" and \"%s\" of one object would both become \"%s\"",
								 first->string, c->string, keys[n]);
				}
			n++;
		}
		c = node->child;
		for (int k = 0; k < n; k++, c = c->next)
		{
			if (ok)
			{
				if (!(c->type & cJSON_StringIsConst))
					fy_release(c->string);
				c->string = keys[k];
				c->type &= ~cJSON_StringIsConst;
			}
			else
				fy_release(keys[k]);
		}
		fy_release(keys);
		if (!ok)
			return false;
	}
	for (c = node->child; c != NULL; c = c->next)
		if (!fy_json_keys_case(c, style, err))
			return false;
	return true;
}

static const char *const fy_convert_names[] = {
	"epoch_to_timestamp", "timestamp_to_epoch", "cents_to_decimal",
	"decimal_to_cents", "flag_to_deleted_at", "deleted_at_to_flag",
	"keys_to_snake_case", "keys_to_pascal_case", "keys_to_camel_case"
};

bool
fy_convert_parse(const char *name, fy_convert *out)
{
	for (int i = 0; i < (int) (sizeof(fy_convert_names) / sizeof(fy_convert_names[0])); i++)
		if (name != NULL && strcmp(fy_convert_names[i], name) == 0)
		{
			*out = (fy_convert) i;
			return true;
		}
	return false;
}

const char *
fy_convert_name(fy_convert c)
{
	return fy_convert_names[c];
}

/*
 * fy_convert_inverse pairs each conversion with the one that undoes it, for
 * the round trip of validation and the views that show the old shape.  Key
 * case is exact for keys that were snake_case; PascalCase keys with
 * acronyms ("OrderID") come back as "OrderId".
 */
fy_convert
fy_convert_inverse(fy_convert c)
{
	switch (c)
	{
		case FY_CONV_EPOCH_TO_TIMESTAMP:
			return FY_CONV_TIMESTAMP_TO_EPOCH;
		case FY_CONV_TIMESTAMP_TO_EPOCH:
			return FY_CONV_EPOCH_TO_TIMESTAMP;
		case FY_CONV_CENTS_TO_DECIMAL:
			return FY_CONV_DECIMAL_TO_CENTS;
		case FY_CONV_DECIMAL_TO_CENTS:
			return FY_CONV_CENTS_TO_DECIMAL;
		case FY_CONV_FLAG_TO_DELETED_AT:
			return FY_CONV_DELETED_AT_TO_FLAG;
		case FY_CONV_DELETED_AT_TO_FLAG:
			return FY_CONV_FLAG_TO_DELETED_AT;
		case FY_CONV_KEYS_TO_SNAKE:
			return FY_CONV_KEYS_TO_PASCAL;
		case FY_CONV_KEYS_TO_PASCAL:
		case FY_CONV_KEYS_TO_CAMEL:
			break;
	}
	return FY_CONV_KEYS_TO_SNAKE;
}
