/*
 * query.c - answer smtp2-milter's request=smtp2_verify
 * (docs/policyd-query.md): the verdict on a domain for the TLS facts
 * Postfix told us about one SMTP connection.
 *
 * Every reply carries every field, "-" where there is no value, so the
 * milter never has to guess whether a field was forgotten.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include <smtp2/record.h>
#include <smtp2/result.h>
#include "request.h"
#include "session.h"

/* dash - s, or "-" when it is empty */
static const char *
dash(const char *s)
{
	return s != NULL && *s != 0 ? s : "-";
}

/* query_format - the reply block; v is NULL when there is no verdict */
static size_t
query_format(const char *status, const struct smtp2_verdict *v,
    const char *tls, const char *reason, char *reply, size_t len)
{
	char text[256], proto[64];
	int n;

	n = snprintf(reply, len, "status=%s\nresult=%s\nmethod=%s\ndnssec=%s\n"
	    "record=%s\npolicy=%s\nreason=%s\ntls=%s\n\n", status,
	    v ? smtp2_result_name(v->result) : "-",
	    v ? smtp2_method_name(v->method) : "-",
	    v ? smtp2_dnssec_name(v->dnssec) : "-",
	    v ? (v->has_record ? "yes" : "no") : "-",
	    v && v->has_record ? smtp2_policy_name(v->policy) : "-",
	    dash(policyd_reply_text(reason, text, sizeof(text))),
	    dash(policyd_reply_text(tls, proto, sizeof(proto))));
	if (n < 0 || (size_t)n >= len) {
		/* Cannot happen with POLICYD_REPLY_MAX: every field is bounded. */
		log_err("smtp2_verify reply does not fit in %zu bytes", len);
		n = snprintf(reply, len, "status=error\nresult=-\nmethod=-\n"
		    "dnssec=-\nrecord=-\npolicy=-\nreason=internal error\ntls=-\n\n");
	}
	return (size_t)n;
}

/* policyd_query_error - status=error: the milter defers the message */
size_t
policyd_query_error(const char *reason, char *reply, size_t len)
{
	return query_format("error", NULL, NULL, reason, reply, len);
}

/* missing - error reply for an absent attribute */
static size_t
missing(const char *name, char *reply, size_t len)
{
	char why[64];

	snprintf(why, sizeof(why), "missing %s", name);
	log_warn("smtp2_verify request: %s", why);
	return policyd_query_error(why, reply, len);
}

/* policyd_query_reply - answer one smtp2_verify request */
size_t
policyd_query_reply(struct policyd_conn *c,
    const struct smtp2d_attrs *a, char *reply, size_t len)
{
	const char *addr = smtp2d_attr_get(a, "client_address");
	const char *port = smtp2d_attr_get(a, "client_port");
	const char *domain = smtp2d_attr_get(a, "domain");
	struct smtp2_tls_facts f;
	struct smtp2_verdict v;
	char why[256], q[2][POLICYD_ADDR_MAX * 2];

	if (addr == NULL || *addr == 0)
		return missing("client_address", reply, len);
	if (port == NULL || *port == 0)
		return missing("client_port", reply, len);
	if (domain == NULL || *domain == 0)
		return missing("domain", reply, len);
	smtp2d_log_quote(addr, q[0], sizeof(q[0]));
	smtp2d_log_quote(port, q[1], sizeof(q[1]));
	if (!policyd_session_get(c->ctx->sessions, addr, port, &f,
	    policyd_session_clock())) {
		log_debug("smtp2_verify client=%s:%s: no TLS facts known", q[0], q[1]);
		return query_format("unknown", NULL, NULL,
		    "no TLS facts known for this connection", reply, len);
	}
	if (policyd_conn_verdict(c, addr, port, &f, domain, &v, why,
	    sizeof(why)) < 0) {
		log_err("smtp2_verify client=%s:%s: %s", q[0], q[1], why);
		return policyd_query_error(why, reply, len);
	}
	log_debug("smtp2_verify client=%s:%s domain=%s result=%s", q[0], q[1],
	    dash(v.domain), smtp2_result_name(v.result));
	return query_format("ok", &v, f.protocol, v.reason, reply, len);
}
