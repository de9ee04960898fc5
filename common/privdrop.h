/*
 * privdrop.h - giving up root once the sockets are bound.
 *
 * Started as root, a daemon binds its listeners, opens its log and
 * writes its pid file, then becomes daemon.user (and daemon.group, or the
 * user's primary group) for good, as OpenSMTPD and unbound do.  Started
 * as anyone else (systemd's User=smtp2) it runs as it is.  Root itself is
 * never a target: daemon.user naming uid 0 is refused, and so is running
 * on as root without daemon.user unless daemon.allow_root says so.
 */
#ifndef SMTP2D_PRIVDROP_H
#define SMTP2D_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <smtp2/conf.h>

#define SMTP2D_PRIV_NAME_MAX	33	/* longest name the config takes, + NUL */

struct smtp2d_priv {
	bool	drop;			/* false: nothing to do */
	uid_t	uid;
	gid_t	gid;
	char	user[SMTP2D_PRIV_NAME_MAX];	/* for the log line */
	char	group[SMTP2D_PRIV_NAME_MAX];
};

/*
 * smtp2d_priv_setup - decide what to become, looking the user and group
 * up now, before any socket or file exists.  euid is geteuid() (passed
 * in so the decision can be tested).  Returns 0, or -1 with the reason in
 * why: unknown user or group, a uid 0 target, or root without daemon.user
 * and without daemon.allow_root.
 */
int smtp2d_priv_setup(struct smtp2d_priv *p, const struct smtp2_conf *conf,
    uid_t euid, char *why, size_t whylen);

/*
 * smtp2d_priv_own - give the unix sockets among specs ("unix:/p",
 * "local:/p", "/p"; others are skipped) to the user, so it may still
 * remove them at exit where the directory is sticky.  A no-op unless
 * p->drop.  Returns 0, or -1 with why.
 */
int smtp2d_priv_own(const struct smtp2d_priv *p, const char *const *specs,
    size_t n, char *why, size_t whylen);

/*
 * smtp2d_priv_drop - setgroups, setgid, setuid to p, then make sure root
 * cannot be had back.  Applies to every thread (glibc and the BSDs
 * broadcast set*id), so a server thread started before is covered.  A
 * no-op unless p->drop.  Returns 0, or -1 with why: the caller must exit.
 */
int smtp2d_priv_drop(const struct smtp2d_priv *p, char *why, size_t whylen);

#endif
