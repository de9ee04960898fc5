/*
 * resolvers.c - the idle-resolver pool (resolvers.h).
 *
 * Every resolver in a pool was made from the one configuration its
 * generation holds (immutable while serving), so any of them serves any
 * connection of that generation.
 */

/* System library. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>

/* Application-specific. */
#include "resolvers.h"

struct milter_resolvers {
	struct smtp2_dns_opts opts;	/* borrowed strings, shared cache */
	pthread_mutex_t	lock;
	struct smtp2_dns *idle[RESOLVERS_IDLE_MAX];
	size_t		n;
};

/* milter_resolvers_new - see resolvers.h */
struct milter_resolvers *
milter_resolvers_new(const struct smtp2_conf *conf, struct smtp2_dns_cache *cache)
{
	struct milter_resolvers *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->opts.resolvers = (const char *const *)conf->dns.resolvers;
	p->opts.n_resolvers = conf->dns.n_resolvers;
	p->opts.trust_anchors = conf->dns.trust_anchors;
	p->opts.dnssec = conf->dns.dnssec;
	p->opts.timeout_ms = conf->dns.timeout_ms;
	p->opts.cache = cache;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

/* pool_pop - an idle resolver, or NULL */
static struct smtp2_dns *
pool_pop(struct milter_resolvers *p)
{
	struct smtp2_dns *dns = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->n > 0)
		dns = p->idle[--p->n];
	pthread_mutex_unlock(&p->lock);
	return dns;
}

/* milter_resolvers_get - see resolvers.h */
struct smtp2_dns *
milter_resolvers_get(struct milter_resolvers *p, char *why, size_t whylen)
{
	struct smtp2_dns *dns;
	char	dwhy[160];

	if ((dns = pool_pop(p)) != NULL)
		return dns;
	if ((dns = smtp2_dns_new(&p->opts, dwhy, sizeof(dwhy))) == NULL)
		snprintf(why, whylen, "DNS resolver: %s", dwhy);
	return dns;
}

/* milter_resolvers_put - see resolvers.h */
void
milter_resolvers_put(struct milter_resolvers *p, struct smtp2_dns *dns)
{
	if (dns == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->n < RESOLVERS_IDLE_MAX) {
		p->idle[p->n++] = dns;
		dns = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	smtp2_dns_free(dns);
}

/* milter_resolvers_free - see resolvers.h */
void
milter_resolvers_free(struct milter_resolvers *p)
{
	struct smtp2_dns *dns;

	if (p == NULL)
		return;
	while ((dns = pool_pop(p)) != NULL)
		smtp2_dns_free(dns);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
