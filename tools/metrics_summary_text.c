/*
 * metrics_summary_text.c - the summary as smtp2-check prints its reports:
 * one "key: value" line each, keys padded to one column, a stage's lines
 * indented under it (docs/smtp2-check.md lists every key).  Everything
 * printed is a number or a name msum_parse() found plain.
 */

/* System library. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "metrics_summary.h"

#define KEY_WIDTH	14

/* key - the start of a line: indentation and key, padded */
static void
key(FILE *out, const char *in, const char *k)
{
	char	buf[64];

	snprintf(buf, sizeof(buf), "%s%s:", in, k);
	fprintf(out, "%-*s ", KEY_WIDTH, buf);
}

/* tally - "name n, name n"; with all false only the non-zero ones */
static void
tally(FILE *out, const struct msum_tally *t, bool all)
{
	const char *sep = "";
	size_t	i;

	for (i = 0; i < t->n; i++) {
		if (!all && t->c[i].n == 0)
			continue;
		fprintf(out, "%s%.*s %" PRIu64, sep, MSUM_NAME_LEN, t->c[i].name,
		    t->c[i].n);
		sep = ", ";
	}
}

/* counted - "TOTAL: name n, ..." (with all false the non-zero ones), or
 * "0" */
static void
counted(FILE *out, const struct msum_tally *t, bool all)
{
	fprintf(out, "%" PRIu64, t->total);
	if (t->total > 0) {
		fputs(": ", out);
		tally(out, t, all);
	}
}

/* duration - seconds in the unit a person reads best */
static void
duration(FILE *out, double s)
{
	if (s < 0.001)
		fprintf(out, "%.0f us", s * 1e6);
	else if (s < 1)
		fprintf(out, "%.1f ms", s * 1e3);
	else
		fprintf(out, "%.2f s", s);
}

/* quantile - " pNN ~X", " pNN >X" past the last bound, or unknown */
static void
quantile(FILE *out, const struct msum_hist *h, double q, const char *name)
{
	bool	above;
	double	v = msum_quantile(h, q, &above);

	fprintf(out, ", %s ", name);
	if (isnan(v)) {
		fputs("unknown", out);
		return;
	}
	fputc(above ? '>' : '~', out);
	duration(out, v);
}

/* hist - "N, mean X, p50 ~Y, p95 ~Z", or "none" */
static void
hist(FILE *out, const struct msum_hist *h)
{
	if (h->count == 0) {
		fputs("none", out);
		return;
	}
	fprintf(out, "%" PRIu64 ", mean ", h->count);
	duration(out, msum_mean(h));
	quantile(out, h, 0.50, "p50");
	quantile(out, h, 0.95, "p95");
}

/* stage_daemon - who counts a stage */
static const char *
stage_daemon(const char *stage)
{
	return strcmp(stage, "rcpt") == 0 ? " (smtp2-policyd)" :
	    strcmp(stage, "eom") == 0 ? " (smtp2-milter)" : "";
}

/* stage - one active stage's decisions, recipients and time */
static void
stage(FILE *out, const struct msum_stage *st)
{
	key(out, "", "decisions");
	fprintf(out, "%.*s%s: %" PRIu64 "\n", MSUM_NAME_LEN, st->name,
	    stage_daemon(st->name), st->decisions);
	key(out, "  ", "actions");
	tally(out, &st->action, true);
	fputc('\n', out);
	key(out, "  ", "results");
	tally(out, &st->result, true);
	fputc('\n', out);
	key(out, "  ", "passes by");
	tally(out, &st->method, true);
	fputc('\n', out);
	key(out, "  ", "recipients");
	counted(out, &st->recipients, true);
	fputc('\n', out);
	key(out, "  ", "time");
	hist(out, &st->time);
	fputc('\n', out);
}

/* adoption - the headline: the verified share, and legacy's */
static void
adoption(FILE *out, const struct msum *s)
{
	struct msum_adoption a;

	msum_adoption(s, &a);
	key(out, "", "adoption");
	if (a.basis == NULL)
		fputs("no mail judged yet\n", out);
	else
		fprintf(out, "%.1f%% verified, %.1f%% legacy (of %" PRIu64
		    " %.*s)\n", a.verified_pct, a.legacy_pct, a.total,
		    /* "1 message", "2 messages" */
		    (int)(strlen(a.basis) - (a.total == 1)), a.basis);
}

/* dns - queries, the cache's share, timeouts */
static void
dns(FILE *out, const struct msum *s)
{
	double	hit = msum_pct(s->dns_cache_hits, s->dns_queries);

	key(out, "", "dns");
	fprintf(out, "%" PRIu64 " queries: %" PRIu64 " from the cache",
	    s->dns_queries, s->dns_cache_hits);
	if (!isnan(hit))
		fprintf(out, " (%.1f%%)", hit);
	fprintf(out, ", %" PRIu64 " upstream, %" PRIu64 " timed out, %" PRIu64
	    " over budget\n", s->dns_upstream, s->dns_timeouts, s->dns_budget);
}

/* practices - DKIM, DMARC, refused submissions, errors */
static void
practices(FILE *out, const struct msum *s)
{
	key(out, "", "dkim");
	counted(out, &s->dkim, false);
	fputc('\n', out);
	key(out, "", "dmarc");
	counted(out, &s->dmarc, false);
	fputc('\n', out);
	key(out, "", "submissions");
	fprintf(out, "%" PRIu64 " refused", s->rejections.total);
	if (s->rejections.total > 0) {
		fputs(": ", out);
		tally(out, &s->rejections, false);
	}
	fputc('\n', out);
	key(out, "", "errors");
	tally(out, &s->errors, true);
	fputc('\n', out);
	key(out, "", "reloads");
	tally(out, &s->reloads, true);
	fputc('\n', out);
}

/* msum_print_text - see metrics_summary.h */
void
msum_print_text(FILE *out, const char *source, const struct msum *s)
{
	size_t	i, active = 0;

	key(out, "", "metrics");
	fprintf(out, "%s\n", source);
	adoption(out, s);
	for (i = 0; i < s->n_stages; i++) {
		if (!msum_stage_active(&s->stage[i]))
			continue;
		stage(out, &s->stage[i]);
		active++;
	}
	if (active == 0) {
		key(out, "", "decisions");
		fputs("none yet\n", out);
	}
	key(out, "", "messages");
	counted(out, &s->messages, true);
	fputc('\n', out);
	dns(out, s);
	practices(out, s);
	key(out, "", "cert evidence");
	hist(out, &s->cert_time);
	fputc('\n', out);
}
