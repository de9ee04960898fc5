/*
 * smtp2/verify.h - did the connecting server prove the sender's domain?
 *
 * Looks up _smtp2.<domain> (TXT) and _smtp2._tcp.<domain> (TLSA) and
 * weighs them against the TLS facts.  At most SMTP2_VERIFY_MAX_QUERIES DNS
 * lookups per call, each ending within the resolver's timeout.
 *
 * Per message: at most two calls (smtp2-policyd: the envelope sender's
 * domain at RCPT, its verdict reused for later recipients; smtp2-milter:
 * the From: domain at end of message), so at most
 * 2 * SMTP2_VERIFY_MAX_QUERIES lookups.  A lookup reaches the network only
 * on a cache miss, and then once for all threads asking at the same time
 * (docs/dns.md).
 */
#ifndef SMTP2_VERIFY_H
#define SMTP2_VERIFY_H

#include <stdbool.h>

#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/result.h>
#include <smtp2/tls.h>

#define SMTP2_DOMAIN_MAX 254

/*
 * DNS queries one verification may cost: the TXT record at the domain and
 * at up to SMTP2_VERIFY_PARENTS_MAX parent domains (a subdomain without a
 * record of its own is covered by its organisation's, docs/record.md), and
 * one TLSA set.  Cache hits count too.
 */
#define SMTP2_VERIFY_PARENTS_MAX 3
#define SMTP2_VERIFY_MAX_QUERIES (1 + SMTP2_VERIFY_PARENTS_MAX + 1)

struct smtp2_cert_store;
struct smtp2_cert_cache;

/*
 * Per-domain CA pinning (milter.conf tls.domain_cas): only these CAs may
 * prove domain and its subdomains by PKIX.  With only the MTA's word the
 * issuer's CN must be listed; with a whole chain, store (when set) is the
 * only trust anchor set.
 */
struct smtp2_domain_cas {
	const char	*domain;		/* normalised */
	const char *const *issuers;		/* issuer CNs, case-insensitive */
	size_t		n_issuers;
	const struct smtp2_cert_store *store;	/* may be NULL */
};

/* What the operator configured for verification; shared, read-only. */
struct smtp2_verify_opts {
	enum smtp2_dnssec_mode dnssec;
	/* CAs for chains passed in smtp2_tls_facts.chain; NULL: a chain's
	 * PKIX status is then unknown and only pins can prove it. */
	const struct smtp2_cert_store *store;
	const struct smtp2_domain_cas *domain_cas;
	size_t		n_domain_cas;
	/* Validated chains remembered (fingerprints + domain, bounded,
	 * honouring expiry and CRL updates); NULL: verify every time. */
	struct smtp2_cert_cache *cert_cache;
};

struct smtp2_verdict {
	enum smtp2_result result;
	enum smtp2_method method;
	enum smtp2_dnssec dnssec;	/* of the answer the verdict rests on */
	bool		has_record;	/* a valid _smtp2 record was found */
	enum smtp2_policy policy;	/* its p=, meaningful when has_record */
	char		domain[SMTP2_DOMAIN_MAX + 1];	/* lower case, no final dot */
	char		reason[256];	/* for humans: logs, SMTP replies, headers */
	unsigned	queries;	/* DNS lookups made (cache hits included) */
	/* Where the record was found: domain itself, or the parent whose
	 * record covers it ("" without a record). */
	char		record_domain[SMTP2_DOMAIN_MAX + 1];
	/* Forwarded mail (docs/practices.md): the connecting server proved
	 * this domain, and a first-party DKIM signature vouches for the
	 * From domain; method and dnssec are that proof's.  "" otherwise. */
	char		via[SMTP2_DOMAIN_MAX + 1];
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

/* smtp2_verify_with - the same with every option (smtp2_verify is this
 * with only dnssec set). */
void smtp2_verify_with(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v);

struct smtp2_conf;
struct smtp2_verify_setup;

/*
 * smtp2_verify_setup_new - verification options as milter.conf sets them
 * (dns.dnssec, tls.domain_cas).  With stores, also the CA stores that whole
 * chains are checked against (tls.ca_file, ca_dir, crl_file and each
 * domain_cas ca_file): only callers that see chains need them.  Borrows
 * from c: keep c until the setup is freed.  NULL with why on failure.
 * Caller frees with smtp2_verify_setup_free().
 */
struct smtp2_verify_setup *smtp2_verify_setup_new(const struct smtp2_conf *c,
    bool stores, char *why, size_t whylen);
const struct smtp2_verify_opts *smtp2_verify_setup_opts(
    const struct smtp2_verify_setup *s);
void smtp2_verify_setup_free(struct smtp2_verify_setup *s);

/* smtp2_domain_normalise - lower-case, strip one final dot, check syntax.
 * Returns 0, or -1 when not a plausible DNS name. */
int smtp2_domain_normalise(const char *in, char *out, size_t outlen);

/* smtp2_domain_from_address - domain part of an address ("<a@b.c>",
 * "a@b.c"); "" for the null sender.  Returns 0 or -1 (no domain). */
int smtp2_domain_from_address(const char *addr, char *out, size_t outlen);

#endif
