/*
 * dkim_vsig.c - one DKIM-Signature from the end of the header to its
 * result (RFC 6376 6.1, RFC 8301, RFC 8463).
 *
 * At the end of the header the signature is parsed and everything that
 * needs no key is settled: syntax (dkim_sig.c), rsa-sha1, fields that
 * may have been dropped, and the clock.  A signature still in the race
 * gets a body hash.  At the end of the message come the key, the key's
 * own rules, the body hash, the header hash and the signature.
 *
 * x= in the past or t= in the future does not stop verification: the
 * result is policy only for a signature that verifies ("verified, but
 * unacceptable here"); one that does not verify fails as any other.
 */

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Application-specific. */
#include "dkim_int.h"
#include "dkim_verify_int.h"

#define VSIG_B_SHOWN	12	/* characters of b= in a result (RFC 6008) */
#define VSIG_KEYNAME_MAX 253	/* a DNS name, no final dot */

/* vsig_copy - the printable non-space bytes of a run, cut to fit */
static void
vsig_copy(char *dst, size_t dstlen, const char *p, size_t len, bool lower)
{
	size_t	i, n = 0;
	char	c;

	for (i = 0; i < len && n + 1 < dstlen; i++) {
		c = p[i];
		if (c < 0x21 || c > 0x7e)
			continue;
		dst[n++] = lower && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	dst[n] = '\0';
}

/* vsig_names - who signed, for the result */
static void
vsig_names(struct smtp2_dkimv_sig *r, const struct smtp2_dkim_sig *sig)
{
	r->alg = sig->alg;
	vsig_copy(r->domain, sizeof(r->domain), sig->domain.p,
	    sig->domain.len, true);
	vsig_copy(r->selector, sizeof(r->selector), sig->selector.p,
	    sig->selector.len, false);
	if (sig->has_identity)
		vsig_copy(r->identity, sizeof(r->identity), sig->identity.p,
		    sig->identity.len, false);
	else {
		r->identity[0] = '@';
		vsig_copy(r->identity + 1, sizeof(r->identity) - 1, r->domain,
		    strlen(r->domain), false);
	}
	vsig_copy(r->b, VSIG_B_SHOWN + 1, sig->b_value.p, sig->b_value.len,
	    false);
}

/* vsig_guess - d=, s= and b= of a signature that would not parse */
static void
vsig_guess(struct smtp2_dkimv_sig *r, const char *value, size_t len)
{
	struct smtp2_dkim_tags tags;
	const struct smtp2_tag *t;

	if (smtp2_dkim_tags_parse(value, len, &tags, NULL, 0) < 0)
		return;
	if ((t = smtp2_dkim_tag_get(&tags, "d")) != NULL) {
		vsig_copy(r->domain, sizeof(r->domain), t->value, t->vallen,
		    true);
		r->identity[0] = '@';
		vsig_copy(r->identity + 1, sizeof(r->identity) - 1, r->domain,
		    strlen(r->domain), false);
	}
	if ((t = smtp2_dkim_tag_get(&tags, "s")) != NULL)
		vsig_copy(r->selector, sizeof(r->selector), t->value,
		    t->vallen, false);
	if ((t = smtp2_dkim_tag_get(&tags, "b")) != NULL)
		vsig_copy(r->b, VSIG_B_SHOWN + 1, t->value, t->vallen, false);
}

/* vsig_value - the value of a "DKIM-Signature:value" field */
static const char *
vsig_value(const char *field, size_t len, size_t *vlen)
{
	const char *colon = memchr(field, ':', len);

	if (colon == NULL) {
		*vlen = 0;
		return (field + len);
	}
	*vlen = len - (size_t)(colon + 1 - field);
	return (colon + 1);
}

/* smtp2_dkim_vsig_lost - a signature whose field was not kept */
void
smtp2_dkim_vsig_lost(struct smtp2_dkimv_sig *r, const char *field,
    size_t len)
{
	const char *value;
	size_t	vlen;

	value = vsig_value(field, len, &vlen);
	vsig_guess(r, value, vlen);
	smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "header larger than %d "
	    "bytes", SMTP2_DKIMV_HEADER_BYTES);
}

/* vsig_early - what needs no key; true when the result is settled */
static bool
vsig_early(struct smtp2_dkimv *v, struct smtp2_dkim_vsig *vs,
    struct smtp2_dkimv_sig *r)
{
	const struct smtp2_dkim_sig *sig = &vs->sig;
	uint64_t now = v->opts.now > 0 ? (uint64_t)v->opts.now : 0;
	uint64_t skew = v->opts.clock_skew;
	size_t	i;

	if (sig->weak_alg) {
		smtp2_dkim_vresult(r, SMTP2_DKIMV_FAIL, "rsa-sha1 is not "
		    "acceptable (RFC 8301)");
		return (true);
	}
	for (i = 0; i < sig->n_headers; i++) {
		if (smtp2_dkim_hdrs_lost(&v->hdrs, sig->headers[i].p,
		    sig->headers[i].len)) {
			smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "header "
			    "larger than %d bytes", SMTP2_DKIMV_HEADER_BYTES);
			return (true);
		}
	}
	if (sig->has_expiry && sig->expiry + skew < now) {
		vs->late = true;
		snprintf(vs->late_why, sizeof(vs->late_why), "signature "
		    "expired (x=%llu)", (unsigned long long)sig->expiry);
	} else if (sig->has_timestamp && sig->timestamp > now + skew) {
		vs->late = true;
		snprintf(vs->late_why, sizeof(vs->late_why), "signature "
		    "from the future (t=%llu)", (unsigned long long)sig->timestamp);
	}
	return (false);
}

/* vsig_body - the body hash for this c= and l=, shared or new */
static int
vsig_body(struct smtp2_dkimv *v, struct smtp2_dkim_vsig *vs)
{
	struct smtp2_dkim_bodyhash *b;
	enum smtp2_dkim_canon c = vs->sig.canon_body;
	uint64_t limit = vs->sig.has_length ? vs->sig.length : UINT64_MAX;
	size_t	i;

	for (i = 0; i < v->n_bodies; i++)
		if (v->bodies[i].canon == c && v->bodies[i].limit == limit) {
			vs->body = i;
			return (0);
		}
	if (v->md == NULL && (v->md = v->own_md = EVP_MD_fetch(NULL,
	    "SHA256", NULL)) == NULL)
		return (-1);
	b = &v->bodies[v->n_bodies];
	memset(b, 0, sizeof(*b));
	b->canon = c;
	b->limit = limit;
	smtp2_dkim_body_init(&b->body, c, limit, &b->sink);
	if ((b->sink.md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	v->n_bodies++;			/* from now on, freed with v */
	if (EVP_DigestInit_ex(b->sink.md, v->md, NULL) != 1) {
		b->failed = b->sink.failed = true;
		return (-1);
	}
	vs->body = i;
	return (0);
}

/* smtp2_dkim_vsig_start - parse signature i and settle what needs no key */
void
smtp2_dkim_vsig_start(struct smtp2_dkimv *v, size_t i)
{
	struct smtp2_dkimv_sig *r = &v->res[i];
	struct smtp2_dkim_vsig *vs;
	const char *field, *value;
	size_t	len, vlen;
	char	why[SMTP2_DKIM_WHY_LEN];

	if (v->sig_field[i] < 0)
		return;			/* settled by smtp2_dkim_vsig_lost() */
	field = smtp2_dkim_hdrs_get(&v->hdrs, (size_t)v->sig_field[i], &len);
	value = vsig_value(field, len, &vlen);
	if ((vs = malloc(sizeof(*vs))) == NULL) {
		vsig_guess(r, value, vlen);
		smtp2_dkim_vresult(r, SMTP2_DKIMV_TEMPERROR, "out of memory");
		return;
	}
	if (smtp2_dkim_sig_parse(value, vlen, &vs->sig, why,
	    sizeof(why)) != SMTP2_DKIM_OK) {
		vsig_guess(r, value, vlen);
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "%s", why);
		free(vs);
		return;
	}
	vs->field = (size_t)v->sig_field[i];
	vs->late = false;
	vsig_names(r, &vs->sig);
	if (vsig_early(v, vs, r)) {
		free(vs);
		return;
	}
	if (vsig_body(v, vs) < 0) {
		smtp2_dkim_vresult(r, SMTP2_DKIMV_TEMPERROR, "out of memory");
		free(vs);
		return;
	}
	v->vs[i] = vs;
}

/* vsig_keyname - "<s>._domainkey.<d>", lower case; -1 when too long */
static int
vsig_keyname(const struct smtp2_dkim_sig *sig, char *buf, size_t buflen)
{
	int	n;
	char	*p;

	n = snprintf(buf, buflen, "%.*s._domainkey.%.*s",
	    (int)sig->selector.len, sig->selector.p,
	    (int)sig->domain.len, sig->domain.p);
	if (n < 0 || (size_t)n > VSIG_KEYNAME_MAX || (size_t)n >= buflen)
		return (-1);
	for (p = buf; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return (0);
}

/* vsig_strict_ok - t=s: the domain of i= must be d= itself */
static bool
vsig_strict_ok(const struct smtp2_dkim_sig *sig)
{
	size_t	at;

	if (!sig->has_identity)
		return (true);
	for (at = sig->identity.len; at > 0; at--)
		if (sig->identity.p[at - 1] == '@')
			break;
	return (at > 0 && sig->identity.len - at == sig->domain.len
	    && strncasecmp(sig->identity.p + at, sig->domain.p,
	    sig->domain.len) == 0);
}

/* vsig_key_rules - the key's own rules; true when the result is settled */
static bool
vsig_key_rules(const struct smtp2_dkimv *v, const struct smtp2_dkim_sig *sig,
    const struct smtp2_dkim_keyinfo *ki, struct smtp2_dkimv_sig *r)
{
	bool	ed = sig->alg == SMTP2_DKIM_ED25519_SHA256;

	if (ki->type != (ed ? SMTP2_DKIM_KEY_ED25519 : SMTP2_DKIM_KEY_RSA))
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "key is k=%s but "
		    "a=%s", ed ? "rsa" : "ed25519", smtp2_dkim_alg_name(sig->alg));
	else if ((ki->hashes & SMTP2_DKIM_HASH_SHA256) == 0)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "key h= does not "
		    "allow sha256");
	else if (ki->strict && !vsig_strict_ok(sig))
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "key has t=s but "
		    "the domain of i= is not d=");
	else if (!ed && ki->bits < v->opts.min_rsa_bits)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_FAIL, "RSA key of %u bits, "
		    "fewer than %u", ki->bits, v->opts.min_rsa_bits);
	else
		return (false);
	return (true);
}

/* vsig_bad - a signature that does not verify: fail, or neutral when
 * the key is only being tested */
static void
vsig_bad(struct smtp2_dkimv_sig *r, bool testing, const char *what)
{
	if (testing)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_NEUTRAL, "%s (key in testing "
		    "mode, t=y)", what);
	else
		smtp2_dkim_vresult(r, SMTP2_DKIMV_FAIL, "%s", what);
}

/* vsig_crypto - body hash, header hash, signature */
static void
vsig_crypto(struct smtp2_dkimv *v, const struct smtp2_dkim_vsig *vs,
    const struct smtp2_dkim_keyinfo *ki, struct smtp2_dkimv_sig *r)
{
	struct smtp2_dkim_bodyhash *b = &v->bodies[vs->body];
	const struct smtp2_dkim_sig *sig = &vs->sig;
	unsigned char digest[SMTP2_DKIM_DIGEST_LEN];

	r->partial_body = smtp2_dkim_body_partial(&b->body);
	if (b->failed) {
		smtp2_dkim_vresult(r, SMTP2_DKIMV_TEMPERROR, "body digest failed");
		return;
	}
	if (sig->has_length && b->body.total < sig->length)
		vsig_bad(r, ki->testing, "body shorter than l=");
	else if (sig->bh_len != SMTP2_DKIM_DIGEST_LEN
	    || CRYPTO_memcmp(sig->bh, b->digest, SMTP2_DKIM_DIGEST_LEN) != 0)
		vsig_bad(r, ki->testing, "body hash mismatch");
	else if (smtp2_dkim_hdrs_hash(&v->hdrs, sig, vs->field, b->sink.md,
	    v->md, digest) < 0)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_TEMPERROR, "header digest "
		    "failed");
	else if (!smtp2_dkim_sig_ok(ki->pkey, sig->alg, v->md, digest, sig->b,
	    sig->b_len))
		vsig_bad(r, ki->testing, "signature does not verify");
	else if (vs->late)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_POLICY, "%s", vs->late_why);
	else
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PASS, "verified");
}

/* smtp2_dkim_vsig_finish - the key, then the checks that need it */
void
smtp2_dkim_vsig_finish(struct smtp2_dkimv *v, size_t i)
{
	struct smtp2_dkim_vsig *vs = v->vs[i];
	struct smtp2_dkimv_sig *r = &v->res[i];
	struct smtp2_dkim_keyinfo ki;
	char	name[VSIG_KEYNAME_MAX + 2];

	if (vs == NULL)
		return;			/* settled at the end of the header */
	if (vsig_keyname(&vs->sig, name, sizeof(name)) < 0)
		smtp2_dkim_vresult(r, SMTP2_DKIMV_PERMERROR, "key name "
		    "s=%s._domainkey.d=%s is too long", r->selector, r->domain);
	else {
		smtp2_dkim_keys_get(v->opts.keys, v->opts.dns, name, &ki);
		r->key_dnssec = ki.dnssec;
		if (ki.result != SMTP2_DKIMV_NONE)
			smtp2_dkim_vresult(r, ki.result, "%s", ki.why);
		else {
			r->key_bits = ki.bits;
			r->testing = ki.testing;
			if (!vsig_key_rules(v, &vs->sig, &ki, r))
				vsig_crypto(v, vs, &ki, r);
		}
		smtp2_dkim_keyinfo_clear(&ki);
	}
	free(vs);
	v->vs[i] = NULL;
}
