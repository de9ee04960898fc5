/*
 * metrics_summary_json.c - the summary's figures for smtp2-check --json
 * metrics (docs/smtp2-check.md).  Counts are integers, shares percent
 * with one decimal, times seconds with six; a figure that does not exist
 * yet is null, never left out.
 */

/* System library. */
#include <limits.h>
#include <stdint.h>

/* Application-specific. */
#include "check_json.h"
#include "metrics_summary.h"

/* count - a counter; totals saturate, and so does the JSON integer */
static void
count(struct jsonw *w, const char *key, uint64_t n)
{
	jsonw_int(w, key, n > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)n);
}

/* tally - {"name": n, ...}, every value the snapshot had */
static void
tally(struct jsonw *w, const char *key, const struct msum_tally *t)
{
	size_t	i;

	jsonw_object_open(w, key);
	for (i = 0; i < t->n; i++)
		count(w, t->c[i].name, t->c[i].n);
	jsonw_object_close(w);
}

/* hist - {"count", "mean_seconds", "p50_seconds", "p95_seconds"} */
static void
hist(struct jsonw *w, const char *key, const struct msum_hist *h)
{
	bool	above;

	jsonw_object_open(w, key);
	count(w, "count", h->count);
	jsonw_double(w, "mean_seconds", msum_mean(h), 6);
	jsonw_double(w, "p50_seconds", msum_quantile(h, 0.50, &above), 6);
	jsonw_double(w, "p95_seconds", msum_quantile(h, 0.95, &above), 6);
	jsonw_object_close(w);
}

/* totalled - {"total": n, by: {"name": n, ...}} */
static void
totalled(struct jsonw *w, const char *key, const char *by,
    const struct msum_tally *t)
{
	jsonw_object_open(w, key);
	count(w, "total", t->total);
	tally(w, by, t);
	jsonw_object_close(w);
}

/* stage - one stage, active or not */
static void
stage(struct jsonw *w, const struct msum_stage *st)
{
	jsonw_object_open(w, NULL);
	jsonw_string(w, "stage", st->name);
	count(w, "decisions", st->decisions);
	tally(w, "actions", &st->action);
	tally(w, "results", &st->result);
	tally(w, "pass_methods", &st->method);
	totalled(w, "recipients", "by_class", &st->recipients);
	hist(w, "decision_time", &st->time);
	jsonw_object_close(w);
}

/* adoption - the headline shares and what they are of */
static void
adoption(struct jsonw *w, const struct msum *s)
{
	struct msum_adoption a;

	msum_adoption(s, &a);
	jsonw_object_open(w, "adoption");
	jsonw_string(w, "basis", a.basis);
	count(w, "verified", a.verified);
	count(w, "legacy", a.legacy);
	count(w, "total", a.total);
	jsonw_double(w, "verified_percent", a.verified_pct, 1);
	jsonw_double(w, "legacy_percent", a.legacy_pct, 1);
	jsonw_object_close(w);
}

/* dns - the four counters and the cache's share */
static void
dns(struct jsonw *w, const struct msum *s)
{
	jsonw_object_open(w, "dns");
	count(w, "queries", s->dns_queries);
	count(w, "cache_hits", s->dns_cache_hits);
	count(w, "upstream", s->dns_upstream);
	count(w, "timeouts", s->dns_timeouts);
	count(w, "budget_refused", s->dns_budget);
	jsonw_double(w, "cache_hit_percent",
	    msum_pct(s->dns_cache_hits, s->dns_queries), 1);
	jsonw_object_close(w);
}

/* msum_print_json - see metrics_summary.h */
void
msum_print_json(struct jsonw *w, const struct msum *s)
{
	size_t	i;

	adoption(w, s);
	jsonw_array_open(w, "stages");
	for (i = 0; i < s->n_stages; i++)
		stage(w, &s->stage[i]);
	jsonw_array_close(w);
	totalled(w, "messages", "by_class", &s->messages);
	dns(w, s);
	tally(w, "dkim", &s->dkim);
	tally(w, "dmarc", &s->dmarc);
	totalled(w, "submission_rejections", "by_rule", &s->rejections);
	tally(w, "errors", &s->errors);
	tally(w, "reloads", &s->reloads);
	hist(w, "cert_verify_time", &s->cert_time);
}
