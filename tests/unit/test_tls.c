/*
 * test_tls.c - fingerprint parsing and formatting, TLS facts reset.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/tls.h>

struct fp_case {
	const char	*name;
	const char	*text;
	size_t		outlen;
	int		want;		/* bytes, or -1 */
	const char	*bytes;		/* want bytes as a C string of escapes */
};

static const struct fp_case fp_cases[] = {
	{"postfix colon form", "AB:CD:EF:01", 8, 4, "\xab\xcd\xef\x01"},
	{"plain hex", "abcdef01", 8, 4, "\xab\xcd\xef\x01"},
	{"mixed case", "aB:Cd", 8, 2, "\xab\xcd"},
	{"one byte", "7f", 1, 1, "\x7f"},
	{"one byte with colons allowed", "00", 4, 1, "\x00"},
	{"exactly fills", "00:11:22", 3, 3, "\x00\x11\x22"},
	{"one too many", "00:11:22:33", 3, -1, NULL},
	{"plain one too many", "00112233", 3, -1, NULL},
	{"empty", "", 8, -1, NULL},
	{"odd digits", "abc", 8, -1, NULL},
	{"odd digits colon", "AB:C", 8, -1, NULL},
	{"leading colon", ":AB", 8, -1, NULL},
	{"trailing colon", "AB:", 8, -1, NULL},
	{"double colon", "AB::CD", 8, -1, NULL},
	{"colons not everywhere", "ABCD:EF", 8, -1, NULL},
	{"colons not everywhere 2", "AB:CDEF", 8, -1, NULL},
	{"not hex", "GG", 8, -1, NULL},
	{"space inside", "AB CD", 8, -1, NULL},
	{"trailing space", "ABCD ", 8, -1, NULL},
	{"leading space", " ABCD", 8, -1, NULL},
	{"dash separator", "AB-CD", 8, -1, NULL},
	{"0x prefix", "0xABCD", 8, -1, NULL},
	{"zero room", "AB", 0, -1, NULL},
};

/* test_fp_parse - every case of the table */
static void test_fp_parse(void **state)
{
	unsigned char out[16];
	const struct fp_case *c;
	size_t	i;
	int	got;

	(void)state;
	for (i = 0; i < sizeof(fp_cases) / sizeof(fp_cases[0]); i++) {
		c = &fp_cases[i];
		memset(out, 0x5a, sizeof(out));
		got = smtp2_fp_parse(c->text, out, c->outlen);
		if (got != c->want)
			fail_msg("%s: got %d, want %d", c->name, got, c->want);
		if (got > 0 && memcmp(out, c->bytes, (size_t)got) != 0)
			fail_msg("%s: wrong bytes", c->name);
		/* Never a byte beyond outlen. */
		if (out[c->outlen] != 0x5a)
			fail_msg("%s: wrote past outlen", c->name);
	}
	assert_int_equal(smtp2_fp_parse(NULL, out, sizeof(out)), -1);
	assert_int_equal(smtp2_fp_parse("AB", NULL, 4), -1);
}

/* test_fp_sha256 - a real Postfix SHA-256 fingerprint round-trips */
static void test_fp_sha256(void **state)
{
	static const char *pf = "3E:7A:1C:00:FF:90:12:34:56:78:9A:BC:DE:F0:11:22:"
	    "33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:02:03";
	unsigned char fp[SMTP2_SHA256_LEN], fp2[SMTP2_SHA256_LEN];
	char	buf[3 * SMTP2_SHA256_LEN], plain[2 * SMTP2_SHA256_LEN + 1];
	size_t	i, j;

	(void)state;
	assert_int_equal(smtp2_fp_parse(pf, fp, sizeof(fp)), SMTP2_SHA256_LEN);
	smtp2_fp_format(fp, sizeof(fp), buf, sizeof(buf));
	assert_string_equal(buf, pf);

	/* The same digits without colons, lower case. */
	for (i = j = 0; pf[i] != '\0'; i++)
		if (pf[i] != ':')
			plain[j++] = (char)(pf[i] | 0x20);
	plain[j] = '\0';
	assert_int_equal(smtp2_fp_parse(plain, fp2, sizeof(fp2)), SMTP2_SHA256_LEN);
	assert_memory_equal(fp, fp2, sizeof(fp));
}

/* test_fp_format - sizes, truncation at whole bytes, empty input */
static void test_fp_format(void **state)
{
	static const struct {
		const char *name;
		size_t	buflen;
		const char *want;
	} cases[] = {
		{"ample", 32, "01:AB:FF"},
		{"exact 3*len", 9, "01:AB:FF"},
		{"one short", 8, "01:AB"},
		{"two bytes room", 6, "01:AB"},
		{"room for one", 3, "01"},
		{"too small for one", 2, ""},
		{"just the NUL", 1, ""},
	};
	static const unsigned char fp[] = {0x01, 0xab, 0xff};
	char	buf[40];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		smtp2_fp_format(fp, sizeof(fp), buf, cases[i].buflen);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name,
			    buf, cases[i].want);
		if (buf[cases[i].buflen] != 'X')
			fail_msg("%s: wrote past buflen", cases[i].name);
	}
	smtp2_fp_format(fp, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	buf[0] = 'Q';
	smtp2_fp_format(fp, sizeof(fp), buf, 0);
	assert_int_equal(buf[0], 'Q');
}

/* test_tls_facts_init - nothing presented, nothing known */
static void test_tls_facts_init(void **state)
{
	struct smtp2_tls_facts f;

	(void)state;
	memset(&f, 0xff, sizeof(f));
	smtp2_tls_facts_init(&f);
	assert_false(f.cert_presented);
	assert_false(f.cert_trusted);
	assert_false(f.have_cert_sha256);
	assert_false(f.have_spki_sha256);
	assert_string_equal(f.subject_cn, "");
	assert_string_equal(f.protocol, "");
	assert_string_equal(f.cipher, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fp_parse),
		cmocka_unit_test(test_fp_sha256),
		cmocka_unit_test(test_fp_format),
		cmocka_unit_test(test_tls_facts_init),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
