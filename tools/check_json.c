/*
 * check_json.c - the JSON writer behind smtp2-check --json.
 *
 * Everything printed comes from DNS, certificates or a remote SMTP server,
 * i.e. from strangers: strings are escaped byte by byte and anything that
 * is not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF) is replaced, so a consumer's parser never chokes.
 */

/* System library. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "check_json.h"

/* jsonw_init - an empty document */
void
jsonw_init(struct jsonw *w, FILE *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
}

/* jsonw_newline - in pretty mode, a line break and the indentation */
static void
jsonw_newline(struct jsonw *w)
{
	int i;

	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* jsonw_utf8_len - length of the well-formed UTF-8 sequence at s, or 0 */
static size_t
jsonw_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	/* The second byte's range excludes overlongs, surrogates, > U+10FFFF. */
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/* jsonw_short_escape - the two-character escape RFC 8259 gives c, or NULL */
static const char *
jsonw_short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

/* jsonw_quote - s as a JSON string literal */
static void
jsonw_quote(struct jsonw *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *esc;
	size_t i = 0, n;

	fputc('"', w->out);
	while (i < len) {
		if ((esc = jsonw_short_escape(p[i])) != NULL) {
			fputs(esc, w->out);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7F) {
			fprintf(w->out, "\\u%04x", p[i]);
			i++;
		} else if ((n = jsonw_utf8_len(p + i, len - i)) == 0) {
			fputs("\\ufffd", w->out);	/* one per bad byte */
			i++;
		} else {
			fwrite(p + i, 1, n, w->out);
			i += n;
		}
	}
	fputc('"', w->out);
}

/* jsonw_begin_value - comma, indentation and key before any value */
static void
jsonw_begin_value(struct jsonw *w, const char *key)
{
	bool in_object = w->in_object[w->depth];

	/* A key exactly inside objects; a second top-level value is misuse. */
	if ((key != NULL) != in_object || (w->depth == 0 && w->comma[0]))
		w->failed = true;
	if (w->comma[w->depth])
		fputc(',', w->out);
	if (w->depth > 0)
		jsonw_newline(w);
	w->comma[w->depth] = true;
	if (key != NULL) {
		jsonw_quote(w, key, strlen(key));
		fputs(w->pretty ? ": " : ":", w->out);
	}
}

/* jsonw_open - start an object or an array */
static void
jsonw_open(struct jsonw *w, const char *key, bool object)
{
	jsonw_begin_value(w, key);
	fputc(object ? '{' : '[', w->out);
	if (w->depth == JSONW_DEPTH_MAX) {
		w->failed = true;	/* keep writing, but say so at the end */
		return;
	}
	w->depth++;
	w->in_object[w->depth] = object;
	w->comma[w->depth] = false;
}

/* jsonw_close - end the innermost object or array */
static void
jsonw_close(struct jsonw *w, bool object)
{
	bool empty;

	if (w->depth == 0 || w->in_object[w->depth] != object) {
		w->failed = true;
		return;
	}
	empty = !w->comma[w->depth];
	w->depth--;
	if (!empty)
		jsonw_newline(w);
	fputc(object ? '}' : ']', w->out);
}

/* jsonw_object_open - "{" (key: inside an object) */
void
jsonw_object_open(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, true);
}

/* jsonw_object_close - "}" */
void
jsonw_object_close(struct jsonw *w)
{
	jsonw_close(w, true);
}

/* jsonw_array_open - "[" */
void
jsonw_array_open(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, false);
}

/* jsonw_array_close - "]" */
void
jsonw_array_close(struct jsonw *w)
{
	jsonw_close(w, false);
}

/* jsonw_string - a NUL-terminated string, or null */
void
jsonw_string(struct jsonw *w, const char *key, const char *s)
{
	if (s == NULL) {
		jsonw_null(w, key);
		return;
	}
	jsonw_string_len(w, key, s, strlen(s));
}

/* jsonw_string_len - a counted string, NUL bytes allowed */
void
jsonw_string_len(struct jsonw *w, const char *key, const char *s, size_t len)
{
	jsonw_begin_value(w, key);
	jsonw_quote(w, s, len);
}

/* jsonw_int - an integer */
void
jsonw_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_begin_value(w, key);
	fprintf(w->out, "%lld", v);
}

/* jsonw_double - a fixed-point number, or null where JSON has none */
void
jsonw_double(struct jsonw *w, const char *key, double v, int decimals)
{
	if (!isfinite(v)) {
		jsonw_null(w, key);
		return;
	}
	jsonw_begin_value(w, key);
	fprintf(w->out, "%.*f", decimals, v);
}

/* jsonw_bool - true or false */
void
jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_begin_value(w, key);
	fputs(v ? "true" : "false", w->out);
}

/* jsonw_null - null */
void
jsonw_null(struct jsonw *w, const char *key)
{
	jsonw_begin_value(w, key);
	fputs("null", w->out);
}

/* jsonw_finish - final newline; did everything balance and get written? */
int
jsonw_finish(struct jsonw *w)
{
	fputc('\n', w->out);
	if (fflush(w->out) != 0 || ferror(w->out))
		return -1;
	return w->depth == 0 && w->comma[0] && !w->failed ? 0 : -1;
}
