/*
 * test_attr.c - the policy-protocol block parser and the block reader
 * (common/attr.c), fed good and hostile bytes.
 */

/* System library. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include "attr.h"

#define WHY_LEN		256

/* A block and what smtp2d_attr_parse must say about it. */
struct parse_case {
	const char	*name;
	const char	*in;
	size_t		len;		/* 0: strlen(in) */
	int		rc;
	size_t		n;		/* attributes, when rc is 0 */
	const char	*why;		/* exact reason, when rc is -1 */
};

static const struct parse_case parse_cases[] = {
	{ "postfix block", "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "sender=a@b.test\nccert_subject=\n\n", 0, 0, 4, NULL },
	{ "no final empty line", "a=1\nb=2\n", 0, 0, 2, NULL },
	{ "crlf", "a=1\r\nb=2\r\n\r\n", 0, 0, 2, NULL },
	{ "empty block", "\n", 0, 0, 0, NULL },
	{ "nothing", "", 0, 0, 0, NULL },
	{ "value with '='", "a=b=c\n\n", 0, 0, 1, NULL },
	{ "no '='", "a=1\nb=2\nfoo\n\n", 0, -1, 0, "line 3: no '=' in 'foo'" },
	{ "empty name", "a=1\n=x\n\n", 0, -1, 0, "line 2: empty attribute name" },
	{ "NUL byte", "a=1\nb=\0x\n\n", 10, -1, 0, "NUL byte in request" },
	{ "repeated", "request=x\nsender=a\nrecipient=b\nsender=c\n\n", 0, -1, 0,
	    "line 4: attribute 'sender' repeated" },
	{ "unterminated", "a=1\nb=2", 0, -1, 0, "line 2: no newline at the end" },
	{ "data after end", "a=1\n\nb=2\n", 0, -1, 0,
	    "line 2: empty line inside the block" },
	{ "control chars shown safely", "a=1\n\033[31mred\n\n", 0, -1, 0,
	    "line 2: no '=' in '?[31mred'" },
	{ "long line cut", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n", 0, -1, 0,
	    "line 1: no '=' in 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'" },
};

/* test_parse_table - every case of parse_cases */
static void
test_parse_table(void **state)
{
	struct smtp2d_attrs attrs;
	char buf[256], why[WHY_LEN];
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *pc = &parse_cases[i];

		len = pc->len ? pc->len : strlen(pc->in);
		memcpy(buf, pc->in, len);
		why[0] = '\0';
		rc = smtp2d_attr_parse(buf, len, &attrs, why, sizeof(why));
		if (rc != pc->rc || (rc == 0 && attrs.n != pc->n)
		    || (rc < 0 && strcmp(why, pc->why) != 0))
			fail_msg("%s: rc %d n %zu why '%s'", pc->name, rc, attrs.n, why);
	}
}

/* test_parse_values - names and values point at the right bytes */
static void
test_parse_values(void **state)
{
	char buf[] = "request=smtp2_verify\r\nclient_address=192.0.2.1\n"
	    "empty=\nx=a=b\n\n";
	struct smtp2d_attrs attrs;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(smtp2d_attr_parse(buf, strlen(buf), &attrs, why, sizeof(why)), 0);
	assert_int_equal(attrs.n, 4);
	assert_string_equal(smtp2d_attr_get(&attrs, "request"), "smtp2_verify");
	assert_string_equal(smtp2d_attr_get(&attrs, "client_address"), "192.0.2.1");
	assert_string_equal(smtp2d_attr_get(&attrs, "empty"), "");
	assert_string_equal(smtp2d_attr_get(&attrs, "x"), "a=b");
	assert_null(smtp2d_attr_get(&attrs, "sender"));
	assert_null(smtp2d_attr_get(&attrs, "req"));
}

/* test_parse_too_many - SMTP2D_ATTR_MAX attributes fit, one more does not */
static void
test_parse_too_many(void **state)
{
	struct smtp2d_attrs attrs;
	char buf[4096], why[WHY_LEN];
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < SMTP2D_ATTR_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "a%d=%d\n", i, i);
	assert_int_equal(smtp2d_attr_parse(buf, len, &attrs, why, sizeof(why)), 0);
	assert_int_equal(attrs.n, SMTP2D_ATTR_MAX);

	len = 0;
	for (i = 0; i <= SMTP2D_ATTR_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "a%d=%d\n", i, i);
	assert_int_equal(smtp2d_attr_parse(buf, len, &attrs, why, sizeof(why)), -1);
	assert_string_equal(why, "more than 64 attributes");
}

/* pair - a connected socketpair: [0] for the reader, [1] for the test */
static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* expect_block - the reader's next block is exactly want */
static void
expect_block(struct smtp2d_reader *r, const char *want)
{
	char *block;
	size_t len;

	assert_int_equal(smtp2d_reader_next(r, &block, &len), 1);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(block, want, len);
}

/* test_reader_many_in_one_write - three blocks arrive in one write */
static void
test_reader_many_in_one_write(void **state)
{
	static const char data[] = "a=1\n\nb=2\nc=3\n\nd=4\r\n\r\n";
	struct smtp2d_reader r;
	char *block;
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 1000, SMTP2D_BLOCK_MAX), 0);
	assert_int_equal(smtp2d_write_all(sv[1], data, strlen(data)), 0);
	close(sv[1]);
	expect_block(&r, "a=1\n\n");
	expect_block(&r, "b=2\nc=3\n\n");
	expect_block(&r, "d=4\r\n\r\n");
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 0);
	smtp2d_reader_clear(&r);
	close(sv[0]);
}

/* test_reader_split - a block split over writes, even inside "\n\n" */
static void
test_reader_split(void **state)
{
	static const char *parts[] = { "requ", "est=x\nsender=a@b\n", "\n" };
	struct smtp2d_reader r;
	char *block;
	size_t len;
	pid_t pid;
	int sv[2];
	size_t i;

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 2000, SMTP2D_BLOCK_MAX), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < 3; i++) {
			usleep(20000);
			if (smtp2d_write_all(sv[1], parts[i], strlen(parts[i])) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(sv[1]);
	expect_block(&r, "request=x\nsender=a@b\n\n");
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 0);
	smtp2d_reader_clear(&r);
	close(sv[0]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* test_reader_too_long - a block past SMTP2D_BLOCK_MAX (the usual max) is -2 */
static void
test_reader_too_long(void **state)
{
	struct smtp2d_reader r;
	char *big, *block;
	size_t len, i;
	pid_t pid;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 2000, SMTP2D_BLOCK_MAX), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No empty line anywhere: "x=xxxxx...\n" lines only. */
		big = malloc(SMTP2D_BLOCK_MAX + 100);
		for (i = 0; i < SMTP2D_BLOCK_MAX + 100; i++)
			big[i] = i % 100 == 99 ? '\n' : i % 100 == 1 ? '=' : 'x';
		smtp2d_write_all(sv[1], big, SMTP2D_BLOCK_MAX + 100);
		free(big);
		_exit(0);
	}
	close(sv[1]);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -2);
	smtp2d_reader_clear(&r);
	close(sv[0]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* test_reader_timeout - a silent peer is a timeout, a partial block too */
static void
test_reader_timeout(void **state)
{
	struct smtp2d_reader r;
	char *block;
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 100, SMTP2D_BLOCK_MAX), 0);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(smtp2d_write_all(sv[1], "a=1\n", 4), 0);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -1);
	assert_int_equal(errno, ETIMEDOUT);
	/* The rest arrives: the block is whole again. */
	assert_int_equal(smtp2d_write_all(sv[1], "\n", 1), 0);
	expect_block(&r, "a=1\n\n");
	smtp2d_reader_clear(&r);
	close(sv[0]);
	close(sv[1]);
}

/* test_reader_eof - clean EOF is 0, EOF inside a block is -1 */
static void
test_reader_eof(void **state)
{
	struct smtp2d_reader r;
	char *block;
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 1000, SMTP2D_BLOCK_MAX), 0);
	close(sv[1]);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 0);
	smtp2d_reader_clear(&r);
	close(sv[0]);

	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 1000, SMTP2D_BLOCK_MAX), 0);
	assert_int_equal(smtp2d_write_all(sv[1], "a=1\nb=", 6), 0);
	close(sv[1]);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -1);
	assert_int_equal(errno, EPROTO);
	smtp2d_reader_clear(&r);
	close(sv[0]);
}

/* test_reader_then_parse - what the reader returns, the parser takes */
static void
test_reader_then_parse(void **state)
{
	static const char data[] = "request=smtp2_verify\nclient_port=1\n\n"
	    "request=smtp2_verify\nclient_port=2\n\n";
	struct smtp2d_attrs attrs;
	struct smtp2d_reader r;
	char *block, why[WHY_LEN];
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 1000, SMTP2D_BLOCK_MAX), 0);
	assert_int_equal(smtp2d_write_all(sv[1], data, strlen(data)), 0);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 1);
	assert_int_equal(smtp2d_attr_parse(block, len, &attrs, why, sizeof(why)), 0);
	assert_string_equal(smtp2d_attr_get(&attrs, "client_port"), "1");
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 1);
	assert_int_equal(smtp2d_attr_parse(block, len, &attrs, why, sizeof(why)), 0);
	assert_string_equal(smtp2d_attr_get(&attrs, "client_port"), "2");
	smtp2d_reader_clear(&r);
	close(sv[0]);
	close(sv[1]);
}

/* block_of - a well-formed block of exactly n bytes (n >= 4), empty
 * line included: "x=yyy...\n" lines, then "\n".  Caller frees. */
static char *
block_of(size_t n)
{
	char *b;
	size_t i;

	/* Also tells the optimiser n - 1 cannot wrap. */
	if (n < 4 || n > (1u << 24))
		abort();
	assert_non_null(b = malloc(n));
	for (i = 0; i < n - 1; i++)
		b[i] = i % 80 == 79 || i == n - 2 ? '\n' : i % 80 == 1 ? '=' : 'x';
	b[n - 1] = '\n';
	/* A line of one byte would be an empty line: end the block early. */
	if (n >= 3 && b[n - 3] == '\n')
		b[n - 3] = 'x';
	return b;
}

/* send_and_read - one reader of max over a socketpair; a forked writer
 * sends data (len bytes) and closes; returns smtp2d_reader_next() */
static int
send_and_read(size_t max, const char *data, size_t len, size_t *got)
{
	struct smtp2d_reader r;
	char *block;
	pid_t pid;
	int sv[2], rc;

	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 2000, max), 0);
	assert_int_equal(r.max, max);
	/* A writer of its own: a megabyte does not fit a socket buffer. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(smtp2d_write_all(sv[1], data, len) < 0);
	close(sv[1]);
	*got = 0;
	if ((rc = smtp2d_reader_next(&r, &block, got)) == 1)
		assert_memory_equal(block, data, *got);
	smtp2d_reader_clear(&r);
	close(sv[0]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return rc;
}

/* test_reader_max - a block of exactly max bytes is taken, one more is -2 */
static void
test_reader_max(void **state)
{
	/* The usual max, policyd.max_request's bounds, and a tiny one. */
	static const size_t maxes[] = { SMTP2D_BLOCK_MAX, 4096, 1048576, 16 };
	size_t i, got;
	char *b;

	(void)state;
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		print_message("max %zu\n", maxes[i]);
		b = block_of(maxes[i]);
		assert_int_equal(send_and_read(maxes[i], b, maxes[i], &got), 1);
		assert_int_equal(got, maxes[i]);
		free(b);
		b = block_of(maxes[i] + 1);
		assert_int_equal(send_and_read(maxes[i], b, maxes[i] + 1, &got), -2);
		free(b);
		/* Smaller blocks are smaller blocks. */
		b = block_of(maxes[i] - 1);
		assert_int_equal(send_and_read(maxes[i], b, maxes[i] - 1, &got), 1);
		assert_int_equal(got, maxes[i] - 1);
		free(b);
	}
}

/* test_reader_max_pipelined - a full-size block, the next one behind it */
static void
test_reader_max_pipelined(void **state)
{
	struct smtp2d_reader r;
	char *b = block_of(64), *block;
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(smtp2d_reader_init(&r, sv[0], 1000, 64), 0);
	assert_int_equal(smtp2d_write_all(sv[1], b, 64), 0);
	assert_int_equal(smtp2d_write_all(sv[1], "a=1\n\n", 5), 0);
	close(sv[1]);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 1);
	assert_int_equal(len, 64);
	assert_memory_equal(block, b, 64);
	expect_block(&r, "a=1\n\n");
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), 0);
	smtp2d_reader_clear(&r);
	close(sv[0]);
	free(b);
}

/* test_reader_init_fail - a max of 0 is refused; the reader stays safe */
static void
test_reader_init_fail(void **state)
{
	struct smtp2d_reader r;
	char *block;
	size_t len;

	(void)state;
	errno = 0;
	assert_int_equal(smtp2d_reader_init(&r, -1, 1000, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(r.buf);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -1);
	assert_int_equal(errno, ENOMEM);
	smtp2d_reader_clear(&r);
	smtp2d_reader_clear(&r);	/* twice is harmless */
	/* A cleared reader is initialised again like a new one. */
	assert_int_equal(smtp2d_reader_init(&r, -1, 1000, 32), 0);
	assert_non_null(r.buf);
	smtp2d_reader_clear(&r);
	assert_null(r.buf);
	assert_int_equal(smtp2d_reader_next(&r, &block, &len), -1);
	assert_int_equal(errno, ENOMEM);
}

/* test_write_all_closed - a closed peer is an error, not SIGPIPE */
static void
test_write_all_closed(void **state)
{
	int sv[2];

	(void)state;
	pair(sv);
	close(sv[0]);
	assert_int_equal(smtp2d_write_all(sv[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test(test_reader_many_in_one_write),
		cmocka_unit_test(test_reader_split),
		cmocka_unit_test(test_reader_too_long),
		cmocka_unit_test(test_reader_timeout),
		cmocka_unit_test(test_reader_eof),
		cmocka_unit_test(test_reader_then_parse),
		cmocka_unit_test(test_reader_max),
		cmocka_unit_test(test_reader_max_pipelined),
		cmocka_unit_test(test_reader_init_fail),
		cmocka_unit_test(test_write_all_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
