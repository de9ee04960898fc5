/*
 * test_submission.c - RFC 6409 submission: the pure checks of libsmtp2
 * (envelope syntax, full qualification and expansion, networks, the
 * rights map, header address lists, Date and Message-ID, the log rate
 * limit) and smtp2-milter's per-message logic, driven without libmilter.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <cmocka.h>
#include <smtp2/conf.h>
#include <smtp2/submit.h>

/* Application-specific. */
#include "submission.h"

#define DATA_DIR	SMTP2_TEST_DATA "/submission"
#define WHY_LEN		256

/*
 * Envelope addresses.
 */

struct path_case {
	const char	*arg;
	bool		utf8, null_ok;
	enum smtp2_submit_status want;
	const char	*local, *domain;	/* when OK */
	const char	*why;			/* part of the reason otherwise */
};

/* test_parse_path - RFC 5321 Path and Mailbox, and what is improper */
static void
test_parse_path(void **state)
{
	static const struct path_case cases[] = {
		{ "<alice@example.net>", false, true, SMTP2_SUBMIT_OK, "alice", "example.net", NULL },
		{ "alice@Example.NET", false, true, SMTP2_SUBMIT_OK, "alice", "example.net", NULL },
		{ "<\"a b\"@example.net>", false, true, SMTP2_SUBMIT_OK, "\"a b\"", "example.net", NULL },
		{ "<first.last+tag@sub.example.net>", false, true, SMTP2_SUBMIT_OK,
		    "first.last+tag", "sub.example.net", NULL },
		{ "<@relay.example,@r2.example:u@example.net>", false, true, SMTP2_SUBMIT_OK,
		    "u", "example.net", NULL },
		{ "<u@[192.0.2.1]>", false, true, SMTP2_SUBMIT_OK, "u", "[192.0.2.1]", NULL },
		{ "<u@[IPv6:2001:db8::1]>", false, true, SMTP2_SUBMIT_OK, "u", "[ipv6:2001:db8::1]", NULL },
		{ "<u@sales>", false, true, SMTP2_SUBMIT_OK, "u", "sales", NULL },
		{ "<>", false, true, SMTP2_SUBMIT_OK, "", "", NULL },
		{ "<>", false, false, SMTP2_SUBMIT_SYNTAX, NULL, NULL, "empty address" },
		{ "<j\xc3\xb6rg@b\xc3\xbc" "cher.example>", true, true, SMTP2_SUBMIT_OK,
		    "j\xc3\xb6rg", "b\xc3\xbc" "cher.example", NULL },
		{ "<j\xc3\xb6rg@example.net>", false, true, SMTP2_SUBMIT_IMPROPER, NULL, NULL,
		    "8-bit byte in address without SMTPUTF8" },
		{ "<a\tb@example.net>", false, true, SMTP2_SUBMIT_IMPROPER, NULL, NULL,
		    "control character 0x09" },
		{ "<a b@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "unexpected character after the local part" },
		{ "<a..b@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed local part" },
		{ "<.a@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed local part" },
		{ "<a.@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "unexpected character after the local part" },
		{ "<\"unterminated@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed local part" },
		{ "<a@b@example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed domain" },
		{ "<a@-x.example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed domain" },
		{ "<a@x-.example.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed domain" },
		{ "<a@example.net.>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed domain" },
		{ "<a@exa_mple.net>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed domain" },
		{ "<a@[300.1.1.1]>", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "malformed address literal" },
		{ "<a@example.net", false, true, SMTP2_SUBMIT_SYNTAX, NULL, NULL,
		    "unbalanced angle brackets" },
		{ "<alice>", false, true, SMTP2_SUBMIT_NOT_FQDN, NULL, NULL,
		    "address without a domain" },
		{ "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.net>",
		    false, true, SMTP2_SUBMIT_IMPROPER, NULL, NULL, "local part longer than 64" },
	};
	struct smtp2_submit_addr a;
	char why[WHY_LEN];
	size_t i;
	enum smtp2_submit_status st;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = smtp2_submit_parse_path(cases[i].arg, cases[i].utf8, cases[i].null_ok,
		    &a, why, sizeof(why));
		if (st != cases[i].want)
			fail_msg("%s: status %d, want %d (%s)", cases[i].arg, st,
			    cases[i].want, why);
		if (st == SMTP2_SUBMIT_OK && (strcmp(a.local, cases[i].local) != 0 ||
		    strcmp(a.domain, cases[i].domain) != 0))
			fail_msg("%s: split into '%s' '%s'", cases[i].arg, a.local, a.domain);
		if (st != SMTP2_SUBMIT_OK && strstr(why, cases[i].why) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", cases[i].arg, why, cases[i].why);
	}
}

/* test_long_path - a path over 256 bytes is improper, not a crash */
static void
test_long_path(void **state)
{
	struct smtp2_submit_addr a;
	char arg[600], why[WHY_LEN];

	(void)state;
	memset(arg, 'a', sizeof(arg) - 1);
	arg[0] = '<';
	memcpy(arg + 10, "@", 1);
	arg[sizeof(arg) - 2] = '>';
	arg[sizeof(arg) - 1] = '\0';
	assert_int_equal(smtp2_submit_parse_path(arg, false, true, &a, why, sizeof(why)),
	    SMTP2_SUBMIT_IMPROPER);
	assert_non_null(strstr(why, "path longer than 256"));
}

struct fqdn_case {
	const char	*domain;
	const char	*expand;
	int		want;		/* 0, 1, -1 */
	const char	*out;		/* for 1 */
};

/* test_fqdn - qualified, expanded (single labels only), refused */
static void
test_fqdn(void **state)
{
	static const struct fqdn_case cases[] = {
		{ "example.net", NULL, 0, NULL },
		{ "sub.example.net", "example.net", 0, NULL },
		{ "[192.0.2.1]", NULL, 0, NULL },
		{ "sales", NULL, -1, NULL },
		{ "sales", "example.net", 1, "sales.example.net" },
		{ "squeaky.sales", "example.net", 0, NULL },	/* never expanded */
		{ "printer.local", "example.net", -1, NULL },
		{ "host.localdomain", NULL, -1, NULL },
		{ "localhost", "example.net", -1, NULL },
		{ "mx.internal", NULL, -1, NULL },
		{ "10.0.0.1", NULL, -1, NULL },
	};
	char out[SMTP2_SUBMIT_PATH_MAX], why[WHY_LEN];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out[0] = '\0';
		r = smtp2_submit_fqdn(cases[i].domain, cases[i].expand, out, sizeof(out),
		    why, sizeof(why));
		if (r != cases[i].want)
			fail_msg("%s: %d, want %d", cases[i].domain, r, cases[i].want);
		if (r == 1 && strcmp(out, cases[i].out) != 0)
			fail_msg("%s: expanded to %s", cases[i].domain, out);
		if (r < 0 && strstr(why, "not fully qualified") == NULL)
			fail_msg("%s: reason '%s'", cases[i].domain, why);
	}
}

/* test_nets - trusted networks, v4, v6 and v4-mapped */
static void
test_nets(void **state)
{
	struct smtp2_submit_net n[3];
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(smtp2_submit_net_parse("10.0.0.0/8", &n[0], why, sizeof(why)), 0);
	assert_int_equal(smtp2_submit_net_parse("2001:db8::/32", &n[1], why, sizeof(why)), 0);
	assert_int_equal(smtp2_submit_net_parse("192.0.2.7", &n[2], why, sizeof(why)), 0);
	assert_true(smtp2_submit_net_match(n, 3, "10.1.2.3"));
	assert_true(smtp2_submit_net_match(n, 3, "::ffff:10.9.9.9"));
	assert_true(smtp2_submit_net_match(n, 3, "2001:db8:1::5"));
	assert_true(smtp2_submit_net_match(n, 3, "192.0.2.7"));
	assert_false(smtp2_submit_net_match(n, 3, "192.0.2.8"));
	assert_false(smtp2_submit_net_match(n, 3, "11.0.0.1"));
	assert_false(smtp2_submit_net_match(n, 3, "unknown"));
	assert_false(smtp2_submit_net_match(n, 3, NULL));
	assert_int_equal(smtp2_submit_net_parse("10.0.0.0/x", &n[0], why, sizeof(why)), -1);
	assert_int_equal(smtp2_submit_net_parse("::1/129", &n[0], why, sizeof(why)), -1);
	assert_int_equal(smtp2_submit_net_parse("host.example", &n[0], why, sizeof(why)), -1);
	assert_non_null(strstr(why, "is not an IPv4 or IPv6 network"));
}

/* test_rights - the map: exact addresses, whole domains, anything */
static void
test_rights(void **state)
{
	struct smtp2_submit_rights *r;
	char why[WHY_LEN];

	(void)state;
	r = smtp2_submit_rights_load(DATA_DIR "/rights", why, sizeof(why));
	if (r == NULL)
		fail_msg("%s", why);
	assert_int_equal(smtp2_submit_rights_entries(r), 3);
	assert_true(smtp2_submit_rights_known(r, "bob"));
	assert_false(smtp2_submit_rights_known(r, "Bob"));
	assert_true(smtp2_submit_rights_allow(r, "alice@example.net", "alice", "example.net"));
	assert_true(smtp2_submit_rights_allow(r, "alice@example.net", "A.Smith", "EXAMPLE.net"));
	assert_false(smtp2_submit_rights_allow(r, "alice@example.net", "bob", "example.net"));
	assert_false(smtp2_submit_rights_allow(r, "alice@example.net", "alice", "example.org"));
	assert_false(smtp2_submit_rights_allow(r, "alice@example.net", "alic", "example.net"));
	assert_true(smtp2_submit_rights_allow(r, "bob", "anyone", "example.org"));
	assert_false(smtp2_submit_rights_allow(r, "bob", "bob", "sub.example.org"));
	assert_true(smtp2_submit_rights_allow(r, "admin@example.net", "x", "y.example"));
	assert_false(smtp2_submit_rights_allow(r, "mallory", "mallory", "example.net"));
	assert_false(smtp2_submit_rights_allow(NULL, "bob", "bob", "example.org"));
	smtp2_submit_rights_free(r);
	assert_null(smtp2_submit_rights_load(DATA_DIR "/none", why, sizeof(why)));
	assert_non_null(strstr(why, "/none:0: cannot read: No such file"));
}

/* test_rate - N lines a minute, then a count of what was dropped */
static void
test_rate(void **state)
{
	struct smtp2_submit_rate *r;
	unsigned long dropped;
	int i;

	(void)state;
	assert_non_null(r = smtp2_submit_rate_new(3));
	for (i = 0; i < 3; i++) {
		assert_true(smtp2_submit_rate_take(r, 1000 + i, &dropped));
		assert_int_equal(dropped, 0);
	}
	for (i = 0; i < 5; i++)
		assert_false(smtp2_submit_rate_take(r, 1010, &dropped));
	assert_true(smtp2_submit_rate_take(r, 1060, &dropped));
	assert_int_equal(dropped, 5);
	assert_true(smtp2_submit_rate_take(r, 1061, &dropped));
	assert_int_equal(dropped, 0);
	/* A clock stepping back opens a new window rather than a long silence. */
	assert_true(smtp2_submit_rate_take(r, 500, &dropped));
	smtp2_submit_rate_free(r);
	assert_non_null(r = smtp2_submit_rate_new(0));
	for (i = 0; i < 1000; i++)
		assert_true(smtp2_submit_rate_take(r, 1000, &dropped));
	smtp2_submit_rate_free(r);
}

/*
 * Header fields.
 */

struct list_seen {
	char	text[512];
	size_t	ends[8];
	size_t	n;
};

/* collect - "local@domain;" for each mailbox */
static int
collect(void *arg, const char *local, const char *domain, size_t end)
{
	struct list_seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s@%s;", local, domain);
	if (s->n < 8)
		s->ends[s->n++] = end;
	return 0;
}

struct list_case {
	const char	*value;
	int		want;		/* mailboxes, or -1 */
	const char	*seen;		/* for >= 0; or part of why */
};

/* test_addrlist - address lists as header fields hold them */
static void
test_addrlist(void **state)
{
	static const struct list_case cases[] = {
		{ "alice@example.net", 1, "alice@example.net;" },
		{ "Alice <alice@Example.Net>, \"B, C\" <b@sales>", 2,
		    "alice@example.net;b@sales;" },
		{ "team: a@x.example, b@y.example;, c@z.example", 3,
		    "a@x.example;b@y.example;c@z.example;" },
		{ "undisclosed-recipients:;", 0, "" },
		{ "(c) a (x) @ (y) example.net (z)", 1, "a@example.net;" },
		{ "<@route.example:a@example.net>", 1, "a@example.net;" },
		{ "\"quoted local\"@example.net", 1, "\"quoted local\"@example.net;" },
		{ "a@[192.0.2.1]", 1, "a@[192.0.2.1];" },
		{ "Alice <alice>", -1, "mailbox without domain" },
		{ "alice@", -1, "a domain was expected" },
		{ "Alice <alice@example.net", -1, "'>' was expected" },
		{ "a@example.net (open", -1, "unterminated comment" },
		{ "\"open@example.net", -1, "unterminated quoted string" },
		{ "g: a@example.net", -1, "group without ';'" },
		{ "a@example.net b@example.net", -1, "unexpected text after a mailbox" },
		{ "a@exam\x01ple.net", -1, "unexpected byte 0x01" },
	};
	struct list_seen seen;
	char why[WHY_LEN];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&seen, 0, sizeof(seen));
		why[0] = '\0';
		n = smtp2_submit_addrlist(cases[i].value, collect, &seen, why, sizeof(why));
		if (n != cases[i].want)
			fail_msg("%s: %d mailboxes, want %d (%s)", cases[i].value, n,
			    cases[i].want, why);
		if (n >= 0 && strcmp(seen.text, cases[i].seen) != 0)
			fail_msg("%s: saw '%s'", cases[i].value, seen.text);
		if (n < 0 && strstr(why, cases[i].seen) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", cases[i].value, why,
			    cases[i].seen);
	}
	/* The domain's end offset is where an expansion goes. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(smtp2_submit_addrlist("B <b@sales> (x)", collect, &seen,
	    why, sizeof(why)), 1);
	assert_int_equal(seen.ends[0], strlen("B <b@sales"));
}

/* test_date - RFC 5322 date-time, obsolete forms included */
static void
test_date(void **state)
{
	static const char *const good[] = {
		"Tue, 1 Jul 2025 12:00:00 +0200",
		"1 Jul 2025 12:00 -0000",
		"Tue, 01 Jul 2025 23:59:60 +0000 (CEST)",
		"Thu, 13 Feb 69 23:32 -0330",
		"Fri, 21 Nov 1997 09:55:06 GMT",
		"  Mon,\r\n 3 Mar 2025 01:02:03\r\n +0100",
		"Sun, 2 Feb 2025 10:00:00 Z",
	};
	static const char *const bad[] = {
		"", "yesterday", "Tue, 32 Jul 2025 12:00:00 +0200",
		"Tue, 1 Jly 2025 12:00:00 +0200", "Tue, 1 Jul 2025 24:00:00 +0200",
		"Tue, 1 Jul 2025 12:00:00", "Tue, 1 Jul 2025 12:00:00 +02",
		"Tue, 1 Jul 2025 12:00:00 +0260", "Tue 1 Jul 2025 12:00:00 +0200",
		"Tue, 1 Jul 2025 12:00:00 +0200 extra", "2025-07-01T12:00:00Z",
		"Tue, 1 Jul 2025 12:00:00 +0200 (unterminated",
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!smtp2_submit_date_ok(good[i]))
			fail_msg("refused: '%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (smtp2_submit_date_ok(bad[i]))
			fail_msg("accepted: '%s'", bad[i]);
	assert_true(smtp2_submit_date_format(1751371200, buf, sizeof(buf)) > 0);
	if (!smtp2_submit_date_ok(buf))
		fail_msg("our own date refused: '%s'", buf);
}

/* test_msgid - one msg-id, and ours is one */
static void
test_msgid(void **state)
{
	char buf[300];

	(void)state;
	assert_true(smtp2_submit_msgid_ok("<abc.123@example.net>"));
	assert_true(smtp2_submit_msgid_ok(" <a@[literal]> (comment)"));
	assert_false(smtp2_submit_msgid_ok("abc@example.net"));
	assert_false(smtp2_submit_msgid_ok("<abc>"));
	assert_false(smtp2_submit_msgid_ok("<a@b> <c@d>"));
	assert_false(smtp2_submit_msgid_ok("<a..b@example.net>"));
	assert_false(smtp2_submit_msgid_ok("<a b@example.net>"));
	assert_false(smtp2_submit_msgid_ok(""));
	assert_int_equal(smtp2_submit_msgid_make("msa.example.net", 1751371200, buf,
	    sizeof(buf)), 0);
	assert_true(smtp2_submit_msgid_ok(buf));
	assert_non_null(strstr(buf, ".1751371200@msa.example.net>"));
	assert_int_equal(smtp2_submit_msgid_make("msa.example.net", 1, buf, 20), -1);
}

/*
 * The per-message logic, as submission_act.c drives it.
 */

struct msg_fixture {
	struct smtp2_conf *conf;
	struct submit_conn c;
	struct submit_msg m;
};

/* setup_msg - the test configuration, a submission session */
static int
setup_msg(void **state)
{
	struct msg_fixture *f = calloc(1, sizeof(*f));
	char why[WHY_LEN];

	if (f == NULL)
		return -1;
	if ((f->conf = smtp2_conf_load(DATA_DIR "/milter.conf", why, sizeof(why))) == NULL) {
		print_error("%s\n", why);
		free(f);
		return -1;
	}
	milter_submit_connect(&f->c, f->conf, "587", "mx.example.net", "192.0.2.9");
	*state = f;
	return 0;
}

/* teardown_msg - free the fixture */
static int
teardown_msg(void **state)
{
	struct msg_fixture *f = *state;

	milter_submit_msg_reset(&f->m);
	smtp2_conf_free(f->conf);
	free(f);
	return 0;
}

/* test_recognise - port, daemon name, trusted network */
static void
test_recognise(void **state)
{
	struct msg_fixture *f = *state;
	struct submit_conn c;

	assert_true(f->c.active);
	assert_false(f->c.trusted);
	assert_string_equal(f->c.how, "port=587");
	milter_submit_connect(&c, f->conf, "25", "ORIGINATING", "10.1.1.1");
	assert_true(c.active);
	assert_true(c.trusted);
	assert_string_equal(c.how, "daemon=ORIGINATING");
	milter_submit_connect(&c, f->conf, "25", "mx.example.net", "10.1.1.1");
	assert_false(c.active);
	assert_false(c.trusted);
	milter_submit_connect(&c, f->conf, NULL, NULL, NULL);
	assert_false(c.active);
}

struct mail_case {
	const char	*arg;
	const char	*login;		/* NULL: not authenticated */
	bool		tls;
	bool		trusted;
	const char	*code, *dsn;	/* NULL: accepted */
	const char	*text;		/* part of the reply text */
};

/* test_mail - MAIL FROM: TLS, AUTH, syntax, qualification, rights */
static void
test_mail(void **state)
{
	static const struct mail_case cases[] = {
		{ "<alice@example.net>", "alice@example.net", true, false, NULL, NULL, NULL },
		{ "<a.smith@example.net>", "alice@example.net", true, false, NULL, NULL, NULL },
		{ "<>", "alice@example.net", true, false, NULL, NULL, NULL },
		{ "<>", "mallory", true, false, NULL, NULL, NULL },
		{ "<alice@example.net>", "alice@example.net", false, false, "530", "5.7.0",
		    "Must issue a STARTTLS command first" },
		{ "<x@example.net>", NULL, true, true, NULL, NULL, NULL },
		{ "<alice@example.net>", NULL, true, false, NULL, NULL, NULL },	/* postmaster only */
		{ "<bob@example.net>", "alice@example.net", true, false, "550", "5.7.1",
		    "Sender address not authorized" },
		{ "<anyone@example.org>", "bob", true, false, NULL, NULL, NULL },
		{ "<bob@example.net>", "bob", true, false, "550", "5.7.1", "not authorized" },
		{ "<x@example.net>", "mallory", true, false, "550", "5.7.1", "not authorized" },
		{ "<a b@example.net>", "admin@example.net", true, false, "501", "5.1.7",
		    "Bad sender address syntax" },
		{ "<a\x01@example.net>", "admin@example.net", true, false, "554", "5.5.4",
		    "Improper sender address" },
		{ "<x@printer.local>", "admin@example.net", true, false, "554", "5.1.8",
		    "fully qualified" },
		{ "<x@squeaky.sales>", "admin@example.net", true, false, NULL, NULL, NULL },
		{ "<x>", "admin@example.net", true, false, "554", "5.1.8", "without a domain" },
	};
	struct msg_fixture *f = *state;
	struct submit_reply r;
	struct submit_conn c;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = f->c;
		c.trusted = cases[i].trusted;
		memset(&r, 0, sizeof(r));
		rc = milter_submit_mail(&c, &f->m, f->conf, cases[i].arg, NULL,
		    cases[i].login, cases[i].tls, &r);
		if (cases[i].code == NULL && rc != 0)
			fail_msg("case %zu %s: refused %s %s %s", i, cases[i].arg, r.code,
			    r.dsn, r.text);
		if (cases[i].code != NULL && (rc != -1 || strcmp(r.code, cases[i].code) != 0
		    || strcmp(r.dsn, cases[i].dsn) != 0 || !strstr(r.text, cases[i].text)))
			fail_msg("case %zu %s: rc %d reply %s %s %s", i, cases[i].arg, rc,
			    rc ? r.code : "-", rc ? r.dsn : "-", rc ? r.text : "-");
	}
	/* Not authenticated, not trusted: only postmaster may be reached. */
	assert_int_equal(milter_submit_mail(&f->c, &f->m, f->conf, "<u@example.net>",
	    NULL, NULL, true, &r), 0);
	assert_true(f->m.postmaster_only);
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<someone@example.net>",
	    NULL, &r), -1);
	assert_string_equal(r.code, "530");
	assert_string_equal(r.text, "Authentication required");
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf,
	    "<postmaster@example.net>", NULL, &r), 0);
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<Postmaster>",
	    NULL, &r), 0);
}

/* test_mail_expand - a single-level sender domain gets expanded */
static void
test_mail_expand(void **state)
{
	struct msg_fixture *f = *state;
	struct submit_reply r;

	assert_int_equal(milter_submit_mail(&f->c, &f->m, f->conf, "<x@sales>", NULL,
	    "admin@example.net", true, &r), 0);
	assert_true(f->m.sender_rewrite);
	assert_string_equal(f->m.sender.from, "<x@sales>");
	assert_string_equal(f->m.sender.to, "<x@sales.example.net>");
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<y@support>", NULL, &r), 0);
	assert_int_equal(f->m.n_rcpt_rewrite, 1);
	assert_string_equal(f->m.rcpt[0].to, "<y@support.example.net>");
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<y@a.b>", NULL, &r), 0);
	assert_int_equal(f->m.n_rcpt_rewrite, 1);
	/* The rights are judged on the expanded address. */
	assert_int_equal(milter_submit_mail(&f->c, &f->m, f->conf, "<alice@sales>", NULL,
	    "alice@example.net", true, &r), -1);
	assert_string_equal(r.code, "550");
}

/* test_rcpt - recipient syntax and per-user permissions */
static void
test_rcpt(void **state)
{
	struct msg_fixture *f = *state;
	struct submit_reply r;

	assert_int_equal(milter_submit_mail(&f->c, &f->m, f->conf, "<a@example.org>", NULL,
	    "bob", true, &r), 0);
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<x@example.org>", NULL, &r), 0);
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf,
	    "<postmaster@example.net>", NULL, &r), 0);
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<x@example.net>", NULL, &r), -1);
	assert_string_equal(r.code, "550");
	assert_string_equal(r.dsn, "5.7.1");
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<x y@example.org>", NULL, &r), -1);
	assert_string_equal(r.code, "501");
	assert_string_equal(r.dsn, "5.1.3");
	assert_int_equal(milter_submit_rcpt(&f->c, &f->m, f->conf, "<x@host.lan>", NULL, &r), -1);
	assert_string_equal(r.code, "554");
	assert_string_equal(r.dsn, "5.1.2");
}

/* edit_of - the edit of header name, or NULL */
static const struct submit_edit *
edit_of(const struct submit_edits *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->e[i].name, name) == 0)
			return &e->e[i];
	return NULL;
}

/* message - MAIL as login, then the given header fields */
static void
message(struct msg_fixture *f, const char *login, const char *const *hdrs)
{
	struct submit_reply r;

	assert_int_equal(milter_submit_mail(&f->c, &f->m, f->conf, "<>", NULL, login,
	    true, &r), 0);
	for (; hdrs[0] != NULL; hdrs += 2)
		milter_submit_header(&f->m, hdrs[0], hdrs[1]);
}

/* test_eom_complete - Date, Message-ID and Sender added or fixed */
static void
test_eom_complete(void **state)
{
	static const char *const bare[] = { "From", " alice@example.net", "Subject", "x", NULL };
	static const char *const broken[] = { "From", "A <a.smith@example.net>",
	    "Date", "yesterday", "Message-ID", "<no-domain>", NULL };
	static const char *const complete_[] = { "From", "alice@example.net",
	    "Date", "Tue, 1 Jul 2025 12:00:00 +0200", "Message-ID", "<a@b.example>", NULL };
	struct msg_fixture *f = *state;
	struct submit_edits e;
	struct submit_reply r;
	const struct submit_edit *x;

	message(f, "alice@example.net", bare);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 1751371200, &e, &r), 0);
	assert_non_null(x = edit_of(&e, "Date"));
	assert_int_equal(x->op, SUBMIT_ADD);
	assert_true(smtp2_submit_date_ok(x->value));
	assert_non_null(x = edit_of(&e, "Message-ID"));
	assert_non_null(strstr(x->value, "@msa.example.net>"));
	assert_null(edit_of(&e, "Sender"));	/* the login is the From */
	assert_string_equal(e.added, "Date,Message-ID");
	milter_submit_edits_free(&e);

	message(f, "alice@example.net", broken);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 1751371200, &e, &r), 0);
	assert_int_equal(edit_of(&e, "Date")->op, SUBMIT_CHANGE);
	assert_int_equal(edit_of(&e, "Message-ID")->op, SUBMIT_CHANGE);
	assert_non_null(x = edit_of(&e, "Sender"));
	assert_int_equal(x->op, SUBMIT_ADD);
	assert_string_equal(x->value, "alice@example.net");
	milter_submit_edits_free(&e);

	/* Complete already, from the login: nothing to do; bob is no address. */
	message(f, "alice@example.net", complete_);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 1751371200, &e, &r), 0);
	assert_int_equal(e.n, 0);
	assert_string_equal(e.added, "");
	static const char *const bobs[] = { "From", "b@example.org", "Date",
	    "Tue, 1 Jul 2025 12:00:00 +0200", "Message-ID", "<a@b.example>", NULL };
	message(f, "bob", bobs);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 1751371200, &e, &r), 0);
	assert_null(edit_of(&e, "Sender"));
	milter_submit_edits_free(&e);
}

/* test_eom_refuse - header syntax, qualification, rights, counts */
static void
test_eom_refuse(void **state)
{
	static const char *const bad_from[] = { "From", "Alice <alice", NULL };
	static const char *const not_fqdn[] = { "From", "alice@example.net",
	    "Cc", "x@printer.local", NULL };
	static const char *const not_hers[] = { "From", "bob@example.net", NULL };
	static const char *const two_from[] = { "From", "alice@example.net",
	    "From", "alice@example.net", NULL };
	static const char *const two_subj[] = { "From", "alice@example.net",
	    "Subject", "a", "subject", "b", NULL };
	static const char *const expand[] = { "From", "alice@example.net",
	    "To", "Sales <s@sales>, t@sales (team)", NULL };
	struct msg_fixture *f = *state;
	struct submit_edits e;
	struct submit_reply r;
	const struct submit_edit *x;

	message(f, "alice@example.net", bad_from);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), -1);
	assert_string_equal(r.code, "554");
	assert_string_equal(r.dsn, "5.1.7");
	assert_non_null(strstr(r.text, "Invalid address in From header"));
	message(f, "alice@example.net", not_fqdn);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), -1);
	assert_string_equal(r.code, "554");
	assert_non_null(strstr(r.text, "Cc header: domain printer.local is not fully"));
	message(f, "alice@example.net", not_hers);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), -1);
	assert_string_equal(r.code, "550");
	assert_string_equal(r.dsn, "5.7.1");
	message(f, "alice@example.net", two_from);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), -1);
	assert_non_null(strstr(r.text, "exactly one From header, not 2"));
	message(f, "alice@example.net", two_subj);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), -1);
	assert_string_equal(r.text, "More than one Subject header");
	/* Single-level header domains are expanded in place. */
	message(f, "alice@example.net", expand);
	assert_int_equal(milter_submit_eom(&f->m, f->conf, 0, &e, &r), 0);
	assert_non_null(x = edit_of(&e, "To"));
	assert_int_equal(x->op, SUBMIT_CHANGE);
	assert_int_equal(x->index, 1);
	assert_string_equal(x->value,
	    "Sales <s@sales.example.net>, t@sales.example.net (team)");
	milter_submit_edits_free(&e);
}

/* test_not_submission - relay sessions meet no rule at all */
static void
test_not_submission(void **state)
{
	struct msg_fixture *f = *state;
	struct submit_conn c;
	struct submit_reply r;

	milter_submit_connect(&c, f->conf, "25", "mx.example.net", "192.0.2.9");
	assert_int_equal(milter_submit_mail(&c, &f->m, f->conf, "<x y@local>", NULL,
	    NULL, false, &r), 0);
	assert_int_equal(milter_submit_rcpt(&c, &f->m, f->conf, "<junk", NULL, &r), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_path),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_fqdn),
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_addrlist),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_msgid),
		cmocka_unit_test_setup_teardown(test_recognise, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_mail, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_mail_expand, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_rcpt, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_eom_complete, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_eom_refuse, setup_msg, teardown_msg),
		cmocka_unit_test_setup_teardown(test_not_submission, setup_msg, teardown_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
