/*
 * tlsmap.h - smtp2-policyd answering Postfix's smtp_tls_policy_maps over
 * socketmap (docs/tlspolicy.md):
 *
 *   smtp_tls_policy_maps = socketmap:unix:/run/smtp2/tlspolicy.sock:smtp2tls
 *
 * Keys are next-hop domains.  "[host]", "[host]:port", "domain:port" and
 * ".parent" keys are NOTFOUND: an operator who routes by hand also sets
 * that route's TLS policy by hand.
 */
#ifndef POLICYD_TLSMAP_H
#define POLICYD_TLSMAP_H

/* System library. */
#include <stddef.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/tlspolicy.h>
#include "live.h"
#include "mtasts.h"
#include "server.h"

#define TLSMAP_NAME	"smtp2tls"	/* the map name Postfix must send */

/* What every socketmap connection shares; read-only once serving starts. */
struct policyd_tlsmap_ctx {
	struct smtp2_dns_opts dns;	/* for per-connection resolvers */
	struct smtp2_tlspolicy_opts opts;
	struct policyd_mtasts *sts;	/* NULL: MTA-STS not consulted */
	unsigned max_queries;		/* DNS lookups per answer; 0: no limit */
};

/*
 * policyd_tlsmap_answer - the reply netstring for one request payload.
 * *dns is the connection's resolver, made here on first need (caller
 * frees it with smtp2_dns_free).  Returns the reply length (out is at
 * least SOCKETMAP_REPLY_MAX bytes).
 */
size_t policyd_tlsmap_answer(const struct policyd_tlsmap_ctx *ctx,
    struct smtp2_dns **dns, const char *payload, size_t len, char *out,
    size_t outlen);

/* Where socketmap connections find their settings. */
struct policyd_tlsmap_src {
	struct smtp2d_live *live;	/* generations of struct policyd_gen */
	struct policyd_mtasts *sts;	/* NULL: not consulted; outlives reloads */
};

/* policyd_tlsmap_serve - a policyd_serve_fn; arg is a struct
 * policyd_tlsmap_src.  Each request is answered under the generation
 * current when it arrived. */
void policyd_tlsmap_serve(int fd, void *arg, struct policyd_server *s);

/*
 * The service as smtp2-policyd runs it (tlsmap_service.c): listeners made
 * before the daemon detaches, so errors reach the terminal; the accept
 * loop in a thread of its own, started after.
 */
struct smtp2_conf;
struct policyd_tlsmap;

/* policyd_tlsmap_new - listen on tlspolicy.listen (conf: the settings the
 * process started with), answering under live's current generation; the
 * MTA-STS store is made here and kept across reloads.  NULL with why on
 * failure. */
struct policyd_tlsmap *policyd_tlsmap_new(const struct smtp2_conf *conf,
    struct smtp2d_live *live, char *why, size_t whylen);

/* policyd_tlsmap_start - run the accept loop in a thread; 0 or -1. */
int policyd_tlsmap_start(struct policyd_tlsmap *t);

/* policyd_tlsmap_stop - make the loop end; async-signal-safe, t may be NULL. */
void policyd_tlsmap_stop(struct policyd_tlsmap *t);

/* policyd_tlsmap_free - stop, wait for the loop, release.  Returns 0, or
 * -1 when connections are stuck (then t is left allocated). */
int policyd_tlsmap_free(struct policyd_tlsmap *t);

#endif
