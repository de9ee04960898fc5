/*
 * dns_getdns.c - getdns 1.6 in stub mode, locked down, and its replies.
 *
 * A context here never reads /etc/resolv.conf or /etc/hosts
 * (set_from_os = 0), talks only to the resolvers it is given, and can
 * never fetch root trust anchors by itself (zero-config DNSSEC is
 * switched off: getdns 1.6 would otherwise resolve data.iana.org and
 * download the anchors over HTTP).  Validation happens inside getdns,
 * which sets CD on its queries, so with dnssec_return_all_statuses a
 * bogus answer is reported as such instead of looking like NXDOMAIN.
 */

/* System library. */
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* getdns. */
#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/metrics.h>
#include "dns_int.h"

/* Where getdns would look for anchors if it ever tried: nowhere. */
#define DNS_TA_URL_NOWHERE	"http://127.0.0.1:9/smtp2-no-anchor-fetch.xml"

#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3

/* Longest CNAME chain followed inside one answer (resolvers allow ~8-12). */
#define DNS_CNAME_HOPS		8

/*
 * getdns_context_create runs libunbound's ub_ctx_create, whose lazy
 * log_init() is not thread-safe (NLnetLabs/unbound issue 1492; ThreadSanitizer
 * shows it in test_dns_coalesce), and policyd's connection threads make
 * their resolvers whenever they like: contexts are made and destroyed one
 * at a time.  It costs nothing after start-up; queries are not serialised.
 */
static pthread_mutex_t dns_context_lock = PTHREAD_MUTEX_INITIALIZER;

struct smtp2_dns_backend {
	getdns_context	*ctx;		/* owned */
	getdns_dict	*ext;		/* owned; NULL when not validating */
	unsigned	timeout_ms;
};

/* dns_upstream_dict - getdns address dict for one resolver spec */
static getdns_dict *
dns_upstream_dict(const char *spec, char *why, size_t whylen)
{
	unsigned char addr[16];
	getdns_bindata type_bd, addr_bd;
	getdns_dict *d;
	uint16_t port;
	int	family;

	if (smtp2_dns_parse_resolver(spec, &family, addr, &port, why, whylen) < 0)
		return (NULL);
	type_bd.data = (uint8_t *)(family == AF_INET ? "IPv4" : "IPv6");
	type_bd.size = 4;
	addr_bd.data = addr;
	addr_bd.size = family == AF_INET ? 4 : 16;
	if ((d = getdns_dict_create()) == NULL ||
	    getdns_dict_set_bindata(d, "address_type", &type_bd) ||
	    getdns_dict_set_bindata(d, "address_data", &addr_bd) ||
	    getdns_dict_set_int(d, "port", port)) {
		getdns_dict_destroy(d);
		snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	return (d);
}

/* dns_set_upstreams - the only servers this context may talk to */
static int
dns_set_upstreams(getdns_context *ctx, const struct smtp2_dns_opts *opts,
    char *why, size_t whylen)
{
	getdns_list *list;
	getdns_return_t r = GETDNS_RETURN_GOOD;
	size_t	i;

	if (opts->resolvers == NULL || opts->n_resolvers == 0) {
		snprintf(why, whylen, "no DNS resolver configured");
		return (-1);
	}
	if ((list = getdns_list_create()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return (-1);
	}
	for (i = 0; i < opts->n_resolvers && r == GETDNS_RETURN_GOOD; i++) {
		getdns_dict *d;

		if ((d = dns_upstream_dict(opts->resolvers[i], why, whylen)) == NULL) {
			getdns_list_destroy(list);
			return (-1);
		}
		r = getdns_list_set_dict(list, i, d);
		getdns_dict_destroy(d);
	}
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_upstream_recursive_servers(ctx, list);
	getdns_list_destroy(list);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "cannot set DNS resolvers: %s",
		    getdns_get_errorstr_by_id(r));
		return (-1);
	}
	return (0);
}

/* dns_set_anchors - explicit anchors, and no way to fetch others */
static int
dns_set_anchors(getdns_context *ctx, const char *path, char *why, size_t whylen)
{
	getdns_list *anchors;
	getdns_return_t r;
	int	count;

	/* An empty list would let getdns go looking for root anchors. */
	if ((anchors = smtp2_dns_anchors_read(path, &count, why, whylen)) == NULL)
		return (-1);
	r = getdns_context_set_dnssec_trust_anchors(ctx, anchors);
	getdns_list_destroy(anchors);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "%s: getdns refused the anchors: %s", path,
		    getdns_get_errorstr_by_id(r));
		return (-1);
	}
	return (0);
}

/* dns_no_fetch - make zero-config DNSSEC (anchor download) impossible */
static int
dns_no_fetch(getdns_context *ctx, char *why, size_t whylen)
{
	/* An empty verify CA or e-mail disables the fetch outright; the
	 * loopback URL is belt and braces should that ever change. */
	if (getdns_context_set_trust_anchors_verify_CA(ctx, "") ||
	    getdns_context_set_trust_anchors_verify_email(ctx, "") ||
	    getdns_context_set_trust_anchors_url(ctx, DNS_TA_URL_NOWHERE)) {
		snprintf(why, whylen, "cannot disable trust-anchor fetching");
		return (-1);
	}
	return (0);
}

/* dns_context_new - a stub context with our settings, NULL with why */
static getdns_context *
dns_context_new(const struct smtp2_dns_opts *opts, char *why, size_t whylen)
{
	getdns_context *ctx;
	getdns_return_t r;

	/* 0: do not read resolv.conf or hosts. */
	if ((r = getdns_context_create(&ctx, 0)) != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "cannot create getdns context: %s",
		    getdns_get_errorstr_by_id(r));
		return (NULL);
	}
	if (dns_no_fetch(ctx, why, whylen) < 0)
		goto fail;
	if ((r = getdns_context_set_resolution_type(ctx, GETDNS_RESOLUTION_STUB)) ||
	    (r = getdns_context_set_timeout(ctx, opts->timeout_ms))) {
		snprintf(why, whylen, "cannot configure getdns: %s",
		    getdns_get_errorstr_by_id(r));
		goto fail;
	}
	if (dns_set_upstreams(ctx, opts, why, whylen) < 0)
		goto fail;
	if (opts->dnssec != SMTP2_DNSSEC_OFF &&
	    dns_set_anchors(ctx, opts->trust_anchors, why, whylen) < 0)
		goto fail;
	return (ctx);
fail:
	getdns_context_destroy(ctx);
	return (NULL);
}

/* smtp2_dns_backend_new - context plus the extensions every query uses */
struct smtp2_dns_backend *
smtp2_dns_backend_new(const struct smtp2_dns_opts *opts, char *why, size_t whylen)
{
	struct smtp2_dns_backend *be;

	if (opts->timeout_ms == 0) {
		snprintf(why, whylen, "DNS timeout must be at least 1 ms");
		return (NULL);
	}
	if ((be = calloc(1, sizeof(*be))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	be->timeout_ms = opts->timeout_ms;
	pthread_mutex_lock(&dns_context_lock);
	be->ctx = dns_context_new(opts, why, whylen);
	pthread_mutex_unlock(&dns_context_lock);
	if (be->ctx == NULL) {
		free(be);
		return (NULL);
	}
	if (opts->dnssec != SMTP2_DNSSEC_OFF &&
	    ((be->ext = getdns_dict_create()) == NULL ||
	    getdns_dict_set_int(be->ext, "dnssec_return_all_statuses",
	    GETDNS_EXTENSION_TRUE))) {
		snprintf(why, whylen, "out of memory");
		smtp2_dns_backend_free(be);
		return (NULL);
	}
	return (be);
}

/* smtp2_dns_backend_free - destroy context and extensions */
void
smtp2_dns_backend_free(struct smtp2_dns_backend *be)
{
	if (be == NULL)
		return;
	getdns_dict_destroy(be->ext);
	if (be->ctx != NULL) {
		pthread_mutex_lock(&dns_context_lock);
		getdns_context_destroy(be->ctx);
		pthread_mutex_unlock(&dns_context_lock);
	}
	free(be);
}

/* smtp2_dns_type_name - mnemonic for the types we ask for, for messages */
const char *
smtp2_dns_type_name(uint16_t type, char *buf, size_t buflen)
{
	switch (type) {
	case GETDNS_RRTYPE_A:
		return ("A");
	case GETDNS_RRTYPE_MX:
		return ("MX");
	case GETDNS_RRTYPE_AAAA:
		return ("AAAA");
	case SMTP2_DNS_T_TXT:
		return ("TXT");
	case SMTP2_DNS_T_TLSA:
		return ("TLSA");
	default:
		snprintf(buf, buflen, "TYPE%u", (unsigned)type);
		return (buf);
	}
}

/* dns_rcode_name - mnemonic of a failure rcode, for messages */
static const char *
dns_rcode_name(uint32_t rcode, char *buf, size_t buflen)
{
	switch (rcode) {
	case 1:
		return ("FORMERR");
	case 4:
		return ("NOTIMP");
	case 5:
		return ("REFUSED");
	default:
		snprintf(buf, buflen, "RCODE%u", (unsigned)rcode);
		return (buf);
	}
}

/* dns_map_dnssec - getdns dnssec_status to our enum */
static enum smtp2_dnssec
dns_map_dnssec(const getdns_dict *reply, bool validating)
{
	uint32_t st;

	/* Nothing was validated: say so rather than guess. */
	if (!validating)
		return (SMTP2_DNSSEC_INDETERMINATE);
	if (getdns_dict_get_int(reply, "dnssec_status", &st))
		return (SMTP2_DNSSEC_INDETERMINATE);
	switch (st) {
	case GETDNS_DNSSEC_SECURE:
		return (SMTP2_DNSSEC_SECURE);
	case GETDNS_DNSSEC_INSECURE:
		return (SMTP2_DNSSEC_INSECURE);
	case GETDNS_DNSSEC_BOGUS:
		return (SMTP2_DNSSEC_BOGUS);
	default:
		return (SMTP2_DNSSEC_INDETERMINATE);
	}
}

/* dns_name_eq - two wire-format names as getdns hands them, any case */
static bool
dns_name_eq(const getdns_bindata *x, const getdns_bindata *y)
{
	size_t	i;

	/* getdns has decompressed them; length bytes (< 64) are out of
	 * tolower's reach, so a byte-wise compare is a name compare. */
	if (x->size != y->size)
		return (false);
	for (i = 0; i < x->size; i++)
		if (tolower(x->data[i]) != tolower(y->data[i]))
			return (false);
	return (true);
}

/* dns_question_ok - does the reply answer name/type, and not another? */
static bool
dns_question_ok(const getdns_dict *reply, const char *name, uint16_t type,
    getdns_bindata **qname)
{
	char	*fqdn = NULL;
	uint32_t qtype;
	size_t	nl = strlen(name), fl;
	bool	ok;

	/* getdns 1.6 matches replies on the ID alone: check the rest. */
	if (getdns_dict_get_bindata(reply, "/question/qname", qname) ||
	    getdns_dict_get_int(reply, "/question/qtype", &qtype) ||
	    qtype != type || getdns_convert_dns_name_to_fqdn(*qname, &fqdn))
		return (false);
	fl = strlen(fqdn);
	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (fl > 0 && fqdn[fl - 1] == '.')
		fl--;
	ok = nl == fl && strncasecmp(name, fqdn, nl) == 0;
	free(fqdn);
	return (ok);
}

/* dns_cname_of - the target of owner's CNAME in rrs, NULL when none */
static const getdns_bindata *
dns_cname_of(const getdns_list *rrs, size_t len, const getdns_bindata *owner)
{
	getdns_bindata *rname, *target;
	size_t	i;
	uint32_t t;

	for (i = 0; i < len && i < SMTP2_DNS_RR_MAX * 4; i++) {
		getdns_dict *rr;

		if (getdns_list_get_dict(rrs, i, &rr) == 0 &&
		    getdns_dict_get_int(rr, "type", &t) == 0 &&
		    t == GETDNS_RRTYPE_CNAME &&
		    getdns_dict_get_bindata(rr, "name", &rname) == 0 &&
		    dns_name_eq(rname, owner) &&
		    getdns_dict_get_bindata(rr, "/rdata/cname", &target) == 0)
			return (target);
	}
	return (NULL);
}

/* dns_canonical - qname at the end of the answer's CNAME chain */
static const getdns_bindata *
dns_canonical(const getdns_list *rrs, size_t len, const getdns_bindata *qname)
{
	const getdns_bindata *owner = qname, *next;
	size_t	hops;

	/* Bounded: a looping chain just ends somewhere inside the loop. */
	for (hops = 0; hops < DNS_CNAME_HOPS; hops++) {
		if ((next = dns_cname_of(rrs, len, owner)) == NULL)
			break;
		owner = next;
	}
	return (owner);
}

/*
 * dns_add_mx - MX rdata with its exchange name uncompressed.  getdns keeps
 * the wire's compression pointers in rdata_raw, and those point into a
 * packet the caller never sees; the parsed fields hold the whole name.
 */
static int
dns_add_mx(struct smtp2_dns_answer *a, const getdns_dict *rr)
{
	unsigned char buf[2 + 255];
	getdns_bindata *exchange;
	uint32_t pref;

	if (getdns_dict_get_int(rr, "/rdata/preference", &pref) ||
	    getdns_dict_get_bindata(rr, "/rdata/exchange", &exchange) ||
	    exchange->size == 0 || exchange->size > 255 || pref > 0xffff)
		return (0);		/* malformed: skip it like a stranger */
	buf[0] = (unsigned char)(pref >> 8);
	buf[1] = (unsigned char)pref;
	memcpy(buf + 2, exchange->data, exchange->size);
	return (smtp2_dns_answer_add(a, buf, 2 + exchange->size));
}

/* dns_collect - copy the rdata of the asked type at the asked name */
static int
dns_collect(struct smtp2_dns_answer *a, const getdns_dict *reply,
    uint16_t type, const getdns_bindata *qname)
{
	const getdns_bindata *owner;
	getdns_list *rrs;
	size_t	len, i;
	bool	any = false;

	if (getdns_dict_get_list(reply, "answer", &rrs) ||
	    getdns_list_get_length(rrs, &len))
		return (0);
	/* Records of other names are not ours, whatever their type. */
	owner = dns_canonical(rrs, len, qname);
	for (i = 0; i < len && i < SMTP2_DNS_RR_MAX * 4; i++) {
		getdns_dict *rr;
		getdns_bindata *raw, *rname;
		uint32_t t, ttl;

		if (getdns_list_get_dict(rrs, i, &rr) ||
		    getdns_dict_get_int(rr, "type", &t) || t != type ||
		    getdns_dict_get_bindata(rr, "name", &rname) ||
		    !dns_name_eq(rname, owner) ||
		    getdns_dict_get_bindata(rr, "/rdata/rdata_raw", &raw))
			continue;	/* CNAMEs, RRSIGs, strangers */
		if (getdns_dict_get_int(rr, "ttl", &ttl))
			ttl = 0;
		if (!any || ttl < a->ttl)
			a->ttl = ttl;
		any = true;
		if ((t == SMTP2_DNS_T_MX ? dns_add_mx(a, rr) :
		    smtp2_dns_answer_add(a, raw->data, raw->size)) < 0)
			return (-1);
	}
	return (0);
}

/* dns_negative_ttl - RFC 2308: min(SOA ttl, SOA minimum), else default */
static uint32_t
dns_negative_ttl(const getdns_dict *reply)
{
	getdns_list *auth;
	size_t	len, i;

	if (getdns_dict_get_list(reply, "authority", &auth) ||
	    getdns_list_get_length(auth, &len))
		return (SMTP2_DNS_NEG_TTL);
	for (i = 0; i < len && i < SMTP2_DNS_RR_MAX; i++) {
		getdns_dict *rr;
		uint32_t t, ttl, min;

		if (getdns_list_get_dict(auth, i, &rr) ||
		    getdns_dict_get_int(rr, "type", &t) || t != GETDNS_RRTYPE_SOA ||
		    getdns_dict_get_int(rr, "/rdata/minimum", &min))
			continue;
		if (getdns_dict_get_int(rr, "ttl", &ttl) == 0 && ttl < min)
			min = ttl;
		return (min);
	}
	return (SMTP2_DNS_NEG_TTL);
}

static struct smtp2_dns_answer *
dns_tempfail(enum smtp2_dnssec, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* dns_tempfail - a TEMPFAIL answer with a reason */
static struct smtp2_dns_answer *
dns_tempfail(enum smtp2_dnssec dnssec, const char *fmt, ...)
{
	struct smtp2_dns_answer *a;
	va_list	ap;

	if ((a = smtp2_dns_answer_new(SMTP2_DNS_TEMPFAIL, dnssec)) == NULL)
		return (NULL);
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	return (a);
}

/* dns_from_reply - turn the first reply of a response into an answer */
static struct smtp2_dns_answer *
dns_from_reply(const getdns_dict *reply, bool validating, const char *name,
    uint16_t type, const char *tname)
{
	struct smtp2_dns_answer *a;
	enum smtp2_dnssec sec = dns_map_dnssec(reply, validating);
	getdns_bindata *qname;
	uint32_t rcode;
	char	rbuf[16];

	if (sec == SMTP2_DNSSEC_BOGUS)
		return (dns_tempfail(sec, "DNSSEC validation failed (bogus) "
		    "for %s %s", name, tname));
	if (getdns_dict_get_int(reply, "/header/rcode", &rcode))
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN,
		    "malformed DNS reply for %s %s", name, tname));
	if (rcode == DNS_RCODE_SERVFAIL)
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN,
		    "SERVFAIL from resolver for %s %s", name, tname));
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN, "resolver answered %s "
		    "for %s %s", dns_rcode_name(rcode, rbuf, sizeof(rbuf)), name,
		    tname));
	if (!dns_question_ok(reply, name, type, &qname))
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN, "DNS reply for %s %s "
		    "answers another question: not believed", name, tname));
	if ((a = smtp2_dns_answer_new(SMTP2_DNS_OK, sec)) == NULL)
		return (NULL);
	if (dns_collect(a, reply, type, qname) < 0) {
		smtp2_dns_answer_free(a);
		return (NULL);
	}
	if (a->n == 0) {
		a->status = rcode == DNS_RCODE_NXDOMAIN ?
		    SMTP2_DNS_NXDOMAIN : SMTP2_DNS_NODATA;
		a->ttl = dns_negative_ttl(reply);
	}
	return (a);
}

/* dns_from_response - map a getdns response dict onto an answer */
static struct smtp2_dns_answer *
dns_from_response(const struct smtp2_dns_backend *be, const getdns_dict *resp,
    const char *name, uint16_t type)
{
	char	tbuf[16];
	const char *tname = smtp2_dns_type_name(type, tbuf, sizeof(tbuf));
	getdns_dict *reply;
	uint32_t status;

	if (getdns_dict_get_int(resp, "status", &status))
		status = GETDNS_RESPSTATUS_GOOD;
	if (status == GETDNS_RESPSTATUS_ALL_TIMEOUT) {
		smtp2_metrics_dns(SMTP2_METRICS_DNS_TIMEOUT);
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN, "DNS timeout after "
		    "%u ms querying %s %s", be->timeout_ms, name, tname));
	}
	if (status == GETDNS_RESPSTATUS_ALL_BOGUS_ANSWERS)
		return (dns_tempfail(SMTP2_DNSSEC_BOGUS, "DNSSEC validation "
		    "failed (bogus) for %s %s", name, tname));
	if (getdns_dict_get_dict(resp, "/replies_tree/0", &reply))
		return (dns_tempfail(SMTP2_DNSSEC_UNKNOWN,
		    "no DNS reply for %s %s (resolver down?)", name, tname));
	return (dns_from_reply(reply, be->ext != NULL, name, type, tname));
}

/* smtp2_dns_backend_query - one synchronous lookup through getdns */
struct smtp2_dns_answer *
smtp2_dns_backend_query(struct smtp2_dns_backend *be, const char *name,
    uint16_t type)
{
	struct smtp2_dns_answer *a;
	getdns_dict *resp = NULL;
	getdns_return_t r;
	char	tbuf[16];

	r = getdns_general_sync(be->ctx, name, type, be->ext, &resp);
	if (r != GETDNS_RETURN_GOOD) {
		getdns_dict_destroy(resp);
		if ((a = smtp2_dns_answer_new(SMTP2_DNS_TEMPFAIL,
		    SMTP2_DNSSEC_UNKNOWN)) == NULL)
			return (NULL);
		snprintf(a->why, sizeof(a->why), "cannot query %.100s %s: %s",
		    name, smtp2_dns_type_name(type, tbuf, sizeof(tbuf)),
		    getdns_get_errorstr_by_id(r));
		return (a);
	}
	a = dns_from_response(be, resp, name, type);
	getdns_dict_destroy(resp);
	return (a);
}
