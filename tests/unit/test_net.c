/*
 * test_net.c - listening and connecting (common/net.c) on unix sockets
 * and loopback TCP; never a packet off 127.0.0.0/8 or ::1.
 */

/* System library. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include "net.h"

#define WHY_LEN		256

/* A spec and whether smtp2d_spec_check takes it. */
struct spec_case {
	const char	*spec;
	int		ok;
};

/* test_spec_check - the syntax net.c serves */
static void
test_spec_check(void **state)
{
	static const struct spec_case cases[] = {
		{ "inet:127.0.0.1:10040", 1 },
		{ "inet:localhost:10040", 1 },
		{ "inet:[::1]:10040", 1 },
		{ "unix:/run/smtp2/policyd.sock", 1 },
		{ "inet:127.0.0.1", 0 },
		{ "inet:127.0.0.1:0", 0 },
		{ "inet:127.0.0.1:65536", 0 },
		{ "inet:127.0.0.1:+80", 0 },
		{ "inet::10040", 0 },
		{ "inet:::1:10040", 0 },
		{ "inet:[::1]10040", 0 },
		{ "inet:[]:10040", 0 },
		{ "unix:relative.sock", 0 },
		{ "unix:", 0 },
		{ "tcp:127.0.0.1:10040", 0 },
		{ "inet:10040@127.0.0.1", 0 },
		{ "", 0 },
	};
	char why[WHY_LEN], path[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if ((smtp2d_spec_check(cases[i].spec, why, sizeof(why)) == 0) != cases[i].ok)
			fail_msg("'%s': expected %s (%s)", cases[i].spec,
			    cases[i].ok ? "ok" : "an error", why);
		if (!cases[i].ok && strstr(why, cases[i].spec) == NULL)
			fail_msg("'%s': message '%s' does not name it", cases[i].spec, why);
	}
	/* sun_path is 108 bytes, the NUL included. */
	snprintf(path, sizeof(path), "unix:/%0107d", 0);
	assert_int_equal(smtp2d_spec_check(path, why, sizeof(why)), -1);
	path[strlen(path) - 1] = '\0';
	assert_int_equal(smtp2d_spec_check(path, why, sizeof(why)), 0);
}

/* tmp_dir - a fresh directory for sockets */
static void
tmp_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/test_net.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* roundtrip - connect to spec, accept on lfd, pass a byte each way */
static void
roundtrip(int lfd, const char *spec)
{
	char why[WHY_LEN], ch = 0;
	int cfd, afd;

	cfd = smtp2d_connect(spec, 1000, why, sizeof(why));
	if (cfd < 0)
		fail_msg("%s", why);
	assert_true((afd = accept(lfd, NULL, NULL)) >= 0);
	assert_int_equal(write(cfd, "x", 1), 1);
	assert_int_equal(read(afd, &ch, 1), 1);
	assert_int_equal(ch, 'x');
	assert_int_equal(write(afd, "y", 1), 1);
	assert_int_equal(read(cfd, &ch, 1), 1);
	assert_int_equal(ch, 'y');
	/* Close-on-exec, and blocking again after the timed connect. */
	assert_true(fcntl(cfd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(cfd, F_GETFL) & O_NONBLOCK);
	close(afd);
	close(cfd);
}

/* test_unix - listen, mode 0666, round trip, stale socket, socket in use */
static void
test_unix(void **state)
{
	char dir[64], spec[128], why[WHY_LEN];
	struct stat st;
	int lfd, fd;

	(void)state;
	tmp_dir(dir, sizeof(dir));
	snprintf(spec, sizeof(spec), "unix:%s/p.sock", dir);
	lfd = smtp2d_listen(spec, why, sizeof(why));
	if (lfd < 0)
		fail_msg("%s", why);
	assert_int_equal(stat(spec + 5, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	assert_true(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
	roundtrip(lfd, spec);

	/* A second daemon must not steal a live socket. */
	assert_int_equal(smtp2d_listen(spec, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "in use"));
	close(lfd);

	/* Left behind by a dead daemon: replaced. */
	lfd = smtp2d_listen(spec, why, sizeof(why));
	if (lfd < 0)
		fail_msg("stale socket not replaced: %s", why);
	roundtrip(lfd, spec);
	close(lfd);
	unlink(spec + 5);

	/* A plain file is never removed. */
	assert_true((fd = open(spec + 5, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(smtp2d_listen(spec, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "exists and is not a socket"));
	assert_int_equal(stat(spec + 5, &st), 0);
	unlink(spec + 5);

	/* Nobody there. */
	assert_int_equal(smtp2d_connect(spec, 500, why, sizeof(why)), -1);
	assert_non_null(strstr(why, strerror(ENOENT)));
	rmdir(dir);
}

/* listen_loopback - listen on a free port of host; -1 when the family is absent */
static int
listen_loopback(const char *host, char *spec, size_t len)
{
	char why[WHY_LEN];
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int i, fd;

	for (i = 0; i < 50; i++) {
		snprintf(spec, len, "inet:%s:%u", host, 20000 + rand_r(&seed) % 40000);
		if ((fd = smtp2d_listen(spec, why, sizeof(why))) >= 0)
			return fd;
		if (strstr(why, strerror(EADDRINUSE)) == NULL)
			return -1;
	}
	return -1;
}

/* test_inet - loopback TCP, v4 and (where there is one) v6, with TCP_NODELAY */
static void
test_inet(void **state)
{
	char spec[64], why[WHY_LEN];
	int lfd, cfd, on = 0;
	socklen_t len = sizeof(on);

	(void)state;
	lfd = listen_loopback("127.0.0.1", spec, sizeof(spec));
	assert_true(lfd >= 0);
	roundtrip(lfd, spec);
	cfd = smtp2d_connect(spec, 1000, why, sizeof(why));
	assert_true(cfd >= 0);
	assert_int_equal(getsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
	assert_true(on);
	close(cfd);
	close(lfd);

	/* Refused: the port is closed now. */
	assert_int_equal(smtp2d_connect(spec, 1000, why, sizeof(why)), -1);
	assert_non_null(strstr(why, strerror(ECONNREFUSED)));

	lfd = listen_loopback("[::1]", spec, sizeof(spec));
	if (lfd >= 0) {
		roundtrip(lfd, spec);
		close(lfd);
	}
}

/* test_connect_timeout - a peer whose accept queue is full times out */
static void
test_connect_timeout(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char spec[64], why[WHY_LEN];
	int lfd, fill[4], i, fd;
	struct timespec t0, t1;
	long ms;

	(void)state;
	assert_true((lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	snprintf(spec, sizeof(spec), "inet:127.0.0.1:%d", ntohs(sin.sin_port));
	/* Fill the accept queue; nobody ever accepts. */
	for (i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)connect(fill[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(50000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = smtp2d_connect(spec, 300, why, sizeof(why));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
	if (fd >= 0) {
		close(fd);
		skip();		/* this kernel let it in after all */
	}
	assert_non_null(strstr(why, strerror(ETIMEDOUT)));
	assert_true(ms >= 250 && ms < 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_check),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_inet),
		cmocka_unit_test(test_connect_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
