/*
 * test_dns_replay.c - the resolver against canned answers: what each DNS
 * outcome becomes, the TCP retry after truncation, answers that must not
 * be believed, the cache seen from the wire, and the query budget.
 *
 * The upstream is dns_replay on 127.0.0.1 (see dns_replay.h), so DNSSEC is
 * off throughout: a replay cannot produce valid signatures.  The validating
 * paths are exercised against real signed zones by t_dns.sh.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include "dns_replay.h"

#define FIXTURES	SMTP2_TEST_DATA "/dns/"
#define WHY_LEN		256
#define TIMEOUT_MS	300
#define SLACK_MS	700	/* scheduling and getdns bookkeeping */
#define WIRE_MAX	512
#define T_CNAME		5

/* SOA rdata (ns.test. h.test. 1 3600 600 86400 MIN), names uncompressed. */
#define SOA_RDATA(min) { 2, 'n', 's', 4, 't', 'e', 's', 't', 0, \
	1, 'h', 4, 't', 'e', 's', 't', 0, 0, 0, 0, 1, 0, 0, 0x0e, 0x10, \
	0, 0, 0x02, 0x58, 0, 1, 0x51, 0x80, 0, 0, 0, (min) }

static const unsigned char soa_min45[] = SOA_RDATA(45);
static const unsigned char soa_min250[] = SOA_RDATA(250);
static const unsigned char txt_one[] = "\x14" "v=SMTP2v1; p=enforce";
static const unsigned char txt_two[] = "\x09" "v=SMTP2v1" "\x0b" "; p=monitor";
static const unsigned char tlsa_311[] = { 3, 1, 1,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
	0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
/* What the recorded TXT fixture holds: three strings, the last empty. */
static const unsigned char txt_rec[] = "\x0a" "v=SMTP2v1;" "\x0a" " p=enforce" "\x00";

static const struct dns_replay_rr an_txt[] = {
	{ "_smtp2.two.test", SMTP2_DNS_T_TXT, 600, txt_one, sizeof(txt_one) - 1 },
	{ "_smtp2.two.test", SMTP2_DNS_T_TXT, 120, txt_two, sizeof(txt_two) - 1 },
};
static const struct dns_replay_rr an_tlsa[] = {
	{ "_smtp2._tcp.built.test", SMTP2_DNS_T_TLSA, 90, tlsa_311, sizeof(tlsa_311) },
};
static const struct dns_replay_rr an_cap[] = {
	{ "_smtp2._tcp.cap.test", SMTP2_DNS_T_TLSA, 90, tlsa_311, sizeof(tlsa_311) },
};
static const unsigned char cname_two[] = "\x06" "_smtp2" "\x03" "two" "\x04" "test";
/* A chain to _smtp2.two.test, and a stranger's record to be ignored. */
static const struct dns_replay_rr an_cname[] = {
	{ "_smtp2.alias.test", T_CNAME, 300, cname_two, sizeof(cname_two) },
	{ "_smtp2.two.test", SMTP2_DNS_T_TXT, 200, txt_one, sizeof(txt_one) - 1 },
	{ "_smtp2.bank.test", SMTP2_DNS_T_TXT, 200, txt_two, sizeof(txt_two) - 1 },
};
static const struct dns_replay_rr an_big[] = {
	{ "_smtp2.big.test", SMTP2_DNS_T_TXT, 60, txt_one, sizeof(txt_one) - 1 },
};
/* RFC 2308: the negative TTL is min(SOA TTL, SOA minimum). */
static const struct dns_replay_rr ns_soa_min45[] = {
	{ "test", DNS_REPLAY_T_SOA, 900, soa_min45, sizeof(soa_min45) },
};
static const struct dns_replay_rr ns_soa_ttl20[] = {
	{ "test", DNS_REPLAY_T_SOA, 20, soa_min250, sizeof(soa_min250) },
};

static unsigned char wire_txt[WIRE_MAX], wire_tlsa[WIRE_MAX];

enum {
	C_TXT_REC, C_TXT_TWO, C_TLSA_REC, C_TLSA_BUILT, C_NX, C_NX_TTL,
	C_NODATA, C_SERVFAIL, C_REFUSED, C_SILENT, C_TC, C_WRONG_ID,
	C_OTHER_Q, C_OTHER_OWNER, C_CNAME, C_CAP, C_NEG, C_N
};

/* The upstream's script; wire lengths are filled in when loaded. */
static struct dns_replay_case cases[C_N] = {
	[C_TXT_REC] = { .name = "_smtp2.bank.test", .type = SMTP2_DNS_T_TXT,
	    .wire = wire_txt },
	[C_TXT_TWO] = { .name = "_smtp2.two.test", .type = SMTP2_DNS_T_TXT,
	    .an = an_txt, .n_an = 2 },
	[C_TLSA_REC] = { .name = "_smtp2._tcp.bank.test",
	    .type = SMTP2_DNS_T_TLSA, .wire = wire_tlsa },
	[C_TLSA_BUILT] = { .name = "_smtp2._tcp.built.test",
	    .type = SMTP2_DNS_T_TLSA, .an = an_tlsa, .n_an = 1 },
	[C_NX] = { .name = "_smtp2.gone.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_NXDOMAIN, .ns = ns_soa_min45, .n_ns = 1 },
	[C_NX_TTL] = { .name = "_smtp2.gone2.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_NXDOMAIN, .ns = ns_soa_ttl20, .n_ns = 1 },
	[C_NODATA] = { .name = "_smtp2._tcp.two.test", .type = SMTP2_DNS_T_TLSA,
	    .ns = ns_soa_min45, .n_ns = 1 },
	[C_SERVFAIL] = { .name = "_smtp2.servfail.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_SERVFAIL },
	[C_REFUSED] = { .name = "_smtp2.refused.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_REFUSED },
	[C_SILENT] = { .name = "_smtp2.silent.test", .type = SMTP2_DNS_T_TXT,
	    .silent = true },
	[C_TC] = { .name = "_smtp2.big.test", .type = SMTP2_DNS_T_TXT,
	    .an = an_big, .n_an = 1, .tc_udp = true },
	[C_WRONG_ID] = { .name = "_smtp2.wrongid.test", .type = SMTP2_DNS_T_TXT,
	    .an = an_big, .n_an = 1, .wrong_id = true },
	/* The bank.test TLSA answer, question and all, for another name. */
	[C_OTHER_Q] = { .name = "_smtp2._tcp.evil.test",
	    .type = SMTP2_DNS_T_TLSA, .wire = wire_tlsa },
	/* The right question, answered with records of another name. */
	[C_OTHER_OWNER] = { .name = "_smtp2._tcp.owner.test",
	    .type = SMTP2_DNS_T_TLSA, .an = an_tlsa, .n_an = 1 },
	[C_CNAME] = { .name = "_smtp2.alias.test", .type = SMTP2_DNS_T_TXT,
	    .an = an_cname, .n_an = 3 },
	[C_CAP] = { .name = "_smtp2._tcp.cap.test", .type = SMTP2_DNS_T_TLSA,
	    .an = an_cap, .n_an = 1 },
	[C_NEG] = { .name = "_smtp2.neg.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_NXDOMAIN, .ns = ns_soa_min45, .n_ns = 1 },
};

/* One expected outcome of a query without cache. */
struct want {
	int		c;		/* case index */
	enum smtp2_dns_status status;
	size_t		n;		/* records */
	uint32_t	ttl;		/* exact; 0: not checked */
	const char	*why;		/* substring of why; NULL: not checked */
};

/* elapsed_ms - milliseconds since start */
static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* resolver - non-validating resolver at the replay, with cache c */
static struct smtp2_dns *
resolver(struct dns_replay *r, struct smtp2_dns_cache *c)
{
	const char *one[1] = { dns_replay_addr(r) };
	struct smtp2_dns_opts o;
	struct smtp2_dns *dns;
	char	why[WHY_LEN] = "";

	memset(&o, 0, sizeof(o));
	o.resolvers = one;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = TIMEOUT_MS;
	o.cache = c;
	if ((dns = smtp2_dns_new(&o, why, sizeof(why))) == NULL)
		print_error("smtp2_dns_new: %s\n", why);
	assert_non_null(dns);
	return (dns);
}

/* load - one fixture into buf, its length into the case */
static int
load(int c, const char *file, unsigned char *buf)
{
	int	n = dns_replay_load_hex(file, buf, WIRE_MAX);

	if (n < 12)
		return (-1);
	cases[c].wire_len = (size_t)n;
	return (0);
}

/* setup - fixtures in, responder up */
static int
setup(void **state)
{
	if (load(C_TXT_REC, FIXTURES "txt_bank.hex", wire_txt) < 0 ||
	    load(C_TLSA_REC, FIXTURES "tlsa_bank.hex", wire_tlsa) < 0)
		return (-1);
	cases[C_OTHER_Q].wire_len = cases[C_TLSA_REC].wire_len;
	*state = dns_replay_start(cases, C_N);
	return (*state == NULL ? -1 : 0);
}

/* teardown - no query may have gone astray */
static int
teardown(void **state)
{
	struct dns_replay *r = *state;
	unsigned stray = dns_replay_unmatched(r);

	dns_replay_stop(r);
	if (stray != 0)
		fprintf(stderr, "%u queries matched no case\n", stray);
	return (stray == 0 ? 0 : -1);
}

/* queries - how many queries case c has received, both transports */
static unsigned
queries(struct dns_replay *r, int c)
{
	return (dns_replay_udp(r, (size_t)c) + dns_replay_tcp(r, (size_t)c));
}

/* same_rdata - record i of a holds exactly want */
static void
same_rdata(const struct smtp2_dns_answer *a, size_t i, const void *want,
    size_t len)
{
	assert_true(i < a->n);
	assert_int_equal(a->rr[i].len, len);
	assert_memory_equal(a->rr[i].rdata, want, len);
}

/* expect - one uncached query against w; returns the answer */
static struct smtp2_dns_answer *
expect(struct dns_replay *r, const struct want *w)
{
	const struct dns_replay_case *c = &cases[w->c];
	struct smtp2_dns *dns = resolver(r, NULL);
	struct smtp2_dns_answer *a;
	unsigned before = queries(r, w->c);

	assert_non_null(a = smtp2_dns_query(dns, c->name, c->type));
	print_message("%s: status %d, %zu rr, ttl %u, why \"%s\"\n", c->name,
	    (int)a->status, a->n, (unsigned)a->ttl, a->why);
	assert_int_equal(a->status, w->status);
	assert_int_equal(a->n, w->n);
	assert_int_equal(a->dnssec == SMTP2_DNSSEC_BOGUS, 0);
	if (w->ttl != 0)
		assert_int_equal(a->ttl, w->ttl);
	if (w->why != NULL)
		assert_non_null(strstr(a->why, w->why));
	assert_int_equal(smtp2_dns_sent(dns), 1);
	assert_true(queries(r, w->c) > before);
	smtp2_dns_free(dns);
	return (a);
}

/* test_ok_txt - recorded (three strings) and built (two records) TXT */
static void
test_ok_txt(void **state)
{
	const struct want rec = { C_TXT_REC, SMTP2_DNS_OK, 1, 300, NULL };
	const struct want two = { C_TXT_TWO, SMTP2_DNS_OK, 2, 120, NULL };
	struct smtp2_dns_answer *a;

	a = expect(*state, &rec);
	same_rdata(a, 0, txt_rec, sizeof(txt_rec) - 1);
	assert_int_equal(a->dnssec, SMTP2_DNSSEC_INDETERMINATE);
	smtp2_dns_answer_free(a);
	/* Both records, in order; the set's TTL is the smallest. */
	a = expect(*state, &two);
	same_rdata(a, 0, txt_one, sizeof(txt_one) - 1);
	same_rdata(a, 1, txt_two, sizeof(txt_two) - 1);
	smtp2_dns_answer_free(a);
}

/* test_ok_tlsa - recorded and built TLSA answers */
static void
test_ok_tlsa(void **state)
{
	const struct want rec = { C_TLSA_REC, SMTP2_DNS_OK, 1, 300, NULL };
	const struct want built = { C_TLSA_BUILT, SMTP2_DNS_OK, 1, 90, NULL };
	struct smtp2_dns_answer *a;

	a = expect(*state, &rec);
	assert_int_equal(a->rr[0].len, 35);
	assert_memory_equal(a->rr[0].rdata, "\x03\x01\x01\x8a\x5b", 5);
	smtp2_dns_answer_free(a);
	a = expect(*state, &built);
	same_rdata(a, 0, tlsa_311, sizeof(tlsa_311));
	smtp2_dns_answer_free(a);
}

/* test_cname - records at the end of the chain count, strangers do not */
static void
test_cname(void **state)
{
	const struct want w = { C_CNAME, SMTP2_DNS_OK, 1, 200, NULL };
	struct smtp2_dns_answer *a;

	a = expect(*state, &w);
	same_rdata(a, 0, txt_one, sizeof(txt_one) - 1);
	smtp2_dns_answer_free(a);
}

/* test_negative - NXDOMAIN and NODATA, negative TTL from the SOA */
static void
test_negative(void **state)
{
	static const struct want w[] = {
		{ C_NX, SMTP2_DNS_NXDOMAIN, 0, 45, NULL },	/* SOA minimum */
		{ C_NX_TTL, SMTP2_DNS_NXDOMAIN, 0, 20, NULL },	/* SOA's own TTL */
		{ C_NODATA, SMTP2_DNS_NODATA, 0, 45, NULL },
	};
	size_t	i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		smtp2_dns_answer_free(expect(*state, &w[i]));
}

/* test_failures - SERVFAIL and REFUSED are TEMPFAIL, not "no record" */
static void
test_failures(void **state)
{
	static const struct want w[] = {
		{ C_SERVFAIL, SMTP2_DNS_TEMPFAIL, 0, 0, "SERVFAIL" },
		{ C_REFUSED, SMTP2_DNS_TEMPFAIL, 0, 0, "REFUSED for _smtp2.refused.test" },
	};
	size_t	i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		smtp2_dns_answer_free(expect(*state, &w[i]));
}

/* test_silence - no answer: TEMPFAIL "timeout" within the timeout */
static void
test_silence(void **state)
{
	const struct want w = { C_SILENT, SMTP2_DNS_TEMPFAIL, 0, 0, "timeout" };
	struct timespec start;
	long	ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	smtp2_dns_answer_free(expect(*state, &w));
	ms = elapsed_ms(&start);
	print_message("silence: %ld ms\n", ms);
	assert_true(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + SLACK_MS);
}

/* test_truncated - TC over UDP: getdns asks again over TCP */
static void
test_truncated(void **state)
{
	const struct want w = { C_TC, SMTP2_DNS_OK, 1, 60, NULL };
	struct smtp2_dns_answer *a;

	a = expect(*state, &w);
	same_rdata(a, 0, txt_one, sizeof(txt_one) - 1);
	smtp2_dns_answer_free(a);
	assert_int_equal(dns_replay_udp(*state, C_TC), 1);
	assert_int_equal(dns_replay_tcp(*state, C_TC), 1);
}

/* test_not_believed - a wrong ID or another question is never an answer */
static void
test_not_believed(void **state)
{
	static const struct want w[] = {
		{ C_WRONG_ID, SMTP2_DNS_TEMPFAIL, 0, 0, "timeout" },
		{ C_OTHER_Q, SMTP2_DNS_TEMPFAIL, 0, 0, "another question" },
		{ C_OTHER_OWNER, SMTP2_DNS_NODATA, 0, 0, NULL },
	};
	struct timespec start;
	size_t	i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		smtp2_dns_answer_free(expect(*state, &w[i]));
		assert_true(elapsed_ms(&start) < TIMEOUT_MS + SLACK_MS);
	}
}

/* cached - one query through dns; status and ttl bound checked */
static void
cached(struct smtp2_dns *dns, int c, enum smtp2_dns_status st, uint32_t ttl_max)
{
	struct smtp2_dns_answer *a;

	assert_non_null(a = smtp2_dns_query(dns, cases[c].name, cases[c].type));
	print_message("%s: status %d, ttl %u\n", cases[c].name, (int)a->status,
	    (unsigned)a->ttl);
	assert_int_equal(a->status, st);
	assert_true(a->ttl <= ttl_max);
	smtp2_dns_answer_free(a);
}

/* test_ttl_cap - the cache keeps an answer no longer than its cap */
static void
test_ttl_cap(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 1);
	struct smtp2_dns *dns = resolver(*state, c);
	const struct timespec pause = { 1, 100 * 1000 * 1000 };

	assert_non_null(c);
	cached(dns, C_CAP, SMTP2_DNS_OK, 90);	/* fresh from the wire */
	cached(dns, C_CAP, SMTP2_DNS_OK, 1);	/* from the cache: capped */
	assert_int_equal(queries(*state, C_CAP), 1);
	assert_int_equal(smtp2_dns_sent(dns), 1);
	nanosleep(&pause, NULL);
	cached(dns, C_CAP, SMTP2_DNS_OK, 90);	/* the cap ran out: asked again */
	assert_int_equal(queries(*state, C_CAP), 2);
	assert_int_equal(smtp2_dns_sent(dns), 2);
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(c);
}

/* test_negative_cached - NXDOMAIN is remembered for its negative TTL */
static void
test_negative_cached(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns *d1 = resolver(*state, c), *d2 = resolver(*state, c);

	assert_non_null(c);
	cached(d1, C_NEG, SMTP2_DNS_NXDOMAIN, 45);
	cached(d1, C_NEG, SMTP2_DNS_NXDOMAIN, 45);
	/* Another resolver sharing the cache asks nobody either. */
	cached(d2, C_NEG, SMTP2_DNS_NXDOMAIN, 45);
	assert_int_equal(queries(*state, C_NEG), 1);
	assert_int_equal(smtp2_dns_sent(d1), 1);
	assert_int_equal(smtp2_dns_sent(d2), 0);
	/* TEMPFAIL is not remembered: each query goes out. */
	cached(d1, C_SERVFAIL, SMTP2_DNS_TEMPFAIL, 0);
	cached(d1, C_SERVFAIL, SMTP2_DNS_TEMPFAIL, 0);
	assert_int_equal(smtp2_dns_sent(d1), 3);
	smtp2_dns_free(d1);
	smtp2_dns_free(d2);
	smtp2_dns_cache_free(c);
}

/* asked - one query through dns; its status, the answer freed */
static enum smtp2_dns_status
asked(struct smtp2_dns *dns, int c)
{
	struct smtp2_dns_answer *a;
	enum smtp2_dns_status st;

	assert_non_null(a = smtp2_dns_query(dns, cases[c].name, cases[c].type));
	st = a->status;
	smtp2_dns_answer_free(a);
	return (st);
}

/* expect_refused - the budget stops case c: TEMPFAIL with the reason,
 * and no packet */
static void
expect_refused(struct dns_replay *r, struct smtp2_dns *dns, int c,
    const char *want)
{
	struct smtp2_dns_answer *a;
	unsigned long sent = smtp2_dns_sent(dns);
	unsigned before = queries(r, c);

	assert_non_null(a = smtp2_dns_query(dns, cases[c].name, cases[c].type));
	print_message("%s: status %d, why \"%s\"\n", cases[c].name,
	    (int)a->status, a->why);
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	assert_int_equal(a->dnssec, SMTP2_DNSSEC_UNKNOWN);
	assert_int_equal(a->n, 0);
	assert_string_equal(a->why, want);
	smtp2_dns_answer_free(a);
	assert_int_equal(smtp2_dns_sent(dns), sent);
	assert_int_equal(queries(r, c), before);
	assert_true(smtp2_dns_budget_spent(dns));
}

/* test_budget_unlimited - no budget, or budget 0: every lookup goes out */
static void
test_budget_unlimited(void **state)
{
	static const int seq[] = { C_TXT_TWO, C_TLSA_BUILT, C_NX, C_NODATA,
	    C_SERVFAIL, C_TXT_TWO, C_TLSA_BUILT };
	struct smtp2_dns *dns = resolver(*state, NULL);
	size_t	i, round;

	for (round = 0; round < 2; round++) {
		/* A new resolver has no budget; 0 asks for none. */
		if (round == 1)
			smtp2_dns_budget(dns, 0);
		for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
			(void)asked(dns, seq[i]);
		assert_false(smtp2_dns_budget_spent(dns));
	}
	assert_int_equal(smtp2_dns_sent(dns), 2 * (sizeof(seq) / sizeof(seq[0])));
	smtp2_dns_free(dns);
}

/* test_budget_spent - N lookups go out, the next is TEMPFAIL unsent */
static void
test_budget_spent(void **state)
{
	struct smtp2_dns *dns = resolver(*state, NULL);
	struct smtp2_dns_answer *a;
	unsigned queries_before;

	smtp2_dns_budget(dns, 3);
	assert_int_equal(asked(dns, C_TXT_TWO), SMTP2_DNS_OK);
	assert_int_equal(asked(dns, C_NX), SMTP2_DNS_NXDOMAIN);
	/* A failure costs a lookup like any other. */
	assert_int_equal(asked(dns, C_SERVFAIL), SMTP2_DNS_TEMPFAIL);
	/* Exactly N is not spent: nothing was refused yet. */
	assert_false(smtp2_dns_budget_spent(dns));
	assert_int_equal(smtp2_dns_sent(dns), 3);
	expect_refused(*state, dns, C_TXT_TWO, "DNS query budget (3) spent: "
	    "_smtp2.two.test TXT not looked up");
	expect_refused(*state, dns, C_TLSA_BUILT, "DNS query budget (3) spent: "
	    "_smtp2._tcp.built.test TLSA not looked up");
	/* A counted lookup is refused alike, and still counted. */
	queries_before = 7;
	assert_non_null(a = smtp2_dns_query_counted(dns, cases[C_NX].name,
	    cases[C_NX].type, &queries_before));
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	assert_non_null(strstr(a->why, "DNS query budget (3) spent"));
	assert_int_equal(queries_before, 8);
	smtp2_dns_answer_free(a);
	assert_int_equal(smtp2_dns_sent(dns), 3);
	smtp2_dns_free(dns);
}

/* test_budget_cache - hits are free and still served once it is spent */
static void
test_budget_cache(void **state)
{
	static unsigned char canned[] = "\x09" "v=SMTP2v1";
	struct smtp2_dns_rr rr = { sizeof(canned) - 1, canned };
	struct smtp2_dns_answer put = { .status = SMTP2_DNS_OK,
	    .dnssec = SMTP2_DNSSEC_INDETERMINATE, .ttl = 300, .n = 1, .rr = &rr };
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns *dns, *other;
	struct smtp2_dns_answer *a;

	assert_non_null(c);
	dns = resolver(*state, c);
	other = resolver(*state, c);
	smtp2_dns_budget(dns, 1);
	assert_int_equal(asked(dns, C_TLSA_BUILT), SMTP2_DNS_OK);	/* sent */
	assert_int_equal(asked(dns, C_TLSA_BUILT), SMTP2_DNS_OK);	/* hit */
	assert_int_equal(smtp2_dns_sent(dns), 1);
	assert_false(smtp2_dns_budget_spent(dns));
	expect_refused(*state, dns, C_TXT_TWO, "DNS query budget (1) spent: "
	    "_smtp2.two.test TXT not looked up");
	/* Spent, and the cache still answers: what this resolver learnt,
	 * what another learnt since, and what was put there by hand. */
	assert_int_equal(asked(dns, C_TLSA_BUILT), SMTP2_DNS_OK);
	assert_int_equal(asked(other, C_NX), SMTP2_DNS_NXDOMAIN);
	assert_int_equal(asked(dns, C_NX), SMTP2_DNS_NXDOMAIN);
	assert_int_equal(smtp2_dns_cache_put(c, "_smtp2.canned.test",
	    SMTP2_DNS_T_TXT, &put), 0);
	assert_non_null(a = smtp2_dns_query(dns, "_smtp2.canned.test",
	    SMTP2_DNS_T_TXT));
	assert_int_equal(a->status, SMTP2_DNS_OK);
	same_rdata(a, 0, canned, sizeof(canned) - 1);
	smtp2_dns_answer_free(a);
	assert_int_equal(smtp2_dns_sent(dns), 1);
	/* The refusal was not cached: a resolver with budget left asks. */
	assert_int_equal(asked(other, C_TXT_TWO), SMTP2_DNS_OK);
	assert_int_equal(smtp2_dns_sent(other), 2);
	smtp2_dns_free(dns);
	smtp2_dns_free(other);
	smtp2_dns_cache_free(c);
}

/* test_budget_reset - a new budget starts from nothing */
static void
test_budget_reset(void **state)
{
	struct smtp2_dns *dns = resolver(*state, NULL);

	smtp2_dns_budget(dns, 1);
	assert_int_equal(asked(dns, C_TXT_TWO), SMTP2_DNS_OK);
	expect_refused(*state, dns, C_NX, "DNS query budget (1) spent: "
	    "_smtp2.gone.test TXT not looked up");
	/* The next message: a fresh budget, maybe another size. */
	smtp2_dns_budget(dns, 2);
	assert_false(smtp2_dns_budget_spent(dns));
	assert_int_equal(asked(dns, C_NX), SMTP2_DNS_NXDOMAIN);
	assert_int_equal(asked(dns, C_TXT_TWO), SMTP2_DNS_OK);
	expect_refused(*state, dns, C_NODATA, "DNS query budget (2) spent: "
	    "_smtp2._tcp.two.test TLSA not looked up");
	/* And none at all. */
	smtp2_dns_budget(dns, 0);
	assert_false(smtp2_dns_budget_spent(dns));
	assert_int_equal(asked(dns, C_NODATA), SMTP2_DNS_NODATA);
	assert_int_equal(smtp2_dns_sent(dns), 4);
	smtp2_dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_txt),
		cmocka_unit_test(test_ok_tlsa),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_believed),
		cmocka_unit_test(test_ttl_cap),
		cmocka_unit_test(test_negative_cached),
		cmocka_unit_test(test_budget_unlimited),
		cmocka_unit_test(test_budget_spent),
		cmocka_unit_test(test_budget_cache),
		cmocka_unit_test(test_budget_reset),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
