/*
 * verdict.c - pick the TLS-facts source, ask it, fall back only where the
 * protocol says so.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include "policyq.h"
#include "resolvers.h"
#include "verdict.h"

/* milter_verdict_resolver - see verdict.h */
struct smtp2_dns *
milter_verdict_resolver(struct session *s, char *why, size_t whylen)
{
	/* A pooled resolver carries another message's budget: start afresh. */
	if (s->dns == NULL && (s->dns = milter_resolvers_get(s->run->pool, why,
	    whylen)) != NULL)
		smtp2_dns_budget(s->dns, s->run->conf->dns.max_queries);
	return s->dns;
}

/* verify_local - weigh the macro-derived facts ourselves */
static int
verify_local(struct session *s, const char *domain, struct smtp2_verdict *v,
    char *why, size_t whylen)
{
	struct smtp2_dns *dns;

	if ((dns = milter_verdict_resolver(s, why, whylen)) == NULL)
		return -1;
	smtp2_verify_with(dns, s->run->vopts, domain, &s->tls, v);
	return 0;
}

/* milter_verdict_get - see verdict.h */
int
milter_verdict_get(struct session *s, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen)
{
	const struct smtp2_conf *conf = s->run->conf;
	struct policyq_request rq;
	enum smtp2_tls_source src = conf->milter.tls_source;

	/* auto: Sendmail's {verify} means Sendmail, which has no policyd. */
	if (src == SMTP2_TLS_SOURCE_AUTO)
		src = s->tls_sendmail ? SMTP2_TLS_SOURCE_MACROS
		    : SMTP2_TLS_SOURCE_POLICYD;
	if (src == SMTP2_TLS_SOURCE_MACROS)
		return verify_local(s, domain, v, why, whylen);

	rq.client_address = s->client_addr;
	rq.client_port = s->client_port;
	rq.domain = domain;
	switch (milter_policyq_ask(conf->milter.policyd,
	    conf->milter.policyd_timeout_ms, &rq, v, why, whylen)) {
	case POLICYQ_OK:
		return 0;
	case POLICYQ_UNKNOWN:
		/* No TLS facts at policyd: the connection told it nothing. */
		log_debug("client=%s:%s %s: verifying with the milter macros",
		    s->client_addr, s->client_port, why);
		return verify_local(s, domain, v, why, whylen);
	default:
		return -1;
	}
}

/* milter_verdict_error - see verdict.h */
void
milter_verdict_error(struct smtp2_verdict *v, enum smtp2_result r,
    const char *domain, const char *why)
{
	memset(v, 0, sizeof(*v));
	v->result = r;
	v->method = SMTP2_METHOD_NONE;
	v->dnssec = SMTP2_DNSSEC_UNKNOWN;
	v->has_record = false;
	snprintf(v->domain, sizeof(v->domain), "%s", domain != NULL ? domain : "");
	snprintf(v->reason, sizeof(v->reason), "%s", why);
}

/* milter_reply_text - see verdict.h */
void
milter_reply_text(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	unsigned char c;

	if (outlen == 0)
		return;
	for (; *in != '\0' && n + 2 < outlen; in++) {
		c = (unsigned char)*in;
		if (c == '%')
			out[n++] = '%';
		out[n++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	out[n] = '\0';
}
