/*
 * tlsfacts.c - map Sendmail's and Postfix's TLS macros to TLS facts.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Library. */
#include <smtp2/tls.h>

/* Application-specific. */
#include "tlsfacts.h"

#define FP_MAX	64		/* bytes of the longest digest we decode */

/* present - a macro that was sent and says something */
static bool
present(const char *s)
{
	return s != NULL && *s != '\0';
}

/* hexval - value of one hex digit, or -1 */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * xtext_decode - RFC 3461 xtext ("+XX" escapes) into out, len bytes of
 * text.  Returns 0, or -1 when malformed, too long, or decoding to a
 * control character: such a name is not a host name, and a NUL in it
 * would cut it short.
 */
static int
xtext_decode(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i, n = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c == '+') {
			if (i + 2 >= len || (hi = hexval(in[i + 1])) < 0 ||
			    (lo = hexval(in[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || n + 1 >= outlen)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * dn_cn - the last CN of an OpenSSL one-line DN ("/C=DE/O=x/CN=mx.a.test"),
 * as Sendmail's {cert_subject} carries it; the last CN is the most
 * specific one.  Sets *len; returns NULL when there is none.
 */
static const char *
dn_cn(const char *dn, size_t *len)
{
	const char *cn = NULL, *p;

	for (p = dn; (p = strstr(p, "/CN=")) != NULL; p += 4)
		cn = p + 4;
	if (cn == NULL)
		return NULL;
	*len = strcspn(cn, "/");
	return cn;
}

/* copy_text - bounded copy of an informational value (version, cipher) */
static void
copy_text(char *out, size_t outlen, const char *in)
{
	if (present(in))
		snprintf(out, outlen, "%s", in);
}

/* sendmail_facts - {verify} decides trust; {cert_fp} may give a pin digest */
static void
sendmail_facts(const struct tls_macros *m, struct smtp2_tls_facts *f)
{
	unsigned char fp[FP_MAX];
	const char *cn;
	size_t len;

	/* TRUSTED is Sendmail's word for a chain verified through DANE. */
	f->cert_trusted = strcmp(m->verify, "OK") == 0 ||
	    strcmp(m->verify, "TRUSTED") == 0;
	f->cert_presented = f->cert_trusted || strcmp(m->verify, "FAIL") == 0 ||
	    strcmp(m->verify, "DANE_FAIL") == 0 || present(m->cert_fp) ||
	    present(m->cert_md5) || present(m->cert_subject);
	if (f->cert_trusted) {
		if (present(m->cn_subject))
			cn = m->cn_subject, len = strlen(cn);
		else if (present(m->cert_subject))
			cn = dn_cn(m->cert_subject, &len);
		else
			cn = NULL;
		if (cn != NULL && xtext_decode(cn, len, f->subject_cn,
		    sizeof(f->subject_cn)) < 0)
			f->subject_cn[0] = '\0';
		if (present(m->cn_issuer))
			cn = m->cn_issuer, len = strlen(cn);
		else if (present(m->cert_issuer))
			cn = dn_cn(m->cert_issuer, &len);
		else
			cn = NULL;
		if (cn != NULL && xtext_decode(cn, len, f->issuer_cn,
		    sizeof(f->issuer_cn)) < 0)
			f->issuer_cn[0] = '\0';
	}
	/* A 32-byte digest is SHA-256; MD5 (16) or SHA-1 (20) fit no pin. */
	if (present(m->cert_fp) &&
	    smtp2_fp_parse(m->cert_fp, fp, sizeof(fp)) == SMTP2_SHA256_LEN) {
		memcpy(f->cert_sha256, fp, SMTP2_SHA256_LEN);
		f->have_cert_sha256 = true;
	}
}

/* postfix_facts - {cert_subject} is the CN, sent only for a trusted chain */
static void
postfix_facts(const struct tls_macros *m, struct smtp2_tls_facts *f)
{
	if (!present(m->cert_subject))
		return;
	if (strlen(m->cert_subject) >= sizeof(f->subject_cn))
		return;			/* too long for a host name: not trusted */
	f->cert_presented = true;
	f->cert_trusted = true;
	memcpy(f->subject_cn, m->cert_subject, strlen(m->cert_subject) + 1);
	copy_text(f->issuer_cn, sizeof(f->issuer_cn), m->cert_issuer);
}

/* milter_tls_from_macros - see tlsfacts.h */
bool
milter_tls_from_macros(const struct tls_macros *m, struct smtp2_tls_facts *f)
{
	bool sendmail = present(m->verify);

	smtp2_tls_facts_init(f);
	if (sendmail)
		sendmail_facts(m, f);
	else
		postfix_facts(m, f);
	copy_text(f->protocol, sizeof(f->protocol), m->tls_version);
	copy_text(f->cipher, sizeof(f->cipher), m->cipher);
	return sendmail;
}
