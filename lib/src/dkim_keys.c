/*
 * dkim_keys.c - parsed DKIM keys remembered across messages and threads.
 *
 * A chained hash table on the key's DNS name, plus a list in insertion
 * order so that a full cache drops its oldest entry in O(1).  An entry
 * holds what a signature check needs (the EVP_PKEY, its flags and the
 * DNSSEC status of the record), or the reason there is no usable key: a
 * missing, revoked or malformed key is as stable as a good one.
 * TEMPERROR is never kept.  Entries die at the record's TTL, capped,
 * on the monotonic clock; expired ones go when a lookup meets them.
 *
 * One mutex guards everything.  A hit hands out a new reference to the
 * key (EVP_PKEY_up_ref), so a key evicted meanwhile stays valid for the
 * thread using it.  Misses look up outside the lock: two threads missing
 * on one key both ask (the DNS cache makes that one query), and the
 * second insert replaces the first.
 */

/* System library. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include <smtp2/dkim_verify.h>
#include "dkim_verify_int.h"

#define KEYS_BUCKETS_MAX	(1u << 16)

struct keys_entry {
	struct keys_entry *next;		/* hash chain */
	struct keys_entry *older, *newer;	/* insertion order */
	uint64_t	expiry_ms;		/* CLOCK_MONOTONIC */
	uint32_t	hash;
	struct smtp2_dkim_keyinfo info;		/* info.pkey: our reference */
	char		name[];			/* lower case */
};

struct smtp2_dkim_keys {
	pthread_mutex_t	lock;
	struct keys_entry **bucket;		/* owned, nbuckets long */
	size_t		nbuckets;		/* power of two */
	size_t		max, n;
	uint32_t	ttl_cap;
	struct keys_entry *oldest, *newest;
	EVP_MD		*sha256;		/* owned; immutable once set */
};

/* keys_mono_ms - monotonic milliseconds */
static uint64_t
keys_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* keys_hash - FNV-1a of the name */
static uint32_t
keys_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return (h);
}

/* smtp2_dkim_keys_new - an empty cache; NULL when max_entries is 0 or
 * out of memory */
struct smtp2_dkim_keys *
smtp2_dkim_keys_new(size_t max_entries, uint32_t ttl_cap)
{
	struct smtp2_dkim_keys *k;
	size_t	nb = 16;

	if (max_entries == 0 || (k = calloc(1, sizeof(*k))) == NULL)
		return (NULL);
	while (nb < max_entries && nb < KEYS_BUCKETS_MAX)
		nb <<= 1;
	k->nbuckets = nb;
	k->max = max_entries;
	k->ttl_cap = ttl_cap;
	if ((k->bucket = calloc(nb, sizeof(*k->bucket))) == NULL
	    || (k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL
	    || pthread_mutex_init(&k->lock, NULL) != 0) {
		EVP_MD_free(k->sha256);
		free(k->bucket);
		free(k);
		return (NULL);
	}
	return (k);
}

/* keys_drop - take e out of its chain and the list, and free it */
static void
keys_drop(struct smtp2_dkim_keys *k, struct keys_entry *e)
{
	struct keys_entry **pp;

	for (pp = &k->bucket[e->hash & (k->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		k->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		k->newest = e->older;
	k->n--;
	smtp2_dkim_keyinfo_clear(&e->info);
	free(e);
}

/* keys_find - name's entry, or NULL (lock held) */
static struct keys_entry *
keys_find(struct smtp2_dkim_keys *k, const char *name, uint32_t hash)
{
	struct keys_entry *e;

	for (e = k->bucket[hash & (k->nbuckets - 1)]; e != NULL; e = e->next)
		if (e->hash == hash && strcmp(e->name, name) == 0)
			return (e);
	return (NULL);
}

/* keys_lookup - a fresh entry's copy, with its own key reference */
static bool
keys_lookup(struct smtp2_dkim_keys *k, const char *name,
    struct smtp2_dkim_keyinfo *ki)
{
	uint32_t hash = keys_hash(name);
	struct keys_entry *e;
	bool	hit = false;

	pthread_mutex_lock(&k->lock);
	if ((e = keys_find(k, name, hash)) != NULL
	    && e->expiry_ms <= keys_mono_ms()) {
		keys_drop(k, e);
		e = NULL;
	}
	if (e != NULL && (e->info.pkey == NULL
	    || EVP_PKEY_up_ref(e->info.pkey) == 1)) {
		*ki = e->info;
		hit = true;
	}
	pthread_mutex_unlock(&k->lock);
	return (hit);
}

/* keys_insert - remember ki under name for ttl seconds (capped) */
static void
keys_insert(struct smtp2_dkim_keys *k, const char *name,
    const struct smtp2_dkim_keyinfo *ki, uint32_t ttl)
{
	size_t	len = strlen(name);
	struct keys_entry *e, *old, **slot;

	if (ttl > k->ttl_cap)
		ttl = k->ttl_cap;
	if (ttl == 0 || (e = calloc(1, sizeof(*e) + len + 1)) == NULL)
		return;
	if (ki->pkey != NULL && EVP_PKEY_up_ref(ki->pkey) != 1) {
		free(e);
		return;
	}
	memcpy(e->name, name, len + 1);
	e->hash = keys_hash(name);
	e->info = *ki;
	e->expiry_ms = keys_mono_ms() + (uint64_t)ttl * 1000;
	pthread_mutex_lock(&k->lock);
	if ((old = keys_find(k, name, e->hash)) != NULL)
		keys_drop(k, old);
	while (k->n >= k->max && k->oldest != NULL)
		keys_drop(k, k->oldest);
	slot = &k->bucket[e->hash & (k->nbuckets - 1)];
	e->next = *slot;
	*slot = e;
	e->older = k->newest;
	if (k->newest != NULL)
		k->newest->newer = e;
	else
		k->oldest = e;
	k->newest = e;
	k->n++;
	pthread_mutex_unlock(&k->lock);
}

/* smtp2_dkim_keys_get - from the cache when fresh, else from DNS */
void
smtp2_dkim_keys_get(struct smtp2_dkim_keys *k, struct smtp2_dns *dns,
    const char *name, struct smtp2_dkim_keyinfo *ki)
{
	uint32_t ttl;

	if (k != NULL && keys_lookup(k, name, ki))
		return;
	ttl = smtp2_dkim_key_fetch(dns, name, ki);
	if (k != NULL && ki->result != SMTP2_DKIMV_TEMPERROR)
		keys_insert(k, name, ki, ttl);
}

/* smtp2_dkim_keys_md - the cache's SHA-256 */
const EVP_MD *
smtp2_dkim_keys_md(const struct smtp2_dkim_keys *k)
{
	return (k != NULL ? k->sha256 : NULL);
}

/* smtp2_dkim_keys_free - every entry, then the cache */
void
smtp2_dkim_keys_free(struct smtp2_dkim_keys *k)
{
	if (k == NULL)
		return;
	while (k->oldest != NULL)
		keys_drop(k, k->oldest);
	pthread_mutex_destroy(&k->lock);
	EVP_MD_free(k->sha256);
	free(k->bucket);
	free(k);
}
