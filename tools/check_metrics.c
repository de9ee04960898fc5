/*
 * check_metrics.c - "metrics [ADDR|URL]": fetch a daemon's JSON snapshot
 * (docs/metrics.md) and print what an operator looks at first.  Without
 * an address, the one milter.conf gives smtp2-policyd, else smtp2-milter.
 *
 * The endpoint is plain HTTP on a management address: http:// only, a
 * short time limit and a size cap, so a wrong address fails fast and a
 * stranger answering cannot make us hold much.
 */

/* System library. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/metrics.h>

/* Utility library. */
#include "daemon.h"

/* Application-specific. */
#include "check.h"
#include "check_json.h"
#include "metrics_summary.h"

#define METRICS_TIMEOUT_MS	5000
#define METRICS_PATH		"/metrics.json"
#define METRICS_URL_MAX		512

/* metrics_addr_url - IPV4:PORT or [IPV6]:PORT as the snapshot's URL; a
 * wildcard listen address is reached on loopback */
static int
metrics_addr_url(const char *addr, char *url, size_t len, char *why,
    size_t whylen)
{
	if (smtp2_metrics_listen_parse(addr, NULL, NULL, why, whylen) < 0) {
		snprintf(why, whylen, "'%.200s' is not IPV4:PORT, [IPV6]:PORT or "
		    "an http:// URL", addr);
		return -1;
	}
	if (strncmp(addr, "0.0.0.0:", 8) == 0)
		snprintf(url, len, "http://127.0.0.1:%.16s" METRICS_PATH, addr + 8);
	else if (strncmp(addr, "[::]:", 5) == 0)
		snprintf(url, len, "http://[::1]:%.16s" METRICS_PATH, addr + 5);
	else
		snprintf(url, len, "http://%.200s" METRICS_PATH, addr);
	return 0;
}

/* metrics_url - ADDR or URL to the snapshot's URL: a URL naming no path,
 * "/" or "/metrics" means the daemon's JSON path; -1 with why */
static int
metrics_url(const char *arg, char *url, size_t len, char *why, size_t whylen)
{
	const char *path;
	size_t	n = strlen(arg);

	if (strncmp(arg, "http://", 7) != 0) {
		if (strstr(arg, "://") != NULL) {
			snprintf(why, whylen, "%.200s: only http:// (the metrics "
			    "endpoint has no TLS)", arg);
			return -1;
		}
		return metrics_addr_url(arg, url, len, why, whylen);
	}
	if (n >= METRICS_URL_MAX - sizeof(METRICS_PATH)) {
		snprintf(why, whylen, "URL longer than %d bytes",
		    (int)(METRICS_URL_MAX - sizeof(METRICS_PATH)));
		return -1;
	}
	if ((path = strchr(arg + 7, '/')) == NULL)
		snprintf(url, len, "%s" METRICS_PATH, arg);
	else if (strcmp(path, "/") == 0 || strcmp(path, "/metrics") == 0)
		snprintf(url, len, "%.*s" METRICS_PATH, (int)(path - arg), arg);
	else
		snprintf(url, len, "%s", arg);
	return 0;
}

/* metrics_conf_addr - the address milter.conf gives; NULL with why */
static const char *
metrics_conf_addr(const struct smtp2_conf *conf, const char *path, char *why,
    size_t whylen)
{
	if (conf->metrics.policyd_listen != NULL && *conf->metrics.policyd_listen)
		return conf->metrics.policyd_listen;
	if (conf->metrics.milter_listen != NULL && *conf->metrics.milter_listen)
		return conf->metrics.milter_listen;
	snprintf(why, whylen, "%.200s sets neither metrics.policyd_listen nor "
	    "metrics.milter_listen: give ADDR", path);
	return NULL;
}

/* metrics_report - the summary as text or JSON; the exit status */
static int
metrics_report(const struct check_ctx *ctx, const char *url,
    const struct msum *s)
{
	struct jsonw w;

	if (!ctx->json) {
		msum_print_text(stdout, url, s);
		return fflush(stdout) == 0 ? CHECK_EXIT_PASS : CHECK_EXIT_UNCHECKED;
	}
	jsonw_init(&w, stdout, true);
	jsonw_object_open(&w, NULL);
	jsonw_int(&w, "smtp2_check", CHECK_JSON_VERSION);
	jsonw_string(&w, "command", "metrics");
	jsonw_int(&w, "exit", CHECK_EXIT_PASS);
	jsonw_string(&w, "summary", "pass");
	jsonw_string(&w, "source", url);
	msum_print_json(&w, s);
	jsonw_object_close(&w);
	return jsonw_finish(&w) == 0 ? CHECK_EXIT_PASS : CHECK_EXIT_UNCHECKED;
}

/* metrics_run - fetch, parse, print; the exit status */
static int
metrics_run(const struct check_ctx *ctx, const char *url)
{
	struct msum *s = NULL;
	unsigned char *body = NULL;
	size_t	len = 0;
	char	why[512];
	int	status = CHECK_EXIT_UNCHECKED;

	if (check_http_get(url, MSUM_SNAPSHOT_MAX, METRICS_TIMEOUT_MS, &body,
	    &len, why, sizeof(why)) < 0)
		fprintf(stderr, "smtp2-check: metrics: %s\n", why);
	else if ((s = malloc(sizeof(*s))) == NULL)
		fprintf(stderr, "smtp2-check: out of memory\n");
	else if (msum_parse((const char *)body, len, s, why, sizeof(why)) < 0)
		fprintf(stderr, "smtp2-check: metrics: %s: %s\n", url, why);
	else
		status = metrics_report(ctx, url, s);
	free(s);
	free(body);
	return status;
}

/* check_metrics_command - see check.h */
int
check_metrics_command(struct check_ctx *ctx, const struct smtp2d_args *args,
    int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct smtp2_conf *conf = NULL;
	const char *addr = NULL;
	char	url[METRICS_URL_MAX], why[320];
	int	ch, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return -1;
		ctx->json = true;
	}
	if (optind + 1 < argc)
		return -1;
	if (optind + 1 == argc)
		addr = argv[optind];
	else if ((conf = smtp2d_load_conf(args, &status)) == NULL)
		return CHECK_EXIT_UNCHECKED;
	else
		addr = metrics_conf_addr(conf, args->conf_path, why, sizeof(why));
	if (addr == NULL || metrics_url(addr, url, sizeof(url), why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "smtp2-check: metrics: %s\n", why);
		smtp2_conf_free(conf);
		return CHECK_EXIT_UNCHECKED;
	}
	smtp2_conf_free(conf);
	return metrics_run(ctx, url);
}
