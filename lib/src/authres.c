/*
 * authres.c - the Authentication-Results and X-SMTP2-Verified values we
 * stamp, and recognising forged copies of ours (docs/headers.md).
 *
 * Reasons come from DNS and from the peer's certificate, i.e. from
 * strangers.  They are written into an RFC 5322 comment, so every byte
 * that could end the comment, end the header or fold it is neutralised.
 */

/* System library. */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/authres.h>

/* Output that counts what it needed, like snprintf. */
struct ar_out {
	char	*buf;
	size_t	len;
	size_t	need;			/* excluding the NUL */
};

/* ar_putc - append one byte if it fits, count it either way */
static void
ar_putc(struct ar_out *o, char c)
{
	if (o->buf != NULL && o->need + 1 < o->len)
		o->buf[o->need] = c;
	o->need++;
}

/* ar_puts - append a string we produced ourselves */
static void
ar_puts(struct ar_out *o, const char *s)
{
	while (*s != '\0')
		ar_putc(o, *s++);
}

/* ar_finish - NUL-terminate and return the length needed */
static int
ar_finish(struct ar_out *o)
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

/* ar_put_token - the authserv-id as an RFC 2045 token, bad bytes '_' */
static void
ar_put_token(struct ar_out *o, const char *s)
{
	unsigned char c;

	if (s == NULL || *s == '\0')
		s = "localhost";		/* never an empty, invalid id */
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		ar_putc(o, c <= 0x20 || c >= 0x7f || ar_is_tspecial(c) ?
		    '_' : (char)c);
	}
}

/* ar_put_ctext - reason text as comment content (RFC 5322 ccontent) */
static void
ar_put_ctext(struct ar_out *o, const char *s, size_t max)
{
	unsigned char c;
	size_t	i;

	for (i = 0; i < max && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c == '(' || c == ')' || c == '\\') {
			ar_putc(o, '\\');	/* quoted-pair */
			ar_putc(o, (char)c);
		} else if (c == '\t' || c == '\r' || c == '\n') {
			ar_putc(o, ' ');	/* never fold or end the header */
		} else if (c < 0x20 || c >= 0x7f) {
			ar_putc(o, '?');
		} else {
			ar_putc(o, (char)c);
		}
	}
}

/* ar_domain_ok - a domain we may write as a header.from / domain= value */
static bool
ar_domain_ok(const char *d, size_t max)
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

/* ar_put_comment - "method=.., dnssec=.., policy=..; reason" */
static void
ar_put_comment(struct ar_out *o, const struct smtp2_verdict *v)
{
	ar_puts(o, "method=");
	ar_puts(o, smtp2_method_name(v->method));
	ar_puts(o, ", dnssec=");
	ar_puts(o, smtp2_dnssec_name(v->dnssec));
	if (v->has_record) {
		ar_puts(o, ", policy=");
		ar_puts(o, smtp2_policy_name(v->policy));
	}
	if (v->result != SMTP2_RESULT_PASS && v->reason[0] != '\0') {
		ar_puts(o, "; ");
		ar_put_ctext(o, v->reason, sizeof(v->reason));
	}
}

/* smtp2_authres_format - "<id>; smtp2=<r> (<comment>) header.from=<d>" */
int
smtp2_authres_format(char *buf, size_t len, const char *authserv_id,
    const struct smtp2_verdict *v)
{
	struct ar_out o = {buf, len, 0};

	ar_put_token(&o, authserv_id);
	if (v == NULL) {
		ar_puts(&o, "; none");		/* RFC 8601 no-result */
		return (ar_finish(&o));
	}
	ar_puts(&o, "; smtp2=");
	ar_puts(&o, smtp2_result_name(v->result));
	ar_puts(&o, " (");
	ar_put_comment(&o, v);
	ar_puts(&o, ")");
	if (ar_domain_ok(v->domain, sizeof(v->domain))) {
		ar_puts(&o, " header.from=");
		ar_puts(&o, v->domain);
	}
	return (ar_finish(&o));
}

/* smtp2_verified_format - "yes; domain=..; method=..; dnssec=.." or "no; .." */
int
smtp2_verified_format(char *buf, size_t len, const struct smtp2_verdict *v)
{
	struct ar_out o = {buf, len, 0};
	bool	dom_ok;

	if (v == NULL) {
		ar_puts(&o, "no");
		return (ar_finish(&o));
	}
	dom_ok = ar_domain_ok(v->domain, sizeof(v->domain));

	/* A badge without the domain it vouches for would vouch for nothing. */
	ar_puts(&o, v->result == SMTP2_RESULT_PASS && dom_ok ? "yes" : "no");
	if (dom_ok) {
		ar_puts(&o, "; domain=");
		ar_puts(&o, v->domain);
	}
	if (v->result == SMTP2_RESULT_PASS && dom_ok) {
		ar_puts(&o, "; method=");
		ar_puts(&o, smtp2_method_name(v->method));
		ar_puts(&o, "; dnssec=");
		ar_puts(&o, smtp2_dnssec_name(v->dnssec));
	} else {
		ar_puts(&o, "; result=");
		ar_puts(&o, smtp2_result_name(v->result));
	}
	return (ar_finish(&o));
}

/* ar_lower - ASCII lower case, whatever the locale */
static unsigned char
ar_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c);
}

/* ar_skip_cfws - past whitespace and (nested) comments; NULL if unclosed */
static const char *
ar_skip_cfws(const char *p)
{
	size_t	depth = 0;

	/* Every round moves p on by at least one byte. */
	for (; *p != '\0'; p++) {
		if (*p == '(') {
			depth++;
		} else if (depth > 0 && *p == ')') {
			depth--;
		} else if (depth > 0 && *p == '\\') {
			if (p[1] == '\0')
				return (NULL);
			p++;			/* quoted-pair */
		} else if (depth == 0 && *p != ' ' && *p != '\t'
		    && *p != '\r' && *p != '\n') {
			break;
		}
	}
	return (depth == 0 ? p : NULL);
}

/* ar_quoted_is - does the quoted-string at p spell id (any case)? */
static bool
ar_quoted_is(const char *p, const char *id)
{
	const unsigned char *u = (const unsigned char *)p + 1;
	const unsigned char *w = (const unsigned char *)id;

	for (; *u != '\0' && *u != '"'; u++, w++) {
		if (*u == '\\' && *++u == '\0')
			return (false);
		if (*w == '\0' || ar_lower(*u) != ar_lower(*w))
			return (false);
	}
	return (*u == '"' && *w == '\0');
}

/* smtp2_authres_is_ours - does value start with our authserv-id? */
bool
smtp2_authres_is_ours(const char *value, const char *authserv_id)
{
	const char *p, *end;
	size_t	idlen;

	if (value == NULL || authserv_id == NULL || *authserv_id == '\0')
		return (false);
	if ((p = ar_skip_cfws(value)) == NULL)
		return (false);
	if (*p == '"')
		return (ar_quoted_is(p, authserv_id));

	/*
	 * The id ends where a token must end.  What follows (an optional
	 * authres-version, "; resinfo") does not matter: a header claiming
	 * our id is removed whatever else is wrong with it.
	 */
	end = p + strcspn(p, "; \t\r\n(");
	idlen = strlen(authserv_id);
	if ((size_t)(end - p) != idlen)
		return (false);
	for (; p < end; p++, authserv_id++)
		if (ar_lower((unsigned char)*p) != ar_lower((unsigned char)*authserv_id))
			return (false);
	return (true);
}
