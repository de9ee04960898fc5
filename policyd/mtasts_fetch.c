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

/* Application-specific. */
#include "mtasts.h"

struct fetch_sink {
	char	*buf;
	size_t	len;
	bool	too_big;
};

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

/* fetch_write - libcurl's write callback: append, refuse past the cap */
static size_t
fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_sink *s = arg;
	size_t	n = size * nmemb;

	if (n > SMTP2_MTASTS_BODY_MAX - s->len) {
		s->too_big = true;
		return 0;		/* libcurl stops: CURLE_WRITE_ERROR */
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

/* fetch_setup - every option of the transfer; CURLE_OK or the first error */
static CURLcode
fetch_setup(CURL *c, const struct policyd_mtasts_conf *conf, const char *url,
    struct curl_slist *resolve, struct fetch_sink *sink, char *errbuf)
{
	CURLcode e = CURLE_OK;

#define FETCH_OPT(opt, val) if (e == CURLE_OK) e = curl_easy_setopt(c, opt, val)
	FETCH_OPT(CURLOPT_ERRORBUFFER, errbuf);
	FETCH_OPT(CURLOPT_URL, url);
	FETCH_OPT(CURLOPT_PROTOCOLS_STR, "https");
	FETCH_OPT(CURLOPT_FOLLOWLOCATION, 0L);
	FETCH_OPT(CURLOPT_PROXY, "");
	FETCH_OPT(CURLOPT_NOSIGNAL, 1L);
	FETCH_OPT(CURLOPT_TIMEOUT_MS, (long)conf->timeout_ms);
	FETCH_OPT(CURLOPT_RESOLVE, resolve);
	FETCH_OPT(CURLOPT_SSL_VERIFYPEER, 1L);
	FETCH_OPT(CURLOPT_SSL_VERIFYHOST, 2L);
	FETCH_OPT(CURLOPT_CAINFO, conf->ca_file);
	if (conf->ca_dir != NULL)
		FETCH_OPT(CURLOPT_CAPATH, conf->ca_dir);
	FETCH_OPT(CURLOPT_MAXFILESIZE, (long)SMTP2_MTASTS_BODY_MAX);
	FETCH_OPT(CURLOPT_WRITEFUNCTION, fetch_write);
	FETCH_OPT(CURLOPT_WRITEDATA, sink);
#undef FETCH_OPT
	return e;
}

/* fetch_check - HTTP 200 and text/plain (RFC 8461 3.2), or why not */
static int
fetch_check(CURL *c, const char *url, char *why, size_t whylen)
{
	const char *ctype = NULL;
	long	code = 0;

	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
	    code != 200) {
		snprintf(why, whylen, "%s: HTTP %ld", url, code);
		return -1;
	}
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) != CURLE_OK ||
	    ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0) {
		snprintf(why, whylen, "%s: content type %.40s, not text/plain",
		    url, ctype != NULL ? ctype : "missing");
		return -1;
	}
	return 0;
}

/* fetch_run - the transfer with its options; 0 or -1 with why */
static int
fetch_run(CURL *c, const struct policyd_mtasts_conf *conf, const char *url,
    struct curl_slist *resolve, struct fetch_sink *sink, char *why,
    size_t whylen)
{
	char	errbuf[CURL_ERROR_SIZE] = "";
	CURLcode e;

	if ((e = fetch_setup(c, conf, url, resolve, sink, errbuf)) == CURLE_OK)
		e = curl_easy_perform(c);
	if (e == CURLE_OK)
		return fetch_check(c, url, why, whylen);
	if (sink->too_big || e == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, whylen, "%s: policy larger than %d bytes", url,
		    SMTP2_MTASTS_BODY_MAX);
	else
		snprintf(why, whylen, "%s: %s", url, errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(e));
	return -1;
}

/* policyd_mtasts_fetch - GET the policy of domain from addrs */
int
policyd_mtasts_fetch(const struct policyd_mtasts_conf *conf,
    const char *domain, const char *addrs, char **body, size_t *len,
    char *why, size_t whylen)
{
	struct fetch_sink sink = { NULL, 0, false };
	struct curl_slist *resolve = NULL;
	char	url[400], entry[1024];
	CURL	*c = NULL;
	int	rc = -1;

	snprintf(url, sizeof(url), "https://mta-sts.%s:%u/.well-known/"
	    "mta-sts.txt", domain, conf->port);
	snprintf(entry, sizeof(entry), "mta-sts.%s:%u:%s", domain, conf->port,
	    addrs);
	if ((sink.buf = malloc(SMTP2_MTASTS_BODY_MAX)) == NULL ||
	    (resolve = curl_slist_append(NULL, entry)) == NULL ||
	    (c = curl_easy_init()) == NULL)
		snprintf(why, whylen, "%s: out of memory", url);
	else
		rc = fetch_run(c, conf, url, resolve, &sink, why, whylen);
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	if (rc < 0) {
		free(sink.buf);
		return -1;
	}
	*body = sink.buf;
	*len = sink.len;
	return 0;
}
