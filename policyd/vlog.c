/*
 * vlog.c - format the verdict log line.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include <smtp2/metrics.h>
#include <smtp2/record.h>
#include <smtp2/result.h>
#include "vlog.h"

/* field - s made safe for an unquoted key=value field, or dflt if empty */
static const char *
field(const char *s, size_t len, const char *dflt,
    char *buf, size_t buflen)
{
	size_t n = 0;

	if (s == NULL || len == 0)
		return dflt;
	for (; n < len && n + 1 < buflen; n++) {
		unsigned char c = (unsigned char)s[n];

		/* A blank or a quote would let a client forge another field. */
		buf[n] = (c <= 0x20 || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	buf[n] = 0;
	return buf;
}

/* token - field() of a whole string */
static const char *
token(const char *s, const char *dflt, char *buf, size_t buflen)
{
	return field(s, s ? strlen(s) : 0, dflt, buf, buflen);
}

/* address - field() of an envelope address, without its angle brackets,
 * as smtp2-milter logs it */
static const char *
address(const char *s, const char *dflt, char *buf,
    size_t buflen)
{
	size_t len;

	if (s == NULL)
		return dflt;
	if (*s == '<')
		s++;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '>')
		len--;
	return field(s, len, dflt, buf, buflen);
}

/* policyd_vlog - log the verdict line */
void
policyd_vlog(const struct policyd_vlog *l)
{
	char queue[POLICYD_VLOG_FIELD], addr[POLICYD_VLOG_FIELD];
	char port[POLICYD_VLOG_FIELD], sender[POLICYD_VLOG_FIELD];
	char rcpt[POLICYD_VLOG_FIELD], domain[POLICYD_VLOG_FIELD];
	char reason[2 * sizeof(l->v->reason)], filter[POLICYD_VLOG_FIELD];
	const struct smtp2_verdict *v = l->v;

	smtp2_metrics_verdict(SMTP2_METRICS_RCPT, v, l->action, 1, l->ms);
	log_info("verdict stage=%s queue=%s client=%s:%s sender=%s rcpt=%s "
	    "domain=%s result=%s method=%s dnssec=%s record=%s policy=%s "
	    "mode=%s action=%s reason=\"%s\" ms=%ld%s%s",
	    l->stage,
	    token(l->queue, "-", queue, sizeof(queue)),
	    token(l->client_address, "-", addr, sizeof(addr)),
	    token(l->client_port, "-", port, sizeof(port)),
	    address(l->sender, "<>", sender, sizeof(sender)),
	    address(l->rcpt, "-", rcpt, sizeof(rcpt)),
	    token(v->domain, "-", domain, sizeof(domain)),
	    smtp2_result_name(v->result),
	    smtp2_method_name(v->method),
	    smtp2_dnssec_name(v->dnssec),
	    v->has_record ? "yes" : "no",
	    v->has_record ? smtp2_policy_name(v->policy) : "-",
	    smtp2_mode_name(l->mode),
	    smtp2_action_name(l->action),
	    smtp2d_log_quote(v->reason, reason, sizeof(reason)),
	    l->ms,
	    /* requiretls rules matched (docs/requiretls.md): at the end, as
	     * fields are only ever added there. */
	    l->filter != NULL && *l->filter ? " requiretls=rule filter=" : "",
	    l->filter != NULL && *l->filter ? token(l->filter, "-", filter,
	    sizeof(filter)) : "");
}
