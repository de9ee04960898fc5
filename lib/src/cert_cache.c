/*
 * cert_cache.c - verification results remembered, for chains seen again.
 *
 * A chained hash table on a SHA-256 key, plus a list in insertion order
 * so that a full cache drops its oldest entry in O(1).  The key covers
 * the store (by serial number: a reloaded store never meets its
 * predecessor's results), each certificate, the domain and the OCSP
 * response, so a hit is the answer smtp2_cert_verify would give.  An entry
 * dies at the earliest of its ttl (monotonic clock, immune to clock
 * steps), the next validity boundary of the chain or OCSP response (store
 * clock, which is what verification uses), or a store whose crl_file has
 * another mtime, which empties the cache: the operator has reloaded CRLs
 * and every "good" may have become "revoked".
 *
 * One mutex guards everything; verification itself runs outside it, so
 * two threads missing on one chain both verify (and the second insert
 * replaces the first): cheaper than making one wait.
 */

/* System library. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "cert_util.h"

#define CACHE_DEFAULT_MAX	1024
#define CACHE_DEFAULT_TTL	3600
#define CACHE_BUCKETS_MAX	(1u << 20)
#define CACHE_KEY_LEN		32

struct cache_entry {
	struct cache_entry *next;		/* hash chain */
	struct cache_entry *older, *newer;	/* insertion order */
	unsigned char	key[CACHE_KEY_LEN];
	time_t		until;			/* store clock; 0: no boundary */
	time_t		not_after;		/* leaf, for days_left */
	uint64_t	expiry_ms;		/* CLOCK_MONOTONIC: the ttl */
	struct smtp2_cert_result result;
};

struct smtp2_cert_cache {
	pthread_mutex_t	lock;
	struct cache_entry **bucket;		/* owned, nbuckets long */
	size_t		nbuckets;		/* power of two */
	size_t		max;
	unsigned	ttl;
	struct cache_entry *oldest, *newest;
	bool		have_crl_mtime;
	time_t		crl_mtime;		/* of the newest store's crl_file */
	uint64_t	crl_serial;		/* that store's serial */
	struct smtp2_cert_cache_stats stats;
};

/* cache_mono_ms - monotonic milliseconds */
static uint64_t
cache_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* smtp2_cert_cache_new - an empty cache */
struct smtp2_cert_cache *
smtp2_cert_cache_new(size_t max, unsigned ttl)
{
	struct smtp2_cert_cache *cache;
	size_t	nb = 1;

	if ((cache = calloc(1, sizeof(*cache))) == NULL)
		return (NULL);
	cache->max = max != 0 ? max : CACHE_DEFAULT_MAX;
	cache->ttl = ttl != 0 ? ttl : CACHE_DEFAULT_TTL;
	while (nb < cache->max && nb < CACHE_BUCKETS_MAX)
		nb <<= 1;
	cache->nbuckets = nb;
	if ((cache->bucket = calloc(nb, sizeof(*cache->bucket))) == NULL
	    || pthread_mutex_init(&cache->lock, NULL) != 0) {
		free(cache->bucket);
		free(cache);
		return (NULL);
	}
	return (cache);
}

/* cache_slot - the bucket head a key hangs from */
static struct cache_entry **
cache_slot(struct smtp2_cert_cache *cache, const unsigned char *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));		/* a SHA-256 is spread already */
	return (&cache->bucket[h & (cache->nbuckets - 1)]);
}

/* cache_drop - take e out of its chain and the list, and free it */
static void
cache_drop(struct smtp2_cert_cache *cache, struct cache_entry *e)
{
	struct cache_entry **pp;

	for (pp = cache_slot(cache, e->key); *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		cache->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		cache->newest = e->older;
	cache->stats.entries--;
	free(e);
}

/*
 * cache_flush_for - empty the cache when a store newer than the last one
 * seen has CRLs of another mtime.  Older stores, still in use by threads
 * that began before a reload, neither flush nor count: their entries are
 * apart anyway (the key has the store's serial).
 */
static void
cache_flush_for(struct smtp2_cert_cache *cache, const struct smtp2_cert_store *s)
{
	if (!s->have_crl
	    || (cache->have_crl_mtime && s->serial < cache->crl_serial))
		return;
	if (cache->have_crl_mtime && cache->crl_mtime != s->crl_mtime) {
		while (cache->oldest != NULL)
			cache_drop(cache, cache->oldest);
		cache->stats.flushes++;
	}
	cache->have_crl_mtime = true;
	cache->crl_mtime = s->crl_mtime;
	cache->crl_serial = s->serial;
}

/* cache_find - the live entry for key, expired ones dropped on the way */
static struct cache_entry *
cache_find(struct smtp2_cert_cache *cache, const unsigned char *key, time_t now)
{
	struct cache_entry *e;

	for (e = *cache_slot(cache, key); e != NULL; e = e->next)
		if (memcmp(e->key, key, CACHE_KEY_LEN) == 0)
			break;
	if (e != NULL && ((e->until != 0 && now >= e->until)
	    || cache_mono_ms() >= e->expiry_ms)) {
		cache_drop(cache, e);
		e = NULL;
	}
	return (e);
}

/* cache_key - SHA-256 over store, chain, domain, OCSP; -1 on failure */
static int
cache_key(const struct smtp2_cert_store *s, const struct smtp2_chain *c,
    const char *domain, const unsigned char *ocsp, size_t ocsp_len,
    unsigned char key[CACHE_KEY_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	EVP_MD_CTX *ctx;
	size_t	dlen = domain != NULL ? strlen(domain) + 1 : 0;
	int	i, ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (-1);
	/* Lengths go in before variable parts: no two inputs hash alike. */
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1
	    && EVP_DigestUpdate(ctx, &s->serial, sizeof(s->serial)) == 1;
	for (i = 0; ok && i < sk_X509_num(c->certs); i++)
		ok = X509_digest(sk_X509_value(c->certs, i), EVP_sha256(), md, &mdlen) == 1
		    && EVP_DigestUpdate(ctx, md, mdlen) == 1;
	ok = ok && EVP_DigestUpdate(ctx, &dlen, sizeof(dlen)) == 1
	    && (dlen == 0 || EVP_DigestUpdate(ctx, domain, dlen) == 1)
	    && EVP_DigestUpdate(ctx, &ocsp_len, sizeof(ocsp_len)) == 1
	    && (ocsp == NULL || EVP_DigestUpdate(ctx, ocsp, ocsp_len) == 1)
	    && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == CACHE_KEY_LEN;
	if (ok)
		memcpy(key, md, CACHE_KEY_LEN);
	EVP_MD_CTX_free(ctx);
	return (ok ? 0 : -1);
}

/* cache_hit - copy out a live entry's result; false on a miss */
static bool
cache_hit(struct smtp2_cert_cache *cache, const struct smtp2_cert_store *s,
    const unsigned char *key, time_t now, struct smtp2_cert_result *r)
{
	struct cache_entry *e;

	pthread_mutex_lock(&cache->lock);
	cache_flush_for(cache, s);
	if ((e = cache_find(cache, key, now)) != NULL) {
		*r = e->result;
		r->days_left = (long)(((long long)e->not_after - now) / 86400);
		cache->stats.hits++;
	} else
		cache->stats.misses++;
	pthread_mutex_unlock(&cache->lock);
	return (e != NULL);
}

/* cache_put - remember r (replacing an equal key), oldest out when full */
static void
cache_put(struct smtp2_cert_cache *cache, const struct smtp2_cert_store *s,
    const unsigned char *key, time_t until, time_t not_after,
    const struct smtp2_cert_result *r)
{
	struct cache_entry *e, **slot;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;				/* only a lost optimisation */
	memcpy(e->key, key, CACHE_KEY_LEN);
	e->until = until;
	e->not_after = not_after;
	e->expiry_ms = cache_mono_ms() + (uint64_t)cache->ttl * 1000;
	e->result = *r;

	pthread_mutex_lock(&cache->lock);
	cache_flush_for(cache, s);
	for (slot = cache_slot(cache, key); *slot != NULL; slot = &(*slot)->next)
		if (memcmp((*slot)->key, key, CACHE_KEY_LEN) == 0) {
			cache_drop(cache, *slot);
			break;
		}
	while (cache->stats.entries >= cache->max && cache->oldest != NULL) {
		cache_drop(cache, cache->oldest);
		cache->stats.evictions++;
	}
	slot = cache_slot(cache, key);
	e->next = *slot;
	*slot = e;
	e->older = cache->newest;
	if (cache->newest != NULL)
		cache->newest->newer = e;
	else
		cache->oldest = e;
	cache->newest = e;
	cache->stats.entries++;
	pthread_mutex_unlock(&cache->lock);
}

/* smtp2_cert_verify_cached - a live entry, or verify and remember */
void
smtp2_cert_verify_cached(struct smtp2_cert_cache *cache,
    const struct smtp2_cert_store *s, const struct smtp2_chain *c,
    const char *domain, const unsigned char *ocsp_der, size_t ocsp_len,
    struct smtp2_cert_result *r)
{
	unsigned char key[CACHE_KEY_LEN];
	time_t	now, until, not_after;

	if (cache == NULL || s == NULL || smtp2_chain_len(c) == 0
	    || cache_key(s, c, domain, ocsp_der, ocsp_len, key) < 0) {
		smtp2_cert_verify(s, c, domain, ocsp_der, ocsp_len, r);
		return;
	}
	now = smtp2_cert_now(s);
	if (cache_hit(cache, s, key, now, r))
		return;
	smtp2_cert_verify_until(s, c, domain, ocsp_der, ocsp_len, r, &until);
	if (r->status == SMTP2_CERT_ERROR
	    || smtp2_cert_time(X509_get0_notAfter(sk_X509_value(c->certs, 0)),
	    &not_after) < 0)
		return;
	cache_put(cache, s, key, until, not_after, r);
}

/* smtp2_cert_cache_stats - counters, consistent with each other */
void
smtp2_cert_cache_stats(struct smtp2_cert_cache *cache,
    struct smtp2_cert_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (cache == NULL)
		return;
	pthread_mutex_lock(&cache->lock);
	*st = cache->stats;
	pthread_mutex_unlock(&cache->lock);
}

/* smtp2_cert_cache_free - every entry, then the cache */
void
smtp2_cert_cache_free(struct smtp2_cert_cache *cache)
{
	struct cache_entry *e, *next;

	if (cache == NULL)
		return;
	for (e = cache->oldest; e != NULL; e = next) {
		next = e->newer;
		free(e);
	}
	pthread_mutex_destroy(&cache->lock);
	free(cache->bucket);
	free(cache);
}
