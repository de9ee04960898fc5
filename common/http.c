/*
 * http.c - one bounded HTTP(S) exchange through libcurl (http.h).
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <curl/curl.h>

/* Application-specific. */
#include "http.h"

struct http_sink {
	unsigned char *buf;
	size_t	len;
	size_t	max;
	bool	too_big;
};

/* http_write - libcurl's write callback: append, refuse beyond max */
static size_t
http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_sink *s = arg;
	size_t	n = size * nmemb;

	if (n > s->max - s->len) {
		s->too_big = true;
		return 0;		/* libcurl stops: CURLE_WRITE_ERROR */
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

/* http_setup - every option of the transfer; CURLE_OK or the first error */
static CURLcode
http_setup(CURL *c, const struct smtp2d_http *rq, struct http_sink *sink,
    char *errbuf)
{
	CURLcode e = CURLE_OK;

#define HTTP_OPT(opt, val) if (e == CURLE_OK) e = curl_easy_setopt(c, opt, val)
	HTTP_OPT(CURLOPT_ERRORBUFFER, errbuf);
	HTTP_OPT(CURLOPT_URL, rq->url);
	HTTP_OPT(CURLOPT_PROTOCOLS_STR, rq->protocols);
	HTTP_OPT(CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_OPT(CURLOPT_PROXY, "");	/* not the environment's proxy */
	HTTP_OPT(CURLOPT_NOSIGNAL, 1L);
	HTTP_OPT(CURLOPT_TIMEOUT_MS, (long)rq->timeout_ms);
	HTTP_OPT(CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_OPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->ca_file != NULL)
		HTTP_OPT(CURLOPT_CAINFO, rq->ca_file);
	if (rq->ca_dir != NULL)
		HTTP_OPT(CURLOPT_CAPATH, rq->ca_dir);
	HTTP_OPT(CURLOPT_RESOLVE, rq->resolve);
	HTTP_OPT(CURLOPT_HTTPHEADER, rq->headers);
	if (rq->post != NULL) {
		HTTP_OPT(CURLOPT_POSTFIELDS, (const char *)rq->post);
		HTTP_OPT(CURLOPT_POSTFIELDSIZE, (long)rq->post_len);
	}
	HTTP_OPT(CURLOPT_MAXFILESIZE, (long)rq->max);
	HTTP_OPT(CURLOPT_WRITEFUNCTION, http_write);
	HTTP_OPT(CURLOPT_WRITEDATA, sink);
#undef HTTP_OPT
	return e;
}

/* http_why - the reason a transfer failed */
static void
http_why(CURLcode e, const struct http_sink *s, const struct smtp2d_http *rq,
    const char *errbuf, char *why, size_t whylen)
{
	if (e == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen, "%s: timed out after %u ms", rq->url,
		    rq->timeout_ms);
	else if (s->too_big || e == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, whylen, "%s: answer larger than %zu bytes", rq->url,
		    rq->max);
	else
		snprintf(why, whylen, "%s: %s", rq->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(e));
}

/* smtp2d_http_fetch - see http.h */
int
smtp2d_http_fetch(CURL *c, const struct smtp2d_http *rq, unsigned char **out,
    size_t *out_len, char *why, size_t whylen)
{
	struct http_sink sink = { NULL, 0, rq->max, false };
	char	errbuf[CURL_ERROR_SIZE] = "";
	long	code = 0;
	CURLcode e;

	if ((sink.buf = malloc(rq->max > 0 ? rq->max : 1)) == NULL) {
		snprintf(why, whylen, "%s: out of memory", rq->url);
		return -1;
	}
	if ((e = http_setup(c, rq, &sink, errbuf)) == CURLE_OK)
		e = curl_easy_perform(c);
	if (e == CURLE_OK)
		e = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (e != CURLE_OK)
		http_why(e, &sink, rq, errbuf, why, whylen);
	else if (code != 200)
		snprintf(why, whylen, "%s: HTTP %ld", rq->url, code);
	if (e != CURLE_OK || code != 200) {
		free(sink.buf);
		return -1;
	}
	*out = sink.buf;
	*out_len = sink.len;
	return 0;
}
