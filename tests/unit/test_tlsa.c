/*
 * test_tlsa.c - TLSA rdata parsing and pin matching from fingerprints.
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
#include <smtp2/tlsa.h>

#define SPKI	0x11		/* every byte of the test key digest */
#define CERT	0x22		/* every byte of the test certificate digest */
#define OTHER	0x33		/* a digest that matches nothing */
#define PINS_MAX	4

/* A pin as the test writes it: fields and a fill byte for the digest. */
struct pin {
	uint8_t		usage, selector, mtype;
	unsigned char	fill;
	size_t		len;
};

/* Presented certificate: what the MTA told us. */
enum cert {
	CERT_NONE,		/* no certificate */
	CERT_BOTH,		/* key and certificate digests */
	CERT_ONLY_CERT,		/* Sendmail-like: certificate digest only */
	CERT_ONLY_SPKI
};

struct match_case {
	const char	*name;
	enum cert	cert;
	size_t		n;
	struct pin	pins[PINS_MAX];
	enum smtp2_pin_status want;
	unsigned	unevaluated;
	const char	*why;
};

#define P311(f)	{3, 1, 1, f, 32}
#define P301(f)	{3, 0, 1, f, 32}

static const struct match_case match_cases[] = {
	{"3 1 1 matches", CERT_BOTH, 1, {P311(SPKI)},
	    SMTP2_PIN_MATCH, 0, "certificate key matches pin 3 1 1"},
	{"3 0 1 matches", CERT_BOTH, 1, {P301(CERT)},
	    SMTP2_PIN_MATCH, 0, "certificate matches pin 3 0 1"},
	{"3 1 1 mismatch", CERT_BOTH, 1, {P311(OTHER)},
	    SMTP2_PIN_NOMATCH, 0,
	    "certificate matches no pin (1 pin tried, 0 unevaluated)"},
	{"3 0 1 mismatch", CERT_BOTH, 1, {P301(OTHER)},
	    SMTP2_PIN_NOMATCH, 0,
	    "certificate matches no pin (1 pin tried, 0 unevaluated)"},
	{"selectors not crossed: key digest in 3 0 1", CERT_BOTH, 1,
	    {P301(SPKI)}, SMTP2_PIN_NOMATCH, 0,
	    "certificate matches no pin (1 pin tried, 0 unevaluated)"},
	{"selectors not crossed: cert digest in 3 1 1", CERT_BOTH, 1,
	    {P311(CERT)}, SMTP2_PIN_NOMATCH, 0,
	    "certificate matches no pin (1 pin tried, 0 unevaluated)"},
	{"second pin matches (key roll-over)", CERT_BOTH, 2,
	    {P311(OTHER), P311(SPKI)}, SMTP2_PIN_MATCH, 0,
	    "certificate key matches pin 3 1 1"},
	{"match counts all unevaluated", CERT_BOTH, 3,
	    {P311(SPKI), {2, 0, 1, SPKI, 32}, {3, 1, 2, SPKI, 64}},
	    SMTP2_PIN_MATCH, 2, "certificate key matches pin 3 1 1"},
	{"mismatch with unevaluated", CERT_BOTH, 3,
	    {{2, 0, 1, SPKI, 32}, P311(OTHER), P301(OTHER)},
	    SMTP2_PIN_NOMATCH, 1, "certificate matches no pin (2 pins tried, "
	    "1 unevaluated: usage 2 needs the chain)"},
	{"no certificate, usable pins", CERT_NONE, 2,
	    {P311(SPKI), {0, 0, 1, SPKI, 32}},
	    SMTP2_PIN_NOMATCH, 1, "no client certificate presented (1 pin "
	    "tried, 1 unevaluated: usage 0 needs the chain)"},
	{"no certificate, no usable pins", CERT_NONE, 1, {{2, 1, 1, SPKI, 32}},
	    SMTP2_PIN_UNUSABLE, 1,
	    "1 pin, none evaluable from fingerprints (usage 2 needs the chain)"},
	{"usage 2 only", CERT_BOTH, 2, {{2, 1, 1, SPKI, 32}, {2, 0, 1, CERT, 32}},
	    SMTP2_PIN_UNUSABLE, 2,
	    "2 pins, none evaluable from fingerprints (usage 2 needs the chain)"},
	{"usage 1", CERT_BOTH, 1, {{1, 1, 1, SPKI, 32}},
	    SMTP2_PIN_UNUSABLE, 1,
	    "1 pin, none evaluable from fingerprints (usage 1 needs the chain)"},
	{"matching type 0", CERT_BOTH, 1, {{3, 1, 0, SPKI, 91}},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(matching type 0 needs the whole key)"},
	{"matching type 0 cert", CERT_BOTH, 1, {{3, 0, 0, SPKI, 200}},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(matching type 0 needs the whole certificate)"},
	{"matching type 2", CERT_BOTH, 1, {{3, 1, 2, SPKI, 64}},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(matching type 2 needs a SHA-512 digest)"},
	{"unknown usage", CERT_BOTH, 1, {{4, 1, 1, SPKI, 32}},
	    SMTP2_PIN_UNUSABLE, 1,
	    "1 pin, none evaluable from fingerprints (unknown usage 4)"},
	{"unknown selector", CERT_BOTH, 1, {{3, 2, 1, SPKI, 32}},
	    SMTP2_PIN_UNUSABLE, 1,
	    "1 pin, none evaluable from fingerprints (unknown selector 2)"},
	{"unknown matching type", CERT_BOTH, 1, {{3, 1, 255, SPKI, 5}},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(unknown matching type 255)"},
	{"wrong SHA-256 length (hand-made)", CERT_BOTH, 1, {{3, 1, 1, SPKI, 31}},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(SHA-256 pin of 31 bytes)"},
	{"3 1 1 without key digest", CERT_ONLY_CERT, 1, {P311(SPKI)},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(selector 1 needs the key fingerprint)"},
	{"3 0 1 without cert digest", CERT_ONLY_SPKI, 1, {P301(CERT)},
	    SMTP2_PIN_UNUSABLE, 1, "1 pin, none evaluable from fingerprints "
	    "(selector 0 needs the certificate fingerprint)"},
	{"cert digest only, 3 0 1 matches", CERT_ONLY_CERT, 2,
	    {P311(SPKI), P301(CERT)}, SMTP2_PIN_MATCH, 1,
	    "certificate matches pin 3 0 1"},
	{"no pins", CERT_BOTH, 0, {{0}}, SMTP2_PIN_UNUSABLE, 0, "no pins"},
	{"no pins, no certificate", CERT_NONE, 0, {{0}},
	    SMTP2_PIN_UNUSABLE, 0, "no pins"},
};

/* set_cert - TLS facts for one kind of presented certificate */
static void set_cert(struct smtp2_tls_facts *tls, enum cert cert)
{
	smtp2_tls_facts_init(tls);
	if (cert == CERT_NONE)
		return;
	tls->cert_presented = true;
	tls->have_spki_sha256 = (cert == CERT_BOTH || cert == CERT_ONLY_SPKI);
	tls->have_cert_sha256 = (cert == CERT_BOTH || cert == CERT_ONLY_CERT);
	memset(tls->spki_sha256, SPKI, sizeof(tls->spki_sha256));
	memset(tls->cert_sha256, CERT, sizeof(tls->cert_sha256));
}

/* test_tlsa_match - every case of the table */
static void test_tlsa_match(void **state)
{
	static unsigned char data[PINS_MAX][256];
	struct smtp2_tlsa rrs[PINS_MAX];
	struct smtp2_tls_facts tls;
	const struct match_case *c;
	enum smtp2_pin_status st;
	unsigned uneval;
	char	why[160];
	size_t	i, j;

	(void)state;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		c = &match_cases[i];
		set_cert(&tls, c->cert);
		for (j = 0; j < c->n; j++) {
			memset(data[j], c->pins[j].fill, c->pins[j].len);
			rrs[j].usage = c->pins[j].usage;
			rrs[j].selector = c->pins[j].selector;
			rrs[j].mtype = c->pins[j].mtype;
			rrs[j].len = c->pins[j].len;
			rrs[j].data = data[j];
		}
		uneval = 999;
		st = smtp2_tlsa_match(rrs, c->n, &tls, &uneval, why, sizeof(why));
		if (st != c->want || uneval != c->unevaluated
		    || strcmp(why, c->why) != 0)
			fail_msg("%s: got %d/%u \"%s\", want %d/%u \"%s\"",
			    c->name, st, uneval, why, c->want, c->unevaluated,
			    c->why);
		/* Optional outputs may be left out. */
		if (smtp2_tlsa_match(rrs, c->n, &tls, NULL, NULL, 0) != c->want)
			fail_msg("%s: differs without outputs", c->name);
	}
}

/* test_tlsa_null_tls - no TLS facts at all is no certificate */
static void test_tlsa_null_tls(void **state)
{
	static const unsigned char digest[32] = {1};
	struct smtp2_tlsa rr = {3, 1, 1, sizeof(digest), digest};
	char	why[160];

	(void)state;
	assert_int_equal(smtp2_tlsa_match(&rr, 1, NULL, NULL, why, sizeof(why)),
	    SMTP2_PIN_NOMATCH);
	assert_string_equal(why, "no client certificate presented "
	    "(1 pin tried, 0 unevaluated)");
}

struct parse_case {
	const char	*name;
	uint8_t		usage, selector, mtype;
	size_t		datalen;
	int		want;
};

static const struct parse_case parse_cases[] = {
	{"3 1 1 sha-256", 3, 1, 1, 32, 0},
	{"3 0 1 sha-256", 3, 0, 1, 32, 0},
	{"sha-256 short", 3, 1, 1, 31, -1},
	{"sha-256 long", 3, 1, 1, 33, -1},
	{"sha-256 given sha-512 length", 3, 1, 1, 64, -1},
	{"sha-512", 3, 1, 2, 64, 0},
	{"sha-512 short", 3, 1, 2, 63, -1},
	{"sha-512 given sha-256 length", 2, 0, 2, 32, -1},
	{"exact match any length", 3, 1, 0, 91, 0},
	{"one data byte", 3, 1, 0, 1, 0},
	{"unknown matching type", 3, 1, 9, 7, 0},
	{"unknown usage", 200, 1, 1, 32, 0},
	{"no data", 3, 1, 0, 0, -1},
};

/* test_tlsa_parse - wire rdata, lengths checked per matching type */
static void test_tlsa_parse(void **state)
{
	unsigned char rdata[3 + 128];
	const struct parse_case *c;
	struct smtp2_tlsa rr;
	size_t	i;
	int	got;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		c = &parse_cases[i];
		rdata[0] = c->usage;
		rdata[1] = c->selector;
		rdata[2] = c->mtype;
		memset(rdata + 3, 0xcc, c->datalen);
		got = smtp2_tlsa_parse(rdata, 3 + c->datalen, &rr);
		if (got != c->want)
			fail_msg("%s: got %d, want %d", c->name, got, c->want);
		if (got == 0 && (rr.usage != c->usage || rr.selector != c->selector
		    || rr.mtype != c->mtype || rr.len != c->datalen
		    || rr.data != rdata + 3))
			fail_msg("%s: fields wrong", c->name);
	}
	assert_int_equal(smtp2_tlsa_parse(rdata, 0, &rr), -1);
	assert_int_equal(smtp2_tlsa_parse(rdata, 3, &rr), -1);
	assert_int_equal(smtp2_tlsa_parse(NULL, 35, &rr), -1);
	assert_int_equal(smtp2_tlsa_parse(rdata, 35, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlsa_parse),
		cmocka_unit_test(test_tlsa_match),
		cmocka_unit_test(test_tlsa_null_tls),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
