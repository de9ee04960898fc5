/*
 * daemon.h - what every smtp2 program does the same way: -c -t -f -V -h,
 * detaching, pid files.
 */
#ifndef SMTP2D_DAEMON_H
#define SMTP2D_DAEMON_H

#include <stdbool.h>

#include <smtp2/conf.h>

#define SMTP2_DEFAULT_CONF "/etc/smtp2/milter.conf"

struct smtp2d_args {
	const char	*conf_path;	/* -c, default SMTP2_DEFAULT_CONF */
	bool		check_only;	/* -t */
	bool		foreground;	/* -f */
	const char	*pidfile;	/* -p FILE */
};

/*
 * smtp2d_args_parse - parse the common options.  Handles -V and -h itself
 * (prints, returns 1: caller exits 0).  Returns 0 to go on, -1 on a usage
 * error (already printed to stderr: caller exits 1 ... 64).
 */
int smtp2d_args_parse(int argc, char **argv, const char *prog, struct smtp2d_args *a);

/*
 * smtp2d_load_conf - load the configuration; with -t print
 * "configuration OK" or "FILE:LINE: what" and return 1 (caller exits with
 * *status).  Returns NULL + *status on error, the config otherwise.
 */
struct smtp2_conf *smtp2d_load_conf(const struct smtp2d_args *a, int *status);

/* smtp2d_detach - fork into the background unless foreground; write the
 * pid file if asked.  Returns 0 or -1 (errno). */
int smtp2d_detach(const struct smtp2d_args *a);

#endif
