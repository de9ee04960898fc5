/*
 * submission_act.c - RFC 6409 submission through libmilter: macros in,
 * replies and edits out, and the log.  Rejections are logged through a
 * process-wide rate limit (RFC 6409 5.2): a client hammering the port
 * must not be able to flood the log.
 */

/* System library. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/metrics.h>
#include <smtp2/submit.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include "connstate.h"
#include "requiretls_m.h"
#include "requiretls_smfi.h"
#include "submission.h"
#include "submission_act.h"
#include "verdict.h"

#define LINE_MAX_LEN	2048

static pthread_once_t rate_once = PTHREAD_ONCE_INIT;
static struct smtp2_submit_rate *rate;	/* made once; thread-safe itself */
static unsigned rate_per_minute;

/* rate_init - the limiter, on the first rejection */
static void
rate_init(void)
{
	if ((rate = smtp2_submit_rate_new(rate_per_minute)) == NULL)
		log_warn("submission: no memory for the log rate limit");
}

/* submission_actions - see submission_act.h */
unsigned long
submission_actions(const struct smtp2_conf *conf)
{
	if (conf->submission.expand_domain == NULL)
		return 0;
	return SMFIF_CHGFROM | SMFIF_ADDRCPT | SMFIF_DELRCPT;
}

/* submission_connect - see submission_act.h */
sfsistat
submission_connect(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf)
{
	milter_submit_connect(&s->sub, conf, smfi_getsymval(ctx, "{daemon_port}"),
	    smfi_getsymval(ctx, "{daemon_name}"), s->client_addr);
	if (!s->sub.active)
		return SMFIS_CONTINUE;
	/* Relayed mail, most of it, never pays for the submission state. */
	if (s->msg.sub == NULL && (s->msg.sub = calloc(1,
	    sizeof(*s->msg.sub))) == NULL) {
		log_err("out of memory for a submission session");
		return SMFIS_TEMPFAIL;
	}
	log_debug("submission session client=%s:%s %s%s", s->client_addr,
	    s->client_port, s->sub.how, s->sub.trusted ? " trusted" : "");
	return SMFIS_CONTINUE;
}

/* refuse - set the reply, log it within the rate limit */
static sfsistat
refuse(SMFICTX *ctx, const struct session *s, const char *stage,
    const char *arg, const struct submit_reply *r)
{
	char text[2 * SUBMIT_TEXT_MAX], q[2 * SUBMIT_TEXT_MAX], a[2 * SESSION_ADDR_MAX];
	char l[2 * SUBMIT_LOGIN_MAX];
	unsigned long dropped;

	milter_reply_text(r->text, text, sizeof(text));
	if (smfi_setreply(ctx, (char *)r->code, (char *)r->dsn, text) != MI_SUCCESS)
		log_warn("cannot set the SMTP reply %s %s %s", r->code, r->dsn, text);
	smtp2_metrics_submission_reject(r->rule);
	pthread_once(&rate_once, rate_init);
	if (!smtp2_submit_rate_take(rate, time(NULL), &dropped))
		return SMFIS_REJECT;
	log_notice("submission stage=%s queue=%s client=%s:%s %s login=\"%s\" arg=\"%s\""
	    " action=reject code=%s dsn=%s rule=%s reason=\"%s\"%s%.0lu", stage,
	    s->msg.queue_id[0] ? s->msg.queue_id : "-", s->client_addr, s->client_port,
	    s->sub.how, smtp2d_log_quote(s->msg.sub->login, l, sizeof(l)),
	    smtp2d_log_quote(arg != NULL ? arg : "", a, sizeof(a)), r->code, r->dsn,
	    r->rule, smtp2d_log_quote(r->text, q, sizeof(q)),
	    dropped ? " suppressed=" : "", dropped);
	return SMFIS_REJECT;
}

/* submission_envfrom - see submission_act.h */
sfsistat
submission_envfrom(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf,
    char **argv)
{
	struct submit_reply r;

	if (!s->sub.active)
		return SMFIS_CONTINUE;
	rate_per_minute = conf->submission.log_rate;
	if (milter_submit_mail(&s->sub, s->msg.sub, conf, argv[0],
	    argv[0] != NULL ? argv + 1 : NULL, smfi_getsymval(ctx, "{auth_authen}"),
	    s->tls.protocol[0] != '\0', &r) == 0)
		return SMFIS_CONTINUE;
	return refuse(ctx, s, "mail", argv[0], &r);
}

/* submission_envrcpt - see submission_act.h */
sfsistat
submission_envrcpt(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf,
    char **argv)
{
	struct submit_reply r;

	if (!s->sub.active)
		return SMFIS_CONTINUE;
	if (milter_submit_rcpt(&s->sub, s->msg.sub, conf, argv[0],
	    argv[0] != NULL ? argv + 1 : NULL, &r) == 0)
		return SMFIS_CONTINUE;
	return refuse(ctx, s, "rcpt", argv[0], &r);
}

/* submission_header - see submission_act.h */
void
submission_header(struct session *s, const char *name, const char *value)
{
	if (s->sub.active)
		milter_submit_header(s->msg.sub, name, value);
}

/* envelope_edits - the expanded sender and recipients */
static int
envelope_edits(SMFICTX *ctx, const struct submit_msg *m, char *why, size_t whylen)
{
	char from[sizeof(m->sender.to)], to[sizeof(m->sender.to)];
	size_t i;

	if (m->sender_rewrite) {
		snprintf(from, sizeof(from), "%s", m->sender.to);
		if (smfi_chgfrom(ctx, from, NULL) != MI_SUCCESS) {
			snprintf(why, whylen, "cannot change the envelope sender");
			return -1;
		}
	}
	for (i = 0; i < m->n_rcpt_rewrite; i++) {
		snprintf(from, sizeof(from), "%s", m->rcpt[i].from);
		snprintf(to, sizeof(to), "%s", m->rcpt[i].to);
		if (smfi_delrcpt(ctx, from) != MI_SUCCESS ||
		    smfi_addrcpt(ctx, to) != MI_SUCCESS) {
			snprintf(why, whylen, "cannot change recipient %.80s", from);
			return -1;
		}
	}
	return 0;
}

/* header_edits - completion and expansion; with leadspc negotiated the
 * MTA takes values verbatim, so the space after the colon is ours */
static int
header_edits(SMFICTX *ctx, const struct session *s, const struct submit_edits *e,
    char *why, size_t whylen)
{
	char name[32], v[SUBMIT_FIELD_MAX + 2];
	size_t i;
	int rc;

	for (i = 0; i < e->n; i++) {
		snprintf(name, sizeof(name), "%s", e->e[i].name);
		snprintf(v, sizeof(v), "%s%s", s->leadspc ? " " : "", e->e[i].value);
		if (e->e[i].op == SUBMIT_ADD)
			rc = smfi_addheader(ctx, name, v);
		else
			rc = smfi_chgheader(ctx, name, (int)e->e[i].index, v);
		if (rc != MI_SUCCESS) {
			snprintf(why, whylen, "cannot edit the %s header", name);
			return -1;
		}
	}
	return 0;
}

/* eom_line - the one line per submitted message (REQUIRETLS fields too) */
static void
eom_line(const struct session *s, const char *action, const char *added,
    const struct timespec *t0)
{
	char l[2 * SUBMIT_LOGIN_MAX], more[16] = "", line[LINE_MAX_LEN];
	const struct message *m = &s->msg;
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (m->n_rcpt > 1)
		snprintf(more, sizeof(more), "+%u", m->n_rcpt - 1);
	snprintf(line, sizeof(line), "submission stage=eom queue=%s client=%s:%s %s"
	    " login=\"%s\" sender=%s rcpt=%s%s action=%s added=%s expanded=%s"
	    " verdict=skipped ms=%ld", m->queue_id[0] ? m->queue_id : "-",
	    s->client_addr, s->client_port, s->sub.how,
	    smtp2d_log_quote(m->sub->login, l, sizeof(l)),
	    m->sender[0] ? m->sender : "<>", m->rcpt[0] ? m->rcpt : "-", more,
	    action, added[0] ? added : "-",
	    m->sub->sender_rewrite || m->sub->n_rcpt_rewrite ? "envelope" : "-",
	    (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (long)(t1.tv_nsec - t0->tv_nsec) / 1000000);
	milter_requiretls_log(&m->rtls, line, sizeof(line));
	log_info("%s", line);
}

/* requiretls - the REQUIRETLS marking applies to submitted mail as to
 * relayed mail; 0, or -1 (reject) / -2 (defer) with its reply in r */
static int
requiretls(SMFICTX *ctx, const struct session *s, const struct smtp2_conf *conf,
    struct submit_reply *r)
{
	struct smtp2_decision d;

	memset(&d, 0, sizeof(d));
	d.action = SMTP2_ACTION_ACCEPT;
	requiretls_eom(ctx, s, conf, &d);
	if (d.action != SMTP2_ACTION_REJECT && d.action != SMTP2_ACTION_DEFER)
		return 0;
	r->rule = "requiretls";
	r->code = d.code != NULL ? d.code : d.action == SMTP2_ACTION_DEFER ? "451" : "550";
	r->dsn = d.dsn != NULL ? d.dsn : d.action == SMTP2_ACTION_DEFER ? "4.3.0" : "5.6.0";
	snprintf(r->text, sizeof(r->text), "%.*s", (int)sizeof(r->text) - 1, d.text);
	return d.action == SMTP2_ACTION_DEFER ? -2 : -1;
}

/* submission_eom - see submission_act.h */
sfsistat
submission_eom(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf)
{
	struct submit_edits e;
	struct submit_reply r;
	struct timespec t0;
	char why[128];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = milter_submit_eom(s->msg.sub, conf, time(NULL), &e, &r);
	if (rc == 0 && (envelope_edits(ctx, s->msg.sub, why, sizeof(why)) < 0 ||
	    header_edits(ctx, s, &e, why, sizeof(why)) < 0)) {
		log_err("client=%s:%s queue=%s: %s", s->client_addr, s->client_port,
		    s->msg.queue_id[0] ? s->msg.queue_id : "-", why);
		r.code = "451";
		r.dsn = "4.3.0";
		r.rule = "edit";
		snprintf(r.text, sizeof(r.text), "cannot complete the message now, try again later");
		rc = -2;
	}
	if (rc == 0)
		rc = requiretls(ctx, s, conf, &r);
	if (rc == 0) {
		eom_line(s, "accept", e.added, &t0);
		milter_submit_edits_free(&e);
		return SMFIS_CONTINUE;
	}
	milter_submit_edits_free(&e);
	refuse(ctx, s, "eom", s->msg.sender, &r);
	return rc == -2 ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}
