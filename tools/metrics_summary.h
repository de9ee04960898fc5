/*
 * metrics_summary.h - a daemon's JSON metrics snapshot (GET /metrics.json,
 * docs/metrics.md) read and boiled down to what an operator looks at
 * first: decisions, adoption, DNS, DKIM/DMARC, refusals, errors and
 * timings.  "smtp2-check metrics" fetches and prints it (check_metrics.c).
 *
 * msum_ is this module's prefix.  Parsing knows nothing of HTTP and
 * printing knows nothing of json-c, so each part can be tested and fuzzed
 * alone.  The snapshot comes from the network: it is checked, never
 * trusted.  Label values must be plain names ([A-Za-z0-9_+.-], as the
 * daemons write them) before they are printed; values must be finite,
 * non-negative numbers of at most 2^53, and whole except histogram sums.
 */
#ifndef MSUM_H
#define MSUM_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MSUM_NAME_LEN		32	/* a label value and its NUL */
#define MSUM_TALLY_MAX		16	/* distinct values per label */
#define MSUM_STAGES_MAX		4
#define MSUM_BUCKETS_MAX	32
#define MSUM_SNAPSHOT_MAX	(1024 * 1024)	/* bytes accepted */

/* Counts by one label's value; known values first, in the docs' order,
 * values the snapshot adds after them.  Totals saturate. */
struct msum_tally {
	size_t		n;
	uint64_t	total;
	struct msum_count {
		char		name[MSUM_NAME_LEN];
		uint64_t	n;
	} c[MSUM_TALLY_MAX];
};

/* One histogram: cumulative buckets by upper bound (seconds, the last
 * +Inf), the sum of observations (seconds) and their count. */
struct msum_hist {
	size_t		n;
	double		le[MSUM_BUCKETS_MAX];
	uint64_t	cum[MSUM_BUCKETS_MAX];
	double		sum;
	uint64_t	count;
};

/* Decisions at one stage: "rcpt" (smtp2-policyd), "eom" (smtp2-milter). */
struct msum_stage {
	char		name[MSUM_NAME_LEN];
	uint64_t	decisions;
	struct msum_tally action;	/* accept, tag, reject, defer */
	struct msum_tally result;	/* pass, fail, none, temperror, permerror */
	struct msum_tally method;	/* of passes: dane, pkix */
	struct msum_tally recipients;	/* verified, legacy, other */
	struct msum_hist time;		/* decision time */
};

struct msum {
	size_t		n_stages;
	struct msum_stage stage[MSUM_STAGES_MAX];
	struct msum_tally messages;	/* by class, smtp2-milter only */
	uint64_t	dns_queries, dns_cache_hits, dns_upstream, dns_timeouts;
	uint64_t	dns_budget;	/* lookups refused: dns.max_queries spent */
	struct msum_tally dkim;
	struct msum_tally dmarc;
	struct msum_tally rejections;	/* submissions refused, by rule */
	struct msum_tally errors;	/* err, warning */
	struct msum_tally reloads;	/* applied, refused */
	struct msum_hist cert_time;	/* certificate evidence judged */
};

/* The adoption metric: the share of judged mail whose sender proved its
 * domain (verified) and the share from domains without a record (legacy). */
struct msum_adoption {
	const char	*basis;		/* "messages", "recipients at rcpt", ...; NULL: no mail */
	uint64_t	verified, legacy, total;
	double		verified_pct, legacy_pct;	/* NAN without mail */
};

/*
 * msum_parse - read a snapshot: len bytes of JSON at json (no NUL needed;
 * one inside is an error).  Fills s and returns 0, or returns -1 with one
 * line in why ("malformed JSON at byte 17: unexpected character",
 * "smtp2_dns_queries_total: missing", "smtp2_verdicts_total sample 3:
 * no label 'action'").  s is then unusable.
 */
int	msum_parse(const char *json, size_t len, struct msum *s, char *why,
	    size_t whylen);

/* msum_stage_active - did this stage decide, count or time anything? */
bool	msum_stage_active(const struct msum_stage *st);

/* msum_adoption - per message where smtp2-milter counted messages, else
 * per recipient at the first stage that counted any. */
void	msum_adoption(const struct msum *s, struct msum_adoption *a);

/* msum_pct - part of total in percent; NAN when total is 0. */
double	msum_pct(uint64_t part, uint64_t total);

/* msum_mean - mean observation in seconds; NAN without observations. */
double	msum_mean(const struct msum_hist *h);

/*
 * msum_quantile - the q-quantile (0 <= q <= 1) estimated from the buckets
 * as Prometheus' histogram_quantile() does: linear within the bucket it
 * falls in.  Falling into +Inf gives the last finite bound and sets *above
 * (the answer is "more than that").  NAN without observations.
 */
double	msum_quantile(const struct msum_hist *h, double q, bool *above);

/* msum_print_text - the summary as "key: value" lines; source is the URL. */
void	msum_print_text(FILE *out, const char *source, const struct msum *s);

/*
 * msum_print_json - the summary's figures as members of the object w has
 * open (docs/smtp2-check.md, "metrics"); the caller writes the fields
 * every smtp2-check document starts with, and closes.  Shares, means and
 * quantiles that do not exist yet (no mail, no observation) are null.
 */
struct jsonw;
void	msum_print_json(struct jsonw *w, const struct msum *s);

#endif
