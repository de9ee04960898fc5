/*
 * smtp2/dmarc.h - DMARC (RFC 9989, DMARCbis) and ADSP (RFC 5617) records.
 *
 * Parsing only: the caller fetches the TXT strings (_dmarc.<name>,
 * _adsp._domainkey.<domain>) and concatenates the character-strings of
 * each record.  Both are DKIM-style tag lists: WSP around names, '=' and
 * values; tag names and keyword values are case-insensitive (RFC 5234
 * quoted strings), the version word "DMARC1" and ADSP's leading "dkim"
 * are exact.  Unknown tags are ignored; a repeated tag is an error.
 */
#ifndef SMTP2_DMARC_H
#define SMTP2_DMARC_H

#include <stdbool.h>
#include <stddef.h>

/* p=, sp=, np=: what the domain asks for mail that fails DMARC. */
enum smtp2_dmarc_policy {
	SMTP2_DMARC_NONE = 0,
	SMTP2_DMARC_QUARANTINE,
	SMTP2_DMARC_REJECT
};

/* adkim=, aspf=: identifier alignment mode. */
enum smtp2_dmarc_align {
	SMTP2_DMARC_RELAXED = 0,	/* r (the default) */
	SMTP2_DMARC_STRICT		/* s */
};

/* psd=: is this the record of a public suffix domain (tree walk)? */
enum smtp2_dmarc_psd {
	SMTP2_DMARC_PSD_U = 0,		/* u: unknown (the default) */
	SMTP2_DMARC_PSD_Y,		/* y: a PSD; org domain is one below */
	SMTP2_DMARC_PSD_N		/* n: not a PSD; this is the org domain */
};

#define SMTP2_DMARC_URIS_MAX	1024	/* bytes kept of rua= or ruf= */
#define SMTP2_DMARC_FO_MAX	32	/* bytes kept of fo= */

struct smtp2_dmarc {
	enum smtp2_dmarc_policy p;	/* "none" when p= is absent */
	bool	p_missing;		/* no p=: usable, but not as an org
					 * domain's record (RFC 9989) */
	enum smtp2_dmarc_policy sp;	/* subdomains; p when absent */
	enum smtp2_dmarc_policy np;	/* non-existent subdomains; sp, else
					 * p, when absent */
	enum smtp2_dmarc_align adkim;
	enum smtp2_dmarc_align aspf;
	enum smtp2_dmarc_psd psd;
	bool	testing;		/* t=y */
	/* Kept verbatim (printable ASCII, trimmed), not interpreted. */
	char	rua[SMTP2_DMARC_URIS_MAX + 1];
	char	ruf[SMTP2_DMARC_URIS_MAX + 1];
	char	fo[SMTP2_DMARC_FO_MAX + 1];
	/* A rua=, ruf= or fo= value was longer than its buffer: it was
	 * dropped (left empty), the policy still stands. */
	bool	long_dropped;
};

enum smtp2_dmarc_status {
	SMTP2_DMARC_OK = 0,		/* exactly one valid record */
	SMTP2_DMARC_ABSENT,		/* no string starts with v=DMARC1 */
	SMTP2_DMARC_INVALID,		/* claims v=DMARC1 but is malformed */
	SMTP2_DMARC_MULTIPLE		/* several v=DMARC1 strings: none
					 * applies (RFC 9989 policy discovery) */
};

/*
 * smtp2_dmarc_parse - parse one TXT string (already concatenated) of
 * len bytes.  Returns SMTP2_DMARC_ABSENT when it is not a DMARC record
 * (another TXT at the same name), SMTP2_DMARC_INVALID with a reason when
 * it is one but malformed (bad value, repeated tag, bad byte).  pct=,
 * rf= and ri= (removed by RFC 9989) are ignored like unknown tags.  rec
 * is written only on SMTP2_DMARC_OK, and why then summarises the record.
 * rec and why may be NULL.
 */
enum smtp2_dmarc_status smtp2_dmarc_parse(const char *txt, size_t len,
    struct smtp2_dmarc *rec, char *why, size_t whylen);

/*
 * smtp2_dmarc_select - the record among every TXT string at one name.
 * lens may be NULL (NUL-terminated strings); NULL entries are skipped.
 * Non-DMARC strings are skipped; two or more v=DMARC1 strings (valid or
 * not) give SMTP2_DMARC_MULTIPLE; one broken one SMTP2_DMARC_INVALID.
 */
enum smtp2_dmarc_status smtp2_dmarc_select(const char *const *txts,
    const size_t *lens, size_t n, struct smtp2_dmarc *rec,
    char *why, size_t whylen);

const char *smtp2_dmarc_policy_name(enum smtp2_dmarc_policy p);
					/* "none", "quarantine", "reject" */

/* ADSP (RFC 5617, historic): dkim= of _adsp._domainkey.<domain>. */
enum smtp2_adsp_practice {
	SMTP2_ADSP_UNKNOWN = 0,		/* unknown, or an unknown value */
	SMTP2_ADSP_ALL,			/* all mail is signed by the domain */
	SMTP2_ADSP_DISCARDABLE		/* ... and unsigned mail may go */
};

enum smtp2_adsp_status {
	SMTP2_ADSP_OK = 0,		/* exactly one valid record */
	SMTP2_ADSP_ABSENT,		/* no string starts with dkim= */
	SMTP2_ADSP_INVALID		/* malformed, or more than one; RFC
					 * 5617 4.3: treat as no record */
};

/*
 * smtp2_adsp_parse - parse one concatenated TXT string; *practice is
 * written only on SMTP2_ADSP_OK.  practice and why may be NULL.
 */
enum smtp2_adsp_status smtp2_adsp_parse(const char *txt, size_t len,
    enum smtp2_adsp_practice *practice, char *why, size_t whylen);

/* smtp2_adsp_select - the one ADSP record among a name's TXT strings. */
enum smtp2_adsp_status smtp2_adsp_select(const char *const *txts,
    const size_t *lens, size_t n, enum smtp2_adsp_practice *practice,
    char *why, size_t whylen);

const char *smtp2_adsp_practice_name(enum smtp2_adsp_practice p);
					/* "unknown", "all", "discardable" */

#endif
