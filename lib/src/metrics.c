/*
 * metrics.c - counting.  Called on the mail path from many threads: each
 * function is a few relaxed atomic adds on the static registry.  Values
 * outside an enum's range (a caller's bug) are dropped rather than
 * written out of bounds.
 */

/* System library. */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/metrics.h>
#include "metrics_int.h"

struct metrics_reg smtp2_metrics_reg;

/* The whole registry is counters: a reset may treat it as one array. */
_Static_assert(sizeof(struct metrics_reg) % sizeof(metrics_ctr) == 0,
    "registry holds counters only");

/* 100 us to 10 s: a cached verdict, a certificate judged, a slow resolver. */
const uint64_t smtp2_metrics_bounds_us[M_NBOUND] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000
};

const char *const smtp2_metrics_stage_names[M_NSTAGE] = { "rcpt", "eom" };
const char *const smtp2_metrics_class_names[M_NCLASS] = {
	"verified", "legacy", "other"
};
/* docs/logs.md, the submission lines' rule= */
const char *const smtp2_metrics_rule_names[M_NRULE] = {
	"tls", "auth", "syntax", "improper", "fqdn", "rights",
	"recipient-rights", "message", "nomem", "edit", "other"
};
const char *const smtp2_metrics_err_names[M_NERR] = { "err", "warning" };
const char *const smtp2_metrics_reload_names[M_NRELOAD] = { "refused", "applied" };

/* add - one more, as cheaply as C11 allows */
static void
add(metrics_ctr *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* in_range - is an enum value a valid index below n? */
static int
in_range(int v, int n)
{
	return v >= 0 && v < n;
}

/* hist_add - one observation of us microseconds */
static void
hist_add(struct metrics_hist *h, uint64_t us)
{
	size_t	i;

	for (i = 0; i < M_NBOUND && us > smtp2_metrics_bounds_us[i]; i++)
		continue;
	add(&h->bucket[i], 1);
	add(&h->sum_us, us);
}

/* traffic_class - the adoption metric: proven, legacy (no record), other */
static int
traffic_class(enum smtp2_result r)
{
	switch (r) {
	case SMTP2_RESULT_PASS:
		return 0;
	case SMTP2_RESULT_NONE:
		return 1;
	default:
		return 2;
	}
}

/* smtp2_metrics_verdict - see metrics.h */
void
smtp2_metrics_verdict(enum smtp2_metrics_stage stage,
    const struct smtp2_verdict *v, enum smtp2_action action,
    unsigned n_rcpt, long ms)
{
	struct metrics_reg *m = &smtp2_metrics_reg;
	int	cls;

	if (v == NULL || !in_range((int)stage, M_NSTAGE)
	    || !in_range((int)v->result, M_NRESULT)
	    || !in_range((int)v->method, M_NMETHOD)
	    || !in_range((int)v->dnssec, M_NDNSSEC)
	    || !in_range((int)action, M_NACTION))
		return;
	add(&m->verdicts[stage][v->result][v->method][v->dnssec][action], 1);
	cls = traffic_class(v->result);
	add(&m->recipients[stage][cls], n_rcpt);
	if (stage == SMTP2_METRICS_EOM)
		add(&m->messages[cls], 1);
	hist_add(&m->verdict_time[stage], ms > 0 ? (uint64_t)ms * 1000 : 0);
}

/* smtp2_metrics_dkim - see metrics.h */
void
smtp2_metrics_dkim(enum smtp2_dkimv_result r)
{
	if (in_range((int)r, M_NDKIM))
		add(&smtp2_metrics_reg.dkim[r], 1);
}

/* smtp2_metrics_dmarc - see metrics.h */
void
smtp2_metrics_dmarc(enum smtp2_dmarcr r)
{
	if (in_range((int)r, M_NDMARC))
		add(&smtp2_metrics_reg.dmarc[r], 1);
}

/* smtp2_metrics_dns - see metrics.h */
void
smtp2_metrics_dns(enum smtp2_metrics_dns ev)
{
	if (in_range((int)ev, M_NDNS))
		add(&smtp2_metrics_reg.dns[ev], 1);
}

/* smtp2_metrics_submission_reject - see metrics.h */
void
smtp2_metrics_submission_reject(const char *rule)
{
	size_t	i;

	/* The last name, "other", catches what this list does not know. */
	for (i = 0; i < M_NRULE - 1; i++)
		if (rule != NULL && strcmp(rule, smtp2_metrics_rule_names[i]) == 0)
			break;
	add(&smtp2_metrics_reg.rejects[i], 1);
}

/* smtp2_metrics_error - see metrics.h */
void
smtp2_metrics_error(int level)
{
	if (in_range(level, M_NERR))
		add(&smtp2_metrics_reg.errors[level], 1);
}

/* smtp2_metrics_reload - see metrics.h */
void
smtp2_metrics_reload(int applied)
{
	add(&smtp2_metrics_reg.reloads[applied != 0], 1);
}

/* smtp2_metrics_now_us - see metrics.h */
uint64_t
smtp2_metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* smtp2_metrics_observe_us - see metrics.h */
void
smtp2_metrics_observe_us(enum smtp2_metrics_timer t, uint64_t t0_us)
{
	uint64_t now = smtp2_metrics_now_us();

	if (t == SMTP2_METRICS_T_CERT_VERIFY)
		hist_add(&smtp2_metrics_reg.cert_time, now > t0_us ? now - t0_us : 0);
}

/* smtp2_metrics_reset - see metrics.h */
void
smtp2_metrics_reset(void)
{
	metrics_ctr *c = (metrics_ctr *)(void *)&smtp2_metrics_reg;
	size_t	i, n = sizeof(smtp2_metrics_reg) / sizeof(*c);

	for (i = 0; i < n; i++)
		atomic_store_explicit(&c[i], 0, memory_order_relaxed);
}
