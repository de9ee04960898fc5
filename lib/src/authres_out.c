/*
 * authres_out.c - writing header values that count what they needed, like
 * snprintf, and the escaping every value we stamp goes through.
 */

/* System library. */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Application-specific. */
#include "authres_int.h"

/* smtp2_ar_putc - append one byte if it fits, count it either way */
void
smtp2_ar_putc(struct ar_out *o, char c)
{
	if (o->buf != NULL && o->need + 1 < o->len)
		o->buf[o->need] = c;
	o->need++;
}

/* smtp2_ar_puts - append a string we produced ourselves */
void
smtp2_ar_puts(struct ar_out *o, const char *s)
{
	while (*s != '\0')
		smtp2_ar_putc(o, *s++);
}

/* smtp2_ar_finish - NUL-terminate and return the length needed */
int
smtp2_ar_finish(struct ar_out *o)
{
	if (o->buf != NULL && o->len > 0)
		o->buf[o->need < o->len ? o->need : o->len - 1] = '\0';
	return (o->need > INT_MAX ? INT_MAX : (int)o->need);
}

/* ar_is_tspecial - RFC 2045 tspecials, which end a token */
static bool
ar_is_tspecial(unsigned char c)
{
	return (c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL);
}

/* smtp2_ar_put_token - the authserv-id as an RFC 2045 token, bad bytes '_' */
void
smtp2_ar_put_token(struct ar_out *o, const char *s)
{
	unsigned char c;

	if (s == NULL || *s == '\0')
		s = "localhost";		/* never an empty, invalid id */
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		smtp2_ar_putc(o, c <= 0x20 || c >= 0x7f || ar_is_tspecial(c) ?
		    '_' : (char)c);
	}
}

/* smtp2_ar_put_ctext - reason text as comment content (RFC 5322 ccontent) */
void
smtp2_ar_put_ctext(struct ar_out *o, const char *s, size_t max)
{
	unsigned char c;
	size_t	i;

	for (i = 0; i < max && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c == '(' || c == ')' || c == '\\') {
			smtp2_ar_putc(o, '\\');	/* quoted-pair */
			smtp2_ar_putc(o, (char)c);
		} else if (c == '\t' || c == '\r' || c == '\n') {
			smtp2_ar_putc(o, ' ');	/* never fold or end the header */
		} else if (c < 0x20 || c >= 0x7f) {
			smtp2_ar_putc(o, '?');
		} else {
			smtp2_ar_putc(o, (char)c);
		}
	}
}

/* smtp2_ar_domain_ok - a domain we may write as a header.from / domain= value */
bool
smtp2_ar_domain_ok(const char *d, size_t max)
{
	bool	alnum = false;
	size_t	i;
	unsigned char c;

	for (i = 0; i < max && d[i] != '\0'; i++) {
		c = (unsigned char)d[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9'))
			alnum = true;
		else if (c != '.' && c != '-' && c != '_')
			return (false);
	}
	return (i < max && alnum);	/* NUL-terminated, not "-" or "." */
}

