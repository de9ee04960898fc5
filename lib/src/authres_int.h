/*
 * authres_int.h - the output helpers shared by the header formatters
 * (authres.c: the smtp2 result and the badge; authres_msg.c: DKIM, DMARC
 * and ADSP results).  Internal: not installed, not part of the API.
 *
 * Every value we stamp carries bytes chosen by strangers (DNS data, the
 * peer's certificate, signature tags); these helpers are the one place
 * that makes them safe to put in a header.
 */
#ifndef SMTP2_AUTHRES_INT_H
#define SMTP2_AUTHRES_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Output that counts what it needed, like snprintf. */
struct ar_out {
	char	*buf;
	size_t	len;
	size_t	need;			/* excluding the NUL */
};

/* smtp2_ar_putc - append one byte if it fits, count it either way */
void	smtp2_ar_putc(struct ar_out *o, char c);

/* smtp2_ar_puts - append a string we produced ourselves */
void	smtp2_ar_puts(struct ar_out *o, const char *s);

/* smtp2_ar_finish - NUL-terminate; the length needed, as snprintf */
int	smtp2_ar_finish(struct ar_out *o);

/* smtp2_ar_put_token - an RFC 2045 token; bad bytes become '_' */
void	smtp2_ar_put_token(struct ar_out *o, const char *s);

/* smtp2_ar_put_ctext - text as RFC 5322 comment content: parentheses
 * and backslashes quoted, line breaks and controls neutralised */
void	smtp2_ar_put_ctext(struct ar_out *o, const char *s, size_t max);

/* smtp2_ar_domain_ok - a plain domain we may write as a property value:
 * letters, digits, '.', '-', '_', NUL-terminated within max */
bool	smtp2_ar_domain_ok(const char *d, size_t max);

struct smtp2_verdict;

/* smtp2_ar_put_smtp2 - the smtp2 resinfo: "smtp2=<r> (<comment>)
 * header.from=<d>" (authres.c) */
void	smtp2_ar_put_smtp2(struct ar_out *o, const struct smtp2_verdict *v);

#endif
