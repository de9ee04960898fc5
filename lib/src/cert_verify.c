/*
 * cert_verify.c - a chain judged against a store, step by step: path and
 * validity (OpenSSL), key and digest strength, revocation, then the name.
 *
 * OpenSSL checks every certificate's validity at one instant; clock skew
 * is applied by the verify callback, which forgives "expired" or "not yet
 * valid" when the certificate misses now by at most clock_skew seconds.
 * (Shifting the verification time instead would forgive only one side.)
 *
 * CRLs: with a crl_file, X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL.  A CRL
 * that lists any certificate of the path revokes it, even a stale one.
 * Missing, stale or unverifiable CRLs are not failures: for the leaf's
 * issuer they make the revocation status unknown, for CAs higher up they
 * are ignored (root CRLs are rarely published, and the leaf is what a
 * sender controls).
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "cert_util.h"
#include "why.h"

/* One verification, hung on its X509_STORE_CTX for the callback. */
struct verify_call {
	time_t	now;
	bool	crl_gap;		/* no usable CRL for the leaf */
	char	crl_why[128];		/* why, when crl_gap */
	char	revoked_why[192];	/* what the CRL said, when revoked */
};

/* smtp2_cert_until_add - keep the earliest boundary still ahead */
void
smtp2_cert_until_add(time_t *until, time_t t, time_t now)
{
	if (t > now && (*until == 0 || t < *until))
		*until = t;
}

/* verify_skew_ok - is x's validity missed by at most the skew? */
static int
verify_skew_ok(const struct smtp2_cert_store *s, X509 *x, int err, time_t now)
{
	long long skew = s != NULL ? s->opts.clock_skew : 0;
	time_t	t;

	if (err == X509_V_ERR_CERT_NOT_YET_VALID)
		return (smtp2_cert_time(X509_get0_notBefore(x), &t) == 0
		    && (long long)t - skew <= (long long)now);
	return (smtp2_cert_time(X509_get0_notAfter(x), &t) == 0
	    && (long long)t + skew >= (long long)now);
}

/* verify_crl_current - is the CRL in date within the skew? */
static bool
verify_crl_current(const struct smtp2_cert_store *s, X509_CRL *crl,
    time_t now, char *why, size_t len)
{
	long long skew = s != NULL ? s->opts.clock_skew : 0;
	const ASN1_TIME *next = crl != NULL ? X509_CRL_get0_nextUpdate(crl) : NULL;
	char	at[40], span[40];
	time_t	t;

	if (crl == NULL)
		return (false);
	if (smtp2_cert_time(X509_CRL_get0_lastUpdate(crl), &t) == 0
	    && (long long)t - skew > (long long)now) {
		smtp2_cert_fmt_time(t, at, sizeof(at));
		smtp2_why(why, len, "not valid before %s", at);
		return (false);
	}
	if (next != NULL && smtp2_cert_time(next, &t) == 0
	    && (long long)t + skew < (long long)now) {
		smtp2_cert_fmt_time(t, at, sizeof(at));
		smtp2_cert_fmt_span((long long)now - t, span, sizeof(span));
		smtp2_why(why, len, "expired %s ago (nextUpdate %s)", span, at);
		return (false);
	}
	return (true);
}

/* verify_crl_error - an error that only says no CRL can be believed */
static bool
verify_crl_error(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
	case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
	case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
		return (true);
	default:
		return (false);
	}
}

/* verify_crl_gap - note why the leaf's revocation cannot come from a CRL */
static int
verify_crl_gap(const struct smtp2_cert_store *s, X509_STORE_CTX *ctx,
    struct verify_call *call, int err, time_t now)
{
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
	X509	*x = X509_STORE_CTX_get_current_cert(ctx);
	char	issuer[96], why[96];

	if ((err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)
	    && verify_crl_current(s, crl, now, why, sizeof(why)))
		return (1);			/* within the skew: the CRL counts */
	/* Gaps above the leaf's issuer are ignored (file comment). */
	if (call == NULL || X509_STORE_CTX_get_error_depth(ctx) != 0 || call->crl_gap)
		return (1);
	call->crl_gap = true;
	smtp2_cert_cn(x != NULL ? X509_get_issuer_name(x) : NULL, issuer, sizeof(issuer));
	if (err == X509_V_ERR_UNABLE_TO_GET_CRL)
		smtp2_why(call->crl_why, sizeof(call->crl_why),
		    "no CRL of \"%s\" in crl_file", issuer);
	else if (err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)
		smtp2_why(call->crl_why, sizeof(call->crl_why), "CRL of \"%s\" %s",
		    issuer, why);
	else
		smtp2_why(call->crl_why, sizeof(call->crl_why), "CRL of \"%s\": %s",
		    issuer, X509_verify_cert_error_string(err));
	return (1);
}

/*
 * verify_revoked_entry - x's entry in one of its issuer's CRLs.  OpenSSL
 * forgets the current CRL after judging a stale one's dates, before it
 * reports the revocation, so the store is asked again.
 */
static X509_REVOKED *
verify_revoked_entry(X509_STORE_CTX *ctx, X509 *x)
{
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
	STACK_OF(X509_CRL) *crls;
	X509_REVOKED *rev = NULL;
	int	i;

	if (crl != NULL && X509_CRL_get0_by_cert(crl, &rev, x) == 1)
		return (rev);
	rev = NULL;
	crls = X509_STORE_CTX_get1_crls(ctx, X509_get_issuer_name(x));
	for (i = 0; rev == NULL && i < sk_X509_CRL_num(crls); i++)
		if (X509_CRL_get0_by_cert(sk_X509_CRL_value(crls, i), &rev, x) != 1)
			rev = NULL;
	/* The store keeps its own reference: rev outlives this stack. */
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return (rev);
}

/* verify_note_revoked - what the CRL says about the revoked certificate */
static void
verify_note_revoked(X509_STORE_CTX *ctx, struct verify_call *call)
{
	X509	*x = X509_STORE_CTX_get_current_cert(ctx);
	X509_REVOKED *rev;
	ASN1_ENUMERATED *code;
	char	who[128], issuer[96], when[40] = "an unknown time";
	long	reason = -1;
	time_t	t;

	if (x == NULL)
		return;
	smtp2_cert_label(x, X509_STORE_CTX_get_error_depth(ctx), who, sizeof(who));
	smtp2_cert_cn(X509_get_issuer_name(x), issuer, sizeof(issuer));
	if ((rev = verify_revoked_entry(ctx, x)) != NULL) {
		if (smtp2_cert_time(X509_REVOKED_get0_revocationDate(rev), &t) == 0)
			smtp2_cert_fmt_time(t, when, sizeof(when));
		if ((code = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL)) != NULL) {
			reason = ASN1_ENUMERATED_get(code);
			ASN1_ENUMERATED_free(code);
		}
	}
	smtp2_why(call->revoked_why, sizeof(call->revoked_why),
	    "%s revoked (CRL of \"%s\") at %s%s%s", who, issuer, when,
	    reason >= 0 ? ", reason " : "", reason >= 0 ? OCSP_crl_reason_str(reason) : "");
}

/* smtp2_cert_verify_cb - skew, CRL gaps, revocation notes; else refuse */
int
smtp2_cert_verify_cb(int ok, X509_STORE_CTX *ctx)
{
	const struct smtp2_cert_store *s;
	struct verify_call *call;
	int	err;

	if (ok)
		return (1);
	s = X509_STORE_get_ex_data(X509_STORE_CTX_get0_store(ctx),
	    smtp2_cert_store_index());
	/* NULL inside OCSP_basic_verify, which judges the responder. */
	call = X509_STORE_CTX_get_app_data(ctx);
	err = X509_STORE_CTX_get_error(ctx);
	switch (err) {
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return (verify_skew_ok(s, X509_STORE_CTX_get_current_cert(ctx), err,
		    call != NULL ? call->now : smtp2_cert_now(s)));
	case X509_V_ERR_CERT_REVOKED:
		if (call != NULL)
			verify_note_revoked(ctx, call);
		return (0);
	default:
		if (verify_crl_error(err))
			return (verify_crl_gap(s, ctx, call, err,
			    call != NULL ? call->now : smtp2_cert_now(s)));
		return (0);
	}
}

/* verify_time_reason - "certificate expired 3 days ago (notAfter ...)" */
static void
verify_time_reason(X509 *x, int depth, int err, time_t now,
    struct smtp2_cert_result *r)
{
	char	who[128], at[40], span[40];
	bool	expired = (err == X509_V_ERR_CERT_HAS_EXPIRED);
	time_t	t;

	r->status = expired ? SMTP2_CERT_EXPIRED : SMTP2_CERT_NOT_YET_VALID;
	smtp2_cert_label(x, depth, who, sizeof(who));
	if (smtp2_cert_time(expired ? X509_get0_notAfter(x) : X509_get0_notBefore(x),
	    &t) < 0) {
		smtp2_why(r->reason, sizeof(r->reason), "%s %s", who,
		    expired ? "expired" : "not yet valid");
		return;
	}
	smtp2_cert_fmt_time(t, at, sizeof(at));
	smtp2_cert_fmt_span((long long)now - t, span, sizeof(span));
	if (expired)
		smtp2_why(r->reason, sizeof(r->reason), "%s expired %s ago "
		    "(notAfter %s)", who, span, at);
	else
		smtp2_why(r->reason, sizeof(r->reason), "%s not valid for another %s "
		    "(notBefore %s)", who, span, at);
}

/* verify_no_path - is err about building a path to an anchor? */
static bool
verify_no_path(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		return (true);
	default:
		return (false);
	}
}

/* verify_failed - map OpenSSL's verdict to a status and a precise reason */
static void
verify_failed(const struct smtp2_cert_store *s, X509_STORE_CTX *ctx,
    const struct verify_call *call, struct smtp2_cert_result *r)
{
	int	err = X509_STORE_CTX_get_error(ctx);
	int	depth = X509_STORE_CTX_get_error_depth(ctx);
	X509	*x = X509_STORE_CTX_get_current_cert(ctx);
	const char *text = X509_verify_cert_error_string(err);
	char	who[128], issuer[96];

	if (err == X509_V_OK || err == X509_V_ERR_OUT_OF_MEM
	    || err == X509_V_ERR_UNSPECIFIED || x == NULL) {
		smtp2_cert_ssl_error(who, sizeof(who));
		r->status = SMTP2_CERT_ERROR;
		smtp2_why(r->reason, sizeof(r->reason), "certificate verification "
		    "failed: %s", err == X509_V_OK ? who : text);
	} else if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
		verify_time_reason(x, depth, err, call->now, r);
	} else if (err == X509_V_ERR_CERT_REVOKED) {
		r->status = SMTP2_CERT_REVOKED;
		r->revocation = SMTP2_REV_REVOKED;
		smtp2_why(r->reason, sizeof(r->reason), "%s", call->revoked_why[0] != '\0'
		    ? call->revoked_why : "certificate revoked (CRL)");
	} else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
	    || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
		r->status = SMTP2_CERT_UNTRUSTED;
		smtp2_cert_cn(X509_get_issuer_name(x), issuer, sizeof(issuer));
		smtp2_why(r->reason, sizeof(r->reason), "no path to a trusted CA: %s "
		    "(issuer \"%s\" not found in %s)", text, issuer, s->ca_desc);
	} else if (verify_no_path(err)) {
		r->status = SMTP2_CERT_UNTRUSTED;
		smtp2_why(r->reason, sizeof(r->reason), "no path to a trusted CA: %s",
		    text);
	} else {
		r->status = SMTP2_CERT_UNTRUSTED;
		smtp2_cert_label(x, depth, who, sizeof(who));
		smtp2_why(r->reason, sizeof(r->reason), "%s invalid: %s", who, text);
	}
}

/* verify_revocation - CRL and OCSP together; -1 when that decides */
static int
verify_revocation(const struct smtp2_cert_store *s, const struct verify_call *call,
    STACK_OF(X509) *path, const unsigned char *ocsp, size_t ocsp_len,
    time_t *until, struct smtp2_cert_result *r, char *text, size_t textlen)
{
	enum smtp2_revocation crl, oc = SMTP2_REV_UNKNOWN;
	char	ocsp_why[160] = "no OCSP response";
	const char *crl_why;

	crl = s->have_crl && !call->crl_gap ? SMTP2_REV_GOOD : SMTP2_REV_UNKNOWN;
	crl_why = !s->have_crl ? "no crl_file" : call->crl_gap ? call->crl_why
	    : "good (CRL)";
	if (ocsp != NULL)
		oc = smtp2_cert_ocsp(s, path, ocsp, ocsp_len, call->now, until,
		    ocsp_why, sizeof(ocsp_why));
	if (oc == SMTP2_REV_REVOKED) {
		r->status = SMTP2_CERT_REVOKED;
		r->revocation = SMTP2_REV_REVOKED;
		smtp2_why(r->reason, sizeof(r->reason), "certificate %s", ocsp_why);
		return (-1);
	}
	r->revocation = (crl == SMTP2_REV_GOOD || oc == SMTP2_REV_GOOD)
	    ? SMTP2_REV_GOOD : SMTP2_REV_UNKNOWN;
	smtp2_why(text, textlen, "%s; %s", crl_why, ocsp_why);
	if (r->revocation == SMTP2_REV_UNKNOWN
	    && s->opts.unknown == SMTP2_REVOCATION_HARD_FAIL) {
		r->status = SMTP2_CERT_REVOCATION_UNKNOWN;
		smtp2_why(r->reason, sizeof(r->reason), "revocation status unknown "
		    "(hard fail): %s", text);
		return (-1);
	}
	return (0);
}

/* verify_ok - the reason of a success: anchor, days, name, revocation */
static void
verify_ok(STACK_OF(X509) *path, const char *domain, const char *rev,
    struct smtp2_cert_result *r)
{
	char	anchor[96], name[128] = "";

	smtp2_cert_cn(X509_get_subject_name(sk_X509_value(path,
	    sk_X509_num(path) - 1)), anchor, sizeof(anchor));
	if (domain != NULL)
		smtp2_why(name, sizeof(name), "; name %s fits", r->matched_name);
	r->status = SMTP2_CERT_OK;
	smtp2_why(r->reason, sizeof(r->reason), "chain to \"%s\" verified, %ld days "
	    "left%s; revocation %s: %s", anchor, r->days_left, name,
	    r->revocation == SMTP2_REV_GOOD ? "good" : "unknown", rev);
}

/* verify_bounds - validity boundaries ahead, for the cache */
static void
verify_bounds(const struct smtp2_cert_store *s, STACK_OF(X509) *certs,
    time_t now, time_t *until)
{
	long long skew = s->opts.clock_skew;
	time_t	t;
	int	i;

	for (i = 0; i < sk_X509_num(certs); i++) {
		X509	*x = sk_X509_value(certs, i);

		if (smtp2_cert_time(X509_get0_notBefore(x), &t) == 0)
			smtp2_cert_until_add(until, (time_t)(t - skew), now);
		if (smtp2_cert_time(X509_get0_notAfter(x), &t) == 0)
			smtp2_cert_until_add(until, (time_t)(t + skew + 1), now);
	}
}

/* verify_ctx - a context on the store at the call's time, CRLs if any */
static X509_STORE_CTX *
verify_ctx(const struct smtp2_cert_store *s, const struct smtp2_chain *c,
    struct verify_call *call)
{
	X509_STORE_CTX *ctx;

	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return (NULL);
	if (X509_STORE_CTX_init(ctx, s->store, sk_X509_value(c->certs, 0),
	    c->certs) != 1 || X509_STORE_CTX_set_app_data(ctx, call) != 1) {
		X509_STORE_CTX_free(ctx);
		return (NULL);
	}
	X509_STORE_CTX_set_time(ctx, 0, call->now);
	if (s->have_crl)
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK
		    | X509_V_FLAG_CRL_CHECK_ALL);
	return (ctx);
}

/* verify_reset - nothing known yet */
static void
verify_reset(struct smtp2_cert_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = SMTP2_CERT_ERROR;
	r->revocation = SMTP2_REV_UNKNOWN;
}

/* smtp2_cert_verify_until - the whole judgement, and how long it holds */
void
smtp2_cert_verify_until(const struct smtp2_cert_store *s,
    const struct smtp2_chain *c, const char *domain,
    const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r, time_t *until)
{
	struct verify_call call;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *path;
	char	rev[200];
	time_t	t;

	verify_reset(r);
	*until = 0;
	if (s == NULL || smtp2_chain_len(c) == 0) {
		smtp2_why(r->reason, sizeof(r->reason), "%s", s == NULL
		    ? "no certificate store" : "no certificate");
		return;
	}
	memset(&call, 0, sizeof(call));
	call.now = smtp2_cert_now(s);
	if (smtp2_cert_time(X509_get0_notAfter(sk_X509_value(c->certs, 0)), &t) == 0)
		r->days_left = (long)(((long long)t - call.now) / 86400);
	verify_bounds(s, c->certs, call.now, until);
	ERR_clear_error();
	if ((ctx = verify_ctx(s, c, &call)) == NULL) {
		smtp2_why(r->reason, sizeof(r->reason), "certificate verification: "
		    "out of memory");
		goto done;
	}
	if (X509_verify_cert(ctx) <= 0) {
		verify_failed(s, ctx, &call, r);
		goto done;
	}
	path = X509_STORE_CTX_get0_chain(ctx);
	verify_bounds(s, path, call.now, until);
	if (smtp2_cert_strength(s, path, r) < 0
	    || verify_revocation(s, &call, path, ocsp_der, ocsp_len, until, r,
	    rev, sizeof(rev)) < 0)
		goto done;
	r->chain_trusted = true;
	if (domain != NULL
	    && smtp2_cert_names_check(sk_X509_value(c->certs, 0), domain, r) < 0)
		goto done;
	verify_ok(path, domain, rev, r);
done:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
}

/* smtp2_cert_verify - the whole judgement */
void
smtp2_cert_verify(const struct smtp2_cert_store *s, const struct smtp2_chain *c,
    const char *domain, const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r)
{
	time_t	until;

	smtp2_cert_verify_until(s, c, domain, ocsp_der, ocsp_len, r, &until);
}
