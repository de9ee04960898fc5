/*
 * dkim_tag.c - the tag list of RFC 6376 3.2 as DKIM-Signature header
 * fields and DKIM key records use it.
 *
 * The list is split in one pass into (name, value) pairs that point into
 * the text, by the scanner the record parsers use (tags.c) in its FWS
 * mode: a line break (CRLF, or a bare LF as milters see it) followed by
 * a space or tab is whitespace, any other line break an error.  The
 * callers then interpret the tags they know.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "dkim_int.h"
#include "tags.h"
#include "why.h"

/* smtp2_dkim_is_fws - space, tab, CR or LF */
bool
smtp2_dkim_is_fws(unsigned char c)
{
	return (smtp2_tag_is_wsp(c) || c == '\r' || c == '\n');
}

/* tag_add - keep a tag unless its name came before or the list is full */
static int
tag_add(struct smtp2_dkim_tags *tags, const struct smtp2_tag *tag,
    char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < tags->n; i++) {
		if (tags->t[i].namelen == tag->namelen
		    && memcmp(tags->t[i].name, tag->name, tag->namelen) == 0) {
			smtp2_why(why, whylen, "duplicate tag '%.*s'",
			    SMTP2_TAG_NAME_SHOWN(tag), tag->name);
			return (-1);
		}
	}
	if (tags->n == SMTP2_DKIM_TAGS_MAX) {
		smtp2_why(why, whylen, "more than %d tags", SMTP2_DKIM_TAGS_MAX);
		return (-1);
	}
	tags->t[tags->n++] = *tag;
	return (0);
}

/* smtp2_dkim_tags_parse - split a tag list into its tags */
int
smtp2_dkim_tags_parse(const char *s, size_t len,
    struct smtp2_dkim_tags *tags, char *why, size_t whylen)
{
	struct smtp2_tag_scan sc = {s, len, 0, true};
	struct smtp2_tag tag;
	int	r;

	tags->n = 0;
	if (s == NULL) {
		smtp2_why(why, whylen, "no text");
		return (-1);
	}
	while ((r = smtp2_tag_next(&sc, &tag, why, whylen)) > 0)
		if (tag_add(tags, &tag, why, whylen) < 0)
			return (-1);
	return (r);
}

/* smtp2_dkim_tag_get - the tag called name (case-sensitive), or NULL */
const struct smtp2_tag *
smtp2_dkim_tag_get(const struct smtp2_dkim_tags *tags, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < tags->n; i++)
		if (tags->t[i].namelen == len
		    && memcmp(tags->t[i].name, name, len) == 0)
			return (&tags->t[i]);
	return (NULL);
}

/* smtp2_dkim_tag_bad - "x=: <what> 'value'" */
int
smtp2_dkim_tag_bad(const struct smtp2_tag *tag, const char *what, char *why,
    size_t whylen)
{
	char	q[SMTP2_DKIM_QUOTE_MAX + 4];

	smtp2_why(why, whylen, "%.*s=: %s '%s'", SMTP2_TAG_NAME_SHOWN(tag),
	    tag->name, what, smtp2_dkim_quote(tag->value, tag->vallen, q));
	return (-1);
}

/* smtp2_dkim_quote - printable copy of a value for a reason */
const char *
smtp2_dkim_quote(const char *p, size_t len, char buf[SMTP2_DKIM_QUOTE_MAX + 4])
{
	size_t	i, n = len < SMTP2_DKIM_QUOTE_MAX ? len : SMTP2_DKIM_QUOTE_MAX;

	for (i = 0; i < n; i++)
		buf[i] = (p[i] >= 0x20 && p[i] <= 0x7e) ? p[i] : ' ';
	if (len > n)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return (buf);
}

/* smtp2_dkim_is - case-insensitive comparison of a run with a word */
bool
smtp2_dkim_is(const char *p, size_t len, const char *word)
{
	return (len == strlen(word) && strncasecmp(p, word, len) == 0);
}

/* smtp2_dkim_next_item - next colon-separated item, FWS trimmed */
bool
smtp2_dkim_next_item(const struct smtp2_tag *tag, size_t *pos,
    struct smtp2_dkim_str *item)
{
	const char *v = tag->value;
	size_t	i = *pos, end;

	if (i > tag->vallen || (i == tag->vallen && (i == 0 || v[i - 1] != ':')))
		return (false);
	while (i < tag->vallen && smtp2_dkim_is_fws((unsigned char)v[i]))
		i++;
	for (end = i; end < tag->vallen && v[end] != ':'; end++)
		;
	*pos = end + 1;
	item->p = v + i;
	for (item->len = end - i; item->len > 0
	    && smtp2_dkim_is_fws((unsigned char)item->p[item->len - 1]);)
		item->len--;
	return (true);
}
