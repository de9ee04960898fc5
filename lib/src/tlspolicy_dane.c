/*
 * tlspolicy_dane.c - would Postfix's DANE client find usable TLSA for
 * this domain's MX hosts (RFC 7672 2.2)?
 *
 * Postfix uses a host's TLSA set only when the MX set and the host's
 * address records are DNSSEC-secure, and ignores TLSA usages 0 and 1.
 * "dane-only" is safe to hand out only when every host passes: one host
 * without usable TLSA would make dane-only refuse it, so a partial set
 * yields "dane", which enforces TLSA exactly where it is found.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/tlsa.h>
#include <smtp2/tlspolicy.h>
#include <smtp2/verify.h>
#include "tlspolicy_int.h"
#include "why.h"

#define TP_HOST_MAX	253

/* The MX hosts of one domain, as text. */
struct tp_hosts {
	size_t	n;
	bool	more;		/* hosts beyond SMTP2_TLSPOLICY_MX_MAX */
	char	name[SMTP2_TLSPOLICY_MX_MAX][TP_HOST_MAX + 1];
};

/* tp_wire_name - an uncompressed wire name as lower-case text; -1 if bad */
static int
tp_wire_name(const unsigned char *rd, size_t len, char *out, size_t outlen)
{
	size_t	i = 0, n = 0, k, j;

	for (;;) {
		if (i >= len)
			return (-1);
		if ((k = rd[i++]) == 0)
			break;
		if (k > 63 || k > len - i || n + k + 1 >= outlen)
			return (-1);
		for (j = 0; j < k; j++) {
			if (!isalnum(rd[i + j]) && rd[i + j] != '-' &&
			    rd[i + j] != '_')
				return (-1);
			out[n++] = (char)tolower(rd[i + j]);
		}
		out[n++] = '.';
		i += k;
	}
	if (n > 0)
		n--;		/* "." (the null MX) becomes "" */
	out[n] = '\0';
	return (0);
}

/* tp_mx_hosts - the exchanges of an MX answer; -1 when one is malformed */
static int
tp_mx_hosts(const struct smtp2_dns_answer *a, struct tp_hosts *h)
{
	char	name[TP_HOST_MAX + 1];
	size_t	i;

	for (i = 0; i < a->n; i++) {
		if (a->rr[i].len < 3 || tp_wire_name(a->rr[i].rdata + 2,
		    a->rr[i].len - 2, name, sizeof(name)) < 0)
			return (-1);
		if (h->n == sizeof(h->name) / sizeof(h->name[0])) {
			h->more = true;
			continue;
		}
		memcpy(h->name[h->n++], name, sizeof(name));
	}
	return (0);
}

/* tp_usable - a TLSA record Postfix would use: DANE-TA or DANE-EE */
static bool
tp_usable(const struct smtp2_dns_rr *rr)
{
	struct smtp2_tlsa t;

	if (smtp2_tlsa_parse(rr->rdata, rr->len, &t) < 0)
		return (false);
	return ((t.usage == 2 || t.usage == 3) && t.selector <= 1 &&
	    t.mtype <= 2 && t.len > 0);
}

/*
 * tp_host - 1 when host has a secure address and usable secure TLSA,
 * 0 when not, -1 when a lookup failed (why says which).
 */
static int
tp_host(struct smtp2_dns *dns, const char *host, unsigned port,
    unsigned *queries, char *why, size_t whylen)
{
	struct smtp2_dns_answer *a;
	char	name[TP_HOST_MAX + 16];
	size_t	i;
	int	rc = 0;

	if ((a = smtp2_dns_query_counted(dns, host, SMTP2_DNS_T_A,
	    queries)) == NULL || a->status == SMTP2_DNS_TEMPFAIL) {
		smtp2_why(why, whylen, "%s A: %s", host, a ? a->why :
		    "out of memory");
		smtp2_dns_answer_free(a);
		return (-1);
	}
	/* Postfix looks for TLSA only behind a secure address. */
	rc = a->dnssec == SMTP2_DNSSEC_SECURE && a->status == SMTP2_DNS_OK;
	smtp2_dns_answer_free(a);
	if (rc == 0)
		return (0);
	snprintf(name, sizeof(name), "_%u._tcp.%s", port, host);
	if ((a = smtp2_dns_query_counted(dns, name, SMTP2_DNS_T_TLSA,
	    queries)) == NULL || a->status == SMTP2_DNS_TEMPFAIL) {
		smtp2_why(why, whylen, "%s TLSA: %s", name, a ? a->why :
		    "out of memory");
		smtp2_dns_answer_free(a);
		return (-1);
	}
	rc = 0;
	if (a->status == SMTP2_DNS_OK && a->dnssec == SMTP2_DNSSEC_SECURE)
		for (i = 0; i < a->n && rc == 0; i++)
			rc = tp_usable(&a->rr[i]);
	smtp2_dns_answer_free(a);
	return (rc);
}

/* tp_mx - the MX set: hosts to look at, or a verdict already */
static enum tlspolicy_dane
tp_mx(struct smtp2_dns *dns, const char *domain, struct tp_hosts *h,
    unsigned *queries, char *why, size_t whylen)
{
	struct smtp2_dns_answer *a;
	enum tlspolicy_dane d = TP_DANE_SOME;	/* here: "go on" */

	if ((a = smtp2_dns_query_counted(dns, domain, SMTP2_DNS_T_MX,
	    queries)) == NULL) {
		smtp2_why(why, whylen, "out of memory");
		return (TP_DANE_TEMP);
	}
	if (a->status == SMTP2_DNS_TEMPFAIL) {
		smtp2_why(why, whylen, "%s MX: %s", domain, a->why);
		d = TP_DANE_TEMP;
	} else if (a->status == SMTP2_DNS_NXDOMAIN) {
		smtp2_why(why, whylen, "%s does not exist", domain);
		d = TP_DANE_NOHOST;
	} else if (a->dnssec != SMTP2_DNSSEC_SECURE) {
		smtp2_why(why, whylen, "%s MX not DNSSEC-secure: no DANE",
		    domain);
		d = TP_DANE_NONE;
	} else if (a->status == SMTP2_DNS_NODATA) {
		/* No MX: mail goes to the domain's own address. */
		snprintf(h->name[0], sizeof(h->name[0]), "%s", domain);
		h->n = 1;
	} else if (tp_mx_hosts(a, h) < 0) {
		smtp2_why(why, whylen, "%s MX: malformed exchange", domain);
		d = TP_DANE_NONE;
	} else if (h->n == 1 && h->name[0][0] == '\0') {
		smtp2_why(why, whylen, "%s: null MX, accepts no mail", domain);
		d = TP_DANE_NOHOST;
	}
	smtp2_dns_answer_free(a);
	return (d);
}

/* tlspolicy_dane - what the MX hosts publish for DANE */
enum tlspolicy_dane
tlspolicy_dane(struct smtp2_dns *dns, const char *domain, unsigned port,
    unsigned *queries, char *why, size_t whylen)
{
	struct tp_hosts h;
	enum tlspolicy_dane d;
	size_t	i, dane = 0;
	int	rc;

	memset(&h, 0, sizeof(h));
	if ((d = tp_mx(dns, domain, &h, queries, why, whylen)) != TP_DANE_SOME)
		return (d);
	for (i = 0; i < h.n; i++) {
		if ((rc = tp_host(dns, h.name[i], port, queries, why,
		    whylen)) < 0)
			return (TP_DANE_TEMP);
		dane += (size_t)rc;
	}
	if (dane == 0) {
		smtp2_why(why, whylen, "no MX host of %s has usable "
		    "DNSSEC-secure TLSA at port %u", domain, port);
		return (TP_DANE_NONE);
	}
	if (dane < h.n || h.more) {
		smtp2_why(why, whylen, "%zu of %zu%s MX hosts of %s have usable "
		    "DNSSEC-secure TLSA", dane, h.n, h.more ? "+" : "", domain);
		return (TP_DANE_SOME);
	}
	smtp2_why(why, whylen, "every MX host of %s has usable DNSSEC-secure "
	    "TLSA at port %u", domain, port);
	return (TP_DANE_ALL);
}
