/*
 * smtp2-milter - stamp, tag, or refuse mail by whether the sending server
 * proved the RFC 5322 From domain with its TLS client certificate.
 *
 *   smtp2-milter [-c FILE] [-f] [-p PIDFILE] | -t | -V | -h
 *
 * Speaks the Sendmail milter protocol on milter.socket to Postfix or
 * Sendmail.  Under Postfix the certificate's fingerprints come from
 * smtp2-policyd (milter.tls_source).  SIGHUP (or SIGUSR1) reloads
 * milter.conf; SIGTERM stops taking connections, lets the messages in
 * flight finish for up to MILTER_DRAIN_S seconds, and exits.
 */

/* System library. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Library. */
#include <smtp2/conf.h>

/* Utility library. */
#include "daemon.h"
#include "live.h"
#include "log.h"
#include "metrics_http.h"
#include "privdrop.h"
#include "reload.h"
#include "signals.h"

/* Application-specific. */
#include "callbacks.h"
#include "run.h"

#define EXIT_USAGE		64
#define MILTER_IO_TIMEOUT	600	/* s; above Postfix's 300 s content timeout */
#define MILTER_DRAIN_S		10	/* s a stop waits for messages in flight */

/* What the signal thread works on. */
static struct smtp2d_reload reloader;

/* unix_path - the path of a libmilter unix socket spec, or NULL for inet */
static const char *
unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return spec[0] == '/' ? spec : NULL;
}

/* socket_alive - does a running process accept on this unix socket? */
static bool
socket_alive(const char *path)
{
	struct sockaddr_un sun;
	bool alive;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return false;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return alive;
}

/* socket_prepare - remove a stale unix socket; never steal a live one */
static int
socket_prepare(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket", path);
		return -1;
	}
	if (socket_alive(path)) {
		log_err("%s: another milter is listening there", path);
		return -1;
	}
	if (unlink(path) < 0) {
		log_err("cannot remove stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* open_socket - listen on milter.socket before detaching, so errors show */
static int
open_socket(const char *spec)
{
	const char *path = unix_path(spec);

	if (path != NULL && socket_prepare(path) < 0)
		return -1;
	if (smfi_setconn((char *)spec) != MI_SUCCESS ||
	    smfi_settimeout(MILTER_IO_TIMEOUT) != MI_SUCCESS ||
	    smfi_opensocket(false) != MI_SUCCESS) {
		log_err("cannot listen on %s", spec);
		return -1;
	}
	/* Postfix's smtpd runs as another user: it must be able to connect. */
	if (path != NULL && chmod(path, 0666) < 0) {
		log_err("chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* drop_root - hand the socket to daemon.user, then become it */
static int
drop_root(const struct smtp2_conf *conf, const struct smtp2d_priv *priv)
{
	const char *spec = conf->milter.socket;
	char why[512];

	if (smtp2d_priv_own(priv, &spec, 1, why, sizeof(why)) < 0 ||
	    smtp2d_priv_drop(priv, why, sizeof(why)) < 0) {
		log_err("%s", why);
		return -1;
	}
	if (priv->drop)
		log_info("running as user %s, group %s", priv->user, priv->group);
	return 0;
}

/* build_run - a generation for the reloader (reload.h) */
static void *
build_run(struct smtp2_conf *conf, void *arg, char *why, size_t whylen)
{
	(void)arg;
	return milter_run_new(conf, why, whylen);
}


/*
 * stop - SIGTERM: new connections are turned away (421), messages in
 * flight get up to MILTER_DRAIN_S to finish, then libmilter stops, which
 * closes what is left: the MTA applies its milter_default_action.
 */
static void
stop(void)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	unsigned busy;

	callbacks_stopping();
	if ((busy = callbacks_busy()) > 0)
		log_info("stopping: waiting up to %d s for %u message%s in flight",
		    MILTER_DRAIN_S, busy, busy == 1 ? "" : "s");
	for (int i = 0; i < MILTER_DRAIN_S * 20 && callbacks_busy() > 0; i++)
		nanosleep(&tick, NULL);
	if ((busy = callbacks_busy()) > 0)
		log_warn("stopping with %u message%s in flight after %d s: the "
		    "MTA applies its milter_default_action to them", busy,
		    busy == 1 ? "" : "s", MILTER_DRAIN_S);
	(void)smfi_stop();
}

/* on_signal - HUP, USR1: reload; TERM, INT: stop */
static void
on_signal(int sig, void *arg)
{
	if (sig == SIGHUP || sig == SIGUSR1)
		(void)smtp2d_reload(arg);
	else
		stop();
}

/* signals_start - the signal thread (libmilter is told of none of them,
 * sigwait.c); after the fork, which it would not survive */
static int
signals_start(void)
{
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGTERM, SIGINT };
	char	why[128];

	if (smtp2d_signals_start(sigs, 4, on_signal, &reloader, why,
	    sizeof(why)) < 0) {
		log_err("%s", why);
		return -1;
	}
	return 0;
}

/* serve - register, listen, detach, drop root, run until SIGTERM */
static int
serve(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    struct smtp2d_live *live, const struct smtp2d_priv *priv)
{
	const char *path;
	int r;

	if (conf->milter.socket == NULL || *conf->milter.socket == '\0') {
		log_err("milter.socket is not set");
		return 1;
	}
	if (callbacks_register(live) < 0) {
		log_err("smfi_register failed");
		return 1;
	}
	if (open_socket(conf->milter.socket) < 0)
		return 1;
	if (smtp2d_detach(args) < 0) {
		log_err("cannot detach: %s", strerror(errno));
		return 1;
	}
	if (signals_start() < 0)
		return 1;
	log_info("listening on %s, mode %s", conf->milter.socket,
	    smtp2_mode_name(conf->policy.mode));
	(void)smtp2d_metrics_start(conf->metrics.milter_listen);
	/* Before smfi_main: no connection is ever served as root. */
	if (drop_root(conf, priv) < 0)
		r = MI_FAILURE;
	else
		r = smfi_main();
	/* Ours alone now: a socket left behind would look stale anyway. */
	if ((path = unix_path(conf->milter.socket)) != NULL)
		(void)unlink(path);
	return r == MI_SUCCESS ? 0 : 1;
}

/* first_run - generation 1, from a second reading of the file: the boot
 * copy stays with main() for the settings bound at start */
static struct smtp2d_live *
first_run(const char *path)
{
	struct smtp2_conf *c;
	struct milter_run *run;
	struct smtp2d_live *live;
	char	why[512];

	if ((c = smtp2_conf_load(path, why, sizeof(why))) == NULL) {
		log_err("%s", why);
		return NULL;
	}
	if ((run = milter_run_new(c, why, sizeof(why))) == NULL) {
		log_err("%s", why);
		smtp2_conf_free(c);
		return NULL;
	}
	if ((live = smtp2d_live_new(run, milter_run_free)) == NULL) {
		log_err("out of memory");
		milter_run_free(run);
	}
	return live;
}

/* main - options, configuration, logging, first generation; then serve */
int
main(int argc, char **argv)
{
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	struct smtp2d_live *live = NULL;
	struct smtp2d_priv priv;
	char why[256];
	int status = 1, r;

	if ((r = smtp2d_args_parse(argc, argv, "smtp2-milter", &args)) != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if ((conf = smtp2d_load_conf(&args, &status)) == NULL)
		return status;
	/* Before any thread: every thread inherits the mask. */
	if (smtp2d_signals_block() < 0) {
		fprintf(stderr, "smtp2-milter: signals: %s\n", strerror(errno));
		smtp2_conf_free(conf);
		return 1;
	}
	if (smtp2d_log_open("smtp2-milter", conf->log.to, conf->log.level,
	    why, sizeof(why)) < 0) {
		fprintf(stderr, "smtp2-milter: %s\n", why);
		smtp2_conf_free(conf);
		return 1;
	}
	smtp2d_log_json_lines(conf->log.format == SMTP2_LOG_JSON);
	status = 1;		/* until serve() says otherwise */
	if (smtp2d_priv_setup(&priv, conf, geteuid(), why, sizeof(why)) < 0)
		log_err("%s", why);
	else if ((live = first_run(args.conf_path)) != NULL) {
		reloader = (struct smtp2d_reload){ .ident = "smtp2-milter",
		    .path = args.conf_path, .boot = conf, .live = live,
		    .build = build_run };
		status = serve(&args, conf, live, &priv);
	}
	log_info("stopped");
	/* live stays: sessions past the drain and a late SIGHUP's reload
	 * may still use it until exit(3). */
	smtp2d_log_close();
	smtp2_conf_free(conf);
	return status;
}
