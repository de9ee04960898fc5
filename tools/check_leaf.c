/*
 * check_leaf.c - the leaf certificate described for a human: subject,
 * issuer, names, key, signature, validity.  Plain OpenSSL reading: none
 * of it decides anything (check_chain.c asks the library for that), it
 * only tells the administrator what the server presented.
 */

/* System library. */
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include "check.h"

/* leaf_dn - a name in RFC 2253 form, one line */
static void
leaf_dn(const X509_NAME *name, char *buf, size_t buflen)
{
	BIO *b;
	int n;

	buf[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(b, buf, (int)buflen - 1)) > 0)
		buf[n] = '\0';
	BIO_free(b);
}

/* leaf_time - an ASN.1 time as "YYYY-MM-DDTHH:MM:SSZ" */
static void
leaf_time(const ASN1_TIME *t, char *buf, size_t buflen)
{
	struct tm tm;

	buf[0] = '\0';
	if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(buf, buflen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* leaf_names - the dNSName subjectAltNames, printable ASCII only */
static void
leaf_names(X509 *leaf, struct check_certinfo *ci)
{
	GENERAL_NAMES *sans;
	const GENERAL_NAME *g;
	const unsigned char *s;
	char *out;
	int i, j, len;

	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
		g = sk_GENERAL_NAME_value(sans, i);
		if (g->type != GEN_DNS)
			continue;
		if (ci->n_names_found++ == CHECK_NAMES_MAX)
			continue;
		s = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		out = ci->names[ci->n_names++];
		for (j = 0; j < len && j < CHECK_NAME_MAX - 1; j++)
			out[j] = s[j] >= 0x20 && s[j] < 0x7f ? (char)s[j] : '?';
		out[j] = '\0';
	}
	GENERAL_NAMES_free(sans);
}

/* leaf_key - "RSA", "EC P-256", "Ed25519" ... and the size in bits */
static void
leaf_key(X509 *leaf, struct check_certinfo *ci)
{
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	const char *nist;
	char group[64];
	size_t glen;

	snprintf(ci->key_type, sizeof(ci->key_type), "unknown");
	if (pk == NULL)
		return;
	ci->key_bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		snprintf(ci->key_type, sizeof(ci->key_type), "RSA");
		break;
	case EVP_PKEY_EC:
		/* "P-256" says more to most readers than "prime256v1". */
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) == 1) {
			nist = EC_curve_nid2nist(OBJ_sn2nid(group));
			snprintf(ci->key_type, sizeof(ci->key_type), "EC %.28s",
			    nist != NULL ? nist : group);
		} else
			snprintf(ci->key_type, sizeof(ci->key_type), "EC");
		break;
	default:
		snprintf(ci->key_type, sizeof(ci->key_type), "%s",
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
		break;
	}
}

/* check_leaf_describe - everything a human wants to see of the leaf */
void
check_leaf_describe(X509 *leaf, struct check_certinfo *ci)
{
	int nid;

	leaf_dn(X509_get_subject_name(leaf), ci->subject, sizeof(ci->subject));
	leaf_dn(X509_get_issuer_name(leaf), ci->issuer, sizeof(ci->issuer));
	leaf_names(leaf, ci);
	leaf_key(leaf, ci);
	nid = X509_get_signature_nid(leaf);
	snprintf(ci->sig_alg, sizeof(ci->sig_alg), "%s",
	    nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
	leaf_time(X509_get0_notBefore(leaf), ci->not_before, sizeof(ci->not_before));
	leaf_time(X509_get0_notAfter(leaf), ci->not_after, sizeof(ci->not_after));
	ci->self_signed = X509_self_signed(leaf, 0) == 1;
}
