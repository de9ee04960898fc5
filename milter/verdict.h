/*
 * verdict.h - the verdict on one message's From domain, from wherever the
 * configuration says the TLS facts are: the milter's own macros
 * (Sendmail), smtp2-policyd (Postfix), or whichever is there ("auto").
 */
#ifndef SMTP2_MILTER_VERDICT_H
#define SMTP2_MILTER_VERDICT_H

#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

#include "connstate.h"

/*
 * milter_verdict_get - verify domain (normalised, non-empty) for session
 * s under its configuration (s->run).  Returns 0 with v filled (whatever
 * its result), or -1 with why when no verdict can be had now: policyd
 * failed or said error, or the resolver cannot be set up.  The caller
 * defers (4xx); it never guesses.  s->dns is taken from the pool on the
 * first local verification.
 */
int milter_verdict_get(struct session *s, const char *domain,
    struct smtp2_verdict *v, char *why, size_t whylen);

/*
 * milter_verdict_resolver - the session's resolver, borrowed from its
 * generation's pool on first use; NULL with why when it cannot be set
 * up.  Owned by s.
 */
struct smtp2_dns *milter_verdict_resolver(struct session *s, char *why,
    size_t whylen);

/* milter_verdict_error - a verdict that rests on no lookup: result r, reason why,
 * domain (may be NULL or ""). */
void milter_verdict_error(struct smtp2_verdict *v, enum smtp2_result r,
    const char *domain, const char *why);

/*
 * milter_reply_text - text fit for smfi_setreply(): control characters become
 * spaces, '%' is doubled (libmilter drops text with a lone '%').
 */
void milter_reply_text(const char *in, char *out, size_t outlen);

#endif
