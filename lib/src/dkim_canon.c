/*
 * dkim_canon.c - simple and relaxed canonicalisation of header fields and
 * of the body (RFC 6376 3.4.1 to 3.4.4).
 *
 * The body goes through in runs: bytes that need no thought (everything
 * but CR, LF and, when relaxed, SP and HTAB) are copied a run at a time
 * into the caller's stack buffer, which reaches the digest a few KiB at
 * a time.  Line ends are held back as a count until something other than
 * an empty line follows, which is how trailing empty lines vanish
 * without keeping any of them.
 */

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include "dkim_canon.h"

/* sink_write - give bytes to the digest and to the tap */
static void
sink_write(struct smtp2_dkim_sink *s, const unsigned char *p, size_t len)
{
	if (s->md != NULL && EVP_DigestUpdate(s->md, p, len) != 1)
		s->failed = true;
	if (s->tap != NULL)
		s->tap(s->tap_arg, p, len);
}

/* smtp2_dkim_out_init - an empty buffer in front of sink */
void
smtp2_dkim_out_init(struct smtp2_dkim_out *o, struct smtp2_dkim_sink *sink,
    uint64_t total, uint64_t limit)
{
	o->sink = sink;
	o->total = total;
	o->limit = limit;
	o->n = 0;
}

/* smtp2_dkim_out_flush - the buffer to the sink, cut at the limit */
void
smtp2_dkim_out_flush(struct smtp2_dkim_out *o)
{
	size_t	give = o->n;

	if (o->total >= o->limit)
		give = 0;
	else if (o->limit - o->total < give)
		give = (size_t)(o->limit - o->total);
	if (give > 0)
		sink_write(o->sink, o->buf, give);
	o->total += o->n;
	o->n = 0;
}

/* out_put - append bytes, flushing as the buffer fills */
static void
out_put(struct smtp2_dkim_out *o, const unsigned char *p, size_t len)
{
	size_t	room;

	while (len > 0) {
		if (o->n == sizeof(o->buf))
			smtp2_dkim_out_flush(o);
		room = sizeof(o->buf) - o->n;
		if (room > len)
			room = len;
		memcpy(o->buf + o->n, p, room);
		o->n += room;
		p += room;
		len -= room;
	}
}

/* out_byte - append one byte */
static inline void
out_byte(struct smtp2_dkim_out *o, unsigned char c)
{
	if (o->n == sizeof(o->buf))
		smtp2_dkim_out_flush(o);
	o->buf[o->n++] = c;
}

/* header_simple - the field unchanged but for bare LF made CRLF */
static void
header_simple(const unsigned char *f, size_t len, size_t skip,
    size_t skiplen, struct smtp2_dkim_out *o)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (skiplen > 0 && i == skip) {
			i += skiplen - 1;
			continue;
		}
		if (f[i] == '\n' && (i == 0 || f[i - 1] != '\r'))
			out_byte(o, '\r');
		out_byte(o, f[i]);
	}
}

/*
 * header_relaxed - name in lower case, unfolded, whitespace runs made one
 * SP, none around the colon or at the end.  Every CR and LF goes: the
 * folds are unfolded, and a lone CR in a header is no content worth
 * keeping (it cannot survive SMTP anyway).
 */
static void
header_relaxed(const unsigned char *f, size_t len, size_t skip,
    size_t skiplen, struct smtp2_dkim_out *o)
{
	bool	value = false, started = false, wsp = false;
	size_t	i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		if (skiplen > 0 && i == skip) {
			i += skiplen - 1;
			continue;
		}
		c = f[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == ' ' || c == '\t') {
			wsp = started;
			continue;
		}
		if (!value && c == ':') {
			out_byte(o, ':');
			value = true;
			started = wsp = false;
			continue;
		}
		if (wsp)
			out_byte(o, ' ');
		wsp = false;
		started = true;
		out_byte(o, !value && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
}

/* smtp2_dkim_canon_header - one field, canonicalised, into o */
void
smtp2_dkim_canon_header(enum smtp2_dkim_canon c, const char *field,
    size_t len, size_t skip, size_t skiplen, bool crlf,
    struct smtp2_dkim_out *o)
{
	const unsigned char *f = (const unsigned char *)field;

	if (skip >= len || skiplen > len - skip)
		skiplen = 0;
	if (c == SMTP2_DKIM_RELAXED)
		header_relaxed(f, len, skip, skiplen, o);
	else
		header_simple(f, len, skip, skiplen, o);
	if (crlf)
		out_put(o, (const unsigned char *)"\r\n", 2);
}

/* smtp2_dkim_body_init - start a body */
void
smtp2_dkim_body_init(struct smtp2_dkim_body *b, enum smtp2_dkim_canon c,
    uint64_t limit, struct smtp2_dkim_sink *sink)
{
	memset(b, 0, sizeof(*b));
	b->canon = c;
	b->limit = limit;
	b->sink = sink;
}

/* body_special - a byte that is not simply copied */
static inline bool
body_special(const struct smtp2_dkim_body *b, unsigned char c)
{
	if (c > ' ')
		return (false);
	return (c == '\r' || c == '\n' || (b->canon == SMTP2_DKIM_RELAXED
	    && (c == ' ' || c == '\t')));
}

/* body_run_simple - the end of a run of plain bytes: the first CR or LF
 * (looked for within the line only, so LF-only text stays linear) */
static size_t
body_run_simple(const unsigned char *p, size_t i, size_t len)
{
	const unsigned char *nl, *cr;
	size_t	end;

	nl = memchr(p + i, '\n', len - i);
	end = nl != NULL ? (size_t)(nl - p) : len;
	cr = memchr(p + i, '\r', end - i);
	return (cr != NULL ? (size_t)(cr - p) : end);
}

/* Relaxed body classes: 1 always ends a run, 2 (SP) only before another
 * of these.  Immutable. */
static const unsigned char relaxed_class[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 2,
};

/* relaxed_stop - does a run end at p[i] (i + 1 < len)? */
static inline bool
relaxed_stop(const unsigned char *p, size_t i)
{
	unsigned k = relaxed_class[p[i]];

	return ((k & 1) | ((k >> 1) & (relaxed_class[p[i + 1]] != 0)));
}

#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGH	0x8080808080808080ULL

/* swar_below - the high bit of each byte of x that is below n (n <= 0x80);
 * exact per byte: no carry crosses a byte */
static inline uint64_t
swar_below(uint64_t x, unsigned n)
{
	return (~(((x & ~SWAR_HIGH) + (0x80 - n) * SWAR_ONES) | x) & SWAR_HIGH);
}

/*
 * body_run_relaxed - the end of a run of plain bytes.  One SP between two
 * plain bytes is canonical as it stands, so a run spans words.  Eight
 * bytes at a time: a word with no control byte and no SP before a byte
 * <= SP is all plain.  Candidates (any control; an SP in the last lane)
 * are then judged one by one, so the shortcut only has to be safe.
 */
static size_t
body_run_relaxed(const unsigned char *p, size_t i, size_t len)
{
	uint64_t x, ctl, sp, cand;

	while (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && i + 9 <= len) {
		memcpy(&x, p + i, sizeof(x));
		ctl = swar_below(x, 0x20);
		sp = swar_below(x, 0x21) & ~ctl;
		cand = ctl | (sp & ((swar_below(x, 0x21) >> 8)
		    | (p[i + 8] <= ' ' ? 1ULL << 63 : 0)));
		if (cand == 0) {
			i += 8;
			continue;
		}
		i += (size_t)__builtin_ctzll(cand) / 8;
		if (relaxed_stop(p, i))
			return (i);
		i++;
	}
	for (; i + 1 < len; i++)
		if (relaxed_stop(p, i))
			return (i);
	return (i < len && relaxed_class[p[i]] != 0 ? i : len);
}

/* body_held - what was held back, now that content follows it */
static void
body_held(struct smtp2_dkim_body *b, struct smtp2_dkim_out *o)
{
	for (; b->crlfs > 0; b->crlfs--)
		out_put(o, (const unsigned char *)"\r\n", 2);
	if (b->wsp) {
		out_byte(o, ' ');
		b->wsp = false;
	}
}

/* body_content - a run of content, after a held CR (a bare one: content) */
static void
body_content(struct smtp2_dkim_body *b, struct smtp2_dkim_out *o,
    const unsigned char *p, size_t len)
{
	if (b->cr) {
		b->cr = false;
		body_held(b, o);
		out_byte(o, '\r');
	}
	if (len > 0) {
		body_held(b, o);
		out_put(o, p, len);
	}
	if (b->limit != UINT64_MAX && o->total + o->n > b->limit)
		b->over = true;
}

/* body_control - CR, LF, and relaxed whitespace */
static void
body_control(struct smtp2_dkim_body *b, struct smtp2_dkim_out *o,
    unsigned char c)
{
	if (c == '\n') {
		b->cr = b->wsp = false;	/* relaxed: trailing WSP goes */
		b->crlfs++;
		return;
	}
	if (b->cr)			/* the held CR was not a line end */
		body_content(b, o, NULL, 0);
	if (c == '\r')
		b->cr = true;
	else
		b->wsp = true;
}

/* smtp2_dkim_body_update - the next chunk */
void
smtp2_dkim_body_update(struct smtp2_dkim_body *b, const unsigned char *p,
    size_t len)
{
	struct smtp2_dkim_out o;
	size_t	i = 0, j;

	if (b->over || len == 0)
		return;
	smtp2_dkim_out_init(&o, b->sink, b->total, b->limit);
	while (i < len && !b->over) {
		if (body_special(b, p[i])) {
			body_control(b, &o, p[i++]);
			continue;
		}
		j = b->canon == SMTP2_DKIM_RELAXED ?
		    body_run_relaxed(p, i + 1, len) :
		    body_run_simple(p, i + 1, len);
		body_content(b, &o, p + i, j - i);
		i = j;
	}
	smtp2_dkim_out_flush(&o);
	b->total = o.total;
}

/* smtp2_dkim_body_final - the held CR, the final CRLF, or the empty body */
void
smtp2_dkim_body_final(struct smtp2_dkim_body *b)
{
	struct smtp2_dkim_out o;

	if (b->over)
		return;
	smtp2_dkim_out_init(&o, b->sink, b->total, b->limit);
	if (b->cr)
		body_content(b, &o, NULL, 0);
	/* Something was written: it ends with exactly one CRLF, whatever
	 * number of line ends was held.  Nothing: simple says CRLF. */
	if (o.total + o.n > 0 || b->canon == SMTP2_DKIM_SIMPLE)
		out_put(&o, (const unsigned char *)"\r\n", 2);
	b->crlfs = 0;
	b->wsp = false;
	smtp2_dkim_out_flush(&o);
	b->total = o.total;
}

/* smtp2_dkim_body_partial - is the canonical body longer than l=? */
bool
smtp2_dkim_body_partial(const struct smtp2_dkim_body *b)
{
	return (b->limit != UINT64_MAX && (b->over || b->total > b->limit));
}
