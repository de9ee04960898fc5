/*
 * check_http.c - one HTTP POST through libcurl, the way an OCSP request
 * is sent (RFC 6960 A.1): http:// and https:// only, no redirect followed,
 * no proxy, the whole exchange under a time limit, the answer capped.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <curl/curl.h>

/* Application-specific. */
#include "check.h"

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
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->too_big = true;
		return 0;		/* libcurl stops: CURLE_WRITE_ERROR */
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

/* http_setup - the options every request gets; CURLE_OK or the first error */
static CURLcode
http_setup(CURL *c, const char *url, struct curl_slist *hdr,
    const unsigned char *body, size_t body_len, struct http_sink *sink,
    unsigned timeout, char *errbuf)
{
	CURLcode e = CURLE_OK;

#define HTTP_OPT(opt, val) if (e == CURLE_OK) e = curl_easy_setopt(c, opt, val)
	HTTP_OPT(CURLOPT_ERRORBUFFER, errbuf);
	HTTP_OPT(CURLOPT_URL, url);
	HTTP_OPT(CURLOPT_PROTOCOLS_STR, "http,https");
	HTTP_OPT(CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_OPT(CURLOPT_PROXY, "");	/* not the environment's proxy */
	HTTP_OPT(CURLOPT_NOSIGNAL, 1L);
	HTTP_OPT(CURLOPT_TIMEOUT, (long)timeout);
	HTTP_OPT(CURLOPT_HTTPHEADER, hdr);
	HTTP_OPT(CURLOPT_POSTFIELDS, (const char *)body);
	HTTP_OPT(CURLOPT_POSTFIELDSIZE, (long)body_len);
	HTTP_OPT(CURLOPT_MAXFILESIZE, (long)sink->max);
	HTTP_OPT(CURLOPT_WRITEFUNCTION, http_write);
	HTTP_OPT(CURLOPT_WRITEDATA, sink);
#undef HTTP_OPT
	return e;
}

/* http_why - the reason a transfer failed, for url */
static void
http_why(CURLcode e, const struct http_sink *s, const char *url,
    unsigned timeout, const char *errbuf, char *why, size_t whylen)
{
	if (e == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen, "%s: timed out after %u s", url, timeout);
	else if (s->too_big || e == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, whylen, "%s: answer larger than %zu bytes", url, s->max);
	else
		snprintf(why, whylen, "%s: %s", url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(e));
}

/* http_perform - run the transfer; 0 when HTTP 200 came back */
static int
http_perform(CURL *c, const char *url, const char *ctype,
    const unsigned char *body, size_t body_len, struct http_sink *sink,
    unsigned timeout, char *why, size_t whylen)
{
	char errbuf[CURL_ERROR_SIZE] = "", header[128];
	struct curl_slist *hdr;
	long code = 0;
	CURLcode e;

	snprintf(header, sizeof(header), "Content-Type: %s", ctype);
	if ((hdr = curl_slist_append(NULL, header)) == NULL) {
		snprintf(why, whylen, "%s: out of memory", url);
		return -1;
	}
	e = http_setup(c, url, hdr, body, body_len, sink, timeout, errbuf);
	if (e == CURLE_OK)
		e = curl_easy_perform(c);
	if (e == CURLE_OK)
		e = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	if (e != CURLE_OK) {
		http_why(e, sink, url, timeout, errbuf, why, whylen);
		return -1;
	}
	if (code != 200) {
		snprintf(why, whylen, "%s: HTTP %ld", url, code);
		return -1;
	}
	return 0;
}

/* check_http_post - POST body to url; the answer (malloc'd, caller frees)
 * in *out, at most max bytes, or -1 with why */
int
check_http_post(const char *url, const char *ctype, const unsigned char *body,
    size_t body_len, size_t max, unsigned timeout, unsigned char **out,
    size_t *out_len, char *why, size_t whylen)
{
	struct http_sink sink = { .max = max };
	CURL *c = NULL;
	int ret = -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, whylen, "%s: libcurl cannot be initialised", url);
		return -1;
	}
	if ((sink.buf = malloc(max)) == NULL || (c = curl_easy_init()) == NULL)
		snprintf(why, whylen, "%s: out of memory", url);
	else if (http_perform(c, url, ctype, body, body_len, &sink, timeout,
	    why, whylen) == 0)
		ret = 0;
	curl_easy_cleanup(c);
	curl_global_cleanup();
	if (ret < 0) {
		free(sink.buf);
		return -1;
	}
	*out = sink.buf;
	*out_len = sink.len;
	return 0;
}
