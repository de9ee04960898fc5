/*
 * fuzz_log_json.c - smtp2d_log_json on arbitrary lines, plain and as
 * verdict lines (their values come from clients: addresses, queue ids).
 * The output must always be one closed object within the buffer, with no
 * raw control or non-ASCII byte in it.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "log_json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*msg, out[512];
	size_t	n, i, len;

	if ((msg = malloc(size + 9)) == NULL)
		return 0;
	/* Half the inputs are verdict lines: the field parser runs too. */
	n = size > 0 && (data[0] & 1) ? 8 : 0;
	memcpy(msg, "verdict ", n);
	memcpy(msg + n, data, size);
	msg[n + size] = '\0';
	len = smtp2d_log_json(out, 64 + (size % (sizeof(out) - 64)), "info", msg);
	if (len != strlen(out) || out[0] != '{' || out[len - 1] != '}')
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			abort();
	free(msg);
	return 0;
}
