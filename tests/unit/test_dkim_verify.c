/*
 * test_dkim_verify.c - DKIM verification (smtp2/dkim_verify.h) and the
 * canonicalisation beneath it.
 *
 * Three kinds of evidence.  Published examples: the canonicalisation
 * examples of RFC 6376 3.4.5 and the two signatures of RFC 8463
 * appendix A.  Messages signed here, by a deliberately naive signer of
 * our own (whole strings, several passes: nothing shared with the
 * library's streaming code), with keys OpenSSL generates at start.  And
 * the verifier against itself: every signed case is fed whole, a byte at
 * a time, in odd chunks and with LF line ends, and must come out the
 * same.  Key records reach the verifier through a DNS cache primed with
 * canned answers; the resolver points at 127.0.0.1:1 where nothing
 * listens, so a name left unprimed times out: temperror.
 */

/* System library. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Library. */
#include <cmocka.h>

#include "support.h"
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>
#include "../../lib/src/dkim_canon.h"

#define MAX_RR		4
#define RDATA_MAX	4096

/* The keys every signed case picks from. */
enum tkey { K_RSA2048 = 0, K_RSA1024, K_RSA512, K_ED25519, K_COUNT };

/* Shared by all tests: resolver, caches and keys.  Built once. */
struct world {
	struct smtp2_dns_cache *cache;
	struct smtp2_dns *dns;
	struct smtp2_dkim_keys *keys;
	EVP_PKEY	*key[K_COUNT];
};

/* A growing string; p is always NUL-terminated. */
struct buf {
	char	*p;
	size_t	n, cap;
};

/* buf_add - append bytes */
static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		assert_non_null(b->p = realloc(b->p, b->cap));
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* buf_str - append a string */
static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* buf_fmt - append formatted text */
static void __attribute__((format(printf, 2, 3)))
buf_fmt(struct buf *b, const char *fmt, ...)
{
	char	tmp[1024];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(tmp));
	buf_add(b, tmp, (size_t)n);
}

/* b64 - base64 of bytes, NUL-terminated into out */
static void
b64(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* ---- canned DNS ---- */

/* txt_rdata - TXT text as character-strings of at most 255 bytes */
static size_t
txt_rdata(const char *txt, unsigned char *out)
{
	size_t	len = strlen(txt), n = 0, k;

	do {
		k = len > 255 ? 255 : len;
		assert_true(n + 1 + k <= RDATA_MAX);
		out[n++] = (unsigned char)k;
		memcpy(out + n, txt, k);
		n += k;
		txt += k;
		len -= k;
	} while (len > 0);
	return (n);
}

/* publish - put TXT records (n of them; none: NXDOMAIN) under name */
static void
publish(struct world *w, const char *name, const char *const *txt, size_t n)
{
	static unsigned char rdata[MAX_RR][RDATA_MAX];
	struct smtp2_dns_rr rr[MAX_RR];
	struct smtp2_dns_answer a;
	size_t	i;

	assert_true(n <= MAX_RR);
	memset(&a, 0, sizeof(a));
	a.status = n > 0 ? SMTP2_DNS_OK : SMTP2_DNS_NXDOMAIN;
	a.dnssec = SMTP2_DNSSEC_INSECURE;
	a.ttl = 300;
	a.rr = rr;
	a.n = n;
	for (i = 0; i < n; i++) {
		rr[i].rdata = rdata[i];
		rr[i].len = txt_rdata(txt[i], rdata[i]);
	}
	assert_int_equal(smtp2_dns_cache_put(w->cache, name, SMTP2_DNS_T_TXT,
	    &a), 0);
}

/* publish1 - one record */
static void
publish1(struct world *w, const char *name, const char *txt)
{
	publish(w, name, &txt, 1);
}

/* key_record - "v=DKIM1; k=..; <tags>p=<key>"; bare: RSAPublicKey DER */
static void
key_record(EVP_PKEY *k, const char *tags, bool bare, struct buf *out)
{
	unsigned char der[2048], *q = der;
	char	enc[4096];
	size_t	len = sizeof(der);
	int	n;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, der, &len), 1);
		n = (int)len;
	} else
		n = bare ? i2d_PublicKey(k, &q) : i2d_PUBKEY(k, &q);
	assert_true(n > 0);
	b64(der, (size_t)n, enc);
	buf_fmt(out, "v=DKIM1; k=%s; %s",
	    EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 ? "ed25519" : "rsa",
	    tags != NULL ? tags : "");
	buf_str(out, "p=");
	buf_str(out, enc);
}

/* ---- a naive signer, for messages with CRLF line ends ---- */

/* t_wsp - SP or HTAB */
static bool
t_wsp(char c)
{
	return (c == ' ' || c == '\t');
}

/* t_relax - runs of WSP as one SP, CR and LF dropped, ends trimmed */
static void
t_relax(const char *p, size_t n, struct buf *out)
{
	struct buf tmp = { NULL, 0, 0 };
	size_t	i, start = 0, end;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		if (t_wsp(p[i]) && (tmp.n == 0 || tmp.p[tmp.n - 1] == ' '))
			continue;
		buf_add(&tmp, t_wsp(p[i]) ? " " : &p[i], 1);
	}
	end = tmp.n;
	while (end > start && tmp.p[end - 1] == ' ')
		end--;
	if (end > start)
		buf_add(out, tmp.p + start, end - start);
	free(tmp.p);
}

/* t_canon_header - one field ("Name:value", no line end) and CRLF */
static void
t_canon_header(bool relaxed, const char *f, size_t len, bool crlf,
    struct buf *out)
{
	const char *colon = memchr(f, ':', len);
	size_t	nlen, i;
	char	c;

	if (!relaxed)
		buf_add(out, f, len);
	else {
		assert_non_null(colon);
		nlen = (size_t)(colon - f);
		while (nlen > 0 && t_wsp(f[nlen - 1]))
			nlen--;
		for (i = 0; i < nlen; i++) {
			c = f[i] >= 'A' && f[i] <= 'Z' ? f[i] + 32 : f[i];
			buf_add(out, &c, 1);
		}
		buf_str(out, ":");
		t_relax(colon + 1, len - (size_t)(colon + 1 - f), out);
	}
	if (crlf)
		buf_str(out, "\r\n");
}

/* t_canon_body - the whole body at once, then the trailing lines cut */
static void
t_canon_body(bool relaxed, const char *p, size_t n, struct buf *out)
{
	const char *eol;
	size_t	len;

	while (n > 0) {
		eol = memchr(p, '\n', n);
		len = eol != NULL ? (size_t)(eol - p) : n;
		if (eol != NULL && len > 0 && p[len - 1] == '\r')
			len--;
		if (relaxed)
			t_relax(p, len, out);
		else
			buf_add(out, p, len);
		buf_str(out, "\r\n");
		if (eol == NULL)
			break;
		n -= (size_t)(eol + 1 - p);
		p = eol + 1;
	}
	while (out->n >= 2 && (out->n == 2 || (out->n >= 4
	    && memcmp(out->p + out->n - 4, "\r\n\r\n", 4) == 0)))
		out->n -= 2;
	out->p[out->n] = '\0';
	if (out->n == 0 && !relaxed)
		buf_str(out, "\r\n");
}

/* t_fields - the header of a CRLF message cut into fields */
static size_t
t_fields(const char *msg, const char **f, size_t *flen, size_t max,
    const char **body)
{
	const char *p = msg, *eol;
	size_t	n = 0;

	while (strncmp(p, "\r\n", 2) != 0) {
		assert_true(n < max);
		f[n] = p;
		do {
			assert_non_null(eol = strstr(p, "\r\n"));
			p = eol + 2;
		} while (t_wsp(*p));
		flen[n] = (size_t)(eol - f[n]);
		n++;
	}
	*body = p + 2;
	return (n);
}

/* What to sign and how. */
struct tsig {
	EVP_PKEY	*key;
	const char	*a;		/* NULL: from the key */
	const char	*c;		/* "relaxed/simple" ... */
	const char	*d, *s, *h;
	const char	*extra;		/* more tags, each with "; " */
	bool		l;		/* l= the whole canonical body */
};

/* t_header_data - the fields h= picks, bottom up, canonicalised */
static void
t_header_data(const struct tsig *t, bool relaxed, const char *msg,
    struct buf *out)
{
	const char *f[256], *body, *name = t->h, *end;
	size_t	flen[256], n, i, nlen;
	bool	used[256] = { false };

	n = t_fields(msg, f, flen, 256, &body);
	while (*name != '\0') {
		end = strchr(name, ':');
		nlen = end != NULL ? (size_t)(end - name) : strlen(name);
		for (i = n; i-- > 0;)
			if (!used[i] && strncasecmp(f[i], name, nlen) == 0
			    && (f[i][nlen] == ':' || t_wsp(f[i][nlen]))) {
				used[i] = true;
				t_canon_header(relaxed, f[i], flen[i], true, out);
				break;
			}
		name += nlen + (end != NULL);
	}
}

/* t_sign_digest - RSASSA-PKCS1-v1_5 or Ed25519 over a SHA-256 digest */
static size_t
t_sign_digest(EVP_PKEY *k, const unsigned char *dg, unsigned char *sig,
    size_t max)
{
	EVP_PKEY_CTX *pc;
	EVP_MD_CTX *mc;
	size_t	len = max;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
		assert_non_null(mc = EVP_MD_CTX_new());
		assert_int_equal(EVP_DigestSignInit_ex(mc, NULL, NULL, NULL,
		    NULL, k, NULL), 1);
		assert_int_equal(EVP_DigestSign(mc, sig, &len, dg, 32), 1);
		EVP_MD_CTX_free(mc);
		return (len);
	}
	assert_non_null(pc = EVP_PKEY_CTX_new(k, NULL));
	assert_int_equal(EVP_PKEY_sign_init(pc), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_sign(pc, sig, &len, dg, 32), 1);
	EVP_PKEY_CTX_free(pc);
	return (len);
}

/* t_sig_field - the DKIM-Signature field up to an empty b= */
static void
t_sig_field(const struct tsig *t, const char *body, struct buf *sf)
{
	struct buf cb = { NULL, 0, 0 };
	unsigned char dg[32];
	char	enc[64];
	bool	relaxed_body = strstr(t->c, "/relaxed") != NULL;

	t_canon_body(relaxed_body, body, strlen(body), &cb);
	assert_int_equal(EVP_Digest(cb.p, cb.n, dg, NULL, EVP_sha256(), NULL), 1);
	b64(dg, 32, enc);
	buf_fmt(sf, "DKIM-Signature: v=1; a=%s; c=%s; d=%s; s=%s;\r\n\t",
	    t->a != NULL ? t->a : EVP_PKEY_get_base_id(t->key) ==
	    EVP_PKEY_ED25519 ? "ed25519-sha256" : "rsa-sha256",
	    t->c, t->d, t->s);
	if (t->extra != NULL)
		buf_str(sf, t->extra);
	if (t->l)
		buf_fmt(sf, "l=%zu; ", cb.n);
	buf_fmt(sf, "h=%s;\r\n\tbh=%s;\r\n\tb=", t->h, enc);
	free(cb.p);
}

/* sign - msg with a DKIM-Signature added on top; caller frees */
static char *
sign(const struct tsig *t, const char *msg)
{
	struct buf sf = { NULL, 0, 0 }, hd = { NULL, 0, 0 };
	unsigned char dg[32], sig[1024];
	char	enc[2048];
	const char *body, *f[256];
	size_t	slen, elen, i, flen[256];
	bool	relaxed = strncmp(t->c, "relaxed", 7) == 0;

	(void)t_fields(msg, f, flen, 256, &body);
	t_sig_field(t, body, &sf);
	t_header_data(t, relaxed, msg, &hd);
	t_canon_header(relaxed, sf.p, sf.n, false, &hd);
	assert_int_equal(EVP_Digest(hd.p, hd.n, dg, NULL, EVP_sha256(), NULL), 1);
	slen = t_sign_digest(t->key, dg, sig, sizeof(sig));
	b64(sig, slen, enc);
	elen = strlen(enc);
	for (i = 0; i < elen; i += 50) {	/* FWS inside b= */
		if (i > 0)
			buf_str(&sf, "\r\n ");
		buf_add(&sf, enc + i, elen - i < 50 ? elen - i : 50);
	}
	buf_str(&sf, "\r\n");
	buf_str(&sf, msg);
	free(hd.p);
	return (sf.p);
}

/* ---- the verifier, fed in various ways ---- */

/* Results copied out of the message object. */
struct outcome {
	size_t	n;
	struct smtp2_dkimv_sig s[SMTP2_DKIMV_SIGS_MAX];
};

/* feed - header fields (LF or CRLF), then the body in chunks */
static void
feed(struct smtp2_dkimv *v, const char *msg, size_t len, size_t chunk)
{
	size_t	pos = 0, start, flen, eol, k;
	const char *nl;

	while (pos < len && msg[pos] != '\n' && strncmp(msg + pos, "\r\n", 2)) {
		start = pos;
		do {
			nl = memchr(msg + pos, '\n', len - pos);
			eol = nl != NULL ? (size_t)(nl - msg) : len;
			pos = eol < len ? eol + 1 : len;
		} while (pos < len && (msg[pos] == ' ' || msg[pos] == '\t'));
		flen = eol - start;
		if (flen > 0 && msg[start + flen - 1] == '\r')
			flen--;
		smtp2_dkimv_header(v, msg + start, flen);
	}
	pos += pos < len && msg[pos] == '\r' ? 2 : 1;
	smtp2_dkimv_eoh(v);
	for (; pos < len; pos += k) {
		k = chunk == 0 || chunk > len - pos ? len - pos : chunk;
		smtp2_dkimv_body(v, (const unsigned char *)msg + pos, k);
	}
}

/* verify - one message through a fresh verifier */
static void
verify(struct world *w, const char *msg, size_t len, size_t chunk,
    time_t now, struct outcome *out)
{
	struct smtp2_dkimv_opts o;
	struct smtp2_dkimv *v;
	const struct smtp2_dkimv_sig *s;

	memset(&o, 0, sizeof(o));
	o.dns = w->dns;
	o.keys = w->keys;
	o.now = now;
	o.clock_skew = 300;
	assert_non_null(v = smtp2_dkimv_new(&o));
	feed(v, msg, len, chunk);
	out->n = smtp2_dkimv_eom(v, &s);
	assert_true(out->n <= SMTP2_DKIMV_SIGS_MAX);
	memcpy(out->s, s, out->n * sizeof(*s));
	smtp2_dkimv_free(v);
}

/* lf_only - a copy with every CRLF made LF; caller frees */
static char *
lf_only(const char *msg)
{
	char	*out, *q;

	assert_non_null(out = strdup(msg));
	for (q = out; *msg != '\0'; msg++)
		if (!(msg[0] == '\r' && msg[1] == '\n'))
			*q++ = *msg;
	*q = '\0';
	return (out);
}

/* same_outcome - two runs must agree on everything reported */
static void
same_outcome(const struct outcome *a, const struct outcome *b)
{
	size_t	i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->s[i].result, b->s[i].result);
		assert_string_equal(a->s[i].why, b->s[i].why);
		assert_string_equal(a->s[i].domain, b->s[i].domain);
		assert_string_equal(a->s[i].b, b->s[i].b);
		assert_int_equal(a->s[i].partial_body, b->s[i].partial_body);
	}
}

/* verify_every_way - whole, byte by byte, odd chunks, LF only: equal */
static void
verify_every_way(struct world *w, const char *msg, time_t now,
    struct outcome *out)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };
	struct outcome other;
	char	*lf = lf_only(msg);
	size_t	i;

	verify(w, msg, strlen(msg), 0, now, out);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		verify(w, msg, strlen(msg), chunks[i], now, &other);
		same_outcome(out, &other);
	}
	verify(w, lf, strlen(lf), 0, now, &other);
	same_outcome(out, &other);
	verify(w, lf, strlen(lf), 1, now, &other);
	same_outcome(out, &other);
	free(lf);
}

/* ---- published examples ---- */

/* canon_tap - collect canonical output */
static void
canon_tap(void *arg, const unsigned char *p, size_t len)
{
	buf_add(arg, p, len);
}

/* canon_body - body through the library in chunks; output in out */
static void
canon_body(enum smtp2_dkim_canon c, const char *in, size_t len, size_t chunk,
    uint64_t limit, struct buf *out, bool *partial)
{
	struct smtp2_dkim_sink sink = { NULL, canon_tap, out, false };
	struct smtp2_dkim_body b;
	size_t	pos, k;

	out->n = 0;
	buf_add(out, "", 0);
	smtp2_dkim_body_init(&b, c, limit, &sink);
	for (pos = 0; pos < len; pos += k) {
		k = chunk == 0 || chunk > len - pos ? len - pos : chunk;
		smtp2_dkim_body_update(&b, (const unsigned char *)in + pos, k);
	}
	smtp2_dkim_body_final(&b);
	if (partial != NULL)
		*partial = smtp2_dkim_body_partial(&b);
}

/* canon_header - one field through the library */
static void
canon_header(enum smtp2_dkim_canon c, const char *f, struct buf *out)
{
	struct smtp2_dkim_sink sink = { NULL, canon_tap, out, false };
	struct smtp2_dkim_out o;

	smtp2_dkim_out_init(&o, &sink, 0, UINT64_MAX);
	smtp2_dkim_canon_header(c, f, strlen(f), 0, 0, true, &o);
	smtp2_dkim_out_flush(&o);
}

/* test_rfc6376_examples - RFC 6376 3.4.5, both ways */
static void
test_rfc6376_examples(void **state)
{
	static const char body[] = " C \r\nD \t E\r\n\r\n\r\n";
	struct buf out = { NULL, 0, 0 };

	(void)state;
	canon_header(SMTP2_DKIM_RELAXED, "A: X", &out);
	canon_header(SMTP2_DKIM_RELAXED, "B : Y\t\r\n\tZ  ", &out);
	assert_string_equal(out.p, "a:X\r\nb:Y Z\r\n");
	out.n = 0;
	canon_header(SMTP2_DKIM_SIMPLE, "A: X", &out);
	canon_header(SMTP2_DKIM_SIMPLE, "B : Y\t\r\n\tZ  ", &out);
	assert_string_equal(out.p, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
	canon_body(SMTP2_DKIM_RELAXED, body, strlen(body), 0, UINT64_MAX, &out,
	    NULL);
	assert_string_equal(out.p, " C\r\nD E\r\n");
	canon_body(SMTP2_DKIM_SIMPLE, body, strlen(body), 0, UINT64_MAX, &out,
	    NULL);
	assert_string_equal(out.p, " C \r\nD \t E\r\n");
	free(out.p);
}

/* Body canonicalisation cases: input, simple, relaxed. */
static const struct {
	const char *in, *simple, *relaxed;
} body_cases[] = {
	{ "", "\r\n", "" },
	{ "\r\n", "\r\n", "" },
	{ "\n\n\r\n", "\r\n", "" },
	{ "abc", "abc\r\n", "abc\r\n" },
	{ "abc\n", "abc\r\n", "abc\r\n" },
	{ "a\rb\n", "a\rb\r\n", "a\rb\r\n" },
	{ "x\r", "x\r\r\n", "x\r\r\n" },
	{ "\r\r\n", "\r\r\n", "\r\r\n" },
	{ "a \t\n", "a \t\r\n", "a\r\n" },
	{ "  \n", "  \r\n", "" },
	{ "  \t", "  \t\r\n", "" },
	{ "a\n\n\nb\n\n", "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n" },
	{ "\tlead  in\t\tmid \r\n \r\n", "\tlead  in\t\tmid \r\n \r\n",
	  " lead in mid\r\n" },
	{ "a \r b\r\n", "a \r b\r\n", "a \r b\r\n" },
	{ "a\r\n\r\n \r\n\t\r\nb", "a\r\n\r\n \r\n\t\r\nb\r\n",
	  "a\r\n\r\n\r\n\r\nb\r\n" },
	/* Long runs, whitespace on and across 8-byte boundaries. */
	{ "abcdefgh ijklmnop  qrstuvwx\tyz0123456789 \001abcdefghij \r\n"
	  "ABCDEFGHIJKLMNOPQRSTUVWXYZ   \r\n",
	  "abcdefgh ijklmnop  qrstuvwx\tyz0123456789 \001abcdefghij \r\n"
	  "ABCDEFGHIJKLMNOPQRSTUVWXYZ   \r\n",
	  "abcdefgh ijklmnop qrstuvwx yz0123456789 \001abcdefghij\r\n"
	  "ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n" },
	{ "abcdefg  hijklmn\t opqrstu \t\r\nvwxyz012 3\r4567890 \n",
	  "abcdefg  hijklmn\t opqrstu \t\r\nvwxyz012 3\r4567890 \r\n",
	  "abcdefg hijklmn opqrstu\r\nvwxyz012 3\r4567890\r\n" },
};

/* test_body_canon - every case whole and split at every point */
static void
test_body_canon(void **state)
{
	struct buf out = { NULL, 0, 0 };
	size_t	i, chunk;
	const char *in;

	(void)state;
	for (i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		in = body_cases[i].in;
		for (chunk = 0; chunk <= strlen(in); chunk++) {
			canon_body(SMTP2_DKIM_SIMPLE, in, strlen(in), chunk,
			    UINT64_MAX, &out, NULL);
			assert_string_equal(out.p, body_cases[i].simple);
			canon_body(SMTP2_DKIM_RELAXED, in, strlen(in), chunk,
			    UINT64_MAX, &out, NULL);
			assert_string_equal(out.p, body_cases[i].relaxed);
		}
	}
	free(out.p);
}

/* test_body_limit - l= cuts what is hashed and says whether more came */
static void
test_body_limit(void **state)
{
	struct buf out = { NULL, 0, 0 };
	bool	partial;

	(void)state;
	canon_body(SMTP2_DKIM_SIMPLE, "abc\r\ndef\r\n", 10, 1, 5, &out,
	    &partial);
	assert_string_equal(out.p, "abc\r\n");
	assert_true(partial);
	canon_body(SMTP2_DKIM_SIMPLE, "abc\r\n\r\n\r\n", 9, 0, 5, &out,
	    &partial);
	assert_string_equal(out.p, "abc\r\n");
	assert_false(partial);		/* trailing empty lines do not count */
	canon_body(SMTP2_DKIM_RELAXED, "abc  \r\n  \r\n", 11, 2, 5, &out,
	    &partial);
	assert_false(partial);
	canon_body(SMTP2_DKIM_RELAXED, "abc\r\n", 5, 0, 0, &out, &partial);
	assert_string_equal(out.p, "");
	assert_true(partial);
	free(out.p);
}

/* read_file - a fixture, NUL-terminated; caller frees */
static char *
read_file(const char *name)
{
	char	path[512];

	snprintf(path, sizeof(path), "%s/dkim/%s", SMTP2_TEST_DATA, name);
	return (t_slurp(path, NULL));
}

/* publish_file - "<name> <text>" lines into the DNS cache */
static void
publish_file(struct world *w, const char *file)
{
	char	*text = read_file(file), *line, *sp, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_non_null(sp = strchr(line, ' '));
		*sp = '\0';
		publish1(w, line, sp + 1);
	}
	free(text);
}

/* crlf - a copy with every LF made CRLF; caller frees */
static char *
crlf(const char *msg)
{
	struct buf b = { NULL, 0, 0 };

	for (; *msg != '\0'; msg++)
		buf_add(&b, *msg == '\n' ? "\r\n" : msg, *msg == '\n' ? 2 : 1);
	return (b.p);
}

/* test_rfc8463 - the published ed25519 and RSA signatures */
static void
test_rfc8463(void **state)
{
	struct world *w = *state;
	struct outcome r;
	char	*msg = read_file("rfc8463.eml"), *m2 = crlf(msg);

	publish_file(w, "rfc8463.keys");
	verify_every_way(w, m2, 0, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.s[0].result, SMTP2_DKIMV_PASS);
	assert_int_equal(r.s[0].alg, SMTP2_DKIM_ED25519_SHA256);
	assert_string_equal(r.s[0].b, "/gCrinpcQOoI");
	assert_string_equal(r.s[0].selector, "brisbane");
	assert_int_equal(r.s[0].key_bits, 256);
	assert_int_equal(r.s[1].result, SMTP2_DKIMV_PASS);
	assert_int_equal(r.s[1].alg, SMTP2_DKIM_RSA_SHA256);
	assert_string_equal(r.s[1].b, "F45dVWDfMbQD");
	assert_int_equal(r.s[1].key_bits, 1024);
	assert_int_equal(r.s[1].key_dnssec, SMTP2_DNSSEC_INSECURE);
	assert_string_equal(r.s[1].domain, "football.example.com");
	assert_string_equal(r.s[1].identity, "@football.example.com");
	assert_string_equal(r.s[1].why, "verified");
	assert_false(r.s[1].partial_body);
	assert_int_equal(smtp2_dkimv_summary(r.s, r.n), SMTP2_DKIMV_PASS);
	free(m2);
	free(msg);
}

/* ---- messages signed here ---- */

static const char MSG[] =
    "Received: from a.example.com by b.example.net; Fri, 11 Jul 2003\r\n"
    "From: Joe SixPack <joe@example.com>\r\n"
    "To: Suzie Q <suzie@example.net>\r\n"
    "Subject: Is dinner  ready?\t \r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
    "Message-ID: <20030712040037.46341@example.com>\r\n"
    "X-Folded: one\r\n\ttwo   three \r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you \t hungry yet?  \r\n"
    "Joe.\r\n"
    "\r\n"
    "\r\n";

#define H_ALL	"from:to:subject:date:message-id:x-folded"
#define NOW	((time_t)1700000000)

/* How the key of a case is published. */
enum kform {
	KF_SPKI = 0,		/* SubjectPublicKeyInfo (raw for ed25519) */
	KF_BARE,		/* RSAPublicKey */
	KF_REVOKED,		/* p= empty */
	KF_NONE,		/* NXDOMAIN */
	KF_TEMPFAIL,		/* not primed: the lookup times out */
	KF_TWO,			/* two records */
	KF_RSA,			/* the RSA-2048 key, whatever signed */
	KF_JUNK			/* p= that is no key */
};

struct scase {
	const char	*name;
	enum tkey	key;
	const char	*c;		/* NULL: relaxed/relaxed */
	const char	*h;		/* NULL: H_ALL */
	const char	*a;		/* NULL: from the key */
	const char	*extra;		/* more signature tags */
	bool		l;
	const char	*keytags;	/* more key record tags */
	enum kform	kform;
	const char	*from, *to;	/* a change after signing */
	const char	*append;	/* text added to the body after signing */
	time_t		now;		/* 0: the clock */
	/* expected */
	enum smtp2_dkimv_result result;
	const char	*why;		/* substring */
	bool		partial, testing;
};

#define PASS	SMTP2_DKIMV_PASS
#define FAIL	SMTP2_DKIMV_FAIL
#define NEUTRAL	SMTP2_DKIMV_NEUTRAL
#define POLICY	SMTP2_DKIMV_POLICY
#define TEMPERR	SMTP2_DKIMV_TEMPERROR
#define PERMERR	SMTP2_DKIMV_PERMERROR
#define ALTER_BODY	"hungry", "Hungry"
#define ALTER_SUBJ	"dinner", "supper"
#define ADD_FROM	"From: Joe", "From: Eve <eve@example.org>\r\nFrom: Joe"

static const struct scase scases[] = {
	{ .name = "rsa-2048 relaxed/relaxed", .result = PASS, .why = "verified" },
	{ .name = "rsa-2048 simple/simple", .c = "simple/simple", .result = PASS },
	{ .name = "rsa-2048 simple/relaxed", .c = "simple/relaxed", .result = PASS },
	{ .name = "rsa-2048 relaxed/simple", .c = "relaxed/simple", .result = PASS },
	{ .name = "ed25519 relaxed/relaxed", .key = K_ED25519, .result = PASS },
	{ .name = "ed25519 simple/simple", .key = K_ED25519,
	  .c = "simple/simple", .result = PASS },
	{ .name = "rsa-1024", .key = K_RSA1024, .result = PASS },
	{ .name = "rsa-512 is too short", .key = K_RSA512, .result = FAIL,
	  .why = "RSA key of 512 bits, fewer than 1024" },
	{ .name = "bare RSAPublicKey in p=", .kform = KF_BARE, .result = PASS },
	{ .name = "l= and a footer added", .l = true,
	  .append = "-- \r\nlist footer\r\n", .result = PASS, .partial = true },
	{ .name = "l= and the body intact", .l = true, .result = PASS },
	{ .name = "l=, simple, footer", .c = "simple/simple", .l = true,
	  .append = "footer\r\n", .result = PASS, .partial = true },
	{ .name = "footer without l=", .append = "footer\r\n", .result = FAIL,
	  .why = "body hash mismatch" },
	{ .name = "body altered", .from = ALTER_BODY, .result = FAIL,
	  .why = "body hash mismatch" },
	{ .name = "subject altered", .from = ALTER_SUBJ, .result = FAIL,
	  .why = "signature does not verify" },
	{ .name = "relaxed header: spaces moved", .from = "Is dinner  ready?",
	  .to = "Is   dinner ready?", .result = PASS },
	{ .name = "simple header: spaces moved", .c = "simple/simple",
	  .from = "Is dinner  ready?", .to = "Is   dinner ready?",
	  .result = FAIL, .why = "signature does not verify" },
	{ .name = "relaxed body: spaces added", .from = "hungry yet?",
	  .to = "hungry \t  yet?", .result = PASS },
	{ .name = "simple body: spaces added", .c = "relaxed/simple",
	  .from = "hungry yet?", .to = "hungry  yet?", .result = FAIL,
	  .why = "body hash mismatch" },
	{ .name = "trailing empty lines added", .c = "simple/simple",
	  .append = "\r\n\r\n", .result = PASS },
	{ .name = "over-signed From, none added", .h = "from:from:to:subject",
	  .result = PASS },
	{ .name = "over-signed From, one added", .h = "from:from:to:subject",
	  .from = ADD_FROM, .result = FAIL, .why = "signature does not verify" },
	{ .name = "From added above, not over-signed", .h = "from:to:subject",
	  .from = ADD_FROM, .result = PASS },
	{ .name = "absent field signed", .h = "from:to:subject:reply-to:cc",
	  .result = PASS },
	{ .name = "absent field added", .h = "from:to:subject:reply-to",
	  .from = "To: Suzie", .to = "Reply-To: <x@example.org>\r\nTo: Suzie",
	  .result = FAIL, .why = "signature does not verify" },
	{ .name = "revoked key", .kform = KF_REVOKED, .result = PERMERR,
	  .why = "revoked" },
	{ .name = "testing key", .keytags = "t=y; ", .result = PASS,
	  .testing = true },
	{ .name = "testing key, body altered", .keytags = "t=y; ",
	  .from = ALTER_BODY, .result = NEUTRAL, .why = "testing",
	  .testing = true },
	{ .name = "testing key, subject altered", .keytags = "t=y:s; ",
	  .from = ALTER_SUBJ, .result = NEUTRAL, .why = "testing",
	  .testing = true },
	{ .name = "t=s, i= below d=", .extra = "i=joe@mail.example.com; ",
	  .keytags = "t=s; ", .result = PERMERR, .why = "t=s" },
	{ .name = "t=s, i= at d=", .extra = "i=joe@EXAMPLE.com; ",
	  .keytags = "t=s; ", .result = PASS },
	{ .name = "i= below d=", .extra = "i=@mail.example.com; ",
	  .result = PASS },
	{ .name = "i= outside d=", .extra = "i=joe@example.org; ",
	  .result = PERMERR, .why = "neither d= nor below it" },
	{ .name = "no key", .kform = KF_NONE, .result = PERMERR,
	  .why = "no key for s" },
	{ .name = "key lookup times out", .kform = KF_TEMPFAIL,
	  .result = TEMPERR, .why = "failed" },
	{ .name = "two key records", .kform = KF_TWO, .result = PERMERR,
	  .why = "2 key records" },
	{ .name = "RSA key for ed25519", .key = K_ED25519, .kform = KF_RSA,
	  .result = PERMERR, .why = "key is k=rsa but a=ed25519-sha256" },
	{ .name = "key h=sha1 only", .keytags = "h=sha1; ", .result = PERMERR,
	  .why = "sha256" },
	{ .name = "key h=sha1:sha256", .keytags = "h=sha1:sha256; ",
	  .result = PASS },
	{ .name = "key for another service", .keytags = "s=other; ",
	  .result = PERMERR, .why = "not for email" },
	{ .name = "key for every service", .keytags = "s=*; ",
	  .result = PASS },
	{ .name = "p= is no key", .kform = KF_JUNK, .result = PERMERR,
	  .why = "not an RSA public key" },
	{ .name = "rsa-sha1", .a = "rsa-sha1", .result = FAIL,
	  .why = "rsa-sha1 is not acceptable (RFC 8301)" },
	{ .name = "unknown a=", .a = "rsa-sha512", .result = PERMERR,
	  .why = "unknown algorithm" },
	{ .name = "From not signed", .h = "to:subject", .result = PERMERR,
	  .why = "From is not signed" },
	{ .name = "expired", .extra = "t=1000000000; x=1000086400; ",
	  .now = NOW, .result = POLICY, .why = "expired" },
	{ .name = "expired and altered", .extra = "x=1000086400; ",
	  .now = NOW, .from = ALTER_BODY, .result = FAIL, .why = "body hash" },
	{ .name = "x= within the skew", .extra = "x=1699999900; ", .now = NOW,
	  .result = PASS },
	{ .name = "t= in the future", .extra = "t=1700001000; ", .now = NOW,
	  .result = POLICY, .why = "future" },
	{ .name = "t= within the skew", .extra = "t=1700000200; ", .now = NOW,
	  .result = PASS },
	{ .name = "x= before t=", .extra = "t=1700000000; x=1600000000; ",
	  .result = PERMERR, .why = "is not after" },
};

/* alter - the signed message with a case's changes; caller frees */
static char *
alter(const struct scase *c, const char *msg)
{
	struct buf b = { NULL, 0, 0 };
	const char *at;

	if (c->from != NULL) {
		assert_non_null(at = strstr(msg, c->from));
		buf_add(&b, msg, (size_t)(at - msg));
		buf_str(&b, c->to);
		buf_str(&b, at + strlen(c->from));
	} else
		buf_str(&b, msg);
	if (c->append != NULL)
		buf_str(&b, c->append);
	return (b.p);
}

/* publish_case - the key record(s) a case wants at name */
static void
publish_case(struct world *w, const struct scase *c, const char *name)
{
	struct buf r = { NULL, 0, 0 }, r2 = { NULL, 0, 0 };
	const char *two[2];

	switch (c->kform) {
	case KF_TEMPFAIL:
		return;
	case KF_NONE:
		publish(w, name, NULL, 0);
		return;
	case KF_REVOKED:
		publish1(w, name, "v=DKIM1; k=rsa; p=");
		return;
	case KF_JUNK:
		publish1(w, name, "v=DKIM1; p=AAAAAAAA");
		return;
	default:
		break;
	}
	key_record(w->key[c->kform == KF_RSA ? K_RSA2048 : c->key], c->keytags,
	    c->kform == KF_BARE, &r);
	if (c->kform == KF_TWO) {
		key_record(w->key[K_RSA1024], NULL, false, &r2);
		two[0] = r.p;
		two[1] = r2.p;
		publish(w, name, two, 2);
	} else
		publish1(w, name, r.p);
	free(r.p);
	free(r2.p);
}

/* run_scase - sign, change, publish, verify every way, compare */
static void
run_scase(struct world *w, const struct scase *c, size_t idx)
{
	struct tsig t;
	struct outcome r;
	char	sel[16], name[64], *signd, *msg;

	snprintf(sel, sizeof(sel), "s%zu", idx);
	snprintf(name, sizeof(name), "%s._domainkey.example.com", sel);
	memset(&t, 0, sizeof(t));
	t.key = w->key[c->key];
	t.a = c->a;
	t.c = c->c != NULL ? c->c : "relaxed/relaxed";
	t.d = "example.com";
	t.s = sel;
	t.h = c->h != NULL ? c->h : H_ALL;
	t.extra = c->extra;
	t.l = c->l;
	publish_case(w, c, name);
	signd = sign(&t, MSG);
	msg = alter(c, signd);
	verify_every_way(w, msg, c->now, &r);
	print_message("%-36s %s: %s\n", c->name,
	    smtp2_dkimv_result_name(r.s[0].result), r.s[0].why);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].result, c->result);
	assert_non_null(strstr(r.s[0].why, c->why != NULL ? c->why : ""));
	assert_int_equal(r.s[0].partial_body, c->partial);
	assert_int_equal(r.s[0].testing, c->testing);
	assert_string_equal(r.s[0].domain, "example.com");
	assert_string_equal(r.s[0].selector, sel);
	assert_int_equal(strlen(r.s[0].b), 12);
	assert_non_null(strstr(signd, r.s[0].b));
	free(msg);
	free(signd);
}

/* test_signed_cases - the table */
static void
test_signed_cases(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++)
		run_scase(*state, &scases[i], i);
}

/* sign_with - sign msg with key under selector sel of example.com,
 * publishing the key; the new message replaces *msg */
static void
sign_with(struct world *w, EVP_PKEY *key, const char *sel, const char *h,
    char **msg)
{
	struct tsig t = { key, NULL, "relaxed/relaxed", "example.com", sel,
	    h, NULL, false };
	struct buf r = { NULL, 0, 0 };
	char	name[64], *out;

	snprintf(name, sizeof(name), "%s._domainkey.example.com", sel);
	key_record(key, NULL, false, &r);
	publish1(w, name, r.p);
	out = sign(&t, *msg);
	free(*msg);
	*msg = out;
	free(r.p);
}

/* test_two_signatures - both reported, in header order */
static void
test_two_signatures(void **state)
{
	struct world *w = *state;
	struct outcome r;
	char	*msg = strdup(MSG), *bad;

	sign_with(w, w->key[K_ED25519], "ed", H_ALL, &msg);
	sign_with(w, w->key[K_RSA2048], "rsa", "from:subject", &msg);
	verify_every_way(w, msg, 0, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.s[0].selector, "rsa");
	assert_int_equal(r.s[0].result, PASS);
	assert_string_equal(r.s[1].selector, "ed");
	assert_int_equal(r.s[1].result, PASS);
	bad = strdup(msg);
	*strstr(bad, "hungry") = 'H';
	verify_every_way(w, bad, 0, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.s[0].result, FAIL);
	assert_int_equal(r.s[1].result, FAIL);
	assert_int_equal(smtp2_dkimv_summary(r.s, r.n), FAIL);
	free(bad);
	free(msg);
}

/* test_too_many - the first SMTP2_DKIMV_SIGS_MAX are verified */
static void
test_too_many(void **state)
{
	struct world *w = *state;
	struct outcome r;
	char	*msg = strdup(MSG);
	size_t	i;

	for (i = 0; i < SMTP2_DKIMV_SIGS_MAX + 3; i++)
		sign_with(w, w->key[K_ED25519], "many", "from", &msg);
	verify(w, msg, strlen(msg), 0, 0, &r);
	assert_int_equal(r.n, SMTP2_DKIMV_SIGS_MAX);
	for (i = 0; i < r.n; i++)
		assert_int_equal(r.s[i].result, PASS);
	free(msg);
}

/* flood - n Received fields of about 1000 bytes each, folded */
static void
flood(struct buf *b, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		buf_fmt(b, "Received: from relay%zu.example.net", i);
		for (j = 0; j < 20; j++)
			buf_str(b, "\r\n\tby hop.example.net with ESMTP id "
			    "0123456789abcdef;");
		buf_str(b, "\r\n");
	}
}

/* test_header_overflow - signatures that need dropped fields are
 * permerror; the others are still judged */
static void
test_header_overflow(void **state)
{
	struct world *w = *state;
	struct buf b = { NULL, 0, 0 };
	struct outcome r;
	char	*msg;
	size_t	i;

	buf_str(&b, "From: Joe <joe@example.com>\r\nSubject: big\r\n");
	flood(&b, 60);
	buf_str(&b, "To: Suzie <suzie@example.net>\r\n"
	    "DKIM-Signature: v=1; a=rsa-sha256; d=Late.Example; s=x; h=from;"
	    " bh=AAAA; b=AAAA; z=");
	for (i = 0; i < 40; i++)	/* too big for what room is left */
		buf_str(&b, "\r\n 0123456789012345678901234567890123456789");
	buf_str(&b, "\r\n\r\nbody\r\n");
	msg = b.p;
	sign_with(w, w->key[K_RSA2048], "top", "from:subject:to", &msg);
	sign_with(w, w->key[K_RSA2048], "top2", "from:received", &msg);
	verify_every_way(w, msg, 0, &r);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.s[0].selector, "top2");
	assert_int_equal(r.s[0].result, PERMERR);
	assert_string_equal(r.s[0].why, "header larger than 49152 bytes");
	assert_string_equal(r.s[1].selector, "top");
	assert_int_equal(r.s[1].result, PASS);
	assert_int_equal(r.s[2].result, PERMERR);
	assert_string_equal(r.s[2].domain, "late.example");
	assert_string_equal(r.s[2].why, "header larger than 49152 bytes");
	free(msg);
}

/* test_malformed - bad signatures say why and still name the signer */
static void
test_malformed(void **state)
{
	static const char msg[] =
	    "DKIM-Signature: v=1; a=rsa-sha256; d=Example.COM; s=sel;\r\n"
	    "  h=to; bh=AAAA; b=abc\r\n def\r\n"
	    "DKIM-Signature: garbage\r\n"
	    "DKIM-Signature:\r\n"
	    "From: a@example.com\r\n"
	    "\r\n";
	struct outcome r;

	verify_every_way(*state, msg, 0, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.s[0].result, PERMERR);
	assert_non_null(strstr(r.s[0].why, "From is not signed"));
	assert_string_equal(r.s[0].domain, "example.com");
	assert_string_equal(r.s[0].selector, "sel");
	assert_string_equal(r.s[0].identity, "@example.com");
	assert_string_equal(r.s[0].b, "abcdef");
	assert_int_equal(r.s[1].result, PERMERR);
	assert_string_equal(r.s[1].domain, "");
	assert_int_equal(r.s[2].result, PERMERR);
	assert_int_equal(smtp2_dkimv_summary(r.s, r.n), PERMERR);
}

/* test_unsigned - no signature, no result */
static void
test_unsigned(void **state)
{
	struct outcome r;

	verify_every_way(*state, MSG, 0, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(smtp2_dkimv_summary(r.s, 0), SMTP2_DKIMV_NONE);
}

/* with_keys - verify once through another key cache (NULL: none) */
static void
with_keys(struct world *w, struct smtp2_dkim_keys *k, const char *msg,
    enum smtp2_dkimv_result want)
{
	struct smtp2_dkim_keys *saved = w->keys;
	struct outcome r;

	w->keys = k;
	verify(w, msg, strlen(msg), 0, 0, &r);
	w->keys = saved;
	assert_int_equal(r.n, 1);
	assert_int_equal(r.s[0].result, want);
}

/* test_key_cache - hits, negative entries, no TEMPFAIL, eviction */
static void
test_key_cache(void **state)
{
	struct world *w = *state;
	struct smtp2_dkim_keys *one;
	char	*a = strdup(MSG), *b = strdup(MSG), *c = strdup(MSG);

	sign_with(w, w->key[K_RSA2048], "ka", "from", &a);
	sign_with(w, w->key[K_ED25519], "kb", "from", &b);
	with_keys(w, w->keys, a, PASS);
	smtp2_dns_cache_flush(w->cache);
	with_keys(w, w->keys, a, PASS);		/* the key came from the cache */
	with_keys(w, NULL, a, TEMPERR);		/* DNS alone: nothing */
	publish(w, "ka._domainkey.example.com", NULL, 0);
	with_keys(w, w->keys, a, PASS);		/* still cached */
	with_keys(w, NULL, a, PERMERR);

	/* A missing key is remembered; a failed lookup is not. */
	sign_with(w, w->key[K_RSA2048], "kc", "from", &c);
	smtp2_dns_cache_flush(w->cache);
	with_keys(w, w->keys, c, TEMPERR);
	publish(w, "kc._domainkey.example.com", NULL, 0);
	with_keys(w, w->keys, c, PERMERR);
	smtp2_dns_cache_flush(w->cache);
	with_keys(w, w->keys, c, PERMERR);

	/* One entry: b's key pushes a's out. */
	assert_null(smtp2_dkim_keys_new(0, 60));
	assert_non_null(one = smtp2_dkim_keys_new(1, 60));
	free(a);
	free(b);
	a = strdup(MSG);
	b = strdup(MSG);
	sign_with(w, w->key[K_RSA2048], "ka", "from", &a);
	sign_with(w, w->key[K_ED25519], "kb", "from", &b);
	with_keys(w, one, a, PASS);
	with_keys(w, one, b, PASS);
	smtp2_dns_cache_flush(w->cache);
	with_keys(w, one, b, PASS);
	with_keys(w, one, a, TEMPERR);
	smtp2_dkim_keys_free(one);
	free(a);
	free(b);
	free(c);
}

/* One thread of test_threads. */
struct worker {
	struct world	*w;
	const char	*msg;
	struct smtp2_dns *dns;
	int		passes;
};

/* worker_run - verify the same message many times */
static void *
worker_run(void *arg)
{
	struct worker *k = arg;
	struct smtp2_dkimv_opts o;
	struct smtp2_dkimv *v;
	const struct smtp2_dkimv_sig *s;
	int	i;

	memset(&o, 0, sizeof(o));
	o.dns = k->dns;
	o.keys = k->w->keys;
	for (i = 0; i < 200; i++) {
		if ((v = smtp2_dkimv_new(&o)) == NULL)
			continue;
		feed(v, k->msg, strlen(k->msg), 100);
		if (smtp2_dkimv_eom(v, &s) == 2 && s[0].result == PASS
		    && s[1].result == PASS)
			k->passes++;
		smtp2_dkimv_free(v);
	}
	return (NULL);
}

/* new_dns - a resolver on the shared cache, to a dead address */
static struct smtp2_dns *
new_dns(struct smtp2_dns_cache *cache)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	struct smtp2_dns_opts o;
	char	why[256];

	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = 50;
	o.cache = cache;
	return (smtp2_dns_new(&o, why, sizeof(why)));
}

/* test_threads - one key cache, four threads, each its own resolver */
static void
test_threads(void **state)
{
	struct world *w = *state;
	struct worker k[4];
	pthread_t th[4];
	char	*msg = strdup(MSG);
	size_t	i;

	sign_with(w, w->key[K_ED25519], "t1", "from:to", &msg);
	sign_with(w, w->key[K_RSA2048], "t2", "from:subject", &msg);
	for (i = 0; i < 4; i++) {
		k[i].w = w;
		k[i].msg = msg;
		k[i].passes = 0;
		assert_non_null(k[i].dns = new_dns(w->cache));
		assert_int_equal(pthread_create(&th[i], NULL, worker_run,
		    &k[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(k[i].passes, 200);
		smtp2_dns_free(k[i].dns);
	}
	free(msg);
}

/* test_names - result names and the summary's order */
static void
test_names(void **state)
{
	struct smtp2_dkimv_sig s[3];

	(void)state;
	assert_string_equal(smtp2_dkimv_result_name(PASS), "pass");
	assert_string_equal(smtp2_dkimv_result_name(NEUTRAL), "neutral");
	assert_string_equal(smtp2_dkimv_result_name(POLICY), "policy");
	assert_string_equal(smtp2_dkimv_result_name(TEMPERR), "temperror");
	assert_string_equal(smtp2_dkimv_result_name(PERMERR), "permerror");
	assert_string_equal(smtp2_dkimv_result_name(SMTP2_DKIMV_NONE), "none");
	memset(s, 0, sizeof(s));
	s[0].result = NEUTRAL;
	s[1].result = PERMERR;
	s[2].result = FAIL;
	assert_int_equal(smtp2_dkimv_summary(s, 3), FAIL);
	s[0].result = TEMPERR;
	assert_int_equal(smtp2_dkimv_summary(s, 3), TEMPERR);
	s[1].result = PASS;
	assert_int_equal(smtp2_dkimv_summary(s, 3), PASS);
	s[0].result = POLICY;
	assert_int_equal(smtp2_dkimv_summary(s, 1), POLICY);
}

/* setup_world - resolver, caches, keys: once for all tests */
static int
setup_world(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_non_null(w->cache = smtp2_dns_cache_new(256, 3600));
	assert_non_null(w->dns = new_dns(w->cache));
	assert_non_null(w->key[K_RSA2048] = EVP_RSA_gen(2048));
	assert_non_null(w->key[K_RSA1024] = EVP_RSA_gen(1024));
	assert_non_null(w->key[K_RSA512] = EVP_RSA_gen(512));
	assert_non_null(w->key[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL,
	    "ED25519"));
	*state = w;
	return (0);
}

/* setup_test - every test starts from empty caches */
static int
setup_test(void **state)
{
	struct world *w = *state;

	smtp2_dns_cache_flush(w->cache);
	smtp2_dkim_keys_free(w->keys);
	w->keys = smtp2_dkim_keys_new(64, 3600);
	return (w->keys != NULL ? 0 : -1);
}

/* teardown_world - everything setup_world made */
static int
teardown_world(void **state)
{
	struct world *w = *state;
	size_t	i;

	for (i = 0; i < K_COUNT; i++)
		EVP_PKEY_free(w->key[i]);
	smtp2_dkim_keys_free(w->keys);
	smtp2_dns_free(w->dns);
	smtp2_dns_cache_free(w->cache);
	free(w);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6376_examples),
		cmocka_unit_test(test_body_canon),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup(test_rfc8463, setup_test),
		cmocka_unit_test_setup(test_signed_cases, setup_test),
		cmocka_unit_test_setup(test_two_signatures, setup_test),
		cmocka_unit_test_setup(test_too_many, setup_test),
		cmocka_unit_test_setup(test_header_overflow, setup_test),
		cmocka_unit_test_setup(test_malformed, setup_test),
		cmocka_unit_test_setup(test_unsigned, setup_test),
		cmocka_unit_test_setup(test_key_cache, setup_test),
		cmocka_unit_test_setup(test_threads, setup_test),
	};

	return (cmocka_run_group_tests(tests, setup_world, teardown_world));
}
