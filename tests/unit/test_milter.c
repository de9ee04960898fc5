/*
 * test_milter.c - smtp2-milter's core, without libmilter: From parsing,
 * forged-header bookkeeping, TLS macros, the policyd client (against a
 * fake policyd on a unix socket in a temporary directory), the verdict
 * source choice, and the verdict log line.
 */

/* System library. */
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>
#include <smtp2/smtp2.h>

/* Utility library. */
#include "net.h"

/* Application-specific. */
#include "connstate.h"
#include "from.h"
#include "headers.h"
#include "policyq.h"
#include "tlsfacts.h"
#include "verdict.h"

#define WHY_LEN		256
#define ID		"mx.example.net"

/*
 * From parsing.
 */

struct from_case {
	const char	*value;
	const char	*domain;	/* NULL: an error is expected */
	const char	*why;		/* part of the reason, for errors */
};

/* test_from_table - every form RFC 5322 allows, and what it does not */
static void
test_from_table(void **state)
{
	static const struct from_case cases[] = {
		{ "a@example.com", "example.com", NULL },
		{ "Alice <alice@a.test>", "a.test", NULL },
		{ "\"Alice Smith\" <alice@a.test>", "a.test", NULL },
		{ "Alice Q. Public <alice@a.test>", "a.test", NULL },
		{ "\"boss@b.test\" <x@a.test>", "a.test", NULL },
		{ "\"a@b.test, c\"@a.test", "a.test", NULL },
		{ "\"Smith, John\" <j@a.test>", "a.test", NULL },
		{ "\"say \\\"hi\\\" @b.test\" <x@a.test>", "a.test", NULL },
		{ "alice@a.test (Alice <x@b.test>)", "a.test", NULL },
		{ "(outer (inner @b.test) c) Al <al (c) @ (c) a.test (c)>", "a.test", NULL },
		{ "friends: a@a.test, \"B\" <b@a.test>;", "a.test", NULL },
		{ "friends: a@a.test;, c@a.test", "a.test", NULL },
		{ "Alice\r\n <alice@\r\n\ta.test>", "a.test", NULL },
		{ "Alice\n <alice@a.test\n >", "a.test", NULL },
		{ "a@a.test, B <b@A.TEST>", "a.test", NULL },
		{ "a@a.test, , b@a.test,", "a.test", NULL },
		{ "<@relay.b.test,@c.test:a@a.test>", "a.test", NULL },
		{ "x@XN--BCHER-KVA.Example", "xn--bcher-kva.example", NULL },
		{ "x@B\xc3\xbc" "cher.TEST", "b\xc3\xbc" "cher.test", NULL },
		{ "first.last@Sub.A.Test", "sub.a.test", NULL },
		{ "a@a . test", "a.test", NULL },
		{ "a@a.test, b@b.test", NULL,
		    "From mailboxes in different domains: a.test, b.test" },
		{ "g: a@a.test, b@b.test;", NULL,
		    "From mailboxes in different domains: a.test, b.test" },
		{ "alice", NULL, "mailbox without domain" },
		{ "Alice <alice>", NULL, "mailbox without domain" },
		{ "<>", NULL, "empty address" },
		{ "", NULL, "no mailbox" },
		{ "   (just a comment)  ", NULL, "no mailbox" },
		{ "undisclosed-recipients:;", NULL, "no mailbox" },
		{ "\"unterminated <a@a.test>", NULL, "unterminated quoted string" },
		{ "\"ends in backslash\\", NULL, "unterminated quoted string" },
		{ "a@a.test (unterminated", NULL, "unterminated comment" },
		{ "a@a.test (a (b)", NULL, "unterminated comment" },
		{ "a@a.test)", NULL, "unexpected ')'" },
		{ "a@[192.0.2.1]", NULL, "address literal" },
		{ "a@[192.0.2.1", NULL, "unterminated domain literal" },
		{ "a@a..test", NULL, "where a domain was expected" },
		{ "a@a.test.", NULL, "where a domain was expected" },
		{ "a@", NULL, "where a domain was expected" },
		{ "@a.test", NULL, "mailbox without local part" },
		{ "a b@a.test", NULL, "malformed local part" },
		{ "a.@a.test", NULL, "malformed local part" },
		{ "a@a.test b@a.test", NULL, "unexpected \"b\" after mailbox" },
		{ "Alice <a@a.test", NULL, "where '>' was expected" },
		{ "Alice <a@a.test> x", NULL, "after mailbox" },
		{ "g: a@a.test", NULL, "group without ';'" },
		{ "g: h: a@a.test;;", NULL, "group inside a group" },
		{ "a@exa!mple.test", NULL, "invalid character '!' in domain" },
		{ "a@a.test\x01", NULL, "unexpected byte 0x01" },
		{ "a\\b@a.test", NULL, "unexpected '\\'" },
		{ "<a@a.test>>", NULL, "unexpected '>'" },
	};
	char domain[SMTP2_DOMAIN_MAX + 1], why[WHY_LEN];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		snprintf(domain, sizeof(domain), "untouched");
		r = milter_from_domain(cases[i].value, domain, sizeof(domain),
		    why, sizeof(why));
		if (cases[i].domain != NULL) {
			if (r != 0)
				fail_msg("From: %s: unexpected error '%s'", cases[i].value, why);
			if (strcmp(domain, cases[i].domain) != 0)
				fail_msg("From: %s: domain '%s', expected '%s'",
				    cases[i].value, domain, cases[i].domain);
		} else {
			if (r != -1)
				fail_msg("From: %s: accepted as '%s'", cases[i].value, domain);
			if (strstr(why, cases[i].why) == NULL)
				fail_msg("From: %s: reason '%s' lacks '%s'",
				    cases[i].value, why, cases[i].why);
			if (strcmp(domain, "untouched") != 0)
				fail_msg("From: %s: domain written on error", cases[i].value);
		}
	}
}

/* test_from_long - a domain longer than DNS allows is an error, not a crash */
static void
test_from_long(void **state)
{
	char value[1200], domain[SMTP2_DOMAIN_MAX + 1], why[WHY_LEN];
	size_t n;

	(void)state;
	n = (size_t)snprintf(value, sizeof(value), "a@");
	while (n + 10 < sizeof(value))
		n += (size_t)snprintf(value + n, sizeof(value) - n, "abcdefgh.");
	snprintf(value + n, sizeof(value) - n, "test");
	assert_int_equal(milter_from_domain(value, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "domain longer than"));

	/* A short output buffer is refused too, never overrun. */
	assert_int_equal(milter_from_domain("a@a.test", domain, 4, why, sizeof(why)), -1);
	/* why may be NULL. */
	assert_int_equal(milter_from_domain("nodomain", domain, sizeof(domain),
	    NULL, 0), -1);
}

/*
 * Header bookkeeping.
 */

/* test_headers_from - exactly one From field, bounded */
static void
test_headers_from(void **state)
{
	struct headers *h;
	char domain[SMTP2_DOMAIN_MAX + 1], why[WHY_LEN], *big;

	(void)state;
	h = malloc(sizeof(*h));
	assert_non_null(h);

	milter_headers_init(h);
	milter_headers_add(h, "Subject", "hi", ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_string_equal(why, "no From header");

	milter_headers_add(h, "FROM", "Bob <bob@B.test>", ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), 0);
	assert_string_equal(domain, "b.test");

	/* Two From fields are refused even when they agree. */
	milter_headers_add(h, "from", "bob@b.test", ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_string_equal(why, "2 From headers");

	/* A new message starts clean. */
	milter_headers_init(h);
	milter_headers_add(h, "From", "a@a.test, b@b.test", ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_string_equal(why, "From mailboxes in different domains: a.test, b.test");

	/* Too long to read: an error reason, not a truncated guess. */
	big = malloc(HEADERS_FROM_MAX + 20);
	assert_non_null(big);
	memset(big, 'x', HEADERS_FROM_MAX + 10);
	memcpy(big + HEADERS_FROM_MAX, "@a.test", 8);
	milter_headers_init(h);
	milter_headers_add(h, "From", big, ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_string_equal(why, "From header longer than 4096 bytes");
	free(big);

	/* NULL values from a confused MTA are empty, not a crash. */
	milter_headers_init(h);
	milter_headers_add(h, "From", NULL, ID);
	milter_headers_add(h, NULL, "x", ID);
	assert_int_equal(milter_headers_from_domain(h, domain, sizeof(domain),
	    why, sizeof(why)), -1);
	assert_string_equal(why, "From header: no mailbox");
	free(h);
}

/* A forged header we expect to be told to delete. */
struct want_ref {
	const char	*name;
	unsigned	index;
};

/* test_headers_forged - per-name 1-based indices, ours and every Verified */
static void
test_headers_forged(void **state)
{
	static const struct want_ref want[] = {
		{ HEADER_VERIFIED, 1 },
		{ HEADER_AUTHRES, 2 },
		{ HEADER_AUTHRES, 3 },
		{ HEADER_VERIFIED, 2 },
		{ HEADER_AUTHRES, 5 },
	};
	struct headers *h;
	char why[WHY_LEN];
	size_t i;

	(void)state;
	h = malloc(sizeof(*h));
	assert_non_null(h);
	milter_headers_init(h);
	milter_headers_add(h, "Authentication-Results", "other.example; spf=pass", ID);
	milter_headers_add(h, "X-SMTP2-Verified", "yes; domain=bank.test", ID);
	milter_headers_add(h, "Received", "from x by y", ID);
	milter_headers_add(h, "authentication-results", ID "; smtp2=pass", ID);
	milter_headers_add(h, "Authentication-Results", "(c) MX.Example.NET ; smtp2=pass", ID);
	milter_headers_add(h, "x-smtp2-verified", "no", ID);
	milter_headers_add(h, "Authentication-Results", ID ".evil.test; smtp2=pass", ID);
	milter_headers_add(h, "AUTHENTICATION-RESULTS", ID "; dkim=pass", ID);
	milter_headers_add(h, "X-SMTP2-Verified-Not", "yes", ID);

	assert_int_equal(h->n_forged, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < h->n_forged; i++) {
		assert_string_equal(h->forged[i].name, want[i].name);
		assert_int_equal(h->forged[i].index, want[i].index);
	}
	assert_int_equal(h->n_authres, 5);
	assert_int_equal(h->n_verified, 2);
	assert_true(milter_headers_forged_complete(h, why, sizeof(why)));
	free(h);
}

/* test_headers_forged_cap - beyond the bound: a reason, and no stamping */
static void
test_headers_forged_cap(void **state)
{
	struct headers *h;
	char why[WHY_LEN];
	unsigned i;

	(void)state;
	h = malloc(sizeof(*h));
	assert_non_null(h);
	milter_headers_init(h);
	for (i = 0; i < HEADERS_FORGED_MAX + 6; i++)
		milter_headers_add(h, "X-SMTP2-Verified", "yes", ID);
	assert_int_equal(h->n_forged, HEADERS_FORGED_MAX);
	assert_int_equal(h->forged[HEADERS_FORGED_MAX - 1].index, HEADERS_FORGED_MAX);
	assert_false(milter_headers_forged_complete(h, why, sizeof(why)));
	assert_non_null(strstr(why, "70 forged"));
	assert_non_null(strstr(why, "at most 64"));
	free(h);
}

/*
 * TLS macros.
 */

#define FP_SHA256 "AA:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:" \
		  "10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F"
#define FP_MD5	  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"

/* test_tls_sendmail_ok - {verify}=OK: trusted, CN, SHA-256 digest */
static void
test_tls_sendmail_ok(void **state)
{
	struct tls_macros m = { .verify = "OK", .cert_subject = "/C=DE/O=A/CN=other.a.test",
	    .cn_subject = "mx.a.test", .cert_fp = FP_SHA256, .cert_md5 = FP_MD5,
	    .cert_issuer = "/C=DE/O=A/CN=A Issuing CA",
	    .tls_version = "TLSv1.3", .cipher = "TLS_AES_256_GCM_SHA384" };
	struct smtp2_tls_facts f;

	(void)state;
	assert_true(milter_tls_from_macros(&m, &f));
	assert_true(f.cert_presented);
	assert_true(f.cert_trusted);
	assert_string_equal(f.subject_cn, "mx.a.test");
	assert_string_equal(f.issuer_cn, "A Issuing CA");
	assert_true(f.have_cert_sha256);
	assert_int_equal(f.cert_sha256[0], 0xAA);
	assert_int_equal(f.cert_sha256[31], 0x1F);
	assert_false(f.have_spki_sha256);
	assert_string_equal(f.protocol, "TLSv1.3");
	assert_string_equal(f.cipher, "TLS_AES_256_GCM_SHA384");

	/* TRUSTED is Sendmail's DANE success: trusted too. */
	m.verify = "TRUSTED";
	assert_true(milter_tls_from_macros(&m, &f));
	assert_true(f.cert_trusted);

	/* No {cn_subject}: the last CN of the DN. */
	m.cn_subject = NULL;
	m.cert_subject = "/C=DE/CN=outer.test/O=A/CN=mx+2Ea.test";
	milter_tls_from_macros(&m, &f);
	assert_string_equal(f.subject_cn, "mx.a.test");
}

/* test_tls_sendmail_other - untrusted, bad xtext, useless digests */
static void
test_tls_sendmail_other(void **state)
{
	static const char *const untrusted[] = {
		"FAIL", "NO", "NOT", "NONE", "TEMP", "PROTOCOL", "SOFTWARE",
		"CONFIG", "DANE_FAIL", "ok", "OK ",
	};
	struct tls_macros m = { .cn_subject = "mx.a.test", .cert_fp = FP_SHA256 };
	struct smtp2_tls_facts f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(untrusted) / sizeof(untrusted[0]); i++) {
		m.verify = untrusted[i];
		assert_true(milter_tls_from_macros(&m, &f));
		if (f.cert_trusted || f.subject_cn[0] != '\0')
			fail_msg("{verify}=%s taken as trusted", untrusted[i]);
		/* The digest still counts: a DANE-EE pin needs no CA. */
		assert_true(f.have_cert_sha256);
		assert_true(f.cert_presented);
	}

	/* Nothing presented at all. */
	memset(&m, 0, sizeof(m));
	m.verify = "NO";
	milter_tls_from_macros(&m, &f);
	assert_false(f.cert_presented);
	assert_false(f.have_cert_sha256);

	/* MD5 (16 bytes) or SHA-1 (20) in {cert_fp} match no pin. */
	m.verify = "OK";
	m.cert_fp = FP_MD5;
	milter_tls_from_macros(&m, &f);
	assert_false(f.have_cert_sha256);
	assert_true(f.cert_presented);
	m.cert_fp = "not hex";
	milter_tls_from_macros(&m, &f);
	assert_false(f.have_cert_sha256);

	/* Broken or dangerous xtext: no CN rather than a wrong one. */
	m.cert_fp = NULL;
	m.cn_subject = "mx+ZZa.test";
	milter_tls_from_macros(&m, &f);
	assert_true(f.cert_trusted);
	assert_string_equal(f.subject_cn, "");
	m.cn_subject = "mx.a.test+0Aevil";
	milter_tls_from_macros(&m, &f);
	assert_string_equal(f.subject_cn, "");
	m.cn_subject = "mx.a.test+2";
	milter_tls_from_macros(&m, &f);
	assert_string_equal(f.subject_cn, "");
	m.cn_subject = "mx.a.test+00";
	milter_tls_from_macros(&m, &f);
	assert_string_equal(f.subject_cn, "");
}

/* test_tls_postfix - {cert_subject} alone means a trusted chain with that CN */
static void
test_tls_postfix(void **state)
{
	struct tls_macros m = { .cert_subject = "mx.a.test", .tls_version = "TLSv1.2",
	    .cipher = "ECDHE-RSA-AES256-GCM-SHA384", .cert_issuer = "A Issuing CA" };
	struct smtp2_tls_facts f;
	char big[400];

	(void)state;
	assert_false(milter_tls_from_macros(&m, &f));
	assert_true(f.cert_presented);
	assert_true(f.cert_trusted);
	assert_string_equal(f.subject_cn, "mx.a.test");
	assert_string_equal(f.issuer_cn, "A Issuing CA");
	assert_false(f.have_cert_sha256);
	assert_string_equal(f.protocol, "TLSv1.2");

	m.cert_subject = "";
	assert_false(milter_tls_from_macros(&m, &f));
	assert_false(f.cert_presented);
	assert_false(f.cert_trusted);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m.cert_subject = big;
	milter_tls_from_macros(&m, &f);
	assert_false(f.cert_trusted);
	assert_string_equal(f.subject_cn, "");

	memset(&m, 0, sizeof(m));
	assert_false(milter_tls_from_macros(&m, &f));
	assert_false(f.cert_presented);
	assert_string_equal(f.protocol, "");
}

/*
 * The policyd client, against a fake policyd.
 */

enum fake_mode {
	FAKE_REPLY = 0,		/* answer with the canned reply */
	FAKE_HANG,		/* read the request, never answer */
	FAKE_CLOSE		/* read the request, hang up */
};

struct fake {
	char		dir[64];
	char		spec[128];
	int		lfd;
	enum fake_mode	mode;
	const char	*reply;
	char		request[1024];
	pthread_t	thread;
};

/* fake_run - one connection: read one request block, then act */
static void *
fake_run(void *arg)
{
	struct fake *f = arg;
	struct pollfd p;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = accept(f->lfd, NULL, NULL)) < 0)
		return NULL;
	while (n + 1 < sizeof(f->request) && strstr(f->request, "\n\n") == NULL) {
		if ((r = read(fd, f->request + n, sizeof(f->request) - 1 - n)) <= 0)
			break;
		n += (size_t)r;
		f->request[n] = '\0';
	}
	if (f->mode == FAKE_REPLY) {
		r = write(fd, f->reply, strlen(f->reply));
		(void)r;
	} else if (f->mode == FAKE_HANG) {
		p.fd = fd;
		p.events = POLLIN;
		(void)poll(&p, 1, 5000);	/* until the client gives up */
	}
	close(fd);
	return NULL;
}

/* fake_start - a listening fake policyd in a fresh directory */
static void
fake_start(struct fake *f, enum fake_mode mode, const char *reply)
{
	char why[WHY_LEN];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/smtp2-test-milter-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->spec, sizeof(f->spec), "unix:%s/policyd.sock", f->dir);
	f->lfd = smtp2d_listen(f->spec, why, sizeof(why));
	if (f->lfd < 0)
		fail_msg("listen %s: %s", f->spec, why);
	f->mode = mode;
	f->reply = reply;
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* fake_stop - wait for the fake, remove its socket and directory */
static void
fake_stop(struct fake *f)
{
	char path[160];

	/* A fake nobody connected to is still in accept(): poke it. */
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	snprintf(path, sizeof(path), "%s/policyd.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
}

/* open_fds - how many descriptors this process holds */
static int
open_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static const struct policyq_request request = {
	.client_address = "192.0.2.1",
	.client_port = "41234",
	.domain = "bank.test",
};

/* ask - one query to a fake answering reply in mode */
static enum policyq_status
ask(enum fake_mode mode, const char *reply, unsigned timeout_ms,
    struct smtp2_verdict *v, char *why, char *req_seen)
{
	struct fake f;
	enum policyq_status st;
	int before;

	before = open_fds();
	fake_start(&f, mode, reply);
	why[0] = '\0';
	st = milter_policyq_ask(f.spec, timeout_ms, &request, v, why, WHY_LEN);
	fake_stop(&f);
	assert_int_equal(open_fds(), before);		/* no socket leaked */
	if (req_seen != NULL)
		memcpy(req_seen, f.request, sizeof(f.request));
	return st;
}

#define REPLY_PASS "status=ok\nresult=pass\nmethod=dane\ndnssec=secure\n" \
		   "record=yes\npolicy=enforce\nreason=certificate key matches pin 3 1 1\n" \
		   "tls=TLSv1.3\n\n"

/* test_policyq_ok - the request on the wire, and a pass read back */
static void
test_policyq_ok(void **state)
{
	struct smtp2_verdict v;
	char why[WHY_LEN], req[1024];

	(void)state;
	assert_int_equal(ask(FAKE_REPLY, REPLY_PASS, 2000, &v, why, req), POLICYQ_OK);
	assert_string_equal(req, "request=smtp2_verify\nclient_address=192.0.2.1\n"
	    "client_port=41234\ndomain=bank.test\n\n");
	assert_int_equal(v.result, SMTP2_RESULT_PASS);
	assert_int_equal(v.method, SMTP2_METHOD_DANE);
	assert_int_equal(v.dnssec, SMTP2_DNSSEC_SECURE);
	assert_true(v.has_record);
	assert_int_equal(v.policy, SMTP2_POLICY_ENFORCE);
	assert_string_equal(v.domain, "bank.test");
	assert_string_equal(v.reason, "certificate key matches pin 3 1 1");

	/* No record: policy "-" is fine. */
	assert_int_equal(ask(FAKE_REPLY, "status=ok\nresult=none\nmethod=none\n"
	    "dnssec=insecure\nrecord=no\npolicy=-\nreason=no record\ntls=-\n\n",
	    2000, &v, why, NULL), POLICYQ_OK);
	assert_int_equal(v.result, SMTP2_RESULT_NONE);
	assert_false(v.has_record);
}

/* test_policyq_unknown_error - the two statuses that are not a verdict */
static void
test_policyq_unknown_error(void **state)
{
	struct smtp2_verdict v;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(ask(FAKE_REPLY, "status=unknown\nresult=none\nmethod=none\n"
	    "dnssec=unknown\nrecord=no\npolicy=-\nreason=no TLS facts\ntls=-\n\n",
	    2000, &v, why, NULL), POLICYQ_UNKNOWN);
	assert_non_null(strstr(why, "no TLS facts"));

	assert_int_equal(ask(FAKE_REPLY, "status=error\nresult=temperror\n"
	    "method=none\ndnssec=unknown\nrecord=no\npolicy=-\n"
	    "reason=session table full\ntls=-\n\n", 2000, &v, why, NULL), POLICYQ_ERROR);
	assert_string_equal(why, "policyd: session table full");
}

/* A reply that must be refused, and what the reason must say. */
struct bad_reply {
	const char	*reply;
	const char	*why;
};

/* test_policyq_garbage - nothing half-parsed is ever a verdict */
static void
test_policyq_garbage(void **state)
{
	static const struct bad_reply cases[] = {
		{ "hello world\n\n", "policyd reply:" },
		{ "result=pass\n\n", "policyd reply without status" },
		{ "status=maybe\n\n", "bad status \"maybe\"" },
		{ "status=ok\nresult=pass\n\n", "policyd reply without method" },
		{ "status=ok\nresult=great\nmethod=dane\ndnssec=secure\nrecord=yes\n"
		  "policy=enforce\nreason=x\n\n", "bad result \"great\"" },
		{ "status=ok\nresult=pass\nmethod=none\ndnssec=secure\nrecord=yes\n"
		  "policy=enforce\nreason=x\n\n", "bad method for pass" },
		{ "status=ok\nresult=pass\nmethod=pkix\ndnssec=sure\nrecord=yes\n"
		  "policy=enforce\nreason=x\n\n", "bad dnssec" },
		{ "status=ok\nresult=pass\nmethod=pkix\ndnssec=secure\nrecord=maybe\n"
		  "policy=enforce\nreason=x\n\n", "bad record" },
		{ "status=ok\nresult=pass\nmethod=pkix\ndnssec=secure\nrecord=yes\n"
		  "policy=-\nreason=x\n\n", "bad policy" },
		{ "status=ok\nresult=pass\nmethod=pkix\ndnssec=secure\nrecord=yes\n"
		  "policy=enforce\n\n", "policyd reply without reason" },
		{ "status=ok\nstatus=ok\n\n", "policyd reply:" },
	};
	struct smtp2_verdict v;
	char why[WHY_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ask(FAKE_REPLY, cases[i].reply, 2000, &v, why, NULL) != POLICYQ_ERROR)
			fail_msg("reply '%s' accepted", cases[i].reply);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("reply '%s': reason '%s' lacks '%s'", cases[i].reply,
			    why, cases[i].why);
	}
}

/* test_policyq_silence - timeout, hang-up, nobody there, unsafe values */
static void
test_policyq_silence(void **state)
{
	struct policyq_request bad = request;
	struct smtp2_verdict v;
	struct timespec t0, t1;
	char why[WHY_LEN];
	long ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ask(FAKE_HANG, NULL, 200, &v, why, NULL), POLICYQ_ERROR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 2000);
	assert_non_null(strstr(why, "no reply within 200 ms"));

	assert_int_equal(ask(FAKE_CLOSE, NULL, 2000, &v, why, NULL), POLICYQ_ERROR);
	assert_non_null(strstr(why, "closed the connection"));

	assert_int_equal(milter_policyq_ask("unix:/nonexistent/smtp2/policyd.sock",
	    500, &request, &v, why, sizeof(why)), POLICYQ_ERROR);
	assert_non_null(strstr(why, "policyd: unix:/nonexistent/smtp2/policyd.sock"));
	assert_int_equal(milter_policyq_ask(NULL, 500, &request, &v, why,
	    sizeof(why)), POLICYQ_ERROR);

	/* A value with a newline would smuggle a field in: refused unsent. */
	bad.domain = "bank.test\nclient_address=10.0.0.1";
	assert_int_equal(milter_policyq_ask("unix:/nonexistent/x.sock", 500, &bad,
	    &v, why, sizeof(why)), POLICYQ_ERROR);
	assert_non_null(strstr(why, "unsafe"));
	bad.domain = "";
	assert_int_equal(milter_policyq_ask("unix:/nonexistent/x.sock", 500, &bad,
	    &v, why, sizeof(why)), POLICYQ_ERROR);
}

/*
 * The verdict source: macros, policyd, fallback.
 */

/* conf_with - a configuration naming the fake policyd and a dead resolver */
static struct smtp2_conf *
conf_with(const char *dir, const char *policyd, const char *source)
{
	struct smtp2_conf *c;
	char path[160], why[WHY_LEN];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/milter.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	/* 127.0.0.1:1 refuses at once: lookups fail fast, nothing leaves. */
	fprintf(fp, "dns = { resolvers = [ \"127.0.0.1:1\" ]; dnssec = \"off\";"
	    " timeout_ms = 300; cache_entries = 0; };\n"
	    "policy = { mode = \"permissive\"; authserv_id = \"" ID "\"; };\n"
	    "milter = { socket = \"inet:10999@127.0.0.1\"; policyd = \"%s\";"
	    " tls_source = \"%s\"; policyd_timeout_ms = 500; };\n"
	    "log = { to = \"stderr\"; level = \"err\"; };\n", policyd, source);
	fclose(fp);
	c = smtp2_conf_load(path, why, sizeof(why));
	if (c == NULL)
		fail_msg("conf: %s", why);
	unlink(path);
	return c;
}

static bool made_resolver;	/* the last verdict_via() needed DNS */

/* verdict_via - milter_verdict_get with a fake policyd answering reply,
 * under a generation built for the call */
static int
verdict_via(const char *source, enum fake_mode mode, const char *reply,
    struct session *s, struct smtp2_verdict *v, char *why)
{
	struct milter_run *run;
	struct smtp2_conf *c;
	struct fake f;
	int r;

	fake_start(&f, mode, reply);
	c = conf_with(f.dir, f.spec, source);
	assert_non_null(s->run = run = milter_run_new(c, why, WHY_LEN));
	r = milter_verdict_get(s, "bank.test", v, why, WHY_LEN);
	fake_stop(&f);
	/* The resolver goes back to the generation it came from. */
	made_resolver = s->dns != NULL;
	milter_resolvers_put(run->pool, s->dns);
	s->dns = NULL;
	s->run = NULL;
	milter_run_free(run);
	return r;
}

/* test_verdict_sources - who is asked, and what happens when they fail */
static void
test_verdict_sources(void **state)
{
	struct session *s;
	struct smtp2_verdict v;
	char why[WHY_LEN];

	(void)state;
	assert_non_null(s = milter_session_new(NULL, NULL));
	milter_session_client(s, "192.0.2.1", "41234");

	/* policyd answers: its verdict, no resolver made. */
	assert_int_equal(verdict_via("policyd", FAKE_REPLY, REPLY_PASS, s, &v, why), 0);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);
	assert_false(made_resolver);

	/* auto without {verify}: policyd too. */
	assert_int_equal(verdict_via("auto", FAKE_REPLY, REPLY_PASS, s, &v, why), 0);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);

	/* policyd fails: no verdict, the caller defers. */
	assert_int_equal(verdict_via("policyd", FAKE_REPLY, "status=error\n"
	    "reason=overloaded\n\n", s, &v, why), -1);
	assert_string_equal(why, "policyd: overloaded");
	assert_int_equal(verdict_via("policyd", FAKE_HANG, NULL, s, &v, why), -1);

	/* policyd knows nothing: the milter verifies alone (DNS fails here). */
	assert_int_equal(verdict_via("policyd", FAKE_REPLY, "status=unknown\n\n",
	    s, &v, why), 0);
	assert_int_equal(v.result, SMTP2_RESULT_TEMPERROR);
	assert_true(made_resolver);

	/* auto with Sendmail's {verify}: never asks policyd (it would pass). */
	s->tls_sendmail = true;
	assert_int_equal(verdict_via("auto", FAKE_REPLY, REPLY_PASS, s, &v, why), 0);
	assert_int_equal(v.result, SMTP2_RESULT_TEMPERROR);
	assert_int_equal(verdict_via("macros", FAKE_REPLY, REPLY_PASS, s, &v, why), 0);
	assert_int_equal(v.result, SMTP2_RESULT_TEMPERROR);
	milter_session_free(s);
}

/*
 * Envelope, log line, reply text.
 */

/* test_envelope - sender, recipients, postmaster */
static void
test_envelope(void **state)
{
	struct session *s;

	(void)state;
	assert_non_null(s = milter_session_new(NULL, NULL));
	milter_message_sender(&s->msg, "<>");
	assert_string_equal(s->msg.sender, "<>");
	milter_message_sender(&s->msg, "<a b\"c@a.test>");
	assert_string_equal(s->msg.sender, "a?b?c@a.test");

	assert_false(milter_message_to_postmaster(&s->msg));
	milter_message_rcpt(&s->msg, "<PostMaster@b.test>");
	assert_true(milter_message_to_postmaster(&s->msg));
	milter_message_rcpt(&s->msg, "<postmaster>");
	assert_true(milter_message_to_postmaster(&s->msg));
	milter_message_rcpt(&s->msg, "<postmaster-x@b.test>");
	assert_false(milter_message_to_postmaster(&s->msg));
	assert_string_equal(s->msg.rcpt, "PostMaster@b.test");
	assert_int_equal(s->msg.n_rcpt, 3);

	milter_message_reset(&s->msg);
	assert_int_equal(s->msg.n_rcpt, 0);
	milter_message_rcpt(&s->msg, "<bob@b.test>");
	assert_false(milter_message_to_postmaster(&s->msg));
	milter_session_free(s);
}

/* test_verdict_line - exactly the documented shape */
static void
test_verdict_line(void **state)
{
	struct session *s;
	struct smtp2_verdict v;
	char line[2048];

	(void)state;
	assert_non_null(s = milter_session_new(NULL, NULL));
	milter_session_client(s, "192.0.2.1", "41234");
	milter_message_sender(&s->msg, "<alice@bank.test>");
	milter_message_rcpt(&s->msg, "<bob@b.test>");
	milter_message_rcpt(&s->msg, "<carol@b.test>");
	milter_message_rcpt(&s->msg, "<dave@b.test>");
	milter_message_queue_id(&s->msg, "4BXyZ12");
	memset(&v, 0, sizeof(v));
	v.result = SMTP2_RESULT_PASS;
	v.method = SMTP2_METHOD_DANE;
	v.dnssec = SMTP2_DNSSEC_SECURE;
	v.has_record = true;
	v.policy = SMTP2_POLICY_ENFORCE;
	snprintf(v.domain, sizeof(v.domain), "bank.test");
	snprintf(v.reason, sizeof(v.reason), "pin \"3 1 1\" matched");
	milter_session_verdict_line(s, &v, SMTP2_MODE_ENFORCE, SMTP2_ACTION_ACCEPT,
	    NULL, 3, line, sizeof(line));
	assert_string_equal(line, "verdict stage=eom queue=4BXyZ12 "
	    "client=192.0.2.1:41234 sender=alice@bank.test rcpt=bob@b.test+2 "
	    "domain=bank.test result=pass method=dane dnssec=secure record=yes "
	    "policy=enforce mode=enforce action=accept "
	    "reason=\"pin \\\"3 1 1\\\" matched\" ms=3");

	/* Unknown From domain, no queue id, one recipient, null sender. */
	milter_message_reset(&s->msg);
	milter_message_sender(&s->msg, "<>");
	milter_message_rcpt(&s->msg, "<bob@b.test>");
	milter_verdict_error(&v, SMTP2_RESULT_PERMERROR, NULL, "2 From headers");
	milter_session_verdict_line(s, &v, SMTP2_MODE_PERMISSIVE, SMTP2_ACTION_ACCEPT,
	    NULL, 0, line, sizeof(line));
	assert_string_equal(line, "verdict stage=eom queue=- client=192.0.2.1:41234 "
	    "sender=<> rcpt=bob@b.test domain=- result=permerror method=none "
	    "dnssec=unknown record=no policy=- mode=permissive action=accept "
	    "reason=\"2 From headers\" ms=0");
	milter_session_free(s);
}

/* test_reply_text - what libmilter's smfi_setreply can carry */
static void
test_reply_text(void **state)
{
	char out[32];

	(void)state;
	milter_reply_text("100% forged\r\nX", out, sizeof(out));
	assert_string_equal(out, "100%% forged  X");
	milter_reply_text("%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%", out, 8);
	assert_string_equal(out, "%%%%%%");
	milter_reply_text("abc", out, 1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_table),
		cmocka_unit_test(test_from_long),
		cmocka_unit_test(test_headers_from),
		cmocka_unit_test(test_headers_forged),
		cmocka_unit_test(test_headers_forged_cap),
		cmocka_unit_test(test_tls_sendmail_ok),
		cmocka_unit_test(test_tls_sendmail_other),
		cmocka_unit_test(test_tls_postfix),
		cmocka_unit_test(test_policyq_ok),
		cmocka_unit_test(test_policyq_unknown_error),
		cmocka_unit_test(test_policyq_garbage),
		cmocka_unit_test(test_policyq_silence),
		cmocka_unit_test(test_verdict_sources),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_verdict_line),
		cmocka_unit_test(test_reply_text),
	};

	signal(SIGPIPE, SIG_IGN);	/* a fake that hangs up must not kill us */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
