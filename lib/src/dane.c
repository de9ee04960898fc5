/*
 * dane.c - TLSA pins against the client's whole certificate chain
 * (RFC 6698, RFC 7671, RFC 7672).
 *
 * Each record is first classified: unusable (unknown usage, selector or
 * matching type, a digest of the wrong length, a full anchor that does
 * not parse) and ignored, as RFC 6698 4.1 asks; unevaluated when we lack
 * what it needs (a CA store for usages 0 and 1, a domain for 0 to 2);
 * otherwise judged: usage 3 here, usage 2 in dane_ta.c, usages 0 and 1 in
 * dane_pkix.c (whose comment says why we, unlike an SMTP client, judge
 * those two as PKIX).  Once one record matched, the rest are only
 * classified, so the counts stay whole without more path building.  The
 * reason names the record that matched, or sums up why none did.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include "cert_int.h"
#include "dane_int.h"
#include "why.h"

#define DANE_SHA256_LEN	32
#define DANE_SHA512_LEN	64
#define DANE_LIST_MAX	128	/* reasons of one kind, with commas */

/* Tally of one record set against one chain. */
struct dane_tally {
	const struct smtp2_tlsa *hit;	/* first record that matched */
	char		hit_note[DANE_NOTE_MAX];
	unsigned	missed, unusable, unevaluated;
	char		miss_note[DANE_NOTE_MAX]; /* first telling miss */
	char		unusable_notes[DANE_LIST_MAX];
	char		uneval_notes[DANE_LIST_MAX];
};

/* dane_anchor_parses - does a full DANE-TA record hold what it claims? */
static bool
dane_anchor_parses(const struct smtp2_tlsa *rr)
{
	EVP_PKEY *k;
	X509	*x;

	if (rr->selector == DANE_SELECTOR_CERT) {
		x = smtp2_dane_record_cert(rr);
		X509_free(x);
		return (x != NULL);
	}
	k = smtp2_dane_record_key(rr);
	EVP_PKEY_free(k);
	return (k != NULL);
}

/* dane_unusable - why rr can never be used, or NULL when it can */
static const char *
dane_unusable(const struct smtp2_tlsa *rr, char *buf, size_t buflen)
{
	if (rr->usage > DANE_USAGE_DANE_EE)
		smtp2_why(buf, buflen, "unknown usage %u", rr->usage);
	else if (rr->selector > DANE_SELECTOR_SPKI)
		smtp2_why(buf, buflen, "unknown selector %u", rr->selector);
	else if (rr->mtype > DANE_MTYPE_SHA512)
		smtp2_why(buf, buflen, "unknown matching type %u", rr->mtype);
	else if (rr->data == NULL || rr->len == 0)
		smtp2_why(buf, buflen, "no association data");
	else if (rr->mtype == DANE_MTYPE_SHA256 && rr->len != DANE_SHA256_LEN)
		smtp2_why(buf, buflen, "SHA-256 pin of %zu bytes", rr->len);
	else if (rr->mtype == DANE_MTYPE_SHA512 && rr->len != DANE_SHA512_LEN)
		smtp2_why(buf, buflen, "SHA-512 pin of %zu bytes", rr->len);
	else if (rr->usage == DANE_USAGE_DANE_TA
	    && rr->mtype == DANE_MTYPE_FULL && !dane_anchor_parses(rr))
		smtp2_why(buf, buflen, "2 %u 0 pin holds no %s", rr->selector,
		    rr->selector == DANE_SELECTOR_CERT ? "certificate" : "key");
	else
		return (NULL);
	return (buf);
}

/* dane_classify - UNUSABLE, NOMATCH (nothing presented), UNEVALUATED
 * (we lack what rr needs) or PENDING: worth judging */
static enum dane_eval
dane_classify(const struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	if (dane_unusable(rr, note, notelen) != NULL)
		return (DANE_EVAL_UNUSABLE);
	/* No certificate satisfies any pin, whatever else we lack. */
	if (c->certs == NULL)
		return (DANE_EVAL_NOMATCH);
	if (rr->usage <= DANE_USAGE_PKIX_EE && c->store == NULL) {
		smtp2_why(note, notelen, "usage %u needs a CA store",
		    rr->usage);
		return (DANE_EVAL_UNEVALUATED);
	}
	if (rr->usage != DANE_USAGE_DANE_EE
	    && (c->domain == NULL || c->domain[0] == '\0')) {
		smtp2_why(note, notelen, "usage %u needs a domain", rr->usage);
		return (DANE_EVAL_UNEVALUATED);
	}
	return (DANE_EVAL_PENDING);
}

/* dane_eval_ee - DANE-EE: the leaf alone, names and dates ignored
 * (RFC 7672 3.1.1) */
static enum dane_eval
dane_eval_ee(struct dane_ctx *c, const struct smtp2_tlsa *rr,
    char *note, size_t notelen)
{
	X509	*leaf = sk_X509_value(c->certs, 0);
	char	what[DANE_NOTE_MAX];

	if (!smtp2_dane_cert_matches(rr, leaf))
		return (DANE_EVAL_NOMATCH);
	smtp2_dane_cert_desc(leaf, 1, "chain", what, sizeof(what));
	smtp2_why(note, notelen, "matched %s", what);
	return (DANE_EVAL_MATCH);
}

/* dane_eval_one - judge rr, or after a hit only classify it */
static enum dane_eval
dane_eval_one(struct dane_ctx *c, const struct smtp2_tlsa *rr, bool judge,
    char *note, size_t notelen)
{
	enum dane_eval e;

	if ((e = dane_classify(c, rr, note, notelen)) != DANE_EVAL_PENDING)
		return (e);
	if (!judge)
		return (DANE_EVAL_NOMATCH);
	switch (rr->usage) {
	case DANE_USAGE_DANE_EE:
		return (dane_eval_ee(c, rr, note, notelen));
	case DANE_USAGE_DANE_TA:
		return (smtp2_dane_eval_ta(c, rr, note, notelen));
	default:
		return (smtp2_dane_eval_pkix(c, rr, note, notelen));
	}
}

/* dane_list_add - append one reason to a comma-separated list, once */
static void
dane_list_add(char *list, size_t listlen, const char *item)
{
	size_t	used = strlen(list);

	if (item[0] == '\0' || strstr(list, item) != NULL)
		return;
	smtp2_why(list + used, listlen - used, "%s%s", used > 0 ? ", " : "",
	    item);
}

/* dane_tally_add - count one record's outcome */
static void
dane_tally_add(struct dane_tally *t, const struct smtp2_tlsa *rr,
    enum dane_eval e, const char *note)
{
	switch (e) {
	case DANE_EVAL_MATCH:
		if (t->hit == NULL) {
			t->hit = rr;
			smtp2_why(t->hit_note, sizeof(t->hit_note), "%s", note);
		}
		break;
	case DANE_EVAL_UNUSABLE:
		t->unusable++;
		dane_list_add(t->unusable_notes, sizeof(t->unusable_notes),
		    note);
		break;
	case DANE_EVAL_UNEVALUATED:
		t->unevaluated++;
		dane_list_add(t->uneval_notes, sizeof(t->uneval_notes), note);
		break;
	default:
		t->missed++;
		if (t->miss_note[0] == '\0' && note[0] != '\0')
			smtp2_why(t->miss_note, sizeof(t->miss_note),
			    "pin %u %u %u %s", rr->usage, rr->selector,
			    rr->mtype, note);
		break;
	}
}

/* dane_part - append "N what (notes)" to a summary, when N > 0 */
static void
dane_part(char *buf, size_t buflen, unsigned count, const char *what,
    const char *notes)
{
	size_t	used = strlen(buf);

	if (count == 0)
		return;
	smtp2_why(buf + used, buflen - used, "%s%u %s%s%s%s",
	    used > 0 ? ", " : "", count, what, notes[0] != '\0' ? " (" : "",
	    notes, notes[0] != '\0' ? ")" : "");
}

/* dane_explain - status and reason once every record has been seen */
static enum smtp2_pin_status
dane_explain(const struct dane_tally *t, size_t n, char *why, size_t whylen)
{
	char	sum[3 * DANE_NOTE_MAX] = "";

	if (t->hit != NULL) {
		smtp2_why(why, whylen, "pin %u %u %u %s", t->hit->usage,
		    t->hit->selector, t->hit->mtype, t->hit_note);
		return (SMTP2_PIN_MATCH);
	}
	if (n == 0) {
		smtp2_why(why, whylen, "no pins");
		return (SMTP2_PIN_UNUSABLE);
	}
	dane_part(sum, sizeof(sum), t->missed, "did not match", t->miss_note);
	dane_part(sum, sizeof(sum), t->unusable, "unusable", t->unusable_notes);
	dane_part(sum, sizeof(sum), t->unevaluated, "unevaluated",
	    t->uneval_notes);
	smtp2_why(why, whylen, "%zu pin%s: %s", n, n == 1 ? "" : "s", sum);
	return (t->missed > 0 ? SMTP2_PIN_NOMATCH : SMTP2_PIN_UNUSABLE);
}

/* smtp2_dane_match - do any of the pins fit the presented chain? */
enum smtp2_pin_status
smtp2_dane_match(const struct smtp2_tlsa *rrs, size_t n,
    const struct smtp2_chain *chain, const struct smtp2_cert_store *store,
    const char *domain, unsigned *unevaluated, char *why, size_t whylen)
{
	struct dane_ctx c;
	struct dane_tally t;
	char	note[DANE_NOTE_MAX];
	size_t	i;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	if (chain != NULL && sk_X509_num(chain->certs) > 0)
		c.certs = chain->certs;
	c.store = store;
	c.domain = domain;
	c.now = store != NULL ? smtp2_cert_now(store) : time(NULL);
	c.name_fits = -1;
	if (rrs == NULL)
		n = 0;
	if (c.certs == NULL)
		smtp2_why(t.miss_note, sizeof(t.miss_note),
		    "no client certificate presented");

	/* What OpenSSL complains about here is ours alone: leave the
	 * thread's error queue as the caller had it. */
	ERR_set_mark();
	for (i = 0; i < n; i++) {
		note[0] = '\0';
		dane_tally_add(&t, &rrs[i], dane_eval_one(&c, &rrs[i],
		    t.hit == NULL, note, sizeof(note)), note);
	}
	(void)ERR_pop_to_mark();
	sk_X509_pop_free(c.pkix_path, X509_free);

	/* Everything not judged, unusable or not: the caller's "tried" is
	 * n minus this, as with smtp2_tlsa_match. */
	if (unevaluated != NULL)
		*unevaluated = t.unusable + t.unevaluated;
	return (dane_explain(&t, n, why, whylen));
}
