/*
 * sigwait.c - smtp2-milter, not libmilter, decides what a signal means.
 *
 * libmilter's signal thread waits for SIGHUP, SIGTERM and SIGINT with
 * sigwait(3): SIGHUP stops the filter, where every other daemon reloads,
 * and a stop closes the connections of messages still in flight.  Its set
 * cannot be changed, so this program supplies the sigwait() libmilter
 * calls: the same wait without those three, which are blocked in every
 * thread (signals.h) and so stay pending until smtp2-milter's own signal
 * thread takes them with sigwaitinfo(), which this does not replace.
 * That thread reloads on SIGHUP, and on SIGTERM lets the messages in
 * flight finish before it asks libmilter to stop (smfi_stop).  Nothing
 * else in the program calls sigwait().
 */

/* System library. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>

int	sigwait(const sigset_t *set, int *sig);

/* sigwait - POSIX sigwait() minus the signals smtp2-milter takes itself */
int
sigwait(const sigset_t *set, int *sig)
{
	sigset_t mine = *set;
	int	got;

	sigdelset(&mine, SIGHUP);
	sigdelset(&mine, SIGTERM);
	sigdelset(&mine, SIGINT);
	/* An empty set waits for ever, which is what libmilter should do. */
	while ((got = sigwaitinfo(&mine, NULL)) < 0)
		if (errno != EINTR)
			return errno;
	*sig = got;
	return 0;
}
