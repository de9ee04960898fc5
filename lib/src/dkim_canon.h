/*
 * dkim_canon.h - DKIM canonicalisation (RFC 6376 3.4): header fields one
 * at a time, the body as a stream of chunks of any size.
 *
 * Both write through a small buffer (struct smtp2_dkim_out, on the
 * caller's stack) into a struct smtp2_dkim_sink: a digest, and for tests
 * and fuzzing a tap that sees the same bytes.  The body canonicaliser
 * keeps O(1) state between chunks: how many line ends it holds back
 * (trailing empty lines vanish), whether whitespace is pending (relaxed),
 * whether the chunk ended in a CR.  Nothing of the body is kept.
 *
 * Line ends: CRLF or a bare LF end a line and come out as CRLF; a CR not
 * followed by LF is an ordinary byte.
 *
 * Internal to libsmtp2; names keep the smtp2_dkim_ prefix because a
 * static library cannot hide them.
 */
#ifndef SMTP2_DKIM_CANON_H
#define SMTP2_DKIM_CANON_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include <smtp2/dkim.h>

#define SMTP2_DKIM_OUT_BUF	4096	/* bytes per digest update, at most */

/* Where canonical bytes go.  Not owned: md and tap belong to the caller. */
struct smtp2_dkim_sink {
	EVP_MD_CTX	*md;		/* fed when not NULL */
	void		(*tap)(void *arg, const unsigned char *p, size_t len);
	void		*tap_arg;	/* tap may be NULL */
	bool		failed;		/* a digest update failed */
};

/*
 * The buffer in front of a sink, with a byte budget (l=): bytes past
 * limit are counted in total but never reach the sink.  Lives on the
 * stack of whoever canonicalises; smtp2_dkim_out_flush() empties it.
 */
struct smtp2_dkim_out {
	struct smtp2_dkim_sink *sink;
	uint64_t	total;		/* bytes written, limit or not */
	uint64_t	limit;		/* UINT64_MAX: none */
	size_t		n;		/* bytes in buf */
	unsigned char	buf[SMTP2_DKIM_OUT_BUF];
};

/* smtp2_dkim_out_init - an empty buffer in front of sink */
void smtp2_dkim_out_init(struct smtp2_dkim_out *o, struct smtp2_dkim_sink *sink,
    uint64_t total, uint64_t limit);

/* smtp2_dkim_out_flush - hand what is buffered to the sink */
void smtp2_dkim_out_flush(struct smtp2_dkim_out *o);

/*
 * smtp2_dkim_canon_header - canonicalise one header field ("Name:value",
 * folding included, no final line end) into o.  The bytes from skip to
 * skip + skiplen are left out (the b= value of the signature being
 * checked; skiplen 0: nothing).  crlf: end with CRLF (every field but the
 * signature's own).
 */
void smtp2_dkim_canon_header(enum smtp2_dkim_canon c, const char *field,
    size_t len, size_t skip, size_t skiplen, bool crlf,
    struct smtp2_dkim_out *o);

/* Body canonicaliser state between chunks.  Owned by its user. */
struct smtp2_dkim_body {
	enum smtp2_dkim_canon canon;
	struct smtp2_dkim_sink *sink;	/* not owned */
	uint64_t	limit;		/* l=, or UINT64_MAX */
	uint64_t	total;		/* canonical bytes so far, past l= too */
	uint64_t	crlfs;		/* line ends held back */
	bool		cr;		/* the last chunk ended in a CR */
	bool		wsp;		/* relaxed: whitespace held back */
	bool		over;		/* past l=: the rest needs no work */
};

/* smtp2_dkim_body_init - start a body; limit is l= or UINT64_MAX */
void smtp2_dkim_body_init(struct smtp2_dkim_body *b, enum smtp2_dkim_canon c,
    uint64_t limit, struct smtp2_dkim_sink *sink);

/* smtp2_dkim_body_update - the next len bytes of the body */
void smtp2_dkim_body_update(struct smtp2_dkim_body *b, const unsigned char *p,
    size_t len);

/*
 * smtp2_dkim_body_final - the body is complete: write what was held back
 * (the final CRLF; for an empty simple body, CRLF alone).  Afterwards
 * b->total is the canonical body length as far as it was computed, and
 * the body was longer than l= when smtp2_dkim_body_partial() says so.
 */
void smtp2_dkim_body_final(struct smtp2_dkim_body *b);

/* smtp2_dkim_body_partial - did l= leave some of the body unsigned? */
bool smtp2_dkim_body_partial(const struct smtp2_dkim_body *b);

#endif
