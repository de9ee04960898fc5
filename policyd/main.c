/*
 * main.c - smtp2-policyd: Postfix policy service that checks the sender
 * domain against the client's TLS certificate, and keeps each connection's
 * TLS facts for smtp2-milter.
 *
 * Start-up order matters: everything that can fail on a bad configuration
 * (log destination, resolver options, listeners) is tried before the
 * fork, so the error reaches the terminal and the exit status.  Root is
 * given up last, once every listener is bound and the metrics server is
 * up (privdrop.h).  SIGHUP (or SIGUSR1) reloads milter.conf (reload.h);
 * SIGTERM stops accepting and gives answers in progress a bounded time
 * (server.h).
 */

/* System library. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */
#include "daemon.h"
#include "live.h"
#include "log.h"
#include "metrics_http.h"
#include "privdrop.h"
#include "reload.h"
#include "signals.h"

/* Application-specific. */
#include <smtp2/smtp2.h>
#include "gen.h"
#include "request.h"
#include "server.h"
#include "session.h"
#include "tlsmap.h"

#define PROG		"smtp2-policyd"

/* What the signal thread works on. */
static struct policyd_server *the_server;
/* The smtp_tls_policy_maps listeners (tlspolicy.listen); NULL: none. */
static struct policyd_tlsmap *the_tlsmap;
static struct smtp2d_reload reloader;
/* The connections' TLS facts: the process's, kept across reloads. */
static struct policyd_sessions *sessions;

/* build_gen - a generation for the reloader (reload.h) */
static void *
build_gen(struct smtp2_conf *conf, void *arg, char *why, size_t whylen)
{
	(void)arg;
	return policyd_gen_new(conf, sessions, why, whylen);
}

/* on_signal - HUP, USR1: reload; TERM, INT: leave the accept loop */
static void
on_signal(int sig, void *arg)
{
	if (sig == SIGHUP || sig == SIGUSR1)
		(void)smtp2d_reload(arg);
	else
		policyd_server_stop(the_server);
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

/* first_gen - generation 1, from a second reading of the file: the boot
 * copy stays with main() for the settings bound at start */
static struct smtp2d_live *
first_gen(const struct smtp2_conf *boot, const char *path)
{
	struct smtp2_conf *c;
	struct policyd_gen *g;
	struct smtp2d_live *live;
	char	why[512];

	if ((c = smtp2_conf_load(path, why, sizeof(why))) == NULL) {
		fail(boot, "%s", why);
		return NULL;
	}
	if ((g = policyd_gen_new(c, sessions, why, sizeof(why))) == NULL) {
		fail(boot, "%s", why);
		smtp2_conf_free(c);
		return NULL;
	}
	if ((live = smtp2d_live_new(g, policyd_gen_free)) == NULL) {
		fail(boot, "out of memory");
		policyd_gen_free(g);
	}
	return live;
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

/* signals_start - the signal thread; after the fork, which it would not
 * survive */
static int
signals_start(const struct smtp2_conf *conf)
{
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGTERM, SIGINT };
	char	why[128];

	if (smtp2d_signals_start(sigs, 4, on_signal, &reloader, why,
	    sizeof(why)) < 0) {
		fail(conf, "%s", why);
		return -1;
	}
	return 0;
}

/* listen_all - the policy and socketmap listeners; 0 or -1 (logged) */
static int
listen_all(const struct smtp2_conf *conf, struct smtp2d_live *live)
{
	char why[512];

	if ((the_server = policyd_server_new((const char *const *)
	    conf->policyd.listen, conf->policyd.n_listen,
	    conf->policyd.max_connections, live, why, sizeof(why))) == NULL) {
		fail(conf, "cannot listen: %s", why);
		return -1;
	}
	if (conf->tlspolicy.n_listen > 0 && (the_tlsmap = policyd_tlsmap_new(conf,
	    live, why, sizeof(why))) == NULL) {
		fail(conf, "cannot serve the TLS policy map: %s", why);
		policyd_server_free(the_server);
		return -1;
	}
	return 0;
}

/* run - serve until stopped, then drain; the exit status */
static int
run(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    const struct smtp2d_priv *priv, bool *drained)
{
	int rc;

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

/* serve - listen, detach, drop root, run until stopped; the exit status */
static int
serve(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    struct smtp2d_live *live, const struct smtp2d_priv *priv, bool *drained)
{
	*drained = true;
	if (listen_all(conf, live) < 0)
		return 1;
	if (smtp2d_detach(args) < 0)
		fail(conf, "cannot detach: %s", strerror(errno));
	else if (signals_start(conf) == 0)
		return run(args, conf, priv, drained);
	policyd_tlsmap_free(the_tlsmap);
	policyd_server_free(the_server);
	return 1;
}

/* start - log, privileges, sessions, first generation; NULL when any fails */
static struct smtp2d_live *
start(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    struct smtp2d_priv *priv)
{
	char why[256];

	smtp2d_log_json_lines(conf->log.format == SMTP2_LOG_JSON);
	if (smtp2d_log_open(PROG, conf->log.to, conf->log.level, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, PROG ": cannot open log %s: %s\n", conf->log.to, why);
		return NULL;
	}
	if (smtp2d_priv_setup(priv, conf, geteuid(), why, sizeof(why)) < 0) {
		fail(conf, "%s", why);
		return NULL;
	}
	if ((sessions = policyd_sessions_new(POLICYD_SESSION_MAX,
	    conf->policyd.session_ttl)) == NULL) {
		fail(conf, "out of memory");
		return NULL;
	}
	return first_gen(conf, args->conf_path);
}

/* main - smtp2-policyd [-ftVh] [-c FILE] [-p PIDFILE] */
int
main(int argc, char **argv)
{
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	struct smtp2d_live *live;
	struct smtp2d_priv priv;
	bool drained = true;
	int rc;

	if ((rc = smtp2d_args_parse(argc, argv, PROG, &args)) != 0)
		return rc > 0 ? 0 : 64;
	if ((conf = smtp2d_load_conf(&args, &rc)) == NULL)
		return rc;
	/* Before any thread: every thread inherits the mask. */
	if (smtp2d_signals_block() < 0) {
		fprintf(stderr, PROG ": signals: %s\n", strerror(errno));
		smtp2_conf_free(conf);
		return 1;
	}
	if ((live = start(&args, conf, &priv)) == NULL)
		rc = 1;
	else {
		reloader = (struct smtp2d_reload){ .ident = PROG,
		    .path = args.conf_path, .boot = conf, .live = live,
		    .build = build_gen };
		rc = serve(&args, conf, live, &priv, &drained);
	}
	/* live and sessions stay: threads stuck past the drain, or a late
	 * SIGHUP's reload, may use them until exit(3). */
	if (drained) {
		smtp2d_log_close();
		smtp2_conf_free(conf);
	}
	return rc;
}
