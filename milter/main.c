/*
 * smtp2-milter - stamp, tag, or refuse mail by whether the sending server
 * proved the RFC 5322 From domain with its TLS client certificate.
 *
 *   smtp2-milter [-c FILE] [-f] [-p PIDFILE] | -t | -V | -h
 *
 * Speaks the Sendmail milter protocol on milter.socket to Postfix or
 * Sendmail.  Under Postfix the certificate's fingerprints come from
 * smtp2-policyd (milter.tls_source).  SIGTERM stops it (libmilter).
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
#include <unistd.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>

/* Utility library. */
#include "daemon.h"
#include "log.h"
#include "metrics_http.h"
#include "privdrop.h"

/* Application-specific. */
#include "callbacks.h"
#include "resolvers.h"
#include "signing.h"
#include "verdict.h"

#define EXIT_USAGE		64
#define MILTER_IO_TIMEOUT	600	/* s; above Postfix's 300 s content timeout */
#define DNS_CACHE_TTL_CAP	300	/* s; a new pin or p= counts within 5 min */

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

/* serve - register, listen, detach, drop root, run until SIGTERM */
static int
serve(const struct smtp2d_args *args, const struct smtp2_conf *conf,
    struct smtp2_dns_cache *cache, const struct smtp2d_priv *priv)
{
	const char *path;
	int r;

	if (conf->milter.socket == NULL || *conf->milter.socket == '\0') {
		log_err("milter.socket is not set");
		return 1;
	}
	if (callbacks_register(conf, cache) < 0) {
		log_err("smfi_register failed");
		return 1;
	}
	if (open_socket(conf->milter.socket) < 0)
		return 1;
	if (smtp2d_detach(args) < 0) {
		log_err("cannot detach: %s", strerror(errno));
		return 1;
	}
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

/* main - options, configuration, logging, cache; then serve */
int
main(int argc, char **argv)
{
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	struct smtp2_dns_cache *cache = NULL;
	struct smtp2_verify_setup *setup = NULL;
	struct smtp2_dkim_keys *keys = NULL;
	struct smtp2d_priv priv;
	char why[256];
	int status = 1, r;

	if ((r = smtp2d_args_parse(argc, argv, "smtp2-milter", &args)) != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if ((conf = smtp2d_load_conf(&args, &status)) == NULL)
		return status;
	if (smtp2d_log_open("smtp2-milter", conf->log.to, conf->log.level,
	    why, sizeof(why)) < 0) {
		fprintf(stderr, "smtp2-milter: %s\n", why);
		smtp2_conf_free(conf);
		return 1;
	}
	smtp2d_log_json_lines(conf->log.format == SMTP2_LOG_JSON);
	status = 1;		/* until serve() says otherwise */
	/* A peer that goes away must not kill every other connection. */
	signal(SIGPIPE, SIG_IGN);
	/* Neither MTA hands a milter the chain: no CA stores to load. */
	if (smtp2d_priv_setup(&priv, conf, geteuid(), why, sizeof(why)) < 0)
		log_err("%s", why);
	else if ((setup = smtp2_verify_setup_new(conf, false, why, sizeof(why))) == NULL)
		log_err("verification set-up: %s", why);
	else if (conf->dns.cache_entries > 0 && (cache = smtp2_dns_cache_new(
	    conf->dns.cache_entries, DNS_CACHE_TTL_CAP)) == NULL)
		log_err("out of memory for the DNS cache");
	else if (conf->dkim.key_cache_entries > 0 && (keys = smtp2_dkim_keys_new(
	    conf->dkim.key_cache_entries, DNS_CACHE_TTL_CAP)) == NULL)
		log_err("out of memory for the DKIM key cache");
	else {
		milter_verdict_opts(smtp2_verify_setup_opts(setup));
		milter_signing_keys(keys);
		status = serve(&args, conf, cache, &priv);
	}
	log_info("stopped");
	milter_resolvers_drain();	/* before the cache they point to */
	if (cache != NULL)
		smtp2_dns_cache_free(cache);
	smtp2_dkim_keys_free(keys);
	smtp2_verify_setup_free(setup);
	smtp2d_log_close();
	smtp2_conf_free(conf);
	return status;
}
