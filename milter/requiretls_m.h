/*
 * requiretls_m.h - what smtp2-milter knows of one message's REQUIRETLS
 * state (docs/requiretls.md): the MAIL parameter (Postfix 3.11 and later
 * pass it on), the milter.conf rule set, and the TLS-Required header.
 *
 * Knows nothing of libmilter: requiretls_smfi.c does the replies and the
 * header edits, so unit tests drive exactly this code.
 */
#ifndef SMTP2_MILTER_REQUIRETLS_M_H
#define SMTP2_MILTER_REQUIRETLS_M_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/decide.h>
#include <smtp2/requiretls.h>

#define HEADER_REQUIRETLS	"X-SMTP2-RequireTLS"
#define RTLS_STAMPS_MAX		16	/* forged copies we can delete */

/* The reply to REQUIRETLS outside TLS: 530 as for "STARTTLS first"
 * (RFC 3207), 5.7.10 "Encryption needed" (RFC 5248, RFC 8689 5). */
#define RTLS_NOTLS_CODE		"530"
#define RTLS_NOTLS_DSN		"5.7.10"
#define RTLS_NOTLS_TEXT		"REQUIRETLS needs a TLS session: use STARTTLS first"

struct requiretls_msg {
	bool	mail_param;		/* REQUIRETLS on MAIL FROM */
	bool	rule;			/* sender or a recipient matched a rule */
	struct smtp2_rtls_headers hdrs;
	unsigned n_stamps;		/* incoming X-SMTP2-RequireTLS: all forged */
};

/* Why requiretls wants the message, for the log and our header. */
enum requiretls_source {
	RTLS_SOURCE_NONE = 0,
	RTLS_SOURCE_RULE,
	RTLS_SOURCE_MAIL_PARAM
};

void milter_requiretls_reset(struct requiretls_msg *m);

/*
 * milter_requiretls_envfrom - a new MAIL command: argv as libmilter hands
 * it (argv[0] the sender, then the ESMTP parameters, NULL last); tls
 * says whether the session is encrypted.  Returns 0, or -1 when
 * REQUIRETLS came outside TLS and must be refused (RTLS_NOTLS_*).
 */
int milter_requiretls_envfrom(struct requiretls_msg *m,
    const struct smtp2_conf *c, char *const *argv, bool tls);

/* milter_requiretls_rcpt - one RCPT TO argument. */
void milter_requiretls_rcpt(struct requiretls_msg *m,
    const struct smtp2_conf *c, const char *rcpt);

/* milter_requiretls_header - one header field (value may be NULL). */
void milter_requiretls_header(struct requiretls_msg *m, const char *name,
    const char *value);

enum requiretls_source milter_requiretls_source(const struct requiretls_msg *m);

/* "-", "rule", "mail-param" */
const char *milter_requiretls_source_name(enum requiretls_source s);

/*
 * milter_requiretls_decide - with requiretls.multiple = "reject", a
 * message the verdict accepts but that carries more than one field of
 * one spelling is refused 550 5.6.0.  The header is ignored altogether
 * when the MAIL parameter was given (RFC 8689 4.1).  d is left alone
 * otherwise.
 */
void milter_requiretls_decide(const struct requiretls_msg *m,
    const struct smtp2_conf *c, struct smtp2_decision *d);

/*
 * milter_requiretls_stamp - the X-SMTP2-RequireTLS value to insert, e.g.
 * "yes; by=rule; tls-required=no".  Returns 0 when there is nothing to
 * say (no requirement, no header field), else what snprintf returns.
 */
int milter_requiretls_stamp(const struct requiretls_msg *m, char *buf,
    size_t len);

/*
 * milter_requiretls_log - append " requiretls=S tls_required=H" to the
 * verdict line in buf (NUL-terminated, len bytes in all) when there is
 * something to say; a line without room is left as it is.
 */
void milter_requiretls_log(const struct requiretls_msg *m, char *buf, size_t len);

#endif
