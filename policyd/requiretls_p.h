/*
 * requiretls_p.h - smtp2-policyd's part of REQUIRETLS for MTAs without
 * it (docs/requiretls.md): a RCPT whose sender or recipient matches
 * milter.conf's requiretls rules is answered "FILTER transport:" so
 * Postfix sends the whole message through the TLS-enforcing transport.
 *
 * Two places in Postfix may ask:
 *   - the ordinary check_policy_service: the verdict decides first, and
 *     only an accept or tag (DUNNO) becomes FILTER; a reject still wins;
 *   - a check_policy_service with policy_context=smtp2_requiretls, put
 *     before permit_mynetworks so that outbound mail is seen: only the
 *     rules are consulted, no verification, FILTER or DUNNO.
 */
#ifndef POLICYD_REQUIRETLS_P_H
#define POLICYD_REQUIRETLS_P_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Utility library. */
#include "attr.h"

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/decide.h>

#define POLICYD_RTLS_CONTEXT	"smtp2_requiretls"
#define POLICYD_RTLS_FILTER_MAX	256

/*
 * policyd_requiretls_rcpt - after decision d for sender/rcpt was written
 * to reply (n bytes): when d allows the mail and a rule matches, replace
 * the reply by the FILTER action and put its argument in filter (else
 * filter is ""). Returns the reply length.  conf may be NULL (no rules).
 */
size_t policyd_requiretls_rcpt(const struct smtp2_conf *conf,
    const struct smtp2_decision *d, const char *sender, const char *rcpt,
    char *reply, size_t len, size_t n, char *filter, size_t flen);

/* policyd_requiretls_context - does the request come from the
 * policy_context=smtp2_requiretls service? */
bool policyd_requiretls_context(const struct smtp2d_attrs *a);

/*
 * policyd_requiretls_only - answer that service: FILTER at RCPT for a
 * matching sender or recipient (logged as one "requiretls" line), DUNNO
 * for everything else.  Returns the reply length.
 */
size_t policyd_requiretls_only(const struct smtp2_conf *conf,
    const struct smtp2d_attrs *a, char *reply, size_t len);

#endif
