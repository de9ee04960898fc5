/*
 * authres.c - the Authentication-Results and X-SMTP2-Verified values we
 * stamp, and recognising forged copies of ours (docs/headers.md).
 *
 * Reasons come from DNS and from the peer's certificate, i.e. from
 * strangers.  They are written into an RFC 5322 comment, so every byte
 * that could end the comment, end the header or fold it is neutralised.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/authres.h>
#include "authres_int.h"

/* ar_put_comment - "[forwarded via F, ]method=.., dnssec=.., policy=..; reason" */
static void
ar_put_comment(struct ar_out *o, const struct smtp2_verdict *v)
{
	if (v->via[0] != '\0' && smtp2_ar_domain_ok(v->via, sizeof(v->via))) {
		smtp2_ar_puts(o, "forwarded via ");
		smtp2_ar_puts(o, v->via);
		smtp2_ar_puts(o, ", ");
	}
	smtp2_ar_puts(o, "method=");
	smtp2_ar_puts(o, smtp2_method_name(v->method));
	smtp2_ar_puts(o, ", dnssec=");
	smtp2_ar_puts(o, smtp2_dnssec_name(v->dnssec));
	if (v->has_record) {
		smtp2_ar_puts(o, ", policy=");
		smtp2_ar_puts(o, smtp2_policy_name(v->policy));
	}
	if (v->result != SMTP2_RESULT_PASS && v->reason[0] != '\0') {
		smtp2_ar_puts(o, "; ");
		smtp2_ar_put_ctext(o, v->reason, sizeof(v->reason));
	}
}

/* smtp2_ar_put_smtp2 - "smtp2=<r> (<comment>) header.from=<d>" */
void
smtp2_ar_put_smtp2(struct ar_out *o, const struct smtp2_verdict *v)
{
	smtp2_ar_puts(o, "smtp2=");
	smtp2_ar_puts(o, smtp2_result_name(v->result));
	smtp2_ar_puts(o, " (");
	ar_put_comment(o, v);
	smtp2_ar_puts(o, ")");
	if (smtp2_ar_domain_ok(v->domain, sizeof(v->domain))) {
		smtp2_ar_puts(o, " header.from=");
		smtp2_ar_puts(o, v->domain);
	}
}

/* smtp2_authres_format - "<id>; smtp2=<r> (<comment>) header.from=<d>" */
int
smtp2_authres_format(char *buf, size_t len, const char *authserv_id,
    const struct smtp2_verdict *v)
{
	struct ar_out o = {buf, len, 0};

	smtp2_ar_put_token(&o, authserv_id);
	if (v == NULL) {
		smtp2_ar_puts(&o, "; none");		/* RFC 8601 no-result */
		return (smtp2_ar_finish(&o));
	}
	smtp2_ar_puts(&o, "; ");
	smtp2_ar_put_smtp2(&o, v);
	return (smtp2_ar_finish(&o));
}

/* smtp2_verified_format - "yes; domain=..; method=..; dnssec=.." or "no; .." */
int
smtp2_verified_format(char *buf, size_t len, const struct smtp2_verdict *v)
{
	struct ar_out o = {buf, len, 0};
	bool	dom_ok;

	if (v == NULL) {
		smtp2_ar_puts(&o, "no");
		return (smtp2_ar_finish(&o));
	}
	dom_ok = smtp2_ar_domain_ok(v->domain, sizeof(v->domain));

	/* A badge without the domain it vouches for would vouch for nothing. */
	smtp2_ar_puts(&o, v->result == SMTP2_RESULT_PASS && dom_ok ? "yes" : "no");
	if (dom_ok) {
		smtp2_ar_puts(&o, "; domain=");
		smtp2_ar_puts(&o, v->domain);
	}
	if (v->result == SMTP2_RESULT_PASS && dom_ok) {
		smtp2_ar_puts(&o, "; method=");
		smtp2_ar_puts(&o, smtp2_method_name(v->method));
		smtp2_ar_puts(&o, "; dnssec=");
		smtp2_ar_puts(&o, smtp2_dnssec_name(v->dnssec));
		if (v->via[0] != '\0' && smtp2_ar_domain_ok(v->via, sizeof(v->via))) {
			smtp2_ar_puts(&o, "; via=");
			smtp2_ar_puts(&o, v->via);
		}
	} else {
		smtp2_ar_puts(&o, "; result=");
		smtp2_ar_puts(&o, smtp2_result_name(v->result));
	}
	return (smtp2_ar_finish(&o));
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
