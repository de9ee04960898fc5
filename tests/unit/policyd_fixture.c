/*
 * policyd_fixture.c - see policyd_fixture.h.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Test library. */
#include <cmocka.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include "policyd_fixture.h"

#define ANCHORS		SMTP2_TEST_DATA "/anchors/good.ds"

/* 127.0.0.1:1 refuses at once: a lookup fails fast, nothing leaves. */
static const char *const dead_resolver[] = { "127.0.0.1:1" };

/* pd_fixture_new - see policyd_fixture.h */
struct pd_fixture *
pd_fixture_new(const char *name, policyd_verify_fn *verify,
    const struct smtp2_verify_opts *vopts, struct smtp2_dns_cache *cache)
{
	struct pd_fixture *f = calloc(1, sizeof(*f));
	char	why[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "file:%s/log", f->dir);
	assert_int_equal(smtp2d_log_open(name, f->log, SMTP2_LOG_DEBUG, why,
	    sizeof(why)), 0);
	f->cache = cache;
	assert_non_null(f->sessions = policyd_sessions_new(1000, 3600));
	f->ctx.mode = SMTP2_MODE_ENFORCE;
	f->ctx.dns.resolvers = dead_resolver;
	f->ctx.dns.n_resolvers = 1;
	f->ctx.dns.trust_anchors = ANCHORS;
	f->ctx.dns.dnssec = SMTP2_DNSSEC_REQUIRED;
	f->ctx.dns.timeout_ms = 200;
	f->ctx.dns.cache = cache;
	f->ctx.sessions = f->sessions;
	f->ctx.verify = verify;
	f->ctx.vopts = vopts;
	policyd_conn_init(&f->conn, &f->ctx);
	return f;
}

/* pd_fixture_free - see policyd_fixture.h */
void
pd_fixture_free(struct pd_fixture *f)
{
	char	path[160];

	policyd_conn_clear(&f->conn);
	policyd_sessions_free(f->sessions);
	smtp2_dns_cache_free(f->cache);
	smtp2d_log_close();
	snprintf(path, sizeof(path), "%s/log", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
}

/* pd_ask - see policyd_fixture.h */
const char *
pd_ask(struct pd_fixture *f, ...)
{
	char	buf[SMTP2D_BLOCK_MAX + 1];
	const char *line;
	size_t	n = 0;
	va_list	ap;

	va_start(ap, f);
	while ((line = va_arg(ap, const char *)) != NULL) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", line);
		assert_true(n < sizeof(buf));
	}
	va_end(ap);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\n");
	assert_true(n < sizeof(buf));
	n = policyd_request_block(&f->conn, buf, n, f->reply, sizeof(f->reply));
	assert_int_equal(n, strlen(f->reply));
	return f->reply;
}

/* pd_last_log - see policyd_fixture.h */
const char *
pd_last_log(const struct pd_fixture *f, const char *needle)
{
	static char line[4096];
	char	buf[4096], *p;
	FILE	*fp = fopen(f->log + 5, "r");

	line[0] = '\0';
	assert_non_null(fp);
	while (fgets(buf, sizeof(buf), fp) != NULL)
		if ((p = strstr(buf, needle)) != NULL) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(line, sizeof(line), "%s", p);
		}
	fclose(fp);
	return line;
}
