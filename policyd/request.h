/*
 * request.h - one policy request in, one reply out.
 *
 * Two kinds of request arrive on smtp2-policyd's sockets, both in
 * Postfix's name=value framing:
 *
 *   request=smtpd_access_policy   from Postfix (SMTPD_POLICY_README):
 *       the TLS facts are stored for the connection on every request; a
 *       decision is made at protocol_state=RCPT only.
 *   request=smtp2_verify          from smtp2-milter (docs/policyd-query.md)
 *
 * Replies are complete blocks ending in an empty line, ready for one
 * write(2).  Bad requests get a 4xx answer, never an accept.
 */
#ifndef POLICYD_REQUEST_H
#define POLICYD_REQUEST_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Utility library. */
#include "attr.h"

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/decide.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>
#include "session.h"

#define POLICYD_REPLY_MAX	1024	/* a reply always fits in this */

/* The reply to a block larger than policyd.max_request; close after it. */
#define POLICYD_REPLY_TOO_LARGE \
	"action=450 4.7.0 smtp2-policyd: request too large\n\n"

/* Same signature as smtp2_verify_with(); tests and fuzzers substitute theirs. */
typedef void policyd_verify_fn(struct smtp2_dns *dns,
    const struct smtp2_verify_opts *o, const char *domain,
    const struct smtp2_tls_facts *tls, struct smtp2_verdict *v);

/* What every connection shares; read-only once serving starts. */
struct policyd_ctx {
	enum smtp2_mode	mode;		/* policy.mode */
	struct smtp2_dns_opts dns;	/* for per-connection resolvers; .cache shared */
	struct policyd_sessions *sessions;
	policyd_verify_fn *verify;	/* smtp2_verify_with */
	const struct smtp2_verify_opts *vopts;	/* dnssec, per-domain CAs */
	struct smtp2_verify_setup *setup;	/* owns what vopts points to */
	const struct smtp2_conf *conf;	/* requiretls rules; NULL: none */
};

/* One client connection's state.  Owned by one thread. */
struct policyd_conn {
	const struct policyd_ctx *ctx;
	struct smtp2_dns *dns;		/* created on first use */
	bool		warned_digest;	/* non-SHA-256 fingerprints reported */
};

void policyd_conn_init(struct policyd_conn *c, const struct policyd_ctx *ctx);

/* policyd_conn_clear - free what the connection created (its resolver). */
void policyd_conn_clear(struct policyd_conn *c);

/*
 * policyd_request_block - parse one raw block (modified in place) and
 * answer it.  A block that does not parse gets a 4xx reply in the
 * protocol its sender speaks.  Returns the reply length; reply is NUL
 * terminated.  replylen must be at least POLICYD_REPLY_MAX.
 */
size_t policyd_request_block(struct policyd_conn *c, char *buf, size_t len,
    char *reply, size_t replylen);

/* policyd_request_attrs - answer an already parsed request (as above). */
size_t policyd_request_attrs(struct policyd_conn *c,
    const struct smtp2d_attrs *a, char *reply, size_t replylen);

/*
 * The pieces behind policyd_request_attrs, for request.c and query.c.
 */

/* policyd_conn_verdict - verdict for domain (normalised) under facts f
 * of client addr/port, from the session's memo when possible.  Returns 0,
 * or -1 with why when no resolver could be made. */
int policyd_conn_verdict(struct policyd_conn *c, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen);

/* policyd_query_reply - answer request=smtp2_verify. */
size_t policyd_query_reply(struct policyd_conn *c,
    const struct smtp2d_attrs *a, char *reply, size_t replylen);

/* policyd_query_error - status=error reply with reason. */
size_t policyd_query_error(const char *reason, char *reply, size_t replylen);

/* policyd_reply_text - copy s into out fit for a one-line reply value:
 * control characters become '?', length is capped by outlen. */
const char *policyd_reply_text(const char *s, char *out, size_t outlen);

#endif
