/*
 * dkim_verify_int.h - what the parts of the DKIM verifier share:
 * dkim_verify.c (the message), dkim_vsig.c (one signature's checks),
 * dkim_hdrs.c (the kept header and h=), dkim_crypto.c (keys and
 * signatures in OpenSSL terms), dkim_keyrec.c (a key from DNS) and
 * dkim_keys.c (the shared key cache).
 *
 * Internal to libsmtp2 (the contract is smtp2/dkim_verify.h); names keep
 * the smtp2_dkim_ prefix because a static library cannot hide them.
 */
#ifndef SMTP2_DKIM_VERIFY_INT_H
#define SMTP2_DKIM_VERIFY_INT_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include <smtp2/dkim.h>
#include <smtp2/dkim_verify.h>
#include "dkim_canon.h"

#define SMTP2_DKIM_FIELDS_MAX	1024	/* header fields kept per message */
#define SMTP2_DKIM_DIGEST_LEN	32	/* SHA-256, the only hash we accept */
#define SMTP2_DKIM_WHY_LEN	160	/* as struct smtp2_dkimv_sig.why */

/* dkim_hdrs.c: the header fields of one message, kept for h=. */

struct smtp2_dkim_field {
	uint32_t	off, len;	/* the field in buf */
	uint32_t	namelen;	/* before the colon, WSP trimmed */
};

/* All owned; zeroed is empty. */
struct smtp2_dkim_hdrs {
	char		*buf;		/* fields back to back, grown lazily */
	size_t		used, cap;
	struct smtp2_dkim_field *f;
	size_t		n, fcap;
	size_t		dropped;	/* fields not kept: over budget, ENOMEM */
	uint64_t	lost[4];	/* names of those, hashed to 256 bits */
};

void smtp2_dkim_hdrs_free(struct smtp2_dkim_hdrs *h);

/* smtp2_dkim_hdrs_add - keep a field; its index, or -1 when it was not
 * kept (beyond SMTP2_DKIMV_HEADER_BYTES or SMTP2_DKIM_FIELDS_MAX, or
 * out of memory): its name is then remembered as possibly lost. */
long smtp2_dkim_hdrs_add(struct smtp2_dkim_hdrs *h, const char *field,
    size_t len);

/* smtp2_dkim_hdrs_get - field i; valid until the next add */
const char *smtp2_dkim_hdrs_get(const struct smtp2_dkim_hdrs *h, size_t i,
    size_t *len);

/* smtp2_dkim_name_is - does the field's name equal name (any case)? */
bool smtp2_dkim_name_is(const char *field, size_t len, const char *name,
    size_t namelen);

/* smtp2_dkim_hdrs_lost - may a field of this name have been dropped?
 * (false positives possible, false negatives not) */
bool smtp2_dkim_hdrs_lost(const struct smtp2_dkim_hdrs *h, const char *name,
    size_t len);

/*
 * smtp2_dkim_hdrs_hash - the header hash of RFC 6376 3.7: the fields h=
 * names, each picked from the bottom up, then the signature's own field
 * (index self) with b= emptied and no final CRLF.  ctx is reset with md.
 * 0, or -1 when a digest operation failed.
 */
int smtp2_dkim_hdrs_hash(const struct smtp2_dkim_hdrs *h,
    const struct smtp2_dkim_sig *sig, size_t self, EVP_MD_CTX *ctx,
    const EVP_MD *md, unsigned char digest[SMTP2_DKIM_DIGEST_LEN]);

/* dkim_crypto.c and dkim_keyrec.c: keys. */

/*
 * A key as a signature check needs it.  result NONE: usable, pkey set
 * (the holder's reference, dropped by smtp2_dkim_keyinfo_clear); else
 * PERMERROR or TEMPERROR with why.
 */
struct smtp2_dkim_keyinfo {
	enum smtp2_dkimv_result result;
	EVP_PKEY	*pkey;
	enum smtp2_dkim_keytype type;	/* k= */
	unsigned	hashes;		/* h= as SMTP2_DKIM_HASH_* */
	bool		testing;	/* t=y */
	bool		strict;		/* t=s */
	unsigned	bits;		/* RSA modulus; 256 for ed25519 */
	enum smtp2_dnssec dnssec;	/* of the answer */
	char		why[SMTP2_DKIM_WHY_LEN];
};

void smtp2_dkim_keyinfo_clear(struct smtp2_dkim_keyinfo *ki);

/* smtp2_dkim_pkey - p= as an EVP_PKEY: RSA SubjectPublicKeyInfo or bare
 * RSAPublicKey DER, or a raw ed25519 key.  Caller frees; NULL with why. */
EVP_PKEY *smtp2_dkim_pkey(const struct smtp2_dkim_key *key, char *why,
    size_t whylen);

/* smtp2_dkim_sig_ok - does sig sign digest (SHA-256 of the header data)
 * under pkey: RSASSA-PKCS1-v1_5, or Ed25519 over the digest (RFC 8463)? */
bool smtp2_dkim_sig_ok(EVP_PKEY *pkey, enum smtp2_dkim_alg alg,
    const EVP_MD *md, const unsigned char digest[SMTP2_DKIM_DIGEST_LEN],
    const unsigned char *sig, size_t siglen);

/* smtp2_dkim_key_fetch - look name's key record up and make it a key;
 * returns the TTL to remember the outcome for (not for TEMPERROR). */
uint32_t smtp2_dkim_key_fetch(struct smtp2_dns *dns, const char *name,
    struct smtp2_dkim_keyinfo *ki);

/* dkim_keys.c */

/* smtp2_dkim_keys_get - name's key, from k when fresh (k may be NULL),
 * else from DNS and then remembered (TEMPERROR never is). */
void smtp2_dkim_keys_get(struct smtp2_dkim_keys *k, struct smtp2_dns *dns,
    const char *name, struct smtp2_dkim_keyinfo *ki);

/* smtp2_dkim_keys_md - SHA-256, fetched once per cache; NULL: none */
const EVP_MD *smtp2_dkim_keys_md(const struct smtp2_dkim_keys *k);

/* dkim_verify.c and dkim_vsig.c: the message. */

/* One body hash, shared by signatures of equal c= body and l=. */
struct smtp2_dkim_bodyhash {
	enum smtp2_dkim_canon canon;
	uint64_t	limit;		/* l=, or UINT64_MAX */
	struct smtp2_dkim_body body;
	struct smtp2_dkim_sink sink;	/* sink.md: owned */
	unsigned char	digest[SMTP2_DKIM_DIGEST_LEN];
	bool		failed;		/* a digest operation failed */
};

/* A signature still to be verified at the end of the message. */
struct smtp2_dkim_vsig {
	struct smtp2_dkim_sig sig;	/* points into the kept header */
	size_t		field;		/* its own field's index */
	size_t		body;		/* its body hash */
	bool		late;		/* verified, the result is POLICY */
	char		late_why[96];
};

struct smtp2_dkimv {
	struct smtp2_dkimv_opts opts;	/* now and min_rsa_bits filled in */
	const EVP_MD	*md;		/* SHA-256: the cache's or own_md */
	EVP_MD		*own_md;	/* owned; without a cache only */
	struct smtp2_dkim_hdrs hdrs;
	size_t		n_sigs;		/* DKIM-Signature fields reported */
	size_t		n_unverified;	/* more than SMTP2_DKIMV_SIGS_MAX */
	long		sig_field[SMTP2_DKIMV_SIGS_MAX];	/* -1: not kept */
	struct smtp2_dkim_vsig *vs[SMTP2_DKIMV_SIGS_MAX];	/* owned */
	size_t		n_bodies;
	struct smtp2_dkim_bodyhash bodies[SMTP2_DKIMV_SIGS_MAX];
	bool		eoh_done, eom_done;
	struct smtp2_dkimv_sig res[SMTP2_DKIMV_SIGS_MAX];
};

/* smtp2_dkim_vsig_start - parse and check signature i at the end of the
 * header; an outcome known already goes into v->res[i], otherwise
 * v->vs[i] is left for smtp2_dkim_vsig_finish(). */
void smtp2_dkim_vsig_start(struct smtp2_dkimv *v, size_t i);

/* smtp2_dkim_vsig_lost - a signature field that was not kept: report
 * it as permerror, with d= and s= when they can be read from field. */
void smtp2_dkim_vsig_lost(struct smtp2_dkimv_sig *r, const char *field,
    size_t len);

/* smtp2_dkim_vsig_finish - the key, the hashes, the signature */
void smtp2_dkim_vsig_finish(struct smtp2_dkimv *v, size_t i);

/* smtp2_dkim_vresult - set a result and its reason */
void smtp2_dkim_vresult(struct smtp2_dkimv_sig *r, enum smtp2_dkimv_result res,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
