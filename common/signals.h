/*
 * signals.h - signals taken by a thread of their own, not by handlers.
 *
 * A reload loads files, allocates and logs: nothing a signal handler may
 * do.  So the signals are blocked everywhere and one thread waits for
 * them with sigwaitinfo(), running the daemon's function in plain thread
 * context, one signal at a time.
 */
#ifndef SMTP2D_SIGNALS_H
#define SMTP2D_SIGNALS_H

#include <stddef.h>

/*
 * smtp2d_signals_block - block SIGHUP, SIGUSR1, SIGTERM and SIGINT in
 * the calling thread, and so in every thread it starts from now on, and
 * ignore SIGPIPE (a peer that hangs up must not kill the daemon).  Call
 * it in main() before any thread exists.  Returns 0 or -1 (errno).
 */
int	smtp2d_signals_block(void);

typedef void smtp2d_signal_fn(int sig, void *arg);

/*
 * smtp2d_signals_start - a detached thread calling fn(sig, arg) for every
 * signal among sigs[0..n) (each one smtp2d_signals_block() blocked) until
 * the process exits.  Returns 0, or -1 with why.
 */
int	smtp2d_signals_start(const int *sigs, size_t n, smtp2d_signal_fn *fn,
	    void *arg, char *why, size_t whylen);

#endif
