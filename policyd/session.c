/*
 * session.c - per-SMTP-connection TLS facts and verdict memo.
 *
 * A chained hash table for lookups plus one doubly-linked list ordered by
 * last update: refreshing a session moves it to the tail, so the head is
 * always the first to expire and the first to evict.  Everything is O(1)
 * under a single mutex; nothing slow ever runs while it is held.
 */

/* System library. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Application-specific. */
#include "session.h"

struct memo {
	char	domain[SMTP2_DOMAIN_MAX + 1];
	time_t	at;
	struct smtp2_verdict v;
};

struct entry {
	struct entry *hnext;		/* hash chain */
	struct entry *older, *newer;	/* age list */
	uint32_t hash;
	time_t	seen;			/* last update */
	char	addr[POLICYD_ADDR_MAX + 1];
	char	port[POLICYD_PORT_MAX + 1];
	struct smtp2_tls_facts facts;
	struct memo *memo[POLICYD_MEMO_MAX];	/* allocated on demand */
};

struct policyd_sessions {
	pthread_mutex_t lock;
	unsigned ttl;
	size_t	max, count, mask;
	struct entry **bucket;
	struct entry *oldest, *newest;
};

/* policyd_session_clock - monotonic seconds, immune to clock changes */
time_t
policyd_session_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* policyd_sessions_new - create an empty table */
struct policyd_sessions *
policyd_sessions_new(size_t max_entries, unsigned ttl)
{
	struct policyd_sessions *t;
	size_t n = 64;

	if (max_entries == 0)
		return NULL;
	/* About one bucket per entry keeps chains short. */
	while (n < max_entries && n < ((size_t)1 << 30))
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->bucket = calloc(n, sizeof(*t->bucket))) == NULL) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->mask = n - 1;
	t->max = max_entries;
	t->ttl = ttl;
	return t;
}

/* entry_free - release a session and its memo */
static void
entry_free(struct entry *e)
{
	for (size_t i = 0; i < POLICYD_MEMO_MAX; i++)
		free(e->memo[i]);
	free(e);
}

/* policyd_sessions_free - destroy the table and every session in it */
void
policyd_sessions_free(struct policyd_sessions *t)
{
	struct entry *e, *next;

	if (t == NULL)
		return;
	for (e = t->oldest; e != NULL; e = next) {
		next = e->newer;
		entry_free(e);
	}
	pthread_mutex_destroy(&t->lock);
	free(t->bucket);
	free(t);
}

/* key_hash - FNV-1a over address and port; the NUL separates them */
static uint32_t
key_hash(const char *addr, const char *port)
{
	uint32_t h = 2166136261u;

	for (const char *p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h *= 16777619u;
	for (const char *p = port; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* key_ok - is this a key we can store?  Empty or oversized keys are not */
static bool
key_ok(const char *addr, const char *port)
{
	return addr != NULL && port != NULL && *addr != 0 && *port != 0 &&
	    strlen(addr) <= POLICYD_ADDR_MAX && strlen(port) <= POLICYD_PORT_MAX;
}

/* age_unlink - take e out of the age list */
static void
age_unlink(struct policyd_sessions *t, struct entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	e->older = e->newer = NULL;
}

/* age_append - make e the newest session */
static void
age_append(struct policyd_sessions *t, struct entry *e)
{
	e->older = t->newest;
	e->newer = NULL;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
}

/* entry_drop - remove e from the table and free it */
static void
entry_drop(struct policyd_sessions *t, struct entry *e)
{
	struct entry **pp = &t->bucket[e->hash & t->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	age_unlink(t, e);
	t->count--;
	entry_free(e);
}

/* expired - has e outlived the table's ttl? */
static bool
expired(const struct policyd_sessions *t, const struct entry *e,
    time_t now)
{
	return now - e->seen >= (time_t)t->ttl;
}

/* lookup - the fresh session for addr/port; a stale one is dropped */
static struct entry *
lookup(struct policyd_sessions *t, const char *addr,
    const char *port, time_t now)
{
	uint32_t h = key_hash(addr, port);
	struct entry *e;

	for (e = t->bucket[h & t->mask]; e != NULL; e = e->hnext)
		if (e->hash == h && strcmp(e->addr, addr) == 0 &&
		    strcmp(e->port, port) == 0)
			break;
	if (e != NULL && expired(t, e, now)) {
		entry_drop(t, e);
		e = NULL;
	}
	return e;
}

/* make_room - drop stale sessions, then the oldest if still full */
static void
make_room(struct policyd_sessions *t, time_t now)
{
	while (t->oldest != NULL && expired(t, t->oldest, now))
		entry_drop(t, t->oldest);
	if (t->count >= t->max && t->oldest != NULL)
		entry_drop(t, t->oldest);
}

/* entry_new - insert an empty session for addr/port */
static struct entry *
entry_new(struct policyd_sessions *t, const char *addr,
    const char *port)
{
	struct entry *e;
	size_t b;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->hash = key_hash(addr, port);
	strcpy(e->addr, addr);		/* lengths checked by key_ok() */
	strcpy(e->port, port);
	b = e->hash & t->mask;
	e->hnext = t->bucket[b];
	t->bucket[b] = e;
	age_append(t, e);
	t->count++;
	return e;
}

/* facts_equal - are a and b the same TLS facts? */
static bool
facts_equal(const struct smtp2_tls_facts *a,
    const struct smtp2_tls_facts *b)
{
	return a->cert_presented == b->cert_presented &&
	    a->cert_trusted == b->cert_trusted &&
	    strcmp(a->subject_cn, b->subject_cn) == 0 &&
	    a->have_cert_sha256 == b->have_cert_sha256 &&
	    (!a->have_cert_sha256 ||
	    memcmp(a->cert_sha256, b->cert_sha256, SMTP2_SHA256_LEN) == 0) &&
	    a->have_spki_sha256 == b->have_spki_sha256 &&
	    (!a->have_spki_sha256 ||
	    memcmp(a->spki_sha256, b->spki_sha256, SMTP2_SHA256_LEN) == 0) &&
	    strcmp(a->protocol, b->protocol) == 0 &&
	    strcmp(a->cipher, b->cipher) == 0;
}

/* memo_clear - forget every memoised verdict of e */
static void
memo_clear(struct entry *e)
{
	for (size_t i = 0; i < POLICYD_MEMO_MAX; i++) {
		free(e->memo[i]);
		e->memo[i] = NULL;
	}
}

/* policyd_session_put - store facts, refresh lifetime */
int
policyd_session_put(struct policyd_sessions *t, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, time_t now)
{
	struct entry *e;

	if (!key_ok(addr, port))
		return -1;
	pthread_mutex_lock(&t->lock);
	if ((e = lookup(t, addr, port, now)) == NULL) {
		make_room(t, now);
		e = entry_new(t, addr, port);
	} else {
		if (!facts_equal(&e->facts, f))
			memo_clear(e);
		age_unlink(t, e);
		age_append(t, e);
	}
	if (e != NULL) {
		e->facts = *f;
		e->seen = now;
	}
	pthread_mutex_unlock(&t->lock);
	return e != NULL ? 0 : -1;
}

/* policyd_session_get - copy out the facts of a fresh session */
int
policyd_session_get(struct policyd_sessions *t, const char *addr,
    const char *port, struct smtp2_tls_facts *f, time_t now)
{
	struct entry *e;

	if (!key_ok(addr, port))
		return 0;
	pthread_mutex_lock(&t->lock);
	if ((e = lookup(t, addr, port, now)) != NULL)
		*f = e->facts;
	pthread_mutex_unlock(&t->lock);
	return e != NULL;
}

/* memo_fresh - may m still stand in for a verification? */
static bool
memo_fresh(const struct memo *m, time_t now)
{
	/* A DNS failure may heal within seconds: retry it soon. */
	time_t ttl = m->v.result == SMTP2_RESULT_TEMPERROR ?
	    POLICYD_MEMO_TEMP_TTL : POLICYD_MEMO_TTL;

	return now - m->at < ttl;
}

/* policyd_session_memo_get - a memoised verdict for domain, if fresh */
int
policyd_session_memo_get(struct policyd_sessions *t, const char *addr,
    const char *port, const char *domain, struct smtp2_verdict *v, time_t now)
{
	struct entry *e;
	int hit = 0;

	if (!key_ok(addr, port))
		return 0;
	pthread_mutex_lock(&t->lock);
	if ((e = lookup(t, addr, port, now)) != NULL) {
		for (size_t i = 0; i < POLICYD_MEMO_MAX && !hit; i++) {
			struct memo *m = e->memo[i];

			if (m && strcmp(m->domain, domain) == 0 && memo_fresh(m, now)) {
				*v = m->v;
				hit = 1;
			}
		}
	}
	pthread_mutex_unlock(&t->lock);
	return hit;
}

/* memo_slot - where domain's verdict goes: its own, a free or the oldest */
static struct memo **
memo_slot(struct entry *e, const char *domain)
{
	struct memo **free_slot = NULL, **oldest = NULL;

	for (size_t i = 0; i < POLICYD_MEMO_MAX; i++) {
		struct memo **s = &e->memo[i];

		if (*s == NULL) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (strcmp((*s)->domain, domain) == 0) {
			return s;
		} else if (oldest == NULL || (*s)->at < (*oldest)->at) {
			oldest = s;
		}
	}
	return free_slot != NULL ? free_slot : oldest;
}

/* policyd_session_memo_put - memoise a verdict for the facts it rests on */
void
policyd_session_memo_put(struct policyd_sessions *t, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, const char *domain,
    const struct smtp2_verdict *v, time_t now)
{
	struct entry *e;
	struct memo **s;

	if (!key_ok(addr, port) || strlen(domain) > SMTP2_DOMAIN_MAX)
		return;
	pthread_mutex_lock(&t->lock);
	e = lookup(t, addr, port, now);
	if (e != NULL && facts_equal(&e->facts, f)) {
		s = memo_slot(e, domain);
		if (*s == NULL)
			*s = malloc(sizeof(**s));
		if (*s != NULL) {
			strcpy((*s)->domain, domain);
			(*s)->at = now;
			(*s)->v = *v;
		}
	}
	pthread_mutex_unlock(&t->lock);
}

/* policyd_sessions_count - number of sessions held */
size_t
policyd_sessions_count(struct policyd_sessions *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}
