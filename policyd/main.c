/*
 * main.c - smtp2-policyd: Postfix policy service that checks the sender
 * domain against the client's TLS certificate, and keeps each connection's
 * TLS facts for smtp2-milter.
 *
 * Start-up order matters: everything that can fail on a bad configuration
 * (log destination, resolver options, listeners) is tried before the
 * fork, so the error reaches the terminal and the exit status.  Root is
 * given up last, once every listener is bound and the metrics server is
 * up (privdrop.h).
 */

/* System library. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */
#include "daemon.h"
#include "log.h"
#include "metrics_http.h"
#include "privdrop.h"

/* Application-specific. */
#include <smtp2/smtp2.h>
#include "request.h"
#include "server.h"
#include "session.h"
#include "tlsmap.h"

#define PROG		"smtp2-policyd"
#define DNS_TTL_CAP	3600	/* seconds any cached answer is believed */

/* The one thing a signal handler needs to reach. */
static struct policyd_server *the_server;
/* The smtp_tls_policy_maps listeners (tlspolicy.listen); NULL: none. */
static struct policyd_tlsmap *the_tlsmap;

/* on_stop - SIGTERM/SIGINT: leave the accept loop */
static void
on_stop(int sig)
{
	(void)sig;
	policyd_server_stop(the_server);
}

/* signals_setup - stop on TERM/INT; a client hang-up must not kill us */
static void
signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void fail(const struct smtp2_conf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* fail - a start-up error: logged, and on the terminal when the log is not */
static void
fail(const struct smtp2_conf *conf, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	if (strcmp(conf->log.to, "stderr") != 0)
		fprintf(stderr, PROG ": %s\n", msg);
}

/* ctx_setup - shared request context from the configuration */
static int
ctx_setup(const struct smtp2_conf *conf, struct policyd_ctx *ctx,
    char *why, size_t whylen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = conf->policy.mode;
	ctx->conf = conf;
	ctx->verify = smtp2_verify_with;
	ctx->dns.resolvers = (const char *const *)conf->dns.resolvers;
	ctx->dns.n_resolvers = conf->dns.n_resolvers;
	ctx->dns.trust_anchors = conf->dns.trust_anchors;
	ctx->dns.dnssec = conf->dns.dnssec;
	ctx->dns.timeout_ms = conf->dns.timeout_ms;
	if (conf->dns.cache_entries > 0 && (ctx->dns.cache =
	    smtp2_dns_cache_new(conf->dns.cache_entries, DNS_TTL_CAP)) == NULL)
		return -1;
	/* Postfix hands over no chain: no CA stores to load. */
	if ((ctx->setup = smtp2_verify_setup_new(conf, false, why,
	    whylen)) == NULL)
		return -1;
	ctx->vopts = smtp2_verify_setup_opts(ctx->setup);
	if ((ctx->sessions = policyd_sessions_new(POLICYD_SESSION_MAX,
	    conf->policyd.session_ttl)) == NULL)
		return -1;
	return 0;
}

/* dns_check - fail at start, not at the first RCPT, on unusable options */
static int
dns_check(const struct smtp2_conf *conf, const struct policyd_ctx *ctx)
{
	struct smtp2_dns *dns;
	char why[256];

	if ((dns = smtp2_dns_new(&ctx->dns, why, sizeof(why))) == NULL) {
		fail(conf, "cannot create a resolver: %s", why);
		return -1;
	}
	smtp2_dns_free(dns);
	return 0;
}

/* log_start - the start-up line */
static void
log_start(const struct smtp2_conf *conf)
{
	char listen[1024];
	size_t n = 0;

	listen[0] = 0;
	for (size_t i = 0; i < conf->policyd.n_listen && n < sizeof(listen); i++)
		n += (size_t)snprintf(listen + n, sizeof(listen) - n, "%s%s",
		    i ? "," : "", conf->policyd.listen[i]);
	log_notice(PROG " " SMTP2_VERSION " starting: mode=%s listen=%s dnssec=%s",
	    smtp2_mode_name(conf->policy.mode), listen,
	    smtp2_dnssec_mode_name(conf->dns.dnssec));
}

/* drop_root - hand the unix sockets to daemon.user, then become it */
static int
drop_root(const struct smtp2_conf *conf, const struct smtp2d_priv *priv)
{
	char why[512];

	if (smtp2d_priv_own(priv, (const char *const *)conf->policyd.listen,
	    conf->policyd.n_listen, why, sizeof(why)) < 0 ||
	    smtp2d_priv_own(priv, (const char *const *)conf->tlspolicy.listen,
	    conf->tlspolicy.n_listen, why, sizeof(why)) < 0 ||
	    smtp2d_priv_drop(priv, why, sizeof(why)) < 0) {
		fail(conf, "%s", why);
		return -1;
	}
	if (priv->drop)
		log_info("running as user %s, group %s", priv->user, priv->group);
	return 0;
}

/* serve - listen, detach, drop root, run until stopped; the exit status */
static int
serve(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    const struct policyd_ctx *ctx, const struct smtp2d_priv *priv,
    bool *drained)
{
	char why[512];
	int rc;

	*drained = true;
	if ((the_server = policyd_server_new((const char *const *)
	    conf->policyd.listen, conf->policyd.n_listen,
	    conf->policyd.max_connections, ctx, why, sizeof(why))) == NULL) {
		fail(conf, "cannot listen: %s", why);
		return 1;
	}
	if (conf->tlspolicy.n_listen > 0 && (the_tlsmap = policyd_tlsmap_new(conf,
	    &ctx->dns, why, sizeof(why))) == NULL) {
		fail(conf, "cannot serve the TLS policy map: %s", why);
		policyd_server_free(the_server);
		return 1;
	}
	if (smtp2d_detach(args) < 0) {
		fail(conf, "cannot detach: %s", strerror(errno));
		policyd_tlsmap_free(the_tlsmap);
		policyd_server_free(the_server);
		return 1;
	}
	signals_setup();
	log_start(conf);
	(void)smtp2d_metrics_start(conf->metrics.policyd_listen);
	if (drop_root(conf, priv) < 0)
		rc = -1;
	else if (the_tlsmap != NULL && policyd_tlsmap_start(the_tlsmap) < 0)
		rc = -1;
	else
		rc = policyd_server_run(the_server);
	log_notice(PROG " stopping");
	if (args->pidfile != NULL)
		unlink(args->pidfile);
	*drained = policyd_tlsmap_free(the_tlsmap) == 0;
	*drained = policyd_server_free(the_server) == 0 && *drained;
	return rc < 0 ? 1 : 0;
}

/* ctx_free - release the shared context */
static void
ctx_free(struct policyd_ctx *ctx)
{
	policyd_sessions_free(ctx->sessions);
	smtp2_dns_cache_free(ctx->dns.cache);
	smtp2_verify_setup_free(ctx->setup);
}

/* main - smtp2-policyd [-ftVh] [-c FILE] [-p PIDFILE] */
int
main(int argc, char **argv)
{
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	struct policyd_ctx ctx;
	struct smtp2d_priv priv;
	bool drained = true;
	char why[256];
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	why[0] = '\0';
	if ((rc = smtp2d_args_parse(argc, argv, PROG, &args)) != 0)
		return rc > 0 ? 0 : 64;
	if ((conf = smtp2d_load_conf(&args, &rc)) == NULL)
		return rc;
	smtp2d_log_json_lines(conf->log.format == SMTP2_LOG_JSON);
	if (smtp2d_log_open(PROG, conf->log.to, conf->log.level, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, PROG ": cannot open log %s: %s\n", conf->log.to, why);
		rc = 1;
	} else if (smtp2d_priv_setup(&priv, conf, geteuid(), why,
	    sizeof(why)) < 0) {
		fail(conf, "%s", why);
		rc = 1;
	} else if (ctx_setup(conf, &ctx, why, sizeof(why)) < 0) {
		fail(conf, "%s", why[0] ? why : "out of memory");
		rc = 1;
	} else {
		rc = dns_check(conf, &ctx) < 0 ? 1 : serve(&args, conf, &ctx, &priv,
		    &drained);
	}
	/* Threads stuck past the drain still use ctx and conf: leave them. */
	if (drained) {
		ctx_free(&ctx);
		smtp2d_log_close();
		smtp2_conf_free(conf);
	}
	return rc;
}
