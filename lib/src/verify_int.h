/*
 * verify_int.h - what the parts of the verification engine share:
 * verify.c (record, decision), verify_pins.c (TLSA), verify_pkix.c
 * (certificate names and trust).  Internal to libsmtp2.
 */
#ifndef SMTP2_VERIFY_INT_H
#define SMTP2_VERIFY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/verify.h>

/* What the TLSA lookup established. */
enum verify_pins {
	PINS_NONE = 0,		/* no TLSA set (or no certificate to test) */
	PINS_TEMP,		/* lookup failed or bogus: cannot judge */
	PINS_WEAK,		/* pins exist but their DNSSEC status is not enough */
	PINS_MATCH,
	PINS_NOMATCH,
	PINS_UNUSABLE		/* pins exist, none evaluable with what we know */
};

struct verify_pin_result {
	enum verify_pins state;
	enum smtp2_dnssec dnssec;	/* of the TLSA answer */
	char	why[160];
};

/* verify_lookup - one counted query; a bogus answer is never believed.
 * NULL when out of memory; caller frees with smtp2_dns_answer_free(). */
struct smtp2_dns_answer *verify_lookup(struct smtp2_dns *dns, const char *name,
    uint16_t type, struct smtp2_verdict *v);

/* verify_pins - look the TLSA set at _smtp2._tcp.<owner> up and judge it
 * against tls (fingerprints, or the whole chain when tls->chain is set). */
void verify_pins(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *owner, const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v, struct verify_pin_result *pr);

/*
 * verify_pkix - does a trusted certificate name the domain, a host inside
 * owner (the domain whose record applies), or a host the record's hosts=
 * delegates to?  rec may be NULL (no record).  why says why not, or which
 * name matched.
 */
bool verify_pkix(const struct smtp2_verify_opts *o, const char *owner,
    const struct smtp2_record *rec, const struct smtp2_tls_facts *tls,
    char *why, size_t whylen);

#endif
