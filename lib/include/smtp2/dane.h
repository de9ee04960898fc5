/*
 * smtp2/dane.h - DANE TLSA (RFC 6698, 7671, 7672) against a whole chain.
 *
 * With the chain every usage can be judged: PKIX-TA (0) and PKIX-EE (1)
 * need the chain to validate against the store as well; DANE-TA (2) needs
 * a chain up to the pinned anchor and a name that fits; DANE-EE (3)
 * matches the leaf alone, ignoring names and expiry (RFC 7672 3.1).
 * Unusable records (unknown usage, selector or matching type, wrong digest
 * length) are ignored; when all are unusable there are no pins.
 */
#ifndef SMTP2_DANE_H
#define SMTP2_DANE_H

#include <stddef.h>

#include <smtp2/cert.h>
#include <smtp2/tlsa.h>

/*
 * smtp2_dane_match - MATCH when some usable record is satisfied, NOMATCH
 * when usable records exist and none is, UNUSABLE when none is usable.
 * store may be NULL (usages 0 and 1 then count as unevaluated); domain is
 * the reference identifier for usages 0, 1 and 2.  why names the record
 * that matched ("pin 2 0 1 matched certificate 2 of the chain") or why
 * none did.  *unevaluated (may be NULL): records that could not be judged.
 */
enum smtp2_pin_status smtp2_dane_match(const struct smtp2_tlsa *rrs, size_t n,
    const struct smtp2_chain *chain, const struct smtp2_cert_store *store,
    const char *domain, unsigned *unevaluated, char *why, size_t whylen);

#endif
