/*
 * fuzz_attr.c - smtp2d_attr_parse on arbitrary bytes.
 *
 * The parser writes into its buffer, so it gets an exact-size heap copy:
 * ASan then catches a single byte read or written past the end.  Every
 * result is checked for what the parser promises.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "attr.h"

/* check - what a successful parse must hold */
static void
check(const struct smtp2d_attrs *attrs, const char *buf, size_t len)
{
	size_t i, j;

	if (attrs->n > SMTP2D_ATTR_MAX)
		abort();
	for (i = 0; i < attrs->n; i++) {
		/* Names and values point inside the block, names non-empty. */
		if (attrs->a[i].name < buf || attrs->a[i].value >= buf + len
		    || attrs->a[i].name[0] == '\0' || strchr(attrs->a[i].name, '\n'))
			abort();
		if (strchr(attrs->a[i].value, '\n') != NULL)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(attrs->a[i].name, attrs->a[j].name) == 0)
				abort();
		if (smtp2d_attr_get(attrs, attrs->a[i].name) != attrs->a[i].value)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp2d_attrs attrs;
	char why[256], *buf;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	why[0] = '\0';
	if (smtp2d_attr_parse(buf, size, &attrs, why, sizeof(why)) == 0)
		check(&attrs, buf, size);
	else if (why[0] == '\0')
		abort();	/* every refusal says why */
	free(buf);
	return 0;
}
