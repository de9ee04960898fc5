/*
 * privdrop.c - become daemon.user after binding, and never root again.
 *
 * The order is OpenSMTPD's: supplementary groups first (they need root),
 * then the gid, then the uid, and last a check that setuid(0) fails,
 * because a process that could get root back has dropped nothing.
 */

/* System library. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Application-specific. */
#include "privdrop.h"

/* priv_lookup - uid and primary gid of user; -1 with why */
static int
priv_lookup(struct smtp2d_priv *p, const char *user, char *why, size_t whylen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		/* errno 0 (or ENOENT on some libcs) is "no such user". */
		snprintf(why, whylen, "daemon.user: %s: %s", user,
		    errno == 0 || errno == ENOENT ? "no such user" : strerror(errno));
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(why, whylen, "daemon.user: %s has uid 0: refusing to"
		    " run as root", user);
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	snprintf(p->user, sizeof(p->user), "%s", user);
	snprintf(p->group, sizeof(p->group), "%ld", (long)pw->pw_gid);
	return 0;
}

/* priv_lookup_group - the gid of daemon.group; -1 with why */
static int
priv_lookup_group(struct smtp2d_priv *p, const char *group, char *why,
    size_t whylen)
{
	struct group *gr;

	errno = 0;
	if ((gr = getgrnam(group)) == NULL) {
		snprintf(why, whylen, "daemon.group: %s: %s", group,
		    errno == 0 || errno == ENOENT ? "no such group" : strerror(errno));
		return -1;
	}
	p->gid = gr->gr_gid;
	snprintf(p->group, sizeof(p->group), "%s", group);
	return 0;
}

/* smtp2d_priv_setup - see privdrop.h */
int
smtp2d_priv_setup(struct smtp2d_priv *p, const struct smtp2_conf *conf,
    uid_t euid, char *why, size_t whylen)
{
	memset(p, 0, sizeof(*p));
	/* Not root: someone (systemd, an admin) already chose our user. */
	if (euid != 0)
		return 0;
	if (conf->daemon.user == NULL) {
		if (conf->daemon.allow_root)
			return 0;
		snprintf(why, whylen, "started as root without daemon.user:"
		    " refusing to run as root (set daemon.user, or start as"
		    " the user)");
		return -1;
	}
	if (priv_lookup(p, conf->daemon.user, why, whylen) < 0)
		return -1;
	if (conf->daemon.group != NULL &&
	    priv_lookup_group(p, conf->daemon.group, why, whylen) < 0)
		return -1;
	p->drop = true;
	return 0;
}

/* priv_socket_path - the file of a unix socket spec; NULL for inet */
static const char *
priv_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return spec[0] == '/' ? spec : NULL;
}

/* smtp2d_priv_own - see privdrop.h */
int
smtp2d_priv_own(const struct smtp2d_priv *p, const char *const *specs,
    size_t n, char *why, size_t whylen)
{
	const char *path;
	size_t i;

	if (!p->drop)
		return 0;
	for (i = 0; i < n; i++) {
		if ((path = priv_socket_path(specs[i])) == NULL)
			continue;
		/* lchown: never follow a link someone put in our place. */
		if (lchown(path, p->uid, p->gid) < 0) {
			snprintf(why, whylen, "chown %s to %s: %s", path, p->user,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* smtp2d_priv_drop - see privdrop.h */
int
smtp2d_priv_drop(const struct smtp2d_priv *p, char *why, size_t whylen)
{
	if (!p->drop)
		return 0;
	if (setgroups(1, &p->gid) < 0 || setgid(p->gid) < 0) {
		snprintf(why, whylen, "cannot change to group %s: %s", p->group,
		    strerror(errno));
		return -1;
	}
	if (setuid(p->uid) < 0) {
		snprintf(why, whylen, "cannot change to user %s: %s", p->user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || getuid() != p->uid || geteuid() != p->uid ||
	    getgid() != p->gid || getegid() != p->gid) {
		snprintf(why, whylen, "still able to become root after changing"
		    " to %s: refusing to go on", p->user);
		return -1;
	}
	return 0;
}
