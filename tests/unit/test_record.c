/*
 * test_record.c - the _smtp2 record parser and record selection.
 *
 * Single strings come from tests/data/records.txt (one case a line, so
 * new cases need no C); selection among several strings, lengths and
 * buffer handling are tables here.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/record.h>

#define FIXTURE		SMTP2_TEST_DATA "/records.txt"
#define LINE_MAX_LEN	2048
#define WHY_LEN		256

/* One case read from the fixture. */
struct fixture_case {
	unsigned	line;
	enum smtp2_record_status status;
	enum smtp2_policy policy;	/* when status is OK */
	const char	*reason;	/* NULL: any reason */
	char		text[LINE_MAX_LEN];
	size_t		len;
};

/* hexval - value of one hex digit, or -1 */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* unescape - decode \t \r \n \\ \xHH from src into c->text */
static void unescape(struct fixture_case *c, const char *src)
{
	int	hi, lo;

	c->len = 0;
	for (; *src != '\0' && c->len < sizeof(c->text); src++) {
		if (*src != '\\') {
			c->text[c->len++] = *src;
			continue;
		}
		switch (*++src) {
		case 't': c->text[c->len++] = '\t'; break;
		case 'r': c->text[c->len++] = '\r'; break;
		case 'n': c->text[c->len++] = '\n'; break;
		case '\\': c->text[c->len++] = '\\'; break;
		case 'x':
			hi = hexval(src[1]);
			lo = hi < 0 ? -1 : hexval(src[2]);
			if (lo < 0) {
				fail_msg("records.txt:%u: bad \\x escape", c->line);
				return;
			}
			c->text[c->len++] = (char)(hi << 4 | lo);
			src += 2;
			break;
		default:
			fail_msg("records.txt:%u: bad escape", c->line);
			return;
		}
	}
}

/* parse_expect - "ok:<policy>", "absent", "invalid[:<reason>]" */
static void parse_expect(struct fixture_case *c, char *status)
{
	c->reason = NULL;
	if (strncmp(status, "ok:", 3) == 0) {
		c->status = SMTP2_RECORD_OK;
		if (smtp2_policy_parse(status + 3, &c->policy) != 0)
			fail_msg("records.txt:%u: bad policy '%s'", c->line,
			    status + 3);
	} else if (strcmp(status, "absent") == 0) {
		c->status = SMTP2_RECORD_ABSENT;
	} else if (strcmp(status, "invalid") == 0) {
		c->status = SMTP2_RECORD_INVALID;
	} else if (strncmp(status, "invalid:", 8) == 0) {
		c->status = SMTP2_RECORD_INVALID;
		c->reason = status + 8;
	} else {
		fail_msg("records.txt:%u: bad status '%s'", c->line, status);
	}
}

/* check_case - run one fixture case */
static void check_case(const struct fixture_case *c)
{
	struct smtp2_record rec = {.policy = SMTP2_POLICY_TAG};
	char	why[WHY_LEN] = "";
	enum smtp2_record_status st;

	st = smtp2_record_parse(c->text, c->len, &rec, why, sizeof(why));
	if (st != c->status)
		fail_msg("records.txt:%u: status %d, want %d (%s)", c->line,
		    st, c->status, why);
	if (st == SMTP2_RECORD_OK && rec.policy != c->policy)
		fail_msg("records.txt:%u: policy %s, want %s", c->line,
		    smtp2_policy_name(rec.policy), smtp2_policy_name(c->policy));
	if (st != SMTP2_RECORD_OK && rec.policy != SMTP2_POLICY_TAG)
		fail_msg("records.txt:%u: rec written on failure", c->line);
	if (c->reason != NULL && strcmp(why, c->reason) != 0)
		fail_msg("records.txt:%u: reason \"%s\", want \"%s\"", c->line,
		    why, c->reason);
	if (st == SMTP2_RECORD_INVALID && why[0] == '\0')
		fail_msg("records.txt:%u: no reason given", c->line);
}

/* test_record_fixture - every case of records.txt */
static void test_record_fixture(void **state)
{
	static struct fixture_case c;
	char	line[LINE_MAX_LEN], *tab;
	unsigned cases = 0;
	size_t	n;
	FILE	*fp;

	(void)state;
	if ((fp = fopen(FIXTURE, "r")) == NULL)
		fail_msg("cannot open %s", FIXTURE);
	for (c.line = 1; fgets(line, sizeof(line), fp) != NULL; c.line++) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if ((tab = strchr(line, '\t')) == NULL)
			fail_msg("records.txt:%u: no TAB after the status", c.line);
		*tab = '\0';
		parse_expect(&c, line);
		unescape(&c, tab + 1);
		check_case(&c);
		cases++;
	}
	fclose(fp);
	assert_true(cases >= 60);
}

/* Selection among the strings of one RRset. */
struct select_case {
	const char	*name;
	size_t		n;
	const char	*txts[4];
	enum smtp2_record_status status;
	enum smtp2_policy policy;
	const char	*reason;
};

static const struct select_case select_cases[] = {
	{"nothing at all", 0, {NULL},
	    SMTP2_RECORD_ABSENT, 0, "no v=SMTP2v1 record"},
	{"only other records", 2, {"v=spf1 -all", "hello"},
	    SMTP2_RECORD_ABSENT, 0, "no v=SMTP2v1 record"},
	{"one record alone", 1, {"v=SMTP2v1; p=tag"},
	    SMTP2_RECORD_OK, SMTP2_POLICY_TAG, "p=tag"},
	{"one record among others", 3,
	    {"v=spf1 -all", "v=SMTP2v1; p=enforce", "v=SMTP2v2; p=none"},
	    SMTP2_RECORD_OK, SMTP2_POLICY_ENFORCE, "p=enforce"},
	{"two good records", 2, {"v=SMTP2v1; p=enforce", "v=SMTP2v1; p=none"},
	    SMTP2_RECORD_INVALID, 0, "more than one v=SMTP2v1 record"},
	{"two identical records", 2, {"v=SMTP2v1", "v=SMTP2v1"},
	    SMTP2_RECORD_INVALID, 0, "more than one v=SMTP2v1 record"},
	{"good and broken record", 3,
	    {"v=SMTP2v1; p=enforce", "x", "v=SMTP2v1; p=reject"},
	    SMTP2_RECORD_INVALID, 0, "more than one v=SMTP2v1 record"},
	{"one broken record", 2, {"v=spf1 -all", "v=SMTP2v1; p=reject"},
	    SMTP2_RECORD_INVALID, 0,
	    "p=: unknown policy 'reject' (none, tag, enforce)"},
	{"null entries skipped", 3, {NULL, "v=SMTP2v1; p=tag", NULL},
	    SMTP2_RECORD_OK, SMTP2_POLICY_TAG, "p=tag"},
};

/* test_record_select - picking the one record out of an RRset */
static void test_record_select(void **state)
{
	const struct select_case *c;
	struct smtp2_record rec;
	size_t	lens[4], i, j;
	char	why[WHY_LEN];
	enum smtp2_record_status st;

	(void)state;
	for (i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]); i++) {
		c = &select_cases[i];
		for (j = 0; j < c->n; j++)
			lens[j] = c->txts[j] != NULL ? strlen(c->txts[j]) : 0;
		rec.policy = SMTP2_POLICY_NONE;
		why[0] = '\0';
		st = smtp2_record_select(c->txts, lens, c->n, &rec, why, sizeof(why));
		if (st != c->status || strcmp(why, c->reason) != 0)
			fail_msg("%s: status %d \"%s\", want %d \"%s\"", c->name,
			    st, why, c->status, c->reason);
		if (st == SMTP2_RECORD_OK && rec.policy != c->policy)
			fail_msg("%s: policy %d, want %d", c->name, rec.policy,
			    c->policy);
		/* Without lengths the strings are taken as NUL-terminated. */
		st = smtp2_record_select(c->txts, NULL, c->n, NULL, NULL, 0);
		if (st != c->status)
			fail_msg("%s: status %d without lens", c->name, st);
	}
}

/* test_record_len - the length is honoured, not the NUL */
static void test_record_len(void **state)
{
	const char *t = "v=SMTP2v1; p=enforcement";
	const char *const two[] = {"v=SMTP2v1; p=tagXXX", "v=SMTP2v1"};
	const size_t lens[] = {16, 0};
	struct smtp2_record rec;

	(void)state;
	assert_int_equal(smtp2_record_parse(t, 20, &rec, NULL, 0), SMTP2_RECORD_OK);
	assert_int_equal(rec.policy, SMTP2_POLICY_ENFORCE);
	assert_int_equal(smtp2_record_parse(t, strlen(t), &rec, NULL, 0),
	    SMTP2_RECORD_INVALID);
	assert_int_equal(smtp2_record_parse(t, 8, &rec, NULL, 0),
	    SMTP2_RECORD_ABSENT);
	assert_int_equal(smtp2_record_parse(NULL, 0, &rec, NULL, 0),
	    SMTP2_RECORD_ABSENT);
	/* The second string is empty by its length: only one record. */
	assert_int_equal(smtp2_record_select(two, lens, 2, &rec, NULL, 0),
	    SMTP2_RECORD_OK);
	assert_int_equal(rec.policy, SMTP2_POLICY_TAG);
}

/* test_record_why_buffers - tiny or missing reason buffers are safe */
static void test_record_why_buffers(void **state)
{
	const char *t = "v=SMTP2v1; p=reject";
	char	why[8];
	struct smtp2_record rec;

	(void)state;
	memset(why, 'X', sizeof(why));
	assert_int_equal(smtp2_record_parse(t, strlen(t), &rec, why, sizeof(why)),
	    SMTP2_RECORD_INVALID);
	assert_string_equal(why, "p=: unk");
	why[0] = 'Z';
	assert_int_equal(smtp2_record_parse(t, strlen(t), &rec, why, 0),
	    SMTP2_RECORD_INVALID);
	assert_int_equal(why[0], 'Z');
	assert_int_equal(smtp2_record_parse(t, strlen(t), NULL, NULL, 0),
	    SMTP2_RECORD_INVALID);
	assert_int_equal(smtp2_record_parse("v=SMTP2v1", 9, NULL, NULL, 0),
	    SMTP2_RECORD_OK);
}

/* test_record_long_value - a long bad value is quoted, cut short */
static void test_record_long_value(void **state)
{
	char	txt[200], why[WHY_LEN];
	int	n;

	(void)state;
	n = snprintf(txt, sizeof(txt), "v=SMTP2v1; p=%0100d", 7);
	assert_int_equal(smtp2_record_parse(txt, (size_t)n, NULL, why, sizeof(why)),
	    SMTP2_RECORD_INVALID);
	assert_string_equal(why, "p=: unknown policy "
	    "'00000000000000000000000000000000...' (none, tag, enforce)");
}

/* make_tags - "v=SMTP2v1" and n more distinct tags */
static size_t make_tags(char *buf, size_t len, unsigned n)
{
	size_t	pos = (size_t)snprintf(buf, len, "v=SMTP2v1");
	unsigned i;

	for (i = 0; i < n && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "; t%u=%u", i, i);
	return (pos);
}

/* test_record_many_tags - 32 tags are fine, 33 are too many */
static void test_record_many_tags(void **state)
{
	char	txt[1024], why[WHY_LEN];
	size_t	n;

	(void)state;
	n = make_tags(txt, sizeof(txt), 31);
	assert_int_equal(smtp2_record_parse(txt, n, NULL, why, sizeof(why)),
	    SMTP2_RECORD_OK);
	n += (size_t)snprintf(txt + n, sizeof(txt) - n, ";  ");
	assert_int_equal(smtp2_record_parse(txt, n, NULL, why, sizeof(why)),
	    SMTP2_RECORD_OK);
	n = make_tags(txt, sizeof(txt), 32);
	assert_int_equal(smtp2_record_parse(txt, n, NULL, why, sizeof(why)),
	    SMTP2_RECORD_INVALID);
	assert_string_equal(why, "more than 32 tags");
}

/* test_record_policy_names - both directions, case-insensitive parse */
static void test_record_policy_names(void **state)
{
	static const struct {
		const char *name;
		enum smtp2_policy p;
	} cases[] = {
		{"none", SMTP2_POLICY_NONE},
		{"tag", SMTP2_POLICY_TAG},
		{"enforce", SMTP2_POLICY_ENFORCE},
	};
	enum smtp2_policy p;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(smtp2_policy_name(cases[i].p), cases[i].name);
		assert_int_equal(smtp2_policy_parse(cases[i].name, &p), 0);
		assert_int_equal(p, cases[i].p);
	}
	assert_int_equal(smtp2_policy_parse("ENFORCE", &p), 0);
	assert_int_equal(p, SMTP2_POLICY_ENFORCE);
	assert_int_equal(smtp2_policy_parse("reject", &p), -1);
	assert_int_equal(smtp2_policy_parse("", &p), -1);
	assert_int_equal(smtp2_policy_parse(NULL, &p), -1);
	assert_string_equal(smtp2_policy_name((enum smtp2_policy)42), "invalid");
}

/* test_record_sp_hosts - what sp= and hosts= leave in the record */
static void
test_record_sp_hosts(void **state)
{
	static const char *const txt =
	    "v=SMTP2v1; p=enforce; sp=tag; hosts=*.mail.provider.test : mx.b.test";
	struct smtp2_record rec;

	(void)state;
	assert_int_equal(smtp2_record_parse(txt, strlen(txt), &rec, NULL, 0),
	    SMTP2_RECORD_OK);
	assert_int_equal(rec.policy, SMTP2_POLICY_ENFORCE);
	assert_int_equal(rec.subdomain_policy, SMTP2_POLICY_TAG);
	assert_int_equal(rec.n_hosts, 2);
	assert_string_equal(rec.hosts[0], "*.mail.provider.test");
	assert_string_equal(rec.hosts[1], "mx.b.test");
	/* Without sp=, subdomains get p=. */
	assert_int_equal(smtp2_record_parse("v=SMTP2v1; p=tag", 16, &rec,
	    NULL, 0), SMTP2_RECORD_OK);
	assert_int_equal(rec.subdomain_policy, SMTP2_POLICY_TAG);
	assert_int_equal(rec.n_hosts, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fixture),
		cmocka_unit_test(test_record_select),
		cmocka_unit_test(test_record_len),
		cmocka_unit_test(test_record_why_buffers),
		cmocka_unit_test(test_record_long_value),
		cmocka_unit_test(test_record_many_tags),
		cmocka_unit_test(test_record_policy_names),
		cmocka_unit_test(test_record_sp_hosts),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
