/*
 * smtp2/requiretls.h - REQUIRETLS (RFC 8689): the TLS-Required header
 * field, the REQUIRETLS MAIL parameter, and milter.conf's requiretls rule
 * set that marks messages as needing verified TLS where the MTA has no
 * REQUIRETLS of its own (docs/requiretls.md).
 *
 * Everything here is a pure function of its arguments: no I/O, no
 * allocation, no globals.  Header values come from strangers and are read
 * within the length given, NUL bytes included.
 */
#ifndef SMTP2_REQUIRETLS_H
#define SMTP2_REQUIRETLS_H

#include <stdbool.h>
#include <stddef.h>

struct smtp2_conf;

/* Which spelling of the header field a name is. */
enum smtp2_rtls_field {
	SMTP2_RTLS_FIELD_OTHER = 0,	/* not ours */
	SMTP2_RTLS_FIELD_RFC,		/* TLS-Required (RFC 8689 section 3) */
	SMTP2_RTLS_FIELD_DRAFT		/* RequireTLS (drafts -02..-07), Require-TLS (-01) */
};

/* What a message's header says, all spellings taken together. */
enum smtp2_rtls_header {
	SMTP2_RTLS_HDR_NONE = 0,	/* no such field */
	SMTP2_RTLS_HDR_NO,		/* exactly one TLS-Required: No */
	SMTP2_RTLS_HDR_DRAFT_NO,	/* no TLS-Required, one RequireTLS: NO */
	SMTP2_RTLS_HDR_INVALID,		/* one field whose value is not "No" */
	SMTP2_RTLS_HDR_MULTIPLE		/* a spelling seen more than once */
};

/* How milter.conf's requiretls.multiple treats SMTP2_RTLS_HDR_MULTIPLE. */
enum smtp2_rtls_multiple {
	SMTP2_RTLS_MULTIPLE_FLAG = 0,	/* record it, ignore the fields */
	SMTP2_RTLS_MULTIPLE_REJECT	/* refuse the message, 550 5.6.0 */
};

/* Header bookkeeping for one message; bounded, never fails. */
struct smtp2_rtls_headers {
	unsigned	n_rfc;		/* TLS-Required fields seen */
	unsigned	n_draft;	/* RequireTLS / Require-TLS fields seen */
	bool		rfc_no;		/* the first TLS-Required said No */
	bool		draft_no;	/* the first draft field said NO */
};

/* smtp2_requiretls_field - classify a header field name (no colon),
 * case-insensitively. */
enum smtp2_rtls_field smtp2_requiretls_field(const char *name);

/*
 * smtp2_requiretls_value_is_no - is value (len bytes, NUL bytes allowed)
 * the one word "No", compared case-insensitively, with only CFWS around
 * it: blanks, CR and LF of folded lines, and RFC 5322 comments (nested,
 * with quoted-pairs)?  Anything else - another word, two words, an
 * unclosed comment, a stray byte - is false.
 */
bool smtp2_requiretls_value_is_no(const char *value, size_t len);

void smtp2_requiretls_headers_init(struct smtp2_rtls_headers *h);

/* smtp2_requiretls_headers_add - look at one header field; others are
 * ignored.  A NULL value counts as empty. */
void smtp2_requiretls_headers_add(struct smtp2_rtls_headers *h,
    const char *name, const char *value);

/*
 * smtp2_requiretls_headers_result - the classification.  TLS-Required
 * wins over the draft spellings when both appear once (a sender may write
 * both for old receivers); more than one field of either spelling is
 * SMTP2_RTLS_HDR_MULTIPLE, which RFC 8689 section 3 forbids.
 */
enum smtp2_rtls_header smtp2_requiretls_headers_result(
    const struct smtp2_rtls_headers *h);

/* "none", "no", "draft-no", "invalid", "multiple": for logs and headers. */
const char *smtp2_requiretls_header_name(enum smtp2_rtls_header r);

/* "flag", "reject" as milter.conf spells requiretls.multiple. */
const char *smtp2_requiretls_multiple_name(enum smtp2_rtls_multiple m);

/*
 * smtp2_requiretls_mail_param - does a MAIL command's ESMTP parameter list
 * (NULL-terminated, as libmilter hands argv + 1) carry REQUIRETLS?  The
 * keyword is matched case-insensitively and takes no value (RFC 8689 2).
 */
bool smtp2_requiretls_mail_param(char *const *params);

/*
 * The rule set (milter.conf requiretls group).  Patterns:
 *   senders, recipients:  "user@example.com"  that address
 *                         "@example.com"      any address in that domain
 *                         ".example.com"      any address in a subdomain
 *   domains (recipient):  "example.com"       that domain
 *                         ".example.com"      its subdomains
 * Addresses may come with angle brackets; domains lose one final dot;
 * everything is compared case-insensitively, local parts included (a
 * rule that errs requires TLS more often, never less).
 */
bool smtp2_requiretls_address_match(const char *pattern, const char *address);
bool smtp2_requiretls_domain_match(const char *pattern, const char *domain);

/* smtp2_requiretls_sender_matches - the envelope sender matches a
 * requiretls.senders pattern.  The null sender never matches. */
bool smtp2_requiretls_sender_matches(const struct smtp2_conf *c,
    const char *sender);

/* smtp2_requiretls_rcpt_matches - the recipient matches a
 * requiretls.recipients or requiretls.domains pattern. */
bool smtp2_requiretls_rcpt_matches(const struct smtp2_conf *c,
    const char *rcpt);

/*
 * smtp2_requiretls_filter - the argument of Postfix's FILTER action for
 * requiretls.transport: "smtp2-tls:" (empty next hop: the recipient's
 * domain) or the transport:nexthop as configured.  Returns what snprintf
 * returns.
 */
int smtp2_requiretls_filter(const struct smtp2_conf *c, char *buf, size_t len);

/* Value checks for milter.conf; 0, or -1 with the reason in why. */
int smtp2_requiretls_check_address(const char *s, char *why, size_t whylen);
int smtp2_requiretls_check_domain(const char *s, char *why, size_t whylen);
int smtp2_requiretls_check_transport(const char *s, char *why, size_t whylen);

#endif
