/*
 * cert_util.h - private glue between the cert_*.c files: time and name
 * formatting for reasons, and the verification steps each file owns.
 *
 * Not part of the library's contract (that is smtp2/cert.h) nor of what
 * dane.c shares (cert_int.h).  Names keep the smtp2_cert_ prefix only
 * because a static library cannot hide them.
 */
#ifndef SMTP2_CERT_UTIL_H
#define SMTP2_CERT_UTIL_H

/* System library. */
#include <stddef.h>
#include <time.h>

/* Library. */
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"

/* Longest DNS name we compare, without the final dot (RFC 1035). */
#define SMTP2_CERT_NAME_MAX	253

/* Without nextUpdate an OCSP response is believed this long (seconds). */
#define SMTP2_CERT_OCSP_MAX_AGE	(7 * 86400)

/* cert_util.c */

/* smtp2_cert_time - an ASN1_TIME as time_t; 0, or -1 when unreadable. */
int smtp2_cert_time(const ASN1_TIME *t, time_t *out);

/* smtp2_cert_fmt_time - "2030-01-01 00:00:00 UTC". */
void smtp2_cert_fmt_time(time_t t, char *buf, size_t len);

/* smtp2_cert_fmt_span - a duration for humans: "3 days", "40 seconds". */
void smtp2_cert_fmt_span(long long secs, char *buf, size_t len);

/* smtp2_cert_cn - the last (most specific) CN of n, "" when there is
 * none or it holds anything but printable ASCII. */
void smtp2_cert_cn(const X509_NAME *n, char *buf, size_t len);

/* smtp2_cert_label - how reasons name a certificate of a path:
 * "certificate" for the leaf (depth 0), else 'CA certificate "CN"'. */
void smtp2_cert_label(const X509 *x, int depth, char *buf, size_t len);

/* smtp2_cert_ssl_error - the newest OpenSSL error as text ("unknown
 * error" when the queue is empty); empties the thread's queue. */
void smtp2_cert_ssl_error(char *buf, size_t len);

/* smtp2_cert_printable - copy in to buf, '?' for bytes that are not
 * printable ASCII (reasons reach logs and SMTP replies). */
void smtp2_cert_printable(const char *in, size_t inlen, char *buf, size_t len);

/* cert.c */

/* smtp2_cert_store_index - X509_STORE ex_data slot holding the owning
 * struct smtp2_cert_store; -1 when OpenSSL could not allocate one. */
int smtp2_cert_store_index(void);

/* cert_verify.c */

/* smtp2_cert_verify_cb - the store's verify callback: clock skew,
 * CRL gaps as "unknown", and the first real failure remembered. */
int smtp2_cert_verify_cb(int ok, X509_STORE_CTX *ctx);

/*
 * smtp2_cert_verify_until - smtp2_cert_verify, also saying until when
 * (store clock) the answer cannot change by itself: the next validity
 * boundary of a certificate in the path or of the OCSP response.  0: no
 * such boundary.  cert_cache.c bounds cache entries with it.
 */
void smtp2_cert_verify_until(const struct smtp2_cert_store *s,
    const struct smtp2_chain *c, const char *domain,
    const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r, time_t *until);

/* smtp2_cert_until_add - lower *until to t when t is after now. */
void smtp2_cert_until_add(time_t *until, time_t t, time_t now);

/* cert_strength.c */

/*
 * smtp2_cert_strength - key sizes of every certificate of the verified
 * path (anchor included: a weak anchor key makes its signatures forgeable)
 * and signature digests of all but the anchor.  0, or -1 with r's status
 * and reason set.
 */
int smtp2_cert_strength(const struct smtp2_cert_store *s,
    STACK_OF(X509) *path, struct smtp2_cert_result *r);

/* cert_names.c */

/*
 * smtp2_cert_names_check - does a name of leaf fit domain (dNSName SANs,
 * the CN only without them; "within")?  0 with r->matched_name set, or
 * -1 with r's status NAME_MISMATCH and a reason listing the names.
 */
int smtp2_cert_names_check(X509 *leaf, const char *domain,
    struct smtp2_cert_result *r);

/* cert_ocsp.c */

/*
 * smtp2_cert_ocsp - what a DER OCSP response says about path[0], whose
 * issuer is path[1].  Only a response signed by that issuer or its
 * delegated responder counts; GOOD only while fresh (thisUpdate and
 * nextUpdate +- clock skew).  why says what was found or why it does not
 * count; *until is lowered to the response's expiry.
 */
enum smtp2_revocation smtp2_cert_ocsp(const struct smtp2_cert_store *s,
    STACK_OF(X509) *path, const unsigned char *der, size_t len,
    time_t now, time_t *until, char *why, size_t whylen);

#endif
