/*
 * fuzz_from - the RFC 5322 From: parser of smtp2-milter on arbitrary bytes.
 * Any input either yields a plausible lower-case domain or a reason; never
 * a crash, an overread or an unterminated output.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "from.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value, out[256], why[256];
	size_t i;

	/* The milter hands the parser NUL-terminated header values. */
	if ((value = malloc(size + 1)) == NULL)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	if (milter_from_domain(value, out, sizeof(out), why, sizeof(why)) == 0) {
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				abort();
		if (i == 0)
			abort();
	} else if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	free(value);
	return 0;
}
