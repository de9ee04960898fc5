/*
 * tags.h - the tag-list scanner of RFC 6376 3.2, shared by the _smtp2,
 * DMARC and ADSP record parsers (WSP only: a TXT string has no CRLF) and
 * by DKIM-Signature fields and DKIM key records (dkim_tag.c: FWS, folded
 * lines).  Internal: not installed, not part of the API.
 */
#ifndef SMTP2_TAGS_H
#define SMTP2_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP2_TAGS_MAX		32	/* tags in one record */
#define SMTP2_TAG_QUOTE_MAX		32	/* bytes of a value shown in why */

/* One "name = value" of the list; both point into the text. */
struct smtp2_tag {
	const char	*name;
	size_t		namelen;
	const char	*value;		/* surrounding whitespace trimmed */
	size_t		vallen;
};

/* Scanner state: the text and how far we are. */
struct smtp2_tag_scan {
	const char	*s;
	size_t		len;
	size_t		pos;
	bool		fws;	/* a line break (CRLF or, as milters see it,
				 * LF) followed by WSP is whitespace too */
};

/* Printf precision for a tag name in a reason: bounded, never negative. */
#define SMTP2_TAG_NAME_SHOWN(t) \
	((int)((t)->namelen < SMTP2_TAG_QUOTE_MAX ? (t)->namelen : SMTP2_TAG_QUOTE_MAX))

/* smtp2_tag_next - 1 with a tag, 0 at the end, -1 with a reason */
int	smtp2_tag_next(struct smtp2_tag_scan *sc, struct smtp2_tag *tag,
	    char *why, size_t whylen);

/* smtp2_tag_starts - does the text start with name *WSP "=" *WSP word,
 * the word ending the text or followed by WSP or ';'?  word may be NULL
 * (then only "name =" is checked).  Names compared exactly. */
bool	smtp2_tag_starts(const char *txt, size_t len, const char *name,
	    const char *word);

/* smtp2_tag_is_wsp - WSP of RFC 5234: space and tab */
bool	smtp2_tag_is_wsp(unsigned char c);

/* smtp2_tag_is_nocase - the tag's name, case-insensitively */
bool	smtp2_tag_is_nocase(const struct smtp2_tag *tag, const char *name);

/* smtp2_tag_value_is - the tag's value, case-insensitively */
bool	smtp2_tag_value_is(const struct smtp2_tag *tag, const char *word);

/* smtp2_tag_seen_nocase - a tag of this name (any case) among seen[0..n-1]? */
bool	smtp2_tag_seen_nocase(const struct smtp2_tag *seen, size_t n,
	    const struct smtp2_tag *tag);

/* smtp2_tag_quote - the value for a reason, cut with "...", printable */
const char *smtp2_tag_quote(const struct smtp2_tag *tag,
	    char buf[SMTP2_TAG_QUOTE_MAX + 4]);

#endif
