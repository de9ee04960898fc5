/*
 * metrics_http.h - the metrics endpoint of a daemon (docs/metrics.md):
 * GET /metrics (Prometheus text) and GET /metrics.json, served by
 * libmicrohttpd from its own thread on one local address.
 */
#ifndef SMTP2D_METRICS_HTTP_H
#define SMTP2D_METRICS_HTTP_H

/*
 * smtp2d_metrics_start - serve the metrics on listen ("127.0.0.1:9466",
 * "[::1]:9466"); NULL or "" serves nothing.  Call after detaching: the
 * server thread does not survive fork().  A failure is logged and
 * returns -1; the daemon goes on without metrics, as mail matters more.
 * The server stops at exit(), or with smtp2d_metrics_stop().
 */
int smtp2d_metrics_start(const char *listen);
void smtp2d_metrics_stop(void);

#endif
