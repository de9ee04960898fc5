/*
 * cert_strength.c - key sizes and signature digests along a verified path.
 *
 * OpenSSL's own security levels would do part of this, but they mix key
 * and digest checks into one number and their errors name neither the
 * certificate nor the size: these checks say "RSA key of 1024 bits
 * (minimum 2048) in certificate".  The trust anchor's key is checked like
 * any other (it signs the next certificate), its self-signature is not:
 * an anchor is trusted because the operator listed it, not because of
 * the digest it signed itself with.
 */

/* System library. */
#include <stdint.h>
#include <stdio.h>

/* Library. */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "cert_util.h"
#include "why.h"

/* strength_key - 0 when x's key meets the store's minimums, else -1 */
static int
strength_key(const struct smtp2_cert_store *s, X509 *x, int depth,
    struct smtp2_cert_result *r)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	char	who[128];
	int	bits;

	smtp2_cert_label(x, depth, who, sizeof(who));
	r->status = SMTP2_CERT_WEAK_KEY;
	if (pkey == NULL) {
		smtp2_why(r->reason, sizeof(r->reason), "%s: unreadable public key", who);
		return (-1);
	}
	bits = EVP_PKEY_get_bits(pkey);
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		if (bits >= 0 && (unsigned)bits >= s->opts.min_rsa_bits)
			return (0);
		smtp2_why(r->reason, sizeof(r->reason), "%s: RSA key of %d bits "
		    "(minimum %u)", who, bits, s->opts.min_rsa_bits);
		return (-1);
	case EVP_PKEY_EC:
		if (bits >= 0 && (unsigned)bits >= s->opts.min_ec_bits)
			return (0);
		smtp2_why(r->reason, sizeof(r->reason), "%s: EC key of %d bits "
		    "(minimum %u)", who, bits, s->opts.min_ec_bits);
		return (-1);
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return (0);
	case EVP_PKEY_DSA:
		smtp2_why(r->reason, sizeof(r->reason), "%s: DSA keys are refused", who);
		return (-1);
	default:
		smtp2_why(r->reason, sizeof(r->reason), "%s: unsupported key type %s",
		    who, OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
		return (-1);
	}
}

/* strength_digest_weak - is mdnid a digest nobody may sign with now? */
static int
strength_digest_weak(int mdnid)
{
	switch (mdnid) {
	case NID_md2:
	case NID_md4:
	case NID_md5:
	case NID_md5_sha1:
	case NID_mdc2:
	case NID_sha1:
		return (1);
	default:
		return (0);
	}
}

/* strength_signature - 0 when x was not signed with a broken digest */
static int
strength_signature(X509 *x, int depth, struct smtp2_cert_result *r)
{
	int	mdnid = NID_undef, pknid = NID_undef, secbits = 0;
	uint32_t flags = 0;
	char	who[128];

	/* Also right for RSA-PSS, whose digest hides in parameters. */
	if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags) != 1
	    || !strength_digest_weak(mdnid))
		return (0);
	smtp2_cert_label(x, depth, who, sizeof(who));
	r->status = SMTP2_CERT_WEAK_SIGNATURE;
	smtp2_why(r->reason, sizeof(r->reason), "%s: signed with %s (%s), "
	    "refused below the trust anchor", who, OBJ_nid2sn(mdnid),
	    OBJ_nid2ln(X509_get_signature_nid(x)));
	return (-1);
}

/* smtp2_cert_strength - every key, every signature but the anchor's */
int
smtp2_cert_strength(const struct smtp2_cert_store *s, STACK_OF(X509) *path,
    struct smtp2_cert_result *r)
{
	int	i, n = sk_X509_num(path);

	for (i = 0; i < n; i++)
		if (strength_key(s, sk_X509_value(path, i), i, r) < 0)
			return (-1);
	for (i = 0; i < n - 1; i++)
		if (strength_signature(sk_X509_value(path, i), i, r) < 0)
			return (-1);
	return (0);
}
