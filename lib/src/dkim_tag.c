/*
 * dkim_tag.c - the tag list of RFC 6376 3.2, shared by DKIM-Signature
 * header fields and DKIM key records.
 *
 * The list is split in one pass into (name, value) pairs that point into
 * the text; the callers then interpret the tags they know.  Folding
 * whitespace is CRLF or a bare LF (milters see both) followed by a space
 * or tab; any other line break is an error.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "dkim_int.h"
#include "why.h"

/* Printf precision for a tag name in a reason: bounded, never negative. */
#define TAG_NAME_SHOWN(t) ((int)((t)->namelen < SMTP2_DKIM_QUOTE_MAX ? \
	(t)->namelen : SMTP2_DKIM_QUOTE_MAX))

/* Scanner state: the text and how far we are. */
struct tag_scan {
	const char	*s;
	size_t		len;
	size_t		pos;
};

/* tag_is_wsp - WSP of RFC 5234 */
static bool
tag_is_wsp(unsigned char c)
{
	return (c == ' ' || c == '\t');
}

/* tag_is_alpha - ASCII letter, whatever the locale */
static bool
tag_is_alpha(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* tag_is_valchar - VALCHAR: printable ASCII but ';' */
static bool
tag_is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e && c != ';');
}

/* smtp2_dkim_is_fws - space, tab, CR or LF */
bool
smtp2_dkim_is_fws(unsigned char c)
{
	return (tag_is_wsp(c) || c == '\r' || c == '\n');
}

/* tag_skip_fws - advance past FWS; a line break must be followed by WSP */
static void
tag_skip_fws(struct tag_scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t	brk;

	while (sc->pos < sc->len) {
		if (tag_is_wsp(s[sc->pos])) {
			sc->pos++;
			continue;
		}
		brk = s[sc->pos] == '\r' ? 1 : 0;
		if (sc->pos + brk >= sc->len || s[sc->pos + brk] != '\n'
		    || sc->pos + brk + 1 >= sc->len
		    || !tag_is_wsp(s[sc->pos + brk + 1]))
			return;
		sc->pos += brk + 2;
	}
}

/* tag_bad_byte - describe a byte that may not stand where it is */
static void
tag_bad_byte(const struct tag_scan *sc, const char *where, char *why,
    size_t whylen)
{
	unsigned char c = (unsigned char)sc->s[sc->pos];

	if (c == '\r' || c == '\n')
		smtp2_why(why, whylen, "line break not followed by whitespace "
		    "%s (offset %zu)", where, sc->pos);
	else if (c < 0x20 || c >= 0x7f)
		smtp2_why(why, whylen, "byte 0x%02X %s (offset %zu)", c, where,
		    sc->pos);
	else
		smtp2_why(why, whylen, "unexpected '%c' %s (offset %zu)", c,
		    where, sc->pos);
}

/* tag_name - read "name =" at the cursor */
static int
tag_name(struct tag_scan *sc, struct smtp2_dkim_tag *tag, char *why,
    size_t whylen)
{
	if (!tag_is_alpha((unsigned char)sc->s[sc->pos])) {
		tag_bad_byte(sc, "where a tag name should start", why, whylen);
		return (-1);
	}
	tag->name = sc->s + sc->pos;
	while (sc->pos < sc->len && (tag_is_alpha((unsigned char)sc->s[sc->pos])
	    || (sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
	    || sc->s[sc->pos] == '_'))
		sc->pos++;
	tag->namelen = (size_t)(sc->s + sc->pos - tag->name);
	tag_skip_fws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != '=') {
		smtp2_why(why, whylen, "missing '=' after tag '%.*s'",
		    TAG_NAME_SHOWN(tag), tag->name);
		return (-1);
	}
	sc->pos++;
	return (0);
}

/* tag_value - read a value up to ';' or the end, FWS trimmed */
static int
tag_value(struct tag_scan *sc, struct smtp2_dkim_tag *tag, char *why,
    size_t whylen)
{
	size_t	before;

	tag_skip_fws(sc);
	tag->value = sc->s + sc->pos;
	tag->vallen = 0;
	while (sc->pos < sc->len && sc->s[sc->pos] != ';') {
		if (tag_is_valchar((unsigned char)sc->s[sc->pos])) {
			sc->pos++;
			tag->vallen = (size_t)(sc->s + sc->pos - tag->value);
			continue;
		}
		before = sc->pos;
		tag_skip_fws(sc);
		if (sc->pos == before) {
			tag_bad_byte(sc, "in a tag value", why, whylen);
			return (-1);
		}
	}
	if (sc->pos < sc->len)
		sc->pos++;			/* the ';' */
	return (0);
}

/* tag_add - keep a tag unless its name came before or the list is full */
static int
tag_add(struct smtp2_dkim_tags *tags, const struct smtp2_dkim_tag *tag,
    char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < tags->n; i++) {
		if (tags->t[i].namelen == tag->namelen
		    && memcmp(tags->t[i].name, tag->name, tag->namelen) == 0) {
			smtp2_why(why, whylen, "duplicate tag '%.*s'",
			    TAG_NAME_SHOWN(tag), tag->name);
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
	struct tag_scan sc = {s, len, 0};
	struct smtp2_dkim_tag tag;

	tags->n = 0;
	if (s == NULL) {
		smtp2_why(why, whylen, "no text");
		return (-1);
	}
	/* Each round consumes at least the name's first letter. */
	for (;;) {
		tag_skip_fws(&sc);
		if (sc.pos >= sc.len)
			return (0);		/* also after a trailing ';' */
		if (tag_name(&sc, &tag, why, whylen) < 0
		    || tag_value(&sc, &tag, why, whylen) < 0
		    || tag_add(tags, &tag, why, whylen) < 0)
			return (-1);
	}
}

/* smtp2_dkim_tag_get - the tag called name (case-sensitive), or NULL */
const struct smtp2_dkim_tag *
smtp2_dkim_tag_get(const struct smtp2_dkim_tags *tags, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < tags->n; i++)
		if (tags->t[i].namelen == len
		    && memcmp(tags->t[i].name, name, len) == 0)
			return (&tags->t[i]);
	return (NULL);
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
smtp2_dkim_next_item(const struct smtp2_dkim_tag *tag, size_t *pos,
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
