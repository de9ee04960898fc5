/*
 * fuzz_dkim_key.c - smtp2_dkim_key_parse on arbitrary bytes.
 *
 * An exact-size heap copy lets ASan see reads past the end; the result
 * must be a known status with a printable reason and a key in bounds.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dkim.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp2_dkim_key key;
	enum smtp2_dkim_status st;
	char	why[256] = "", *buf = malloc(size ? size : 1);
	const unsigned char *p;

	if (buf == NULL)
		return (0);
	memcpy(buf, data, size);
	st = smtp2_dkim_key_parse(buf, size, &key, why, sizeof(why));
	if (st == SMTP2_DKIM_OK && (key.p_len == 0 || key.p_len > SMTP2_DKIM_P_MAX
	    || key.hashes == 0 || key.type > SMTP2_DKIM_KEY_ED25519))
		abort();
	if (st == SMTP2_DKIM_REVOKED && key.p_len != 0)
		abort();
	if (st != SMTP2_DKIM_OK && st != SMTP2_DKIM_REVOKED
	    && st != SMTP2_DKIM_INVALID)
		abort();
	if (why[0] == '\0')
		abort();
	for (p = (const unsigned char *)why; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();		/* a reason reaches logs */
	(void)smtp2_dkim_key_parse(buf, size, &key, why, 1);
	free(buf);
	return (0);
}
