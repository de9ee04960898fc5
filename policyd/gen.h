/*
 * gen.h - one generation of smtp2-policyd's running configuration: the
 * parsed milter.conf and what both protocols build from it.
 *
 * Connections find the current generation through a struct smtp2d_live
 * (live.h) and move to a new one between two requests, never inside
 * one.  The connections' TLS facts (the session table) and the MTA-STS
 * policies already fetched belong to the process, not to a generation:
 * a reload must not forget them.
 */
#ifndef POLICYD_GEN_H
#define POLICYD_GEN_H

#include <stddef.h>

#include <smtp2/conf.h>

#include "request.h"
#include "session.h"
#include "tlsmap.h"

struct policyd_gen {
	struct policyd_ctx ctx;		/* policy and smtp2_verify requests */
	struct policyd_tlsmap_ctx tls;	/* socketmap requests; .sts unset */
	struct smtp2_conf *conf;	/* owned; NULL where a test borrows */
};

/*
 * policyd_gen_new - build a generation from conf, which it takes over on
 * success; sessions (the process's TLS facts table) is borrowed.  A
 * resolver is made and thrown away, so options getdns refuses fail here
 * and not at the first RCPT.  NULL with why on failure (conf stays the
 * caller's).  Released with policyd_gen_free().
 */
struct policyd_gen *policyd_gen_new(struct smtp2_conf *conf,
    struct policyd_sessions *sessions, char *why, size_t whylen);

/* policyd_gen_free - a generation no connection holds any more (void *
 * so it serves as smtp2d_live's release function). */
void	policyd_gen_free(void *gen);

#endif
