/*
 * signing.c - DKIM and signing practices for one message (signing.h).
 *
 * The verifier starts with the first header field, so a message that
 * never reaches its header costs nothing.  Everything it could not do
 * (no memory, no resolver) surfaces at the end as a temperror, never as
 * a quiet pass or a crash.
 */

/* System library. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/practices.h>

/* Application-specific. */
#include "run.h"
#include "signing.h"

#define FIELD_STACK	4096	/* header fields this long need no malloc */

/* milter_signing_reset - see signing.h */
void
milter_signing_reset(struct signing *g)
{
	smtp2_dkimv_free(g->dkim);
	memset(g, 0, sizeof(*g));
}

/* signing_start - the verifier, on the first header of a message */
static bool
signing_start(struct signing *g, const struct milter_run *run,
    struct smtp2_dns *dns, const char *dns_why)
{
	const struct smtp2_conf *conf = run->conf;
	struct smtp2_dkimv_opts o;

	if (g->dkim != NULL || g->failed)
		return !g->failed;
	if (dns == NULL) {
		snprintf(g->why, sizeof(g->why), "%s", dns_why ? dns_why :
		    "no DNS resolver");
		g->failed = true;
		return false;
	}
	memset(&o, 0, sizeof(o));
	o.dns = dns;
	o.keys = run->keys;	/* the cache locks itself */
	o.clock_skew = conf->dkim.clock_skew;
	o.min_rsa_bits = conf->dkim.min_rsa_bits;
	if ((g->dkim = smtp2_dkimv_new(&o)) == NULL) {
		snprintf(g->why, sizeof(g->why), "out of memory");
		g->failed = true;
	}
	return !g->failed;
}

/* signing_feed - "Name:value" to the verifier, as the field was sent */
static void
signing_feed(struct signing *g, const char *name, const char *value,
    bool leadspc)
{
	char	stack[FIELD_STACK], *field = stack;
	size_t	nlen = strlen(name), vlen = strlen(value), len;

	/* Without leadspc the MTA ate one space after the colon: put it back,
	 * as nearly every sender writes "Name: value". */
	len = nlen + 1 + (leadspc ? 0 : 1) + vlen;
	if (len >= sizeof(stack) && (field = malloc(len + 1)) == NULL) {
		snprintf(g->why, sizeof(g->why), "out of memory");
		g->failed = true;
		return;
	}
	memcpy(field, name, nlen);
	field[nlen] = ':';
	if (!leadspc)
		field[nlen + 1] = ' ';
	memcpy(field + len - vlen, value, vlen);
	smtp2_dkimv_header(g->dkim, field, len);
	if (field != stack)
		free(field);
}

/* milter_signing_header - see signing.h */
void
milter_signing_header(struct signing *g, const struct milter_run *run,
    struct smtp2_dns *dns, const char *dns_why, const char *name,
    const char *value, bool leadspc)
{
	const struct smtp2_conf *conf = run->conf;

	if (!conf->dkim.verify)
		return;
	if (!g->has_spf && conf->dkim.n_trusted_authserv_ids > 0
	    && strcasecmp(name, "Authentication-Results") == 0)
		g->has_spf = smtp2_spf_upstream_parse(value,
		    (const char *const *)conf->dkim.trusted_authserv_ids,
		    conf->dkim.n_trusted_authserv_ids, &g->spf);
	if (signing_start(g, run, dns, dns_why))
		signing_feed(g, name, value, leadspc);
}

/* milter_signing_eoh - see signing.h */
void
milter_signing_eoh(struct signing *g)
{
	if (g->dkim != NULL && !g->failed)
		smtp2_dkimv_eoh(g->dkim);
}

/* milter_signing_body - see signing.h */
void
milter_signing_body(struct signing *g, const unsigned char *p, size_t len)
{
	if (g->dkim != NULL && !g->failed)
		smtp2_dkimv_body(g->dkim, p, len);
}

/* milter_signing_eom - see signing.h */
void
milter_signing_eom(struct signing *g, const struct smtp2_conf *conf,
    struct smtp2_dns *dns, const char *from_domain, struct signing_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!conf->dkim.verify)
		return;
	r->checked = true;
	if (g->failed || g->dkim == NULL || dns == NULL) {
		r->temperror = g->failed || dns == NULL;
		if (g->why[0] == '\0')
			snprintf(g->why, sizeof(g->why), "no header seen");
		return;
	}
	r->n_sigs = smtp2_dkimv_eom(g->dkim, &r->sigs);
	if (from_domain == NULL || from_domain[0] == '\0')
		return;
	if (smtp2_dmarc_evaluate(dns, from_domain, r->sigs, r->n_sigs,
	    g->has_spf ? &g->spf : NULL, &r->dmarc) < 0) {
		r->temperror = true;
		snprintf(g->why, sizeof(g->why), "%s", r->dmarc.why);
		return;
	}
	smtp2_adsp_evaluate(dns, from_domain, r->sigs, r->n_sigs, &r->adsp);
	r->judged = true;
}

/* sender_domain - the domain of "<local@domain>", lower case; false if none */
static bool
sender_domain(const char *sender, char *out, size_t outlen)
{
	const char *at = strrchr(sender, '@');
	size_t	i, n;

	if (at == NULL)
		return false;
	n = strcspn(at + 1, ">");
	if (n == 0 || n >= outlen)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)((at[1 + i] >= 'A' && at[1 + i] <= 'Z') ?
		    at[1 + i] - 'A' + 'a' : at[1 + i]);
	out[n] = '\0';
	return true;
}

/* milter_signing_forwarder - see signing.h */
bool
milter_signing_forwarder(const struct smtp2_conf *conf,
    const struct smtp2_verdict *v, const struct signing_result *r,
    const char *sender, const char *helo, char *out, size_t outlen)
{
	if (!conf->dkim.forwarded || !r->judged || !r->dmarc.dkim_aligned
	    || (v->result != SMTP2_RESULT_FAIL && v->result != SMTP2_RESULT_NONE)
	    || v->domain[0] == '\0')
		return false;
	if (sender != NULL && sender_domain(sender, out, outlen)
	    && strcmp(out, v->domain) != 0)
		return true;
	if (helo == NULL || helo[0] == '\0' || strlen(helo) >= outlen
	    || strcasecmp(helo, v->domain) == 0 || strchr(helo, '.') == NULL)
		return false;
	snprintf(out, outlen, "%s", helo);
	return true;
}

/* milter_signing_forwarded - see signing.h */
bool
milter_signing_forwarded(struct smtp2_verdict *v, const struct smtp2_verdict *fv,
    const struct signing_result *r)
{
	char	reason[2 * sizeof(v->reason) + 2 * SMTP2_DOMAIN_MAX];
	size_t	n;

	if (fv->result != SMTP2_RESULT_PASS)
		return false;
	snprintf(reason, sizeof(reason), "forwarded via %s (proven by %s),"
	    " first-party DKIM signature d=%s; %s", fv->domain,
	    smtp2_method_name(fv->method), r->dmarc.dkim_domain, v->reason);
	/* Cut to fit: the reason is for humans, its head says it all. */
	n = strnlen(reason, sizeof(v->reason) - 1);
	memcpy(v->reason, reason, n);
	v->reason[n] = '\0';
	snprintf(v->via, sizeof(v->via), "%s", fv->domain);
	v->result = SMTP2_RESULT_PASS;
	v->method = fv->method;
	v->dnssec = fv->dnssec;
	return true;
}
