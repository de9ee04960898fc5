/*
 * test_cert_cache.c - the verification cache: hits, eviction of the
 * oldest, a reloaded CRL file emptying it, entries dying at a leaf's
 * notAfter and at the ttl, errors never kept, many threads at once.
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
#include <sys/time.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_pki.h"

#define T0	((time_t)1893456000)	/* 2030-01-01 00:00:00 UTC */
#define DAY	PKI_DAY
#define LEAVES	3
#define THREADS	4
#define ROUNDS	300

static struct {
	char	dir[64];
	EVP_PKEY *kroot, *kinter, *kleaf;
	X509	*root, *inter, *leaf[LEAVES], *brief, *lasting;
	struct smtp2_chain *chain[LEAVES], *brief_chain, *lasting_chain;
	struct smtp2_cert_store *store;		/* T0, no CRLs */
	struct smtp2_cert_store *real;		/* the real clock, no skew */
} C;

/* file - path of name in the temporary directory */
static const char *
file(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", C.dir, name);
	return (buf);
}

/* leaf - a P-256 leaf for mx.bank.test under the intermediate */
static X509 *
leaf(long serial, time_t nb, time_t na, struct smtp2_chain **chain)
{
	struct pki_spec sp = {"mx.bank.test", "DNS:mx.bank.test", nb, na, false,
		NULL, NULL, serial};
	X509	*certs[2];
	char	*pem;

	if ((certs[0] = pki_cert(&sp, C.kleaf, C.inter, C.kinter)) == NULL)
		return (NULL);
	certs[1] = C.inter;
	if ((pem = pki_pem(certs, 2, NULL, 0, NULL)) != NULL)
		*chain = smtp2_chain_from_pem(pem, strlen(pem), NULL, 0);
	free(pem);
	return (certs[0]);
}

/* store - a store on ca.pem (and crl_file), clock now (0: real), skew */
static struct smtp2_cert_store *
store(const char *crl, time_t now, unsigned skew)
{
	struct smtp2_cert_opts o;
	char	ca[128], cr[128], why[256];
	struct smtp2_cert_store *s;

	memset(&o, 0, sizeof(o));
	o.ca_file = file("ca.pem", ca, sizeof(ca));
	o.crl_file = crl != NULL ? file(crl, cr, sizeof(cr)) : NULL;
	o.now = now;
	o.clock_skew = skew;
	if ((s = smtp2_cert_store_new(&o, why, sizeof(why))) == NULL)
		fprintf(stderr, "store: %s\n", why);
	return (s);
}

/* setup - CAs, leaves, CA file, two stores */
static int
setup(void **state)
{
	struct pki_spec ca = {"smtp2 Test Root", NULL, T0 - 4000 * DAY,
		T0 + 3650 * DAY, true, NULL, NULL, 1};
	struct pki_spec in = {"smtp2 Test Intermediate", NULL, T0 - 4000 * DAY,
		T0 + 1825 * DAY, true, NULL, NULL, 2};
	time_t	now = time(NULL);
	char	path[128];
	int	i;

	(void)state;
	snprintf(C.dir, sizeof(C.dir), "/tmp/smtp2-test-cache-XXXXXX");
	if (mkdtemp(C.dir) == NULL || (C.kroot = pki_key("p256")) == NULL
	    || (C.kinter = pki_key("p256")) == NULL || (C.kleaf = pki_key("p256")) == NULL
	    || (C.root = pki_cert(&ca, C.kroot, NULL, NULL)) == NULL
	    || (C.inter = pki_cert(&in, C.kinter, C.root, C.kroot)) == NULL
	    || pki_write(file("ca.pem", path, sizeof(path)), &C.root, 1, NULL, 0) < 0)
		return (-1);
	for (i = 0; i < LEAVES; i++)
		if ((C.leaf[i] = leaf(100 + i, T0 - 30 * DAY, T0 + 335 * DAY,
		    &C.chain[i])) == NULL || C.chain[i] == NULL)
			return (-1);
	/* On the real clock: one leaf about to expire, one for years. */
	if ((C.brief = leaf(200, now - DAY, now + 1, &C.brief_chain)) == NULL
	    || (C.lasting = leaf(201, now - DAY, now + 300 * DAY, &C.lasting_chain)) == NULL
	    || C.brief_chain == NULL || C.lasting_chain == NULL
	    || (C.store = store(NULL, T0, 300)) == NULL
	    || (C.real = store(NULL, 0, 0)) == NULL)
		return (-1);
	return (0);
}

/* teardown - everything */
static int
teardown(void **state)
{
	char	path[128];
	int	i;

	(void)state;
	unlink(file("ca.pem", path, sizeof(path)));
	unlink(file("crl.pem", path, sizeof(path)));
	rmdir(C.dir);
	for (i = 0; i < LEAVES; i++) {
		smtp2_chain_free(C.chain[i]);
		X509_free(C.leaf[i]);
	}
	smtp2_chain_free(C.brief_chain);
	smtp2_chain_free(C.lasting_chain);
	X509_free(C.brief);
	X509_free(C.lasting);
	smtp2_cert_store_free(C.store);
	smtp2_cert_store_free(C.real);
	X509_free(C.root);
	X509_free(C.inter);
	EVP_PKEY_free(C.kroot);
	EVP_PKEY_free(C.kinter);
	EVP_PKEY_free(C.kleaf);
	return (0);
}

/* stats - the cache's counters */
static struct smtp2_cert_cache_stats
stats(struct smtp2_cert_cache *cache)
{
	struct smtp2_cert_cache_stats st;

	smtp2_cert_cache_stats(cache, &st);
	return (st);
}

/* test_hit - the second look is a hit with the same answer */
static void
test_hit(void **state)
{
	struct smtp2_cert_cache *cache;
	struct smtp2_cert_result r1, r2;
	static const unsigned char ocsp[] = "not OCSP";

	(void)state;
	assert_non_null(cache = smtp2_cert_cache_new(8, 0));
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], "bank.test", NULL, 0, &r1);
	assert_int_equal(r1.status, SMTP2_CERT_OK);
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], "bank.test", NULL, 0, &r2);
	assert_memory_equal(&r1, &r2, sizeof(r1));
	assert_int_equal(stats(cache).hits, 1);
	assert_int_equal(stats(cache).misses, 1);
	assert_int_equal(stats(cache).entries, 1);

	/* Another domain, another OCSP response: other answers, other keys. */
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], "evil.test", NULL, 0, &r2);
	assert_int_equal(r2.status, SMTP2_CERT_NAME_MISMATCH);
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], NULL, NULL, 0, &r2);
	assert_int_equal(r2.status, SMTP2_CERT_OK);
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], "bank.test", ocsp,
	    sizeof(ocsp), &r2);
	assert_int_equal(r2.status, SMTP2_CERT_OK);
	assert_non_null(strstr(r2.reason, "OCSP response unreadable"));
	assert_int_equal(stats(cache).misses, 4);
	assert_int_equal(stats(cache).entries, 4);
	smtp2_cert_cache_free(cache);
}

/* test_eviction - a full cache drops its oldest entry */
static void
test_eviction(void **state)
{
	struct smtp2_cert_cache *cache;
	struct smtp2_cert_result r;
	int	i;

	(void)state;
	assert_non_null(cache = smtp2_cert_cache_new(2, 0));
	for (i = 0; i < LEAVES; i++)
		smtp2_cert_verify_cached(cache, C.store, C.chain[i], "bank.test", NULL, 0, &r);
	assert_int_equal(stats(cache).entries, 2);
	assert_int_equal(stats(cache).evictions, 1);
	smtp2_cert_verify_cached(cache, C.store, C.chain[2], "bank.test", NULL, 0, &r);
	assert_int_equal(stats(cache).hits, 1);
	smtp2_cert_verify_cached(cache, C.store, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(stats(cache).hits, 1);		/* it was the oldest */
	assert_int_equal(r.status, SMTP2_CERT_OK);
	assert_int_equal(stats(cache).evictions, 2);
	smtp2_cert_cache_free(cache);
}

/* write_crl - crl.pem: the intermediate's CRL revoking serials; mtime set */
static void
write_crl(const long *serials, size_t n, time_t mtime)
{
	struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
	X509_CRL *crl;
	char	path[128];

	assert_non_null(crl = pki_crl(C.inter, C.kinter, T0 - DAY, T0 + 7 * DAY,
	    serials, n));
	assert_int_equal(pki_write(file("crl.pem", path, sizeof(path)), NULL, 0,
	    &crl, 1), 0);
	assert_int_equal(utimes(path, tv), 0);
	X509_CRL_free(crl);
}

/* test_crl_flush - a store with a newer CRL file empties the cache */
static void
test_crl_flush(void **state)
{
	const long revoked = 100;
	struct smtp2_cert_store *old, *new;
	struct smtp2_cert_cache *cache;
	struct smtp2_cert_result r;

	(void)state;
	assert_non_null(cache = smtp2_cert_cache_new(8, 0));
	write_crl(NULL, 0, T0 - 1000);
	assert_non_null(old = store("crl.pem", T0, 300));
	smtp2_cert_verify_cached(cache, old, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.revocation, SMTP2_REV_GOOD);
	smtp2_cert_verify_cached(cache, old, C.chain[1], "bank.test", NULL, 0, &r);
	smtp2_cert_verify_cached(cache, old, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(stats(cache).hits, 1);
	assert_int_equal(stats(cache).entries, 2);

	/* The operator revokes leaf 0 and reloads. */
	write_crl(&revoked, 1, T0 - 10);
	assert_non_null(new = store("crl.pem", T0, 300));
	smtp2_cert_verify_cached(cache, new, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_REVOKED);
	assert_int_equal(stats(cache).flushes, 1);
	assert_int_equal(stats(cache).entries, 1);

	/* A thread still on the old store neither flushes nor sees the new. */
	smtp2_cert_verify_cached(cache, old, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_OK);
	assert_int_equal(stats(cache).flushes, 1);
	smtp2_cert_verify_cached(cache, new, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_REVOKED);
	assert_int_equal(stats(cache).hits, 2);
	smtp2_cert_store_free(old);
	smtp2_cert_store_free(new);
	smtp2_cert_cache_free(cache);
}

/* test_no_error - ERROR is answered, not remembered; no cache is fine */
static void
test_no_error(void **state)
{
	struct smtp2_cert_cache *cache;
	struct smtp2_cert_result r;

	(void)state;
	assert_non_null(cache = smtp2_cert_cache_new(8, 0));
	smtp2_cert_verify_cached(cache, NULL, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_ERROR);
	smtp2_cert_verify_cached(cache, C.store, NULL, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_ERROR);
	assert_int_equal(stats(cache).entries, 0);
	smtp2_cert_verify_cached(NULL, C.store, C.chain[0], "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_OK);
	smtp2_cert_cache_free(cache);
	smtp2_cert_cache_free(NULL);
	smtp2_cert_cache_stats(NULL, &(struct smtp2_cert_cache_stats){0});
}

/* test_time_bounds - entries die at the leaf's notAfter and at the ttl */
static void
test_time_bounds(void **state)
{
	struct smtp2_cert_cache *by_cert, *by_ttl;
	struct smtp2_cert_result r;

	(void)state;
	assert_non_null(by_cert = smtp2_cert_cache_new(8, 3600));
	assert_non_null(by_ttl = smtp2_cert_cache_new(8, 1));
	smtp2_cert_verify_cached(by_cert, C.real, C.brief_chain, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_OK);
	smtp2_cert_verify_cached(by_ttl, C.real, C.lasting_chain, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_OK);
	sleep(2);
	smtp2_cert_verify_cached(by_cert, C.real, C.brief_chain, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_EXPIRED);
	assert_int_equal(stats(by_cert).hits, 0);
	smtp2_cert_verify_cached(by_ttl, C.real, C.lasting_chain, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_OK);
	assert_int_equal(stats(by_ttl).hits, 0);
	assert_int_equal(stats(by_ttl).misses, 2);
	smtp2_cert_cache_free(by_cert);
	smtp2_cert_cache_free(by_ttl);
}

/* hammer - one thread's rounds over every leaf; returns bad answers */
static void *
hammer(void *arg)
{
	struct smtp2_cert_cache *cache = arg;
	struct smtp2_cert_result r;
	intptr_t bad = 0;
	int	i;

	for (i = 0; i < ROUNDS; i++) {
		smtp2_cert_verify_cached(cache, C.store, C.chain[i % LEAVES],
		    "bank.test", NULL, 0, &r);
		bad += (r.status != SMTP2_CERT_OK || r.days_left != 335);
	}
	return ((void *)bad);
}

/* test_threads - concurrent callers on a cache too small for them */
static void
test_threads(void **state)
{
	struct smtp2_cert_cache *cache;
	pthread_t tid[THREADS];
	void	*bad;
	int	i, total = 0;

	(void)state;
	assert_non_null(cache = smtp2_cert_cache_new(2, 0));
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, hammer, cache), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(tid[i], &bad), 0);
		total += (int)(intptr_t)bad;
	}
	assert_int_equal(total, 0);
	assert_int_equal(stats(cache).hits + stats(cache).misses, THREADS * ROUNDS);
	assert_true(stats(cache).entries <= 2);
	smtp2_cert_cache_free(cache);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_crl_flush),
		cmocka_unit_test(test_no_error),
		cmocka_unit_test(test_time_bounds),
		cmocka_unit_test(test_threads),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
