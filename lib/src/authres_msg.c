/*
 * authres_msg.c - a message's whole Authentication-Results value: the
 * smtp2 result, then dkim= for every signature (RFC 8601 2.7.1, RFC 6008
 * header.b), dmarc= and dkim-adsp= (RFC 5617 5.4), each resinfo on a
 * line of its own (docs/headers.md).
 *
 * d=, s=, i= and b= come from the signature, i.e. from the sender: a
 * value that is not plainly safe as a property value is left out, never
 * quoted, so the field always parses.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/authres.h>
#include "authres_int.h"

/* ar_fold - a new resinfo on a new line */
static void
ar_fold(struct ar_out *o)
{
	smtp2_ar_puts(o, ";\n\t");
}

/* ar_plain - only letters, digits and a few safe punctuation bytes? */
static bool
ar_plain(const char *s, const char *extra)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == '\0')
		return (false);
	for (; *u != '\0'; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z')
		    || (*u >= '0' && *u <= '9') || strchr(extra, *u) != NULL))
			return (false);
	return (true);
}

/* ar_prop - " name=value" when the value is plainly safe */
static void
ar_prop(struct ar_out *o, const char *name, const char *value, const char *extra)
{
	if (!ar_plain(value, extra))
		return;
	smtp2_ar_putc(o, ' ');
	smtp2_ar_puts(o, name);
	smtp2_ar_putc(o, '=');
	smtp2_ar_puts(o, value);
}

/* ar_put_dkim - "dkim=<r> (<alg>, <bits>-bit key, dnssec; why) header.*" */
static void
ar_put_dkim(struct ar_out *o, const struct smtp2_dkimv_sig *s)
{
	char	bits[32];

	smtp2_ar_puts(o, "dkim=");
	smtp2_ar_puts(o, smtp2_dkimv_result_name(s->result));
	smtp2_ar_puts(o, " (");
	if (s->key_bits > 0) {
		snprintf(bits, sizeof(bits), "%u-bit key, ", s->key_bits);
		smtp2_ar_puts(o, bits);
		smtp2_ar_puts(o, "key dnssec=");
		smtp2_ar_puts(o, smtp2_dnssec_name(s->key_dnssec));
		smtp2_ar_puts(o, s->testing ? ", testing; " : "; ");
	}
	smtp2_ar_put_ctext(o, s->why, sizeof(s->why));
	smtp2_ar_putc(o, ')');
	if (smtp2_ar_domain_ok(s->domain, sizeof(s->domain)))
		ar_prop(o, "header.d", s->domain, ".-_");
	ar_prop(o, "header.i", s->identity, ".-_@+");
	ar_prop(o, "header.s", s->selector, ".-_");
	ar_prop(o, "header.a", smtp2_dkim_alg_name(s->alg), "-");
	ar_prop(o, "header.b", s->b, "+/");
}

/* ar_put_dmarc - "dmarc=<r> (p=reject at D; why) header.from=<d>" */
static void
ar_put_dmarc(struct ar_out *o, const struct smtp2_dmarc_eval *d,
    const char *from)
{
	smtp2_ar_puts(o, "dmarc=");
	smtp2_ar_puts(o, smtp2_dmarcr_name(d->result));
	smtp2_ar_puts(o, " (");
	if (d->has_record && d->policy_tag != NULL) {
		smtp2_ar_puts(o, d->policy_tag);
		smtp2_ar_putc(o, '=');
		smtp2_ar_puts(o, smtp2_dmarc_policy_name(d->policy));
		if (d->testing)
			smtp2_ar_puts(o, " t=y");
		smtp2_ar_puts(o, ", ");
	}
	smtp2_ar_puts(o, "spf alignment=");
	smtp2_ar_puts(o, d->spf_aligned == SMTP2_YES ? "yes" :
	    d->spf_aligned == SMTP2_NO ? "no" : "unknown");
	if (d->why[0] != '\0') {
		smtp2_ar_puts(o, "; ");
		smtp2_ar_put_ctext(o, d->why, sizeof(d->why));
	}
	smtp2_ar_putc(o, ')');
	if (from != NULL && smtp2_ar_domain_ok(from, 256))
		ar_prop(o, "header.from", from, ".-_");
}

/* ar_put_adsp - "dkim-adsp=<r> (why) header.from=<d>" */
static void
ar_put_adsp(struct ar_out *o, const struct smtp2_adsp_eval *a, const char *from)
{
	smtp2_ar_puts(o, "dkim-adsp=");
	smtp2_ar_puts(o, smtp2_adspr_name(a->result));
	if (a->why[0] != '\0') {
		smtp2_ar_puts(o, " (");
		smtp2_ar_put_ctext(o, a->why, sizeof(a->why));
		smtp2_ar_putc(o, ')');
	}
	if (from != NULL && smtp2_ar_domain_ok(from, 256))
		ar_prop(o, "header.from", from, ".-_");
}

/* smtp2_authres_format_msg - see smtp2/authres.h */
int
smtp2_authres_format_msg(char *buf, size_t len, const char *authserv_id,
    const struct smtp2_authres_msg *m)
{
	struct ar_out o = {buf, len, 0};
	bool	first = true;
	size_t	i;

	smtp2_ar_put_token(&o, authserv_id);
	smtp2_ar_puts(&o, "; ");
	if (m->smtp2 != NULL) {
		smtp2_ar_put_smtp2(&o, m->smtp2);
		first = false;
	}
	if (m->dkim_checked && m->n_sigs == 0) {
		if (!first)
			ar_fold(&o);
		smtp2_ar_puts(&o, "dkim=none");
		first = false;
	}
	for (i = 0; m->dkim_checked && i < m->n_sigs; i++, first = false) {
		if (!first)
			ar_fold(&o);
		ar_put_dkim(&o, &m->sigs[i]);
	}
	if (m->dmarc != NULL) {
		if (!first)
			ar_fold(&o);
		ar_put_dmarc(&o, m->dmarc, m->from_domain);
		first = false;
	}
	if (m->adsp != NULL) {
		if (!first)
			ar_fold(&o);
		ar_put_adsp(&o, m->adsp, m->from_domain);
		first = false;
	}
	if (first)
		smtp2_ar_puts(&o, "none");	/* RFC 8601 no-result */
	return (smtp2_ar_finish(&o));
}
