/*
 * dmarc_tags.h - the tag-list scanner shared by the DMARC and ADSP
 * parsers (RFC 6376 3.2 syntax, WSP only: a TXT string has no CRLF).
 * Internal: not installed, not part of the API.
 */
#ifndef SMTP2_DMARC_TAGS_H
#define SMTP2_DMARC_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#define DMARC_TAGS_MAX		32	/* tags in one record */
#define DMARC_QUOTE_MAX		32	/* bytes of a value shown in why */

/* One "name = value" of the list; both point into the text. */
struct dmarc_tag {
	const char	*name;
	size_t		namelen;
	const char	*value;		/* surrounding whitespace trimmed */
	size_t		vallen;
};

/* Scanner state: the text and how far we are. */
struct dmarc_scan {
	const char	*s;
	size_t		len;
	size_t		pos;
};

/* Printf precision for a tag name in a reason: bounded, never negative. */
#define DMARC_NAME_SHOWN(t) \
	((int)((t)->namelen < DMARC_QUOTE_MAX ? (t)->namelen : DMARC_QUOTE_MAX))

/* dmarc_tag_next - 1 with a tag, 0 at the end, -1 with a reason */
int	dmarc_tag_next(struct dmarc_scan *sc, struct dmarc_tag *tag,
	    char *why, size_t whylen);

/* dmarc_tag_starts - does the text start with name *WSP "=" *WSP word,
 * the word ending the text or followed by WSP or ';'?  word may be NULL
 * (then only "name =" is checked).  Names compared exactly. */
bool	dmarc_tag_starts(const char *txt, size_t len, const char *name,
	    const char *word);

/* dmarc_tag_is - the tag's name, case-insensitively */
bool	dmarc_tag_is(const struct dmarc_tag *tag, const char *name);

/* dmarc_value_is - the tag's value, case-insensitively */
bool	dmarc_value_is(const struct dmarc_tag *tag, const char *word);

/* dmarc_tag_seen - a tag of this name (any case) among seen[0..n-1]? */
bool	dmarc_tag_seen(const struct dmarc_tag *seen, size_t n,
	    const struct dmarc_tag *tag);

/* dmarc_quote - the value for a reason, cut with "...", printable */
const char *dmarc_quote(const struct dmarc_tag *tag,
	    char buf[DMARC_QUOTE_MAX + 4]);

#endif
