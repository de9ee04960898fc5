/*
 * submit_rate.c - a limit on submission error logging (RFC 6409 5.2: a
 * client must not be able to fill the disk or drown the log).  One
 * window a minute, process-wide, behind a mutex.
 */

/* System library. */
#include <pthread.h>
#include <stdlib.h>

/* Application-specific. */
#include <smtp2/submit.h>

struct smtp2_submit_rate {
	pthread_mutex_t	lock;
	unsigned	per_minute;	/* 0: unlimited */
	time_t		window;		/* start of the current minute */
	unsigned	used;		/* lines logged in it */
	unsigned long	suppressed;	/* refused since the last line */
};

/* smtp2_submit_rate_new - see submit.h */
struct smtp2_submit_rate *
smtp2_submit_rate_new(unsigned per_minute)
{
	struct smtp2_submit_rate *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		return NULL;
	}
	r->per_minute = per_minute;
	return r;
}

/* smtp2_submit_rate_free - see submit.h */
void
smtp2_submit_rate_free(struct smtp2_submit_rate *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* smtp2_submit_rate_take - see submit.h */
bool
smtp2_submit_rate_take(struct smtp2_submit_rate *r, time_t now,
    unsigned long *suppressed)
{
	bool ok;

	*suppressed = 0;
	if (r == NULL || r->per_minute == 0)
		return true;
	pthread_mutex_lock(&r->lock);
	/* A clock stepping back starts a new window too. */
	if (now - r->window >= 60 || now < r->window) {
		r->window = now;
		r->used = 0;
	}
	ok = r->used < r->per_minute;
	if (ok) {
		r->used++;
		*suppressed = r->suppressed;
		r->suppressed = 0;
	} else {
		r->suppressed++;
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}
