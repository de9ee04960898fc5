/*
 * run.c - build and release a generation of the running configuration.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

/* Application-specific. */
#include "resolvers.h"
#include "run.h"

#define DNS_CACHE_TTL_CAP	300	/* s; a new pin or p= counts within 5 min */

/* run_caches - the shared caches conf asks for */
static int
run_caches(struct milter_run *r, char *why, size_t whylen)
{
	const struct smtp2_conf *c = r->conf;

	if (c->dns.cache_entries > 0 && (r->cache = smtp2_dns_cache_new(
	    c->dns.cache_entries, DNS_CACHE_TTL_CAP)) == NULL) {
		snprintf(why, whylen, "out of memory for the DNS cache");
		return -1;
	}
	if (c->dkim.key_cache_entries > 0 && (r->keys = smtp2_dkim_keys_new(
	    c->dkim.key_cache_entries, DNS_CACHE_TTL_CAP)) == NULL) {
		snprintf(why, whylen, "out of memory for the DKIM key cache");
		return -1;
	}
	return 0;
}

/* milter_run_new - see run.h */
struct milter_run *
milter_run_new(struct smtp2_conf *conf, char *why, size_t whylen)
{
	struct milter_run *r;
	struct smtp2_dns *dns;
	char	vwhy[256];

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	r->conf = conf;
	/* Neither MTA hands a milter the chain: no CA stores to load. */
	if ((r->setup = smtp2_verify_setup_new(conf, false, vwhy,
	    sizeof(vwhy))) == NULL) {
		snprintf(why, whylen, "verification set-up: %s", vwhy);
		goto fail;
	}
	r->vopts = smtp2_verify_setup_opts(r->setup);
	if (run_caches(r, why, whylen) < 0)
		goto fail;
	if ((r->pool = milter_resolvers_new(conf, r->cache)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if ((dns = milter_resolvers_get(r->pool, why, whylen)) == NULL)
		goto fail;
	milter_resolvers_put(r->pool, dns);
	r->own = conf;
	return r;
fail:
	milter_run_free(r);
	return NULL;
}

/* milter_run_free - see run.h */
void
milter_run_free(void *arg)
{
	struct milter_run *r = arg;

	if (r == NULL)
		return;
	/* Resolvers point into the cache: they go first. */
	milter_resolvers_free(r->pool);
	smtp2_dns_cache_free(r->cache);
	smtp2_dkim_keys_free(r->keys);
	smtp2_verify_setup_free(r->setup);
	smtp2_conf_free(r->own);
	free(r);
}
