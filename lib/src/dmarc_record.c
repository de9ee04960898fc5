/*
 * dmarc_record.c - parse a _dmarc TXT record (RFC 9989, DMARCbis).
 *
 * As with the _smtp2 record, deciding whether a string is a DMARC record
 * at all is kept apart from parsing it strictly: other TXT strings at the
 * name are skipped quietly, one that says v=DMARC1 must be well formed.
 * pct=, rf= and ri= were removed by RFC 9989 and are ignored like any
 * tag we do not know.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "tags.h"
#include "why.h"
#include <smtp2/dmarc.h>

#define DMARC_VERSION	"DMARC1"

/* The record being built, and which defaults still need filling. */
struct dmarc_state {
	struct smtp2_dmarc rec;
	bool	has_sp;
	bool	has_np;
};

static const char *const policy_words[] = {
	[SMTP2_DMARC_NONE] = "none",
	[SMTP2_DMARC_QUARANTINE] = "quarantine",
	[SMTP2_DMARC_REJECT] = "reject",
};
static const char *const align_words[] = {
	[SMTP2_DMARC_RELAXED] = "r",
	[SMTP2_DMARC_STRICT] = "s",
};
static const char *const psd_words[] = {
	[SMTP2_DMARC_PSD_U] = "u",
	[SMTP2_DMARC_PSD_Y] = "y",
	[SMTP2_DMARC_PSD_N] = "n",
};
static const char *const yn_words[] = {"n", "y"};	/* false, true */

#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* smtp2_dmarc_policy_name - "none", "quarantine", "reject" */
const char *
smtp2_dmarc_policy_name(enum smtp2_dmarc_policy p)
{
	return ((unsigned)p < NWORDS(policy_words) ? policy_words[p] :
	    "invalid");
}

/* dmarc_keyword - index of the tag's value in words, or -1 with a reason */
static int
dmarc_keyword(const struct smtp2_tag *tag, const char *const *words,
    size_t n, const char *list, char *why, size_t whylen)
{
	char	q[SMTP2_TAG_QUOTE_MAX + 4];
	size_t	i;

	if (tag->vallen == 0) {
		smtp2_why(why, whylen, "%.*s=: empty value (%s)",
		    SMTP2_TAG_NAME_SHOWN(tag), tag->name, list);
		return (-1);
	}
	for (i = 0; i < n; i++)
		if (smtp2_tag_value_is(tag, words[i]))
			return ((int)i);
	smtp2_why(why, whylen, "%.*s=: unknown value '%s' (%s)",
	    SMTP2_TAG_NAME_SHOWN(tag), tag->name, smtp2_tag_quote(tag, q), list);
	return (-1);
}

/* dmarc_policy - p=, sp= or np= */
static int
dmarc_policy(const struct smtp2_tag *tag, enum smtp2_dmarc_policy *p,
    char *why, size_t whylen)
{
	int	i = dmarc_keyword(tag, policy_words, NWORDS(policy_words),
	    "none, quarantine, reject", why, whylen);

	if (i >= 0)
		*p = (enum smtp2_dmarc_policy)i;
	return (i < 0 ? -1 : 0);
}

/* dmarc_align - adkim= or aspf= */
static int
dmarc_align(const struct smtp2_tag *tag, enum smtp2_dmarc_align *a,
    char *why, size_t whylen)
{
	int	i = dmarc_keyword(tag, align_words, NWORDS(align_words),
	    "r, s", why, whylen);

	if (i >= 0)
		*a = (enum smtp2_dmarc_align)i;
	return (i < 0 ? -1 : 0);
}

/* dmarc_copy - keep a value verbatim; too long a one is dropped */
static void
dmarc_copy(const struct smtp2_tag *tag, char *buf, size_t size,
    struct smtp2_dmarc *rec)
{
	if (tag->vallen >= size) {
		buf[0] = '\0';
		rec->long_dropped = true;
		return;
	}
	memcpy(buf, tag->value, tag->vallen);
	buf[tag->vallen] = '\0';
}

/* dmarc_use_flag - psd= or t= */
static int
dmarc_use_flag(const struct smtp2_tag *tag, struct smtp2_dmarc *rec,
    char *why, size_t whylen)
{
	int	i;

	if (smtp2_tag_is_nocase(tag, "psd")) {
		i = dmarc_keyword(tag, psd_words, NWORDS(psd_words),
		    "y, n, u", why, whylen);
		if (i >= 0)
			rec->psd = (enum smtp2_dmarc_psd)i;
	} else {
		i = dmarc_keyword(tag, yn_words, NWORDS(yn_words),
		    "y, n", why, whylen);
		if (i >= 0)
			rec->testing = i == 1;
	}
	return (i < 0 ? -1 : 0);
}

/* dmarc_use_tag - apply one tag after v=; unknown ones are ignored */
static int
dmarc_use_tag(const struct smtp2_tag *tag, struct dmarc_state *st,
    char *why, size_t whylen)
{
	struct smtp2_dmarc *rec = &st->rec;

	if (smtp2_tag_is_nocase(tag, "p")) {
		rec->p_missing = false;
		return (dmarc_policy(tag, &rec->p, why, whylen));
	}
	if (smtp2_tag_is_nocase(tag, "sp")) {
		st->has_sp = true;
		return (dmarc_policy(tag, &rec->sp, why, whylen));
	}
	if (smtp2_tag_is_nocase(tag, "np")) {
		st->has_np = true;
		return (dmarc_policy(tag, &rec->np, why, whylen));
	}
	if (smtp2_tag_is_nocase(tag, "adkim"))
		return (dmarc_align(tag, &rec->adkim, why, whylen));
	if (smtp2_tag_is_nocase(tag, "aspf"))
		return (dmarc_align(tag, &rec->aspf, why, whylen));
	if (smtp2_tag_is_nocase(tag, "psd") || smtp2_tag_is_nocase(tag, "t"))
		return (dmarc_use_flag(tag, rec, why, whylen));
	if (smtp2_tag_is_nocase(tag, "rua"))
		dmarc_copy(tag, rec->rua, sizeof(rec->rua), rec);
	else if (smtp2_tag_is_nocase(tag, "ruf"))
		dmarc_copy(tag, rec->ruf, sizeof(rec->ruf), rec);
	else if (smtp2_tag_is_nocase(tag, "fo"))
		dmarc_copy(tag, rec->fo, sizeof(rec->fo), rec);
	return (0);			/* incl. pct, rf, ri (RFC 9989) */
}

/* dmarc_version - the first tag: exactly "v=DMARC1" */
static int
dmarc_version(const struct smtp2_tag *tag, char *why, size_t whylen)
{
	char	q[SMTP2_TAG_QUOTE_MAX + 4];

	/* smtp2_tag_starts saw the word; the value must be only that. */
	if (tag->vallen != sizeof(DMARC_VERSION) - 1) {
		smtp2_why(why, whylen, "v=: expected ';' after " DMARC_VERSION
		    " (got '%s')", smtp2_tag_quote(tag, q));
		return (-1);
	}
	return (0);
}

/* dmarc_summary - the reason for a good record: what it asks */
static void
dmarc_summary(const struct smtp2_dmarc *rec, char *why, size_t whylen)
{
	smtp2_why(why, whylen, "p=%s%s sp=%s np=%s%s",
	    smtp2_dmarc_policy_name(rec->p),
	    rec->p_missing ? " (no p= tag)" : "",
	    smtp2_dmarc_policy_name(rec->sp),
	    smtp2_dmarc_policy_name(rec->np),
	    rec->testing ? " t=y" : "");
}

/* smtp2_dmarc_parse - parse one concatenated TXT string */
enum smtp2_dmarc_status
smtp2_dmarc_parse(const char *txt, size_t len, struct smtp2_dmarc *rec,
    char *why, size_t whylen)
{
	struct smtp2_tag_scan sc = {txt, len, 0, false};
	struct smtp2_tag seen[SMTP2_TAGS_MAX], tag;
	struct dmarc_state st;
	size_t	n = 0;
	int	got;

	/* "v" is case-insensitive (RFC 5234 string), "DMARC1" exact (%x). */
	if (!smtp2_tag_starts(txt, len, "v", DMARC_VERSION)
	    && !smtp2_tag_starts(txt, len, "V", DMARC_VERSION)) {
		smtp2_why(why, whylen, "not a v=" DMARC_VERSION " record");
		return (SMTP2_DMARC_ABSENT);
	}
	memset(&st, 0, sizeof(st));
	st.rec.p_missing = true;

	/* Each round consumes at least one byte, or ends the loop. */
	while ((got = smtp2_tag_next(&sc, &tag, why, whylen)) > 0) {
		if (smtp2_tag_seen_nocase(seen, n, &tag)) {
			smtp2_why(why, whylen, "duplicate tag '%.*s'",
			    SMTP2_TAG_NAME_SHOWN(&tag), tag.name);
			return (SMTP2_DMARC_INVALID);
		}
		if (n == SMTP2_TAGS_MAX) {
			smtp2_why(why, whylen, "more than %d tags",
			    SMTP2_TAGS_MAX);
			return (SMTP2_DMARC_INVALID);
		}
		if ((n == 0 ? dmarc_version(&tag, why, whylen) :
		    dmarc_use_tag(&tag, &st, why, whylen)) < 0)
			return (SMTP2_DMARC_INVALID);
		seen[n++] = tag;
	}
	if (got < 0)
		return (SMTP2_DMARC_INVALID);
	if (!st.has_sp)
		st.rec.sp = st.rec.p;
	if (!st.has_np)
		st.rec.np = st.rec.sp;
	if (rec != NULL)
		*rec = st.rec;
	dmarc_summary(&st.rec, why, whylen);
	return (SMTP2_DMARC_OK);
}

/* smtp2_dmarc_select - the one DMARC record among a name's TXT strings */
enum smtp2_dmarc_status
smtp2_dmarc_select(const char *const *txts, const size_t *lens, size_t n,
    struct smtp2_dmarc *rec, char *why, size_t whylen)
{
	enum smtp2_dmarc_status st, found = SMTP2_DMARC_ABSENT;
	static const struct smtp2_dmarc zero;
	struct smtp2_dmarc one, keep = zero;
	char	one_why[160], keep_why[160] = "";
	size_t	i, ours = 0, at = 0;

	for (i = 0; txts != NULL && i < n; i++) {
		if (txts[i] == NULL)
			continue;
		one = zero;
		st = smtp2_dmarc_parse(txts[i],
		    lens != NULL ? lens[i] : strlen(txts[i]),
		    &one, one_why, sizeof(one_why));
		if (st == SMTP2_DMARC_ABSENT)
			continue;
		if (++ours > 1) {
			smtp2_why(why, whylen, "more than one v=" DMARC_VERSION
			    " record (strings %zu and %zu): none applies",
			    at + 1, i + 1);
			return (SMTP2_DMARC_MULTIPLE);
		}
		found = st;
		at = i;
		keep = one;
		memcpy(keep_why, one_why, sizeof(keep_why));
	}
	if (found == SMTP2_DMARC_ABSENT) {
		smtp2_why(why, whylen, "no v=" DMARC_VERSION " record");
		return (SMTP2_DMARC_ABSENT);
	}
	smtp2_why(why, whylen, "%s", keep_why);
	if (found == SMTP2_DMARC_OK && rec != NULL)
		*rec = keep;
	return (found);
}
