/*
 * attr.c - Postfix's policy framing: "name=value" lines, a block ends at
 * an empty line, many blocks per connection.
 *
 * Everything here reads bytes a peer chose, so every limit is explicit:
 * the reader's max bytes per block (policyd.max_request), SMTP2D_ATTR_MAX
 * attributes, one deadline per block however slowly the bytes trickle in.
 */

/* System library. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Application-specific. */
#include "attr.h"

#define ATTR_SHOW_MAX	40		/* bytes of a bad line quoted in an error */

/* attr_show - a printable excerpt of a bad line for an error message */
static const char *
attr_show(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, n = len < ATTR_SHOW_MAX ? len : ATTR_SHOW_MAX;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[n] = '\0';
	if (n < len && size > n + 3)
		memcpy(buf + n, "...", 4);
	return buf;
}

/* attr_add - split one line "name=value" (already NUL-terminated) */
static int
attr_add(char *line, size_t len, unsigned lineno, struct smtp2d_attrs *out,
    char *why, size_t whylen)
{
	char *eq = memchr(line, '=', len), show[ATTR_SHOW_MAX + 4];
	size_t i;

	if (eq == NULL) {
		snprintf(why, whylen, "line %u: no '=' in '%s'", lineno,
		    attr_show(line, len, show, sizeof(show)));
		return -1;
	}
	if (eq == line) {
		snprintf(why, whylen, "line %u: empty attribute name", lineno);
		return -1;
	}
	*eq = '\0';
	for (i = 0; i < out->n; i++)
		if (strcmp(out->a[i].name, line) == 0) {
			snprintf(why, whylen, "line %u: attribute '%s' repeated", lineno,
			    attr_show(line, eq - line, show, sizeof(show)));
			return -1;
		}
	if (out->n >= SMTP2D_ATTR_MAX) {
		snprintf(why, whylen, "more than %d attributes", SMTP2D_ATTR_MAX);
		return -1;
	}
	out->a[out->n].name = line;
	out->a[out->n].value = eq + 1;
	out->n++;
	return 0;
}

/* smtp2d_attr_parse - split a complete block in place */
int
smtp2d_attr_parse(char *buf, size_t len, struct smtp2d_attrs *out,
    char *why, size_t whylen)
{
	char *p = buf, *end = buf + len, *nl;
	size_t n;
	unsigned lineno;

	out->n = 0;
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "NUL byte in request");
		return -1;
	}
	for (lineno = 1; p < end; lineno++, p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL) {
			snprintf(why, whylen, "line %u: no newline at the end", lineno);
			return -1;
		}
		*nl = '\0';
		n = nl - p;
		if (n > 0 && p[n - 1] == '\r')
			p[--n] = '\0';
		if (n == 0) {
			/* The empty line that ends the block: nothing may follow. */
			if (nl + 1 == end)
				break;
			snprintf(why, whylen, "line %u: empty line inside the block", lineno);
			return -1;
		}
		if (attr_add(p, n, lineno, out, why, whylen) < 0)
			return -1;
	}
	return 0;
}

/* smtp2d_attr_get - value of name, or NULL */
const char *
smtp2d_attr_get(const struct smtp2d_attrs *attrs, const char *name)
{
	size_t i;

	for (i = 0; i < attrs->n; i++)
		if (strcmp(attrs->a[i].name, name) == 0)
			return attrs->a[i].value;
	return NULL;
}

/* smtp2d_reader_init - an empty buffer of max bytes over fd */
int
smtp2d_reader_init(struct smtp2d_reader *r, int fd, unsigned timeout_ms,
    size_t max)
{
	r->fd = fd;
	r->timeout_ms = timeout_ms;
	r->start = r->end = 0;
	r->max = max;
	r->buf = NULL;
	if (max == 0) {
		errno = EINVAL;
		return -1;
	}
	return (r->buf = malloc(max)) == NULL ? -1 : 0;
}

/* smtp2d_reader_clear - release the buffer */
void
smtp2d_reader_clear(struct smtp2d_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->max = r->start = r->end = 0;
}

/* attr_block_end - length of the first complete block in buf, or 0 */
static size_t
attr_block_end(const char *buf, size_t len)
{
	size_t i = 0;

	/* A block is done where a line is empty: at the start or after '\n'. */
	for (;;) {
		if (i < len && buf[i] == '\n')
			return i + 1;
		if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
			return i + 2;
		while (i < len && buf[i] != '\n')
			i++;
		if (i >= len)
			return 0;
		i++;
	}
}

/* attr_now_ms - a monotonic clock in milliseconds */
static long long
attr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* attr_fill - one read(2) into the buffer, waiting no later than deadline */
static int
attr_fill(struct smtp2d_reader *r, long long deadline)
{
	struct pollfd pfd = { r->fd, POLLIN, 0 };
	long long left;
	ssize_t got;
	int rc;

	for (;;) {
		if ((left = deadline - attr_now_ms()) < 0)
			left = 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc < 0)
			continue;
		got = read(r->fd, r->buf + r->end, r->max - r->end);
		if (got >= 0) {
			r->end += (size_t)got;
			return got > 0;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* smtp2d_reader_next - the next complete block, reading as needed */
int
smtp2d_reader_next(struct smtp2d_reader *r, char **block, size_t *len)
{
	long long deadline = attr_now_ms() + r->timeout_ms;
	size_t n;
	int rc;

	if (r->buf == NULL) {
		errno = ENOMEM;	/* init failed, or the reader was cleared */
		return -1;
	}
	/* The block returned last time is consumed now. */
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	while ((n = attr_block_end(r->buf, r->end)) == 0) {
		if (r->end >= r->max)
			return -2;
		if ((rc = attr_fill(r, deadline)) < 0)
			return -1;
		if (rc == 0) {
			if (r->end == 0)
				return 0;
			errno = EPROTO;	/* the peer left in the middle of a block */
			return -1;
		}
	}
	*block = r->buf;
	*len = n;
	r->start = n;
	return 1;
}

/* smtp2d_write_all - write everything or fail; no SIGPIPE on sockets */
int
smtp2d_write_all(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, 10000) == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
		} else if (n == 0 || errno != EINTR) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}
