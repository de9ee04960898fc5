/*
 * cert_chain.c - certificate chains from PEM text, files and DER, and the
 * facts an MTA would report about them.
 *
 * Input comes from the network (a peer's chain) or from an operator's
 * file: it is bounded (SMTP2_CHAIN_MAX certificates, 1 MB of PEM) and
 * every broken block is reported, never skipped, so that a chain is
 * either what was sent or nothing.
 */

/* System library. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/tls.h>
#include "cert_int.h"
#include "cert_util.h"
#include "why.h"

/* Longest PEM text accepted: 16 certificates of a few kB fit many times. */
#define CHAIN_PEM_MAX	(1024 * 1024)

/* chain_new - an empty chain; NULL when out of memory */
static struct smtp2_chain *
chain_new(void)
{
	struct smtp2_chain *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->certs = sk_X509_new_null()) == NULL) {
		free(c);
		return (NULL);
	}
	return (c);
}

/* chain_push - append x (taking it); -1 when full or out of memory */
static int
chain_push(struct smtp2_chain *c, X509 *x, char *why, size_t whylen)
{
	if (sk_X509_num(c->certs) >= SMTP2_CHAIN_MAX) {
		smtp2_why(why, whylen, "more than %d certificates", SMTP2_CHAIN_MAX);
		X509_free(x);
		return (-1);
	}
	if (sk_X509_push(c->certs, x) <= 0) {
		smtp2_why(why, whylen, "out of memory");
		X509_free(x);
		return (-1);
	}
	return (0);
}

/* chain_pem_end - did PEM reading stop at the end of the text? */
static int
chain_pem_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return (ERR_GET_LIB(e) == ERR_LIB_PEM
	    && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

/* smtp2_chain_from_pem - every CERTIFICATE block, in order */
struct smtp2_chain *
smtp2_chain_from_pem(const char *pem, size_t len, char *why, size_t whylen)
{
	struct smtp2_chain *c;
	char	err[128];
	BIO	*bio;
	X509	*x;

	if (pem == NULL || len == 0) {
		smtp2_why(why, whylen, "empty PEM text");
		return (NULL);
	}
	if (len > CHAIN_PEM_MAX) {
		smtp2_why(why, whylen, "PEM text over %d bytes", CHAIN_PEM_MAX);
		return (NULL);
	}
	if ((c = chain_new()) == NULL
	    || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		smtp2_chain_free(c);
		smtp2_why(why, whylen, "out of memory");
		return (NULL);
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (chain_push(c, x, why, whylen) < 0)
			goto fail;
	if (!chain_pem_end()) {
		smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "PEM certificate %d: %s",
		    sk_X509_num(c->certs) + 1, err);
		goto fail;
	}
	if (sk_X509_num(c->certs) == 0) {
		smtp2_why(why, whylen, "no certificate in the PEM text");
		goto fail;
	}
	ERR_clear_error();
	BIO_free(bio);
	return (c);

fail:
	ERR_clear_error();
	BIO_free(bio);
	smtp2_chain_free(c);
	return (NULL);
}

/* chain_read_file - whole file into a malloc'd buffer; NULL with why */
static char *
chain_read_file(const char *path, size_t *lenp, char *why, size_t whylen)
{
	struct stat st;
	FILE	*fp;
	char	*buf = NULL;

	if ((fp = fopen(path, "r")) == NULL || fstat(fileno(fp), &st) < 0) {
		smtp2_why(why, whylen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > CHAIN_PEM_MAX) {
		smtp2_why(why, whylen, "%s: %s", path, !S_ISREG(st.st_mode)
		    ? "not a regular file" : st.st_size <= 0 ? "empty"
		    : "over 1 MB");
		goto done;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		smtp2_why(why, whylen, "%s: out of memory", path);
		goto done;
	}
	*lenp = fread(buf, 1, (size_t)st.st_size, fp);
	if (*lenp == 0) {
		smtp2_why(why, whylen, "%s: read error", path);
		free(buf);
		buf = NULL;
	}
done:
	if (fp != NULL)
		fclose(fp);
	return (buf);
}

/* smtp2_chain_from_file - a PEM file; reasons name the file */
struct smtp2_chain *
smtp2_chain_from_file(const char *path, char *why, size_t whylen)
{
	struct smtp2_chain *c;
	char	*text, sub[200];
	size_t	len = 0;

	if (path == NULL) {
		smtp2_why(why, whylen, "no chain file given");
		return (NULL);
	}
	if ((text = chain_read_file(path, &len, why, whylen)) == NULL)
		return (NULL);
	sub[0] = '\0';
	if ((c = smtp2_chain_from_pem(text, len, sub, sizeof(sub))) == NULL)
		smtp2_why(why, whylen, "%s: %s", path, sub);
	free(text);
	return (c);
}

/* smtp2_chain_from_der - n DER certificates, each exactly one */
struct smtp2_chain *
smtp2_chain_from_der(const unsigned char *const *der, const size_t *len,
    size_t n, char *why, size_t whylen)
{
	struct smtp2_chain *c;
	const unsigned char *p;
	char	err[128];
	size_t	i;
	X509	*x;

	if (der == NULL || len == NULL || n == 0) {
		smtp2_why(why, whylen, "no certificate");
		return (NULL);
	}
	if (n > SMTP2_CHAIN_MAX) {
		smtp2_why(why, whylen, "more than %d certificates", SMTP2_CHAIN_MAX);
		return (NULL);
	}
	if ((c = chain_new()) == NULL) {
		smtp2_why(why, whylen, "out of memory");
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		if (der[i] == NULL || len[i] == 0 || len[i] > LONG_MAX) {
			smtp2_why(why, whylen, "DER certificate %zu: empty", i + 1);
			goto fail;
		}
		p = der[i];
		if ((x = d2i_X509(NULL, &p, (long)len[i])) == NULL) {
			smtp2_cert_ssl_error(err, sizeof(err));
			smtp2_why(why, whylen, "DER certificate %zu: %s", i + 1, err);
			goto fail;
		}
		if (p != der[i] + len[i]) {
			smtp2_why(why, whylen, "DER certificate %zu: %zu bytes after it",
			    i + 1, (size_t)(der[i] + len[i] - p));
			X509_free(x);
			goto fail;
		}
		if (chain_push(c, x, why, whylen) < 0)
			goto fail;
	}
	return (c);

fail:
	ERR_clear_error();
	smtp2_chain_free(c);
	return (NULL);
}

/* smtp2_chain_free - the certificates and the chain */
void
smtp2_chain_free(struct smtp2_chain *c)
{
	if (c == NULL)
		return;
	sk_X509_pop_free(c->certs, X509_free);
	free(c);
}

/* smtp2_chain_len - number of certificates */
size_t
smtp2_chain_len(const struct smtp2_chain *c)
{
	if (c == NULL || c->certs == NULL)
		return (0);
	return ((size_t)sk_X509_num(c->certs));
}

/* chain_spki_sha256 - SHA-256 of the leaf's SubjectPublicKeyInfo (TLSA 1) */
static bool
chain_spki_sha256(X509 *leaf, unsigned char out[SMTP2_SHA256_LEN])
{
	unsigned char *der = NULL;
	unsigned int n = 0;
	int	len;
	bool	ok;

	if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der)) <= 0)
		return (false);
	ok = EVP_Digest(der, (size_t)len, out, &n, EVP_sha256(), NULL) == 1
	    && n == SMTP2_SHA256_LEN;
	OPENSSL_free(der);
	return (ok);
}

/* smtp2_chain_facts - what an MTA would tell about the leaf */
void
smtp2_chain_facts(const struct smtp2_chain *c, struct smtp2_tls_facts *f)
{
	unsigned int n = 0;
	X509	*leaf;

	f->cert_presented = f->cert_trusted = false;
	f->have_cert_sha256 = f->have_spki_sha256 = false;
	f->subject_cn[0] = f->issuer_cn[0] = '\0';
	f->chain = NULL;
	if (smtp2_chain_len(c) == 0)
		return;
	leaf = sk_X509_value(c->certs, 0);
	f->cert_presented = true;
	f->chain = c;
	f->have_cert_sha256 = X509_digest(leaf, EVP_sha256(), f->cert_sha256, &n) == 1
	    && n == SMTP2_SHA256_LEN;
	f->have_spki_sha256 = chain_spki_sha256(leaf, f->spki_sha256);
	smtp2_cert_cn(X509_get_subject_name(leaf), f->subject_cn, sizeof(f->subject_cn));
	smtp2_cert_cn(X509_get_issuer_name(leaf), f->issuer_cn, sizeof(f->issuer_cn));
	ERR_clear_error();
}
