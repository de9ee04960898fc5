/*
 * test_cert_names.c - smtp2_cert_name_match: RFC 6125 6.4 and smtp2's
 * "the domain or a host inside it".
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/cert.h>

struct name_case {
	const char	*name;
	const char	*pattern;	/* as presented in the certificate */
	const char	*host;		/* the reference identifier */
	bool		exact;		/* want, within = false */
	bool		within;		/* want, within = true */
};

#define LABEL63	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"

static const struct name_case name_cases[] = {
	/* Plain names. */
	{"same name", "mx.bank.test", "mx.bank.test", true, true},
	{"case", "MX.Bank.TEST", "mx.bank.test", true, true},
	{"case of host", "mx.bank.test", "Mx.BANK.test", true, true},
	{"final dot on pattern", "mx.bank.test.", "mx.bank.test", true, true},
	{"final dot on host", "mx.bank.test", "mx.bank.test.", true, true},
	{"two final dots", "mx.bank.test..", "mx.bank.test", false, false},
	{"leading dot", ".mx.bank.test", "mx.bank.test", false, false},
	{"empty label", "mx..bank.test", "mx.bank.test", false, false},
	{"host with empty label", "mx.bank.test", "mx..bank.test", false, false},
	{"other name", "mx.evil.test", "mx.bank.test", false, false},
	{"host in the domain", "mx.bank.test", "bank.test", false, true},
	{"deep host in the domain", "a.b.mx.bank.test", "bank.test", false, true},
	{"suffix is not a subdomain", "evilbank.test", "bank.test", false, false},
	{"suffix is not a subdomain, deeper", "mx.evilbank.test", "bank.test", false, false},
	{"parent does not prove a child", "bank.test", "mx.bank.test", false, false},
	{"never a whole TLD", "mx.bank.test", "test", false, false},
	{"single label, exact", "localhost", "localhost", true, true},
	{"underscore", "_mta.bank.test", "_mta.bank.test", true, true},
	{"63-byte label", LABEL63 ".test", LABEL63 ".test", true, true},
	{"64-byte label", LABEL63 "l.test", LABEL63 "l.test", false, false},
	/* Wildcards. */
	{"wildcard, one label", "*.bank.test", "mx.bank.test", true, true},
	{"wildcard, the domain itself", "*.bank.test", "bank.test", false, true},
	{"wildcard, two labels below", "*.bank.test", "a.b.bank.test", false, false},
	{"wildcard, parent of its domain", "*.mx.bank.test", "bank.test", false, true},
	{"wildcard, case", "*.BANK.test", "MX.bank.TEST", true, true},
	{"wildcard over a TLD", "*.test", "bank.test", false, false},
	{"wildcard over a TLD, within", "*.test", "test", false, false},
	{"wildcard alone", "*", "bank", false, false},
	{"wildcard with final dot", "*.bank.test.", "mx.bank.test", true, true},
	{"partial wildcard prefix", "a*.x.test", "ab.x.test", false, false},
	{"partial wildcard suffix", "*a.x.test", "ba.x.test", false, false},
	{"wildcard in the middle", "mx.*.test", "mx.bank.test", false, false},
	{"two wildcards", "*.*.test", "a.b.test", false, false},
	{"double star", "**.bank.test", "mx.bank.test", false, false},
	{"wildcard host", "*.bank.test", "*.bank.test", false, false},
	{"wildcard host, plain pattern", "mx.bank.test", "*.bank.test", false, false},
	{"wildcard needs a label", "*.bank.test", ".bank.test", false, false},
	/* IDNs: A-labels only. */
	{"A-label", "xn--bcher-kva.test", "XN--BCHER-KVA.test", true, true},
	{"A-label under a wildcard", "*.xn--bcher-kva.test", "mx.xn--bcher-kva.test", true, true},
	{"wildcard A-label host", "*.bank.test", "xn--bcher-kva.bank.test", true, true},
	{"partial wildcard in an A-label", "xn--*.test", "xn--bcher-kva.test", false, false},
	{"U-label pattern", "b\xc3\xbc" "cher.test", "b\xc3\xbc" "cher.test", false, false},
	{"U-label host", "xn--bcher-kva.test", "b\xc3\xbc" "cher.test", false, false},
	/* Junk. */
	{"empty pattern", "", "bank.test", false, false},
	{"empty host", "bank.test", "", false, false},
	{"just a dot", ".", ".", false, false},
	{"space", "mx bank.test", "mx bank.test", false, false},
	{"newline", "bank.test\n", "bank.test", false, false},
	{"at sign", "ceo@bank.test", "bank.test", false, false},
	{"IP address as text (the caller never asks)", "192.0.2.1", "192.0.2.1", true, true},
};

/* test_name_match - every case of the table, both ways of matching */
static void
test_name_match(void **state)
{
	const struct name_case *nc;
	size_t	i;
	int	bad = 0;
	bool	exact, within;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		nc = &name_cases[i];
		exact = smtp2_cert_name_match(nc->pattern, nc->host, false);
		within = smtp2_cert_name_match(nc->pattern, nc->host, true);
		if (exact != nc->exact || within != nc->within) {
			print_error("case \"%s\": exact %d within %d, want %d %d\n",
			    nc->name, exact, within, nc->exact, nc->within);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* test_name_null - NULL on either side never matches, never crashes */
static void
test_name_null(void **state)
{
	(void)state;
	assert_false(smtp2_cert_name_match(NULL, "bank.test", true));
	assert_false(smtp2_cert_name_match("bank.test", NULL, true));
	assert_false(smtp2_cert_name_match(NULL, NULL, false));
}

/* test_name_long - a 253-byte name matches; 254 bytes do not */
static void
test_name_long(void **state)
{
	char	name[300];
	size_t	i;

	(void)state;
	/* "a.a.a...": one-letter labels, 253 bytes in all. */
	for (i = 0; i < 253; i++)
		name[i] = (i % 2) ? '.' : 'a';
	name[253] = '\0';
	assert_true(smtp2_cert_name_match(name, name, false));
	name[253] = '.';
	name[254] = '\0';
	assert_true(smtp2_cert_name_match(name, name, false));	/* final dot */
	name[253] = 'a';
	name[254] = '\0';
	assert_false(smtp2_cert_name_match(name, name, false));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_name_null),
		cmocka_unit_test(test_name_long),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
