/*
 * dane_pkix.c - PKIX-TA (usage 0) and PKIX-EE (usage 1): a pin on top of
 * ordinary validation against the configured CAs.
 *
 * RFC 7672 3.1.3 steers SMTP clients away from these two: a sending MTA
 * shares no CA list with the servers it reaches.  We sit on the other
 * side, judging a client, with a CA store the operator chose; so here
 * they mean what RFC 6698 2.1.1 says: the chain must validate against
 * the store (at the store's clock), a name of the leaf must fit the
 * domain, and the pin must match the leaf (1) or a CA certificate of the
 * validated path (0).  Without a store they cannot be judged.
 *
 * The validation is OpenSSL's with the store's own flags and callback
 * (partial chains, clock skew, CRL gaps); key strength and a hard-fail
 * revocation stance are left to smtp2_cert_verify.
 */

/* System library. */
#include <stdbool.h>

/* Library. */
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* Application-specific. */
#include "cert_int.h"
#include "dane_int.h"
#include "why.h"

/* dane_pkix_validate - validate the chain against the store, once per call */
static void
dane_pkix_validate(struct dane_ctx *c)
{
	X509_STORE_CTX *ctx;
	int	code;

	if (c->pkix_done)
		return;
	c->pkix_done = true;
	c->pkix_oom = true;
	smtp2_why(c->pkix_err, sizeof(c->pkix_err), "out of memory");
	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return;
	/* The store's own flags (CRL checks and the like) come along. */
	if (X509_STORE_CTX_init(ctx, c->store->store,
	    sk_X509_value(c->certs, 0), c->certs) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, c->now);
		if (X509_verify_cert(ctx) == 1) {
			c->pkix_path = X509_STORE_CTX_get1_chain(ctx);
			c->pkix_oom = c->pkix_path == NULL;
		} else if ((code = X509_STORE_CTX_get_error(ctx))
		    != X509_V_ERR_OUT_OF_MEM) {
			smtp2_why(c->pkix_err, sizeof(c->pkix_err),
			    "the chain does not validate against the CA "
			    "store: %s", X509_verify_cert_error_string(code));
			c->pkix_oom = false;
		}
	}
	X509_STORE_CTX_free(ctx);
}

/* dane_pkix_find - position (from 0) of the first certificate of path at
 * or above from that matches rr, or -1 */
static int
dane_pkix_find(const struct smtp2_tlsa *rr, STACK_OF(X509) *path, int from)
{
	int	i;

	for (i = from; i < sk_X509_num(path); i++)
		if (smtp2_dane_cert_matches(rr, sk_X509_value(path, i)))
			return (i);
	return (-1);
}

/* smtp2_dane_eval_pkix - judge one usable PKIX-TA or PKIX-EE record */
enum dane_eval
smtp2_dane_eval_pkix(struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	char	what[DANE_NOTE_MAX];
	bool	ee = rr->usage == DANE_USAGE_PKIX_EE;
	int	pos;

	/* PKIX-EE: a leaf that does not match needs no validation at all. */
	if (ee && !smtp2_dane_cert_matches(rr, sk_X509_value(c->certs, 0)))
		return (DANE_EVAL_NOMATCH);
	dane_pkix_validate(c);
	if (c->pkix_oom) {
		smtp2_why(note, notelen, "%s", c->pkix_err);
		return (DANE_EVAL_UNEVALUATED);
	}
	if (c->pkix_path == NULL) {
		smtp2_why(note, notelen, "%s %s", ee ? "matched the leaf, but" :
		    "needs a valid chain, but", c->pkix_err);
		return (DANE_EVAL_NOMATCH);
	}
	/* PKIX-TA: a CA of the validated path, which may end in the store. */
	if ((pos = dane_pkix_find(rr, c->pkix_path, ee ? 0 : 1)) < 0)
		return (DANE_EVAL_NOMATCH);
	smtp2_dane_cert_desc(sk_X509_value(c->pkix_path, pos), pos + 1,
	    ee ? "chain" : "validated path", what, sizeof(what));
	if (!smtp2_dane_leaf_name_fits(c)) {
		smtp2_why(note, notelen, "matched %s, but no name of the leaf "
		    "fits %s", what, c->domain);
		return (DANE_EVAL_NOMATCH);
	}
	smtp2_why(note, notelen, "matched %s", what);
	return (DANE_EVAL_MATCH);
}
