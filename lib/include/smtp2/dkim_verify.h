/*
 * smtp2/dkim_verify.h - verify every DKIM signature of one message as it
 * streams past (RFC 6376, RFC 8301, RFC 8463).
 *
 * The caller hands the header fields one by one, says where the header
 * ends, hands the body in chunks of any size, and asks for the results.
 * Body hashes are computed chunk by chunk: nothing of the body is kept,
 * so memory per message is bounded whatever its size (header fields are
 * kept, up to SMTP2_DKIMV_HEADER_BYTES, because h= picks instances from
 * the bottom up).  Key records come from DNS through the caller's
 * resolver, with their DNSSEC status; parsed keys are remembered in a
 * struct smtp2_dkim_keys shared by all threads.
 *
 * Line ends: CRLF or a bare LF both end a line (a file read from disk,
 * a milter value folded with LF); the hashes always see CRLF.
 */
#ifndef SMTP2_DKIM_VERIFY_H
#define SMTP2_DKIM_VERIFY_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/dkim.h>
#include <smtp2/dns.h>
#include <smtp2/result.h>

/* Signatures verified per message: the first ones in header order (the
 * latest hops').  Any more are neither verified nor reported. */
#define SMTP2_DKIMV_SIGS_MAX	8
#define SMTP2_DKIMV_HEADER_BYTES (48 * 1024)	/* header kept for h= */
#define SMTP2_DKIMV_MIN_RSA_BITS 1024	/* RFC 8301: shorter never pass */

/* RFC 8601 2.7.1 results for one signature (or none for the message). */
enum smtp2_dkimv_result {
	SMTP2_DKIMV_NONE = 0,	/* not signed */
	SMTP2_DKIMV_PASS,	/* verified */
	SMTP2_DKIMV_FAIL,	/* body or header hash or signature wrong,
				 * rsa-sha1, RSA key shorter than 1024 bits */
	SMTP2_DKIMV_NEUTRAL,	/* not verified, and the key says t=y */
	SMTP2_DKIMV_POLICY,	/* verified, but unacceptable here: x=
				 * expired, t= in the future (a signature
				 * that does not verify fails instead) */
	SMTP2_DKIMV_TEMPERROR,	/* key lookup failed for now */
	SMTP2_DKIMV_PERMERROR	/* malformed signature or key, no key,
				 * revoked key, unusable algorithm */
};

/* One signature's outcome.  All strings NUL-terminated, printable. */
struct smtp2_dkimv_sig {
	enum smtp2_dkimv_result result;
	char		domain[256];	/* d=, lower case, no final dot */
	char		selector[64];			/* s= */
	char		identity[256];			/* i=, or "@"d= */
	char		b[16];		/* first 12 characters of b= (RFC 6008
					 * header.b; >= 8 make it unique) */
	enum smtp2_dkim_alg alg;
	unsigned	key_bits;	/* RSA modulus, 256 for ed25519; 0 when
					 * no key was obtained */
	enum smtp2_dnssec key_dnssec;	/* of the key record */
	bool		testing;	/* key t=y */
	bool		partial_body;	/* l= left some of the body unsigned */
	char		why[160];	/* why this result, for humans: always
					 * set ("verified", "body hash mismatch",
					 * "signature does not verify", ...) */
};

/* Shared cache of parsed keys by "<s>._domainkey.<d>": thread-safe,
 * bounded in entries, entries live for the record's TTL (capped). */
struct smtp2_dkim_keys;

struct smtp2_dkim_keys *smtp2_dkim_keys_new(size_t max_entries,
    uint32_t ttl_cap);	/* caller frees; NULL when out of memory or
			 * max_entries is 0 (then pass keys = NULL) */
void smtp2_dkim_keys_free(struct smtp2_dkim_keys *k);

struct smtp2_dkimv_opts {
	struct smtp2_dns *dns;		/* key lookups; this thread's resolver */
	struct smtp2_dkim_keys *keys;	/* may be NULL: parse every time */
	time_t		now;		/* 0: time(NULL); for t= and x= */
	uint32_t	clock_skew;	/* seconds of slack for t= and x= */
	unsigned	min_rsa_bits;	/* 0: SMTP2_DKIMV_MIN_RSA_BITS */
};

/* One message under verification. */
struct smtp2_dkimv;

/*
 * smtp2_dkimv_new - start a message.  opts is copied; dns and keys must
 * outlive the message.  NULL when out of memory.  Caller frees with
 * smtp2_dkimv_free().
 */
struct smtp2_dkimv *smtp2_dkimv_new(const struct smtp2_dkimv_opts *opts);
void smtp2_dkimv_free(struct smtp2_dkimv *v);

/*
 * smtp2_dkimv_header - one header field as it appeared: "Name:value",
 * folding included, without the final line end.  Never fails: too many
 * bytes, too many signatures or a bad signature become results.
 */
void smtp2_dkimv_header(struct smtp2_dkimv *v, const char *field, size_t len);

/* smtp2_dkimv_eoh - the header is complete; signatures are parsed now.
 * Implied by the first body chunk or eom; fields after it are ignored. */
void smtp2_dkimv_eoh(struct smtp2_dkimv *v);

/* smtp2_dkimv_body - the next len bytes of the body. */
void smtp2_dkimv_body(struct smtp2_dkimv *v, const unsigned char *p,
    size_t len);

/*
 * smtp2_dkimv_eom - the body is complete: look keys up and verify.
 * Returns the number of signatures reported (0: unsigned) and points
 * *sigs at them, in header order; they belong to v.  Call once.
 */
size_t smtp2_dkimv_eom(struct smtp2_dkimv *v,
    const struct smtp2_dkimv_sig **sigs);

/* smtp2_dkimv_result_name - "pass", "fail", ... as RFC 8601 spells them */
const char *smtp2_dkimv_result_name(enum smtp2_dkimv_result r);

/*
 * smtp2_dkimv_summary - the message's dkim= for a one-line summary: pass
 * when any signature passed, else the first of temperror, fail,
 * permerror, policy, neutral present, else none.
 */
enum smtp2_dkimv_result smtp2_dkimv_summary(const struct smtp2_dkimv_sig *sigs,
    size_t n);

#endif
