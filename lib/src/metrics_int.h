/*
 * metrics_int.h - the registry behind smtp2/metrics.h, shared by the
 * counting side (metrics.c) and the writers (metrics_walk.c,
 * metrics_out.c).
 *
 * The registry is nothing but atomic 64-bit counters, statically
 * allocated: a reset can walk it as one array, and a writer reads each
 * counter once, without a lock.  A snapshot taken while mail flows is
 * therefore not one instant, only close to it; Prometheus expects no more.
 */
#ifndef SMTP2_METRICS_INT_H
#define SMTP2_METRICS_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define M_NSTAGE	2	/* rcpt, eom */
#define M_NRESULT	5	/* enum smtp2_result */
#define M_NMETHOD	3	/* enum smtp2_method */
#define M_NDNSSEC	5	/* enum smtp2_dnssec */
#define M_NACTION	4	/* enum smtp2_action */
#define M_NCLASS	3	/* verified, legacy, other */
#define M_NDKIM		7	/* enum smtp2_dkimv_result */
#define M_NDMARC	5	/* enum smtp2_dmarcr */
#define M_NDNS		5	/* enum smtp2_metrics_dns */
#define M_NRULE		11	/* submission rules, "other" last */
#define M_NERR		2	/* err, warning */
#define M_NRELOAD	2	/* refused, applied */
#define M_NBOUND	16	/* finite histogram buckets */

typedef _Atomic uint64_t metrics_ctr;

/* Buckets are not cumulative here (the writer adds them up): one add per
 * observation.  bucket[M_NBOUND] holds what exceeds the last bound. */
struct metrics_hist {
	metrics_ctr	bucket[M_NBOUND + 1];
	metrics_ctr	sum_us;
};

struct metrics_reg {
	metrics_ctr	verdicts[M_NSTAGE][M_NRESULT][M_NMETHOD][M_NDNSSEC][M_NACTION];
	metrics_ctr	recipients[M_NSTAGE][M_NCLASS];
	metrics_ctr	messages[M_NCLASS];
	metrics_ctr	dkim[M_NDKIM];
	metrics_ctr	dmarc[M_NDMARC];
	metrics_ctr	dns[M_NDNS];
	metrics_ctr	rejects[M_NRULE];
	metrics_ctr	errors[M_NERR];
	metrics_ctr	reloads[M_NRELOAD];
	struct metrics_hist verdict_time[M_NSTAGE];
	struct metrics_hist cert_time;
};

extern struct metrics_reg smtp2_metrics_reg;

/* Upper bounds of the finite buckets, microseconds, ascending. */
extern const uint64_t smtp2_metrics_bounds_us[M_NBOUND];

/* Label values, indexed as the registry is. */
extern const char *const smtp2_metrics_stage_names[M_NSTAGE];
extern const char *const smtp2_metrics_class_names[M_NCLASS];
extern const char *const smtp2_metrics_rule_names[M_NRULE];
extern const char *const smtp2_metrics_err_names[M_NERR];
extern const char *const smtp2_metrics_reload_names[M_NRELOAD];

/* metrics_get - one counter, relaxed */
#define metrics_get(c)	atomic_load_explicit(&(c), memory_order_relaxed)

/*
 * What a writer receives: each family once, then its samples.  Values
 * come as text, already formatted, so that both formats print the very
 * same number.
 */
struct metrics_sink {
	void	(*family)(void *arg, const char *name, const char *type,
		    const char *help);
	void	(*sample)(void *arg, const char *name, const char *const *keys,
		    const char *const *vals, size_t n, const char *value);
	void	*arg;
};

/* smtp2_metrics_walk - hand every family and sample to sink. */
void smtp2_metrics_walk(const struct metrics_sink *sink);

/* smtp2_conf_check_metrics_listen - milter.conf's check of metrics.*_listen */
int smtp2_conf_check_metrics_listen(const char *s, char *why, size_t whylen);

#endif
