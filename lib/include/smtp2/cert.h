/*
 * smtp2/cert.h - certificate chains and their verification (OpenSSL 3).
 *
 * Used wherever the whole chain is at hand: smtp2-check, Sendmail setups
 * that hand it over, future MTAs.  Under Postfix only fingerprints exist
 * and the MTA's own verification stands in (tls.h).
 *
 * A struct smtp2_cert_store is built once from the configuration and is
 * then read-only: share it between threads freely.
 *
 * Verification choices (cert_verify.c and its neighbours say more):
 * - Trust anchors are exactly the certificates of ca_file / ca_dir, even
 *   when not self-signed (an operator may pin an intermediate).  No
 *   extended key usage is required: the certificate proves a name, and
 *   public CAs are phasing clientAuth out of server certificates.
 * - clock_skew forgives a validity period (of any certificate of the
 *   path, of a CRL, of an OCSP response) missed by at most that many
 *   seconds, on either side.
 * - CRLs (only with crl_file): a certificate of the path listed by its
 *   issuer's CRL is revoked.  A missing, stale or unverifiable CRL for the
 *   leaf's issuer leaves revocation unknown; for CAs above it, it is
 *   ignored.  Certificates in crl_file are never trust anchors.
 * - OCSP: only a response signed by the leaf's issuer or a responder it
 *   delegated counts.  "good" needs it fresh (within thisUpdate and
 *   nextUpdate, or a week after thisUpdate without nextUpdate); "revoked"
 *   is believed even when stale.  A CRL or OCSP "revoked" wins; either's
 *   "good" makes revocation good.
 * - Key sizes are checked on every certificate of the path including the
 *   anchor; SHA-1 and MD5 signatures are refused on every certificate but
 *   the anchor, whose self-signature proves nothing anyway.
 */
#ifndef SMTP2_CERT_H
#define SMTP2_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <smtp2/tls.h>

struct smtp2_chain;		/* opaque: parsed certificates, leaf first */
struct smtp2_cert_store;	/* opaque: CAs, CRLs, the operator's rules */

#define SMTP2_CHAIN_MAX	16	/* certificates a chain may hold */

/*
 * smtp2_chain_from_pem - parse PEM text (leaf first, then intermediates).
 * Returns NULL with why when nothing parses or a block is broken.
 * Caller frees with smtp2_chain_free().
 */
struct smtp2_chain *smtp2_chain_from_pem(const char *pem, size_t len,
    char *why, size_t whylen);
struct smtp2_chain *smtp2_chain_from_file(const char *path, char *why, size_t whylen);

/* smtp2_chain_from_der - n DER certificates, leaf first (e.g. what a TLS
 * library hands over after a handshake). */
struct smtp2_chain *smtp2_chain_from_der(const unsigned char *const *der,
    const size_t *len, size_t n, char *why, size_t whylen);

void smtp2_chain_free(struct smtp2_chain *c);
size_t smtp2_chain_len(const struct smtp2_chain *c);

/*
 * smtp2_chain_facts - fill f as an MTA would: presented, fingerprints of
 * the leaf (SHA-256 of certificate and of SubjectPublicKeyInfo), subject
 * CN and issuer CN (printable ASCII, else ""), and f->chain = c (borrowed:
 * keep c while f is used).  cert_trusted is left false (smtp2_cert_verify
 * says that); protocol and cipher are not touched.
 */
void smtp2_chain_facts(const struct smtp2_chain *c, struct smtp2_tls_facts *f);

/* What to do when a certificate's revocation status cannot be learned. */
enum smtp2_revocation_stance {
	SMTP2_REVOCATION_SOFT_FAIL = 0,	/* accept, say so */
	SMTP2_REVOCATION_HARD_FAIL	/* treat as not trusted */
};

struct smtp2_cert_opts {
	const char	*ca_file;	/* PEM bundle; may be NULL when ca_dir is set */
	const char	*ca_dir;	/* OpenSSL hashed directory; may be NULL */
	const char	*crl_file;	/* PEM, several CRLs allowed; may be NULL */
	unsigned	clock_skew;	/* seconds tolerated either side of validity */
	unsigned	min_rsa_bits;	/* 0 = 2048 */
	unsigned	min_ec_bits;	/* 0 = 256 (P-256); Ed25519/Ed448 always accepted */
	enum smtp2_revocation_stance unknown;
	time_t		now;		/* 0 = the real clock (tests set it) */
};

/*
 * smtp2_cert_store_new - load CAs and CRLs.  Returns NULL with why when a
 * file cannot be read or holds no certificate / CRL.  Caller frees.
 */
struct smtp2_cert_store *smtp2_cert_store_new(const struct smtp2_cert_opts *o,
    char *why, size_t whylen);
void smtp2_cert_store_free(struct smtp2_cert_store *s);

enum smtp2_cert_status {
	SMTP2_CERT_OK = 0,
	SMTP2_CERT_UNTRUSTED,		/* no path to a configured CA */
	SMTP2_CERT_EXPIRED,
	SMTP2_CERT_NOT_YET_VALID,
	SMTP2_CERT_REVOKED,
	SMTP2_CERT_REVOCATION_UNKNOWN,	/* only with HARD_FAIL */
	SMTP2_CERT_WEAK_KEY,
	SMTP2_CERT_WEAK_SIGNATURE,	/* SHA-1 or MD5 anywhere but the anchor */
	SMTP2_CERT_NAME_MISMATCH,	/* chain fine, no name fits the domain */
	SMTP2_CERT_ERROR		/* broken input, out of memory */
};

enum smtp2_revocation {
	SMTP2_REV_UNKNOWN = 0,		/* no CRL or OCSP answer covered it */
	SMTP2_REV_GOOD,
	SMTP2_REV_REVOKED
};

struct smtp2_cert_result {
	enum smtp2_cert_status status;
	enum smtp2_revocation revocation;
	bool		chain_trusted;	/* path to a CA, times, strength fine, not
					 * revoked (nor unknown under HARD_FAIL):
					 * status is OK or NAME_MISMATCH */
	char		matched_name[256];	/* the SAN/CN that fitted, or "" */
	long		days_left;	/* until the leaf expires (negative: expired) */
	char		reason[256];
};

/*
 * smtp2_cert_verify - full verification of chain for domain: path to a
 * configured CA, validity +- clock_skew, key strength, signature
 * algorithms, revocation (CRLs of the store; ocsp_der, a DER OCSP response
 * for the leaf, when one was stapled or fetched: may be NULL), and the
 * name: a subjectAltName dNSName (CN only when there is no dNSName SAN)
 * that is domain or a host inside it, RFC 6125 wildcards in the left-most
 * label only.  domain NULL skips the name check.
 */
void smtp2_cert_verify(const struct smtp2_cert_store *s,
    const struct smtp2_chain *c, const char *domain,
    const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r);

/*
 * smtp2_cert_name_match - RFC 6125 6.4: does presented identifier pattern
 * (e.g. "*.mail.example.net") match host?  Case-insensitive ASCII (IDNs
 * as A-labels), one final dot ignored on either, wildcard only as the
 * whole left-most label, never matching across a dot, never "*.tld",
 * never partial ("a*.example.net").  within: also accept a pattern naming
 * a host inside host (smtp2's "the domain or a host inside it": pattern
 * mx.bank.test fits host bank.test, evilbank.test never does; *.bank.test
 * fits bank.test and x.bank.test, not a.b.bank.test); a single-label host
 * is only matched exactly.
 */
bool smtp2_cert_name_match(const char *pattern, const char *host, bool within);

/* smtp2_cert_status_name - "ok", "untrusted", "expired", ... for logs. */
const char *smtp2_cert_status_name(enum smtp2_cert_status s);

/*
 * A cache of verification results, for callers that see the same chains
 * again and again.  Keyed by SHA-256 over the store, every certificate of
 * the chain, the domain and the OCSP response; an entry holds until the
 * earliest of: ttl, the next validity boundary of a certificate or of the
 * OCSP response, and a newer store (one built later) whose crl_file has
 * another mtime (the CRLs were reloaded: everything goes).  SMTP2_CERT_ERROR is never
 * cached.  Full caches drop their oldest entry.  Thread-safe; share one
 * cache between the stores of one configuration.
 */
struct smtp2_cert_cache;

struct smtp2_cert_cache_stats {
	unsigned long	hits, misses;
	unsigned long	evictions;	/* oldest entries dropped for room */
	unsigned long	flushes;	/* emptied for a new crl_file */
	size_t		entries;
};

/* smtp2_cert_cache_new - max entries (0: 1024), ttl seconds (0: 3600).
 * NULL when out of memory.  Caller frees with smtp2_cert_cache_free(). */
struct smtp2_cert_cache *smtp2_cert_cache_new(size_t max, unsigned ttl);
void smtp2_cert_cache_free(struct smtp2_cert_cache *cache);

/* smtp2_cert_verify_cached - smtp2_cert_verify through cache (NULL: none);
 * days_left of a cached result is brought up to date, its reason text is
 * as it was written. */
void smtp2_cert_verify_cached(struct smtp2_cert_cache *cache,
    const struct smtp2_cert_store *s, const struct smtp2_chain *c,
    const char *domain, const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r);

void smtp2_cert_cache_stats(struct smtp2_cert_cache *cache,
    struct smtp2_cert_cache_stats *st);

#endif
