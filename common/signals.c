/*
 * signals.c - the signal thread (signals.h).
 */

/* System library. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "signals.h"

struct sig_thread {
	sigset_t	set;
	smtp2d_signal_fn *fn;
	void		*arg;
};

/* smtp2d_signals_block - see signals.h */
int
smtp2d_signals_block(void)
{
	struct sigaction sa;
	sigset_t set;
	int	rc;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if ((rc = pthread_sigmask(SIG_BLOCK, &set, NULL)) != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/* sig_main - wait, call, repeat */
static void *
sig_main(void *arg)
{
	struct sig_thread *t = arg;
	int	sig;

	for (;;) {
		if ((sig = sigwaitinfo(&t->set, NULL)) < 0)
			continue;	/* EINTR: a signal outside the set */
		t->fn(sig, t->arg);
	}
	return NULL;
}

/* smtp2d_signals_start - see signals.h */
int
smtp2d_signals_start(const int *sigs, size_t n, smtp2d_signal_fn *fn,
    void *arg, char *why, size_t whylen)
{
	struct sig_thread *t;
	pthread_attr_t attr;
	pthread_t tid;
	int	rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(why, whylen, "signal thread: out of memory");
		return -1;
	}
	sigemptyset(&t->set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&t->set, sigs[i]);
	t->fn = fn;
	t->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, sig_main, t);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(why, whylen, "signal thread: %s", strerror(rc));
		free(t);
		return -1;
	}
	return 0;
}
