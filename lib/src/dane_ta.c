/*
 * dane_ta.c - DANE-TA (usage 2): a trust anchor pinned in DNS, and the
 * chain from the leaf up to it.
 *
 * The anchor is an issuer in the presented chain (never the leaf itself:
 * a pin on the leaf is what usage 3 is for, and OpenSSL's DANE agrees),
 * or, for matching type 0, the certificate or bare key the record itself
 * carries when the client left it out (RFC 7671 5.2.2).  The chain up to
 * it must verify with that anchor as the only one, validity periods
 * included (RFC 7672 3.1.2), and a name of the leaf must fit the domain.
 */

/* System library. */
#include <stdbool.h>

/* Library. */
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* Application-specific. */
#include "dane_int.h"
#include "why.h"

/* dane_ta_verify - does the chain verify up to anchor, the only anchor? */
static enum dane_eval
dane_ta_verify(struct dane_ctx *c, X509 *anchor, char *err, size_t errlen)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	enum dane_eval e = DANE_EVAL_UNEVALUATED;
	int	code;

	smtp2_why(err, errlen, "out of memory");
	if (st == NULL || ctx == NULL || X509_STORE_add_cert(st, anchor) != 1
	    || X509_STORE_CTX_init(ctx, st, sk_X509_value(c->certs, 0),
	    c->certs) != 1)
		goto done;
	/* The anchor ends the path wherever it sits; it need not be a root. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_CTX_set_time(ctx, 0, c->now);
	if (X509_verify_cert(ctx) == 1)
		e = DANE_EVAL_MATCH;
	else if ((code = X509_STORE_CTX_get_error(ctx))
	    != X509_V_ERR_OUT_OF_MEM) {
		smtp2_why(err, errlen, "%s",
		    X509_verify_cert_error_string(code));
		e = DANE_EVAL_NOMATCH;
	}
done:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return (e);
}

/*
 * dane_ta_accept - the record gave anchor (what says how, after "pin 2 S
 * M "): is it other than the leaf (unless leaf_ok), does the chain
 * verify up to it, and does the leaf's name fit?
 */
static enum dane_eval
dane_ta_accept(struct dane_ctx *c, X509 *anchor, bool leaf_ok,
    const char *what, char *note, size_t notelen)
{
	enum dane_eval e = DANE_EVAL_NOMATCH;
	char	err[DANE_NOTE_MAX];

	/* Asked first: OpenSSL happily verifies a path that starts at an
	 * anchor in the store, and with PARTIAL_CHAIN a leaf can be one. */
	if (!leaf_ok && X509_cmp(anchor, sk_X509_value(c->certs, 0)) == 0)
		smtp2_why(note, notelen, "%s, but that is the leaf, not an "
		    "issuer", what);
	else if ((e = dane_ta_verify(c, anchor, err, sizeof(err)))
	    != DANE_EVAL_MATCH)
		smtp2_why(note, notelen, "%s, but the chain does not verify "
		    "up to it: %s", what, err);
	else if (!smtp2_dane_leaf_name_fits(c)) {
		smtp2_why(note, notelen, "%s, but no name of the leaf fits %s",
		    what, c->domain);
		e = DANE_EVAL_NOMATCH;
	} else
		smtp2_why(note, notelen, "%s", what);
	return (e);
}

/* dane_ta_keep - fold one attempt into the record's outcome so far (note
 * starts empty: nothing tried yet) */
static void
dane_ta_keep(enum dane_eval *e, enum dane_eval got, const char *got_note,
    char *note, size_t notelen)
{
	/* A match wins; a real mismatch says more than lack of memory. */
	if (*e == DANE_EVAL_MATCH)
		return;
	if (got == DANE_EVAL_MATCH || note[0] == '\0'
	    || (*e == DANE_EVAL_UNEVALUATED && got == DANE_EVAL_NOMATCH)) {
		*e = got;
		smtp2_why(note, notelen, "%s", got_note);
	}
}

/* dane_ta_record_cert - 2 0 0: the anchor certificate the record holds */
static enum dane_eval
dane_ta_record_cert(struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	enum dane_eval e;
	char	subj[DANE_NOTE_MAX / 2], what[DANE_NOTE_MAX];
	X509	*ta;

	if ((ta = smtp2_dane_record_cert(rr)) == NULL) {
		smtp2_why(note, notelen, "out of memory");
		return (DANE_EVAL_UNEVALUATED);
	}
	smtp2_dane_subject(ta, subj, sizeof(subj));
	smtp2_why(what, sizeof(what), "holds the anchor certificate (%s)",
	    subj);
	/* The leaf itself as the anchor would make a 3 0 0 of a 2 0 0. */
	e = dane_ta_accept(c, ta, false, what, note, notelen);
	X509_free(ta);
	return (e);
}

/* dane_ta_record_key - 2 1 0: the bare anchor key the record holds */
static enum dane_eval
dane_ta_record_key(struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	enum dane_eval e = DANE_EVAL_NOMATCH, got;
	char	what[DANE_NOTE_MAX], cert[DANE_NOTE_MAX];
	char	tmp[DANE_NOTE_MAX];
	EVP_PKEY *key;
	X509	*x;
	int	i;

	if ((key = smtp2_dane_record_key(rr)) == NULL) {
		smtp2_why(note, notelen, "out of memory");
		return (DANE_EVAL_UNEVALUATED);
	}
	/* A key cannot anchor a path by itself: the certificate it signed
	 * does, and that signature is checked here, the rest by the path. */
	for (i = 0; i < sk_X509_num(c->certs) && e != DANE_EVAL_MATCH; i++) {
		x = sk_X509_value(c->certs, i);
		if (X509_verify(x, key) != 1)
			continue;
		smtp2_dane_cert_desc(x, i + 1, "chain", cert, sizeof(cert));
		smtp2_why(what, sizeof(what), "holds the key that signed %s",
		    cert);
		got = dane_ta_accept(c, x, true, what, tmp, sizeof(tmp));
		dane_ta_keep(&e, got, tmp, note, notelen);
	}
	EVP_PKEY_free(key);
	return (e);
}

/* smtp2_dane_eval_ta - judge one usable DANE-TA record */
enum dane_eval
smtp2_dane_eval_ta(struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	enum dane_eval e = DANE_EVAL_NOMATCH, got;
	char	what[DANE_NOTE_MAX], tmp[DANE_NOTE_MAX];
	bool	seen = false;
	X509	*x;
	int	i;

	/* From 1: the leaf is no trust anchor of its own chain. */
	for (i = 1; i < sk_X509_num(c->certs) && e != DANE_EVAL_MATCH; i++) {
		x = sk_X509_value(c->certs, i);
		if (!smtp2_dane_cert_matches(rr, x))
			continue;
		seen = true;
		smtp2_dane_cert_desc(x, i + 1, "chain", tmp, sizeof(tmp));
		smtp2_why(what, sizeof(what), "matched %s", tmp);
		got = dane_ta_accept(c, x, false, what, tmp, sizeof(tmp));
		dane_ta_keep(&e, got, tmp, note, notelen);
	}
	/* Only a full anchor left out of the chain is worth a second look. */
	if (seen || rr->mtype != DANE_MTYPE_FULL)
		return (e);
	if (rr->selector == DANE_SELECTOR_CERT)
		return (dane_ta_record_cert(c, rr, note, notelen));
	return (dane_ta_record_key(c, rr, note, notelen));
}
