/*
 * submit_hdr.c - address lists in header fields (RFC 5322 3.4 with the
 * obsolete forms of 4.4), walked mailbox by mailbox so the submission
 * checks can judge each domain and each address a login uses.
 *
 * A small lexer yields atoms, quoted strings, domain literals and
 * specials, skipping folding white space and nested comments; a
 * recursive-descent walk over it reports every mailbox with the byte
 * offset where its domain ends, so a caller can expand it in place.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/submit.h>

enum hdr_tok {
	HT_END = 0,
	HT_ATOM,
	HT_QUOTED,
	HT_LITERAL,
	HT_SPECIAL,
	HT_ERROR
};

struct walk {
	const char	*base;		/* the whole value */
	const char	*p;		/* next unread byte */
	enum hdr_tok	type;		/* current token */
	const char	*start;
	size_t		len;
	smtp2_submit_mailbox_fn fn;
	void		*arg;
	int		count;		/* mailboxes so far */
	int		stop;		/* the callback's non-zero answer */
	char		*why;
	size_t		whylen;
};

static int walk_mailbox(struct walk *w, int group_ok);

/* wfail - the reason into why; always -1 */
static int __attribute__((format(printf, 2, 3)))
wfail(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	w->type = HT_ERROR;
	if (w->why != NULL && w->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(w->why, w->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* hdr_atext - RFC 5322 atext, UTF-8 bytes allowed (RFC 6532) */
static int
hdr_atext(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* skip_cfws - white space, folding and nested comments */
static int
skip_cfws(struct walk *w)
{
	unsigned depth = 0;

	for (; *w->p != '\0'; w->p++) {
		if (*w->p == '\\' && depth > 0) {
			if (*++w->p == '\0')
				break;
		} else if (*w->p == '(') {
			depth++;
		} else if (*w->p == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && strchr(" \t\r\n", *w->p) == NULL) {
			return 0;
		}
	}
	return depth > 0 ? wfail(w, "unterminated comment") : 0;
}

/* delimited - a quoted string or domain literal ending with close */
static int
delimited(struct walk *w, char close, enum hdr_tok type)
{
	const char *s = w->p++;

	for (; *w->p != '\0' && *w->p != close; w->p++)
		if (*w->p == '\\' && *++w->p == '\0')
			break;
	if (*w->p != close)
		return wfail(w, "unterminated %s", type == HT_QUOTED ?
		    "quoted string" : "domain literal");
	w->p++;
	w->type = type;
	w->start = s;
	w->len = (size_t)(w->p - s);
	return 0;
}

/* advance - the next token */
static int
advance(struct walk *w)
{
	if (skip_cfws(w) < 0)
		return -1;
	w->start = w->p;
	w->len = 0;
	if (*w->p == '\0') {
		w->type = HT_END;
		return 0;
	}
	if (*w->p == '"')
		return delimited(w, '"', HT_QUOTED);
	if (*w->p == '[')
		return delimited(w, ']', HT_LITERAL);
	if (strchr("<>:;@,.", *w->p) != NULL) {
		w->type = HT_SPECIAL;
		w->len = 1;
		w->p++;
		return 0;
	}
	if (!hdr_atext((unsigned char)*w->p))
		return wfail(w, "unexpected byte 0x%02x", (unsigned char)*w->p);
	while (hdr_atext((unsigned char)*w->p))
		w->p++;
	w->type = HT_ATOM;
	w->len = (size_t)(w->p - w->start);
	return 0;
}

/* is_sp - the current token is special c */
static int
is_sp(const struct walk *w, char c)
{
	return w->type == HT_SPECIAL && *w->start == c;
}

/* words - a phrase or local part: the span from first to last word */
static int
words(struct walk *w, const char **s, const char **e)
{
	*s = *e = NULL;
	while (w->type == HT_ATOM || w->type == HT_QUOTED || is_sp(w, '.')) {
		if (*s == NULL)
			*s = w->start;
		*e = w->start + w->len;
		if (advance(w) < 0)
			return -1;
	}
	return 0;
}

/* domain - dot-atom or literal, lower-cased into out; end offset in *end */
static int
domain(struct walk *w, char *out, size_t outlen, size_t *end)
{
	size_t n = 0, i;

	if (w->type == HT_LITERAL) {
		if (w->len >= outlen)
			return wfail(w, "domain literal too long");
		memcpy(out, w->start, w->len);
		out[w->len] = '\0';
		*end = (size_t)(w->start + w->len - w->base);
		return advance(w);
	}
	for (;;) {
		if (w->type != HT_ATOM)
			return wfail(w, "a domain was expected");
		if (n + w->len + 2 > outlen)
			return wfail(w, "domain too long");
		if (n > 0)
			out[n++] = '.';
		for (i = 0; i < w->len; i++) {
			char c = w->start[i];
			out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		out[n] = '\0';
		*end = (size_t)(w->start + w->len - w->base);
		if (advance(w) < 0)
			return -1;
		if (!is_sp(w, '.'))
			return 0;
		if (advance(w) < 0)
			return -1;
	}
}

/* addr_spec - "@" domain after a local part spanning s..e; report it */
static int
addr_spec(struct walk *w, const char *s, const char *e)
{
	char local[2 * SMTP2_SUBMIT_PATH_MAX], dom[SMTP2_SUBMIT_PATH_MAX];
	size_t end = 0, n;

	if (s == NULL)
		return wfail(w, "mailbox without local part");
	if (!is_sp(w, '@'))
		return wfail(w, "mailbox without domain");
	n = (size_t)(e - s);
	if (n >= sizeof(local))
		return wfail(w, "local part too long");
	memcpy(local, s, n);
	local[n] = '\0';
	if (advance(w) < 0 || domain(w, dom, sizeof(dom), &end) < 0)
		return -1;
	w->count++;
	if (w->fn != NULL && (w->stop = w->fn(w->arg, local, dom, end)) != 0)
		return -1;
	return 0;
}

/* angle - "<" [route ":"] addr-spec ">" */
static int
angle(struct walk *w)
{
	char scratch[SMTP2_SUBMIT_PATH_MAX];
	const char *s, *e;
	size_t end;

	if (advance(w) < 0)
		return -1;
	while (is_sp(w, '@') || is_sp(w, ',')) {	/* obs-route */
		if (advance(w) < 0)
			return -1;
		if (w->type == HT_ATOM && domain(w, scratch, sizeof(scratch), &end) < 0)
			return -1;
		if (is_sp(w, ':') && advance(w) < 0)
			return -1;
	}
	if (words(w, &s, &e) < 0 || addr_spec(w, s, e) < 0)
		return -1;
	if (!is_sp(w, '>'))
		return wfail(w, "'>' was expected");
	return advance(w);
}

/* group - display-name ":" [mailbox-list] ";" */
static int
group(struct walk *w)
{
	if (advance(w) < 0)
		return -1;
	for (;;) {
		if (is_sp(w, ';'))
			return advance(w);
		if (w->type == HT_END)
			return wfail(w, "group without ';'");
		if (is_sp(w, ',')) {
			if (advance(w) < 0)
				return -1;
			continue;
		}
		if (walk_mailbox(w, 0) < 0)
			return -1;
		if (w->type == HT_END)
			return wfail(w, "group without ';'");
		if (!is_sp(w, ',') && !is_sp(w, ';'))
			return wfail(w, "unexpected text after a mailbox in a group");
	}
}

/* walk_mailbox - name-addr, addr-spec, or a group at the top level */
static int
walk_mailbox(struct walk *w, int group_ok)
{
	const char *s, *e;

	if (words(w, &s, &e) < 0)
		return -1;
	if (is_sp(w, '<'))
		return angle(w);
	if (is_sp(w, ':'))
		return group_ok ? group(w) : wfail(w, "group inside a group");
	return addr_spec(w, s, e);
}

/* smtp2_submit_addrlist - see submit.h */
int
smtp2_submit_addrlist(const char *value, smtp2_submit_mailbox_fn fn, void *arg,
    char *why, size_t whylen)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.base = w.p = value != NULL ? value : "";
	w.fn = fn;
	w.arg = arg;
	w.why = why;
	w.whylen = whylen;
	if (advance(&w) < 0)
		return -1;
	while (w.type != HT_END) {
		if (is_sp(&w, ',')) {
			if (advance(&w) < 0)
				return -1;
			continue;
		}
		if (walk_mailbox(&w, 1) < 0)
			return w.stop != 0 ? -2 : -1;
		if (w.type != HT_END && !is_sp(&w, ','))
			return wfail(&w, "unexpected text after a mailbox");
	}
	return w.count;
}
