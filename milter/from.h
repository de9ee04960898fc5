/*
 * from.h - the one domain an RFC 5322 From: field speaks for.
 *
 * A From: value is an address list (RFC 5322 3.4, obsolete forms 4.4
 * included): display names, quoted strings that may hold '@' or ',',
 * nested comments, angle brackets with an old source route, groups, and
 * folding.  smtp2 verifies one domain per message, so several mailboxes
 * are allowed only when they all share one domain.
 */
#ifndef SMTP2_MILTER_FROM_H
#define SMTP2_MILTER_FROM_H

#include <stddef.h>

/*
 * milter_from_domain - the domain of every mailbox in value (a From: field value
 * without the name), lower-cased (ASCII only; UTF-8 labels are kept as
 * they are).  Returns 0 with the domain in out, or -1 with a precise
 * reason in why ("From mailboxes in different domains: a.test, b.test",
 * "From header: unterminated quoted string", ...).  out is written only
 * on success; why may be NULL.
 */
int milter_from_domain(const char *value, char *out, size_t outlen,
    char *why, size_t whylen);

#endif
