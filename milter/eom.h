/*
 * eom.h - end of message: verdict, decision, header edits, the log line.
 */
#ifndef SMTP2_MILTER_EOM_H
#define SMTP2_MILTER_EOM_H

#include <libmilter/mfapi.h>

#include <smtp2/conf.h>
#include <smtp2/dns.h>

#include "connstate.h"

/*
 * eom_run - decide on the message s->msg and act on it through ctx.
 * Returns what the xxfi_eom callback returns: SMFIS_CONTINUE once the
 * forged headers are gone and ours are in, SMFIS_REJECT or
 * SMFIS_TEMPFAIL with the reply set.  Logs exactly one verdict line.
 */
sfsistat eom_run(SMFICTX *ctx, struct session *s);

#endif
