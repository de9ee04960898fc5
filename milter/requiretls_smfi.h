/*
 * requiretls_smfi.h - REQUIRETLS hooks for the libmilter callbacks: one
 * call from mlfi_envfrom, one from eom_run.
 */
#ifndef SMTP2_MILTER_REQUIRETLS_SMFI_H
#define SMTP2_MILTER_REQUIRETLS_SMFI_H

#include <libmilter/mfapi.h>

#include <smtp2/conf.h>
#include <smtp2/decide.h>

#include "connstate.h"

/*
 * requiretls_envfrom - remember the REQUIRETLS parameter and the sender
 * rule; refuse the parameter outside TLS (530 5.7.10).  Returns what
 * mlfi_envfrom returns.
 */
sfsistat requiretls_envfrom(SMFICTX *ctx, struct session *s,
    const struct smtp2_conf *conf, char **argv);

/*
 * requiretls_eom - before the verdict's own stamp: may turn an accept
 * into a reject (requiretls.multiple = "reject") or, when the header
 * cannot be edited, a defer; otherwise deletes every incoming
 * X-SMTP2-RequireTLS and inserts ours when there is something to say.
 */
void requiretls_eom(SMFICTX *ctx, const struct session *s,
    const struct smtp2_conf *conf, struct smtp2_decision *d);

#endif
