/*
 * test_verify.c - verdicts from canned DNS answers and TLS facts.
 *
 * Each case fills a cache with the TXT and TLSA answers it wants (built
 * here in wire form) and asks smtp2_verify through a resolver pointed at
 * 127.0.0.1:1, where nothing listens: whatever the case leaves uncached
 * times out (200 ms) and must come out as temperror.
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
#include <smtp2/verify.h>

#define WHY_LEN		256
#define MAX_RR		4

/* Fingerprints of the presented certificate, and of somebody else's. */
#define SPKI_BYTE	0x11
#define CERT_BYTE	0x22
#define OTHER_BYTE	0x33

/* How a case's client presented itself. */
enum cert {
	NO_CERT = 0,
	CERT_UNTRUSTED,		/* fingerprints only (self-signed) */
	CERT_TRUSTED		/* fingerprints and a CA-verified CN */
};

/* One canned answer: ANS_UNCACHED leaves the name out of the cache. */
enum ans_kind { ANS_UNCACHED = 0, ANS_OK, ANS_NXDOMAIN, ANS_NODATA };

struct canned {
	enum ans_kind	kind;
	enum smtp2_dnssec dnssec;
	const char	*rr[MAX_RR];	/* TXT: "a|b" = two strings; TLSA: "3 1 1 spki" */
};

struct vcase {
	const char	*name;
	const char	*domain;	/* as the sender gave it */
	enum smtp2_dnssec_mode mode;
	enum cert	cert;
	const char	*cn;		/* for CERT_TRUSTED */
	struct canned	txt, tlsa;
	/* expected */
	enum smtp2_result result;
	enum smtp2_method method;
	enum smtp2_dnssec dnssec;
	const char	*reason;	/* substring */
	bool		has_record;
	enum smtp2_policy policy;
	unsigned	queries;
};

#define REQ	SMTP2_DNSSEC_REQUIRED
#define PREF	SMTP2_DNSSEC_PREFERRED
#define OFF	SMTP2_DNSSEC_OFF
#define SEC	SMTP2_DNSSEC_SECURE
#define INSEC	SMTP2_DNSSEC_INSECURE
#define BOGUS	SMTP2_DNSSEC_BOGUS
#define UNK	SMTP2_DNSSEC_UNKNOWN

#define ENFORCE	{ ANS_OK, SEC, { "v=SMTP2v1; p=enforce" } }
#define NOREC	{ ANS_NXDOMAIN, SEC, { NULL } }
#define NOPINS	{ ANS_NODATA, SEC, { NULL } }
#define PIN311	{ ANS_OK, SEC, { "3 1 1 spki" } }

static const struct vcase cases[] = {
	/* pass */
	{ "dane 3 1 1", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE, PIN311,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "key matches pin 3 1 1",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "dane 3 0 1 among others", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, SEC, { "3 1 1 other", "2 0 1 other", "3 0 1 cert" } },
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "matches pin 3 0 1",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "pkix exact name", "bank.test", REQ, CERT_TRUSTED, "bank.test", ENFORCE, NOPINS,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX, SEC, "trusted certificate",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "pkix host in domain", "Bank.Test.", REQ, CERT_TRUSTED, "MX1.Bank.TEST",
	  { ANS_OK, INSEC, { "v=SMTP2v1; p=tag" } }, NOREC,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX, INSEC, "trusted certificate",
	  true, SMTP2_POLICY_TAG, 2 },
	{ "dane beats pkix", "bank.test", REQ, CERT_TRUSTED, "mx.bank.test", ENFORCE,
	  PIN311, SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "pin 3 1 1",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "pass without record", "bank.test", REQ, CERT_UNTRUSTED, NULL, NOREC, PIN311,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "pin", false, 0, 2 },
	{ "record in two strings", "bank.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_OK, SEC, { "v=SMTP2v1; |p=enforce", "v=spf1 -all" } }, PIN311,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "pin", true,
	  SMTP2_POLICY_ENFORCE, 2 },
	/* A failed pin lookup might hide pins the certificate does not
	 * match: no PKIX pass on top of it. */
	{ "no pkix after TLSA timeout", "bank.test", REQ, CERT_TRUSTED, "mx.bank.test",
	  ENFORCE, { ANS_UNCACHED, UNK, { NULL } },
	  SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE, UNK, "DNS timeout", true,
	  SMTP2_POLICY_ENFORCE, 2 },

	/* fail */
	{ "no certificate", "bank.test", REQ, NO_CERT, NULL, ENFORCE, PIN311,
	  SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC, "no client certificate presented",
	  true, SMTP2_POLICY_ENFORCE, 1 },
	{ "wrong certificate", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, SEC, { "3 1 1 other", "3 0 1 other" } },
	  SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC,
	  "certificate does not match the domain's pins (2 tried, 0 unevaluated)",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "untrusted, no pins", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC,
	  "certificate not trusted and no pin", true, SMTP2_POLICY_ENFORCE, 2 },
	{ "other domain's certificate", "bank.test", REQ, CERT_TRUSTED, "mx.other.test",
	  ENFORCE, NOREC, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC,
	  "certificate name mx.other.test is not in bank.test",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "evilbank is not bank", "bank.test", REQ, CERT_TRUSTED, "evilbank.test",
	  ENFORCE, NOPINS, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC,
	  "certificate name evilbank.test is not in bank.test",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "parent's certificate", "mail.bank.test", REQ, CERT_TRUSTED, "bank.test",
	  ENFORCE, NOPINS, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC,
	  "certificate name bank.test is not in mail.bank.test",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "only unusable pins", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, SEC, { "2 0 1 cert" } }, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE,
	  SEC, "none evaluable", true, SMTP2_POLICY_ENFORCE, 2 },
	{ "insecure pins, required", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, INSEC, { "3 1 1 spki" } }, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE,
	  SEC, "pins ignored: DNSSEC insecure", true, SMTP2_POLICY_ENFORCE, 2 },

	/* dnssec modes */
	{ "insecure pins, preferred", "bank.test", PREF, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, INSEC, { "3 1 1 spki" } }, SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	  INSEC, "pin 3 1 1", true, SMTP2_POLICY_ENFORCE, 2 },
	{ "indeterminate pins, preferred", "bank.test", PREF, CERT_UNTRUSTED, NULL,
	  ENFORCE, { ANS_OK, SMTP2_DNSSEC_INDETERMINATE, { "3 1 1 spki" } },
	  SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, SEC, "pins ignored",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "indeterminate pins, off", "bank.test", OFF, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, SMTP2_DNSSEC_INDETERMINATE, { "3 1 1 spki" } },
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SMTP2_DNSSEC_INDETERMINATE, "pin",
	  true, SMTP2_POLICY_ENFORCE, 2 },

	/* none */
	{ "legacy domain", "legacy.test", REQ, NO_CERT, NULL, NOREC, NOPINS,
	  SMTP2_RESULT_NONE, SMTP2_METHOD_NONE, SEC, "no _smtp2 record", false, 0, 1 },
	{ "legacy, other TXT only", "legacy.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_OK, INSEC, { "v=spf1 -all" } }, NOPINS, SMTP2_RESULT_NONE,
	  SMTP2_METHOD_NONE, INSEC, "no _smtp2 record", false, 0, 2 },
	{ "legacy, wrong pins", "legacy.test", REQ, CERT_UNTRUSTED, NULL, NOREC,
	  { ANS_OK, SEC, { "3 1 1 other" } }, SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	  SEC, "no _smtp2 record", false, 0, 2 },
	{ "null sender", "", REQ, CERT_TRUSTED, "mx.bank.test", ENFORCE, PIN311,
	  SMTP2_RESULT_NONE, SMTP2_METHOD_NONE, UNK, "null sender", false, 0, 0 },

	/* permerror */
	{ "duplicate records", "bank.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_OK, SEC, { "v=SMTP2v1; p=enforce", "v=SMTP2v1; p=none" } }, PIN311,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, SEC,
	  "invalid _smtp2 record: more than one", false, 0, 1 },
	{ "bad record", "bank.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_OK, SEC, { "v=SMTP2v1; p=reject" } }, PIN311,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, SEC,
	  "invalid _smtp2 record: p=", false, 0, 1 },
	{ "single label", "localhost", REQ, NO_CERT, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, UNK, "invalid domain", false, 0, 0 },
	{ "underscore", "bad_name.test", REQ, NO_CERT, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, UNK, "invalid domain", false, 0, 0 },
	{ "empty label", "bank..test", REQ, NO_CERT, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, UNK, "invalid domain", false, 0, 0 },
	{ "hyphen edge", "-bank.test", REQ, NO_CERT, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, UNK, "invalid domain", false, 0, 0 },
	{ "address literal", "[192.0.2.1]", REQ, NO_CERT, NULL, ENFORCE, NOPINS,
	  SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, UNK, "invalid domain", false, 0, 0 },

	/* temperror */
	{ "nothing cached: timeout", "slow.test", REQ, NO_CERT, NULL,
	  { ANS_UNCACHED, UNK, { NULL } }, { ANS_UNCACHED, UNK, { NULL } },
	  SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE, UNK,
	  "DNS timeout after 200 ms querying _smtp2.slow.test TXT", false, 0, 1 },
	{ "TLSA timeout, record found", "bank.test", REQ, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_UNCACHED, UNK, { NULL } }, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
	  UNK, "DNS timeout after 200 ms querying _smtp2._tcp.bank.test TLSA",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "bogus TXT", "bank.test", REQ, NO_CERT, NULL,
	  { ANS_OK, BOGUS, { "v=SMTP2v1; p=none" } }, NOPINS,
	  SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE, BOGUS,
	  "DNSSEC validation failed (bogus) for _smtp2.bank.test", false, 0, 1 },
	{ "bogus negative TXT", "bank.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_NXDOMAIN, BOGUS, { NULL } }, NOPINS,
	  SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE, BOGUS, "bogus", false, 0, 2 },
	{ "bogus TLSA", "bank.test", PREF, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, BOGUS, { "3 1 1 spki" } }, SMTP2_RESULT_TEMPERROR,
	  SMTP2_METHOD_NONE, BOGUS,
	  "DNSSEC validation failed (bogus) for _smtp2._tcp.bank.test",
	  true, SMTP2_POLICY_ENFORCE, 2 },
	{ "bogus TLSA, off", "bank.test", OFF, CERT_UNTRUSTED, NULL, ENFORCE,
	  { ANS_OK, BOGUS, { "3 1 1 spki" } }, SMTP2_RESULT_TEMPERROR,
	  SMTP2_METHOD_NONE, BOGUS, "bogus", true, SMTP2_POLICY_ENFORCE, 2 },
	{ "bogus TXT, pin proves anyway", "bank.test", REQ, CERT_UNTRUSTED, NULL,
	  { ANS_OK, BOGUS, { "v=SMTP2v1; p=none" } }, PIN311,
	  SMTP2_RESULT_PASS, SMTP2_METHOD_DANE, SEC, "pin", false, 0, 2 },
};

/* hexfill - 32 bytes of b */
static void
hexfill(unsigned char *out, unsigned char b)
{
	memset(out, b, SMTP2_SHA256_LEN);
}

/* tls_for - the TLS facts of a case */
static void
tls_for(const struct vcase *c, struct smtp2_tls_facts *t)
{
	memset(t, 0, sizeof(*t));
	if (c->cert == NO_CERT)
		return;
	t->cert_presented = true;
	t->have_spki_sha256 = t->have_cert_sha256 = true;
	hexfill(t->spki_sha256, SPKI_BYTE);
	hexfill(t->cert_sha256, CERT_BYTE);
	snprintf(t->protocol, sizeof(t->protocol), "TLSv1.3");
	if (c->cert == CERT_TRUSTED) {
		t->cert_trusted = true;
		snprintf(t->subject_cn, sizeof(t->subject_cn), "%s", c->cn);
	}
}

/* txt_rdata - "a|b" to wire <len>a<len>b */
static size_t
txt_rdata(const char *spec, unsigned char *out, size_t outlen)
{
	size_t	n = 0;

	while (n < outlen) {
		const char *bar = strchr(spec, '|');
		size_t	len = bar ? (size_t)(bar - spec) : strlen(spec);

		assert_true(len < 256 && n + 1 + len <= outlen);
		out[n++] = (unsigned char)len;
		memcpy(out + n, spec, len);
		n += len;
		if (bar == NULL)
			break;
		spec = bar + 1;
	}
	return (n);
}

/* tlsa_rdata - "3 1 1 spki|cert|other" to wire usage selector mtype digest */
static size_t
tlsa_rdata(const char *spec, unsigned char *out)
{
	unsigned u, s, m;
	char	which[8];

	assert_int_equal(sscanf(spec, "%u %u %u %7s", &u, &s, &m, which), 4);
	out[0] = (unsigned char)u;
	out[1] = (unsigned char)s;
	out[2] = (unsigned char)m;
	hexfill(out + 3, strcmp(which, "spki") == 0 ? SPKI_BYTE :
	    strcmp(which, "cert") == 0 ? CERT_BYTE : OTHER_BYTE);
	return (3 + SMTP2_SHA256_LEN);
}

/* prime - put one canned answer into the cache */
static void
prime(struct smtp2_dns_cache *cache, const char *name, uint16_t type,
    const struct canned *k)
{
	struct smtp2_dns_answer a;
	struct smtp2_dns_rr rrs[MAX_RR];
	unsigned char buf[MAX_RR][512];
	size_t	i;

	if (k->kind == ANS_UNCACHED)
		return;
	memset(&a, 0, sizeof(a));
	a.status = k->kind == ANS_OK ? SMTP2_DNS_OK : k->kind == ANS_NXDOMAIN ?
	    SMTP2_DNS_NXDOMAIN : SMTP2_DNS_NODATA;
	a.dnssec = k->dnssec;
	a.ttl = 300;
	a.rr = rrs;
	for (i = 0; i < MAX_RR && k->rr[i] != NULL; i++) {
		rrs[i].rdata = buf[i];
		rrs[i].len = type == SMTP2_DNS_T_TXT ?
		    txt_rdata(k->rr[i], buf[i], sizeof(buf[i])) :
		    tlsa_rdata(k->rr[i], buf[i]);
		a.n++;
	}
	assert_int_equal(smtp2_dns_cache_put(cache, name, type, &a), 0);
}

/* run_case - prime the cache, verify, compare */
static void
run_case(struct smtp2_dns *dns, struct smtp2_dns_cache *cache,
    const struct vcase *c)
{
	struct smtp2_tls_facts tls;
	struct smtp2_verdict v;
	char	name[300], lower[SMTP2_DOMAIN_MAX + 1];

	smtp2_dns_cache_flush(cache);
	if (smtp2_domain_normalise(c->domain, lower, sizeof(lower)) == 0) {
		snprintf(name, sizeof(name), "_smtp2.%s", lower);
		prime(cache, name, SMTP2_DNS_T_TXT, &c->txt);
		snprintf(name, sizeof(name), "_smtp2._tcp.%s", lower);
		prime(cache, name, SMTP2_DNS_T_TLSA, &c->tlsa);
	}
	tls_for(c, &tls);
	memset(&v, 0xA5, sizeof(v));	/* verify must fill every field */
	smtp2_verify(dns, c->mode, c->domain, &tls, &v);

	print_message("%-30s %s/%s dnssec=%s q=%u \"%s\"\n", c->name,
	    smtp2_result_name(v.result), smtp2_method_name(v.method),
	    smtp2_dnssec_name(v.dnssec), v.queries, v.reason);
	assert_int_equal(v.result, c->result);
	assert_int_equal(v.method, c->method);
	assert_int_equal(v.dnssec, c->dnssec);
	assert_non_null(strstr(v.reason, c->reason));
	assert_null(strpbrk(v.reason, "\r\n"));
	assert_int_equal(v.has_record, c->has_record);
	if (c->has_record)
		assert_int_equal(v.policy, c->policy);
	assert_int_equal(v.queries, c->queries);
}

/* test_cases - every table row */
static void
test_cases(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	struct smtp2_dns_opts o;
	struct smtp2_dns *dns;
	char	why[WHY_LEN];
	size_t	i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.trust_anchors = "/usr/share/dns/root.ds";
	o.dnssec = SMTP2_DNSSEC_REQUIRED;
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(64, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(dns, o.cache, &cases[i]);
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

/* A subdomain's verdict when only its organisation publishes. */
struct subcase {
	const char	*name;
	const char	*domain;
	const char	*cn;		/* trusted certificate name */
	enum smtp2_result result;
	enum smtp2_policy policy;	/* sp= of bank.test applies below it */
	const char	*reason;
	unsigned	queries;
};

static const struct subcase subcases[] = {
	{ "org host proves subdomain", "mail.bank.test", "mx.bank.test",
	  SMTP2_RESULT_PASS, SMTP2_POLICY_TAG, "names mx.bank.test", 3 },
	{ "delegated provider", "mail.bank.test", "out7.mail.provider.test",
	  SMTP2_RESULT_PASS, SMTP2_POLICY_TAG, "delegated by hosts=*.mail.provider.test", 3 },
	{ "delegated, own domain", "bank.test", "out7.mail.provider.test",
	  SMTP2_RESULT_PASS, SMTP2_POLICY_ENFORCE, "delegated", 2 },
	{ "provider pattern is one label deep", "bank.test", "a.b.mail.provider.test",
	  SMTP2_RESULT_FAIL, SMTP2_POLICY_ENFORCE, "nor delegated by hosts=", 2 },
	{ "stranger", "a.mail.bank.test", "mx.other.test",
	  SMTP2_RESULT_FAIL, SMTP2_POLICY_TAG, "is not in bank.test", 4 },
	{ "walk is bounded", "a.b.c.d.bank.test", "mx.bank.test",
	  SMTP2_RESULT_NONE, SMTP2_POLICY_NONE, "no _smtp2 record", 5 },
};

/* test_subdomains - parent records, sp= and hosts= delegation */
static void
test_subdomains(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	static const struct canned rec = { ANS_OK, SEC, {
	    "v=SMTP2v1; p=enforce; sp=tag; hosts=*.mail.provider.test" } };
	static const struct canned nx = NOREC, nodata = NOPINS;
	static const char *const empty[] = { "a.b.c.d.bank.test",
	    "b.c.d.bank.test", "c.d.bank.test", "d.bank.test",
	    "a.mail.bank.test", "mail.bank.test" };
	struct smtp2_dns_opts o;
	struct smtp2_tls_facts tls;
	struct smtp2_verdict v;
	struct smtp2_dns *dns;
	char	why[WHY_LEN], name[300];
	size_t	i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.trust_anchors = "/usr/share/dns/root.ds";
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(64, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	prime(o.cache, "_smtp2.bank.test", SMTP2_DNS_T_TXT, &rec);
	prime(o.cache, "_smtp2._tcp.bank.test", SMTP2_DNS_T_TLSA, &nodata);
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		snprintf(name, sizeof(name), "_smtp2.%s", empty[i]);
		prime(o.cache, name, SMTP2_DNS_T_TXT, &nx);
		snprintf(name, sizeof(name), "_smtp2._tcp.%s", empty[i]);
		prime(o.cache, name, SMTP2_DNS_T_TLSA, &nodata);
	}
	for (i = 0; i < sizeof(subcases) / sizeof(subcases[0]); i++) {
		const struct subcase *c = &subcases[i];

		memset(&tls, 0, sizeof(tls));
		tls.cert_presented = tls.cert_trusted = true;
		snprintf(tls.subject_cn, sizeof(tls.subject_cn), "%s", c->cn);
		smtp2_verify(dns, REQ, c->domain, &tls, &v);
		print_message("%-36s %s q=%u record at %s \"%s\"\n", c->name,
		    smtp2_result_name(v.result), v.queries, v.record_domain,
		    v.reason);
		assert_int_equal(v.result, c->result);
		assert_non_null(strstr(v.reason, c->reason));
		assert_int_equal(v.queries, c->queries);
		assert_true(v.queries <= SMTP2_VERIFY_MAX_QUERIES);
		if (c->result != SMTP2_RESULT_NONE) {
			assert_int_equal(v.policy, c->policy);
			assert_string_equal(v.record_domain, "bank.test");
		}
	}
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

/* test_domain_cas - PKIX limited to the CAs a domain is pinned to */
static void
test_domain_cas(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	static const char *const issuers[] = { "Bank Issuing CA" };
	static const struct canned rec = ENFORCE, nx = NOREC, nodata = NOPINS;
	const struct smtp2_domain_cas dc = { "bank.test", issuers, 1, NULL };
	const struct smtp2_verify_opts vo = { REQ, NULL, &dc, 1, NULL };
	struct smtp2_dns_opts o;
	struct smtp2_tls_facts tls;
	struct smtp2_verdict v;
	struct smtp2_dns *dns;
	char	why[WHY_LEN];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.trust_anchors = "/usr/share/dns/root.ds";
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(64, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	prime(o.cache, "_smtp2.bank.test", SMTP2_DNS_T_TXT, &rec);
	prime(o.cache, "_smtp2._tcp.bank.test", SMTP2_DNS_T_TLSA, &nodata);
	prime(o.cache, "_smtp2.mail.bank.test", SMTP2_DNS_T_TXT, &nx);
	prime(o.cache, "_smtp2.other.test", SMTP2_DNS_T_TXT, &rec);
	prime(o.cache, "_smtp2._tcp.other.test", SMTP2_DNS_T_TLSA, &nodata);

	memset(&tls, 0, sizeof(tls));
	tls.cert_presented = tls.cert_trusted = true;
	snprintf(tls.subject_cn, sizeof(tls.subject_cn), "mx.bank.test");
	snprintf(tls.issuer_cn, sizeof(tls.issuer_cn), "bank issuing ca");
	smtp2_verify_with(dns, &vo, "bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);
	smtp2_verify_with(dns, &vo, "mail.bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);

	/* Any other CA, however trusted by the MTA, does not prove bank.test. */
	snprintf(tls.issuer_cn, sizeof(tls.issuer_cn), "Cheap Public CA");
	smtp2_verify_with(dns, &vo, "bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_FAIL);
	assert_non_null(strstr(v.reason, "not among the CAs bank.test is pinned to"));
	smtp2_verify_with(dns, &vo, "mail.bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_FAIL);

	/* Domains without pinned CAs are untouched. */
	snprintf(tls.subject_cn, sizeof(tls.subject_cn), "mx.other.test");
	smtp2_verify_with(dns, &vo, "other.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);

	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

/* test_no_resolver - a NULL resolver is a temperror, not a crash */
static void
test_no_resolver(void **state)
{
	struct smtp2_verdict v;

	(void)state;
	smtp2_verify(NULL, REQ, "bank.test", NULL, &v);
	assert_int_equal(v.result, SMTP2_RESULT_TEMPERROR);
	assert_string_equal(v.domain, "bank.test");
	smtp2_verify(NULL, REQ, NULL, NULL, &v);
	assert_int_equal(v.result, SMTP2_RESULT_NONE);
	assert_string_equal(v.reason, "null sender");
}

/* find_case - the table row of that name */
static const struct vcase *
find_case(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			return (&cases[i]);
	fail_msg("no case \"%s\"", name);
	return (NULL);
}

/* test_control_chars_in_cn - reasons stay on one line */
static void
test_control_chars_in_cn(void **state)
{
	struct vcase c = *find_case("other domain's certificate");

	(void)state;
	c.cn = "mx.evil\r\n250 OK.test";
	c.reason = "certificate name mx.evil??250 ok.test is not in bank.test";
	{
		static const char *const dead[1] = { "127.0.0.1:1" };
		struct smtp2_dns_opts o;
		struct smtp2_dns *dns;
		char	why[WHY_LEN];

		memset(&o, 0, sizeof(o));
		o.resolvers = dead;
		o.n_resolvers = 1;
		o.dnssec = SMTP2_DNSSEC_OFF;
		o.timeout_ms = 200;
		assert_non_null(o.cache = smtp2_dns_cache_new(8, 3600));
		assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
		run_case(dns, o.cache, &c);
		smtp2_dns_free(dns);
		smtp2_dns_cache_free(o.cache);
	}
}

/* test_normalise - the domain syntax check on its own */
static void
test_normalise(void **state)
{
	static const struct { const char *in, *out; } cases_n[] = {
		{ "bank.test", "bank.test" },
		{ "Bank.TEST.", "bank.test" },
		{ "xn--bcher-kva.test", "xn--bcher-kva.test" },
		{ "a-b.c1.test", "a-b.c1.test" },
		{ "1.2.3.4", "1.2.3.4" },
		{ "bank.test..", NULL },
		{ "", NULL }, { ".", NULL }, { "test", NULL }, { "test.", NULL },
		{ ".bank.test", NULL }, { "bank-.test", NULL }, { "ba nk.test", NULL },
		{ "bank.test/x", NULL }, { "b\xc3\xa4nk.test", NULL },
		{ "user@bank.test", NULL },
	};
	char	out[SMTP2_DOMAIN_MAX + 1], longname[400];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases_n) / sizeof(cases_n[0]); i++) {
		int	r = smtp2_domain_normalise(cases_n[i].in, out, sizeof(out));

		print_message("\"%s\" -> %d\n", cases_n[i].in, r);
		if (cases_n[i].out == NULL) {
			assert_int_equal(r, -1);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(out, cases_n[i].out);
	}
	/* Labels of 63 are fine, 64 are not; names of 253 fine, 254 not. */
	memset(longname, 'a', 63);
	memcpy(longname + 63, ".test", 6);
	assert_int_equal(smtp2_domain_normalise(longname, out, sizeof(out)), 0);
	memset(longname, 'a', 64);
	memcpy(longname + 64, ".test", 6);
	assert_int_equal(smtp2_domain_normalise(longname, out, sizeof(out)), -1);
	for (i = 0; i < 248; i += 2)
		memcpy(longname + i, "a.", 2);
	memcpy(longname + 248, "test", 5);	/* 252 */
	assert_int_equal(smtp2_domain_normalise(longname, out, sizeof(out)), 0);
	memcpy(longname + 248, "testa.", 7);	/* 253 + final dot */
	assert_int_equal(smtp2_domain_normalise(longname, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 253);
	memcpy(longname + 248, "testab", 7);	/* 254 */
	assert_int_equal(smtp2_domain_normalise(longname, out, sizeof(out)), -1);
	/* Output too small: refused, not truncated. */
	assert_int_equal(smtp2_domain_normalise("bank.test", out, 9), -1);
	assert_int_equal(smtp2_domain_normalise("bank.test", out, 10), 0);
	assert_int_equal(smtp2_domain_normalise(NULL, out, sizeof(out)), -1);
}

/* test_from_address - the domain part of envelope addresses */
static void
test_from_address(void **state)
{
	static const struct { const char *in, *out; } cases_a[] = {
		{ "<alice@Bank.test>", "Bank.test" },
		{ "alice@bank.test", "bank.test" },
		{ "<>", "" },
		{ "", "" },
		{ "\"a@b\"@bank.test", "bank.test" },
		{ "<@relay.test:alice@bank.test>", "bank.test" },
		{ "postmaster", NULL },
		{ "alice@", NULL },
		{ "<alice@bank.test", NULL },
		{ "<", NULL },
		{ "@", NULL },
	};
	char	out[SMTP2_DOMAIN_MAX + 1];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases_a) / sizeof(cases_a[0]); i++) {
		int	r = smtp2_domain_from_address(cases_a[i].in, out, sizeof(out));

		print_message("\"%s\" -> %d \"%s\"\n", cases_a[i].in, r,
		    r == 0 ? out : "");
		if (cases_a[i].out == NULL) {
			assert_int_equal(r, -1);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(out, cases_a[i].out);
	}
	assert_int_equal(smtp2_domain_from_address("a@bank.test", out, 9), -1);
	assert_int_equal(smtp2_domain_from_address("a@bank.test", out, 10), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_subdomains),
		cmocka_unit_test(test_domain_cas),
		cmocka_unit_test(test_no_resolver),
		cmocka_unit_test(test_control_chars_in_cn),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_from_address),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
