/*
 * server.h - smtp2-policyd's listeners and connection threads.
 *
 * One detached thread per client connection; Postfix keeps a policy
 * connection open and sends many requests over it, one at a time.  Each
 * thread owns its resolver; the session table and the DNS cache in the
 * shared context are thread-safe.  The caller must ignore SIGPIPE: a
 * client that hangs up must not kill the daemon.
 */
#ifndef POLICYD_SERVER_H
#define POLICYD_SERVER_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Utility library. */
#include "live.h"

/* Application-specific. */
#include "request.h"

/* Postfix's client defaults (smtpd_policy_service_timeout, _max_idle). */
#define POLICYD_READ_TIMEOUT_MS	100000	/* to read one request */
#define POLICYD_IDLE_TIMEOUT_MS	300000	/* between two requests */
#define POLICYD_DRAIN_MS	1500	/* how long a stop waits for answers */

struct policyd_server;

/*
 * A protocol: serves one accepted connection (its own thread) until EOF,
 * error, timeout or policyd_server_stopping(); never closes fd.  arg is
 * what the server was made with, shared by every connection.
 */
typedef void policyd_serve_fn(int fd, void *arg, struct policyd_server *s);

/*
 * policyd_server_new - listen on every spec ("inet:HOST:PORT",
 * "unix:PATH"), serving at most max_conns connections at once, each
 * request under the current generation in live (of struct policyd_gen,
 * gen.h; it must outlive the server).  Returns NULL with why when a spec
 * cannot be listened on.  Caller frees with policyd_server_free().
 */
struct policyd_server *policyd_server_new(const char *const *listen, size_t n,
    unsigned max_conns, struct smtp2d_live *live, char *why, size_t whylen);

/* policyd_server_new_with - the same for another protocol: serve(fd, arg). */
struct policyd_server *policyd_server_new_with(const char *const *listen,
    size_t n, unsigned max_conns, policyd_serve_fn *serve, void *arg,
    char *why, size_t whylen);

/*
 * policyd_server_run - accept and serve until policyd_server_stop().  Then
 * closes the listeners (unix sockets are unlinked), ends idle connections
 * and gives busy ones POLICYD_DRAIN_MS to answer.  Returns 0, or -1 when
 * the accept loop itself failed.
 */
int policyd_server_run(struct policyd_server *s);

/* policyd_server_stop - make policyd_server_run() return.  Async-signal-
 * safe: call it from a SIGTERM handler or from another thread. */
void policyd_server_stop(struct policyd_server *s);

/* policyd_server_stopping - has a stop begun?  For serve functions. */
bool policyd_server_stopping(struct policyd_server *s);

/* policyd_server_active - connections being served right now. */
unsigned policyd_server_active(struct policyd_server *s);

/*
 * policyd_server_free - release the server.  Returns 0, or -1 when
 * connection threads are still running (stuck past the drain): then the
 * server, and the context they use, must be left allocated; the process
 * is about to exit anyway.
 */
int policyd_server_free(struct policyd_server *s);

#endif
