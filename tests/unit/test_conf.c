/*
 * test_conf.c - milter.conf loading (lib/src/conf.c) and the daemon
 * plumbing around it (common/daemon.c: options, -t, detaching).
 *
 * Every case is a fixture file in tests/data/conf: the good ones are
 * checked key by key, each bad one must fail with an exact "file:line:
 * what" message.  Adding a case is one file and one table line.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/smtp2.h>
#include "attr.h"
#include "daemon.h"

#define CONF_DIR	SMTP2_TEST_DATA "/conf"
#define WHY_LEN		512

/* A fixture that must be refused, and the message that must say why. */
struct bad_case {
	const char	*file;
	const char	*want;		/* after "CONF_DIR/" */
};

static const struct bad_case bad_cases[] = {
	{ "bad-syntax.conf", "bad-syntax.conf:3: syntax error" },
	{ "bad-include.conf", "bad-include.conf:1: cannot open include file" },
	{ "bad-group.conf",
	    "bad-group.conf:2: unknown setting 'polcy' (did you mean 'policy'?)" },
	{ "bad-key.conf",
	    "bad-key.conf:4: unknown setting 'dns.resolver' (did you mean 'resolvers'?)" },
	{ "bad-toplevel-key.conf",
	    "bad-toplevel-key.conf:2: unknown setting 'mode' (did you mean 'policy.mode'?)" },
	{ "bad-not-group.conf", "bad-not-group.conf:1: dns: expected a group" },
	{ "bad-type.conf", "bad-type.conf:3: dns.timeout_ms: expected an integer" },
	{ "bad-type-float.conf",
	    "bad-type-float.conf:3: dns.cache_entries: expected an integer" },
	{ "bad-type-list.conf",
	    "bad-type-list.conf:3: dns.resolvers: expected a list of strings" },
	{ "bad-type-list-entry.conf",
	    "bad-type-list-entry.conf:4: dns.resolvers: expected a list of strings" },
	{ "bad-mode.conf", "bad-mode.conf:3: policy.mode: 'enforcing' is not one of"
	    " permissive, tag, enforce, strict" },
	{ "bad-dnssec.conf",
	    "bad-dnssec.conf:2: dns.dnssec: 'yes' is not one of required, preferred, off" },
	{ "bad-tls-source.conf", "bad-tls-source.conf:3: milter.tls_source:"
	    " 'sendmail' is not one of auto, policyd, macros" },
	{ "bad-timeout.conf",
	    "bad-timeout.conf:3: dns.timeout_ms: 70000 is out of range 100..60000" },
	{ "bad-negative.conf",
	    "bad-negative.conf:3: policyd.session_ttl: -1 is out of range 10..86400" },
	{ "bad-int64.conf", "bad-int64.conf:3: policyd.max_connections:"
	    " 10000000000 is out of range 1..65536" },
	{ "bad-wrapped.conf", "bad-wrapped.conf:3: policyd.max_connections:"
	    " 4294967297 is out of range 1..65536" },
	{ "bad-resolvers-empty.conf",
	    "bad-resolvers-empty.conf:3: dns.resolvers: 0 entries; 1 to 16 expected" },
	{ "bad-resolver.conf", "bad-resolver.conf:4: dns.resolvers:"
	    " 'ns.example.test:53' is not IP, IP:PORT or [IPv6]:PORT" },
	{ "bad-resolver-port.conf", "bad-resolver-port.conf:3: dns.resolvers:"
	    " '127.0.0.1:65536' is not IP, IP:PORT or [IPv6]:PORT" },
	{ "bad-anchors-missing.conf",
	    "bad-anchors-missing.conf:3: dns.trust_anchors: cannot open " },
	{ "bad-anchors-empty.conf",
	    "bad-anchors-empty.conf:3: dns.trust_anchors: " },
	{ "bad-listen.conf", "bad-listen.conf:3: policyd.listen: 'tcp:127.0.0.1:10040'"
	    " is not inet:HOST:PORT, inet:[IPv6]:PORT or unix:/path" },
	{ "bad-listen-relative.conf", "bad-listen-relative.conf:3: policyd.listen:"
	    " 'unix:run/policyd.sock': a unix socket needs an absolute path" },
	{ "bad-milter-policyd.conf", "bad-milter-policyd.conf:3: milter.policyd:"
	    " 'inet:8891@127.0.0.1' is not inet:HOST:PORT" },
	{ "bad-milter-socket.conf", "bad-milter-socket.conf:3: milter.socket:"
	    " 'inet:127.0.0.1:8891' is not inet:PORT@HOST, inet6:PORT@HOST or unix:/path" },
	{ "bad-authserv-id.conf", "bad-authserv-id.conf:3: policy.authserv_id:"
	    " 'mx1.example.test; dkim=pass' is not a host name" },
	{ "bad-log-level.conf", "bad-log-level.conf:3: log.level: 'verbose' is not one"
	    " of err, warning, notice, info, debug" },
	{ "bad-log-format.conf", "bad-log-format.conf:3: log.format: 'xml' is not"
	    " one of text, json" },
	{ "bad-log-to.conf", "bad-log-to.conf:3: log.to: '/var/log/smtp2.log'"
	    " is not syslog, stderr or file:/path" },
	{ "bad-empty-string.conf", "bad-empty-string.conf:3: tls.ca_file: empty value" },
	{ "bad-revocation.conf", "bad-revocation.conf:3: tls.revocation: 'ignore' is not"
	    " one of soft-fail, hard-fail" },
	{ "bad-dkim-bool.conf", "bad-dkim-bool.conf:3: dkim.verify: expected true or false" },
	{ "bad-tlspolicy-listen.conf", "bad-tlspolicy-listen.conf:3: tlspolicy.listen:" },
	{ "bad-tlspolicy-port.conf", "bad-tlspolicy-port.conf:3: tlspolicy.smtp_port: 0"
	    " is out of range 1..65535" },
	{ "bad-metrics-listen.conf", "bad-metrics-listen.conf:3: metrics.milter_listen:"
	    " 'localhost:9467' is not IPV4:PORT or [IPV6]:PORT" },
	{ "bad-daemon-user.conf", "bad-daemon-user.conf:3: daemon.user: 'smtp2:smtp2'"
	    " is not a user or group name (up to 32 letters, digits, '.', '_', '-',"
	    " not starting with '-')" },
	{ "bad-daemon-group.conf", "bad-daemon-group.conf:3: daemon.group: set"
	    " daemon.user too" },
	{ "bad-tlspolicy-sts.conf", "bad-tlspolicy-sts.conf:3: tlspolicy.mta_sts:"
	    " expected true or false" },
	{ "bad-dkim-practices.conf", "bad-dkim-practices.conf:3: dkim.practices: 'reject'"
	    " is not one of tag, reject-on-discardable, reject-on-p=reject" },
	{ "bad-dkim-rsa-bits.conf", "bad-dkim-rsa-bits.conf:3: dkim.min_rsa_bits: 512 is"
	    " out of range 1024..16384" },
	{ "bad-dkim-trusted.conf", "bad-dkim-trusted.conf:3: dkim.trusted_authserv_ids:"
	    " 'edge; spf=pass' is not a host name" },
	{ "bad-requiretls-sender.conf", "bad-requiretls-sender.conf:3:"
	    " requiretls.senders: 'example.com' is not user@domain, @domain or .domain" },
	{ "bad-requiretls-multiple.conf", "bad-requiretls-multiple.conf:3:"
	    " requiretls.multiple: 'ignore' is not one of flag, reject" },
	{ "bad-requiretls-transport.conf", "bad-requiretls-transport.conf:3:"
	    " requiretls.transport: 'smtp tls' is not a master.cf service name" },
	{ "bad-skew.conf",
	    "bad-skew.conf:3: tls.clock_skew: 100000 is out of range 0..86400" },
	{ "bad-cas-type.conf", "bad-cas-type.conf:3: tls.domain_cas: expected a list of"
	    " groups" },
	{ "bad-cas-key.conf", "bad-cas-key.conf:4: unknown setting"
	    " 'tls.domain_cas.issuer' (domain, issuers, ca_file)" },
	{ "bad-cas-nothing.conf", "bad-cas-nothing.conf:3: tls.domain_cas: bank.test:"
	    " give issuers, ca_file or both" },
	{ "bad-cas-domain.conf", "bad-cas-domain.conf:3: tls.domain_cas: domain: 'bank'"
	    " is not a domain name" },
	{ "bad-cas-twice.conf", "bad-cas-twice.conf:4: tls.domain_cas: bank.test listed"
	    " twice" },
	{ "bad-cas-issuers.conf", "bad-cas-issuers.conf:4: tls.domain_cas: issuers: 0"
	    " entries; 1 to 16 expected" },
	{ "no-such-file.conf",
	    "no-such-file.conf:0: cannot read: No such file or directory" },
	{ "bad-submission-port.conf", "bad-submission-port.conf:3: submission.ports:"
	    " 'submission' is not a port number (1 to 65535)" },
	{ "bad-submission-network.conf", "bad-submission-network.conf:4:"
	    " submission.trusted_networks: '10.0.0.0/33': prefix length must be 0 to 32" },
	{ "bad-submission-expand.conf", "bad-submission-expand.conf:4:"
	    " submission.expand_domain: 'corp' is not a fully-qualified domain name" },
	{ "bad-submission-nothing.conf", "bad-submission-nothing.conf:3: submission:"
	    " neither ports nor daemon_names given" },
	{ "bad-submission-rights.conf", "bad-submission-rights.map:4:"
	    " 'carol@@example.test' is not an address, @domain or *" },
	{ "bad-submission-rights-dup.conf", "bad-submission-rights-dup.map:3:"
	    " login 'alice' already listed on line 1" },
	{ "bad-submission-rights-empty.conf", "bad-submission-rights-empty.map:2:"
	    " login 'dave' without addresses" },
	/* The limits (docs/milter.conf.5): each bound and a wrong type. */
	{ "bad-max-queries-low.conf", "bad-max-queries-low.conf:3: dns.max_queries:"
	    " 8 is out of range 16..4096" },
	{ "bad-max-queries-high.conf", "bad-max-queries-high.conf:3:"
	    " dns.max_queries: 10000 is out of range 16..4096" },
	{ "bad-max-queries-type.conf", "bad-max-queries-type.conf:3:"
	    " dns.max_queries: expected an integer" },
	{ "bad-milter-max-connections-low.conf", "bad-milter-max-connections-low.conf:3:"
	    " milter.max_connections: 0 is out of range 1..65536" },
	{ "bad-milter-max-connections-high.conf",
	    "bad-milter-max-connections-high.conf:3: milter.max_connections: 100000"
	    " is out of range 1..65536" },
	{ "bad-milter-max-connections-type.conf",
	    "bad-milter-max-connections-type.conf:3: milter.max_connections:"
	    " expected an integer" },
	{ "bad-milter-max-header-low.conf", "bad-milter-max-header-low.conf:3:"
	    " milter.max_header_bytes: 1024 is out of range 32768..16777216" },
	{ "bad-milter-max-header-high.conf", "bad-milter-max-header-high.conf:3:"
	    " milter.max_header_bytes: 33554432 is out of range 32768..16777216" },
	{ "bad-milter-max-header-type.conf", "bad-milter-max-header-type.conf:3:"
	    " milter.max_header_bytes: expected an integer" },
	{ "bad-policyd-max-request-low.conf", "bad-policyd-max-request-low.conf:3:"
	    " policyd.max_request: 2048 is out of range 4096..1048576" },
	{ "bad-policyd-max-request-high.conf", "bad-policyd-max-request-high.conf:3:"
	    " policyd.max_request: 2097152 is out of range 4096..1048576" },
	{ "bad-policyd-max-request-type.conf", "bad-policyd-max-request-type.conf:3:"
	    " policyd.max_request: expected an integer" },
};

/* load - load a fixture by name; NULL with the message in why */
static struct smtp2_conf *
load(const char *name, char *why)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", CONF_DIR, name);
	why[0] = '\0';
	return smtp2_conf_load(path, why, WHY_LEN);
}

/* test_bad_files - each bad fixture fails with its exact message */
static void
test_bad_files(void **state)
{
	struct smtp2_conf *c;
	char why[WHY_LEN], want[1024];
	size_t i, failed = 0;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		c = load(bad_cases[i].file, why);
		snprintf(want, sizeof(want), "%s/%s", CONF_DIR, bad_cases[i].want);
		if (c == NULL && strncmp(why, want, strlen(want)) == 0)
			continue;
		print_error("%s:\n  got  '%s'\n  want '%s...'\n", bad_cases[i].file,
		    c != NULL ? "(loaded)" : why, want);
		smtp2_conf_free(c);
		failed++;
	}
	assert_int_equal(failed, 0);
}

/* test_suggestion_extra - the message goes on with a hint where one helps */
static void
test_suggestion_extra(void **state)
{
	char why[WHY_LEN];

	(void)state;
	assert_null(load("bad-anchors-empty.conf", why));
	assert_non_null(strstr(why, "empty.ds"));
	assert_null(load("bad-type-list.conf", why));
	assert_non_null(strstr(why, "[ \"...\" ]"));
}

/* good_submission - the submission group of good.conf */
static void
good_submission(const struct smtp2_conf *c)
{
	assert_int_equal(c->submission.n_ports, 2);
	assert_string_equal(c->submission.ports[1], "465");
	assert_int_equal(c->submission.n_daemon_names, 1);
	assert_string_equal(c->submission.daemon_names[0], "ORIGINATING");
	assert_false(c->submission.reject_improper);
	assert_false(c->submission.require_fqdn);
	assert_string_equal(c->submission.expand_domain, "example.test");
	assert_false(c->submission.check_syntax);
	assert_false(c->submission.require_auth);
	assert_int_equal(c->submission.n_trusted_networks, 3);
	assert_int_equal(c->submission.n_nets, 3);
	assert_true(c->submission.require_tls);
	assert_non_null(strstr(c->submission.rights, "/conf/submission-rights"));
	assert_non_null(strstr(c->submission.recipient_rights, "/conf/submission-rights"));
	assert_true(smtp2_submit_rights_allow(c->submission.rights_map, "alice",
	    "a.smith", "example.test"));
	assert_int_equal(smtp2_submit_rights_entries(c->submission.rcpt_map), 3);
	assert_true(c->submission.check_message);
	assert_true(c->submission.postmaster_no_auth);
	assert_false(c->submission.add_date);
	assert_false(c->submission.add_message_id);
	assert_true(c->submission.add_sender);
	assert_string_equal(c->submission.message_id_domain, "msa.example.test");
	assert_int_equal(c->submission.log_rate, 10);
}

/* test_good_file - every key of good.conf arrives where it belongs */
static void
test_good_file(void **state)
{
	struct smtp2_conf *c;
	char why[WHY_LEN];

	(void)state;
	c = load("good.conf", why);
	if (c == NULL)
		fail_msg("%s", why);
	assert_int_equal(c->dns.n_resolvers, 3);
	assert_string_equal(c->dns.resolvers[0], "127.0.0.1:5300");
	assert_string_equal(c->dns.resolvers[1], "[::1]:5300");
	assert_string_equal(c->dns.resolvers[2], "192.0.2.53");
	/* Relative paths are taken from the configuration's directory. */
	assert_true(c->dns.trust_anchors[0] == '/');
	assert_non_null(strstr(c->dns.trust_anchors, "/conf/anchors.ds"));
	assert_int_equal(c->dns.dnssec, SMTP2_DNSSEC_PREFERRED);
	assert_int_equal(c->dns.timeout_ms, 1500);
	assert_int_equal(c->dns.cache_entries, 0);
	assert_int_equal(c->dns.max_queries, 32);
	assert_string_equal(c->tls.ca_file, "/etc/smtp2/ca.pem");
	assert_string_equal(c->tls.ca_dir, "/etc/smtp2/cas");
	assert_non_null(strstr(c->tls.crl_file, "/conf/crls.pem"));
	assert_int_equal(c->tls.clock_skew, 60);
	assert_int_equal(c->tls.min_rsa_bits, 3072);
	assert_int_equal(c->tls.min_ec_bits, 384);
	assert_int_equal(c->tls.revocation, SMTP2_REVOCATION_HARD_FAIL);
	assert_int_equal(c->tls.n_domain_cas, 2);
	assert_string_equal(c->tls.domain_cas[0].domain, "bank.test");
	assert_int_equal(c->tls.domain_cas[0].n_issuers, 2);
	assert_string_equal(c->tls.domain_cas[0].issuers[1], "Bank Issuing CA 2");
	assert_null(c->tls.domain_cas[0].ca_file);
	assert_non_null(strstr(c->tls.domain_cas[1].ca_file, "/conf/other-cas.pem"));
	assert_int_equal(c->policy.mode, SMTP2_MODE_ENFORCE);
	assert_string_equal(c->policy.authserv_id, "mx1.example.test");
	assert_false(c->dkim.verify);
	assert_int_equal(c->dkim.practices, SMTP2_PRACTICES_REJECT_P_REJECT);
	assert_int_equal(c->dkim.n_trusted_authserv_ids, 2);
	assert_string_equal(c->dkim.trusted_authserv_ids[1], "edge2.example.test");
	assert_int_equal(c->dkim.min_rsa_bits, 2048);
	assert_int_equal(c->dkim.clock_skew, 30);
	assert_int_equal(c->dkim.key_cache_entries, 50);
	assert_false(c->dkim.forwarded);
	assert_int_equal(c->tlspolicy.n_listen, 2);
	assert_string_equal(c->tlspolicy.listen[1], "inet:127.0.0.1:10042");
	assert_int_equal(c->tlspolicy.smtp_port, 2525);
	assert_false(c->tlspolicy.mta_sts);
	assert_int_equal(c->tlspolicy.mta_sts_port, 8443);
	assert_int_equal(c->tlspolicy.mta_sts_timeout_ms, 2500);
	assert_int_equal(c->tlspolicy.mta_sts_cache_entries, 20);
	assert_int_equal(c->requiretls.n_senders, 2);
	assert_string_equal(c->requiretls.senders[1], "@legal.example.test");
	assert_int_equal(c->requiretls.n_recipients, 1);
	assert_int_equal(c->requiretls.n_domains, 2);
	assert_string_equal(c->requiretls.transport, "smtp2-tls:[192.0.2.25]:25");
	assert_int_equal(c->requiretls.multiple, SMTP2_RTLS_MULTIPLE_REJECT);
	assert_string_equal(c->milter.socket, "inet:8891@127.0.0.1");
	assert_string_equal(c->milter.policyd, "inet:127.0.0.1:10041");
	assert_int_equal(c->milter.tls_source, SMTP2_TLS_SOURCE_POLICYD);
	assert_int_equal(c->milter.policyd_timeout_ms, 500);
	assert_int_equal(c->milter.max_connections, 200);
	assert_int_equal(c->milter.max_header_bytes, 65536);
	assert_int_equal(c->policyd.n_listen, 3);
	assert_string_equal(c->policyd.listen[1], "inet:[::1]:10040");
	assert_int_equal(c->policyd.max_connections, 64);
	assert_int_equal(c->policyd.max_request, 8192);
	assert_int_equal(c->policyd.session_ttl, 600);
	assert_string_equal(c->log.to, "file:/var/log/smtp2.log");
	assert_int_equal(c->log.level, SMTP2_LOG_DEBUG);
	assert_int_equal(c->log.format, SMTP2_LOG_JSON);
	assert_string_equal(c->metrics.policyd_listen, "127.0.0.1:9466");
	assert_string_equal(c->metrics.milter_listen, "[::1]:9467");
	assert_string_equal(c->daemon.user, "smtp2");
	assert_string_equal(c->daemon.group, "mail");
	assert_true(c->daemon.allow_root);
	assert_non_null(strstr(c->path, "good.conf"));
	good_submission(c);
	smtp2_conf_free(c);
}

/* check_defaults - c holds exactly the documented defaults */
static void
check_defaults(const struct smtp2_conf *c)
{
	char host[256] = "";

	assert_int_equal(c->dns.n_resolvers, 1);
	assert_string_equal(c->dns.resolvers[0], "127.0.0.1:53");
	assert_string_equal(c->dns.trust_anchors, "/usr/share/dns/root.ds");
	assert_int_equal(c->dns.dnssec, SMTP2_DNSSEC_REQUIRED);
	assert_int_equal(c->dns.timeout_ms, 3000);
	assert_int_equal(c->dns.cache_entries, 10000);
	assert_int_equal(c->dns.max_queries, 64);
	assert_string_equal(c->tls.ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_null(c->tls.ca_dir);
	assert_null(c->tls.crl_file);
	assert_int_equal(c->tls.clock_skew, 300);
	assert_true(c->dkim.verify);
	assert_int_equal(c->dkim.practices, SMTP2_PRACTICES_TAG);
	assert_int_equal(c->dkim.n_trusted_authserv_ids, 0);
	assert_null(c->dkim.trusted_authserv_ids);
	assert_int_equal(c->dkim.min_rsa_bits, 1024);
	assert_int_equal(c->dkim.clock_skew, 300);
	assert_int_equal(c->dkim.key_cache_entries, 10000);
	assert_true(c->dkim.forwarded);
	assert_int_equal(c->tlspolicy.n_listen, 0);
	assert_int_equal(c->tlspolicy.smtp_port, 25);
	assert_true(c->tlspolicy.mta_sts);
	assert_int_equal(c->tlspolicy.mta_sts_port, 443);
	assert_int_equal(c->tlspolicy.mta_sts_timeout_ms, 10000);
	assert_int_equal(c->tlspolicy.mta_sts_cache_entries, 1000);
	assert_int_equal(c->requiretls.n_senders + c->requiretls.n_recipients
	    + c->requiretls.n_domains, 0);
	assert_string_equal(c->requiretls.transport, "smtp2-tls");
	assert_int_equal(c->requiretls.multiple, SMTP2_RTLS_MULTIPLE_FLAG);
	assert_int_equal(c->tls.min_rsa_bits, 2048);
	assert_int_equal(c->tls.min_ec_bits, 256);
	assert_int_equal(c->tls.revocation, SMTP2_REVOCATION_SOFT_FAIL);
	assert_int_equal(c->tls.n_domain_cas, 0);
	assert_int_equal(c->policy.mode, SMTP2_MODE_PERMISSIVE);
	gethostname(host, sizeof(host) - 1);
	assert_string_equal(c->policy.authserv_id, host);
	assert_string_equal(c->milter.socket, "unix:/run/smtp2/milter.sock");
	assert_string_equal(c->milter.policyd, "unix:/run/smtp2/policyd.sock");
	assert_int_equal(c->milter.tls_source, SMTP2_TLS_SOURCE_AUTO);
	assert_int_equal(c->milter.policyd_timeout_ms, 2000);
	assert_int_equal(c->milter.max_connections, 1024);
	assert_int_equal(c->milter.max_header_bytes, 131072);
	assert_int_equal(c->policyd.n_listen, 1);
	assert_string_equal(c->policyd.listen[0], "unix:/run/smtp2/policyd.sock");
	assert_int_equal(c->policyd.max_connections, 512);
	assert_int_equal(c->policyd.max_request, SMTP2D_BLOCK_MAX);
	assert_int_equal(c->policyd.session_ttl, 3600);
	assert_string_equal(c->log.to, "syslog");
	assert_int_equal(c->log.level, SMTP2_LOG_INFO);
	assert_int_equal(c->log.format, SMTP2_LOG_TEXT);
	assert_null(c->metrics.policyd_listen);
	assert_null(c->metrics.milter_listen);
	assert_null(c->daemon.user);
	assert_null(c->daemon.group);
	assert_false(c->daemon.allow_root);
	/* No session is a submission until ports or daemon names say so. */
	assert_int_equal(c->submission.n_ports, 0);
	assert_int_equal(c->submission.n_daemon_names, 0);
	assert_true(c->submission.require_auth);
	assert_true(c->submission.require_fqdn);
	assert_false(c->submission.require_tls);
	assert_false(c->submission.add_sender);
	assert_null(c->submission.expand_domain);
	assert_null(c->submission.rights_map);
	assert_int_equal(c->submission.log_rate, 60);
}

/* test_defaults - smtp2_conf_defaults() gives the documented values */
static void
test_defaults(void **state)
{
	struct smtp2_conf *c = smtp2_conf_defaults();

	(void)state;
	assert_non_null(c);
	check_defaults(c);
	assert_null(c->path);
	smtp2_conf_free(c);
}

/* test_empty_file - an empty file is all defaults (needs dns-root-data) */
static void
test_empty_file(void **state)
{
	struct smtp2_conf *c;
	char why[WHY_LEN];

	(void)state;
	if (access("/usr/share/dns/root.ds", R_OK) != 0)
		skip();		/* the default anchors come from dns-root-data */
	c = load("empty.conf", why);
	if (c == NULL)
		fail_msg("%s", why);
	check_defaults(c);
	smtp2_conf_free(c);
}

/* test_computed_defaults - milter.policyd follows policyd.listen[0] */
static void
test_computed_defaults(void **state)
{
	struct smtp2_conf *c;
	char why[WHY_LEN];

	(void)state;
	c = load("dnssec-off.conf", why);
	if (c == NULL)
		fail_msg("%s", why);
	assert_int_equal(c->dns.dnssec, SMTP2_DNSSEC_OFF);
	assert_string_equal(c->milter.policyd, "unix:/tmp/smtp2-test/policyd.sock");
	smtp2_conf_free(c);
}

/* test_include - @include works relative to the including file */
static void
test_include(void **state)
{
	struct smtp2_conf *c;
	char why[WHY_LEN];

	(void)state;
	c = load("include.conf", why);
	if (c == NULL)
		fail_msg("%s", why);
	assert_int_equal(c->dns.dnssec, SMTP2_DNSSEC_OFF);
	assert_int_equal(c->policy.mode, SMTP2_MODE_TAG);
	smtp2_conf_free(c);
}

/* test_names_agree - the choices conf.c accepts are the library's names */
static void
test_names_agree(void **state)
{
	static const enum smtp2_mode modes[] = { SMTP2_MODE_PERMISSIVE,
	    SMTP2_MODE_TAG, SMTP2_MODE_ENFORCE, SMTP2_MODE_STRICT };
	static const enum smtp2_dnssec_mode dnssec[] = { SMTP2_DNSSEC_REQUIRED,
	    SMTP2_DNSSEC_PREFERRED, SMTP2_DNSSEC_OFF };
	char path[] = "/tmp/test_conf.XXXXXX", why[WHY_LEN];
	struct smtp2_conf *c;
	FILE *fp;
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < 4 + 3; i++) {
		assert_true((fd = mkstemp(path)) >= 0);
		assert_non_null(fp = fdopen(fd, "w"));
		if (i < 4)
			fprintf(fp, "dns = { dnssec = \"off\"; };\npolicy = { mode = \"%s\"; };\n",
			    smtp2_mode_name(modes[i]));
		else
			fprintf(fp, "dns = { dnssec = \"%s\"; trust_anchors = \"%s/anchors.ds\"; };\n",
			    smtp2_dnssec_mode_name(dnssec[i - 4]), CONF_DIR);
		fclose(fp);
		c = smtp2_conf_load(path, why, sizeof(why));
		unlink(path);
		strcpy(path, "/tmp/test_conf.XXXXXX");
		if (c == NULL)
			fail_msg("%s", why);
		if (i < 4)
			assert_int_equal(c->policy.mode, modes[i]);
		else
			assert_int_equal(c->dns.dnssec, dnssec[i - 4]);
		smtp2_conf_free(c);
	}
}

/* load_text - load a file holding text; NULL with the message in why */
static struct smtp2_conf *
load_text(const char *text, char *why, size_t whylen)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	struct smtp2_conf *c;
	FILE *fp;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	c = smtp2_conf_load(path, why, whylen);
	unlink(path);
	return c;
}

/* test_limit_bounds - each limit takes both ends of its range */
static void
test_limit_bounds(void **state)
{
	static const struct {
		const char	*group, *name;
		unsigned	value;
		size_t		off;
	} cases[] = {
#define LIMIT(g, n, v) { #g, #n, v, offsetof(struct smtp2_conf, g.n) }
		LIMIT(dns, max_queries, 16),
		LIMIT(dns, max_queries, 4096),
		LIMIT(milter, max_connections, 1),
		LIMIT(milter, max_connections, 65536),
		LIMIT(milter, max_header_bytes, 32768),
		LIMIT(milter, max_header_bytes, 16777216),
		LIMIT(policyd, max_request, 4096),
		LIMIT(policyd, max_request, 1048576),
#undef LIMIT
	};
	struct smtp2_conf *c;
	char text[256], why[WHY_LEN];
	unsigned got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "dns = { dnssec = \"off\"; };\n"
		    "%s = { %s = %u; };\n", cases[i].group, cases[i].name,
		    cases[i].value);
		if (strcmp(cases[i].group, "dns") == 0)
			snprintf(text, sizeof(text), "dns = { dnssec = \"off\"; %s = %u; };\n",
			    cases[i].name, cases[i].value);
		if ((c = load_text(text, why, sizeof(why))) == NULL)
			fail_msg("%s.%s = %u: %s", cases[i].group, cases[i].name,
			    cases[i].value, why);
		memcpy(&got, (const char *)c + cases[i].off, sizeof(got));
		assert_int_equal(got, cases[i].value);
		smtp2_conf_free(c);
	}
}

/* test_level_names - the names log.level takes */
static void
test_level_names(void **state)
{
	(void)state;
	assert_string_equal(smtp2_log_level_name(SMTP2_LOG_ERR), "err");
	assert_string_equal(smtp2_log_level_name(SMTP2_LOG_WARNING), "warning");
	assert_string_equal(smtp2_log_level_name(SMTP2_LOG_NOTICE), "notice");
	assert_string_equal(smtp2_log_level_name(SMTP2_LOG_INFO), "info");
	assert_string_equal(smtp2_log_level_name(SMTP2_LOG_DEBUG), "debug");
	assert_string_equal(smtp2_log_level_name((enum smtp2_log_level)99), "unknown");
}

/* A command line and what smtp2d_args_parse must make of it. */
struct args_case {
	const char	*argv[6];
	int		rc;
	const char	*conf;
	bool		check, fg;
	const char	*pidfile;
};

/* test_args - the common options */
static void
test_args(void **state)
{
	static const struct args_case cases[] = {
		{ { "p" }, 0, SMTP2_DEFAULT_CONF, false, false, NULL },
		{ { "p", "-c", "/x.conf", "-t" }, 0, "/x.conf", true, false, NULL },
		{ { "p", "-f", "-p", "/run/p.pid" }, 0, SMTP2_DEFAULT_CONF, false, true,
		    "/run/p.pid" },
		{ { "p", "-ft" }, 0, SMTP2_DEFAULT_CONF, true, true, NULL },
		{ { "p", "-x" }, -1, NULL, false, false, NULL },
		{ { "p", "-c" }, -1, NULL, false, false, NULL },
		{ { "p", "extra" }, -1, NULL, false, false, NULL },
	};
	struct smtp2d_args a;
	char *argv[6];
	size_t i, n;
	int rc;
	FILE *saved = stderr;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; cases[i].argv[n] != NULL; n++)
			argv[n] = (char *)cases[i].argv[n];
		argv[n] = NULL;
		stderr = fopen("/dev/null", "w");	/* usage noise */
		rc = smtp2d_args_parse((int)n, argv, "prog", &a);
		fclose(stderr);
		stderr = saved;
		assert_int_equal(rc, cases[i].rc);
		if (rc != 0)
			continue;
		assert_string_equal(a.conf_path, cases[i].conf);
		assert_int_equal(a.check_only, cases[i].check);
		assert_int_equal(a.foreground, cases[i].fg);
		if (cases[i].pidfile != NULL)
			assert_string_equal(a.pidfile, cases[i].pidfile);
		else
			assert_null(a.pidfile);
	}
}

/* capture - run smtp2d_load_conf with stdout and stderr in files */
static struct smtp2_conf *
capture(const struct smtp2d_args *a, int *status, char *out, char *err, size_t len)
{
	FILE *o = tmpfile(), *e = tmpfile(), *so = stdout, *se = stderr;
	struct smtp2_conf *c;
	size_t n;

	assert_non_null(o);
	assert_non_null(e);
	stdout = o;
	stderr = e;
	c = smtp2d_load_conf(a, status);
	stdout = so;
	stderr = se;
	rewind(o);
	rewind(e);
	n = fread(out, 1, len - 1, o);
	out[n] = '\0';
	n = fread(err, 1, len - 1, e);
	err[n] = '\0';
	fclose(o);
	fclose(e);
	return c;
}

/* test_check_mode - -t says "configuration OK" or the error, and status */
static void
test_check_mode(void **state)
{
	struct smtp2d_args a = { CONF_DIR "/good.conf", true, false, NULL };
	struct smtp2_conf *c;
	char out[WHY_LEN], err[WHY_LEN];
	int status = -1;

	(void)state;
	assert_null(capture(&a, &status, out, err, sizeof(out)));
	assert_int_equal(status, 0);
	assert_string_equal(out, "configuration OK\n");
	assert_string_equal(err, "");

	a.conf_path = CONF_DIR "/bad-timeout.conf";
	assert_null(capture(&a, &status, out, err, sizeof(out)));
	assert_int_equal(status, 1);
	assert_string_equal(out, "");
	assert_string_equal(err, CONF_DIR "/bad-timeout.conf:3: dns.timeout_ms:"
	    " 70000 is out of range 100..60000\n");

	/* Without -t: the configuration, or NULL and the message. */
	a.check_only = false;
	assert_null(capture(&a, &status, out, err, sizeof(out)));
	assert_int_equal(status, 1);
	a.conf_path = CONF_DIR "/good.conf";
	c = capture(&a, &status, out, err, sizeof(out));
	assert_non_null(c);
	assert_int_equal(status, 0);
	assert_string_equal(out, "");
	smtp2_conf_free(c);
}

/* read_pid - the number in a pid file, or -1 */
static long
read_pid(const char *path)
{
	FILE *fp = fopen(path, "r");
	long pid = -1;

	if (fp != NULL) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return pid;
}

/* test_detach_foreground - -f: no fork, the pid file holds our pid */
static void
test_detach_foreground(void **state)
{
	char pidfile[64];
	struct smtp2d_args a = { NULL, false, true, pidfile };

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "/tmp/test_conf.%ld.pid", (long)getpid());
	assert_int_equal(smtp2d_detach(&a), 0);
	assert_int_equal(read_pid(pidfile), (long)getpid());
	/* A pid file left by a dead instance is overwritten. */
	assert_int_equal(smtp2d_detach(&a), 0);
	assert_int_equal(read_pid(pidfile), (long)getpid());
	unlink(pidfile);
}

/* on_dev_null - is fd open on /dev/null */
static int
on_dev_null(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && S_ISCHR(a.st_mode)
	    && a.st_rdev == b.st_rdev;
}

/* test_detach_background - the caller exits 0, the daemon writes its pid */
static void
test_detach_background(void **state)
{
	char pidfile[64], done[64], tmp[80], line[64] = "";
	struct smtp2d_args a = { NULL, false, false, pidfile };
	struct stat st;
	pid_t child;
	int status, i;
	FILE *fp;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "/tmp/test_conf.%ld.bg.pid", (long)getpid());
	snprintf(done, sizeof(done), "/tmp/test_conf.%ld.bg.done", (long)getpid());
	unlink(done);
	if ((child = fork()) == 0) {
		if (smtp2d_detach(&a) < 0)
			_exit(2);
		/* The daemon: new session, cwd /, stdio on /dev/null. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", done);
		if ((fp = fopen(tmp, "w")) == NULL)
			_exit(3);
		fprintf(fp, "%d %d %s\n", getsid(0) == getpid(), on_dev_null(0)
		    && on_dev_null(1) && on_dev_null(2),
		    access("tmp", F_OK) == 0 ? "root" : "elsewhere");
		fclose(fp);
		rename(tmp, done);
		_exit(0);
	}
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The pid file is there before the launcher returned. */
	assert_true(read_pid(pidfile) > 0);
	assert_true(read_pid(pidfile) != (long)child);
	for (i = 0; i < 300 && stat(done, &st) != 0; i++)
		usleep(10000);
	fp = fopen(done, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_string_equal(line, "1 1 root\n");
	unlink(done);
	unlink(pidfile);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_suggestion_extra),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_computed_defaults),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_names_agree),
		cmocka_unit_test(test_limit_bounds),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_check_mode),
		cmocka_unit_test(test_detach_foreground),
		cmocka_unit_test(test_detach_background),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
