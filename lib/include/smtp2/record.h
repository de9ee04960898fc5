/*
 * smtp2/record.h - the _smtp2.<domain> readiness record.
 *
 * Syntax (docs/record.md): a TXT record whose character-strings,
 * concatenated, form a tag list "v=SMTP2v1; p=enforce".  v must come
 * first; unknown tags are ignored; a repeated tag is an error.
 */
#ifndef SMTP2_RECORD_H
#define SMTP2_RECORD_H

#include <stddef.h>

/* What the domain asks receivers to do with mail that carries no proof. */
enum smtp2_policy {
	SMTP2_POLICY_NONE = 0,		/* p=none: observe only (the default) */
	SMTP2_POLICY_TAG,		/* p=tag: mark unverified mail */
	SMTP2_POLICY_ENFORCE		/* p=enforce: refuse unverified mail */
};

#define SMTP2_RECORD_HOSTS_MAX	8	/* entries in hosts= */
#define SMTP2_HOST_MAX		253

struct smtp2_record {
	enum smtp2_policy policy;
	/* sp=: what the record asks for subdomains that publish no record of
	 * their own (docs/record.md, "Subdomains"); p= when absent. */
	enum smtp2_policy subdomain_policy;
	/* hosts=: servers allowed to send for the domain, by certificate
	 * name (RFC 6125 patterns, "*.mail.provider.net"), e.g. an
	 * outsourced provider; colon-separated in the record. */
	size_t	n_hosts;
	char	hosts[SMTP2_RECORD_HOSTS_MAX][SMTP2_HOST_MAX + 1];
};

enum smtp2_record_status {
	SMTP2_RECORD_OK = 0,		/* exactly one valid record */
	SMTP2_RECORD_ABSENT,		/* no string starts with v=SMTP2v1 */
	SMTP2_RECORD_INVALID		/* malformed, or more than one record */
};

/*
 * smtp2_record_parse - parse one TXT string (already concatenated).
 * Returns SMTP2_RECORD_ABSENT when the text is not an SMTP2v1 record at
 * all (another TXT at the same name), SMTP2_RECORD_INVALID with a reason
 * in why when it claims to be one but is malformed.  rec is written only
 * on SMTP2_RECORD_OK.  why may be NULL.
 */
enum smtp2_record_status smtp2_record_parse(const char *txt, size_t len,
    struct smtp2_record *rec, char *why, size_t whylen);

/*
 * smtp2_record_select - pick the record out of every TXT string found at
 * _smtp2.<domain>.  Non-SMTP2 strings are skipped; two SMTP2v1 records,
 * or one broken one, make SMTP2_RECORD_INVALID.
 */
enum smtp2_record_status smtp2_record_select(const char *const *txts,
    const size_t *lens, size_t n, struct smtp2_record *rec,
    char *why, size_t whylen);

const char *smtp2_policy_name(enum smtp2_policy p);	/* "none", "tag", "enforce" */
int smtp2_policy_parse(const char *name, enum smtp2_policy *p);	/* 0 or -1 */

#endif
