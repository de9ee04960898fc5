/*
 * verify.c - weigh the sender domain's DNS against the client's TLS facts.
 *
 * Two lookups at most: the _smtp2 TXT record (does the domain take part,
 * and is its record sound?) and, when a certificate was presented, the
 * TLSA pins.  Proof comes from a pin (dane, preferred) or from a trusted
 * certificate whose name lies in the domain (pkix).  Without proof the
 * record decides between fail and none; DNS trouble never becomes either.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/metrics.h>
#include <smtp2/record.h>
#include <smtp2/verify.h>
#include "verify_int.h"

#define VERIFY_NAME_MAX		253	/* RFC 1035, without the final dot */
#define VERIFY_LABEL_MAX	63

/* verify_label_ok - one LDH label, no hyphen at either end */
static bool
verify_label_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > VERIFY_LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
		return (false);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return (false);
	return (true);
}

/* smtp2_domain_normalise - lower-case, drop one final dot, check syntax */
int
smtp2_domain_normalise(const char *in, char *out, size_t outlen)
{
	size_t	len, i, start;
	bool	dot = false;

	if (in == NULL || out == NULL || outlen == 0)
		return (-1);
	len = strnlen(in, VERIFY_NAME_MAX + 2);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > VERIFY_NAME_MAX || len >= outlen)
		return (-1);
	for (i = start = 0; i <= len; i++) {
		if (i < len && in[i] != '.')
			continue;
		if (!verify_label_ok(in + start, i - start))
			return (-1);
		dot |= i < len;
		start = i + 1;
	}
	/* A single label is a local name, not a sender domain. */
	if (!dot)
		return (-1);
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[len] = '\0';
	return (0);
}

/* smtp2_domain_from_address - the part after the last @ */
int
smtp2_domain_from_address(const char *addr, char *out, size_t outlen)
{
	const char *at, *end;
	size_t	len;

	if (addr == NULL || out == NULL || outlen == 0)
		return (-1);
	len = strnlen(addr, 1024);
	if (len > 0 && addr[0] == '<') {
		if (addr[len - 1] != '>')
			return (-1);
		addr++;
		len -= 2;
	}
	out[0] = '\0';
	if (len == 0)
		return (0);		/* the null sender */
	/* The last @: a quoted local part may hold more of them. */
	end = addr + len;
	for (at = end; at > addr && at[-1] != '@'; at--)
		;
	if (at == addr || at == end || (size_t)(end - at) >= outlen)
		return (-1);
	memcpy(out, at, (size_t)(end - at));
	out[end - at] = '\0';
	return (0);
}

/* verify_sanitise - keep reasons on one printable line */
static void
verify_sanitise(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* verify_set - final result, reason and the answer it rests on */
static void
verify_set(struct smtp2_verdict *v, enum smtp2_result r, enum smtp2_method m,
    enum smtp2_dnssec sec, const char *reason)
{
	v->result = r;
	v->method = m;
	v->dnssec = sec;
	/* Longer reasons (a PKIX why) are cut to fit, as they always were. */
	snprintf(v->reason, sizeof(v->reason), "%.*s",
	    (int)sizeof(v->reason) - 1, reason);
	verify_sanitise(v->reason);
}

/* verify_record - select the _smtp2 record among the TXT strings */
static enum smtp2_record_status
verify_record(const struct smtp2_dns_answer *a, struct smtp2_record *rec,
    char *why, size_t whylen)
{
	enum smtp2_record_status st = SMTP2_RECORD_INVALID;
	char	**txts;
	size_t	*lens, i, n = 0;

	txts = calloc(a->n ? a->n : 1, sizeof(*txts));
	lens = calloc(a->n ? a->n : 1, sizeof(*lens));
	if (txts == NULL || lens == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (n = 0; n < a->n; n++) {
		if ((txts[n] = smtp2_dns_txt_join(&a->rr[n],
		    &lens[n])) == NULL) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	st = smtp2_record_select((const char *const *)txts, lens, n, rec,
	    why, whylen);
out:
	for (i = 0; txts != NULL && i < n; i++)
		free(txts[i]);
	free(txts);
	free(lens);
	return (st);
}

/* verify_lookup - one counted query; a bogus answer is never believed */
struct smtp2_dns_answer *
verify_lookup(struct smtp2_dns *dns, const char *name, uint16_t type,
    struct smtp2_verdict *v)
{
	return (smtp2_dns_query_counted(dns, name, type, &v->queries));
}

/* The _smtp2 record that applies to a domain, and where it was found. */
struct verify_rec {
	enum smtp2_dns_status status;	/* of the last TXT lookup made */
	enum smtp2_record_status rst;
	enum smtp2_dnssec sec;		/* of the answer holding the record */
	struct smtp2_record rec;
	char	owner[SMTP2_DOMAIN_MAX + 1];	/* "" while none was found */
	char	why[256];
};

/* verify_txt - look the _smtp2 record up at one name */
static void
verify_txt(struct smtp2_dns *dns, const char *at, struct smtp2_verdict *v,
    struct verify_rec *vr)
{
	struct smtp2_dns_answer *a;
	char	name[SMTP2_DOMAIN_MAX + 16];

	snprintf(name, sizeof(name), "_smtp2.%s", at);
	vr->rst = SMTP2_RECORD_ABSENT;
	if ((a = verify_lookup(dns, name, SMTP2_DNS_T_TXT, v)) == NULL) {
		vr->status = SMTP2_DNS_TEMPFAIL;
		vr->sec = SMTP2_DNSSEC_UNKNOWN;
		snprintf(vr->why, sizeof(vr->why), "out of memory");
		return;
	}
	vr->status = a->status;
	vr->sec = a->dnssec;
	if (a->status == SMTP2_DNS_TEMPFAIL)
		snprintf(vr->why, sizeof(vr->why), "%s", a->why);
	else if (a->status == SMTP2_DNS_OK)
		vr->rst = verify_record(a, &vr->rec, vr->why, sizeof(vr->why));
	if (vr->rst != SMTP2_RECORD_ABSENT)
		snprintf(vr->owner, sizeof(vr->owner), "%s", at);
	smtp2_dns_answer_free(a);
}

/*
 * verify_find_record - the domain's own record, else the nearest parent's
 * (at most SMTP2_VERIFY_PARENTS_MAX of them, never a single label), so
 * mail.bank.test is covered by bank.test's record.  A lookup failure
 * stops the walk: the record that failed might have been the one.
 */
static void
verify_find_record(struct smtp2_dns *dns, const char *domain,
    struct smtp2_verdict *v, struct verify_rec *vr)
{
	const char *at = domain, *dot;
	int	up;

	verify_txt(dns, at, v, vr);
	for (up = 0; up < SMTP2_VERIFY_PARENTS_MAX; up++) {
		if (vr->rst != SMTP2_RECORD_ABSENT ||
		    vr->status == SMTP2_DNS_TEMPFAIL)
			break;
		if ((dot = strchr(at, '.')) == NULL || strchr(dot + 1, '.') == NULL)
			break;
		at = dot + 1;
		verify_txt(dns, at, v, vr);
	}
	if (vr->rst != SMTP2_RECORD_OK)
		return;
	v->has_record = true;
	v->policy = strcmp(vr->owner, domain) == 0 ? vr->rec.policy :
	    vr->rec.subdomain_policy;
	snprintf(v->record_domain, sizeof(v->record_domain), "%s", vr->owner);
}

/* verify_no_proof - fail, none or temperror once no proof was found */
static void
verify_no_proof(struct smtp2_verdict *v, const struct smtp2_tls_facts *tls,
    const struct verify_pin_result *pr, const char *pkix_why,
    const struct verify_rec *vr)
{
	const char *why;

	if (pr->state == PINS_TEMP) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    pr->dnssec, pr->why);
		return;
	}
	if (vr->status == SMTP2_DNS_TEMPFAIL) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    vr->sec, vr->why);
		return;
	}
	if (!v->has_record) {
		verify_set(v, SMTP2_RESULT_NONE, SMTP2_METHOD_NONE, vr->sec,
		    "no _smtp2 record");
		return;
	}
	/* The most telling reason first: a pin beats a name. */
	if (!tls->cert_presented)
		why = "no client certificate presented";
	else if (pr->state == PINS_NOMATCH || pr->state == PINS_WEAK ||
	    (pr->state == PINS_UNUSABLE && !tls->cert_trusted))
		why = pr->why;
	else
		why = pkix_why;
	verify_set(v, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, vr->sec, why);
}

/* What judging the presented certificate found, for verify_no_proof(). */
struct verify_evidence {
	struct verify_pin_result pr;
	char	pkix_why[400];
};

/*
 * verify_evidence - judge the certificate the client presented against
 * owner's pins (their TLSA lookup included), then by PKIX.  Sets v and
 * returns true when it proves the domain.  This is the certificate work
 * a daemon does per verification, whether the MTA handed it fingerprints
 * or a whole chain, so this is what the cert-verify histogram times
 * (docs/metrics.md); a chain checked inside is not timed again.
 */
static bool
verify_evidence(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *owner, const struct verify_rec *vr,
    const struct smtp2_tls_facts *tls, struct smtp2_verdict *v,
    struct verify_evidence *ev)
{
	uint64_t t0 = smtp2_metrics_now_us();
	bool	proved = false;

	verify_pins(dns, o, owner, v->domain, tls, v, &ev->pr);
	if (ev->pr.state == PINS_MATCH) {
		verify_set(v, SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, ev->pr.dnssec,
		    ev->pr.why[0] ? ev->pr.why : "pin matched");
		proved = true;
	} else if (vr->status != SMTP2_DNS_TEMPFAIL && ev->pr.state != PINS_TEMP
	    && verify_pkix(o, owner, v->has_record ? &vr->rec : NULL, tls,
	    ev->pkix_why, sizeof(ev->pkix_why))) {
		/* PKIX stands only where DNS answered: a failed or bogus
		 * lookup may hide a record or pins this certificate would
		 * not satisfy (RFC 7672 2.2 defers in the same case). */
		verify_set(v, SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX, vr->sec,
		    ev->pkix_why);
		proved = true;
	}
	smtp2_metrics_observe_us(SMTP2_METRICS_T_CERT_VERIFY, t0);
	return proved;
}

/* verify_domain - the verdict for a well-formed domain */
static void
verify_domain(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const struct smtp2_tls_facts *tls, struct smtp2_verdict *v)
{
	struct verify_evidence ev = {
		{ PINS_NONE, SMTP2_DNSSEC_UNKNOWN, "" }, ""
	};
	struct verify_rec vr;
	const char *owner;

	memset(&vr, 0, sizeof(vr));
	verify_find_record(dns, v->domain, v, &vr);
	/* A broken record is the domain's error whatever the proof. */
	if (vr.rst == SMTP2_RECORD_INVALID) {
		char	bad[sizeof(v->reason)];

		snprintf(bad, sizeof(bad), "invalid _smtp2 record%s%.60s: %.150s",
		    strcmp(vr.owner, v->domain) ? " at " : "",
		    strcmp(vr.owner, v->domain) ? vr.owner : "", vr.why);
		verify_set(v, SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, vr.sec,
		    bad);
		return;
	}
	/* Pins and names belong to the domain whose record applies. */
	owner = v->has_record ? v->record_domain : v->domain;
	if (tls->cert_presented && verify_evidence(dns, o, owner, &vr, tls, v, &ev))
		return;
	verify_no_proof(v, tls, &ev.pr, ev.pkix_why, &vr);
}

/* smtp2_verify_with - did the connecting server prove domain? */
void
smtp2_verify_with(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	struct smtp2_tls_facts none;

	memset(v, 0, sizeof(*v));
	if (tls == NULL) {
		smtp2_tls_facts_init(&none);
		tls = &none;
	}
	if (domain == NULL || domain[0] == '\0') {
		verify_set(v, SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "null sender");
		return;
	}
	if (smtp2_domain_normalise(domain, v->domain, sizeof(v->domain)) < 0) {
		verify_set(v, SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "invalid domain");
		return;
	}
	if (dns == NULL) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "no resolver");
		return;
	}
	verify_domain(dns, o, tls, v);
}

/* smtp2_verify - the same with only the DNSSEC stance configured */
void
smtp2_verify(struct smtp2_dns *dns, enum smtp2_dnssec_mode dnssec,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	struct smtp2_verify_opts o = { .dnssec = dnssec };

	smtp2_verify_with(dns, &o, domain, tls, v);
}
