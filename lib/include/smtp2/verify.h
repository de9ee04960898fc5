/*
 * smtp2/verify.h - did the connecting server prove the sender's domain?
 *
 * Looks up _smtp2.<domain> (TXT) and _smtp2._tcp.<domain> (TLSA) and
 * weighs them against the TLS facts.  At most two DNS queries per call.
 */
#ifndef SMTP2_VERIFY_H
#define SMTP2_VERIFY_H

#include <stdbool.h>

#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/result.h>
#include <smtp2/tls.h>

#define SMTP2_DOMAIN_MAX 254

struct smtp2_verdict {
	enum smtp2_result result;
	enum smtp2_method method;
	enum smtp2_dnssec dnssec;	/* of the answer the verdict rests on */
	bool		has_record;	/* a valid _smtp2 record was found */
	enum smtp2_policy policy;	/* its p=, meaningful when has_record */
	char		domain[SMTP2_DOMAIN_MAX + 1];	/* lower case, no final dot */
	char		reason[256];	/* for humans: logs, SMTP replies, headers */
	unsigned	queries;	/* DNS lookups made (cache hits included) */
};

/*
 * smtp2_verify - evaluate domain against tls.  Always fills v; never
 * blocks longer than the resolver's timeout per lookup.  A bogus answer
 * is never believed: it yields temperror.  An empty or syntactically
 * invalid domain yields none (null sender) or permerror respectively.
 */
void smtp2_verify(struct smtp2_dns *dns, enum smtp2_dnssec_mode dnssec,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v);

/* smtp2_domain_normalise - lower-case, strip one final dot, check syntax.
 * Returns 0, or -1 when not a plausible DNS name. */
int smtp2_domain_normalise(const char *in, char *out, size_t outlen);

/* smtp2_domain_from_address - domain part of an address ("<a@b.c>",
 * "a@b.c"); "" for the null sender.  Returns 0 or -1 (no domain). */
int smtp2_domain_from_address(const char *addr, char *out, size_t outlen);

#endif
