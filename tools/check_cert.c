/*
 * check_cert.c - "smtp2-check cert CHAIN.pem --domain DOMAIN": would this
 * sending certificate prove DOMAIN?  PKIX against the configured CAs and
 * CRLs (and an OCSP response when given), the pins to publish, and unless
 * --offline the verdict against the domain's live DNS.
 */

/* System library. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* Application-specific. */
#include "check.h"

#define CERT_OCSP_MAX	(64 * 1024)	/* larger is not an OCSP response */
#define CERT_EXPIRY_WARN_DAYS	14
#define CERT_CHAIN_MAX	16	/* certificates of CHAIN.pem searched for the issuer */

struct cert_args {
	const char *file;
	const char *domain;
	const char *ocsp;
	bool	offline;
};

/* cert_args_parse - options after "cert"; -1 on a usage error */
static int
cert_args_parse(struct check_ctx *ctx, int argc, char **argv, struct cert_args *a)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "ocsp", required_argument, NULL, 'o' },
		{ "offline", no_argument, NULL, 'n' },
		{ "fetch-ocsp", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->domain = optarg;
			break;
		case 'o':
			a->ocsp = optarg;
			break;
		case 'n':
			a->offline = true;
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
	if (optind != argc - 1 || a->domain == NULL)
		return -1;
	a->file = argv[optind];
	return 0;
}

/* cert_read_ocsp - the DER OCSP response file; NULL with why */
static unsigned char *
cert_read_ocsp(const char *path, size_t *len, char *why, size_t whylen)
{
	unsigned char *buf;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(why, whylen, "--ocsp %s: cannot open", path);
		return NULL;
	}
	if ((buf = malloc(CERT_OCSP_MAX)) != NULL)
		*len = fread(buf, 1, CERT_OCSP_MAX, f);
	if (buf == NULL || ferror(f) || *len == 0 || *len == CERT_OCSP_MAX) {
		snprintf(why, whylen, "--ocsp %s: %s", path, buf == NULL ?
		    "out of memory" : *len == CERT_OCSP_MAX ?
		    "larger than 64 KiB" : "cannot read, or empty");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* cert_leaf - describe the first certificate of the PEM file */
static int
cert_leaf(const char *path, struct check_certinfo *ci)
{
	X509 *leaf;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	leaf = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (leaf == NULL)
		return -1;
	check_leaf_describe(leaf, ci);
	X509_free(leaf);
	return 0;
}

/* cert_fetch_ocsp - the leaf's OCSP response from its responder, the
 * issuer looked for in the rest of the PEM file; NULL with why */
static unsigned char *
cert_fetch_ocsp(const struct check_ctx *ctx, const char *path, size_t *len,
    char *why, size_t whylen)
{
	X509 *c[CERT_CHAIN_MAX];
	unsigned char *der = NULL;
	size_t i, n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "%s: cannot open", path);
		return NULL;
	}
	while (n < CERT_CHAIN_MAX &&
	    (c[n] = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		n++;
	fclose(f);
	ERR_clear_error();		/* the read that ended the loop */
	if (n == 0)
		snprintf(why, whylen, "%s: no certificate", path);
	else
		check_ocsp_fetch(ctx, c[0], c + 1, n - 1, &der, len, why, whylen);
	for (i = 0; i < n; i++)
		X509_free(c[i]);
	return der;
}

/* cert_ocsp - the OCSP response: --ocsp FILE, else fetched with
 * --fetch-ocsp (a failure is a warning), else none; -1 when FILE is bad */
static int
cert_ocsp(struct check_ctx *ctx, const struct cert_args *a,
    struct check_cert_report *r, unsigned char **ocsp, size_t *len)
{
	char why[320];

	r->cert.ocsp_from = "none";
	if (a->ocsp != NULL) {
		if ((*ocsp = cert_read_ocsp(a->ocsp, len, why, sizeof(why))) == NULL) {
			fprintf(stderr, "smtp2-check: %s\n", why);
			return -1;
		}
		r->cert.ocsp_from = "file";
	} else if (ctx->fetch_ocsp) {
		if ((*ocsp = cert_fetch_ocsp(ctx, a->file, len, why, sizeof(why))) == NULL)
			check_note(&r->notes, CHECK_WARNING, "OCSP response not "
			    "fetched: %s", why);
		else
			r->cert.ocsp_from = "fetched";
	}
	return 0;
}

/* cert_notes - findings about the certificate and the verdict */
static void
cert_notes(struct check_cert_report *r)
{
	const struct smtp2_cert_result *p = &r->cert.pkix;
	bool pinned = r->dane.judged && r->dane.status == SMTP2_PIN_MATCH &&
	    r->dane.secure;

	if (r->cert.pkix_checked && p->status != SMTP2_CERT_OK)
		check_note(&r->notes, pinned && p->status != SMTP2_CERT_REVOKED ?
		    CHECK_WARNING : CHECK_PROBLEM, "PKIX for %s: %s: %s%s",
		    r->domain, smtp2_cert_status_name(p->status), p->reason,
		    pinned && p->status != SMTP2_CERT_REVOKED ?
		    " (a DNSSEC-secure pin proves it instead)" : "");
	if (r->cert.pkix_checked && p->days_left >= 0 &&
	    p->days_left <= CERT_EXPIRY_WARN_DAYS)
		check_note(&r->notes, CHECK_WARNING, "certificate expires in %ld "
		    "days (%s)", p->days_left, r->cert.not_after);
	if (r->cert.pkix_checked && p->revocation == SMTP2_REV_UNKNOWN)
		check_note(&r->notes, CHECK_INFO, "revocation not checked: no "
		    "CRL (tls.crl_file) or OCSP response (--ocsp, --fetch-ocsp) "
		    "covers it");
	if (r->verdict.done && r->verdict.v.result != SMTP2_RESULT_PASS)
		check_note(&r->notes, CHECK_PROBLEM, "mail from %s sent with this "
		    "certificate: %s (%s)", r->domain,
		    smtp2_result_name(r->verdict.v.result), r->verdict.v.reason);
}

/* cert_live - the domain's pins and the verdict, from live DNS */
static int
cert_live(struct check_ctx *ctx, const struct smtp2_chain *chain,
    struct check_cert_report *r)
{
	char owner[CHECK_OWNER_MAX], why[320];

	if (check_dns_open(ctx, why, sizeof(why)) < 0) {
		fprintf(stderr, "smtp2-check: DNS: %s\n", why);
		return -1;
	}
	snprintf(owner, sizeof(owner), "_smtp2._tcp.%s", r->domain);
	check_tlsa_fetch(ctx, owner, &r->pins);
	check_dane_judge(ctx, "smtp2", &r->pins, chain, r->domain, &r->dane);
	check_verdict_run(ctx, r->domain, chain, &r->cert, &r->verdict);
	return 0;
}

/* cert_exit - 2 when something could not be checked, 1 for problems */
static int
cert_exit(const struct check_cert_report *r)
{
	if (!r->cert.pkix_checked ||
	    (r->verdict.done && r->verdict.v.result == SMTP2_RESULT_TEMPERROR))
		return CHECK_EXIT_UNCHECKED;
	return check_notes_have(&r->notes, CHECK_PROBLEM) ? CHECK_EXIT_PROBLEM :
	    CHECK_EXIT_PASS;
}

/* cert_run - parse, judge, look up; -1 when nothing could be checked */
static int
cert_run(struct check_ctx *ctx, const struct cert_args *a,
    struct check_cert_report *r)
{
	struct smtp2_chain *chain;
	unsigned char *ocsp = NULL;
	size_t ocsp_len = 0;
	char why[320];
	int ret = -1;

	r->file = a->file;
	r->offline = a->offline;
	if (smtp2_domain_normalise(a->domain, r->domain, sizeof(r->domain)) < 0) {
		fprintf(stderr, "smtp2-check: --domain '%s' is not a domain name\n",
		    a->domain);
		return -1;
	}
	if ((chain = smtp2_chain_from_file(a->file, why, sizeof(why))) == NULL) {
		fprintf(stderr, "smtp2-check: %s\n", why);
		return -1;
	}
	if (cert_ocsp(ctx, a, r, &ocsp, &ocsp_len) < 0)
		goto out;
	cert_leaf(a->file, &r->cert);
	if (check_setup_open(ctx) < 0)
		check_note(&r->notes, CHECK_PROBLEM, "PKIX not checked, no CA "
		    "store: %s", ctx->setup_why);
	check_chain_judge(ctx, chain, r->domain, ocsp, ocsp_len, &r->cert);
	if (!a->offline && cert_live(ctx, chain, r) < 0)
		goto out;
	cert_notes(r);
	r->exit = cert_exit(r);
	ret = 0;
out:
	free(ocsp);
	smtp2_chain_free(chain);
	return ret;
}

/* check_cert_command - "cert CHAIN.pem --domain DOMAIN [--ocsp F |
 * --fetch-ocsp] [--offline]" */
int
check_cert_command(struct check_ctx *ctx, int argc, char **argv)
{
	struct check_cert_report *r;
	struct cert_args a;
	int status;

	if (cert_args_parse(ctx, argc, argv, &a) < 0)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		fprintf(stderr, "smtp2-check: out of memory\n");
		return CHECK_EXIT_UNCHECKED;
	}
	if (cert_run(ctx, &a, r) < 0)
		status = CHECK_EXIT_UNCHECKED;
	else if (ctx->json)
		status = check_json_cert(ctx, r) < 0 ? CHECK_EXIT_UNCHECKED : r->exit;
	else {
		check_report_cert(ctx, r);
		status = r->exit;
	}
	check_tlsa_free(&r->pins);
	free(r);
	return status;
}
