/*
 * mtasts.c - which MTA-STS policy applies to a domain right now.
 *
 * The TXT record's id says whether the cached policy is still the
 * domain's; a policy is fetched only when none is cached or the id
 * changed.  An unexpired policy outlives failures: a missing TXT record,
 * an unreachable or broken policy host (RFC 8461 5.1), which is what
 * stops an attacker who blocks the fetch from downgrading delivery.
 */

/* System library. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/mtasts.h>
#include <smtp2/verify.h>
#include "mtasts.h"

#define STS_ADDRS_MAX	4	/* addresses of the policy host tried */

struct sts_entry {
	bool	used;
	time_t	expires;		/* fetched + max_age */
	char	domain[SMTP2_DOMAIN_MAX + 1];
	char	id[SMTP2_MTASTS_ID_MAX + 1];
	struct smtp2_mtasts_policy policy;
};

struct policyd_mtasts {
	struct policyd_mtasts_conf conf;	/* strings borrowed */
	pthread_mutex_t lock;			/* guards the entries */
	size_t	n;
	struct sts_entry *e;
};

/* policyd_mtasts_new - an empty cache of conf->cache_entries domains */
struct policyd_mtasts *
policyd_mtasts_new(const struct policyd_mtasts_conf *conf)
{
	struct policyd_mtasts *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->conf = *conf;
	m->n = conf->cache_entries > 0 ? conf->cache_entries : 1;
	if ((m->e = calloc(m->n, sizeof(*m->e))) == NULL) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

/* policyd_mtasts_free - release the cache */
void
policyd_mtasts_free(struct policyd_mtasts *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->e);
	free(m);
}

/* sts_now - seconds on a clock that never jumps */
static time_t
sts_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* sts_cache_get - the unexpired policy of domain and its id; false if none */
static bool
sts_cache_get(struct policyd_mtasts *m, const char *domain, time_t now,
    struct smtp2_mtasts_policy *p, char *id)
{
	bool	found = false;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n && !found; i++) {
		struct sts_entry *e = &m->e[i];

		if (e->used && e->expires > now && strcmp(e->domain, domain) == 0) {
			*p = e->policy;
			memcpy(id, e->id, sizeof(e->id));
			found = true;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

/* sts_reusable - a slot that holds nothing worth keeping */
static bool
sts_reusable(const struct sts_entry *e, time_t now)
{
	return !e->used || e->expires <= now;
}

/* sts_cache_put - remember a policy: over the domain's old one, in a free
 * or expired slot, or else over the one that expires first */
static void
sts_cache_put(struct policyd_mtasts *m, const char *domain, const char *id,
    const struct smtp2_mtasts_policy *p, time_t now)
{
	struct sts_entry *slot = NULL, *e;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (e->used && strcmp(e->domain, domain) == 0) {
			slot = e;
			break;
		}
		if (slot != NULL && sts_reusable(slot, now))
			continue;
		if (slot == NULL || sts_reusable(e, now) ||
		    e->expires < slot->expires)
			slot = e;
	}
	slot->used = true;
	slot->expires = now + (time_t)p->max_age;
	snprintf(slot->domain, sizeof(slot->domain), "%s", domain);
	snprintf(slot->id, sizeof(slot->id), "%s", id);
	slot->policy = *p;
	pthread_mutex_unlock(&m->lock);
}

/* sts_txt_id - the id at _mta-sts.<domain>; false with why when none */
static bool
sts_txt_id(struct smtp2_dns *dns, const char *domain, char *id, char *why,
    size_t whylen)
{
	struct smtp2_dns_answer *a;
	char	name[SMTP2_DOMAIN_MAX + 16], *txt[8];
	size_t	lens[8], i, n = 0;
	bool	ok = false;

	snprintf(name, sizeof(name), "_mta-sts.%s", domain);
	if ((a = smtp2_dns_query(dns, name, SMTP2_DNS_T_TXT)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	if (a->status != SMTP2_DNS_OK)
		snprintf(why, whylen, "%.120s: %.120s", name,
		    a->status == SMTP2_DNS_TEMPFAIL ? a->why : "no TXT record");
	for (n = 0; a->status == SMTP2_DNS_OK && n < a->n && n < 8; n++)
		if ((txt[n] = smtp2_dns_txt_join(&a->rr[n], &lens[n])) == NULL)
			break;
	if (a->status == SMTP2_DNS_OK && n == (a->n < 8 ? a->n : 8))
		ok = smtp2_mtasts_txt_select((const char *const *)txt, lens, n,
		    id, why, whylen) == SMTP2_MTASTS_OK;
	for (i = 0; i < n; i++)
		free(txt[i]);
	smtp2_dns_answer_free(a);
	return ok;
}

/* sts_addrs_of - append the addresses of one A or AAAA answer */
static void
sts_addrs_of(const struct smtp2_dns_answer *a, int af, char *out,
    size_t outlen, unsigned *count)
{
	char	text[INET6_ADDRSTRLEN];
	size_t	want = af == AF_INET ? 4 : 16, n;

	for (size_t i = 0; i < a->n && *count < STS_ADDRS_MAX; i++) {
		if (a->rr[i].len != want ||
		    inet_ntop(af, a->rr[i].rdata, text, sizeof(text)) == NULL)
			continue;
		n = strlen(out);
		snprintf(out + n, outlen - n, af == AF_INET ? "%s%s" : "%s[%s]",
		    *count ? "," : "", text);
		(*count)++;
	}
}

/* sts_addrs - "a,b" for mta-sts.<domain>, through our resolver */
static bool
sts_addrs(struct smtp2_dns *dns, const char *domain, char *out,
    size_t outlen, char *why, size_t whylen)
{
	static const struct { uint16_t type; int af; } t[] = {
		{ SMTP2_DNS_T_A, AF_INET }, { SMTP2_DNS_T_AAAA, AF_INET6 },
	};
	struct smtp2_dns_answer *a;
	char	host[SMTP2_DOMAIN_MAX + 16];
	unsigned count = 0;

	out[0] = '\0';
	snprintf(host, sizeof(host), "mta-sts.%s", domain);
	for (size_t i = 0; i < 2 && count == 0; i++) {
		if ((a = smtp2_dns_query(dns, host, t[i].type)) == NULL)
			break;
		if (a->status == SMTP2_DNS_OK)
			sts_addrs_of(a, t[i].af, out, outlen, &count);
		else if (a->status == SMTP2_DNS_TEMPFAIL)
			snprintf(why, whylen, "%.120s: %.120s", host, a->why);
		smtp2_dns_answer_free(a);
	}
	if (count == 0 && why[0] == '\0')
		snprintf(why, whylen, "%s: no address", host);
	return count > 0;
}

/* sts_fetch_parse - fetch and parse the policy of domain */
static bool
sts_fetch_parse(struct policyd_mtasts *m, struct smtp2_dns *dns,
    const char *domain, struct smtp2_mtasts_policy *p, char *why,
    size_t whylen)
{
	char	addrs[STS_ADDRS_MAX * (INET6_ADDRSTRLEN + 3)], perr[160];
	char	*body = NULL;
	size_t	len = 0;
	bool	ok;

	why[0] = '\0';
	if (!sts_addrs(dns, domain, addrs, sizeof(addrs), why, whylen) ||
	    policyd_mtasts_fetch(&m->conf, domain, addrs, &body, &len, why,
	    whylen) < 0)
		return false;
	ok = smtp2_mtasts_parse(body, len, p, perr, sizeof(perr)) == 0;
	if (!ok)
		snprintf(why, whylen, "policy of %s: %s", domain, perr);
	free(body);
	return ok;
}

/* policyd_mtasts_get - the policy that applies to domain now */
bool
policyd_mtasts_get(struct policyd_mtasts *m, struct smtp2_dns *dns,
    const char *domain, struct smtp2_mtasts_policy *p, char *why,
    size_t whylen)
{
	char	id[SMTP2_MTASTS_ID_MAX + 1], cached_id[SMTP2_MTASTS_ID_MAX + 1];
	char	err[320] = "";
	time_t	now = sts_now();
	bool	have_id, cached;

	have_id = sts_txt_id(dns, domain, id, err, sizeof(err));
	cached = sts_cache_get(m, domain, now, p, cached_id);
	if (have_id && cached && strcmp(id, cached_id) == 0) {
		snprintf(why, whylen, "MTA-STS policy id %s (cached)", id);
		return true;
	}
	if (have_id) {
		struct smtp2_mtasts_policy fresh;

		if (sts_fetch_parse(m, dns, domain, &fresh, err, sizeof(err))) {
			sts_cache_put(m, domain, id, &fresh, now);
			*p = fresh;
			snprintf(why, whylen, "MTA-STS policy id %s (fetched)", id);
			return true;
		}
	}
	if (cached) {
		snprintf(why, whylen, "MTA-STS policy id %s (cached; %.200s)",
		    cached_id, err);
		return true;
	}
	snprintf(why, whylen, "no MTA-STS policy: %.250s", err);
	return false;
}
