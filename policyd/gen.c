/*
 * gen.c - build and release a generation of smtp2-policyd's configuration.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

/* Application-specific. */
#include "gen.h"

#define DNS_TTL_CAP	3600	/* seconds any cached answer is believed */

/* gen_dns - resolver options and the shared cache */
static int
gen_dns(struct policyd_gen *g, char *why, size_t whylen)
{
	const struct smtp2_conf *c = g->conf;
	struct smtp2_dns_opts *o = &g->ctx.dns;
	struct smtp2_dns *dns;
	char	err[256];

	o->resolvers = (const char *const *)c->dns.resolvers;
	o->n_resolvers = c->dns.n_resolvers;
	o->trust_anchors = c->dns.trust_anchors;
	o->dnssec = c->dns.dnssec;
	o->timeout_ms = c->dns.timeout_ms;
	if (c->dns.cache_entries > 0 && (o->cache = smtp2_dns_cache_new(
	    c->dns.cache_entries, DNS_TTL_CAP)) == NULL) {
		snprintf(why, whylen, "out of memory for the DNS cache");
		return -1;
	}
	if ((dns = smtp2_dns_new(o, err, sizeof(err))) == NULL) {
		snprintf(why, whylen, "cannot create a resolver: %s", err);
		return -1;
	}
	smtp2_dns_free(dns);
	return 0;
}

/* policyd_gen_new - see gen.h */
struct policyd_gen *
policyd_gen_new(struct smtp2_conf *conf, struct policyd_sessions *sessions,
    char *why, size_t whylen)
{
	struct policyd_gen *g;
	char	vwhy[256];

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	g->conf = conf;
	g->ctx.mode = conf->policy.mode;
	g->ctx.conf = conf;
	g->ctx.verify = smtp2_verify_with;
	g->ctx.sessions = sessions;
	if (gen_dns(g, why, whylen) < 0)
		goto fail;
	/* Postfix hands over no chain: no CA stores to load. */
	if ((g->ctx.setup = smtp2_verify_setup_new(conf, false, vwhy,
	    sizeof(vwhy))) == NULL) {
		snprintf(why, whylen, "%s", vwhy);
		goto fail;
	}
	g->ctx.vopts = smtp2_verify_setup_opts(g->ctx.setup);
	g->tls.dns = g->ctx.dns;
	g->tls.opts.port = conf->tlspolicy.smtp_port;
	g->tls.max_queries = conf->dns.max_queries;
	return g;
fail:
	g->conf = NULL;		/* still the caller's */
	policyd_gen_free(g);
	return NULL;
}

/* policyd_gen_free - see gen.h */
void
policyd_gen_free(void *arg)
{
	struct policyd_gen *g = arg;

	if (g == NULL)
		return;
	smtp2_dns_cache_free(g->ctx.dns.cache);
	smtp2_verify_setup_free(g->ctx.setup);
	smtp2_conf_free(g->conf);
	free(g);
}
