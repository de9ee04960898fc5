/*
 * from.c - find the domain of an RFC 5322 From: field.
 *
 * A small lexer turns the value into atoms, quoted strings, domain
 * literals and specials, skipping folding white space and (nested)
 * comments; a recursive-descent parser walks the address list over it.
 * Only the domains are kept: smtp2 never needs the local parts.
 */

/* System library. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Library. */
#include <smtp2/verify.h>

/* Application-specific. */
#include "from.h"

enum tok_type {
	TOK_END = 0,
	TOK_ATOM,		/* 1*atext */
	TOK_QUOTED,		/* "..." */
	TOK_LITERAL,		/* [...] */
	TOK_SPECIAL,		/* one of < > : ; @ , . */
	TOK_ERROR		/* why has been written */
};

struct tok {
	enum tok_type	type;
	const char	*start;
	size_t		len;
};

/* What a run of words was: a phrase, or a local part word *("." word). */
struct words {
	unsigned	n;
	bool		dotted;
};

struct parser {
	const char	*p;		/* next unread byte */
	struct tok	tok;		/* current token */
	char		domain[SMTP2_DOMAIN_MAX + 1];	/* of the first mailbox */
	unsigned	mailboxes;
	char		*why;
	size_t		whylen;
};

static int parse_mailbox(struct parser *ps, bool group_allowed);

/* fail - record why parsing stopped; always returns -1 */
static int __attribute__((format(printf, 2, 3)))
fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	ps->tok.type = TOK_ERROR;
	if (ps->why != NULL && ps->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(ps->why, ps->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* is_atext - RFC 5322 atext, plus UTF-8 bytes (RFC 6532) */
static bool
is_atext(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* is_fws - folding white space; the MTA may leave CR LF in folded values */
static bool
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* describe - a short printable name for the current token, for reasons */
static const char *
describe(const struct tok *t, char *buf, size_t len)
{
	size_t i, n;

	switch (t->type) {
	case TOK_END:
		return "end of header";
	case TOK_QUOTED:
		return "quoted string";
	case TOK_LITERAL:
		return "domain literal";
	case TOK_SPECIAL:
		snprintf(buf, len, "'%c'", *t->start);
		return buf;
	default:
		break;
	}
	n = t->len < 40 ? t->len : 40;
	for (i = 0; i < n && i + 3 < len; i++)
		buf[i + 1] = (unsigned char)t->start[i] < 0x80 ? t->start[i] : '?';
	buf[0] = '"';
	buf[i + 1] = '"';
	buf[i + 2] = '\0';
	return buf;
}

/* skip_cfws - skip white space and nested comments with quoted pairs */
static int
skip_cfws(struct parser *ps)
{
	unsigned depth = 0;
	char c;

	for (;; ps->p++) {
		c = *ps->p;
		if (c == '\0')
			return depth ? fail(ps, "From header: unterminated "
			    "comment") : 0;
		if (depth == 0 && c != '(' && !is_fws(c))
			return 0;
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (c == '\\' && depth > 0 && *++ps->p == '\0')
			return fail(ps, "From header: unterminated comment");
	}
}

/* scan_delimited - a quoted string or domain literal ending at close */
static int
scan_delimited(struct parser *ps, char close, const char *what)
{
	const char *p = ps->p + 1;

	while (*p != close) {
		if (*p == '\\')	/* quoted pair: the next byte is taken literally */
			p++;
		else if (close == ']' && *p == '[')
			return fail(ps, "From header: '[' inside domain literal");
		if (*p == '\0')
			return fail(ps, "From header: unterminated %s", what);
		p++;
	}
	ps->tok.start = ps->p;
	ps->tok.len = (size_t)(p + 1 - ps->p);
	ps->p = p + 1;
	return 0;
}

/* advance - read the next token into ps->tok */
static int
advance(struct parser *ps)
{
	unsigned char c;

	if (skip_cfws(ps) < 0)
		return -1;
	c = (unsigned char)*ps->p;
	ps->tok.start = ps->p;
	ps->tok.len = 1;
	if (c == '\0') {
		ps->tok.type = TOK_END;
		ps->tok.len = 0;
	} else if (c == '"') {
		ps->tok.type = TOK_QUOTED;
		return scan_delimited(ps, '"', "quoted string");
	} else if (c == '[') {
		ps->tok.type = TOK_LITERAL;
		return scan_delimited(ps, ']', "domain literal");
	} else if (strchr("<>:;@,.", c) != NULL) {
		ps->tok.type = TOK_SPECIAL;
		ps->p++;
	} else if (is_atext(c)) {
		ps->tok.type = TOK_ATOM;
		while (is_atext((unsigned char)*ps->p))
			ps->p++;
		ps->tok.len = (size_t)(ps->p - ps->tok.start);
	} else if (c >= 0x20 && c < 0x7f) {
		return fail(ps, "From header: unexpected '%c'", c);
	} else {
		return fail(ps, "From header: unexpected byte 0x%02x", c);
	}
	return 0;
}

/* is_special - is the current token the special character c? */
static bool
is_special(const struct parser *ps, char c)
{
	return ps->tok.type == TOK_SPECIAL && *ps->tok.start == c;
}

/* unexpected - fail on the current token */
static int
unexpected(struct parser *ps, const char *where)
{
	char buf[48];

	return fail(ps, "From header: unexpected %s%s",
	    describe(&ps->tok, buf, sizeof(buf)), where);
}

/* collect_words - a phrase or local part; note if it is word *("." word) */
static int
collect_words(struct parser *ps, struct words *w)
{
	bool want_word = true;

	w->n = 0;
	w->dotted = true;
	for (;;) {
		if (ps->tok.type == TOK_ATOM || ps->tok.type == TOK_QUOTED) {
			if (!want_word)
				w->dotted = false;
			want_word = false;
			w->n++;
		} else if (is_special(ps, '.')) {
			if (want_word)
				w->dotted = false;
			want_word = true;
		} else {
			break;
		}
		if (advance(ps) < 0)
			return -1;
	}
	if (want_word)
		w->dotted = false;
	return 0;
}

/* append_label - add one lower-cased DNS label to the domain being read */
static int
append_label(struct parser *ps, char *out, size_t outlen, size_t *n)
{
	size_t i;
	unsigned char c;

	if (*n + ps->tok.len + 1 >= outlen)
		return fail(ps, "From header: domain longer than %zu characters",
		    outlen - 1);
	if (*n > 0)
		out[(*n)++] = '.';
	for (i = 0; i < ps->tok.len; i++) {
		c = (unsigned char)ps->tok.start[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c < 0x80 && !(c >= 'a' && c <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_')
			return fail(ps, "From header: invalid character '%c'"
			    " in domain", c);
		out[(*n)++] = (char)c;
	}
	out[*n] = '\0';
	return 0;
}

/* parse_domain - dot-atom or obs-domain into out; literals are refused */
static int
parse_domain(struct parser *ps, char *out, size_t outlen)
{
	size_t n = 0;

	if (ps->tok.type == TOK_LITERAL)
		return fail(ps, "From domain is an address literal: %.*s",
		    (int)(ps->tok.len < 48 ? ps->tok.len : 48), ps->tok.start);
	for (;;) {
		if (ps->tok.type != TOK_ATOM)
			return unexpected(ps, " where a domain was expected");
		if (append_label(ps, out, outlen, &n) < 0 || advance(ps) < 0)
			return -1;
		if (!is_special(ps, '.'))
			return 0;
		if (advance(ps) < 0)
			return -1;
	}
}

/* mailbox_done - one more mailbox: it must share the first one's domain */
static int
mailbox_done(struct parser *ps, const char *domain)
{
	if (ps->mailboxes++ == 0) {
		memcpy(ps->domain, domain, strlen(domain) + 1);
		return 0;
	}
	if (strcmp(ps->domain, domain) != 0)
		return fail(ps, "From mailboxes in different domains: %s, %s",
		    ps->domain, domain);
	return 0;
}

/* parse_addr_spec - local-part "@" domain, the local part already read */
static int
parse_addr_spec(struct parser *ps, const struct words *local)
{
	char domain[SMTP2_DOMAIN_MAX + 1];

	if (!is_special(ps, '@'))
		return local->n ? fail(ps, "From header: mailbox without domain")
		    : unexpected(ps, "");
	if (local->n == 0)
		return fail(ps, "From header: mailbox without local part");
	if (!local->dotted)
		return fail(ps, "From header: malformed local part");
	if (advance(ps) < 0 || parse_domain(ps, domain, sizeof(domain)) < 0)
		return -1;
	return mailbox_done(ps, domain);
}

/* skip_route - obsolete source route "@a,@b:" before an addr-spec */
static int
skip_route(struct parser *ps)
{
	char scratch[SMTP2_DOMAIN_MAX + 1];

	while (is_special(ps, '@')) {
		if (advance(ps) < 0 || parse_domain(ps, scratch, sizeof(scratch)) < 0)
			return -1;
		while (is_special(ps, ','))
			if (advance(ps) < 0)
				return -1;
	}
	if (!is_special(ps, ':'))
		return unexpected(ps, " in source route");
	return advance(ps);
}

/* parse_angle - "<" [route] addr-spec ">" */
static int
parse_angle(struct parser *ps)
{
	struct words local;

	if (advance(ps) < 0)
		return -1;
	if (is_special(ps, '>'))
		return fail(ps, "From header: empty address <>");
	if (is_special(ps, '@') && skip_route(ps) < 0)
		return -1;
	if (collect_words(ps, &local) < 0 || parse_addr_spec(ps, &local) < 0)
		return -1;
	if (!is_special(ps, '>'))
		return unexpected(ps, " where '>' was expected");
	return advance(ps);
}

/* parse_group - display-name ":" [mailbox-list] ";", the name already read */
static int
parse_group(struct parser *ps)
{
	if (advance(ps) < 0)
		return -1;
	for (;;) {
		if (is_special(ps, ';'))
			return advance(ps);
		if (ps->tok.type == TOK_END)
			return fail(ps, "From header: group without ';'");
		if (is_special(ps, ',')) {
			if (advance(ps) < 0)
				return -1;
			continue;
		}
		if (parse_mailbox(ps, false) < 0)
			return -1;
		if (ps->tok.type == TOK_END)
			return fail(ps, "From header: group without ';'");
		if (!is_special(ps, ',') && !is_special(ps, ';'))
			return unexpected(ps, " after mailbox in group");
	}
}

/* parse_mailbox - name-addr or addr-spec, or a whole group at top level */
static int
parse_mailbox(struct parser *ps, bool group_allowed)
{
	struct words w;

	if (collect_words(ps, &w) < 0)
		return -1;
	if (is_special(ps, '<'))
		return parse_angle(ps);
	if (is_special(ps, ':') && group_allowed)
		return parse_group(ps);
	if (is_special(ps, ':'))
		return fail(ps, "From header: group inside a group");
	return parse_addr_spec(ps, &w);
}

/* milter_from_domain - see from.h */
int
milter_from_domain(const char *value, char *out, size_t outlen,
    char *why, size_t whylen)
{
	struct parser ps;

	memset(&ps, 0, sizeof(ps));
	ps.p = value;
	ps.why = why;
	ps.whylen = whylen;
	if (advance(&ps) < 0)
		return -1;
	while (ps.tok.type != TOK_END) {
		if (is_special(&ps, ',')) {	/* obs-mbox-list: empty elements */
			if (advance(&ps) < 0)
				return -1;
			continue;
		}
		if (parse_mailbox(&ps, true) < 0)
			return -1;
		if (ps.tok.type != TOK_END && !is_special(&ps, ','))
			return unexpected(&ps, " after mailbox");
	}
	if (ps.mailboxes == 0)
		return fail(&ps, "From header: no mailbox");
	if (strlen(ps.domain) >= outlen)
		return fail(&ps, "From header: domain longer than %zu characters",
		    outlen - 1);
	memcpy(out, ps.domain, strlen(ps.domain) + 1);
	return 0;
}
