/*
 * test_tlspolicy.c - outbound TLS policies from canned DNS answers.
 *
 * Each case puts the MX, A, TLSA and TXT answers it wants into a cache
 * and asks smtp2_tlspolicy_lookup through a resolver pointed at
 * 127.0.0.1:1, where nothing listens: whatever a case leaves uncached
 * times out (200 ms) and must come out as TEMP.
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

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/mtasts.h>
#include <smtp2/tlspolicy.h>

#define MAX_RR		4
#define MAX_ANS		10

enum kind { OK = 1, NX, NODATA };
#define SEC	SMTP2_DNSSEC_SECURE
#define INS	SMTP2_DNSSEC_INSECURE
#define BOG	SMTP2_DNSSEC_BOGUS

/* One canned answer; rr text by type: MX "10 mx.a.test", A "127.0.0.1"
 * (any), TLSA "3 1 1", TXT "string". */
struct canned {
	const char	*name;
	uint16_t	type;
	enum kind	kind;
	enum smtp2_dnssec dnssec;
	const char	*rr[MAX_RR];
};

struct tcase {
	const char	*name;
	const char	*domain;
	unsigned	port;
	struct canned	ans[MAX_ANS];
	enum smtp2_tlspolicy_result result;
	enum smtp2_tlspolicy_source source;
	const char	*policy;	/* exact */
	const char	*reason;	/* substring */
};

#define MX	SMTP2_DNS_T_MX
#define A	SMTP2_DNS_T_A
#define TLSA	SMTP2_DNS_T_TLSA
#define TXT	SMTP2_DNS_T_TXT

#define ENFORCE	"v=SMTP2v1; p=enforce"

static const struct tcase cases[] = {
	{ "every MX host has secure TLSA", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx.a.test", TLSA, OK, SEC, { "3 1 1" } } },
	    SMTP2_TLSPOLICY_DANE_ONLY, SMTP2_TLSPOLICY_SRC_DANE, "dane-only",
	    "every MX host" },
	{ "DANE wins over an _smtp2 record", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx.a.test", TLSA, OK, SEC, { "2 0 1" } },
	    { "_smtp2.a.test", TXT, OK, SEC, { ENFORCE } } },
	    SMTP2_TLSPOLICY_DANE_ONLY, SMTP2_TLSPOLICY_SRC_DANE, "dane-only", "" },
	{ "one of two hosts has TLSA", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx1.a.test", "20 mx2.a.test" } },
	    { "mx1.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx1.a.test", TLSA, OK, SEC, { "3 1 1" } },
	    { "mx2.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx2.a.test", TLSA, NX, SEC, { NULL } } },
	    SMTP2_TLSPOLICY_DANE, SMTP2_TLSPOLICY_SRC_DANE, "dane", "1 of 2" },
	{ "no MX: the domain's own TLSA", "a.test", 0, {
	    { "a.test", MX, NODATA, SEC, { NULL } },
	    { "a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.a.test", TLSA, OK, SEC, { "3 0 1" } } },
	    SMTP2_TLSPOLICY_DANE_ONLY, SMTP2_TLSPOLICY_SRC_DANE, "dane-only", "" },
	{ "TLSA at smtp_tcp_port", "a.test", 2525, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } },
	    { "_2525._tcp.mx.a.test", TLSA, OK, SEC, { "3 1 1" } } },
	    SMTP2_TLSPOLICY_DANE_ONLY, SMTP2_TLSPOLICY_SRC_DANE, "dane-only",
	    "port 2525" },
	{ "insecure MX: no DANE; _smtp2 enforce", "a.test", 0, {
	    { "a.test", MX, OK, INS, { "10 mx.a.test" } },
	    { "_smtp2.a.test", TXT, OK, INS, { ENFORCE } } },
	    SMTP2_TLSPOLICY_SECURE, SMTP2_TLSPOLICY_SRC_SMTP2,
	    "secure match=a.test:.a.test", "p=enforce at a.test" },
	{ "insecure TLSA does not count", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx.a.test", TLSA, OK, INS, { "3 1 1" } },
	    { "_smtp2.a.test", TXT, NX, SEC, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "",
	    "no MX host" },
	{ "insecure address: Postfix skips TLSA", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.b.test" } },
	    { "mx.b.test", A, OK, INS, { "x" } },
	    { "_smtp2.a.test", TXT, NX, SEC, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "", "" },
	{ "PKIX-EE TLSA is not usable for SMTP", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } },
	    { "_25._tcp.mx.a.test", TLSA, OK, SEC, { "1 1 1" } },
	    { "_smtp2.a.test", TXT, NX, SEC, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "", "" },
	{ "hosts= joins the match list", "a.test", 0, {
	    { "a.test", MX, NODATA, INS, { NULL } },
	    { "_smtp2.a.test", TXT, OK, SEC, { ENFORCE
		"; hosts=*.mail.prov.example:mx.backup.example" } } },
	    SMTP2_TLSPOLICY_SECURE, SMTP2_TLSPOLICY_SRC_SMTP2,
	    "secure match=a.test:.a.test:.mail.prov.example:mx.backup.example",
	    "" },
	{ "p=tag promises nothing", "a.test", 0, {
	    { "a.test", MX, OK, INS, { "10 mx.a.test" } },
	    { "_smtp2.a.test", TXT, OK, SEC, { "v=SMTP2v1; p=tag" } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "",
	    "not enforce" },
	{ "a parent's record covers a subdomain", "sub.a.test", 0, {
	    { "sub.a.test", MX, OK, INS, { "10 mx.a.test" } },
	    { "_smtp2.sub.a.test", TXT, NX, INS, { NULL } },
	    { "_smtp2.a.test", TXT, OK, INS, { ENFORCE } } },
	    SMTP2_TLSPOLICY_SECURE, SMTP2_TLSPOLICY_SRC_SMTP2,
	    "secure match=a.test:.a.test", "(parent)" },
	{ "two records: broken, no promise", "a.test", 0, {
	    { "a.test", MX, OK, INS, { "10 mx.a.test" } },
	    { "_smtp2.a.test", TXT, OK, SEC, { ENFORCE, "v=SMTP2v1; p=none" } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "", "" },
	{ "null MX", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "0 ." } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "", "null MX" },
	{ "no such domain", "a.test", 0, {
	    { "a.test", MX, NX, SEC, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "",
	    "does not exist" },
	{ "MX lookup fails: TEMP", "a.test", 0, { { NULL, 0, 0, 0, { NULL } } },
	    SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_DANE, "", "a.test MX" },
	{ "bogus MX: TEMP", "a.test", 0, {
	    { "a.test", MX, OK, BOG, { "10 mx.a.test" } } },
	    SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_DANE, "", "" },
	{ "TLSA lookup fails: TEMP", "a.test", 0, {
	    { "a.test", MX, OK, SEC, { "10 mx.a.test" } },
	    { "mx.a.test", A, OK, SEC, { "x" } } },
	    SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_DANE, "",
	    "_25._tcp.mx.a.test TLSA" },
	{ "_smtp2 lookup fails: TEMP", "a.test", 0, {
	    { "a.test", MX, OK, INS, { "10 mx.a.test" } } },
	    SMTP2_TLSPOLICY_TEMP, SMTP2_TLSPOLICY_SRC_SMTP2, "", "" },
	{ "a bracketed next hop is no domain", "[mx.a.test]", 0,
	    { { NULL, 0, 0, 0, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "",
	    "not a domain" },
	{ "a single label is no domain", "localhost", 0,
	    { { NULL, 0, 0, 0, { NULL } } },
	    SMTP2_TLSPOLICY_NOTFOUND, SMTP2_TLSPOLICY_SRC_NONE, "",
	    "not a domain" },
};

/* name_rdata - "mx.a.test" as an uncompressed wire name; "." is root */
static size_t
name_rdata(const char *name, unsigned char *out)
{
	size_t	n = 0, len;
	const char *dot;

	while (*name != '\0' && strcmp(name, ".") != 0) {
		dot = strchr(name, '.');
		len = dot ? (size_t)(dot - name) : strlen(name);
		out[n++] = (unsigned char)len;
		memcpy(out + n, name, len);
		n += len;
		name += len + (dot != NULL);
	}
	out[n++] = 0;
	return n;
}

/* rdata - one canned rr in wire form */
static size_t
rdata(uint16_t type, const char *spec, unsigned char *out)
{
	unsigned u, s, m, pref;
	char	host[256];

	switch (type) {
	case SMTP2_DNS_T_MX:
		assert_int_equal(sscanf(spec, "%u %255s", &pref, host), 2);
		out[0] = (unsigned char)(pref >> 8);
		out[1] = (unsigned char)pref;
		return 2 + name_rdata(host, out + 2);
	case SMTP2_DNS_T_A:
		memcpy(out, "\x7f\x00\x00\x01", 4);
		return 4;
	case SMTP2_DNS_T_TLSA:
		assert_int_equal(sscanf(spec, "%u %u %u", &u, &s, &m), 3);
		out[0] = (unsigned char)u;
		out[1] = (unsigned char)s;
		out[2] = (unsigned char)m;
		memset(out + 3, 0xab, 32);
		return 3 + 32;
	default:
		out[0] = (unsigned char)strlen(spec);
		memcpy(out + 1, spec, strlen(spec));
		return 1 + strlen(spec);
	}
}

/* prime - put one canned answer into the cache */
static void
prime(struct smtp2_dns_cache *cache, const struct canned *k)
{
	struct smtp2_dns_answer a;
	struct smtp2_dns_rr rrs[MAX_RR];
	unsigned char buf[MAX_RR][300];
	size_t	i;

	memset(&a, 0, sizeof(a));
	a.status = k->kind == OK ? SMTP2_DNS_OK : k->kind == NX ?
	    SMTP2_DNS_NXDOMAIN : SMTP2_DNS_NODATA;
	a.dnssec = k->dnssec;
	a.ttl = 300;
	a.rr = rrs;
	for (i = 0; i < MAX_RR && k->rr[i] != NULL; i++) {
		rrs[i].rdata = buf[i];
		rrs[i].len = rdata(k->type, k->rr[i], buf[i]);
		a.n++;
	}
	assert_int_equal(smtp2_dns_cache_put(cache, k->name, k->type, &a), 0);
}

/* run_case - prime, look up, compare */
static void
run_case(struct smtp2_dns *dns, struct smtp2_dns_cache *cache,
    const struct tcase *c)
{
	struct smtp2_tlspolicy_opts o = { .port = c->port };
	struct smtp2_tlspolicy tp;
	size_t	i;

	smtp2_dns_cache_flush(cache);
	for (i = 0; i < MAX_ANS && c->ans[i].name != NULL; i++)
		prime(cache, &c->ans[i]);
	memset(&tp, 0xA5, sizeof(tp));
	smtp2_tlspolicy_lookup(dns, &o, c->domain, &tp);
	print_message("%-40s %s/%s \"%s\" q=%u \"%s\"\n", c->name,
	    smtp2_tlspolicy_result_name(tp.result),
	    smtp2_tlspolicy_source_name(tp.source), tp.policy, tp.queries,
	    tp.reason);
	assert_int_equal(tp.result, c->result);
	assert_int_equal(tp.source, c->source);
	assert_string_equal(tp.policy, c->policy);
	assert_non_null(strstr(tp.reason, c->reason));
	assert_null(strpbrk(tp.reason, "\r\n"));
	assert_true(tp.queries <= SMTP2_TLSPOLICY_MAX_QUERIES);
}

/* resolver - a dead upstream and a cache for canned answers */
static struct smtp2_dns *
resolver(struct smtp2_dns_opts *o)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	char	why[256];
	struct smtp2_dns *dns;

	memset(o, 0, sizeof(*o));
	o->resolvers = dead;
	o->n_resolvers = 1;
	o->trust_anchors = "/usr/share/dns/root.ds";
	o->dnssec = SMTP2_DNSSEC_REQUIRED;
	o->timeout_ms = 200;
	assert_non_null(o->cache = smtp2_dns_cache_new(64, 3600));
	assert_non_null(dns = smtp2_dns_new(o, why, sizeof(why)));
	return dns;
}

/* test_cases - every table row */
static void
test_cases(void **state)
{
	struct smtp2_dns_opts o;
	struct smtp2_dns *dns = resolver(&o);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(dns, o.cache, &cases[i]);
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

/* test_no_resolver - no resolver is TEMP, never a guess */
static void
test_no_resolver(void **state)
{
	struct smtp2_tlspolicy tp;

	(void)state;
	smtp2_tlspolicy_lookup(NULL, NULL, "a.test", &tp);
	assert_int_equal(tp.result, SMTP2_TLSPOLICY_TEMP);
}

/* test_mtasts - MTA-STS only ever fills a NOTFOUND */
static void
test_mtasts(void **state)
{
	struct smtp2_mtasts_policy sts;
	struct smtp2_tlspolicy tp;
	static const char pol[] = "version: STSv1\nmode: enforce\n"
	    "mx: mx1.b.test\nmx: *.b.example\nmax_age: 86400\n";

	(void)state;
	assert_int_equal(smtp2_mtasts_parse(pol, sizeof(pol) - 1, &sts, NULL,
	    0), 0);
	memset(&tp, 0, sizeof(tp));
	smtp2_tlspolicy_from_mtasts(&sts, &tp);
	assert_int_equal(tp.result, SMTP2_TLSPOLICY_SECURE);
	assert_int_equal(tp.source, SMTP2_TLSPOLICY_SRC_MTASTS);
	assert_string_equal(tp.policy,
	    "secure match=mx1.b.test:.b.example servername=hostname");

	memset(&tp, 0, sizeof(tp));
	tp.result = SMTP2_TLSPOLICY_DANE_ONLY;
	snprintf(tp.policy, sizeof(tp.policy), "dane-only");
	smtp2_tlspolicy_from_mtasts(&sts, &tp);
	assert_string_equal(tp.policy, "dane-only");

	sts.mode = SMTP2_MTASTS_TESTING;
	memset(&tp, 0, sizeof(tp));
	smtp2_tlspolicy_from_mtasts(&sts, &tp);
	assert_int_equal(tp.result, SMTP2_TLSPOLICY_NOTFOUND);
	assert_non_null(strstr(tp.reason, "testing"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_no_resolver),
		cmocka_unit_test(test_mtasts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
