/*
 * server.c - accept loop and connection threads of smtp2-policyd.
 *
 * The main thread polls the listeners and a self-pipe (the stop signal);
 * every accepted connection gets a detached thread that speaks the
 * server's protocol (the policy protocol here, socketmap in tlsmap.c):
 * it reads requests, answers each with one write and owns its resolver.
 * Connections are registered in a slot table so a stop can end idle ones
 * at once (shutdown SHUT_RD wakes their read with EOF) while busy ones
 * finish the answer they are working on.
 */

/* System library. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <openssl/crypto.h>

/* Utility library. */
#include "attr.h"
#include "log.h"
#include "live.h"
#include "net.h"

/* Application-specific. */
#include "gen.h"
#include "request.h"
#include "server.h"

struct policyd_server {
	policyd_serve_fn *serve;	/* the protocol spoken on every connection */
	void	*serve_arg;
	size_t	n_listen;
	struct pollfd *pfd;		/* listeners, then the self-pipe */
	char	**unix_path;		/* to unlink, per listener; NULL for inet */
	int	stop_pipe[2];
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t gone;		/* a connection thread ended */
	unsigned max_conns, active;
	int	*conn_fd;		/* max_conns slots, -1 when free */
	bool	stopping;
};

struct conn_thread {
	struct policyd_server *s;
	unsigned slot;
	int	fd;
};

/* server_alloc - an empty server with its lock, pipe and slots */
static struct policyd_server *
server_alloc(size_t n, unsigned max_conns)
{
	struct policyd_server *s;
	pthread_condattr_t ca;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->gone, &ca);
	pthread_condattr_destroy(&ca);
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	s->pfd = calloc(n + 1, sizeof(*s->pfd));
	s->unix_path = calloc(n, sizeof(*s->unix_path));
	s->conn_fd = calloc(max_conns, sizeof(*s->conn_fd));
	if (s->pfd == NULL || s->unix_path == NULL || s->conn_fd == NULL ||
	    pipe(s->stop_pipe) < 0) {
		policyd_server_free(s);
		return NULL;
	}
	for (unsigned i = 0; i < max_conns; i++)
		s->conn_fd[i] = -1;
	for (size_t i = 0; i <= n; i++)
		s->pfd[i].fd = -1;
	/* A signal handler writes here: it must never block. */
	fcntl(s->stop_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(s->stop_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(s->stop_pipe[1], F_SETFD, FD_CLOEXEC);
	s->max_conns = max_conns;
	return s;
}

/* server_listen - open listener i on spec */
static int
server_listen(struct policyd_server *s, size_t i, const char *spec,
    char *why, size_t whylen)
{
	int fd;

	/* smtp2d_listen's reason names the spec already. */
	if ((fd = smtp2d_listen(spec, why, whylen)) < 0)
		return -1;
	/* poll() said readable, but the client may be gone before accept(). */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	s->pfd[i].fd = fd;
	s->pfd[i].events = POLLIN;
	s->n_listen = i + 1;
	if (strncmp(spec, "unix:", 5) == 0 &&
	    (s->unix_path[i] = strdup(spec + 5)) == NULL) {
		snprintf(why, whylen, "%s: out of memory", spec);
		return -1;
	}
	return 0;
}

/* policyd_server_new_with - listen on every spec, serve with serve */
struct policyd_server *
policyd_server_new_with(const char *const *listen, size_t n,
    unsigned max_conns, policyd_serve_fn *serve, void *arg,
    char *why, size_t whylen)
{
	struct policyd_server *s;

	if (n == 0 || max_conns == 0) {
		snprintf(why, whylen, "nothing to listen on or no connection allowed");
		return NULL;
	}
	if ((s = server_alloc(n, max_conns)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	s->serve = serve;
	s->serve_arg = arg;
	for (size_t i = 0; i < n; i++) {
		if (server_listen(s, i, listen[i], why, whylen) < 0) {
			policyd_server_free(s);
			return NULL;
		}
	}
	s->pfd[n].fd = s->stop_pipe[0];
	s->pfd[n].events = POLLIN;
	return s;
}

/* policyd_server_stop - wake the accept loop; async-signal-safe */
void
policyd_server_stop(struct policyd_server *s)
{
	int saved = errno;

	if (write(s->stop_pipe[1], "", 1) < 0) {
		/* Full pipe: a stop is already pending. */
	}
	errno = saved;
}

/* policyd_server_stopping - has a stop begun? */
bool
policyd_server_stopping(struct policyd_server *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* wait_request - wait for the next request; false after the idle timeout */
static bool
wait_request(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int rc;

	while ((rc = poll(&pfd, 1, POLICYD_IDLE_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (rc == 0)
		log_debug("connection idle for %d s: closing",
		    POLICYD_IDLE_TIMEOUT_MS / 1000);
	/* Readable, hung up or failed: the reader tells which. */
	return rc != 0;
}

/* log_read_error - why a request could not be read, in plain words */
static void
log_read_error(int err)
{
	if (err == ETIMEDOUT)
		log_warn("policy connection: no complete request within %d s: "
		    "closing", POLICYD_READ_TIMEOUT_MS / 1000);
	else if (err == EPROTO)
		log_warn("policy connection: client left in the middle of a request");
	else
		log_warn("policy connection: read: %s", strerror(err));
}

/* conn_serve - answer requests until EOF, error, timeout or stop */
/*
 * linger - before closing on a client that is still sending: without it
 * the unread bytes make close() send a reset, which can destroy the
 * reply on its way.  Bounded in time and bytes.
 */
static void
linger(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char	sink[4096];
	ssize_t	n = 1;

	(void)shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16 && n > 0 && poll(&pfd, 1, 100) == 1; i++)
		n = read(fd, sink, sizeof(sink));
}

/*
 * conn_refresh - before a request: move to the current configuration if
 * a reload installed one since the last request.  The resolver goes
 * with the old one: it was made from its options and points into its
 * cache.
 */
static void
conn_refresh(struct smtp2d_live *live, struct smtp2d_gen **held,
    struct policyd_conn *pc)
{
	struct policyd_gen *g;

	if (*held != NULL && smtp2d_gen_id(*held) == smtp2d_live_id(live))
		return;
	policyd_conn_clear(pc);
	smtp2d_gen_drop(*held);
	*held = smtp2d_live_hold(live);
	g = smtp2d_gen_obj(*held);
	policyd_conn_init(pc, &g->ctx);
}

static void
conn_serve(struct policyd_server *s, int fd, struct smtp2d_reader *r,
    struct smtp2d_live *live, struct smtp2d_gen **held, struct policyd_conn *pc)
{
	char reply[POLICYD_REPLY_MAX], *block;
	size_t len, n;
	int rc;

	for (;;) {
		/* Bytes already buffered belong to a request in progress. */
		if (r->start == r->end && !wait_request(fd))
			return;
		if ((rc = smtp2d_reader_next(r, &block, &len)) == 0)
			return;
		if (rc == -1) {
			log_read_error(errno);
			return;
		}
		if (rc == -2) {
			log_warn("policy connection: request larger than %zu bytes "
			    "(policyd.max_request): closing", r->max);
			(void)smtp2d_write_all(fd, POLICYD_REPLY_TOO_LARGE,
			    sizeof(POLICYD_REPLY_TOO_LARGE) - 1);
			linger(fd);
			return;
		}
		conn_refresh(live, held, pc);
		n = policyd_request_block(pc, block, len, reply, sizeof(reply));
		if (smtp2d_write_all(fd, reply, n) < 0) {
			log_warn("policy connection: write: %s", strerror(errno));
			return;
		}
		if (policyd_server_stopping(s))
			return;
	}
}

/* attr_serve - the name=value policy protocol on one connection */
static void
attr_serve(int fd, void *arg, struct policyd_server *s)
{
	struct smtp2d_gen *held = NULL;
	struct smtp2d_reader *r;
	struct policyd_conn pc;
	size_t	max;

	if ((r = malloc(sizeof(*r))) == NULL) {
		log_err("policy connection: out of memory");
		return;
	}
	policyd_conn_init(&pc, NULL);
	conn_refresh(arg, &held, &pc);
	/* The limit a connection starts with is the one it keeps. */
	max = pc.ctx->conf != NULL ? pc.ctx->conf->policyd.max_request :
	    SMTP2D_BLOCK_MAX;
	if (smtp2d_reader_init(r, fd, POLICYD_READ_TIMEOUT_MS, max) < 0)
		log_err("policy connection: out of memory");
	conn_serve(s, fd, r, arg, &held, &pc);
	policyd_conn_clear(&pc);
	smtp2d_gen_drop(held);
	smtp2d_reader_clear(r);
	free(r);
}

/* policyd_server_new - listen on every spec, speak the policy protocol */
struct policyd_server *
policyd_server_new(const char *const *listen, size_t n,
    unsigned max_conns, struct smtp2d_live *live, char *why, size_t whylen)
{
	return policyd_server_new_with(listen, n, max_conns, attr_serve, live,
	    why, whylen);
}

/* conn_release - free the slot; the last one out wakes a draining stop */
static void
conn_release(struct policyd_server *s, unsigned slot, int fd)
{
	pthread_mutex_lock(&s->lock);
	/* Closed under the lock: a stop's shutdown() never hits a reused fd. */
	close(fd);
	s->conn_fd[slot] = -1;
	s->active--;
	pthread_cond_broadcast(&s->gone);
	pthread_mutex_unlock(&s->lock);
}

/* conn_main - one connection's thread */
static void *
conn_main(void *arg)
{
	struct conn_thread *t = arg;

	t->s->serve(t->fd, t->s->serve_arg, t->s);
	/*
	 * OpenSSL frees a thread's error state from a thread-exit destructor,
	 * which a stopping process may not wait for; free it while the stop
	 * still counts this thread as active.
	 */
	OPENSSL_thread_stop();
	conn_release(t->s, t->slot, t->fd);
	free(t);
	return NULL;
}

/* conn_claim - a free slot for fd, or -1 when at the limit or stopping */
static int
conn_claim(struct policyd_server *s, int fd)
{
	int slot = -1;

	pthread_mutex_lock(&s->lock);
	if (!s->stopping && s->active < s->max_conns) {
		for (unsigned i = 0; i < s->max_conns; i++) {
			if (s->conn_fd[i] < 0) {
				s->conn_fd[i] = fd;
				s->active++;
				slot = (int)i;
				break;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return slot;
}

/* conn_start - give fd a thread, or close it */
static void
conn_start(struct policyd_server *s, int fd)
{
	struct conn_thread *t;
	pthread_attr_t attr;
	pthread_t tid;
	int slot, rc = -1;

	if ((slot = conn_claim(s, fd)) < 0) {
		log_warn("too many policy connections (max_connections = %u): "
		    "closing a new one", s->max_conns);
		close(fd);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) != NULL) {
		t->s = s;
		t->slot = (unsigned)slot;
		t->fd = fd;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&tid, &attr, conn_main, t);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		log_err("cannot start a connection thread: %s",
		    t == NULL ? "out of memory" : strerror(rc));
		free(t);
		conn_release(s, (unsigned)slot, fd);
	}
}

/* accept_one - accept a pending connection on listener fd */
static void
accept_one(struct policyd_server *s, int lfd)
{
	struct timespec pause = { 0, 100 * 1000000L };
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		log_warn("accept: %s", strerror(errno));
		/* Out of descriptors: the listener stays readable; do not spin. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			nanosleep(&pause, NULL);
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	conn_start(s, fd);
}

/* close_listeners - stop accepting; unix sockets leave no file behind */
static void
close_listeners(struct policyd_server *s)
{
	for (size_t i = 0; i < s->n_listen; i++) {
		if (s->pfd[i].fd >= 0)
			close(s->pfd[i].fd);
		s->pfd[i].fd = -1;
		if (s->unix_path[i] != NULL && unlink(s->unix_path[i]) < 0 &&
		    errno != ENOENT)
			log_warn("unlink %s: %s", s->unix_path[i], strerror(errno));
		free(s->unix_path[i]);
		s->unix_path[i] = NULL;
	}
}

/* drain - end idle connections, give busy ones a moment to answer */
static void
drain(struct policyd_server *s)
{
	struct timespec deadline;
	unsigned left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += POLICYD_DRAIN_MS / 1000;
	deadline.tv_nsec += (POLICYD_DRAIN_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	for (unsigned i = 0; i < s->max_conns; i++)
		if (s->conn_fd[i] >= 0)
			shutdown(s->conn_fd[i], SHUT_RD);
	while (s->active > 0 &&
	    pthread_cond_timedwait(&s->gone, &s->lock, &deadline) == 0)
		;
	left = s->active;
	pthread_mutex_unlock(&s->lock);
	if (left > 0)
		log_warn("stopping with %u connection(s) still busy", left);
}

/* policyd_server_run - the accept loop */
int
policyd_server_run(struct policyd_server *s)
{
	int rc = 0;

	for (;;) {
		if (poll(s->pfd, s->n_listen + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (s->pfd[s->n_listen].revents != 0)
			break;
		for (size_t i = 0; i < s->n_listen; i++)
			if (s->pfd[i].revents != 0)
				accept_one(s, s->pfd[i].fd);
	}
	close_listeners(s);
	drain(s);
	return rc;
}

/* policyd_server_active - connections being served */
unsigned
policyd_server_active(struct policyd_server *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->active;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* policyd_server_free - close everything, unless threads still run */
int
policyd_server_free(struct policyd_server *s)
{
	if (s == NULL)
		return 0;
	if (policyd_server_active(s) > 0)
		return -1;	/* they still use s: leave it to exit(3) */
	close_listeners(s);
	if (s->stop_pipe[0] >= 0)
		close(s->stop_pipe[0]);
	if (s->stop_pipe[1] >= 0)
		close(s->stop_pipe[1]);
	pthread_cond_destroy(&s->gone);
	pthread_mutex_destroy(&s->lock);
	free(s->pfd);
	free(s->unix_path);
	free(s->conn_fd);
	free(s);
	return 0;
}
