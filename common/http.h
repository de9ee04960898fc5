/*
 * http.h - the one way smtp2 fetches over HTTP(S): libcurl with every
 * knob a hostile server or a hostile environment could bend pinned down.
 * No redirect is followed, no proxy is taken from the environment, no
 * signal is used, the whole exchange has a time limit, and the answer is
 * capped and kept in memory.  Used for OCSP (smtp2-check) and MTA-STS
 * policies (smtp2-policyd).
 */
#ifndef SMTP2D_HTTP_H
#define SMTP2D_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

/* One request; everything borrowed from the caller. */
struct smtp2d_http {
	const char	*url;
	const char	*protocols;	/* libcurl's list: "https", "http,https" */
	unsigned	timeout_ms;
	size_t		max;		/* bytes of answer accepted */
	const char	*ca_file;	/* NULL: libcurl's default CAs */
	const char	*ca_dir;	/* NULL: none */
	struct curl_slist *resolve;	/* host:port:addr pins; may be NULL */
	struct curl_slist *headers;	/* extra request headers; may be NULL */
	const unsigned char *post;	/* NULL: GET; else POST this body */
	size_t		post_len;
};

/*
 * smtp2d_http_fetch - run rq on c (a fresh or reused easy handle).  On
 * HTTP 200 returns 0 with the answer in *out (malloc'd, caller frees) and
 * its length in *out_len; c still answers curl_easy_getinfo() afterwards.
 * Otherwise -1 with "URL: why" (HTTP status, timeout, size, TLS...).
 */
int	smtp2d_http_fetch(CURL *c, const struct smtp2d_http *rq,
	    unsigned char **out, size_t *out_len, char *why, size_t whylen);

#endif
