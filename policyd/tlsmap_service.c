/*
 * tlsmap_service.c - the socketmap listeners of smtp2-policyd, beside the
 * policy listeners: same accept loop and connection threads (server.c),
 * another protocol, a thread of their own.
 */

/* System library. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include <smtp2/conf.h>
#include "mtasts.h"
#include "server.h"
#include "tlsmap.h"

struct policyd_tlsmap {
	struct policyd_tlsmap_src src;	/* what connections are served with */
	unsigned smtp_port;		/* for the start-up line */
	struct policyd_server *server;
	pthread_t thread;
	bool	running;
	bool	curl;		/* libcurl's global state is ours to clean */
	char	what[512];	/* for the start-up line */
};

/* tlsmap_sts - the MTA-STS fetcher, when tlspolicy.mta_sts is on */
static int
tlsmap_sts(struct policyd_tlsmap *t, const struct smtp2_conf *conf,
    char *why, size_t whylen)
{
	struct policyd_mtasts_conf mc = {
		.ca_file = conf->tls.ca_file,
		.ca_dir = conf->tls.ca_dir,
		.port = conf->tlspolicy.mta_sts_port,
		.timeout_ms = conf->tlspolicy.mta_sts_timeout_ms,
		.cache_entries = conf->tlspolicy.mta_sts_cache_entries,
	};

	if (!conf->tlspolicy.mta_sts)
		return 0;
	if (policyd_mtasts_global_init() < 0) {
		snprintf(why, whylen, "libcurl cannot be initialised");
		return -1;
	}
	t->curl = true;
	if ((t->src.sts = policyd_mtasts_new(&mc)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* policyd_tlsmap_new - context and listeners */
struct policyd_tlsmap *
policyd_tlsmap_new(const struct smtp2_conf *conf, struct smtp2d_live *live,
    char *why, size_t whylen)
{
	struct policyd_tlsmap *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	t->src.live = live;
	t->smtp_port = conf->tlspolicy.smtp_port;
	for (size_t i = 0, n = 0; i < conf->tlspolicy.n_listen &&
	    n < sizeof(t->what); i++)
		n += (size_t)snprintf(t->what + n, sizeof(t->what) - n, "%s%s",
		    i ? "," : "", conf->tlspolicy.listen[i]);
	if (tlsmap_sts(t, conf, why, whylen) < 0 ||
	    (t->server = policyd_server_new_with((const char *const *)
	    conf->tlspolicy.listen, conf->tlspolicy.n_listen,
	    conf->policyd.max_connections, policyd_tlsmap_serve, &t->src,
	    why, whylen)) == NULL) {
		policyd_tlsmap_free(t);
		return NULL;
	}
	return t;
}

/* tlsmap_main - the accept loop's thread */
static void *
tlsmap_main(void *arg)
{
	struct policyd_tlsmap *t = arg;

	if (policyd_server_run(t->server) < 0)
		log_err("tlspolicy listener failed");
	return NULL;
}

/* policyd_tlsmap_start - serve from now on */
int
policyd_tlsmap_start(struct policyd_tlsmap *t)
{
	int	rc;

	if ((rc = pthread_create(&t->thread, NULL, tlsmap_main, t)) != 0) {
		log_err("cannot start the tlspolicy listener: %s", strerror(rc));
		return -1;
	}
	t->running = true;
	log_notice("tlspolicy map " TLSMAP_NAME " on %s: TLSA at port %u, "
	    "MTA-STS %s", t->what, t->smtp_port, t->src.sts ? "on" : "off");
	return 0;
}

/* policyd_tlsmap_stop - wake the accept loop */
void
policyd_tlsmap_stop(struct policyd_tlsmap *t)
{
	if (t != NULL && t->server != NULL)
		policyd_server_stop(t->server);
}

/* policyd_tlsmap_free - stop, join, release */
int
policyd_tlsmap_free(struct policyd_tlsmap *t)
{
	if (t == NULL)
		return 0;
	if (t->running) {
		policyd_tlsmap_stop(t);
		pthread_join(t->thread, NULL);
		t->running = false;
	}
	if (policyd_server_free(t->server) < 0)
		return -1;	/* threads still use ctx: leave it to exit(3) */
	policyd_mtasts_free(t->src.sts);
	if (t->curl)
		policyd_mtasts_global_cleanup();
	free(t);
	return 0;
}
