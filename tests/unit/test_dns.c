/*
 * test_dns.c - resolver options, trust-anchor files, and a dead resolver.
 *
 * Nothing here needs a DNS server: the only queries go to 127.0.0.1:1,
 * where nothing listens, so they must come back TEMPFAIL within the
 * configured timeout.  No packet leaves the loopback interface.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>

#define ANCHORS		SMTP2_TEST_DATA "/anchors/"
#define ROOT_DS		"/usr/share/dns/root.ds"
#define DEAD		"127.0.0.1:1"
#define WHY_LEN		256

/* opts_for - options with one resolver; dnssec on with the root anchors */
static struct smtp2_dns_opts
opts_for(const char *const *resolvers, size_t n)
{
	struct smtp2_dns_opts o;

	memset(&o, 0, sizeof(o));
	o.resolvers = resolvers;
	o.n_resolvers = n;
	o.trust_anchors = ROOT_DS;
	o.dnssec = SMTP2_DNSSEC_REQUIRED;
	o.timeout_ms = 200;
	return (o);
}

/* expect_refused - smtp2_dns_new fails and why mentions want */
static void
expect_refused(const struct smtp2_dns_opts *o, const char *want)
{
	char	why[WHY_LEN] = "";
	struct smtp2_dns *dns = smtp2_dns_new(o, why, sizeof(why));

	if (dns != NULL || strstr(why, want) == NULL)
		print_error("want refusal with \"%s\", got %s \"%s\"\n", want,
		    dns ? "a resolver" : "refusal", why);
	assert_null(dns);
	assert_non_null(strstr(why, want));
	smtp2_dns_free(dns);
}

/* test_no_resolvers - an empty resolver list is refused */
static void
test_no_resolvers(void **state)
{
	const char *none[1] = { NULL };
	struct smtp2_dns_opts o = opts_for(none, 0);

	(void)state;
	expect_refused(&o, "no DNS resolver");
	o.resolvers = NULL;
	o.n_resolvers = 3;
	expect_refused(&o, "no DNS resolver");
	expect_refused(NULL, "no DNS options");
}

/* test_bad_resolver_syntax - anything but an IP literal and port fails */
static void
test_bad_resolver_syntax(void **state)
{
	static const char *const bad[] = {
		"", "localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:53x", "127.0.0.1:000053", "1.2.3.4.5", "127.0.0.1 ",
		"[::1", "[::1]53", "[::1]:", "[127.0.0.1]:53", "::1]:53",
		"[]:53", ":53", "127.0.0.1:-1", "::g", "[::1]:99999",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *one[1] = { bad[i] };
		struct smtp2_dns_opts o = opts_for(one, 1);

		print_message("resolver \"%s\"\n", bad[i]);
		expect_refused(&o, "resolver");
	}
}

/* test_good_resolver_syntax - the four documented forms are accepted */
static void
test_good_resolver_syntax(void **state)
{
	static const char *const good[] = {
		"127.0.0.1", "127.0.0.1:5300", "[::1]:53", "::1", "[::1]",
		"127.0.0.53:65535",
	};
	char	why[WHY_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *one[1] = { good[i] };
		struct smtp2_dns_opts o = opts_for(one, 1);
		struct smtp2_dns *dns;

		why[0] = '\0';
		dns = smtp2_dns_new(&o, why, sizeof(why));
		if (dns == NULL)
			print_error("resolver \"%s\": %s\n", good[i], why);
		assert_non_null(dns);
		smtp2_dns_free(dns);
	}
	/* Several at once, mixed families. */
	{
		const char *all[] = { "127.0.0.1:5300", "[::1]:5300", "127.0.0.2" };
		struct smtp2_dns_opts o = opts_for(all, 3);
		struct smtp2_dns *dns = smtp2_dns_new(&o, why, sizeof(why));

		assert_non_null(dns);
		smtp2_dns_free(dns);
	}
}

/* test_anchor_options - anchors are required unless DNSSEC is off */
static void
test_anchor_options(void **state)
{
	const char *one[1] = { DEAD };
	struct smtp2_dns_opts o = opts_for(one, 1);
	struct smtp2_dns *dns;
	char	why[WHY_LEN];

	(void)state;
	o.trust_anchors = ANCHORS "missing.ds";
	expect_refused(&o, "cannot open");
	o.trust_anchors = ANCHORS "empty.ds";
	expect_refused(&o, "no DS or DNSKEY record");
	o.trust_anchors = ANCHORS "garbage.ds";
	expect_refused(&o, "no DS or DNSKEY record");
	o.trust_anchors = NULL;
	expect_refused(&o, "trust-anchor");
	o.dnssec = SMTP2_DNSSEC_PREFERRED;
	expect_refused(&o, "trust-anchor");

	/* Off: no anchors needed, a bad path is not even looked at. */
	o.dnssec = SMTP2_DNSSEC_OFF;
	dns = smtp2_dns_new(&o, why, sizeof(why));
	assert_non_null(dns);
	smtp2_dns_free(dns);
	o.trust_anchors = ANCHORS "missing.ds";
	dns = smtp2_dns_new(&o, why, sizeof(why));
	assert_non_null(dns);
	smtp2_dns_free(dns);

	o.dnssec = SMTP2_DNSSEC_REQUIRED;
	o.trust_anchors = ANCHORS "good.ds";
	dns = smtp2_dns_new(&o, why, sizeof(why));
	assert_non_null(dns);
	smtp2_dns_free(dns);
}

/* test_zero_timeout - a zero timeout is a configuration error */
static void
test_zero_timeout(void **state)
{
	const char *one[1] = { DEAD };
	struct smtp2_dns_opts o = opts_for(one, 1);

	(void)state;
	o.timeout_ms = 0;
	expect_refused(&o, "timeout");
}

/* elapsed_ms - milliseconds since start */
static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* query_dead - one query to the dead resolver under the given mode */
static void
query_dead(enum smtp2_dnssec_mode mode, uint16_t type, const char *want_type)
{
	const char *one[1] = { DEAD };
	struct smtp2_dns_opts o = opts_for(one, 1);
	struct smtp2_dns_answer *a;
	struct smtp2_dns *dns;
	struct timespec start;
	char	why[WHY_LEN], want[WHY_LEN];
	long	ms;

	o.dnssec = mode;
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	assert_int_equal(smtp2_dns_sent(dns), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_non_null(a = smtp2_dns_query(dns, "_smtp2.bank.test", type));
	ms = elapsed_ms(&start);
	print_message("%ld ms: %s\n", ms, a->why);
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	assert_int_equal(a->n, 0);
	assert_int_not_equal(a->dnssec, SMTP2_DNSSEC_BOGUS);
	snprintf(want, sizeof(want), "DNS timeout after 200 ms querying "
	    "_smtp2.bank.test %s", want_type);
	assert_string_equal(a->why, want);
	assert_true(ms < 1000);
	assert_int_equal(smtp2_dns_sent(dns), 1);
	smtp2_dns_answer_free(a);
	smtp2_dns_free(dns);
}

/* test_dead_resolver - TEMPFAIL within the timeout, validating or not */
static void
test_dead_resolver(void **state)
{
	(void)state;
	query_dead(SMTP2_DNSSEC_REQUIRED, SMTP2_DNS_T_TXT, "TXT");
	query_dead(SMTP2_DNSSEC_OFF, SMTP2_DNS_T_TLSA, "TLSA");
}

/* test_tempfail_not_cached - a failed lookup is asked again next time */
static void
test_tempfail_not_cached(void **state)
{
	const char *one[1] = { DEAD };
	struct smtp2_dns_opts o = opts_for(one, 1);
	struct smtp2_dns_answer *a;
	struct smtp2_dns *dns;
	char	why[WHY_LEN];
	int	i;

	(void)state;
	o.dnssec = SMTP2_DNSSEC_OFF;
	assert_non_null(o.cache = smtp2_dns_cache_new(10, 60));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	for (i = 1; i <= 2; i++) {
		assert_non_null(a = smtp2_dns_query(dns, "x.test", SMTP2_DNS_T_TXT));
		assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
		assert_int_equal(smtp2_dns_sent(dns), (unsigned long)i);
		smtp2_dns_answer_free(a);
	}
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

/* test_empty_name - no name is a TEMPFAIL without a packet */
static void
test_empty_name(void **state)
{
	const char *one[1] = { DEAD };
	struct smtp2_dns_opts o = opts_for(one, 1);
	struct smtp2_dns_answer *a;
	struct smtp2_dns *dns;
	char	why[WHY_LEN];

	(void)state;
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	assert_non_null(a = smtp2_dns_query(dns, NULL, SMTP2_DNS_T_TXT));
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	assert_string_equal(a->why, "empty DNS name");
	smtp2_dns_answer_free(a);
	assert_non_null(a = smtp2_dns_query(dns, "", SMTP2_DNS_T_TXT));
	assert_int_equal(a->status, SMTP2_DNS_TEMPFAIL);
	smtp2_dns_answer_free(a);
	assert_int_equal(smtp2_dns_sent(dns), 0);
	smtp2_dns_free(dns);
}

/* test_count_anchors - real root anchors and the fixtures */
static void
test_count_anchors(void **state)
{
	static const struct {
		const char *path;
		int	want;
		const char *why;
	} cases[] = {
		{ ROOT_DS, 2, NULL },
		{ "/usr/share/dns/root.key", 2, NULL },
		{ ANCHORS "good.ds", 2, NULL },	/* the A record is not counted */
		{ ANCHORS "empty.ds", -1, "empty.ds: no DS or DNSKEY record" },
		{ ANCHORS "comments.ds", -1, "comments.ds: no DS or DNSKEY record" },
		{ ANCHORS "garbage.ds", -1, "garbage.ds: no DS or DNSKEY record" },
		{ ANCHORS "noanchor.ds", -1, "noanchor.ds: no DS or DNSKEY record" },
		{ ANCHORS "missing.ds", -1, "cannot open " ANCHORS "missing.ds: "
		    "No such file or directory" },
		{ "", -1, "no trust-anchor file given" },
		{ NULL, -1, "no trust-anchor file given" },
	};
	char	why[WHY_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	n;

		why[0] = '\0';
		n = smtp2_dns_count_anchors(cases[i].path, why, sizeof(why));
		print_message("%s: %d %s\n", cases[i].path ? cases[i].path :
		    "(null)", n, why);
		assert_int_equal(n, cases[i].want);
		if (cases[i].why != NULL)
			assert_non_null(strstr(why, cases[i].why));
	}
}

/* test_count_anchors_short_why - a tiny why buffer is not overrun */
static void
test_count_anchors_short_why(void **state)
{
	char	why[8];

	(void)state;
	memset(why, 'x', sizeof(why));
	assert_int_equal(smtp2_dns_count_anchors(ANCHORS "empty.ds", why, 4), -1);
	assert_int_equal(why[3], '\0');
	assert_int_equal(why[4], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_resolvers),
		cmocka_unit_test(test_bad_resolver_syntax),
		cmocka_unit_test(test_good_resolver_syntax),
		cmocka_unit_test(test_anchor_options),
		cmocka_unit_test(test_zero_timeout),
		cmocka_unit_test(test_dead_resolver),
		cmocka_unit_test(test_tempfail_not_cached),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_count_anchors),
		cmocka_unit_test(test_count_anchors_short_why),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
