/*
 * test_metrics_summary.c - smtp2-check's metrics summary (tools/
 * metrics_summary*.c): the figures read from real snapshots (fixtures
 * written by smtp2_metrics_json, and one made live so a change of the
 * library's format breaks here first), both printed forms, quantiles
 * from buckets, and one precise reason for each kind of bad snapshot.
 */

/* System library. */
#include <math.h>
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
#include <json-c/json.h>
#include <smtp2/metrics.h>

/* Application-specific. */
#include "check_json.h"
#include "metrics_summary.h"

#define DATA		SMTP2_TEST_DATA "/metrics/"
#define SOURCE		"http://127.0.0.1:9467/metrics.json"

/* slurp - a fixture's bytes (malloc'd, NUL added, caller frees) */
static char *
slurp(const char *name, size_t *len)
{
	char	path[512];

	snprintf(path, sizeof(path), DATA "%s", name);
	return t_slurp(path, len);
}

/* parse_file - a fixture that must parse */
static void
parse_file(const char *name, struct msum *s)
{
	char	why[256] = "", *j;
	size_t	len;

	j = slurp(name, &len);
	if (msum_parse(j, len, s, why, sizeof(why)) != 0)
		fail_msg("%s: %s", name, why);
	free(j);
}

/* count_of - a tally's count under name; fails when absent */
static uint64_t
count_of(const struct msum_tally *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->c[i].name, name) == 0)
			return t->c[i].n;
	fail_msg("no '%s' in the tally", name);
	return 0;
}

/* stage_of - the stage named name */
static const struct msum_stage *
stage_of(const struct msum *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->n_stages; i++)
		if (strcmp(s->stage[i].name, name) == 0)
			return &s->stage[i];
	fail_msg("no stage '%s'", name);
	return NULL;
}

/* text_of - the text report (malloc'd, caller frees) */
static char *
text_of(const struct msum *s)
{
	char	*buf = NULL;
	size_t	len = 0;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	msum_print_text(fp, SOURCE, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* json_of - the JSON report, parsed back (caller puts) */
static json_object *
json_of(const struct msum *s)
{
	struct jsonw w;
	json_object *o;
	char	*buf = NULL;
	size_t	len = 0;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	jsonw_init(&w, fp, false);
	jsonw_object_open(&w, NULL);
	msum_print_json(&w, s);
	jsonw_object_close(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_int_equal(fclose(fp), 0);
	o = json_tokener_parse(buf);
	if (o == NULL)
		fail_msg("not JSON: %s", buf);
	free(buf);
	return o;
}

/* jpath - a member by "a.b.0.c" path, NULL for a JSON null; fails when
 * absent */
static json_object *
jpath(json_object *o, const char *path)
{
	char	buf[128], *k, *save = NULL;
	bool	found;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			found = (size_t)atoi(k) < json_object_array_length(o);
			o = json_object_array_get_idx(o, (size_t)atoi(k));
		} else
			found = json_object_object_get_ex(o, k, &o);
		if (!found)
			fail_msg("no %s (at %s)", path, k);
	}
	return o;
}

/* The milter's snapshot: every figure, as counted by the generator. */
static void
test_milter_figures(void **state)
{
	struct msum s;
	struct msum_adoption a;
	const struct msum_stage *eom;

	(void)state;
	parse_file("milter.json", &s);
	eom = stage_of(&s, "eom");
	assert_false(msum_stage_active(stage_of(&s, "rcpt")));
	assert_int_equal(eom->decisions, 12);
	assert_int_equal(count_of(&eom->action, "accept"), 7);
	assert_int_equal(count_of(&eom->action, "tag"), 3);
	assert_int_equal(count_of(&eom->action, "reject"), 1);
	assert_int_equal(count_of(&eom->action, "defer"), 1);
	assert_int_equal(count_of(&eom->result, "pass"), 7);
	assert_int_equal(count_of(&eom->result, "temperror"), 1);
	assert_int_equal(count_of(&eom->method, "dane"), 6);
	assert_int_equal(count_of(&eom->method, "pkix"), 1);
	assert_int_equal(eom->recipients.total, 13);
	assert_int_equal(eom->time.count, 12);
	assert_int_equal(s.messages.total, 12);
	assert_int_equal(count_of(&s.messages, "verified"), 7);
	assert_int_equal(s.dns_queries, 40);
	assert_int_equal(s.dns_cache_hits, 30);
	assert_int_equal(s.dns_upstream, 10);
	assert_int_equal(s.dns_timeouts, 1);
	assert_int_equal(count_of(&s.dkim, "pass"), 8);
	assert_int_equal(s.dkim.total, 12);
	assert_int_equal(count_of(&s.dmarc, "fail"), 1);
	assert_int_equal(count_of(&s.rejections, "auth"), 2);
	assert_int_equal(s.rejections.total, 3);
	assert_int_equal(count_of(&s.errors, "warning"), 2);
	assert_int_equal(s.cert_time.count, 4);
	msum_adoption(&s, &a);
	assert_string_equal(a.basis, "messages");
	assert_int_equal(a.total, 12);
	assert_true(fabs(a.verified_pct - 700.0 / 12) < 1e-9);
	assert_true(fabs(a.legacy_pct - 25.0) < 1e-9);
}

/* The text report: the lines an operator reads, exactly. */
static void
test_milter_text(void **state)
{
	static const char *const want[] = {
		"metrics:       " SOURCE,
		"adoption:      58.3% verified, 25.0% legacy (of 12 messages)",
		"decisions:     eom (smtp2-milter): 12",
		"  actions:     accept 7, tag 3, reject 1, defer 1",
		"  results:     pass 7, fail 1, none 3, temperror 1, permerror 0",
		"  passes by:   dane 6, pkix 1",
		"  recipients:  13: verified 8, legacy 3, other 2",
		"messages:      12: verified 7, legacy 3, other 2",
		"dns:           40 queries: 30 from the cache (75.0%), 10 upstream, "
		    "1 timed out, 0 over budget",
		"dkim:          12: none 2, pass 8, fail 1, temperror 1",
		"dmarc:         6: pass 5, fail 1",
		"submissions:   3 refused: tls 1, auth 2",
		"errors:        err 1, warning 2",
		"reloads:       applied 2, refused 0",
	};
	struct msum s;
	char	*t;
	size_t	i;

	(void)state;
	parse_file("milter.json", &s);
	t = text_of(&s);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!t_has_line(t, want[i]))
			fail_msg("no line \"%s\" in:\n%s", want[i], t);
	/* The policy daemon's stage decided nothing: not shown. */
	assert_null(strstr(t, "rcpt"));
	assert_non_null(strstr(t, "\ncert evidence: 4, mean "));
	assert_non_null(strstr(t, "\n  time:        12, mean "));
	free(t);
}

/* A daemon older than the reload and budget counters: read, zeroes. */
static void
test_older_daemon(void **state)
{
	struct msum s;

	(void)state;
	parse_file("older.json", &s);
	assert_int_equal(s.dns_budget, 0);
	assert_int_equal(s.reloads.total, 0);
	assert_int_equal(s.dns_timeouts, 1);
}

/* The JSON report carries the same figures; null where none exist. */
static void
test_milter_json(void **state)
{
	struct msum s;
	json_object *o;

	(void)state;
	parse_file("milter.json", &s);
	o = json_of(&s);
	assert_string_equal(json_object_get_string(jpath(o, "adoption.basis")),
	    "messages");
	assert_true(fabs(json_object_get_double(jpath(o,
	    "adoption.verified_percent")) - 58.3) < 1e-9);
	assert_string_equal(json_object_get_string(jpath(o, "stages.1.stage")), "eom");
	assert_int_equal(json_object_get_int64(jpath(o, "stages.1.actions.reject")), 1);
	assert_int_equal(json_object_get_int64(jpath(o,
	    "stages.1.recipients.by_class.verified")), 8);
	assert_null(jpath(o, "stages.0.decision_time.mean_seconds"));
	assert_null(jpath(o, "stages.0.decision_time.p95_seconds"));
	assert_int_equal(json_object_get_int64(jpath(o, "messages.total")), 12);
	assert_true(fabs(json_object_get_double(jpath(o, "dns.cache_hit_percent"))
	    - 75.0) < 1e-9);
	assert_int_equal(json_object_get_int64(jpath(o,
	    "submission_rejections.by_rule.auth")), 2);
	assert_int_equal(json_object_get_int64(jpath(o, "errors.err")), 1);
	assert_int_equal(json_object_get_int64(jpath(o, "cert_verify_time.count")), 4);
	json_object_put(o);
}

/* The policy daemon's snapshot: adoption per recipient at RCPT. */
static void
test_policyd(void **state)
{
	struct msum s;
	struct msum_adoption a;
	char	*t;

	(void)state;
	parse_file("policyd.json", &s);
	msum_adoption(&s, &a);
	assert_string_equal(a.basis, "recipients at rcpt");
	assert_int_equal(a.verified, 3);
	assert_int_equal(a.total, 5);
	t = text_of(&s);
	assert_true(t_has_line(t, "adoption:      60.0% verified, 20.0% legacy "
	    "(of 5 recipients at rcpt)"));
	assert_true(t_has_line(t, "decisions:     rcpt (smtp2-policyd): 5"));
	assert_true(t_has_line(t, "messages:      0"));
	assert_true(t_has_line(t, "submissions:   0 refused"));
	assert_true(t_has_line(t, "cert evidence: none"));
	free(t);
}

/* A value the docs do not list is counted under its own name. */
static void
test_unknown_value(void **state)
{
	struct msum s;
	char	*j, *p, why[256] = "", *t;
	size_t	len;

	(void)state;
	j = slurp("policyd.json", &len);
	assert_non_null(p = strstr(j, "\"action\":\"reject\""));
	memcpy(p, "\"action\":\"holdit\"", 17);
	if (msum_parse(j, len, &s, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_int_equal(count_of(&stage_of(&s, "rcpt")->action, "holdit"), 1);
	assert_int_equal(count_of(&stage_of(&s, "rcpt")->action, "reject"), 0);
	t = text_of(&s);
	assert_true(t_has_line(t, "  actions:     accept 4, tag 0, reject 0, "
	    "defer 0, holdit 1"));
	free(t);
	free(j);
}

/* Quantiles as histogram_quantile() estimates them. */
static void
test_quantile(void **state)
{
	struct msum_hist h = { 3, { 0.001, 0.01, INFINITY }, { 1, 3, 4 },
	    0.05, 4 };
	struct msum_hist empty = { 0, { 0 }, { 0 }, 0, 0 };
	struct msum_hist inf_only = { 1, { INFINITY }, { 2 }, 30, 2 };
	bool	above;

	(void)state;
	/* rank 2 of 4 lies half-way into (0.001, 0.01] */
	assert_true(fabs(msum_quantile(&h, 0.5, &above) - 0.0055) < 1e-12);
	assert_false(above);
	/* rank 1 is the whole first bucket, from 0 */
	assert_true(fabs(msum_quantile(&h, 0.25, &above) - 0.001) < 1e-12);
	/* rank 3.8 falls past the last bound: "more than 10 ms" */
	assert_true(fabs(msum_quantile(&h, 0.95, &above) - 0.01) < 1e-12);
	assert_true(above);
	assert_true(fabs(msum_mean(&h) - 0.0125) < 1e-12);
	assert_true(isnan(msum_quantile(&empty, 0.5, &above)));
	assert_true(isnan(msum_mean(&empty)));
	assert_true(isnan(msum_quantile(&inf_only, 0.5, &above)));
	assert_true(isnan(msum_pct(1, 0)));
}

/* A snapshot made here and now by the library parses to what was counted. */
static void
test_live(void **state)
{
	struct smtp2_verdict v;
	struct msum s;
	char	*j, why[256] = "";
	size_t	len = 0;

	(void)state;
	smtp2_metrics_reset();
	memset(&v, 0, sizeof(v));
	v.result = SMTP2_RESULT_PASS;
	v.method = SMTP2_METHOD_PKIX;
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &v, SMTP2_ACTION_ACCEPT, 1, 3);
	v.result = SMTP2_RESULT_FAIL;
	v.method = SMTP2_METHOD_NONE;
	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, &v, SMTP2_ACTION_DEFER, 1, 700);
	smtp2_metrics_submission_reject("fqdn");
	smtp2_metrics_observe_us(SMTP2_METRICS_T_CERT_VERIFY, smtp2_metrics_now_us());
	assert_non_null(j = smtp2_metrics_json(&len));
	if (msum_parse(j, len, &s, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	free(j);
	assert_int_equal(stage_of(&s, "rcpt")->decisions, 2);
	assert_int_equal(count_of(&stage_of(&s, "rcpt")->action, "defer"), 1);
	assert_int_equal(count_of(&stage_of(&s, "rcpt")->method, "pkix"), 1);
	assert_int_equal(stage_of(&s, "rcpt")->time.count, 2);
	assert_true(fabs(stage_of(&s, "rcpt")->time.sum - 0.703) < 1e-9);
	assert_int_equal(count_of(&s.rejections, "fqdn"), 1);
	assert_int_equal(s.cert_time.count, 1);
	smtp2_metrics_reset();
}

/* Each bad snapshot: refused, with the reason an operator can act on. */
static void
test_malformed(void **state)
{
	static const struct {
		const char *file;	/* a fixture, or NULL: text below */
		const char *text;
		size_t	len;
		const char *why;	/* substring */
	} cases[] = {
		{ "truncated.json", NULL, 0, "malformed JSON at byte " },
		{ "trailing.json", NULL, 0, "malformed JSON at byte " },
		{ "not_object.json", NULL, 0,
		  "not a metrics snapshot: a JSON array, not an object" },
		{ "missing_family.json", NULL, 0,
		  "smtp2_dns_timeouts_total: missing from the snapshot" },
		{ "string_value.json", NULL, 0,
		  "smtp2_messages_total sample 0: no \"value\" number" },
		{ "negative_value.json", NULL, 0,
		  "smtp2_dkim_results_total sample 1: value -8 out of range" },
		{ "control_label.json", NULL, 0,
		  "smtp2_verdicts_total sample 0: label 'action' is not a plain name" },
		{ "missing_label.json", NULL, 0,
		  "smtp2_verdicts_total sample 1: no label 'action'" },
		{ "hist_no_inf.json", NULL, 0,
		  "smtp2_cert_verify_duration_seconds: no +Inf bucket" },
		{ "wrong_type.json", NULL, 0,
		  "smtp2_errors_total: not a family of type \"counter\"" },
		{ NULL, "", 0, "empty snapshot" },
		{ NULL, " \r\n\t", 4, "empty snapshot" },
		{ NULL, "{\"a\":1}\0", 8, "malformed JSON at byte 7: a NUL byte" },
		{ NULL, "{}", 2, "smtp2_verdicts_total: missing from the snapshot" },
		{ NULL, "1e999", 5, "not a metrics snapshot: a JSON double" },
		{ NULL, "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", 40,
		  "malformed JSON at byte " },
		{ NULL, "{\"smtp2_verdicts_total\":{\"type\":\"counter\",\"samples\":"
		  "[{\"name\":\"x\",\"labels\":{\"stage\":\"rcpt\",\"result\":\"pass\","
		  "\"method\":\"dane\",\"action\":\"accept\"},\"value\":1.5}]}}", 0,
		  "smtp2_verdicts_total sample 0: value 1.5 is not a whole number" },
	};
	struct msum s;
	char	why[256], *j;
	size_t	i, len;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].file != NULL)
			j = slurp(cases[i].file, &len);
		else {
			len = cases[i].len ? cases[i].len : strlen(cases[i].text);
			assert_non_null(j = malloc(len + 1));
			memcpy(j, cases[i].text, len);
		}
		why[0] = '\0';
		rc = msum_parse(j, len, &s, why, sizeof(why));
		free(j);
		if (rc != -1 || strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu (%s): rc %d, \"%s\", want \"%s\"", i,
			    cases[i].file ? cases[i].file : cases[i].text, rc, why,
			    cases[i].why);
		assert_null(strchr(why, '\n'));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_milter_figures),
		cmocka_unit_test(test_milter_text),
		cmocka_unit_test(test_milter_json),
		cmocka_unit_test(test_older_daemon),
		cmocka_unit_test(test_policyd),
		cmocka_unit_test(test_unknown_value),
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
