/*
 * verify_pins.c - the domain's TLSA pins against the presented certificate.
 *
 * Pins count only from answers as secure as dns.dnssec demands.  With the
 * whole chain (smtp2-check) every usage is judged by dane.c; with only the
 * MTA's fingerprints, tlsa.c judges usage 3 and reports the rest.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>

/* Application-specific. */
#include <smtp2/dane.h>
#include <smtp2/tlsa.h>
#include "verify_int.h"

/* verify_pins_trusted - may pins from an answer this secure count? */
static bool
verify_pins_trusted(enum smtp2_dnssec_mode mode, enum smtp2_dnssec sec)
{
	switch (mode) {
	case SMTP2_DNSSEC_REQUIRED:
		return (sec == SMTP2_DNSSEC_SECURE);
	case SMTP2_DNSSEC_PREFERRED:
		return (sec == SMTP2_DNSSEC_SECURE || sec == SMTP2_DNSSEC_INSECURE);
	default:
		return (sec != SMTP2_DNSSEC_BOGUS);
	}
}

/* verify_pins_match - parse the TLSA set and compare it with the cert */
static void
verify_pins_match(const struct smtp2_dns_answer *a,
    const struct smtp2_verify_opts *o, const char *domain,
    const struct smtp2_tls_facts *tls, struct verify_pin_result *pr)
{
	struct smtp2_tlsa *rrs;
	size_t	i, k = 0;
	unsigned skipped = 0;
	enum smtp2_pin_status st;
	char	why[128] = "";

	if ((rrs = calloc(a->n, sizeof(*rrs))) == NULL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "out of memory");
		return;
	}
	/* Malformed records are skipped: they cannot prove anything. */
	for (i = 0; i < a->n; i++)
		if (smtp2_tlsa_parse(a->rr[i].rdata, a->rr[i].len, &rrs[k]) == 0)
			k++;
	/* With the chain every usage can be judged; else fingerprints. */
	st = tls->chain != NULL ?
	    smtp2_dane_match(rrs, k, tls->chain, o->store, domain, &skipped,
	    why, sizeof(why)) :
	    smtp2_tlsa_match(rrs, k, tls, &skipped, why, sizeof(why));
	switch (st) {
	case SMTP2_PIN_MATCH:
		pr->state = PINS_MATCH;
		snprintf(pr->why, sizeof(pr->why), "%s", why);
		break;
	case SMTP2_PIN_NOMATCH:
		pr->state = PINS_NOMATCH;
		snprintf(pr->why, sizeof(pr->why), "certificate does not match "
		    "the domain's pins (%zu tried, %u unevaluated)",
		    k - skipped, skipped);
		break;
	default:
		pr->state = PINS_UNUSABLE;
		snprintf(pr->why, sizeof(pr->why), "%s", k == 0 ?
		    "only malformed TLSA records" : why);
		break;
	}
	free(rrs);
}

/* verify_pins - look the TLSA set up and judge it */
void
verify_pins(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *owner, const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v, struct verify_pin_result *pr)
{
	struct smtp2_dns_answer *a;
	char	name[SMTP2_DOMAIN_MAX + 16];

	snprintf(name, sizeof(name), "_smtp2._tcp.%s", owner);
	if ((a = verify_lookup(dns, name, SMTP2_DNS_T_TLSA, v)) == NULL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "out of memory");
		return;
	}
	pr->dnssec = a->dnssec;
	if (a->status == SMTP2_DNS_TEMPFAIL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "%s", a->why);
	} else if (a->status != SMTP2_DNS_OK || a->n == 0) {
		pr->state = PINS_NONE;
	} else if (!verify_pins_trusted(o->dnssec, a->dnssec)) {
		pr->state = PINS_WEAK;
		snprintf(pr->why, sizeof(pr->why), "pins ignored: DNSSEC %s, "
		    "policy wants %s", smtp2_dnssec_name(a->dnssec),
		    smtp2_dnssec_mode_name(o->dnssec));
	} else
		verify_pins_match(a, o, domain, tls, pr);
	smtp2_dns_answer_free(a);
}
