/*
 * daemon.c - the options, configuration check and detaching every smtp2
 * program shares, so -c -t -f -p -V -h mean the same everywhere.
 */

/* System library. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */
#include <smtp2/smtp2.h>

/* Application-specific. */
#include "daemon.h"

/* daemon_usage - the option summary, to out */
static void
daemon_usage(FILE *out, const char *prog)
{
	fprintf(out,
	    "usage: %s [-ftVh] [-c FILE] [-p PIDFILE]\n"
	    "  -c FILE     configuration file (default %s)\n"
	    "  -t          check the configuration, print \"configuration OK\", exit\n"
	    "  -f          stay in the foreground\n"
	    "  -p PIDFILE  write the process id to PIDFILE\n"
	    "  -V          print the version and exit\n"
	    "  -h          print this help and exit\n", prog, SMTP2_DEFAULT_CONF);
}

/* smtp2d_args_parse - parse the common options */
int
smtp2d_args_parse(int argc, char **argv, const char *prog, struct smtp2d_args *a)
{
	int ch;

	memset(a, 0, sizeof(*a));
	a->conf_path = SMTP2_DEFAULT_CONF;
	opterr = 0;		/* our own message, naming prog */
	optind = 1;
	while ((ch = getopt(argc, argv, ":c:tfp:Vh")) != -1) {
		switch (ch) {
		case 'c':
			a->conf_path = optarg;
			break;
		case 't':
			a->check_only = true;
			break;
		case 'f':
			a->foreground = true;
			break;
		case 'p':
			a->pidfile = optarg;
			break;
		case 'V':
			printf("%s %s\n", prog, SMTP2_VERSION);
			return 1;
		case 'h':
			daemon_usage(stdout, prog);
			return 1;
		case ':':
			fprintf(stderr, "%s: option -%c needs an argument\n", prog, optopt);
			daemon_usage(stderr, prog);
			return -1;
		default:
			fprintf(stderr, "%s: unknown option -%c\n", prog, optopt);
			daemon_usage(stderr, prog);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		daemon_usage(stderr, prog);
		return -1;
	}
	return 0;
}

/* smtp2d_load_conf - load; -t reports and always hands back NULL */
struct smtp2_conf *
smtp2d_load_conf(const struct smtp2d_args *a, int *status)
{
	struct smtp2_conf *c;
	char why[512];

	c = smtp2_conf_load(a->conf_path, why, sizeof(why));
	*status = c != NULL ? 0 : 1;
	if (c == NULL)
		fprintf(stderr, "%s\n", why);
	else if (a->check_only)
		printf("configuration OK\n");
	if (a->check_only) {
		fflush(stdout);
		smtp2_conf_free(c);
		return NULL;
	}
	return c;
}

/* daemon_pidfile - write our pid; overwrite what a dead instance left */
static int
daemon_pidfile(const char *path)
{
	char buf[32];
	int fd, len, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)len) != len) {
		saved = errno ? errno : EIO;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* daemon_null_stdio - stdin, stdout and stderr to /dev/null */
static int
daemon_null_stdio(void)
{
	int fd, i;

	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	for (i = 0; i <= 2; i++)
		if (fd != i && dup2(fd, i) < 0)
			return -1;
	return fd > 2 ? close(fd) : 0;
}

/* daemon_fork - fork; the parent exits 0 once the child says it is ready */
static int
daemon_fork(int *ready)
{
	int p[2], saved;
	char ok;
	pid_t pid;

	fflush(NULL);
	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		/* The child writes one byte when set up; EOF means it failed. */
		_exit(read(p[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	*ready = p[1];
	return setsid() < 0 || chdir("/") < 0 ? -1 : 0;
}

/* smtp2d_detach - background unless -f, then the pid file */
int
smtp2d_detach(const struct smtp2d_args *a)
{
	int ready = -1, saved;

	if (!a->foreground && daemon_fork(&ready) < 0)
		goto fail;
	if (a->pidfile != NULL && daemon_pidfile(a->pidfile) < 0)
		goto fail;
	if (!a->foreground && daemon_null_stdio() < 0)
		goto fail;
	if (ready >= 0) {
		if (write(ready, "", 1) != 1)
			goto fail;
		close(ready);
	}
	return 0;
fail:
	saved = errno;
	if (ready >= 0)
		close(ready);
	errno = saved;
	return -1;
}
