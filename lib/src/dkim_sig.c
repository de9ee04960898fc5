/*
 * dkim_sig.c - parse the value of a DKIM-Signature header field
 * (RFC 6376 3.5; RFC 8301 for rsa-sha1, RFC 8463 for ed25519-sha256).
 *
 * The tag list is split by dkim_tag.c; here each known tag is checked and
 * stored, then the tags that must be there and the rules that join two
 * tags (i= within d=, x= not before t=) are checked.
 */

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "dkim_int.h"
#include "why.h"

#define SIG_NAME_MAX	253	/* a domain name without the final dot */
#define SIG_TIME_DIGITS	12	/* t= and x= are 1*12DIGIT */

static const char *const sig_alg_names[] = {
	[SMTP2_DKIM_RSA_SHA256] = "rsa-sha256",
	[SMTP2_DKIM_ED25519_SHA256] = "ed25519-sha256",
	[SMTP2_DKIM_RSA_SHA1] = "rsa-sha1",
};

#define SIG_ALG_COUNT	(sizeof(sig_alg_names) / sizeof(sig_alg_names[0]))

/* smtp2_dkim_alg_name - "rsa-sha256", "ed25519-sha256", "rsa-sha1" */
const char *
smtp2_dkim_alg_name(enum smtp2_dkim_alg alg)
{
	return ((unsigned)alg < SIG_ALG_COUNT ? sig_alg_names[alg] : "invalid");
}

/* sig_name_ok - a domain name or selector: dot-separated LDH labels
 * ('_' too in selectors, which some signers use) */
static bool
sig_name_ok(const char *p, size_t len, bool underscore)
{
	size_t	i, label = 0;
	char	c;

	if (len == 0 || len > SIG_NAME_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return (false);
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || (underscore && c == '_')
		    || (c == '-' && label > 0)) {
			if (++label > 63)
				return (false);
		} else
			return (false);
	}
	return (label > 0 && p[len - 1] != '-');
}

/* sig_decimal - 1*max_digits DIGIT into *out */
static int
sig_decimal(const struct smtp2_tag *tag, size_t max_digits,
    uint64_t *out, char *why, size_t whylen)
{
	size_t	i;
	unsigned d;

	*out = 0;
	if (tag->vallen == 0)
		return (smtp2_dkim_tag_bad(tag, "expected digits, got", why, whylen));
	for (i = 0; i < tag->vallen; i++) {
		if (tag->value[i] < '0' || tag->value[i] > '9')
			return (smtp2_dkim_tag_bad(tag, "not a decimal number:", why, whylen));
		d = (unsigned)(tag->value[i] - '0');
		if (i >= max_digits || *out > (UINT64_MAX - d) / 10)
			return (smtp2_dkim_tag_bad(tag, "number too large:", why, whylen));
		*out = *out * 10 + d;
	}
	return (0);
}

/* sig_alg - a=: rsa-sha256, ed25519-sha256, or the forbidden rsa-sha1 */
static int
sig_alg(const struct smtp2_tag *tag, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < SIG_ALG_COUNT; i++) {
		if (smtp2_dkim_is(tag->value, tag->vallen, sig_alg_names[i])) {
			sig->alg = (enum smtp2_dkim_alg)i;
			sig->weak_alg = sig->alg == SMTP2_DKIM_RSA_SHA1;
			return (0);
		}
	}
	return (smtp2_dkim_tag_bad(tag, "unknown algorithm", why, whylen));
}

/* sig_canon_one - "simple" or "relaxed" */
static int
sig_canon_one(const char *p, size_t len, enum smtp2_dkim_canon *c)
{
	if (smtp2_dkim_is(p, len, "simple"))
		*c = SMTP2_DKIM_SIMPLE;
	else if (smtp2_dkim_is(p, len, "relaxed"))
		*c = SMTP2_DKIM_RELAXED;
	else
		return (-1);
	return (0);
}

/* sig_canon - c=: header[/body], the body simple when not given */
static int
sig_canon(const struct smtp2_tag *tag, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const char *slash = memchr(tag->value, '/', tag->vallen);
	size_t	hlen = slash != NULL ? (size_t)(slash - tag->value) : tag->vallen;

	if (sig_canon_one(tag->value, hlen, &sig->canon_header) < 0
	    || (slash != NULL && sig_canon_one(slash + 1,
	    tag->vallen - hlen - 1, &sig->canon_body) < 0))
		return (smtp2_dkim_tag_bad(tag, "expected simple or relaxed "
		    "[/simple or relaxed], got", why, whylen));
	return (0);
}

/* sig_headers - h=: colon-separated field names, from among them */
static int
sig_headers(const struct smtp2_tag *tag, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	struct smtp2_dkim_str item;
	size_t	pos = 0, i;
	bool	from = false;

	sig->n_headers = 0;
	while (smtp2_dkim_next_item(tag, &pos, &item)) {
		for (i = 0; i < item.len; i++)
			if (item.p[i] < 0x21 || item.p[i] > 0x7e || item.p[i] == ':')
				break;
		if (item.len == 0 || i < item.len)
			return (smtp2_dkim_tag_bad(tag, "empty or malformed field name in",
			    why, whylen));
		if (sig->n_headers == SMTP2_DKIM_H_MAX) {
			smtp2_why(why, whylen, "h=: more than %d field names",
			    SMTP2_DKIM_H_MAX);
			return (-1);
		}
		from = from || smtp2_dkim_is(item.p, item.len, "from");
		sig->headers[sig->n_headers++] = item;
	}
	if (!from)
		return (smtp2_dkim_tag_bad(tag, "From is not signed:", why, whylen));
	return (0);
}

/* sig_query - q=: a colon list that must offer dns/txt */
static int
sig_query(const struct smtp2_tag *tag, char *why, size_t whylen)
{
	struct smtp2_dkim_str item;
	size_t	pos = 0;

	while (smtp2_dkim_next_item(tag, &pos, &item))
		if (smtp2_dkim_is(item.p, item.len, "dns/txt"))
			return (0);
	return (smtp2_dkim_tag_bad(tag, "no dns/txt query method in", why, whylen));
}

/* sig_identity - i=: [local-part] "@" d= or a subdomain of d= */
static int
sig_identity(const struct smtp2_tag *tag, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const char *at = NULL, *dom;
	size_t	i, dlen;

	for (i = 0; i < tag->vallen; i++)
		if (tag->value[i] == '@')
			at = tag->value + i;
	if (at == NULL)
		return (smtp2_dkim_tag_bad(tag, "no '@' in", why, whylen));
	dom = at + 1;
	dlen = tag->vallen - (size_t)(dom - tag->value);
	if (!sig_name_ok(dom, dlen, false))
		return (smtp2_dkim_tag_bad(tag, "not a domain after '@' in", why, whylen));
	if (dlen < sig->domain.len || strncasecmp(dom + dlen - sig->domain.len,
	    sig->domain.p, sig->domain.len) != 0
	    || (dlen > sig->domain.len
	    && dom[dlen - sig->domain.len - 1] != '.'))
		return (smtp2_dkim_tag_bad(tag, "domain is neither d= nor below it:",
		    why, whylen));
	sig->identity.p = tag->value;
	sig->identity.len = tag->vallen;
	sig->has_identity = true;
	return (0);
}

/* sig_required - v a b bh d h s must all be there */
static int
sig_required(const struct smtp2_dkim_tags *tags, char *why, size_t whylen)
{
	static const char *const need[] = {"v", "a", "b", "bh", "d", "h", "s"};
	size_t	i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (smtp2_dkim_tag_get(tags, need[i]) == NULL) {
			smtp2_why(why, whylen, "missing required tag %s=",
			    need[i]);
			return (-1);
		}
	}
	return (0);
}

/* sig_names - v=, d= and s= (all present: sig_required ran) */
static int
sig_names(const struct smtp2_dkim_tags *tags, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const struct smtp2_tag *v = smtp2_dkim_tag_get(tags, "v"),
	    *d = smtp2_dkim_tag_get(tags, "d"),
	    *s = smtp2_dkim_tag_get(tags, "s");

	if (v->vallen != 1 || v->value[0] != '1')
		return (smtp2_dkim_tag_bad(v, "unsupported version", why, whylen));
	if (!sig_name_ok(d->value, d->vallen, false))
		return (smtp2_dkim_tag_bad(d, "not a domain name:", why, whylen));
	if (!sig_name_ok(s->value, s->vallen, true))
		return (smtp2_dkim_tag_bad(s, "not a selector:", why, whylen));
	sig->domain.p = d->value;
	sig->domain.len = d->vallen;
	sig->selector.p = s->value;
	sig->selector.len = s->vallen;
	return (0);
}

/* sig_blobs - b= and bh=, base64 */
static int
sig_blobs(const struct smtp2_dkim_tags *tags, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const struct smtp2_tag *b = smtp2_dkim_tag_get(tags, "b"),
	    *bh = smtp2_dkim_tag_get(tags, "bh");

	if (smtp2_dkim_b64(b, sig->b, sizeof(sig->b), &sig->b_len, why,
	    whylen) < 0 || smtp2_dkim_b64(bh, sig->bh, sizeof(sig->bh),
	    &sig->bh_len, why, whylen) < 0)
		return (-1);
	if (sig->b_len == 0 || sig->bh_len == 0) {
		smtp2_why(why, whylen, "%s=: empty", sig->b_len == 0 ? "b" : "bh");
		return (-1);
	}
	sig->b_value.p = b->value;
	sig->b_value.len = b->vallen;
	return (0);
}

/* sig_numbers - l=, t= and x=, and x= not before t= */
static int
sig_numbers(const struct smtp2_dkim_tags *tags, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const struct smtp2_tag *l = smtp2_dkim_tag_get(tags, "l"),
	    *t = smtp2_dkim_tag_get(tags, "t"),
	    *x = smtp2_dkim_tag_get(tags, "x");

	if ((sig->has_length = l != NULL)
	    && sig_decimal(l, 76, &sig->length, why, whylen) < 0)
		return (-1);
	if ((sig->has_timestamp = t != NULL) && sig_decimal(t,
	    SIG_TIME_DIGITS, &sig->timestamp, why, whylen) < 0)
		return (-1);
	if ((sig->has_expiry = x != NULL) && sig_decimal(x,
	    SIG_TIME_DIGITS, &sig->expiry, why, whylen) < 0)
		return (-1);
	/* RFC 6376 3.5: x= MUST be greater than t=. */
	if (t != NULL && x != NULL && sig->expiry <= sig->timestamp) {
		smtp2_why(why, whylen, "x=%llu is not after t=%llu",
		    (unsigned long long)sig->expiry,
		    (unsigned long long)sig->timestamp);
		return (-1);
	}
	return (0);
}

/* sig_optional - c=, i=, q= when present (d= already stored) */
static int
sig_optional(const struct smtp2_dkim_tags *tags, struct smtp2_dkim_sig *sig,
    char *why, size_t whylen)
{
	const struct smtp2_tag *c = smtp2_dkim_tag_get(tags, "c"),
	    *i = smtp2_dkim_tag_get(tags, "i"),
	    *q = smtp2_dkim_tag_get(tags, "q");

	if ((c != NULL && sig_canon(c, sig, why, whylen) < 0)
	    || (q != NULL && sig_query(q, why, whylen) < 0))
		return (-1);
	if (i != NULL)
		return (sig_identity(i, sig, why, whylen));
	return (0);
}

/* smtp2_dkim_sig_parse - parse a DKIM-Signature header field value */
enum smtp2_dkim_status
smtp2_dkim_sig_parse(const char *value, size_t len,
    struct smtp2_dkim_sig *sig, char *why, size_t whylen)
{
	struct smtp2_dkim_tags tags;

	memset(sig, 0, sizeof(*sig));
	if (smtp2_dkim_tags_parse(value, len, &tags, why, whylen) < 0
	    || sig_required(&tags, why, whylen) < 0
	    || sig_names(&tags, sig, why, whylen) < 0
	    || sig_alg(smtp2_dkim_tag_get(&tags, "a"), sig, why, whylen) < 0
	    || sig_headers(smtp2_dkim_tag_get(&tags, "h"), sig, why, whylen) < 0
	    || sig_blobs(&tags, sig, why, whylen) < 0
	    || sig_numbers(&tags, sig, why, whylen) < 0
	    || sig_optional(&tags, sig, why, whylen) < 0)
		return (SMTP2_DKIM_INVALID);
	if (!sig->has_identity) {
		sig->identity = sig->domain;	/* "@" d=, without the "@" */
	}
	smtp2_why(why, whylen, "d=%.*s s=%.*s a=%s",
	    (int)sig->domain.len, sig->domain.p,
	    (int)sig->selector.len, sig->selector.p,
	    smtp2_dkim_alg_name(sig->alg));
	return (SMTP2_DKIM_OK);
}
