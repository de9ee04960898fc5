/*
 * policyd_rtt - how close smtp2-policyd comes to a bare unix-socket round
 * trip.  Both are measured in the same run, on one connection each, with
 * the same request bytes: first against an in-process server that answers
 * every block with a fixed reply and does nothing else, then against the
 * real smtp2-policyd.  The ratio is what we hold ourselves to (>= 0.7).
 *
 *   policyd_rtt unix:/path/to/policyd.sock REQUESTS 'sender=a@b.test' ...
 *
 * Extra arguments are attribute lines added to a Postfix RCPT request.
 */

/* System library. */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Application-specific. */
#include "attr.h"
#include "net.h"

#define BARE_REPLY "action=DUNNO\n\n"
#define ROUNDS 5

/* cmp_double - qsort order for rates */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* now_ns - monotonic clock in nanoseconds */
static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* bare_server - answer every block with a fixed reply until EOF */
static void *
bare_server(void *arg)
{
	struct smtp2d_reader *r;
	int lfd = *(int *)arg, fd;
	char *block;
	size_t len;

	if ((fd = accept(lfd, NULL, NULL)) < 0 || (r = malloc(sizeof(*r))) == NULL)
		return NULL;
	smtp2d_reader_init(r, fd, 10000, SMTP2D_BLOCK_MAX);
	while (smtp2d_reader_next(r, &block, &len) == 1)
		if (smtp2d_write_all(fd, BARE_REPLY, strlen(BARE_REPLY)) < 0)
			break;
	smtp2d_reader_clear(r);
	free(r);
	close(fd);
	return NULL;
}

/* run - send n requests over one connection; returns requests per second */
static double
run(const char *spec, const char *req, long n, char *last, size_t lastlen)
{
	struct smtp2d_reader *r = malloc(sizeof(*r));
	char why[256], *block;
	double t0, t1;
	size_t len;
	long i;
	int fd;

	if (r == NULL || (fd = smtp2d_connect(spec, 2000, why, sizeof(why))) < 0) {
		fprintf(stderr, "policyd_rtt: %s: %s\n", spec, r ? why : "no memory");
		exit(2);
	}
	smtp2d_reader_init(r, fd, 10000, SMTP2D_BLOCK_MAX);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (smtp2d_write_all(fd, req, strlen(req)) < 0 ||
		    smtp2d_reader_next(r, &block, &len) != 1) {
			fprintf(stderr, "policyd_rtt: %s: request %ld failed\n", spec, i);
			exit(2);
		}
	}
	t1 = now_ns();
	snprintf(last, lastlen, "%.*s", (int)len, block);
	close(fd);
	smtp2d_reader_clear(r);
	free(r);
	return n / ((t1 - t0) / 1e9);
}

int
main(int argc, char **argv)
{
	char req[4096], bare[256], why[256], reply[512];
	double bare_rate[ROUNDS], policyd_rate[ROUNDS];
	pthread_t tid;
	long n;
	int lfd, i, off;

	if (argc < 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: policyd_rtt SOCKET REQUESTS [name=value ...]\n");
		return 2;
	}
	off = snprintf(req, sizeof(req), "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nprotocol_name=ESMTP\n"
	    "client_address=127.0.0.9\nclient_port=40000\n"
	    "recipient=user@example.net\n");
	for (i = 3; i < argc && off < (int)sizeof(req) - 2; i++)
		off += snprintf(req + off, sizeof(req) - off, "%s\n", argv[i]);
	snprintf(req + off, sizeof(req) - off, "\n");

	snprintf(bare, sizeof(bare), "unix:/tmp/policyd_rtt.%ld.sock", (long)getpid());
	if ((lfd = smtp2d_listen(bare, why, sizeof(why))) < 0) {
		fprintf(stderr, "policyd_rtt: %s\n", why);
		return 2;
	}
	run(argv[1], req, n / 10 + 1, reply, sizeof(reply));	/* warm caches */
	/* Alternate the two so a noisy neighbour hurts both alike; keep the
	 * median of each. */
	for (i = 0; i < ROUNDS; i++) {
		pthread_create(&tid, NULL, bare_server, &lfd);
		bare_rate[i] = run(bare, req, n / ROUNDS, reply, sizeof(reply));
		pthread_join(tid, NULL);
		policyd_rate[i] = run(argv[1], req, n / ROUNDS, reply, sizeof(reply));
	}
	close(lfd);
	unlink(bare + 5);
	qsort(bare_rate, ROUNDS, sizeof(double), cmp_double);
	qsort(policyd_rate, ROUNDS, sizeof(double), cmp_double);
	printf("bare unix-socket round trip: %10.0f requests/s (median of %d)\n",
	    bare_rate[ROUNDS / 2], ROUNDS);
	printf("smtp2-policyd:               %10.0f requests/s (median of %d)\n",
	    policyd_rate[ROUNDS / 2], ROUNDS);
	printf("ratio policyd / bare:        %10.2f (target >= 0.70)\n",
	    policyd_rate[ROUNDS / 2] / bare_rate[ROUNDS / 2]);
	printf("last reply: %s", reply);
	return 0;
}
