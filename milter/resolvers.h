/*
 * resolvers.h - a pool of idle DNS resolvers shared by smtp2-milter's
 * connections.
 *
 * A resolver (a getdns context with its trust anchors) takes longer to
 * set up than a whole small message takes to verify, so a connection
 * borrows one on first need and gives it back when it closes.  A
 * resolver is never shared by two connections at once: each is used by
 * one thread at a time, as smtp2/dns.h requires.
 */
#ifndef SMTP2_MILTER_RESOLVERS_H
#define SMTP2_MILTER_RESOLVERS_H

#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/dns.h>

#define RESOLVERS_IDLE_MAX	64	/* idle resolvers kept */

/*
 * milter_resolvers_get - an idle resolver, or a new one made from conf
 * with the shared cache; NULL with why when one cannot be set up.  The
 * caller owns it until milter_resolvers_put().
 */
struct smtp2_dns *milter_resolvers_get(const struct smtp2_conf *conf,
    struct smtp2_dns_cache *cache, char *why, size_t whylen);

/* milter_resolvers_put - give dns back (freed when the pool is full). */
void milter_resolvers_put(struct smtp2_dns *dns);

/* milter_resolvers_drain - free every idle resolver (at exit). */
void milter_resolvers_drain(void);

#endif
