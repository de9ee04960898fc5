/*
 * metrics_addr.c - the metrics endpoint's listen address, checked when
 * milter.conf is loaded and parsed again by the daemon that binds it.
 */

/* System library. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/metrics.h>
#include "metrics_int.h"

#define FORMS	"IPV4:PORT or [IPV6]:PORT"

/* port_parse - 1..65535, digits only */
static int
port_parse(const char *s, unsigned *port)
{
	unsigned long v;
	char	*end;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* split - host and port of spec; the host is copied into host */
static const char *
split(const char *spec, char *host, size_t hostlen, int *v6)
{
	const char *colon, *h = spec, *end;

	*v6 = spec[0] == '[';
	if (*v6) {
		h = spec + 1;
		if ((end = strchr(h, ']')) == NULL || end[1] != ':')
			return NULL;
		colon = end + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			return NULL;
		end = colon;
	}
	if ((size_t)(end - h) >= hostlen || end == h)
		return NULL;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	return colon + 1;
}

/* smtp2_metrics_listen_parse - see metrics.h */
int
smtp2_metrics_listen_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *sslen, char *why, size_t whylen)
{
	struct sockaddr_storage tmp;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&tmp;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&tmp;
	char	host[INET6_ADDRSTRLEN + 1];
	const char *port_s;
	unsigned port;
	int	v6;

	memset(&tmp, 0, sizeof(tmp));
	if (spec == NULL || (port_s = split(spec, host, sizeof(host), &v6)) == NULL
	    || port_parse(port_s, &port) < 0
	    || (v6 ? inet_pton(AF_INET6, host, &sin6->sin6_addr)
	    : inet_pton(AF_INET, host, &sin->sin_addr)) != 1) {
		snprintf(why, whylen, "'%.100s' is not " FORMS, spec ? spec : "");
		return -1;
	}
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	}
	if (ss != NULL)
		*ss = tmp;
	if (sslen != NULL)
		*sslen = v6 ? sizeof(*sin6) : sizeof(*sin);
	return 0;
}

/* smtp2_conf_check_metrics_listen - see metrics_int.h */
int
smtp2_conf_check_metrics_listen(const char *s, char *why, size_t whylen)
{
	return smtp2_metrics_listen_parse(s, NULL, NULL, why, whylen);
}
