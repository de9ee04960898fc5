/*
 * resolvers.c - the idle-resolver pool (resolvers.h).
 *
 * Every resolver in the pool was made from the one configuration the
 * process runs with (it is immutable while serving), so any of them
 * serves any connection.
 */

/* System library. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>

/* Application-specific. */
#include "resolvers.h"

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smtp2_dns *pool[RESOLVERS_IDLE_MAX];
static size_t pool_n;

/* pool_pop - an idle resolver, or NULL */
static struct smtp2_dns *
pool_pop(void)
{
	struct smtp2_dns *dns = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0)
		dns = pool[--pool_n];
	pthread_mutex_unlock(&pool_lock);
	return dns;
}

/* milter_resolvers_get - see resolvers.h */
struct smtp2_dns *
milter_resolvers_get(const struct smtp2_conf *conf, struct smtp2_dns_cache *cache,
    char *why, size_t whylen)
{
	struct smtp2_dns_opts o;
	struct smtp2_dns *dns;
	char	dwhy[160];

	if ((dns = pool_pop()) != NULL)
		return dns;
	memset(&o, 0, sizeof(o));
	o.resolvers = (const char *const *)conf->dns.resolvers;
	o.n_resolvers = conf->dns.n_resolvers;
	o.trust_anchors = conf->dns.trust_anchors;
	o.dnssec = conf->dns.dnssec;
	o.timeout_ms = conf->dns.timeout_ms;
	o.cache = cache;
	if ((dns = smtp2_dns_new(&o, dwhy, sizeof(dwhy))) == NULL)
		snprintf(why, whylen, "DNS resolver: %s", dwhy);
	return dns;
}

/* milter_resolvers_put - see resolvers.h */
void
milter_resolvers_put(struct smtp2_dns *dns)
{
	if (dns == NULL)
		return;
	pthread_mutex_lock(&pool_lock);
	if (pool_n < RESOLVERS_IDLE_MAX) {
		pool[pool_n++] = dns;
		dns = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	smtp2_dns_free(dns);
}

/* milter_resolvers_drain - see resolvers.h */
void
milter_resolvers_drain(void)
{
	struct smtp2_dns *dns;

	while ((dns = pool_pop()) != NULL)
		smtp2_dns_free(dns);
}
