/*
 * attr.h - the name=value block protocol Postfix speaks to policy servers
 * (and smtp2-milter speaks to smtp2-policyd): lines "name=value\n", a
 * block ends at an empty line.
 */
#ifndef SMTP2D_ATTR_H
#define SMTP2D_ATTR_H

#include <stddef.h>

#define SMTP2D_ATTR_MAX		64	/* Postfix sends ~30 */
/* Bytes in one block, final empty line included: the reader's usual
 * maximum, and policyd.max_request's default. */
#define SMTP2D_BLOCK_MAX	16384

struct smtp2d_attr {
	const char	*name;
	const char	*value;
};

struct smtp2d_attrs {
	size_t		n;
	struct smtp2d_attr a[SMTP2D_ATTR_MAX];
};

/*
 * smtp2d_attr_parse - split a complete block in place (buf is modified;
 * the attrs point into it).  buf holds len bytes, the final empty line
 * excluded or included.  Returns 0, or -1 with a precise reason in why: a
 * line without '=', an empty name, a NUL byte, too many attributes.  A
 * repeated name is an error too: Postfix never sends one.
 */
int smtp2d_attr_parse(char *buf, size_t len, struct smtp2d_attrs *out,
    char *why, size_t whylen);

/* smtp2d_attr_get - value of name, or NULL. */
const char *smtp2d_attr_get(const struct smtp2d_attrs *attrs, const char *name);

/*
 * Buffered block reader over a socket, holding at most max bytes: one
 * block, and the start of the next one when the peer pipelines.  The
 * caller owns the struct; the buffer is the reader's.
 */
struct smtp2d_reader {
	int		fd;
	unsigned	timeout_ms;
	size_t		start, end;
	size_t		max;		/* bytes in one block, at most */
	char		*buf;		/* max bytes; NULL: init failed */
};

/*
 * smtp2d_reader_init - an empty reader over fd taking blocks of up to max
 * bytes (the final empty line included; SMTP2D_BLOCK_MAX is the usual
 * value).  Returns 0, or -1 with errno ENOMEM (EINVAL for a max of 0).
 * A reader whose init failed is safe to use: smtp2d_reader_next() fails
 * with ENOMEM.  Caller frees with smtp2d_reader_clear(), failed or not.
 */
int smtp2d_reader_init(struct smtp2d_reader *r, int fd, unsigned timeout_ms,
    size_t max);

/* smtp2d_reader_clear - free the buffer; the reader may be initialised again. */
void smtp2d_reader_clear(struct smtp2d_reader *r);

/*
 * smtp2d_reader_next - 1 with a block in *block, *len (valid until the
 * next call), 0 at a clean EOF, -1 on I/O error or timeout (errno set),
 * -2 when a block exceeds r->max bytes (the connection must then be
 * closed).
 */
int smtp2d_reader_next(struct smtp2d_reader *r, char **block, size_t *len);

/* smtp2d_write_all - write everything or fail (-1, errno). */
int smtp2d_write_all(int fd, const char *buf, size_t len);

#endif
