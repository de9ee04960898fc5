/*
 * test_requiretls.c - REQUIRETLS: the TLS-Required header rule, the MAIL
 * parameter, the requiretls rule set and its milter.conf keys,
 * smtp2-milter's per-message state and smtp2-policyd's FILTER answers.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include <smtp2/smtp2.h>
#include <smtp2/requiretls.h>
#include "request.h"
#include "requiretls_m.h"
#include "requiretls_p.h"
#include "session.h"
#include "policyd_fixture.h"

#define CONF_DIR	SMTP2_TEST_DATA "/conf"

/* Header values, one row each: the bytes and whether they say "No". */
struct value_case {
	const char	*value;
	size_t		len;		/* 0: strlen */
	bool		no;
};

static const struct value_case value_cases[] = {
	{ "No", 0, true },
	{ "no", 0, true },
	{ "NO", 0, true },
	{ "nO", 0, true },
	{ " No", 0, true },
	{ "\tNo \t", 0, true },
	{ "\r\n No\r\n", 0, true },		/* folded */
	{ "(sender says) No", 0, true },
	{ "No (really (nested)) ", 0, true },
	{ "(a \\) b) No", 0, true },		/* quoted-pair in a comment */
	{ "", 0, false },
	{ "   ", 0, false },
	{ "Yes", 0, false },
	{ "N", 0, false },
	{ "Nope", 0, false },
	{ "No No", 0, false },
	{ "No;", 0, false },
	{ "\"No\"", 0, false },
	{ "No (unclosed", 0, false },
	{ "(unclosed No", 0, false },
	{ "No )", 0, false },
	{ "No\\", 0, false },
	{ "N\0o", 3, false },
	{ "No\0", 3, false },
	{ "((((((((((((((((((((((((((((((((((deep)))))))))))))))))))))))))))))))))) No",
	    0, false },
};

/* test_value - every row of value_cases */
static void
test_value(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];

		len = c->len ? c->len : strlen(c->value);
		if (smtp2_requiretls_value_is_no(c->value, len) != c->no)
			fail_msg("value #%zu \"%s\": want %s", i, c->value,
			    c->no ? "No" : "not No");
	}
	assert_false(smtp2_requiretls_value_is_no(NULL, 0));
}

/* Header sets: the fields of one message and the classification. */
struct hdr_case {
	const char	*name;
	const char	*fields[4][2];	/* name, value; NULL name ends */
	enum smtp2_rtls_header want;
};

static const struct hdr_case hdr_cases[] = {
	{ "nothing", { { "Subject", "No" } }, SMTP2_RTLS_HDR_NONE },
	{ "RFC 8689", { { "TLS-Required", "No" } }, SMTP2_RTLS_HDR_NO },
	{ "RFC 8689, other case", { { "tls-required", " nO" } }, SMTP2_RTLS_HDR_NO },
	{ "draft -06", { { "RequireTLS", "NO" } }, SMTP2_RTLS_HDR_DRAFT_NO },
	{ "draft -01", { { "Require-TLS", "no" } }, SMTP2_RTLS_HDR_DRAFT_NO },
	{ "invalid value", { { "TLS-Required", "Yes" } }, SMTP2_RTLS_HDR_INVALID },
	{ "empty value", { { "TLS-Required", "" } }, SMTP2_RTLS_HDR_INVALID },
	{ "NULL value", { { "TLS-Required", NULL } }, SMTP2_RTLS_HDR_INVALID },
	{ "invalid draft", { { "RequireTLS", "YES" } }, SMTP2_RTLS_HDR_INVALID },
	{ "two RFC", { { "TLS-Required", "No" }, { "TLS-Required", "No" } },
	    SMTP2_RTLS_HDR_MULTIPLE },
	{ "three RFC", { { "TLS-Required", "No" }, { "TLS-Required", "No" },
	    { "TLS-Required", "No" } }, SMTP2_RTLS_HDR_MULTIPLE },
	{ "two draft", { { "RequireTLS", "NO" }, { "Require-TLS", "NO" } },
	    SMTP2_RTLS_HDR_MULTIPLE },
	{ "RFC and draft: RFC wins", { { "RequireTLS", "NO" },
	    { "TLS-Required", "No" } }, SMTP2_RTLS_HDR_NO },
	{ "RFC invalid beats draft No", { { "RequireTLS", "NO" },
	    { "TLS-Required", "maybe" } }, SMTP2_RTLS_HDR_INVALID },
};

/* test_headers - every row of hdr_cases */
static void
test_headers(void **state)
{
	struct smtp2_rtls_headers h;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];

		smtp2_requiretls_headers_init(&h);
		for (j = 0; j < 4 && c->fields[j][0] != NULL; j++)
			smtp2_requiretls_headers_add(&h, c->fields[j][0], c->fields[j][1]);
		if (smtp2_requiretls_headers_result(&h) != c->want)
			fail_msg("%s: got %s, want %s", c->name,
			    smtp2_requiretls_header_name(smtp2_requiretls_headers_result(&h)),
			    smtp2_requiretls_header_name(c->want));
	}
	assert_string_equal(smtp2_requiretls_header_name(SMTP2_RTLS_HDR_DRAFT_NO),
	    "draft-no");
	assert_int_equal(smtp2_requiretls_field("X-TLS-Required"), SMTP2_RTLS_FIELD_OTHER);
	assert_int_equal(smtp2_requiretls_field(NULL), SMTP2_RTLS_FIELD_OTHER);
}

/* test_mail_param - REQUIRETLS among the ESMTP parameters */
static void
test_mail_param(void **state)
{
	char *with[] = { "SIZE=100", "requiretls", NULL };
	char *without[] = { "SIZE=100", "REQUIRETLS=YES", "BODY=8BITMIME", NULL };
	char *none[] = { NULL };

	(void)state;
	assert_true(smtp2_requiretls_mail_param(with));
	assert_false(smtp2_requiretls_mail_param(without));
	assert_false(smtp2_requiretls_mail_param(none));
	assert_false(smtp2_requiretls_mail_param(NULL));
}

/* Patterns, one row each. */
struct match_case {
	const char	*pattern;
	const char	*address;
	bool		match;
};

static const struct match_case address_cases[] = {
	{ "hr@example.com", "hr@example.com", true },
	{ "hr@example.com", "<HR@Example.COM>", true },
	{ "hr@example.com", "hr@example.com.", true },
	{ "hr@example.com", "hr2@example.com", false },
	{ "hr@example.com", "hr@sub.example.com", false },
	{ "hr@example.com", "xhr@example.com", false },
	{ "@example.com", "anyone@example.com", true },
	{ "@example.com", "anyone@sub.example.com", false },
	{ "@example.com", "anyone@badexample.com", false },
	{ "@example.com", "example.com", false },
	{ "@example.com", "", false },
	{ ".example.com", "a@sub.example.com", true },
	{ ".example.com", "a@deep.sub.example.com", true },
	{ ".example.com", "a@example.com", false },
	{ ".example.com", "a@badexample.com", false },
	{ "@example.com", "<>", false },
	{ "@example.com", "a@b@example.com", true },	/* last '@' splits */
};

static const struct match_case domain_cases[] = {
	{ "bank.test", "bank.test", true },
	{ "bank.test", "BANK.TEST.", true },
	{ "bank.test", "mx.bank.test", false },
	{ ".bank.test", "mx.bank.test", true },
	{ ".bank.test", "bank.test", false },
	{ ".bank.test", "xbank.test", false },
	{ "bank.test", "", false },
};

/* test_match - address and domain patterns */
static void
test_match(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(address_cases) / sizeof(address_cases[0]); i++)
		if (smtp2_requiretls_address_match(address_cases[i].pattern,
		    address_cases[i].address) != address_cases[i].match)
			fail_msg("address %s vs %s: want %d", address_cases[i].pattern,
			    address_cases[i].address, address_cases[i].match);
	for (i = 0; i < sizeof(domain_cases) / sizeof(domain_cases[0]); i++)
		if (smtp2_requiretls_domain_match(domain_cases[i].pattern,
		    domain_cases[i].address) != domain_cases[i].match)
			fail_msg("domain %s vs %s: want %d", domain_cases[i].pattern,
			    domain_cases[i].address, domain_cases[i].match);
}

/* test_checks - milter.conf value checks */
static void
test_checks(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(smtp2_requiretls_check_address("hr@example.com", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_address("@example.com", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_address(".example.com", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_address("example.com", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "user@domain, @domain or .domain"));
	assert_int_equal(smtp2_requiretls_check_address("a b@example.com", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_address("@exa mple.com", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_domain("bank.test", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_domain(".bank.test", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_domain("@bank.test", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_domain("..bank.test", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_transport("smtp2-tls", why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_transport("smtp2-tls:[127.0.0.1]:2525",
	    why, sizeof(why)), 0);
	assert_int_equal(smtp2_requiretls_check_transport(":x", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_transport("smtp tls", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_transport("t:a b", why, sizeof(why)), -1);
	assert_int_equal(smtp2_requiretls_check_transport("t:a\nb", why, sizeof(why)), -1);
}

/* load - a configuration from tests/data/conf, or NULL with why */
static struct smtp2_conf *
load(const char *name, char *why, size_t whylen)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", CONF_DIR, name);
	return smtp2_conf_load(path, why, whylen);
}

/* test_conf - the requiretls group: good keys, defaults, bad values */
static void
test_conf(void **state)
{
	struct smtp2_conf *c;
	char why[512], buf[64];

	(void)state;
	if ((c = load("good.conf", why, sizeof(why))) == NULL)
		fail_msg("%s", why);
	assert_int_equal(c->requiretls.n_senders, 2);
	assert_string_equal(c->requiretls.senders[0], "hr@example.test");
	assert_string_equal(c->requiretls.senders[1], "@legal.example.test");
	assert_int_equal(c->requiretls.n_recipients, 1);
	assert_string_equal(c->requiretls.recipients[0], "auditor@bank.test");
	assert_int_equal(c->requiretls.n_domains, 2);
	assert_string_equal(c->requiretls.domains[1], ".partner.test");
	assert_string_equal(c->requiretls.transport, "smtp2-tls:[192.0.2.25]:25");
	assert_int_equal(c->requiretls.multiple, SMTP2_RTLS_MULTIPLE_REJECT);
	smtp2_requiretls_filter(c, buf, sizeof(buf));
	assert_string_equal(buf, "smtp2-tls:[192.0.2.25]:25");
	smtp2_conf_free(c);

	assert_non_null(c = smtp2_conf_defaults());
	assert_int_equal(c->requiretls.n_senders, 0);
	assert_null(c->requiretls.senders);
	assert_int_equal(c->requiretls.n_recipients, 0);
	assert_int_equal(c->requiretls.n_domains, 0);
	assert_string_equal(c->requiretls.transport, "smtp2-tls");
	assert_int_equal(c->requiretls.multiple, SMTP2_RTLS_MULTIPLE_FLAG);
	smtp2_requiretls_filter(c, buf, sizeof(buf));
	assert_string_equal(buf, "smtp2-tls:");
	assert_false(smtp2_requiretls_sender_matches(c, "a@b.test"));
	assert_false(smtp2_requiretls_rcpt_matches(c, "a@b.test"));
	smtp2_conf_free(c);

	assert_null(load("bad-requiretls-sender.conf", why, sizeof(why)));
	assert_non_null(strstr(why, "bad-requiretls-sender.conf:3: requiretls.senders:"
	    " 'example.com' is not user@domain, @domain or .domain"));
	assert_null(load("bad-requiretls-multiple.conf", why, sizeof(why)));
	assert_non_null(strstr(why, "bad-requiretls-multiple.conf:3: requiretls.multiple:"
	    " 'ignore' is not one of flag, reject"));
	assert_null(load("bad-requiretls-transport.conf", why, sizeof(why)));
	assert_non_null(strstr(why, "bad-requiretls-transport.conf:3:"
	    " requiretls.transport: 'smtp tls' is not a master.cf service name"));
}

/* rules - a configuration with rules, made in memory */
static struct smtp2_conf *
rules(void)
{
	static char *senders[] = { "hr@example.test", ".legal.example.test" };
	static char *recipients[] = { "auditor@bank.test" };
	static char *domains[] = { "partner.test" };
	struct smtp2_conf *c = smtp2_conf_defaults();

	assert_non_null(c);
	/* Borrowed: cleared again before smtp2_conf_free(). */
	c->requiretls.senders = senders;
	c->requiretls.n_senders = 2;
	c->requiretls.recipients = recipients;
	c->requiretls.n_recipients = 1;
	c->requiretls.domains = domains;
	c->requiretls.n_domains = 1;
	return c;
}

/* rules_free - give back what rules() lent */
static void
rules_free(struct smtp2_conf *c)
{
	c->requiretls.senders = c->requiretls.recipients = c->requiretls.domains = NULL;
	c->requiretls.n_senders = c->requiretls.n_recipients = c->requiretls.n_domains = 0;
	smtp2_conf_free(c);
}

/* test_rules - senders, recipients and domains together */
static void
test_rules(void **state)
{
	struct smtp2_conf *c = rules();

	(void)state;
	assert_true(smtp2_requiretls_sender_matches(c, "<HR@example.test>"));
	assert_true(smtp2_requiretls_sender_matches(c, "x@dept.legal.example.test"));
	assert_false(smtp2_requiretls_sender_matches(c, "x@legal.example.test"));
	assert_false(smtp2_requiretls_sender_matches(c, ""));
	assert_false(smtp2_requiretls_sender_matches(c, "<>"));
	assert_false(smtp2_requiretls_sender_matches(c, NULL));
	assert_true(smtp2_requiretls_rcpt_matches(c, "auditor@bank.test"));
	assert_false(smtp2_requiretls_rcpt_matches(c, "teller@bank.test"));
	assert_true(smtp2_requiretls_rcpt_matches(c, "<anyone@Partner.Test>"));
	assert_false(smtp2_requiretls_rcpt_matches(c, "anyone@sub.partner.test"));
	assert_false(smtp2_requiretls_rcpt_matches(c, "postmaster"));
	/* Senders are not recipients, and the other way round. */
	assert_false(smtp2_requiretls_rcpt_matches(c, "hr@example.test"));
	assert_false(smtp2_requiretls_sender_matches(c, "auditor@bank.test"));
	rules_free(c);
}

/* test_milter_state - what smtp2-milter records, stamps and logs */
static void
test_milter_state(void **state)
{
	struct smtp2_conf *c = rules();
	struct requiretls_msg m;
	char *plain[] = { "<a@other.test>", NULL };
	char *param[] = { "<a@other.test>", "SIZE=10", "REQUIRETLS", NULL };
	char *hr[] = { "<hr@example.test>", NULL };
	char buf[256], line[64];

	(void)state;
	/* Nothing to say: no stamp, no log fields. */
	assert_int_equal(milter_requiretls_envfrom(&m, c, plain, false), 0);
	milter_requiretls_rcpt(&m, c, "<b@other.test>");
	assert_int_equal(milter_requiretls_stamp(&m, buf, sizeof(buf)), 0);
	snprintf(line, sizeof(line), "verdict x");
	milter_requiretls_log(&m, line, sizeof(line));
	assert_string_equal(line, "verdict x");

	/* REQUIRETLS in the clear is refused; inside TLS it tags. */
	assert_int_equal(milter_requiretls_envfrom(&m, c, param, false), -1);
	assert_int_equal(milter_requiretls_envfrom(&m, c, param, true), 0);
	milter_requiretls_header(&m, "TLS-Required", "No");
	milter_requiretls_stamp(&m, buf, sizeof(buf));
	assert_string_equal(buf, "yes; by=mail-param; tls-required=no");
	milter_requiretls_log(&m, line, sizeof(line));
	assert_string_equal(line, "verdict x requiretls=mail-param tls_required=no");

	/* A rule by recipient, then by sender. */
	milter_requiretls_envfrom(&m, c, plain, false);
	milter_requiretls_rcpt(&m, c, "<x@partner.test>");
	milter_requiretls_stamp(&m, buf, sizeof(buf));
	assert_string_equal(buf, "yes; by=rule");
	milter_requiretls_envfrom(&m, c, hr, false);
	assert_int_equal(milter_requiretls_source(&m), RTLS_SOURCE_RULE);

	/* The header alone; a forged stamp is counted, not read. */
	milter_requiretls_envfrom(&m, c, plain, false);
	milter_requiretls_header(&m, "RequireTLS", "NO");
	milter_requiretls_header(&m, HEADER_REQUIRETLS, "yes; by=rule");
	assert_int_equal(m.n_stamps, 1);
	milter_requiretls_stamp(&m, buf, sizeof(buf));
	assert_string_equal(buf, "no; tls-required=draft-no");
	snprintf(line, sizeof(line), "v");
	milter_requiretls_log(&m, line, sizeof(line));
	assert_string_equal(line, "v requiretls=- tls_required=draft-no");
	/* No room: the line stays whole. */
	snprintf(line, 8, "verdict");
	milter_requiretls_log(&m, line, 8);
	assert_string_equal(line, "verdict");
	rules_free(c);
}

/* test_milter_multiple - requiretls.multiple: flag or reject */
static void
test_milter_multiple(void **state)
{
	struct smtp2_conf *c = rules();
	struct requiretls_msg m;
	struct smtp2_decision d;
	char *plain[] = { "<a@other.test>", NULL };
	char *param[] = { "<a@other.test>", "REQUIRETLS", NULL };
	char buf[128];
	unsigned i;

	(void)state;
	milter_requiretls_envfrom(&m, c, plain, true);
	milter_requiretls_header(&m, "TLS-Required", "No");
	milter_requiretls_header(&m, "TLS-Required", "No");
	memset(&d, 0, sizeof(d));
	d.action = SMTP2_ACTION_ACCEPT;
	milter_requiretls_decide(&m, c, &d);		/* flag: the default */
	assert_int_equal(d.action, SMTP2_ACTION_ACCEPT);
	milter_requiretls_stamp(&m, buf, sizeof(buf));
	assert_string_equal(buf, "no; tls-required=multiple");

	c->requiretls.multiple = SMTP2_RTLS_MULTIPLE_REJECT;
	d.action = SMTP2_ACTION_TAG;
	milter_requiretls_decide(&m, c, &d);
	assert_int_equal(d.action, SMTP2_ACTION_REJECT);
	assert_string_equal(d.code, "550");
	assert_string_equal(d.dsn, "5.6.0");
	assert_non_null(strstr(d.text, "more than one TLS-Required"));

	/* A refusal stays a refusal; and the MAIL parameter overrides. */
	d.action = SMTP2_ACTION_DEFER;
	milter_requiretls_decide(&m, c, &d);
	assert_int_equal(d.action, SMTP2_ACTION_DEFER);
	milter_requiretls_envfrom(&m, c, param, true);
	milter_requiretls_header(&m, "TLS-Required", "No");
	milter_requiretls_header(&m, "TLS-Required", "No");
	d.action = SMTP2_ACTION_ACCEPT;
	milter_requiretls_decide(&m, c, &d);
	assert_int_equal(d.action, SMTP2_ACTION_ACCEPT);

	/* More forged stamps than we can delete: refused. */
	milter_requiretls_envfrom(&m, c, plain, true);
	for (i = 0; i < RTLS_STAMPS_MAX + 5; i++)
		milter_requiretls_header(&m, "x-smtp2-requiretls", "yes");
	d.action = SMTP2_ACTION_ACCEPT;
	milter_requiretls_decide(&m, c, &d);
	assert_int_equal(d.action, SMTP2_ACTION_REJECT);
	assert_string_equal(d.dsn, "5.7.1");
	rules_free(c);
}

/* test_policyd_filter - DUNNO becomes FILTER for a match; refusals stand */
static void
test_policyd_filter(void **state)
{
	struct smtp2_conf *c = rules();
	struct smtp2_decision d;
	char reply[POLICYD_REPLY_MAX], filter[POLICYD_RTLS_FILTER_MAX];
	size_t n;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.action = SMTP2_ACTION_TAG;
	n = (size_t)snprintf(reply, sizeof(reply), "action=DUNNO\n\n");
	n = policyd_requiretls_rcpt(c, &d, "a@other.test", "x@partner.test",
	    reply, sizeof(reply), n, filter, sizeof(filter));
	assert_string_equal(reply, "action=FILTER smtp2-tls:\n\n");
	assert_int_equal(n, strlen(reply));
	assert_string_equal(filter, "smtp2-tls:");

	n = (size_t)snprintf(reply, sizeof(reply), "action=DUNNO\n\n");
	n = policyd_requiretls_rcpt(c, &d, "a@other.test", "x@else.test",
	    reply, sizeof(reply), n, filter, sizeof(filter));
	assert_string_equal(reply, "action=DUNNO\n\n");
	assert_string_equal(filter, "");

	d.action = SMTP2_ACTION_REJECT;
	n = (size_t)snprintf(reply, sizeof(reply), "action=550 5.7.1 no\n\n");
	n = policyd_requiretls_rcpt(c, &d, "hr@example.test", "x@partner.test",
	    reply, sizeof(reply), n, filter, sizeof(filter));
	assert_string_equal(reply, "action=550 5.7.1 no\n\n");
	assert_string_equal(filter, "");

	d.action = SMTP2_ACTION_ACCEPT;
	n = (size_t)snprintf(reply, sizeof(reply), "action=DUNNO\n\n");
	policyd_requiretls_rcpt(NULL, &d, "hr@example.test", "x@partner.test",
	    reply, sizeof(reply), n, filter, sizeof(filter));
	assert_string_equal(reply, "action=DUNNO\n\n");
	rules_free(c);
}

/* Everything the policy-server tests touch. */
static const struct smtp2_verify_opts popts = { .dnssec = SMTP2_DNSSEC_REQUIRED };

/* canned_verify - "none" for every domain, without DNS */
static void
canned_verify(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	(void)dns;
	(void)o;
	(void)tls;
	memset(v, 0, sizeof(*v));
	v->result = strcmp(domain, "bad.test") == 0 ? SMTP2_RESULT_FAIL :
	    SMTP2_RESULT_NONE;
	v->has_record = strcmp(domain, "bad.test") == 0;
	v->policy = SMTP2_POLICY_ENFORCE;
	snprintf(v->domain, sizeof(v->domain), "%s", domain);
	snprintf(v->reason, sizeof(v->reason), "canned");
}

/* psetup - a server context in enforce mode with the rules */
static int
psetup(void **state)
{
	struct pd_fixture *f;

	f = pd_fixture_new("test_requiretls", canned_verify, &popts, NULL);
	f->ctx.conf = rules();
	*state = f;
	return 0;
}

/* pteardown - free it all */
static int
pteardown(void **state)
{
	struct pd_fixture *f = *state;

	rules_free((struct smtp2_conf *)f->ctx.conf);
	pd_fixture_free(f);
	return 0;
}

#define ask	pd_ask
#define last_log pd_last_log

#define RCPT	"request=smtpd_access_policy", "protocol_state=RCPT", \
		"client_address=192.0.2.1", "client_port=4000"

/* test_policyd_requests - both services, end to end through request.c */
static void
test_policyd_requests(void **state)
{
	struct pd_fixture *f = *state;

	/* The ordinary service: verdict first, FILTER for a match. */
	assert_string_equal(ask(f, RCPT, "sender=hr@example.test",
	    "recipient=b@example.org", NULL), "action=FILTER smtp2-tls:\n\n");
	assert_non_null(strstr(last_log(f, "verdict "), " action=tag reason=\"canned\""
	    " ms="));
	assert_non_null(strstr(last_log(f, "verdict "),
	    " requiretls=rule filter=smtp2-tls:"));
	assert_string_equal(ask(f, RCPT, "sender=a@other.test",
	    "recipient=b@example.org", NULL), "action=DUNNO\n\n");
	assert_null(strstr(last_log(f, "verdict "), "requiretls="));
	/* A reject still wins. */
	assert_non_null(strstr(ask(f, RCPT, "sender=a@bad.test",
	    "recipient=x@partner.test", NULL), "action=550 5.7.1 "));
	assert_null(strstr(last_log(f, "verdict "), "requiretls="));

	/* The dedicated service: rules only, no verdict line. */
	assert_string_equal(ask(f, RCPT, "policy_context=smtp2_requiretls",
	    "sender=a@bad.test", "recipient=x@partner.test", "queue_id=Q1", NULL),
	    "action=FILTER smtp2-tls:\n\n");
	assert_string_equal(last_log(f, "requiretls stage="), "requiretls stage=rcpt"
	    " queue=Q1 client=192.0.2.1:4000 sender=a@bad.test rcpt=x@partner.test"
	    " action=filter filter=smtp2-tls:");
	assert_string_equal(ask(f, RCPT, "policy_context=smtp2_requiretls",
	    "sender=a@bad.test", "recipient=y@else.test", NULL), "action=DUNNO\n\n");
	assert_string_equal(ask(f, "request=smtpd_access_policy",
	    "protocol_state=MAIL", "policy_context=smtp2_requiretls",
	    "sender=hr@example.test", NULL), "action=DUNNO\n\n");
	/* Another context is the ordinary service. */
	assert_string_equal(ask(f, RCPT, "policy_context=other",
	    "sender=a@other.test", "recipient=x@partner.test", NULL),
	    "action=FILTER smtp2-tls:\n\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_mail_param),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_milter_state),
		cmocka_unit_test(test_milter_multiple),
		cmocka_unit_test(test_policyd_filter),
		cmocka_unit_test_setup_teardown(test_policyd_requests, psetup, pteardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
