/*
 * dns_int.h - private glue between dns.c, dns_getdns.c and dns_cache.c.
 *
 * Nothing here is part of the library's contract: the public view is
 * smtp2/dns.h.  Names keep the smtp2_dns_ prefix only because a static
 * library cannot hide them.
 */
#ifndef SMTP2_DNS_INT_H
#define SMTP2_DNS_INT_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Application-specific. */
#include <smtp2/dns.h>

/* No sane _smtp2 TXT or TLSA set is larger; extra records are dropped. */
#define SMTP2_DNS_RR_MAX	64

/* Longest presentation name we look up or cache (RFC 1035: 253 + dot). */
#define SMTP2_DNS_NAME_MAX	255

/* Negative answers without an SOA are remembered this long (seconds). */
#define SMTP2_DNS_NEG_TTL	60

/*
 * smtp2_dns_answer_new - an empty answer of the given status; NULL when
 * out of memory.  Caller frees with smtp2_dns_answer_free().
 */
struct smtp2_dns_answer *smtp2_dns_answer_new(enum smtp2_dns_status status,
    enum smtp2_dnssec dnssec);

/* smtp2_dns_answer_add - append a copy of one rdata; 0, or -1 on ENOMEM. */
int smtp2_dns_answer_add(struct smtp2_dns_answer *a,
    const unsigned char *rdata, size_t len);

/* smtp2_dns_answer_copy - deep copy; NULL when out of memory. */
struct smtp2_dns_answer *smtp2_dns_answer_copy(const struct smtp2_dns_answer *a);

/*
 * Coalescing: concurrent lookups of one name and type through one cache
 * cost one upstream query.  The first caller becomes the flight's owner
 * and asks upstream; later callers wait for its answer.
 */
struct smtp2_dns_flight;

/* Waiters wait this much longer than their own resolver timeout, for the
 * owner's getdns to give up and hand its TEMPFAIL over (milliseconds). */
#define SMTP2_DNS_WAIT_MARGIN_MS	1000

enum smtp2_dns_claim {
	SMTP2_DNS_CLAIM_HIT,	/* *ap: a cached or a waited-for answer */
	SMTP2_DNS_CLAIM_ASK,	/* ask, then smtp2_dns_cache_land() */
	SMTP2_DNS_CLAIM_ALONE,	/* ask uncoalesced (no memory, no cache,
				 * name too long to be a key) */
	SMTP2_DNS_CLAIM_GAVE_UP	/* another's lookup outlasted wait_ms */
};

/*
 * smtp2_dns_cache_claim - decide how the caller gets name/type.  HIT sets
 * *ap to a copy the caller frees: a fresh cached answer (ttl = what
 * remains) or, after waiting up to wait_ms for a lookup already under way,
 * that lookup's answer, TEMPFAIL included.  ASK sets *fp: the caller must
 * pass it to smtp2_dns_cache_land() once it has an answer, or waiters
 * wait until wait_ms.
 */
enum smtp2_dns_claim smtp2_dns_cache_claim(struct smtp2_dns_cache *c,
    const char *name, uint16_t type, unsigned wait_ms,
    struct smtp2_dns_answer **ap, struct smtp2_dns_flight **fp);

/*
 * smtp2_dns_cache_land - end flight f with answer a (may be NULL when the
 * owner ran out of memory: waiters then ask for themselves).  Stores a
 * unless it is TEMPFAIL; waiters get a copy either way.  a stays the
 * caller's; f is consumed.
 */
void smtp2_dns_cache_land(struct smtp2_dns_cache *c,
    struct smtp2_dns_flight *f, const struct smtp2_dns_answer *a);

/* The getdns side (dns_getdns.c).  One backend handle per smtp2_dns. */
struct smtp2_dns_backend;

/* smtp2_dns_backend_new - set up a stub-resolver context; NULL with why. */
struct smtp2_dns_backend *smtp2_dns_backend_new(const struct smtp2_dns_opts *opts,
    char *why, size_t whylen);
void smtp2_dns_backend_free(struct smtp2_dns_backend *be);

/*
 * smtp2_dns_backend_query - one synchronous lookup; DNS trouble comes back
 * as TEMPFAIL with why filled in.  NULL only when out of memory.
 */
struct smtp2_dns_answer *smtp2_dns_backend_query(struct smtp2_dns_backend *be,
    const char *name, uint16_t type);

/*
 * smtp2_dns_type_name - "TXT", "TLSA", ... or "TYPE<n>" written into buf,
 * for messages.  The result is a constant or buf.
 */
const char *smtp2_dns_type_name(uint16_t type, char *buf, size_t buflen);

/*
 * smtp2_dns_anchors_read - the DS and DNSKEY records of a trust-anchor
 * file as a getdns list of rr_dicts (caller destroys it), NULL with why
 * when the file is unreadable or holds none.
 */
struct getdns_list;
struct getdns_list *smtp2_dns_anchors_read(const char *path, int *count,
    char *why, size_t whylen);

/*
 * smtp2_dns_parse_resolver - "127.0.0.1", "127.0.0.1:5300", "[::1]:53" or
 * "::1" into an address family, bytes (4 or 16) and port.  0, or -1 with
 * why.
 */
int smtp2_dns_parse_resolver(const char *text, int *family,
    unsigned char addr[16], uint16_t *port, char *why, size_t whylen);

#endif
