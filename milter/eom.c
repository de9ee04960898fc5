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
#include "connstate.h"
#include "verdict.h"

#define STAMP_MAX	1024	/* bytes of one header value we insert */
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

/* decide - the verdict on the From domain and what to do with it */
static void
decide(const struct smtp2_conf *conf, struct smtp2_dns_cache *cache,
    struct session *s, struct smtp2_verdict *v, struct smtp2_decision *d)
{
	char domain[SMTP2_DOMAIN_MAX + 1], why[256];

	/* Forgeries we cannot all delete would survive next to our stamp. */
	if (!milter_headers_forged_complete(&s->msg.headers, why, sizeof(why))) {
		milter_verdict_error(v, SMTP2_RESULT_PERMERROR, NULL, why);
		decision_set(d, SMTP2_ACTION_REJECT, "550", "5.7.1", why);
		return;
	}
	if (milter_headers_from_domain(&s->msg.headers, domain, sizeof(domain),
	    why, sizeof(why)) < 0) {
		milter_verdict_error(v, SMTP2_RESULT_PERMERROR, NULL, why);
	} else if (milter_verdict_get(conf, cache, s, domain, v, why,
	    sizeof(why)) < 0) {
		/* No verdict to be had now: try later, never guess.  The
		 * details (sockets, resolvers) are for the log, not the client. */
		milter_verdict_error(v, SMTP2_RESULT_TEMPERROR, domain, why);
		decision_set(d, SMTP2_ACTION_DEFER, "451", "4.3.0",
		    "cannot verify the sender domain now, try again later");
		return;
	}
	smtp2_decide(conf->policy.mode, v, milter_message_to_postmaster(&s->msg), d);
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

/* insert - one header at the top */
static int
insert(SMFICTX *ctx, const char *field, char *value, char *why, size_t whylen)
{
	char name[32];

	snprintf(name, sizeof(name), "%s", field);
	if (smfi_insheader(ctx, 0, name, value) == MI_SUCCESS)
		return 0;
	snprintf(why, whylen, "cannot insert %s", name);
	return -1;
}

/* stamp - forged headers out, exactly one of each of ours in */
static int
stamp(SMFICTX *ctx, const struct smtp2_conf *conf, const struct session *s,
    const struct smtp2_verdict *v, char *why, size_t whylen)
{
	char ar[STAMP_MAX], xv[STAMP_MAX];
	int n;

	n = smtp2_authres_format(ar, sizeof(ar), conf->policy.authserv_id, v);
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
	    insert(ctx, HEADER_VERIFIED, xv, why, whylen) < 0 ||
	    insert(ctx, HEADER_AUTHRES, ar, why, whylen) < 0)
		return -1;
	return 0;
}

/* act - reply, or stamp; a failed stamp defers rather than half-edit */
static sfsistat
act(SMFICTX *ctx, const struct smtp2_conf *conf, const struct session *s,
    const struct smtp2_verdict *v, struct smtp2_decision *d)
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
	if (stamp(ctx, conf, s, v, why, sizeof(why)) == 0)
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
eom_run(SMFICTX *ctx, struct session *s, const struct smtp2_conf *conf,
    struct smtp2_dns_cache *cache)
{
	struct smtp2_verdict v;
	struct smtp2_decision d;
	struct timespec t0;
	char line[LINE_MAX_LEN];
	sfsistat r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	milter_message_queue_id(&s->msg, smfi_getsymval(ctx, "i"));
	memset(&d, 0, sizeof(d));
	decide(conf, cache, s, &v, &d);
	r = act(ctx, conf, s, &v, &d);
	milter_session_verdict_line(s, &v, conf->policy.mode, d.action, elapsed_ms(&t0),
	    line, sizeof(line));
	log_info("%s", line);
	return r;
}
