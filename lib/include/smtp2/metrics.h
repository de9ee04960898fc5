/*
 * smtp2/metrics.h - process-wide counters and histograms for operators
 * (docs/metrics.md), written out as Prometheus text or as JSON.
 *
 * Every label is an enum: the number of series is fixed at compile time,
 * whatever the traffic (no domain, address or client ever becomes a
 * label).  Counting is a relaxed atomic add on static storage: safe from
 * any thread, no lock, no allocation, never fails.  Only the writers
 * allocate, and they run when a scraper asks, not per message.
 */
#ifndef SMTP2_METRICS_H
#define SMTP2_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <smtp2/decide.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/practices.h>
#include <smtp2/result.h>
#include <smtp2/verify.h>

/* Where a verdict was taken (docs/logs.md stage=). */
enum smtp2_metrics_stage {
	SMTP2_METRICS_RCPT = 0,		/* smtp2-policyd, per recipient */
	SMTP2_METRICS_EOM		/* smtp2-milter, per message */
};

/* DNS events, counted by the resolver (lib/src/dns.c). */
enum smtp2_metrics_dns {
	SMTP2_METRICS_DNS_QUERY = 0,	/* every lookup asked for */
	SMTP2_METRICS_DNS_CACHE_HIT,	/* answered from the shared cache */
	SMTP2_METRICS_DNS_UPSTREAM,	/* sent to the resolver (a miss) */
	SMTP2_METRICS_DNS_TIMEOUT,	/* no answer in dns.timeout_ms */
	SMTP2_METRICS_DNS_BUDGET	/* not sent: dns.max_queries spent */
};

/* Timed operations, each a histogram in seconds. */
enum smtp2_metrics_timer {
	SMTP2_METRICS_T_CERT_VERIFY = 0	/* a presented certificate judged:
					 * pins, DANE, PKIX (verify.c) */
};

/*
 * smtp2_metrics_verdict - one decision: the verdict's result, method and
 * DNSSEC status with the action taken, n_rcpt recipients (1 at RCPT),
 * and ms spent deciding.  At EOM it also counts one message.
 */
void smtp2_metrics_verdict(enum smtp2_metrics_stage stage,
    const struct smtp2_verdict *v, enum smtp2_action action,
    unsigned n_rcpt, long ms);

/* smtp2_metrics_dkim - a message's DKIM summary (the log's dkim=). */
void smtp2_metrics_dkim(enum smtp2_dkimv_result r);

/* smtp2_metrics_dmarc - a message's DMARC result, when judged. */
void smtp2_metrics_dmarc(enum smtp2_dmarcr r);

/* smtp2_metrics_dns - one DNS event. */
void smtp2_metrics_dns(enum smtp2_metrics_dns ev);

/*
 * smtp2_metrics_submission_reject - a submission refused by rule (the
 * log's rule=: "tls", "auth", ...).  Unknown names count as "other".
 */
void smtp2_metrics_submission_reject(const char *rule);

/* smtp2_metrics_error - a line logged at err (0) or warning (1) level. */
void smtp2_metrics_error(int level);

/* smtp2_metrics_reload - a configuration reload, applied (1) or refused (0). */
void smtp2_metrics_reload(int applied);

/* smtp2_metrics_now_us - a monotonic clock for timing, microseconds. */
uint64_t smtp2_metrics_now_us(void);

/* smtp2_metrics_observe_us - one timed operation since t0_us (now_us()). */
void smtp2_metrics_observe_us(enum smtp2_metrics_timer t, uint64_t t0_us);

/*
 * smtp2_metrics_prometheus - every metric in the Prometheus text format
 * 0.0.4.  smtp2_metrics_json - the same samples as one JSON object:
 *   {"NAME": {"type": "counter", "help": "...", "samples":
 *     [{"name": "NAME", "labels": {"k": "v"}, "value": N}, ...]}, ...}
 * Both return a NUL-terminated string the caller frees with free(), and
 * its length in *len; NULL when out of memory.
 */
char *smtp2_metrics_prometheus(size_t *len);
char *smtp2_metrics_json(size_t *len);

/*
 * smtp2_metrics_listen_parse - the address the metrics endpoint listens
 * on (milter.conf metrics.*_listen): "IPV4:PORT" or "[IPV6]:PORT",
 * numeric only, so the endpoint never depends on name resolution.  Fills
 * ss and *sslen when not NULL.  0, or -1 with why.
 */
int smtp2_metrics_listen_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *sslen, char *why, size_t whylen);

/* smtp2_metrics_reset - every counter back to zero (for tests). */
void smtp2_metrics_reset(void);

#endif
