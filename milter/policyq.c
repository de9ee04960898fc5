/*
 * policyq.c - the client side of the smtp2_verify query to smtp2-policyd.
 */

/* System library. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Library. */
#include <smtp2/record.h>
#include <smtp2/result.h>
#include <smtp2/verify.h>

/* Utility library. */
#include "attr.h"
#include "log.h"
#include "net.h"

/* Application-specific. */
#include "policyq.h"

#define REQUEST_MAX	1024

/* safe_value - may this text go on a name=value line? */
static bool
safe_value(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* milter_policyq_format - see policyq.h */
int
milter_policyq_format(char *buf, size_t len, const struct policyq_request *rq,
    char *why, size_t whylen)
{
	int n;

	if (!safe_value(rq->client_address) || !safe_value(rq->client_port) ||
	    !safe_value(rq->domain)) {
		snprintf(why, whylen, "policyd query: empty or unsafe client "
		    "address, port or domain");
		return -1;
	}
	n = snprintf(buf, len, "request=smtp2_verify\nclient_address=%s\n"
	    "client_port=%s\ndomain=%s\n\n", rq->client_address,
	    rq->client_port, rq->domain);
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, whylen, "policyd query: request too long");
		return -1;
	}
	return n;
}

/* field - a reply field that must be present */
static const char *
field(const struct smtp2d_attrs *a, const char *name, char *why, size_t whylen)
{
	const char *value = smtp2d_attr_get(a, name);

	if (value == NULL)
		snprintf(why, whylen, "policyd reply without %s", name);
	return value;
}

/* bad_field - say which field holds what nonsense; returns POLICYQ_ERROR */
static enum policyq_status
bad_field(const char *name, const char *value, char *why, size_t whylen)
{
	char quoted[64];

	snprintf(why, whylen, "policyd reply: bad %s \"%s\"", name,
	    smtp2d_log_quote(value, quoted, sizeof(quoted)));
	return POLICYQ_ERROR;
}

/* parse_policy - "-" or a policy name; "-" only makes sense without record */
static int
parse_policy(const char *text, bool has_record, enum smtp2_policy *p)
{
	if (strcmp(text, "-") == 0 && !has_record) {
		*p = SMTP2_POLICY_NONE;
		return 0;
	}
	return smtp2_policy_parse(text, p);
}

/* parse_verdict - the fields of a status=ok reply */
static enum policyq_status
parse_verdict(const struct smtp2d_attrs *a, struct smtp2_verdict *v,
    char *why, size_t whylen)
{
	const char *result, *method, *dnssec, *record, *policy, *reason;

	if ((result = field(a, "result", why, whylen)) == NULL ||
	    (method = field(a, "method", why, whylen)) == NULL ||
	    (dnssec = field(a, "dnssec", why, whylen)) == NULL ||
	    (record = field(a, "record", why, whylen)) == NULL ||
	    (policy = field(a, "policy", why, whylen)) == NULL ||
	    (reason = field(a, "reason", why, whylen)) == NULL)
		return POLICYQ_ERROR;
	if (smtp2_result_parse(result, &v->result) < 0)
		return bad_field("result", result, why, whylen);
	if (smtp2_method_parse(method, &v->method) < 0)
		return bad_field("method", method, why, whylen);
	/* A pass that names no method is not a proof. */
	if (v->result == SMTP2_RESULT_PASS && v->method == SMTP2_METHOD_NONE)
		return bad_field("method for pass", method, why, whylen);
	if (smtp2_dnssec_parse(dnssec, &v->dnssec) < 0)
		return bad_field("dnssec", dnssec, why, whylen);
	if (strcmp(record, "yes") != 0 && strcmp(record, "no") != 0)
		return bad_field("record", record, why, whylen);
	v->has_record = strcmp(record, "yes") == 0;
	if (parse_policy(policy, v->has_record, &v->policy) < 0)
		return bad_field("policy", policy, why, whylen);
	snprintf(v->reason, sizeof(v->reason), "%s", reason);
	return POLICYQ_OK;
}

/* milter_policyq_parse - see policyq.h */
enum policyq_status
milter_policyq_parse(char *block, size_t len, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen)
{
	struct smtp2d_attrs a;
	const char *status, *reason;
	char pwhy[160];

	if (smtp2d_attr_parse(block, len, &a, pwhy, sizeof(pwhy)) < 0) {
		snprintf(why, whylen, "policyd reply: %s", pwhy);
		return POLICYQ_ERROR;
	}
	if ((status = field(&a, "status", why, whylen)) == NULL)
		return POLICYQ_ERROR;
	reason = smtp2d_attr_get(&a, "reason");
	if (reason == NULL || *reason == '\0')
		reason = "no reason given";
	if (strcmp(status, "error") == 0) {
		snprintf(why, whylen, "policyd: %s", reason);
		return POLICYQ_ERROR;
	}
	if (strcmp(status, "unknown") == 0) {
		snprintf(why, whylen, "policyd has no TLS facts for this connection");
		return POLICYQ_UNKNOWN;
	}
	if (strcmp(status, "ok") != 0)
		return bad_field("status", status, why, whylen);
	memset(v, 0, sizeof(*v));
	snprintf(v->domain, sizeof(v->domain), "%s", domain);
	return parse_verdict(&a, v, why, whylen);
}

/* exchange - write the request on fd and read the reply block */
static enum policyq_status
exchange(int fd, unsigned timeout_ms, const char *req, size_t reqlen,
    const char *domain, struct smtp2_verdict *v, char *why, size_t whylen)
{
	struct smtp2d_reader *rd;
	enum policyq_status st = POLICYQ_ERROR;
	char *block;
	size_t len;
	int r;

	if (smtp2d_write_all(fd, req, reqlen) < 0) {
		snprintf(why, whylen, "policyd: write: %s", strerror(errno));
		return POLICYQ_ERROR;
	}
	/* The reader holds a whole block: too big for a milter thread's stack. */
	if ((rd = malloc(sizeof(*rd))) == NULL) {
		snprintf(why, whylen, "policyd: out of memory");
		return POLICYQ_ERROR;
	}
	smtp2d_reader_init(rd, fd, timeout_ms, SMTP2D_BLOCK_MAX);
	r = smtp2d_reader_next(rd, &block, &len);
	if (r == 1)
		st = milter_policyq_parse(block, len, domain, v, why, whylen);
	else if (r == 0)
		snprintf(why, whylen, "policyd closed the connection without a reply");
	else if (r == -2)
		snprintf(why, whylen, "policyd reply longer than %d bytes",
		    SMTP2D_BLOCK_MAX);
	else
		snprintf(why, whylen, "policyd: no reply within %u ms: %s",
		    timeout_ms, strerror(errno));
	smtp2d_reader_clear(rd);
	free(rd);
	return st;
}

/* milter_policyq_ask - see policyq.h */
enum policyq_status
milter_policyq_ask(const char *spec, unsigned timeout_ms,
    const struct policyq_request *rq, struct smtp2_verdict *v,
    char *why, size_t whylen)
{
	char req[REQUEST_MAX], cwhy[160];
	enum policyq_status st;
	int fd, n;

	if (spec == NULL || *spec == '\0') {
		snprintf(why, whylen, "policyd: no socket configured (milter.policyd)");
		return POLICYQ_ERROR;
	}
	if ((n = milter_policyq_format(req, sizeof(req), rq, why, whylen)) < 0)
		return POLICYQ_ERROR;
	if ((fd = smtp2d_connect(spec, timeout_ms, cwhy, sizeof(cwhy))) < 0) {
		snprintf(why, whylen, "policyd: %s", cwhy);
		return POLICYQ_ERROR;
	}
	st = exchange(fd, timeout_ms, req, (size_t)n, rq->domain, v, why, whylen);
	close(fd);
	return st;
}
