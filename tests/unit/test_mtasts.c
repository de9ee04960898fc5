/*
 * test_mtasts.c - MTA-STS TXT records and policy documents (RFC 8461),
 * good and broken, and the Postfix match= value made of the mx lines.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/mtasts.h>

struct pcase {
	const char	*name;
	const char	*text;
	int		rc;
	enum smtp2_mtasts_mode mode;
	uint32_t	max_age;
	const char	*match;		/* when rc == 0 */
	const char	*why;		/* substring, when rc < 0 */
};

static const struct pcase pcases[] = {
	{ "RFC 8461 example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mail.example.com\r\nmx: *.example.net\r\n"
	    "mx: backupmx.example.com\r\nmax_age: 604800\r\n",
	    0, SMTP2_MTASTS_ENFORCE, 604800,
	    "mail.example.com:.example.net:backupmx.example.com", NULL },
	{ "LF only, any order, spaces", "mx:  MX.Example.COM \nmax_age:86400\n"
	    "mode : enforce\nversion: STSv1", -1, 0, 0, NULL, "no mode" },
	{ "no space before colon", "mode: testing\nmax_age:86400\nversion: STSv1"
	    "\nmx: MX.Example.COM  \n", 0, SMTP2_MTASTS_TESTING, 86400,
	    "mx.example.com", NULL },
	{ "mode none needs no mx", "version: STSv1\nmode: none\nmax_age: 1\n",
	    0, SMTP2_MTASTS_NONE, 1, "", NULL },
	{ "unknown fields ignored", "version: STSv1\nmode: enforce\nmx: a.b\n"
	    "max_age: 5\nfoo: bar\n\n", 0, SMTP2_MTASTS_ENFORCE, 5, "a.b", NULL },
	{ "max_age capped at a year", "version: STSv1\nmode: enforce\nmx: a.b\n"
	    "max_age: 9999999999\n", 0, SMTP2_MTASTS_ENFORCE,
	    SMTP2_MTASTS_MAX_AGE, "a.b", NULL },
	{ "wrong version", "version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 5",
	    -1, 0, 0, NULL, "version" },
	{ "no version", "mode: enforce\nmx: a.b\nmax_age: 5", -1, 0, 0, NULL,
	    "no version" },
	{ "bad mode", "version: STSv1\nmode: strict\nmx: a.b\nmax_age: 5", -1,
	    0, 0, NULL, "mode" },
	{ "enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 5", -1,
	    0, 0, NULL, "without mx" },
	{ "bad max_age", "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 5d",
	    -1, 0, 0, NULL, "max_age" },
	{ "no max_age", "version: STSv1\nmode: enforce\nmx: a.b\n", -1, 0, 0,
	    NULL, "max_age" },
	{ "wildcard in the middle", "version: STSv1\nmode: enforce\n"
	    "mx: a.*.b\nmax_age: 5", -1, 0, 0, NULL, "mx:" },
	{ "single-label mx", "version: STSv1\nmode: enforce\nmx: localhost\n"
	    "max_age: 5", -1, 0, 0, NULL, "mx:" },
	{ "line without colon", "version: STSv1\nmode enforce\n", -1, 0, 0,
	    NULL, "name: value" },
	{ "empty", "", -1, 0, 0, NULL, "no version" },
};

/* test_policies - every table row */
static void
test_policies(void **state)
{
	struct smtp2_mtasts_policy p;
	char	why[200], match[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		int	rc;

		why[0] = '\0';
		rc = smtp2_mtasts_parse(c->text, strlen(c->text), &p, why,
		    sizeof(why));
		print_message("%-30s rc=%d %s\n", c->name, rc, why);
		assert_int_equal(rc, c->rc);
		if (rc < 0) {
			assert_non_null(strstr(why, c->why));
			continue;
		}
		assert_int_equal(p.mode, c->mode);
		assert_int_equal(p.max_age, c->max_age);
		assert_int_equal(smtp2_mtasts_match(&p, match, sizeof(match)), 0);
		assert_string_equal(match, c->match);
	}
}

/* test_nul_and_limits - NUL bytes, too many mx, too large */
static void
test_nul_and_limits(void **state)
{
	static const char nul[] = "version: STSv1\nmode: enforce\0\nmx: a.b\n";
	static const char one[] = "version: STSv1\nmode: enforce\n"
	    "mx: a.example.net\nmax_age: 1";
	struct smtp2_mtasts_policy p;
	char	buf[2048], small[8];
	size_t	n;

	(void)state;
	assert_int_equal(smtp2_mtasts_parse(nul, sizeof(nul) - 1, &p, NULL, 0),
	    -1);
	n = (size_t)snprintf(buf, sizeof(buf), "version: STSv1\nmode: enforce\n"
	    "max_age: 5\n");
	for (int i = 0; i <= SMTP2_MTASTS_MX_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "mx: m%d.a.b\n", i);
	assert_int_equal(smtp2_mtasts_parse(buf, n, &p, NULL, 0), -1);
	assert_int_equal(smtp2_mtasts_parse(buf, SMTP2_MTASTS_BODY_MAX + 1, &p,
	    NULL, 0), -1);
	/* The match value must fit, or nothing is claimed. */
	assert_int_equal(smtp2_mtasts_parse(one, sizeof(one) - 1, &p, NULL, 0),
	    0);
	assert_int_equal(smtp2_mtasts_match(&p, small, sizeof(small)), -1);
}

/* mx_policy - a policy whose one mx: is "*." and a host of hostlen bytes */
static int
mx_policy(size_t hostlen, struct smtp2_mtasts_policy *p)
{
	char	buf[512], host[300];
	size_t	i, n;

	/* Labels of 63: "aaa...a.aaa...a...", never ending in a dot. */
	for (i = 0; i < hostlen; i++)
		host[i] = i % 64 == 63 && i + 1 < hostlen ? '.' : 'a';
	host[hostlen] = '\0';
	n = (size_t)snprintf(buf, sizeof(buf), "version: STSv1\nmode: enforce\n"
	    "max_age: 5\nmx: *.%s\nmx: b.example\n", host);
	return smtp2_mtasts_parse(buf, n, p, NULL, 0);
}

/* test_mx_length - a wildcard pattern fits its slot with its "*." (a
 * 255-byte pattern once ran into the next one: found by fuzz_mtasts) */
static void
test_mx_length(void **state)
{
	struct smtp2_mtasts_policy p;

	(void)state;
	assert_int_equal(mx_policy(SMTP2_MTASTS_MX_LEN - 2, &p), 0);
	assert_int_equal(strlen(p.mx[0]), SMTP2_MTASTS_MX_LEN);
	assert_string_equal(p.mx[1], "b.example");
	assert_int_equal(mx_policy(SMTP2_MTASTS_MX_LEN - 1, &p), -1);
	assert_int_equal(mx_policy(SMTP2_MTASTS_MX_LEN, &p), -1);
}

struct tcase {
	const char	*txt[3];
	enum smtp2_mtasts_status st;
	const char	*id;
};

static const struct tcase tcases[] = {
	{ { "v=STSv1; id=20160831085700Z;" }, SMTP2_MTASTS_OK, "20160831085700Z" },
	{ { "v=STSv1;id=abc", "v=spf1 -all" }, SMTP2_MTASTS_OK, "abc" },
	{ { "v=spf1 -all" }, SMTP2_MTASTS_ABSENT, NULL },
	{ { "v=STSv1; id=a", "v=STSv1; id=b" }, SMTP2_MTASTS_INVALID, NULL },
	{ { "v=STSv1; id=bad-id" }, SMTP2_MTASTS_INVALID, NULL },
	{ { "v=STSv1" }, SMTP2_MTASTS_INVALID, NULL },
	{ { "v=STSv1; id=123456789012345678901234567890123" },
	    SMTP2_MTASTS_INVALID, NULL },
	{ { "v=STSv10; id=1" }, SMTP2_MTASTS_ABSENT, NULL },
};

/* test_txt - the _mta-sts record and its id */
static void
test_txt(void **state)
{
	char	id[SMTP2_MTASTS_ID_MAX + 1], why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
		const struct tcase *c = &tcases[i];
		size_t	lens[3], n;

		for (n = 0; n < 3 && c->txt[n] != NULL; n++)
			lens[n] = strlen(c->txt[n]);
		why[0] = '\0';
		assert_int_equal(smtp2_mtasts_txt_select(c->txt, lens, n, id,
		    why, sizeof(why)), c->st);
		if (c->st == SMTP2_MTASTS_OK)
			assert_string_equal(id, c->id);
		else
			assert_true(why[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_nul_and_limits),
		cmocka_unit_test(test_mx_length),
		cmocka_unit_test(test_txt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
