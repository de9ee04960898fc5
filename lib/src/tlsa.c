/*
 * tlsa.c - TLSA pins at _smtp2._tcp.<domain> against the client's key.
 *
 * The MTA hands us SHA-256 fingerprints, not the chain.  So only DANE-EE
 * (usage 3) SHA-256 pins can be checked honestly; every other pin is
 * counted and reported as unevaluated, never guessed to match or fail.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <openssl/crypto.h>

/* Application-specific. */
#include "why.h"
#include <smtp2/tlsa.h>

#define TLSA_USAGE_DANE_EE	3
#define TLSA_SELECTOR_CERT	0
#define TLSA_SELECTOR_SPKI	1
#define TLSA_MTYPE_FULL		0
#define TLSA_MTYPE_SHA256	1
#define TLSA_MTYPE_SHA512	2
#define TLSA_SHA512_LEN		64

/* What looking at one pin came to. */
enum tlsa_eval {
	TLSA_EVAL_MATCH,
	TLSA_EVAL_MISMATCH,		/* usable, did not match (or no cert) */
	TLSA_EVAL_SKIPPED		/* cannot be evaluated from fingerprints */
};

/* smtp2_tlsa_parse - wire rdata to a pin that aliases it */
int
smtp2_tlsa_parse(const unsigned char *rdata, size_t len,
    struct smtp2_tlsa *rr)
{
	if (rdata == NULL || rr == NULL || len < 4)
		return (-1);
	if (rdata[2] == TLSA_MTYPE_SHA256 && len - 3 != SMTP2_SHA256_LEN)
		return (-1);
	if (rdata[2] == TLSA_MTYPE_SHA512 && len - 3 != TLSA_SHA512_LEN)
		return (-1);
	rr->usage = rdata[0];
	rr->selector = rdata[1];
	rr->mtype = rdata[2];
	rr->len = len - 3;
	rr->data = rdata + 3;
	return (0);
}

/* tlsa_skip_reason - why this pin cannot be evaluated, or NULL if it can */
static const char *
tlsa_skip_reason(const struct smtp2_tlsa *rr, char *buf,
    size_t buflen)
{
	if (rr->usage > TLSA_USAGE_DANE_EE)
		snprintf(buf, buflen, "unknown usage %u", rr->usage);
	else if (rr->usage != TLSA_USAGE_DANE_EE)
		snprintf(buf, buflen, "usage %u needs the chain", rr->usage);
	else if (rr->selector > TLSA_SELECTOR_SPKI)
		snprintf(buf, buflen, "unknown selector %u", rr->selector);
	else if (rr->mtype == TLSA_MTYPE_FULL)
		snprintf(buf, buflen, "matching type 0 needs the whole %s",
		    rr->selector == TLSA_SELECTOR_SPKI ? "key" : "certificate");
	else if (rr->mtype == TLSA_MTYPE_SHA512)
		snprintf(buf, buflen, "matching type 2 needs a SHA-512 digest");
	else if (rr->mtype != TLSA_MTYPE_SHA256)
		snprintf(buf, buflen, "unknown matching type %u", rr->mtype);
	else if (rr->data == NULL || rr->len != SMTP2_SHA256_LEN)
		snprintf(buf, buflen, "SHA-256 pin of %zu bytes", rr->len);
	else
		return (NULL);
	return (buf);
}

/* tlsa_eval_one - compare one pin with the fingerprints we were given */
static enum tlsa_eval
tlsa_eval_one(const struct smtp2_tlsa *rr,
    const struct smtp2_tls_facts *tls, char *skip, size_t skiplen)
{
	const unsigned char *fp;
	bool	have;

	if (tlsa_skip_reason(rr, skip, skiplen) != NULL)
		return (TLSA_EVAL_SKIPPED);

	/* No certificate at all: every usable pin fails to match it. */
	if (tls == NULL || !tls->cert_presented)
		return (TLSA_EVAL_MISMATCH);
	if (rr->selector == TLSA_SELECTOR_SPKI) {
		have = tls->have_spki_sha256;
		fp = tls->spki_sha256;
	} else {
		have = tls->have_cert_sha256;
		fp = tls->cert_sha256;
	}
	if (!have) {
		snprintf(skip, skiplen, "selector %u needs the %s fingerprint",
		    rr->selector, rr->selector == TLSA_SELECTOR_SPKI ?
		    "key" : "certificate");
		return (TLSA_EVAL_SKIPPED);
	}
	return (CRYPTO_memcmp(fp, rr->data, SMTP2_SHA256_LEN) == 0 ?
	    TLSA_EVAL_MATCH : TLSA_EVAL_MISMATCH);
}

/* tlsa_plural - "" or "s" */
static const char *
tlsa_plural(size_t n)
{
	return (n == 1 ? "" : "s");
}

/* Tally of one pin set against one certificate. */
struct tlsa_tally {
	const struct smtp2_tlsa *hit;	/* first pin that matched */
	unsigned	tried;		/* evaluated, matched or not */
	unsigned	skipped;	/* not evaluable from fingerprints */
	char		first_skip[80];	/* why the first skipped one was */
};

/* tlsa_explain - status and reason once every pin has been looked at */
static enum smtp2_pin_status
tlsa_explain(const struct tlsa_tally *t,
    size_t n, const struct smtp2_tls_facts *tls, char *why, size_t whylen)
{
	if (t->hit != NULL) {
		smtp2_why(why, whylen, "certificate %smatches pin %u %u %u",
		    t->hit->selector == TLSA_SELECTOR_SPKI ? "key " : "",
		    t->hit->usage, t->hit->selector, t->hit->mtype);
		return (SMTP2_PIN_MATCH);
	}
	if (t->tried > 0) {
		smtp2_why(why, whylen, "%s (%u pin%s tried, %u unevaluated%s%s)",
		    tls == NULL || !tls->cert_presented ?
		    "no client certificate presented" :
		    "certificate matches no pin", t->tried,
		    tlsa_plural(t->tried), t->skipped,
		    t->skipped > 0 ? ": " : "", t->first_skip);
		return (SMTP2_PIN_NOMATCH);
	}
	if (n == 0)
		smtp2_why(why, whylen, "no pins");
	else
		smtp2_why(why, whylen, "%zu pin%s, none evaluable from "
		    "fingerprints (%s)", n, tlsa_plural(n), t->first_skip);
	return (SMTP2_PIN_UNUSABLE);
}

/* smtp2_tlsa_match - do any of the pins fit the presented certificate? */
enum smtp2_pin_status
smtp2_tlsa_match(const struct smtp2_tlsa *rrs, size_t n,
    const struct smtp2_tls_facts *tls, unsigned *unevaluated,
    char *why, size_t whylen)
{
	struct tlsa_tally t = {NULL, 0, 0, ""};
	char	skip[sizeof(t.first_skip)];
	size_t	i;

	if (rrs == NULL)
		n = 0;

	/* Look at every pin, even after a match, so the counts are whole. */
	for (i = 0; i < n; i++) {
		switch (tlsa_eval_one(&rrs[i], tls, skip, sizeof(skip))) {
		case TLSA_EVAL_MATCH:
			if (t.hit == NULL)
				t.hit = &rrs[i];
			t.tried++;
			break;
		case TLSA_EVAL_MISMATCH:
			t.tried++;
			break;
		case TLSA_EVAL_SKIPPED:
			if (t.skipped++ == 0)
				memcpy(t.first_skip, skip, sizeof(skip));
			break;
		}
	}
	if (unevaluated != NULL)
		*unevaluated = t.skipped;
	return (tlsa_explain(&t, n, tls, why, whylen));
}
