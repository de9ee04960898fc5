/*
 * record.c - parse the _smtp2.<domain> TXT record (docs/record.md).
 *
 * A DKIM-style tag list (RFC 6376 3.2).  Deciding whether a string is ours
 * at all is kept apart from parsing it strictly: other TXT records at the
 * same name, and future versions, must be skipped quietly, while a string
 * that claims v=SMTP2v1 must be perfect or it is reported as broken.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "tags.h"
#include "why.h"
#include <smtp2/record.h>

#define RECORD_VERSION		"SMTP2v1"
#define RECORD_VERSION_LEN	(sizeof(RECORD_VERSION) - 1)
#define RECORD_TAGS_MAX		SMTP2_TAGS_MAX

static const char *const policy_names[] = {
	[SMTP2_POLICY_NONE] = "none",
	[SMTP2_POLICY_TAG] = "tag",
	[SMTP2_POLICY_ENFORCE] = "enforce",
};

#define POLICY_COUNT	(sizeof(policy_names) / sizeof(policy_names[0]))

/* smtp2_policy_name - "none", "tag", "enforce" */
const char *
smtp2_policy_name(enum smtp2_policy p)
{
	return ((unsigned)p < POLICY_COUNT ? policy_names[p] : "invalid");
}

/* smtp2_policy_parse - case-insensitive inverse of smtp2_policy_name */
int
smtp2_policy_parse(const char *name, enum smtp2_policy *p)
{
	size_t	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < POLICY_COUNT; i++) {
		if (strcasecmp(name, policy_names[i]) == 0) {
			*p = (enum smtp2_policy)i;
			return (0);
		}
	}
	return (-1);
}

/* record_tag_is - is this tag called name? (names are case-sensitive) */
static bool
record_tag_is(const struct smtp2_tag *tag, const char *name)
{
	return (tag->namelen == strlen(name)
	    && memcmp(tag->name, name, tag->namelen) == 0);
}

/* record_seen - has a tag of this name come before? */
static bool
record_seen(const struct smtp2_tag *seen, size_t n,
    const struct smtp2_tag *tag)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (seen[i].namelen == tag->namelen
		    && memcmp(seen[i].name, tag->name, tag->namelen) == 0)
			return (true);
	return (false);
}

/* record_policy - interpret the value of p= or sp= */
static int
record_policy(const struct smtp2_tag *tag, enum smtp2_policy *p,
    char *why, size_t whylen)
{
	char	q[SMTP2_TAG_QUOTE_MAX + 4];
	size_t	i;

	if (tag->vallen == 0) {
		smtp2_why(why, whylen, "%.*s=: empty value (none, tag, enforce)",
		    SMTP2_TAG_NAME_SHOWN(tag), tag->name);
		return (-1);
	}
	for (i = 0; i < POLICY_COUNT; i++) {
		if (tag->vallen == strlen(policy_names[i])
		    && strncasecmp(tag->value, policy_names[i], tag->vallen) == 0) {
			*p = (enum smtp2_policy)i;
			return (0);
		}
	}
	smtp2_why(why, whylen, "%.*s=: unknown policy '%s' (none, tag, enforce)",
	    SMTP2_TAG_NAME_SHOWN(tag), tag->name, smtp2_tag_quote(tag, q));
	return (-1);
}

/* record_host_ok - one hosts= entry: a host name, or "*." and one */
static bool
record_host_ok(const char *h, size_t len)
{
	size_t	i, label = 0, dots = 0;

	if (len >= 2 && h[0] == '*' && h[1] == '.') {
		h += 2;
		len -= 2;
	}
	if (len == 0 || len > SMTP2_HOST_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return (false);
			label = 0;
			dots++;
		} else if (isalnum((unsigned char)h[i]) ||
		    (h[i] == '-' && label > 0)) {
			if (++label > 63)
				return (false);
		} else
			return (false);
	}
	/* "*.net" or a bare word would hand the domain to the world. */
	return (label > 0 && h[len - 1] != '-' && dots >= 1);
}

/* record_hosts - interpret hosts=, a colon-separated list of names */
static int
record_hosts(const struct smtp2_tag *tag, struct smtp2_record *rec,
    char *why, size_t whylen)
{
	const char *p = tag->value, *end = tag->value + tag->vallen, *e;
	size_t	len;

	while (p < end) {
		while (p < end && smtp2_tag_is_wsp((unsigned char)*p))
			p++;
		for (e = p; e < end && *e != ':'; e++)
			;
		len = (size_t)(e - p);
		while (len > 0 && smtp2_tag_is_wsp((unsigned char)p[len - 1]))
			len--;
		if (!record_host_ok(p, len)) {
			struct smtp2_tag ent = *tag;
			char	q[SMTP2_TAG_QUOTE_MAX + 4];

			ent.value = p;
			ent.vallen = len;
			smtp2_why(why, whylen, "hosts=: '%s' is not a host name "
			    "or *.domain pattern", smtp2_tag_quote(&ent, q));
			return (-1);
		}
		if (rec->n_hosts == SMTP2_RECORD_HOSTS_MAX) {
			smtp2_why(why, whylen, "hosts=: more than %d entries",
			    SMTP2_RECORD_HOSTS_MAX);
			return (-1);
		}
		memcpy(rec->hosts[rec->n_hosts], p, len);
		rec->hosts[rec->n_hosts++][len] = '\0';
		p = e < end ? e + 1 : e;
	}
	if (rec->n_hosts == 0) {
		smtp2_why(why, whylen, "hosts=: empty list");
		return (-1);
	}
	return (0);
}

/* record_use_tag - check one tag against those seen and apply it */
static int
record_use_tag(const struct smtp2_tag *tag, size_t n,
    struct smtp2_record *rec, bool *has_sp, char *why, size_t whylen)
{
	char	q[SMTP2_TAG_QUOTE_MAX + 4];

	if (n == 0) {
		/* smtp2_tag_starts saw the word; the value must be only that. */
		if (tag->vallen != RECORD_VERSION_LEN) {
			smtp2_why(why, whylen, "v=: expected ';' after "
			    RECORD_VERSION " (got '%s')",
			    smtp2_tag_quote(tag, q));
			return (-1);
		}
		return (0);
	}
	if (record_tag_is(tag, "p"))
		return (record_policy(tag, &rec->policy, why, whylen));
	if (record_tag_is(tag, "sp")) {
		*has_sp = true;
		return (record_policy(tag, &rec->subdomain_policy, why, whylen));
	}
	if (record_tag_is(tag, "hosts"))
		return (record_hosts(tag, rec, why, whylen));
	return (0);				/* unknown tags are ignored */
}

/* smtp2_record_parse - parse one concatenated TXT string */
enum smtp2_record_status
smtp2_record_parse(const char *txt, size_t len,
    struct smtp2_record *rec, char *why, size_t whylen)
{
	struct smtp2_tag_scan sc = {txt, len, 0, false};
	struct smtp2_tag seen[RECORD_TAGS_MAX], tag;
	struct smtp2_record tmp;
	size_t	n = 0;
	bool	has_sp = false;
	int	got;

	memset(&tmp, 0, sizeof(tmp));

	if (txt == NULL || !smtp2_tag_starts(txt, len, "v", RECORD_VERSION)) {
		smtp2_why(why, whylen, "not a v=" RECORD_VERSION " record");
		return (SMTP2_RECORD_ABSENT);
	}

	/* Each round consumes at least one byte, or ends the loop. */
	while ((got = smtp2_tag_next(&sc, &tag, why, whylen)) > 0) {
		if (record_seen(seen, n, &tag)) {
			smtp2_why(why, whylen, "duplicate tag '%.*s'",
			    SMTP2_TAG_NAME_SHOWN(&tag), tag.name);
			return (SMTP2_RECORD_INVALID);
		}
		if (n == RECORD_TAGS_MAX) {
			smtp2_why(why, whylen, "more than %d tags",
			    RECORD_TAGS_MAX);
			return (SMTP2_RECORD_INVALID);
		}
		if (record_use_tag(&tag, n, &tmp, &has_sp, why, whylen) < 0)
			return (SMTP2_RECORD_INVALID);
		seen[n++] = tag;
	}
	if (got < 0)
		return (SMTP2_RECORD_INVALID);
	if (!has_sp)
		tmp.subdomain_policy = tmp.policy;
	if (rec != NULL)
		*rec = tmp;
	smtp2_why(why, whylen, "p=%s", smtp2_policy_name(tmp.policy));
	return (SMTP2_RECORD_OK);
}

/* smtp2_record_select - the one SMTP2v1 record among a name's TXT strings */
enum smtp2_record_status
smtp2_record_select(const char *const *txts,
    const size_t *lens, size_t n, struct smtp2_record *rec,
    char *why, size_t whylen)
{
	enum smtp2_record_status st, found = SMTP2_RECORD_ABSENT;
	struct smtp2_record one, tmp = {0};
	char	one_why[160], tmp_why[160] = "";
	size_t	i, ours = 0;

	for (i = 0; txts != NULL && i < n; i++) {
		if (txts[i] == NULL)
			continue;
		st = smtp2_record_parse(txts[i],
		    lens != NULL ? lens[i] : strlen(txts[i]),
		    &one, one_why, sizeof(one_why));
		if (st == SMTP2_RECORD_ABSENT)
			continue;
		if (++ours > 1) {
			smtp2_why(why, whylen,
			    "more than one v=" RECORD_VERSION " record");
			return (SMTP2_RECORD_INVALID);
		}
		found = st;
		tmp = one;
		memcpy(tmp_why, one_why, sizeof(tmp_why));
	}
	if (found == SMTP2_RECORD_ABSENT) {
		smtp2_why(why, whylen, "no v=" RECORD_VERSION " record");
		return (SMTP2_RECORD_ABSENT);
	}
	smtp2_why(why, whylen, "%s", tmp_why);
	if (found == SMTP2_RECORD_OK && rec != NULL)
		*rec = tmp;
	return (found);
}
