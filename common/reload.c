/*
 * reload.c - load, build, swap (reload.h).
 */

/* System library. */
#include <stdio.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/decide.h>
#include <smtp2/metrics.h>

/* Application-specific. */
#include "confdiff.h"
#include "live.h"
#include "log.h"
#include "reload.h"

/* reload_log - the new log settings; a destination that will not open
 * leaves the old one in place (it may be a permission the daemon gave
 * up with root) */
static void
reload_log(const struct smtp2d_reload *r, const struct smtp2_conf *c)
{
	char	why[256];

	if (smtp2d_log_open(r->ident, c->log.to, c->log.level, why,
	    sizeof(why)) < 0)
		log_warn("reload: cannot open log %s: %s; logging where it did",
		    c->log.to, why);
	smtp2d_log_json_lines(c->log.format == SMTP2_LOG_JSON);
}

/* smtp2d_reload - see reload.h */
unsigned long
smtp2d_reload(const struct smtp2d_reload *r)
{
	struct smtp2_conf *c;
	void	*obj;
	char	why[512], diff[512];
	unsigned long id;

	if ((c = smtp2_conf_load(r->path, why, sizeof(why))) == NULL) {
		log_err("reload refused: %s; the running configuration stays", why);
		smtp2_metrics_reload(0);
		return 0;
	}
	if (smtp2d_conf_restart_only(r->boot, c, diff, sizeof(diff)) > 0)
		log_warn("reload: %s changed: applied at the next restart, not now",
		    diff);
	if ((obj = r->build(c, r->arg, why, sizeof(why))) == NULL) {
		log_err("reload refused: %s; the running configuration stays", why);
		smtp2_conf_free(c);
		smtp2_metrics_reload(0);
		return 0;
	}
	/* c now belongs to obj, which lives until its last holder lets go. */
	reload_log(r, c);
	if ((id = smtp2d_live_install(r->live, obj)) == 0) {
		log_err("reload refused: out of memory; the running configuration "
		    "stays");
		smtp2_metrics_reload(0);
		return 0;	/* obj leaks: the process is out of memory anyway */
	}
	smtp2_metrics_reload(1);
	log_notice("reloaded %s: generation %lu, mode %s", r->path, id,
	    smtp2_mode_name(c->policy.mode));
	return id;
}
