/*
 * tags.c - scan an RFC 6376 3.2 tag list for the record parsers and the
 * DKIM parsers.  Only the syntax lives here; which tags mean what is the
 * business of record.c, dmarc_record.c, adsp_record.c and dkim_tag.c.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "tags.h"
#include "why.h"

/* smtp2_tag_is_wsp - WSP of RFC 5234 */
bool
smtp2_tag_is_wsp(unsigned char c)
{
	return (c == ' ' || c == '\t');
}

/* tags_is_valchar - a byte of a value: printable ASCII but ';' */
static bool
tags_is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e && c != ';');
}

/* tags_is_alpha - ASCII letter, whatever the locale */
static bool
tags_is_alpha(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* tags_is_namechar - letters, digits and '_' after the first letter */
static bool
tags_is_namechar(unsigned char c)
{
	return (tags_is_alpha(c) || (c >= '0' && c <= '9') || c == '_');
}

/* tags_fold - length of a fold (CRLF or LF, then WSP) at the cursor, or 0 */
static size_t
tags_fold(const struct smtp2_tag_scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t	brk;

	if (!sc->fws || sc->pos >= sc->len)
		return (0);
	brk = s[sc->pos] == '\r' ? 1 : 0;
	if (sc->pos + brk + 1 >= sc->len || s[sc->pos + brk] != '\n' ||
	    !smtp2_tag_is_wsp(s[sc->pos + brk + 1]))
		return (0);
	return (brk + 2);
}

/* tags_skip_wsp - advance past whitespace (and folds, in FWS mode) */
static void
tags_skip_wsp(struct smtp2_tag_scan *sc)
{
	size_t	n;

	while (sc->pos < sc->len) {
		if (smtp2_tag_is_wsp((unsigned char)sc->s[sc->pos]))
			sc->pos++;
		else if ((n = tags_fold(sc)) > 0)
			sc->pos += n;
		else
			return;
	}
}

/* tags_peek - the byte at the cursor, or -1 at the end */
static int
tags_peek(const struct smtp2_tag_scan *sc)
{
	return (sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1);
}

/* tags_bad_byte - describe a byte no list may hold at this place */
static void
tags_bad_byte(const struct smtp2_tag_scan *sc, size_t pos, char *why,
    size_t whylen)
{
	unsigned char c = (unsigned char)sc->s[pos];

	if (sc->fws && (c == '\r' || c == '\n'))
		smtp2_why(why, whylen, "line break not followed by whitespace "
		    "at offset %zu", pos);
	else if (c == 0)
		smtp2_why(why, whylen, "NUL byte at offset %zu", pos);
	else if (c >= 0x80)
		smtp2_why(why, whylen, "non-ASCII byte 0x%02X at offset %zu",
		    c, pos);
	else if (c < 0x20 || c == 0x7f)
		smtp2_why(why, whylen, "control byte 0x%02X at offset %zu",
		    c, pos);
	else
		smtp2_why(why, whylen, "unexpected '%c' at offset %zu", c, pos);
}

/* smtp2_tag_starts - name *WSP "=" *WSP word, as a whole word */
bool
smtp2_tag_starts(const char *txt, size_t len, const char *name,
    const char *word)
{
	struct smtp2_tag_scan sc = {txt, len, 0, false};
	size_t	n = strlen(name), w;
	int	c;

	if (txt == NULL)
		return (false);
	tags_skip_wsp(&sc);
	if (len - sc.pos < n || memcmp(txt + sc.pos, name, n) != 0)
		return (false);
	sc.pos += n;
	tags_skip_wsp(&sc);
	if (tags_peek(&sc) != '=')
		return (false);
	sc.pos++;
	if (word == NULL)
		return (true);
	tags_skip_wsp(&sc);
	w = strlen(word);
	if (len - sc.pos < w || memcmp(txt + sc.pos, word, w) != 0)
		return (false);
	sc.pos += w;

	/* "DMARC10" is someone else's; a bad byte ends the word so that
	 * "v=DMARC1<NUL>" is reported as broken, not skipped. */
	c = tags_peek(&sc);
	return (c < 0 || !tags_is_valchar((unsigned char)c));
}

/* tags_name - read a tag name at the cursor */
static int
tags_name(struct smtp2_tag_scan *sc, struct smtp2_tag *tag, char *why,
    size_t whylen)
{
	int	c = tags_peek(sc);

	if (c == ';' || c == '=' || c < 0) {
		smtp2_why(why, whylen, "empty tag name at offset %zu", sc->pos);
		return (-1);
	}
	if (!tags_is_alpha((unsigned char)c)) {
		if (tags_is_valchar((unsigned char)c))
			smtp2_why(why, whylen, "tag name must start with a "
			    "letter, not '%c' (offset %zu)", c, sc->pos);
		else
			tags_bad_byte(sc, sc->pos, why, whylen);
		return (-1);
	}
	tag->name = sc->s + sc->pos;
	while (sc->pos < sc->len && tags_is_namechar((unsigned char)sc->s[sc->pos]))
		sc->pos++;
	tag->namelen = (size_t)(sc->s + sc->pos - tag->name);
	return (0);
}

/* tags_equals - expect "=" after the name, whitespace allowed */
static int
tags_equals(struct smtp2_tag_scan *sc, const struct smtp2_tag *tag,
    char *why, size_t whylen)
{
	int	c = tags_peek(sc);

	if (c >= 0 && !smtp2_tag_is_wsp((unsigned char)c) && c != '=' &&
	    c != ';' && tags_fold(sc) == 0) {
		if (tags_is_valchar((unsigned char)c))
			smtp2_why(why, whylen, "bad character '%c' in tag "
			    "name '%.*s' (offset %zu)", c,
			    SMTP2_TAG_NAME_SHOWN(tag), tag->name, sc->pos);
		else
			tags_bad_byte(sc, sc->pos, why, whylen);
		return (-1);
	}
	tags_skip_wsp(sc);
	if (tags_peek(sc) != '=') {
		smtp2_why(why, whylen, "missing '=' after tag '%.*s'",
		    SMTP2_TAG_NAME_SHOWN(tag), tag->name);
		return (-1);
	}
	sc->pos++;
	return (0);
}

/* tags_value - read a value up to ';' or the end, trimmed */
static int
tags_value(struct smtp2_tag_scan *sc, struct smtp2_tag *tag, char *why,
    size_t whylen)
{
	size_t	before;

	tags_skip_wsp(sc);
	tag->value = sc->s + sc->pos;
	tag->vallen = 0;
	while (sc->pos < sc->len && sc->s[sc->pos] != ';') {
		if (tags_is_valchar((unsigned char)sc->s[sc->pos])) {
			sc->pos++;
			tag->vallen = (size_t)(sc->s + sc->pos - tag->value);
			continue;
		}
		before = sc->pos;
		tags_skip_wsp(sc);
		if (sc->pos == before) {
			tags_bad_byte(sc, sc->pos, why, whylen);
			return (-1);
		}
	}
	return (0);
}

/* smtp2_tag_next - read one tag-spec and the ';' after it */
int
smtp2_tag_next(struct smtp2_tag_scan *sc, struct smtp2_tag *tag, char *why,
    size_t whylen)
{
	tags_skip_wsp(sc);
	if (sc->pos >= sc->len)
		return (0);			/* also after a trailing ';' */
	if (tags_name(sc, tag, why, whylen) < 0
	    || tags_equals(sc, tag, why, whylen) < 0
	    || tags_value(sc, tag, why, whylen) < 0)
		return (-1);
	if (sc->pos < sc->len)
		sc->pos++;			/* the ';' that ended the value */
	return (1);
}

/* smtp2_tag_is_nocase - compare the name, case-insensitively */
bool
smtp2_tag_is_nocase(const struct smtp2_tag *tag, const char *name)
{
	return (tag->namelen == strlen(name)
	    && strncasecmp(tag->name, name, tag->namelen) == 0);
}

/* smtp2_tag_value_is - compare the value, case-insensitively */
bool
smtp2_tag_value_is(const struct smtp2_tag *tag, const char *word)
{
	return (tag->vallen == strlen(word)
	    && strncasecmp(tag->value, word, tag->vallen) == 0);
}

/* smtp2_tag_seen_nocase - has a tag of this name come before? */
bool
smtp2_tag_seen_nocase(const struct smtp2_tag *seen, size_t n,
    const struct smtp2_tag *tag)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (seen[i].namelen == tag->namelen
		    && strncasecmp(seen[i].name, tag->name, tag->namelen) == 0)
			return (true);
	return (false);
}

/* smtp2_tag_quote - a value for a reason; tabs become spaces */
const char *
smtp2_tag_quote(const struct smtp2_tag *tag, char buf[SMTP2_TAG_QUOTE_MAX + 4])
{
	size_t	i, n = tag->vallen < SMTP2_TAG_QUOTE_MAX ? tag->vallen :
	    SMTP2_TAG_QUOTE_MAX;

	for (i = 0; i < n; i++)
		buf[i] = tag->value[i] == '\t' ? ' ' : tag->value[i];
	if (tag->vallen > n)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return (buf);
}
