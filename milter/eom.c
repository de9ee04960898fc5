/*
 * eom.c - end of message: the From domain's verdict, the receiver's
 * decision, then either a reply or our stamp in place of any forged one.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Library. */
#include <smtp2/authres.h>
#include <smtp2/decide.h>
#include <smtp2/verify.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include "eom.h"
#include "headers.h"
#include "metrics_m.h"
#include "connstate.h"
#include "requiretls_smfi.h"
#include "signing.h"
#include "submission_act.h"
#include "verdict.h"

#define STAMP_MAX	8192	/* bytes of one header value we insert */
#define LINE_MAX_LEN	2048	/* bytes of the verdict log line */

/* decision_set - an action of our own, where smtp2_decide() had no say */
static void
decision_set(struct smtp2_decision *d, enum smtp2_action action,
    const char *code, const char *dsn, const char *text)
{
	d->action = action;
	d->code = code;
	d->dsn = dsn;
	snprintf(d->text, sizeof(d->text), "%s", text);
}

/* forwarded - the forwarded-mail rule: a proven forwarder and a
 * first-party signature make the From domain proven (docs/practices.md) */
static void
forwarded(struct session *s, struct smtp2_verdict *v,
    const struct signing_result *r)
{
	const struct smtp2_conf *conf = s->run->conf;
	struct smtp2_verdict fv;
	char	fwd[SMTP2_DOMAIN_MAX + 1], why[256];

	if (!milter_signing_forwarder(conf, v, r, s->msg.sender, s->helo, fwd,
	    sizeof(fwd)))
		return;
	/* A forwarder we cannot check now simply does not vouch. */
	if (milter_verdict_get(s, fwd, &fv, why, sizeof(why)) < 0) {
		log_debug("forwarder %s: %s", fwd, why);
		return;
	}
	milter_signing_forwarded(v, &fv, r);
}

/* signing - DKIM results and the From domain's practices */
static void
signing(struct session *s, const char *domain, struct signing_result *r)
{
	const struct smtp2_conf *conf = s->run->conf;
	struct smtp2_dns *dns = NULL;
	char	why[200];

	if (conf->dkim.verify
	    && (dns = milter_verdict_resolver(s, why, sizeof(why))) == NULL)
		log_warn("client=%s:%s: %s", s->client_addr, s->client_port, why);
	milter_signing_eom(&s->msg.signing, conf, dns, domain, r);
}

/* decide - the verdict on the From domain and what to do with it */
static void
decide(struct session *s, struct smtp2_verdict *v, struct smtp2_decision *d,
    struct signing_result *r)
{
	const struct smtp2_conf *conf = s->run->conf;
	char domain[SMTP2_DOMAIN_MAX + 1], why[256];
	bool pm = milter_message_to_postmaster(&s->msg);

	memset(r, 0, sizeof(*r));
	/* Forgeries we cannot all delete would survive next to our stamp. */
	if (!milter_headers_forged_complete(&s->msg.headers, why, sizeof(why))) {
		milter_verdict_error(v, SMTP2_RESULT_PERMERROR, NULL, why);
		decision_set(d, SMTP2_ACTION_REJECT, "550", "5.7.1", why);
		return;
	}
	if (milter_headers_from_domain(&s->msg.headers, domain, sizeof(domain),
	    why, sizeof(why)) < 0) {
		milter_verdict_error(v, SMTP2_RESULT_PERMERROR, NULL, why);
		signing(s, NULL, r);
	} else if (milter_verdict_get(s, domain, v, why,
	    sizeof(why)) < 0) {
		/* No verdict to be had now: try later, never guess.  The
		 * details (sockets, resolvers) are for the log, not the client. */
		milter_verdict_error(v, SMTP2_RESULT_TEMPERROR, domain, why);
		decision_set(d, SMTP2_ACTION_DEFER, "451", "4.3.0",
		    "cannot verify the sender domain now, try again later");
		return;
	} else {
		signing(s, domain, r);
		forwarded(s, v, r);
	}
	smtp2_decide(conf->policy.mode, v, pm, d);
	if (r->checked && r->temperror && conf->dkim.practices != SMTP2_PRACTICES_TAG
	    && v->result != SMTP2_RESULT_PASS && !pm
	    && d->action != SMTP2_ACTION_REJECT) {
		decision_set(d, SMTP2_ACTION_DEFER, "451", "4.7.0",
		    "cannot check the sender's signatures now, try again later");
		return;
	}
	if (r->judged)
		smtp2_decide_practices(conf->dkim.practices, v, &r->dmarc,
		    &r->adsp, pm, d);
}

/* header_too_large - milter.max_header_bytes exceeded: refused whole,
 * nothing judged (part of a header proves nothing) */
static void
header_too_large(struct session *s, struct smtp2_verdict *v,
    struct smtp2_decision *d, struct signing_result *r)
{
	char	why[128];

	memset(r, 0, sizeof(*r));
	snprintf(why, sizeof(why), "header section over %u bytes "
	    "(milter.max_header_bytes)", s->run->conf->milter.max_header_bytes);
	milter_verdict_error(v, SMTP2_RESULT_PERMERROR, NULL, why);
	decision_set(d, SMTP2_ACTION_REJECT, "552", "5.3.4",
	    "message header too large");
}

/* set_reply - the SMTP reply for a reject or defer */
static void
set_reply(SMFICTX *ctx, const struct smtp2_decision *d)
{
	bool defer = d->action == SMTP2_ACTION_DEFER;
	char code[8], dsn[16], text[2 * sizeof(d->text)];

	snprintf(code, sizeof(code), "%s", d->code ? d->code : defer ? "451" : "550");
	snprintf(dsn, sizeof(dsn), "%s", d->dsn ? d->dsn : defer ? "4.3.0" : "5.7.1");
	milter_reply_text(d->text, text, sizeof(text));
	if (smfi_setreply(ctx, code, dsn, text[0] ? text : NULL) != MI_SUCCESS)
		log_warn("cannot set the SMTP reply %s %s %s", code, dsn, text);
}

/* delete_forged - highest index first, so no deletion renumbers the next */
static int
delete_forged(SMFICTX *ctx, const struct headers *h, char *why, size_t whylen)
{
	const struct header_ref *f;
	char name[32];
	size_t i;

	for (i = h->n_forged; i-- > 0;) {
		f = &h->forged[i];
		snprintf(name, sizeof(name), "%s", f->name);
		if (smfi_chgheader(ctx, name, (int)f->index, NULL) != MI_SUCCESS) {
			snprintf(why, whylen, "cannot delete %s #%u", name, f->index);
			return -1;
		}
	}
	return 0;
}

/* insert - one header at the top; with leadspc negotiated the MTA takes
 * the value verbatim, so the space after the colon is ours to write */
static int
insert(SMFICTX *ctx, bool leadspc, const char *field, const char *value,
    char *why, size_t whylen)
{
	char name[32], v[STAMP_MAX + 1];

	snprintf(name, sizeof(name), "%s", field);
	snprintf(v, sizeof(v), "%s%s", leadspc ? " " : "", value);
	if (smfi_insheader(ctx, 0, name, v) == MI_SUCCESS)
		return 0;
	snprintf(why, whylen, "cannot insert %s", name);
	return -1;
}

/* stamp - forged headers out, exactly one of each of ours in */
static int
stamp(SMFICTX *ctx, const struct smtp2_conf *conf, const struct session *s,
    const struct smtp2_verdict *v, const struct signing_result *r,
    char *why, size_t whylen)
{
	struct smtp2_authres_msg m;
	char ar[STAMP_MAX], xv[STAMP_MAX];
	int n;

	memset(&m, 0, sizeof(m));
	m.smtp2 = v;
	m.dkim_checked = r->checked && !r->temperror;
	m.sigs = r->sigs;
	m.n_sigs = r->n_sigs;
	m.dmarc = r->judged ? &r->dmarc : NULL;
	m.adsp = r->judged ? &r->adsp : NULL;
	m.from_domain = v->domain;
	n = smtp2_authres_format_msg(ar, sizeof(ar), conf->policy.authserv_id, &m);
	if (n < 0 || (size_t)n >= sizeof(ar)) {
		snprintf(why, whylen, "%s value too long", HEADER_AUTHRES);
		return -1;
	}
	n = smtp2_verified_format(xv, sizeof(xv), v);
	if (n < 0 || (size_t)n >= sizeof(xv)) {
		snprintf(why, whylen, "%s value too long", HEADER_VERIFIED);
		return -1;
	}
	/* Inserted last, Authentication-Results ends up on top (RFC 8601 5). */
	if (delete_forged(ctx, &s->msg.headers, why, whylen) < 0 ||
	    insert(ctx, s->leadspc, HEADER_VERIFIED, xv, why, whylen) < 0 ||
	    insert(ctx, s->leadspc, HEADER_AUTHRES, ar, why, whylen) < 0)
		return -1;
	return 0;
}

/* act - reply, or stamp; a failed stamp defers rather than half-edit */
static sfsistat
act(SMFICTX *ctx, const struct smtp2_conf *conf, const struct session *s,
    const struct smtp2_verdict *v, const struct signing_result *r,
    struct smtp2_decision *d)
{
	char why[128];

	switch (d->action) {
	case SMTP2_ACTION_REJECT:
		set_reply(ctx, d);
		return SMFIS_REJECT;
	case SMTP2_ACTION_DEFER:
		set_reply(ctx, d);
		return SMFIS_TEMPFAIL;
	default:
		break;
	}
	if (stamp(ctx, conf, s, v, r, why, sizeof(why)) == 0)
		return SMFIS_CONTINUE;
	log_err("client=%s:%s queue=%s: %s", s->client_addr, s->client_port,
	    s->msg.queue_id[0] ? s->msg.queue_id : "-", why);
	decision_set(d, SMTP2_ACTION_DEFER, "451", "4.3.0",
	    "cannot edit the message header, try again later");
	set_reply(ctx, d);
	return SMFIS_TEMPFAIL;
}

/* elapsed_ms - milliseconds since t0 */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (long)(t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* eom_run - see eom.h */
sfsistat
eom_run(SMFICTX *ctx, struct session *s)
{
	const struct smtp2_conf *conf = s->run->conf;
	struct smtp2_verdict v;
	struct smtp2_decision d;
	struct signing_result r;
	struct timespec t0;
	char line[LINE_MAX_LEN];
	sfsistat rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	milter_message_queue_id(&s->msg, smfi_getsymval(ctx, "i"));
	memset(&d, 0, sizeof(d));
	if (s->msg.hdr_over)		/* a resource limit: submissions too */
		header_too_large(s, &v, &d, &r);
	else if (s->sub.active)	/* our own users' mail: no sender verdict */
		return submission_eom(ctx, s, conf);
	else
		decide(s, &v, &d, &r);
	requiretls_eom(ctx, s, conf, &d);
	rc = act(ctx, conf, s, &v, &r, &d);
	milter_session_verdict_line(s, &v, conf->policy.mode, d.action, &r,
	    elapsed_ms(&t0), line, sizeof(line));
	milter_requiretls_log(&s->msg.rtls, line, sizeof(line));
	log_info("%s", line);
	milter_metrics_eom(s, &v, d.action, &r, elapsed_ms(&t0));
	return rc;
}
