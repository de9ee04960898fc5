/*
 * dkim_b64.c - the base64 values of DKIM (b=, bh=, p=; RFC 6376 2.4).
 *
 * Folding whitespace may appear anywhere between the characters.  The
 * padding must be right: the characters count a multiple of four and at
 * most two '=' come last.  The output is bounded by the caller's buffer.
 */

/* System library. */
#include <stddef.h>

/* Application-specific. */
#include "dkim_int.h"
#include "why.h"

/* b64_value - the six bits of one base64 character, or -1 */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/* b64_put - append one byte, unless the buffer is full */
static int
b64_put(const struct smtp2_tag *tag, unsigned char byte,
    unsigned char *out, size_t outmax, size_t *outlen, char *why,
    size_t whylen)
{
	if (*outlen == outmax) {
		smtp2_why(why, whylen, "%.*s=: decodes to more than %zu bytes",
		    (int)(tag->namelen < 8 ? tag->namelen : 8), tag->name,
		    outmax);
		return (-1);
	}
	out[(*outlen)++] = byte;
	return (0);
}

/* b64_fail - a reason naming the tag and the offending character */
static int
b64_fail(const struct smtp2_tag *tag, const char *what, size_t at,
    char *why, size_t whylen)
{
	unsigned char c = at < tag->vallen ? (unsigned char)tag->value[at] : 0;

	if (c >= 0x21 && c <= 0x7e)
		smtp2_why(why, whylen, "%.*s=: %s '%c' at value offset %zu",
		    (int)(tag->namelen < 8 ? tag->namelen : 8), tag->name,
		    what, c, at);
	else
		smtp2_why(why, whylen, "%.*s=: %s",
		    (int)(tag->namelen < 8 ? tag->namelen : 8), tag->name, what);
	return (-1);
}

/* smtp2_dkim_b64 - decode a tag's base64 value */
int
smtp2_dkim_b64(const struct smtp2_tag *tag, unsigned char *out,
    size_t outmax, size_t *outlen, char *why, size_t whylen)
{
	unsigned long acc = 0;
	size_t	i, chars = 0, pads = 0;
	int	v;

	*outlen = 0;
	for (i = 0; i < tag->vallen; i++) {
		unsigned char c = (unsigned char)tag->value[i];

		if (smtp2_dkim_is_fws(c))
			continue;
		if (c == '=') {
			if (++pads > 2 || chars % 4 < 2)
				return (b64_fail(tag, "misplaced padding", i,
				    why, whylen));
			chars++;
			continue;
		}
		if ((v = b64_value(c)) < 0)
			return (b64_fail(tag, "not base64:", i, why, whylen));
		if (pads > 0)
			return (b64_fail(tag, "data after padding:", i,
			    why, whylen));
		acc = (acc << 6) | (unsigned long)v;
		if (++chars % 4 == 0 && (b64_put(tag, (acc >> 16) & 0xff, out,
		    outmax, outlen, why, whylen) < 0 || b64_put(tag,
		    (acc >> 8) & 0xff, out, outmax, outlen, why, whylen) < 0
		    || b64_put(tag, acc & 0xff, out, outmax, outlen, why,
		    whylen) < 0))
			return (-1);
		if (chars % 4 == 0)
			acc = 0;
	}
	if (chars % 4 != 0)
		return (b64_fail(tag, "length not a multiple of 4 (missing "
		    "padding?)", tag->vallen, why, whylen));
	/* The last group was "xx==" or "xxx=": emit its one or two bytes. */
	if (pads > 0) {
		acc <<= 6 * pads;
		if (b64_put(tag, (acc >> 16) & 0xff, out, outmax, outlen, why,
		    whylen) < 0 || (pads == 1 && b64_put(tag, (acc >> 8) & 0xff,
		    out, outmax, outlen, why, whylen) < 0))
			return (-1);
	}
	return (0);
}
