/*
 * metrics_http.c - libmicrohttpd serves the registry of libsmtp2.
 *
 * One internal polling thread answers every scrape: a scrape renders a
 * few kilobytes from atomic counters, so a thread pool would buy nothing
 * but lock traffic.  Connections are limited and time out, so a stuck
 * client cannot hold the endpoint; it shares nothing with the mail path
 * but the counters.
 */

/* System library. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* HTTP library. */
#include <microhttpd.h>

/* Library. */
#include <smtp2/metrics.h>

/* Utility library. */
#include "log.h"
#include "metrics_http.h"

#define HTTP_MAX_CONNECTIONS	32	/* scrapers are few */
#define HTTP_TIMEOUT_S		10	/* idle or slow clients */

#define CT_PROMETHEUS	"text/plain; version=0.0.4; charset=utf-8"
#define CT_JSON		"application/json"

static struct MHD_Daemon *http;	/* set once at start, before any thread */

/* reply - queue one response; body is malloc()ed, MHD frees it */
static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (body == NULL)
		return MHD_NO;		/* out of memory: drop the connection */
	if ((r = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE)) == NULL) {
		free(body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* text - a short fixed answer */
static enum MHD_Result
text(struct MHD_Connection *c, unsigned status, const char *s)
{
	return reply(c, status, "text/plain", strdup(s), strlen(s));
}

/* answer - route one request: GET or HEAD of two paths, nothing else */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	size_t	len = 0;
	char	*body;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0
	    && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/metrics") == 0) {
		body = smtp2_metrics_prometheus(&len);
		return reply(c, MHD_HTTP_OK, CT_PROMETHEUS, body, len);
	}
	if (strcmp(url, "/metrics.json") == 0) {
		body = smtp2_metrics_json(&len);
		return reply(c, MHD_HTTP_OK, CT_JSON, body, len);
	}
	return text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* start - the daemon, its thread created with every signal blocked: the
 * daemon's own signal handling (a handler, or libmilter's sigwait thread)
 * must never see a signal land on this thread instead */
static struct MHD_Daemon *
start(const struct sockaddr_storage *ss)
{
	struct MHD_Daemon *d;
	sigset_t all, old;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	d = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

/* smtp2d_metrics_start - see metrics_http.h */
int
smtp2d_metrics_start(const char *listen)
{
	struct sockaddr_storage ss;
	char	why[200];

	if (listen == NULL || *listen == '\0' || http != NULL)
		return 0;
	if (smtp2_metrics_listen_parse(listen, &ss, NULL, why, sizeof(why)) < 0) {
		log_err("metrics: %s", why);
		return -1;
	}
	errno = 0;
	if ((http = start(&ss)) == NULL) {
		log_err("metrics: cannot serve on %s: %s", listen,
		    errno ? strerror(errno) : "libmicrohttpd failed");
		return -1;
	}
	atexit(smtp2d_metrics_stop);
	log_info("metrics on http://%s/metrics", listen);
	return 0;
}

/* smtp2d_metrics_stop - see metrics_http.h */
void
smtp2d_metrics_stop(void)
{
	if (http == NULL)
		return;
	MHD_stop_daemon(http);
	http = NULL;
}
