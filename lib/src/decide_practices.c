/*
 * decide_practices.c - the signing practices' say in a decision
 * (milter.conf dkim.practices, docs/practices.md).
 *
 * Practices are one signal among others: they never accept what the
 * smtp2 verdict refused, never refuse what the connecting server proved,
 * and refuse only in the modes that ask for it.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>

/* Application-specific. */
#include <smtp2/decide.h>

/* practices_set - refuse or defer with our words */
static void __attribute__((format(printf, 3, 4)))
practices_set(struct smtp2_decision *d, enum smtp2_action action,
    const char *fmt, ...)
{
	va_list	ap;

	d->action = action;
	d->code = action == SMTP2_ACTION_DEFER ? "451" : "550";
	d->dsn = action == SMTP2_ACTION_DEFER ? "4.7.0" : "5.7.1";
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
}

/* practices_adsp - ADSP's say: discardable unsigned mail */
static bool
practices_adsp(const struct smtp2_adsp_eval *a, struct smtp2_decision *d,
    const char *domain)
{
	if (a == NULL)
		return (false);
	if (a->result == SMTP2_ADSPR_DISCARD) {
		practices_set(d, SMTP2_ACTION_REJECT, "%s says its mail is always"
		    " signed and unsigned mail may be discarded (ADSP)", domain);
		return (true);
	}
	if (a->result == SMTP2_ADSPR_TEMPERROR) {
		practices_set(d, SMTP2_ACTION_DEFER, "cannot check the signing"
		    " practices of %s now, try again later", domain);
		return (true);
	}
	return (false);
}

/* practices_dmarc - DMARC's say: a failure under p=reject */
static bool
practices_dmarc(const struct smtp2_dmarc_eval *m, struct smtp2_decision *d,
    const char *domain)
{
	if (m == NULL)
		return (false);
	if (m->result == SMTP2_DMARCR_FAIL && m->policy == SMTP2_DMARC_REJECT
	    && !m->testing) {
		practices_set(d, SMTP2_ACTION_REJECT, "%s publishes a DMARC policy"
		    " of reject and no signature of the domain verified", domain);
		return (true);
	}
	if (m->result == SMTP2_DMARCR_TEMPERROR) {
		practices_set(d, SMTP2_ACTION_DEFER, "cannot look up the DMARC"
		    " policy of %s now, try again later", domain);
		return (true);
	}
	return (false);
}

/* smtp2_decide_practices - see smtp2/decide.h */
void
smtp2_decide_practices(enum smtp2_practices_mode mode,
    const struct smtp2_verdict *v, const struct smtp2_dmarc_eval *dmarc,
    const struct smtp2_adsp_eval *adsp, bool to_postmaster,
    struct smtp2_decision *d)
{
	const char *domain = v->domain[0] != '\0' ? v->domain : "the sender";

	if (mode == SMTP2_PRACTICES_TAG || to_postmaster
	    || v->result == SMTP2_RESULT_PASS
	    || d->action == SMTP2_ACTION_REJECT || d->action == SMTP2_ACTION_DEFER)
		return;
	if (mode >= SMTP2_PRACTICES_REJECT_P_REJECT
	    && practices_dmarc(dmarc, d, domain))
		return;
	(void)practices_adsp(adsp, d, domain);
}
