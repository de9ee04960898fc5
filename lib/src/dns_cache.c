/*
 * dns_cache.c - the process-wide answer cache, shared by every resolver.
 *
 * A chained hash table keyed by lower-cased name and type, plus a list in
 * insertion order so that a full cache drops its oldest entry in O(1).
 * Expired entries go when met by a lookup, and in a sweep of the whole
 * table at most once a second when the cache is full.
 *
 * The cache also coalesces lookups: while one resolver asks upstream for
 * a name and type (a "flight"), others asking for the same wait for its
 * answer instead of sending the same query again.  A burst of mail from
 * one new domain then costs one query, not one per thread.
 *
 * One mutex guards everything; the critical sections are a hash walk, a
 * short list walk and a copy.
 */

/* System library. */
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include "dns_int.h"

/* Buckets are a power of two, at most this many (8 MB of pointers). */
#define DNS_CACHE_BUCKETS_MAX	(1u << 20)

/* How often a full cache may walk everything looking for expired entries. */
#define DNS_CACHE_SWEEP_MS	1000

struct dns_cache_entry {
	struct dns_cache_entry *next;		/* hash chain */
	struct dns_cache_entry *older, *newer;	/* insertion order */
	struct smtp2_dns_answer *answer;	/* owned */
	uint64_t	expiry_ms;		/* CLOCK_MONOTONIC */
	uint32_t	hash;
	uint16_t	type;
	char		name[SMTP2_DNS_NAME_MAX + 1];	/* lower case */
};

/*
 * A lookup under way.  The owner (the caller that created it) and every
 * waiter hold a reference; the last one out frees it, so a waiter that
 * gave up never leaves the owner writing into freed memory.
 */
struct smtp2_dns_flight {
	struct smtp2_dns_flight *next;
	pthread_cond_t	done_cv;		/* CLOCK_MONOTONIC */
	struct smtp2_dns_answer *answer;	/* owned; NULL: owner's ENOMEM */
	unsigned	refs;
	bool		done;
	uint32_t	hash;
	uint16_t	type;
	char		name[SMTP2_DNS_NAME_MAX + 1];	/* lower case */
};

struct smtp2_dns_cache {
	pthread_mutex_t	lock;
	/* At most one flight per busy resolver: a list is short enough. */
	struct smtp2_dns_flight *flights;
	struct dns_cache_entry **bucket;	/* owned, nbuckets long */
	size_t		nbuckets;		/* power of two */
	size_t		n, max;
	uint32_t	ttl_cap;
	uint64_t	last_sweep_ms;
	struct dns_cache_entry *oldest, *newest;
};

/* dns_cache_now - monotonic milliseconds; immune to clock steps */
static uint64_t
dns_cache_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* dns_cache_key - lower-case name into key; -1 when too long to cache */
static int
dns_cache_key(const char *name, char key[SMTP2_DNS_NAME_MAX + 1])
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i >= SMTP2_DNS_NAME_MAX)
			return (-1);
		key[i] = (char)tolower((unsigned char)name[i]);
	}
	key[i] = '\0';
	return (0);
}

/* dns_cache_hash - FNV-1a over key and type */
static uint32_t
dns_cache_hash(const char *key, uint16_t type)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	return (h);
}

/* smtp2_dns_cache_new - empty cache bounded in entries and staleness */
struct smtp2_dns_cache *
smtp2_dns_cache_new(size_t max_entries, uint32_t ttl_cap)
{
	struct smtp2_dns_cache *c;
	size_t	nb = 16;

	if (max_entries == 0)
		return (NULL);
	while (nb < max_entries && nb < DNS_CACHE_BUCKETS_MAX)
		nb <<= 1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->bucket = calloc(nb, sizeof(*c->bucket))) == NULL ||
	    pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->bucket);
		free(c);
		return (NULL);
	}
	c->nbuckets = nb;
	c->max = max_entries;
	c->ttl_cap = ttl_cap;
	return (c);
}

/* dns_cache_unlink - take e out of its chain and the age list, free it */
static void
dns_cache_unlink(struct smtp2_dns_cache *c, struct dns_cache_entry *e)
{
	struct dns_cache_entry **pp = &c->bucket[e->hash & (c->nbuckets - 1)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->next;
	if (*pp == e)
		*pp = e->next;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	c->n--;
	smtp2_dns_answer_free(e->answer);
	free(e);
}

/* dns_cache_find - the entry for key/type, or NULL (lock held) */
static struct dns_cache_entry *
dns_cache_find(struct smtp2_dns_cache *c, const char *key, uint16_t type,
    uint32_t hash)
{
	struct dns_cache_entry *e;

	for (e = c->bucket[hash & (c->nbuckets - 1)]; e != NULL; e = e->next)
		if (e->hash == hash && e->type == type && strcmp(e->name, key) == 0)
			return (e);
	return (NULL);
}

/* dns_cache_make_room - drop expired entries, then the oldest (lock held) */
static void
dns_cache_make_room(struct smtp2_dns_cache *c, uint64_t now)
{
	struct dns_cache_entry *e, *newer;

	if (c->n < c->max)
		return;
	/* A full walk is O(n): rate-limit it so puts stay O(1) on average. */
	if (now - c->last_sweep_ms >= DNS_CACHE_SWEEP_MS) {
		c->last_sweep_ms = now;
		for (e = c->oldest; e != NULL; e = newer) {
			newer = e->newer;
			if (e->expiry_ms <= now)
				dns_cache_unlink(c, e);
		}
	}
	while (c->n >= c->max && c->oldest != NULL)
		dns_cache_unlink(c, c->oldest);
}

/* dns_cache_link - insert e as the newest entry (lock held) */
static void
dns_cache_link(struct smtp2_dns_cache *c, struct dns_cache_entry *e)
{
	struct dns_cache_entry **head = &c->bucket[e->hash & (c->nbuckets - 1)];

	e->next = *head;
	*head = e;
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->n++;
}

/*
 * dns_cache_entry_new - an entry holding a copy of a, made outside the
 * lock.  0 with *ep NULL when there is nothing to cache (TEMPFAIL, no
 * answer, a name too long to exist), -1 when out of memory.
 */
static int
dns_cache_entry_new(const struct smtp2_dns_cache *c, const char *name,
    uint16_t type, const struct smtp2_dns_answer *a, uint64_t now,
    struct dns_cache_entry **ep)
{
	struct dns_cache_entry *e;
	uint32_t ttl;

	*ep = NULL;
	if (name == NULL || a == NULL || a->status == SMTP2_DNS_TEMPFAIL)
		return (0);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (-1);
	if (dns_cache_key(name, e->name) < 0) {
		free(e);
		return (0);
	}
	if ((e->answer = smtp2_dns_answer_copy(a)) == NULL) {
		free(e);
		return (-1);
	}
	e->type = type;
	e->hash = dns_cache_hash(e->name, type);
	ttl = a->ttl < c->ttl_cap ? a->ttl : c->ttl_cap;
	e->expiry_ms = now + (uint64_t)ttl * 1000;
	*ep = e;
	return (0);
}

/* dns_cache_store - e replaces any entry of its key (lock held) */
static void
dns_cache_store(struct smtp2_dns_cache *c, struct dns_cache_entry *e,
    uint64_t now)
{
	struct dns_cache_entry *old;

	if ((old = dns_cache_find(c, e->name, e->type, e->hash)) != NULL)
		dns_cache_unlink(c, old);
	dns_cache_make_room(c, now);
	dns_cache_link(c, e);
}

/* smtp2_dns_cache_put - store a copy of a under name/type */
int
smtp2_dns_cache_put(struct smtp2_dns_cache *c, const char *name, uint16_t type,
    const struct smtp2_dns_answer *a)
{
	struct dns_cache_entry *e;
	uint64_t now = dns_cache_now();

	if (c == NULL)
		return (0);
	/* Copy outside the lock: only pointer work happens inside. */
	if (dns_cache_entry_new(c, name, type, a, now, &e) < 0)
		return (-1);
	if (e == NULL)
		return (0);
	pthread_mutex_lock(&c->lock);
	dns_cache_store(c, e, now);
	pthread_mutex_unlock(&c->lock);
	return (0);
}

/* dns_cache_fresh - a copy of key's unexpired answer, or NULL (lock held) */
static struct smtp2_dns_answer *
dns_cache_fresh(struct smtp2_dns_cache *c, const char *key, uint16_t type,
    uint32_t hash, uint64_t now)
{
	struct dns_cache_entry *e;
	struct smtp2_dns_answer *copy;

	if ((e = dns_cache_find(c, key, type, hash)) == NULL)
		return (NULL);
	if (e->expiry_ms <= now) {
		dns_cache_unlink(c, e);
		return (NULL);
	}
	/* Out of memory makes this a miss, which costs only a query. */
	if ((copy = smtp2_dns_answer_copy(e->answer)) != NULL)
		copy->ttl = (uint32_t)((e->expiry_ms - now + 999) / 1000);
	return (copy);
}

/* dns_flight_find - the lookup of key/type under way, or NULL (lock held) */
static struct smtp2_dns_flight *
dns_flight_find(struct smtp2_dns_cache *c, const char *key, uint16_t type,
    uint32_t hash)
{
	struct smtp2_dns_flight *f;

	for (f = c->flights; f != NULL; f = f->next)
		if (f->hash == hash && f->type == type && strcmp(f->name, key) == 0)
			return (f);
	return (NULL);
}

/* dns_flight_new - a flight owned by its creator; NULL without memory */
static struct smtp2_dns_flight *
dns_flight_new(const char *key, uint16_t type, uint32_t hash)
{
	struct smtp2_dns_flight *f;
	pthread_condattr_t attr;
	int	ok;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	/* Waits are timed on the monotonic clock, like the cache's TTLs. */
	if (pthread_condattr_init(&attr) != 0) {
		free(f);
		return (NULL);
	}
	ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&f->done_cv, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok) {
		free(f);
		return (NULL);
	}
	memcpy(f->name, key, strlen(key) + 1);
	f->type = type;
	f->hash = hash;
	f->refs = 1;
	return (f);
}

/* dns_flight_release - drop one reference, free on the last (lock held) */
static void
dns_flight_release(struct smtp2_dns_flight *f)
{
	if (--f->refs > 0)
		return;
	smtp2_dns_answer_free(f->answer);
	pthread_cond_destroy(&f->done_cv);
	free(f);
}

/* dns_flight_unlink - f is no longer findable (lock held) */
static void
dns_flight_unlink(struct smtp2_dns_cache *c, struct smtp2_dns_flight *f)
{
	struct smtp2_dns_flight **pp;

	for (pp = &c->flights; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			return;
		}
	}
}

/* dns_deadline - the monotonic time wait_ms from now */
static struct timespec
dns_deadline(unsigned wait_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(wait_ms / 1000);
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return (ts);
}

/* dns_flight_join - wait for f to land, take a copy of its answer */
static enum smtp2_dns_claim
dns_flight_join(struct smtp2_dns_cache *c, struct smtp2_dns_flight *f,
    unsigned wait_ms, struct smtp2_dns_answer **ap)
{
	struct timespec deadline = dns_deadline(wait_ms);
	enum smtp2_dns_claim r;

	f->refs++;
	/* 0 is a wake-up (maybe spurious); anything else ends the wait. */
	while (!f->done &&
	    pthread_cond_timedwait(&f->done_cv, &c->lock, &deadline) == 0)
		continue;
	if (!f->done)
		r = SMTP2_DNS_CLAIM_GAVE_UP;
	else if (f->answer != NULL &&
	    (*ap = smtp2_dns_answer_copy(f->answer)) != NULL)
		r = SMTP2_DNS_CLAIM_HIT;
	else
		r = SMTP2_DNS_CLAIM_ALONE;	/* nothing to share: ask */
	dns_flight_release(f);
	return (r);
}

/* smtp2_dns_cache_claim - cached answer, another's answer, or our turn */
enum smtp2_dns_claim
smtp2_dns_cache_claim(struct smtp2_dns_cache *c, const char *name,
    uint16_t type, unsigned wait_ms, struct smtp2_dns_answer **ap,
    struct smtp2_dns_flight **fp)
{
	struct smtp2_dns_flight *f;
	enum smtp2_dns_claim r;
	char	key[SMTP2_DNS_NAME_MAX + 1];
	uint32_t hash;
	uint64_t now;

	*ap = NULL;
	*fp = NULL;
	if (c == NULL || name == NULL || dns_cache_key(name, key) < 0)
		return (SMTP2_DNS_CLAIM_ALONE);
	hash = dns_cache_hash(key, type);
	now = dns_cache_now();
	/* Cache and flights are checked under one lock: an answer landing
	 * in between could otherwise be missed and asked for again. */
	pthread_mutex_lock(&c->lock);
	if ((*ap = dns_cache_fresh(c, key, type, hash, now)) != NULL) {
		r = SMTP2_DNS_CLAIM_HIT;
	} else if ((f = dns_flight_find(c, key, type, hash)) != NULL) {
		r = dns_flight_join(c, f, wait_ms, ap);
	} else if ((f = dns_flight_new(key, type, hash)) != NULL) {
		/* Allocating under the lock is fine: a query follows anyway. */
		f->next = c->flights;
		c->flights = f;
		*fp = f;
		r = SMTP2_DNS_CLAIM_ASK;
	} else {
		r = SMTP2_DNS_CLAIM_ALONE;
	}
	pthread_mutex_unlock(&c->lock);
	return (r);
}

/* smtp2_dns_cache_land - cache a, hand it to the waiters, end the flight */
void
smtp2_dns_cache_land(struct smtp2_dns_cache *c, struct smtp2_dns_flight *f,
    const struct smtp2_dns_answer *a)
{
	struct dns_cache_entry *e;
	uint64_t now = dns_cache_now();

	if (c == NULL || f == NULL)
		return;
	/* A cache that cannot store is only a slower cache: ignore ENOMEM. */
	(void)dns_cache_entry_new(c, f->name, f->type, a, now, &e);
	pthread_mutex_lock(&c->lock);
	/* Stored and unlinked together: a newcomer finds one or the other. */
	if (e != NULL)
		dns_cache_store(c, e, now);
	/* TEMPFAIL too: the waiters asked at the same moment, and asking
	 * again at once would hit the same trouble. */
	if (f->refs > 1 && a != NULL)
		f->answer = smtp2_dns_answer_copy(a);
	f->done = true;
	dns_flight_unlink(c, f);
	pthread_cond_broadcast(&f->done_cv);
	dns_flight_release(f);
	pthread_mutex_unlock(&c->lock);
}

/* smtp2_dns_cache_flush - forget everything */
void
smtp2_dns_cache_flush(struct smtp2_dns_cache *c)
{
	size_t	guard;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (guard = c->n + 1; c->oldest != NULL && guard > 0; guard--)
		dns_cache_unlink(c, c->oldest);
	pthread_mutex_unlock(&c->lock);
}

/* smtp2_dns_cache_free - flush and destroy */
void
smtp2_dns_cache_free(struct smtp2_dns_cache *c)
{
	if (c == NULL)
		return;
	smtp2_dns_cache_flush(c);
	pthread_mutex_destroy(&c->lock);
	free(c->bucket);
	free(c);
}
