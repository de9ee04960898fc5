/*
 * log_json.c - a log line as one JSON object (log_json.h).
 *
 * Written into a fixed buffer with a reserve for the closing brackets, so
 * a cut line is still a whole object: tools that parse every line never
 * meet half a record.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "log_json.h"

#define JSON_RESERVE	8	/* room kept for closing a cut object */

struct jout {
	char	*buf;
	size_t	len;		/* usable, JSON_RESERVE kept back */
	size_t	n;
	bool	full;
};

/* jput - raw bytes, all or nothing */
static void
jput(struct jout *o, const char *s, size_t n)
{
	if (o->full || o->n + n > o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->n, s, n);
	o->n += n;
}

/* jclose - a closing bracket, written into the reserve if need be: the
 * reserve holds every closer one object can need */
static void
jclose(struct jout *o, char c)
{
	o->buf[o->n++] = c;
}

/* jstr - a JSON string of n bytes of s, escaped; all or nothing */
static void
jstr(struct jout *o, const char *s, size_t n)
{
	char	esc[8];
	size_t	mark = o->n, i;
	unsigned char c;

	jput(o, "\"", 1);
	for (i = 0; i < n && !o->full; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jput(o, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jput(o, esc, 6);
		} else {
			jput(o, (const char *)&s[i], 1);
		}
	}
	jput(o, "\"", 1);
	if (o->full)
		o->n = mark;		/* the member goes whole or not at all */
}

/* jmember - ,"key":"value" (or a bare number when num) */
static void
jmember(struct jout *o, bool first, const char *k, size_t kn, const char *v,
    size_t vn, bool num)
{
	size_t	mark = o->n;

	if (!first)
		jput(o, ",", 1);
	jstr(o, k, kn);
	jput(o, ":", 1);
	if (num)
		jput(o, v, vn);
	else
		jstr(o, v, vn);
	if (o->full)
		o->n = mark;
}

/* is_number - only digits, at least one */
static bool
is_number(const char *v, size_t n)
{
	return n > 0 && n < 20 && strspn(v, "0123456789") >= n;
}

/* jvalue - the value at p (quoted with \" escapes, or up to a space);
 * *vn gets its raw length, the return is past it */
static const char *
jvalue(const char *p, const char **v, size_t *vn, char *tmp, size_t tmplen)
{
	size_t	n = 0;

	if (*p != '"') {
		*v = p;
		*vn = strcspn(p, " ");
		return p + *vn;
	}
	for (p++; *p != '\0' && *p != '"' && n + 1 < tmplen; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		tmp[n++] = *p;
	}
	*v = tmp;
	*vn = n;
	return *p == '"' ? p + 1 : p;
}

/* jverdict - "k=v k=\"v\" ..." as members of an object */
static void
jverdict(struct jout *o, const char *p)
{
	char	tmp[2048];
	const char *k, *v, *eq;
	size_t	vn;
	bool	first = true;

	jput(o, ",\"verdict\":{", 12);
	while (*p != '\0' && !o->full) {
		p += strspn(p, " ");
		if ((eq = strchr(p, '=')) == NULL || eq == p || memchr(p, ' ',
		    (size_t)(eq - p)) != NULL)
			break;		/* not a field: the rest is no verdict */
		k = p;
		p = jvalue(eq + 1, &v, &vn, tmp, sizeof(tmp));
		jmember(o, first, k, (size_t)(eq - k), v, vn,
		    (size_t)(eq - k) == 2 && strncmp(k, "ms", 2) == 0 &&
		    is_number(v, vn));
		first = false;
	}
	jclose(o, '}');
}

/* smtp2d_log_json - see log_json.h */
size_t
smtp2d_log_json(char *buf, size_t len, const char *level, const char *msg)
{
	struct jout o = { buf, len - JSON_RESERVE, 0, false };

	jput(&o, "{", 1);
	jmember(&o, true, "level", 5, level, strlen(level), false);
	if (strncmp(msg, "verdict ", 8) == 0)
		jverdict(&o, msg + 8);
	else
		jmember(&o, false, "msg", 3, msg, strlen(msg), false);
	jclose(&o, '}');
	buf[o.n] = '\0';
	return o.n;
}
