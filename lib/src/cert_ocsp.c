/*
 * cert_ocsp.c - what a stapled or fetched OCSP response says about a leaf.
 *
 * Only a successful basic response counts, signed by the leaf's issuer or
 * by a responder the issuer delegated (id-kp-OCSPSigning), verified
 * against the same store and clock as the chain.  The leaf's entry is
 * found by CertID under any of the digests responders use.  "good" needs
 * a fresh response: thisUpdate <= now + skew, and now - skew <= nextUpdate
 * (or, without nextUpdate, thisUpdate no older than a week).  "revoked"
 * is believed even from a stale response: revocation is final, and the
 * statement carries the issuer's signature all the same.
 */

/* System library. */
#include <limits.h>
#include <stdio.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "cert_util.h"
#include "why.h"

/* ocsp_basic - the basic response inside a successful DER response */
static OCSP_BASICRESP *
ocsp_basic(const unsigned char *der, size_t len, char *why, size_t whylen)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs;
	char	err[128];
	int	st;

	if (der == NULL || len == 0 || len > LONG_MAX
	    || (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL) {
		smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "OCSP response unreadable: %s", err);
		return (NULL);
	}
	if (p != der + len) {
		smtp2_why(why, whylen, "OCSP response unreadable: %zu bytes after it",
		    (size_t)(der + len - p));
		OCSP_RESPONSE_free(resp);
		return (NULL);
	}
	if ((st = OCSP_response_status(resp)) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		smtp2_why(why, whylen, "OCSP responder answered %s",
		    OCSP_response_status_str(st));
		OCSP_RESPONSE_free(resp);
		return (NULL);
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL)
		smtp2_why(why, whylen, "OCSP response is not a basic response");
	OCSP_RESPONSE_free(resp);
	return (bs);
}

/* ocsp_find - the leaf's single response, under any usual CertID digest */
static OCSP_SINGLERESP *
ocsp_find(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
	const EVP_MD *mds[4];
	OCSP_CERTID *id;
	size_t	i;
	int	idx;

	mds[0] = EVP_sha1();
	mds[1] = EVP_sha256();
	mds[2] = EVP_sha384();
	mds[3] = EVP_sha512();
	for (i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
		if ((id = OCSP_cert_to_id(mds[i], leaf, issuer)) == NULL)
			continue;
		idx = OCSP_resp_find(bs, id, -1);
		OCSP_CERTID_free(id);
		if (idx >= 0)
			return (OCSP_resp_get0(bs, idx));
	}
	return (NULL);
}

/* ocsp_revoked - "revoked" with when and why, as far as the response says */
static enum smtp2_revocation
ocsp_revoked(int reason, const ASN1_GENERALIZEDTIME *revtime, char *why,
    size_t whylen)
{
	char	when[40] = "an unknown time";
	time_t	t;

	if (smtp2_cert_time(revtime, &t) == 0)
		smtp2_cert_fmt_time(t, when, sizeof(when));
	if (reason >= 0)
		smtp2_why(why, whylen, "revoked (OCSP) at %s, reason %s", when,
		    OCSP_crl_reason_str(reason));
	else
		smtp2_why(why, whylen, "revoked (OCSP) at %s", when);
	return (SMTP2_REV_REVOKED);
}

/* ocsp_fresh - 0 when the response is current within skew, else -1 */
static int
ocsp_fresh(const struct smtp2_cert_store *s, const ASN1_GENERALIZEDTIME *thisupd,
    const ASN1_GENERALIZEDTIME *nextupd, time_t now, time_t *until, char *why,
    size_t whylen)
{
	long long skew = s->opts.clock_skew;
	char	at[40], span[40];
	time_t	tu, tn;

	if (smtp2_cert_time(thisupd, &tu) < 0
	    || (nextupd != NULL && smtp2_cert_time(nextupd, &tn) < 0)) {
		smtp2_why(why, whylen, "OCSP response has unreadable times");
		return (-1);
	}
	if (nextupd == NULL)
		tn = tu + SMTP2_CERT_OCSP_MAX_AGE;
	if ((long long)tu > (long long)now + skew) {
		smtp2_cert_fmt_time(tu, at, sizeof(at));
		smtp2_cert_fmt_span((long long)tu - now, span, sizeof(span));
		smtp2_why(why, whylen, "OCSP response not valid for another %s "
		    "(thisUpdate %s)", span, at);
		return (-1);
	}
	if ((long long)tn + skew < (long long)now) {
		smtp2_cert_fmt_time(tn, at, sizeof(at));
		smtp2_cert_fmt_span((long long)now - tn, span, sizeof(span));
		smtp2_why(why, whylen, "OCSP response expired %s ago (%s %s)", span,
		    nextupd != NULL ? "nextUpdate" : "a week after thisUpdate", at);
		return (-1);
	}
	smtp2_cert_until_add(until, (time_t)((long long)tn + skew + 1), now);
	return (0);
}

/* ocsp_single - the leaf's status from a verified basic response */
static enum smtp2_revocation
ocsp_single(const struct smtp2_cert_store *s, OCSP_BASICRESP *bs,
    STACK_OF(X509) *path, time_t now, time_t *until, char *why, size_t whylen)
{
	ASN1_GENERALIZEDTIME *revtime = NULL, *thisupd = NULL, *nextupd = NULL;
	OCSP_SINGLERESP *single;
	int	status, reason = -1;

	single = ocsp_find(bs, sk_X509_value(path, 0), sk_X509_value(path, 1));
	if (single == NULL) {
		smtp2_why(why, whylen, "OCSP response does not cover the certificate");
		return (SMTP2_REV_UNKNOWN);
	}
	status = OCSP_single_get0_status(single, &reason, &revtime, &thisupd,
	    &nextupd);
	if (status == V_OCSP_CERTSTATUS_REVOKED)
		return (ocsp_revoked(reason, revtime, why, whylen));
	if (ocsp_fresh(s, thisupd, nextupd, now, until, why, whylen) < 0)
		return (SMTP2_REV_UNKNOWN);
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		smtp2_why(why, whylen, "good (OCSP)");
		return (SMTP2_REV_GOOD);
	}
	smtp2_why(why, whylen, "the OCSP responder does not know the certificate");
	return (SMTP2_REV_UNKNOWN);
}

/* smtp2_cert_ocsp - parse, check the signer, find the leaf, judge times */
enum smtp2_revocation
smtp2_cert_ocsp(const struct smtp2_cert_store *s, STACK_OF(X509) *path,
    const unsigned char *der, size_t len, time_t now, time_t *until,
    char *why, size_t whylen)
{
	enum smtp2_revocation rev = SMTP2_REV_UNKNOWN;
	OCSP_BASICRESP *bs;
	char	err[128];

	if (sk_X509_num(path) < 2) {
		smtp2_why(why, whylen, "OCSP response unusable: the certificate "
		    "itself is the trust anchor");
		return (SMTP2_REV_UNKNOWN);
	}
	ERR_clear_error();
	if ((bs = ocsp_basic(der, len, why, whylen)) == NULL)
		return (SMTP2_REV_UNKNOWN);
	/* The responder's certificate is judged with the store's clock and
	 * skew: cert.c set both on the store for this. */
	if (OCSP_basic_verify(bs, path, s->store, 0) <= 0) {
		/* OpenSSL's last resort, an anchor explicitly trusted for OCSP
		 * signing, is what fails for a signer that is neither. */
		if (ERR_GET_REASON(ERR_peek_last_error()) == OCSP_R_ROOT_CA_NOT_TRUSTED)
			snprintf(err, sizeof(err), "the signer is neither the issuer "
			    "nor a responder it delegated (id-kp-OCSPSigning)");
		else
			smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "OCSP response not signed by the issuer or "
		    "its responder: %s", err);
	} else
		rev = ocsp_single(s, bs, path, now, until, why, whylen);
	OCSP_BASICRESP_free(bs);
	ERR_clear_error();
	return (rev);
}
