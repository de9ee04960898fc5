/*
 * check_http.c - one HTTP POST the way an OCSP request is sent (RFC 6960
 * A.1): http:// and https:// only, through the bounded fetch every smtp2
 * program uses (common/http.c).
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
	char	header[128];
	CURL	*c = NULL;
	int	ret = -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, whylen, "%s: libcurl cannot be initialised", url);
		return -1;
	}
	snprintf(header, sizeof(header), "Content-Type: %s", ctype);
	if ((rq.headers = curl_slist_append(NULL, header)) == NULL ||
	    (c = curl_easy_init()) == NULL)
		snprintf(why, whylen, "%s: out of memory", url);
	else
		ret = smtp2d_http_fetch(c, &rq, out, out_len, why, whylen);
	curl_easy_cleanup(c);
	curl_slist_free_all(rq.headers);
	curl_global_cleanup();
	return ret;
}
