/*
 * check_json.h - a small streaming JSON writer for smtp2-check --json.
 *
 * Values go straight to a FILE; the writer only remembers, per nesting
 * level, whether a comma is due.  Keys are given with each value inside an
 * object and are NULL inside arrays and at the top level.  Strings are
 * escaped as RFC 8259 section 7 requires; bytes that are not well-formed
 * UTF-8 become U+FFFD, so the output is always valid JSON whatever a
 * remote server sent us (banners, certificate names).
 */
#ifndef CHECK_JSON_H
#define CHECK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSONW_DEPTH_MAX	16

struct jsonw {
	FILE	*out;
	bool	pretty;			/* newlines and two-space indentation */
	bool	failed;			/* misuse: too deep, unbalanced, key where none belongs */
	int	depth;			/* open objects and arrays */
	bool	in_object[JSONW_DEPTH_MAX + 1];
	bool	comma[JSONW_DEPTH_MAX + 1];	/* a value was written at this level */
};

/* jsonw_init - start a document on out (not owned). */
void jsonw_init(struct jsonw *w, FILE *out, bool pretty);

void jsonw_object_open(struct jsonw *w, const char *key);
void jsonw_object_close(struct jsonw *w);
void jsonw_array_open(struct jsonw *w, const char *key);
void jsonw_array_close(struct jsonw *w);

/* jsonw_string - s NUL-terminated; NULL writes null. */
void jsonw_string(struct jsonw *w, const char *key, const char *s);
/* jsonw_string_len - len bytes of s, NUL bytes included (as \u0000). */
void jsonw_string_len(struct jsonw *w, const char *key, const char *s, size_t len);
void jsonw_int(struct jsonw *w, const char *key, long long v);
/* jsonw_double - v with that many decimals; NaN or infinite writes null. */
void jsonw_double(struct jsonw *w, const char *key, double v, int decimals);
void jsonw_bool(struct jsonw *w, const char *key, bool v);
void jsonw_null(struct jsonw *w, const char *key);

/*
 * jsonw_finish - end the document with a newline and flush.  Returns 0,
 * or -1 when the nesting was unbalanced, the writer was misused, or the
 * stream reported an error.
 */
int jsonw_finish(struct jsonw *w);

#endif
