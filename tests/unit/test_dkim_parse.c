/*
 * test_dkim_parse.c - DKIM-Signature and DKIM key record parsers.
 *
 * Two tables of (text, expected status, words the reason must contain),
 * then a few cases whose parsed fields are checked one by one.
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
#include <smtp2/dkim.h>

#define WHY_LEN		256

/* Pieces of a valid signature, to build the cases from. */
#define B	"b=dGVzdA=="
#define BH	"bh=2jmj7l5rSw0yVb/vlWAYkK/YBwk="
#define REST	"d=example.org; s=sel; h=from:to; " B "; " BH
#define GOOD	"v=1; a=rsa-sha256; " REST
#define ED	"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* One table row. */
struct parse_case {
	const char	*text;
	enum smtp2_dkim_status status;
	const char	*reason;	/* a substring of why; NULL: any */
};

static const struct parse_case sig_cases[] = {
	{GOOD, SMTP2_DKIM_OK, "d=example.org s=sel a=rsa-sha256"},
	{GOOD ";", SMTP2_DKIM_OK, NULL},
	{"v=1; a=ed25519-sha256; c=relaxed/relaxed; " REST
	    "; i=user@mail.example.org; t=100; x=200; l=0; q=dns/txt; z=a|b",
	    SMTP2_DKIM_OK, "a=ed25519-sha256"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel;\r\n\th=From : To;\r\n"
	    " b=dGVz\r\n dA=\r\n =; bh=2jmj7l5rSw0yVb/vl\r\n\tWAYkK/YBwk=",
	    SMTP2_DKIM_OK, NULL},
	{"v=1; a=rsa-sha256; d=example.org; s=sel;\n h=from; " B "; " BH,
	    SMTP2_DKIM_OK, NULL},
	{GOOD "; foo=bar; t=5; x=6", SMTP2_DKIM_OK, NULL},
	/* Folds between a name and its '=', and around the '='. */
	{GOOD ";\r\n\tfoo\r\n =\r\n\tbar ; t\n\t= 5", SMTP2_DKIM_OK, NULL},
	{GOOD "; foo\r\n=bar", SMTP2_DKIM_INVALID, "line break not followed"},
	{"v=1; a=rsa-sha1; " REST, SMTP2_DKIM_OK, "a=rsa-sha1"},
	{"a=rsa-sha256; " REST, SMTP2_DKIM_INVALID, "missing required tag v="},
	{"v=1; " REST, SMTP2_DKIM_INVALID, "missing required tag a="},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; " BH,
	    SMTP2_DKIM_INVALID, "missing required tag b="},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; " B,
	    SMTP2_DKIM_INVALID, "missing required tag bh="},
	{"v=1; a=rsa-sha256; s=sel; h=from; " B "; " BH,
	    SMTP2_DKIM_INVALID, "missing required tag d="},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; " B "; " BH,
	    SMTP2_DKIM_INVALID, "missing required tag h="},
	{"v=1; a=rsa-sha256; d=example.org; h=from; " B "; " BH,
	    SMTP2_DKIM_INVALID, "missing required tag s="},
	{GOOD "; d=example.com", SMTP2_DKIM_INVALID, "duplicate tag 'd'"},
	{GOOD "; v=1", SMTP2_DKIM_INVALID, "duplicate tag 'v'"},
	{"v=2; a=rsa-sha256; " REST, SMTP2_DKIM_INVALID, "v=: unsupported"},
	{"v=1; a=rsa-md5; " REST, SMTP2_DKIM_INVALID, "unknown algorithm 'rsa-md5'"},
	{GOOD "; i=user@example.com", SMTP2_DKIM_INVALID,
	    "neither d= nor below it"},
	{GOOD "; i=user@badexample.org", SMTP2_DKIM_INVALID,
	    "neither d= nor below it"},
	{GOOD "; i=user.example.org", SMTP2_DKIM_INVALID, "no '@'"},
	{GOOD "; t=200; x=100", SMTP2_DKIM_INVALID, "x=100 is not after t=200"},
	{GOOD "; t=200; x=200", SMTP2_DKIM_INVALID, "x=200 is not after t=200"},
	{GOOD "; t=1234567890123", SMTP2_DKIM_INVALID, "number too large"},
	{GOOD "; l=-1", SMTP2_DKIM_INVALID, "l=: not a decimal"},
	{GOOD "; c=relaxed/fancy", SMTP2_DKIM_INVALID, "c=: expected simple"},
	{GOOD "; q=http/well-known", SMTP2_DKIM_INVALID, "no dns/txt"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=to:subject; " B "; " BH,
	    SMTP2_DKIM_INVALID, "From is not signed"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from::to; " B "; " BH,
	    SMTP2_DKIM_INVALID, "malformed field name"},
	{"v=1; a=rsa-sha256; d=exa_mple.org; s=sel; h=from; " B "; " BH,
	    SMTP2_DKIM_INVALID, "d=: not a domain name"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=dGV*dA==; " BH,
	    SMTP2_DKIM_INVALID, "b=: not base64: '*'"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=dGVzdA; " BH,
	    SMTP2_DKIM_INVALID, "b=: length not a multiple of 4"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=dG==VzdA; " BH,
	    SMTP2_DKIM_INVALID, "b=: data after padding"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=d===; " BH,
	    SMTP2_DKIM_INVALID, "b=: misplaced padding"},
	{"v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=; " BH,
	    SMTP2_DKIM_INVALID, "b=: empty"},
	{GOOD "\r\n; t=1", SMTP2_DKIM_INVALID, "line break not followed"},
	{GOOD "; 9x=1", SMTP2_DKIM_INVALID, "tag name must start with a letter, not '9'"},
	{GOOD "; t", SMTP2_DKIM_INVALID, "missing '=' after tag 't'"},
	{"", SMTP2_DKIM_INVALID, "missing required tag v="},
};

static const struct parse_case key_cases[] = {
	{"v=DKIM1; k=rsa; p=" ED, SMTP2_DKIM_OK, "k=rsa, 32-byte key"},
	{"p=" ED, SMTP2_DKIM_OK, NULL},
	{"v=DKIM1; k=ed25519; h=sha256:foo; s=email:x; t=y:s:q; n=note; p="
	    ED, SMTP2_DKIM_OK, "k=ed25519"},
	{"v=DKIM1; p=", SMTP2_DKIM_REVOKED, "revoked"},
	{"v=DKIM1; k=rsa; p= ", SMTP2_DKIM_REVOKED, "revoked"},
	{"v=DKIM1; k=dsa; p=" ED, SMTP2_DKIM_INVALID, "unknown key type 'dsa'"},
	{"k=rsa; v=DKIM1; p=" ED, SMTP2_DKIM_INVALID, "v= must be the first"},
	{"v=DKIM2; p=" ED, SMTP2_DKIM_INVALID, "expected DKIM1"},
	{"v=DKIM1; k=rsa", SMTP2_DKIM_INVALID, "missing required tag p="},
	{"v=DKIM1; p=" ED "; p=" ED, SMTP2_DKIM_INVALID, "duplicate tag 'p'"},
	{"v=DKIM1; p=abc", SMTP2_DKIM_INVALID, "p=: length not a multiple"},
	{"v=DKIM1; h=md5; p=" ED, SMTP2_DKIM_INVALID, "no known hash"},
	{"v=DKIM1; s=tlsrpt; p=" ED, SMTP2_DKIM_INVALID, "key not for email"},
	{"v=DKIM1; k=ed25519; p=dGVzdA==", SMTP2_DKIM_INVALID,
	    "ed25519 key is 32 bytes, not 4"},
};

/* check_case - one row through the given parser */
static void
check_case(const struct parse_case *c, bool is_key)
{
	static struct smtp2_dkim_sig sig;
	static struct smtp2_dkim_key key;
	enum smtp2_dkim_status st;
	char	why[WHY_LEN] = "";

	st = is_key ? smtp2_dkim_key_parse(c->text, strlen(c->text), &key, why,
	    sizeof(why)) : smtp2_dkim_sig_parse(c->text, strlen(c->text), &sig,
	    why, sizeof(why));
	if (st != c->status || (c->reason != NULL && strstr(why, c->reason) == NULL))
		fail_msg("'%s': status %d (want %d), why '%s' (want '%s')",
		    c->text, (int)st, (int)c->status, why,
		    c->reason != NULL ? c->reason : "");
}

/* test_sig_table - every signature row */
static void
test_sig_table(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++)
		check_case(&sig_cases[i], false);
}

/* test_key_table - every key record row */
static void
test_key_table(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++)
		check_case(&key_cases[i], true);
}

/* test_sig_fields - what a folded signature parses into */
static void
test_sig_fields(void **state)
{
	static const char text[] = "v=1; a=rsa-sha1; c=relaxed;\r\n"
	    "  d=Example.ORG; s=s_1; h=Subject : From:\r\n\tTo; " B "; " BH
	    "; i=@sub.example.org; l=42; t=7";
	static struct smtp2_dkim_sig sig;

	(void)state;
	assert_int_equal(smtp2_dkim_sig_parse(text, sizeof(text) - 1, &sig,
	    NULL, 0), SMTP2_DKIM_OK);
	assert_int_equal(sig.alg, SMTP2_DKIM_RSA_SHA1);
	assert_true(sig.weak_alg);
	assert_int_equal(sig.canon_header, SMTP2_DKIM_RELAXED);
	assert_int_equal(sig.canon_body, SMTP2_DKIM_SIMPLE);
	assert_int_equal(sig.domain.len, 11);
	assert_memory_equal(sig.domain.p, "Example.ORG", 11);
	assert_memory_equal(sig.selector.p, "s_1", 3);
	assert_int_equal(sig.n_headers, 3);
	assert_memory_equal(sig.headers[0].p, "Subject", 7);
	assert_int_equal(sig.headers[0].len, 7);
	assert_memory_equal(sig.headers[2].p, "To", 2);
	assert_int_equal(sig.headers[2].len, 2);
	assert_true(sig.has_identity);
	assert_int_equal(sig.identity.len, 16);
	assert_true(sig.has_length && sig.length == 42);
	assert_true(sig.has_timestamp && sig.timestamp == 7 && !sig.has_expiry);
	assert_int_equal(sig.b_len, 4);
	assert_memory_equal(sig.b, "test", 4);
	assert_int_equal(sig.bh_len, 20);
	assert_int_equal(sig.b_value.len, 8);
	assert_memory_equal(sig.b_value.p, "dGVzdA==", 8);
}

/* test_sig_defaults - c= and i= absent */
static void
test_sig_defaults(void **state)
{
	static struct smtp2_dkim_sig sig;

	(void)state;
	assert_int_equal(smtp2_dkim_sig_parse(GOOD, strlen(GOOD), &sig, NULL, 0),
	    SMTP2_DKIM_OK);
	assert_int_equal(sig.canon_header, SMTP2_DKIM_SIMPLE);
	assert_int_equal(sig.canon_body, SMTP2_DKIM_SIMPLE);
	assert_false(sig.has_identity);
	assert_ptr_equal(sig.identity.p, sig.domain.p);
	assert_false(sig.has_length || sig.has_timestamp || sig.has_expiry);
}

/* test_key_fields - defaults and flags of key records */
static void
test_key_fields(void **state)
{
	static const char full[] = "v=DKIM1; k=ed25519; h=sha256; t=y:s; p=" ED;
	static struct smtp2_dkim_key key;
	char	why[4];

	(void)state;
	assert_int_equal(smtp2_dkim_key_parse("p=" ED, strlen("p=" ED), &key,
	    NULL, 0), SMTP2_DKIM_OK);
	assert_int_equal(key.type, SMTP2_DKIM_KEY_RSA);
	assert_int_equal(key.hashes, SMTP2_DKIM_HASH_SHA1 | SMTP2_DKIM_HASH_SHA256);
	assert_false(key.testing || key.strict);
	assert_int_equal(smtp2_dkim_key_parse(full, sizeof(full) - 1, &key,
	    why, sizeof(why)), SMTP2_DKIM_OK);
	assert_int_equal(key.type, SMTP2_DKIM_KEY_ED25519);
	assert_int_equal(key.hashes, SMTP2_DKIM_HASH_SHA256);
	assert_true(key.testing && key.strict);
	assert_int_equal(key.p_len, 32);
	assert_int_equal(strlen(why), 3);	/* a short buffer is cut */
}

/* test_sizes - bounded buffers refuse oversize values */
static void
test_sizes(void **state)
{
	static char text[4096];
	static struct smtp2_dkim_key key;
	char	why[WHY_LEN] = "";
	size_t	n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "p=");
	memset(text + n, 'A', 1712);	/* 1284 bytes > SMTP2_DKIM_P_MAX */
	n += 1712;
	assert_int_equal(smtp2_dkim_key_parse(text, n, &key, why, sizeof(why)),
	    SMTP2_DKIM_INVALID);
	assert_non_null(strstr(why, "more than 1280 bytes"));
	assert_int_equal(smtp2_dkim_key_parse(text, n - 8, &key, why,
	    sizeof(why)), SMTP2_DKIM_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_table),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_sig_fields),
		cmocka_unit_test(test_sig_defaults),
		cmocka_unit_test(test_key_fields),
		cmocka_unit_test(test_sizes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
