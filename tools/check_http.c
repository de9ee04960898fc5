/*
 * check_http.c - the HTTP requests smtp2-check makes, through the bounded
 * fetch every smtp2 program uses (common/http.c): an OCSP POST (RFC 6960
 * A.1) and a GET of a daemon's metrics snapshot.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <curl/curl.h>

/* Utility library. */
#include "http.h"

/* Application-specific. */
#include "check.h"

/* http_run - rq with libcurl set up around it; ctype NULL: no body type */
static int
http_run(struct smtp2d_http *rq, const char *ctype, unsigned char **out,
    size_t *out_len, char *why, size_t whylen)
{
	char	header[128];
	CURL	*c = NULL;
	int	ret = -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, whylen, "%s: libcurl cannot be initialised", rq->url);
		return -1;
	}
	if (ctype != NULL) {
		snprintf(header, sizeof(header), "Content-Type: %.100s", ctype);
		rq->headers = curl_slist_append(NULL, header);
	}
	if ((ctype != NULL && rq->headers == NULL) ||
	    (c = curl_easy_init()) == NULL)
		snprintf(why, whylen, "%s: out of memory", rq->url);
	else
		ret = smtp2d_http_fetch(c, rq, out, out_len, why, whylen);
	curl_easy_cleanup(c);
	curl_slist_free_all(rq->headers);
	rq->headers = NULL;
	curl_global_cleanup();
	return ret;
}

/* check_http_post - POST body to url; the answer (malloc'd, caller frees)
 * in *out, at most max bytes, or -1 with why */
int
check_http_post(const char *url, const char *ctype, const unsigned char *body,
    size_t body_len, size_t max, unsigned timeout, unsigned char **out,
    size_t *out_len, char *why, size_t whylen)
{
	struct smtp2d_http rq = { .url = url, .protocols = "http,https",
	    .timeout_ms = timeout * 1000, .max = max, .post = body,
	    .post_len = body_len };

	return http_run(&rq, ctype, out, out_len, why, whylen);
}

/* check_http_get - see check.h */
int
check_http_get(const char *url, size_t max, unsigned timeout_ms,
    unsigned char **out, size_t *out_len, char *why, size_t whylen)
{
	struct smtp2d_http rq = { .url = url, .protocols = "http",
	    .timeout_ms = timeout_ms, .max = max };

	return http_run(&rq, NULL, out, out_len, why, whylen);
}
