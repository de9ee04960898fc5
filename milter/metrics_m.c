/*
 * metrics_m.c - one message's end, counted.  Kept apart from the log
 * line's formatting so that formatting stays free of side effects.
 */

/* Library. */
#include <smtp2/dkim_verify.h>
#include <smtp2/metrics.h>

/* Application-specific. */
#include "metrics_m.h"

/* milter_metrics_eom - see metrics_m.h */
void
milter_metrics_eom(const struct session *s, const struct smtp2_verdict *v,
    enum smtp2_action action, const struct signing_result *r, long ms)
{
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, v, action, s->msg.n_rcpt, ms);
	if (r == NULL || !r->checked)
		return;
	/* The same summary as the log's dkim= field. */
	smtp2_metrics_dkim(r->temperror ? SMTP2_DKIMV_TEMPERROR
	    : smtp2_dkimv_summary(r->sigs, r->n_sigs));
	if (r->judged)
		smtp2_metrics_dmarc(r->dmarc.result);
}
