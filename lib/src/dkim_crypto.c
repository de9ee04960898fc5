/*
 * dkim_crypto.c - DKIM keys and signatures in OpenSSL terms (RFC 6376
 * 3.3, RFC 8463).
 *
 * RSA keys come as a SubjectPublicKeyInfo, or from some signers as a
 * bare RSAPublicKey; ed25519 keys are the raw 32 bytes.  An RSA signature
 * is checked against the SHA-256 digest of the header data already
 * computed; an ed25519 one is PureEdDSA over those same 32 bytes.
 * OpenSSL's error queue is left as it was found.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* Application-specific. */
#include "dkim_verify_int.h"
#include "why.h"

/* crypto_rsa - an RSA key from SubjectPublicKeyInfo or RSAPublicKey DER */
static EVP_PKEY *
crypto_rsa(const unsigned char *p, size_t len, char *why, size_t whylen)
{
	const unsigned char *q = p;
	EVP_PKEY *pk;

	if ((pk = d2i_PUBKEY(NULL, &q, (long)len)) != NULL) {
		if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
			return (pk);
		EVP_PKEY_free(pk);
		smtp2_why(why, whylen, "p= holds a public key, but not RSA");
		return (NULL);
	}
	q = p;
	if ((pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)len)) != NULL)
		return (pk);
	smtp2_why(why, whylen, "p= is not an RSA public key");
	return (NULL);
}

/* smtp2_dkim_pkey - p= as an EVP_PKEY */
EVP_PKEY *
smtp2_dkim_pkey(const struct smtp2_dkim_key *key, char *why, size_t whylen)
{
	EVP_PKEY *pk;

	ERR_set_mark();
	if (key->type == SMTP2_DKIM_KEY_ED25519) {
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key->p,
		    key->p_len);
		if (pk == NULL)
			smtp2_why(why, whylen, "p= is not an ed25519 public key");
	} else
		pk = crypto_rsa(key->p, key->p_len, why, whylen);
	ERR_pop_to_mark();
	return (pk);
}

/* crypto_rsa_ok - RSASSA-PKCS1-v1_5 over the digest */
static bool
crypto_rsa_ok(EVP_PKEY *pkey, const EVP_MD *md,
    const unsigned char digest[SMTP2_DKIM_DIGEST_LEN],
    const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx;
	bool	ok;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		return (false);
	ok = EVP_PKEY_verify_init(ctx) == 1
	    && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1
	    && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1
	    && EVP_PKEY_verify(ctx, sig, siglen, digest,
	    SMTP2_DKIM_DIGEST_LEN) == 1;
	EVP_PKEY_CTX_free(ctx);
	return (ok);
}

/* crypto_ed25519_ok - PureEdDSA with the digest as the message */
static bool
crypto_ed25519_ok(EVP_PKEY *pkey,
    const unsigned char digest[SMTP2_DKIM_DIGEST_LEN],
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	bool	ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (false);
	ok = EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, pkey,
	    NULL) == 1 && EVP_DigestVerify(ctx, sig, siglen, digest,
	    SMTP2_DKIM_DIGEST_LEN) == 1;
	EVP_MD_CTX_free(ctx);
	return (ok);
}

/* smtp2_dkim_sig_ok - does sig sign digest under pkey? */
bool
smtp2_dkim_sig_ok(EVP_PKEY *pkey, enum smtp2_dkim_alg alg, const EVP_MD *md,
    const unsigned char digest[SMTP2_DKIM_DIGEST_LEN],
    const unsigned char *sig, size_t siglen)
{
	bool	ok;

	ERR_set_mark();
	if (alg == SMTP2_DKIM_ED25519_SHA256)
		ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519
		    && crypto_ed25519_ok(pkey, digest, sig, siglen);
	else
		ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA
		    && crypto_rsa_ok(pkey, md, digest, sig, siglen);
	ERR_pop_to_mark();
	return (ok);
}
