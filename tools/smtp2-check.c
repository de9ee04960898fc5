/*
 * smtp2-check - tell an administrator what smtp2 concludes, before a mode
 * is switched on.  It uses the daemons' configuration and library, so its
 * answer is the daemons' answer.
 *
 *   smtp2-check [-c FILE] record 'v=SMTP2v1; p=enforce'
 *   smtp2-check [-c FILE] domain DOMAIN [--cert-fp HEX] [--pubkey-fp HEX]
 *                                        [--trusted-cn NAME]
 *
 * Exit: 0 would pass (or the record is valid), 1 problems found or would
 * not pass, 2 could not check.
 */

/* System library. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <smtp2/smtp2.h>

/* Application-specific. */
#include "daemon.h"

#define EXIT_PASS	0
#define EXIT_PROBLEM	1
#define EXIT_UNCHECKED	2

/* usage - print how to call us */
static int
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: smtp2-check [-c FILE] record 'v=SMTP2v1; p=enforce'\n"
	    "       smtp2-check [-c FILE] domain DOMAIN [--cert-fp HEX] "
	    "[--pubkey-fp HEX] [--trusted-cn NAME]\n"
	    "       smtp2-check [-c FILE] -t | -V | -h\n");
	return status;
}

/* check_record - lint one record text as a receiver would read it */
static int
check_record(const char *text)
{
	struct smtp2_record rec;
	char why[256] = "";

	switch (smtp2_record_parse(text, strlen(text), &rec, why, sizeof(why))) {
	case SMTP2_RECORD_OK:
		printf("record OK: v=SMTP2v1, p=%s\n", smtp2_policy_name(rec.policy));
		return EXIT_PASS;
	case SMTP2_RECORD_ABSENT:
		printf("not an smtp2 record: it must start with v=SMTP2v1\n");
		return EXIT_PROBLEM;
	default:
		printf("record INVALID: %s\n", why);
		return EXIT_PROBLEM;
	}
}

/* parse_fp - one --*-fp option into facts */
static int
parse_fp(const char *opt, const char *arg, unsigned char *out, bool *have)
{
	if (smtp2_fp_parse(arg, out, SMTP2_SHA256_LEN) != SMTP2_SHA256_LEN) {
		fprintf(stderr, "smtp2-check: %s: expected a SHA-256 fingerprint "
		    "(64 hex digits, colons optional)\n", opt);
		return -1;
	}
	*have = true;
	return 0;
}

/* show_modes - what each roll-out mode would do with this verdict */
static void
show_modes(const struct smtp2_verdict *v)
{
	static const enum smtp2_mode modes[] = { SMTP2_MODE_PERMISSIVE,
	    SMTP2_MODE_TAG, SMTP2_MODE_ENFORCE, SMTP2_MODE_STRICT };
	struct smtp2_decision d;
	size_t i;

	printf("what each mode would do:\n");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		smtp2_decide(modes[i], v, false, &d);
		if (d.code != NULL)
			printf("  %-10s %-6s %s %s %s\n", smtp2_mode_name(modes[i]),
			    smtp2_action_name(d.action), d.code, d.dsn, d.text);
		else
			printf("  %-10s %s\n", smtp2_mode_name(modes[i]),
			    smtp2_action_name(d.action));
	}
}

/* check_domain - run the verification a daemon would run */
static int
check_domain(const struct smtp2_conf *conf, const char *domain,
    const struct smtp2_tls_facts *tls)
{
	struct smtp2_dns_opts o = {
		.resolvers = (const char *const *)conf->dns.resolvers,
		.n_resolvers = conf->dns.n_resolvers,
		.trust_anchors = conf->dns.trust_anchors,
		.dnssec = conf->dns.dnssec,
		.timeout_ms = conf->dns.timeout_ms,
	};
	struct smtp2_verdict v;
	struct smtp2_dns *dns;
	char why[256];

	if ((dns = smtp2_dns_new(&o, why, sizeof(why))) == NULL) {
		fprintf(stderr, "smtp2-check: DNS: %s\n", why);
		return EXIT_UNCHECKED;
	}
	smtp2_verify(dns, conf->dns.dnssec, domain, tls, &v);
	smtp2_dns_free(dns);

	printf("domain:   %s\n", v.domain[0] ? v.domain : domain);
	printf("record:   %s", v.has_record ? "yes" : "no");
	if (v.has_record)
		printf(" (p=%s)", smtp2_policy_name(v.policy));
	printf("\nresult:   %s\nmethod:   %s\ndnssec:   %s (dns.dnssec = %s)\n"
	    "reason:   %s\nqueries:  %u\n", smtp2_result_name(v.result),
	    smtp2_method_name(v.method), smtp2_dnssec_name(v.dnssec),
	    smtp2_dnssec_mode_name(conf->dns.dnssec), v.reason, v.queries);
	show_modes(&v);
	if (v.result == SMTP2_RESULT_TEMPERROR)
		return EXIT_UNCHECKED;
	return v.result == SMTP2_RESULT_PASS ? EXIT_PASS : EXIT_PROBLEM;
}

/* domain_command - parse the domain subcommand's options */
static int
domain_command(const struct smtp2_conf *conf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cert-fp", required_argument, NULL, 'C' },
		{ "pubkey-fp", required_argument, NULL, 'P' },
		{ "trusted-cn", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	struct smtp2_tls_facts tls;
	int ch;

	smtp2_tls_facts_init(&tls);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (parse_fp("--cert-fp", optarg, tls.cert_sha256,
			    &tls.have_cert_sha256) < 0)
				return EXIT_UNCHECKED;
			tls.cert_presented = true;
			break;
		case 'P':
			if (parse_fp("--pubkey-fp", optarg, tls.spki_sha256,
			    &tls.have_spki_sha256) < 0)
				return EXIT_UNCHECKED;
			tls.cert_presented = true;
			break;
		case 'N':
			snprintf(tls.subject_cn, sizeof(tls.subject_cn), "%s", optarg);
			tls.cert_presented = tls.cert_trusted = true;
			break;
		default:
			return usage(stderr, EXIT_UNCHECKED);
		}
	}
	if (optind != argc - 1)
		return usage(stderr, EXIT_UNCHECKED);
	return check_domain(conf, argv[optind], &tls);
}

int
main(int argc, char **argv)
{
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	int status, sub;

	/* Common options stop at the subcommand. */
	for (sub = 1; sub < argc && argv[sub][0] == '-'; sub++) {
		if (strcmp(argv[sub], "-h") == 0)
			return usage(stdout, 0);
		if (strcmp(argv[sub], "-c") == 0 || strcmp(argv[sub], "-p") == 0)
			sub++;
	}
	switch (smtp2d_args_parse(sub < argc ? sub : argc, argv, "smtp2-check", &args)) {
	case 1:
		return 0;
	case -1:
		return usage(stderr, EXIT_UNCHECKED);
	}
	if (args.check_only) {
		conf = smtp2d_load_conf(&args, &status);
		smtp2_conf_free(conf);
		return status;
	}
	if (sub >= argc)
		return usage(stderr, EXIT_UNCHECKED);
	if (strcmp(argv[sub], "record") == 0) {
		if (sub + 2 != argc)
			return usage(stderr, EXIT_UNCHECKED);
		return check_record(argv[sub + 1]);
	}
	if (strcmp(argv[sub], "domain") != 0)
		return usage(stderr, EXIT_UNCHECKED);
	if ((conf = smtp2d_load_conf(&args, &status)) == NULL)
		return EXIT_UNCHECKED;
	status = domain_command(conf, argc - sub, argv + sub);
	smtp2_conf_free(conf);
	return status;
}
