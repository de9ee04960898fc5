/*
 * smtp2/tlsa.h - certificate pins (TLSA records at _smtp2._tcp.<domain>).
 *
 * With fingerprints alone (all Postfix gives) only usage 3 with matching
 * type 1 can be evaluated; everything else is counted as "unevaluated" and
 * reported, never guessed at.
 */
#ifndef SMTP2_TLSA_H
#define SMTP2_TLSA_H

#include <stddef.h>
#include <stdint.h>

#include <smtp2/tls.h>

struct smtp2_tlsa {
	uint8_t		usage;		/* 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE */
	uint8_t		selector;	/* 0 full certificate, 1 SubjectPublicKeyInfo */
	uint8_t		mtype;		/* 0 exact, 1 SHA-256, 2 SHA-512 */
	size_t		len;
	const unsigned char *data;	/* borrowed from the rdata it was parsed from */
};

/*
 * smtp2_tlsa_parse - read TLSA wire rdata (RFC 6698 2.1) into rr; the data
 * pointer aliases rdata.  Returns 0, or -1 when shorter than 4 octets or a
 * SHA digest has the wrong length.
 */
int smtp2_tlsa_parse(const unsigned char *rdata, size_t len, struct smtp2_tlsa *rr);

enum smtp2_pin_status {
	SMTP2_PIN_MATCH = 0,		/* a usable pin matched the presented key */
	SMTP2_PIN_NOMATCH,		/* usable pins exist, none matched */
	SMTP2_PIN_UNUSABLE		/* no pin could be evaluated with what we know */
};

/*
 * smtp2_tlsa_match - compare pins with the presented certificate.
 * *unevaluated (may be NULL) receives how many records were skipped as not
 * evaluable here; why (may be NULL) says which pin matched or why none did.
 */
enum smtp2_pin_status smtp2_tlsa_match(const struct smtp2_tlsa *rrs, size_t n,
    const struct smtp2_tls_facts *tls, unsigned *unevaluated,
    char *why, size_t whylen);

#endif
