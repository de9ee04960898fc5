/*
 * test_socketmap.c - netstring framing, socketmap requests and replies,
 * and smtp2-policyd's answers to smtp_tls_policy_maps lookups (on canned
 * DNS; the resolver behind the cache is dead, 127.0.0.1:1).
 */

/* System library. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Utility library. */
#include "attr.h"
#include "live.h"
#include "net.h"

/* Application-specific. */
#include <smtp2/dns.h>
#include "gen.h"
#include "server.h"
#include "socketmap.h"
#include "tlsmap.h"

struct fcase {
	const char	*in;
	enum socketmap_status st;
	const char	*payload;	/* OK: the payload */
	const char	*why;		/* ERROR: substring */
};

static const struct fcase fcases[] = {
	{ "17:smtp2tls a.test.x,", SOCKETMAP_OK, "smtp2tls a.test.x", NULL },
	{ "0:,", SOCKETMAP_OK, "", NULL },
	{ "3:abc,4:more", SOCKETMAP_OK, "abc", NULL },
	{ "", SOCKETMAP_NEED, NULL, NULL },
	{ "12", SOCKETMAP_NEED, NULL, NULL },
	{ "5:abc", SOCKETMAP_NEED, NULL, NULL },
	{ "3:abc", SOCKETMAP_NEED, NULL, NULL },
	{ "3:abcd", SOCKETMAP_ERROR, NULL, "comma" },
	{ "03:abc,", SOCKETMAP_ERROR, NULL, "leading zero" },
	{ ":abc,", SOCKETMAP_ERROR, NULL, "without a length" },
	{ "x:abc,", SOCKETMAP_ERROR, NULL, "not a number" },
	{ "-1:a,", SOCKETMAP_ERROR, NULL, "not a number" },
	{ "10001:", SOCKETMAP_ERROR, NULL, "too long" },
	{ "99999999999999999999999:", SOCKETMAP_ERROR, NULL, "too long" },
	{ "10000", SOCKETMAP_NEED, NULL, NULL },
};

/* test_frames - netstrings whole, partial and broken */
static void
test_frames(void **state)
{
	struct socketmap_frame f;
	char	why[120];

	(void)state;
	for (size_t i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		const struct fcase *c = &fcases[i];

		why[0] = '\0';
		assert_int_equal(socketmap_frame(c->in, strlen(c->in),
		    SOCKETMAP_REQUEST_MAX, &f, why, sizeof(why)), c->st);
		if (c->st == SOCKETMAP_OK) {
			assert_int_equal(f.len, strlen(c->payload));
			assert_memory_equal(c->in + f.off, c->payload, f.len);
			assert_int_equal(c->in[f.used - 1], ',');
		} else if (c->st == SOCKETMAP_ERROR) {
			assert_non_null(strstr(why, c->why));
		}
	}
}

/* test_request - "name key" */
static void
test_request(void **state)
{
	struct socketmap_request r;

	(void)state;
	assert_int_equal(socketmap_request("smtp2tls example.com", 20, &r, NULL,
	    0), 0);
	assert_int_equal(r.name_len, 8);
	assert_memory_equal(r.key, "example.com", r.key_len);
	assert_int_equal(socketmap_request("a b c", 5, &r, NULL, 0), 0);
	assert_int_equal(r.key_len, 3);
	assert_int_equal(socketmap_request("nospace", 7, &r, NULL, 0), -1);
	assert_int_equal(socketmap_request(" key", 4, &r, NULL, 0), -1);
	assert_int_equal(socketmap_request("name ", 5, &r, NULL, 0), -1);
	assert_int_equal(socketmap_request("a\nb c", 5, &r, NULL, 0), -1);
	assert_int_equal(socketmap_request("a b\0c", 5, &r, NULL, 0), -1);
}

/* test_reply - netstring replies, control bytes made harmless */
static void
test_reply(void **state)
{
	char	out[64];

	(void)state;
	assert_int_equal(socketmap_reply("OK", "dane-only", out, sizeof(out)), 16);
	assert_string_equal(out, "12:OK dane-only,");
	assert_int_equal(socketmap_reply("NOTFOUND", "", out, sizeof(out)), 12);
	assert_string_equal(out, "9:NOTFOUND ,");
	socketmap_reply("TEMP", "a\r\nb", out, sizeof(out));
	assert_string_equal(out, "9:TEMP a??b,");
	assert_int_equal(socketmap_reply("OK", "0123456789", out, 10), 0);
}

/* answer - policyd_tlsmap_answer on payload; the reply as a string */
static const char *
answer(const struct policyd_tlsmap_ctx *ctx, struct smtp2_dns **dns,
    const char *payload, char *out, size_t outlen)
{
	policyd_tlsmap_answer(ctx, dns, payload, strlen(payload), out, outlen);
	return out;
}

/* prime - one canned answer: a secure MX, A or TLSA set of one rr */
static void
prime(struct smtp2_dns_cache *cache, const char *name, uint16_t type,
    const unsigned char *rd, size_t len)
{
	struct smtp2_dns_rr rr = { len, (unsigned char *)rd };
	struct smtp2_dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = SMTP2_DNS_OK;
	a.dnssec = SMTP2_DNSSEC_SECURE;
	a.ttl = 300;
	a.n = 1;
	a.rr = &rr;
	assert_int_equal(smtp2_dns_cache_put(cache, name, type, &a), 0);
}

/* test_answers - what Postfix gets back for each kind of key */
static void
test_answers(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	static const unsigned char mx[] = "\0\x0a\x02mx\x01" "a\x04test";
	unsigned char tlsa[35] = { 3, 1, 1 };
	struct policyd_tlsmap_ctx ctx;
	struct smtp2_dns *dns = NULL;
	char	out[SOCKETMAP_REPLY_MAX];

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.dns.resolvers = dead;
	ctx.dns.n_resolvers = 1;
	ctx.dns.trust_anchors = "/usr/share/dns/root.ds";
	ctx.dns.timeout_ms = 200;
	assert_non_null(ctx.dns.cache = smtp2_dns_cache_new(16, 3600));
	prime(ctx.dns.cache, "a.test", SMTP2_DNS_T_MX, mx, sizeof(mx));
	prime(ctx.dns.cache, "mx.a.test", SMTP2_DNS_T_A,
	    (const unsigned char *)"\x7f\0\0\x01", 4);
	prime(ctx.dns.cache, "_25._tcp.mx.a.test", SMTP2_DNS_T_TLSA, tlsa,
	    sizeof(tlsa));

	assert_string_equal(answer(&ctx, &dns, "smtp2tls a.test", out,
	    sizeof(out)), "12:OK dane-only,");
	assert_string_equal(answer(&ctx, &dns, "smtp2tls A.Test.", out,
	    sizeof(out)), "12:OK dane-only,");
	assert_string_equal(answer(&ctx, &dns, "smtp2tls [mx.a.test]:587",
	    out, sizeof(out)), "9:NOTFOUND ,");
	assert_string_equal(answer(&ctx, &dns, "smtp2tls a.test:2525", out,
	    sizeof(out)), "9:NOTFOUND ,");
	assert_string_equal(answer(&ctx, &dns, "smtp2tls .a.test", out,
	    sizeof(out)), "9:NOTFOUND ,");
	assert_string_equal(answer(&ctx, &dns, "smtp2tls localhost", out,
	    sizeof(out)), "9:NOTFOUND ,");
	assert_non_null(strstr(answer(&ctx, &dns, "other a.test", out,
	    sizeof(out)), ":PERM unknown map name"));
	assert_non_null(strstr(answer(&ctx, &dns, "smtp2tls", out,
	    sizeof(out)), ":PERM "));
	/* Uncached, and the resolver is dead: try again later. */
	assert_non_null(strstr(answer(&ctx, &dns, "smtp2tls b.test", out,
	    sizeof(out)), ":TEMP b.test MX: "));
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(ctx.dns.cache);
}

struct server_run {
	struct policyd_server *s;
	pthread_t tid;
	int	rc;
};

/* server_thread - the accept loop */
static void *
server_thread(void *arg)
{
	struct server_run *sr = arg;

	sr->rc = policyd_server_run(sr->s);
	return NULL;
}

/* read_replies - read until want bytes came or the peer closed */
static size_t
read_replies(int fd, char *buf, size_t len, size_t want)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t	n = 0;
	ssize_t	got;

	while (n < want && n < len - 1 && poll(&pfd, 1, 5000) == 1) {
		if ((got = read(fd, buf + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	return n;
}

/* test_stream - the socketmap service over a real socket: requests split
 * across writes, two in one write, then an oversized one that ends it */
static void
test_stream(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	char	spec[64], path[48], buf[512], why[256], big[32];
	const char *listen[1] = { spec };
	struct policyd_gen gen;
	struct policyd_tlsmap_src src = { NULL, NULL };
	struct server_run sr;
	int	fd;

	(void)state;
	memset(&gen, 0, sizeof(gen));
	gen.tls.dns.resolvers = dead;
	gen.tls.dns.n_resolvers = 1;
	gen.tls.dns.trust_anchors = "/usr/share/dns/root.ds";
	gen.tls.dns.timeout_ms = 200;
	assert_non_null(src.live = smtp2d_live_new(&gen, NULL));
	snprintf(path, sizeof(path), "/tmp/test_socketmap.%ld.sock", (long)getpid());
	snprintf(spec, sizeof(spec), "unix:%s", path);
	sr.s = policyd_server_new_with(listen, 1, 2, policyd_tlsmap_serve, &src,
	    why, sizeof(why));
	assert_non_null(sr.s);
	assert_int_equal(pthread_create(&sr.tid, NULL, server_thread, &sr), 0);
	assert_true((fd = smtp2d_connect(spec, 2000, why, sizeof(why))) >= 0);

	/* One request in three pieces, then two at once: routed keys, which
	 * need no DNS. */
	assert_int_equal(smtp2d_write_all(fd, "20:smtp2tls ", 12), 0);
	usleep(20000);
	assert_int_equal(smtp2d_write_all(fd, "[a.test]:25", 11), 0);
	usleep(20000);
	assert_int_equal(smtp2d_write_all(fd, ",16:smtp2tls .a.test,"
	    "18:smtp2tls a.test:26,", 43), 0);
	read_replies(fd, buf, sizeof(buf), 36);
	assert_string_equal(buf, "9:NOTFOUND ,9:NOTFOUND ,9:NOTFOUND ,");

	/* Longer than SOCKETMAP_REQUEST_MAX: PERM, and the server hangs up. */
	snprintf(big, sizeof(big), "%d:smtp2tls ", SOCKETMAP_REQUEST_MAX + 1);
	assert_int_equal(smtp2d_write_all(fd, big, strlen(big)), 0);
	read_replies(fd, buf, sizeof(buf), sizeof(buf));
	assert_non_null(strstr(buf, ":PERM request too long,"));
	assert_int_equal(read(fd, buf, 1), 0);
	close(fd);

	policyd_server_stop(sr.s);
	assert_int_equal(pthread_join(sr.tid, NULL), 0);
	assert_int_equal(sr.rc, 0);
	assert_int_equal(policyd_server_free(sr.s), 0);
	assert_int_equal(access(path, F_OK), -1);
	smtp2d_live_free(src.live);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
