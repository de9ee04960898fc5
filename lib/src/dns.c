/*
 * dns.c - the public resolver: options, answers, cache first, then getdns.
 *
 * The getdns plumbing (context set-up, reply conversion) lives in
 * dns_getdns.c; this file checks what the caller asked for, owns the
 * answer objects and keeps the books (cache, sent-query count, the
 * per-message query budget).
 */

/* System library. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* getdns. */
#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/metrics.h>
#include "dns_int.h"

/* Trust-anchor files are a handful of records; refuse to walk a zone. */
#define DNS_ANCHORS_MAX	1024

struct smtp2_dns {
	struct smtp2_dns_backend *be;		/* owned */
	struct smtp2_dns_cache *cache;		/* borrowed, may be NULL */
	unsigned long	sent;			/* cache misses sent to getdns */
	unsigned	timeout_ms;		/* of one getdns lookup */
	unsigned	budget;			/* upstream lookups allowed; 0: no limit */
	unsigned	budget_used;		/* since smtp2_dns_budget() */
	bool		budget_refused;		/* a lookup was not sent for it */
};

/* smtp2_dns_answer_new - allocate an empty answer */
struct smtp2_dns_answer *
smtp2_dns_answer_new(enum smtp2_dns_status status, enum smtp2_dnssec dnssec)
{
	struct smtp2_dns_answer *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	a->status = status;
	a->dnssec = dnssec;
	return (a);
}

/* smtp2_dns_answer_add - append a copy of one rdata */
int
smtp2_dns_answer_add(struct smtp2_dns_answer *a, const unsigned char *rdata,
    size_t len)
{
	struct smtp2_dns_rr *rr;
	unsigned char *copy;

	if (a->n >= SMTP2_DNS_RR_MAX)
		return (0);		/* dropped on purpose, see dns_int.h */
	if ((copy = malloc(len ? len : 1)) == NULL)
		return (-1);
	if (len)
		memcpy(copy, rdata, len);
	if ((rr = realloc(a->rr, (a->n + 1) * sizeof(*rr))) == NULL) {
		free(copy);
		return (-1);
	}
	a->rr = rr;
	a->rr[a->n].rdata = copy;
	a->rr[a->n].len = len;
	a->n++;
	return (0);
}

/* smtp2_dns_answer_copy - deep copy of an answer */
struct smtp2_dns_answer *
smtp2_dns_answer_copy(const struct smtp2_dns_answer *a)
{
	struct smtp2_dns_answer *c;
	size_t	i;

	if ((c = smtp2_dns_answer_new(a->status, a->dnssec)) == NULL)
		return (NULL);
	c->ttl = a->ttl;
	memcpy(c->why, a->why, sizeof(c->why));
	c->why[sizeof(c->why) - 1] = '\0';
	for (i = 0; i < a->n; i++) {
		if (smtp2_dns_answer_add(c, a->rr[i].rdata, a->rr[i].len) < 0) {
			smtp2_dns_answer_free(c);
			return (NULL);
		}
	}
	return (c);
}

/* smtp2_dns_answer_free - release an answer and its records */
void
smtp2_dns_answer_free(struct smtp2_dns_answer *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->rr[i].rdata);
	free(a->rr);
	free(a);
}

/* dns_anchors_keep - copy the DS and DNSKEY rr_dicts of in into out */
static int
dns_anchors_keep(const getdns_list *in, getdns_list *out)
{
	size_t	len, i, kept = 0;

	if (getdns_list_get_length(in, &len) != GETDNS_RETURN_GOOD)
		return (0);
	for (i = 0; i < len && i < DNS_ANCHORS_MAX; i++) {
		getdns_dict *rr;
		uint32_t type;

		if (getdns_list_get_dict(in, i, &rr) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD)
			continue;
		if (type != GETDNS_RRTYPE_DS && type != GETDNS_RRTYPE_DNSKEY)
			continue;
		if (getdns_list_set_dict(out, kept, rr) != GETDNS_RETURN_GOOD)
			return (-1);
		kept++;
	}
	return ((int)kept);
}

/* smtp2_dns_anchors_read - DS/DNSKEY records of a zone-file fragment */
struct getdns_list *
smtp2_dns_anchors_read(const char *path, int *count, char *why, size_t whylen)
{
	getdns_list *all = NULL, *kept;
	getdns_return_t r;
	FILE	*fp;
	int	n;

	if (path == NULL || *path == '\0') {
		snprintf(why, whylen, "no trust-anchor file given");
		return (NULL);
	}
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return (NULL);
	}
	/* origin NULL: getdns 1.6 reads uninitialised memory otherwise. */
	r = getdns_fp2rr_list(fp, &all, NULL, 3600);
	fclose(fp);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "%s: not in zone-file form (%s)", path,
		    getdns_get_errorstr_by_id(r));
		getdns_list_destroy(all);
		return (NULL);
	}
	if ((kept = getdns_list_create()) == NULL) {
		getdns_list_destroy(all);
		snprintf(why, whylen, "%s: out of memory", path);
		return (NULL);
	}
	n = dns_anchors_keep(all, kept);
	getdns_list_destroy(all);
	if (n <= 0) {
		snprintf(why, whylen, n < 0 ? "%s: out of memory" :
		    "%s: no DS or DNSKEY record", path);
		getdns_list_destroy(kept);
		return (NULL);
	}
	*count = n;
	return (kept);
}

/* smtp2_dns_count_anchors - how many DS/DNSKEY records a file holds */
int
smtp2_dns_count_anchors(const char *path, char *why, size_t whylen)
{
	getdns_list *list;
	int	count = 0;

	if ((list = smtp2_dns_anchors_read(path, &count, why, whylen)) == NULL)
		return (-1);
	getdns_list_destroy(list);
	return (count);
}

/* dns_parse_port - decimal 1..65535, nothing else */
static int
dns_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 5)
			return (-1);
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || v == 0 || v > 65535)
		return (-1);
	*port = (uint16_t)v;
	return (0);
}

/* dns_split_resolver - separate host and port text of a resolver spec */
static int
dns_split_resolver(const char *text, char *host, size_t hostlen,
    const char **portp)
{
	const char *end, *colon;
	size_t	len;

	*portp = NULL;
	if (text[0] == '[') {
		/* "[v6]" or "[v6]:port" */
		if ((end = strchr(text, ']')) == NULL)
			return (-1);
		if (end[1] == ':')
			*portp = end + 2;
		else if (end[1] != '\0')
			return (-1);
		text++;
		len = (size_t)(end - text);
	} else if ((colon = strchr(text, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		/* exactly one colon: "v4:port" */
		*portp = colon + 1;
		len = (size_t)(colon - text);
	} else {
		/* no colon (v4) or several (bare v6) */
		len = strlen(text);
	}
	if (len == 0 || len >= hostlen)
		return (-1);
	memcpy(host, text, len);
	host[len] = '\0';
	return (0);
}

/* smtp2_dns_parse_resolver - address and port of one resolver spec */
int
smtp2_dns_parse_resolver(const char *text, int *family, unsigned char addr[16],
    uint16_t *port, char *why, size_t whylen)
{
	char	host[INET6_ADDRSTRLEN + 1];
	const char *porttext;

	if (text == NULL || *text == '\0') {
		snprintf(why, whylen, "empty resolver address");
		return (-1);
	}
	if (dns_split_resolver(text, host, sizeof(host), &porttext) < 0)
		goto bad;
	*port = 53;
	if (porttext != NULL && dns_parse_port(porttext, port) < 0) {
		snprintf(why, whylen, "resolver \"%.64s\": bad port", text);
		return (-1);
	}
	if (text[0] != '[' && inet_pton(AF_INET, host, addr) == 1) {
		*family = AF_INET;
		return (0);
	}
	if (inet_pton(AF_INET6, host, addr) == 1 &&
	    (text[0] == '[' || porttext == NULL)) {
		*family = AF_INET6;
		return (0);
	}
bad:
	snprintf(why, whylen, "resolver \"%.64s\": not an IP address "
	    "(want 127.0.0.1, 127.0.0.1:5300, ::1 or [::1]:5300)", text);
	return (-1);
}

/* smtp2_dns_new - make a resolver */
struct smtp2_dns *
smtp2_dns_new(const struct smtp2_dns_opts *opts, char *why, size_t whylen)
{
	struct smtp2_dns *dns;

	if (opts == NULL) {
		snprintf(why, whylen, "no DNS options");
		return (NULL);
	}
	if ((dns = calloc(1, sizeof(*dns))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	if ((dns->be = smtp2_dns_backend_new(opts, why, whylen)) == NULL) {
		free(dns);
		return (NULL);
	}
	dns->cache = opts->cache;
	dns->timeout_ms = opts->timeout_ms;
	return (dns);
}

/* smtp2_dns_free - destroy a resolver (the shared cache stays) */
void
smtp2_dns_free(struct smtp2_dns *dns)
{
	if (dns == NULL)
		return;
	smtp2_dns_backend_free(dns->be);
	free(dns);
}

/* dns_ask - one lookup through getdns, counted */
static struct smtp2_dns_answer *
dns_ask(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	dns->sent++;
	dns->budget_used++;
	smtp2_metrics_dns(SMTP2_METRICS_DNS_UPSTREAM);
	return (smtp2_dns_backend_query(dns->be, name, type));
}

/* dns_over_budget - may no more lookups go upstream? */
static bool
dns_over_budget(const struct smtp2_dns *dns)
{
	return (dns->budget != 0 && dns->budget_used >= dns->budget);
}

/* dns_refuse - TEMPFAIL for a lookup the budget does not allow */
static struct smtp2_dns_answer *
dns_refuse(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	struct smtp2_dns_answer *a;
	char	tbuf[16];

	dns->budget_refused = true;
	smtp2_metrics_dns(SMTP2_METRICS_DNS_BUDGET);
	if ((a = smtp2_dns_answer_new(SMTP2_DNS_TEMPFAIL,
	    SMTP2_DNSSEC_UNKNOWN)) != NULL)
		snprintf(a->why, sizeof(a->why), "DNS query budget (%u) spent: "
		    "%.100s %s not looked up", dns->budget, name,
		    smtp2_dns_type_name(type, tbuf, sizeof(tbuf)));
	return (a);
}

/* dns_ask_budgeted - dns_ask, unless the budget is spent */
static struct smtp2_dns_answer *
dns_ask_budgeted(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	if (dns_over_budget(dns))
		return (dns_refuse(dns, name, type));
	return (dns_ask(dns, name, type));
}

/* dns_gave_up - TEMPFAIL for a caller that waited for another's lookup */
static struct smtp2_dns_answer *
dns_gave_up(const char *name, unsigned waited_ms)
{
	struct smtp2_dns_answer *a;

	smtp2_metrics_dns(SMTP2_METRICS_DNS_TIMEOUT);
	if ((a = smtp2_dns_answer_new(SMTP2_DNS_TEMPFAIL,
	    SMTP2_DNSSEC_UNKNOWN)) != NULL)
		snprintf(a->why, sizeof(a->why), "DNS timeout: waited %u ms for "
		    "a concurrent lookup of %.100s", waited_ms, name);
	return (a);
}

/* dns_query_cached - through the cache, one upstream query per flight */
static struct smtp2_dns_answer *
dns_query_cached(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	struct smtp2_dns_answer *a;
	struct smtp2_dns_flight *f;
	/* The owner's getdns gives up after its own timeout; the margin
	 * covers its hand-over, not a second lookup. */
	unsigned wait_ms = dns->timeout_ms + SMTP2_DNS_WAIT_MARGIN_MS;

	switch (smtp2_dns_cache_claim(dns->cache, name, type, wait_ms, &a, &f)) {
	case SMTP2_DNS_CLAIM_HIT:
		smtp2_metrics_dns(SMTP2_METRICS_DNS_CACHE_HIT);
		return (a);
	case SMTP2_DNS_CLAIM_GAVE_UP:
		return (dns_gave_up(name, wait_ms));
	case SMTP2_DNS_CLAIM_ASK:
		if (dns_over_budget(dns)) {
			/* Our budget is not the waiters': they ask for
			 * themselves rather than share our refusal. */
			smtp2_dns_cache_land(dns->cache, f, NULL);
			return (dns_refuse(dns, name, type));
		}
		a = dns_ask(dns, name, type);
		smtp2_dns_cache_land(dns->cache, f, a);
		return (a);
	case SMTP2_DNS_CLAIM_ALONE:
	default:
		a = dns_ask_budgeted(dns, name, type);
		/* A cache that cannot store is only a slower cache. */
		(void)smtp2_dns_cache_put(dns->cache, name, type, a);
		return (a);
	}
}

/* smtp2_dns_query - cached answer when fresh, else ask getdns */
struct smtp2_dns_answer *
smtp2_dns_query(struct smtp2_dns *dns, const char *name, uint16_t type)
{
	struct smtp2_dns_answer *a;

	smtp2_metrics_dns(SMTP2_METRICS_DNS_QUERY);
	if (name == NULL || *name == '\0') {
		if ((a = smtp2_dns_answer_new(SMTP2_DNS_TEMPFAIL,
		    SMTP2_DNSSEC_UNKNOWN)) != NULL)
			snprintf(a->why, sizeof(a->why), "empty DNS name");
		return (a);
	}
	if (dns->cache == NULL)
		return (dns_ask_budgeted(dns, name, type));
	return (dns_query_cached(dns, name, type));
}

/* smtp2_dns_query_counted - a counted lookup; bogus is never believed */
struct smtp2_dns_answer *
smtp2_dns_query_counted(struct smtp2_dns *dns, const char *name, uint16_t type,
    unsigned *queries)
{
	struct smtp2_dns_answer *a;

	(*queries)++;
	if ((a = smtp2_dns_query(dns, name, type)) == NULL)
		return (NULL);
	/* The resolver turns bogus into TEMPFAIL; a cache filled by other
	 * hands (tests, a future preload) might not. */
	if (a->dnssec == SMTP2_DNSSEC_BOGUS && a->status != SMTP2_DNS_TEMPFAIL) {
		a->status = SMTP2_DNS_TEMPFAIL;
		snprintf(a->why, sizeof(a->why), "DNSSEC validation failed "
		    "(bogus) for %.120s", name);
	}
	return (a);
}

/* smtp2_dns_txt_join - the character-strings of one TXT rdata, joined */
char *
smtp2_dns_txt_join(const struct smtp2_dns_rr *rr, size_t *outlen)
{
	char	*s;
	size_t	i = 0, n = 0, sl;

	/* The joined text is never longer than the rdata. */
	if ((s = malloc(rr->len + 1)) == NULL)
		return (NULL);
	while (i < rr->len) {
		sl = rr->rdata[i++];
		if (sl > rr->len - i)
			sl = rr->len - i;	/* truncated: keep what is there */
		memcpy(s + n, rr->rdata + i, sl);
		n += sl;
		i += sl;
	}
	s[n] = '\0';
	*outlen = n;
	return (s);
}

/* smtp2_dns_sent - queries that missed the cache */
unsigned long
smtp2_dns_sent(const struct smtp2_dns *dns)
{
	return (dns->sent);
}

/* smtp2_dns_budget - a fresh budget of max upstream lookups; 0: none */
void
smtp2_dns_budget(struct smtp2_dns *dns, unsigned max)
{
	dns->budget = max;
	dns->budget_used = 0;
	dns->budget_refused = false;
}

/* smtp2_dns_budget_spent - was a lookup refused since the last reset? */
bool
smtp2_dns_budget_spent(const struct smtp2_dns *dns)
{
	return (dns->budget_refused);
}
