/*
 * check_message.c - "message FILE.eml": every DKIM signature verified and
 * the From domain's signing practices (DMARC, ADSP) judged offline, with
 * the same library, configuration and From parser the milter uses; keys
 * and policies come from the configured resolvers.
 *
 * The file is read as a stream: header fields one by one, the body in
 * chunks, so a message of any size costs the same memory.
 */

/* System library. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/authres.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/practices.h>

/* Application-specific. */
#include "check.h"
#include "check_message.h"
#include "from.h"

#define MSG_CHUNK	65536		/* body bytes read at a time */
#define MSG_FIELD_MAX	(1024 * 1024)	/* one header field, folded */

/* msg_field - one complete header field (f[len] is overwritten with the
 * NUL the From and A-R parsers need): to DKIM, and From / A-R kept */
static int
msg_field(struct check_msg *m, const struct smtp2_conf *conf,
    struct smtp2_dkimv *v, char *f, size_t len)
{
	const char *colon = memchr(f, ':', len);
	size_t	nlen;

	f[len] = '\0';
	smtp2_dkimv_header(v, f, len);
	if (colon == NULL)
		return 0;
	nlen = (size_t)(colon - f);
	if (nlen == 4 && strncasecmp(f, "From", 4) == 0 && m->n_from++ == 0)
		m->from_ok = milter_from_domain(colon + 1, m->from_domain,
		    sizeof(m->from_domain), m->from_why, sizeof(m->from_why)) == 0;
	if (nlen == 22 && strncasecmp(f, "Authentication-Results", 22) == 0
	    && !m->has_spf && conf->dkim.n_trusted_authserv_ids > 0)
		m->has_spf = smtp2_spf_upstream_parse(colon + 1,
		    (const char *const *)conf->dkim.trusted_authserv_ids,
		    conf->dkim.n_trusted_authserv_ids, &m->spf);
	return 0;
}

/* msg_line_end - length of the line without its CRLF or LF */
static size_t
msg_line_end(const char *line, size_t n)
{
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	return n;
}

/* msg_header - read and hand over every header field; 0, or -1 with why */
static int
msg_header(FILE *fp, struct check_msg *m, const struct smtp2_conf *conf,
    struct smtp2_dkimv *v)
{
	char	*line = NULL, *field = NULL;
	size_t	cap = 0, flen = 0;
	ssize_t	n;
	int	rc = 0;

	if ((field = malloc(MSG_FIELD_MAX)) == NULL)
		return check_msg_fail(m, "out of memory");
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[0] != ' ' && line[0] != '\t' && flen > 0) {
			msg_field(m, conf, v, field, msg_line_end(field, flen));
			flen = 0;
		}
		if (msg_line_end(line, (size_t)n) == 0)
			break;			/* the empty line: body follows */
		if (flen + (size_t)n >= MSG_FIELD_MAX) {
			rc = check_msg_fail(m, "a header field is longer than %d bytes",
			    MSG_FIELD_MAX);
			break;
		}
		memcpy(field + flen, line, (size_t)n);
		flen += (size_t)n;
	}
	if (rc == 0 && flen > 0)		/* a header without a body */
		msg_field(m, conf, v, field, msg_line_end(field, flen));
	if (rc == 0 && ferror(fp))
		rc = check_msg_fail(m, "read error");
	free(line);
	free(field);
	return rc;
}

/* msg_body - stream the body into the verifier */
static int
msg_body(FILE *fp, struct check_msg *m, struct smtp2_dkimv *v)
{
	unsigned char *buf;
	size_t	n;

	if ((buf = malloc(MSG_CHUNK)) == NULL)
		return check_msg_fail(m, "out of memory");
	while ((n = fread(buf, 1, MSG_CHUNK, fp)) > 0) {
		smtp2_dkimv_body(v, buf, n);
		m->body_bytes += n;
	}
	free(buf);
	return ferror(fp) ? check_msg_fail(m, "read error") : 0;
}

/* msg_read - the file through the verifier; -1 with m->why */
static int
msg_read(struct check_ctx *ctx, struct check_msg *m, struct smtp2_dkimv *v)
{
	FILE	*fp;
	int	rc;

	if ((fp = fopen(m->path, "r")) == NULL)
		return check_msg_fail(m, "cannot open %s: %s", m->path,
		    strerror(errno));
	rc = msg_header(fp, m, ctx->conf, v);
	if (rc == 0) {
		smtp2_dkimv_eoh(v);
		rc = msg_body(fp, m, v);
	}
	fclose(fp);
	return rc;
}

/* msg_copy_sigs - keep the results past the verifier's life */
static void
msg_copy_sigs(struct check_msg *m, const struct smtp2_dkimv_sig *sigs, size_t n)
{
	m->n_sigs = n < CHECK_MSG_SIGS_MAX ? n : CHECK_MSG_SIGS_MAX;
	memcpy(m->sigs, sigs, m->n_sigs * sizeof(*sigs));
}

/* msg_judge - DMARC and ADSP for the From domain */
static void
msg_judge(struct check_ctx *ctx, struct check_msg *m)
{
	if (!m->from_ok) {
		if (m->n_from == 0)
			snprintf(m->from_why, sizeof(m->from_why), "no From header");
		else if (m->n_from > 1)
			snprintf(m->from_why, sizeof(m->from_why), "%u From headers",
			    m->n_from);
		return;
	}
	if (smtp2_dmarc_evaluate(ctx->dns, m->from_domain, m->sigs, m->n_sigs,
	    m->has_spf ? &m->spf : NULL, &m->dmarc) < 0) {
		check_msg_fail(m, "%s", m->dmarc.why);
		return;
	}
	smtp2_adsp_evaluate(ctx->dns, m->from_domain, m->sigs, m->n_sigs, &m->adsp);
	m->judged = true;
}

/* msg_status - 0: an aligned signature verified and DMARC (if any)
 * passes; 2: a lookup failed for now; 1: anything else */
static int
msg_status(const struct check_msg *m)
{
	size_t	i;

	if (m->failed)
		return CHECK_EXIT_UNCHECKED;
	for (i = 0; i < m->n_sigs; i++)
		if (m->sigs[i].result == SMTP2_DKIMV_TEMPERROR)
			return CHECK_EXIT_UNCHECKED;
	if (!m->judged)
		return CHECK_EXIT_PROBLEM;
	if (m->dmarc.result == SMTP2_DMARCR_TEMPERROR
	    || m->adsp.result == SMTP2_ADSPR_TEMPERROR)
		return CHECK_EXIT_UNCHECKED;
	if (!m->dmarc.dkim_aligned || m->dmarc.result == SMTP2_DMARCR_FAIL
	    || m->dmarc.result == SMTP2_DMARCR_PERMERROR)
		return CHECK_EXIT_PROBLEM;
	return CHECK_EXIT_PASS;
}

/* msg_authres - what smtp2-milter would stamp, minus the smtp2= part
 * (a file carries no TLS session to judge) */
static void
msg_authres(const struct check_ctx *ctx, struct check_msg *m)
{
	struct smtp2_authres_msg a;

	memset(&a, 0, sizeof(a));
	a.dkim_checked = true;
	a.sigs = m->sigs;
	a.n_sigs = m->n_sigs;
	a.dmarc = m->judged ? &m->dmarc : NULL;
	a.adsp = m->judged ? &m->adsp : NULL;
	a.from_domain = m->from_ok ? m->from_domain : NULL;
	smtp2_authres_format_msg(m->authres, sizeof(m->authres),
	    ctx->conf->policy.authserv_id, &a);
}

/* check_message_run - see check_message.h */
int
check_message_run(struct check_ctx *ctx, struct check_msg *m)
{
	struct smtp2_dkimv_opts o;
	struct smtp2_dkimv *v;
	const struct smtp2_dkimv_sig *sigs;
	char	why[320];
	size_t	n;

	if (check_dns_open(ctx, why, sizeof(why)) < 0) {
		check_msg_fail(m, "DNS resolver: %s", why);
		return msg_status(m);
	}
	/* The lookups smtp2-milter would allow this message (dns.max_queries). */
	smtp2_dns_budget(ctx->dns, ctx->conf->dns.max_queries);
	memset(&o, 0, sizeof(o));
	o.dns = ctx->dns;
	o.now = m->now;
	o.clock_skew = ctx->conf->dkim.clock_skew;
	o.min_rsa_bits = ctx->conf->dkim.min_rsa_bits;
	if ((v = smtp2_dkimv_new(&o)) == NULL) {
		check_msg_fail(m, "out of memory");
		return msg_status(m);
	}
	if (msg_read(ctx, m, v) == 0) {
		n = smtp2_dkimv_eom(v, &sigs);
		msg_copy_sigs(m, sigs, n);
		msg_judge(ctx, m);
		msg_authres(ctx, m);
	}
	smtp2_dkimv_free(v);
	return msg_status(m);
}

/* check_message_command - "message FILE [--now EPOCH]" */
int
check_message_command(struct check_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct check_msg *m;
	char	*end;
	int	c, status;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return CHECK_EXIT_UNCHECKED;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'n' || (m->now = (time_t)strtoll(optarg, &end, 10),
		    *end != '\0' || end == optarg)) {
			free(m);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		free(m);
		return -1;
	}
	m->path = argv[optind];
	status = check_message_run(ctx, m);
	if (ctx->json)
		check_message_report_json(m, status);
	else
		check_message_report(m, status);
	free(m);
	return status;
}
