/*
 * cert_pki.h - a throwaway PKI built with OpenSSL's C API, for the
 * certificate tests and the benchmark.  Nothing is committed: keys,
 * certificates, CRLs and OCSP responses are made at run time.
 *
 * Header-only (each test is one program, tests/CMakeLists.txt globs
 * test_*.c); functions are static and marked unused so each includer
 * takes what it needs.  On failure they return NULL / -1: the caller's
 * assertion says which step broke.
 */
#ifndef SMTP2_CERT_PKI_H
#define SMTP2_CERT_PKI_H

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/bio.h>
#include <openssl/dsa.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PKI_FN	__attribute__((unused)) static
#define PKI_DAY	86400L

/* What a certificate should say. */
struct pki_spec {
	const char	*cn;		/* subject CN; NULL: none (O= only) */
	const char	*san;		/* "DNS:a.test,DNS:b.test"; NULL: none */
	time_t		nb, na;		/* notBefore, notAfter */
	bool		ca;
	const char	*eku;		/* "OCSPSigning"; NULL: none */
	const EVP_MD	*md;		/* NULL: SHA-256, or none for EdDSA */
	long		serial;
};

/* pki_dsa - a DSA key (1024-bit parameters: only ever refused) */
PKI_FN EVP_PKEY *
pki_dsa(void)
{
	EVP_PKEY_CTX *pctx, *kctx = NULL;
	EVP_PKEY *params = NULL, *key = NULL;

	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL)) != NULL
	    && EVP_PKEY_paramgen_init(pctx) == 1
	    && EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx, 1024) == 1
	    && EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pctx, 160) == 1
	    && EVP_PKEY_paramgen(pctx, &params) == 1
	    && (kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) != NULL
	    && EVP_PKEY_keygen_init(kctx) == 1)
		(void)EVP_PKEY_keygen(kctx, &key);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(params);
	return (key);
}

/* pki_key - "rsa1024", "rsa2048", "p224", "p256", "p384", "ed25519", "dsa" */
PKI_FN EVP_PKEY *
pki_key(const char *kind)
{
	if (strcmp(kind, "rsa1024") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024));
	if (strcmp(kind, "rsa2048") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
	if (strcmp(kind, "p224") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224"));
	if (strcmp(kind, "p256") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	if (strcmp(kind, "p384") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	if (strcmp(kind, "ed25519") == 0)
		return (EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	if (strcmp(kind, "dsa") == 0)
		return (pki_dsa());
	return (NULL);
}

/* pki_md - the digest to sign with: the spec's, SHA-256, none for EdDSA */
PKI_FN const EVP_MD *
pki_md(const EVP_MD *want, EVP_PKEY *signer)
{
	int	id = EVP_PKEY_get_base_id(signer);

	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return (NULL);
	return (want != NULL ? want : EVP_sha256());
}

/* pki_ext - add one extension in openssl.cnf syntax; 0 or -1 */
PKI_FN int
pki_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int	ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, v3, nid, value)) == NULL)
		return (-1);
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return (ok == 1 ? 0 : -1);
}

/* pki_exts - the v3 extensions a CA, leaf or responder carries */
PKI_FN int
pki_exts(X509 *x, const struct pki_spec *sp, X509 *issuer)
{
	X509V3_CTX v3;

	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (pki_ext(x, &v3, NID_basic_constraints,
	    sp->ca ? "critical,CA:TRUE" : "critical,CA:FALSE") < 0
	    || pki_ext(x, &v3, NID_key_usage, sp->ca
	    ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") < 0
	    || pki_ext(x, &v3, NID_subject_key_identifier, "hash") < 0
	    || pki_ext(x, &v3, NID_authority_key_identifier, "keyid:always") < 0)
		return (-1);
	if (sp->san != NULL && pki_ext(x, &v3, NID_subject_alt_name, sp->san) < 0)
		return (-1);
	if (sp->eku != NULL && pki_ext(x, &v3, NID_ext_key_usage, sp->eku) < 0)
		return (-1);
	return (0);
}

/* pki_cert - a certificate for key, signed by issuer (NULL: itself) */
PKI_FN X509 *
pki_cert(const struct pki_spec *sp, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	X509_NAME *name;
	X509	*x;

	if ((x = X509_new()) == NULL)
		return (NULL);
	name = X509_get_subject_name(x);
	if (X509_set_version(x, X509_VERSION_3) != 1
	    || ASN1_INTEGER_set(X509_get_serialNumber(x), sp->serial) != 1
	    || ASN1_TIME_set(X509_getm_notBefore(x), sp->nb) == NULL
	    || ASN1_TIME_set(X509_getm_notAfter(x), sp->na) == NULL
	    || X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"smtp2 test", -1, -1, 0) != 1
	    || (sp->cn != NULL && X509_NAME_add_entry_by_txt(name, "CN",
	    MBSTRING_ASC, (const unsigned char *)sp->cn, -1, -1, 0) != 1)
	    || X509_set_issuer_name(x, issuer != NULL
	    ? X509_get_subject_name(issuer) : name) != 1
	    || X509_set_pubkey(x, key) != 1
	    || pki_exts(x, sp, issuer) < 0
	    || X509_sign(x, ikey != NULL ? ikey : key,
	    pki_md(sp->md, ikey != NULL ? ikey : key)) <= 0) {
		X509_free(x);
		return (NULL);
	}
	return (x);
}

/* pki_crl - issuer's CRL listing serials (reason keyCompromise) */
PKI_FN X509_CRL *
pki_crl(X509 *issuer, EVP_PKEY *ikey, time_t last, time_t next,
    const long *serials, size_t n)
{
	X509_CRL *crl;
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, last), *t2 = ASN1_TIME_set(NULL, next);
	bool	ok;
	size_t	i;

	ok = (crl = X509_CRL_new()) != NULL && t1 != NULL && t2 != NULL
	    && X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1
	    && X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) == 1
	    && X509_CRL_set1_lastUpdate(crl, t1) == 1
	    && X509_CRL_set1_nextUpdate(crl, t2) == 1;
	for (i = 0; ok && i < n; i++) {
		X509_REVOKED *rev = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ASN1_ENUMERATED *why = ASN1_ENUMERATED_new();

		ok = rev != NULL && sn != NULL && why != NULL
		    && ASN1_INTEGER_set(sn, serials[i]) == 1
		    && X509_REVOKED_set_serialNumber(rev, sn) == 1
		    && X509_REVOKED_set_revocationDate(rev, t1) == 1
		    && ASN1_ENUMERATED_set(why, OCSP_REVOKED_STATUS_KEYCOMPROMISE) == 1
		    && X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, why, 0, 0) == 1
		    && X509_CRL_add0_revoked(crl, rev) == 1;
		if (!ok)
			X509_REVOKED_free(rev);
		ASN1_INTEGER_free(sn);
		ASN1_ENUMERATED_free(why);
	}
	ok = ok && X509_CRL_sort(crl) == 1
	    && X509_CRL_sign(crl, ikey, pki_md(NULL, ikey)) > 0;
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	if (!ok) {
		X509_CRL_free(crl);
		return (NULL);
	}
	return (crl);
}

/* pki_pem - certificates then CRLs as one PEM text (malloc'd, NUL-ended) */
PKI_FN char *
pki_pem(X509 *const *certs, size_t n, X509_CRL *const *crls, size_t ncrl,
    size_t *lenp)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*data, *out = NULL;
	long	len;
	size_t	i;
	bool	ok = bio != NULL;

	for (i = 0; ok && i < n; i++)
		ok = PEM_write_bio_X509(bio, certs[i]) == 1;
	for (i = 0; ok && i < ncrl; i++)
		ok = PEM_write_bio_X509_CRL(bio, crls[i]) == 1;
	if (ok && (len = BIO_get_mem_data(bio, &data)) > 0
	    && (out = malloc((size_t)len + 1)) != NULL) {
		memcpy(out, data, (size_t)len);
		out[len] = '\0';
		if (lenp != NULL)
			*lenp = (size_t)len;
	}
	BIO_free(bio);
	return (out);
}

/* pki_write - pki_pem into path; 0 or -1 */
PKI_FN int
pki_write(const char *path, X509 *const *certs, size_t n, X509_CRL *const *crls,
    size_t ncrl)
{
	char	*text = pki_pem(certs, n, crls, ncrl, NULL);
	FILE	*fp;
	int	ok;

	if (text == NULL || (fp = fopen(path, "w")) == NULL) {
		free(text);
		return (-1);
	}
	ok = fputs(text, fp) >= 0;
	ok = (fclose(fp) == 0) && ok;
	free(text);
	return (ok ? 0 : -1);
}

/* pki_ocsp_der - a whole OCSP response as DER (malloc'd) */
PKI_FN unsigned char *
pki_ocsp_der(OCSP_RESPONSE *resp, size_t *lenp)
{
	unsigned char *der = NULL, *out = NULL;
	int	len;

	if (resp != NULL && (len = i2d_OCSP_RESPONSE(resp, &der)) > 0
	    && (out = malloc((size_t)len)) != NULL) {
		memcpy(out, der, (size_t)len);
		*lenp = (size_t)len;
	}
	OPENSSL_free(der);
	OCSP_RESPONSE_free(resp);
	return (out);
}

/*
 * pki_ocsp - a successful response about leaf (issued by issuer) with
 * status (V_OCSP_CERTSTATUS_*), signed by signer; next 0: no nextUpdate.
 */
PKI_FN unsigned char *
pki_ocsp(X509 *leaf, X509 *issuer, X509 *signer, EVP_PKEY *skey, int status,
    time_t this_upd, time_t next_upd, size_t *lenp)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), leaf, issuer);
	ASN1_GENERALIZEDTIME *tu = ASN1_GENERALIZEDTIME_set(NULL, this_upd);
	ASN1_GENERALIZEDTIME *tn = next_upd != 0
	    ? ASN1_GENERALIZEDTIME_set(NULL, next_upd) : NULL;
	ASN1_GENERALIZEDTIME *tr = ASN1_GENERALIZEDTIME_set(NULL, this_upd - PKI_DAY);
	OCSP_RESPONSE *resp = NULL;

	if (bs != NULL && id != NULL && tu != NULL && tr != NULL
	    && OCSP_basic_add1_status(bs, id, status,
	    OCSP_REVOKED_STATUS_KEYCOMPROMISE, tr, tu, tn) != NULL
	    && OCSP_basic_sign(bs, signer, skey, pki_md(NULL, skey), NULL, 0) == 1)
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_GENERALIZEDTIME_free(tu);
	ASN1_GENERALIZEDTIME_free(tn);
	ASN1_GENERALIZEDTIME_free(tr);
	return (pki_ocsp_der(resp, lenp));
}

/* pki_ocsp_status - an unsuccessful response (tryLater, ...) */
PKI_FN unsigned char *
pki_ocsp_status(int status, size_t *lenp)
{
	return (pki_ocsp_der(OCSP_response_create(status, NULL), lenp));
}

/* pki_der - one certificate as DER (OPENSSL_malloc'd); length in *lenp */
PKI_FN unsigned char *
pki_der(X509 *x, size_t *lenp)
{
	unsigned char *der = NULL;
	int	len = i2d_X509(x, &der);

	*lenp = len > 0 ? (size_t)len : 0;
	return (len > 0 ? der : NULL);
}

#endif
