/*
 * facts.h - a Postfix policy request's TLS attributes as struct
 * smtp2_tls_facts.
 *
 * Postfix sends ccert_fingerprint and ccert_pubkey_fingerprint whenever
 * the client presented a certificate, trusted or not, and ccert_subject
 * (the CommonName, xtext-encoded) only when the chain verified against
 * smtpd_tls_CAfile: a non-empty subject therefore means "trusted".
 */
#ifndef POLICYD_FACTS_H
#define POLICYD_FACTS_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Application-specific. */
#include <smtp2/tls.h>
#include "attr.h"

/*
 * policyd_facts_from_attrs - fill f from ccert_fingerprint,
 * ccert_pubkey_fingerprint, ccert_subject, encryption_protocol and
 * encryption_cipher.  *other_digest is set when a fingerprint is present
 * but is not SHA-256 (smtpd_tls_fingerprint_digest is md5 or sha1): the
 * certificate then counts as presented, but no pin can match it.
 * Returns 0, or -1 with the reason in why when an attribute is malformed.
 */
int policyd_facts_from_attrs(const struct smtp2d_attrs *a,
    struct smtp2_tls_facts *f, bool *other_digest, char *why, size_t whylen);

/*
 * policyd_xtext_decode - RFC 3461 xtext ("+XX" escapes) into out, NUL
 * terminated.  Returns the decoded length, or -1 when an escape is
 * malformed, the text holds a control character (raw or decoded: it would
 * end up in logs and headers) or does not fit in outlen.
 */
int policyd_xtext_decode(const char *in, char *out, size_t outlen);

#endif
