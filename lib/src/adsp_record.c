/*
 * adsp_record.c - parse an _adsp._domainkey TXT record (RFC 5617).
 *
 * ADSP is historic, but where a domain still publishes dkim=all or
 * dkim=discardable it tells us unsigned mail is forged.  RFC 5617 4.2.1:
 * the record starts with the lowercase tag "dkim"; values other than the
 * three it defines are treated as "unknown"; unknown tags are ignored.
 * A malformed record, or more than one, counts as no record (4.3).
 */

/* System library. */
#include <stdbool.h>
#include <string.h>

/* Application-specific. */
#include "tags.h"
#include "why.h"
#include <smtp2/dmarc.h>

static const char *const practice_words[] = {
	[SMTP2_ADSP_UNKNOWN] = "unknown",
	[SMTP2_ADSP_ALL] = "all",
	[SMTP2_ADSP_DISCARDABLE] = "discardable",
};

#define PRACTICE_COUNT	(sizeof(practice_words) / sizeof(practice_words[0]))

/* smtp2_adsp_practice_name - "unknown", "all", "discardable" */
const char *
smtp2_adsp_practice_name(enum smtp2_adsp_practice p)
{
	return ((unsigned)p < PRACTICE_COUNT ? practice_words[p] : "invalid");
}

/* adsp_is_word - hyphenated-word of RFC 5617: ALPHA *(ALPHA/DIGIT/'-'),
 * not ending in '-' */
static bool
adsp_is_word(const char *s, size_t len)
{
	size_t	i;
	unsigned char c;

	if (len == 0 || s[len - 1] == '-')
		return (false);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (i > 0 && ((c >= '0' && c <= '9') || c == '-'))))
			return (false);
	}
	return (true);
}

/* adsp_practice - interpret the value of dkim= */
static int
adsp_practice(const struct smtp2_tag *tag, enum smtp2_adsp_practice *p,
    char *why, size_t whylen)
{
	char	q[SMTP2_TAG_QUOTE_MAX + 4];
	size_t	i;

	if (!adsp_is_word(tag->value, tag->vallen)) {
		smtp2_why(why, whylen, "dkim=: '%s' is not a practice "
		    "(unknown, all, discardable)", smtp2_tag_quote(tag, q));
		return (-1);
	}
	*p = SMTP2_ADSP_UNKNOWN;		/* x-adsp-dkim-tag */
	for (i = 0; i < PRACTICE_COUNT; i++)
		if (smtp2_tag_value_is(tag, practice_words[i]))
			*p = (enum smtp2_adsp_practice)i;
	return (0);
}

/* smtp2_adsp_parse - parse one concatenated TXT string */
enum smtp2_adsp_status
smtp2_adsp_parse(const char *txt, size_t len,
    enum smtp2_adsp_practice *practice, char *why, size_t whylen)
{
	struct smtp2_tag_scan sc = {txt, len, 0, false};
	struct smtp2_tag seen[SMTP2_TAGS_MAX], tag;
	enum smtp2_adsp_practice p = SMTP2_ADSP_UNKNOWN;
	size_t	n = 0;
	int	got;

	if (!smtp2_tag_starts(txt, len, "dkim", NULL)) {
		smtp2_why(why, whylen, "not an ADSP record (no leading dkim=)");
		return (SMTP2_ADSP_ABSENT);
	}
	while ((got = smtp2_tag_next(&sc, &tag, why, whylen)) > 0) {
		if (smtp2_tag_seen_nocase(seen, n, &tag)) {
			smtp2_why(why, whylen, "duplicate tag '%.*s'",
			    SMTP2_TAG_NAME_SHOWN(&tag), tag.name);
			return (SMTP2_ADSP_INVALID);
		}
		if (n == SMTP2_TAGS_MAX) {
			smtp2_why(why, whylen, "more than %d tags",
			    SMTP2_TAGS_MAX);
			return (SMTP2_ADSP_INVALID);
		}
		if (n == 0 && adsp_practice(&tag, &p, why, whylen) < 0)
			return (SMTP2_ADSP_INVALID);
		seen[n++] = tag;
	}
	if (got < 0)
		return (SMTP2_ADSP_INVALID);
	if (practice != NULL)
		*practice = p;
	smtp2_why(why, whylen, "dkim=%s", smtp2_adsp_practice_name(p));
	return (SMTP2_ADSP_OK);
}

/* smtp2_adsp_select - the one ADSP record among a name's TXT strings */
enum smtp2_adsp_status
smtp2_adsp_select(const char *const *txts, const size_t *lens, size_t n,
    enum smtp2_adsp_practice *practice, char *why, size_t whylen)
{
	enum smtp2_adsp_status st, found = SMTP2_ADSP_ABSENT;
	enum smtp2_adsp_practice one = SMTP2_ADSP_UNKNOWN, keep = one;
	char	one_why[160], keep_why[160] = "";
	size_t	i, ours = 0;

	for (i = 0; txts != NULL && i < n; i++) {
		if (txts[i] == NULL)
			continue;
		st = smtp2_adsp_parse(txts[i],
		    lens != NULL ? lens[i] : strlen(txts[i]),
		    &one, one_why, sizeof(one_why));
		if (st == SMTP2_ADSP_ABSENT)
			continue;
		if (++ours > 1) {
			smtp2_why(why, whylen, "more than one ADSP record: "
			    "none applies");
			return (SMTP2_ADSP_INVALID);
		}
		found = st;
		keep = one;
		memcpy(keep_why, one_why, sizeof(keep_why));
	}
	if (found == SMTP2_ADSP_ABSENT) {
		smtp2_why(why, whylen, "no ADSP record");
		return (SMTP2_ADSP_ABSENT);
	}
	smtp2_why(why, whylen, "%s", keep_why);
	if (found == SMTP2_ADSP_OK && practice != NULL)
		*practice = keep;
	return (found);
}
