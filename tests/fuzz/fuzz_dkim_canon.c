/*
 * fuzz_dkim_canon.c - DKIM canonicalisation (lib/src/dkim_canon.c) on
 * arbitrary bytes.
 *
 * Input: one byte of options (a skip range for the header, the l=
 * budget), one byte seeding the chunk sizes, then the text.  The text is
 * canonicalised as a header field both ways and as a body both ways.
 * Bodies are fed whole, a byte at a time and in pseudo-random chunks,
 * and must come out the same each time and the same as a plain
 * whole-buffer reference written here; an l= budget must cut exactly
 * that output.  Beyond that, the outputs must keep the shape RFC 6376
 * promises: relaxed output has no whitespace runs, no tab, no space
 * before a line end; bodies end in exactly one CRLF or are empty.
 */

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "../../lib/src/dkim_canon.h"

/* A growing output; abort() when memory runs out (a fuzzer may). */
struct fbuf {
	unsigned char	*p;
	size_t		n, cap;
};

/* fbuf_add - append bytes */
static void
fbuf_add(struct fbuf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 16;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* tap - the sink's view of the output */
static void
tap(void *arg, const unsigned char *p, size_t len)
{
	fbuf_add(arg, p, len);
}

/* is_wsp - SP or HTAB */
static bool
is_wsp(unsigned char c)
{
	return (c == ' ' || c == '\t');
}

/* check_relaxed_shape - no WSP runs, no tab, no SP before CR LF */
static void
check_relaxed_shape(const struct fbuf *o)
{
	size_t	i;

	for (i = 0; i < o->n; i++) {
		if (o->p[i] == '\t')
			abort();
		if (o->p[i] == ' ' && i + 1 < o->n && (o->p[i + 1] == ' '
		    || (o->p[i + 1] == '\r' && i + 2 < o->n
		    && o->p[i + 2] == '\n')))
			abort();
	}
}

/* check_header - one field both ways */
static void
check_header(const unsigned char *t, size_t len, size_t skip, size_t skiplen)
{
	struct fbuf out = { NULL, 0, 0 };
	struct smtp2_dkim_sink sink = { NULL, tap, &out, false };
	struct smtp2_dkim_out o;
	size_t	i, colon;

	smtp2_dkim_out_init(&o, &sink, 0, UINT64_MAX);
	smtp2_dkim_canon_header(SMTP2_DKIM_RELAXED, (const char *)t, len, skip,
	    skiplen, true, &o);
	smtp2_dkim_out_flush(&o);
	if (out.n < 2 || memcmp(out.p + out.n - 2, "\r\n", 2) != 0
	    || (out.n > 2 && out.p[out.n - 3] == ' '))
		abort();
	for (i = 0; i + 2 < out.n; i++)
		if (out.p[i] == '\r' || out.p[i] == '\n')
			abort();
	check_relaxed_shape(&out);
	for (colon = 0; colon < out.n && out.p[colon] != ':'; colon++)
		if (out.p[colon] >= 'A' && out.p[colon] <= 'Z')
			abort();
	if (colon < out.n && ((colon > 0 && out.p[colon - 1] == ' ')
	    || (colon + 1 < out.n && out.p[colon + 1] == ' ')))
		abort();
	out.n = 0;
	smtp2_dkim_out_init(&o, &sink, 0, UINT64_MAX);
	smtp2_dkim_canon_header(SMTP2_DKIM_SIMPLE, (const char *)t, len, 0, 0,
	    false, &o);
	smtp2_dkim_out_flush(&o);
	for (i = 0; i < out.n; i++)
		if (out.p[i] == '\n' && (i == 0 || out.p[i - 1] != '\r'))
			abort();
	free(out.p);
}

/* ref_line - one line of the reference body, relaxed or not */
static void
ref_line(bool relaxed, const unsigned char *p, size_t len, struct fbuf *out)
{
	size_t	i;
	bool	wsp = false;

	for (i = 0; i < len; i++) {
		if (relaxed && is_wsp(p[i])) {
			wsp = true;
			continue;
		}
		if (wsp)
			fbuf_add(out, " ", 1);
		wsp = false;
		fbuf_add(out, p + i, 1);
	}
	fbuf_add(out, "\r\n", 2);
}

/* ref_body - the body canonicalised the slow, obvious way */
static void
ref_body(bool relaxed, const unsigned char *p, size_t n, struct fbuf *out)
{
	const unsigned char *eol;
	size_t	len;

	while (n > 0) {
		eol = memchr(p, '\n', n);
		len = eol != NULL ? (size_t)(eol - p) : n;
		ref_line(relaxed, p, eol != NULL && len > 0 && p[len - 1] == '\r'
		    ? len - 1 : len, out);
		if (eol == NULL)
			break;
		n -= len + 1;
		p += len + 1;
	}
	while (out->n >= 2 && (out->n == 2 || (out->n >= 4
	    && memcmp(out->p + out->n - 4, "\r\n\r\n", 4) == 0)))
		out->n -= 2;
	if (out->n == 0 && !relaxed)
		fbuf_add(out, "\r\n", 2);
}

/* run_body - the library's body output, fed in chunks from seed */
static bool
run_body(enum smtp2_dkim_canon c, const unsigned char *p, size_t n,
    unsigned seed, uint64_t limit, struct fbuf *out)
{
	struct smtp2_dkim_sink sink = { NULL, tap, out, false };
	struct smtp2_dkim_body b;
	size_t	pos, k;

	out->n = 0;
	smtp2_dkim_body_init(&b, c, limit, &sink);
	for (pos = 0; pos < n; pos += k) {
		seed = seed * 1103515245u + 12345u;
		k = seed == 0 ? n - pos : 1 + (seed >> 16) % 17;
		if (k > n - pos)
			k = n - pos;
		smtp2_dkim_body_update(&b, p + pos, k);
	}
	smtp2_dkim_body_final(&b);
	return (smtp2_dkim_body_partial(&b));
}

/* same - equal outputs */
static bool
same(const struct fbuf *a, const struct fbuf *b)
{
	return (a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0));
}

/* check_body - one canonicalisation every way */
static void
check_body(enum smtp2_dkim_canon c, const unsigned char *p, size_t n,
    unsigned seed, uint64_t limit)
{
	struct fbuf whole = { NULL, 0, 0 }, part = { NULL, 0, 0 },
	    ref = { NULL, 0, 0 };
	bool	partial;

	ref_body(c == SMTP2_DKIM_RELAXED, p, n, &ref);
	(void)run_body(c, p, n, 0, UINT64_MAX, &whole);
	if (!same(&whole, &ref))
		abort();
	(void)run_body(c, p, n, seed | 1, UINT64_MAX, &part);
	if (!same(&whole, &part))
		abort();
	if (c == SMTP2_DKIM_RELAXED)
		check_relaxed_shape(&whole);
	if (whole.n > 0 && (whole.n < 2 || memcmp(whole.p + whole.n - 2,
	    "\r\n", 2) != 0 || (whole.n >= 4 && memcmp(whole.p + whole.n - 4,
	    "\r\n\r\n", 4) == 0)))
		abort();
	if (c == SMTP2_DKIM_SIMPLE && whole.n == 0)
		abort();
	partial = run_body(c, p, n, seed, limit, &part);
	if (part.n != (whole.n < limit ? whole.n : limit)
	    || (part.n > 0 && memcmp(part.p, whole.p, part.n) != 0)
	    || partial != (whole.n > limit))
		abort();
	free(whole.p);
	free(part.p);
	free(ref.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *t;
	size_t	n, skip;
	unsigned opt, seed;

	if (size < 2)
		return (0);
	opt = data[0];
	seed = data[1];
	n = size - 2;
	if ((t = malloc(n ? n : 1)) == NULL)	/* exact size for ASan */
		return (0);
	memcpy(t, data + 2, n);
	skip = n > 0 ? (opt * 7u) % n : 0;
	check_header(t, n, skip, opt & 1 ? (opt >> 4) : 0);
	check_body(SMTP2_DKIM_SIMPLE, t, n, seed, (uint64_t)opt * 3);
	check_body(SMTP2_DKIM_RELAXED, t, n, seed, (uint64_t)opt * 3);
	free(t);
	return (0);
}
