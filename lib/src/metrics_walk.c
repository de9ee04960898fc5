/*
 * metrics_walk.c - the registry as named families and labelled samples,
 * in one order, for every output format (metrics_out.c).  Names, types
 * and labels are documented in docs/metrics.md: change them together.
 */

/* System library. */
#include <inttypes.h>
#include <stdio.h>

/* Application-specific. */
#include <smtp2/metrics.h>
#include "metrics_int.h"

#define VALUE_MAX	32

/* counter - one sample of a counter */
static void
counter(const struct metrics_sink *k, const char *name,
    const char *const *keys, const char *const *vals, size_t n, uint64_t v)
{
	char	buf[VALUE_MAX];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	k->sample(k->arg, name, keys, vals, n, buf);
}

/* verdicts - result x method x dnssec x action per stage; only the
 * combinations seen, or 600 mostly impossible series would be printed */
static void
verdicts(const struct metrics_sink *k)
{
	static const char *const keys[] = {
		"stage", "result", "method", "dnssec", "action"
	};
	const char *vals[5];
	uint64_t v;
	int	s, r, m, d, a;

	k->family(k->arg, "smtp2_verdicts_total", "counter",
	    "Verdicts by stage, result, method, DNSSEC status and action.");
	for (s = 0; s < M_NSTAGE; s++)
	for (r = 0; r < M_NRESULT; r++)
	for (m = 0; m < M_NMETHOD; m++)
	for (d = 0; d < M_NDNSSEC; d++)
	for (a = 0; a < M_NACTION; a++) {
		if ((v = metrics_get(smtp2_metrics_reg.verdicts[s][r][m][d][a])) == 0)
			continue;
		vals[0] = smtp2_metrics_stage_names[s];
		vals[1] = smtp2_result_name((enum smtp2_result)r);
		vals[2] = smtp2_method_name((enum smtp2_method)m);
		vals[3] = smtp2_dnssec_name((enum smtp2_dnssec)d);
		vals[4] = smtp2_action_name((enum smtp2_action)a);
		counter(k, "smtp2_verdicts_total", keys, vals, 5, v);
	}
}

/* adoption - proven versus legacy senders, recipients and messages */
static void
adoption(const struct metrics_sink *k)
{
	static const char *const keys[] = { "stage", "class" };
	const char *vals[2];
	int	s, c;

	k->family(k->arg, "smtp2_recipients_total", "counter",
	    "Recipients by stage and sender class: verified (pass), legacy "
	    "(none), other.");
	for (s = 0; s < M_NSTAGE; s++)
		for (c = 0; c < M_NCLASS; c++) {
			vals[0] = smtp2_metrics_stage_names[s];
			vals[1] = smtp2_metrics_class_names[c];
			counter(k, "smtp2_recipients_total", keys, vals, 2,
			    metrics_get(smtp2_metrics_reg.recipients[s][c]));
		}
	k->family(k->arg, "smtp2_messages_total", "counter",
	    "Messages judged at end of message by sender class.");
	for (c = 0; c < M_NCLASS; c++)
		counter(k, "smtp2_messages_total", keys + 1,
		    &smtp2_metrics_class_names[c], 1,
		    metrics_get(smtp2_metrics_reg.messages[c]));
}

/* labelled - a counter family with one label over a fixed list */
static void
labelled(const struct metrics_sink *k, const char *name, const char *help,
    const char *key, const char *const *names, const metrics_ctr *c, size_t n)
{
	size_t	i;

	k->family(k->arg, name, "counter", help);
	for (i = 0; i < n; i++)
		counter(k, name, &key, &names[i], 1, metrics_get(c[i]));
}

/* named - a counter family with one label whose names come from a
 * *_name() function of the library */
static void
named(const struct metrics_sink *k, const char *name, const char *help,
    const char *(*namefn)(int), const metrics_ctr *c, size_t n)
{
	const char *vals[1], *key = "result";
	size_t	i;

	k->family(k->arg, name, "counter", help);
	for (i = 0; i < n; i++) {
		vals[0] = namefn((int)i);
		counter(k, name, &key, vals, 1, metrics_get(c[i]));
	}
}

/* dkim_name, dmarc_name - the library's names through one signature */
static const char *
dkim_name(int i)
{
	return smtp2_dkimv_result_name((enum smtp2_dkimv_result)i);
}

static const char *
dmarc_name(int i)
{
	return smtp2_dmarcr_name((enum smtp2_dmarcr)i);
}

/* dns - four unlabelled counters, one per event */
static void
dns(const struct metrics_sink *k)
{
	static const char *const names[M_NDNS][2] = {
		{ "smtp2_dns_queries_total", "DNS lookups asked for." },
		{ "smtp2_dns_cache_hits_total", "DNS lookups answered by the cache." },
		{ "smtp2_dns_upstream_queries_total",
		    "DNS lookups sent to the resolver (cache misses)." },
		{ "smtp2_dns_timeouts_total", "DNS lookups that timed out." },
		{ "smtp2_dns_budget_refused_total", "DNS lookups not sent: the "
		    "decision had used its dns.max_queries." },
	};
	int	i;

	for (i = 0; i < M_NDNS; i++) {
		k->family(k->arg, names[i][0], "counter", names[i][1]);
		counter(k, names[i][0], NULL, NULL, 0,
		    metrics_get(smtp2_metrics_reg.dns[i]));
	}
}

/* histogram - cumulative buckets, sum and count of one histogram; key and
 * val are its own label (NULL: none) */
static void
histogram(const struct metrics_sink *k, const char *base,
    const struct metrics_hist *h, const char *key, const char *val)
{
	const char *keys[2] = { key, "le" }, *vals[2] = { val, NULL };
	const char *const *kp = key ? keys : keys + 1;
	const char *const *vp = key ? vals : vals + 1;
	size_t	n = key ? 2 : 1, i;
	char	name[96], le[VALUE_MAX], sum[VALUE_MAX];
	uint64_t total = 0;

	snprintf(name, sizeof(name), "%s_bucket", base);
	for (i = 0; i <= M_NBOUND; i++) {
		total += metrics_get(h->bucket[i]);
		if (i < M_NBOUND)
			snprintf(le, sizeof(le), "%.6g",
			    (double)smtp2_metrics_bounds_us[i] / 1e6);
		else
			snprintf(le, sizeof(le), "+Inf");
		vals[1] = le;
		counter(k, name, kp, vp, n, total);
	}
	snprintf(name, sizeof(name), "%s_sum", base);
	snprintf(sum, sizeof(sum), "%.6f", (double)metrics_get(h->sum_us) / 1e6);
	k->sample(k->arg, name, kp, vp, n - 1, sum);
	snprintf(name, sizeof(name), "%s_count", base);
	counter(k, name, kp, vp, n - 1, total);
}

/* timers - the histograms */
static void
timers(const struct metrics_sink *k)
{
	int	s;

	k->family(k->arg, "smtp2_verdict_duration_seconds", "histogram",
	    "Time spent on one decision, DNS lookups included.");
	for (s = 0; s < M_NSTAGE; s++)
		histogram(k, "smtp2_verdict_duration_seconds",
		    &smtp2_metrics_reg.verdict_time[s], "stage",
		    smtp2_metrics_stage_names[s]);
	k->family(k->arg, "smtp2_cert_verify_duration_seconds", "histogram",
	    "Time one verification spent judging the client certificate it "
	    "was shown: TLSA pin lookup and match, then CA (PKIX) match.");
	histogram(k, "smtp2_cert_verify_duration_seconds",
	    &smtp2_metrics_reg.cert_time, NULL, NULL);
}

/* smtp2_metrics_walk - see metrics_int.h */
void
smtp2_metrics_walk(const struct metrics_sink *k)
{
	const struct metrics_reg *m = &smtp2_metrics_reg;

	verdicts(k);
	adoption(k);
	timers(k);
	dns(k);
	named(k, "smtp2_dkim_results_total", "Messages by DKIM summary result.",
	    dkim_name, m->dkim, M_NDKIM);
	named(k, "smtp2_dmarc_results_total", "Messages by DMARC result.",
	    dmarc_name, m->dmarc, M_NDMARC);
	labelled(k, "smtp2_submission_rejections_total",
	    "Submissions refused, by rule.", "rule", smtp2_metrics_rule_names,
	    m->rejects, M_NRULE);
	labelled(k, "smtp2_errors_total", "Lines logged at err or warning level.",
	    "level", smtp2_metrics_err_names, m->errors, M_NERR);
	labelled(k, "smtp2_config_reloads_total", "Reloads of milter.conf, "
	    "applied or refused (the running configuration stayed).", "result",
	    smtp2_metrics_reload_names, m->reloads, M_NRELOAD);
}
