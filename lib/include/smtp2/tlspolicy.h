/*
 * smtp2/tlspolicy.h - the TLS policy Postfix's SMTP client should apply to
 * a next-hop domain (smtp_tls_policy_maps), from DNS.
 *
 * Sources, strongest first: DANE (DNSSEC-secure TLSA at _PORT._tcp of
 * every MX host: "dane-only"; of some: "dane"), the domain's _smtp2 record
 * with p=enforce ("secure match=" the domain and its hosts=), and MTA-STS
 * in enforce mode, which the caller fetches and passes in
 * (smtp2_tlspolicy_from_mtasts) when the DNS sources found nothing.  A DNS
 * failure on the way is TEMP: the answer that failed might have been the
 * strongest one.  docs/tlspolicy.md tells the whole story.
 *
 * At most SMTP2_TLSPOLICY_MAX_QUERIES DNS lookups per call.
 */
#ifndef SMTP2_TLSPOLICY_H
#define SMTP2_TLSPOLICY_H

#include <stddef.h>

#include <smtp2/dns.h>
#include <smtp2/mtasts.h>
#include <smtp2/verify.h>

/* MX hosts looked at; a domain with more never gets "dane-only". */
#define SMTP2_TLSPOLICY_MX_MAX	8
/* One MX set, an address and a TLSA set per host, the _smtp2 walk, and
 * the record read again (a cache hit) for its hosts=. */
#define SMTP2_TLSPOLICY_MAX_QUERIES \
	(1 + 2 * SMTP2_TLSPOLICY_MX_MAX + SMTP2_VERIFY_MAX_QUERIES + 1)

enum smtp2_tlspolicy_result {
	SMTP2_TLSPOLICY_NOTFOUND = 0,	/* nothing published: Postfix's default */
	SMTP2_TLSPOLICY_DANE_ONLY,	/* every MX host has usable secure TLSA */
	SMTP2_TLSPOLICY_DANE,		/* some have: Postfix enforces where found */
	SMTP2_TLSPOLICY_SECURE,		/* verified PKIX names: see policy */
	SMTP2_TLSPOLICY_TEMP		/* DNS failed: defer, try later */
};

enum smtp2_tlspolicy_source {
	SMTP2_TLSPOLICY_SRC_NONE = 0,
	SMTP2_TLSPOLICY_SRC_DANE,
	SMTP2_TLSPOLICY_SRC_SMTP2,
	SMTP2_TLSPOLICY_SRC_MTASTS
};

struct smtp2_tlspolicy_opts {
	unsigned	port;		/* Postfix's smtp_tcp_port; 0 means 25 */
};

struct smtp2_tlspolicy {
	enum smtp2_tlspolicy_result result;
	enum smtp2_tlspolicy_source source;
	char		domain[SMTP2_DOMAIN_MAX + 1];	/* normalised */
	/* The table value for OK results: "dane-only", "dane",
	 * "secure match=a.example:.a.example"; "" otherwise. */
	char		policy[1024];
	char		reason[256];	/* for logs and TEMP replies; one line */
	unsigned	queries;	/* DNS lookups made, cache hits included */
};

/*
 * smtp2_tlspolicy_lookup - the DNS-based policy for domain (a next-hop
 * domain, no brackets, no port).  Always fills out.  An invalid domain is
 * NOTFOUND; dns NULL is TEMP.  A NOTFOUND result leaves room for MTA-STS:
 * only then should the caller consult it.
 */
void smtp2_tlspolicy_lookup(struct smtp2_dns *dns,
    const struct smtp2_tlspolicy_opts *o, const char *domain,
    struct smtp2_tlspolicy *out);

/*
 * smtp2_tlspolicy_from_mtasts - turn a NOTFOUND result into the policy
 * sts asks for: enforce becomes "secure match=<mx patterns>
 * servername=hostname"; testing and none leave it NOTFOUND (a reason says
 * so).  Does nothing unless out->result is NOTFOUND.
 */
void smtp2_tlspolicy_from_mtasts(const struct smtp2_mtasts_policy *sts,
    struct smtp2_tlspolicy *out);

/* "notfound", "dane-only", "dane", "secure", "temp" */
const char *smtp2_tlspolicy_result_name(enum smtp2_tlspolicy_result r);
/* "none", "dane", "smtp2", "mta-sts" */
const char *smtp2_tlspolicy_source_name(enum smtp2_tlspolicy_source s);

#endif
