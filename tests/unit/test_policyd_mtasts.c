/*
 * test_policyd_mtasts.c - smtp2-policyd's MTA-STS lookups when something
 * is missing: no TXT record, no address for the policy host, a policy
 * host that does not answer.  Each means "no policy", with a reason.
 * DNS answers are canned (the resolver behind the cache is dead); the one
 * fetch tried goes to 127.0.0.1:1, where nothing listens.  Successful
 * fetches, the cache and id changes are in tests/integration/t_tlspolicy.sh.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include "mtasts.h"

/* prime - one canned answer of at most one rr */
static void
prime(struct smtp2_dns_cache *cache, const char *name, uint16_t type,
    enum smtp2_dns_status st, const void *rd, size_t len)
{
	struct smtp2_dns_rr rr = { len, (unsigned char *)rd };
	struct smtp2_dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.dnssec = SMTP2_DNSSEC_INSECURE;
	a.ttl = 300;
	a.n = st == SMTP2_DNS_OK;
	a.rr = &rr;
	assert_int_equal(smtp2_dns_cache_put(cache, name, type, &a), 0);
}

/* test_missing - each missing piece is "no policy" and says why */
static void
test_missing(void **state)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	static const char txt[] = "\x16v=STSv1; id=20261123A";
	struct policyd_mtasts_conf mc = { "/etc/ssl/certs/ca-certificates.crt",
	    NULL, 1, 2000, 4 };
	struct smtp2_mtasts_policy p;
	struct smtp2_dns_opts o;
	struct policyd_mtasts *m;
	struct smtp2_dns *dns;
	char	why[400];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.trust_anchors = "/usr/share/dns/root.ds";
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(16, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	assert_int_equal(policyd_mtasts_global_init(), 0);
	assert_non_null(m = policyd_mtasts_new(&mc));

	prime(o.cache, "_mta-sts.a.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NXDOMAIN,
	    NULL, 0);
	assert_false(policyd_mtasts_get(m, dns, "a.test", &p, why, sizeof(why)));
	assert_non_null(strstr(why, "_mta-sts.a.test: no TXT record"));

	prime(o.cache, "_mta-sts.b.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, txt,
	    sizeof(txt) - 1);
	prime(o.cache, "mta-sts.b.test", SMTP2_DNS_T_A, SMTP2_DNS_NXDOMAIN,
	    NULL, 0);
	prime(o.cache, "mta-sts.b.test", SMTP2_DNS_T_AAAA, SMTP2_DNS_NXDOMAIN,
	    NULL, 0);
	assert_false(policyd_mtasts_get(m, dns, "b.test", &p, why, sizeof(why)));
	assert_non_null(strstr(why, "mta-sts.b.test: no address"));

	prime(o.cache, "_mta-sts.c.test", SMTP2_DNS_T_TXT, SMTP2_DNS_OK, txt,
	    sizeof(txt) - 1);
	prime(o.cache, "mta-sts.c.test", SMTP2_DNS_T_A, SMTP2_DNS_OK,
	    "\x7f\0\0\x01", 4);
	assert_false(policyd_mtasts_get(m, dns, "c.test", &p, why, sizeof(why)));
	assert_non_null(strstr(why, "https://mta-sts.c.test:1/.well-known/"
	    "mta-sts.txt: "));
	print_message("%s\n", why);

	policyd_mtasts_free(m);
	policyd_mtasts_global_cleanup();
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(o.cache);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
