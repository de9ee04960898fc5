/*
 * request.c - dispatch policy requests and answer Postfix's
 * smtpd_access_policy requests.
 *
 * Every Postfix request refreshes the connection's TLS facts in the
 * session table (smtp2-milter asks for them later); only RCPT decides.
 * Accept and tag both answer DUNNO: the milter stamps the headers, and
 * DUNNO lets Postfix's other restrictions still have their say.
 */

/* System library. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include "facts.h"
#include "request.h"
#include "requiretls_p.h"
#include "session.h"
#include "vlog.h"

#define POSTFIX_REQUEST	"smtpd_access_policy"
#define QUERY_REQUEST	"smtp2_verify"

/* policyd_conn_init - a fresh connection; the resolver comes on demand */
void
policyd_conn_init(struct policyd_conn *c, const struct policyd_ctx *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
}

/* policyd_conn_clear - free the connection's resolver */
void
policyd_conn_clear(struct policyd_conn *c)
{
	smtp2_dns_free(c->dns);
	c->dns = NULL;
}

/* conn_dns - the connection's own resolver: getdns contexts are not
 * thread-safe, so each connection thread makes one, on first need */
static struct smtp2_dns *
conn_dns(struct policyd_conn *c, char *why, size_t whylen)
{
	char err[160];

	if (c->dns == NULL && (c->dns = smtp2_dns_new(&c->ctx->dns, err,
	    sizeof(err))) == NULL)
		snprintf(why, whylen, "cannot create resolver: %s", err);
	return c->dns;
}

/* policyd_conn_verdict - memoised or fresh verdict for domain */
int
policyd_conn_verdict(struct policyd_conn *c, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen)
{
	struct policyd_sessions *t = c->ctx->sessions;
	char key[SMTP2_DOMAIN_MAX + 1];
	/* A name that does not normalise is verified as is (permerror) and
	 * never memoised. */
	int memo = smtp2_domain_normalise(domain, key, sizeof(key)) == 0;

	if (memo && policyd_session_memo_get(t, addr, port, key, v,
	    policyd_session_clock()))
		return 0;
	if (conn_dns(c, why, whylen) == NULL)
		return -1;
	/* One decision, one budget (dns.max_queries): past it, a temperror. */
	smtp2_dns_budget(c->dns, c->ctx->conf != NULL ?
	    c->ctx->conf->dns.max_queries : 0);
	c->ctx->verify(c->dns, c->ctx->vopts, memo ? key : domain, f, v);
	if (memo)
		policyd_session_memo_put(t, addr, port, f, key, v,
		    policyd_session_clock());
	return 0;
}

/* policyd_reply_text - s made fit for a one-line reply value */
const char *
policyd_reply_text(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; s && *s && n + 1 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = 0;
	return out;
}

/* finish - the length of a formatted reply; a reply that did not fit
 * (a bug: every piece is bounded) becomes a defer, never a cut block */
static size_t
finish(int n, char *reply, size_t len)
{
	static const char fallback[] =
	    "action=DEFER_IF_PERMIT smtp2-policyd: internal error\n\n";

	if (n >= 0 && (size_t)n < len)
		return (size_t)n;
	log_err("reply does not fit in %zu bytes", len);
	snprintf(reply, len, "%s", fallback);
	return strlen(reply);
}

/* postfix_error - 4xx answer to a Postfix request we cannot handle */
static size_t
postfix_error(const char *reason, char *reply, size_t len)
{
	char text[256];

	return finish(snprintf(reply, len,
	    "action=DEFER_IF_PERMIT smtp2-policyd: %s\n\n",
	    policyd_reply_text(reason, text, sizeof(text))), reply, len);
}

/* elapsed_ms - milliseconds since *t0 */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000L +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* to_postmaster - is rcpt's local part "postmaster" (RFC 5321 4.5.1)? */
static bool
to_postmaster(const char *rcpt)
{
	const char *at;
	size_t n;

	if (rcpt == NULL)
		return false;
	if (*rcpt == '<')
		rcpt++;
	n = (at = strrchr(rcpt, '@')) != NULL ? (size_t)(at - rcpt) :
	    strcspn(rcpt, ">");
	return n == 10 && strncasecmp(rcpt, "postmaster", n) == 0;
}

/* verdict_none - a verdict with nothing to verify */
static void
verdict_none(struct smtp2_verdict *v, const char *reason)
{
	memset(v, 0, sizeof(*v));
	v->result = SMTP2_RESULT_NONE;
	snprintf(v->reason, sizeof(v->reason), "%s", reason);
}

/* sender_verdict - verdict on the envelope sender's domain */
static int
sender_verdict(struct policyd_conn *c, const struct smtp2d_attrs *a,
    const struct smtp2_tls_facts *f, struct smtp2_verdict *v,
    char *why, size_t whylen)
{
	const char *sender = smtp2d_attr_get(a, "sender"), *helo;
	char domain[SMTP2_DOMAIN_MAX + 1] = "";

	if (sender != NULL && *sender != 0 &&
	    smtp2_domain_from_address(sender, domain, sizeof(domain)) < 0) {
		verdict_none(v, "sender address has no domain");
		return 0;
	}
	/*
	 * A bounce (MAIL FROM:<>) names no domain; the server sending it
	 * names itself in HELO, and that name is what it can prove, as SPF
	 * checks the HELO identity for the null sender (RFC 7208 2.4).
	 */
	if (sender == NULL || *sender == 0 || *domain == 0) {
		helo = smtp2d_attr_get(a, "helo_name");
		if (helo == NULL || smtp2_domain_normalise(helo, domain,
		    sizeof(domain)) < 0) {
			verdict_none(v, "null sender, no usable HELO name");
			return 0;
		}
	}
	return policyd_conn_verdict(c, smtp2d_attr_get(a, "client_address"),
	    smtp2d_attr_get(a, "client_port"), f, domain, v, why, whylen);
}

/* decision_reply - the Postfix action for decision d on verdict v */
static size_t
decision_reply(const struct smtp2_decision *d,
    const struct smtp2_verdict *v, char *reply, size_t len)
{
	char text[sizeof(d->text)];
	bool reject = d->action == SMTP2_ACTION_REJECT;

	switch (d->action) {
	case SMTP2_ACTION_ACCEPT:
	case SMTP2_ACTION_TAG:
		return finish(snprintf(reply, len, "action=DUNNO\n\n"), reply, len);
	case SMTP2_ACTION_REJECT:
	case SMTP2_ACTION_DEFER:
		policyd_reply_text(d->text[0] ? d->text : v->reason, text,
		    sizeof(text));
		return finish(snprintf(reply, len, "action=%s %s %s\n\n",
		    d->code ? d->code : reject ? "550" : "450",
		    d->dsn ? d->dsn : reject ? "5.7.1" : "4.7.0",
		    text[0] ? text : "smtp2 verification"), reply, len);
	}
	log_err("unknown decision %d", (int)d->action);
	return postfix_error("internal error", reply, len);
}

/* rcpt_decision - verify, decide, answer and log one RCPT */
static size_t
rcpt_decision(struct policyd_conn *c, const struct smtp2d_attrs *a,
    const struct smtp2_tls_facts *f, char *reply, size_t len)
{
	struct smtp2_verdict v;
	struct smtp2_decision d;
	struct policyd_vlog l = {
		.stage = "rcpt",
		.queue = smtp2d_attr_get(a, "queue_id"),
		.client_address = smtp2d_attr_get(a, "client_address"),
		.client_port = smtp2d_attr_get(a, "client_port"),
		.sender = smtp2d_attr_get(a, "sender"),
		.rcpt = smtp2d_attr_get(a, "recipient"),
		.mode = c->ctx->mode,
		.v = &v,
	};
	struct timespec t0;
	char why[256], q[512], filter[POLICYD_RTLS_FILTER_MAX];
	size_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sender_verdict(c, a, f, &v, why, sizeof(why)) < 0) {
		log_err("client=%s:%s sender=\"%s\": %s",
		    l.client_address ? l.client_address : "-",
		    l.client_port ? l.client_port : "-",
		    smtp2d_log_quote(l.sender ? l.sender : "", q, sizeof(q)), why);
		/* Postfix shows the text to the SMTP client: no internals. */
		return postfix_error("verification unavailable, try again later",
		    reply, len);
	}
	smtp2_decide(l.mode, &v, to_postmaster(l.rcpt), &d);
	n = decision_reply(&d, &v, reply, len);
	n = policyd_requiretls_rcpt(c->ctx->conf, &d, l.sender, l.rcpt, reply,
	    len, n, filter, sizeof(filter));
	l.filter = filter;
	l.action = d.action;
	l.ms = elapsed_ms(&t0);
	policyd_vlog(&l);
	return n;
}

/* access_policy - answer request=smtpd_access_policy */
static size_t
access_policy(struct policyd_conn *c, const struct smtp2d_attrs *a,
    char *reply, size_t len)
{
	const char *addr = smtp2d_attr_get(a, "client_address");
	const char *port = smtp2d_attr_get(a, "client_port");
	const char *state = smtp2d_attr_get(a, "protocol_state");
	struct smtp2_tls_facts f;
	bool other_digest;
	char why[256], q[2][160];

	if (policyd_facts_from_attrs(a, &f, &other_digest, why, sizeof(why)) < 0) {
		log_warn("client=\"%s\":\"%s\": %s",
		    smtp2d_log_quote(addr ? addr : "", q[0], sizeof(q[0])),
		    smtp2d_log_quote(port ? port : "", q[1], sizeof(q[1])), why);
		return postfix_error(why, reply, len);
	}
	if (other_digest && !c->warned_digest) {
		log_warn("client certificate fingerprints are not SHA-256: no pin "
		    "can match; set smtpd_tls_fingerprint_digest = sha256 in main.cf");
		c->warned_digest = true;
	}
	if (policyd_session_put(c->ctx->sessions, addr, port, &f,
	    policyd_session_clock()) < 0)
		log_warn("cannot remember TLS facts of client \"%s\":\"%s\" "
		    "(missing or oversized address or port, or out of memory)",
		    smtp2d_log_quote(addr ? addr : "", q[0], sizeof(q[0])),
		    smtp2d_log_quote(port ? port : "", q[1], sizeof(q[1])));
	if (policyd_requiretls_context(a))
		return policyd_requiretls_only(c->ctx->conf, a, reply, len);
	if (state == NULL || strcmp(state, "RCPT") != 0)
		return finish(snprintf(reply, len, "action=DUNNO\n\n"), reply, len);
	return rcpt_decision(c, a, &f, reply, len);
}

/* policyd_request_attrs - dispatch on the request attribute */
size_t
policyd_request_attrs(struct policyd_conn *c,
    const struct smtp2d_attrs *a, char *reply, size_t len)
{
	const char *req = smtp2d_attr_get(a, "request");
	char q[160], why[256];

	if (req == NULL) {
		log_warn("request without a request attribute");
		return postfix_error("missing request attribute", reply, len);
	}
	if (strcmp(req, POSTFIX_REQUEST) == 0)
		return access_policy(c, a, reply, len);
	if (strcmp(req, QUERY_REQUEST) == 0)
		return policyd_query_reply(c, a, reply, len);
	smtp2d_log_quote(req, q, sizeof(q));
	log_warn("unknown request type \"%s\"", q);
	snprintf(why, sizeof(why), "unknown request type \"%s\"", q);
	return postfix_error(why, reply, len);
}

/* block_is_query - does a raw block come from smtp2-milter?  Only used
 * to answer an unparsable block in the protocol its sender reads; the
 * milter always sends the request attribute first */
static bool
block_is_query(const char *buf, size_t len)
{
	static const char first[] = "request=" QUERY_REQUEST;
	size_t n = sizeof(first) - 1;

	return len > n && memcmp(buf, first, n) == 0 &&
	    (buf[n] == '\n' || buf[n] == '\r');
}

/* policyd_request_block - parse and answer one raw block */
size_t
policyd_request_block(struct policyd_conn *c, char *buf, size_t len,
    char *reply, size_t replylen)
{
	struct smtp2d_attrs a;
	char why[256], msg[300];
	bool query = block_is_query(buf, len);

	if (smtp2d_attr_parse(buf, len, &a, why, sizeof(why)) < 0) {
		log_warn("malformed request: %s", why);
		snprintf(msg, sizeof(msg), "malformed request: %s", why);
		return query ? policyd_query_error(msg, reply, replylen) :
		    postfix_error(msg, reply, replylen);
	}
	return policyd_request_attrs(c, &a, reply, replylen);
}
