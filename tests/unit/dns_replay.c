/*
 * dns_replay.c - the canned DNS server of dns_replay.h (test code only).
 *
 * The sockets, the thread and the counters; what goes into a message and
 * comes out of one is dns_replay_msg.c's.  One thread polls a wake-up
 * pipe, the UDP socket, the TCP listener and a few TCP connections.
 * Delayed answers wait in a small queue instead of a sleep, so one slow
 * case never holds the others up.  It binds 127.0.0.1 only and answers
 * only who asked: no packet leaves loopback.
 */

/* System library. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Application-specific. */
#include "dns_replay.h"
#include "dns_replay_msg.h"

#define REPLAY_CONNS		16	/* TCP connections open at once */
#define REPLAY_PENDING		64	/* delayed answers queued at once */

struct replay_conn {
	int		fd;		/* -1: free slot */
	size_t		have;
	unsigned char	buf[2 + REPLAY_MSG_MAX];
};

struct replay_pending {
	int		fd;		/* -1: free slot */
	bool		tcp;
	struct sockaddr_in peer;
	uint64_t	due_ms;
	size_t		len;
	unsigned char	buf[REPLAY_MSG_MAX];
};

struct replay_count {
	unsigned	udp, tcp;
};

struct dns_replay {
	const struct dns_replay_case *cases;	/* borrowed */
	size_t		n;
	pthread_mutex_t	lock;			/* guards count, unmatched */
	struct replay_count *count;		/* n of them */
	unsigned	unmatched;
	pthread_t	tid;
	int		wake[2];		/* a byte on [1] stops the thread */
	int		udp, tcp;
	struct replay_conn conn[REPLAY_CONNS];
	struct replay_pending pend[REPLAY_PENDING];
	char		addr[32];
};

/* replay_now - monotonic milliseconds */
static uint64_t
replay_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* replay_send - one message out, TCP with its length prefix */
static void
replay_send(struct dns_replay *r, int fd, bool tcp,
    const struct sockaddr_in *peer, const unsigned char *m, size_t len)
{
	unsigned char pfx[2] = { (unsigned char)(len >> 8), (unsigned char)len };

	if (!tcp) {
		(void)sendto(r->udp, m, len, 0, (const struct sockaddr *)peer,
		    sizeof(*peer));
		return;
	}
	/* Small writes to a loopback peer: they go out whole or not at all. */
	if (send(fd, pfx, 2, MSG_NOSIGNAL) == 2)
		(void)send(fd, m, len, MSG_NOSIGNAL);
}

/* replay_match - index of the case for q, or n; counts the query */
static size_t
replay_match(struct dns_replay *r, const struct replay_q *q, bool tcp)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (r->cases[i].type == q->type &&
		    strcasecmp(r->cases[i].name, q->name) == 0)
			break;
	pthread_mutex_lock(&r->lock);
	if (i == r->n)
		r->unmatched++;
	else if (tcp)
		r->count[i].tcp++;
	else
		r->count[i].udp++;
	pthread_mutex_unlock(&r->lock);
	return (i);
}

/* replay_queue - hold an answer until its delay has passed */
static void
replay_queue(struct dns_replay *r, int fd, bool tcp,
    const struct sockaddr_in *peer, const unsigned char *m, size_t len,
    unsigned delay_ms)
{
	struct replay_pending *p;
	size_t	i;

	for (i = 0; i < REPLAY_PENDING; i++) {
		p = &r->pend[i];
		if (p->fd >= 0)
			continue;
		p->fd = fd;
		p->tcp = tcp;
		if (peer != NULL)
			p->peer = *peer;
		p->due_ms = replay_now() + delay_ms;
		memcpy(p->buf, m, len);
		p->len = len;
		return;
	}
	fprintf(stderr, "dns_replay: answer queue full, answer dropped\n");
}

/* replay_handle - answer (or not) one query */
static void
replay_handle(struct dns_replay *r, const unsigned char *m, size_t len,
    int fd, bool tcp, const struct sockaddr_in *peer)
{
	static const struct dns_replay_case refused = {
		.rcode = DNS_REPLAY_RCODE_REFUSED,
	};
	const struct dns_replay_case *c;
	unsigned char out[REPLAY_MSG_MAX];
	struct replay_q q;
	size_t	i, n;

	if (replay_parse(m, len, &q) < 0)
		return;
	i = replay_match(r, &q, tcp);
	c = i < r->n ? &r->cases[i] : &refused;
	if (c->silent || (n = replay_build(c, m, &q, tcp, out, sizeof(out))) == 0)
		return;
	if (c->delay_ms > 0)
		replay_queue(r, fd, tcp, peer, out, n, c->delay_ms);
	else
		replay_send(r, fd, tcp, peer, out, n);
}

/* replay_udp_read - one datagram */
static void
replay_udp_read(struct dns_replay *r)
{
	unsigned char m[REPLAY_MSG_MAX];
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	ssize_t	n;

	n = recvfrom(r->udp, m, sizeof(m), MSG_DONTWAIT,
	    (struct sockaddr *)&peer, &plen);
	if (n > 0 && plen == sizeof(peer))
		replay_handle(r, m, (size_t)n, r->udp, false, &peer);
}

/* replay_accept - take a TCP connection into a free slot */
static void
replay_accept(struct dns_replay *r)
{
	size_t	i;
	int	fd;

	if ((fd = accept(r->tcp, NULL, NULL)) < 0)
		return;
	for (i = 0; i < REPLAY_CONNS; i++) {
		if (r->conn[i].fd < 0) {
			(void)fcntl(fd, F_SETFL, O_NONBLOCK);
			r->conn[i].fd = fd;
			r->conn[i].have = 0;
			return;
		}
	}
	close(fd);		/* full: the client sees a reset */
}

/* replay_conn_close - close a connection and drop answers queued for it */
static void
replay_conn_close(struct dns_replay *r, struct replay_conn *cn)
{
	size_t	i;

	for (i = 0; i < REPLAY_PENDING; i++)
		if (r->pend[i].fd == cn->fd && r->pend[i].tcp)
			r->pend[i].fd = -1;
	close(cn->fd);
	cn->fd = -1;
}

/* replay_conn_read - read, then answer every complete message */
static void
replay_conn_read(struct dns_replay *r, struct replay_conn *cn)
{
	ssize_t	got;
	size_t	need;

	got = read(cn->fd, cn->buf + cn->have, sizeof(cn->buf) - cn->have);
	if (got <= 0) {
		if (got == 0 || (errno != EAGAIN && errno != EINTR))
			replay_conn_close(r, cn);
		return;
	}
	cn->have += (size_t)got;
	while (cn->have >= 2) {
		need = 2 + ((size_t)cn->buf[0] << 8 | cn->buf[1]);
		if (need > sizeof(cn->buf)) {
			replay_conn_close(r, cn);
			return;
		}
		if (cn->have < need)
			return;
		replay_handle(r, cn->buf + 2, need - 2, cn->fd, true, NULL);
		memmove(cn->buf, cn->buf + need, cn->have - need);
		cn->have -= need;
	}
}

/* replay_flush_due - send queued answers whose time has come; returns
 * the poll timeout until the next one (-1: none queued) */
static int
replay_flush_due(struct dns_replay *r)
{
	uint64_t now = replay_now(), next = UINT64_MAX;
	struct replay_pending *p;
	size_t	i;

	for (i = 0; i < REPLAY_PENDING; i++) {
		p = &r->pend[i];
		if (p->fd < 0)
			continue;
		if (p->due_ms <= now) {
			replay_send(r, p->fd, p->tcp, &p->peer, p->buf, p->len);
			p->fd = -1;
		} else if (p->due_ms < next) {
			next = p->due_ms;
		}
	}
	return (next == UINT64_MAX ? -1 : (int)(next - now));
}

/* replay_main - the server thread: poll, answer, until woken to stop */
static void *
replay_main(void *arg)
{
	struct dns_replay *r = arg;
	struct pollfd pfd[3 + REPLAY_CONNS];
	size_t	i;
	int	timeout = -1;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = r->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = r->udp, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = r->tcp, .events = POLLIN };
		for (i = 0; i < REPLAY_CONNS; i++)
			pfd[3 + i] = (struct pollfd){ .fd = r->conn[i].fd,
			    .events = POLLIN };	/* fd -1 is ignored by poll */
		if (poll(pfd, 3 + REPLAY_CONNS, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN)
			replay_udp_read(r);
		if (pfd[2].revents & POLLIN)
			replay_accept(r);
		for (i = 0; i < REPLAY_CONNS; i++)
			if (r->conn[i].fd >= 0 && pfd[3 + i].revents)
				replay_conn_read(r, &r->conn[i]);
		timeout = replay_flush_due(r);
	}
	return (NULL);
}

/* replay_bind - UDP and TCP on one free loopback port; 0 or -1 */
static int
replay_bind(struct dns_replay *r)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int	tries, one = 1;

	/* The kernel picks a free UDP port; TCP may hold it already: retry. */
	for (tries = 0; tries < 50; tries++) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r->udp = socket(AF_INET, SOCK_DGRAM, 0);
		r->tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (r->udp < 0 || r->tcp < 0 ||
		    bind(r->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    getsockname(r->udp, (struct sockaddr *)&sa, &len) < 0)
			return (-1);
		(void)setsockopt(r->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(r->tcp, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(r->tcp, 16) == 0) {
			snprintf(r->addr, sizeof(r->addr), "127.0.0.1:%u",
			    (unsigned)ntohs(sa.sin_port));
			return (0);
		}
		close(r->udp);
		close(r->tcp);
	}
	r->udp = r->tcp = -1;
	return (-1);
}

/* replay_free - release whatever start got as far as */
static void
replay_free(struct dns_replay *r)
{
	size_t	i;

	for (i = 0; i < REPLAY_CONNS; i++)
		if (r->conn[i].fd >= 0)
			close(r->conn[i].fd);
	if (r->udp >= 0)
		close(r->udp);
	if (r->tcp >= 0)
		close(r->tcp);
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	pthread_mutex_destroy(&r->lock);
	free(r->count);
	free(r);
}

/* dns_replay_start - bind, then serve in a thread */
struct dns_replay *
dns_replay_start(const struct dns_replay_case *cases, size_t n)
{
	struct dns_replay *r;
	size_t	i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->cases = cases;
	r->n = n;
	r->udp = r->tcp = r->wake[0] = r->wake[1] = -1;
	for (i = 0; i < REPLAY_CONNS; i++)
		r->conn[i].fd = -1;
	for (i = 0; i < REPLAY_PENDING; i++)
		r->pend[i].fd = -1;
	pthread_mutex_init(&r->lock, NULL);
	if ((r->count = calloc(n ? n : 1, sizeof(*r->count))) == NULL ||
	    pipe(r->wake) < 0 || replay_bind(r) < 0 ||
	    pthread_create(&r->tid, NULL, replay_main, r) != 0) {
		fprintf(stderr, "dns_replay: cannot start: %s\n", strerror(errno));
		replay_free(r);
		return (NULL);
	}
	return (r);
}

/* dns_replay_stop - wake the thread, wait for it, free */
void
dns_replay_stop(struct dns_replay *r)
{
	if (r == NULL)
		return;
	if (write(r->wake[1], "x", 1) < 0) {
		/* Cannot happen: the pipe is ours and empty. */
	}
	pthread_join(r->tid, NULL);
	replay_free(r);
}

/* dns_replay_addr - where the responder listens */
const char *
dns_replay_addr(const struct dns_replay *r)
{
	return (r->addr);
}

/* dns_replay_udp - UDP queries seen for case i */
unsigned
dns_replay_udp(struct dns_replay *r, size_t i)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = i < r->n ? r->count[i].udp : 0;
	pthread_mutex_unlock(&r->lock);
	return (n);
}

/* dns_replay_tcp - TCP queries seen for case i */
unsigned
dns_replay_tcp(struct dns_replay *r, size_t i)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = i < r->n ? r->count[i].tcp : 0;
	pthread_mutex_unlock(&r->lock);
	return (n);
}

/* dns_replay_unmatched - queries no case matched */
unsigned
dns_replay_unmatched(struct dns_replay *r)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = r->unmatched;
	pthread_mutex_unlock(&r->lock);
	return (n);
}
