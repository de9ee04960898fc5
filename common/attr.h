/*
 * attr.h - the name=value block protocol Postfix speaks to policy servers
 * (and smtp2-milter speaks to smtp2-policyd): lines "name=value\n", a
 * block ends at an empty line.
 */
#ifndef SMTP2D_ATTR_H
#define SMTP2D_ATTR_H

#include <stddef.h>

#define SMTP2D_ATTR_MAX		64	/* Postfix sends ~30 */
#define SMTP2D_BLOCK_MAX	16384	/* bytes in one request */

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
 * Buffered block reader over a socket.  smtp2d_reader_next returns 1 with
 * a block in *block, *len (valid until the next call), 0 at a clean EOF,
 * -1 on I/O error or timeout (errno set), -2 when a block exceeds
 * SMTP2D_BLOCK_MAX (the connection must then be closed).
 */
struct smtp2d_reader {
	int		fd;
	unsigned	timeout_ms;
	size_t		start, end;
	char		buf[SMTP2D_BLOCK_MAX + 1];
};

void smtp2d_reader_init(struct smtp2d_reader *r, int fd, unsigned timeout_ms);
int smtp2d_reader_next(struct smtp2d_reader *r, char **block, size_t *len);

/* smtp2d_write_all - write everything or fail (-1, errno). */
int smtp2d_write_all(int fd, const char *buf, size_t len);

#endif
