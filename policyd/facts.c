/*
 * facts.c - reduce a Postfix request's ccert_* attributes to TLS facts.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Utility library. */
#include "attr.h"

/* Application-specific. */
#include "facts.h"

#define FP_MAX	64	/* bytes in the longest digest Postfix offers (SHA-512) */

/* hexval - value of one hex digit, or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* policyd_xtext_decode - undo "+XX" escapes */
int
policyd_xtext_decode(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	int c, hi, lo;

	for (const char *p = in; *p; p++) {
		c = (unsigned char)*p;
		if (c == '+') {
			if ((hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
				return -1;
			c = hi << 4 | lo;
			p += 2;
		}
		if (c < 0x20 || c == 0x7f || n + 1 >= outlen)
			return -1;
		out[n++] = (char)c;
	}
	if (outlen == 0)
		return -1;
	out[n] = 0;
	return (int)n;
}

/* present - is this attribute value a real value?  Postfix sends absent
 * ones as empty (or, for some attributes, "0"). */
static int
present(const char *v)
{
	return v != NULL && *v != 0 && strcmp(v, "0") != 0;
}

/* fingerprint - decode one fingerprint attribute into a SHA-256 slot */
static int
fingerprint(const struct smtp2d_attrs *a, const char *name,
    struct smtp2_tls_facts *f, bool *have, unsigned char *sha256,
    bool *other_digest, char *why, size_t whylen)
{
	const char *v = smtp2d_attr_get(a, name);
	unsigned char fp[FP_MAX];
	int n;

	if (!present(v))
		return 0;
	if ((n = smtp2_fp_parse(v, fp, sizeof(fp))) <= 0) {
		snprintf(why, whylen, "malformed %s", name);
		return -1;
	}
	f->cert_presented = true;
	if (n == SMTP2_SHA256_LEN) {
		memcpy(sha256, fp, SMTP2_SHA256_LEN);
		*have = true;
	} else {
		*other_digest = true;
	}
	return 0;
}

/* copy_info - copy an informational attribute, truncating if need be */
static void
copy_info(const struct smtp2d_attrs *a, const char *name,
    char *out, size_t outlen)
{
	const char *v = smtp2d_attr_get(a, name);

	snprintf(out, outlen, "%s", present(v) ? v : "");
}

/* policyd_facts_from_attrs - build TLS facts from a Postfix request */
int
policyd_facts_from_attrs(const struct smtp2d_attrs *a,
    struct smtp2_tls_facts *f, bool *other_digest, char *why, size_t whylen)
{
	const char *subject, *issuer;

	smtp2_tls_facts_init(f);
	*other_digest = false;
	if (fingerprint(a, "ccert_fingerprint", f, &f->have_cert_sha256,
	    f->cert_sha256, other_digest, why, whylen) < 0 ||
	    fingerprint(a, "ccert_pubkey_fingerprint", f, &f->have_spki_sha256,
	    f->spki_sha256, other_digest, why, whylen) < 0)
		return -1;
	subject = smtp2d_attr_get(a, "ccert_subject");
	if (subject != NULL && *subject != 0) {
		if (policyd_xtext_decode(subject, f->subject_cn,
		    sizeof(f->subject_cn)) < 0) {
			snprintf(why, whylen, "malformed ccert_subject "
			    "(bad xtext, control character or longer than %zu bytes)",
			    sizeof(f->subject_cn) - 1);
			f->subject_cn[0] = 0;
			return -1;
		}
		/* Postfix names the subject only when the chain verified. */
		f->cert_presented = true;
		f->cert_trusted = true;
	}
	/* The issuer's CN, for per-domain CA pinning (tls.domain_cas). */
	issuer = smtp2d_attr_get(a, "ccert_issuer");
	if (issuer != NULL && *issuer != 0 && policyd_xtext_decode(issuer,
	    f->issuer_cn, sizeof(f->issuer_cn)) < 0) {
		snprintf(why, whylen, "malformed ccert_issuer (bad xtext, control "
		    "character or longer than %zu bytes)", sizeof(f->issuer_cn) - 1);
		f->issuer_cn[0] = 0;
		return -1;
	}
	copy_info(a, "encryption_protocol", f->protocol, sizeof(f->protocol));
	copy_info(a, "encryption_cipher", f->cipher, sizeof(f->cipher));
	return 0;
}
