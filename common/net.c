/*
 * net.c - listen on and connect to "inet:HOST:PORT", "inet:[IPv6]:PORT"
 * and "unix:/path".
 *
 * Every socket is close-on-exec.  Inet sockets get TCP_NODELAY: a request
 * and its reply are each one small write, and Nagle plus delayed ACK would
 * otherwise stall loopback round trips by ~40 ms.
 */

/* System library. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Application-specific. */
#include "net.h"

#define NET_BACKLOG	128
#define NET_HOST_MAX	256

/* A spec taken apart: host and port, or a unix path. */
struct net_spec {
	int		unix_path;	/* 1: path is set; 0: host/port are */
	char		host[NET_HOST_MAX];
	char		port[6];
	char		path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* net_copy - copy n bytes of s into dst as a string; -1 if it does not fit */
static int
net_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n == 0 || n >= size)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* net_port_ok - decimal 1..65535 */
static int
net_port_ok(const char *p)
{
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 65535;
}

/* net_parse - split spec; -1 with why when the syntax is wrong */
static int
net_parse(const char *spec, struct net_spec *ns, char *why, size_t whylen)
{
	const char *h, *colon, *close;

	memset(ns, 0, sizeof(*ns));
	if (strncmp(spec, "unix:", 5) == 0) {
		ns->unix_path = 1;
		if (spec[5] == '/' && net_copy(ns->path, sizeof(ns->path), spec + 5,
		    strlen(spec + 5)) == 0)
			return 0;
		snprintf(why, whylen, "%s: need an absolute path shorter than %zu bytes",
		    spec, sizeof(ns->path));
		return -1;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		h = spec + 5;
		if (h[0] == '[') {
			close = strchr(h, ']');
			if (close != NULL && close[1] == ':'
			    && net_copy(ns->host, sizeof(ns->host), h + 1, close - h - 1) == 0
			    && strchr(ns->host, ':') != NULL
			    && net_copy(ns->port, sizeof(ns->port), close + 2,
			    strlen(close + 2)) == 0 && net_port_ok(ns->port))
				return 0;
		} else if ((colon = strrchr(h, ':')) != NULL
		    && memchr(h, ':', colon - h) == NULL
		    && net_copy(ns->host, sizeof(ns->host), h, colon - h) == 0
		    && net_copy(ns->port, sizeof(ns->port), colon + 1,
		    strlen(colon + 1)) == 0 && net_port_ok(ns->port))
			return 0;
	}
	snprintf(why, whylen, "%s: expected inet:HOST:PORT, inet:[IPv6]:PORT"
	    " or unix:/path", spec);
	return -1;
}

/* smtp2d_spec_check - syntax check only, for configuration errors */
int
smtp2d_spec_check(const char *spec, char *why, size_t whylen)
{
	struct net_spec ns;

	return net_parse(spec, &ns, why, whylen);
}

/* net_resolve - addresses for host:port; numeric hosts need no DNS */
static struct addrinfo *
net_resolve(const struct net_spec *ns, const char *spec, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(ns->host, ns->port, &hints, &res)) != 0) {
		snprintf(why, whylen, "%s: %s", spec, gai_strerror(rc));
		return NULL;
	}
	return res;
}

/* net_nodelay - see the file comment */
static void
net_nodelay(int fd)
{
	int on = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* net_unix_addr - fill a sockaddr_un for path */
static socklen_t
net_unix_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return (socklen_t)sizeof(*sun);
}

/* net_unlink_stale - remove a socket file nobody answers on any more */
static int
net_unlink_stale(const char *path, const char *spec, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "%s: exists and is not a socket", spec);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	rc = connect(fd, (struct sockaddr *)&sun, net_unix_addr(&sun, path));
	close(fd);
	if (rc == 0) {
		snprintf(why, whylen, "%s: in use by another process", spec);
		return -1;
	}
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
fail:
	snprintf(why, whylen, "%s: cannot replace stale socket: %s", spec,
	    strerror(errno));
	return -1;
}

/* net_listen_unix - bind a unix socket Postfix's user can connect to */
static int
net_listen_unix(const struct net_spec *ns, const char *spec, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int fd;

	if (net_unlink_stale(ns->path, spec, why, whylen) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, net_unix_addr(&sun, ns->path)) < 0)
		goto fail;
	/* Postfix connects as user postfix, not as us. */
	if (chmod(ns->path, 0666) < 0 || listen(fd, NET_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	snprintf(why, whylen, "%s: %s", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* net_listen_inet - bind the first address the host name gives */
static int
net_listen_inet(const struct net_spec *ns, const char *spec, char *why, size_t whylen)
{
	struct addrinfo *res;
	int fd, on = 1;

	if ((res = net_resolve(ns, spec, why, whylen)) == NULL)
		return -1;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
	    || (res->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) < 0)
	    || bind(fd, res->ai_addr, res->ai_addrlen) < 0
	    || listen(fd, NET_BACKLOG) < 0) {
		snprintf(why, whylen, "%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	/* Linux hands TCP_NODELAY down to accepted sockets. */
	net_nodelay(fd);
	freeaddrinfo(res);
	return fd;
}

/* smtp2d_listen - bind and listen on spec */
int
smtp2d_listen(const char *spec, char *why, size_t whylen)
{
	struct net_spec ns;

	if (net_parse(spec, &ns, why, whylen) < 0)
		return -1;
	return ns.unix_path ? net_listen_unix(&ns, spec, why, whylen)
	    : net_listen_inet(&ns, spec, why, whylen);
}

/* net_now_ms - a monotonic clock in milliseconds */
static long long
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* net_connect_one - non-blocking connect, waiting until deadline; 0 or errno */
static int
net_connect_one(int fd, const struct sockaddr *sa, socklen_t len, long long deadline)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	socklen_t elen = sizeof(int);
	long long left;
	int flags, err = 0, rc;

	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return errno;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return errno;
		do {
			if ((left = deadline - net_now_ms()) <= 0)
				return ETIMEDOUT;
			rc = poll(&pfd, 1, (int)left);
		} while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return errno;
		if (rc == 0)
			return ETIMEDOUT;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			return errno;
		if (err != 0)
			return err;
	}
	/* Callers read and write with poll() timeouts of their own. */
	return fcntl(fd, F_SETFL, flags) < 0 ? errno : 0;
}

/* net_connect_unix - connect to a unix socket */
static int
net_connect_unix(const struct net_spec *ns, const char *spec, long long deadline,
    char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int fd, err;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		err = errno;
	else if ((err = net_connect_one(fd, (struct sockaddr *)&sun,
	    net_unix_addr(&sun, ns->path), deadline)) == 0)
		return fd;
	snprintf(why, whylen, "%s: %s", spec, strerror(err));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* net_connect_inet - try each address of the host in turn until deadline */
static int
net_connect_inet(const struct net_spec *ns, const char *spec, long long deadline,
    char *why, size_t whylen)
{
	struct addrinfo *res, *ai;
	int fd = -1, err = EADDRNOTAVAIL;

	if ((res = net_resolve(ns, spec, why, whylen)) == NULL)
		return -1;
	for (ai = res; ai != NULL && err != ETIMEDOUT; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if ((err = net_connect_one(fd, ai->ai_addr, ai->ai_addrlen, deadline)) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", spec, strerror(err));
		return -1;
	}
	net_nodelay(fd);
	return fd;
}

/* smtp2d_connect - connect to spec within timeout_ms */
int
smtp2d_connect(const char *spec, unsigned timeout_ms, char *why, size_t whylen)
{
	struct net_spec ns;
	long long deadline = net_now_ms() + timeout_ms;

	if (net_parse(spec, &ns, why, whylen) < 0)
		return -1;
	return ns.unix_path ? net_connect_unix(&ns, spec, deadline, why, whylen)
	    : net_connect_inet(&ns, spec, deadline, why, whylen);
}
