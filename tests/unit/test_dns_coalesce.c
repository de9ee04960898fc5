/*
 * test_dns_coalesce.c - resolvers sharing a cache ask upstream once.
 *
 * Eight threads, each with its own resolver (getdns contexts are not
 * thread-safe), all sharing one cache, ask for the same cold name at the
 * same moment.  The upstream is dns_replay on 127.0.0.1, which holds its
 * answers back a little so that every thread really arrives while the
 * first one's query is under way, and counts what reaches it: one query
 * per name and type, whatever the answer, TEMPFAIL included.
 */

/* System library. */
#include <pthread.h>
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

#define THREADS		8
#define WHY_LEN		256
#define HOLD_MS		300	/* how long the upstream sits on an answer */
#define TIMEOUT_MS	2000
#define SHORT_MS	300
#define SLACK_MS	700

static const unsigned char txt_one[] = "\x14" "v=SMTP2v1; p=enforce";
static const unsigned char tlsa_311[] = { 3, 1, 1,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
	0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static const struct dns_replay_rr an_txt[] = {
	{ "_smtp2.cold.test", SMTP2_DNS_T_TXT, 300, txt_one, sizeof(txt_one) - 1 },
};
static const struct dns_replay_rr an_tlsa[] = {
	{ "_smtp2._tcp.cold.test", SMTP2_DNS_T_TLSA, 300, tlsa_311, sizeof(tlsa_311) },
};

enum { C_TXT, C_TLSA, C_FAIL, C_SILENT, C_SLOW, C_N };

static const struct dns_replay_case cases[C_N] = {
	[C_TXT] = { .name = "_smtp2.cold.test", .type = SMTP2_DNS_T_TXT,
	    .an = an_txt, .n_an = 1, .delay_ms = HOLD_MS },
	[C_TLSA] = { .name = "_smtp2._tcp.cold.test", .type = SMTP2_DNS_T_TLSA,
	    .an = an_tlsa, .n_an = 1, .delay_ms = HOLD_MS },
	[C_FAIL] = { .name = "_smtp2.fail.test", .type = SMTP2_DNS_T_TXT,
	    .rcode = DNS_REPLAY_RCODE_SERVFAIL, .delay_ms = HOLD_MS },
	[C_SILENT] = { .name = "_smtp2.silent.test", .type = SMTP2_DNS_T_TXT,
	    .silent = true },
	[C_SLOW] = { .name = "_smtp2.slow.test", .type = SMTP2_DNS_T_TXT,
	    .silent = true },
};

/* One thread's work and results; cmocka asserts stay in the main thread. */
struct worker {
	pthread_t	tid;
	struct dns_replay *r;
	struct smtp2_dns_cache *cache;
	pthread_barrier_t *go;		/* NULL: start at once */
	int		c[2];		/* cases to ask, in order; -1: none */
	unsigned	timeout_ms;
	struct smtp2_dns_answer *a[2];
	unsigned long	sent;
	long		ms;		/* for all its queries */
	int		error;
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

/* resolver - non-validating resolver at the replay; NULL on failure */
static struct smtp2_dns *
resolver(struct dns_replay *r, struct smtp2_dns_cache *c, unsigned timeout_ms)
{
	const char *one[1] = { dns_replay_addr(r) };
	struct smtp2_dns_opts o;
	char	why[WHY_LEN];

	memset(&o, 0, sizeof(o));
	o.resolvers = one;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = timeout_ms;
	o.cache = c;
	return (smtp2_dns_new(&o, why, sizeof(why)));
}

/* worker_main - own resolver, wait for the others, ask */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct smtp2_dns *dns = resolver(w->r, w->cache, w->timeout_ms);
	struct timespec start;
	size_t	i;

	if (w->go != NULL)
		pthread_barrier_wait(w->go);
	if (dns == NULL) {
		w->error = 1;
		return (NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < 2 && w->c[i] >= 0; i++)
		w->a[i] = smtp2_dns_query(dns, cases[w->c[i]].name,
		    cases[w->c[i]].type);
	w->ms = elapsed_ms(&start);
	w->sent = smtp2_dns_sent(dns);
	smtp2_dns_free(dns);
	return (NULL);
}

/* run - THREADS workers asking c0 then c1 at once; sum of their sent */
static unsigned long
run(struct dns_replay *r, struct smtp2_dns_cache *cache, struct worker *w,
    int c0, int c1, unsigned timeout_ms)
{
	pthread_barrier_t go;
	unsigned long sent = 0;
	int	i;

	assert_int_equal(pthread_barrier_init(&go, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].r = r;
		w[i].cache = cache;
		w[i].go = &go;
		w[i].c[0] = c0;
		w[i].c[1] = c1;
		w[i].timeout_ms = timeout_ms;
		assert_int_equal(pthread_create(&w[i].tid, NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
		assert_int_equal(w[i].error, 0);
		sent += w[i].sent;
	}
	pthread_barrier_destroy(&go);
	return (sent);
}

/* queries - how many queries case c has received, both transports */
static unsigned
queries(struct dns_replay *r, int c)
{
	return (dns_replay_udp(r, (size_t)c) + dns_replay_tcp(r, (size_t)c));
}

/* check_answer - status, records and reason of one thread's answer */
static void
check_answer(const struct smtp2_dns_answer *a, enum smtp2_dns_status st,
    const void *rdata, size_t len, const char *why)
{
	assert_non_null(a);
	assert_int_equal(a->status, st);
	if (rdata != NULL) {
		assert_int_equal(a->n, 1);
		assert_int_equal(a->rr[0].len, len);
		assert_memory_equal(a->rr[0].rdata, rdata, len);
	} else {
		assert_int_equal(a->n, 0);
	}
	if (why != NULL && strstr(a->why, why) == NULL)
		print_error("why \"%s\" lacks \"%s\"\n", a->why, why);
	if (why != NULL)
		assert_non_null(strstr(a->why, why));
}

/* free_answers - release what the workers got */
static void
free_answers(struct worker *w)
{
	int	i;

	for (i = 0; i < THREADS; i++) {
		smtp2_dns_answer_free(w[i].a[0]);
		smtp2_dns_answer_free(w[i].a[1]);
	}
}

/* test_one_query_per_key - 8 threads, 2 cold keys: 2 queries in all */
static void
test_one_query_per_key(void **state)
{
	struct smtp2_dns_cache *cache = smtp2_dns_cache_new(64, 3600);
	struct worker w[THREADS];
	unsigned long sent;
	int	i;

	assert_non_null(cache);
	sent = run(*state, cache, w, C_TXT, C_TLSA, TIMEOUT_MS);
	print_message("TXT %u, TLSA %u queries; %lu sent\n",
	    queries(*state, C_TXT), queries(*state, C_TLSA), sent);
	assert_int_equal(queries(*state, C_TXT), 1);
	assert_int_equal(queries(*state, C_TLSA), 1);
	assert_int_equal(sent, 2);
	for (i = 0; i < THREADS; i++) {
		check_answer(w[i].a[0], SMTP2_DNS_OK, txt_one,
		    sizeof(txt_one) - 1, NULL);
		check_answer(w[i].a[1], SMTP2_DNS_OK, tlsa_311,
		    sizeof(tlsa_311), NULL);
	}
	free_answers(w);
	smtp2_dns_cache_free(cache);
}

/* test_tempfail_shared - waiters share a SERVFAIL, the cache does not */
static void
test_tempfail_shared(void **state)
{
	struct smtp2_dns_cache *cache = smtp2_dns_cache_new(64, 3600);
	struct worker w[THREADS];
	int	i;

	assert_non_null(cache);
	assert_int_equal(run(*state, cache, w, C_FAIL, -1, TIMEOUT_MS), 1);
	assert_int_equal(queries(*state, C_FAIL), 1);
	for (i = 0; i < THREADS; i++)
		check_answer(w[i].a[0], SMTP2_DNS_TEMPFAIL, NULL, 0, "SERVFAIL");
	free_answers(w);
	/* Not stored: the next caller asks again. */
	assert_int_equal(run(*state, cache, w, C_FAIL, -1, TIMEOUT_MS), 1);
	assert_int_equal(queries(*state, C_FAIL), 2);
	free_answers(w);
	smtp2_dns_cache_free(cache);
}

/* test_timeout_shared - one timeout serves everyone, in about its time */
static void
test_timeout_shared(void **state)
{
	struct smtp2_dns_cache *cache = smtp2_dns_cache_new(64, 3600);
	struct worker w[THREADS];
	int	i;

	assert_non_null(cache);
	assert_int_equal(run(*state, cache, w, C_SILENT, -1, SHORT_MS), 1);
	assert_int_equal(queries(*state, C_SILENT), 1);
	for (i = 0; i < THREADS; i++) {
		check_answer(w[i].a[0], SMTP2_DNS_TEMPFAIL, NULL, 0, "timeout");
		assert_true(w[i].ms < SHORT_MS + SLACK_MS);
	}
	free_answers(w);
	smtp2_dns_cache_free(cache);
}

/* test_waiter_gives_up - a waiter waits its own timeout plus margin */
static void
test_waiter_gives_up(void **state)
{
	struct smtp2_dns_cache *cache = smtp2_dns_cache_new(64, 3600);
	struct smtp2_dns *dns;
	struct smtp2_dns_answer *a;
	struct worker owner;
	struct timespec start;
	long	ms;
	int	i;

	assert_non_null(cache);
	owner = (struct worker){ .r = *state, .cache = cache,
	    .c = { C_SLOW, -1 }, .timeout_ms = 3000 };
	assert_int_equal(pthread_create(&owner.tid, NULL, worker_main, &owner), 0);
	/* Let the owner's query reach the upstream first. */
	for (i = 0; i < 200 && queries(*state, C_SLOW) == 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	assert_int_equal(queries(*state, C_SLOW), 1);

	assert_non_null(dns = resolver(*state, cache, 100));
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_non_null(a = smtp2_dns_query(dns, cases[C_SLOW].name, SMTP2_DNS_T_TXT));
	ms = elapsed_ms(&start);
	print_message("waiter: %ld ms, \"%s\"\n", ms, a->why);
	check_answer(a, SMTP2_DNS_TEMPFAIL, NULL, 0, "waited 1100 ms");
	assert_true(ms >= 1050 && ms < 1100 + SLACK_MS);
	assert_int_equal(smtp2_dns_sent(dns), 0);
	smtp2_dns_answer_free(a);
	smtp2_dns_free(dns);

	assert_int_equal(pthread_join(owner.tid, NULL), 0);
	check_answer(owner.a[0], SMTP2_DNS_TEMPFAIL, NULL, 0, "timeout after 3000 ms");
	assert_int_equal(queries(*state, C_SLOW), 1);
	smtp2_dns_answer_free(owner.a[0]);
	smtp2_dns_cache_free(cache);
}

/* setup - responder up */
static int
setup(void **state)
{
	*state = dns_replay_start(cases, C_N);
	return (*state == NULL ? -1 : 0);
}

/* teardown - responder down; nothing unexpected was asked */
static int
teardown(void **state)
{
	unsigned stray = dns_replay_unmatched(*state);

	dns_replay_stop(*state);
	return (stray == 0 ? 0 : -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_query_per_key),
		cmocka_unit_test(test_tempfail_shared),
		cmocka_unit_test(test_timeout_shared),
		cmocka_unit_test(test_waiter_gives_up),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
