/*
 * submit_net.c - trusted networks for message submission: clients inside
 * one may submit without authenticating (RFC 6409 4.3, "being within a
 * protected subnetwork").
 */

/* System library. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Application-specific. */
#include <smtp2/submit.h>

/* smtp2_submit_net_parse - see submit.h */
int
smtp2_submit_net_parse(const char *s, struct smtp2_submit_net *n,
    char *why, size_t whylen)
{
	char buf[64], *slash, *end;
	unsigned long prefix;
	unsigned max;

	memset(n, 0, sizeof(*n));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, whylen, "'%.64s...' is not a network", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		max = 128;
	} else {
		snprintf(why, whylen, "'%s' is not an IPv4 or IPv6 network", s);
		return -1;
	}
	n->prefix = max;
	if (slash == NULL)
		return 0;
	prefix = strtoul(slash, &end, 10);
	if (*slash < '0' || *slash > '9' || *end != '\0' || prefix > max) {
		snprintf(why, whylen, "'%s': prefix length must be 0 to %u", s, max);
		return -1;
	}
	n->prefix = (unsigned)prefix;
	return 0;
}

/* prefix_equal - do the first bits of a and b agree? */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

/* smtp2_submit_net_match - see submit.h */
bool
smtp2_submit_net_match(const struct smtp2_submit_net *nets, size_t n,
    const char *addr)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char a4[4], a6[16];
	bool is4, is6;
	size_t i;

	if (addr == NULL)
		return false;
	is4 = inet_pton(AF_INET, addr, a4) == 1;
	is6 = !is4 && inet_pton(AF_INET6, addr, a6) == 1;
	if (is6 && memcmp(a6, mapped, sizeof(mapped)) == 0) {
		memcpy(a4, a6 + 12, 4);
		is4 = true;
	}
	for (i = 0; i < n; i++) {
		if (nets[i].family == AF_INET && is4 &&
		    prefix_equal(nets[i].addr, a4, nets[i].prefix))
			return true;
		if (nets[i].family == AF_INET6 && is6 &&
		    prefix_equal(nets[i].addr, a6, nets[i].prefix))
			return true;
	}
	return false;
}
