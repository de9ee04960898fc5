/*
 * dkim_verify.c - one message under DKIM verification: header fields in,
 * body chunks in, results out (smtp2/dkim_verify.h).
 *
 * The message object is one allocation holding the results, the body
 * hashes and the per-signature slots; the header store grows lazily and
 * a parsed signature (~3 KiB) is allocated only for a signature that is
 * present and still needs its key.  Each body hash serves every
 * signature with the same body canonicalisation and l=, so a message
 * signed twice the same way hashes its body once.
 *
 * Signatures beyond SMTP2_DKIMV_SIGS_MAX are neither verified nor
 * reported: the first ones in header order (the most recent hops, and
 * usually the author's) are.
 */

/* System library. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include <smtp2/dkim_verify.h>
#include "dkim_canon.h"
#include "dkim_verify_int.h"

static const char *const dkimv_names[] = {
	[SMTP2_DKIMV_NONE] = "none",
	[SMTP2_DKIMV_PASS] = "pass",
	[SMTP2_DKIMV_FAIL] = "fail",
	[SMTP2_DKIMV_NEUTRAL] = "neutral",
	[SMTP2_DKIMV_POLICY] = "policy",
	[SMTP2_DKIMV_TEMPERROR] = "temperror",
	[SMTP2_DKIMV_PERMERROR] = "permerror",
};

/* smtp2_dkimv_result_name - RFC 8601 spelling */
const char *
smtp2_dkimv_result_name(enum smtp2_dkimv_result r)
{
	if ((unsigned)r >= sizeof(dkimv_names) / sizeof(dkimv_names[0]))
		return ("permerror");
	return (dkimv_names[r]);
}

/* smtp2_dkimv_summary - pass if any passed, else the gravest present */
enum smtp2_dkimv_result
smtp2_dkimv_summary(const struct smtp2_dkimv_sig *sigs, size_t n)
{
	static const enum smtp2_dkimv_result order[] = {
		SMTP2_DKIMV_PASS, SMTP2_DKIMV_TEMPERROR, SMTP2_DKIMV_FAIL,
		SMTP2_DKIMV_PERMERROR, SMTP2_DKIMV_POLICY, SMTP2_DKIMV_NEUTRAL,
	};
	size_t	i, j;

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		for (i = 0; i < n; i++)
			if (sigs[i].result == order[j])
				return (order[j]);
	return (SMTP2_DKIMV_NONE);
}

/* smtp2_dkim_vresult - a result and its reason, printable */
void
smtp2_dkim_vresult(struct smtp2_dkimv_sig *r, enum smtp2_dkimv_result res,
    const char *fmt, ...)
{
	va_list	ap;
	char	*p;

	r->result = res;
	va_start(ap, fmt);
	(void)vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	for (p = r->why; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* smtp2_dkimv_new - an empty message */
struct smtp2_dkimv *
smtp2_dkimv_new(const struct smtp2_dkimv_opts *opts)
{
	struct smtp2_dkimv *v;

	/* The results are written before they are read: no need to zero
	 * 6 KiB of them for every message. */
	if ((v = malloc(sizeof(*v))) == NULL)
		return (NULL);
	memset(v, 0, offsetof(struct smtp2_dkimv, res));
	v->opts = *opts;
	if (v->opts.now == 0)
		v->opts.now = time(NULL);
	if (v->opts.min_rsa_bits == 0)
		v->opts.min_rsa_bits = SMTP2_DKIMV_MIN_RSA_BITS;
	v->md = smtp2_dkim_keys_md(v->opts.keys);
	return (v);
}

/* smtp2_dkimv_free - the message and all it owns */
void
smtp2_dkimv_free(struct smtp2_dkimv *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n_sigs; i++)
		free(v->vs[i]);
	for (i = 0; i < v->n_bodies; i++)
		EVP_MD_CTX_free(v->bodies[i].sink.md);
	smtp2_dkim_hdrs_free(&v->hdrs);
	EVP_MD_free(v->own_md);
	free(v);
}

/* smtp2_dkimv_header - keep a field; note where signatures are */
void
smtp2_dkimv_header(struct smtp2_dkimv *v, const char *field, size_t len)
{
	static const char sig_name[] = "DKIM-Signature";
	long	idx;

	if (v->eoh_done)
		return;
	idx = smtp2_dkim_hdrs_add(&v->hdrs, field, len);
	if (!smtp2_dkim_name_is(field, len, sig_name, sizeof(sig_name) - 1))
		return;
	if (v->n_sigs == SMTP2_DKIMV_SIGS_MAX) {
		v->n_unverified++;
		return;
	}
	memset(&v->res[v->n_sigs], 0, sizeof(v->res[0]));
	v->sig_field[v->n_sigs] = idx;
	if (idx < 0)		/* while we still have it: who signed */
		smtp2_dkim_vsig_lost(&v->res[v->n_sigs], field, len);
	v->n_sigs++;
}

/* smtp2_dkimv_eoh - parse and check every signature */
void
smtp2_dkimv_eoh(struct smtp2_dkimv *v)
{
	size_t	i;

	if (v->eoh_done)
		return;
	v->eoh_done = true;
	for (i = 0; i < v->n_sigs; i++)
		smtp2_dkim_vsig_start(v, i);
}

/* smtp2_dkimv_body - the next chunk through every body hash */
void
smtp2_dkimv_body(struct smtp2_dkimv *v, const unsigned char *p, size_t len)
{
	size_t	i;

	if (!v->eoh_done)
		smtp2_dkimv_eoh(v);
	if (v->eom_done)
		return;
	for (i = 0; i < v->n_bodies; i++)
		smtp2_dkim_body_update(&v->bodies[i].body, p, len);
}

/* dkimv_bodies_final - the held-back end of each body, and its digest */
static void
dkimv_bodies_final(struct smtp2_dkimv *v)
{
	struct smtp2_dkim_bodyhash *b;
	unsigned dlen;
	size_t	i;

	for (i = 0; i < v->n_bodies; i++) {
		b = &v->bodies[i];
		smtp2_dkim_body_final(&b->body);
		dlen = 0;
		if (b->sink.failed || EVP_DigestFinal_ex(b->sink.md, b->digest,
		    &dlen) != 1 || dlen != SMTP2_DKIM_DIGEST_LEN)
			b->failed = true;
	}
}

/* smtp2_dkimv_eom - keys, hashes, signatures; the results */
size_t
smtp2_dkimv_eom(struct smtp2_dkimv *v, const struct smtp2_dkimv_sig **sigs)
{
	size_t	i;

	if (!v->eoh_done)
		smtp2_dkimv_eoh(v);
	if (!v->eom_done) {
		v->eom_done = true;
		dkimv_bodies_final(v);
		for (i = 0; i < v->n_sigs; i++)
			smtp2_dkim_vsig_finish(v, i);
	}
	*sigs = v->res;
	return (v->n_sigs);
}
