/*
 * dkim_int.h - private glue between dkim_tag.c, dkim_sig.c and dkim_key.c:
 * the RFC 6376 3.2 tag-list scanner, base64 and value helpers.
 *
 * Not part of the library's contract (that is smtp2/dkim.h).  Names keep
 * the smtp2_dkim_ prefix only because a static library cannot hide them.
 */
#ifndef SMTP2_DKIM_INT_H
#define SMTP2_DKIM_INT_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Application-specific. */
#include <smtp2/dkim.h>
#include "tags.h"

#define SMTP2_DKIM_TAGS_MAX	32	/* tags in one list, unknown included */
#define SMTP2_DKIM_QUOTE_MAX	32	/* bytes of a bad value shown in why */

/* A whole tag list, in the order written. */
struct smtp2_dkim_tags {
	size_t		n;
	struct smtp2_tag t[SMTP2_DKIM_TAGS_MAX];	/* values FWS-trimmed */
};

/* dkim_tag.c */

/* smtp2_dkim_tags_parse - split a tag list; 0, or -1 with a reason
 * (syntax, a repeated tag, too many tags). */
int smtp2_dkim_tags_parse(const char *s, size_t len,
    struct smtp2_dkim_tags *tags, char *why, size_t whylen);

/* smtp2_dkim_tag_get - the tag called name, or NULL */
const struct smtp2_tag *smtp2_dkim_tag_get(
    const struct smtp2_dkim_tags *tags, const char *name);

/* smtp2_dkim_is_fws - space, tab, CR or LF (folding already checked) */
bool smtp2_dkim_is_fws(unsigned char c);

/* smtp2_dkim_tag_bad - why = "x=: <what> 'value'"; returns -1. */
int smtp2_dkim_tag_bad(const struct smtp2_tag *tag, const char *what,
    char *why, size_t whylen);

/* smtp2_dkim_quote - a value for a reason, printable, cut with "..." */
const char *smtp2_dkim_quote(const char *p, size_t len,
    char buf[SMTP2_DKIM_QUOTE_MAX + 4]);

/* smtp2_dkim_is - does the run equal word, ignoring ASCII case? */
bool smtp2_dkim_is(const char *p, size_t len, const char *word);

/* smtp2_dkim_next_item - the next colon-separated item of a value,
 * FWS trimmed; false at the end.  *pos starts at 0. */
bool smtp2_dkim_next_item(const struct smtp2_tag *tag, size_t *pos,
    struct smtp2_dkim_str *item);

/* dkim_b64.c */

/* smtp2_dkim_b64 - decode tag's base64 value (FWS allowed) into out;
 * *outlen gets the size.  0, or -1 with a reason naming the tag. */
int smtp2_dkim_b64(const struct smtp2_tag *tag, unsigned char *out,
    size_t outmax, size_t *outlen, char *why, size_t whylen);

#endif
