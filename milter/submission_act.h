/*
 * submission_act.h - RFC 6409 submission rules wired to libmilter: the
 * callbacks hand their macros and arguments here; replies, envelope and
 * header edits, and the log lines go out from here.  The decisions
 * themselves are submission.c's and submission_eom.c's.
 */
#ifndef SMTP2_MILTER_SUBMISSION_ACT_H
#define SMTP2_MILTER_SUBMISSION_ACT_H

#include <libmilter/mfapi.h>

#include <smtp2/conf.h>

#include "connstate.h"

/* submission_actions - the SMFIF_ flags submission needs beyond header
 * edits: envelope changes when single-level domains are expanded. */
unsigned long submission_actions(const struct smtp2_conf *conf);

/* submission_connect - recognise a submission session from its macros;
 * SMFIS_TEMPFAIL when its per-message state cannot be had. */
sfsistat submission_connect(SMFICTX *ctx, struct session *s,
    const struct smtp2_conf *conf);

/* submission_envfrom, submission_envrcpt - SMFIS_CONTINUE, or a reply set
 * and SMFIS_REJECT; nothing at all outside submission sessions. */
sfsistat submission_envfrom(SMFICTX *ctx, struct session *s,
    const struct smtp2_conf *conf, char **argv);
sfsistat submission_envrcpt(SMFICTX *ctx, struct session *s,
    const struct smtp2_conf *conf, char **argv);

/* submission_header - one header field of a submitted message. */
void submission_header(struct session *s, const char *name, const char *value);

/* submission_eom - end of a submitted message (s->sub.active): checks,
 * completion, one log line; the smtp2 sender verdict is skipped. */
sfsistat submission_eom(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf);

#endif
