/*
 * run.h - one generation of smtp2-milter's running configuration: the
 * parsed milter.conf and everything built from it (DNS and DKIM key
 * caches, verification options, idle resolvers).
 *
 * A connection holds the generation it started with (connstate.h) until
 * it closes, so a reload never changes the rules in the middle of a
 * message; new connections get the new one.  Read-only once built, but
 * for the thread-safe caches and resolver pool inside.
 */
#ifndef SMTP2_MILTER_RUN_H
#define SMTP2_MILTER_RUN_H

#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

#include "resolvers.h"

struct milter_run {
	const struct smtp2_conf *conf;
	struct smtp2_dns_cache *cache;	/* NULL: dns.cache_entries = 0 */
	const struct smtp2_verify_opts *vopts;	/* dnssec, per-domain CAs */
	struct smtp2_dkim_keys *keys;	/* NULL: dkim.key_cache_entries = 0 */
	struct milter_resolvers *pool;	/* idle resolvers made from conf, cache */
	struct smtp2_verify_setup *setup;	/* owns what vopts points to */
	struct smtp2_conf *own;		/* conf, owned */
};

/*
 * milter_run_new - build a generation from conf, which it takes over on
 * success.  One resolver is made up front, so options getdns refuses
 * (trust anchors, resolver addresses) fail here and not at the first
 * message.  NULL with why on failure (conf then stays the caller's).
 * Released with milter_run_free().
 */
struct milter_run *milter_run_new(struct smtp2_conf *conf, char *why,
    size_t whylen);

/* milter_run_free - a generation no connection holds any more (void * so
 * it serves as the release function of smtp2d_live, live.h). */
void	milter_run_free(void *run);

#endif
