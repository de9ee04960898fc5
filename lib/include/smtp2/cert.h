/*
 * smtp2/cert.h - certificate chains and their verification (OpenSSL 3).
 *
 * Used wherever the whole chain is at hand: smtp2-check, Sendmail setups
 * that hand it over, future MTAs.  Under Postfix only fingerprints exist
 * and the MTA's own verification stands in (tls.h).
 *
 * A struct smtp2_cert_store is built once from the configuration and is
 * then read-only: share it between threads freely.
 */
#ifndef SMTP2_CERT_H
#define SMTP2_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <smtp2/tls.h>

struct smtp2_chain;		/* opaque: parsed certificates, leaf first */
struct smtp2_cert_store;	/* opaque: CAs, CRLs, the operator's rules */

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
 * CN; cert_trusted is left false (smtp2_cert_verify says that).
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
	bool		chain_trusted;	/* path to a CA, times, strength fine */
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
 * (e.g. "*.mail.example.net") match host?  Case-insensitive, wildcard
 * only as the whole left-most label, never matching across a dot, never
 * "*.tld".  within: also accept host being a subdomain of pattern
 * (smtp2's "the domain or a host inside it").
 */
bool smtp2_cert_name_match(const char *pattern, const char *host, bool within);

const char *smtp2_cert_status_name(enum smtp2_cert_status s);

#endif
