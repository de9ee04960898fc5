/*
 * smtp2/dns.h - DNS lookups with DNSSEC status, through getdns in stub mode.
 *
 * A struct smtp2_dns wraps one getdns context and is NOT thread-safe: make
 * one per thread.  A struct smtp2_dns_cache is shared by every resolver of
 * a process (thread-safe, TTL-bounded, negative answers included, bounded
 * in entries).  Through a shared cache, concurrent lookups of one name and
 * type cost one upstream query: later askers wait for the first one's
 * answer (at most their own timeout plus a second) and get a copy of it,
 * TEMPFAIL included.  The library never falls back to /etc/resolv.conf or
 * fetches root trust anchors by itself: resolvers and anchors are always
 * explicit.  docs/dns.md tells the whole story.
 */
#ifndef SMTP2_DNS_H
#define SMTP2_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smtp2/result.h>

#define SMTP2_DNS_T_A		1
#define SMTP2_DNS_T_MX		15	/* rdata: preference, uncompressed exchange */
#define SMTP2_DNS_T_TXT		16
#define SMTP2_DNS_T_AAAA	28
#define SMTP2_DNS_T_TLSA	52

struct smtp2_dns;
struct smtp2_dns_cache;

struct smtp2_dns_opts {
	const char *const *resolvers;	/* "127.0.0.1:53", "[::1]:5300", "127.0.0.1" */
	size_t		n_resolvers;
	const char	*trust_anchors;	/* file of DS/DNSKEY RRs in zone-file form */
	enum smtp2_dnssec_mode dnssec;
	unsigned	timeout_ms;
	struct smtp2_dns_cache *cache;	/* may be NULL: no caching */
};

enum smtp2_dns_status {
	SMTP2_DNS_OK = 0,		/* rrs of the asked type follow */
	SMTP2_DNS_NXDOMAIN,		/* the name does not exist */
	SMTP2_DNS_NODATA,		/* the name exists, no rr of this type */
	SMTP2_DNS_TEMPFAIL		/* timeout, SERVFAIL, resolver down, bogus: try later */
};

struct smtp2_dns_rr {
	size_t		len;
	unsigned char	*rdata;		/* wire-format rdata */
};

struct smtp2_dns_answer {
	enum smtp2_dns_status status;
	enum smtp2_dnssec dnssec;	/* BOGUS answers always come with TEMPFAIL */
	uint32_t	ttl;		/* smallest TTL of the set (or SOA minimum) */
	size_t		n;
	struct smtp2_dns_rr *rr;
	char		why[160];	/* human reason for TEMPFAIL */
};

/*
 * smtp2_dns_new - make a resolver.  Returns NULL with a reason in why when
 * the options are unusable (no resolver, unreadable or empty anchors while
 * dnssec is not OFF).  Caller frees with smtp2_dns_free().
 */
struct smtp2_dns *smtp2_dns_new(const struct smtp2_dns_opts *opts,
    char *why, size_t whylen);
void smtp2_dns_free(struct smtp2_dns *dns);

/*
 * smtp2_dns_query - look name/type up, from the cache when fresh.  Never
 * fails for DNS reasons: those come back as status TEMPFAIL.  Returns NULL
 * only when out of memory.  Caller frees with smtp2_dns_answer_free().
 */
struct smtp2_dns_answer *smtp2_dns_query(struct smtp2_dns *dns,
    const char *name, uint16_t type);
void smtp2_dns_answer_free(struct smtp2_dns_answer *a);

/*
 * smtp2_dns_query_counted - smtp2_dns_query, adding one to *queries, and
 * never believing a bogus answer: any BOGUS answer (a canned one too)
 * comes back as TEMPFAIL.  NULL only when out of memory.
 */
struct smtp2_dns_answer *smtp2_dns_query_counted(struct smtp2_dns *dns,
    const char *name, uint16_t type, unsigned *queries);

/*
 * smtp2_dns_txt_join - the character-strings of one TXT rdata back to
 * back, NUL-terminated (a truncated last string keeps what is there);
 * *outlen gets the length.  NULL when out of memory.  Caller frees.
 */
char *smtp2_dns_txt_join(const struct smtp2_dns_rr *rr, size_t *outlen);

/* How many queries this resolver actually sent (cache misses). */
unsigned long smtp2_dns_sent(const struct smtp2_dns *dns);

/*
 * smtp2_dns_budget - (re)start a budget of max upstream lookups on this
 * resolver; 0 means none, which is how a new resolver starts.  Call it
 * when the message or decision the budget is for begins (milter.conf
 * dns.max_queries).  Only lookups that go upstream count: cache hits, and
 * answers shared from another resolver's lookup in flight, are free, and
 * keep coming after the budget is spent.  Once max lookups have gone
 * upstream, a lookup that would go upstream is not sent: it answers
 * TEMPFAIL, as a timeout does, with why "DNS query budget (N) spent: NAME
 * TYPE not looked up", so every caller defers instead of deciding on
 * partial data.
 */
void smtp2_dns_budget(struct smtp2_dns *dns, unsigned max);

/*
 * smtp2_dns_budget_spent - has a lookup been refused for the budget since
 * the last smtp2_dns_budget()?  Using exactly max lookups is not spent:
 * this says whether the budget changed an answer, for the log line.
 */
bool smtp2_dns_budget_spent(const struct smtp2_dns *dns);

/*
 * smtp2_dns_count_anchors - parse a trust-anchor file as smtp2_dns_new
 * would; returns the number of DS/DNSKEY records, or -1 with why.
 */
int smtp2_dns_count_anchors(const char *path, char *why, size_t whylen);

/*
 * Cache: max_entries bounds memory; ttl_cap bounds staleness (seconds).
 * Free it only when no resolver using it is inside smtp2_dns_query().
 */
struct smtp2_dns_cache *smtp2_dns_cache_new(size_t max_entries, uint32_t ttl_cap);
void smtp2_dns_cache_free(struct smtp2_dns_cache *c);
void smtp2_dns_cache_flush(struct smtp2_dns_cache *c);

/*
 * smtp2_dns_cache_put - store a copy of a (for tests: canned) answer under
 * name/type for ttl seconds (capped).  TEMPFAIL answers are not cached.
 * Returns 0, or -1 when out of memory.
 */
int smtp2_dns_cache_put(struct smtp2_dns_cache *c, const char *name,
    uint16_t type, const struct smtp2_dns_answer *a);

#endif
