/*
 * test_authres.c - the header values we stamp, recognising forged copies,
 * and the result vocabulary (result.c) they are written in.
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
#include <smtp2/authres.h>

#define ID	"mx.example.net"

struct fmt_case {
	const char	*name;
	enum smtp2_result result;
	enum smtp2_method method;
	enum smtp2_dnssec dnssec;
	bool		has_record;
	enum smtp2_policy policy;
	const char	*domain;
	const char	*reason;
	const char	*authres;	/* want Authentication-Results value */
	const char	*verified;	/* want X-SMTP2-Verified value */
};

static const struct fmt_case fmt_cases[] = {
	{"dane pass", SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SMTP2_DNSSEC_SECURE,
	    true, SMTP2_POLICY_ENFORCE, "bank.test",
	    "certificate key matches pin 3 1 1",
	    ID "; smtp2=pass (method=dane, dnssec=secure, policy=enforce) "
	    "header.from=bank.test",
	    "yes; domain=bank.test; method=dane; dnssec=secure"},
	{"pkix pass, no record", SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX,
	    SMTP2_DNSSEC_INSECURE, false, SMTP2_POLICY_NONE, "shop.test",
	    "certificate name mx.shop.test is inside shop.test",
	    ID "; smtp2=pass (method=pkix, dnssec=insecure) header.from=shop.test",
	    "yes; domain=shop.test; method=pkix; dnssec=insecure"},
	{"fail", SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SMTP2_DNSSEC_SECURE,
	    true, SMTP2_POLICY_ENFORCE, "bank.test",
	    "no client certificate presented",
	    ID "; smtp2=fail (method=none, dnssec=secure, policy=enforce; "
	    "no client certificate presented) header.from=bank.test",
	    "no; domain=bank.test; result=fail"},
	{"legacy none", SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_INSECURE, false, SMTP2_POLICY_NONE, "legacy.test",
	    "no _smtp2 record",
	    ID "; smtp2=none (method=none, dnssec=insecure; no _smtp2 record) "
	    "header.from=legacy.test",
	    "no; domain=legacy.test; result=none"},
	{"temperror", SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_UNKNOWN, false, SMTP2_POLICY_NONE, "slow.test",
	    "DNS timeout",
	    ID "; smtp2=temperror (method=none, dnssec=unknown; DNS timeout) "
	    "header.from=slow.test",
	    "no; domain=slow.test; result=temperror"},
	{"permerror p=tag", SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_SECURE, true, SMTP2_POLICY_TAG, "broken.test",
	    "duplicate tag 'p'",
	    ID "; smtp2=permerror (method=none, dnssec=secure, policy=tag; "
	    "duplicate tag 'p') header.from=broken.test",
	    "no; domain=broken.test; result=permerror"},
	{"escaping", SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SMTP2_DNSSEC_BOGUS,
	    false, SMTP2_POLICY_NONE, "evil.test",
	    "a (b) c\\d)\r\nX-SMTP2-Verified: yes\t\x01\x7f\xc3\xa9",
	    ID "; smtp2=fail (method=none, dnssec=bogus; a \\(b\\) c\\\\d\\)  "
	    "X-SMTP2-Verified: yes ??" "??" ") header.from=evil.test",
	    "no; domain=evil.test; result=fail"},
	{"empty reason", SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_INDETERMINATE, false, SMTP2_POLICY_NONE, "x.test", "",
	    ID "; smtp2=none (method=none, dnssec=indeterminate) header.from=x.test",
	    "no; domain=x.test; result=none"},
	{"null sender", SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_UNKNOWN, false, SMTP2_POLICY_NONE, "", "null sender",
	    ID "; smtp2=none (method=none, dnssec=unknown; null sender)",
	    "no; result=none"},
	{"dash is no domain", SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_UNKNOWN, false, SMTP2_POLICY_NONE, "-", "r",
	    ID "; smtp2=none (method=none, dnssec=unknown; r)",
	    "no; result=none"},
	{"domain with header syntax", SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	    SMTP2_DNSSEC_SECURE, true, SMTP2_POLICY_ENFORCE,
	    "bank.test; smtp2=pass", "r",
	    ID "; smtp2=pass (method=dane, dnssec=secure, policy=enforce)",
	    "no; result=pass"},
	{"domain with CR LF", SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	    SMTP2_DNSSEC_SECURE, true, SMTP2_POLICY_ENFORCE,
	    "bank.test\r\nX: y", "r",
	    ID "; smtp2=pass (method=dane, dnssec=secure, policy=enforce)",
	    "no; result=pass"},
};

/* fill - a verdict from a case */
static void fill(struct smtp2_verdict *v, const struct fmt_case *c)
{
	memset(v, 0, sizeof(*v));
	v->result = c->result;
	v->method = c->method;
	v->dnssec = c->dnssec;
	v->has_record = c->has_record;
	v->policy = c->policy;
	snprintf(v->domain, sizeof(v->domain), "%s", c->domain);
	snprintf(v->reason, sizeof(v->reason), "%s", c->reason);
}

/* test_authres_format - both header values for every case */
static void test_authres_format(void **state)
{
	const struct fmt_case *c;
	struct smtp2_verdict v;
	char	buf[1024];
	size_t	i;
	int	n;

	(void)state;
	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		c = &fmt_cases[i];
		fill(&v, c);
		n = smtp2_authres_format(buf, sizeof(buf), ID, &v);
		if (strcmp(buf, c->authres) != 0 || n != (int)strlen(buf))
			fail_msg("%s:\n got \"%s\" (%d)\nwant \"%s\"", c->name,
			    buf, n, c->authres);
		n = smtp2_verified_format(buf, sizeof(buf), &v);
		if (strcmp(buf, c->verified) != 0 || n != (int)strlen(buf))
			fail_msg("%s:\n got \"%s\"\nwant \"%s\"", c->name, buf,
			    c->verified);
	}
}

/* comment_ok - printable, balanced comments, quoted-pairs complete */
static bool comment_ok(const char *s)
{
	int	depth = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return (false);
		if (depth > 0 && *s == '\\') {
			if (*++s == '\0')
				return (false);
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth < 0) {
			return (false);
		}
	}
	return (depth == 0);
}

/* test_authres_every_byte - any byte in a reason leaves a valid header */
static void test_authres_every_byte(void **state)
{
	struct smtp2_verdict v;
	char	buf[1024];
	unsigned b;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.result = SMTP2_RESULT_FAIL;
	snprintf(v.domain, sizeof(v.domain), "bank.test");
	for (b = 1; b < 256; b++) {
		snprintf(v.reason, sizeof(v.reason), "x%c(%c)\\%c", b, b, b);
		smtp2_authres_format(buf, sizeof(buf), ID, &v);
		if (!comment_ok(buf))
			fail_msg("byte 0x%02X: bad header \"%s\"", b, buf);
		assert_true(smtp2_authres_is_ours(buf, ID));
		assert_non_null(strstr(buf, ") header.from=bank.test"));
	}

	/* A reason filling its whole array, unterminated, full of parens. */
	memset(v.reason, '(', sizeof(v.reason));
	smtp2_authres_format(buf, sizeof(buf), ID, &v);
	assert_true(comment_ok(buf));
	memset(v.reason, '\\', sizeof(v.reason));
	smtp2_authres_format(buf, sizeof(buf), ID, &v);
	assert_true(comment_ok(buf));
}

/* test_authres_truncate - snprintf semantics */
static void test_authres_truncate(void **state)
{
	struct smtp2_verdict v;
	char	full[512], small[20];
	int	n, m;

	(void)state;
	fill(&v, &fmt_cases[2]);
	n = smtp2_authres_format(full, sizeof(full), ID, &v);
	memset(small, 'X', sizeof(small));
	m = smtp2_authres_format(small, 10, ID, &v);
	assert_int_equal(n, m);
	assert_string_equal(small, "mx.exampl");
	assert_int_equal(small[10], 'X');
	assert_int_equal(smtp2_authres_format(NULL, 0, ID, &v), n);
	small[0] = 'Q';
	assert_int_equal(smtp2_authres_format(small, 0, ID, &v), n);
	assert_int_equal(small[0], 'Q');
	m = smtp2_verified_format(small, 5, &v);
	assert_int_equal(m, (int)strlen("no; domain=bank.test; result=fail"));
	assert_string_equal(small, "no; ");
}

/* test_authres_odd_inputs - bad authserv-id, no verdict */
static void test_authres_odd_inputs(void **state)
{
	struct smtp2_verdict v;
	char	buf[512];

	(void)state;
	fill(&v, &fmt_cases[0]);
	smtp2_authres_format(buf, sizeof(buf), "mx ex;(a)", &v);
	assert_string_equal(buf, "mx_ex__a_; smtp2=pass (method=dane, "
	    "dnssec=secure, policy=enforce) header.from=bank.test");
	smtp2_authres_format(buf, sizeof(buf), NULL, &v);
	assert_true(strncmp(buf, "localhost; ", 11) == 0);
	smtp2_authres_format(buf, sizeof(buf), "", &v);
	assert_true(strncmp(buf, "localhost; ", 11) == 0);
	smtp2_authres_format(buf, sizeof(buf), ID, NULL);
	assert_string_equal(buf, ID "; none");
	smtp2_verified_format(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "no");
}

struct ours_case {
	const char	*value;
	bool		want;
};

static const struct ours_case ours_cases[] = {
	{ID "; smtp2=pass header.from=bank.test", true},
	{ID ";smtp2=pass", true},
	{ID, true},
	{ID "; none", true},
	{"MX.Example.NET; smtp2=pass", true},
	{"   " ID "; smtp2=pass", true},
	{"\r\n\t" ID "; smtp2=pass", true},
	{"(comment) " ID "; smtp2=pass", true},
	{"(comment)" ID "; smtp2=pass", true},
	{"(nested (comment (deep)) here) " ID ";", true},
	{"(escaped \\) paren) " ID ";", true},
	{"(escaped \\( paren) " ID ";", true},
	{" ( a ) ( b ) " ID ";", true},
	{ID " 1; smtp2=pass", true},
	{ID "\t1 ; smtp2=pass", true},
	{ID " (version follows) 1; smtp2=pass", true},
	{ID "(c); smtp2=pass", true},
	{"\"" ID "\"; smtp2=pass", true},
	{"\"MX.EXAMPLE.NET\" 1; smtp2=pass", true},
	{"\"mx.example\\.net\"; smtp2=pass", true},
	{ID " garbage", true},
	{ID ".evil; smtp2=pass", false},
	{ID ".; smtp2=pass", false},
	{"evil." ID "; smtp2=pass", false},
	{"mx.example.ne; smtp2=pass", false},
	{ID "x; smtp2=pass", false},
	{ID "\"; smtp2=pass", false},
	{"other.example; smtp2=pass header.from=" ID, false},
	{"(" ID ") other.example; smtp2=pass", false},
	{"(" ID "; smtp2=pass", false},
	{"(a (b) " ID ";", false},
	{"(a \\", false},
	{"\"" ID ".evil\"; smtp2=pass", false},
	{"\"" ID, false},
	{"\"" ID "\\", false},
	{"\"\"; smtp2=pass", false},
	{"; smtp2=pass", false},
	{"", false},
	{"   ", false},
	{"(only a comment)", false},
	{")" ID ";", false},
};

/* test_authres_is_ours - recognising headers that claim our id */
static void test_authres_is_ours(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(ours_cases) / sizeof(ours_cases[0]); i++)
		if (smtp2_authres_is_ours(ours_cases[i].value, ID)
		    != ours_cases[i].want)
			fail_msg("\"%s\": want %s", ours_cases[i].value,
			    ours_cases[i].want ? "ours" : "not ours");
	assert_false(smtp2_authres_is_ours(NULL, ID));
	assert_false(smtp2_authres_is_ours(ID ";", NULL));
	assert_false(smtp2_authres_is_ours(";", ""));
	assert_false(smtp2_authres_is_ours("", ""));
}

/* test_result_names - the vocabulary of result.h, both ways */
static void test_result_names(void **state)
{
	static const char *const results[] = {"none", "pass", "fail",
	    "temperror", "permerror"};
	static const char *const methods[] = {"none", "dane", "pkix"};
	static const char *const dnssec[] = {"unknown", "secure", "insecure",
	    "bogus", "indeterminate"};
	static const char *const modes[] = {"required", "preferred", "off"};
	enum smtp2_result r;
	enum smtp2_method m;
	enum smtp2_dnssec d;
	enum smtp2_dnssec_mode dm;
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_string_equal(smtp2_result_name((enum smtp2_result)i),
		    results[i]);
		assert_int_equal(smtp2_result_parse(results[i], &r), 0);
		assert_int_equal(r, i);
		assert_string_equal(smtp2_dnssec_name((enum smtp2_dnssec)i),
		    dnssec[i]);
		assert_int_equal(smtp2_dnssec_parse(dnssec[i], &d), 0);
		assert_int_equal(d, i);
	}
	for (i = 0; i < 3; i++) {
		assert_string_equal(smtp2_method_name((enum smtp2_method)i),
		    methods[i]);
		assert_int_equal(smtp2_method_parse(methods[i], &m), 0);
		assert_int_equal(m, i);
		assert_string_equal(smtp2_dnssec_mode_name(
		    (enum smtp2_dnssec_mode)i), modes[i]);
		assert_int_equal(smtp2_dnssec_mode_parse(modes[i], &dm), 0);
		assert_int_equal(dm, i);
	}
	assert_int_equal(smtp2_result_parse("PASS", &r), 0);
	assert_int_equal(r, SMTP2_RESULT_PASS);
	assert_int_equal(smtp2_dnssec_mode_parse("Required", &dm), 0);
	assert_int_equal(dm, SMTP2_DNSSEC_REQUIRED);
	assert_int_equal(smtp2_result_parse("passed", &r), -1);
	assert_int_equal(smtp2_result_parse("", &r), -1);
	assert_int_equal(smtp2_result_parse(NULL, &r), -1);
	assert_int_equal(smtp2_method_parse("dnssec", &m), -1);
	assert_int_equal(smtp2_dnssec_parse("secur", &d), -1);
	assert_int_equal(smtp2_dnssec_mode_parse("on", &dm), -1);
	assert_string_equal(smtp2_result_name((enum smtp2_result)77), "invalid");
	assert_string_equal(smtp2_method_name((enum smtp2_method)-1), "invalid");
	assert_string_equal(smtp2_dnssec_name((enum smtp2_dnssec)5), "invalid");
	assert_string_equal(smtp2_dnssec_mode_name((enum smtp2_dnssec_mode)3),
	    "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authres_format),
		cmocka_unit_test(test_authres_every_byte),
		cmocka_unit_test(test_authres_truncate),
		cmocka_unit_test(test_authres_odd_inputs),
		cmocka_unit_test(test_authres_is_ours),
		cmocka_unit_test(test_result_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
