/*
 * metrics_m.h - what one message's end adds to the metrics
 * (docs/metrics.md): the verdict, its recipients, DKIM and DMARC.
 */
#ifndef SMTP2_MILTER_METRICS_M_H
#define SMTP2_MILTER_METRICS_M_H

#include <smtp2/decide.h>
#include <smtp2/verify.h>

#include "connstate.h"
#include "signing.h"

/*
 * milter_metrics_eom - count the message as its verdict line logs it:
 * the same verdict, action, DKIM summary (r NULL or unchecked: not
 * counted) and ms.
 */
void milter_metrics_eom(const struct session *s, const struct smtp2_verdict *v,
    enum smtp2_action action, const struct signing_result *r, long ms);

#endif
