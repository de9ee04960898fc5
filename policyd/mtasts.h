/*
 * mtasts.h - MTA-STS policies for smtp2-policyd: the _mta-sts TXT record
 * through our resolver, the policy over HTTPS (libcurl), both cached.
 *
 * The cache is shared by every connection thread (thread-safe, bounded);
 * a policy is kept for its max_age and fetched again when the TXT id
 * changes.  What cannot be fetched or parsed counts as no policy, unless
 * an unexpired one is cached (RFC 8461 3.3, 5.1).
 */
#ifndef POLICYD_MTASTS_H
#define POLICYD_MTASTS_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/mtasts.h>

struct policyd_mtasts;

struct policyd_mtasts_conf {
	const char	*ca_file;	/* CAs the policy host is checked against */
	const char	*ca_dir;	/* may be NULL */
	unsigned	port;		/* 443; another only in tests */
	unsigned	timeout_ms;	/* the whole HTTPS exchange */
	unsigned	cache_entries;	/* domains remembered */
};

/*
 * policyd_mtasts_new - a fetcher and its cache.  Call curl_global_init()
 * once before (policyd_mtasts_global_init), while single-threaded.
 * NULL when out of memory.  Caller frees with policyd_mtasts_free().
 */
struct policyd_mtasts *policyd_mtasts_new(const struct policyd_mtasts_conf *c);
void policyd_mtasts_free(struct policyd_mtasts *m);

/* policyd_mtasts_global_init - libcurl's process-wide set-up; 0 or -1. */
int policyd_mtasts_global_init(void);
void policyd_mtasts_global_cleanup(void);

/*
 * policyd_mtasts_get - the policy of domain (normalised).  Returns true
 * with *p filled, false when the domain has none that counts; why says
 * where the answer came from or what went wrong.  Blocks at most the
 * DNS timeout twice plus timeout_ms.
 */
bool policyd_mtasts_get(struct policyd_mtasts *m, struct smtp2_dns *dns,
    const char *domain, struct smtp2_mtasts_policy *p, char *why,
    size_t whylen);

/*
 * policyd_mtasts_fetch - GET https://mta-sts.<domain>:<port>/.well-known/
 * mta-sts.txt, connecting only to addrs (a curl "resolve" address list,
 * "127.0.0.1,::1"): the body (malloc'd, caller frees) in *body.  HTTPS
 * only, certificate checked for mta-sts.<domain>, no redirect, no proxy,
 * at most SMTP2_MTASTS_BODY_MAX bytes.  0, or -1 with why.
 */
int policyd_mtasts_fetch(const struct policyd_mtasts_conf *c,
    const char *domain, const char *addrs, char **body, size_t *len,
    char *why, size_t whylen);

#endif
