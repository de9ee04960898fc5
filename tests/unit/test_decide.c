/*
 * test_decide.c - every cell of the decision table, and the reply texts.
 *
 * The expected table is written out in full, in the same shape as
 * docs/decision.md: per mode and recipient, one row per result, one
 * column per published record.  A = accept, T = tag, R = reject 550 5.7.1,
 * D = defer 450 4.7.0.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/decide.h>

#define MODES		4
#define RESULTS		5
#define RECORDS		4

/* Columns: what the domain publishes. */
static const struct {
	const char	*name;
	bool		has_record;
	enum smtp2_policy policy;
} records[RECORDS] = {
	{"no record", false, SMTP2_POLICY_NONE},
	{"p=none", true, SMTP2_POLICY_NONE},
	{"p=tag", true, SMTP2_POLICY_TAG},
	{"p=enforce", true, SMTP2_POLICY_ENFORCE},
};

/* [mode][to_postmaster][result] -> one letter per record column. */
static const char *const table[MODES][2][RESULTS] = {
	[SMTP2_MODE_PERMISSIVE] = {
		/*             none  p=none p=tag p=enforce */
		{[SMTP2_RESULT_NONE] = "AAAA", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "AAAA", [SMTP2_RESULT_TEMPERROR] = "AAAA",
		 [SMTP2_RESULT_PERMERROR] = "AAAA"},
		{[SMTP2_RESULT_NONE] = "AAAA", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "AAAA", [SMTP2_RESULT_TEMPERROR] = "AAAA",
		 [SMTP2_RESULT_PERMERROR] = "AAAA"},
	},
	[SMTP2_MODE_TAG] = {
		{[SMTP2_RESULT_NONE] = "TTTT", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "TTTT", [SMTP2_RESULT_TEMPERROR] = "TTTT",
		 [SMTP2_RESULT_PERMERROR] = "TTTT"},
		{[SMTP2_RESULT_NONE] = "TTTT", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "TTTT", [SMTP2_RESULT_TEMPERROR] = "TTTT",
		 [SMTP2_RESULT_PERMERROR] = "TTTT"},
	},
	[SMTP2_MODE_ENFORCE] = {
		/* The postmaster gets no exception: the domain asked. */
		{[SMTP2_RESULT_NONE] = "TTTT", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "TTTR", [SMTP2_RESULT_TEMPERROR] = "DTTD",
		 [SMTP2_RESULT_PERMERROR] = "TTTT"},
		{[SMTP2_RESULT_NONE] = "TTTT", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "TTTR", [SMTP2_RESULT_TEMPERROR] = "DTTD",
		 [SMTP2_RESULT_PERMERROR] = "TTTT"},
	},
	[SMTP2_MODE_STRICT] = {
		{[SMTP2_RESULT_NONE] = "RRRR", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "RRRR", [SMTP2_RESULT_TEMPERROR] = "DDDD",
		 [SMTP2_RESULT_PERMERROR] = "RRRR"},
		{[SMTP2_RESULT_NONE] = "TTTT", [SMTP2_RESULT_PASS] = "AAAA",
		 [SMTP2_RESULT_FAIL] = "TTTT", [SMTP2_RESULT_TEMPERROR] = "TTTT",
		 [SMTP2_RESULT_PERMERROR] = "TTTT"},
	},
};

/* verdict - a verdict for one cell */
static void verdict(struct smtp2_verdict *v, enum smtp2_result r, int rec)
{
	memset(v, 0, sizeof(*v));
	v->result = r;
	v->method = r == SMTP2_RESULT_PASS ? SMTP2_METHOD_DANE : SMTP2_METHOD_NONE;
	v->dnssec = SMTP2_DNSSEC_SECURE;
	v->has_record = records[rec].has_record;
	v->policy = records[rec].policy;
	snprintf(v->domain, sizeof(v->domain), "bank.test");
	snprintf(v->reason, sizeof(v->reason), "some reason");
}

/* check_cell - action, code and dsn of one cell */
static void check_cell(enum smtp2_mode m, int pm, enum smtp2_result r, int rec)
{
	struct smtp2_verdict v;
	struct smtp2_decision d;
	const char *code = NULL, *dsn = NULL;
	enum smtp2_action want = SMTP2_ACTION_ACCEPT;

	switch (table[m][pm][r][rec]) {
	case 'A': want = SMTP2_ACTION_ACCEPT; break;
	case 'T': want = SMTP2_ACTION_TAG; break;
	case 'R': want = SMTP2_ACTION_REJECT; code = "550"; dsn = "5.7.1"; break;
	case 'D': want = SMTP2_ACTION_DEFER; code = "450"; dsn = "4.7.0"; break;
	default: fail_msg("bad table letter");
	}
	verdict(&v, r, rec);
	smtp2_decide(m, &v, pm != 0, &d);
	if (d.action != want || (d.code == NULL) != (code == NULL)
	    || (d.dsn == NULL) != (dsn == NULL)
	    || (code != NULL && strcmp(d.code, code) != 0)
	    || (dsn != NULL && strcmp(d.dsn, dsn) != 0))
		fail_msg("%s, %s, smtp2=%s, %s: got %s %s %s, want %s %s %s",
		    smtp2_mode_name(m), pm ? "to postmaster" : "to a user",
		    smtp2_result_name(r), records[rec].name,
		    smtp2_action_name(d.action), d.code ? d.code : "-",
		    d.dsn ? d.dsn : "-", smtp2_action_name(want),
		    code ? code : "-", dsn ? dsn : "-");
	if (strstr(d.text, "bank.test") == NULL || strstr(d.text, "some reason")
	    == NULL)
		fail_msg("%s/%s/%s: text lacks domain or reason: %s",
		    smtp2_mode_name(m), smtp2_result_name(r), records[rec].name,
		    d.text);
}

/* test_decide_table - all 4 x 2 x 5 x 4 = 160 cells */
static void test_decide_table(void **state)
{
	int	m, pm, r, rec, cells = 0;

	(void)state;
	for (m = 0; m < MODES; m++)
		for (pm = 0; pm < 2; pm++)
			for (r = 0; r < RESULTS; r++)
				for (rec = 0; rec < RECORDS; rec++, cells++)
					check_cell((enum smtp2_mode)m, pm,
					    (enum smtp2_result)r, rec);
	assert_int_equal(cells, 160);
}

struct text_case {
	const char	*name;
	enum smtp2_mode	mode;
	enum smtp2_result result;
	int		rec;		/* column of records[] */
	const char	*domain;
	const char	*reason;
	const char	*want;
};

static const struct text_case text_cases[] = {
	{"enforce reject", SMTP2_MODE_ENFORCE, SMTP2_RESULT_FAIL, 3,
	    "bank.test", "no client certificate presented",
	    "sender domain bank.test requires a verified sending server: "
	    "no client certificate presented (smtp2=fail)"},
	{"defer", SMTP2_MODE_ENFORCE, SMTP2_RESULT_TEMPERROR, 0,
	    "bank.test", "DNS timeout",
	    "cannot verify sender domain bank.test right now: DNS timeout; "
	    "try again later (smtp2=temperror)"},
	{"strict reject of a legacy domain", SMTP2_MODE_STRICT,
	    SMTP2_RESULT_NONE, 0, "legacy.test", "no _smtp2 record",
	    "this server accepts mail from legacy.test only from a verified "
	    "sending server: no _smtp2 record (smtp2=none)"},
	{"strict reject of a broken record", SMTP2_MODE_STRICT,
	    SMTP2_RESULT_PERMERROR, 0, "broken.test", "duplicate tag 'p'",
	    "this server accepts mail from broken.test only from a verified "
	    "sending server: duplicate tag 'p' (smtp2=permerror)"},
	{"tag", SMTP2_MODE_TAG, SMTP2_RESULT_NONE, 0, "legacy.test",
	    "no _smtp2 record",
	    "sender domain legacy.test not verified: no _smtp2 record "
	    "(smtp2=none)"},
	{"pass", SMTP2_MODE_STRICT, SMTP2_RESULT_PASS, 3, "bank.test",
	    "certificate key matches pin 3 1 1",
	    "sender domain bank.test verified by dane: certificate key matches "
	    "pin 3 1 1 (smtp2=pass)"},
	{"null sender", SMTP2_MODE_STRICT, SMTP2_RESULT_NONE, 0, "",
	    "null sender",
	    "this server accepts mail from <> (null sender) only from a "
	    "verified sending server: null sender (smtp2=none)"},
	{"empty reason", SMTP2_MODE_ENFORCE, SMTP2_RESULT_FAIL, 3, "bank.test",
	    "", "sender domain bank.test requires a verified sending server: "
	    "no reason (smtp2=fail)"},
	{"CR LF in reason cannot add reply lines", SMTP2_MODE_ENFORCE,
	    SMTP2_RESULT_FAIL, 3, "bank.test", "bad\r\n250 OK\tx\x01y\xc3\xa9",
	    "sender domain bank.test requires a verified sending server: "
	    "bad  250 OK x?y?? (smtp2=fail)"},
	{"CR LF in domain", SMTP2_MODE_ENFORCE, SMTP2_RESULT_FAIL, 3,
	    "bank.test\r\n250", "r",
	    "sender domain bank.test  250 requires a verified sending server: "
	    "r (smtp2=fail)"},
};

/* test_decide_texts - the sentences people will read */
static void test_decide_texts(void **state)
{
	const struct text_case *c;
	struct smtp2_verdict v;
	struct smtp2_decision d;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		c = &text_cases[i];
		verdict(&v, c->result, c->rec);
		snprintf(v.domain, sizeof(v.domain), "%s", c->domain);
		snprintf(v.reason, sizeof(v.reason), "%s", c->reason);
		smtp2_decide(c->mode, &v, false, &d);
		if (strcmp(d.text, c->want) != 0)
			fail_msg("%s:\n got \"%s\"\nwant \"%s\"", c->name, d.text,
			    c->want);
	}
}

/* printable - only bytes 0x20..0x7e */
static bool printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return (false);
	return (true);
}

/* test_decide_long - the longest inputs still end with the result */
static void test_decide_long(void **state)
{
	static const enum smtp2_mode modes[] = {SMTP2_MODE_ENFORCE,
	    SMTP2_MODE_STRICT, SMTP2_MODE_TAG};
	static const enum smtp2_result results[] = {SMTP2_RESULT_FAIL,
	    SMTP2_RESULT_TEMPERROR, SMTP2_RESULT_NONE};
	struct smtp2_verdict v;
	struct smtp2_decision d;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		verdict(&v, results[i], 3);
		memset(v.domain, 'd', sizeof(v.domain) - 1);
		v.domain[sizeof(v.domain) - 1] = '\0';
		memset(v.reason, '\n', sizeof(v.reason));	/* not even terminated */
		smtp2_decide(modes[i], &v, false, &d);
		assert_true(strlen(d.text) < sizeof(d.text));
		assert_true(printable(d.text));
		assert_non_null(strstr(d.text, "(smtp2="));
		assert_int_equal(d.text[strlen(d.text) - 1], ')');
	}
}

/* test_decide_no_verdict - a missing verdict is "try later", never a crash */
static void test_decide_no_verdict(void **state)
{
	struct smtp2_decision d;

	(void)state;
	smtp2_decide(SMTP2_MODE_ENFORCE, NULL, false, &d);
	assert_int_equal(d.action, SMTP2_ACTION_DEFER);
	assert_string_equal(d.code, "450");
	smtp2_decide(SMTP2_MODE_PERMISSIVE, NULL, false, &d);
	assert_int_equal(d.action, SMTP2_ACTION_ACCEPT);
	assert_null(d.code);
}

/* test_decide_names - modes and actions, both ways */
static void test_decide_names(void **state)
{
	static const struct {
		const char *name;
		enum smtp2_mode m;
	} modes[] = {
		{"permissive", SMTP2_MODE_PERMISSIVE},
		{"tag", SMTP2_MODE_TAG},
		{"enforce", SMTP2_MODE_ENFORCE},
		{"strict", SMTP2_MODE_STRICT},
	};
	enum smtp2_mode m;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_string_equal(smtp2_mode_name(modes[i].m), modes[i].name);
		assert_int_equal(smtp2_mode_parse(modes[i].name, &m), 0);
		assert_int_equal(m, modes[i].m);
	}
	assert_int_equal(smtp2_mode_parse("STRICT", &m), 0);
	assert_int_equal(m, SMTP2_MODE_STRICT);
	assert_int_equal(smtp2_mode_parse("Enforce", &m), 0);
	assert_int_equal(m, SMTP2_MODE_ENFORCE);
	assert_int_equal(smtp2_mode_parse("reject", &m), -1);
	assert_int_equal(smtp2_mode_parse("", &m), -1);
	assert_int_equal(smtp2_mode_parse(NULL, &m), -1);
	assert_string_equal(smtp2_mode_name((enum smtp2_mode)9), "invalid");
	assert_string_equal(smtp2_action_name(SMTP2_ACTION_ACCEPT), "accept");
	assert_string_equal(smtp2_action_name(SMTP2_ACTION_TAG), "tag");
	assert_string_equal(smtp2_action_name(SMTP2_ACTION_REJECT), "reject");
	assert_string_equal(smtp2_action_name(SMTP2_ACTION_DEFER), "defer");
	assert_string_equal(smtp2_action_name((enum smtp2_action)9), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_decide_texts),
		cmocka_unit_test(test_decide_long),
		cmocka_unit_test(test_decide_no_verdict),
		cmocka_unit_test(test_decide_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
