/*
 * dane_cert.c - one certificate against one TLSA record, and the leaf's
 * names against the domain.
 *
 * The association data is the DER certificate (selector 0) or DER
 * SubjectPublicKeyInfo (selector 1), whole (matching type 0) or digested
 * (1 SHA-256, 2 SHA-512): RFC 6698 2.1.  Comparisons are constant-time:
 * the data is public, but there is no reason to teach anyone otherwise.
 */

/* System library. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include "cert_int.h"
#include "dane_int.h"
#include "why.h"

#define DANE_NAME_MAX	256	/* longer names cannot be host names */
#define DANE_SUBJECT_MAX 72	/* of a subject quoted in a reason */

/* dane_select - x's DER form under the selector; OPENSSL_free it */
static int
dane_select(X509 *x, uint8_t selector, unsigned char **der)
{
	*der = NULL;
	if (selector == DANE_SELECTOR_SPKI)
		return (i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), der));
	return (i2d_X509(x, der));
}

/* smtp2_dane_cert_matches - x's association data equals rr's */
bool
smtp2_dane_cert_matches(const struct smtp2_tlsa *rr, X509 *x)
{
	unsigned char *der, md[EVP_MAX_MD_SIZE];
	const unsigned char *have;
	unsigned int mdlen;
	int	len;
	bool	same = false;

	if ((len = dane_select(x, rr->selector, &der)) <= 0)
		return (false);
	have = der;
	if (rr->mtype != DANE_MTYPE_FULL) {
		if (EVP_Digest(der, (size_t)len, md, &mdlen, rr->mtype ==
		    DANE_MTYPE_SHA256 ? EVP_sha256() : EVP_sha512(), NULL) != 1)
			goto done;
		have = md;
		len = (int)mdlen;
	}
	same = (size_t)len == rr->len
	    && CRYPTO_memcmp(have, rr->data, rr->len) == 0;
done:
	OPENSSL_free(der);
	return (same);
}

/* smtp2_dane_record_cert - the DER certificate a 2 0 0 record holds */
X509 *
smtp2_dane_record_cert(const struct smtp2_tlsa *rr)
{
	const unsigned char *p = rr->data;
	X509	*x;

	if (rr->len > LONG_MAX
	    || (x = d2i_X509(NULL, &p, (long)rr->len)) == NULL)
		return (NULL);
	/* Trailing bytes mean the record is not what it claims to be. */
	if (p != rr->data + rr->len) {
		X509_free(x);
		return (NULL);
	}
	return (x);
}

/* smtp2_dane_record_key - the DER SubjectPublicKeyInfo of a 2 1 0 record */
EVP_PKEY *
smtp2_dane_record_key(const struct smtp2_tlsa *rr)
{
	const unsigned char *p = rr->data;
	EVP_PKEY *k;

	if (rr->len > LONG_MAX
	    || (k = d2i_PUBKEY(NULL, &p, (long)rr->len)) == NULL)
		return (NULL);
	if (p != rr->data + rr->len) {
		EVP_PKEY_free(k);
		return (NULL);
	}
	return (k);
}

/* dane_name_try - does one presented name (not NUL-terminated) fit? */
static bool
dane_name_try(const unsigned char *s, int len, const char *domain)
{
	char	name[DANE_NAME_MAX];

	/* An embedded NUL would make the name say something else to C. */
	if (len <= 0 || (size_t)len >= sizeof(name)
	    || memchr(s, '\0', (size_t)len) != NULL)
		return (false);
	memcpy(name, s, (size_t)len);
	name[len] = '\0';
	return (smtp2_cert_name_match(name, domain, true));
}

/* dane_cn_fits - does a subject CommonName fit?  (no dNSName SAN only) */
static bool
dane_cn_fits(X509 *x, const char *domain)
{
	X509_NAME *subj = X509_get_subject_name(x);
	unsigned char *utf8;
	int	i = -1, len;
	bool	fits = false;

	while (!fits && (i = X509_NAME_get_index_by_NID(subj, NID_commonName,
	    i)) >= 0) {
		len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subj, i)));
		if (len < 0)
			continue;
		fits = dane_name_try(utf8, len, domain);
		OPENSSL_free(utf8);
	}
	return (fits);
}

/* dane_name_fits - RFC 6125: dNSName SANs, the CN only when there are none */
static bool
dane_name_fits(X509 *x, const char *domain)
{
	GENERAL_NAMES *sans;
	const GENERAL_NAME *gn;
	bool	had_dns = false, fits = false;
	int	i;

	sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS)
			continue;
		had_dns = true;
		if (dane_name_try(ASN1_STRING_get0_data(gn->d.dNSName),
		    ASN1_STRING_length(gn->d.dNSName), domain))
			fits = true;
	}
	GENERAL_NAMES_free(sans);
	return (had_dns ? fits : dane_cn_fits(x, domain));
}

/* smtp2_dane_leaf_name_fits - the leaf's name against the domain, once */
bool
smtp2_dane_leaf_name_fits(struct dane_ctx *c)
{
	if (c->name_fits < 0)
		c->name_fits = dane_name_fits(sk_X509_value(c->certs, 0),
		    c->domain);
	return (c->name_fits > 0);
}

/* smtp2_dane_subject - a subject fit for a reason string */
void
smtp2_dane_subject(X509 *x, char *buf, size_t buflen)
{
	BIO	*b;
	char	*text;
	long	len;
	size_t	i, n = 0;

	if (buflen == 0)
		return;
	/* RFC 2253 escapes control and non-ASCII bytes; the loop below
	 * still refuses anything unprintable, as reasons reach logs. */
	if ((b = BIO_new(BIO_s_mem())) != NULL && X509_NAME_print_ex(b,
	    X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0
	    && (len = BIO_get_mem_data(b, &text)) > 0)
		for (i = 0; i < (size_t)len && n + 1 < buflen; i++)
			buf[n++] = text[i] >= 0x20 && text[i] < 0x7f ?
			    text[i] : '?';
	buf[n] = '\0';
	BIO_free(b);
	if (n == 0)
		smtp2_why(buf, buflen, "empty subject");
}

/* smtp2_dane_cert_desc - which certificate, for a reason string */
void
smtp2_dane_cert_desc(X509 *x, int pos, const char *where,
    char *buf, size_t buflen)
{
	char	subj[DANE_SUBJECT_MAX];

	smtp2_dane_subject(x, subj, sizeof(subj));
	smtp2_why(buf, buflen, "certificate %d of the %s (%s)", pos, where,
	    subj);
}
