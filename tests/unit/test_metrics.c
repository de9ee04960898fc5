/*
 * test_metrics.c - the metrics registry (lib/src/metrics*.c): counting,
 * the Prometheus text format line by line, the JSON snapshot's syntax,
 * histogram buckets, label bounds, exact sums from concurrent threads,
 * the endpoint's listen address, and the certificate-evidence histogram
 * moved by smtp2_verify_with() itself.
 */

/* System library. */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

#include "support.h"

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/metrics.h>
#include <smtp2/verify.h>

#define THREADS		8
#define PER_THREAD	100000

/* verdict - a verdict with the fields the metrics look at */
static struct smtp2_verdict
verdict(enum smtp2_result r, enum smtp2_method m, enum smtp2_dnssec d)
{
	struct smtp2_verdict v;

	memset(&v, 0, sizeof(v));
	v.result = r;
	v.method = m;
	v.dnssec = d;
	return v;
}

/* prom - the text exposition; freed by the caller */
static char *
prom(void)
{
	char	*t;
	size_t	len = 0;

	t = smtp2_metrics_prometheus(&len);
	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	return t;
}

static int
setup(void **state)
{
	(void)state;
	smtp2_metrics_reset();
	return 0;
}

/* Verdicts count by all four labels; the adoption counters follow. */
static void
test_verdicts(void **state)
{
	struct smtp2_verdict pass = verdict(SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	    SMTP2_DNSSEC_SECURE);
	struct smtp2_verdict none = verdict(SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_INSECURE);
	char	*t;

	(void)state;
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &pass, SMTP2_ACTION_ACCEPT, 1, 2);
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &pass, SMTP2_ACTION_ACCEPT, 1, 2);
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, &none, SMTP2_ACTION_TAG, 3, 0);
	t = prom();
	assert_true(t_has_line(t, "smtp2_verdicts_total{stage=\"rcpt\",result=\"pass\","
	    "method=\"dane\",dnssec=\"secure\",action=\"accept\"} 2"));
	assert_true(t_has_line(t, "smtp2_verdicts_total{stage=\"eom\",result=\"none\","
	    "method=\"none\",dnssec=\"insecure\",action=\"tag\"} 1"));
	assert_true(t_has_line(t, "smtp2_recipients_total{stage=\"rcpt\",class=\"verified\"} 2"));
	assert_true(t_has_line(t, "smtp2_recipients_total{stage=\"eom\",class=\"legacy\"} 3"));
	assert_true(t_has_line(t, "smtp2_messages_total{class=\"legacy\"} 1"));
	assert_true(t_has_line(t, "smtp2_messages_total{class=\"verified\"} 0"));
	/* Combinations never seen are not written. */
	assert_null(strstr(t, "action=\"reject\""));
	free(t);
}

/* Out-of-range values are a caller's bug: dropped, never written. */
static void
test_bounds(void **state)
{
	struct smtp2_verdict v = verdict((enum smtp2_result)99, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_UNKNOWN);
	char	*t;

	(void)state;
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &v, SMTP2_ACTION_ACCEPT, 1, 0);
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, NULL, SMTP2_ACTION_ACCEPT, 1, 0);
	smtp2_metrics_dkim((enum smtp2_dkimv_result)-1);
	smtp2_metrics_dns((enum smtp2_metrics_dns)42);
	smtp2_metrics_error(7);
	smtp2_metrics_submission_reject("auth");
	smtp2_metrics_submission_reject("no-such-rule");
	smtp2_metrics_submission_reject(NULL);
	t = prom();
	assert_null(strstr(t, "smtp2_verdicts_total{"));
	assert_true(t_has_line(t, "smtp2_submission_rejections_total{rule=\"auth\"} 1"));
	assert_true(t_has_line(t, "smtp2_submission_rejections_total{rule=\"other\"} 2"));
	assert_true(t_has_line(t, "smtp2_dns_queries_total 0"));
	free(t);
}

/* Reloads by outcome, and lookups the DNS budget stopped. */
static void
test_reloads(void **state)
{
	char	*t;

	(void)state;
	smtp2_metrics_reload(1);
	smtp2_metrics_reload(1);
	smtp2_metrics_reload(0);
	smtp2_metrics_dns(SMTP2_METRICS_DNS_BUDGET);
	t = prom();
	assert_true(t_has_line(t, "smtp2_config_reloads_total{result=\"applied\"} 2"));
	assert_true(t_has_line(t, "smtp2_config_reloads_total{result=\"refused\"} 1"));
	assert_true(t_has_line(t, "smtp2_dns_budget_refused_total 1"));
	free(t);
}

/* Buckets are cumulative, +Inf equals _count, _sum is in seconds. */
static void
test_histogram(void **state)
{
	struct smtp2_verdict v = verdict(SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE,
	    SMTP2_DNSSEC_SECURE);
	char	*t;

	(void)state;
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, &v, SMTP2_ACTION_REJECT, 1, 0);
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, &v, SMTP2_ACTION_REJECT, 1, 3);
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, &v, SMTP2_ACTION_REJECT, 1, 20000);
	t = prom();
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_bucket{stage=\"eom\","
	    "le=\"0.0001\"} 1"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_bucket{stage=\"eom\","
	    "le=\"0.0025\"} 1"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_bucket{stage=\"eom\","
	    "le=\"0.005\"} 2"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_bucket{stage=\"eom\","
	    "le=\"10\"} 2"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_bucket{stage=\"eom\","
	    "le=\"+Inf\"} 3"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_count{stage=\"eom\"} 3"));
	assert_true(t_has_line(t, "smtp2_verdict_duration_seconds_sum{stage=\"eom\"} 20.003000"));
	assert_true(t_has_line(t, "smtp2_messages_total{class=\"other\"} 3"));
	free(t);
}

/* sample_ok - NAME[{k="v",...}] NUMBER, the text format's sample line;
 * the family it belongs to is copied into family */
static bool
sample_ok(const char *l, char *family, size_t flen)
{
	const char *p = l, *sfx[] = { "_bucket", "_sum", "_count" };
	size_t	n, i, s;
	char	*end;

	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	if ((n = (size_t)(p - l)) == 0 || n >= flen || isdigit((unsigned char)*l))
		return false;
	memcpy(family, l, n);
	family[n] = '\0';
	for (i = 0; i < 3; i++)
		if (n > (s = strlen(sfx[i])) && strcmp(family + n - s, sfx[i]) == 0
		    && strstr(family, "_seconds") != NULL)
			family[n - s] = '\0';
	if (*p == '{') {
		do {
			p++;
			while (islower((unsigned char)*p) || *p == '_')
				p++;
			if (p[0] != '=' || p[1] != '"' || (p = strchr(p + 2, '"')) == NULL)
				return false;
			p++;
		} while (*p == ',');
		if (*p++ != '}')
			return false;
	}
	if (*p++ != ' ')
		return false;
	(void)strtod(p, &end);
	return end != p && *end == '\0';
}

/* Every line is a comment or a sample of a family typed before it. */
static void
test_format(void **state)
{
	struct smtp2_verdict v = verdict(SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX,
	    SMTP2_DNSSEC_INSECURE);
	char	*t, *line, *save = NULL, family[128], typed[256][128];
	size_t	ntyped = 0, i, samples = 0;
	bool	found;

	(void)state;
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &v, SMTP2_ACTION_ACCEPT, 1, 7);
	smtp2_metrics_observe_us(SMTP2_METRICS_T_CERT_VERIFY, smtp2_metrics_now_us());
	t = prom();
	assert_true(t[strlen(t) - 1] == '\n');
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_true(ntyped < 256);
			assert_int_equal(sscanf(line + 7, "%127s", typed[ntyped]), 1);
			ntyped++;
			continue;
		}
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (!sample_ok(line, family, sizeof(family)))
			fail_msg("not a sample line: %s", line);
		for (found = false, i = 0; i < ntyped && !found; i++)
			found = strcmp(typed[i], family) == 0;
		if (!found)
			fail_msg("sample before its # TYPE: %s", line);
		samples++;
	}
	assert_true(samples > 50);
	free(t);
}

/* A JSON checker for what the snapshot may contain: objects, arrays,
 * strings without escapes, numbers.  Returns the end, NULL on error. */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"' && *p != '\0' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return *p == '"' ? p + 1 : NULL;
}

static const char *
json_members(const char *p, int depth, char close, bool named)
{
	p = json_ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (named) {
			if ((p = json_string(json_ws(p))) == NULL)
				return NULL;
			if (*(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		if ((p = json_value(p, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p, int depth)
{
	char	*end;

	p = json_ws(p);
	if (depth > 16)
		return NULL;
	if (*p == '{')
		return json_members(p + 1, depth, '}', true);
	if (*p == '[')
		return json_members(p + 1, depth, ']', false);
	if (*p == '"')
		return json_string(p);
	if (*p != '-' && !isdigit((unsigned char)*p))
		return NULL;
	(void)strtod(p, &end);
	return end;
}

/* The JSON snapshot parses and holds the same numbers as the text. */
static void
test_json(void **state)
{
	struct smtp2_verdict v = verdict(SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	    SMTP2_DNSSEC_SECURE);
	const char *end;
	char	*j;
	size_t	len = 0;

	(void)state;
	smtp2_metrics_verdict(SMTP2_METRICS_EOM, &v, SMTP2_ACTION_ACCEPT, 2, 1);
	smtp2_metrics_dkim(SMTP2_DKIMV_PASS);
	smtp2_metrics_dmarc(SMTP2_DMARCR_FAIL);
	smtp2_metrics_dns(SMTP2_METRICS_DNS_CACHE_HIT);
	j = smtp2_metrics_json(&len);
	assert_non_null(j);
	assert_int_equal(strlen(j), len);
	end = json_value(j, 0);
	assert_non_null(end);
	assert_string_equal(json_ws(end), "");
	assert_non_null(strstr(j, "{\"name\":\"smtp2_verdicts_total\",\"labels\":"
	    "{\"stage\":\"eom\",\"result\":\"pass\",\"method\":\"dane\",\"dnssec\":"
	    "\"secure\",\"action\":\"accept\"},\"value\":1}"));
	assert_non_null(strstr(j, "\"labels\":{\"result\":\"pass\"},\"value\":1}"));
	assert_non_null(strstr(j, "{\"name\":\"smtp2_dns_cache_hits_total\","
	    "\"labels\":{},\"value\":1}"));
	assert_non_null(strstr(j, "\"smtp2_cert_verify_duration_seconds\":"
	    "{\"type\":\"histogram\""));
	free(j);
}

/* worker - many increments, no lock */
static void *
worker(void *arg)
{
	struct smtp2_verdict v = verdict(SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
	    SMTP2_DNSSEC_SECURE);
	int	i;

	(void)arg;
	for (i = 0; i < PER_THREAD; i++) {
		smtp2_metrics_dns(SMTP2_METRICS_DNS_QUERY);
		smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &v, SMTP2_ACTION_ACCEPT, 1, 1);
	}
	return NULL;
}

/* Concurrent increments sum exactly. */
static void
test_threads(void **state)
{
	pthread_t th[THREADS];
	char	*t, want[128];
	int	i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	t = prom();
	snprintf(want, sizeof(want), "smtp2_dns_queries_total %d", THREADS * PER_THREAD);
	assert_true(t_has_line(t, want));
	snprintf(want, sizeof(want), "smtp2_verdict_duration_seconds_count"
	    "{stage=\"rcpt\"} %d", THREADS * PER_THREAD);
	assert_true(t_has_line(t, want));
	snprintf(want, sizeof(want), "smtp2_recipients_total{stage=\"rcpt\","
	    "class=\"verified\"} %d", THREADS * PER_THREAD);
	assert_true(t_has_line(t, want));
	free(t);
}

/* The listen address: numeric, with a port, nothing else. */
static void
test_listen(void **state)
{
	static const struct {
		const char *spec;
		int	ok;
	} cases[] = {
		{ "127.0.0.1:9466", 1 }, { "[::1]:9466", 1 }, { "0.0.0.0:1", 1 },
		{ "localhost:9466", 0 }, { "127.0.0.1", 0 }, { "127.0.0.1:0", 0 },
		{ "127.0.0.1:65536", 0 }, { "::1:9466", 0 }, { "[::1]9466", 0 },
		{ "[127.0.0.1]:9466", 0 }, { ":9466", 0 }, { "127.0.0.1:94x", 0 },
		{ "", 0 }, { "127.0.0.1:+9", 0 },
	};
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char	why[200];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if ((smtp2_metrics_listen_parse(cases[i].spec, &ss, &len, why,
		    sizeof(why)) == 0) != cases[i].ok)
			fail_msg("%s: want %s (%s)", cases[i].spec,
			    cases[i].ok ? "ok" : "error", why);
	}
	assert_int_equal(smtp2_metrics_listen_parse("[::1]:9466", &ss, &len, why,
	    sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(smtp2_metrics_listen_parse("localhost:1", NULL, NULL, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "'localhost:1' is not IPV4:PORT or [IPV6]:PORT");
}

/* prime - one canned answer (rdata given) into the cache */
static void
prime(struct smtp2_dns_cache *c, const char *name, uint16_t type,
    enum smtp2_dns_status st, const unsigned char *rdata, size_t len)
{
	unsigned char buf[64];
	struct smtp2_dns_rr rr = { len, buf };
	struct smtp2_dns_answer a;

	assert_true(len <= sizeof(buf));
	memcpy(buf, rdata, len);
	memset(&a, 0, sizeof(a));
	a.status = st;
	a.dnssec = SMTP2_DNSSEC_SECURE;
	a.ttl = 300;
	a.rr = st == SMTP2_DNS_OK ? &rr : NULL;
	a.n = st == SMTP2_DNS_OK ? 1 : 0;
	assert_int_equal(smtp2_dns_cache_put(c, name, type, &a), 0);
}

/* cert_count_is - is smtp2_cert_verify_duration_seconds_count want? */
static bool
cert_count_is(const char *want)
{
	char	*t = prom(), line[96];
	bool	ok;

	snprintf(line, sizeof(line), "smtp2_cert_verify_duration_seconds_count %s",
	    want);
	ok = t_has_line(t, line);
	free(t);
	return ok;
}

/*
 * The certificate histogram times what the daemons do with a presented
 * certificate (pins, their TLSA lookup, PKIX), once per verification,
 * though no chain is ever verified here: Postfix hands fingerprints.
 * No certificate, nothing judged, nothing timed.
 */
static void
test_cert_evidence(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	static const char rec[] = "\024v=SMTP2v1; p=enforce";
	unsigned char tlsa[3 + SMTP2_SHA256_LEN] = { 3, 1, 1 };
	struct smtp2_dns_opts o;
	struct smtp2_tls_facts tls;
	struct smtp2_verdict v;
	struct smtp2_dns *dns;
	char	why[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.trust_anchors = "/usr/share/dns/root.ds";
	o.dnssec = SMTP2_DNSSEC_REQUIRED;
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(16, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	memset(tlsa + 3, 0x11, SMTP2_SHA256_LEN);
	prime(o.cache, "_smtp2.bank.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK,
	    (const unsigned char *)rec, sizeof(rec) - 1);
	prime(o.cache, "_smtp2._tcp.bank.test", SMTP2_DNS_T_TLSA, SMTP2_DNS_OK,
	    tlsa, sizeof(tlsa));
	assert_true(cert_count_is("0"));

	smtp2_tls_facts_init(&tls);
	tls.cert_presented = tls.have_spki_sha256 = true;
	memset(tls.spki_sha256, 0x11, SMTP2_SHA256_LEN);
	smtp2_verify(dns, SMTP2_DNSSEC_REQUIRED, "bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_PASS);
	assert_int_equal(v.method, SMTP2_METHOD_DANE);
	assert_true(cert_count_is("1"));

	/* A certificate that proves nothing was judged all the same. */
	memset(tls.spki_sha256, 0x22, SMTP2_SHA256_LEN);
	smtp2_verify(dns, SMTP2_DNSSEC_REQUIRED, "bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_FAIL);
	assert_true(cert_count_is("2"));

	smtp2_tls_facts_init(&tls);
	smtp2_verify(dns, SMTP2_DNSSEC_REQUIRED, "bank.test", &tls, &v);
	assert_int_equal(v.result, SMTP2_RESULT_FAIL);
	assert_true(cert_count_is("2"));
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verdicts, setup),
		cmocka_unit_test_setup(test_reloads, setup),
		cmocka_unit_test_setup(test_bounds, setup),
		cmocka_unit_test_setup(test_histogram, setup),
		cmocka_unit_test_setup(test_format, setup),
		cmocka_unit_test_setup(test_json, setup),
		cmocka_unit_test_setup(test_threads, setup),
		cmocka_unit_test_setup(test_listen, setup),
		cmocka_unit_test_setup(test_cert_evidence, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
