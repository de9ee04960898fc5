/*
 * resolvers.h - a pool of idle DNS resolvers shared by smtp2-milter's
 * connections.
 *
 * A resolver (a getdns context with its trust anchors) takes longer to
 * set up than a whole small message takes to verify, so a connection
 * borrows one on first need and gives it back when it closes.  A
 * resolver is never shared by two connections at once: each is used by
 * one thread at a time, as smtp2/dns.h requires.  Each configuration
 * generation (run.h) has its own pool: its resolvers were made from its
 * DNS options and point into its cache.
 */
#ifndef SMTP2_MILTER_RESOLVERS_H
#define SMTP2_MILTER_RESOLVERS_H

#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/dns.h>

#define RESOLVERS_IDLE_MAX	64	/* idle resolvers kept */

struct milter_resolvers;

/*
 * milter_resolvers_new - an empty pool whose resolvers are made from conf
 * with cache (may be NULL); both borrowed, and must outlive the pool.
 * NULL when out of memory.  Caller frees with milter_resolvers_free().
 */
struct milter_resolvers *milter_resolvers_new(const struct smtp2_conf *conf,
    struct smtp2_dns_cache *cache);

/*
 * milter_resolvers_get - an idle resolver, or a new one; NULL with why
 * when one cannot be set up.  The caller owns it until
 * milter_resolvers_put() on the same pool.
 */
struct smtp2_dns *milter_resolvers_get(struct milter_resolvers *p,
    char *why, size_t whylen);

/* milter_resolvers_put - give dns back (freed when the pool is full). */
void	milter_resolvers_put(struct milter_resolvers *p, struct smtp2_dns *dns);

/* milter_resolvers_free - every idle resolver, and the pool. */
void	milter_resolvers_free(struct milter_resolvers *p);

#endif
