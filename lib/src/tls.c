/*
 * tls.c - the client's TLS facts and the fingerprints they carry.
 *
 * Postfix writes fingerprints as upper-case colon hex ("AB:CD:..");
 * Sendmail's {cert_fp} and hand-written configuration often use plain hex.
 * Both are accepted, but not a mixture: a stray colon is more likely a
 * truncated or mangled value than a style choice.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/tls.h>

/* smtp2_tls_facts_init - no certificate, no TLS, nothing known */
void
smtp2_tls_facts_init(struct smtp2_tls_facts *f)
{
	memset(f, 0, sizeof(*f));
}

/* tls_hexval - value of one hex digit, or -1 */
static int
tls_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* smtp2_fp_parse - decode colon or plain hex; bytes written or -1 */
int
smtp2_fp_parse(const char *text, unsigned char *out, size_t outlen)
{
	bool	colons;
	size_t	n = 0;
	int	hi, lo;

	if (text == NULL || out == NULL || *text == '\0')
		return (-1);
	colons = (strchr(text, ':') != NULL);

	/* Each round eats one byte; n < outlen bounds the loop. */
	for (;;) {
		if (n >= outlen)
			return (-1);
		if ((hi = tls_hexval(text[0])) < 0
		    || (lo = tls_hexval(text[1])) < 0)
			return (-1);
		out[n++] = (unsigned char)(hi << 4 | lo);
		text += 2;
		if (*text == '\0')
			break;
		if (colons) {
			if (*text != ':')
				return (-1);
			text++;		/* a trailing ':' fails the next round */
		}
	}
	return ((int)n);
}

/* smtp2_fp_format - colon hex, upper case; whole bytes only if short */
void
smtp2_fp_format(const unsigned char *fp, size_t len, char *buf,
    size_t buflen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	i, pos = 0;

	if (buf == NULL || buflen == 0)
		return;
	for (i = 0; i < len; i++) {
		/* Need room for an optional ':', two digits and the NUL. */
		if (pos + (i > 0) + 2 + 1 > buflen)
			break;
		if (i > 0)
			buf[pos++] = ':';
		buf[pos++] = hex[fp[i] >> 4];
		buf[pos++] = hex[fp[i] & 0x0f];
	}
	buf[pos] = '\0';
}
