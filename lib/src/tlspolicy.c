/*
 * tlspolicy.c - the outbound TLS policy for a next-hop domain.
 *
 * DANE first (RFC 8461 2: DANE wins over MTA-STS, and a TLSA set is the
 * strongest promise a receiver can make), then the _smtp2 record: with
 * p=enforce the domain promises servers with CA-signed certificates named
 * within it (or within its hosts=), which Postfix checks with "secure".
 * The record is believed without DNSSEC: it can only tighten delivery.
 * MTA-STS comes last, from the caller, and only on NOTFOUND.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/tlspolicy.h>
#include <smtp2/verify.h>
#include "tlspolicy_int.h"

#define TP_DEFAULT_PORT	25

static const char *const tp_result_names[] = {
	[SMTP2_TLSPOLICY_NOTFOUND] = "notfound",
	[SMTP2_TLSPOLICY_DANE_ONLY] = "dane-only",
	[SMTP2_TLSPOLICY_DANE] = "dane",
	[SMTP2_TLSPOLICY_SECURE] = "secure",
	[SMTP2_TLSPOLICY_TEMP] = "temp",
};

static const char *const tp_source_names[] = {
	[SMTP2_TLSPOLICY_SRC_NONE] = "none",
	[SMTP2_TLSPOLICY_SRC_DANE] = "dane",
	[SMTP2_TLSPOLICY_SRC_SMTP2] = "smtp2",
	[SMTP2_TLSPOLICY_SRC_MTASTS] = "mta-sts",
};

/* smtp2_tlspolicy_result_name - the result in logs */
const char *
smtp2_tlspolicy_result_name(enum smtp2_tlspolicy_result r)
{
	return ((unsigned)r <= SMTP2_TLSPOLICY_TEMP ? tp_result_names[r] :
	    "invalid");
}

/* smtp2_tlspolicy_source_name - where a policy came from, in logs */
const char *
smtp2_tlspolicy_source_name(enum smtp2_tlspolicy_source s)
{
	return ((unsigned)s <= SMTP2_TLSPOLICY_SRC_MTASTS ? tp_source_names[s] :
	    "invalid");
}

/* tp_set - result, source, policy value and a one-line reason */
static void
tp_set(struct smtp2_tlspolicy *out, enum smtp2_tlspolicy_result r,
    enum smtp2_tlspolicy_source src, const char *policy, const char *reason)
{
	char	*s;

	out->result = r;
	out->source = src;
	snprintf(out->policy, sizeof(out->policy), "%s", policy);
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
	for (s = out->reason; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* tp_record_hosts - the record at _smtp2.<owner> again (a cache hit) for
 * its hosts=; -1 with why when it cannot be had */
static int
tp_record_hosts(struct smtp2_dns *dns, const char *owner,
    struct smtp2_record *rec, unsigned *queries, char *why, size_t whylen)
{
	struct smtp2_dns_answer *a;
	char	name[SMTP2_DOMAIN_MAX + 8], **txt = NULL;
	size_t	*lens = NULL, i, n = 0;
	int	rc = -1;

	snprintf(name, sizeof(name), "_smtp2.%s", owner);
	if ((a = smtp2_dns_query_counted(dns, name, SMTP2_DNS_T_TXT,
	    queries)) == NULL || a->status != SMTP2_DNS_OK) {
		snprintf(why, whylen, "%.100s TXT: %.140s", name, a == NULL ?
		    "out of memory" : a->status == SMTP2_DNS_TEMPFAIL ? a->why :
		    "gone");
		goto out;
	}
	if ((txt = calloc(a->n ? a->n : 1, sizeof(*txt))) == NULL ||
	    (lens = calloc(a->n ? a->n : 1, sizeof(*lens))) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (n = 0; n < a->n; n++)
		if ((txt[n] = smtp2_dns_txt_join(&a->rr[n], &lens[n])) == NULL) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	if (smtp2_record_select((const char *const *)txt, lens, n, rec, why,
	    whylen) == SMTP2_RECORD_OK)
		rc = 0;
out:
	for (i = 0; txt != NULL && i < n; i++)
		free(txt[i]);
	free(txt);
	free(lens);
	smtp2_dns_answer_free(a);
	return (rc);
}

/* tp_secure_match - "secure match=owner:.owner[:host...]" */
static int
tp_secure_match(const char *owner, const struct smtp2_record *rec,
    char *out, size_t outlen)
{
	size_t	i, n;
	int	w;

	w = snprintf(out, outlen, "secure match=%s:.%s", owner, owner);
	if (w < 0 || (size_t)w >= outlen)
		return (-1);
	n = (size_t)w;
	for (i = 0; i < rec->n_hosts; i++) {
		/* hosts= "*.mail.provider.net" is Postfix's ".mail.provider.net" */
		const char *h = rec->hosts[i];

		w = snprintf(out + n, outlen - n, ":%s", h[0] == '*' ? h + 1 : h);
		if (w < 0 || (size_t)w >= outlen - n)
			return (-1);
		n += (size_t)w;
	}
	return (0);
}

/* tp_smtp2 - the _smtp2 record's word, after DANE found nothing */
static void
tp_smtp2(struct smtp2_dns *dns, struct smtp2_tlspolicy *out)
{
	struct smtp2_verify_opts vo = { .dnssec = SMTP2_DNSSEC_PREFERRED };
	struct smtp2_verdict v;
	struct smtp2_record rec;
	char	why[256], match[sizeof(out->policy)];

	/* Without TLS facts the verdict is the record's alone. */
	smtp2_verify_with(dns, &vo, out->domain, NULL, &v);
	out->queries += v.queries;
	if (v.result == SMTP2_RESULT_TEMPERROR) {
		tp_set(out, SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_SMTP2, "",
		    v.reason);
		return;
	}
	if (!v.has_record || v.policy != SMTP2_POLICY_ENFORCE) {
		snprintf(why, sizeof(why), "%.120s; %.120s", out->reason,
		    v.has_record ? "_smtp2 policy is not enforce" : v.reason);
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE,
		    "", why);
		return;
	}
	if (tp_record_hosts(dns, v.record_domain, &rec, &out->queries, why,
	    sizeof(why)) < 0) {
		tp_set(out, SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_SMTP2, "",
		    why);
		return;
	}
	if (tp_secure_match(v.record_domain, &rec, match, sizeof(match)) < 0) {
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE,
		    "", "_smtp2 hosts= too long for a policy");
		return;
	}
	snprintf(why, sizeof(why), "_smtp2 p=enforce at %.200s%s",
	    v.record_domain, strcmp(v.record_domain, out->domain) ?
	    " (parent)" : "");
	tp_set(out, SMTP2_TLSPOLICY_SECURE, SMTP2_TLSPOLICY_SRC_SMTP2, match,
	    why);
}

/* smtp2_tlspolicy_lookup - DANE, then _smtp2; MTA-STS is the caller's */
void
smtp2_tlspolicy_lookup(struct smtp2_dns *dns,
    const struct smtp2_tlspolicy_opts *o, const char *domain,
    struct smtp2_tlspolicy *out)
{
	unsigned port = o != NULL && o->port != 0 ? o->port : TP_DEFAULT_PORT;
	char	why[256] = "";

	memset(out, 0, sizeof(*out));
	if (domain == NULL || smtp2_domain_normalise(domain, out->domain,
	    sizeof(out->domain)) < 0) {
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE,
		    "", "not a domain name");
		return;
	}
	if (dns == NULL) {
		tp_set(out, SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_NONE, "",
		    "no resolver");
		return;
	}
	switch (tlspolicy_dane(dns, out->domain, port, &out->queries, why,
	    sizeof(why))) {
	case TP_DANE_ALL:
		tp_set(out, SMTP2_TLSPOLICY_DANE_ONLY, SMTP2_TLSPOLICY_SRC_DANE,
		    "dane-only", why);
		return;
	case TP_DANE_SOME:
		tp_set(out, SMTP2_TLSPOLICY_DANE, SMTP2_TLSPOLICY_SRC_DANE,
		    "dane", why);
		return;
	case TP_DANE_TEMP:
		tp_set(out, SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_DANE, "",
		    why);
		return;
	case TP_DANE_NOHOST:
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE,
		    "", why);
		return;
	case TP_DANE_NONE:
		break;
	}
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	tp_smtp2(dns, out);
}

/* smtp2_tlspolicy_from_mtasts - MTA-STS, where DNS found nothing */
void
smtp2_tlspolicy_from_mtasts(const struct smtp2_mtasts_policy *sts,
    struct smtp2_tlspolicy *out)
{
	char	match[sizeof(out->policy) - 64], policy[sizeof(out->policy)];
	char	why[sizeof(out->reason)];

	if (out->result != SMTP2_TLSPOLICY_NOTFOUND || sts == NULL)
		return;
	if (sts->mode != SMTP2_MTASTS_ENFORCE) {
		snprintf(why, sizeof(why), "MTA-STS mode %s: nothing enforced",
		    smtp2_mtasts_mode_name(sts->mode));
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_MTASTS,
		    "", why);
		return;
	}
	if (smtp2_mtasts_match(sts, match, sizeof(match)) < 0) {
		tp_set(out, SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_MTASTS,
		    "", "MTA-STS mx patterns too long for a policy");
		return;
	}
	/* servername=hostname: MX hosts may serve several names (SNI). */
	snprintf(policy, sizeof(policy), "secure match=%s servername=hostname",
	    match);
	tp_set(out, SMTP2_TLSPOLICY_SECURE, SMTP2_TLSPOLICY_SRC_MTASTS, policy,
	    "MTA-STS mode enforce");
}
