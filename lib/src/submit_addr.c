/*
 * submit_addr.c - envelope addresses for message submission: RFC 5321
 * Path and Mailbox syntax, length limits, and whether a domain is fully
 * qualified (RFC 6409 4.2), with the expansion of single-level names.
 *
 * The argument comes straight from the client through the MTA: bytes are
 * looked at one by one and nothing is trusted to be terminated early,
 * balanced or short.
 */

/* System library. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/submit.h>

/* Top-level labels that never resolve globally (RFC 6761, RFC 6762,
 * RFC 8375, ICANN's .internal) or that sites use for private names. */
static const char *const submit_private_tlds[] = {
	"localhost", "local", "localdomain", "internal", "lan", "home",
	"corp", "intranet", "private", "invalid", NULL
};

/* addr_fail - the reason into why; returns st */
static enum smtp2_submit_status __attribute__((format(printf, 4, 5)))
addr_fail(enum smtp2_submit_status st, char *why, size_t whylen,
    const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* is_atext - RFC 5321 atext; UTF-8 bytes only under SMTPUTF8 */
static bool
is_atext(unsigned char c, bool utf8)
{
	if (c >= 0x80)
		return utf8;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* is_letdig - a letter or digit; UTF-8 under SMTPUTF8 (U-labels) */
static bool
is_letdig(unsigned char c, bool utf8)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (utf8 && c >= 0x80);
}

/* improper_bytes - control characters anywhere, 8-bit without SMTPUTF8 */
static enum smtp2_submit_status
improper_bytes(const char *s, size_t len, bool utf8, char *why, size_t whylen)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return addr_fail(SMTP2_SUBMIT_IMPROPER, why, whylen,
			    "control character 0x%02x in address", c);
		if (c >= 0x80 && !utf8)
			return addr_fail(SMTP2_SUBMIT_IMPROPER, why, whylen,
			    "8-bit byte in address without SMTPUTF8");
	}
	return SMTP2_SUBMIT_OK;
}

/* local_len - length of a Dot-string or Quoted-string at s; 0 if neither */
static size_t
local_len(const char *s, size_t len, bool utf8)
{
	size_t i = 0;

	if (len > 0 && s[0] == '"') {
		for (i = 1; i < len; i++) {
			if (s[i] == '\\') {
				if (++i >= len || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
					return 0;
			} else if (s[i] == '"') {
				return i + 1;
			} else if ((unsigned char)s[i] < 0x20 ||
			    ((unsigned char)s[i] >= 0x80 && !utf8)) {
				return 0;
			}
		}
		return 0;
	}
	/* Atom *("." Atom): no leading, trailing or doubled dot. */
	while (i < len) {
		if (!is_atext((unsigned char)s[i], utf8))
			return 0;
		while (i < len && is_atext((unsigned char)s[i], utf8))
			i++;
		if (i < len && s[i] == '.' && i + 1 < len && s[i + 1] != '@')
			i++;
		else
			break;
	}
	return i;
}

/* domain_syntax - RFC 5321 Domain: sub-domain *("." sub-domain) */
static bool
domain_syntax(const char *s, size_t len, bool utf8)
{
	size_t i = 0, label;

	if (len == 0)
		return false;
	while (i < len) {
		label = 0;
		if (!is_letdig((unsigned char)s[i], utf8))
			return false;
		while (i < len && s[i] != '.') {
			if (!is_letdig((unsigned char)s[i], utf8) && s[i] != '-')
				return false;
			i++;
			label++;
		}
		if (label > 63 || s[i - 1] == '-')
			return false;
		if (i < len && ++i == len)
			return false;	/* trailing dot */
	}
	return true;
}

/* literal_syntax - "[IPv4]", "[IPv6:...]", or "[tag:text]" */
static bool
literal_syntax(const char *s, size_t len)
{
	char buf[64];
	unsigned char bin[16];
	size_t i;

	if (len < 3 || s[0] != '[' || s[len - 1] != ']' || len - 2 >= sizeof(buf))
		return false;
	memcpy(buf, s + 1, len - 2);
	buf[len - 2] = '\0';
	if (strncasecmp(buf, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, buf + 5, bin) == 1;
	if (inet_pton(AF_INET, buf, bin) == 1)
		return true;
	/* General-address-literal: Standardized-tag ":" 1*dcontent */
	for (i = 0; buf[i] != '\0' && buf[i] != ':'; i++)
		if (!is_letdig((unsigned char)buf[i], false) && buf[i] != '-')
			return false;
	return i > 0 && buf[i] == ':' && buf[i + 1] != '\0' &&
	    strpbrk(buf + i + 1, "[]\\") == NULL;
}

/* skip_route - "@a,@b:" of an obsolete source route; returns bytes eaten */
static size_t
skip_route(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || s[0] != '@')
		return 0;
	for (; i < len && s[i] != ':'; i++)
		if (s[i] == '"' || s[i] == '<' || s[i] == '>')
			return 0;
	return i < len ? i + 1 : 0;
}

/* strip_path - the Mailbox inside "<...>" (brackets optional) */
static enum smtp2_submit_status
strip_path(const char *arg, const char **p, size_t *len, char *why, size_t whylen)
{
	size_t n = strlen(arg), r;

	if (n > 0 && arg[0] == '<') {
		if (n < 2 || arg[n - 1] != '>')
			return addr_fail(SMTP2_SUBMIT_SYNTAX, why, whylen,
			    "unbalanced angle brackets");
		arg++;
		n -= 2;
	}
	r = skip_route(arg, n);
	*p = arg + r;
	*len = n - r;
	return SMTP2_SUBMIT_OK;
}

/* split - local part and domain of a Mailbox */
static enum smtp2_submit_status
split(const char *p, size_t len, bool utf8, struct smtp2_submit_addr *a,
    char *why, size_t whylen)
{
	size_t l = local_len(p, len, utf8), i;
	const char *d;

	if (l == 0)
		return addr_fail(SMTP2_SUBMIT_SYNTAX, why, whylen,
		    "malformed local part");
	if (l > SMTP2_SUBMIT_LOCAL_MAX)
		return addr_fail(SMTP2_SUBMIT_IMPROPER, why, whylen,
		    "local part longer than %d bytes", SMTP2_SUBMIT_LOCAL_MAX);
	memcpy(a->local, p, l);
	a->local[l] = '\0';
	if (l == len)
		return addr_fail(SMTP2_SUBMIT_NOT_FQDN, why, whylen,
		    "address without a domain");
	if (p[l] != '@')
		return addr_fail(SMTP2_SUBMIT_SYNTAX, why, whylen,
		    "unexpected character after the local part");
	d = p + l + 1;
	len -= l + 1;
	if (len > SMTP2_SUBMIT_DOMAIN_MAX)
		return addr_fail(SMTP2_SUBMIT_IMPROPER, why, whylen,
		    "domain longer than %d bytes", SMTP2_SUBMIT_DOMAIN_MAX);
	a->literal = len > 0 && d[0] == '[';
	if (a->literal ? !literal_syntax(d, len) : !domain_syntax(d, len, utf8))
		return addr_fail(SMTP2_SUBMIT_SYNTAX, why, whylen,
		    a->literal ? "malformed address literal" : "malformed domain");
	for (i = 0; i < len; i++)
		a->domain[i] = (d[i] >= 'A' && d[i] <= 'Z') ? (char)(d[i] - 'A' + 'a') : d[i];
	a->domain[len] = '\0';
	return SMTP2_SUBMIT_OK;
}

/* smtp2_submit_parse_path - see submit.h */
enum smtp2_submit_status
smtp2_submit_parse_path(const char *arg, bool utf8, bool null_ok,
    struct smtp2_submit_addr *a, char *why, size_t whylen)
{
	enum smtp2_submit_status st;
	const char *p = "";
	size_t len = 0;

	memset(a, 0, sizeof(*a));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (arg == NULL)
		arg = "";
	if (strlen(arg) > SMTP2_SUBMIT_PATH_MAX)
		return addr_fail(SMTP2_SUBMIT_IMPROPER, why, whylen,
		    "path longer than %d bytes", SMTP2_SUBMIT_PATH_MAX);
	if ((st = improper_bytes(arg, strlen(arg), utf8, why, whylen)) != SMTP2_SUBMIT_OK)
		return st;
	if ((st = strip_path(arg, &p, &len, why, whylen)) != SMTP2_SUBMIT_OK)
		return st;
	if (len == 0) {
		a->null = true;
		return null_ok ? SMTP2_SUBMIT_OK : addr_fail(SMTP2_SUBMIT_SYNTAX,
		    why, whylen, "empty address");
	}
	return split(p, len, utf8, a, why, whylen);
}

/* smtp2_submit_hostname_ok - see submit.h */
bool
smtp2_submit_hostname_ok(const char *s)
{
	size_t len = strlen(s);

	return len <= SMTP2_SUBMIT_DOMAIN_MAX && domain_syntax(s, len, false);
}

/* private_tld - the last label is numeric or reserved for private use */
static bool
private_tld(const char *tld)
{
	size_t i;

	if (strspn(tld, "0123456789") == strlen(tld))
		return true;
	for (i = 0; submit_private_tlds[i] != NULL; i++)
		if (strcasecmp(tld, submit_private_tlds[i]) == 0)
			return true;
	return false;
}

/* smtp2_submit_fqdn - see submit.h */
int
smtp2_submit_fqdn(const char *domain, const char *expand, char *out,
    size_t outlen, char *why, size_t whylen)
{
	const char *dot;
	int n;

	if (domain[0] == '[')
		return 0;
	if ((dot = strrchr(domain, '.')) != NULL) {
		if (!private_tld(dot + 1))
			return 0;
		addr_fail(SMTP2_SUBMIT_NOT_FQDN, why, whylen,
		    "domain %.255s is not fully qualified", domain);
		return -1;
	}
	/* A single label: "sales" may become "sales.example.net". */
	if (expand == NULL || private_tld(domain) ||
	    (n = snprintf(out, outlen, "%s.%s", domain, expand)) < 0 ||
	    (size_t)n >= outlen || (size_t)n > SMTP2_SUBMIT_DOMAIN_MAX) {
		addr_fail(SMTP2_SUBMIT_NOT_FQDN, why, whylen,
		    "domain %.255s is not fully qualified", domain);
		return -1;
	}
	return 1;
}
