/*
 * mtasts_fetch.c - one MTA-STS policy over HTTPS (RFC 8461 3.3).
 *
 * libcurl does the HTTP and the TLS; we pin down everything a hostile
 * server or a hostile environment could bend: HTTPS only, the policy
 * host's certificate checked against our CAs, no redirects, no proxy
 * from the environment, a time limit and a size cap.  The host name is
 * resolved by us, through the configured validating resolvers, and handed
 * to libcurl, so it never asks the system resolver.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <curl/curl.h>

/* Utility library. */
#include "http.h"

/* Application-specific. */
#include "mtasts.h"

/* policyd_mtasts_global_init - libcurl's process-wide state */
int
policyd_mtasts_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* policyd_mtasts_global_cleanup - undo policyd_mtasts_global_init */
void
policyd_mtasts_global_cleanup(void)
{
	curl_global_cleanup();
}

/* fetch_check - the policy must be text/plain (RFC 8461 3.2) */
static int
fetch_check(CURL *c, const char *url, char *why, size_t whylen)
{
	const char *ctype = NULL;

	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) != CURLE_OK ||
	    ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0) {
		snprintf(why, whylen, "%s: content type %.40s, not text/plain",
		    url, ctype != NULL ? ctype : "missing");
		return -1;
	}
	return 0;
}

/* policyd_mtasts_fetch - GET the policy of domain from addrs */
int
policyd_mtasts_fetch(const struct policyd_mtasts_conf *conf,
    const char *domain, const char *addrs, char **body, size_t *len,
    char *why, size_t whylen)
{
	struct smtp2d_http rq = { .protocols = "https",
	    .timeout_ms = conf->timeout_ms, .max = SMTP2_MTASTS_BODY_MAX,
	    .ca_file = conf->ca_file, .ca_dir = conf->ca_dir };
	unsigned char *out = NULL;
	char	url[400], entry[1024];
	CURL	*c = NULL;
	int	rc = -1;

	snprintf(url, sizeof(url), "https://mta-sts.%s:%u/.well-known/"
	    "mta-sts.txt", domain, conf->port);
	snprintf(entry, sizeof(entry), "mta-sts.%s:%u:%s", domain, conf->port,
	    addrs);
	rq.url = url;
	if ((rq.resolve = curl_slist_append(NULL, entry)) == NULL ||
	    (c = curl_easy_init()) == NULL)
		snprintf(why, whylen, "%s: out of memory", url);
	else if (smtp2d_http_fetch(c, &rq, &out, len, why, whylen) == 0 &&
	    (rc = fetch_check(c, url, why, whylen)) < 0) {
		free(out);
		out = NULL;
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(rq.resolve);
	*body = (char *)out;
	return rc;
}
