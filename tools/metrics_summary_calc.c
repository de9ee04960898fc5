/*
 * metrics_summary_calc.c - the figures both printers derive from a parsed
 * snapshot: shares, means and quantiles.  One place, so the text and the
 * JSON summary cannot disagree.
 */

/* System library. */
#include <math.h>
#include <string.h>

/* Application-specific. */
#include "metrics_summary.h"

/* msum_pct - see metrics_summary.h */
double
msum_pct(uint64_t part, uint64_t total)
{
	return total == 0 ? NAN : 100.0 * (double)part / (double)total;
}

/* msum_mean - see metrics_summary.h */
double
msum_mean(const struct msum_hist *h)
{
	return h->count == 0 ? NAN : h->sum / (double)h->count;
}

/* msum_quantile - see metrics_summary.h */
double
msum_quantile(const struct msum_hist *h, double q, bool *above)
{
	double	rank, lo, prev;
	size_t	i;

	*above = false;
	if (h->n == 0 || h->cum[h->n - 1] == 0)
		return NAN;
	rank = q * (double)h->cum[h->n - 1];
	for (i = 0; i < h->n - 1 && (double)h->cum[i] < rank; i++)
		continue;
	if (isinf(h->le[i])) {
		/* Past the last finite bound: all we know is "more than". */
		*above = true;
		return i > 0 ? h->le[i - 1] : NAN;
	}
	lo = i > 0 ? h->le[i - 1] : 0;
	prev = i > 0 ? (double)h->cum[i - 1] : 0;
	if ((double)h->cum[i] <= prev)
		return h->le[i];
	return lo + (h->le[i] - lo) * (rank - prev) / ((double)h->cum[i] - prev);
}

/* msum_stage_active - see metrics_summary.h */
bool
msum_stage_active(const struct msum_stage *st)
{
	return st->decisions > 0 || st->recipients.total > 0 || st->time.count > 0;
}

/* tally_get - the count under name, 0 when absent */
static uint64_t
tally_get(const struct msum_tally *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->c[i].name, name) == 0)
			return t->c[i].n;
	return 0;
}

/* adoption_from - the shares of one class tally */
static void
adoption_from(struct msum_adoption *a, const char *basis,
    const struct msum_tally *t)
{
	a->basis = basis;
	a->verified = tally_get(t, "verified");
	a->legacy = tally_get(t, "legacy");
	a->total = t->total;
	a->verified_pct = msum_pct(a->verified, a->total);
	a->legacy_pct = msum_pct(a->legacy, a->total);
}

/* msum_adoption - see metrics_summary.h */
void
msum_adoption(const struct msum *s, struct msum_adoption *a)
{
	static const char *const per_rcpt[] = { "rcpt", "eom" };
	size_t	i, k;

	memset(a, 0, sizeof(*a));
	a->verified_pct = a->legacy_pct = NAN;
	if (s->messages.total > 0) {
		adoption_from(a, "messages", &s->messages);
		return;
	}
	/* Per recipient: RCPT (smtp2-policyd) is where every recipient is
	 * judged; end of message counts a message's recipients at once. */
	for (k = 0; k < sizeof(per_rcpt) / sizeof(per_rcpt[0]); k++)
		for (i = 0; i < s->n_stages; i++)
			if (strcmp(s->stage[i].name, per_rcpt[k]) == 0 &&
			    s->stage[i].recipients.total > 0) {
				adoption_from(a, k == 0 ? "recipients at rcpt" :
				    "recipients at eom", &s->stage[i].recipients);
				return;
			}
}
