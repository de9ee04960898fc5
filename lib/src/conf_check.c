/*
 * conf_check.c - is one milter.conf value well-formed?  Syntax only: a
 * resolver that does not answer is the DNS module's business.
 */

/* System library. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

/* Application-specific. */
#include "conf_check.h"

/* conf_port - parse a decimal port 1..65535; -1 if it is not one */
static int
conf_port(const char *s)
{
	long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 5 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return i == 0 || v < 1 || v > 65535 ? -1 : (int)v;
}

/* conf_ip - is s (of len bytes) an IPv4 (af 4), IPv6 (6) or either (0) literal */
static int
conf_ip(const char *s, size_t len, int af)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char addr[sizeof(struct in6_addr)];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (af != 6 && inet_pton(AF_INET, buf, addr) == 1)
		return 1;
	return af != 4 && inet_pton(AF_INET6, buf, addr) == 1;
}

/* conf_hostish - could s[0..len) name a host: letters, digits, '.', '-' */
static int
conf_hostish(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-_", s[i]) == NULL)
			return 0;
	return 1;
}

/* conf_check_resolver - "IP", "IP:PORT" or "[IPv6]:PORT", as dns.h takes */
int
smtp2_conf_check_resolver(const char *s, char *why, size_t whylen)
{
	const char *colon, *close;

	if (conf_ip(s, strlen(s), 0))
		return 0;
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close != NULL && close[1] == ':' && conf_ip(s + 1, close - s - 1, 6)
		    && conf_port(close + 2) > 0)
			return 0;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if (conf_ip(s, colon - s, 4) && conf_port(colon + 1) > 0)
			return 0;
	}
	snprintf(why, whylen, "'%s' is not IP, IP:PORT or [IPv6]:PORT"
	    " (an address, not a name; port 1..65535)", s);
	return -1;
}

/* conf_check_spec - "inet:HOST:PORT" or "unix:/path", the forms net.c serves */
int
smtp2_conf_check_spec(const char *s, char *why, size_t whylen)
{
	const char *host, *colon, *close;

	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] == '/' && strlen(s + 5) < sizeof(((struct sockaddr_un *)0)->sun_path))
			return 0;
		snprintf(why, whylen, "'%s': a unix socket needs an absolute path"
		    " shorter than %zu bytes", s,
		    sizeof(((struct sockaddr_un *)0)->sun_path));
		return -1;
	}
	if (strncmp(s, "inet:", 5) == 0) {
		host = s + 5;
		if (host[0] == '[') {
			close = strchr(host, ']');
			if (close != NULL && close[1] == ':'
			    && conf_ip(host + 1, close - host - 1, 6)
			    && conf_port(close + 2) > 0)
				return 0;
		} else if ((colon = strrchr(host, ':')) != NULL
		    && conf_hostish(host, colon - host) && conf_port(colon + 1) > 0)
			return 0;
	}
	snprintf(why, whylen, "'%s' is not inet:HOST:PORT, inet:[IPv6]:PORT"
	    " or unix:/path", s);
	return -1;
}

/* conf_check_milter_socket - libmilter's "inet:PORT@HOST", "inet6:...", "unix:/p" */
int
smtp2_conf_check_milter_socket(const char *s, char *why, size_t whylen)
{
	const char *p = NULL, *at;
	char port[8];

	if (strncmp(s, "unix:/", 6) == 0 || strncmp(s, "local:/", 7) == 0)
		return 0;
	if (strncmp(s, "inet:", 5) == 0)
		p = s + 5;
	else if (strncmp(s, "inet6:", 6) == 0)
		p = s + 6;
	if (p != NULL) {
		at = strchr(p, '@');
		if (at == NULL)
			at = p + strlen(p);
		if ((size_t)(at - p) < sizeof(port)) {
			memcpy(port, p, at - p);
			port[at - p] = '\0';
			if (conf_port(port) > 0 && (*at == '\0'
			    || conf_hostish(at + 1, strlen(at + 1))
			    || conf_ip(at + 1, strlen(at + 1), 0)
			    || (at[1] == '[' && strchr(at, ']') != NULL)))
				return 0;
		}
	}
	snprintf(why, whylen, "'%s' is not inet:PORT@HOST, inet6:PORT@HOST"
	    " or unix:/path (libmilter's forms)", s);
	return -1;
}

/* conf_check_hostname - plausible for an Authentication-Results authserv-id */
int
smtp2_conf_check_hostname(const char *s, char *why, size_t whylen)
{
	const char *label, *dot;
	size_t n = strlen(s), len;

	if (conf_hostish(s, n) && s[n - 1] != '-') {
		for (label = s; ; label = dot + 1) {
			dot = strchr(label, '.');
			len = dot != NULL ? (size_t)(dot - label) : strlen(label);
			if (len == 0 || len > 63 || dot == NULL)
				break;
		}
		if (len > 0 && len <= 63)
			return 0;
	}
	snprintf(why, whylen, "'%s' is not a host name (letters, digits, '-',"
	    " '.'; labels of 1..63 characters)", s);
	return -1;
}

/* conf_check_log_to - "syslog", "stderr" or "file:/absolute/path" */
int
smtp2_conf_check_log_to(const char *s, char *why, size_t whylen)
{
	if (strcmp(s, "syslog") == 0 || strcmp(s, "stderr") == 0
	    || strncmp(s, "file:/", 6) == 0)
		return 0;
	snprintf(why, whylen, "'%s' is not syslog, stderr or file:/path", s);
	return -1;
}

/* conf_check_account - a user or group name as useradd(8) takes it */
int
smtp2_conf_check_account(const char *s, char *why, size_t whylen)
{
	const char *p;

	/* Portable names only: a "user:group" or a stray space is a typo,
	 * and a leading '-' would read as an option elsewhere. */
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    (*p != '-' || p == s))
			break;
	if (*p == '\0' && p - s <= 32)
		return 0;
	snprintf(why, whylen, "'%s' is not a user or group name (up to 32"
	    " letters, digits, '.', '_', '-', not starting with '-')", s);
	return -1;
}
