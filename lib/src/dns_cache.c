/*
 * dns_cache.c - the process-wide answer cache, shared by every resolver.
 *
 * A chained hash table keyed by lower-cased name and type, plus a list in
 * insertion order so that a full cache drops its oldest entry in O(1).
 * Expired entries go when met by a lookup, and in a sweep of the whole
 * table at most once a second when the cache is full.  One mutex guards
 * everything; the critical sections are a hash walk and a copy.
 */

/* System library. */
#include <ctype.h>
#include <pthread.h>
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

struct smtp2_dns_cache {
	pthread_mutex_t	lock;
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

/* smtp2_dns_cache_put - store a copy of a under name/type */
int
smtp2_dns_cache_put(struct smtp2_dns_cache *c, const char *name, uint16_t type,
    const struct smtp2_dns_answer *a)
{
	struct dns_cache_entry *e, *old;
	uint32_t ttl;
	uint64_t now;

	if (c == NULL || name == NULL || a == NULL || a->status == SMTP2_DNS_TEMPFAIL)
		return (0);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (-1);
	if (dns_cache_key(name, e->name) < 0) {
		free(e);		/* no such DNS name: nothing to cache */
		return (0);
	}
	/* Copy outside the lock: only pointer work happens inside. */
	if ((e->answer = smtp2_dns_answer_copy(a)) == NULL) {
		free(e);
		return (-1);
	}
	e->type = type;
	e->hash = dns_cache_hash(e->name, type);
	ttl = a->ttl < c->ttl_cap ? a->ttl : c->ttl_cap;
	now = dns_cache_now();
	e->expiry_ms = now + (uint64_t)ttl * 1000;

	pthread_mutex_lock(&c->lock);
	if ((old = dns_cache_find(c, e->name, type, e->hash)) != NULL)
		dns_cache_unlink(c, old);
	dns_cache_make_room(c, now);
	dns_cache_link(c, e);
	pthread_mutex_unlock(&c->lock);
	return (0);
}

/* smtp2_dns_cache_get - a copy of the fresh answer for name/type */
struct smtp2_dns_answer *
smtp2_dns_cache_get(struct smtp2_dns_cache *c, const char *name, uint16_t type)
{
	struct dns_cache_entry *e;
	struct smtp2_dns_answer *copy = NULL;
	char	key[SMTP2_DNS_NAME_MAX + 1];
	uint64_t now;

	if (c == NULL || name == NULL || dns_cache_key(name, key) < 0)
		return (NULL);
	now = dns_cache_now();
	pthread_mutex_lock(&c->lock);
	if ((e = dns_cache_find(c, key, type, dns_cache_hash(key, type))) != NULL) {
		if (e->expiry_ms <= now)
			dns_cache_unlink(c, e);
		else if ((copy = smtp2_dns_answer_copy(e->answer)) != NULL)
			copy->ttl = (uint32_t)((e->expiry_ms - now + 999) / 1000);
	}
	pthread_mutex_unlock(&c->lock);
	return (copy);
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
