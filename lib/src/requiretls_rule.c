/*
 * requiretls_rule.c - milter.conf's requiretls rule set: which envelope
 * senders and recipients mark a message as needing verified TLS, and the
 * FILTER target that routes such a message (docs/requiretls.md).
 *
 * Both daemons call the same functions on the same configuration, so
 * smtp2-policyd's FILTER and smtp2-milter's tag never disagree.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/requiretls.h>
#include "conf_check.h"

#define RTLS_ADDR_MAX	512	/* longer addresses never match */

/* strip_brackets - the address without one pair of angle brackets */
static const char *
strip_brackets(const char *in, char *out, size_t outlen)
{
	size_t len;

	if (*in == '<')
		in++;
	len = strlen(in);
	if (len > 0 && in[len - 1] == '>')
		len--;
	if (len >= outlen)
		return NULL;
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

/* domain_len - length without one final dot */
static size_t
domain_len(const char *d)
{
	size_t n = strlen(d);

	return n > 0 && d[n - 1] == '.' ? n - 1 : n;
}

/* smtp2_requiretls_domain_match - "example.com" or ".example.com" */
bool
smtp2_requiretls_domain_match(const char *pattern, const char *domain)
{
	size_t pl, dl;

	if (pattern == NULL || domain == NULL)
		return false;
	pl = domain_len(pattern);
	dl = domain_len(domain);
	if (pl == 0 || dl == 0)
		return false;
	if (pattern[0] == '.')
		return dl > pl && strncasecmp(domain + dl - pl, pattern, pl) == 0;
	return dl == pl && strncasecmp(domain, pattern, pl) == 0;
}

/* smtp2_requiretls_address_match - "u@d", "@d" or ".d" against an address */
bool
smtp2_requiretls_address_match(const char *pattern, const char *address)
{
	char	buf[RTLS_ADDR_MAX];
	const char *a, *at;

	if (pattern == NULL || address == NULL
	    || (a = strip_brackets(address, buf, sizeof(buf))) == NULL || *a == '\0')
		return false;
	at = strrchr(a, '@');
	if (pattern[0] == '@')
		return at != NULL && smtp2_requiretls_domain_match(pattern + 1, at + 1);
	if (pattern[0] == '.')
		return at != NULL && smtp2_requiretls_domain_match(pattern, at + 1);
	/* A whole address: local parts equal, domains equal but for a dot. */
	if (at == NULL || strchr(pattern, '@') == NULL)
		return strcasecmp(pattern, a) == 0;
	return (size_t)(at - a) == (size_t)(strrchr(pattern, '@') - pattern)
	    && strncasecmp(a, pattern, (size_t)(at - a)) == 0
	    && smtp2_requiretls_domain_match(strrchr(pattern, '@') + 1, at + 1);
}

/* any_match - does one of n address patterns match */
static bool
any_match(char *const *patterns, size_t n, const char *address)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (smtp2_requiretls_address_match(patterns[i], address))
			return true;
	return false;
}

/* smtp2_requiretls_sender_matches - requiretls.senders */
bool
smtp2_requiretls_sender_matches(const struct smtp2_conf *c, const char *sender)
{
	if (c == NULL || sender == NULL || *sender == '\0' || strcmp(sender, "<>") == 0)
		return false;
	return any_match(c->requiretls.senders, c->requiretls.n_senders, sender);
}

/* smtp2_requiretls_rcpt_matches - requiretls.recipients and .domains */
bool
smtp2_requiretls_rcpt_matches(const struct smtp2_conf *c, const char *rcpt)
{
	char	buf[RTLS_ADDR_MAX];
	const char *a, *at;
	size_t	i;

	if (c == NULL || rcpt == NULL)
		return false;
	if (any_match(c->requiretls.recipients, c->requiretls.n_recipients, rcpt))
		return true;
	if ((a = strip_brackets(rcpt, buf, sizeof(buf))) == NULL
	    || (at = strrchr(a, '@')) == NULL)
		return false;
	for (i = 0; i < c->requiretls.n_domains; i++)
		if (smtp2_requiretls_domain_match(c->requiretls.domains[i], at + 1))
			return true;
	return false;
}

/* smtp2_requiretls_filter - "transport:" or "transport:nexthop" */
int
smtp2_requiretls_filter(const struct smtp2_conf *c, char *buf, size_t len)
{
	const char *t = c->requiretls.transport != NULL ?
	    c->requiretls.transport : "smtp2-tls";

	return snprintf(buf, len, "%s%s", t, strchr(t, ':') != NULL ? "" : ":");
}

/* check_local - a local part we can compare: printable, no blanks */
static int
check_local(const char *s, size_t n, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f
		    || s[i] == '<' || s[i] == '>')
			break;
	if (n > 0 && i == n)
		return 0;
	snprintf(why, whylen, "'%s': the local part must be printable ASCII"
	    " without blanks or angle brackets", s);
	return -1;
}

/* smtp2_requiretls_check_domain - "example.com" or ".example.com" */
int
smtp2_requiretls_check_domain(const char *s, char *why, size_t whylen)
{
	return smtp2_conf_check_hostname(s[0] == '.' ? s + 1 : s, why, whylen);
}

/* smtp2_requiretls_check_address - "u@d", "@d" or ".d" */
int
smtp2_requiretls_check_address(const char *s, char *why, size_t whylen)
{
	const char *at = strrchr(s, '@');

	if (strlen(s) >= RTLS_ADDR_MAX) {
		snprintf(why, whylen, "longer than %d bytes", RTLS_ADDR_MAX - 1);
		return -1;
	}
	if (s[0] == '.')
		return smtp2_requiretls_check_domain(s, why, whylen);
	if (at == NULL) {
		snprintf(why, whylen, "'%s' is not user@domain, @domain or .domain", s);
		return -1;
	}
	if (at != s && check_local(s, (size_t)(at - s), why, whylen) < 0)
		return -1;
	return smtp2_conf_check_hostname(at + 1, why, whylen);
}

/* smtp2_requiretls_check_transport - "name" or "name:nexthop" for FILTER */
int
smtp2_requiretls_check_transport(const char *s, char *why, size_t whylen)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.");
	const char *p;

	if (n > 0 && (s[n] == '\0' || s[n] == ':')) {
		for (p = s + n; *p != '\0'; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
				break;
		if (*p == '\0')
			return 0;
	}
	snprintf(why, whylen, "'%s' is not a master.cf service name, optionally"
	    " followed by :nexthop (printable, no blanks)", s);
	return -1;
}
