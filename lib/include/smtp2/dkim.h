/*
 * smtp2/dkim.h - DKIM-Signature header fields and DKIM key records.
 *
 * Parsing only (RFC 6376 3.5 and 3.6.1, RFC 8301, RFC 8463): no hashing,
 * no signature check, no DNS.  Both are tag lists (RFC 6376 3.2); folded
 * whitespace (CRLF or LF followed by a space or tab) may appear between
 * tokens.  A repeated tag is an error; unknown tags are ignored.
 *
 * Ownership: the structs are the caller's.  Fields of type struct
 * smtp2_dkim_str point into the text passed to the parser and are valid
 * only as long as that text is; b=, bh= and p= are decoded into bounded
 * arrays inside the struct.  The parsers allocate nothing.
 */
#ifndef SMTP2_DKIM_H
#define SMTP2_DKIM_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP2_DKIM_B_MAX	1024	/* b=: an RSA-8192 signature */
#define SMTP2_DKIM_BH_MAX	64	/* bh=: a SHA-512 digest at most */
#define SMTP2_DKIM_P_MAX	1280	/* p=: an RSA-8192 SubjectPublicKeyInfo */
#define SMTP2_DKIM_H_MAX	128	/* h=: names signed, oversigning included */

enum smtp2_dkim_status {
	SMTP2_DKIM_OK = 0,
	SMTP2_DKIM_INVALID,		/* malformed; the reason says why */
	SMTP2_DKIM_REVOKED		/* key record only: p= is empty */
};

/* a= of a signature.  rsa-sha1 is parsed but RFC 8301 forbids it. */
enum smtp2_dkim_alg {
	SMTP2_DKIM_RSA_SHA256 = 0,
	SMTP2_DKIM_ED25519_SHA256,	/* RFC 8463 */
	SMTP2_DKIM_RSA_SHA1
};

/* c= of a signature, one for the header and one for the body. */
enum smtp2_dkim_canon {
	SMTP2_DKIM_SIMPLE = 0,
	SMTP2_DKIM_RELAXED
};

/* k= of a key record. */
enum smtp2_dkim_keytype {
	SMTP2_DKIM_KEY_RSA = 0,
	SMTP2_DKIM_KEY_ED25519
};

/* A run of the parsed text: not NUL-terminated, owned by the caller. */
struct smtp2_dkim_str {
	const char	*p;
	size_t		len;
};

struct smtp2_dkim_sig {
	enum smtp2_dkim_alg alg;
	bool		weak_alg;	/* a=rsa-sha1: never a pass (RFC 8301) */
	enum smtp2_dkim_canon canon_header, canon_body; /* default simple */
	struct smtp2_dkim_str domain;	/* d= */
	struct smtp2_dkim_str selector;	/* s= */
	struct smtp2_dkim_str identity;	/* i=; when absent, d= alone */
	bool		has_identity;
	size_t		n_headers;	/* h=, in order, without FWS */
	struct smtp2_dkim_str headers[SMTP2_DKIM_H_MAX];
	bool		has_length;	/* l= */
	uint64_t	length;
	bool		has_timestamp;	/* t= */
	uint64_t	timestamp;
	bool		has_expiry;	/* x= */
	uint64_t	expiry;
	/* b='s value as written, for blanking it before hashing (3.7). */
	struct smtp2_dkim_str b_value;
	size_t		b_len, bh_len;
	unsigned char	b[SMTP2_DKIM_B_MAX];	/* b= decoded */
	unsigned char	bh[SMTP2_DKIM_BH_MAX];	/* bh= decoded */
};

#define SMTP2_DKIM_HASH_SHA1	0x1u
#define SMTP2_DKIM_HASH_SHA256	0x2u

struct smtp2_dkim_key {
	enum smtp2_dkim_keytype type;	/* k=, default rsa */
	unsigned	hashes;		/* h= as SMTP2_DKIM_HASH_*; default all */
	bool		testing;	/* t=y */
	bool		strict;		/* t=s: i= must be exactly d= */
	size_t		p_len;		/* 0: revoked */
	unsigned char	p[SMTP2_DKIM_P_MAX];	/* p= decoded */
};

/*
 * smtp2_dkim_sig_parse - parse the value of a DKIM-Signature header field
 * (the text after "DKIM-Signature:").  sig is written in full on
 * SMTP2_DKIM_OK and left in an unspecified state otherwise; it points
 * into value afterwards.  why may be NULL.
 */
enum smtp2_dkim_status smtp2_dkim_sig_parse(const char *value, size_t len,
    struct smtp2_dkim_sig *sig, char *why, size_t whylen);

/*
 * smtp2_dkim_key_parse - parse a DKIM key record (the TXT strings of
 * <s>._domainkey.<d>, concatenated).  SMTP2_DKIM_REVOKED when the record
 * is well formed but p= is empty; key is then filled with p_len 0.
 */
enum smtp2_dkim_status smtp2_dkim_key_parse(const char *txt, size_t len,
    struct smtp2_dkim_key *key, char *why, size_t whylen);

const char *smtp2_dkim_alg_name(enum smtp2_dkim_alg alg); /* "rsa-sha256" */

#endif
