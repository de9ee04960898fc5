/*
 * requiretls_p.c - FILTER answers for messages the requiretls rules
 * mark (docs/requiretls.md, docs/logs.md).
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include <smtp2/requiretls.h>
#include "requiretls_p.h"

#define RTLS_FIELD_MAX	256	/* bytes of one logged value */

/* matches - the sender or the recipient is under a rule */
static bool
matches(const struct smtp2_conf *conf, const char *sender, const char *rcpt)
{
	return conf != NULL && (smtp2_requiretls_sender_matches(conf, sender)
	    || smtp2_requiretls_rcpt_matches(conf, rcpt));
}

/* filter_reply - "action=FILTER t:n" into reply; its length, or 0 when
 * it does not fit (then the caller's reply stands) */
static size_t
filter_reply(const struct smtp2_conf *conf, char *reply, size_t len,
    char *filter, size_t flen)
{
	int n;

	n = smtp2_requiretls_filter(conf, filter, flen);
	if (n < 0 || (size_t)n >= flen) {
		filter[0] = '\0';
		return 0;
	}
	n = snprintf(reply, len, "action=FILTER %s\n\n", filter);
	if (n < 0 || (size_t)n >= len) {
		filter[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* policyd_requiretls_rcpt - FILTER instead of DUNNO for a rule's match */
size_t
policyd_requiretls_rcpt(const struct smtp2_conf *conf,
    const struct smtp2_decision *d, const char *sender, const char *rcpt,
    char *reply, size_t len, size_t n, char *filter, size_t flen)
{
	char	keep[POLICYD_RTLS_FILTER_MAX + 32];
	size_t	k;

	filter[0] = '\0';
	/* Reject and defer stand: routing a refused message is moot. */
	if ((d->action != SMTP2_ACTION_ACCEPT && d->action != SMTP2_ACTION_TAG)
	    || !matches(conf, sender, rcpt) || n >= sizeof(keep))
		return n;
	memcpy(keep, reply, n + 1);
	if ((k = filter_reply(conf, reply, len, filter, flen)) > 0)
		return k;
	log_err("requiretls: FILTER reply does not fit: answering DUNNO");
	memcpy(reply, keep, n + 1);
	return n;
}

/* policyd_requiretls_context - policy_context=smtp2_requiretls */
bool
policyd_requiretls_context(const struct smtp2d_attrs *a)
{
	const char *ctx = smtp2d_attr_get(a, "policy_context");

	return ctx != NULL && strcmp(ctx, POLICYD_RTLS_CONTEXT) == 0;
}

/* token - a client-chosen value made safe for a key=value field */
static const char *
token(const char *s, const char *dflt, char *buf, size_t len)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return dflt;
	if (*s == '<')
		s++;
	for (; s[n] != '\0' && n + 1 < len; n++) {
		unsigned char c = (unsigned char)s[n];

		buf[n] = (c <= 0x20 || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	if (n > 0 && buf[n - 1] == '>')
		n--;
	buf[n] = '\0';
	return n > 0 ? buf : dflt;
}

/* log_filter - the one "requiretls" line per FILTERed recipient */
static void
log_filter(const struct smtp2d_attrs *a, const char *filter)
{
	char	q[5][RTLS_FIELD_MAX];

	log_info("requiretls stage=rcpt queue=%s client=%s:%s sender=%s rcpt=%s"
	    " action=filter filter=%s",
	    token(smtp2d_attr_get(a, "queue_id"), "-", q[0], sizeof(q[0])),
	    token(smtp2d_attr_get(a, "client_address"), "-", q[1], sizeof(q[1])),
	    token(smtp2d_attr_get(a, "client_port"), "-", q[2], sizeof(q[2])),
	    token(smtp2d_attr_get(a, "sender"), "<>", q[3], sizeof(q[3])),
	    token(smtp2d_attr_get(a, "recipient"), "-", q[4], sizeof(q[4])),
	    filter);
}

/* policyd_requiretls_only - the rules alone, for the dedicated service */
size_t
policyd_requiretls_only(const struct smtp2_conf *conf,
    const struct smtp2d_attrs *a, char *reply, size_t len)
{
	const char *state = smtp2d_attr_get(a, "protocol_state");
	char	filter[POLICYD_RTLS_FILTER_MAX];
	size_t	n;

	if (state != NULL && strcmp(state, "RCPT") == 0
	    && matches(conf, smtp2d_attr_get(a, "sender"),
	    smtp2d_attr_get(a, "recipient"))
	    && (n = filter_reply(conf, reply, len, filter, sizeof(filter))) > 0) {
		log_filter(a, filter);
		return n;
	}
	n = (size_t)snprintf(reply, len, "action=DUNNO\n\n");
	return n < len ? n : 0;
}
