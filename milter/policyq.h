/*
 * policyq.h - ask smtp2-policyd for a verdict (docs/policyd-query.md).
 *
 * Under Postfix only the policy service sees the client certificate's
 * fingerprints, so at end of message the milter asks smtp2-policyd,
 * naming the SMTP connection by client address and port.  One connection
 * per query: opened, asked, read and closed inside milter_policyq_ask().
 */
#ifndef SMTP2_MILTER_POLICYQ_H
#define SMTP2_MILTER_POLICYQ_H

#include <stddef.h>

#include <smtp2/verify.h>

enum policyq_status {
	POLICYQ_OK = 0,		/* v holds policyd's verdict */
	POLICYQ_UNKNOWN,	/* policyd knows no TLS facts for that connection */
	POLICYQ_ERROR		/* no usable answer: defer, never guess */
};

struct policyq_request {
	const char	*client_address;
	const char	*client_port;
	const char	*domain;	/* normalised RFC 5322 From domain */
};

/*
 * milter_policyq_ask - connect to spec ("inet:HOST:PORT", "unix:PATH"), ask,
 * read one reply block, all within about timeout_ms per step.  Fills v
 * on POLICYQ_OK; why says what went wrong otherwise (or, for UNKNOWN, why
 * the milter falls back to its own macros).  Never leaks the socket.
 */
enum policyq_status milter_policyq_ask(const char *spec, unsigned timeout_ms,
    const struct policyq_request *rq, struct smtp2_verdict *v,
    char *why, size_t whylen);

/*
 * milter_policyq_parse - the reply block (modified in place) as sent by policyd.
 * Every field must be present and valid; anything else is POLICYQ_ERROR
 * with the bad field named.  v->domain is set to domain.
 */
enum policyq_status milter_policyq_parse(char *block, size_t len, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen);

/*
 * milter_policyq_format - the request block into buf.  Returns its length, or
 * -1 with why when a value is empty, holds a byte that would break the
 * framing (control characters), or does not fit.
 */
int milter_policyq_format(char *buf, size_t len, const struct policyq_request *rq,
    char *why, size_t whylen);

#endif
