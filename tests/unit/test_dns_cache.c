/*
 * test_dns_cache.c - the shared answer cache, seen through the public API.
 *
 * Answers go in with smtp2_dns_cache_put and come out through
 * smtp2_dns_query on a resolver pointed at 127.0.0.1:1 (nothing listens):
 * a hit comes back at once with smtp2_dns_sent() unchanged, a miss costs
 * one 200 ms timeout and shows up as TEMPFAIL and a sent query.
 */

/* System library. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>

#define WHY_LEN		256
#define THREADS		4
#define ROUNDS		2000
#define NAMES		50

/* resolver - a non-validating resolver on the dead port, sharing c */
static struct smtp2_dns *
resolver(struct smtp2_dns_cache *c)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	struct smtp2_dns_opts o;
	char	why[WHY_LEN];

	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = 200;
	o.cache = c;
	return (smtp2_dns_new(&o, why, sizeof(why)));
}

/* canned - an answer of n records "<tag>-<i>", NULL when out of memory */
static struct smtp2_dns_answer *
canned(enum smtp2_dns_status st, uint32_t ttl, size_t n, const char *tag)
{
	struct smtp2_dns_answer *a;
	size_t	i;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->rr = calloc(n ? n : 1, sizeof(*a->rr))) == NULL) {
		free(a);
		return (NULL);
	}
	a->status = st;
	a->dnssec = SMTP2_DNSSEC_SECURE;
	a->ttl = ttl;
	for (i = 0; i < n; i++, a->n++) {
		char	buf[64];

		snprintf(buf, sizeof(buf), "%s-%zu", tag, i);
		a->rr[i].len = strlen(buf);
		if ((a->rr[i].rdata = (unsigned char *)strdup(buf)) == NULL) {
			smtp2_dns_answer_free(a);
			return (NULL);
		}
	}
	return (a);
}

/* answer - canned(), for the main thread: out of memory fails the test */
static struct smtp2_dns_answer *
answer(enum smtp2_dns_status st, uint32_t ttl, size_t n, const char *tag)
{
	struct smtp2_dns_answer *a = canned(st, ttl, n, tag);

	assert_non_null(a);
	return (a);
}

/* put - store a canned answer and free our copy of it */
static void
put(struct smtp2_dns_cache *c, const char *name, uint16_t type,
    enum smtp2_dns_status st, uint32_t ttl, size_t n, const char *tag)
{
	struct smtp2_dns_answer *a = answer(st, ttl, n, tag);

	assert_int_equal(smtp2_dns_cache_put(c, name, type, a), 0);
	smtp2_dns_answer_free(a);
}

/* same_records - a holds n records "<tag>-<i>" */
static int
same_records(const struct smtp2_dns_answer *a, size_t n, const char *tag)
{
	size_t	i;

	if (a->n != n)
		return (0);
	for (i = 0; i < n; i++) {
		char	buf[64];

		snprintf(buf, sizeof(buf), "%s-%zu", tag, i);
		if (a->rr[i].len != strlen(buf) ||
		    memcmp(a->rr[i].rdata, buf, a->rr[i].len) != 0)
			return (0);
	}
	return (1);
}

/* expect_hit - the query is answered from the cache with these records */
static void
expect_hit(struct smtp2_dns *dns, const char *name, uint16_t type,
    enum smtp2_dns_status st, size_t n, const char *tag)
{
	unsigned long before = smtp2_dns_sent(dns);
	struct smtp2_dns_answer *a = smtp2_dns_query(dns, name, type);

	assert_non_null(a);
	if (a->status != st)
		print_error("%s/%u: status %d, want %d (%s)\n", name, type,
		    a->status, st, a->why);
	assert_int_equal(a->status, st);
	assert_true(same_records(a, n, tag));
	assert_int_equal(smtp2_dns_sent(dns), before);
	smtp2_dns_answer_free(a);
}

/* expect_miss - the query goes out (and times out) */
static void
expect_miss(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	unsigned long before = smtp2_dns_sent(dns);
	struct smtp2_dns_answer *a = smtp2_dns_query(dns, name, type);

	assert_non_null(a);
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	assert_int_equal(smtp2_dns_sent(dns), before + 1);
	smtp2_dns_answer_free(a);
}

/* test_new_bounds - a cache must hold something */
static void
test_new_bounds(void **state)
{
	struct smtp2_dns_cache *c;

	(void)state;
	assert_null(smtp2_dns_cache_new(0, 60));
	assert_non_null(c = smtp2_dns_cache_new(1, 0));
	smtp2_dns_cache_free(c);
	smtp2_dns_cache_free(NULL);
	smtp2_dns_cache_flush(NULL);
}

/* test_put_get_copies - what goes in is copied, what comes out too */
static void
test_put_get_copies(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns *dns = resolver(c);
	struct smtp2_dns_answer *a, *b, *orig;

	(void)state;
	assert_non_null(dns);
	orig = answer(SMTP2_DNS_OK, 300, 3, "txt");
	assert_int_equal(smtp2_dns_cache_put(c, "_smtp2.bank.test",
	    SMTP2_DNS_T_TXT, orig), 0);
	/* Scribble on our original: the cache must not care. */
	orig->rr[0].rdata[0] = 'X';
	smtp2_dns_answer_free(orig);

	a = smtp2_dns_query(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT);
	b = smtp2_dns_query(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(a->rr, b->rr);
	assert_ptr_not_equal(a->rr[0].rdata, b->rr[0].rdata);
	assert_true(same_records(a, 3, "txt"));
	assert_int_equal(a->dnssec, SMTP2_DNSSEC_SECURE);
	assert_true(a->ttl > 0 && a->ttl <= 300);
	a->rr[1].rdata[0] = 'Y';	/* nor about what callers do */
	smtp2_dns_answer_free(a);
	smtp2_dns_answer_free(b);
	expect_hit(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 3, "txt");
	assert_int_equal(smtp2_dns_sent(dns), 0);

	/* Same name, other type: a separate entry. */
	expect_miss(dns, "_smtp2.bank.test", SMTP2_DNS_T_TLSA);

	/* A later put replaces the earlier one. */
	put(c, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "new");
	expect_hit(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "new");

	/* Flush forgets everything. */
	smtp2_dns_cache_flush(c);
	expect_miss(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT);
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(c);
}

/* test_negative_and_tempfail - negative answers stay, TEMPFAIL does not */
static void
test_negative_and_tempfail(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns *dns = resolver(c);
	struct smtp2_dns_answer *t;

	(void)state;
	put(c, "_smtp2.legacy.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NXDOMAIN, 60, 0, "");
	put(c, "_smtp2._tcp.legacy.test", SMTP2_DNS_T_TLSA, SMTP2_DNS_NODATA, 60, 0, "");
	expect_hit(dns, "_smtp2.legacy.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NXDOMAIN, 0, "");
	expect_hit(dns, "_smtp2._tcp.legacy.test", SMTP2_DNS_T_TLSA,
	    SMTP2_DNS_NODATA, 0, "");

	/* Refused quietly (return 0), and never served. */
	t = answer(SMTP2_DNS_TEMPFAIL, 60, 0, "");
	t->dnssec = SMTP2_DNSSEC_BOGUS;
	assert_int_equal(smtp2_dns_cache_put(c, "_smtp2.temp.test",
	    SMTP2_DNS_T_TXT, t), 0);
	smtp2_dns_answer_free(t);
	expect_miss(dns, "_smtp2.temp.test", SMTP2_DNS_T_TXT);
	/* And a real TEMPFAIL from the wire is not stored either. */
	expect_miss(dns, "_smtp2.temp.test", SMTP2_DNS_T_TXT);
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(c);
}

/* test_case_insensitive - names are compared without regard to case */
static void
test_case_insensitive(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns *dns = resolver(c);

	(void)state;
	put(c, "_SMTP2.Bank.TEST", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "a");
	expect_hit(dns, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "a");
	expect_hit(dns, "_Smtp2.BANK.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "a");
	put(c, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 2, "b");
	expect_hit(dns, "_SMTP2.BANK.TEST", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 2, "b");
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(c);
}

/* test_eviction - a full cache drops its oldest entry */
static void
test_eviction(void **state)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(3, 3600);
	struct smtp2_dns *dns = resolver(c);

	(void)state;
	put(c, "n1.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n1");
	put(c, "n2.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n2");
	put(c, "n3.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n3");
	/* Replacing an entry does not make room by evicting another. */
	put(c, "n2.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n2b");
	expect_hit(dns, "n1.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n1");
	expect_hit(dns, "n3.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n3");

	put(c, "n4.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n4");
	expect_miss(dns, "n1.test", SMTP2_DNS_T_TXT);
	expect_hit(dns, "n2.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n2b");
	expect_hit(dns, "n3.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n3");
	expect_hit(dns, "n4.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n4");

	/* n3 is now the oldest (n2 was re-inserted after it). */
	put(c, "n5.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 300, 1, "n5");
	expect_miss(dns, "n3.test", SMTP2_DNS_T_TXT);
	expect_hit(dns, "n2.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "n2b");
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(c);
}

/* test_expiry - TTL, ttl_cap, and expired entries evicted before live ones */
static void
test_expiry(void **state)
{
	struct smtp2_dns_cache *c1 = smtp2_dns_cache_new(16, 3600);
	struct smtp2_dns_cache *c2 = smtp2_dns_cache_new(16, 1);	/* cap 1 s */
	struct smtp2_dns_cache *c3 = smtp2_dns_cache_new(2, 3600);
	struct smtp2_dns *d1 = resolver(c1), *d2 = resolver(c2), *d3 = resolver(c3);
	const struct timespec pause = { 1, 100 * 1000 * 1000 };

	(void)state;
	put(c1, "short.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, 1, "s");
	put(c1, "long.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 3600, 1, "l");
	put(c1, "zero.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 0, 1, "z");
	put(c2, "capped.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NODATA, 3600, 0, "");
	put(c3, "live.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 3600, 1, "live");
	put(c3, "dying.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, 1, "dying");
	expect_hit(d1, "short.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "s");
	expect_hit(d2, "capped.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NODATA, 0, "");

	/* The one sleep of the suite. */
	nanosleep(&pause, NULL);

	expect_miss(d1, "short.test", SMTP2_DNS_T_TXT);
	expect_miss(d1, "zero.test", SMTP2_DNS_T_TXT);
	expect_hit(d1, "long.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "l");
	expect_miss(d2, "capped.test", SMTP2_DNS_T_TXT);
	/* c3 is full: the expired entry goes, not the older live one. */
	put(c3, "new.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 3600, 1, "new");
	expect_hit(d3, "live.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "live");
	expect_hit(d3, "new.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, 1, "new");

	smtp2_dns_free(d1);
	smtp2_dns_free(d2);
	smtp2_dns_free(d3);
	smtp2_dns_cache_free(c1);
	smtp2_dns_cache_free(c2);
	smtp2_dns_cache_free(c3);
}

/* The work of one thread; cmocka asserts are not thread-safe, so count. */
struct worker {
	pthread_t	tid;
	int		id;
	struct smtp2_dns_cache *shared;	/* big enough: every query hits */
	struct smtp2_dns_cache *churn;	/* tiny: constant eviction */
	int		errors;
};

/* worker_round - put one name, read back it and another thread's */
static void
worker_round(struct worker *w, struct smtp2_dns *dns, int k)
{
	struct smtp2_dns_answer *in, *out;
	char	name[64], tag[32];

	snprintf(name, sizeof(name), "N%d-%d.Test", w->id, k % NAMES);
	snprintf(tag, sizeof(tag), "t%d", w->id);
	if ((in = canned(SMTP2_DNS_OK, 3600, 1 + (size_t)(k % 3), tag)) == NULL) {
		w->errors++;
		return;
	}
	if (smtp2_dns_cache_put(w->shared, name, SMTP2_DNS_T_TXT, in) != 0 ||
	    smtp2_dns_cache_put(w->churn, name, SMTP2_DNS_T_TLSA, in) != 0)
		w->errors++;
	smtp2_dns_answer_free(in);
	snprintf(name, sizeof(name), "n%d-%d.test", w->id, k % NAMES);
	out = smtp2_dns_query(dns, name, SMTP2_DNS_T_TXT);
	if (out == NULL || out->status != SMTP2_DNS_OK ||
	    !same_records(out, 1 + (size_t)(k % 3), tag))
		w->errors++;
	smtp2_dns_answer_free(out);
	if (k % 97 == 0)
		smtp2_dns_cache_flush(w->churn);
}

/* worker_main - one resolver per thread, one cache for all */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct smtp2_dns *dns = resolver(w->shared);
	int	k;

	if (dns == NULL) {
		w->errors++;
		return (NULL);
	}
	for (k = 0; k < ROUNDS; k++)
		worker_round(w, dns, k);
	if (smtp2_dns_sent(dns) != 0)
		w->errors++;
	smtp2_dns_free(dns);
	return (NULL);
}

/* test_threads - four threads hammer one cache */
static void
test_threads(void **state)
{
	struct worker w[THREADS];
	struct smtp2_dns_cache *shared = smtp2_dns_cache_new(THREADS * NAMES, 3600);
	struct smtp2_dns_cache *churn = smtp2_dns_cache_new(8, 3600);
	int	i;

	(void)state;
	assert_non_null(shared);
	assert_non_null(churn);
	for (i = 0; i < THREADS; i++) {
		w[i].id = i;
		w[i].shared = shared;
		w[i].churn = churn;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&w[i].tid, NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
		if (w[i].errors)
			print_error("thread %d: %d errors\n", i, w[i].errors);
		assert_int_equal(w[i].errors, 0);
	}
	smtp2_dns_cache_free(shared);
	smtp2_dns_cache_free(churn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_bounds),
		cmocka_unit_test(test_put_get_copies),
		cmocka_unit_test(test_negative_and_tempfail),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_threads),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
