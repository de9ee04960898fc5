/*
 * check_domain.c - "smtp2-check domain DOMAIN": the domain's record, pins
 * and MX hosts from DNS, then every MX address probed (check_probe.c), then
 * one exit status.  Bounded: CHECK_MX_MAX hosts, CHECK_ADDR_MAX addresses
 * each, every network step under a time limit.
 */

/* System library. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Library. */
#include <openssl/ssl.h>

/* Application-specific. */
#include "check.h"
#include "check_smtp.h"

struct domain_args {
	const char *domain;
	unsigned port;
	const char *cert;
	const char *key;
	const char *mx;			/* --mx: probe this host, skip the MX lookup */
};

/* domain_port - --port's value, or 0 (said why) */
static unsigned
domain_port(const char *arg)
{
	char *end;
	long n;

	n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 1 || n > 65535) {
		fprintf(stderr, "smtp2-check: --port %s: not a port number "
		    "(1-65535)\n", arg);
		return 0;
	}
	return (unsigned)n;
}

/* domain_args_parse - options after "domain"; -1 on a usage error */
static int
domain_args_parse(struct check_ctx *ctx, int argc, char **argv, struct domain_args *a)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "mx", required_argument, NULL, 'm' },
		{ "fetch-ocsp", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	a->port = 25;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if ((a->port = domain_port(optarg)) == 0)
				return -1;
			break;
		case 'c':
			a->cert = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'm':
			a->mx = optarg;
			break;
		case 'f':
			ctx->fetch_ocsp = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		default:
			return -1;
		}
	}
	if (a->key != NULL && a->cert == NULL) {
		fprintf(stderr, "smtp2-check: --key needs --cert\n");
		return -1;
	}
	if (a->cert != NULL && a->key == NULL)
		a->key = a->cert;	/* one PEM file holding both */
	if (optind != argc - 1)
		return -1;
	a->domain = argv[optind];
	return 0;
}

/* domain_given_mx - --mx HOST: that host alone, an address literal as is */
static void
domain_given_mx(struct check_ctx *ctx, const char *host, struct check_mx *mx,
    struct check_notes *notes)
{
	struct check_host *h = &mx->host[0];
	struct check_addr *ad = &h->addr[0];

	mx->n = mx->n_found = 1;
	snprintf(h->name, sizeof(h->name), "%s", host);
	check_note(notes, CHECK_INFO, "MX lookup skipped: probing %s (--mx)", host);
	if (inet_pton(AF_INET, host, ad->raw) == 1)
		ad->family = AF_INET;
	else if (inet_pton(AF_INET6, host, ad->raw) == 1)
		ad->family = AF_INET6;
	else {
		check_mx_fetch_addrs(ctx, h);
		return;
	}
	snprintf(ad->text, sizeof(ad->text), "%s", host);
	h->n_addr = h->n_found = 1;
}

/* domain_record_notes - what the record and pin answers mean */
static void
domain_record_notes(struct check_domain_report *r, enum smtp2_dnssec_mode mode)
{
	struct check_notes *ns = &r->notes;

	if (r->record.lookup.status != SMTP2_DNS_TEMPFAIL &&
	    r->record.status == SMTP2_RECORD_INVALID)
		check_note(ns, CHECK_PROBLEM, "the record at %s is invalid: %s "
		    "(receivers: permerror)", r->record.lookup.name, r->record.why);
	if (r->pins.n_malformed > 0)
		check_note(ns, CHECK_WARNING, "%zu TLSA record(s) at %s are "
		    "malformed (wrong digest length) and ignored",
		    r->pins.n_malformed, r->pins.lookup.name);
	if (r->pins.n > 0 && r->pins.lookup.dnssec != SMTP2_DNSSEC_SECURE &&
	    mode == SMTP2_DNSSEC_REQUIRED)
		check_note(ns, CHECK_WARNING, "the pins at %s are %s, not secure: "
		    "with dns.dnssec = required they prove nothing",
		    r->pins.lookup.name, smtp2_dnssec_name(r->pins.lookup.dnssec));
}

/* domain_mx_notes - what the MX and address answers mean */
static void
domain_mx_notes(struct check_domain_report *r)
{
	struct check_notes *ns = &r->notes;
	const struct check_host *h;
	size_t i;

	if (r->mx.implicit)
		check_note(ns, CHECK_INFO, "no MX records: the domain itself "
		    "receives mail (RFC 5321 5.1)");
	if (r->mx.null_mx)
		check_note(ns, CHECK_INFO, "null MX (RFC 7505): the domain "
		    "receives no mail, there is nothing to probe");
	if (r->mx.n_found > r->mx.n)
		check_note(ns, CHECK_INFO, "%zu MX hosts, probing the first %zu",
		    r->mx.n_found, r->mx.n);
	if (r->mx.lookup.done && r->mx.lookup.status == SMTP2_DNS_OK &&
	    r->mx.lookup.dnssec != SMTP2_DNSSEC_SECURE)
		check_note(ns, CHECK_INFO, "the MX set is %s: DANE senders "
		    "ignore TLSA records of its hosts (RFC 7672 2.2.1)",
		    smtp2_dnssec_name(r->mx.lookup.dnssec));
	for (i = 0; i < r->mx.n; i++) {
		h = &r->mx.host[i];
		if (h->n_found == 0)
			check_note(ns, CHECK_PROBLEM, "MX host %s has no address",
			    h->name);
		else if (h->n_found > h->n_addr)
			check_note(ns, CHECK_INFO, "MX host %s has %zu addresses, "
			    "probing %zu", h->name, h->n_found, h->n_addr);
	}
}

/* domain_is_literal - an address, not a name (no TLSA set to look up) */
static bool
domain_is_literal(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* domain_dns - record, pins, MX hosts with their addresses and TLSA sets */
static void
domain_dns(struct check_ctx *ctx, const struct domain_args *a,
    struct check_domain_report *r)
{
	char owner[CHECK_OWNER_MAX];
	size_t i;

	check_record_fetch(ctx, r->domain, &r->record);
	snprintf(owner, sizeof(owner), "_smtp2._tcp.%s", r->domain);
	check_tlsa_fetch(ctx, owner, &r->pins);
	if (a->mx != NULL)
		domain_given_mx(ctx, a->mx, &r->mx, &r->notes);
	else
		check_mx_fetch(ctx, r->domain, &r->mx, &r->notes);
	for (i = 0; i < r->mx.n; i++) {
		if (domain_is_literal(r->mx.host[i].name))
			continue;
		/* RFC 7672 3: senders look at port 25, whatever --port says. */
		snprintf(owner, sizeof(owner), "_25._tcp.%s", r->mx.host[i].name);
		check_tlsa_fetch(ctx, owner, &r->mx.host[i].tlsa25);
	}
	domain_record_notes(r, ctx->conf->dns.dnssec);
	domain_mx_notes(r);
}

/* domain_helo - our EHLO name: this host's name, as an MTA would say */
static void
domain_helo(char *buf, size_t buflen)
{
	if (gethostname(buf, buflen) < 0 || buf[0] == '\0')
		snprintf(buf, buflen, "localhost");
	buf[buflen - 1] = '\0';
}

/* domain_probes - every kept address of every kept MX host */
static void
domain_probes(struct check_ctx *ctx, const struct domain_args *a,
    struct check_domain_report *r, SSL_CTX *tls)
{
	struct check_probe *p;
	char helo[256];
	size_t i, j;

	domain_helo(helo, sizeof(helo));
	for (i = 0; i < r->mx.n; i++) {
		for (j = 0; j < r->mx.host[i].n_addr; j++) {
			p = &r->probe[r->n_probes++];
			p->host = &r->mx.host[i];
			p->addr = &r->mx.host[i].addr[j];
			p->port = a->port;
			check_probe_run(ctx, r, helo, tls, p);
		}
	}
}

/* domain_absent_note - no record of its own: a parent's may cover it
 * (docs/record.md, "Subdomains"); the verdicts say whether one did */
static void
domain_absent_note(struct check_domain_report *r)
{
	const struct smtp2_verdict *v;
	size_t i;

	if (r->record.lookup.status == SMTP2_DNS_TEMPFAIL ||
	    r->record.status != SMTP2_RECORD_ABSENT)
		return;
	for (i = 0; i < r->n_probes; i++) {
		v = &r->probe[i].verdict.v;
		if (r->probe[i].verdict.done && v->has_record &&
		    strcmp(v->record_domain, r->domain) != 0) {
			check_note(&r->notes, CHECK_INFO, "no v=SMTP2v1 record at %s: "
			    "the record of %s covers the domain",
			    r->record.lookup.name, v->record_domain);
			return;
		}
	}
	check_note(&r->notes, CHECK_WARNING, "no v=SMTP2v1 record at %s",
	    r->record.lookup.name);
}

/* domain_exit - 2 when something could not be checked, 1 for problems */
static int
domain_exit(struct check_domain_report *r)
{
	const struct check_lookup *l[] = { &r->record.lookup, &r->mx.lookup };
	bool unchecked = false, problem;
	size_t i, done = 0;

	for (i = 0; i < 2; i++) {
		if (l[i]->done && l[i]->status == SMTP2_DNS_TEMPFAIL) {
			check_note(&r->notes, CHECK_PROBLEM, "cannot look up %s %s: %s",
			    l[i]->name, l[i]->type, l[i]->why);
			unchecked = true;
		}
	}
	for (i = 0; i < r->n_probes; i++) {
		if (r->probe[i].stage == CHECK_STAGE_DONE)
			done++;
		if (r->probe[i].verdict.done &&
		    r->probe[i].verdict.v.result == SMTP2_RESULT_TEMPERROR)
			unchecked = true;
	}
	if (done == 0 && !unchecked) {
		check_note(&r->notes, CHECK_PROBLEM, "no MX address could be probed");
		unchecked = true;
	}
	problem = check_notes_have(&r->notes, CHECK_PROBLEM) ||
	    check_notes_have(&r->record.lint, CHECK_PROBLEM);
	for (i = 0; i < r->n_probes; i++)
		problem = problem || check_notes_have(&r->probe[i].notes, CHECK_PROBLEM);
	if (unchecked)
		return CHECK_EXIT_UNCHECKED;
	return problem ? CHECK_EXIT_PROBLEM : CHECK_EXIT_PASS;
}

/* domain_free - the TLSA answers and the report */
static void
domain_free(struct check_domain_report *r)
{
	size_t i;

	check_tlsa_free(&r->pins);
	for (i = 0; i < r->mx.n; i++)
		check_tlsa_free(&r->mx.host[i].tlsa25);
	free(r);
}

/* domain_run - DNS, probes, exit status */
static int
domain_run(struct check_ctx *ctx, const struct domain_args *a,
    struct check_domain_report *r)
{
	char why[320];
	SSL_CTX *tls;

	if (smtp2_domain_normalise(a->domain, r->domain, sizeof(r->domain)) < 0) {
		fprintf(stderr, "smtp2-check: '%s' is not a domain name\n", a->domain);
		return -1;
	}
	if (check_dns_open(ctx, why, sizeof(why)) < 0) {
		fprintf(stderr, "smtp2-check: DNS: %s\n", why);
		return -1;
	}
	if ((tls = check_smtp_tls_new(a->cert, a->key, why, sizeof(why))) == NULL) {
		fprintf(stderr, "smtp2-check: %s\n", why);
		return -1;
	}
	if (check_setup_open(ctx) < 0)
		check_note(&r->notes, CHECK_WARNING, "PKIX not checked, no CA "
		    "store: %s", ctx->setup_why);
	domain_dns(ctx, a, r);
	domain_probes(ctx, a, r, tls);
	SSL_CTX_free(tls);
	domain_absent_note(r);
	r->exit = domain_exit(r);
	return 0;
}

/* check_domain_command - "domain DOMAIN [--port N] [--cert C --key K]
 * [--mx HOST] [--fetch-ocsp]" */
int
check_domain_command(struct check_ctx *ctx, int argc, char **argv)
{
	struct check_domain_report *r;
	struct domain_args a;
	int status;

	if (domain_args_parse(ctx, argc, argv, &a) < 0)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		fprintf(stderr, "smtp2-check: out of memory\n");
		return CHECK_EXIT_UNCHECKED;
	}
	if (domain_run(ctx, &a, r) < 0)
		status = CHECK_EXIT_UNCHECKED;
	else if (ctx->json)
		status = check_json_domain(ctx, r) < 0 ? CHECK_EXIT_UNCHECKED : r->exit;
	else {
		check_report_domain(ctx, r);
		status = r->exit;
	}
	domain_free(r);
	return status;
}
