/*
 * reload.h - re-read milter.conf on a signal, the same way in both
 * daemons.
 *
 * The new file is loaded, checked and built into a complete new
 * generation before anything changes; if any step fails the running
 * configuration keeps serving and the log says why (file:line for a bad
 * line).  Settings bound at start (confdiff.h) are reported, not applied.
 */
#ifndef SMTP2D_RELOAD_H
#define SMTP2D_RELOAD_H

#include <stddef.h>

#include <smtp2/conf.h>

#include "live.h"

/* Builds a generation from conf, taking conf over on success; NULL with
 * why on failure (conf then stays the caller's). */
typedef void *smtp2d_reload_build_fn(struct smtp2_conf *conf, void *arg,
    char *why, size_t whylen);

struct smtp2d_reload {
	const char	*ident;		/* the log's program name */
	const char	*path;		/* milter.conf */
	const struct smtp2_conf *boot;	/* what the process started with */
	struct smtp2d_live *live;	/* where the new generation goes */
	smtp2d_reload_build_fn *build;
	void		*arg;
};

/*
 * smtp2d_reload - load r->path, build, reopen the log (a rotated file is
 * picked up; a new log.to, level or format applies), install.  Logs the
 * outcome.  Returns the new generation number, or 0 when the running
 * configuration stays.
 */
unsigned long smtp2d_reload(const struct smtp2d_reload *r);

#endif
