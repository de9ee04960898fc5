/*
 * fuzz_dkim_sig.c - smtp2_dkim_sig_parse on arbitrary bytes.
 *
 * The input gets an exact-size heap copy, so ASan sees any read past the
 * end.  Beyond not crashing, the parser must keep its promises: a known
 * status, fields that point inside the input, bounded counts and a
 * printable reason.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dkim.h>

/* inside - does the run lie within buf? */
static int
inside(const struct smtp2_dkim_str *s, const char *buf, size_t len)
{
	return (s->p >= buf && s->len <= len && s->p + s->len <= buf + len);
}

/* check - what a successful parse must hold */
static void
check(const struct smtp2_dkim_sig *sig, const char *buf, size_t len)
{
	size_t	i;

	if (!inside(&sig->domain, buf, len) || !inside(&sig->selector, buf, len)
	    || !inside(&sig->identity, buf, len) || !inside(&sig->b_value, buf, len)
	    || sig->domain.len == 0 || sig->selector.len == 0)
		abort();
	if (sig->n_headers == 0 || sig->n_headers > SMTP2_DKIM_H_MAX
	    || sig->b_len == 0 || sig->b_len > SMTP2_DKIM_B_MAX
	    || sig->bh_len == 0 || sig->bh_len > SMTP2_DKIM_BH_MAX
	    || sig->alg > SMTP2_DKIM_RSA_SHA1
	    || sig->weak_alg != (sig->alg == SMTP2_DKIM_RSA_SHA1))
		abort();
	for (i = 0; i < sig->n_headers; i++)
		if (!inside(&sig->headers[i], buf, len) || sig->headers[i].len == 0)
			abort();
	if (sig->has_timestamp && sig->has_expiry
	    && sig->expiry < sig->timestamp)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp2_dkim_sig sig;
	enum smtp2_dkim_status st;
	char	why[256] = "", *buf = malloc(size ? size : 1);
	const unsigned char *p;

	if (buf == NULL)
		return (0);
	memcpy(buf, data, size);
	st = smtp2_dkim_sig_parse(buf, size, &sig, why, sizeof(why));
	if (st == SMTP2_DKIM_OK)
		check(&sig, buf, size);
	else if (st != SMTP2_DKIM_INVALID || why[0] == '\0')
		abort();
	for (p = (const unsigned char *)why; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();		/* a reason reaches logs */
	(void)smtp2_dkim_sig_parse(buf, size, &sig, why, 1);
	free(buf);
	return (0);
}
