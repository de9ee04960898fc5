/*
 * check_ocsp.c - an OCSP response for the leaf, fetched from the responder
 * its Authority Information Access names (RFC 6960): when the server
 * stapled none, or for "cert --fetch-ocsp".  Only the transport is checked
 * here (an answer that parses, status successful, our nonce if echoed);
 * signature, CertID and freshness are smtp2_cert_verify()'s to judge.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include "check.h"

#define OCSP_RESPONSE_MAX	(64 * 1024)	/* larger is not an OCSP response */
#define OCSP_TIMEOUT		10		/* seconds, the whole exchange */
#define OCSP_CA_FILE_MAX	1000		/* certificates read from tls.ca_file */

/* ocsp_url - the leaf's first http:// or https:// OCSP URL; -1 with why */
static int
ocsp_url(X509 *leaf, char *url, size_t urllen, char *why, size_t whylen)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(leaf);
	const char *u;
	int i, n = urls != NULL ? sk_OPENSSL_STRING_num(urls) : 0;

	url[0] = '\0';
	for (i = 0; i < n && url[0] == '\0'; i++) {
		u = sk_OPENSSL_STRING_value(urls, i);
		if ((strncasecmp(u, "http://", 7) == 0 ||
		    strncasecmp(u, "https://", 8) == 0) && strlen(u) < urllen)
			snprintf(url, urllen, "%s", u);
	}
	if (n == 0)
		snprintf(why, whylen, "no OCSP URL in the certificate");
	else if (url[0] == '\0')
		snprintf(why, whylen, "no usable OCSP URL in the certificate "
		    "(http:// or https://, under %zu bytes): %s", urllen,
		    sk_OPENSSL_STRING_value(urls, 0));
	X509_email_free(urls);
	return url[0] != '\0' ? 0 : -1;
}

/* ocsp_issuer_file - the leaf's issuer from a PEM bundle, or NULL */
static X509 *
ocsp_issuer_file(X509 *leaf, const char *path)
{
	X509 *c = NULL;
	FILE *f;
	int i;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return NULL;
	for (i = 0; i < OCSP_CA_FILE_MAX; i++) {
		if ((c = PEM_read_X509(f, NULL, NULL, NULL)) == NULL ||
		    X509_check_issued(c, leaf) == X509_V_OK)
			break;
		X509_free(c);
		c = NULL;
	}
	fclose(f);
	return c;
}

/* ocsp_issuer - the leaf's issuer: from the chain, else tls.ca_file */
static X509 *
ocsp_issuer(const struct check_ctx *ctx, X509 *leaf, X509 *const *rest,
    size_t n_rest)
{
	size_t i;

	for (i = 0; i < n_rest; i++) {
		if (X509_check_issued(rest[i], leaf) == X509_V_OK) {
			X509_up_ref(rest[i]);
			return rest[i];
		}
	}
	return ocsp_issuer_file(leaf, ctx->conf->tls.ca_file);
}

/* ocsp_request - a DER request for leaf (SHA-1 CertID, with a nonce) */
static OCSP_REQUEST *
ocsp_request(X509 *leaf, X509 *issuer, unsigned char **der, size_t *len)
{
	OCSP_REQUEST *req;
	OCSP_CERTID *id;
	int n;

	*der = NULL;
	if ((req = OCSP_REQUEST_new()) == NULL)
		return NULL;
	if ((id = OCSP_cert_to_id(EVP_sha1(), leaf, issuer)) == NULL ||
	    OCSP_request_add0_id(req, id) == NULL) {
		OCSP_CERTID_free(id);
		OCSP_REQUEST_free(req);
		return NULL;
	}
	if (OCSP_request_add1_nonce(req, NULL, -1) != 1 ||
	    (n = i2d_OCSP_REQUEST(req, der)) <= 0) {
		OCSP_REQUEST_free(req);
		return NULL;
	}
	*len = (size_t)n;
	return req;
}

/* ocsp_answer_check - the answer parses, is "successful" and does not
 * carry a nonce other than ours; -1 with why */
static int
ocsp_answer_check(OCSP_REQUEST *req, const unsigned char *der, size_t len,
    const char *url, char *why, size_t whylen)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *basic = NULL;
	int status, ret = -1;

	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL)
		snprintf(why, whylen, "OCSP responder %s: the answer is not an "
		    "OCSP response", url);
	else if ((status = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL)
		snprintf(why, whylen, "OCSP responder %s: status %s", url,
		    OCSP_response_status_str(status));
	else if ((basic = OCSP_response_get1_basic(resp)) == NULL)
		snprintf(why, whylen, "OCSP responder %s: no basic response", url);
	else if (OCSP_check_nonce(req, basic) == 0)
		snprintf(why, whylen, "OCSP responder %s: the nonce is not ours "
		    "(a replayed answer?)", url);
	else
		ret = 0;
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
	return ret;
}

/* ocsp_exchange - request for leaf posted to url, the answer checked */
static int
ocsp_exchange(X509 *leaf, X509 *issuer, const char *url, unsigned char **der,
    size_t *len, char *why, size_t whylen)
{
	unsigned char *req_der;
	size_t req_len;
	OCSP_REQUEST *req;
	char hwhy[256];
	int ret = -1;

	if ((req = ocsp_request(leaf, issuer, &req_der, &req_len)) == NULL) {
		snprintf(why, whylen, "cannot build an OCSP request");
		return -1;
	}
	if (check_http_post(url, "application/ocsp-request", req_der, req_len,
	    OCSP_RESPONSE_MAX, OCSP_TIMEOUT, der, len, hwhy, sizeof(hwhy)) < 0)
		snprintf(why, whylen, "OCSP responder %s", hwhy);
	else if (ocsp_answer_check(req, *der, *len, url, why, whylen) < 0) {
		free(*der);
		*der = NULL;
		*len = 0;
	} else
		ret = 0;
	OPENSSL_free(req_der);
	OCSP_REQUEST_free(req);
	return ret;
}

/* check_ocsp_fetch - see check.h */
int
check_ocsp_fetch(const struct check_ctx *ctx, struct x509_st *leaf,
    struct x509_st *const *rest, size_t n_rest, unsigned char **der,
    size_t *len, char *why, size_t whylen)
{
	char url[512];
	X509 *issuer;
	int ret;

	*der = NULL;
	*len = 0;
	if (ocsp_url(leaf, url, sizeof(url), why, whylen) < 0)
		return -1;
	issuer = ocsp_issuer(ctx, leaf, rest, n_rest);
	ERR_clear_error();		/* the PEM read that ended the search */
	if (issuer == NULL) {
		snprintf(why, whylen, "the issuer of the certificate is neither in "
		    "the chain nor in tls.ca_file: no OCSP request can name it");
		return -1;
	}
	ret = ocsp_exchange(leaf, issuer, url, der, len, why, whylen);
	X509_free(issuer);
	ERR_clear_error();		/* nothing queued for the library to find */
	return ret;
}
